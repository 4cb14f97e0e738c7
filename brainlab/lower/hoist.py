"""Compute once per presynaptic neuron what a per-synapse loop computes once per synapse.

In a scalar-mode synapse, work that depends only on the presynaptic neuron
(and on parameters and time) gives the same value for every synapse leaving
that neuron. The seed's GABA-A synapse computes a sigmoid of ``pre['V']`` and,
inside exponential Euler, ``exprel(dt * A)`` with ``A`` a function of it: two
transcendental functions per synapse and step, for 100 different values. This
pass moves such work into a loop over presynaptic neurons before the synapse
loop and reads the results from small arrays::

    for _p in range(_n_pre):            # once per presynaptic neuron
        T = 1 / (1 + exp(-(pre[0, _p] - V_th) / 2))
        _hv0[_p] = T
        _hv1[_p] = _dt * _exprel(_dt * (-alpha * T - beta))
    for _obj_i in range(_num):          # once per synapse, as before
        _pre_i = _pre_ids[_obj_i]
        T = _hv0[_pre_i]
        ...  _hv1[_pre_i] ...

A value is *presynaptic* when it is built from ``pre[<row>, _pre_i]``,
parameters, ``_t``, ``_dt``, numbers and other presynaptic values with pure,
fault-free operations (the rules of :mod:`brainlab.lower.ifconvert`), and uses
``_pre_i``. Whole assignments ``name = <presynaptic>`` move to the prologue;
inside other statements, the largest presynaptic sub-expressions that contain
a function call are moved. Nothing is hoisted when the step writes to ``pre``
or ``post`` (which may be the same array as ``pre``), when a name is assigned
twice, or when the body leaves an iteration early.
"""

from __future__ import annotations

import ast
import copy
import dataclasses

from brainlab.lower.ifconvert import IfConversion, is_safe_expression
from brainlab.lower.inline import RenameNames
from brainlab.lower.promote import row_access

__all__ = ["Hoisting", "hoist_presynaptic"]

_PRE, _ELEM = "pre", "_pre_i"


@dataclasses.dataclass(frozen=True)
class Hoisting:
    """What the pass may assume: the pure-call rules and the loop-invariant names.

    Attributes
    ----------
    purity : IfConversion
        Which calls and names are pure (shared with if-conversion).
    invariant : frozenset of str
        Names that do not change during the loop (parameters that hold one
        value, ``_t``, ``_dt``, module aliases).
    """

    purity: IfConversion
    invariant: frozenset[str]


class _Analysis:
    def __init__(self, rules: Hoisting):
        self.rules = rules
        self.presynaptic: set[str] = set()  # local names holding presynaptic values
        self.constant: set[str] = set()  # local names holding loop-invariant values (`_a = alpha`)

    def names_ok(self, node: ast.expr) -> bool:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id not in (_PRE, _ELEM) and n.id not in self.presynaptic:
                if n.id not in self.rules.invariant and n.id not in self.constant and not self._is_callee(node, n):
                    return False
            if isinstance(n, ast.Subscript) and row_access(n, _PRE, _ELEM) is None:
                return False
        return True

    @staticmethod
    def _is_callee(root: ast.expr, name: ast.Name) -> bool:
        return any(isinstance(c, ast.Call) and c.func is name for c in ast.walk(root))

    def _pure(self, node: ast.expr) -> bool:
        return is_safe_expression(node, self.rules.purity) and self.names_ok(node)

    def depends_on_pre(self, node: ast.expr) -> bool:
        return any(isinstance(n, ast.Name) and (n.id == _ELEM or n.id in self.presynaptic) for n in ast.walk(node))

    def is_presynaptic(self, node: ast.expr) -> bool:
        return self._pure(node) and self.depends_on_pre(node)

    def is_constant(self, node: ast.expr) -> bool:
        return self._pure(node) and not self.depends_on_pre(node)


def _eligible(body: list[ast.stmt]) -> bool:
    module = ast.Module(body=body, type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, ast.Continue | ast.Break | ast.Return):
            return False
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in (_PRE, "post"):
                return False
        if isinstance(node, ast.Name) and node.id in (_PRE, "post") and isinstance(node.ctx, ast.Store):
            return False
    return True


def _assigned_once(body: list[ast.stmt]) -> set[str]:
    counts: dict[str, int] = {}
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return {name for name, count in counts.items() if count == 1}


class _SubExpressions(ast.NodeTransformer):
    """Replace the largest presynaptic sub-expressions with a call inside by array reads."""

    def __init__(self, analysis: _Analysis, new_array):
        self.analysis = analysis
        self.new_array = new_array

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.expr) and not isinstance(node, ast.Name | ast.Constant):
            has_call = any(isinstance(n, ast.Call) for n in ast.walk(node))
            if has_call and self.analysis.is_presynaptic(node):
                return self.new_array(node)
        return super().generic_visit(node)


def _subscript(array: str, index: str, ctx: ast.expr_context) -> ast.Subscript:
    return ast.Subscript(value=ast.Name(id=array, ctx=ast.Load()), slice=ast.Name(id=index, ctx=ast.Load()), ctx=ctx)


def hoist_presynaptic(body: list[ast.stmt], rules: Hoisting) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """Split a per-synapse loop body into a per-presynaptic-neuron prologue and a new body.

    Returns
    -------
    prologue : list of ast.stmt
        Statements to run before the synapse loop (empty when nothing is hoisted).
    body : list of ast.stmt
        The loop body reading the hoisted values.
    """
    if not _eligible(body):
        return [], body
    analysis = _Analysis(rules)
    once = _assigned_once(body)
    prologue_stmts: list[ast.stmt] = []  # per-neuron computations, in order
    arrays: list[str] = []
    array_of: dict[str, str] = {}  # presynaptic name -> the array holding it
    new_body: list[ast.stmt] = []

    def new_array(value: ast.expr) -> ast.Subscript:
        name = f"_hv{len(arrays)}"
        arrays.append(name)
        store = ast.Assign(targets=[_subscript(name, "_p", ast.Store())], value=copy.deepcopy(value))
        prologue_stmts.append(ast.copy_location(store, value))
        return ast.copy_location(_subscript(name, _ELEM, ast.Load()), value)

    for stmt in body:
        single = (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id in once
        )
        if single and analysis.is_constant(stmt.value):
            # Loop-invariant (`_il0_alpha = alpha`): computed in both places.
            analysis.constant.add(stmt.targets[0].id)
            prologue_stmts.append(copy.deepcopy(stmt))
            new_body.append(stmt)
            continue
        if single and analysis.is_presynaptic(stmt.value):
            name = stmt.targets[0].id
            prologue_stmts.append(stmt)
            analysis.presynaptic.add(name)
            # The body reads it back (LLVM drops the read if nothing uses it);
            # a copy of a hoisted name reads the same array.
            value = stmt.value
            if isinstance(value, ast.Name) and value.id in array_of:
                array_of[name] = array_of[value.id]
                read = _subscript(array_of[name], _ELEM, ast.Load())
            else:
                read = new_array(ast.Name(id=name, ctx=ast.Load()))
                array_of[name] = read.value.id
            new_body.append(
                ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=read), stmt)
            )
            continue
        new_body.append(_SubExpressions(analysis, new_array).visit(stmt))
    if not arrays:
        return [], body

    # Presynaptic names become per-neuron scalars in the prologue: `_pre_i` -> `_p`.
    loop_body = [RenameNames({_ELEM: "_p"}).visit(s) for s in prologue_stmts]
    anchor = body[0]
    size = ast.parse(f"{_PRE}.shape[1]", mode="eval").body
    prologue: list[ast.stmt] = [ast.Assign(targets=[ast.Name(id="_n_pre", ctx=ast.Store())], value=size)]
    for name in arrays:
        alloc = ast.parse("_np.empty(_n_pre)", mode="eval").body
        prologue.append(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=alloc))
    prologue.append(
        ast.For(
            target=ast.Name(id="_p", ctx=ast.Store()),
            iter=ast.parse("range(_n_pre)", mode="eval").body,
            body=loop_body,
            orelse=[],
        )
    )
    for stmt in prologue:
        ast.copy_location(stmt, anchor)
    return prologue, new_body
