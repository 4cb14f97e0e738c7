"""Check a model's step functions when the model type is defined.

Mistakes that can be seen in the source alone are reported here, before any
group exists: an ``ST`` field that the state does not have, an argument nobody
can provide, vector code in a scalar-mode model, two functions that disagree on
a parameter's value. What each function reads from ``pre`` and ``post`` is
recorded so that a connection can check its groups when it is created.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable

import numpy as np

from brainlab.errors import ModelDefError
from brainlab.lower.source import SYSTEM_NAMES, FunctionInfo, analyse_function

__all__ = ["CONNECTIVITY_NAMES", "StepFunction", "analyse_step", "merge_parameters"]

# Data a synaptic connection derives from its connectivity on request.
CONNECTIVITY_NAMES = frozenset(
    {
        "pre_ids",
        "post_ids",
        "conn_mat",
        "pre2syn",
        "post2syn",
        "pre2post",
        "post2pre",
        "pre_slice_syn",
        "post_slice_syn",
    }
)
_STATE_NAMES = ("ST", "pre", "post")


@dataclasses.dataclass
class StepFunction:
    """One step function of a model type, analysed.

    Attributes
    ----------
    info : FunctionInfo
        The parsed function.
    name : str
        Its name, which is also its name in the schedule.
    delayed : bool
        Whether it was decorated with ``@delayed``.
    fields : dict
        ``'ST'``/``'pre'``/``'post'`` -> set of fields it reads or writes.
    data_args : list of str
        Arguments that are ``requires``/``hand_overs`` data or connectivity.
    uses_debugger : bool
        Calls ``pdb.set_trace()`` or ``breakpoint()`` (needs ``jit=False``).
    """

    info: FunctionInfo
    name: str
    delayed: bool
    fields: dict[str, set[str]]
    data_args: list[str]
    uses_debugger: bool

    @property
    def params(self) -> dict:
        """Parameters read by the function and the integrators it calls."""
        merged = dict(self.info.free.params)
        for integrator in self.info.free.integrators.values():
            merged.update(integrator.diff_eq.params)
        return merged


def _subscript_field(node: ast.Subscript) -> str | None:
    return node.slice.value if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str) else None


def analyse_step(
    func: Callable,
    *,
    owner: str,
    kind: str,
    mode: str,
    st_fields: list[str],
    data_names: set[str],
) -> StepFunction:
    """Analyse one step function of a model type.

    Parameters
    ----------
    func : callable
        The step function (possibly wrapped by ``@delayed``).
    owner : str
        The model, for messages (``"NeuType 'LIF'"``).
    kind : {'neu', 'syn'}
        Neuron or synapse model.
    mode : {'scalar', 'vector', 'matrix'}
        The model's mode.
    st_fields : list of str
        Fields of the model's ``ST``.
    data_names : set of str
        Names of ``requires`` and ``hand_overs`` data.

    Raises
    ------
    ModelDefError
        With the function, file and line of the mistake and how to fix it.
    """
    delayed = bool(getattr(func, "__brainlab_delayed__", False))
    info = analyse_function(func, owner=owner)
    where = f"{owner}, step function {info.name!r}"

    allowed = {"ST", "_t", "_i", "_dt", *data_names}
    if kind == "syn":
        allowed |= {"pre", "post", *CONNECTIVITY_NAMES}
    if mode == "scalar":
        allowed |= {"_obj_i"} | ({"_pre_i", "_post_i"} if kind == "syn" else set())
    data_args = []
    for arg in info.args:
        if arg not in allowed:
            hint = (
                "declare it in `requires=` (data a group must satisfy) or `hand_overs=` "
                "(data the type gives every group)"
            )
            if arg in ("_obj_i", "_pre_i", "_post_i"):
                hint = f"{arg} exists only in scalar mode" + (" of synapses" if arg != "_obj_i" else "")
            elif arg in ("pre", "post") or arg in CONNECTIVITY_NAMES:
                hint = f"{arg!r} exists only for synapse types (SynType)"
            raise ModelDefError(
                f"{where} ({info.where()}) has an argument {arg!r} that nothing provides: {hint}. "
                f"Available: {sorted(allowed)}."
            )
        if arg not in _STATE_NAMES and arg not in SYSTEM_NAMES:
            data_args.append(arg)

    fields: dict[str, set[str]] = {name: set() for name in _STATE_NAMES}
    uses_debugger = False
    parents = {child: parent for parent in ast.walk(info.tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(info.tree):
        if isinstance(node, ast.Global | ast.Nonlocal):
            raise ModelDefError(
                f"{where} ({info.where(node)}) uses `global`/`nonlocal`. Compiled code cannot "
                "change Python variables: pass an array as an argument (hand_overs) and write into it."
            )
        if isinstance(node, ast.Call):
            func_node = node.func
            if (isinstance(func_node, ast.Name) and func_node.id == "breakpoint") or (
                isinstance(func_node, ast.Attribute) and func_node.attr == "set_trace"
            ):
                uses_debugger = True
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        state = node.value.id
        if state not in _STATE_NAMES or state not in info.args:
            continue
        field = _subscript_field(node)
        if field is None:
            raise ModelDefError(
                f"{where} ({info.where(node)}): index {state} with a field name in quotes, as in {state}['V']."
            )
        if state == "ST" and field not in st_fields:
            raise ModelDefError(
                f"{where} ({info.where(node)}) uses ST[{field!r}], but the state has no field "
                f"{field!r}. Its fields are {st_fields}; add {field!r} to the state or fix the name."
            )
        fields[state].add(field)
        parent = parents.get(node)
        if mode == "scalar" and isinstance(parent, ast.Subscript) and parent.value is node:
            raise ModelDefError(
                f"{where} ({info.where(node)}) indexes {state}[{field!r}], but in scalar mode "
                f"{state}[{field!r}] is one number (the state of one element). Write the function "
                "for a single element, or define the type with mode='vector'."
            )
    return StepFunction(
        info=info, name=info.name, delayed=delayed, fields=fields, data_args=data_args, uses_debugger=uses_debugger
    )


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is b or (np.shape(a) == np.shape(b) and bool(np.all(np.asarray(a) == np.asarray(b))))
    return a == b


def merge_parameters(steps: list[StepFunction], owner: str) -> dict[str, object]:
    """Collect the parameters of all step functions (and their integrators).

    Raises
    ------
    ModelDefError
        If two functions read the same name with different values.
    """
    merged: dict[str, object] = {}
    source: dict[str, str] = {}
    for step in steps:
        functions = [(step.info.name, step.info.free.params)]
        functions += [(i.diff_eq.info.name, i.diff_eq.params) for i in step.info.free.integrators.values()]
        for fname, params in functions:
            for name, value in params.items():
                if name in merged and not _same_value(merged[name], value):
                    raise ModelDefError(
                        f"{owner}: the parameter {name!r} is {merged[name]!r} in {source[name]!r} "
                        f"but {value!r} in {fname!r}. A model's functions must agree on a "
                        "parameter's value; rename one of them."
                    )
                merged[name] = value
                source.setdefault(name, fname)
    return merged
