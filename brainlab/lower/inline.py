"""Inline generated integrator calls into a scalar-mode loop body.

An integrator call such as ``s = i3_int_s(ST[0, _obj_i], _t, T, alpha, beta, _dt)``
hides the arithmetic of the step (its derivative function, its linear part for
exponential Euler, the method's update lines) inside other functions. Numba
and LLVM inline them when compiling, but brainlab's own passes only see the
call, and :mod:`brainlab.lower.hoist` needs to see, for example, that the
``exprel(dt * A)`` of exponential Euler depends on the presynaptic neuron only.

A call is inlined when it is the whole value of a top-level assignment
``name = f(args)`` and ``f`` is a generated function whose body is
straight-line: assignments to names followed by one ``return <expression>``.
Its arguments are bound to fresh names, its locals renamed apart
(``_il<k>_<name>``), and its returned expression assigned to ``name``. Calls
inside the inlined code are inlined the same way, up to ``MAX_DEPTH`` levels.
Inlined statements carry the location of the call, so an error in them points
at the user's line that called the integrator.
"""

from __future__ import annotations

import ast
import copy

__all__ = ["MAX_DEPTH", "RenameNames", "inline_calls"]

MAX_DEPTH = 4


def _simple(func: ast.FunctionDef) -> bool:
    """Straight-line: ``name = expr`` statements, then ``return expr`` (not a tuple)."""
    *body, last = func.body
    if not isinstance(last, ast.Return) or last.value is None or isinstance(last.value, ast.Tuple):
        return False
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return False
    calls_star = any(isinstance(n, ast.Starred | ast.Lambda | ast.NamedExpr) for n in ast.walk(func))
    return not calls_star and not func.args.vararg and not func.args.kwarg and not func.args.kwonlyargs


class RenameNames(ast.NodeTransformer):
    """Rename the names in ``mapping`` (loads and stores); other names stay."""

    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.AST:
        """Return the renamed name (or the name itself)."""
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(id=self.mapping[node.id], ctx=node.ctx), node)
        return node


class _Inliner:
    def __init__(self, functions: dict[str, ast.FunctionDef]):
        self.functions = {name: f for name, f in functions.items() if _simple(f)}
        self.counter = 0

    def expand(self, stmt: ast.stmt, depth: int) -> list[ast.stmt]:
        call = stmt.value if isinstance(stmt, ast.Assign) else None
        if (
            depth >= MAX_DEPTH
            or not isinstance(call, ast.Call)
            or not isinstance(call.func, ast.Name)
            or call.func.id not in self.functions
            or call.keywords
            or len(stmt.targets) != 1
        ):
            return [stmt]
        func = self.functions[call.func.id]
        params = [a.arg for a in func.args.args]
        if len(params) != len(call.args):
            return [stmt]
        prefix = f"_il{self.counter}_"
        self.counter += 1
        local_names = set(params) | {t.id for s in func.body[:-1] for t in s.targets}
        rename = RenameNames({name: prefix + name for name in local_names})
        out: list[ast.stmt] = []
        for name, arg in zip(params, call.args, strict=True):
            out.append(ast.Assign(targets=[ast.Name(id=prefix + name, ctx=ast.Store())], value=copy.deepcopy(arg)))
        for inner in func.body[:-1]:
            out += self.expand(rename.visit(copy.deepcopy(inner)), depth + 1)
        result = rename.visit(copy.deepcopy(func.body[-1].value))
        out += self.expand(ast.Assign(targets=stmt.targets, value=result), depth + 1)
        for new in out:
            for node in ast.walk(new):
                if isinstance(node, ast.stmt | ast.expr):
                    ast.copy_location(node, stmt)
        return out


def inline_calls(body: list[ast.stmt], functions: dict[str, ast.FunctionDef]) -> list[ast.stmt]:
    """Return ``body`` with top-level ``name = f(...)`` calls of ``functions`` inlined (see the module docstring)."""
    inliner = _Inliner(functions)
    if not inliner.functions:
        return body
    out: list[ast.stmt] = []
    for stmt in body:
        out += inliner.expand(stmt, 0)
    return out
