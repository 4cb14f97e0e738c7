"""Parameter sweeps: one function, many parameter sets, any executor.

:func:`sweep` submits one task per parameter set to an executor (a local
process pool by default, a Dask cluster for more machines), shows progress as
tasks finish, and returns the results in input order. A failing parameter set
is reported by its index and value without losing the results of the others.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, as_completed
from typing import Any, Literal

from brainlab.errors import ModelUseError, SweepError, warn_user
from brainlab.running.executors import open_executor, portable_function
from brainlab.running.tasks import (
    Origin,
    SweepFailure,
    TaskOutcome,
    describe_params,
    function_name,
    make_calls,
    run_task,
)

__all__ = ["grid", "sweep"]

# How many failures a message lists before it says "and N more".
_LISTED_FAILURES = 10


def sweep(
    func: Callable[..., Any],
    params: Iterable[Any],
    executor: Any = None,
    *,
    max_workers: int | None = None,
    progress: bool = True,
    errors: Literal["raise", "keep"] = "raise",
) -> list[Any]:
    """Run ``func`` once per parameter set, in parallel, and return the results in input order.

    Parameters
    ----------
    func : callable
        Builds and runs a model for one parameter set and returns what should be
        kept (spike counts, rates, monitored arrays...). It runs in another
        process, so it should create its own network; the return value must be
        picklable.
    params : iterable
        One entry per run. A dict is passed as keyword arguments
        (``func(**p)``), a tuple or list as positional arguments
        (``func(*p)``), anything else as the only argument (``func(p)``).
        :func:`grid` builds the dicts of a Cartesian product.
    executor : None, concurrent.futures.Executor, distributed.Client or str, optional
        Where the runs happen. ``None`` (default): a process pool created for
        this call and shut down after it. Any ``concurrent.futures.Executor``
        (process or thread pool, ``client.get_executor()`` of Dask, ...) is
        used as it is and left open. A ``distributed.Client`` is used through
        its executor; a string is the address of a Dask scheduler to connect to
        for this call (needs ``pip install 'brainlab[distributed]'``). Note that
        ``client.get_executor()`` treats calls as pure: Dask may hand back a
        result it still holds for an identical parameter set. Pass the client
        itself (or ``get_executor(pure=False)``) when runs are random.
    max_workers : int, optional
        Size of the default process pool (default: the number of CPUs, at most
        one per parameter set). Only valid without ``executor``.
    progress : bool, optional
        Show a progress bar (``tqdm.auto``: a widget in Jupyter, text elsewhere)
        that advances as runs finish.
    errors : {"raise", "keep"}, optional
        What a failing parameter set does once every run has finished.
        ``"raise"`` (default) raises :class:`~brainlab.errors.SweepError`,
        which names each failed set and carries all results in ``.results``.
        ``"keep"`` returns the list with a :class:`SweepFailure` in place of
        each failed result and warns which sets failed.

    Returns
    -------
    list
        ``func``'s return value for each parameter set, in the order of ``params``.

    Raises
    ------
    SweepError
        Some parameter sets failed and ``errors="raise"``.
    ModelUseError
        ``params``, ``executor`` or ``max_workers`` cannot be used.

    Examples
    --------
    >>> def mean_rate(g_max, I):  # doctest: +SKIP
    ...     net = build_network(g_max=g_max, I=I)
    ...     net.run(500.0)
    ...     return net.group.mon.spike.mean() / bp.profile.get_dt() * 1000.0
    >>> rates = bp.running.sweep(mean_rate, bp.running.grid(g_max=[0.05, 0.1], I=[1.0, 1.2]))  # doctest: +SKIP

    On a Dask cluster (here a local one; ``dask_jobqueue.SLURMCluster``,
    ``dask_kubernetes.KubeCluster`` or a Gateway cluster work the same way):

    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> with LocalCluster(n_workers=4) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     rates = bp.running.sweep(mean_rate, sets, executor=client)
    """
    return run_sweep(func, params, executor, max_workers=max_workers, progress=progress, errors=errors, strict=False)


def grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """Return every combination of the given parameter values, as keyword-argument dicts.

    The last axis varies fastest, as in ``itertools.product``.

    Examples
    --------
    >>> grid(g=[0.1, 0.2], I=[1, 2])
    [{'g': 0.1, 'I': 1}, {'g': 0.1, 'I': 2}, {'g': 0.2, 'I': 1}, {'g': 0.2, 'I': 2}]
    """
    if not axes:
        raise ModelUseError("grid: give at least one parameter, e.g. grid(g_max=[0.1, 0.2]).")
    values = {}
    for name, axis in axes.items():
        if isinstance(axis, (str, bytes)) or not isinstance(axis, Iterable):
            raise ModelUseError(
                f"grid: the values of {name!r} must be a list or array of values, got {type(axis).__name__} "
                f"({describe_params(axis)}); write {name}=[{describe_params(axis)}] for a single value."
            )
        values[name] = list(axis)
        if not values[name]:
            raise ModelUseError(f"grid: {name!r} has no values, so the grid would be empty.")
    names = list(values)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]


def run_sweep(
    func: Callable[..., Any],
    params: Iterable[Any],
    executor: Any,
    *,
    max_workers: int | None,
    progress: bool,
    errors: str,
    strict: bool,
    where: str = "sweep",
) -> list[Any]:
    """Carry out :func:`sweep`; ``strict`` and ``where`` serve BrainPy's ``process_pool``."""
    if not callable(func):
        raise ModelUseError(f"{where}: the first argument must be the function to run, got {type(func).__name__}.")
    if errors not in ("raise", "keep"):
        raise ModelUseError(f"{where}: errors must be 'raise' or 'keep', got {errors!r}.")
    sets, calls = make_calls(params, where=where, strict=strict)
    if not calls:
        return []
    results: list[Any] = [None] * len(calls)
    failures: list[SweepFailure] = []
    origin = Origin.here()
    with open_executor(executor, n_tasks=len(calls), max_workers=max_workers, where=where) as pool:
        task_func = portable_function(func, pool, where)
        futures = {pool.submit(run_task, index, task_func, call, origin): index for index, call in enumerate(calls)}
        try:
            _collect(futures, sets, results, failures, progress=progress, total=len(calls))
        except BaseException:
            # Ctrl-C or a broken executor: do not leave the other runs queued behind us.
            for future in futures:
                future.cancel()
            raise
    failures.sort(key=lambda failure: failure.index)
    if failures:
        _report(func, failures, results, errors=errors, where=where)
    return results


def _collect(
    futures: dict[Future, int],
    sets: list[Any],
    results: list[Any],
    failures: list[SweepFailure],
    *,
    progress: bool,
    total: int,
) -> None:
    """Fill ``results`` (by input index) as tasks finish, in whatever order they finish."""
    bar = _progress_bar(total) if progress else None
    try:
        for future in as_completed(futures):
            index = futures[future]
            outcome = _outcome(future, index)
            if outcome.ok:
                results[index] = outcome.value
            else:
                failure = SweepFailure(index, sets[index], outcome.error, outcome.traceback)
                results[index] = failure
                failures.append(failure)
            if bar is not None:
                bar.update(1)
                if failures:
                    bar.set_postfix(failed=len(failures), refresh=False)
    finally:
        if bar is not None:
            bar.close()


def _progress_bar(total: int):
    from tqdm.auto import tqdm  # imported when shown: in Jupyter it pulls in ipywidgets

    return tqdm(total=total, unit="run", desc="brainlab sweep", leave=True)


def _outcome(future: Future, index: int) -> TaskOutcome:
    """Return the worker's outcome, or a failed one when the task never reported (pickling, dead worker)."""
    try:
        return future.result()
    except Exception as exc:
        text = "".join(traceback.format_exception(exc))
        return TaskOutcome(index, ok=False, error=exc, traceback=text)


def _report(func: Callable[..., Any], failures: list[SweepFailure], results: list[Any], *, errors: str, where: str):
    name = function_name(func)
    lines = [
        f"  #{failure.index} {describe_params(failure.params)}: {type(failure.error).__name__}: {failure.error}"
        for failure in failures[:_LISTED_FAILURES]
    ]
    if len(failures) > _LISTED_FAILURES:
        lines.append(f"  ... and {len(failures) - _LISTED_FAILURES} more")
    head = (
        f"{where} of {name}: {len(failures)} of {len(results)} parameter sets failed "
        f"({len(results) - len(failures)} results kept):\n" + "\n".join(lines)
    )
    if errors == "keep":
        warn_user(head + "\nTheir entries in the returned list are SweepFailure objects (with tracebacks).")
        return
    raise SweepError(
        head + "\nThe exception's .results holds every result in input order (a SweepFailure for each failed set) "
        "and .failures the failures with their tracebacks; pass errors='keep' to get the list returned instead.",
        results=results,
        failures=failures,
    ) from failures[0].error
