"""Trajectories simulated with the model's own step function.

A trajectory is a run of a :class:`~brainlab.NeuGroup` of the analysed type,
one neuron per initial condition, compiled and integrated by the engine like
any simulation. Thresholds and resets in the step function therefore act: an
integrate-and-fire trajectory jumps, and the jumps are reported so plots can
draw them as jumps instead of as fast flow.

Frozen variables and inputs (``fixed_vars``) are held by engine inputs with the
``'='`` operation on their ``ST`` field, applied before every update;
parameters go to the group's ``pars``, so per-trajectory values (arrays) work
too, as the limit-cycle scan of the bifurcation analyser uses.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.core.neurons import NeuGroup
from brainlab.dynamics.system import ModelSystem
from brainlab.errors import AnalysisError, BrainlabWarning, DivergenceError, warn_user

__all__ = ["Trajectory", "simulate"]


@dataclasses.dataclass
class Trajectory:
    """One simulated trajectory.

    Attributes
    ----------
    t : array
        Times, starting with the initial condition at ``t[0] = 0``.
    values : dict
        ``variable -> array`` along ``t``.
    jumps : array of int
        Indices ``k`` where the step ``k -> k+1`` was a reset (a jump), not flow.
    initial : dict
        The initial condition.
    diverged : bool
        The state became non-finite; the trajectory ends at its last finite point.
    """

    t: np.ndarray
    values: dict[str, np.ndarray]
    jumps: np.ndarray
    initial: dict[str, float]
    diverged: bool = False

    def __getitem__(self, var: str) -> np.ndarray:
        return self.values[var]

    def segments(self) -> list[dict[str, np.ndarray]]:
        """Split the trajectory into continuous pieces between jumps: a list of ``{'t': ..., var: ...}``."""
        bounds = [0, *(int(k) + 1 for k in self.jumps), len(self.t)]
        pieces = []
        for lo, hi in itertools.pairwise(bounds):
            if hi > lo:
                piece = {"t": self.t[lo:hi]}
                piece.update({v: x[lo:hi] for v, x in self.values.items()})
                pieces.append(piece)
        return pieces


def _user_fields(inputs: Any) -> tuple[list, set[str]]:
    if not inputs:
        return [], set()
    items = [inputs] if isinstance(inputs, tuple) and inputs and isinstance(inputs[0], str) else list(inputs)
    fields = set()
    for item in items:
        if isinstance(item, tuple | list) and item and isinstance(item[0], str):
            fields.add(item[0].split(".", 1)[-1])
    return items, fields


def hold_inputs(
    system: ModelSystem, values: Mapping[str, Any], user_inputs: Any, owner: str
) -> tuple[list, dict[str, Any]]:
    """Split fixed values into engine inputs (``'='`` on their fields) and ``pars_update``.

    Fields the user's own ``inputs`` drive are left to them.
    """
    items, driven = _user_fields(user_inputs)
    pars: dict[str, Any] = {}
    for name, value in values.items():
        if name in system.parameters:
            pars[name] = value
            continue
        field = system.field_of(name)
        if field is None:
            warn_user(
                f"{owner}: {name!r} is not read from a plain ST field by the step function, so the "
                "simulation cannot hold it at its fixed value; trajectories follow the step function as written.",
                BrainlabWarning,
            )
        elif field not in driven:
            items.append((f"ST.{field}", value, "="))
    return items, pars


def simulate(
    system: ModelSystem,
    targets: Sequence[str],
    initial: np.ndarray,
    duration: float,
    values: Mapping[str, Any],
    inputs: Any = (),
    spans: np.ndarray | None = None,
    field_of_jump: Any = None,
    owner: str = "analysis",
) -> list[Trajectory]:
    """Simulate trajectories of the model from the columns of ``initial`` (n, m).

    Parameters
    ----------
    system : ModelSystem
    targets : sequence of str
        Variables set from ``initial`` and recorded.
    initial : array (n, m)
        One initial condition per column.
    duration : float
        Length of the run.
    values : mapping
        Fixed variables, inputs and parameters (numbers or arrays of length m).
    inputs : tuple or list
        The user's ``inputs`` in :meth:`NeuGroup.run` form; they take precedence
        over held values on the same field.
    spans : array, optional
        Range of each target; a step that moves further than 5 % of it beyond
        what the flow predicts is reported as a jump.
    field_of_jump : callable, optional
        ``f(x) -> dx/dt`` (n, k) used to tell jumps from flow.
    owner : str
        For messages.
    """
    fields: list[str] = []
    for var in targets:
        field = system.field_of(var)
        if field is None:
            raise AnalysisError(
                f"{owner}: cannot simulate {var!r}: the step function does not integrate it from a plain "
                f"ST field (`int_{var}(ST['{var}'], ...)`)."
            )
        fields.append(field)
    initial = np.atleast_2d(np.asarray(initial, dtype=float))
    count = initial.shape[1]
    results: dict[int, tuple[np.ndarray, np.ndarray, bool]] = {}
    active = np.arange(count)
    # A trajectory that diverges stops the engine's run; it keeps what it has and
    # the others run again without it, so one bad start never loses the rest.
    while len(active):
        chosen = {k: _take(v, active, count) for k, v in values.items()}
        try:
            t, x = _run_group(system, fields, initial[:, active], duration, chosen, inputs, owner)
        except DivergenceError as err:
            t, x = err.partial  # type: ignore[attr-defined]
            k = int(active[err.index])
            finite = np.all(np.isfinite(x[:, :, err.index]), axis=0)
            last = int(np.argmin(finite)) if not finite.all() else len(finite)
            results[k] = (t[:last], x[:, :last, err.index], True)
            active = np.delete(active, err.index)
            continue
        for j, k in enumerate(active):
            results[int(k)] = (t, x[:, :, j], False)
        break
    dt = profile.get_dt()
    out = []
    for k in range(count):
        t, x, diverged = results[k]
        jumps = np.zeros(0, dtype=int)
        if field_of_jump is not None and spans is not None and x.shape[1] > 1:
            with np.errstate(all="ignore"):
                predicted = dt * field_of_jump(x[:, :-1], k)
            error = np.abs(np.diff(x, axis=1) - predicted)
            jumps = np.flatnonzero(np.any(error > 0.05 * spans[:, None], axis=0))
        out.append(
            Trajectory(
                t=t,
                values={v: x[i] for i, v in enumerate(targets)},
                jumps=jumps,
                initial={v: float(initial[i, k]) for i, v in enumerate(targets)},
                diverged=diverged,
            )
        )
    return out


def _take(value: Any, idx: np.ndarray, count: int) -> Any:
    """Per-trajectory values (arrays of length ``count``) restricted to ``idx``; scalars unchanged."""
    if np.ndim(value) == 1 and len(value) == count:
        return np.asarray(value)[idx]
    return value


def _run_group(
    system: ModelSystem,
    fields: list[str],
    initial: np.ndarray,
    duration: float,
    values: Mapping[str, Any],
    inputs: Any,
    owner: str,
) -> tuple[np.ndarray, np.ndarray]:
    """One engine run: times (from 0, the initial state first) and states (n, steps + 1, count)."""
    run_inputs, pars = hold_inputs(system, values, inputs, owner)
    group = NeuGroup(system.model, initial.shape[1], monitors=sorted(set(fields)), pars_update=pars)
    for field, x0 in zip(fields, initial, strict=True):
        group.ST[field] = x0
    for name, value in values.items():
        # Frozen variables start at their value; inputs are driven by the run's inputs only.
        field = system.field_of(name)
        if name in system.equations and field is not None:
            group.ST[field] = value

    def collect() -> tuple[np.ndarray, np.ndarray]:
        dt = profile.get_dt()
        ts = np.asarray(group.mon.ts)
        t = np.concatenate([[0.0], ts - (ts[0] if len(ts) else 0.0) + dt])
        x = np.stack([np.vstack([x0[None], np.asarray(group.mon[f])]) for f, x0 in zip(fields, initial, strict=True)])
        return t[: x.shape[1]], x

    try:
        group.run(duration, inputs=run_inputs)
    except DivergenceError as err:
        err.partial = collect()  # type: ignore[attr-defined]
        raise
    return collect()
