"""Input currents as arrays: one row per time step, ready for ``net.run(inputs=...)``.

The number of steps of a current of length ``duration`` is the number of steps
``Network.run(duration)`` takes at the same ``dt`` (whole steps, exact when the
duration is a multiple of ``dt``), so a current built here always fits a run of
its duration, and ``np.arange(0, duration, dt)`` gives its time axis.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from brainlab import profile
from brainlab.core.delays import duration_steps
from brainlab.errors import ModelUseError

__all__ = ["constant_current", "ramp_current", "spike_current"]


def _resolve_dt(dt: float | None, func: str) -> float:
    """Return ``dt`` (default: the profile's), checked to be a positive finite number."""
    if dt is None:
        return profile.get_dt()
    if isinstance(dt, bool) or not isinstance(dt, numbers.Real) or not np.isfinite(dt) or dt <= 0:
        raise ModelUseError(
            f"{func}: dt must be a positive number of ms, got {dt!r}; leave it out to use the profile's dt."
        )
    return float(dt)


def _check_time(value: Any, name: str, func: str, *, positive: bool = False) -> float:
    """Return a time in ms as ``float``, checked to be finite and >= 0 (> 0 if ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ModelUseError(f"{func}: {name} must be a finite number of ms, got {value!r}.")
    if value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ModelUseError(f"{func}: {name} must be {bound} ms, got {value!r}.")
    return float(value)


def _step_of(time: float, dt: float) -> int:
    """Index of the first step whose time is at or after ``time`` (exact multiples of dt count as exact)."""
    return 0 if time == 0 else duration_steps(0.0, time, dt)


def constant_current(Iext: Sequence[tuple[ArrayLike, float]], dt: float | None = None) -> tuple[np.ndarray, float]:
    """Build a piecewise-constant current from ``(value, duration)`` pairs.

    Parameters
    ----------
    Iext : sequence of (value, duration)
        Consecutive segments: ``value`` held for ``duration`` ms. A value is a
        number, or an array (one value per neuron, e.g. ``np.zeros(100)``);
        every array value must have the same shape, numbers broadcast to it.
    dt : float, optional
        Step in ms (default: ``profile.get_dt()``).

    Returns
    -------
    current : numpy.ndarray
        Shape ``(n_steps,)`` for number values, ``(n_steps, *value_shape)``
        when some value is an array; ``n_steps`` is the step count of a run of
        the total duration.
    duration : float
        Total duration in ms (the sum of the segments).

    Examples
    --------
    >>> current, duration = constant_current([(0, 100), (1, 300), (0, 100)], 0.1)
    >>> current.shape, duration
    ((5000,), 500.0)
    """
    func = "constant_current"
    dt = _resolve_dt(dt, func)
    if isinstance(Iext, str | bytes) or not isinstance(Iext, Sequence) or len(Iext) == 0:
        raise ModelUseError(f"{func}: Iext must be a non-empty list of (value, duration) pairs, got {Iext!r}.")
    values, ends, total = [], [], 0.0
    shape: tuple[int, ...] = ()
    for k, item in enumerate(Iext):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ModelUseError(f"{func}: Iext[{k}] must be a (value, duration) pair, got {item!r}.")
        value = np.asarray(item[0], dtype=np.float64)
        if not np.isfinite(value).all():
            raise ModelUseError(f"{func}: the value of Iext[{k}] is not finite: {item[0]!r}.")
        if value.ndim:
            if shape and value.shape != shape:
                raise ModelUseError(
                    f"{func}: the value of Iext[{k}] has shape {value.shape}, but an earlier one has "
                    f"{shape}; give every array value the same shape (one value per neuron)."
                )
            shape = value.shape
        total += _check_time(item[1], f"the duration of Iext[{k}]", func)
        values.append(value)
        ends.append(total)
    if total == 0:
        raise ModelUseError(f"{func}: the durations in Iext add up to 0 ms; give at least one positive duration.")
    current = np.zeros((_step_of(total, dt), *shape))
    start = 0
    for value, end in zip(values, ends, strict=True):
        # Segment boundaries are cumulative times, so rounding never drifts.
        stop = _step_of(end, dt)
        current[start:stop] = value
        start = stop
    return current, total


def _per_point(value: Any, count: int, name: str, func: str) -> np.ndarray:
    """Broadcast a number, or check a list, to one float per spike point."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(count, float(array))
    if array.shape != (count,):
        raise ModelUseError(
            f"{func}: {name} must be one number or one value per point ({count}), got shape {array.shape}."
        )
    return array


def spike_current(
    points: Sequence[float],
    lengths: float | Sequence[float],
    sizes: float | Sequence[float],
    duration: float,
    dt: float | None = None,
) -> np.ndarray:
    """Build a current made of short pulses ("spikes") at given times.

    Parameters
    ----------
    points : sequence of float
        Start times of the pulses in ms, each in ``[0, duration)``.
    lengths : float or sequence of float
        Length of the pulses in ms: one for all, or one per point.
    sizes : float or sequence of float
        Amplitude of the pulses: one for all, or one per point. Where pulses
        overlap, the later point's size holds.
    duration : float
        Total duration in ms.
    dt : float, optional
        Step in ms (default: ``profile.get_dt()``).

    Returns
    -------
    numpy.ndarray
        The current, shape ``(n_steps,)``. (Only the array, as the seed's
        examples use it; :func:`constant_current` also returns the duration.)
    """
    func = "spike_current"
    dt = _resolve_dt(dt, func)
    duration = _check_time(duration, "duration", func, positive=True)
    if isinstance(points, str | bytes) or not isinstance(points, Sequence | np.ndarray):
        raise ModelUseError(f"{func}: points must be a list of times in ms, got {points!r}.")
    times = [_check_time(p, f"points[{k}]", func) for k, p in enumerate(points)]
    late = [t for t in times if t >= duration]
    if late:
        raise ModelUseError(f"{func}: points {late} are not before the end of the current (duration={duration} ms).")
    widths = _per_point(lengths, len(times), "lengths", func)
    heights = _per_point(sizes, len(times), "sizes", func)
    if (widths <= 0).any() or not np.isfinite(widths).all():
        raise ModelUseError(f"{func}: lengths must be positive numbers of ms, got {lengths!r}.")
    if not np.isfinite(heights).all():
        raise ModelUseError(f"{func}: sizes must be finite, got {sizes!r}.")
    current = np.zeros(_step_of(duration, dt))
    for time, width, height in zip(times, widths, heights, strict=True):
        start = _step_of(time, dt)
        current[start : start + max(1, _step_of(float(width), dt))] = height
    return current


def ramp_current(
    c_start: float,
    c_end: float,
    duration: float,
    t_start: float = 0.0,
    t_end: float | None = None,
    dt: float | None = None,
) -> np.ndarray:
    """Build a current that changes linearly from ``c_start`` to ``c_end``.

    Parameters
    ----------
    c_start, c_end : float
        Values at the first and the last step of the ramp.
    duration : float
        Total duration in ms.
    t_start : float, default 0
        Start of the ramp in ms; the current is 0 before it.
    t_end : float, optional
        End of the ramp in ms (default: ``duration``); the current is 0 after it.
    dt : float, optional
        Step in ms (default: ``profile.get_dt()``).

    Returns
    -------
    numpy.ndarray
        The current, shape ``(n_steps,)``.
    """
    func = "ramp_current"
    dt = _resolve_dt(dt, func)
    for name, value in (("c_start", c_start), ("c_end", c_end)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ModelUseError(f"{func}: {name} must be a finite number, got {value!r}.")
    duration = _check_time(duration, "duration", func, positive=True)
    t_start = _check_time(t_start, "t_start", func)
    t_end = duration if t_end is None else _check_time(t_end, "t_end", func)
    if not t_start < t_end <= duration:
        raise ModelUseError(
            f"{func}: the ramp must satisfy 0 <= t_start < t_end <= duration; got t_start={t_start}, "
            f"t_end={t_end}, duration={duration}."
        )
    current = np.zeros(_step_of(duration, dt))
    first, stop = _step_of(t_start, dt), _step_of(t_end, dt)
    current[first:stop] = np.linspace(float(c_start), float(c_end), stop - first)
    return current
