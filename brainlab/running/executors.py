"""Where sweep tasks run: the default process pool, any executor, or a Dask cluster.

:func:`open_executor` turns what the user passed as ``executor=`` into a
``concurrent.futures.Executor`` for the length of a sweep, shutting down only
what it opened itself. Dask is imported only when asked for, so
``brainlab.running`` works without the ``distributed`` extra.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from brainlab.errors import ModelUseError
from brainlab.running.tasks import function_name

__all__ = ["open_executor", "portable_function"]

_DASK_HINT = "install the extra with: pip install 'brainlab[distributed]'"


@contextlib.contextmanager
def open_executor(executor: Any, *, n_tasks: int, max_workers: int | None, where: str) -> Iterator[Executor]:
    """Yield an executor for ``n_tasks`` tasks, closing whatever this call opened.

    Parameters
    ----------
    executor : None, Executor, dask Client or str
        ``None``: a process pool made for this call with ``max_workers``
        processes (default: one per CPU, at most one per task). An
        ``Executor`` is used as it is and left open. A ``distributed.Client``
        is used through ``client.get_executor(pure=False)``. A string is the address of a
        Dask scheduler (``"tcp://host:8786"``): a client is connected for this
        call and closed after it.
    """
    if max_workers is not None and executor is not None:
        raise ModelUseError(
            f"{where}: max_workers sizes only the default process pool; size the executor you pass "
            "instead (e.g. ProcessPoolExecutor(max_workers=4) or the number of Dask workers)."
        )
    if executor is None:
        workers = _pool_size(max_workers, n_tasks, where)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context())
        try:
            yield pool
        finally:
            # On an exception (Ctrl-C included) queued runs are dropped instead of awaited.
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if isinstance(executor, str):
        client_class = _dask_client_class(where, executor)
        with client_class(executor) as client:
            yield client.get_executor(pure=False)
        return
    if isinstance(executor, Executor):
        yield executor
        return
    if callable(getattr(executor, "get_executor", None)):
        # A dask.distributed Client. pure=False: Dask would otherwise return a result it still
        # holds for an identical call, and a second sweep of a noisy model must run again.
        yield executor.get_executor(pure=False)
        return
    raise ModelUseError(
        f"{where}: executor must be None (a local process pool), a concurrent.futures.Executor, "
        f"a dask.distributed Client or a Dask scheduler address; got {type(executor).__name__}."
    )


def portable_function(func: Callable[..., Any], executor: Executor, where: str) -> Callable[..., Any]:
    """Make ``func`` travel to the worker processes of a process pool.

    Functions defined in a module travel by reference, as pickle does. A
    lambda, a nested function, or a function defined in a notebook (``__main__``)
    when workers do not fork from this process cannot be found by name in a
    worker: those are sent by value with cloudpickle (installed with Dask).
    Threads need no transport and Dask pickles with cloudpickle itself, so other
    executors get ``func`` unchanged.
    """
    if not isinstance(executor, ProcessPoolExecutor):
        return func
    # The pool's start method; the attribute is private, the platform default is the fallback.
    context = getattr(executor, "_mp_context", None) or multiprocessing.get_context()
    by_reference_works = _pickles(func) and (
        getattr(func, "__module__", None) != "__main__" or context.get_start_method() == "fork"
    )
    if by_reference_works:
        return func
    try:
        import cloudpickle
    except ImportError:
        raise ModelUseError(
            f"{where}: the function {function_name(func)} cannot be sent to worker processes by name (it is a "
            "lambda, a nested function or defined in a notebook). Define it with def in a module, or "
            f"{_DASK_HINT} (its cloudpickle sends functions by value)."
        ) from None
    return _ByValue(cloudpickle.dumps(func), function_name(func))


class _ByValue:
    """A function pickled by value; unpickled once per worker process, then cached."""

    def __init__(self, payload: bytes, name: str):
        self._payload = payload
        self._name = name
        self._func: Callable[..., Any] | None = None

    def __getstate__(self) -> dict:
        return {"_payload": self._payload, "_name": self._name, "_func": None}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is None:
            import cloudpickle

            self._func = cloudpickle.loads(self._payload)
        return self._func(*args, **kwargs)

    def __repr__(self) -> str:
        return self._name


def _pool_size(max_workers: int | None, n_tasks: int, where: str) -> int:
    if max_workers is None:
        return max(1, min(n_tasks, os.cpu_count() or 1))
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise ModelUseError(f"{where}: the number of worker processes must be a positive integer, got {max_workers!r}.")
    return max_workers


def _dask_client_class(where: str, address: str) -> type:
    try:
        from distributed import Client
    except ImportError:
        raise ModelUseError(
            f"{where}: executor={address!r} is a Dask scheduler address, but Dask is not installed; {_DASK_HINT}."
        ) from None
    return Client


def _pickles(func: Callable[..., Any]) -> bool:
    try:
        pickle.dumps(func)
    except Exception:
        return False
    return True
