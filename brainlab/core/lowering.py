"""Turn the groups and connections of a network into a kernel spec and its arguments.

This is where objects meet code generation: for every object it decides the
layout the rewriter must assume (which state array ``pre`` is, whether a
subgroup is a slice or an index array, which parameters hold one value per
element, how long the delay buffer is), rewrites the step functions, and
collects the arrays and numbers the kernel receives. Code generation itself
only sees the resulting :class:`~brainlab.codegen.kernel.KernelSpec`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.codegen.kernel import InputSpec, KernelSpec, ObjectSpec, StepSpec
from brainlab.core.base import Ensemble
from brainlab.core.delays import delay_steps
from brainlab.core.neurons import NeuGroup, NeuSubGroup
from brainlab.core.synapses import SynConn
from brainlab.errors import ModelUseError
from brainlab.lower.hoist import Hoisting
from brainlab.lower.ifconvert import IfConversion, math_names
from brainlab.lower.rewrite import StateAccess, StepBinding, rewrite_step
from brainlab.lower.scalarise import is_elementwise
from brainlab.lower.source import FreeNames
from brainlab.lower.steps import CONNECTIVITY_NAMES
from brainlab.types import StateData

__all__ = ["Lowered", "RunInput", "lower_network"]


@dataclasses.dataclass
class RunInput:
    """One validated input of a run: ``target.ST[field] <op>= value``."""

    target: Ensemble
    owner: Ensemble  # the object in the network that holds the state
    field: str
    value: Any
    op: str
    kind: str  # 'scalar', 'array' or 'series'
    ids: np.ndarray | None  # subgroup neurons, None for the whole object
    key: str  # 'ST.input' as given


@dataclasses.dataclass
class Lowered:
    """A lowered network: the kernel spec, its arguments and what decodes its results."""

    spec: KernelSpec
    values: dict[str, Any]
    objects: list[Ensemble]
    monitor_args: dict[tuple[int, str], str]


def _typed_list(items: list[np.ndarray], jit: bool) -> Any:
    if not jit:
        return items
    from numba import typed, types

    result = typed.List.empty_list(types.int64[::1])
    for item in items:
        result.append(np.ascontiguousarray(item, dtype=np.int64))
    return result


def _kernel_value(value: Any) -> Any:
    """Convert a parameter value into what Numba should see."""
    if isinstance(value, np.generic):
        return value.item()
    return value


class _Lowerer:
    def __init__(self, objects: list[Ensemble], inputs: list[RunInput], dt: float, jit: bool):
        self.objects = objects
        self.inputs = inputs
        self.dt = dt
        self.jit = jit
        self.values: dict[str, Any] = {}
        self.keys = {id(obj): f"o{k}" for k, obj in enumerate(objects)}
        self.integrators: dict[int, str] = {}
        self.integrator_units: list = []
        self.free_names: list[FreeNames] = []  # what the generated module must import
        self.monitor_args: dict[tuple[int, str], str] = {}

    def arg(self, name: str, value: Any) -> str:
        self.values[name] = value
        return name

    # --- integrators ------------------------------------------------------------
    def integrator_entry(self, integrator: Any) -> str:
        if id(integrator) not in self.integrators:
            prefix = f"i{len(self.integrators)}_{integrator.py_func_name}"
            code = integrator.emit(prefix)
            self.integrator_units += code.units
            self.integrators[id(integrator)] = prefix
            self.free_names.append(integrator.diff_eq.info.free)
        return self.integrators[id(integrator)]

    # --- per object ---------------------------------------------------------------
    def state_of(self, side: Any, owner: Ensemble, key: str, name: str) -> tuple[str, dict[str, int]]:
        """Return the kernel variable and rows of a pre/post state."""
        if isinstance(side, NeuSubGroup):
            side = side.parent
        if isinstance(side, NeuGroup):
            if id(side) not in self.keys:
                raise ModelUseError(
                    f"SynConn {owner.name!r} connects NeuGroup {side.name!r}, which is not in the network. "
                    f"Add it: bp.Network({side.name}, ..., {owner.name})."
                )
            return f"{self.keys[id(side)]}_ST", side.ST.index
        state: StateData = side
        return self.arg(f"{key}_{name}state", state.data), state.index

    def lower_object(self, obj: Ensemble) -> ObjectSpec:
        key = self.keys[id(obj)]
        model = obj.model
        label = f"{type(obj).__name__} {obj.name!r} (model {model.name!r}, {model.mode} mode)"
        st = self.arg(f"{key}_ST", obj.ST.data)
        scalar = model.mode == "scalar"
        accesses: dict[str, StateAccess] = {}
        role_values: dict[tuple[str, str], str] = {("state", "ST"): st}
        delayed_rows: dict[str, int] | None = None
        delay_pairs: list[tuple[int, int]] = []

        if isinstance(obj, SynConn):
            for side in ("pre", "post"):
                group = getattr(obj, f"{side}_group")
                source = group if group is not None else obj._side_state(side)
                var, rows = self.state_of(source, obj, key, side)
                role_values[("state", side)] = var
                select = None
                if not scalar and isinstance(group, NeuSubGroup):
                    span = group.contiguous
                    if span is not None:
                        select = "slice"
                        role_values[("lo", side)] = self.arg(f"{key}_{side}_lo", span[0])
                        role_values[("hi", side)] = self.arg(f"{key}_{side}_hi", span[1])
                    else:
                        select = "index"
                        role_values[("idx", side)] = self.arg(f"{key}_{side}_idx", group.ids)
                accesses[side] = StateAccess(rows=rows, element=f"_{side}_i" if scalar else None, select=select)
            fields = model.delayed_fields
            if fields and obj.delay > 0:
                steps = delay_steps(obj.delay, self.dt, f"SynConn {obj.name!r}")
                if steps > 0:
                    delayed_rows = {f: k for k, f in enumerate(fields)}
                    delay_pairs = [(k, obj.ST.index[f]) for f, k in delayed_rows.items()]
                    buffer, pointer = _delay_buffer(obj, fields, steps)
                    role_values[("dbuf", "")] = self.arg(f"{key}_dbuf", buffer)
                    self.arg(f"{key}_dbufflat", buffer.reshape(buffer.shape[0], len(fields), obj.num))
                    self.arg(f"{key}_dptr", pointer)
                    role_values[("dslot", "")] = f"_dslot_{key}"

        steps: dict[str, StepSpec] = {}
        first_delayed = None
        for step in model.steps:
            self.free_names.append(step.info.free)
            step_scalar = scalar or self.elementwise(obj, step)
            access_st = StateAccess(
                rows=obj.ST.index,
                element="_obj_i" if step_scalar else None,
                delayed=delayed_rows if step.delayed else None,
            )
            if step.delayed and delayed_rows and first_delayed is None and step.name in obj.get_schedule():
                first_delayed = step.name
            params = sorted(step.params)
            integrators = {
                name: (
                    self.integrator_entry(i),
                    i.param_names,
                    [i.diff_eq.var_name, i.diff_eq.t_name, *i.diff_eq.arg_names],
                )
                for name, i in step.info.free.integrators.items()
            }
            binding = StepBinding(
                mode="scalar" if step_scalar else model.mode,
                accesses={"ST": access_st, **{k: v for k, v in accesses.items() if k in step.info.args}},
                params=params,
                hetero={p for p in params if step_scalar and obj.pars.is_heterogeneous(p)},
                integrators=integrators,
                data=step.data_args,
                numpy_aliases={a for a, m in step.info.free.modules.items() if m == "numpy"},
                if_conversion=self.if_conversion_rules(step, integrators)
                if step_scalar and profile.is_fast_loops()
                else None,
            )
            if step_scalar and self.jit and profile.is_fast_loops():
                binding = dataclasses.replace(
                    binding, inline_functions={unit.tree.name: unit.tree for unit in self.integrator_units}
                )
            if scalar and isinstance(obj, SynConn) and self.jit and profile.is_fast_loops():
                binding = dataclasses.replace(
                    binding,
                    hoist=Hoisting(
                        purity=binding.if_conversion,
                        invariant=frozenset({"_t", "_dt", "_np", *step.info.free.modules})
                        | frozenset(p for p in params if p not in binding.hetero),
                    ),
                )
            name = f"{key}_{step.name}"
            tree, roles = rewrite_step(step.info, binding, name=name, owner=f"{label}, step {step.name!r}")
            arguments = [self.resolve(obj, key, role, role_values) for role in roles]
            note = ", compiled as an elementwise loop" if step_scalar and not scalar else ""
            steps[step.name] = StepSpec(
                name=name,
                tree=tree,
                origin=step.info,
                label=f"step function {step.name!r} of {label}{note}",
                arguments=arguments,
            )

        flat = obj.ST.data.reshape(len(obj.ST.index), obj.num)  # a view: (fields, elements)
        flat_name = self.arg(f"{key}_STflat", flat)
        own_inputs = (i for i in self.inputs if i.owner is obj)
        inputs = [self.lower_input(key, st, flat_name, n, inp) for n, inp in enumerate(own_inputs)]
        monitors = {}
        for field in obj.mon.fields:
            # Empty until the run allocates the real arrays. The kernel sees every
            # monitor as (steps, elements), a view of the user's array, and copies
            # rows element by element (see emit_kernel).
            name = self.arg(f"{key}_mon_{field}", np.zeros((0, obj.num), dtype=obj.ST.data.dtype))
            self.monitor_args[(self.objects.index(obj), field)] = name
            monitors[name] = obj.ST.index[field]
        rows = np.array([r for r in range(flat.shape[0]) if np.isfinite(flat[r]).all()], dtype=np.int64)
        check = (flat_name, self.arg(f"{key}_chk", rows)) if rows.size else None
        return ObjectSpec(
            key=key,
            label=label,
            state=st,
            schedule=obj.get_schedule(),
            steps=steps,
            inputs=inputs,
            monitors=monitors,
            flat=flat_name,
            delay_rows=delay_pairs,
            first_delayed=first_delayed,
            check=check,
        )

    def elementwise(self, obj: Ensemble, step: Any) -> bool:
        """Return whether a vector-mode neuron step can run as a scalar loop (:mod:`brainlab.lower.scalarise`)."""
        if not (self.jit and profile.is_fast_loops() and obj.model.mode == "vector" and isinstance(obj, NeuGroup)):
            return False
        if obj.ST.data.ndim != 2 or step.data_args or set(step.info.args) - {"ST", "_t", "_i", "_dt"}:
            return False
        for name in step.params:
            if isinstance(obj.pars[name], np.ndarray) and not obj.pars.is_heterogeneous(name):
                return False  # an array used as an array (a table, a matrix)
        free = step.info.free
        calls = set()
        for alias, integrator in free.integrators.items():
            eq = integrator.diff_eq.info
            modules, _ = math_names(eq.free.modules, {})
            if not is_elementwise(
                eq.tree, numpy_modules=modules, elementwise_calls=frozenset(), state="", results=True
            ):
                return False
            calls.add(alias)
        modules, _ = math_names(free.modules, {})
        return is_elementwise(step.info.tree, numpy_modules=modules, elementwise_calls=frozenset(calls))

    @staticmethod
    def if_conversion_rules(step: Any, integrators: dict) -> IfConversion:
        """Return what if-conversion may assume in a scalar-mode step (deterministic integrators are pure)."""
        free = step.info.free
        modules, functions = math_names(free.modules, free.imports)
        pure = {integrators[n][0] for n, i in free.integrators.items() if not i.diff_eq.is_stochastic}
        pure.add("_exprel")  # exponential Euler's (exp(z) - 1) / z, once inlined
        return IfConversion(
            defined=frozenset(),
            element_vars=frozenset({"_obj_i", "_pre_i", "_post_i"}),
            pure_calls=frozenset(pure),
            math_modules=modules,
            math_imports=functions,
        )

    def resolve(self, obj: Ensemble, key: str, role: Any, role_values: dict) -> str:
        """Return the kernel expression passed for one argument of a step function."""
        kind = role.role
        if kind == "system":
            return role.name
        if (kind, role.key) in role_values:
            return role_values[(kind, role.key)]
        if kind == "param":
            name = f"{key}_p_{role.name}"
            if name not in self.values:
                self.arg(name, _kernel_value(obj.pars[role.name]))
            return name
        if kind == "data":
            name = f"{key}_d_{role.name}"
            if name not in self.values:
                self.arg(name, self.data_value(obj, role.name))
            return name
        if kind == "num":
            return self.arg(f"{key}_num", int(obj.num))
        if kind in ("pre_ids", "post_ids"):
            return self.arg(f"{key}_{kind}", _global_ids(obj, kind[:-4]))
        if kind in ("dbuf", "dslot"):
            return role_values[(kind, "")]
        raise AssertionError(f"unhandled argument role {role}")  # pragma: no cover

    def data_value(self, obj: Ensemble, name: str) -> Any:
        if isinstance(obj, SynConn) and name in CONNECTIVITY_NAMES:
            value = obj.connectivity(name)
        else:
            value = obj.data_value(name)
        if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            cache = obj.__dict__.setdefault("_typed_lists", {})
            entry = cache.get(name)
            if entry is None or entry[0] is not value or entry[1] != self.jit:
                entry = (value, self.jit, _typed_list(value, self.jit))
                cache[name] = entry
            return entry[2]
        return value

    def lower_input(self, key: str, state: str, flat: str, n: int, inp: RunInput) -> InputSpec:
        name = self.arg(f"{key}_in{n}", inp.value)
        select = None
        if inp.ids is not None:  # the target is a subgroup
            span = inp.target.contiguous
            if span is not None:
                select = "slice"
                self.arg(f"{name}_lo", span[0])
                self.arg(f"{name}_hi", span[1])
            else:
                select = "index"
                self.arg(f"{name}_idx", inp.ids)
        return InputSpec(
            state=state,
            row=inp.owner.ST.index[inp.field],
            op=inp.op,
            value=name,
            series=inp.kind == "series",
            select=select,
            flat=flat
            if select is None and (inp.kind == "scalar" or (inp.kind == "series" and np.ndim(inp.value) == 1))
            else None,
        )


def _global_ids(obj: SynConn, side: str) -> np.ndarray:
    """Neuron indices of each synapse in the state array of its ``side`` group."""
    ids = obj.connectivity(f"{side}_ids")
    group = getattr(obj, f"{side}_group")
    if isinstance(group, NeuSubGroup):
        ids = group.ids[ids]
    return np.ascontiguousarray(ids, dtype=np.int64)


def _delay_buffer(obj: SynConn, fields: list[str], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the delay buffer of a connection, reset to the current state if it was edited."""
    shape = (steps + 1, len(fields), *obj.ST.shape)
    cached = obj.__dict__.get("_delay")
    if cached is not None and cached[0].shape == shape and cached[2] == obj.ST.version:
        return cached[0], cached[1]
    buffer = np.empty(shape, dtype=obj.ST.data.dtype)
    for k, field in enumerate(fields):
        buffer[:, k] = obj.ST[field]  # the past is the current state until the delay fills
    pointer = np.zeros(1, dtype=np.int64)
    obj.__dict__["_delay"] = (buffer, pointer, obj.ST.version)
    return buffer, pointer


def lower_network(objects: list[Ensemble], inputs: list[RunInput], dt: float, jit: bool) -> Lowered:
    """Lower a network into a kernel spec and the values of the kernel's arguments.

    Parameters
    ----------
    objects : list of Ensemble
        Groups and connections, in run order.
    inputs : list of RunInput
        Validated inputs of the run.
    dt : float
        Time step (ms), for delays.
    jit : bool
        Whether the kernel is compiled (connectivity lists become typed lists).
    """
    lowerer = _Lowerer(objects, inputs, dt, jit)
    specs = [lowerer.lower_object(obj) for obj in objects]
    spec = KernelSpec(
        objects=specs,
        args=list(lowerer.values),
        integrator_units=lowerer.integrator_units,
        free_names=lowerer.free_names,
    )
    return Lowered(
        spec=spec,
        values=lowerer.values,
        objects=objects,
        monitor_args=lowerer.monitor_args,
    )
