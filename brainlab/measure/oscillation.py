"""Population oscillations: the frequency of a network rhythm."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from brainlab import profile
from brainlab.errors import ModelUseError
from brainlab.measure.spike_trains import _as_history

__all__ = ["population_frequency"]


def population_frequency(
    sp_matrix: ArrayLike,
    dt: float | None = None,
    bin_width: float = 1.0,
    min_freq: float = 5.0,
    max_freq: float = 200.0,
) -> float:
    """Estimate the frequency (Hz) of the population rhythm of a spike raster.

    The population spike count, in bins of ``bin_width`` ms, is
    autocorrelated; the period is the lag of the first autocorrelation peak
    that reaches at least half of the highest peak between ``1/max_freq`` and
    ``1/min_freq`` (refined by a parabola through the peak). Unlike the highest
    peak of a power spectrum, this does not jump to a harmonic when the rhythm
    is made of sharp population bursts.

    Parameters
    ----------
    sp_matrix : array_like
        Spike history ``(num_steps, num_neurons)``.
    dt : float, optional
        Time step in ms (default ``profile.get_dt()``).
    bin_width : float
        Width of the count bins in ms.
    min_freq, max_freq : float
        Range of frequencies considered (Hz).

    Returns
    -------
    float
        The frequency in Hz, or ``nan`` if the activity has no rhythm in range
        (no spikes, no positive autocorrelation peak, or a record shorter than
        two periods).
    """
    history = _as_history(sp_matrix, "sp_matrix", "population_frequency")
    dt = profile.get_dt() if dt is None else float(dt)
    for name, value in (("dt", dt), ("bin_width", bin_width)):
        if not value > 0:
            raise ModelUseError(f"population_frequency: '{name}' must be a positive time in ms, got {value!r}.")
    if not 0 < min_freq < max_freq:
        raise ModelUseError(
            f"population_frequency: the frequency range is invalid: min_freq={min_freq!r}, "
            f"max_freq={max_freq!r}; pass 0 < min_freq < max_freq (in Hz)."
        )
    per_bin = max(1, round(bin_width / dt))
    n_bins = history.shape[0] // per_bin
    counts = (history[: n_bins * per_bin] > 0).sum(axis=1).reshape(n_bins, per_bin).sum(axis=1).astype(float)
    if n_bins == 0:
        return float("nan")  # shorter than one bin: no rhythm can be seen
    counts -= counts.mean()
    width = per_bin * dt  # ms per bin
    lo = int(np.floor(1000.0 / max_freq / width))
    hi = min(int(np.ceil(1000.0 / min_freq / width)), n_bins // 2)  # at least two periods in the record
    if not counts.any() or hi <= max(lo, 1):
        return float("nan")
    spectrum = np.fft.rfft(counts, 2 * n_bins)
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[:n_bins]
    ac /= ac[0]
    lags = np.arange(max(lo, 1), hi + 1)
    peaks = [k for k in lags if ac[k] > 0 and ac[k] >= ac[k - 1] and ac[k] >= ac[k + 1]]
    if not peaks:
        return float("nan")
    best = max(ac[k] for k in peaks)
    k = next(k for k in peaks if ac[k] >= 0.5 * best)
    # parabolic interpolation of the peak position
    y0, y1, y2 = ac[k - 1], ac[k], ac[k + 1]
    denom = y0 - 2 * y1 + y2
    offset = 0.5 * (y0 - y2) / denom if denom else 0.0
    return 1000.0 / ((k + offset) * width)
