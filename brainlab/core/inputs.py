"""Validate the ``inputs`` of a run: ``(target, 'ST.field', value[, op])``.

A value is a number, one value per element, or a time series with one row per
time step. Each is checked against its target before anything runs.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from brainlab.core.base import Ensemble
from brainlab.core.lowering import RunInput
from brainlab.core.neurons import NeuSubGroup
from brainlab.errors import ModelUseError

__all__ = ["OPERATIONS", "input_items", "normalise_inputs"]

OPERATIONS = ("+", "-", "*", "/", "=")


def input_items(inputs: Any) -> list[Sequence]:
    """Return the items of a run's ``inputs``: one flat ``(target, field, value[, op])`` or a list of them."""
    if inputs is None or (isinstance(inputs, list | tuple) and len(inputs) == 0):
        return []
    if not isinstance(inputs, list | tuple):
        raise ModelUseError(f"inputs must be a (target, field, value[, op]) tuple or a list of them, got {inputs!r}.")
    # One input given flat: [group, 'ST.input', 1.2] or (group, 'ST.input', 1.2, '+').
    if len(inputs) >= 3 and isinstance(inputs[1], str) and not isinstance(inputs[0], list | tuple):
        return [inputs]
    return list(inputs)


def _field(key: Any, target: Any) -> str:
    if not isinstance(key, str):
        raise ModelUseError(f"Input to {target.name!r}: the field must be a string such as 'ST.input', got {key!r}.")
    field = key[3:] if key.startswith("ST.") else key
    fields = target.model.ST.keys()
    if field not in fields:
        raise ModelUseError(
            f"Input to {target.name!r}: {key!r} is not a state field of model {target.model.name!r}; "
            f"its fields are {fields}. Write the field as 'ST.<field>'."
        )
    return field


def _classify(value: Any, field_shape: tuple[int, ...], n_steps: int, where: str) -> tuple[Any, str]:
    if isinstance(value, bool | np.bool_ | numbers.Real):
        if not np.isfinite(value):
            raise ModelUseError(f"{where}: the input value must be finite, got {value!r}.")
        return float(value), "scalar"
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ModelUseError(f"{where}: input values must be numbers or numeric arrays, got {value!r}.")
    if not np.isfinite(array).all():
        raise ModelUseError(f"{where}: the input contains NaN or infinite values.")
    array = np.ascontiguousarray(array, dtype=np.float64)
    if array.ndim == 0:
        return float(array), "scalar"
    if array.shape == field_shape:
        return array, "array"
    if array.shape[0] == n_steps and array.shape[1:] in ((), field_shape):
        return array, "series"
    if array.shape == (n_steps, 1):  # one value per step, unambiguous even when n_steps == num
        return np.ascontiguousarray(array.reshape(n_steps)), "series"
    raise ModelUseError(
        f"{where}: cannot use an input of shape {array.shape}. Give a number, one value per element "
        f"(shape {field_shape}), or a time series with one row per time step (shape ({n_steps},), ({n_steps}, 1) "
        f"or ({n_steps}, {', '.join(map(str, field_shape))}))."
    )


def normalise_inputs(inputs: Any, objects: list[Ensemble], n_steps: int) -> list[RunInput]:
    """Check the inputs of a run against the network's objects.

    Parameters
    ----------
    inputs : tuple or list
        ``(target, field, value[, op])`` items.
    objects : list of Ensemble
        Objects in the network.
    n_steps : int
        Steps of the run (the length of a time series).

    Returns
    -------
    list of RunInput
    """
    result = []
    for item in input_items(inputs):
        if not isinstance(item, list | tuple) or len(item) not in (3, 4):
            raise ModelUseError(f"Each input is (target, field, value[, op]); got {item!r}.")
        target, key, value = item[:3]
        op = item[3] if len(item) == 4 else "+"
        if isinstance(target, NeuSubGroup):
            owner, ids = target.parent, target.ids
        else:
            owner, ids = target, None
        if not any(owner is obj for obj in objects):
            raise ModelUseError(
                f"Input target {getattr(target, 'name', target)!r} is not in the network; add it "
                "to the Network, or give the input to an object that is."
            )
        field = _field(key, owner)
        if op not in OPERATIONS:
            raise ModelUseError(f"Input to {target.name!r}.{key}: unknown operation {op!r}; use one of {OPERATIONS}.")
        shape = (ids.size,) if ids is not None else owner.ST.shape
        where = f"Input to {target.name!r}.{key}"
        value, kind = _classify(value, shape, n_steps, where)
        result.append(
            RunInput(target=target, owner=owner, field=field, value=value, op=op, kind=kind, ids=ids, key=key)
        )
    return result
