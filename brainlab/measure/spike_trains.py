"""Read-outs of a monitored spike matrix: the raster and the smoothed population rate."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from brainlab import profile
from brainlab.errors import ModelUseError

__all__ = ["firing_rate", "raster_plot"]


def _as_history(values: ArrayLike, name: str, func: str) -> np.ndarray:
    """Return monitored values as a ``(num_steps, num_neurons)`` array.

    Monitors of 2-D groups record ``(num_steps, height, width)``; a single
    trace may come as ``(num_steps,)``. Both are flattened per time step.
    """
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise ModelUseError(
            f"{func}: '{name}' must be a (num_steps, num_neurons) history, got the scalar {arr.item()!r}; "
            f"pass the monitored array (for example group.mon.spike)."
        )
    # An explicit column count, not -1: numpy cannot infer it for an empty history.
    return arr.reshape(arr.shape[0], int(np.prod(arr.shape[1:], dtype=np.int64)))


def raster_plot(sp_matrix: ArrayLike, times: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Get the spike raster of a group: the neuron and the time of every spike.

    Parameters
    ----------
    sp_matrix : array_like
        Spike history of shape ``(num_steps, num_neurons)`` (for example
        ``group.mon.spike``); an entry > 0 is a spike.
    times : array_like
        Time of each step (``num_steps`` values, for example ``net.ts``).

    Returns
    -------
    index : numpy.ndarray
        ``int64`` neuron index of each spike.
    time : numpy.ndarray
        Time of each spike. Spikes are ordered by time, then by neuron.
    """
    spikes = _as_history(sp_matrix, "sp_matrix", "raster_plot")
    ts = np.asarray(times).reshape(-1)
    if ts.size != spikes.shape[0]:
        raise ModelUseError(
            f"raster_plot: 'times' has {ts.size} values but 'sp_matrix' has {spikes.shape[0]} "
            f"time steps (rows); pass the times of the monitored run (net.ts)."
        )
    steps, index = np.nonzero(spikes > 0)
    return index.astype(np.int64, copy=False), ts[steps]


def _window(kind: str, width: float, dt: float) -> np.ndarray:
    """Return the normalised smoothing kernel, an odd number of steps long."""
    if kind == "gaussian":
        # ``width`` is the standard deviation; the kernel is cut at ±2σ, so it
        # spans 4 * width + dt.
        sigma = width / dt
        half = int(np.round(2.0 * sigma))
        k = np.arange(-half, half + 1, dtype=np.float64)
        kernel = np.exp(-0.5 * (k / sigma) ** 2)
    elif kind == "flat":
        # An odd number of steps, so the kernel is centred: width + dt when
        # width / 2 is a whole number of steps. The tolerance keeps float noise
        # (0.3 / 0.1 = 2.9999999999999996) from dropping two steps.
        half = int(np.floor(width / 2.0 / dt + 1e-9))
        kernel = np.ones(2 * half + 1)
    else:
        raise ModelUseError(f"firing_rate: unknown window {kind!r}; use window='gaussian' or window='flat'.")
    return kernel / kernel.sum()


def firing_rate(sp_matrix: ArrayLike, width: float, window: str = "gaussian", *, dt: float | None = None) -> np.ndarray:
    r"""Calculate the smoothed population firing rate of a group.

    The instantaneous rate at step ``t`` is the fraction of neurons that spike
    at ``t`` divided by ``dt``,

    .. math:: r(t) = \frac{1}{N\,dt} \sum_{i=1}^{N} s_i(t),

    in Hz (``dt`` in ms, hence a factor 1000). It is then convolved with a
    window of unit area (as Brian2's ``smooth_rate``), so that a steady train
    keeps its rate:

    * ``'gaussian'``: a Gaussian of standard deviation ``width``, truncated at
      ±2 ``width`` (the kernel spans ``4 * width + dt``);
    * ``'flat'``: a rectangle of ``2 * floor(width / 2 / dt) + 1`` steps,
      that is ``width + dt`` when ``width / 2`` is a multiple of ``dt``.

    Near the two ends the window reaches past the recording, which counts as no
    spikes, so the rate is underestimated there.

    Parameters
    ----------
    sp_matrix : array_like
        Spike history of shape ``(num_steps, num_neurons)``; an entry > 0 is a spike.
    width : float
        Width of the window in ms (see above).
    window : {'gaussian', 'flat'}, default 'gaussian'
        Shape of the smoothing window.
    dt : float, optional
        Time step in ms of the recording; defaults to ``brainlab.profile.get_dt()``.

    Returns
    -------
    numpy.ndarray
        Population rate in Hz, one value per time step (``num_steps`` values).
    """
    spikes = _as_history(sp_matrix, "sp_matrix", "firing_rate")
    step = profile.get_dt() if dt is None else dt
    for name, value in (("width", width), ("dt", step)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ModelUseError(
                f"firing_rate: '{name}' must be a positive time in ms, got {value!r}; e.g. width=5.0 (ms)."
            )
    if spikes.shape[1] == 0:
        raise ModelUseError(
            f"firing_rate: 'sp_matrix' has no neurons (shape {np.shape(sp_matrix)}); pass a (num_steps, "
            f"num_neurons) spike history with at least one neuron."
        )
    rate = (spikes > 0).mean(axis=1) * (1000.0 / step)
    kernel = _window(window, float(width), float(step))
    if rate.size == 0:
        return rate  # np.convolve rejects empty input; no steps, no rates
    # 'full' then a centred slice: np.convolve(mode='same') would return the
    # kernel's length when the kernel is longer than the recording.
    start = (kernel.size - 1) // 2
    return np.convolve(rate, kernel)[start : start + rate.size]
