"""Rewrite a step function's AST into a function over flat arrays.

``ST['V']`` becomes a row of the state array (``ST[0]``, or ``ST[0, _obj_i]``
in scalar mode), ``pre['spike']`` a row of the presynaptic group's state,
parameters become arguments, integrator calls call the generated integrator
with its parameters and ``_dt``, and scalar-mode functions are wrapped in a
loop over elements. The rewriter knows nothing about groups: it receives a
:class:`StepBinding` that says how each name is laid out.
"""

from __future__ import annotations

import ast
import copy
import dataclasses

from brainlab.errors import ModelDefError
from brainlab.lower.hoist import Hoisting, hoist_presynaptic
from brainlab.lower.ifconvert import IfConversion, if_convert
from brainlab.lower.inline import inline_calls
from brainlab.lower.promote import promote_state
from brainlab.lower.source import FunctionInfo

__all__ = ["ArgRole", "StateAccess", "StepBinding", "modernise_numpy", "prune_dead_assignments", "rewrite_step"]

# NumPy names removed in NumPy 2 that models written for older NumPy still use.
_NUMPY_RENAMES = {
    "float_": "float64",
    "int": "int64",
    "float": "float64",
    "bool": "bool_",
    "complex_": "complex128",
    "NaN": "nan",
    "Inf": "inf",
    "Infinity": "inf",
    "infty": "inf",
    "PINF": "inf",
    "product": "prod",
    "alltrue": "all",
    "sometrue": "any",
    "cumproduct": "cumprod",
}


def modernise_numpy(tree: ast.AST, numpy_aliases: set[str]) -> ast.AST:
    """Replace NumPy names removed in NumPy 2 (``np.float_`` ...) by their successors."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in numpy_aliases
            and node.attr in _NUMPY_RENAMES
        ):
            node.attr = _NUMPY_RENAMES[node.attr]
    return tree


def prune_dead_assignments(body: list[ast.stmt], results: list[ast.expr]) -> list[ast.stmt]:
    """Drop assignments to names that nothing after them reads.

    A derivative function computes drift and diffusion in one body; the
    generated drift and diffusion functions each keep only what they need, so
    vector-mode code does not allocate arrays for nothing. Statements other
    than plain ``name = value`` assignments are always kept.
    """

    def loads(node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}

    needed: set[str] = set().union(*(loads(r) for r in results)) if results else set()
    kept: list[ast.stmt] = []
    for stmt in reversed(body):
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            targets = {t.id for t in stmt.targets}
            if not targets & needed:
                continue
            needed -= targets
            needed |= loads(stmt.value)
        else:
            needed |= loads(stmt)
        kept.append(stmt)
    return kept[::-1]


@dataclasses.dataclass(frozen=True)
class StateAccess:
    """How a step function sees one state (its ``ST``, or a synapse's ``pre``/``post``).

    Attributes
    ----------
    rows : dict
        Field name -> row of the state array.
    element : str or None
        Scalar mode: the loop variable that selects the element (``_obj_i``,
        ``_pre_i``, ``_post_i``). ``None`` in vector/matrix mode.
    select : {None, 'slice', 'index'}
        Vector mode on a subgroup: a contiguous slice (``_<name>_lo``,
        ``_<name>_hi`` arguments) or an index array (``_<name>_idx``).
    delayed : dict or None
        For ``ST`` in a ``@delayed`` function: field -> row of the delay buffer.
    """

    rows: dict[str, int]
    element: str | None = None
    select: str | None = None
    delayed: dict[str, int] | None = None


@dataclasses.dataclass(frozen=True)
class ArgRole:
    """One argument of a generated step function and what the caller must pass.

    ``role`` is one of ``'state'`` (key: ST/pre/post), ``'system'`` (key:
    ``_t``, ``_i``, ``_dt``), ``'data'``, ``'param'``, ``'lo'``, ``'hi'``,
    ``'idx'`` (key: pre/post/ST), ``'pre_ids'``, ``'post_ids'``, ``'num'``,
    ``'dbuf'``, ``'dslot'``.
    """

    name: str
    role: str
    key: str = ""


@dataclasses.dataclass
class StepBinding:
    """Everything the rewriter needs to know about where a function's names live.

    Attributes
    ----------
    mode : {'scalar', 'vector', 'matrix'}
        The model's mode.
    accesses : dict
        ``'ST'``/``'pre'``/``'post'`` -> :class:`StateAccess`.
    params : list of str
        Parameters the function (and its integrators) read, in argument order.
    hetero : set of str
        Scalar mode: parameters that hold one value per element.
    integrators : dict
        Free name -> (generated function name, its parameter names, its argument names).
    data : list of str
        Names of ``requires``/``hand_overs`` data arguments.
    numpy_aliases : set of str
        Names that refer to NumPy in the function.
    if_conversion : IfConversion or None
        Scalar mode: make the loop body branch-free where safe (what may be
        assumed about its names); ``None`` keeps branches.
    hoist : Hoisting or None
        Scalar-mode synapses: compute presynaptic work once per neuron
        (:mod:`brainlab.lower.hoist`); ``None`` keeps it per synapse.
    inline_functions : dict
        Generated functions (integrators) that may be inlined so that hoisting sees inside them.
    """

    mode: str
    accesses: dict[str, StateAccess]
    params: list[str]
    hetero: set[str]
    integrators: dict[str, tuple[str, list[str], list[str]]]
    data: list[str]
    numpy_aliases: set[str]
    if_conversion: IfConversion | None = None
    hoist: Hoisting | None = None
    inline_functions: dict[str, ast.FunctionDef] = dataclasses.field(default_factory=dict)


def _loc(new: ast.AST, old: ast.AST) -> ast.AST:
    return ast.copy_location(new, old)


def _name(id_: str, ctx: ast.expr_context | None = None) -> ast.Name:
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _index(value: ast.expr, *indices: ast.expr, ctx: ast.expr_context | None = None) -> ast.Subscript:
    slice_ = indices[0] if len(indices) == 1 else ast.Tuple(elts=list(indices), ctx=ast.Load())
    return ast.Subscript(value=value, slice=slice_, ctx=ctx or ast.Load())


class _StepRewriter(ast.NodeTransformer):
    def __init__(self, info: FunctionInfo, binding: StepBinding, owner: str):
        self.info = info
        self.binding = binding
        self.owner = owner
        self.used: set[str] = set()  # extra names the rewritten body needs
        self.in_loop_depth = 0

    # --- state access -------------------------------------------------
    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        value = node.value
        if isinstance(value, ast.Name) and value.id in self.binding.accesses:
            return self._state(node, value.id)
        self.generic_visit(node)
        return node

    def _state(self, node: ast.Subscript, key: str) -> ast.AST:
        access = self.binding.accesses[key]
        field = node.slice.value if isinstance(node.slice, ast.Constant) else None
        if not isinstance(field, str):
            raise ModelDefError(
                f"{self.owner}: {key} must be indexed with a field name in quotes, as in "
                f"{key}['V'] ({self.info.where(node)})."
            )
        if field not in access.rows:
            raise ModelDefError(
                f"{self.owner}: {key} has no field {field!r} ({self.info.where(node)}); "
                f"its fields are {list(access.rows)}."
            )
        ctx = node.ctx
        if access.delayed is not None and isinstance(ctx, ast.Load) and field in access.delayed:
            self.used |= {"_dbuf", "_dslot"}
            index = [_name("_dslot"), ast.Constant(access.delayed[field])]
            if access.element:
                index.append(_name(access.element))
            return _loc(_index(_name("_dbuf"), *index, ctx=ctx), node)
        row = ast.Constant(access.rows[field])
        array = _name(key)
        if access.element:
            return _loc(_index(array, row, _name(access.element), ctx=ctx), node)
        if access.select == "slice":
            self.used |= {f"_{key}_lo", f"_{key}_hi"}
            span = ast.Slice(lower=_name(f"_{key}_lo"), upper=_name(f"_{key}_hi"))
            return _loc(_index(array, row, span, ctx=ctx), node)
        if access.select == "index":
            self.used.add(f"_{key}_idx")
            return _loc(_index(_index(array, row), _name(f"_{key}_idx"), ctx=ctx), node)
        return _loc(_index(array, row, ctx=ctx), node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.binding.accesses and isinstance(node.ctx, ast.Load):
            raise ModelDefError(
                f"{self.owner}: `{node.id}` can only be used as {node.id}['field'] inside a step "
                f"function ({self.info.where(node)})."
            )
        if node.id in self.binding.hetero and isinstance(node.ctx, ast.Load):
            return _loc(_index(_name(node.id), _name("_obj_i")), node)
        return node

    # --- integrator calls ---------------------------------------------
    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.binding.integrators:
            entry, params, arg_names = self.binding.integrators[func.id]
            args = self._positional(node, func.id, arg_names)
            args = [self.visit(a) for a in args]
            extra = [self.visit(_loc(_name(p), node)) for p in params]
            self.used.add("_dt")
            return _loc(ast.Call(func=_name(entry), args=[*args, *extra, _name("_dt")], keywords=[]), node)
        self.generic_visit(node)
        return node

    def _positional(self, node: ast.Call, name: str, arg_names: list[str]) -> list[ast.expr]:
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ModelDefError(
                f"{self.owner}: integrator {name!r} cannot be called with *args ({self.info.where(node)})."
            )
        args: list[ast.expr | None] = list(node.args) + [None] * (len(arg_names) - len(node.args))
        if len(node.args) > len(arg_names):
            raise ModelDefError(
                f"{self.owner}: integrator {name!r} takes {len(arg_names)} arguments "
                f"({', '.join(arg_names)}) but is called with {len(node.args)} ({self.info.where(node)})."
            )
        for kw in node.keywords:
            if kw.arg not in arg_names:
                raise ModelDefError(
                    f"{self.owner}: integrator {name!r} has no argument {kw.arg!r} ({self.info.where(node)}); "
                    f"its arguments are {arg_names}."
                )
            args[arg_names.index(kw.arg)] = kw.value
        missing = [n for n, a in zip(arg_names, args, strict=True) if a is None]
        if missing:
            raise ModelDefError(
                f"{self.owner}: integrator {name!r} is called without {missing} ({self.info.where(node)})."
            )
        return args  # type: ignore[return-value]

    # --- scalar mode: `return` ends this element's iteration ----------
    def visit_For(self, node: ast.For) -> ast.AST:
        self.in_loop_depth += 1
        self.generic_visit(node)
        self.in_loop_depth -= 1
        return node

    visit_While = visit_For

    def visit_Return(self, node: ast.Return) -> ast.AST:
        if self.binding.mode != "scalar":
            if node.value is not None:
                raise ModelDefError(
                    f"{self.owner}: step functions cannot return values ({self.info.where(node)}); "
                    "write results into ST or into an array argument."
                )
            return node
        if node.value is not None or self.in_loop_depth:
            raise ModelDefError(
                f"{self.owner}: in scalar mode a step function may only use a bare `return` "
                f"outside loops, to finish the current element ({self.info.where(node)})."
            )
        return _loc(ast.Continue(), node)


def rewrite_step(
    info: FunctionInfo, binding: StepBinding, *, name: str, owner: str
) -> tuple[ast.FunctionDef, list[ArgRole]]:
    """Rewrite a step function for the kernel.

    Parameters
    ----------
    info : FunctionInfo
        The parsed user function.
    binding : StepBinding
        Where its names live.
    name : str
        Name of the generated function.
    owner : str
        For error messages.

    Returns
    -------
    tree : ast.FunctionDef
        The generated function (user line numbers kept on copied nodes).
    args : list of ArgRole
        Its arguments, in order, with what each must receive.
    """
    tree = copy.deepcopy(info.tree)
    modernise_numpy(tree, binding.numpy_aliases)
    rewriter = _StepRewriter(info, binding, owner)
    body = [rewriter.visit(stmt) for stmt in tree.body]
    body = [b for b in body if b is not None]
    scalar = binding.mode == "scalar"
    loop_vars = {"_obj_i", "_pre_i", "_post_i"} if scalar else set()

    roles: list[ArgRole] = []
    for arg in info.args:
        if arg in binding.accesses:
            roles.append(ArgRole(arg, "state", arg))
        elif arg in ("_t", "_i", "_dt"):
            roles.append(ArgRole(arg, "system", arg))
        elif arg in loop_vars:
            continue  # provided by the loop below
        else:
            roles.append(ArgRole(arg, "data", arg))
    present = {r.name for r in roles}
    if "_dt" in rewriter.used and "_dt" not in present:
        roles.append(ArgRole("_dt", "system", "_dt"))
        present.add("_dt")
    # System names a function uses without declaring them as arguments.
    for sys_name in ("_t", "_i", "_dt"):
        if sys_name not in present and any(
            isinstance(n, ast.Name) and n.id == sys_name for n in ast.walk(ast.Module(body=body, type_ignores=[]))
        ):
            roles.append(ArgRole(sys_name, "system", sys_name))
            present.add(sys_name)
    roles += [ArgRole(p, "param", p) for p in binding.params]
    for key in ("ST", "pre", "post"):
        if f"_{key}_lo" in rewriter.used:
            roles += [ArgRole(f"_{key}_lo", "lo", key), ArgRole(f"_{key}_hi", "hi", key)]
        if f"_{key}_idx" in rewriter.used:
            roles.append(ArgRole(f"_{key}_idx", "idx", key))
    if {"_dbuf", "_dslot"} & rewriter.used:
        roles += [ArgRole("_dbuf", "dbuf"), ArgRole("_dslot", "dslot")]

    prologue: list[ast.stmt] = []
    if scalar and binding.if_conversion is not None:
        names = frozenset(r.name for r in roles) | {"_t", "_i", "_dt", "_num", "_pre_ids", "_post_ids"}
        body = if_convert(
            body, dataclasses.replace(binding.if_conversion, defined=binding.if_conversion.defined | names)
        )
        # Integrators inlined: one flat loop body for LLVM to vectorise (it
        # refuses to inline large callees), and visible to hoisting.
        body = inline_calls(body, binding.inline_functions)
        if binding.hoist is not None and "pre" in binding.accesses:
            prologue, body = hoist_presynaptic(body, binding.hoist)
        body = promote_state(body) if body else body
    if scalar:
        names_in_body = {n.id for n in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(n, ast.Name)}
        prelude: list[ast.stmt] = []
        for var, ids in (("_pre_i", "_pre_ids"), ("_post_i", "_post_ids")):
            if var in names_in_body:
                roles.append(ArgRole(ids, ids.strip("_")))
                prelude.append(
                    ast.Assign(targets=[_name(var, ast.Store())], value=_index(_name(ids), _name("_obj_i")), lineno=0)
                )
        roles.append(ArgRole("_num", "num"))
        loop = ast.For(
            target=_name("_obj_i", ast.Store()),
            iter=ast.Call(func=_name("range"), args=[_name("_num")], keywords=[]),
            body=[*prelude, *body] or [ast.Pass()],
            orelse=[],
        )
        for stmt in (loop, *prelude):
            _loc(stmt, tree)
        body = [*prologue, loop]

    tree.name = name
    tree.args = ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=r.name) for r in roles], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    tree.body = body or [ast.Pass()]
    tree.returns = None
    return tree, roles
