"""Helpers for code as text: identifiers, word substitution, indentation, and the source of functions.

Nothing here executes code: identifiers and words are found with regular
expressions, and the source of a function is read with :mod:`inspect` and
located with :mod:`ast`.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import numbers
import re
import textwrap
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from numba.extending import is_jitted

from brainlab.integrators.integrator import Integrator

__all__ = [
    "deindent",
    "func_call",
    "get_func_source",
    "get_identifiers",
    "get_line_indent",
    "get_main_code",
    "indent",
    "is_lambda_function",
    "word_replace",
]

_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
# A number not glued to a name (`c5`, `tau_2`) or to another number; the sign
# of an exponent belongs to the number, a leading sign does not.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_.])")
_KEYWORDS = frozenset(keyword.kwlist)

# How many argument names func_call puts on one line.
_ARGS_PER_LINE = 5


def get_identifiers(expr: str, include_numbers: bool = False) -> set[str]:
    r"""Return the identifiers of ``expr``: everything that matches ``\b[A-Za-z_][A-Za-z0-9_]*\b``.

    Python keywords (``and``, ``not``, ``True``, ``if`` ...) are not identifiers.

    Parameters
    ----------
    expr : str
        The text to analyse.
    include_numbers : bool, optional
        Also return the number literals (``'3'``, ``'.3e-10'``), without a
        leading sign. Default ``False``.

    Returns
    -------
    set of str
        The identifiers (and numbers) of ``expr``.

    Examples
    --------
    >>> sorted(get_identifiers('3-a*_b+c5+8+f(A - .3e-10, tau_2)*17'))
    ['A', '_b', 'a', 'c5', 'f', 'tau_2']
    """
    found = set(_IDENTIFIER.findall(expr)) - _KEYWORDS
    if include_numbers:
        found |= set(_NUMBER.findall(expr))
    return found


def word_replace(expr: str, substitutions: Mapping[str, Any]) -> str:
    r"""Replace whole words of ``expr`` (matches of ``\bword\b``) by their substitutes.

    All words are replaced at once: ``{'a': 'b', 'b': 'a'}`` swaps ``a`` and ``b``.

    Parameters
    ----------
    expr : str
        The text.
    substitutions : mapping
        ``word -> replacement``; replacements are converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> word_replace('a*_b+c5+8+f(A)', {'a': 'banana', 'f': 'func'})
    'banana*_b+c5+8+func(A)'
    """
    if not substitutions:
        return expr
    words = sorted(substitutions, key=len, reverse=True)  # longest first among alternatives
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
    return pattern.sub(lambda match: str(substitutions[match.group(0)]), expr)


def get_line_indent(line: str, spaces_per_tab: int = 4) -> int:
    """Return the indentation of ``line`` in spaces (a tab counts ``spaces_per_tab`` spaces)."""
    stripped = line.lstrip(" \t")
    leading = line[: len(line) - len(stripped)]
    return len(leading.replace("\t", " " * spaces_per_tab))


def indent(text: str, num_tabs: int = 1, spaces_per_tab: int = 4, tab: str | None = None) -> str:
    """Indent every line of ``text`` by ``num_tabs`` tabs.

    Parameters
    ----------
    text : str
        The text.
    num_tabs : int, optional
        Levels of indentation to add.
    spaces_per_tab : int, optional
        Width of a level when ``tab`` is not given.
    tab : str, optional
        The string of one level (default: ``spaces_per_tab`` spaces).
    """
    unit = " " * spaces_per_tab if tab is None else tab
    return textwrap.indent(text, unit * num_tabs, predicate=lambda line: True)


def deindent(text: str, num_tabs: int | None = None, spaces_per_tab: int = 4, docstring: bool = False) -> str:
    """Remove indentation from the lines of ``text``.

    Leading tabs count as ``spaces_per_tab`` spaces and are replaced by spaces.

    Parameters
    ----------
    text : str
        The text.
    num_tabs : int, optional
        Remove this many levels (at most the whitespace a line has). Default:
        the indentation common to all non-blank lines.
    spaces_per_tab : int, optional
        Width of a level.
    docstring : bool, optional
        Leave the first line alone, and compute the common indentation from
        the others (the first line of a docstring follows the quotes).
    """
    lines = text.split("\n")
    start = 1 if docstring else 0
    body = [" " * get_line_indent(line, spaces_per_tab) + line.lstrip(" \t") for line in lines[start:]]
    if num_tabs is not None:
        width = num_tabs * spaces_per_tab
    else:
        widths = [get_line_indent(line) for line in body if line.strip()]
        width = min(widths, default=0)
    body = [line[min(width, get_line_indent(line)) :] for line in body]
    return "\n".join(lines[:start] + body)


def func_call(args: Iterable[str]) -> str:
    """Return argument names joined for a call: ``'a, b, c'``, five names a line.

    A set is sorted first, so that the text does not depend on its order.
    """
    names = sorted(args) if isinstance(args, set | frozenset) else list(args)
    chunks = [names[k : k + _ARGS_PER_LINE] for k in range(0, len(names), _ARGS_PER_LINE)]
    return ",\n".join(", ".join(chunk) for chunk in chunks)


def is_lambda_function(func: Any) -> bool:
    """Return whether ``func`` is a function made by a ``lambda`` expression."""
    return isinstance(func, types.LambdaType) and func.__name__ == "<lambda>"


def _python_function(func: Any) -> Any:
    """Return the Python function behind a Numba dispatcher or a ``bp.integrate`` integrator."""
    if is_jitted(func):
        return func.py_func
    if isinstance(func, Integrator):
        return func.diff_eq.func
    return func


def _header_end(lines: list[str], first_body_line: int) -> int:
    """Return the index of the last line of a ``def`` header, given the line of its first statement.

    Blank and comment-only lines between the header and the first statement
    belong to the body.
    """
    k = first_body_line - 1
    while k > 0 and (not lines[k].strip() or lines[k].lstrip().startswith("#")):
        k -= 1
    return k


def get_func_source(func: Callable) -> str:
    """Return the source of ``func``, deindented and without its decorators.

    A lambda's source is the whole line (or lines) it is written on.
    Numba dispatchers and integrators give the source of their Python function.

    Raises
    ------
    OSError
        If the source is not available (a function made by ``exec``).
    """
    func = _python_function(func)
    source = deindent(inspect.getsource(func))
    if is_lambda_function(func):
        return source
    try:
        tree = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return source
    if isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef) and tree.decorator_list:
        source = "".join(source.splitlines(keepends=True)[tree.lineno - 1 :])
    return source


def _lambda_nodes(source: str) -> list[tuple[ast.Lambda, str]]:
    """Return the lambda expressions in ``source`` with the text their positions refer to."""
    try:
        return [(node, source) for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Lambda)]
    except SyntaxError:
        pass
    # The lines cut an enclosing expression in the middle: after each `lambda`,
    # find the longest text that parses as a lambda (ending before a delimiter).
    found = []
    for match in re.finditer(r"\blambda\b", source):
        rest = source[match.start() :]
        ends = [len(rest), *(k for k in range(len(rest) - 1, 0, -1) if rest[k] in ",)]}\n")]
        for end in ends:
            text = rest[:end].strip()
            try:
                node = ast.parse(text, mode="eval").body
            except SyntaxError:
                continue
            if isinstance(node, ast.Lambda):
                found.append((node, text))
                break
    return found


def _lambda_body(func: types.LambdaType, source: str) -> str:
    """Return the expression of the lambda ``func`` found in ``source`` (its line or lines)."""
    code = func.__code__
    argnames = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    for node, text in _lambda_nodes(source):
        args = node.args
        if [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]] == argnames:
            return ast.get_source_segment(text, node.body).strip()
    raise ValueError(f"Cannot find the body of the lambda function in:\n{source}")


def get_main_code(func: Callable | float | None) -> str:
    """Return the body of a function as source text, without its ``def`` line and deindented.

    Parameters
    ----------
    func : callable, int, float or None
        A function (its body), a lambda (its expression: ``x + 1`` for
        ``lambda x: x + 1``), a number (its ``str``) or ``None`` (``''``).

    Returns
    -------
    str

    Raises
    ------
    OSError
        If the source of the function is not available.
    """
    if func is None:
        return ""
    if isinstance(func, numbers.Number):
        return str(func)
    if not callable(func):
        raise TypeError(f"get_main_code expects a function or a number, got {type(func).__name__}.")
    func = _python_function(func)
    if is_lambda_function(func):
        return _lambda_body(func, deindent(inspect.getsource(func)))
    source = get_func_source(func)
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source).body[0]
    first = tree.body[0]
    first_line = lines[first.lineno - 1]
    before = first_line.encode()[: first.col_offset].decode()  # col_offset counts UTF-8 bytes
    if before.strip():  # `def f(x): return x`: the body shares the header line
        return deindent(first_line[len(before) :] + "".join(lines[first.lineno :]))
    return deindent("".join(lines[_header_end(lines, first.lineno - 1) + 1 :]))
