"""Input neuron groups: spike sources that run inside the compiled kernel.

``PoissonInput``, ``SpikeTimeInput`` and ``FreqInput`` are :class:`NeuGroup`
subclasses with a built-in model whose state has ``spike`` (1 on the step a
neuron fires, else 0) and ``t_last_spike``, so they connect to any synapse that
reads ``pre['spike']``. Rates, start times and spike lists are parameters or
data of the group, not constants of the generated code: changing them between
runs of a repeat-mode network never recompiles.

Spike times are matched to steps by rounding: a time ``t`` fires on the step
whose time ``_t`` satisfies ``_t - dt/2 <= t < _t + dt/2``. The sources are
stateless between steps, so a second run (or a run over ``(start, end)``)
gives the spikes of its own time window.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from brainlab import profile
from brainlab.core.neurons import NeuGroup, NeuType, normalise_geometry
from brainlab.errors import ModelUseError, warn_user
from brainlab.types import Array, NeuState

__all__ = ["FreqInput", "PoissonInput", "SpikeTimeInput"]

# Above this spike probability per step, a Bernoulli draw per step visibly
# under-counts a Poisson process (two spikes can fall into one step).
MAX_SPIKE_PROBABILITY = 0.1


def _spike_state() -> NeuState:
    return NeuState({"spike": 0.0, "t_last_spike": -1e7})


def _per_neuron(values: ArrayLike, num: int, geometry: tuple[int, ...], name: str, owner: str) -> float | np.ndarray:
    """Return a number, or a flat array of one value per neuron; check finite and >= 0."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim and array.shape not in ((num,), geometry):
        raise ModelUseError(
            f"{owner}: {name} must be one number or one value per neuron (shape ({num},) or {geometry}), "
            f"got shape {array.shape}."
        )
    if not np.isfinite(array).all() or (array < 0).any():
        raise ModelUseError(f"{owner}: {name} must be finite and >= 0, got {values!r}.")
    return float(array) if array.ndim == 0 else np.ascontiguousarray(array.reshape(-1))


# --- Poisson -------------------------------------------------------------------------


def _poisson_type() -> NeuType:
    freqs = 0.0  # Hz; a parameter of the group (one value or one per neuron)

    def update(ST, _t, _dt):
        # One Bernoulli draw per neuron and step: a Poisson process while freqs*dt is small.
        # The legacy np.random API is the one Numba compiles inside kernels.
        if np.random.random() < freqs * _dt / 1000.0:  # noqa: NPY002
            ST["spike"] = 1.0
            ST["t_last_spike"] = _t
        else:
            ST["spike"] = 0.0

    return NeuType(name="PoissonInput", ST=_spike_state(), steps=update, mode="scalar")


class PoissonInput(NeuGroup):
    """Neurons that fire as independent Poisson processes.

    Each step, neuron ``i`` fires with probability ``freqs[i] * dt / 1000``
    (``freqs`` in Hz, ``dt`` in ms). That is a good Poisson process only while
    the probability is small: a warning is given above 0.1, since two spikes
    in one step count as one. Use more neurons at lower rates instead (ten
    neurons at 100 Hz rather than one at 1 kHz).

    Parameters
    ----------
    geometry : int or tuple of int
        Number of neurons, or ``(height, width)``.
    freqs : float or array_like
        Rate in Hz, for all neurons or one per neuron. It is the group's
        parameter ``freqs``: ``group.pars['freqs'] = 20.`` changes it for the
        next run without recompiling.
    monitors : sequence of str, optional
        Fields to record (``'spike'``, ``'t_last_spike'``).
    name : str, optional
        Group name (automatic: ``PoissonInput0``, ...).

    Notes
    -----
    The draws come from Numba's random generator inside the kernel; runs are
    not reproducible from a seed yet.
    """

    def __init__(
        self,
        geometry: int | tuple[int, ...],
        freqs: float | ArrayLike,
        monitors: Sequence[str] | None = None,
        name: str | None = None,
    ):
        owner = f"PoissonInput {name or ''}".strip()
        shape = normalise_geometry(geometry, owner)
        rates = _per_neuron(freqs, int(np.prod(shape)), shape, "freqs (Hz)", owner)
        dt = profile.get_dt()
        probability = float(np.max(rates)) * dt / 1000.0
        if probability > MAX_SPIKE_PROBABILITY:
            warn_user(
                f"{owner}: a rate of {float(np.max(rates))} Hz at dt = {dt} ms gives a spike probability of "
                f"{probability:.3g} per step (> {MAX_SPIKE_PROBABILITY}); spikes closer than one step are "
                "lost, so the group fires below its rate. Split the rate over more neurons (e.g. 10 "
                "neurons at a tenth of the rate) or use a smaller dt."
            )
        super().__init__(_poisson_type(), shape, monitors=monitors, name=name, pars_update={"freqs": rates})


# --- given spike times ----------------------------------------------------------------


def _spike_time_type() -> NeuType:
    def update(ST, _t, _dt, spike_times, spike_ids):
        ST["spike"] = 0.0
        # spike_times is sorted: the spikes of this step are one contiguous slice.
        first = np.searchsorted(spike_times, _t - 0.5 * _dt)
        stop = np.searchsorted(spike_times, _t + 0.5 * _dt)
        for k in range(first, stop):
            ST["spike"][spike_ids[k]] = 1.0
            ST["t_last_spike"][spike_ids[k]] = _t

    return NeuType(
        name="SpikeTimeInput",
        ST=_spike_state(),
        steps=update,
        mode="vector",
        requires={
            "spike_times": Array(dim=1, help="spike times in ms, sorted"),
            "spike_ids": Array(dim=1, help="flat index of the neuron firing at each spike time"),
        },
    )


def _flatten_spikes(times: ArrayLike, indices: Any, num: int, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Turn the four ``indices`` forms into sorted ``(times, neuron ids)`` arrays, one entry per spike."""
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or not np.isfinite(times).all():
        raise ModelUseError(f"{owner}: times must be a 1-D list of finite spike times in ms, got {times!r}.")
    if indices is None:  # every neuron fires at every time
        all_times, ids = np.repeat(times, num), np.tile(np.arange(num), times.size)
    elif isinstance(indices, numbers.Integral) and not isinstance(indices, bool):
        all_times, ids = times, np.full(times.size, int(indices))
    elif isinstance(indices, Sequence | np.ndarray) and not isinstance(indices, str | bytes):
        if len(indices) != times.size:
            raise ModelUseError(
                f"{owner}: indices has {len(indices)} entries but times has {times.size}; give one neuron "
                "index (or a list of them) per time."
            )
        chunks = [np.atleast_1d(np.asarray(entry)) for entry in indices]
        for k, chunk in enumerate(chunks):
            if chunk.ndim != 1 or (chunk.size and chunk.dtype.kind not in "iu"):
                raise ModelUseError(f"{owner}: indices[{k}] must be a neuron index or a list of them, got {chunk!r}.")
        counts = [c.size for c in chunks]
        all_times = np.repeat(times, counts)
        ids = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    else:
        raise ModelUseError(
            f"{owner}: indices must be None (all neurons), a neuron index, or one index or list of "
            f"indices per time; got {indices!r}."
        )
    ids = ids.astype(np.int64)
    bad = ids[(ids < 0) | (ids >= num)]
    if bad.size:
        raise ModelUseError(
            f"{owner}: neuron index {int(bad[0])} is outside the group's {num} neurons (0 to {num - 1})."
        )
    order = np.argsort(all_times, kind="stable")
    return np.ascontiguousarray(all_times[order]), np.ascontiguousarray(ids[order])


class SpikeTimeInput(NeuGroup):
    """Neurons that fire at given times.

    Parameters
    ----------
    geometry : int or tuple of int
        Number of neurons, or ``(height, width)`` (indices are then flat,
        row-major).
    times : array_like of float
        Spike times in ms, in any order.
    indices : None, int, or sequence
        Who fires at each time: ``None`` — every neuron; an int — that neuron
        at every time; a sequence as long as ``times`` — at ``times[k]``,
        neuron ``indices[k]``, or every neuron of the list ``indices[k]``.
    monitors : sequence of str, optional
        Fields to record.
    name : str, optional
        Group name (automatic: ``SpikeTimeInput0``, ...).

    Examples
    --------
    Neuron 0 fires at 10 ms, neurons 0 and 1 at 20 ms, neuron 1 at 30 ms:

    >>> group = SpikeTimeInput(2, times=[10, 20, 30], indices=[0, [0, 1], 1])
    """

    def __init__(
        self,
        geometry: int | tuple[int, ...],
        times: ArrayLike,
        indices: Any = None,
        monitors: Sequence[str] | None = None,
        name: str | None = None,
    ):
        owner = f"SpikeTimeInput {name or ''}".strip()
        shape = normalise_geometry(geometry, owner)
        spike_times, spike_ids = _flatten_spikes(times, indices, int(np.prod(shape)), owner)
        super().__init__(
            _spike_time_type(),
            shape,
            monitors=monitors,
            name=name,
            satisfies={"spike_times": spike_times, "spike_ids": spike_ids},
        )

    def set_spikes(self, times: ArrayLike, indices: Any = None) -> None:
        """Replace the spikes (same forms as the constructor); the next run uses them without recompiling."""
        self.spike_times, self.spike_ids = _flatten_spikes(times, indices, self.num, f"SpikeTimeInput {self.name!r}")


# --- regular firing ------------------------------------------------------------------


def _freq_type() -> NeuType:
    freqs = 0.0  # Hz
    start_time = 0.0  # ms, time of the first spike

    def update(ST, _t, _dt):
        ST["spike"] = 0.0
        if freqs > 0.0:
            period = 1000.0 / freqs
            # The first firing time start_time + m * period at or after this step's window.
            m = max(np.ceil((_t - 0.5 * _dt - start_time) / period), 0.0)
            if start_time + m * period < _t + 0.5 * _dt:
                ST["spike"] = 1.0
                ST["t_last_spike"] = _t

    return NeuType(name="FreqInput", ST=_spike_state(), steps=update, mode="scalar")


class FreqInput(NeuGroup):
    """Neurons that fire regularly at a given frequency.

    Neuron ``i`` fires at ``start_time[i] + k * 1000 / freqs[i]`` ms,
    ``k = 0, 1, 2, ...`` (a frequency of 0 never fires).

    Parameters
    ----------
    geometry : int or tuple of int
        Number of neurons, or ``(height, width)``.
    freqs : float or array_like
        Frequency in Hz, for all neurons or one per neuron (parameter
        ``freqs``). ``freq=`` is accepted as another name for it.
    start_time : float or array_like, default 0
        Time of the first spike in ms, for all neurons or one per neuron
        (parameter ``start_time``).
    monitors : sequence of str, optional
        Fields to record.
    name : str, optional
        Group name (automatic: ``FreqInput0``, ...).
    """

    def __init__(
        self,
        geometry: int | tuple[int, ...],
        freqs: float | ArrayLike | None = None,
        start_time: float | ArrayLike = 0.0,
        monitors: Sequence[str] | None = None,
        name: str | None = None,
        *,
        freq: float | ArrayLike | None = None,
    ):
        owner = f"FreqInput {name or ''}".strip()
        if (freqs is None) == (freq is None):
            raise ModelUseError(f"{owner}: give the frequency in Hz once, as freqs= (or its other name freq=).")
        shape = normalise_geometry(geometry, owner)
        num = int(np.prod(shape))
        pars = {
            "freqs": _per_neuron(freqs if freq is None else freq, num, shape, "freqs (Hz)", owner),
            "start_time": _per_neuron(start_time, num, shape, "start_time (ms)", owner),
        }
        super().__init__(_freq_type(), shape, monitors=monitors, name=name, pars_update=pars)
