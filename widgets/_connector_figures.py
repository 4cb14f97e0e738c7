"""The bqplot figures of the connector panel's preview, and its text summary.

:class:`PreviewFigures` holds the synapse matrix (a ``GridHeatMap`` of the exact
matrix, swapped for a ``HeatMap`` of block means when the preview is downsampled),
the in- and out-degree histograms and the weight-vs-distance line of weighted
connectors; :meth:`PreviewFigures.draw` redraws them all from a
:class:`~brainlab_widgets.connectivity.ConnectivityPreview`. :func:`summary_html`
describes the same preview in a few escaped lines.
"""

from __future__ import annotations

import html
from typing import Any

import bqplot
import numpy as np

from brainlab_widgets.connectivity import ConnectivityPreview

__all__ = ["PreviewFigures", "summary_html"]


class PreviewFigures:
    """The bqplot figures of the preview: the matrix, the two degree histograms and the weight profile.

    Attributes
    ----------
    adjacency : bqplot.Figure
        The matrix figure; it shows :attr:`grid_map` or :attr:`block_map` (see :meth:`draw`).
    grid_map : bqplot.GridHeatMap
    block_map : bqplot.HeatMap
    in_bars, out_bars : bqplot.Bars
        Neurons per in- and out-degree; in :attr:`in_figure` and :attr:`out_figure`.
    profile_line : bqplot.Lines
        Weight vs distance, in :attr:`profile` (hidden unless the connector is weighted).
    """

    def __init__(self) -> None:
        margin = {"top": 20, "bottom": 40, "left": 50, "right": 20}
        self.color_scale = bqplot.ColorScale(scheme="Blues", min=0.0, max=1.0)
        row, col = bqplot.OrdinalScale(reverse=True), bqplot.OrdinalScale()
        x, y = bqplot.LinearScale(), bqplot.LinearScale(reverse=True)
        self.grid_map = bqplot.GridHeatMap(
            color=np.zeros((2, 2)), scales={"row": row, "column": col, "color": self.color_scale}
        )
        self.block_map = bqplot.HeatMap(
            x=np.arange(2.0),
            y=np.arange(2.0),
            color=np.zeros((2, 2)),
            scales={"x": x, "y": y, "color": self.color_scale},
        )
        self.grid_axes = [
            bqplot.Axis(scale=col, label="post"),
            bqplot.Axis(scale=row, side="left", label="pre"),
        ]
        self.block_axes = [
            bqplot.Axis(scale=x, label="post"),
            bqplot.Axis(scale=y, side="left", label="pre"),
        ]
        self.color_axis = bqplot.ColorAxis(scale=self.color_scale, side="right")
        self.adjacency = bqplot.Figure(
            marks=[self.grid_map], axes=[*self.grid_axes, self.color_axis], title="synapses (pre × post)",
            fig_margin={**margin, "right": 60}, layout={"height": "340px", "width": "380px"},
        )  # fmt: skip
        self.in_bars, self.in_figure = self._histogram("in-degree", margin)
        self.out_bars, self.out_figure = self._histogram("out-degree", margin)
        px, py = bqplot.LinearScale(), bqplot.LinearScale()
        self.profile_line = bqplot.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": px, "y": py})
        self.profile = bqplot.Figure(
            marks=[self.profile_line], title="weight vs distance", fig_margin=margin,
            axes=[bqplot.Axis(scale=px, label="distance"), bqplot.Axis(scale=py, side="left", label="w")],
            layout={"height": "220px", "width": "380px", "display": "none"},
        )  # fmt: skip

    @staticmethod
    def _histogram(label: str, margin: dict) -> tuple[bqplot.Bars, bqplot.Figure]:
        x, y = bqplot.LinearScale(), bqplot.LinearScale(min=0.0)
        bars = bqplot.Bars(x=np.zeros(1), y=np.zeros(1), scales={"x": x, "y": y})
        axes = [bqplot.Axis(scale=x, label=label), bqplot.Axis(scale=y, side="left", label="neurons")]
        return bars, bqplot.Figure(marks=[bars], axes=axes, fig_margin=margin, layout={"height": "170px"})

    def draw(self, preview: ConnectivityPreview) -> bqplot.Mark:
        """Draw ``preview``; return the matrix mark now shown."""
        matrix = preview.adjacency
        low, high = min(0.0, float(matrix.min())), max(float(matrix.max()), 1e-12)
        bound = max(-low, high)
        # Negative weights (DOG) get a diverging map centred on 0.
        scheme, lo, mid = ("RdBu", -bound, 0.0) if low < 0 else ("Blues", 0.0, None)
        with self.color_scale.hold_sync():
            self.color_scale.scheme, self.color_scale.min = scheme, lo
            self.color_scale.max, self.color_scale.mid = bound if low < 0 else high, mid
        # bqplot squeezes a matrix with a side of 1 (GridHeatMap then draws one row; HeatMap refuses it).
        if preview.downsampled and min(matrix.shape) > 1:
            rows, cols = preview.adjacency_blocks
            with self.block_map.hold_sync():
                self.block_map.x = (np.arange(matrix.shape[1]) + 0.5) * cols
                self.block_map.y = (np.arange(matrix.shape[0]) + 0.5) * rows
                self.block_map.color = matrix
            mark, axes = self.block_map, self.block_axes
        else:
            self.grid_map.color = matrix if min(matrix.shape) > 1 else matrix.reshape(-1)
            for axis, size in zip(self.grid_axes, (matrix.shape[1], matrix.shape[0]), strict=True):
                axis.tick_values = np.arange(0, size, max(1, size // 5))
            mark, axes = self.grid_map, self.grid_axes
        if self.adjacency.marks != [mark]:
            with self.adjacency.hold_sync():
                self.adjacency.marks = [mark]
                self.adjacency.axes = [*axes, self.color_axis]
        for bars, degree in ((self.in_bars, preview.in_degree), (self.out_bars, preview.out_degree)):
            values, counts = np.unique(degree, return_counts=True)
            with bars.hold_sync():
                bars.x, bars.y = values.astype(float), counts.astype(float)
        if preview.weight_profile is None:
            self.profile.layout.display = "none"
        else:
            with self.profile_line.hold_sync():
                self.profile_line.x, self.profile_line.y = preview.weight_profile
            self.profile.layout.display = None
        return mark


def summary_html(preview: ConnectivityPreview, pre: Any, post: Any) -> str:
    """Return the synapse count, degrees, memory estimate and matrix scale of ``preview`` as escaped HTML lines."""

    def degree(values: np.ndarray) -> str:
        return f"{values.mean():.2f} (min {values.min()}, max {values.max()})"

    lines = [
        f"{preview.n_synapses} synapses from {pre.name} ({preview.num_pre}) to {post.name} ({preview.num_post})",
        f"mean in-degree {degree(preview.in_degree)}, mean out-degree {degree(preview.out_degree)}",
        f"memory ≈ {preview.memory_text}",
    ]
    if preview.downsampled:
        rows, cols = preview.adjacency_blocks
        shown = "mean weight" if preview.weights is not None else "fraction connected"
        lines.append(f"matrix: blocks of {rows} × {cols} neurons, {shown} per block")
    return "<br>".join(html.escape(line) for line in lines)
