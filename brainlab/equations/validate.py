"""Validate one expression of the equation language, and its names and numbers.

This module is the security core of :mod:`brainlab.equations`. Model text may come
from any browser client (a Voila app), so it is treated as hostile: it never
reaches ``eval``, ``exec``, ``compile`` of source code, ``sympify`` or
``parse_expr``. An expression goes through these checks, each of which raises
:class:`~brainlab.errors.EquationError` with the line, the column and a reason:

1. It must be a ``str`` of at most :data:`MAX_LENGTH` characters, made only of
   ASCII letters, digits, space, tab and ``_ . + - * / ( ) , < > = !``.
   Non-ASCII characters are reported by code point and Unicode name, which
   defeats homoglyphs (a Cyrillic ``е`` in ``еxp``), fullwidth letters and
   invisible characters (zero-width space, right-to-left override).
2. A scan of the characters caps the parenthesis depth at :data:`MAX_DEPTH`,
   matches the parentheses, allows ``.`` only inside numbers and ``=``/``!``
   only in ``==``, ``<=``, ``>=``, ``!=``, and rejects integer literals of more
   than :data:`MAX_INT_DIGITS` digits and numbers glued to names (``2V``, ``1j``).
3. Only then is the text parsed by :func:`ast.parse` (``mode="eval"``), which
   builds a tree and runs nothing.
4. The tree is walked with an explicit whitelist of node types: arithmetic
   (``+ - * / **``, unary ``+``/``-``), ``int``/``float`` constants (finite, at
   most :data:`MAX_ABS_NUMBER` in size), declared names and calls of
   :data:`MATH_FUNCTIONS` with their exact arity. Comparisons and ``and``,
   ``or``, ``not`` are allowed in conditions only. Everything else (attributes,
   subscripts, lambdas, comprehensions, strings, ...) is rejected.
5. The exponent of ``**`` must be a constant with ``|value| <=``
   :data:`MAX_EXPONENT` that is a whole or half number, or a declared
   parameter, so that ``9**9**9`` cannot ask for a huge integer.
6. The tree may have at most :data:`MAX_NODES` nodes and a depth of at most
   :data:`MAX_AST_DEPTH`.

Every rejection takes about a millisecond at most: the length is capped before
any other work, and the tree walk stops at the first fault.

Error messages repeat user text only where it is harmless: identifiers (ASCII
letters, digits and ``_``) and single printable ASCII characters; other
characters are shown by code point.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Collection
from typing import Any, NoReturn

from brainlab.equations.names import (
    _DIGITS,
    _MAX_SHOWN,
    _WORD_CHARS,
    MATH_FUNCTIONS,
    MAX_ABS_NUMBER,
    MAX_AST_DEPTH,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INT_DIGITS,
    MAX_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NODES,
    RESERVED_NAMES,
    _char_hint,
    _describe_char,
    _identifier_problem,
    _shown,
    check_identifier,
    check_number,
)
from brainlab.errors import EquationError

__all__ = [
    "MATH_FUNCTIONS",
    "MAX_ABS_NUMBER",
    "MAX_AST_DEPTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INT_DIGITS",
    "MAX_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "RESERVED_NAMES",
    "check_identifier",
    "check_number",
    "free_names",
    "parse_expression",
]


_ALLOWED_CHARS = _WORD_CHARS | frozenset(" \t.+-*/(),<>=!")
_NUMBER_PATTERN = re.compile(r"(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?")


_OPERATORS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.FloorDiv: "// (floor division)",
    ast.Mod: "% (modulo)",
    ast.MatMult: "@ (matrix multiplication)",
    ast.LShift: "<< (bit shift)",
    ast.RShift: ">> (bit shift)",
    ast.BitAnd: "& (bitwise and)",
    ast.BitOr: "| (bitwise or)",
    ast.BitXor: "^ (bitwise xor)",
}
_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_ALLOWED_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)

_FORBIDDEN_NODES: dict[type, tuple[str, str | None]] = {
    ast.Attribute: ("attribute access (x.y) is not allowed", None),
    ast.Subscript: ("subscripts (x[...]) are not allowed", None),
    ast.Slice: ("slices are not allowed", None),
    ast.Lambda: ("lambda functions are not allowed", None),
    ast.ListComp: ("comprehensions are not allowed", None),
    ast.SetComp: ("comprehensions are not allowed", None),
    ast.DictComp: ("comprehensions are not allowed", None),
    ast.GeneratorExp: ("generator expressions are not allowed", None),
    ast.IfExp: ("conditional expressions (a if c else b) are not allowed", None),
    ast.NamedExpr: ("assignment expressions (:=) are not allowed", None),
    ast.JoinedStr: ("strings are not allowed", None),
    ast.FormattedValue: ("strings are not allowed", None),
    ast.Starred: ("star arguments (*x) are not allowed", None),
    ast.Tuple: ("tuples (a, b) are not allowed", "one expression per line; commas separate function arguments only"),
    ast.List: ("lists are not allowed", None),
    ast.Set: ("sets are not allowed", None),
    ast.Dict: ("dictionaries are not allowed", None),
    ast.Await: ("'await' is not allowed", None),
    ast.Yield: ("'yield' is not allowed", None),
    ast.YieldFrom: ("'yield' is not allowed", None),
}

_NAME_HINTS = {
    "pi": "declare pi as a parameter (pi = 3.141592653589793)",
    "e": "declare e as a parameter, or write exp(1)",
    "nan": "nan is not a number the equations may use",
    "inf": "write a large finite number instead of inf",
    "true": "booleans are not allowed",
    "false": "booleans are not allowed",
}


def _scan(text: str, line: int | None, offset: int) -> None:
    """Check characters, parentheses, '.', '=', '!' and number literals before anything parses the text."""

    def fail(reason: str, index: int, hint: str | None = None) -> NoReturn:
        raise EquationError(reason, line, offset + index + 1, hint)

    if len(text) > MAX_LENGTH:
        fail(
            f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH,
            "split it with intermediate variables",
        )
    # Every character first, so that the first forbidden one is reported wherever it is.
    for index, ch in enumerate(text):
        if ch not in _ALLOWED_CHARS:
            fail(f"the character {_describe_char(ch)} is not allowed", index, _char_hint(ch))
    if not text.strip(" \t"):
        fail("the expression is empty", 0)

    opened: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "(":
            opened.append(i)
            if len(opened) > MAX_DEPTH:
                fail(f"parentheses are nested too deeply (at most {MAX_DEPTH} levels)", i)
            i += 1
        elif ch == ")":
            if not opened:
                fail("unmatched ')'", i, "this ')' closes no '('")
            opened.pop()
            i += 1
        elif ch in "<>":
            i += 2 if text[i + 1 : i + 2] == "=" else 1
        elif ch == "=":
            if text[i + 1 : i + 2] != "=":
                fail(
                    "'=' (assignment) is not allowed inside an expression",
                    i,
                    "compare with ==, and give function arguments without names",
                )
            i += 2
        elif ch == "!":
            if text[i + 1 : i + 2] != "=":
                fail("'!' is allowed only in '!='", i, "write 'not' for a negation")
            i += 2
        elif ch in _DIGITS or (ch == "." and text[i + 1 : i + 2].isdigit()):
            i = _scan_number(text, i, fail)
        elif ch == ".":
            fail("attribute access (x.y) is not allowed", i, "'.' is allowed only inside numbers such as 1.5")
        elif ch in _WORD_CHARS:
            while i < n and text[i] in _WORD_CHARS:
                i += 1
        else:
            i += 1
    if opened:
        fail("'(' is never closed", opened[-1], "add the missing ')'")


def _scan_number(text: str, start: int, fail: Any) -> int:
    """Check the number literal at ``start``; return the index after it."""
    match = _NUMBER_PATTERN.match(text, start)
    end = match.end() if match else start + 1
    token = text[start:end]
    if end < len(text) and text[end] in _WORD_CHARS:
        after = text[end]
        if after in "jJ":
            fail("complex numbers (1j) are not allowed", end)
        if token == "0" and after in "xXoObB":
            fail("only decimal numbers are allowed", start, "write 16 rather than 0x10")
        fail("a number is directly followed by a name", end, "write 2*V for a product, and 1e-3 for powers of ten")
    if "." not in token and "e" not in token and "E" not in token:
        digits = token.replace("_", "")
        if len(digits) > MAX_INT_DIGITS:
            fail(
                f"the integer has too many digits ({len(digits)}; at most {MAX_INT_DIGITS})",
                start,
                f"numbers must be at most {_MAX_SHOWN} in magnitude",
            )
        if len(digits) > 1 and digits[0] == "0" and digits.strip("0"):
            fail("leading zeros are not allowed in integers", start, "write 7, not 007")
    return end


def _parse(text: str, line: int | None, offset: int) -> ast.Expression:
    """Parse checked text into a tree (``ast.parse``, which executes nothing)."""
    lead = len(text) - len(text.lstrip(" \t"))  # ast.parse rejects leading whitespace ("unexpected indent")
    try:
        tree = ast.parse(text[lead:], mode="eval")
    except SyntaxError as error:
        column = error.offset if error.offset and error.offset > 0 else len(text) - lead + 1
        column = min(column, len(text) - lead + 1) + lead
        hint = "check for a missing operator or operand here"
        if column > len(text.rstrip(" \t")):
            hint = "the expression is incomplete"
        raise EquationError(f"invalid expression: {error.msg}", line, offset + column, hint) from None
    except (ValueError, OverflowError, MemoryError, RecursionError):
        raise EquationError("the expression cannot be parsed", line, offset + 1) from None
    if lead:
        for node in ast.walk(tree):
            if isinstance(node, ast.expr | ast.keyword):
                node.col_offset += lead
                if node.end_col_offset is not None:
                    node.end_col_offset += lead
    return tree


class _Checker:
    """Walk a parsed expression with a whitelist of node types; raise at the first fault."""

    def __init__(
        self,
        text: str,
        names: frozenset[str],
        parameters: frozenset[str],
        line: int | None,
        offset: int,
        condition: bool,
    ):
        self.text = text
        self.names = names
        self.parameters = parameters
        self.line = line
        self.offset = offset
        self.condition = condition
        self.count = 0

    def fail(self, reason: str, index: int | None, hint: str | None = None) -> NoReturn:
        raise EquationError(reason, self.line, None if index is None else self.offset + index + 1, hint)

    def at(self, node: ast.AST) -> int | None:
        return getattr(node, "col_offset", None)

    def between(self, left: ast.AST, right: ast.AST) -> int | None:
        """Index of the operator between two nodes (the first character that is no space or parenthesis)."""
        start, stop = getattr(left, "end_col_offset", None), getattr(right, "col_offset", None)
        if start is None or stop is None:
            return self.at(left)
        for index in range(start, min(stop, len(self.text))):
            if self.text[index] not in " \t()":
                return index
        return start

    def visit(self, node: ast.AST, depth: int) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(f"the expression is too large (more than {MAX_NODES} parts)", self.at(node), "split it")
        if depth > MAX_AST_DEPTH:
            self.fail(
                f"the expression is nested too deeply (more than {MAX_AST_DEPTH} levels)",
                self.at(node),
                "split it with intermediate variables",
            )
        kind = type(node)
        if kind is ast.BinOp:
            self.binop(node, depth)
        elif kind is ast.UnaryOp:
            self.unaryop(node, depth)
        elif kind is ast.Constant:
            self.constant(node)
        elif kind is ast.Name:
            self.name(node)
        elif kind is ast.Call:
            self.call(node, depth)
        elif kind is ast.Compare:
            self.compare(node, depth)
        elif kind is ast.BoolOp:
            self.boolop(node, depth)
        else:
            reason, hint = _FORBIDDEN_NODES.get(kind, ("this kind of expression is not allowed", None))
            self.fail(reason, self.at(node), hint)

    def binop(self, node: ast.BinOp, depth: int) -> None:
        op = type(node.op)
        if op not in _ALLOWED_BINOPS:
            symbol = _OPERATORS.get(op, "this operator")
            self.fail(f"the operator {symbol} is not allowed", self.between(node.left, node.right))
        self.visit(node.left, depth + 1)
        if op is ast.Pow:
            self.exponent(node.right, depth + 1)
        else:
            self.visit(node.right, depth + 1)

    def exponent(self, node: ast.expr, depth: int) -> None:
        inner = node
        if type(inner) is ast.UnaryOp and type(inner.op) in (ast.USub, ast.UAdd):
            inner = inner.operand
        if type(inner) is ast.Constant and type(inner.value) in (int, float):
            value = inner.value
            if not (abs(value) <= MAX_EXPONENT and float(value * 2).is_integer()):
                self.fail(
                    f"the exponent of ** must be a whole or half number between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                    self.at(node),
                    "for other powers write exp(p*log(x)), or make the exponent a parameter",
                )
        elif type(inner) is ast.Name and inner.id in self.parameters:
            pass
        elif type(inner) is ast.Name:
            self.name(inner)  # an unknown or invalid name is reported as such
            self.fail(
                f"the exponent '{inner.id}' is not a parameter",
                self.at(node),
                "an exponent must be a number or a parameter, not a variable",
            )
        else:
            self.fail(
                "the exponent of ** must be a number or a parameter",
                self.at(node),
                "write x**2, x**0.5 or x**n with a parameter n; a power of a power needs parentheses: (x**2)**3",
            )
        self.visit(node, depth)

    def unaryop(self, node: ast.UnaryOp, depth: int) -> None:
        op = type(node.op)
        if op is ast.Not:
            if not self.condition:
                self.fail("'not' is allowed only in conditions", self.at(node))
        elif op is ast.Invert:
            self.fail("the operator ~ is not allowed", self.at(node), "write 'not' in conditions")
        elif op not in (ast.USub, ast.UAdd):  # pragma: no cover - Python has no other unary operator
            self.fail("this operator is not allowed", self.at(node))
        self.visit(node.operand, depth + 1)

    def constant(self, node: ast.Constant) -> None:
        value = node.value
        kind = type(value)
        if kind is bool:
            self.fail("True and False are not allowed", self.at(node), "write 1 or 0, or a comparison in a condition")
        if kind is complex:
            self.fail("complex numbers are not allowed", self.at(node))
        if kind is str or kind is bytes:
            self.fail("strings are not allowed", self.at(node))
        if value is None:
            self.fail("None is not allowed", self.at(node))
        if value is Ellipsis:
            self.fail("'...' is not allowed", self.at(node))
        if kind is not int and kind is not float:
            self.fail("this constant is not allowed", self.at(node))
        if kind is float and not math.isfinite(value):
            self.fail("the number is too large (not finite)", self.at(node), f"at most {_MAX_SHOWN}")
        if abs(value) > MAX_ABS_NUMBER:
            self.fail(f"the number is too large (at most {_MAX_SHOWN})", self.at(node))

    def name(self, node: ast.Name) -> None:
        ident = node.id
        if type(node.ctx) is not ast.Load:  # pragma: no cover - an eval-mode tree only stores in forbidden nodes
            self.fail("assignments are not allowed", self.at(node))
        if ident in MATH_FUNCTIONS:
            self.fail(f"'{ident}' is a function", self.at(node), f"call it: {ident}(...)")
        problem = _identifier_problem(ident, "the name", allow_reserved=ident in self.names)
        if problem is not None:
            reason, hint, index = problem
            self.fail(reason, self.at(node) + index, hint)
        if ident not in self.names:
            declared = sorted(self.names)
            listed = ", ".join(declared[:30]) + (", ..." if len(declared) > 30 else "")
            reason = f"unknown name '{ident}'; " + (
                f"declared names are {listed}" if declared else "no names are declared"
            )
            self.fail(reason, self.at(node), _NAME_HINTS.get(ident.lower()))

    def call(self, node: ast.Call, depth: int) -> None:
        func = node.func
        if type(func) is not ast.Name:
            self.fail("only math functions can be called", self.at(node))
        ident = func.id
        if ident not in MATH_FUNCTIONS:
            shown = _shown(ident) or "this name"
            if ident in self.names:
                self.fail(f"{shown} is not a function", self.at(func), "write * for a product: a*(b + c)")
            functions = ", ".join(MATH_FUNCTIONS)
            self.fail(f"unknown function {shown}; the functions are {functions}", self.at(func))
        if node.keywords:
            first = node.keywords[0]
            if first.arg is None:
                self.fail("star arguments (**x) are not allowed", self.at(first))
            self.fail("keyword arguments (f(x=...)) are not allowed", self.at(first), "give arguments by position")
        for arg in node.args:
            if type(arg) is ast.Starred:
                self.fail("star arguments (*x) are not allowed", self.at(arg))
        arity = MATH_FUNCTIONS[ident]
        if len(node.args) != arity:
            plural = "argument" if arity == 1 else "arguments"
            self.fail(f"{ident}() takes {arity} {plural}, got {len(node.args)}", self.at(func))
        self.count += 1  # the function's name
        for arg in node.args:
            self.visit(arg, depth + 1)

    def compare(self, node: ast.Compare, depth: int) -> None:
        where = self.between(node.left, node.comparators[0])
        if not self.condition:
            self.fail("comparisons are allowed only in conditions", where, "e.g. threshold: V >= V_th")
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _ALLOWED_COMPARE:
                self.fail("'in' and 'is' are not allowed", self.between(left, right), "compare with == or !=")
            left = right
        self.visit(node.left, depth + 1)
        for right in node.comparators:
            self.visit(right, depth + 1)

    def boolop(self, node: ast.BoolOp, depth: int) -> None:
        if not self.condition:
            where = self.between(node.values[0], node.values[1])
            self.fail("'and' and 'or' are allowed only in conditions", where)
        if type(node.op) not in (ast.And, ast.Or):  # pragma: no cover - Python has no other boolean operator
            self.fail("this operator is not allowed", self.at(node))
        for value in node.values:
            self.visit(value, depth + 1)


def parse_expression(
    text: str,
    *,
    names: Collection[str],
    parameters: Collection[str] = (),
    line: int | None = None,
    column_offset: int = 0,
    condition: bool = False,
) -> ast.expr:
    """Validate one expression and return its syntax tree.

    The text is checked (characters, length, parentheses, numbers) before it is
    parsed with :func:`ast.parse`, and the tree is checked against a whitelist
    (see the module documentation). Nothing is ever evaluated.

    Parameters
    ----------
    text : str
        The expression: the text right of ``=``, or after ``threshold:``.
    names : collection of str
        Every name the expression may use: variables, intermediates, parameters and
        context names such as ``t``. A name of :data:`RESERVED_NAMES` is accepted
        when it is listed here, unless it starts with ``'_'`` or is a Python
        built-in (``input``); every other name must pass :func:`check_identifier`.
    parameters : collection of str
        The names that may be exponents of ``**`` (they need not be repeated in
        ``names``).
    line : int, optional
        Line number of the expression, for messages.
    column_offset : int
        Number of characters before ``text`` on its line: a fault at index ``i``
        of ``text`` is reported at column ``column_offset + i + 1``.
    condition : bool
        Allow comparisons (chained too) and ``and``, ``or``, ``not``, for
        ``threshold:`` lines. Otherwise they are rejected.

    Returns
    -------
    ast.expr
        The validated tree (the ``body`` of the parsed ``ast.Expression``); its
        ``col_offset`` values are 0-based indices into ``text``.

    Raises
    ------
    EquationError
        At the first fault, with the line, the column and the reason.
    """
    if not isinstance(text, str):
        raise EquationError(f"an expression must be text, got {type(text).__name__}", line, column_offset + 1)
    if isinstance(names, str) or isinstance(parameters, str):
        raise TypeError("names and parameters must be collections of names, not one string")
    text = str.__str__(text)  # a plain str, whatever methods a subclass overrides
    _scan(text, line, column_offset)
    tree = _parse(text, line, column_offset)
    if type(tree) is not ast.Expression:  # pragma: no cover - ast.parse(mode="eval") returns an Expression
        raise EquationError("the text is not an expression", line, column_offset + 1)
    params = frozenset(p for p in parameters if isinstance(p, str))
    allowed = frozenset(n for n in names if isinstance(n, str)) | params
    _Checker(text, allowed, params, line, column_offset, condition).visit(tree.body, 1)
    return tree.body


def free_names(tree: ast.expr) -> set[str]:
    """Return the names a validated expression reads (function names excluded).

    Parameters
    ----------
    tree : ast.expr
        A tree returned by :func:`parse_expression`.

    Returns
    -------
    set of str
        The ``id`` of every ``ast.Name`` that is not the function of a call.
    """
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Call):
            stack.extend(node.args)
            stack.extend(k.value for k in node.keywords)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found
