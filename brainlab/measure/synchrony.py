"""Population synchrony: spike coherence (Wang & Buzsáki), voltage fluctuation (Golomb)."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from brainlab.errors import ModelUseError
from brainlab.measure.spike_trains import _as_history

__all__ = ["cross_correlation", "voltage_fluctuation"]


def cross_correlation(spikes: ArrayLike, bin_size: int) -> float:
    r"""Calculate the population spike coherence κ of Wang and Buzsáki (1996).

    The recording is cut into ``K`` bins of ``bin_size`` steps (the last bin is
    padded with silence). ``X_i(l)`` is 1 if neuron ``i`` fires at least once in
    bin ``l`` and 0 otherwise. The coherence of a pair is the zero-lag
    correlation of these binary trains,

    .. math:: \kappa_{ij} = \frac{\sum_l X_i(l) X_j(l)}
              {\sqrt{\sum_l X_i(l) \sum_l X_j(l)}},

    and the returned index is its mean over all ``N (N - 1) / 2`` pairs
    ``i < j``. It is 1 when all neurons fire in the same bins and close to 0 for
    independent sparse trains.

    A neuron that never fires has no coherence with anyone: its pairs count as
    ``κ = 0`` (they stay in the average, so silent neurons lower the index
    instead of producing NaN).

    The sum over pairs needs no ``N x N`` matrix. Neurons are grouped by
    their number of active bins ``n``; pairs within a group share the
    denominator ``n`` and pairs across groups ``g, h`` share
    ``sqrt(n_g n_h)``, so only the integer coincidence counts of the groups
    are needed (a ``G x G`` matrix, ``G`` the number of distinct ``n``). The
    counts are exact, so trains without coincidences give exactly 0 and
    identical trains exactly 1.

    Parameters
    ----------
    spikes : array_like
        Spike history of shape ``(num_steps, num_neurons)``; an entry > 0 is a spike.
    bin_size : int
        Bin width in time steps (``τ / dt``).

    Returns
    -------
    float
        The population coherence κ, in ``[0, 1]``.

    References
    ----------
    Wang, X.-J. and Buzsáki, G. (1996). Gamma oscillation by synaptic inhibition
    in a hippocampal interneuronal network model. J. Neurosci. 16(20), 6402-6413.
    """
    history = _as_history(spikes, "spikes", "cross_correlation")
    if isinstance(bin_size, bool) or not isinstance(bin_size, numbers.Integral) or bin_size < 1:
        raise ModelUseError(
            f"cross_correlation: 'bin_size' must be a positive whole number of time steps, "
            f"got {bin_size!r}; for a bin of tau ms use int(round(tau / dt))."
        )
    num_steps, num_neu = history.shape
    if num_neu < 2:
        raise ModelUseError(
            f"cross_correlation: 'spikes' needs at least 2 neurons to form a pair, got {num_neu} "
            f"(shape {np.shape(spikes)}); pass the (num_steps, num_neurons) spike history of a group."
        )
    num_bin = -(-num_steps // bin_size)
    padded = np.zeros((num_bin * bin_size, num_neu), dtype=bool)
    padded[:num_steps] = history > 0
    fired = padded.reshape(num_bin, bin_size, num_neu).any(axis=1)  # X, shape (K, N)
    return _kappa_pair_sum(fired) / (num_neu * (num_neu - 1) / 2)


def _kappa_pair_sum(fired: np.ndarray) -> float:
    """Return the sum of κ_ij over all pairs i < j of the binary trains ``fired`` (bins x neurons).

    Silent neurons take no part: their pairs add 0.
    """
    n_fired = fired.sum(axis=0)
    active = np.flatnonzero(n_fired)
    if active.size < 2:
        return 0.0
    counts, group = np.unique(n_fired[active], return_inverse=True)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(counts.size))
    # per_group[l, g]: active neurons of group g in bin l (small integers, exact in float64)
    per_group = np.add.reduceat(fired[:, active[order]].astype(np.float64), starts, axis=1)
    within = 0.5 * (per_group * (per_group - 1.0)).sum(axis=0)  # coincident pairs inside each group
    across = per_group.T @ per_group  # coincident pairs between two groups (diagonal unused)
    np.fill_diagonal(across, 0.0)
    counts = counts.astype(np.float64)
    return float(np.sum(within / counts)) + 0.5 * float(np.sum(across / np.sqrt(np.outer(counts, counts))))


def voltage_fluctuation(potentials: ArrayLike) -> float:
    r"""Calculate the voltage-fluctuation synchrony χ² of Golomb and Rinzel.

    With the population mean potential :math:`V(t) = \frac{1}{N}\sum_i V_i(t)`,

    .. math:: \chi^2(N) = \frac{\sigma_V^2}{\frac{1}{N}\sum_{i=1}^{N}\sigma_{V_i}^2},

    where :math:`\sigma^2` is the variance over time. χ² is 1 for identical
    traces and of order ``1 / N`` for independent ones. The value returned is χ²
    (take its square root for χ).

    If no neuron's potential varies the ratio is 0/0; this function returns 1.0
    then, treating equal constant traces as trivially synchronous.

    Parameters
    ----------
    potentials : array_like
        Membrane potential history of shape ``(num_steps, num_neurons)``
        (for example ``group.mon.V``).

    Returns
    -------
    float
        The synchrony index χ², ≥ 0.

    References
    ----------
    Golomb, D. and Rinzel, J. (1993). Dynamics of globally coupled inhibitory
    neurons with heterogeneity. Phys. Rev. E 48, 4810-4814.
    Golomb, D. (2007). Neuronal synchrony measures. Scholarpedia 2(1):1347.
    """
    history = np.asarray(_as_history(potentials, "potentials", "voltage_fluctuation"), float)
    if history.size == 0:
        raise ModelUseError(
            f"voltage_fluctuation: 'potentials' is empty (shape {np.shape(potentials)}); pass the "
            f"(num_steps, num_neurons) potential history of a run, for example group.mon.V."
        )
    # np.var (two-pass) rather than <V²> - <V>², which cancels badly around -65 mV.
    population_var = float(np.var(history.mean(axis=1)))
    neuron_var = float(np.var(history, axis=0).mean())
    if neuron_var == 0.0:
        return 1.0
    return population_var / neuron_var
