"""Run a kernel chunk by chunk: progress, callbacks, stop requests, divergence.

The kernel runs whole chunks of steps without returning to Python; between
chunks this loop updates the progress bar, calls the user's callback (which
may stop the run) and honours :meth:`Network.stop`. Chunk lengths adapt so
that a chunk takes about 50 ms when someone is watching (report or callback)
and about 250 ms otherwise.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from brainlab.codegen.compiler import translate_exception
from brainlab.core.kernel_cache import CompileInfo, KernelHandle
from brainlab.core.lowering import Lowered
from brainlab.errors import DivergenceError, RunStopped

__all__ = ["RunInfo", "RunProgress", "run_chunks"]

_WATCHED_CHUNK_S = 0.05
_QUIET_CHUNK_S = 0.25
_FIRST_CHUNK = 64


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """Summary of one run (``net.last_run``).

    Attributes
    ----------
    compile_s : float
        Seconds spent lowering, loading and compiling before the first step.
    run_s : float
        Seconds spent running steps.
    compiled : bool
        Whether machine code had to be produced (compiled, or loaded from the disk cache).
    cache_hit : bool
        Whether that machine code came from the disk cache.
    steps_done, n_steps : int
        Steps run and steps asked for.
    stopped : bool
        The run was stopped early (callback or ``Network.stop``).
    chunks : int
        Number of kernel calls.
    """

    compile_s: float
    run_s: float
    compiled: bool
    cache_hit: bool
    steps_done: int
    n_steps: int
    stopped: bool
    chunks: int


@dataclasses.dataclass
class RunProgress:
    """What a run callback receives between chunks.

    Attributes
    ----------
    network : Network
        The running network.
    steps_done, n_steps : int
        Progress in steps.
    t : float
        Simulation time reached (ms).
    elapsed : float
        Wall-clock seconds since the first step.
    """

    network: Any
    steps_done: int
    n_steps: int
    t: float
    elapsed: float

    @property
    def fraction(self) -> float:
        """Fraction of the run done."""
        return self.steps_done / self.n_steps if self.n_steps else 1.0

    def monitor(self, obj: Any, field: str) -> np.ndarray:
        """Return the rows of ``obj.mon.<field>`` recorded so far (a view, no copy)."""
        return obj.mon.array(field)[: self.steps_done]


def _progress_bar(n_steps: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=n_steps, unit="step", desc="brainlab run", leave=True)


def run_chunks(
    *,
    network: Any,
    handle: KernelHandle,
    lowered: Lowered,
    ts: np.ndarray,
    dt: float,
    report: bool,
    report_percent: float,
    callback: Callable[[RunProgress], Any] | None,
    chunk_steps: int | None,
    compile_info: CompileInfo,
    compile_s: float,
) -> RunInfo:
    """Run all steps of ``ts`` in chunks; see the module docstring."""
    n_steps = ts.size
    args = [lowered.values[name] for name in lowered.spec.args]
    status = np.zeros(5, dtype=np.int64)
    watched = report or callback is not None
    target = _WATCHED_CHUNK_S if watched else _QUIET_CHUNK_S
    chunk = chunk_steps or min(n_steps, _FIRST_CHUNK)
    if report:
        print(f"Compilation used {compile_s:.4f} s." + (" (loaded from cache)" if compile_info.cache_hit else ""))
        report_every = max(1, int(n_steps * max(report_percent, 1e-6)))
        bar = _progress_bar(n_steps)
    kernel = handle.kernel
    done, chunks, stopped = 0, 0, False
    start = time.perf_counter()
    try:
        while done < n_steps:
            stop_at = min(n_steps, done + chunk)
            if report:
                stop_at = min(stop_at, (done // report_every + 1) * report_every)
            t0 = time.perf_counter()
            try:
                kernel(done, stop_at, ts, dt, status, *args)
            except Exception as exc:
                error = translate_exception(exc, handle.module)
                _keep(lowered, done)
                if error is not None:
                    raise error from exc
                raise
            elapsed = time.perf_counter() - t0
            chunks += 1
            if status[0]:
                _keep(lowered, int(status[4]) + 1)
                raise _divergence(lowered, status, ts)
            steps_run, done = stop_at - done, stop_at
            if report:
                bar.update(done - bar.n)
            if chunk_steps is None:
                # Aim for `target` seconds per chunk; grow at most 4x at a time.
                rate = steps_run / max(elapsed, 1e-6)
                chunk = int(max(1, min(chunk * 4, target * rate)))
            if done < n_steps:
                if network._stop_requested:
                    stopped = True
                elif callback is not None:
                    try:
                        stopped = bool(
                            callback(
                                RunProgress(
                                    network, done, n_steps, float(ts[done - 1] + dt), time.perf_counter() - start
                                )
                            )
                        )
                    except RunStopped:
                        stopped = True
                if stopped:
                    _keep(lowered, done)
                    break
    finally:
        if report:
            bar.close()
    run_s = time.perf_counter() - start
    if callback is not None and not stopped:
        # A last call with the complete results (a stop request there changes nothing).
        try:
            callback(RunProgress(network, done, n_steps, float(ts[-1] + dt), run_s))
        except RunStopped:
            pass
    if report:
        print(f"Simulation is done in {run_s:.3f} s.")
    return RunInfo(
        compile_s=compile_s,
        run_s=run_s,
        compiled=compile_info.compiled,
        cache_hit=compile_info.cache_hit,
        steps_done=done,
        n_steps=n_steps,
        stopped=stopped,
        chunks=chunks,
    )


def _keep(lowered: Lowered, steps: int) -> None:
    """Keep the first ``steps`` rows of every monitor (after a stop or a failure)."""
    for obj in lowered.objects:
        obj.mon.truncate(steps)


def _divergence(lowered: Lowered, status: np.ndarray, ts: np.ndarray) -> DivergenceError:
    obj = lowered.objects[int(status[1])]
    field = obj.ST.keys()[int(status[2])]
    index = int(status[3])
    step = int(status[4])
    value = obj.ST.data.reshape(len(obj.ST.index), -1)[status[2], index]
    position = f"element {index}"
    if len(obj.ST.shape) == 2:
        position += f" (row {index // obj.ST.shape[1]}, column {index % obj.ST.shape[1]})"
    elif len(getattr(obj, "geometry", ())) == 2:
        position += f" (row {index // obj.geometry[1]}, column {index % obj.geometry[1]})"
    first = step
    if field in obj.mon.fields:  # the monitor tells exactly when it first went wrong
        history = obj.mon.array(field).reshape(obj.mon.array(field).shape[0], -1)[:, index]
        bad = np.flatnonzero(~np.isfinite(history))
        first = int(bad[0]) if bad.size else step
    t = float(ts[first])
    return DivergenceError(
        f"{type(obj).__name__} {obj.name!r}: ST[{field!r}] of {position} became {value} at t = {t:.6g} ms "
        f"(step {first}; state is checked every few steps). The run stopped; monitors keep the steps "
        "before it. Usual causes: a time step too large for the model (reduce dt), an unstable "
        "parameter value, or a division by zero in a step function.",
        object_name=obj.name,
        field=field,
        index=index,
        time=t,
    )
