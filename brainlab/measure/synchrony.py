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

    The sum over pairs needs no ``N x N`` matrix. With ``Z_i = X_i / sqrt(n_i)``
    (``n_i`` the bins in which ``i`` fires; ``Z_i = 0`` for silent neurons),
    ``κ_ij = Z_i · Z_j`` and ``Z_i · Z_i = 1`` for active neurons, hence
    ``Σ_{i<j} κ_ij = (|Σ_i Z_i|² - N_active) / 2``: one pass over the bins.

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
        raise ModelUseError(f"cross_correlation: needs at least 2 neurons to form a pair, got {num_neu}.")
    num_bin = -(-num_steps // bin_size)
    padded = np.zeros((num_bin * bin_size, num_neu), dtype=bool)
    padded[:num_steps] = history > 0
    fired = padded.reshape(num_bin, bin_size, num_neu).any(axis=1)  # X, shape (K, N)

    n_fired = fired.sum(axis=0)
    active = n_fired > 0
    z_sum = fired[:, active] @ (1.0 / np.sqrt(n_fired[active]))  # Σ_i Z_i, shape (K,)
    pair_sum = 0.5 * (float(z_sum @ z_sum) - int(active.sum()))
    return pair_sum / (num_neu * (num_neu - 1) / 2)


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
        raise ModelUseError("voltage_fluctuation: 'potentials' is empty.")
    # np.var (two-pass) rather than <V²> - <V>², which cancels badly around -65 mV.
    population_var = float(np.var(history.mean(axis=1)))
    neuron_var = float(np.var(history, axis=0).mean())
    if neuron_var == 0.0:
        return 1.0
    return population_var / neuron_var
