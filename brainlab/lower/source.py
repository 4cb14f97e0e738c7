"""Read a user function: its source, its AST and what its free names refer to.

This is the first step of lowering. A step or derivative function is never
executed by brainlab as written: its AST is analysed here and rewritten later.
The free names (globals and closure variables it reads) are classified:
numbers and arrays become *parameters* (runtime data of the kernel), modules
are imported by the generated code, integrators and Numba functions are called.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import inspect
import math
import numbers
import textwrap
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from brainlab.errors import ModelDefError

__all__ = [
    "SYSTEM_NAMES",
    "FreeNames",
    "FunctionInfo",
    "analyse_function",
    "bound_names",
    "closure_values",
    "current_values",
    "loaded_names",
]

# Names the engine provides to every step function.
SYSTEM_NAMES = frozenset({"_t", "_i", "_dt", "_obj_i", "_pre_i", "_post_i"})

# Builtins the generated code may call; Numba supports all of them.
_ALLOWED_BUILTINS = frozenset(
    {
        "abs",
        "bool",
        "enumerate",
        "float",
        "int",
        "len",
        "max",
        "min",
        "pow",
        "print",
        "range",
        "round",
        "sum",
        "zip",
        "True",
        "False",
        "None",
        "isinstance",
        "tuple",
        "list",
        "breakpoint",
        "Ellipsis",
    }
)


@dataclasses.dataclass
class FreeNames:
    """What the free names of a function refer to, by kind.

    Attributes
    ----------
    params : dict
        Numbers and arrays: ``name -> value`` (the parameters of a model).
    modules : dict
        ``name -> module name`` to import (``np -> numpy``).
    imports : dict
        ``name -> (module, attribute)`` for functions such as ``from numpy import exp``.
    integrators : dict
        ``name -> Integrator`` called by the function.
    jitted : dict
        ``name -> numba dispatcher`` called by the function.
    builtins : set
        Builtin names used.
    """

    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    modules: dict[str, str] = dataclasses.field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    integrators: dict[str, Any] = dataclasses.field(default_factory=dict)
    jitted: dict[str, Any] = dataclasses.field(default_factory=dict)
    builtins: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class FunctionInfo:
    """A user function, parsed.

    Attributes
    ----------
    func : callable
        The function itself.
    name : str
        Its ``__name__``.
    filename : str
        File (or notebook cell) it was defined in.
    tree : ast.FunctionDef
        Its AST without decorators; line numbers are those of ``filename``.
    args : list of str
        Argument names in order.
    free : FreeNames
        What its free names refer to.
    lines : list of str
        The source lines of ``filename``, for quoting in error messages.
    """

    func: Callable
    name: str
    filename: str
    tree: ast.FunctionDef
    args: list[str]
    free: FreeNames
    lines: dict[int, str]

    def where(self, node: ast.AST | None = None) -> str:
        """Return ``'file.py, line N: <code>'`` for ``node`` (or the ``def`` line)."""
        lineno = getattr(node, "lineno", None) or self.tree.lineno
        code = self.lines.get(lineno, "").strip()
        text = f"{self.filename}, line {lineno}"
        return f"{text}: `{code}`" if code else text


def loaded_names(tree: ast.AST) -> dict[str, ast.Name]:
    """Return every name read in ``tree`` (first occurrence of each)."""
    found: dict[str, ast.Name] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.setdefault(node.id, node)
    return found


def bound_names(func: ast.FunctionDef) -> set[str]:
    """Return the names a function binds locally (arguments and assignments).

    Python makes a name local to the whole function as soon as it is assigned
    anywhere in it; the same rule decides here what is *not* a free name.
    """
    args = func.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is not func:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg) and node is not func:
            names.add(node.arg)
    return names


def closure_values(func: Callable) -> dict[str, Any]:
    """Return ``name -> value`` of the closure variables of ``func`` (empty cells left out)."""
    code = func.__code__
    values = {}
    for name, cell in zip(code.co_freevars, func.__closure__ or (), strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell: the name is assigned after the def
            continue
    return values


def current_values(func: Callable, names: list[str]) -> list[Any]:
    """Return the present values of the free names ``names`` of ``func``.

    Used when a function is called from Python, where globals may have changed
    since the model was defined.
    """
    closure = closure_values(func)
    values = []
    for name in names:
        if name in closure:
            values.append(closure[name])
        elif name in func.__globals__:
            values.append(func.__globals__[name])
        else:
            raise ModelDefError(f"The name {name!r} used by {func.__name__!r} is no longer defined.")
    return values


def _importable_function(value: Any) -> tuple[str, str] | None:
    """Return ``(module, name)`` if ``value`` is a NumPy or math function."""
    name = getattr(value, "__name__", None)
    if not name:
        return None
    for module in (np, math, np.random):
        if getattr(module, name, None) is value:
            return module.__name__, name
    return None


def _is_numba_dispatcher(value: Any) -> bool:
    return type(value).__module__.startswith("numba") and hasattr(value, "py_func")


def classify(name: str, value: Any, *, owner: str, info_where: str) -> tuple[str, Any]:
    """Return ``(kind, payload)`` for a free name's value.

    Kinds: ``'param'``, ``'module'``, ``'import'``, ``'integrator'``, ``'jitted'``.
    """
    from brainlab.integrators.integrator import Integrator  # lower <- integrators cycle

    if isinstance(value, bool | np.bool_ | numbers.Number) and not isinstance(value, complex):
        return "param", value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ModelDefError(
                f"{owner}: the array {name!r} ({info_where}) has dtype {value.dtype}; "
                "only numeric arrays can be used inside compiled models."
            )
        return "param", value
    if isinstance(value, types.ModuleType):
        return "module", value.__name__
    if isinstance(value, Integrator):
        return "integrator", value
    if _is_numba_dispatcher(value):
        return "jitted", value
    imported = _importable_function(value)
    if imported is not None:
        return "import", imported
    if callable(value):
        raise ModelDefError(
            f"{owner}: {name!r} ({info_where}) is a plain Python function. Compiled models can "
            "call NumPy/math functions, @bp.integrate integrators and @numba.njit functions: "
            f"decorate {name!r} with @numba.njit, or write its body inline."
        )
    raise ModelDefError(
        f"{owner}: the name {name!r} ({info_where}) refers to a {type(value).__name__}, which "
        "a compiled model cannot use. Use numbers or numeric arrays as parameters, or pass the "
        "data as a step-function argument declared in `requires`."
    )


def _parse(func: Callable, owner: str) -> tuple[ast.FunctionDef, str, dict[int, str]]:
    if not isinstance(func, types.FunctionType):
        raise ModelDefError(f"{owner}: expected a Python function, got {func!r}.")
    if func.__name__ == "<lambda>":
        raise ModelDefError(f"{owner}: lambda functions cannot be used as model functions; define it with `def`.")
    try:
        lines, start = inspect.getsourcelines(func)
    except (OSError, TypeError):
        raise ModelDefError(
            f"{owner}: cannot read the source code of function {func.__name__!r}. brainlab reads "
            "the source of model functions; define them in a file, a notebook cell or the "
            "interactive prompt of IPython (not with exec)."
        ) from None
    source = textwrap.dedent("".join(lines))
    try:
        module = ast.parse(source)
    except SyntaxError as exc:  # e.g. a decorator expression that spans odd lines
        raise ModelDefError(f"{owner}: cannot parse the source of {func.__name__!r}: {exc}") from None
    tree = module.body[0]
    if not isinstance(tree, ast.FunctionDef):
        raise ModelDefError(f"{owner}: expected a function definition for {func.__name__!r}.")
    ast.increment_lineno(tree, start - 1)
    tree.decorator_list = []
    filename = inspect.getsourcefile(func) or func.__code__.co_filename
    numbered = {start + k: line.rstrip("\n") for k, line in enumerate(lines)}
    return tree, filename, numbered


def analyse_function(func: Callable, *, owner: str) -> FunctionInfo:
    """Parse ``func`` and classify its free names.

    Parameters
    ----------
    func : callable
        A plain Python function (a step or derivative function).
    owner : str
        Who owns it, for error messages (e.g. ``"NeuType 'HH'"``).

    Returns
    -------
    FunctionInfo

    Raises
    ------
    ModelDefError
        If the source cannot be read, or a free name is undefined or of a kind
        compiled code cannot use.
    """
    tree, filename, numbered = _parse(func, owner)
    args = tree.args
    if args.vararg or args.kwarg or args.kwonlyargs:
        raise ModelDefError(
            f"{owner}: function {func.__name__!r} uses *args, **kwargs or keyword-only "
            "arguments; model functions take plain positional arguments."
        )
    info = FunctionInfo(
        func=func,
        name=func.__name__,
        filename=filename,
        tree=tree,
        args=[a.arg for a in args.args],
        free=FreeNames(),
        lines=numbered,
    )
    closure = closure_values(func)
    bound = bound_names(tree)
    for name, node in loaded_names(tree).items():
        if name in bound or name in SYSTEM_NAMES:
            continue
        if name in closure:
            value = closure[name]
        elif name in func.__globals__:
            value = func.__globals__[name]
        elif name in _ALLOWED_BUILTINS:
            info.free.builtins.add(name)
            continue
        elif hasattr(builtins, name):
            raise ModelDefError(
                f"{owner}: the builtin {name!r} ({info.where(node)}) cannot be used in compiled model code."
            )
        else:
            raise ModelDefError(
                f"{owner}: the name {name!r} in function {func.__name__!r} ({info.where(node)}) "
                "is not defined. Define it before creating the model."
            )
        kind, payload = classify(name, value, owner=owner, info_where=info.where(node))
        getattr(
            info.free,
            {
                "param": "params",
                "module": "modules",
                "import": "imports",
                "integrator": "integrators",
                "jitted": "jitted",
            }[kind],
        )[name] = payload
    return info
