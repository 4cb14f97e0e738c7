"""Matplotlib plots of monitored histories: traces over time and spike rasters."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from brainlab.errors import ModelUseError
from brainlab.measure import raster_plot as _raster_data

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["line_plot", "raster_plot"]


def _resolve_axes(ax: Axes | None) -> Axes:
    """Return ``ax``, or the current axes of pyplot (created if there is none)."""
    if ax is not None:
        return ax
    # Imported here so that importing brainlab never loads matplotlib.
    import matplotlib.pyplot as plt

    return plt.gca()


def _decorate(
    ax: Axes,
    xlim: Sequence[float] | None,
    ylim: Sequence[float] | None,
    xlabel: str | None,
    ylabel: str | None,
    title: str | None,
    show: bool,
) -> None:
    """Apply the limits, labels and title shared by the plot functions."""
    if xlim is not None:
        ax.set_xlim(xlim[0], xlim[1])
    if ylim is not None:
        ax.set_ylim(ylim[0], ylim[1])
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if show:
        import matplotlib.pyplot as plt

        plt.show()


def line_plot(
    ts: ArrayLike,
    val_matrix: ArrayLike,
    plot_ids: int | Iterable[int] | None = None,
    ax: Axes | None = None,
    xlim: Sequence[float] | None = None,
    ylim: Sequence[float] | None = None,
    xlabel: str = "Time (ms)",
    ylabel: str = "value",
    legend: str | None = None,
    title: str | None = None,
    show: bool = False,
) -> Axes:
    """Plot the trajectories of chosen elements of a monitored variable.

    Parameters
    ----------
    ts : array_like
        Time of each step (``net.ts``).
    val_matrix : array_like
        History of shape ``(num_steps, num_elements)`` (for example
        ``group.mon.V``); 2-D group histories are flattened per step.
    plot_ids : int or iterable of int, optional
        Flat indices of the elements to plot; default ``[0]``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current axes.
    xlim, ylim : (float, float), optional
        Axis limits.
    xlabel, ylabel : str
        Axis labels.
    legend : str, optional
        If given, each line is labelled ``'{legend}-{index}'`` and a legend is drawn.
    title : str, optional
        Axes title.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with one line per plotted element.
    """
    times = np.asarray(ts).reshape(-1)
    values = np.asarray(val_matrix)
    if values.ndim == 0 or values.shape[0] != times.size:
        raise ModelUseError(
            f"line_plot: 'ts' has {times.size} values but 'val_matrix' has shape {values.shape}; "
            f"it needs one row per time step; pass the times of the monitored run (net.ts)."
        )
    values = values.reshape(values.shape[0], -1)
    if plot_ids is None:
        ids = [0]
    elif isinstance(plot_ids, numbers.Integral):
        ids = [int(plot_ids)]
    else:
        ids = [int(k) for k in plot_ids]
    num = values.shape[1]
    bad = [k for k in ids if not 0 <= k < num]
    if bad:
        raise ModelUseError(
            f"line_plot: 'plot_ids' {bad} out of range; 'val_matrix' has {num} element(s) "
            f"per step (valid indices 0..{num - 1})."
        )

    ax = _resolve_axes(ax)
    for k in ids:
        ax.plot(times, values[:, k], label=f"{legend}-{k}" if legend else None)
    if legend:
        ax.legend()
    _decorate(ax, xlim, ylim, xlabel, ylabel, title, show)
    return ax


def raster_plot(
    ts: ArrayLike,
    sp_matrix: ArrayLike,
    ax: Axes | None = None,
    marker: str = ".",
    markersize: float = 2,
    color: str = "k",
    xlabel: str = "Time (ms)",
    ylabel: str = "Neuron index",
    xlim: Sequence[float] | None = None,
    ylim: Sequence[float] | None = None,
    title: str | None = None,
    show: bool = False,
) -> Axes:
    """Draw the spike raster of a group: one marker per spike at (time, neuron).

    Parameters
    ----------
    ts : array_like
        Time of each step (``net.ts``).
    sp_matrix : array_like
        Spike history of shape ``(num_steps, num_neurons)`` (``group.mon.spike``);
        an entry > 0 is a spike.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current axes.
    marker : str, default '.'
        Matplotlib marker.
    markersize : float, default 2
        Marker size in points.
    color : str, default 'k'
        Marker colour.
    xlabel, ylabel : str
        Axis labels.
    xlim : (float, float), optional
        Time limits; default the whole run, ``(ts[0], ts[-1])``, so that quiet
        stretches at either end stay visible.
    ylim : (float, float), optional
        Neuron limits; default ``(-0.5, num_neurons - 0.5)``, every neuron.
    title : str, optional
        Axes title.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with one marker-only line holding all spikes.
    """
    times = np.asarray(ts).reshape(-1)
    spikes = np.asarray(sp_matrix)
    index, spike_times = _raster_data(spikes, times)  # also checks the shapes
    num_neurons = spikes.reshape(spikes.shape[0], -1).shape[1]

    ax = _resolve_axes(ax)
    ax.plot(spike_times, index, linestyle="none", marker=marker, markersize=markersize, color=color)
    if xlim is None and times.size > 1 and times[-1] > times[0]:
        xlim = (times[0], times[-1])
    if ylim is None:
        ylim = (-0.5, num_neurons - 0.5)
    _decorate(ax, xlim, ylim, xlabel, ylabel, title, show)
    return ax
