"""Helpers for user functions: copy, name, scope, and JIT compilation with the profile's Numba options.

:func:`jit` compiles with ``numba.njit`` and the options of
``bp.profile.get_numba_profile()``, turned into ``njit`` arguments the way the
engine's kernels are (:func:`brainlab.codegen.module.njit_options`); with
``bp.profile.set(jit=False)`` it returns functions unchanged. :func:`numba_func`
rebuilds a function with some of its global or closure names bound to new
values (a new function object over the same code, never ``exec`` of source).

Numba treats the globals of a compiled function as constants, and its disk
cache (``cache=True`` in the profile) does not notice when they change.
brainlab's own kernels receive parameters as arguments instead; functions
compiled here keep Numba's rules.
"""

from __future__ import annotations

import copy
import dis
import types
from collections.abc import Callable, Mapping
from typing import Any

import numba
from numba.extending import is_jitted

from brainlab import profile
from brainlab.codegen.module import njit_options
from brainlab.lower.source import closure_values
from brainlab.tools.codes import _python_function, is_lambda_function

__all__ = ["func_copy", "get_func_name", "get_func_scope", "jit", "numba_func"]

# Functions of these packages are left alone when scopes are followed: Numba
# knows them by identity, and their own globals are not the user's.
_LIBRARIES = frozenset({"numpy", "scipy", "numba", "math", "brainlab"})
_GLOBAL_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"})


def _is_user_function(value: Any) -> bool:
    module = getattr(value, "__module__", None) or ""
    return isinstance(value, types.FunctionType) and module.split(".")[0] not in _LIBRARIES


def _global_names(code: types.CodeType) -> set[str]:
    """Return the global names that ``code`` (and the code nested in it: comprehensions, inner functions) reads."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in _GLOBAL_LOADS}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _own_scope(func: types.FunctionType) -> dict[str, Any]:
    """Return the globals (those defined) and the closure variables that ``func`` reads."""
    scope = {name: func.__globals__[name] for name in sorted(_global_names(func.__code__)) if name in func.__globals__}
    scope.update(closure_values(func))
    return scope


def _cell_contents(cell: types.CellType) -> tuple[Any, ...]:
    """Return ``(contents,)`` of a closure cell, or ``()`` for an empty one."""
    try:
        return (cell.cell_contents,)
    except ValueError:
        return ()


def func_copy(f: types.FunctionType) -> types.FunctionType:
    """Return a copy of a Python function.

    The copy shares the code and the module globals of ``f``; its defaults,
    keyword defaults, annotations and ``__dict__`` are deep copies, and its
    closure has new cells with the same contents. Changing any of them on the
    copy leaves ``f`` unchanged.

    Parameters
    ----------
    f : function
        The function to copy.

    Returns
    -------
    function
    """
    if not isinstance(f, types.FunctionType):
        raise TypeError(f"func_copy copies Python functions, got {type(f).__name__}.")
    cells = None
    if f.__closure__ is not None:
        cells = tuple(types.CellType(*_cell_contents(cell)) for cell in f.__closure__)
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, copy.deepcopy(f.__defaults__), cells)
    g.__kwdefaults__ = copy.deepcopy(f.__kwdefaults__)
    g.__dict__.update(copy.deepcopy(f.__dict__))
    g.__annotations__ = copy.deepcopy(f.__annotations__)
    g.__qualname__, g.__module__, g.__doc__ = f.__qualname__, f.__module__, f.__doc__
    return g


def get_func_name(func: Callable, replace: bool = False) -> str:
    """Return the name of a function (of a dispatcher's or an integrator's Python function).

    Parameters
    ----------
    func : callable
        The function.
    replace : bool, optional
        Return a name usable as a Python identifier: a lambda, named
        ``'<lambda>'``, becomes ``'lambda_<id>'`` with the ``id`` of the
        function object (unique while it lives).
    """
    func = _python_function(func)
    name = getattr(func, "__name__", None) or type(func).__name__
    if replace and is_lambda_function(func):
        return f"lambda_{id(func)}"
    return name


def get_func_scope(func: Callable, include_dispatcher: bool = False) -> dict[str, Any]:
    """Return the global and closure variables a function uses, following the functions it calls.

    The scope of every Python function (or ``bp.integrate`` integrator) found
    in the scope is added, recursively; a name of the function itself wins
    over the same name of a callee. Functions of NumPy, SciPy and Numba are not
    followed; modules are in the scope but not followed.

    Parameters
    ----------
    func : callable
        A Python function, a Numba dispatcher or an integrator.
    include_dispatcher : bool, optional
        Also follow Numba dispatchers (their Python functions). Without it, the
        scope of a dispatcher is empty and dispatchers in a scope are values only.

    Returns
    -------
    dict
        ``name -> value``.
    """
    if is_jitted(func) and not include_dispatcher:
        return {}
    target = _python_function(func)
    if not isinstance(target, types.FunctionType):
        raise TypeError(f"get_func_scope expects a Python function, got {type(func).__name__}.")
    return _collect_scope(target, include_dispatcher, set())


def _collect_scope(func: types.FunctionType, include_dispatcher: bool, seen: set[int]) -> dict[str, Any]:
    seen.add(id(func))
    scope = _own_scope(func)
    for value in list(scope.values()):
        if is_jitted(value) and not include_dispatcher:
            continue
        callee = _python_function(value)  # a dispatcher's or an integrator's Python function
        followed = callee is not value or _is_user_function(value)
        if followed and isinstance(callee, types.FunctionType) and id(callee) not in seen:
            for name, inner in _collect_scope(callee, include_dispatcher, seen).items():
                scope.setdefault(name, inner)
    return scope


def _compile(func: Callable, signatures: Any = None, cache: bool | None = None) -> Callable:
    """Compile ``func`` with ``numba.njit`` and the profile's options (``cache`` overrides the profile's)."""
    options = njit_options(profile.get_numba_profile())
    if cache is not None:
        options["cache"] = cache
    args = () if signatures is None else (signatures,)
    try:
        return numba.njit(*args, **options)(func)
    except RuntimeError as exc:
        # Functions defined at an interactive prompt or by exec have no file to
        # keep a cache beside: compile them without one.
        if not options.get("cache") or "cannot cache" not in str(exc):
            raise
        return numba.njit(*args, **{**options, "cache": False})(func)


def jit(func: Any = None) -> Any:
    """JIT-compile a user function with the Numba options of ``bp.profile``.

    Use as ``jit(f)``, ``@jit`` or ``@jit()``; ``jit('f8(f8)')`` (a signature,
    or a list of them) returns a decorator that compiles eagerly. With
    ``bp.profile.set(jit=False)`` the function is returned unchanged (the
    profile at decoration time decides). Numba dispatchers are returned as
    they are. A function that cannot be cached (defined in ``<stdin>`` or by
    ``exec``) is compiled without caching.

    Parameters
    ----------
    func : callable, str or list, optional
        The function, or Numba signature(s).

    Returns
    -------
    callable
        A ``numba`` dispatcher, the function itself, or a decorator.
    """
    if func is None:
        return jit
    if isinstance(func, str | list | tuple):
        return lambda f: f if not profile.is_jit() or is_jitted(f) else _compile(f, func)
    if not profile.is_jit() or is_jitted(func):
        return func
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"jit compiles Python functions, got {type(func).__name__}.")
    return _compile(func)


def numba_func(func: Callable, params: Mapping[str, Any] | None = None) -> Callable:
    """Return a JIT version of ``func`` in which the names in ``params`` have new values.

    Global and closure names of ``func`` listed in ``params`` are bound to the
    given values in a new function over the same code; the module and the
    original function are not changed. The Python functions ``func`` calls are
    treated the same way (with the same ``params``), recursively; Numba
    dispatchers are used as they are. A rebuilt function is compiled without
    Numba's disk cache, which would not tell it from the original.

    Parameters
    ----------
    func : callable
        A Python function or a Numba dispatcher (returned as it is).
    params : mapping, optional
        ``name -> value``.

    Returns
    -------
    callable
        A dispatcher, or with ``bp.profile.set(jit=False)`` the Python function.
    """
    if is_jitted(func):
        return func
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"numba_func compiles Python functions, got {type(func).__name__}.")
    return _rebuild(func, dict(params or {}), {})


def _rebuild(func: types.FunctionType, params: dict[str, Any], done: dict[int, Callable]) -> Callable:
    if id(func) in done:
        return done[id(func)]
    scope = _own_scope(func)
    replaced = {name: params[name] for name in scope if name in params}
    callees = {name: value for name, value in scope.items() if name not in replaced and _is_user_function(value)}
    if not replaced and not callees:
        done[id(func)] = result = jit(func)
        return result
    new_globals = dict(func.__globals__)
    cells = {}
    if func.__closure__ is not None:
        pairs = zip(func.__code__.co_freevars, func.__closure__, strict=True)
        cells = {name: types.CellType(*_cell_contents(cell)) for name, cell in pairs}
    g = types.FunctionType(func.__code__, new_globals, func.__name__, func.__defaults__, tuple(cells.values()) or None)
    g.__kwdefaults__, g.__qualname__, g.__module__ = func.__kwdefaults__, func.__qualname__, func.__module__
    # Registered before the callees are rebuilt, so that recursive calls find it;
    # Numba compiles at the first call, when every name below is bound.
    done[id(func)] = result = _compile(g, cache=False) if profile.is_jit() else g
    values = {**replaced, **callees}
    values = {name: _rebuild(v, params, done) if _is_user_function(v) else v for name, v in values.items()}
    for name, value in values.items():
        if name in cells:
            cells[name].cell_contents = value
        else:
            new_globals[name] = value
    return result
