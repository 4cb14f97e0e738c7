"""Emit the one kernel of a network: the whole time loop in one function.

The input is a :class:`KernelSpec`: rewritten step functions (ASTs), and for
each object its schedule, inputs, monitors, delay buffer and the kernel
variable that each step argument receives. Nothing here knows what a group
is. The output is a module with the integrators, the step functions and

``kernel(_i0, _i1, _ts, _dt, _status, *args)``

which runs steps ``[_i0, _i1)`` and returns early, filling ``_status``, when a
state becomes non-finite.
"""

from __future__ import annotations

import ast
import dataclasses

from brainlab.codegen.module import CodeUnit, ModuleSource
from brainlab.lower.source import FreeNames, FunctionInfo

__all__ = ["CHECK_EVERY", "InputSpec", "KernelSpec", "ObjectSpec", "StepSpec", "emit_kernel"]

# Non-finite state is looked for every CHECK_EVERY steps (and at chunk ends).
CHECK_EVERY = 10
_OPS = {"+": "+=", "-": "-=", "*": "*=", "/": "/=", "=": "="}


@dataclasses.dataclass
class StepSpec:
    """A rewritten step function and how the kernel calls it.

    ``arguments`` are the kernel expressions passed for the function's
    arguments, in order.
    """

    name: str
    tree: ast.FunctionDef
    origin: FunctionInfo
    label: str
    arguments: list[str]


@dataclasses.dataclass
class InputSpec:
    """``target[row] <op> value`` at every step (``value[_i]`` for a time series)."""

    state: str
    row: int
    op: str
    value: str
    series: bool
    select: str | None = None  # None, 'slice' (value_lo/value_hi args) or 'index' (value_idx)
    flat: str | None = None  # set when one number per step goes to every element: a loop over `flat`


@dataclasses.dataclass
class ObjectSpec:
    """One group or connection of the network, as the kernel sees it.

    Attributes
    ----------
    key : str
        Prefix of its kernel variables (``'o0'``).
    label : str
        Human description, for comments.
    state : str
        Kernel variable of its state array.
    schedule : list of str
        ``'input'``, step names and ``'monitor'`` in run order.
    steps : dict
        Step name -> :class:`StepSpec`.
    inputs : list of InputSpec
        Inputs applied at ``'input'``.
    monitors : dict
        Kernel variable of a monitor array, shaped ``(steps, elements)`` -> state row it records.
    flat : str or None
        Kernel variable of the state viewed as ``(fields, elements)``; set when
        there are monitors or a finite check.
    delay_rows : list of (int, int)
        ``(buffer row, state row)`` pairs pushed into the delay buffer before the
        first delayed step; empty if the object has no delay.
    first_delayed : str or None
        Name of the first delayed step.
    check : str or None
        Kernel variables ``'<flat state>,<rows>'`` of the finite check.
    """

    key: str
    label: str
    state: str
    schedule: list[str]
    steps: dict[str, StepSpec]
    inputs: list[InputSpec]
    monitors: dict[str, int]
    flat: str | None = None
    delay_rows: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    first_delayed: str | None = None
    check: tuple[str, str] | None = None


@dataclasses.dataclass
class KernelSpec:
    """Everything needed to emit a network's module."""

    objects: list[ObjectSpec]
    args: list[str]
    integrator_units: list[CodeUnit]
    free_names: list[FreeNames]


def _input_lines(inp: InputSpec) -> list[str]:
    value = f"{inp.value}[_i]" if inp.series else inp.value
    if inp.flat is not None:  # element by element, as monitors
        return [f"for _k in range({inp.flat}.shape[1]):", f"    {inp.flat}[{inp.row}, _k] {_OPS[inp.op]} {value}"]
    if inp.select == "slice":
        target = f"{inp.state}[{inp.row}, {inp.value}_lo:{inp.value}_hi]"
    elif inp.select == "index":
        target = f"{inp.state}[{inp.row}][{inp.value}_idx]"
    else:
        target = f"{inp.state}[{inp.row}]"
    return [f"{target} {_OPS[inp.op]} {value}"]


def _object_lines(obj: ObjectSpec) -> list[str]:
    lines = [f"# {obj.label}"]
    for item in obj.schedule:
        if item == "input":
            for inp in obj.inputs:
                lines += _input_lines(inp)
        elif item == "monitor":
            # Element by element: a whole-row array assignment would make Numba
            # compile its broadcasting error path (string formatting, ~2 s cold).
            for mon, row in obj.monitors.items():
                lines += [f"for _k in range({mon}.shape[1]):", f"    {mon}[_i, _k] = {obj.flat}[{row}, _k]"]
        else:
            step = obj.steps[item]
            if item == obj.first_delayed and obj.delay_rows:
                buf, ptr = f"{obj.key}_dbuf", f"{obj.key}_dptr"
                lines.append(f"{ptr}[0] = ({ptr}[0] + 1) % {buf}.shape[0]")
                # The slot in a local: read from the array inside the loop, it
                # would be reloaded after every store (and block vectorisation).
                lines.append(f"_slot = {ptr}[0]")
                for b, s in obj.delay_rows:  # element by element, as monitors
                    lines += [
                        f"for _k in range({obj.flat}.shape[1]):",
                        f"    {buf}flat[_slot, {b}, _k] = {obj.flat}[{s}, _k]",
                    ]
                lines.append(f"_dslot_{obj.key} = (_slot + 1) % {buf}.shape[0]")
            lines.append(f"{step.name}({', '.join(step.arguments)})")
    return lines


def emit_kernel(spec: KernelSpec, jit: bool, numba_options: dict, vector_math: bool = False) -> ModuleSource:
    """Build the module of a network (not yet rendered).

    Parameters
    ----------
    spec : KernelSpec
        The lowered network.
    jit : bool
        Compile with Numba or run as Python.
    numba_options : dict
        ``numba.njit`` options.
    vector_math : bool
        Use the vectorisable ``exp``/``exprel`` of :mod:`brainlab.codegen.vecmath`.
    """
    source = ModuleSource(jit=jit, numba_options=numba_options, vector_math=vector_math)
    for free in spec.free_names:
        source.use(free)
    source.add_import(
        "_find_nonfinite", "brainlab.codegen.runtime", "_find_nonfinite_nb" if jit else "_find_nonfinite_py"
    )
    for unit in spec.integrator_units:
        source.add(unit)
    for obj in spec.objects:
        for step in obj.steps.values():
            source.add(CodeUnit(tree=step.tree, label=step.label, origin=step.origin))

    body = ["for _i in range(_i0, _i1):", "    _t = _ts[_i]"]
    for obj in spec.objects:
        body += [f"    {line}" for line in _object_lines(obj)]
    checks = [(k, obj) for k, obj in enumerate(spec.objects) if obj.check]
    if checks:
        body.append(f"    if _i % {CHECK_EVERY} == {CHECK_EVERY - 1} or _i == _i1 - 1:")
        for index, obj in checks:
            flat, rows = obj.check
            body += [
                f"        _row, _elem = _find_nonfinite({flat}, {rows})",
                "        if _row >= 0:",
                f"            _status[0] = 1; _status[1] = {index}; _status[2] = _row",
                "            _status[3] = _elem; _status[4] = _i",
                "            return",
            ]
    body.append("return")
    signature = ", ".join(["_i0", "_i1", "_ts", "_dt", "_status", *spec.args])
    text = f"def kernel({signature}):\n" + "".join(f"    {line}\n" for line in body)
    source.add(CodeUnit(tree=ast.parse(text).body[0], label="the network's time loop"))
    return source
