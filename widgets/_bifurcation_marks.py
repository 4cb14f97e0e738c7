"""The bqplot marks of the bifurcation panel and the arrays they draw from an analysis result.

Each kind of object is one mark whatever the result holds, so a recomputation
only replaces data: all stable pieces of all branches are one ``Lines`` mark,
the pieces joined with NaN separators (bqplot leaves a gap where ``y`` is not
finite), and likewise the unstable pieces and the fold and Hopf curves of a
codimension-2 diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import bqplot
import numpy as np

__all__ = ["Diagram", "codim1_data", "codim2_data", "joined", "lines", "point_name", "rule_marks", "scatter", "summary"]

EMPTY = np.zeros(0)
EMPTY.flags.writeable = False
#: Colours: fold (LP) blue, Hopf (H) red, limit cycles green, the selection grey.
FOLD_COLOR, HOPF_COLOR, CYCLE_COLOR, RULE_COLOR = "#1f77b4", "#d62728", "#2ca02c", "#7f7f7f"


def joined(pieces: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Join ``(x, y)`` pieces into one pair of float arrays, a NaN between two pieces (a gap when drawn)."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for x, y in pieces:
        if xs:
            xs.append(np.array([np.nan]))
            ys.append(np.array([np.nan]))
        xs.append(np.asarray(x, dtype=float))
        ys.append(np.asarray(y, dtype=float))
    if not xs:
        return EMPTY, EMPTY
    return np.concatenate(xs), np.concatenate(ys)


def point_name(point: Any) -> str:
    """Return the label drawn next to a special point: ``'LP'`` (fold), ``'H sub'``/``'H super'`` (Hopf)."""
    if point.kind == "fold":
        return "LP"
    if point.kind == "hopf":
        crit = point.criticality
        return "H" if crit is None else f"H {crit.removesuffix('critical')}"
    return str(point.kind)


def codim1_data(result: Any, par: str, var: str) -> dict[str, Any]:
    """Return the arrays of a codimension-1 diagram of ``var`` against ``par``.

    Returns
    -------
    dict
        ``'stable'``, ``'unstable'``: ``(x, y)`` NaN-joined branch pieces;
        ``'fold'``, ``'hopf'``: ``(x, y, names, points)``; ``'cycles'``: ``(x, y)``
        of the finite cycle minima then maxima.
    """
    pieces = [(stable, seg) for branch in result.branches for stable, seg in branch.pieces()]
    data: dict[str, Any] = {
        "stable": joined((seg[par], seg[var]) for stable, seg in pieces if stable),
        "unstable": joined((seg[par], seg[var]) for stable, seg in pieces if not stable),
    }
    for kind in ("fold", "hopf"):
        points = result.points(kind)
        data[kind] = (
            np.array([p.pars[par] for p in points], dtype=float),
            np.array([p.values[var] for p in points], dtype=float),
            [point_name(p) for p in points],
            points,
        )
    xs, ys = [], []
    for cycle in result.cycles:
        for extreme in (cycle.minimum[var], cycle.maximum[var]):
            finite = np.isfinite(extreme)
            xs.append(np.asarray(cycle.pars, dtype=float)[finite])
            ys.append(np.asarray(extreme, dtype=float)[finite])
    data["cycles"] = (np.concatenate(xs), np.concatenate(ys)) if xs else (EMPTY, EMPTY)
    return data


def codim2_data(result: Any, pars: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return ``kind -> (x, y)``: the NaN-joined fold and Hopf curves in the plane of ``pars``."""
    return {
        kind: joined((c[pars[0]], c[pars[1]]) for c in result.curves if c.kind == kind) for kind in ("fold", "hopf")
    }


def lines(scales: dict, color: str, label: str, **style: Any) -> bqplot.Lines:
    """Return an empty ``Lines`` mark of one colour with a legend entry."""
    return bqplot.Lines(x=EMPTY, y=EMPTY, scales=scales, colors=[color], labels=[label], display_legend=True, **style)


def scatter(scales: dict, color: str, label: str, marker: str, fields: list[str], names: list[str], **style: Any):
    """Return an empty ``Scatter`` mark with a legend entry and a tooltip of ``fields`` named ``names``."""
    tooltip = bqplot.Tooltip(fields=fields, labels=names, formats=["" if f == "name" else ".5g" for f in fields])
    return bqplot.Scatter(
        x=EMPTY, y=EMPTY, scales=scales, colors=[color], marker=marker, labels=[label], display_legend=True,
        tooltip=tooltip, names_unique=False, **style,
    )  # fmt: skip


def rule_marks(x_scale: Any, y_scale: Any) -> tuple[bqplot.Lines, bqplot.Lines]:
    """Return the vertical and horizontal rules of the selection, spanning the plot on unit scales."""
    unit = {"x": bqplot.LinearScale(min=0.0, max=1.0), "y": bqplot.LinearScale(min=0.0, max=1.0)}
    style = {"colors": [RULE_COLOR], "line_style": "dash_dotted", "stroke_width": 1.5}
    # preserve_domain: the rules never stretch the data scales they share.
    vertical = bqplot.Lines(
        x=EMPTY, y=EMPTY, scales={"x": x_scale, "y": unit["y"]}, preserve_domain={"x": True}, **style
    )
    horizontal = bqplot.Lines(
        x=EMPTY, y=EMPTY, scales={"x": unit["x"], "y": y_scale}, preserve_domain={"y": True}, **style
    )
    return vertical, horizontal


_MARGIN = {"top": 30, "bottom": 45, "left": 60, "right": 20}


class Diagram:
    """The figure of one or two target parameters and its marks, fixed in number; :meth:`draw` fills them.

    Parameters
    ----------
    target_pars : dict
        ``par -> (low, high)``; one (codim-1) or two (codim-2).
    plot_var : str
        The variable of the codim-1 y axis.
    height : str
        CSS height of the figure.
    on_marker : callable
        ``on_marker(point)``, called with the fold or Hopf point whose marker was clicked.
    """

    def __init__(self, target_pars: dict[str, tuple[float, float]], plot_var: str, height: str, on_marker: Any):
        self.par_names = list(target_pars)
        p1 = self.par_names[0]
        self.codim = len(self.par_names)
        self.x_scale = bqplot.LinearScale(min=target_pars[p1][0], max=target_pars[p1][1])
        if self.codim == 2:
            lo, hi = target_pars[self.par_names[1]]
            self.y_scale = bqplot.LinearScale(min=lo, max=hi)
        else:
            self.y_scale = bqplot.LinearScale()  # fits the branches and cycles
        scales = {"x": self.x_scale, "y": self.y_scale}
        self.stable_lines = self.unstable_lines = self.fold_marks = self.hopf_marks = self.cycle_marks = None
        self.curve_lines: dict[str, bqplot.Lines] = {}
        self.points: dict[str, list] = {"fold": [], "hopf": []}
        if self.codim == 1:
            self.stable_lines = lines(scales, "black", "stable", stroke_width=2)
            self.unstable_lines = lines(scales, "black", "unstable", line_style="dashed", stroke_width=1.5)
            self.cycle_marks = scatter(
                scales, CYCLE_COLOR, "limit cycle min/max", "circle", ["x", "y"], [p1, plot_var], default_size=12
            )
            fields, names = ["name", "x", "y"], ["point", p1, plot_var]
            self.fold_marks = scatter(
                scales, FOLD_COLOR, "fold (LP)", "diamond", fields, names, default_size=90, stroke="black"
            )
            self.hopf_marks = scatter(
                scales, HOPF_COLOR, "Hopf (H)", "square", fields, names, default_size=80, stroke="black"
            )
            for kind, mark in (("fold", self.fold_marks), ("hopf", self.hopf_marks)):
                mark.on_element_click(lambda _m, content, k=kind: self._marker_clicked(k, content, on_marker))
            data_marks = [self.stable_lines, self.unstable_lines, self.cycle_marks, self.fold_marks, self.hopf_marks]
        else:
            self.curve_lines = {
                "fold": lines(scales, FOLD_COLOR, "fold curve", stroke_width=2),
                "hopf": lines(scales, HOPF_COLOR, "Hopf curve", stroke_width=2),
            }
            data_marks = list(self.curve_lines.values())
        self.rule, self.rule_h = rule_marks(self.x_scale, self.y_scale)
        # The click layer: bqplot's front end appends a click on the plot area to x and y (data coordinates).
        self.click_marks = bqplot.Scatter(
            x=EMPTY, y=EMPTY, scales=scales, interactions={"click": "add"}, opacities=[0.0], default_size=1,
            preserve_domain={"x": True, "y": True},
        )  # fmt: skip
        self.y_axis = bqplot.Axis(scale=self.y_scale, side="left", label=plot_var if self.codim == 1 else "")
        if self.codim == 2:
            self.y_axis.label = self.par_names[1]
        self.figure = bqplot.Figure(
            marks=[*data_marks, self.rule, self.rule_h, self.click_marks],
            axes=[bqplot.Axis(scale=self.x_scale, label=p1), self.y_axis],
            fig_margin=_MARGIN, animation_duration=0, legend_location="top-right",
            title="click to pick " + " and ".join(self.par_names), layout={"width": "100%", "height": height},
        )  # fmt: skip

    def _marker_clicked(self, kind: str, content: Any, on_marker: Any) -> None:
        try:
            point = self.points[kind][int(content["data"]["index"])]
        except (KeyError, IndexError, TypeError, ValueError):
            return  # a stale or malformed message
        on_marker(point)

    def draw(self, result: Any, plot_var: str) -> None:
        """Show ``result`` (None: empty marks) with ``plot_var`` on the codim-1 y axis."""
        if self.codim == 2:
            data2 = codim2_data(result, self.par_names) if result is not None else {}
            for kind, mark in self.curve_lines.items():
                x, y = data2.get(kind, (EMPTY, EMPTY))
                with mark.hold_sync():
                    mark.x, mark.y = x, y
            return
        data = codim1_data(result, self.par_names[0], plot_var) if result is not None else None
        for key, mark in (
            ("stable", self.stable_lines),
            ("unstable", self.unstable_lines),
            ("cycles", self.cycle_marks),
        ):
            x, y = data[key] if data else (EMPTY, EMPTY)
            with mark.hold_sync():
                mark.x, mark.y = x, y
        for kind, mark in (("fold", self.fold_marks), ("hopf", self.hopf_marks)):
            x, y, names, points = data[kind] if data else (EMPTY, EMPTY, [], [])
            self.points[kind] = points
            with mark.hold_sync():
                mark.x, mark.y, mark.names = x, y, np.array(names, dtype=str)
        for mark in (self.cycle_marks, self.fold_marks, self.hopf_marks):
            mark.tooltip.labels = [*mark.tooltip.labels[:-1], plot_var]
        self.y_axis.label = plot_var

    def draw_rule(self, selected: dict[str, float] | None) -> None:
        """Mark the selected value(s): a vertical rule, and a horizontal one in codim 2."""
        for mark, k in ((self.rule, 0), (self.rule_h, 1))[: self.codim]:
            at = (np.full(2, selected[self.par_names[k]]), np.array([0.0, 1.0])) if selected else (EMPTY, EMPTY)
            with mark.hold_sync():
                mark.x, mark.y = at if k == 0 else at[::-1]


def summary(result: Any, par_names: Sequence[str], var: str) -> str:
    """Return what the status line says was found."""
    if len(par_names) == 2:
        counts = {k: sum(c.kind == k for c in result.curves) for k in ("fold", "hopf")}
        return f"{counts['fold']} fold and {counts['hopf']} Hopf curve(s) from {len(result.sheets)} branches"
    par = par_names[0]
    found = []
    for kind, name in (("hopf", "Hopf"), ("fold", "fold")):
        points = result.points(kind)
        where = ", ".join(f"{p.pars[par]:.5g}" + (f" ({p.criticality})" if p.criticality else "") for p in points)
        found.append(f"{name} at {par} = {where}" if points else f"no {name} point")
    cycles = sum(int(np.isfinite(c.maximum[var]).sum()) for c in result.cycles)
    return f"{len(result.branches)} branch(es) · {' · '.join(found)} · {cycles} cycle(s)"
