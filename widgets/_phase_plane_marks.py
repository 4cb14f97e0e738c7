"""The bqplot figures of :class:`~brainlab_widgets.phase_plane_panel.PhasePlanePanel` and their data.

Private to the panel: building the marks, and turning the analyser's data
(nullclines, the vector field, fixed points, trajectories) into mark arrays.
Lines break at NaN (bqplot draws only finite points), so several polylines
share one mark: nullcline pieces, trajectory pieces between resets, jumps.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import bqplot as bq
import ipywidgets as w
import numpy as np

from brainlab.dynamics import stability

__all__ = ["PlaneMarks", "TimeMarks", "arrow_rotation", "jump_xy", "padded", "split_at_jumps"]

#: Nullcline colours, in target order (dV/dt = 0 first).
NULLCLINE_COLORS = ("#d62728", "#2ca02c")
#: Trajectory colours, in the order the trajectories were started (no nullcline colour).
TRAJECTORY_COLORS = (
    "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8",
)  # fmt: skip
#: Time-course colours, one per target variable.
TIME_COLORS = ("#1f77b4", "#ff7f0e")
#: Fixed points: stable ones dark, unstable ones red, saddles orange, the rest purple or grey.
STABILITY_COLORS = {
    stability.STABLE_NODE: "#1a1a1a",
    stability.STABLE_FOCUS: "#1f3a93",
    stability.STABLE_POINT: "#1a1a1a",
    stability.STABLE: "#1a1a1a",
    stability.UNSTABLE_NODE: "#d62728",
    stability.UNSTABLE_FOCUS: "#d62728",
    stability.UNSTABLE_POINT: "#d62728",
    stability.SADDLE: "#ff7f0e",
    stability.SADDLE_FOCUS: "#9467bd",
    stability.SADDLE_NODE: "#7f7f7f",
    stability.CENTER: "#9467bd",
    stability.NON_HYPERBOLIC: "#7f7f7f",
}
#: The same margin across and down: a square figure has a square plot area, so arrows keep their screen angle.
_MARGIN = {"top": 20, "bottom": 45, "left": 55, "right": 10}


def arrow_rotation(dx: np.ndarray, dy: np.ndarray, spans: Sequence[float]) -> np.ndarray:
    """Return the screen direction of the field as bqplot arrow rotations (degrees clockwise from up).

    The derivatives are divided by the range of each axis first, so the arrow
    points where the flow goes on the (square) plot area whatever the units:
    ``dx > 0, dy = 0`` gives 90 (right), ``dx = 0, dy > 0`` gives 0 (up), then
    180 (down) and 270 (left). It is ``90 - atan2(dy, dx)`` of the bqplot
    recipe, taken modulo 360.
    """
    angle = np.degrees(np.arctan2(np.asarray(dy) / spans[1], np.asarray(dx) / spans[0]))
    return np.mod(90.0 - angle, 360.0)


def split_at_jumps(x: np.ndarray, jumps: np.ndarray) -> np.ndarray:
    """Return ``x`` with a NaN after each jump index ``k`` (the step ``k -> k+1`` is not drawn as flow)."""
    return np.insert(np.asarray(x, dtype=float), np.asarray(jumps, dtype=int) + 1, np.nan)


def jump_xy(x: np.ndarray, y: np.ndarray, jumps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the jumps ``(x[k], y[k]) -> (x[k+1], y[k+1])`` as NaN-separated two-point lines."""
    jumps = np.asarray(jumps, dtype=int)
    if not len(jumps):
        return np.zeros(0), np.zeros(0)
    gap = np.full(len(jumps), np.nan)
    out_x = np.stack([x[jumps], x[jumps + 1], gap], axis=1).ravel()[:-1]
    out_y = np.stack([y[jumps], y[jumps + 1], gap], axis=1).ravel()[:-1]
    return out_x, out_y


def padded(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Stack rows of different lengths into one array, padded with NaN (one bqplot line per row)."""
    if not rows:
        return np.zeros(0)
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for k, row in enumerate(rows):
        out[k, : len(row)] = row
    return out


@contextlib.contextmanager
def _held(marks: Iterable[Any]) -> Iterator[None]:
    """Send every change of ``marks`` at the end, one message per mark."""
    with contextlib.ExitStack() as stack:
        for mark in marks:
            stack.enter_context(mark.hold_sync())
        yield


@dataclasses.dataclass
class PlaneMarks:
    """The phase-plane figure and its marks."""

    figure: bq.Figure
    nullclines: list[bq.Lines]
    field: bq.Scatter
    fixed: bq.Scatter
    labels: bq.Label
    trajectories: bq.Lines
    jumps: bq.Lines
    clicks: bq.Scatter

    @classmethod
    def build(cls, targets: Sequence[str], ranges: Sequence[tuple[float, float]], height: str) -> PlaneMarks:
        """Make the figure with its scales fixed to the target ranges, and its empty marks."""
        xs = bq.LinearScale(min=ranges[0][0], max=ranges[0][1])
        ys = bq.LinearScale(min=ranges[1][0], max=ranges[1][1])
        scales = {"x": xs, "y": ys}
        nullclines = [
            bq.Lines(
                x=np.zeros(0), y=np.zeros(0), scales=scales, colors=[color], stroke_width=2.5,
                labels=[f"d{var}/dt = 0"], display_legend=True,
            )
            for var, color in zip(targets, NULLCLINE_COLORS, strict=False)
        ]  # fmt: skip
        field = bq.Scatter(
            x=np.zeros(0), y=np.zeros(0), rotation=np.zeros(0), marker="arrow", default_size=48, colors=["#808080"],
            scales={**scales, "rotation": bq.LinearScale(min=0, max=180)}, enable_hover=False,
        )  # fmt: skip
        trajectories = bq.Lines(x=np.zeros(0), y=np.zeros(0), scales=scales, colors=list(TRAJECTORY_COLORS))
        jumps = bq.Lines(
            x=np.zeros(0), y=np.zeros(0), scales=scales, colors=list(TRAJECTORY_COLORS), line_style="dotted"
        )
        fixed = bq.Scatter(
            x=np.zeros(0), y=np.zeros(0), scales=scales, marker="circle", default_size=110, stroke="black",
            stroke_width=1.5, colors=["#1a1a1a"], enable_hover=False,
        )  # fmt: skip
        labels = bq.Label(
            x=np.zeros(0), y=np.zeros(0), text=[], scales=scales, x_offset=9, y_offset=-9, default_size=12,
            font_weight="bold", colors=["#1a1a1a"],
        )  # fmt: skip
        clicks = bq.Scatter(
            x=np.zeros(0), y=np.zeros(0), scales=scales, interactions={"click": "add"}, marker="cross",
            default_size=40, colors=["black"], enable_hover=False,
        )  # fmt: skip
        figure = bq.Figure(
            marks=[field, *nullclines, trajectories, jumps, fixed, labels, clicks],
            axes=[bq.Axis(scale=xs, label=targets[0]), bq.Axis(scale=ys, side="left", label=targets[1])],
            fig_margin=dict(_MARGIN), min_aspect_ratio=1.0, max_aspect_ratio=1.0, animation_duration=0,
            legend_location="top-left", layout=w.Layout(width=height, height=height, flex="0 0 auto"),
        )  # fmt: skip
        return cls(figure, nullclines, field, fixed, labels, trajectories, jumps, clicks)

    def show_plane(self, plane: Any, targets: Sequence[str], spans: Sequence[float]) -> None:
        """Draw a ``PhasePlane``: nullclines, arrows (opacity by screen speed), fixed points and their labels."""
        tx, ty = targets
        grid = plane.vector_field
        gx, gy = np.meshgrid(*grid.axes)
        dx, dy = grid.derivatives
        ok = np.isfinite(dx) & np.isfinite(dy)
        speed = np.hypot(dx[ok] / spans[0], dy[ok] / spans[1])
        top = float(speed.max()) if speed.size else 0.0
        opacity = 0.3 + 0.7 * np.sqrt(speed / top) if top > 0 else np.ones_like(speed)
        points = plane.fixed_points
        colors = [STABILITY_COLORS.get(p.stability, "#7f7f7f") for p in points] or ["#1a1a1a"]
        px = np.array([p.values[tx] for p in points], dtype=float)
        py = np.array([p.values[ty] for p in points], dtype=float)
        with _held([*self.nullclines, self.field, self.fixed, self.labels]):
            for line, nullcline in zip(self.nullclines, plane.nullclines, strict=True):
                line.x, line.y = nullcline.xy
            self.field.x, self.field.y = gx[ok], gy[ok]
            self.field.rotation, self.field.opacities = arrow_rotation(dx[ok], dy[ok], spans), opacity
            self.fixed.x, self.fixed.y, self.fixed.colors = px, py, colors
            self.labels.x, self.labels.y, self.labels.colors = px, py, colors
            self.labels.text = np.array([p.stability for p in points], dtype=str)

    def show_trajectories(self, runs: Sequence[Any], color_indices: Sequence[int], targets: Sequence[str]) -> None:
        """Draw the trajectories, one line each broken at the resets, and the resets dotted."""
        tx, ty = targets
        jumps = [jump_xy(r[tx], r[ty], r.jumps) for r in runs]
        any_jump = any(len(jx) for jx, _ in jumps)
        palette = TRAJECTORY_COLORS
        colors = [palette[c % len(palette)] for c in color_indices] or [palette[0]]
        with _held([self.trajectories, self.jumps]):
            self.trajectories.x = padded([split_at_jumps(r[tx], r.jumps) for r in runs])
            self.trajectories.y = padded([split_at_jumps(r[ty], r.jumps) for r in runs])
            self.jumps.x = padded([jx for jx, _ in jumps]) if any_jump else np.zeros(0)
            self.jumps.y = padded([jy for _, jy in jumps]) if any_jump else np.zeros(0)
            self.trajectories.colors = self.jumps.colors = colors


@dataclasses.dataclass
class TimeMarks:
    """The time-course figure: each target against time, each on its own scale (left, right)."""

    figure: bq.Figure
    lines: list[bq.Lines]
    time_scale: bq.LinearScale

    @classmethod
    def build(
        cls, targets: Sequence[str], ranges: Sequence[tuple[float, float]], duration: float, height: str
    ) -> TimeMarks:
        """Make the figure with its time axis over the duration and one scale per target range."""
        ts = bq.LinearScale(min=0.0, max=duration)
        lines, axes = [], [bq.Axis(scale=ts, label="t")]
        for k, (var, (low, high)) in enumerate(zip(targets, ranges, strict=True)):
            scale = bq.LinearScale(min=low, max=high)
            color = TIME_COLORS[k % len(TIME_COLORS)]
            lines.append(
                bq.Lines(
                    x=np.zeros(0), y=np.zeros(0), scales={"x": ts, "y": scale}, colors=[color],
                    labels=[var], display_legend=True,
                )
            )  # fmt: skip
            axes.append(
                bq.Axis(
                    scale=scale, side="left" if k == 0 else "right", label=var,
                    color=color, label_color=color,
                )
            )  # fmt: skip
        figure = bq.Figure(
            marks=lines, axes=axes, animation_duration=0, legend_location="top-right",
            fig_margin={"top": 20, "bottom": 45, "left": 55, "right": 55},
            layout=w.Layout(height=height, flex="1 1 auto", min_width="320px"),
        )  # fmt: skip
        return cls(figure, lines, ts)

    def show(self, run: Any, targets: Sequence[str]) -> None:
        """Draw each target of ``run`` against time (nothing when ``run`` is None)."""
        with _held(self.lines):
            for line, var in zip(self.lines, targets, strict=True):
                line.x = np.zeros(0) if run is None else run.t
                line.y = np.zeros(0) if run is None else run[var]
