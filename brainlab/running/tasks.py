"""One model run as a task: how a parameter set becomes a call, and what comes back.

The worker side of :mod:`brainlab.running`. :func:`run_task` is what every
executor (a process pool, threads, Dask workers) actually calls: it runs the
user's function on one parameter set and returns a :class:`TaskOutcome`
instead of raising, so that one failing parameter set never hides the results
of the others and its traceback survives the trip back from another process or
machine.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from brainlab import profile
from brainlab.errors import ModelUseError
from brainlab.profile import Settings

__all__ = [
    "Call",
    "Origin",
    "SweepFailure",
    "TaskOutcome",
    "describe_params",
    "function_name",
    "make_calls",
    "run_task",
]

# Long parameter sets (arrays) are cut in messages; the full set stays in SweepFailure.params.
_MAX_REPR = 100


@dataclasses.dataclass(frozen=True)
class Call:
    """The positional and keyword arguments one parameter set stands for."""

    args: tuple
    kwargs: dict


@dataclasses.dataclass(frozen=True)
class SweepFailure:
    """The record of a parameter set whose run raised an exception.

    Attributes
    ----------
    index : int
        Position of the parameter set in the sweep's input.
    params : object
        The parameter set itself, as it was given.
    error : BaseException
        The exception the function raised (or a ``RuntimeError`` carrying its
        type and message when the original cannot travel between processes).
    traceback : str
        The formatted traceback from the process that ran the function.
    """

    index: int
    params: Any
    error: BaseException
    traceback: str

    def __repr__(self) -> str:
        return f"SweepFailure(#{self.index} {describe_params(self.params)}: {type(self.error).__name__}: {self.error})"


@dataclasses.dataclass(frozen=True)
class TaskOutcome:
    """What a worker sends back: the return value, or the exception and its traceback."""

    index: int
    ok: bool
    value: Any = None
    error: BaseException | None = None
    traceback: str = ""


@dataclasses.dataclass(frozen=True)
class Origin:
    """What a task carries from the process that started the sweep."""

    pid: int
    settings: Settings

    @classmethod
    def here(cls) -> Origin:
        """Return the origin of tasks submitted from this process now."""
        return cls(os.getpid(), profile.export_settings())


def run_task(index: int, func: Callable[..., Any], call: Call, origin: Origin) -> TaskOutcome:
    """Run ``func`` on one parameter set, in whatever process the executor chose.

    In another process the sweep's ``profile`` settings are loaded first (a
    spawned or remote worker would otherwise build models with the default
    ``dt``) and left in place: restoring them after the task would pull them
    from under a task of the same sweep running in another thread of that
    worker. Threads of the sweep's own process already share its settings and
    leave them alone.

    Exceptions are caught here, in the worker, so that the traceback is
    formatted where the frames still exist. ``KeyboardInterrupt`` and
    ``SystemExit`` are not caught: they must stop the worker.
    """
    try:
        if os.getpid() != origin.pid:
            profile.load_settings(origin.settings)
        value = func(*call.args, **call.kwargs)
    except Exception as exc:
        # Start the traceback at the user's function: this frame is plumbing.
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next))
        return TaskOutcome(index, ok=False, error=portable_exception(exc), traceback=text)
    return TaskOutcome(index, ok=True, value=value)


def portable_exception(exc: BaseException) -> BaseException:
    """Return ``exc`` if it survives pickling, else a ``RuntimeError`` that names it.

    Exceptions whose constructor needs more than their ``args`` cannot be
    rebuilt in the parent process; the stand-in keeps the type and message.
    """
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}")
    return exc


def make_calls(params: Iterable[Any], *, where: str, strict: bool) -> tuple[list[Any], list[Call]]:
    """Turn parameter sets into calls.

    A mapping becomes keyword arguments, a tuple or list positional arguments.
    Anything else is one positional argument, unless ``strict`` (BrainPy's
    ``process_pool`` accepts only tuples and dictionaries).

    Returns
    -------
    sets : list
        The parameter sets, materialised (a generator is consumed once).
    calls : list of Call
        One call per set, in the same order.
    """
    if isinstance(params, (str, bytes, Mapping)):
        raise ModelUseError(
            f"{where}: the parameter sets must be a sequence of sets (one per run), got a "
            f"{type(params).__name__}. Wrap a single set in a list, or build a grid with "
            "brainlab.running.grid(name=[values, ...], ...)."
        )
    try:
        sets = list(params)
    except TypeError:
        raise ModelUseError(
            f"{where}: the parameter sets must be an iterable (a list of dicts, tuples or values), "
            f"got {type(params).__name__}."
        ) from None
    calls = []
    for index, one in enumerate(sets):
        if isinstance(one, Mapping):
            bad = [key for key in one if not isinstance(key, str)]
            if bad:
                raise ModelUseError(
                    f"{where}: parameter set #{index} has a non-string key {bad[0]!r}; "
                    "dictionary keys become keyword arguments and must be argument names."
                )
            calls.append(Call((), dict(one)))
        elif isinstance(one, (tuple, list)):
            calls.append(Call(tuple(one), {}))
        elif strict:
            raise ModelUseError(
                f"{where}: parameter set #{index} is a {type(one).__name__} ({describe_params(one)}); "
                "each set must be a tuple (positional arguments) or a dict (keyword arguments)."
            )
        else:
            calls.append(Call((one,), {}))
    return sets, calls


def describe_params(params: Any) -> str:
    """Describe a parameter set on one line, length-capped, for messages."""
    try:
        text = repr(params)
    except Exception:
        text = f"<{type(params).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def function_name(func: Callable[..., Any]) -> str:
    """Name a function for messages (its qualified name, or its repr when it has none)."""
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
