"""If-conversion: turn small ``if`` statements of scalar-mode loops into branch-free code.

A scalar-mode step function is wrapped in a loop over elements. A branch in
that loop (refractoriness, threshold and reset) stops LLVM from vectorising it,
although both sides are a handful of arithmetic operations. This pass rewrites

.. code-block:: python

    if V > V_th:
        V = V_reset
        ST[3, _obj_i] = 1.0

into predicated assignments that LLVM turns into vector selects, and
conditional stores of state elements that it turns into masked stores::

    _if0 = V > V_th
    V = V_reset if _if0 else V
    if _if0:
        ST[3, _obj_i] = 1.0

Both sides are then always evaluated, so an ``if`` is converted only when that
is harmless and cheap:

* its branches hold only assignments (``=``, ``+=``, ...) to local names or to
  state elements of the current loop element, ``pass`` and nested ``if``
  statements of the same kind;
* every expression is side-effect free and cannot fault: names, numbers,
  arithmetic (floating division by zero gives inf/nan under Numba's ``numpy``
  error model, and the select discards it), comparisons, element reads indexed
  by constants or loop variables, and calls of a fixed set of math functions and
  of deterministic integrators (a stochastic one would draw random numbers
  that the original code does not draw);
* the statement is small (``MAX_NODES``), so evaluating both sides costs little;
* every name it assigns is either certainly defined before it or certainly not
  (a name defined on only some earlier paths is left alone).

Semantics are those of the original code: an assignment under a false
predicate keeps the old value, and values computed under a false predicate are
never stored. Only local names get unconditional evaluation; a state element's
new value is computed inside its conditional store.
"""

from __future__ import annotations

import ast
import copy
import dataclasses

__all__ = ["MAX_NODES", "PURE_MATH", "IfConversion", "if_convert", "is_safe_expression", "math_names"]

# Larger statements keep their branch: evaluating both sides would cost more than it saves.
MAX_NODES = 400

# Math functions without side effects that may be evaluated unconditionally.
PURE_MATH = frozenset(
    {
        "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "sin", "cos", "tan",
        "arcsin", "arccos", "arctan", "arctan2", "asin", "acos", "atan", "atan2", "sinh", "cosh",
        "tanh", "arctanh", "arcsinh", "arccosh", "fabs", "abs", "absolute", "floor", "ceil",
        "minimum", "maximum", "fmin", "fmax", "power", "pow", "sign", "clip", "where", "heaviside",
        "square", "hypot", "copysign", "trunc", "rint", "isnan", "isfinite", "isinf",
    }
)  # fmt: skip
_PURE_BUILTINS = frozenset({"abs", "min", "max", "float", "int", "bool", "round"})
_MATH_MODULES = frozenset({"numpy", "math"})


@dataclasses.dataclass(frozen=True)
class IfConversion:
    """What the pass may assume about one loop body.

    Attributes
    ----------
    defined : frozenset of str
        Names defined before the body runs (function arguments, the loop variable).
    element_vars : frozenset of str
        Loop variables that index the current element (always in bounds).
    pure_calls : frozenset of str
        Plain function names that may be called unconditionally (deterministic integrators).
    math_modules : frozenset of str
        Names bound to ``numpy`` or ``math`` in the function.
    math_imports : frozenset of str
        Names bound to pure math functions (``from numpy import exp``).
    """

    defined: frozenset[str]
    element_vars: frozenset[str]
    pure_calls: frozenset[str]
    math_modules: frozenset[str] = frozenset()
    math_imports: frozenset[str] = frozenset()


def math_names(modules: dict[str, str], imports: dict[str, tuple[str, str]]) -> tuple[frozenset, frozenset]:
    """Return the module aliases and imported names of pure math functions among a function's free names."""
    aliases = frozenset(a for a, m in modules.items() if m in _MATH_MODULES)
    functions = frozenset(a for a, (m, n) in imports.items() if m in _MATH_MODULES and n in PURE_MATH)
    return aliases, functions


class _Unsafe(Exception):
    """The statement cannot be converted."""


class _Converter:
    def __init__(self, ctx: IfConversion):
        self.ctx = ctx
        self.counter = 0
        self.maybe: set[str] = set()  # names defined on some earlier paths only: never read them
        self.stored: set[str] = set()  # state elements written unconditionally so far (`ST[3, _obj_i]`)

    # --- checks ---------------------------------------------------------------------
    def _index_ok(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Tuple):
            return all(self._index_ok(e) for e in node.elts)
        if isinstance(node, ast.Constant):
            return isinstance(node.value, int) and not isinstance(node.value, bool)
        return isinstance(node, ast.Name) and node.id in self.ctx.element_vars

    def _element(self, node: ast.expr) -> bool:
        """``name[const/loop var, ...]``: an element that exists whatever the predicate."""
        return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and self._index_ok(node.slice)

    def _callee_ok(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.ctx.pure_calls or func.id in self.ctx.math_imports or func.id in _PURE_BUILTINS
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.ctx.math_modules
            and func.attr in PURE_MATH
        )

    def check_expr(self, node: ast.expr) -> None:
        """Raise _Unsafe unless ``node`` may be evaluated whatever the predicate."""
        if isinstance(node, ast.Name):
            if node.id in self.maybe:
                raise _Unsafe
            return
        if isinstance(node, ast.Constant):
            return
        if isinstance(node, ast.Attribute):  # np.pi, np.inf
            if isinstance(node.value, ast.Name) and node.value.id in self.ctx.math_modules:
                return
            raise _Unsafe
        if isinstance(node, ast.Subscript):
            if not self._element(node):
                raise _Unsafe
            return
        if isinstance(node, ast.Call):
            if node.keywords or not self._callee_ok(node.func):
                raise _Unsafe
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    raise _Unsafe
                self.check_expr(arg)
            return
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Compare | ast.BoolOp | ast.IfExp):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.check_expr(child)
            return
        raise _Unsafe

    # --- conversion ---------------------------------------------------------------
    def fresh(self) -> str:
        name = f"_if{self.counter}"
        self.counter += 1
        return name

    def predicated(self, stmts: list[ast.stmt], pred: str, defined: set[str], maybe: set[str]) -> list[ast.stmt]:
        """Rewrite ``stmts`` to run unconditionally, with effects only where ``pred`` holds."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                continue
            if isinstance(stmt, ast.If):
                out += self.convert_if(stmt, pred, defined, maybe)
                continue
            if isinstance(stmt, ast.AugAssign):
                target = stmt.target
                value: ast.expr = ast.BinOp(left=_load(target), op=stmt.op, right=stmt.value)
                if isinstance(target, ast.Name) and target.id not in defined:
                    raise _Unsafe  # `x += 1` of an undefined x: leave the error to the original code
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            else:
                raise _Unsafe
            self.check_expr(value)
            if isinstance(target, ast.Name):
                if target.id in maybe:
                    raise _Unsafe
                if target.id not in defined:
                    # First definition: unconditional. Code after the `if` may only read
                    # it where the predicate held (anything else is a NameError in Python).
                    out.append(ast.copy_location(ast.Assign(targets=[target], value=value), stmt))
                    defined.add(target.id)
                    continue
            elif self._element(target) and ast.unparse(target) in self.stored:
                pass  # the element was written unconditionally already: a select (kept in a register)
            elif self._element(target):
                # A state element: a conditional store, with the value computed
                # inside it. LLVM vectorises it with masked loads and stores, so
                # rows that rarely change (refractory clocks, spike counters)
                # are neither read nor written on the other elements.
                store = ast.copy_location(ast.Assign(targets=[_store(target)], value=value), stmt)
                out.append(ast.copy_location(ast.If(test=_name(pred), body=[store], orelse=[]), stmt))
                continue
            else:
                raise _Unsafe
            if not isinstance(value, ast.Name | ast.Constant):
                # Computed unconditionally in its own statement: inside the
                # conditional expression Numba would branch around it.
                temp = self.fresh()
                out.append(_assign(temp, value, stmt))
                value = ast.Name(id=temp, ctx=ast.Load())
            select = ast.IfExp(test=ast.Name(id=pred, ctx=ast.Load()), body=value, orelse=_load(target))
            out.append(ast.copy_location(ast.Assign(targets=[_store(target)], value=select), stmt))
        return out

    def convert_if(self, node: ast.If, pred: str | None, defined: set[str], maybe: set[str]) -> list[ast.stmt]:
        self.check_expr(node.test)
        test = self.fresh()
        condition = node.test if _is_bool(node.test) else ast.Call(func=_name("bool"), args=[node.test], keywords=[])
        out = [_assign(test, condition, node)]
        then = test
        if pred is not None:
            # `&` of two booleans, not `and`: Numba lowers `and` to branches.
            then = self.fresh()
            out.append(_assign(then, ast.BinOp(left=_name(pred), op=ast.BitAnd(), right=_name(test)), node))
        out += self.predicated(node.body, then, defined, maybe)
        if node.orelse:
            other = self.fresh()
            negated: ast.expr = ast.UnaryOp(op=ast.Not(), operand=_name(test))
            if pred is not None:
                negated = ast.BinOp(left=_name(pred), op=ast.BitAnd(), right=negated)
            out.append(_assign(other, negated, node))
            out += self.predicated(node.orelse, other, defined, maybe)
        return out


def _name(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _is_bool(node: ast.expr) -> bool:
    """Whether ``node`` certainly evaluates to a boolean (so ``&`` and ``not`` act logically)."""
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    return isinstance(node, ast.BoolOp) and all(_is_bool(v) for v in node.values)


def _copy(target: ast.expr, ctx: ast.expr_context) -> ast.expr:
    """Return a copy of an assignment target, read (``Load``) or written (``Store``)."""
    clone = copy.deepcopy(target)
    clone.ctx = ctx  # only the outer node: the indices of a subscript are loads already
    return clone


def _load(target: ast.expr) -> ast.expr:
    return _copy(target, ast.Load())


def _store(target: ast.expr) -> ast.expr:
    return _copy(target, ast.Store())


def _assign(name: str, value: ast.expr, where: ast.AST) -> ast.Assign:
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value), where)


def _assigned_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def is_safe_expression(node: ast.expr, ctx: IfConversion) -> bool:
    """Return whether ``node`` may be evaluated unconditionally: pure and fault-free (the rules above)."""
    try:
        _Converter(ctx).check_expr(node)
    except _Unsafe:
        return False
    return True


def if_convert(body: list[ast.stmt], ctx: IfConversion) -> list[ast.stmt]:
    """Return ``body`` with every convertible top-level ``if`` made branch-free (see the module docstring)."""
    converter = _Converter(ctx)
    defined = set(ctx.defined) | set(ctx.element_vars)
    maybe: set[str] = set()  # assigned on some paths only
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.If) and sum(1 for _ in ast.walk(stmt)) <= MAX_NODES:
            trial_defined, trial_maybe = set(defined), set(maybe)
            converter.maybe = trial_maybe
            saved = converter.counter
            try:
                converted = converter.convert_if(stmt, None, trial_defined, trial_maybe)
            except _Unsafe:
                converter.counter = saved
            else:
                out += converted
                defined, maybe = trial_defined, trial_maybe
                continue
        out.append(stmt)
        if isinstance(stmt, ast.Assign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            converter.stored |= {ast.unparse(t) for t in targets if isinstance(t, ast.Subscript)}
        names = _assigned_names(stmt)
        if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign):
            defined |= names
        else:
            maybe |= names - defined
    return out
