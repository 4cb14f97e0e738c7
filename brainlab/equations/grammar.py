"""The line grammar of the equation language: model text -> a checked model description.

A model is a few lines, one statement each; ``#`` starts a comment. Neurons::

    dV/dt = (-(V - V_rest) + R*I) / tau     # a differential equation per variable
    m_inf = 1 / (1 + exp(-(V + 40) / 9))    # an intermediate (usable by later lines)
    threshold: V >= V_th                    # spike condition
    reset: V = V_reset                      # after a spike (several reset lines run in order)
    refractory: t_ref                       # the first variable is held this long after a spike

Synapses::

    ds/dt = -s / tau
    on_pre: s = s + 1                       # on each presynaptic spike (also ``s += 1``), in order
    pulse: T = T_max for T_duration         # T is T_max for T_duration ms after each spike, else 0
    output: g_max * s * (E - V_post)        # added to the postsynaptic ``input`` (delayed)
    delay: 1.5                              # default synaptic delay (ms)

Names: the model's variables, intermediates and parameters; ``t`` (time, ms);
``I`` (a neuron's input current of the step: the ``input`` field); in synapses
``X_pre`` and ``X_post`` are field ``X`` of the pre- and postsynaptic neuron.
Every expression goes through :func:`brainlab.equations.validate.parse_expression`;
this module only splits lines and checks their left-hand sides.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from brainlab.equations.validate import check_identifier, check_number, free_names, parse_expression
from brainlab.errors import EquationError

__all__ = ["Assignment", "ModelSpec", "parse_model"]

MAX_TEXT = 20_000
MAX_LINES = 200
MAX_LINE = 600
_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_DERIVATIVE = re.compile(rf"^d\s*({_NAME})\s*/\s*dt\s*=(.*)$")
_KEYWORD = re.compile(r"^(threshold|reset|refractory|on_pre|output|pulse|delay)\s*:(.*)$")
_ASSIGN = re.compile(rf"^({_NAME})\s*(\+=|-=|\*=|=)(.*)$")
_PULSE = re.compile(rf"^\s*({_NAME})\s*=\s*(\S.*?)\s+for\s+(\S.*)$")
CONTEXT = {"neuron": ("t", "I"), "synapse": ("t",)}


@dataclasses.dataclass
class Assignment:
    """``target = expr`` (or a differential equation ``d target/dt = expr``) at a line."""

    target: str
    expr: ast.expr
    line: int
    text: str


@dataclasses.dataclass
class ModelSpec:
    """A checked model description.

    Attributes
    ----------
    kind : {'neuron', 'synapse'}
    equations : list of Assignment
        ``d target/dt = expr``, in order; the first is the membrane potential of a neuron.
    intermediates : list of Assignment
        ``name = expr`` definitions, in order.
    threshold : Assignment or None
        Target ``'spike'``; the condition.
    resets, on_pre : list of Assignment
        Updates after a spike / on a presynaptic spike, in order.
    refractory : ast.expr or None
        A number or a parameter name.
    pulse : tuple or None
        ``(name, amplitude expr, duration expr, line)``.
    output : Assignment or None
        The current added to ``post['input']``.
    delay : float
        Default synaptic delay (ms).
    parameters : dict
        ``name -> value``.
    pre_fields, post_fields : set of str
        Neuron fields read through ``X_pre`` / ``X_post``.
    """

    kind: str
    equations: list[Assignment] = dataclasses.field(default_factory=list)
    intermediates: list[Assignment] = dataclasses.field(default_factory=list)
    threshold: Assignment | None = None
    resets: list[Assignment] = dataclasses.field(default_factory=list)
    refractory: ast.expr | None = None
    pulse: tuple[str, ast.expr, ast.expr, int] | None = None
    on_pre: list[Assignment] = dataclasses.field(default_factory=list)
    output: Assignment | None = None
    delay: float = 0.0
    parameters: dict[str, float] = dataclasses.field(default_factory=dict)
    pre_fields: set[str] = dataclasses.field(default_factory=set)
    post_fields: set[str] = dataclasses.field(default_factory=set)

    @property
    def variables(self) -> list[str]:
        """The integrated variables, in order."""
        return [eq.target for eq in self.equations]


def _strip(raw: str) -> str:
    return raw.split("#", 1)[0].rstrip()


def _offset(raw: str, part: str) -> int:
    """Column (0-based) where ``part`` starts in ``raw``."""
    return raw.index(part) if part in raw else 0


def _lines(text: Any) -> list[tuple[int, str]]:
    if not isinstance(text, str):
        raise EquationError(f"the model must be text (str), got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise EquationError(f"the model is {len(text)} characters long; at most {MAX_TEXT} are accepted")
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise EquationError(f"the model has {len(lines)} lines; at most {MAX_LINES} are accepted")
    out = []
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE:
            raise EquationError(f"the line is {len(raw)} characters long; at most {MAX_LINE}", line=number)
        if "\x00" in raw or not raw.isascii():
            bad = next(i for i, ch in enumerate(raw) if ch == "\x00" or not ch.isascii())
            raise EquationError(
                f"character U+{ord(raw[bad]):04X} is not allowed", line=number, column=bad + 1,
                hint="equations use ASCII letters, digits and + - * / ( ) , < > = ! only",
            )  # fmt: skip
        line = _strip(raw)
        if line.strip():
            out.append((number, raw))
    return out


def parse_model(text: str, kind: str, parameters: Mapping[str, Any] | None = None) -> ModelSpec:
    """Read and check a neuron or synapse model.

    Parameters
    ----------
    text : str
        The model (see the module docstring for the grammar).
    kind : {'neuron', 'synapse'}
    parameters : dict
        Parameter values, ``name -> number``.

    Raises
    ------
    EquationError
        For any line that is not a statement of the language, any name that is
        not declared, any expression outside the whitelist; with line and column.
    """
    if kind not in CONTEXT:
        raise EquationError(f"unknown model kind {kind!r}; use 'neuron' or 'synapse'")
    spec = ModelSpec(kind=kind)
    for name, value in dict(parameters or {}).items():
        check_identifier(name, what="parameter name")
        # time constants (tau, tau_m, ...) divide: they must be positive
        spec.parameters[name] = check_number(value, field=f"parameter {name!r}", positive=name.startswith("tau"))
    entries = _lines(text)
    # First pass: what does the model declare? (variables and intermediates may be used before their line)
    declared: dict[str, int] = {}
    for number, raw in entries:
        line = _strip(raw).strip()
        match = _DERIVATIVE.match(line)
        target = match.group(1) if match else None
        keyword = _KEYWORD.match(line)
        if target is None and keyword is None:
            assign = _ASSIGN.match(line)
            if assign and assign.group(2) == "=":
                target = assign.group(1)
        elif keyword is not None and keyword.group(1) == "pulse":
            pulse = _PULSE.match(keyword.group(2))
            target = pulse.group(1) if pulse else None
        if target is not None:
            check_identifier(target, line=number, column=_offset(raw, target) + 1, what="variable name")
            column = _offset(raw, target) + 1
            if target in declared:
                raise EquationError(
                    f"{target!r} is defined twice (first on line {declared[target]})", line=number, column=column
                )
            if target in spec.parameters:
                raise EquationError(f"{target!r} is both a parameter and a variable", line=number, column=column)
            declared[target] = number
    context = set(CONTEXT[kind])
    for number, raw in entries:
        _statement(spec, number, raw, declared, context)
    if not spec.equations and not (kind == "synapse" and (spec.on_pre or spec.output)):
        raise EquationError("the model has no equation; write at least one line such as `dV/dt = ...`")
    if kind == "neuron" and (spec.on_pre or spec.output or spec.pulse):
        raise EquationError("on_pre:, pulse: and output: are synapse statements")
    if kind == "synapse" and (spec.threshold or spec.resets or spec.refractory is not None):
        raise EquationError("threshold:, reset: and refractory: are neuron statements")
    if spec.resets and spec.threshold is None:
        raise EquationError("reset: needs a threshold: line", line=spec.resets[0].line)
    return spec


def _expression(
    spec: ModelSpec, text: str, raw: str, number: int, declared: Mapping[str, int], context: set[str],
    condition: bool = False,
) -> ast.expr:  # fmt: skip
    names = set(declared) | set(spec.parameters) | context
    if spec.kind == "synapse":
        names |= _neighbour_names(text)
    tree = parse_expression(
        text, names=names, parameters=set(spec.parameters), line=number, column_offset=_offset(raw, text),
        condition=condition,
    )  # fmt: skip
    for name in free_names(tree):
        for suffix, fields in (("_pre", spec.pre_fields), ("_post", spec.post_fields)):
            if name.endswith(suffix) and name not in declared and name not in spec.parameters:
                fields.add(name[: -len(suffix)])
    return tree


def _neighbour_names(text: str) -> set[str]:
    """Return the ``X_pre`` / ``X_post`` identifiers in ``text`` (the validator checks them as names)."""
    found = re.findall(rf"\b{_NAME}\b", text)
    return {m for m in found if (m.endswith("_pre") and len(m) > 4) or (m.endswith("_post") and len(m) > 5)}


def _statement(spec: ModelSpec, number: int, raw: str, declared: Mapping[str, int], context: set[str]) -> None:
    line = _strip(raw).strip()
    match = _DERIVATIVE.match(line)
    if match:
        target, rhs = match.group(1), match.group(2)
        spec.equations.append(Assignment(target, _expression(spec, rhs, raw, number, declared, context), number, line))
        return
    match = _KEYWORD.match(line)
    if match:
        _keyword(spec, match.group(1), match.group(2), number, raw, declared, context)
        return
    match = _ASSIGN.match(line)
    if match and match.group(2) == "=":
        target, rhs = match.group(1), match.group(3)
        spec.intermediates.append(
            Assignment(target, _expression(spec, rhs, raw, number, declared, context), number, line)
        )
        return
    hint = "write `dX/dt = ...`, `name = ...`, or a `threshold:`, `reset:`, `refractory:` line"
    if spec.kind == "synapse":
        hint = "write `dX/dt = ...`, `name = ...`, or an `on_pre:`, `pulse:`, `output:`, `delay:` line"
    if "'" in line or '"' in line:
        hint = "strings are not allowed"
    raise EquationError("cannot read this line as a statement of the model", line=number, column=1, hint=hint)


def _update(
    spec: ModelSpec, body: str, raw: str, number: int, declared: Mapping[str, int], context: set[str], what: str
) -> Assignment:
    match = _ASSIGN.match(body.strip())
    if not match:
        raise EquationError(f"{what}: expects `variable = expression`", line=number, hint="e.g. `reset: V = V_reset`")
    target, op, rhs = match.groups()
    if target not in [eq.target for eq in spec.equations] and target not in _declared_variables(declared, spec):
        raise EquationError(
            f"{what}: {target!r} is not a variable of the model", line=number, column=_offset(raw, target) + 1
        )
    tree = _expression(spec, rhs, raw, number, declared, context)
    if op != "=":  # s += w  ->  s = s + (w)
        operator = {"+=": ast.Add(), "-=": ast.Sub(), "*=": ast.Mult()}[op]
        tree = ast.BinOp(left=ast.Name(target, ast.Load()), op=operator, right=tree)
    return Assignment(target, tree, number, body.strip())


def _declared_variables(declared: Mapping[str, int], spec: ModelSpec) -> set[str]:
    """Names an update may assign: the differential variables, declared on any line."""
    return {name for name in declared if name not in {i.target for i in spec.intermediates}} - (
        {spec.pulse[0]} if spec.pulse else set()
    )


def _positive_duration(spec: ModelSpec, tree: ast.expr, what: str) -> None:
    """Check that a duration (a number or a parameter) is > 0."""
    value = tree.value if isinstance(tree, ast.Constant) else spec.parameters[tree.id]
    check_number(value, field=what, positive=True)


def _keyword(
    spec: ModelSpec, keyword: str, body: str, number: int, raw: str, declared: Mapping[str, int], context: set[str]
) -> None:
    if not body.strip():
        raise EquationError(f"{keyword}: is empty", line=number)
    if keyword == "threshold":
        if spec.threshold is not None:
            raise EquationError("a model has one threshold: line", line=number)
        tree = _expression(spec, body, raw, number, declared, context, condition=True)
        spec.threshold = Assignment("spike", tree, number, body.strip())
    elif keyword == "reset":
        spec.resets.append(_update(spec, body, raw, number, declared, context, "reset"))
    elif keyword == "on_pre":
        spec.on_pre.append(_update(spec, body, raw, number, declared, context, "on_pre"))
    elif keyword == "refractory":
        tree = _expression(spec, body, raw, number, {}, set())
        if not (isinstance(tree, ast.Constant) or (isinstance(tree, ast.Name) and tree.id in spec.parameters)):
            raise EquationError("refractory: takes a number or a parameter name", line=number)
        _positive_duration(spec, tree, "refractory period")
        spec.refractory = tree
    elif keyword == "output":
        if spec.output is not None:
            raise EquationError("a synapse has one output: line", line=number)
        spec.output = Assignment("input", _expression(spec, body, raw, number, declared, context), number, body.strip())
    elif keyword == "pulse":
        match = _PULSE.match(body)
        if not match:
            raise EquationError("pulse: expects `T = amplitude for duration`", line=number)
        name, amplitude, duration = match.groups()
        if spec.pulse is not None:
            raise EquationError("a synapse has one pulse: line", line=number)
        # amplitude and duration: numbers and parameters only
        amp = _expression(spec, amplitude, raw, number, {}, set())
        dur = _expression(spec, duration, raw, number, {}, set())
        if not (isinstance(dur, ast.Constant) or (isinstance(dur, ast.Name) and dur.id in spec.parameters)):
            raise EquationError("pulse: the duration is a number or a parameter name", line=number)
        _positive_duration(spec, dur, "pulse duration")
        spec.pulse = (name, amp, dur, number)
    elif keyword == "delay":
        tree = _expression(spec, body, raw, number, {}, set())
        if not isinstance(tree, ast.Constant):
            raise EquationError("delay: takes a number of ms", line=number)
        spec.delay = check_number(tree.value, field="delay", minimum=0.0)
