"""Exceptions and warnings raised by brainlab.

Every error names the object (type, group or connection), the field, function or
line at fault, and says how to fix it. The classes keep the names of the BrainPy 0.3
API (``ModelDefError``, ``ModelUseError``, ...) so that code written against it
catches the same exceptions.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = [
    "AnalysisError",
    "BrainlabError",
    "BrainlabWarning",
    "CodeError",
    "DelayRoundingWarning",
    "DiffEquationError",
    "DivergenceError",
    "EquationError",
    "IntegratorError",
    "ModelDefError",
    "ModelUseError",
    "RunStopped",
    "SweepError",
    "TypeMismatchError",
    "warn_user",
]


class BrainlabError(Exception):
    """Base class of every brainlab exception."""


class ModelDefError(BrainlabError):
    """A model type (``NeuType``/``SynType``) is defined incorrectly.

    Raised while the type is created, before anything runs: an unknown ``ST``
    field in a step function, a step argument nobody can provide, a wrong mode.
    """


class ModelUseError(BrainlabError):
    """A correct model is used incorrectly.

    Raised for groups, connections, networks and runs: bad geometry, missing
    ``requires`` data, an input to an unknown field, a changed duration in
    repeat mode, a monitor budget that would be exceeded.
    """


class TypeMismatchError(BrainlabError):
    """Data handed to a model does not have the type its ``requires`` declares."""


class IntegratorError(BrainlabError):
    """A numerical method is unknown or cannot integrate the given equation."""


class DiffEquationError(BrainlabError):
    """A derivative function decorated with ``@integrate`` has an invalid form."""


class CodeError(BrainlabError):
    """Generated code failed to compile or to run.

    The message quotes the user's line that caused it (file and line number) and
    the generated line, never a raw Numba traceback.
    """


class EquationError(BrainlabError):
    """Text of the equation language (``brainlab.equations``) is rejected.

    The message names the line and column and says why, with a hint where one
    helps (``V^2``: ``**`` is the power). The text is never executed.

    Attributes
    ----------
    line, column : int or None
        Position of the fault (1-based), when it has one.
    reason : str
        Why the text was rejected.
    """

    def __init__(self, reason: str, line: int | None = None, column: int | None = None, hint: str | None = None):
        where = f"line {line}" + (f", column {column}" if column is not None else "") if line is not None else ""
        message = f"{where}: {reason}" if where else reason
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.line = line
        self.column = column
        self.reason = reason
        self.hint = hint

    def __reduce__(self):
        return (type(self), (self.reason, self.line, self.column, self.hint))


class AnalysisError(BrainlabError):
    """A dynamics analysis (phase plane, bifurcation) cannot be set up or computed.

    Raised for unknown or unfixed variables and parameters, ranges that are not
    ``[low, high]``, derivative functions without a symbolic form, and
    continuations that cannot start. The analyser and its previous results stay usable.
    """


class DivergenceError(BrainlabError):
    """The state of a group became non-finite (NaN or infinite) during a run.

    Attributes
    ----------
    object_name : str
        Name of the group or connection whose state diverged.
    field : str
        The ``ST`` field that holds the non-finite value.
    index : int
        Flat element index within the object.
    time : float
        Simulation time (ms) at which the value was detected.
    """

    def __init__(self, message: str, *, object_name: str, field: str, index: int, time: float):
        super().__init__(message)
        self.object_name = object_name
        self.field = field
        self.index = index
        self.time = time

    def __reduce__(self):
        # Keyword-only fields: rebuild explicitly so the error survives pickling (sweep workers).
        return _rebuild_divergence, (self.args[0], self.object_name, self.field, self.index, self.time)


def _rebuild_divergence(message: str, object_name: str, field: str, index: int, time: float) -> DivergenceError:
    return DivergenceError(message, object_name=object_name, field=field, index=index, time=time)


class RunStopped(BrainlabError):
    """Raised inside a run callback to stop the run at the next chunk boundary.

    A callback may equally return ``True``; raising is convenient from nested code.
    """


class SweepError(BrainlabError):
    """Some parameter sets of a sweep (``running.sweep``, ``process_pool``) failed.

    Raised after every run has finished; the message names each failed set by
    its index and value. Nothing computed is lost.

    Attributes
    ----------
    results : list
        One entry per parameter set, in input order: the function's return
        value, or a ``SweepFailure`` for a set that failed.
    failures : list of SweepFailure
        The failed sets, with their exceptions and tracebacks, by index.
    """

    def __init__(self, message: str, *, results: list, failures: list):
        super().__init__(message)
        self.results = results
        self.failures = failures

    def __reduce__(self):
        return _rebuild_sweep_error, (self.args[0], self.results, self.failures)


def _rebuild_sweep_error(message: str, results: list, failures: list) -> SweepError:
    return SweepError(message, results=results, failures=failures)


class BrainlabWarning(UserWarning):
    """Base class of brainlab warnings."""


class DelayRoundingWarning(BrainlabWarning):
    """A synaptic delay was rounded to the nearest whole number of time steps."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def warn_user(message: str, category: type[Warning] = BrainlabWarning) -> None:
    """Warn, attributing the warning to the first caller outside brainlab.

    Warnings then point at the user's line (``net.run(...)``) however deep in
    the engine they are raised.
    """
    frame = sys._getframe(1)
    level = 2  # stacklevel 1 is this function; 2 is the frame above it
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
