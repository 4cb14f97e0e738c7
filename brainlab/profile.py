"""Global settings of brainlab (the ``bp.profile`` API of BrainPy 0.3).

This module owns the only process-wide mutable state of the engine: one
:class:`Settings` object. Everything else receives the values it needs when a
model is built. The functions below keep BrainPy 0.3's names.

Differences from BrainPy 0.3, on purpose:

* ``jit`` defaults to ``True``: brainlab exists to run compiled kernels.
* ``merge_integrators``, ``merge_steps`` and ``substitute`` are accepted and
  reported but change nothing: brainlab always emits one kernel per network and
  lets LLVM inline the calls.
* New settings: ``delay_tolerance`` (how far a delay may be rounded to a whole
  number of steps), ``monitor_budget`` (bytes that monitors may allocate) and
  ``cache_dir`` (where generated kernels are stored).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from brainlab.errors import ModelUseError

__all__ = [
    "DEFAULT_FASTMATH",
    "Settings",
    "export_settings",
    "get_backend",
    "get_cache_dir",
    "get_delay_tolerance",
    "get_device",
    "get_dt",
    "get_float_type",
    "get_int_type",
    "get_monitor_budget",
    "get_num_thread_gpu",
    "get_numba_profile",
    "get_numerical_method",
    "get_settings",
    "is_fast_loops",
    "is_jit",
    "is_merge_integrators",
    "is_merge_steps",
    "is_substitute_equation",
    "is_vector_math",
    "load_settings",
    "reset",
    "run_on_cpu",
    "run_on_gpu",
    "set",
    "set_backend",
    "set_device",
    "set_dt",
    "set_numba_profile",
    "set_numerical_method",
    "show_code_scope",
    "show_format_code",
    "temporary",
]

# fastmath: only 'arcp' (x / p may become x * (1 / p), the reciprocal hoisted out
# of the loop) and 'contract' (a * b + c may become one fused multiply-add).
# Both change results by at most an ulp or so per operation and let LLVM
# vectorise scalar-mode loops; flags that assume no NaN/inf ('nnan', 'ninf') or
# reorder sums ('reassoc') are not used, so divergence checks keep working.
DEFAULT_FASTMATH = frozenset({"arcp", "contract"})
_DEFAULT_NUMBA = {"nopython": True, "fastmath": DEFAULT_FASTMATH, "nogil": True, "parallel": False, "cache": True}


@dataclasses.dataclass
class Settings:
    """The values behind ``bp.profile``; one instance per process."""

    jit: bool = True
    device: str = "cpu"
    numerical_method: str = "euler"
    dt: float = 0.1
    float_type: type = np.float64
    int_type: type = np.int64
    merge_integrators: bool = True
    merge_steps: bool = False
    substitute: bool = False
    show_code: bool = False
    show_code_scope: bool = False
    numba: dict = dataclasses.field(default_factory=lambda: dict(_DEFAULT_NUMBA))
    delay_tolerance: float = 0.05
    monitor_budget: int = 2 * 1024**3
    fast_loops: bool = True
    vector_math: bool = True
    cache_dir: str | None = None
    # Counters for automatic object names ("NeuGroup0", ...); kept here because
    # this object is the one place allowed to hold process-wide state.
    name_counters: dict = dataclasses.field(default_factory=dict)

    def next_name(self, prefix: str) -> str:
        """Return ``prefix`` followed by the next free number for it."""
        counter = self.name_counters.setdefault(prefix, itertools.count())
        return f"{prefix}{next(counter)}"


_settings = Settings()


def get_settings() -> Settings:
    """Return the live settings object (read it; change it through :func:`set`)."""
    return _settings


def _restore(values: Settings) -> None:
    # In place, so that references to the live object stay valid.
    for field in dataclasses.fields(Settings):
        if field.name != "name_counters":
            setattr(_settings, field.name, getattr(values, field.name))


def reset() -> None:
    """Restore every setting to its default (used by the test suite)."""
    _restore(Settings())


def _check_method(method: str) -> str:
    # Imported here: the integrator registry imports profile for defaults.
    from brainlab.integrators.registry import get_method

    if callable(method) and hasattr(method, "method_name"):
        method = method.method_name
    get_method(method)  # raises IntegratorError naming the known methods
    return method


def set(
    jit: bool | None = None,
    device: str | None = None,
    numerical_method: str | None = None,
    dt: float | None = None,
    float_type: Any = None,
    int_type: Any = None,
    merge_integrators: bool | None = None,
    merge_steps: bool | None = None,
    substitute: bool | None = None,
    show_code: bool | None = None,
    show_code_scope: bool | None = None,
    delay_tolerance: float | None = None,
    monitor_budget: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    fast_loops: bool | None = None,
    vector_math: bool | None = None,
) -> None:
    """Change global settings; arguments left as ``None`` keep their value.

    Parameters
    ----------
    jit : bool, optional
        Compile networks with Numba (``True``, default) or run the generated
        code as plain Python/NumPy (``False``; ``pdb.set_trace()`` then works
        inside step functions).
    device : {'cpu', 'gpu'}, optional
        Where kernels run. Only ``'cpu'`` kernels are generated; ``'gpu'``
        raises :class:`~brainlab.errors.ModelUseError`.
    numerical_method : str, optional
        Default method of ``@integrate`` (see :func:`brainlab.integrators.methods`).
    dt : float, optional
        Time step in ms (> 0).
    float_type, int_type : numpy dtype, optional
        Types of state arrays and index arrays.
    merge_integrators, merge_steps, substitute : bool, optional
        Accepted for BrainPy 0.3 compatibility; they do not change code generation.
    show_code : bool, optional
        Print the generated kernel source when a network is built.
    show_code_scope : bool, optional
        Print the table of kernel arguments (names, shapes, dtypes) when built.
    delay_tolerance : float, optional
        Largest relative change allowed when a delay is rounded to a whole number
        of steps (default 0.05). ``0`` makes every inexact delay an error.
    monitor_budget : int, optional
        Bytes that the monitors of one run may allocate (default 2 GiB).
    cache_dir : str or path, optional
        Directory of generated kernels (default: ``$BRAINLAB_CACHE_DIR`` or the
        user cache directory).
    fast_loops : bool, optional
        Loop rewrites that let LLVM vectorise the kernel (default ``True``):
        purely elementwise vector-mode neuron steps compile as scalar loops
        (:mod:`brainlab.lower.scalarise`), small ``if`` statements of scalar
        loops become branch-free (:mod:`brainlab.lower.ifconvert`) and the
        current element's state stays in locals (:mod:`brainlab.lower.promote`).
        Results are those of the code as written, up to rounding. ``False``
        compiles every step as written.
    vector_math : bool, optional
        Compiled kernels call vectorisable ``exp`` and ``exprel`` (inlined
        polynomials, at most 1 and 2 ulp from NumPy's; see
        :mod:`brainlab.codegen.vecmath`) instead of libm's (default ``True``).
    """
    s = _settings
    if jit is not None:
        s.jit = bool(jit)
    if device is not None:
        set_device(s.jit, device)
    if numerical_method is not None:
        s.numerical_method = _check_method(numerical_method)
    if dt is not None:
        set_dt(dt)
    if float_type is not None:
        s.float_type = np.dtype(float_type).type
    if int_type is not None:
        s.int_type = np.dtype(int_type).type
    if merge_integrators is not None:
        s.merge_integrators = bool(merge_integrators)
    if merge_steps is not None:
        s.merge_steps = bool(merge_steps)
    if substitute is not None:
        s.substitute = bool(substitute)
    if show_code is not None:
        s.show_code = bool(show_code)
    if show_code_scope is not None:
        s.show_code_scope = bool(show_code_scope)
    if fast_loops is not None:
        s.fast_loops = bool(fast_loops)
    if vector_math is not None:
        s.vector_math = bool(vector_math)
    if delay_tolerance is not None:
        if not (0.0 <= float(delay_tolerance) < 0.5):
            raise ModelUseError(f"profile delay_tolerance must be in [0, 0.5), got {delay_tolerance!r}.")
        s.delay_tolerance = float(delay_tolerance)
    if monitor_budget is not None:
        if int(monitor_budget) <= 0:
            raise ModelUseError(f"profile monitor_budget must be > 0 bytes, got {monitor_budget}.")
        s.monitor_budget = int(monitor_budget)
    if cache_dir is not None:
        s.cache_dir = os.fspath(cache_dir)


@contextlib.contextmanager
def temporary(**settings: Any) -> Iterator[Settings]:
    """Apply settings inside a ``with`` block and restore the old values after it.

    Examples
    --------
    >>> import brainlab as bp
    >>> with bp.profile.temporary(jit=False, dt=0.01):
    ...     bp.profile.get_dt()
    0.01
    """
    saved = export_settings()
    try:
        set(**settings)
        yield _settings
    finally:
        _restore(saved)


def export_settings() -> Settings:
    """Return a detached copy of the current settings.

    :mod:`brainlab.running` sends it with every task, so that a sweep's
    worker processes (forked, spawned or on other machines) build models with
    the ``dt``, method, float type and Numba options of the process that
    started the sweep. Object-name counters are not part of the copy.
    """
    return dataclasses.replace(_settings, numba=dict(_settings.numba), name_counters={})


def load_settings(values: Settings) -> None:
    """Make settings from :func:`export_settings` the current ones (the inverse of exporting).

    Object-name counters are kept. :mod:`brainlab.running` calls this in a
    worker process before each task.
    """
    _restore(values)


def run_on_cpu() -> bool:
    """Return whether models run on the CPU."""
    return _settings.device == "cpu"


def run_on_gpu() -> bool:
    """Return whether models are set to run on a GPU."""
    return _settings.device == "gpu"


def _cuda_available() -> bool:
    try:
        from numba import cuda
    except ImportError:  # pragma: no cover - numba always ships numba.cuda stubs
        return False
    try:
        return bool(cuda.is_available())
    except Exception:  # the CUDA driver probe can fail in many ways
        return False


def set_device(jit: bool, device: str | None = None) -> None:
    """Set whether to JIT-compile and the device to run on.

    Parameters
    ----------
    jit : bool
        Use Numba compilation.
    device : {'cpu', 'gpu'}, optional
        The device name (case-insensitive).

    Raises
    ------
    ModelUseError
        For an unknown device, and for ``'gpu'``: brainlab generates CPU
        kernels only; without a CUDA driver the message says so first.
    """
    _settings.jit = bool(jit)
    if device is None:
        return
    name = str(device).lower()
    if name not in ("cpu", "gpu"):
        raise ModelUseError(f"Unknown device {device!r}: use 'cpu' (or 'gpu', see its error).")
    if name == "gpu":
        if not _cuda_available():
            raise ModelUseError(
                "device='gpu' needs a CUDA-capable GPU and driver, and none was found "
                "(numba.cuda.is_available() is False). Use bp.profile.set(device='cpu')."
            )
        raise ModelUseError(
            "device='gpu': a CUDA device is present, but brainlab generates CPU kernels "
            "only in this version. Use bp.profile.set(device='cpu')."
        )
    _settings.device = name


def get_device() -> str:
    """Return the device name (``'cpu'``)."""
    return _settings.device


def set_dt(dt: float) -> None:
    """Set the integration time step in ms.

    Parameters
    ----------
    dt : float
        Positive, finite step.
    """
    value = float(dt)
    if not np.isfinite(value) or value <= 0:
        raise ModelUseError(f"dt must be a positive finite number of ms, got {dt!r}.")
    _settings.dt = value


def get_dt() -> float:
    """Return the integration time step in ms."""
    return _settings.dt


def set_numerical_method(method: str) -> None:
    """Set the default method used by ``@integrate`` without ``method=``.

    Parameters
    ----------
    method : str
        One of the registered method names (``'euler'``, ``'rk4'``, ...).
    """
    _settings.numerical_method = _check_method(method)


def get_numerical_method() -> str:
    """Return the default numerical method name."""
    return _settings.numerical_method


def set_numba_profile(**kwargs: Any) -> None:
    """Set Numba compilation options (``fastmath``, ``parallel``, ``cache``, ``nogil``, ...).

    ``nopython`` cannot be turned off: generated kernels are always compiled in
    nopython mode.
    """
    unknown = [k for k in kwargs if k not in ("nopython", "fastmath", "parallel", "cache", "nogil", "boundscheck")]
    if unknown:
        raise ModelUseError(
            f"Unknown numba option(s) {unknown}; known: nopython, fastmath, parallel, cache, nogil, boundscheck."
        )
    if kwargs.get("nopython") is False:
        raise ModelUseError("brainlab compiles kernels in nopython mode only; use jit=False instead.")
    _settings.numba.update(kwargs)


def get_numba_profile() -> dict:
    """Return a copy of the Numba compilation options."""
    return dict(_settings.numba)


def set_backend(backend: str) -> None:
    """Set the backend: ``'numba'`` (compiled) or ``'numpy'`` (plain Python)."""
    name = str(backend).lower()
    if name not in ("numba", "numpy"):
        raise ModelUseError(f"Unknown backend {backend!r}; use 'numba' or 'numpy'.")
    _settings.jit = name == "numba"


def get_backend() -> str:
    """Return ``'numba'`` when JIT compilation is on, else ``'numpy'``."""
    return "numba" if _settings.jit else "numpy"


def get_num_thread_gpu() -> int:
    """Return the number of GPU threads per block (kept for API compatibility)."""
    return 1024


def is_jit() -> bool:
    """Return whether networks are compiled with Numba."""
    return _settings.jit


def is_vector_math() -> bool:
    """Return whether kernels use the vectorisable ``exp``/``exprel`` (see :func:`set`)."""
    return _settings.vector_math


def is_fast_loops() -> bool:
    """Return whether the kernel's loops are rewritten for speed (see :func:`set`)."""
    return _settings.fast_loops


def is_merge_integrators() -> bool:
    """Return the ``merge_integrators`` setting (no effect on code generation)."""
    return _settings.merge_integrators


def is_merge_steps() -> bool:
    """Return the ``merge_steps`` setting (no effect on code generation)."""
    return _settings.merge_steps


def is_substitute_equation() -> bool:
    """Return the ``substitute`` setting (no effect on code generation)."""
    return _settings.substitute


def show_code_scope() -> bool:
    """Return whether the kernel argument table is printed on build."""
    return _settings.show_code_scope


def show_format_code() -> bool:
    """Return whether generated code is printed on build."""
    return _settings.show_code


def get_float_type() -> type:
    """Return the NumPy type of state arrays."""
    return _settings.float_type


def get_int_type() -> type:
    """Return the NumPy type of index arrays."""
    return _settings.int_type


def get_delay_tolerance() -> float:
    """Return the largest relative rounding allowed for delays."""
    return _settings.delay_tolerance


def get_monitor_budget() -> int:
    """Return the byte budget of monitors for one run."""
    return _settings.monitor_budget


def get_cache_dir() -> str:
    """Return the directory where generated kernels are cached.

    Order: ``profile.set(cache_dir=...)``, ``$BRAINLAB_CACHE_DIR``, the user cache
    directory from :mod:`platformdirs`.
    """
    if _settings.cache_dir:
        return _settings.cache_dir
    env = os.environ.get("BRAINLAB_CACHE_DIR")
    if env:
        return env
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("brainlab"), "kernels")
