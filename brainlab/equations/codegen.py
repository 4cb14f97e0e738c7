"""Python source for a checked model description, then an ordinary NeuType/SynType.

The source is built from the validated trees only: names are identifiers that
passed :func:`~brainlab.equations.validate.check_identifier`, numbers are
constants of the checked trees, functions are ``np.<name>`` of a fixed table.
Generated names all start with ``_``, which user names cannot. The module is
written to the cache directory and imported like any generated kernel file
(the engine reads model functions from source files), and its ``_build``
receives the parameter values as arguments: they are closure numbers of the
model functions, hence runtime parameters (``group.pars[...]``).
"""

from __future__ import annotations

import ast
import copy
import hashlib
from collections.abc import Mapping
from typing import Any

from brainlab.equations.grammar import Assignment, ModelSpec
from brainlab.equations.validate import free_names
from brainlab.errors import EquationError

__all__ = ["neuron_source", "synapse_source"]


class _Printer(ast.NodeTransformer):
    """Copy an expression with names replaced and math functions qualified by ``np``."""

    def __init__(self, mapping: Mapping[str, str], vector: bool = False):
        self.mapping = mapping
        self.vector = vector

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.mapping:
            return ast.parse(self.mapping[node.id], mode="eval").body
        return ast.Name(node.id, ast.Load())

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        name = node.func.id if isinstance(node.func, ast.Name) else None
        return ast.Call(func=_np(name), args=node.args, keywords=[])

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        if not self.vector:
            return node
        function = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
        result = node.values[0]
        for value in node.values[1:]:
            result = ast.Call(func=_np(function), args=[result, value], keywords=[])
        return result

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if self.vector and isinstance(node.op, ast.Not):
            return ast.Call(func=_np("logical_not"), args=[node.operand], keywords=[])
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if not self.vector or len(node.ops) == 1:
            return node
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            left = right
        return self.visit_BoolOp(ast.BoolOp(op=ast.And(), values=parts))


def _np(name: str | None) -> ast.expr:
    return ast.Attribute(value=ast.Name("np", ast.Load()), attr=str(name), ctx=ast.Load())


def code(tree: ast.expr, mapping: Mapping[str, str] | None = None, vector: bool = False) -> str:
    """Print a validated expression with ``mapping`` applied (``V -> _V``)."""
    printed = _Printer(mapping or {}, vector).visit(copy.deepcopy(tree))
    return ast.unparse(ast.fix_missing_locations(printed))


def _needed_intermediates(spec: ModelSpec, names: set[str]) -> list[Assignment]:
    """Return the intermediates an expression uses, transitively, in declaration order."""
    wanted = set(names)
    by_name = {i.target: i for i in spec.intermediates}
    for item in reversed(spec.intermediates):
        if item.target in wanted:
            wanted |= free_names(item.expr)
    return [by_name[n] for n in by_name if n in wanted]


def _integrators(spec: ModelSpec, extra_args: Mapping[str, str], indent: str = "    ") -> tuple[list[str], dict]:
    """Lines of the ``@bp.integrate`` functions and, per variable, its call arguments.

    ``extra_args`` maps context names (``I``, ``T``, ``V_pre``) to the expression
    the step passes for them.
    """
    lines: list[str] = []
    calls: dict[str, list[str]] = {}
    variables = spec.variables
    for eq in spec.equations:
        inter = _needed_intermediates(spec, free_names(eq.expr))
        used = set(free_names(eq.expr)).union(*(free_names(i.expr) for i in inter)) if inter else free_names(eq.expr)
        others = [v for v in variables if v != eq.target and v in used]
        context = [n for n in extra_args if n in used]
        args = [eq.target, "t", *others, *context]
        lines.append(f"{indent}@bp.integrate(method=_method)")
        lines.append(f"{indent}def _int_{eq.target}({', '.join(args)}):")
        lines.append(f'{indent}    """d{eq.target}/dt of line {eq.line}: {_quote(eq.text)}"""')
        for item in inter:
            lines.append(f"{indent}    {item.target} = {code(item.expr)}")
        lines.append(f"{indent}    return {code(eq.expr)}")
        lines.append("")
        calls[eq.target] = [f'ST["{v}"]' for v in others] + [extra_args[n] for n in context]
    return lines, calls


def _quote(text: str) -> str:
    # Docstrings quote the user's checked line; it has no quotes or backslashes (the validator refused them).
    return text.replace('"', "").replace("\\", "")


def _header(kind: str, name_digest: str) -> list[str]:
    return [
        f'"""Generated by brainlab.equations ({kind} model {name_digest}); do not edit."""',
        "",
        "import numpy as np",
        "",
        "import brainlab as bp",
        "",
        "",
    ]


def _check_plain(spec: ModelSpec, items: list[Assignment], what: str) -> None:
    inter = {i.target for i in spec.intermediates}
    for item in items:
        bad = sorted(free_names(item.expr) & inter)
        if bad:
            raise EquationError(
                f"{what} uses the intermediate(s) {bad}; {what} lines may use variables, parameters, I and t",
                line=item.line,
            )


def neuron_source(spec: ModelSpec, mode: str) -> str:
    """Return the module source of a neuron model (``_build(**parameters, _method, _name, _initial)``)."""
    if mode not in ("scalar", "vector"):
        raise EquationError(f"unknown mode {mode!r}; use 'scalar' or 'vector'")
    vector = mode == "vector"
    checks = [spec.threshold] if spec.threshold else []
    _check_plain(spec, checks + spec.resets, "threshold/reset")
    variables = spec.variables
    lines = _header("neuron", _digest(spec))
    params = ", ".join(spec.parameters)
    lines.append(f"def _build({params}{', ' if params else ''}*, _method, _name, _initial):")
    integrators, calls = _integrators(spec, {"I": 'ST["input"]'})
    lines += integrators
    new = {v: f"_{v}" for v in variables} | {"I": 'ST["input"]', "t": "_t"}
    old = {v: f'ST["{v}"]' for v in variables} | {"I": 'ST["input"]', "t": "_t"}
    body = []
    for k, v in enumerate(variables):
        call = f'_int_{v}(ST["{v}"], _t{"".join(", " + a for a in calls[v])})'
        if k == 0 and spec.refractory is not None:
            ref = code(spec.refractory)
            if vector:
                body += [f"_{v} = {call}", f'_{v} = np.where(_t - ST["t_last_spike"] <= {ref}, ST["{v}"], _{v})']
            else:
                body += [
                    f'if _t - ST["t_last_spike"] <= {ref}:',
                    f'    _{v} = ST["{v}"]',
                    "else:",
                    f"    _{v} = {call}",
                ]
        else:
            body.append(f"_{v} = {call}")
    if spec.threshold is not None:
        cond_new = code(spec.threshold.expr, new, vector)
        if spec.resets:
            event = cond_new
        else:  # no reset: a spike is the upward crossing of the threshold
            cond_old = code(spec.threshold.expr, old, vector)
            event = (
                f"np.logical_and(np.logical_not({cond_old}), {cond_new})"
                if vector
                else f"(not ({cond_old})) and ({cond_new})"
            )
        if vector:
            body.append(f"_spike = {event}")
            for r in spec.resets:
                body.append(f"_{r.target} = np.where(_spike, {code(r.expr, new, True)}, _{r.target})")
            body += ['ST["t_last_spike"] = np.where(_spike, _t, ST["t_last_spike"])', 'ST["spike"] = _spike']
        else:
            body.append(f"if {event}:")
            body += [f"    _{r.target} = {code(r.expr, new)}" for r in spec.resets]
            body += ['    ST["spike"] = 1.0', '    ST["t_last_spike"] = _t', "else:", '    ST["spike"] = 0.0']
    body += [f'ST["{v}"] = _{v}' for v in variables]
    body.append('ST["input"] = 0.0')
    lines.append("    def _update(ST, _t):")
    lines += [f"        {b}" for b in body]
    lines += [
        "",
        "    return bp.NeuType(",
        f"        name=_name, ST=bp.types.NeuState(_initial), steps=_update, mode={mode!r}",
        "    )",
        "",
    ]
    return "\n".join(lines)


def neuron_fields(spec: ModelSpec) -> list[str]:
    """State fields of a generated neuron type."""
    fields = [*spec.variables, "input", "spike"]
    return fields + (["t_last_spike"] if spec.threshold is not None else [])


def synapse_fields(spec: ModelSpec) -> list[str]:
    """State fields of a generated synapse type."""
    return [*spec.variables] + (["t_spike"] if spec.pulse else [])


def synapse_source(spec: ModelSpec) -> str:
    """Return the module source of a synapse model (scalar mode)."""
    variables = spec.variables
    if "t_spike" in variables and spec.pulse:
        raise EquationError("'t_spike' is the field of the pulse timer; name the variable differently")
    lines = _header("synapse", _digest(spec))
    params = ", ".join(spec.parameters)
    lines.append(f"def _build({params}{', ' if params else ''}*, _method, _name, _initial, _pre_fields, _post_fields):")
    context = {f"{f}_pre": f'pre["{f}"]' for f in sorted(spec.pre_fields)}
    context |= {f"{f}_post": f'post["{f}"]' for f in sorted(spec.post_fields)}
    if spec.pulse:
        context[spec.pulse[0]] = spec.pulse[0]
    integrators, calls = _integrators(spec, context)
    lines += integrators
    new = (
        {v: f"_{v}" for v in variables}
        | {"t": "_t"}
        | {k: v for k, v in context.items() if k.endswith(("_pre", "_post"))}
    )
    body = []
    if spec.pulse:
        name, amplitude, duration, _ = spec.pulse
        body += [
            '_t_spike = ST["t_spike"]',
            'if pre["spike"] > 0.0:',
            "    _t_spike = _t",
            # half a step of slack: _t - _t_spike carries rounding noise, the pulse lasts round(duration/dt) steps
            f"{name} = ({code(amplitude)}) if _t - _t_spike < ({code(duration)}) - 0.5 * _dt else 0.0",
        ]
    for v in variables:
        body.append(f'_{v} = _int_{v}(ST["{v}"], _t{"".join(", " + a for a in calls[v])})')
    if spec.on_pre:
        body.append('if pre["spike"] > 0.0:')
        body += [f"    _{u.target} = {code(u.expr, new)}" for u in spec.on_pre]
    if spec.pulse:
        body.append('ST["t_spike"] = _t_spike')
    body += [f'ST["{v}"] = _{v}' for v in variables]
    uses_post = bool(spec.post_fields) and any(
        free_names(a.expr) & {f"{f}_post" for f in spec.post_fields} for a in [*spec.equations, *spec.on_pre]
    )
    lines.append(f"    def _update(ST, _t, _dt, pre{', post' if uses_post else ''}):")
    lines += [f"        {b}" for b in body]
    steps = ["_update"]
    if spec.output is not None:
        mapping = {v: f'ST["{v}"]' for v in variables} | {"t": "_t"}
        mapping |= {k: v for k, v in context.items() if k.endswith(("_pre", "_post"))}
        if spec.pulse and spec.pulse[0] in free_names(spec.output.expr):
            raise EquationError(f"output: cannot use the pulse {spec.pulse[0]!r}", line=spec.output.line)
        uses_pre = bool(free_names(spec.output.expr) & {f"{f}_pre" for f in spec.pre_fields})
        uses_t = "t" in free_names(spec.output.expr)
        lines += [
            "",
            "    @bp.delayed",
            f"    def _output(ST, {'pre, ' if uses_pre else ''}post{', _t' if uses_t else ''}):",
            f'        post["input"] += {code(spec.output.expr, mapping)}',
        ]
        steps.append("_output")
    lines += [
        "",
        "    return bp.SynType(",
        "        name=_name,",
        "        ST=bp.types.SynState(_initial),",
        f"        steps=({', '.join(steps)},),",
        "        requires=dict(pre=bp.types.NeuState(_pre_fields), post=bp.types.NeuState(_post_fields)),",
        '        mode="scalar",',
        "    )",
        "",
    ]
    return "\n".join(lines)


def _digest(spec: ModelSpec) -> str:
    text = repr([(a.target, ast.dump(a.expr)) for a in [*spec.equations, *spec.intermediates]])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build_arguments(spec: ModelSpec, initial: Mapping[str, float], fields: list[str]) -> dict[str, Any]:
    """Return the initial state of every field (declared values, 0 otherwise; spike times long ago)."""
    state = {f: 0.0 for f in fields}
    if "t_last_spike" in state:
        state["t_last_spike"] = -1e7
    if "t_spike" in state:
        state["t_spike"] = -1e7
    state.update(initial)
    return state
