"""``Network``: groups and connections simulated together by one compiled kernel.

``run()`` validates the inputs, lowers the network (or reuses the last
lowering when nothing structural changed), loads or compiles the kernel, and
runs it chunk by chunk through :mod:`brainlab.core.runloop`. Parameters and
state are arguments of the kernel, so changing them between runs never
recompiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.core.base import Ensemble
from brainlab.core.delays import duration_steps
from brainlab.core.inputs import normalise_inputs
from brainlab.core.kernel_cache import KernelHandle, build_kernel
from brainlab.core.lowering import lower_network
from brainlab.core.monitors import check_budget
from brainlab.core.neurons import NeuGroup, NeuSubGroup
from brainlab.core.runloop import RunInfo, RunProgress, run_chunks
from brainlab.core.synapses import SynConn
from brainlab.errors import ModelUseError

__all__ = ["Network"]


class Network:
    """The simulation controller: a set of groups and connections run together.

    Objects run in the order they were added; within an object, in the order
    of its schedule (``input``, step functions, ``monitor`` by default).
    Objects are reachable by name: ``net.<name>``.

    Parameters
    ----------
    *args : NeuGroup or SynConn
        Objects, named by their own ``name``.
    mode : {'once', 'repeat'}
        ``'repeat'`` keeps the compiled kernel for repeated runs that must use
        the same duration length and the same input shapes (state, input
        values and parameters may change between runs).
    **kwargs : NeuGroup or SynConn
        Objects with the name to use in the network.
    """

    def __init__(self, *args: Ensemble, mode: str = "once", **kwargs: Ensemble):
        if mode not in ("once", "repeat"):
            raise ModelUseError(f"Network mode must be 'once' or 'repeat', got {mode!r}.")
        object.__setattr__(self, "_objects", [])
        object.__setattr__(self, "_names", {})
        self.mode = mode
        self.ts = np.zeros(0)
        self.t_start = 0.0
        self.t_end = 0.0
        self.dt = profile.get_dt()
        self.last_run: RunInfo | None = None
        self.compile_count = 0
        self._handle: KernelHandle | None = None
        self._repeat_signature: tuple | None = None
        self._stop_requested = False
        self.add(*args, **kwargs)

    # --- building ----------------------------------------------------------------
    def add(self, *args: Ensemble, **kwargs: Ensemble) -> None:
        """Add objects: positional ones under their own name, keyword ones under the keyword."""
        for name, obj in [(None, a) for a in args] + list(kwargs.items()):
            if isinstance(obj, NeuSubGroup):
                raise ModelUseError(
                    f"{obj.name} is a slice of a group; add the group {obj.parent.name!r} to the network instead."
                )
            if not isinstance(obj, NeuGroup | SynConn):
                raise ModelUseError(f"A Network holds NeuGroup and SynConn objects, got {type(obj).__name__}.")
            if any(obj is o for o in self._objects):
                raise ModelUseError(f"{obj.name!r} was added to the network twice.")
            for key in {name, obj.name} - {None}:
                if key in self._names and self._names[key] is not obj:
                    raise ModelUseError(f"The network already has an object named {key!r}.")
                if key in type(self).__dict__ or key.startswith("_"):
                    raise ModelUseError(f"{key!r} cannot name a network object (it is a Network attribute).")
                self._names[key] = obj
            self._objects.append(obj)
        self._handle = None

    def replace(self, old: Ensemble, new: Ensemble) -> None:
        """Put ``new`` in the place of ``old``: same position in the run order, same names.

        Used to rewire a connection (a new ``SynConn`` with other connectivity)
        without rebuilding the network. The next run lowers and compiles again,
        because the structure changed; a repeat-mode network keeps its duration
        and input structure.

        Raises
        ------
        ModelUseError
            If ``old`` is not in the network, ``new`` already is, or ``new`` is
            not a ``NeuGroup`` or ``SynConn``.
        """
        position = next((k for k, obj in enumerate(self._objects) if obj is old), None)
        if position is None:
            raise ModelUseError(f"{getattr(old, 'name', old)!r} is not in the network, so it cannot be replaced.")
        if not isinstance(new, NeuGroup | SynConn) or isinstance(new, NeuSubGroup):
            raise ModelUseError(f"A Network holds NeuGroup and SynConn objects, got {type(new).__name__}.")
        if any(new is obj for obj in self._objects):
            raise ModelUseError(f"{new.name!r} is already in the network.")
        names = [key for key, obj in self._names.items() if obj is old]
        clash = next((k for k, o in self._names.items() if k == new.name and o is not old), None)
        if clash is not None:
            raise ModelUseError(f"The network already has another object named {clash!r}.")
        for key in names:
            self._names[key] = new
        self._names.setdefault(new.name, new)
        self._objects[position] = new
        self._handle = None

    def __getattr__(self, name: str) -> Ensemble:
        names = self.__dict__.get("_names", {})
        if name in names:
            return names[name]
        raise AttributeError(f"Network has no attribute or object named {name!r}; objects: {sorted(names)}.")

    @property
    def objects(self) -> list[Ensemble]:
        """The objects, in run order."""
        return list(self._objects)

    @property
    def t_duration(self) -> float:
        """Length of the last run in ms."""
        return self.t_end - self.t_start

    # --- running -------------------------------------------------------------------
    def stop(self) -> None:
        """Ask a running ``run()`` (in another thread) to stop at the next chunk boundary."""
        self._stop_requested = True

    def run(
        self,
        duration: float | tuple[float, float],
        inputs: Any = (),
        report: bool = False,
        report_percent: float = 0.1,
        callback: Callable[[RunProgress], Any] | None = None,
        chunk_steps: int | None = None,
    ) -> RunInfo:
        """Run the simulation.

        Parameters
        ----------
        duration : float or (float, float)
            Length in ms (from 0), or ``(start, end)``.
        inputs : tuple or list of tuples
            ``(target, 'ST.field', value[, op])`` with ``op`` one of
            ``+ - * / =`` (default ``+``). ``value`` is a number, one value per
            element, or a time series with one row per step.
        report : bool
            Show a progress bar and print compile and run times.
        report_percent : float
            Fraction of the run between progress updates.
        callback : callable, optional
            Called between chunks with a :class:`RunProgress`; returning
            ``True`` (or raising ``RunStopped``) stops the run, keeping the
            results so far.
        chunk_steps : int, optional
            Fixed chunk length in steps (default: adaptive, about 50 ms of
            work per chunk when reporting, 250 ms otherwise).

        Returns
        -------
        RunInfo
            Timings, whether the kernel was compiled, and how far the run got.
        """
        start, end = _parse_duration(duration)
        dt = profile.get_dt()
        n_steps = duration_steps(start, end, dt)
        ts = start + dt * np.arange(n_steps)
        run_inputs = normalise_inputs(inputs, self._objects, n_steps)
        repeat_signature = self._check_repeat(end - start, run_inputs)
        if profile.is_jit() and any(obj.model.uses_debugger for obj in self._objects):
            culprit = next(o for o in self._objects if o.model.uses_debugger)
            raise ModelUseError(
                f"Model {culprit.model.name!r} calls pdb.set_trace() or breakpoint(), which only works "
                "when the generated code runs as Python: bp.profile.set(jit=False)."
            )
        itemsize = np.dtype(profile.get_float_type()).itemsize
        check_budget(
            [(o.name, o.mon.nbytes(n_steps, o.ST.shape, itemsize)) for o in self._objects],
            profile.get_monitor_budget(),
            n_steps,
        )

        t0 = time.perf_counter()
        # Lowered and compiled against empty monitors: if the build fails, the
        # results of the last run are still there.
        lowered = lower_network(self._objects, run_inputs, dt, profile.is_jit())
        handle, compiled = build_kernel(lowered, self._handle)
        compile_s = time.perf_counter() - t0
        self._handle = handle
        self._repeat_signature = repeat_signature  # fixed by the first run that builds
        self.compile_count += int(compiled.compiled)
        for obj in self._objects:
            obj.mon.allocate(n_steps, obj.ST.shape, profile.get_float_type(), ts)
        for (index, field), name in lowered.monitor_args.items():
            data = self._objects[index].mon.array(field)
            lowered.values[name] = data.reshape(data.shape[0], -1)  # a view the kernel fills
        self.ts, self.t_start, self.t_end, self.dt = ts, float(start), float(end), dt
        self._stop_requested = False
        info = run_chunks(
            network=self,
            handle=handle,
            lowered=lowered,
            ts=ts,
            dt=dt,
            report=report,
            report_percent=report_percent,
            callback=callback,
            chunk_steps=chunk_steps,
            compile_info=compiled,
            compile_s=compile_s,
        )
        self.last_run = info
        return info

    def _check_repeat(self, length: float, run_inputs: list) -> tuple | None:
        """Return the duration and input structure of this run; in repeat mode, check them.

        Raises
        ------
        ModelUseError
            In repeat mode, if the duration length or the input structure differs
            from the first run's.
        """
        if self.mode != "repeat":
            return None
        signature = tuple((id(i.target), i.key, i.op, np.shape(i.value)) for i in run_inputs)
        if self._repeat_signature is None:
            return length, signature
        last_length, last_inputs = self._repeat_signature
        if not np.isclose(last_length, length, rtol=0, atol=1e-9 * max(1.0, abs(length))):
            raise ModelUseError(
                f'Each run in "repeat" mode must be done with the same duration, but got '
                f"{last_length} != {length}. Keep the duration length (shift (start, end) instead), "
                "or create a new Network for a different length."
            )
        if len(last_inputs) != len(signature) or any(
            a[:3] != b[:3] for a, b in zip(last_inputs, signature, strict=False)
        ):
            raise ModelUseError(
                'The inputs of each run in "repeat" mode must keep the same structure (targets, '
                f"fields, operations); got {[s[1:3] for s in signature]} after {[s[1:3] for s in last_inputs]}."
            )
        for (_, key, _, old), (_, _, _, new) in zip(last_inputs, signature, strict=True):
            if old != new:
                raise ModelUseError(
                    f'The input shape for "{key}" should keep the same. However, we got the last input '
                    f"shape = {old}, and the current input shape = {new}. Give a value of shape {old}, or "
                    "create a new Network."
                )
        return self._repeat_signature

    def __repr__(self) -> str:
        return f"Network({', '.join(o.name for o in self._objects)}, mode={self.mode!r})"


def _parse_duration(duration: Any) -> tuple[float, float]:
    if isinstance(duration, tuple | list):
        if len(duration) != 2:
            raise ModelUseError(f"duration must be a number or (start, end), got {duration!r}.")
        start, end = (float(d) for d in duration)
    else:
        try:
            start, end = 0.0, float(duration)
        except (TypeError, ValueError):
            raise ModelUseError(f"duration must be a number of ms or (start, end), got {duration!r}.") from None
    if not (np.isfinite(start) and np.isfinite(end)) or end <= start:
        raise ModelUseError(f"duration must end after it starts and be finite, got {duration!r}.")
    return start, end
