"""Decide whether a vector-mode step function is purely elementwise, so it can run as a scalar loop.

Vector-mode code such as the seed's Hodgkin–Huxley neuron::

    V = int_V(ST['V'], _t, ST['h'], ST['n'], ST['input'])
    ST['spike'] = np.logical_and(ST['V'] < V_th, V >= V_th)
    ST['V'] = V

computes every element independently. Numba compiles such code into one
temporary array per operation, and compiling the array expressions (with
their broadcasting checks) is slow: several seconds for a large model. When a
function is *purely elementwise* it means exactly the same as the scalar-mode
function applied to each element in turn, and brainlab compiles it that way
(one loop, no temporaries, a fraction of the compile time; the loop is then
if-converted and vectorised by LLVM like any scalar-mode loop).

A function is purely elementwise when its body holds only assignments, and its
expressions only names, numbers, arithmetic, comparisons, ``ST['field']``
reads, calls of elementwise NumPy/math functions and of integrators whose
derivative functions are themselves purely elementwise. Any loop, branch,
subscript other than ``ST['field']``, reduction (``np.sum``), attribute
access, data argument or non-elementwise parameter keeps vector mode. The
check errs on the side of "no": a function it rejects still runs, as vector
code.
"""

from __future__ import annotations

import ast

__all__ = ["ELEMENTWISE_FUNCTIONS", "is_elementwise"]

# NumPy/math functions that map scalars to scalars in Numba and act elementwise on arrays.
ELEMENTWISE_FUNCTIONS = frozenset(
    {
        "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "sin", "cos", "tan",
        "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
        "abs", "absolute", "fabs", "floor", "ceil", "trunc", "rint", "square", "sign",
        "minimum", "maximum", "fmin", "fmax", "power", "hypot", "arctan2", "copysign",
        "logical_and", "logical_or", "logical_not", "logical_xor", "isnan", "isfinite", "isinf",
        "heaviside",
    }
)  # fmt: skip


def _expr_ok(node: ast.expr, modules: frozenset[str], calls: frozenset[str], state: str) -> bool:
    if isinstance(node, ast.Name | ast.Constant):
        return not (isinstance(node, ast.Name) and node.id == state)
    if isinstance(node, ast.Subscript):
        # ST['field'] only; the field name is checked by the rewriter.
        return (
            isinstance(node.value, ast.Name)
            and node.value.id == state
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        )
    if isinstance(node, ast.Call):
        func = node.func
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return False
        if isinstance(func, ast.Name):
            ok = func.id in calls
        else:
            ok = (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in modules
                and func.attr in ELEMENTWISE_FUNCTIONS
            )
        return ok and all(_expr_ok(a, modules, calls, state) for a in node.args)
    if isinstance(node, ast.BinOp):
        return _expr_ok(node.left, modules, calls, state) and _expr_ok(node.right, modules, calls, state)
    if isinstance(node, ast.UnaryOp):
        return not isinstance(node.op, ast.Not) and _expr_ok(node.operand, modules, calls, state)
    if isinstance(node, ast.Compare):
        return len(node.ops) == 1 and all(_expr_ok(e, modules, calls, state) for e in (node.left, *node.comparators))
    # `and`/`or`/`not`, conditional expressions, attributes, tuples, ...: arrays and
    # scalars behave differently (or the value is not one number per element).
    return False


def _target_ok(node: ast.expr, state: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id != state
    return isinstance(node, ast.Subscript) and _expr_ok(node, frozenset(), frozenset(), state)


def is_elementwise(
    tree: ast.FunctionDef,
    *,
    numpy_modules: frozenset[str],
    elementwise_calls: frozenset[str],
    state: str = "ST",
    results: bool = False,
) -> bool:
    """Return whether a function computes each element independently (see the module docstring).

    Parameters
    ----------
    tree : ast.FunctionDef
        The user's function (a step function, or a derivative function).
    numpy_modules : frozenset of str
        Names bound to ``numpy`` or ``math`` in it.
    elementwise_calls : frozenset of str
        Plain names it may call (integrators already known to be elementwise).
    state : str
        The name of the state argument.
    results : bool
        Allow ``return`` of expressions and tuples of expressions (derivative functions).
    """
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not _target_ok(stmt.targets[0], state):
                return False
            value = stmt.value
        elif isinstance(stmt, ast.AugAssign):
            if not _target_ok(stmt.target, state):
                return False
            value = stmt.value
        elif isinstance(stmt, ast.Return) and results and stmt.value is not None:
            values = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
            flat = []
            for v in values:  # `(f, g), extra, ...` forms of derivative functions
                flat += v.elts if isinstance(v, ast.Tuple) else [v]
            if not all(_expr_ok(v, numpy_modules, elementwise_calls, state) for v in flat):
                return False
            continue
        else:
            return False
        if not _expr_ok(value, numpy_modules, elementwise_calls, state):
            return False
    return True
