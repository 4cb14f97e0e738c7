"""Matplotlib drawings of the dynamics analysers' data (their ``plot_*`` methods).

Each function computes through the analyser's data methods, draws on the
current axes and returns the data, so a notebook can both see and use it.
Stable objects are drawn solid/filled, unstable ones dashed/open.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brainlab.dynamics import stability

__all__ = ["bifurcation", "fixed_points", "nullclines", "trajectories", "vector_field"]

_FIXED_POINT_STYLE = {
    stability.STABLE_POINT: ("o", "black"),
    stability.STABLE_NODE: ("o", "black"),
    stability.STABLE_FOCUS: ("o", "tab:blue"),
    stability.STABLE: ("o", "black"),
    stability.UNSTABLE_POINT: ("o", "white"),
    stability.UNSTABLE_NODE: ("o", "white"),
    stability.UNSTABLE_FOCUS: ("o", "tab:orange"),
    stability.SADDLE: ("X", "tab:red"),
    stability.SADDLE_FOCUS: ("X", "tab:purple"),
    stability.SADDLE_NODE: ("D", "tab:gray"),
    stability.CENTER: ("s", "tab:green"),
    stability.NON_HYPERBOLIC: ("s", "tab:gray"),
}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _finish(analyzer: Any, show: bool, ylabel: str | None = None) -> None:
    plt = _plt()
    ax = plt.gca()
    targets = analyzer.targets
    ax.set_xlabel(targets[0])
    ax.set_ylabel(ylabel if ylabel is not None else (targets[1] if len(targets) > 1 else f"d{targets[0]}/dt"))
    for k, set_lim in enumerate([ax.set_xlim, ax.set_ylim][: len(targets)]):
        lo, hi = analyzer.box_bounds(k)
        mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo) * analyzer.lim_scale
        set_lim(mid - half, mid + half)
    if show:
        plt.show()


def _one_d_curve(analyzer: Any, resolution: float | None) -> Any:
    grid = analyzer.vector_field(resolution, points=400)
    plt = _plt()
    plt.plot(grid.axes[0], grid.derivatives[0], color="tab:blue", label=f"d{analyzer.targets[0]}/dt")
    plt.axhline(0.0, color="gray", lw=0.8)
    return grid


def nullclines(analyzer: Any, resolution: float | None, show: bool) -> list:
    """Draw the nullclines (2-D) or the graph of ``dx/dt`` (1-D)."""
    if len(analyzer.targets) == 1:
        _one_d_curve(analyzer, resolution)
        _finish(analyzer, show)
        return []
    plt = _plt()
    lines = analyzer.nullclines(resolution)
    for color, line in zip(("tab:red", "tab:cyan"), lines, strict=False):
        x, y = line.xy
        plt.plot(x, y, color=color, lw=2, label=f"{line.var} nullcline")
    plt.legend(loc="best")
    _finish(analyzer, show)
    return lines


def vector_field(analyzer: Any, resolution: float | None, lw_lim: tuple[float, float], show: bool) -> Any:
    """Draw streamlines whose width grows with the speed (2-D), or ``dx/dt`` (1-D)."""
    if len(analyzer.targets) == 1:
        grid = _one_d_curve(analyzer, resolution)
        _finish(analyzer, show)
        return grid
    plt = _plt()
    grid = analyzer.vector_field(resolution, points=40)
    speed = grid.speed
    finite = np.isfinite(speed)
    top = np.max(speed[finite]) if finite.any() else 1.0
    low, high = lw_lim
    width = low + (high - low) * np.where(finite, speed, 0.0) / (top or 1.0)
    u, v = (np.where(finite, d, 0.0) for d in grid.derivatives)
    plt.streamplot(grid.axes[0], grid.axes[1], u, v, linewidth=width, color="lightgray", density=1.2)
    _finish(analyzer, show)
    return grid


def fixed_points(analyzer: Any, resolution: float | None, show: bool) -> list:
    """Print and draw the fixed points, styled by stability."""
    plt = _plt()
    points = analyzer.fixed_points(resolution)
    for k, point in enumerate(points, start=1):
        print(point.describe(k))
        marker, face = _FIXED_POINT_STYLE.get(point.stability, ("o", "gray"))
        coords = list(point.values.values())
        xy = coords if len(coords) == 2 else [coords[0], 0.0]
        plt.plot(*xy, marker=marker, ms=9, mfc=face, mec="black", ls="none", label=point.stability)
    _dedupe_legend()
    _finish(analyzer, show)
    return points


def _dedupe_legend() -> None:
    ax = _plt().gca()
    handles, labels = ax.get_legend_handles_labels()
    seen: dict[str, Any] = {}
    for h, label in zip(handles, labels, strict=True):
        seen.setdefault(label, h)
    if seen:
        ax.legend(list(seen.values()), list(seen), loc="best")


def trajectories(analyzer: Any, target_setting: Any, axes: str, inputs: Any, show: bool) -> list:
    """Draw trajectories in the plane (``'v-v'``) or against time (``'t-v'``); jumps are drawn dotted."""
    from brainlab.errors import AnalysisError

    if axes not in ("v-v", "t-v"):
        raise AnalysisError(f"{analyzer.owner}: plot_trajectory axes must be 'v-v' or 't-v', got {axes!r}.")
    plt = _plt()
    runs = analyzer.trajectories(target_setting, inputs=inputs)
    targets = analyzer.targets
    for n, run in enumerate(runs):
        color = f"C{n % 10}"
        label = "trajectory " + ", ".join(f"{k}0={v:g}" for k, v in run.initial.items())
        for k, piece in enumerate(run.segments()):
            if axes == "t-v":
                for i, var in enumerate(targets):
                    plt.plot(piece["t"], piece[var], color=f"C{(n + i) % 10}", label=var if k == 0 else None)
            elif len(targets) == 2:
                plt.plot(piece[targets[0]], piece[targets[1]], color=color, label=label if k == 0 else None)
            else:
                plt.plot(piece[targets[0]], np.zeros_like(piece[targets[0]]), color=color)
        if axes == "v-v" and len(targets) == 2:
            for j in run.jumps:
                plt.plot(run[targets[0]][j : j + 2], run[targets[1]][j : j + 2], color=color, ls=":", lw=1)
    if axes == "t-v":
        plt.xlabel("t")
        plt.legend(loc="best")
        if show:
            plt.show()
    else:
        plt.legend(loc="best")
        _finish(analyzer, show)
    return runs


def bifurcation(analyzer: Any, plot_vars: list[str], show: bool) -> Any:
    """Draw a codim-1 diagram (one panel per variable) or a codim-2 diagram.

    Codim-1: equilibrium branches, solid where stable and dashed where unstable,
    fold (LP) and Hopf (H) markers, and limit-cycle min/max beyond Hopf points.
    Codim-2: the equilibria over the parameter plane (as the seed) next to the
    two-parameter fold and Hopf curves.
    """
    plt = _plt()
    result = analyzer.compute()
    pars = analyzer.par_names
    if len(pars) == 1:
        fig, axs = plt.subplots(1, len(plot_vars), figsize=(5.5 * len(plot_vars), 4), squeeze=False)
        for ax, var in zip(axs[0], plot_vars, strict=True):
            _codim1_panel(ax, result, pars[0], var)
    else:
        fig = plt.figure(figsize=(11, 4.5))
        ax3 = fig.add_subplot(1, 2, 1, projection="3d")
        var = plot_vars[0]
        for branch in result.sheets:
            for seg_stable, seg in branch.pieces():
                ax3.plot(
                    seg[pars[0]], seg[pars[1]], seg[var], color="black" if seg_stable else "tab:red", lw=1, alpha=0.8
                )
        ax3.set_xlabel(pars[0])
        ax3.set_ylabel(pars[1])
        ax3.set_zlabel(var)
        ax2 = fig.add_subplot(1, 2, 2)
        for curve in result.curves:
            color = "tab:blue" if curve.kind == "fold" else "tab:orange"
            ax2.plot(curve[pars[0]], curve[pars[1]], color=color, label=f"{curve.kind} curve")
        ax2.set_xlim(*analyzer.target_pars[pars[0]])
        ax2.set_ylim(*analyzer.target_pars[pars[1]])
        ax2.set_xlabel(pars[0])
        ax2.set_ylabel(pars[1])
        _dedupe_legend()
    fig.tight_layout()
    if show:
        plt.show()
    return result


def _codim1_panel(ax: Any, result: Any, par: str, var: str) -> None:
    for branch in result.branches:
        for seg_stable, seg in branch.pieces():
            ax.plot(seg[par], seg[var], color="black", ls="-" if seg_stable else "--", lw=1.5)
    labels = {"fold": "LP", "hopf": "H"}
    for point in result.special_points:
        ax.plot(point.pars[par], point.values[var], "o", color="tab:red", ms=6)
        ax.annotate(
            labels.get(point.kind, point.kind),
            (point.pars[par], point.values[var]),
            xytext=(4, 4),
            textcoords="offset points",
        )
    for cycle in result.cycles:
        ax.plot(cycle.pars, cycle.minimum[var], ".", color="tab:green", ms=3)
        ax.plot(cycle.pars, cycle.maximum[var], ".", color="tab:green", ms=3)
    ax.set_xlabel(par)
    ax.set_ylabel(var)
