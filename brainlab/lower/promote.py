"""Keep the state of the current element in local variables for one loop iteration.

In a scalar-mode loop the step function reads and writes ``ST[row, _obj_i]``.
All rows are one array, so after each store LLVM must assume that the next
load of another row may see it (the row stride is only known at run time): it
reloads values and cannot keep them in registers. The element of one iteration
is private to that iteration, so this pass loads every row the body uses once
at the top, works on locals, and stores the rows it writes once at the end::

    _ST0 = ST[0, _obj_i]
    _ST3 = ST[3, _obj_i]
    ... body on _ST0, _ST3 ...
    ST[0, _obj_i] = _ST0
    ST[3, _obj_i] = _ST3

It applies only when that is certainly equivalent: every use of the state is
``ST[<int>, <element>]`` with the same element variable, and nothing can leave
the iteration early (``continue``, ``break``, ``return``), which would skip the
stores.
"""

from __future__ import annotations

import ast

__all__ = ["promote_state", "row_access"]


def row_access(node: ast.AST, state: str, element: str) -> int | None:
    """Return the row of ``state[row, element]``, or None for any other subscript."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == state):
        return None
    index = node.slice
    if (
        isinstance(index, ast.Tuple)
        and len(index.elts) == 2
        and isinstance(index.elts[0], ast.Constant)
        and type(index.elts[0].value) is int
        and isinstance(index.elts[1], ast.Name)
        and index.elts[1].id == element
    ):
        return index.elts[0].value
    return None


class _Replace(ast.NodeTransformer):
    def __init__(self, state: str, element: str, rows: set[int]):
        self.state, self.element, self.rows = state, element, rows
        self.read: set[int] = set()
        self.written: set[int] = set()

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        row = row_access(node, self.state, self.element)
        if row is None or row not in self.rows:
            self.generic_visit(node)
            return node
        (self.written if isinstance(node.ctx, ast.Store) else self.read).add(row)
        return ast.copy_location(ast.Name(id=f"_{self.state}{row}", ctx=node.ctx), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        row = row_access(node.target, self.state, self.element)
        if row is not None and row in self.rows:
            self.read.add(row)  # `x += 1` reads x
        self.generic_visit(node)
        return node


def _all_rows(body: list[ast.stmt], state: str, element: str) -> set[int]:
    module = ast.Module(body=body, type_ignores=[])
    return {r for n in ast.walk(module) if (r := row_access(n, state, element)) is not None}


def _written_rows(stmt: ast.stmt, state: str, element: str, *, top_level: bool) -> set[int]:
    """Rows ``stmt`` writes: directly (``top_level``) or inside a compound statement."""
    if isinstance(stmt, ast.Assign | ast.AugAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        direct = {r for t in targets if (r := row_access(t, state, element)) is not None}
        return direct if top_level else set()
    if top_level:
        return set()
    return {
        r
        for n in ast.walk(stmt)
        if isinstance(n, ast.Subscript)
        and isinstance(n.ctx, ast.Store)
        and (r := row_access(n, state, element)) is not None
    }


def _eligible(body: list[ast.stmt], state: str, element: str) -> bool:
    module = ast.Module(body=body, type_ignores=[])
    if any(isinstance(n, ast.Continue | ast.Break | ast.Return) for n in ast.walk(module)):
        return False
    allowed = {id(n.value) for n in ast.walk(module) if row_access(n, state, element) is not None}
    uses = [n for n in ast.walk(module) if isinstance(n, ast.Name) and n.id == state]
    if not uses or any(id(n) not in allowed for n in uses):
        return False
    # The element variable must not change inside the body.
    return not any(
        isinstance(n, ast.Name) and n.id == element and isinstance(n.ctx, ast.Store) for n in ast.walk(module)
    )


def _overwritten_first(body: list[ast.stmt], local: str) -> set[str] | tuple[()]:
    """Return ``{local}`` if a top-level ``local = <value not reading it>`` comes before any read of it."""
    for stmt in body:
        reads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == local
        ):
            return () if local in reads else {local}
        if local in reads or local in {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}:
            return ()
    return ()


def promote_state(body: list[ast.stmt], state: str = "ST", element: str = "_obj_i") -> list[ast.stmt]:
    """Return ``body`` with ``state[row, element]`` kept in locals (see the module docstring).

    The body is returned unchanged when the rewrite is not certainly equivalent.
    """
    if not _eligible(body, state, element):
        return body
    # Rows written inside compound statements (the conditional stores of
    # if-conversion, the user's own ifs) keep those stores: a masked store
    # leaves the elements that do not change untouched. Their reads before the
    # first such store use the local; a row also written at the top level
    # stays in memory altogether.
    top = {r for stmt in body for r in _written_rows(stmt, state, element, top_level=True)}
    first_nested: dict[int, int] = {}
    for k, stmt in enumerate(body):
        for r in _written_rows(stmt, state, element, top_level=False):
            first_nested.setdefault(r, k)
    everywhere = {r for r in _all_rows(body, state, element) if r not in first_nested}
    read: set[int] = set()
    written: set[int] = set()
    new_body = []
    for k, stmt in enumerate(body):
        rows = everywhere | {r for r, first in first_nested.items() if k < first and r not in top}
        replacer = _Replace(state, element, rows)
        new_body.append(replacer.visit(stmt))
        read |= replacer.read
        written |= replacer.written
    used = sorted(read | written)
    anchor = body[0]

    def access(row: int, ctx: ast.expr_context) -> ast.Subscript:
        index = ast.Tuple(elts=[ast.Constant(row), ast.Name(id=element, ctx=ast.Load())], ctx=ast.Load())
        return ast.Subscript(value=ast.Name(id=state, ctx=ast.Load()), slice=index, ctx=ctx)

    # A row is loaded unless the body starts by overwriting it unconditionally
    # (``ST['spike'] = 0.0``): a write under a condition keeps the old value,
    # so it needs the load.
    loads = [
        ast.copy_location(
            ast.Assign(targets=[ast.Name(id=f"_{state}{r}", ctx=ast.Store())], value=access(r, ast.Load())), anchor
        )
        for r in used
        if f"_{state}{r}" not in _overwritten_first(new_body, f"_{state}{r}")
    ]
    stores = [
        ast.copy_location(
            ast.Assign(targets=[access(r, ast.Store())], value=ast.Name(id=f"_{state}{r}", ctx=ast.Load())), anchor
        )
        for r in sorted(written)
    ]
    return [*loads, *new_body, *stores]
