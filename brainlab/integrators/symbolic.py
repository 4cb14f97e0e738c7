"""Translate between the ASTs of model functions and SymPy expressions.

Used where brainlab needs calculus on a user's equations: the linear
coefficient of exponential Euler, and (later) Jacobians for phase-plane
analysis. Only arithmetic, powers, numbers, names and a fixed table of
NumPy/math functions are translated; anything else raises
:class:`SymbolicError` so the caller can fall back. User text is never given to
``sympify``: expressions are built node by node.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

__all__ = ["SymbolicError", "expr_to_sympy", "function_to_sympy", "sympy_to_code"]

# NumPy / math function name -> sympy constructor
_FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "arcsin": sp.asin,
    "arccos": sp.acos,
    "arctan": sp.atan,
    "asin": sp.asin,
    "acos": sp.acos,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "abs": sp.Abs,
    "absolute": sp.Abs,
    "fabs": sp.Abs,
    "log10": lambda a: sp.log(a, 10),
    "log2": lambda a: sp.log(a, 2),
    "log1p": lambda a: sp.log(1 + a),
    "expm1": lambda a: sp.exp(a) - 1,
    "square": lambda a: a**2,
    "power": lambda a, b: a**b,
    "pow": lambda a, b: a**b,
}
_MATH_MODULES = ("numpy", "math")


class SymbolicError(ValueError):
    """An expression uses a construct that has no symbolic translation."""


def _function_name(node: ast.expr, modules: Mapping[str, str], imports: Mapping[str, tuple]) -> str:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if modules.get(node.value.id) in _MATH_MODULES:
            return node.attr
    if isinstance(node, ast.Name):
        if node.id == "abs":
            return "abs"
        if node.id in imports and imports[node.id][0] in _MATH_MODULES:
            return imports[node.id][1]
    raise SymbolicError(f"unsupported function `{ast.unparse(node)}`")


def expr_to_sympy(
    node: ast.expr,
    env: Mapping[str, sp.Expr],
    modules: Mapping[str, str] | None = None,
    imports: Mapping[str, tuple] | None = None,
) -> sp.Expr:
    """Translate one expression AST into SymPy.

    Parameters
    ----------
    node : ast.expr
        The expression.
    env : mapping
        Name -> SymPy expression (symbols for arguments and parameters,
        expressions for intermediate variables).
    modules, imports : mapping, optional
        Which names are NumPy/math modules or imported functions.

    Raises
    ------
    SymbolicError
        For any construct outside arithmetic and the supported functions.
    """
    modules = modules or {}
    imports = imports or {}

    def tr(n: ast.expr) -> sp.Expr:
        if isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool):
            # Floats become the exact rational of their shortest repr (0.07 -> 7/100),
            # so printing the derivative back loses no digits.
            if isinstance(n.value, float):
                if n.value != n.value or n.value in (float("inf"), float("-inf")):
                    raise SymbolicError("non-finite constant")
                return sp.Rational(repr(n.value))
            return sp.Integer(n.value)
        if isinstance(n, ast.Name):
            if n.id not in env:
                raise SymbolicError(f"unknown name `{n.id}`")
            return env[n.id]
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub | ast.UAdd):
            value = tr(n.operand)
            return -value if isinstance(n.op, ast.USub) else value
        if isinstance(n, ast.BinOp):
            left, right = tr(n.left), tr(n.right)
            ops = {
                ast.Add: sp.Add,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: sp.Mul,
                ast.Div: lambda a, b: a / b,
                ast.Pow: lambda a, b: a**b,
            }
            for op_type, make in ops.items():
                if isinstance(n.op, op_type):
                    return make(left, right)
            raise SymbolicError(f"unsupported operator in `{ast.unparse(n)}`")
        if isinstance(n, ast.Call) and not n.keywords:
            name = _function_name(n.func, modules, imports)
            if name not in _FUNCTIONS:
                raise SymbolicError(f"unsupported function `{name}`")
            return _FUNCTIONS[name](*[tr(a) for a in n.args])
        raise SymbolicError(f"unsupported expression `{ast.unparse(n)}`")

    return tr(node)


def function_to_sympy(
    body: list[ast.stmt],
    result: ast.expr,
    symbols: Mapping[str, sp.Symbol],
    modules: Mapping[str, str] | None = None,
    imports: Mapping[str, tuple] | None = None,
) -> sp.Expr:
    """Translate straight-line code ending in an expression into one SymPy expression.

    Each assignment ``a = <expr>`` is substituted into what follows, so the
    result depends only on ``symbols``.

    Parameters
    ----------
    body : list of ast.stmt
        Assignments (``a = ...``) executed before ``result``.
    result : ast.expr
        The expression to translate.
    symbols : mapping
        Symbols for the free inputs (arguments and parameters).
    modules, imports : mapping, optional
        See :func:`expr_to_sympy`.
    """
    env: dict[str, sp.Expr] = dict(symbols)
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            env[stmt.targets[0].id] = expr_to_sympy(stmt.value, env, modules, imports)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            combined = ast.BinOp(left=ast.Name(stmt.target.id, ast.Load()), op=stmt.op, right=stmt.value)
            env[stmt.target.id] = expr_to_sympy(combined, env, modules, imports)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring
        else:
            raise SymbolicError(f"unsupported statement `{ast.unparse(stmt).splitlines()[0]}`")
    return expr_to_sympy(result, env, modules, imports)


class _Printer(NumPyPrinter):
    """NumPy code printer that refers to NumPy as ``_np`` (the generated code's alias)."""

    def _module_format(self, fqn: str, register: bool = True) -> str:
        return super()._module_format(fqn, register).replace("numpy.", "_np.")

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        # Integer powers as integer literals: Numba expands `x ** 3` into
        # multiplications, while `x ** (-3.0)` calls pow(), about 20 ns each.
        base, exponent = expr.as_base_exp()
        if exponent.is_Integer and exponent != 0:
            text = self.parenthesize(base, PRECEDENCE["Pow"], strict=True)
            if abs(int(exponent)) != 1:
                text = f"{text} ** {abs(int(exponent))}"
            return text if exponent > 0 else f"(1.0 / {text})"
        return super()._print_Pow(expr, rational=rational)


def sympy_to_code(expr: sp.Expr, result_name: str = "_res") -> list[str]:
    """Return Python lines computing ``expr`` into ``result_name``.

    Common subexpressions are hoisted into temporaries ``_cse0``, ``_cse1``, ...
    """
    printer = _Printer({"fully_qualified_modules": True})
    replacements, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("_cse"))
    lines = [f"{sym} = {printer.doprint(value)}" for sym, value in replacements]
    lines.append(f"{result_name} = {printer.doprint(reduced)}")
    return lines
