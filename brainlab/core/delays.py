"""Convert delays and durations in ms into whole numbers of time steps.

``0.28 / 0.04`` is ``7.000000000000001`` in floating point: a plain ``int()``
or ``ceil()`` gives 7 or 8 depending on luck. Here a ratio within a few ulps
of an integer *is* that integer.

Rule for delays that are not a multiple of ``dt``: the delay is rounded to the
nearest whole number of steps if that changes it by at most
``profile.get_delay_tolerance()`` (default 5 %), with a
:class:`~brainlab.errors.DelayRoundingWarning` naming the delay used;
otherwise a :class:`~brainlab.errors.ModelUseError` names the nearest legal
delays. The seed's quickstart (0.5 ms at dt = 0.04 ms, i.e. 12.5 steps) runs
with 13 steps = 0.52 ms and a warning; ``bp.profile.set(delay_tolerance=0)``
makes every inexact delay an error.
"""

from __future__ import annotations

import math

from brainlab import profile
from brainlab.errors import DelayRoundingWarning, ModelUseError, warn_user

__all__ = ["delay_steps", "duration_steps", "exact_steps"]

_REL = 1e-9


def exact_steps(length: float, dt: float) -> int | None:
    """Return ``length / dt`` if it is a whole number (up to rounding noise), else None."""
    ratio = length / dt
    nearest = round(ratio)
    if abs(ratio - nearest) <= _REL * max(1.0, abs(ratio)):
        return int(nearest)
    return None


def delay_steps(delay: float, dt: float, owner: str) -> int:
    """Return the number of steps of a synaptic delay (see the module rule).

    Parameters
    ----------
    delay : float
        Delay in ms (>= 0).
    dt : float
        Time step in ms.
    owner : str
        The connection, for messages.
    """
    if not math.isfinite(delay) or delay < 0:
        raise ModelUseError(f"{owner}: delay must be a finite number of ms >= 0, got {delay!r}.")
    steps = exact_steps(delay, dt)
    if steps is not None:
        return steps
    ratio = delay / dt
    below, above = math.floor(ratio), math.floor(ratio) + 1
    nearest = math.floor(ratio + 0.5)  # halves round up: a delay is never shortened by rounding a tie
    legal = f"{below * dt:.6g} ms ({below} steps) and {above * dt:.6g} ms ({above} steps)"
    tolerance = profile.get_delay_tolerance()
    change = abs(nearest - ratio) / ratio if ratio else 1.0
    if nearest == 0 or change > tolerance:
        raise ModelUseError(
            f"{owner}: delay {delay!r} ms is not a multiple of dt = {dt!r} ms ({ratio:.4g} steps); "
            f"the nearest legal delays are {legal}. Use one of them, or a dt that divides the delay"
            + (
                f" (rounding would change it by {change:.0%}, more than delay_tolerance = {tolerance:.0%})."
                if tolerance
                else "."
            )
        )
    warn_user(
        f"{owner}: delay {delay!r} ms is not a multiple of dt = {dt!r} ms; using {nearest * dt:.6g} ms "
        f"({nearest} steps). Legal delays nearby: {legal}. Set bp.profile.set(delay_tolerance=0) "
        "to make this an error.",
        DelayRoundingWarning,
    )
    return nearest


def duration_steps(start: float, end: float, dt: float) -> int:
    """Return the number of steps covering ``[start, end)`` (at least one, rounded up)."""
    length = end - start
    steps = exact_steps(length, dt)
    return steps if steps is not None else math.ceil(length / dt)
