"""BrainPy 0.3's ``process_pool`` and ``process_pool_lock``: many models on local processes.

Both keep the seed's signatures and rules (each parameter set is a tuple of
positional arguments or a dict of keyword arguments) and run on the same task
machinery as :func:`brainlab.running.sweep`, so a failing set is named and the
other results are kept in the raised :class:`~brainlab.errors.SweepError`.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from brainlab.errors import ModelUseError
from brainlab.running.sweep import run_sweep
from brainlab.running.tasks import make_calls

__all__ = ["process_pool", "process_pool_lock"]


def process_pool(func: Callable[..., Any], all_net_params: Sequence[tuple | dict], nb_process: int) -> list[Any]:
    """Run ``func`` once per parameter set on ``nb_process`` worker processes.

    Parameters
    ----------
    func : callable
        The function that builds and runs one model and returns its result.
    all_net_params : list or tuple
        One parameter set per run: a tuple (``func(*p)``) or a dict (``func(**p)``).
    nb_process : int
        The number of worker processes.

    Returns
    -------
    list
        The results, in the order of ``all_net_params``.

    Raises
    ------
    SweepError
        One or more runs failed; the message names them and ``.results`` keeps
        the results of the others.

    See Also
    --------
    brainlab.running.sweep : the same with a progress bar and any executor (Dask included).
    """
    return _run_on_local_pool(func, all_net_params, nb_process, "process_pool")


def process_pool_lock(func: Callable[..., Any], all_net_params: Sequence[tuple | dict], nb_process: int) -> list[Any]:
    """Run ``func`` once per parameter set on ``nb_process`` processes that share one lock.

    ``func`` receives the lock as its last positional argument (tuple
    parameter sets) or as the keyword argument ``lock`` (dict parameter sets).
    Holding it (``with lock: ...`` or ``lock.acquire()`` / ``lock.release()``)
    keeps the other processes out of a critical section, for example while
    appending results to one file.

    Parameters
    ----------
    func : callable
        The function to run; it takes one more argument, the lock.
    all_net_params : list or tuple
        One parameter set per run: a tuple or a dict, as in :func:`process_pool`.
    nb_process : int
        The number of worker processes.

    Returns
    -------
    list
        The results, in the order of ``all_net_params``.
    """
    # Checked before the manager process starts: a bad set fails fast and is named.
    sets, _ = make_calls(all_net_params, where="process_pool_lock", strict=True)
    # A manager's lock is a proxy that pickles, so it reaches workers of any start method.
    with multiprocessing.Manager() as manager:
        lock = manager.Lock()
        with_lock = [_add_lock(one, lock, index) for index, one in enumerate(sets)]
        return _run_on_local_pool(func, with_lock, nb_process, "process_pool_lock")


def _run_on_local_pool(func: Callable[..., Any], sets: Sequence[tuple | dict], nb_process: int, where: str) -> list:
    # The seed's rules on top of sweep: only tuples and dicts, no progress bar, raise on failure.
    return run_sweep(func, sets, None, max_workers=nb_process, progress=False, errors="raise", strict=True, where=where)


def _add_lock(params: tuple | list | dict, lock: Any, index: int) -> tuple | dict:
    if isinstance(params, Mapping):
        if "lock" in params:
            raise ModelUseError(
                f"process_pool_lock: parameter set #{index} already has a 'lock' entry; the lock is passed "
                "as the keyword argument 'lock', so rename that parameter."
            )
        return {**params, "lock": lock}  # a copy: the caller's dicts stay as they were
    return (*params, lock)
