"""Argument checks shared by the connectors.

Every check raises :class:`~brainlab.errors.ModelUseError` with a message that
names the connector (``owner``), the argument, the value received and what to
pass instead, and returns the value converted to a plain Python type.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from brainlab.errors import ModelUseError

__all__ = [
    "as_group",
    "check_bool",
    "check_count",
    "check_finite",
    "check_positive",
    "check_probability",
    "check_seed",
    "check_size",
]


def _is_int(value: Any) -> bool:
    # bool is an Integral, but True as a neuron count is a mistake, not a 1.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_size(value: Any, name: str, owner: str) -> int:
    """Return ``value`` as a positive ``int`` (a number of neurons)."""
    if not _is_int(value):
        raise ModelUseError(f"{owner}: '{name}' must be an integer number of neurons, got {value!r}.")
    if value <= 0:
        raise ModelUseError(f"{owner}: '{name}' must be at least 1 (a group has neurons), got {value}.")
    return int(value)


def check_bool(value: Any, name: str, owner: str) -> bool:
    """Return ``value`` as ``bool``; a truthy string must not pass silently."""
    if not isinstance(value, bool | np.bool_):
        raise ModelUseError(f"{owner}: '{name}' must be True or False, got {value!r}.")
    return bool(value)


def check_seed(value: Any, owner: str) -> int | None:
    """Return a random seed: ``None`` or a non-negative ``int``."""
    if value is None:
        return None
    if not _is_int(value) or value < 0:
        raise ModelUseError(f"{owner}: 'seed' must be None or a non-negative integer, got {value!r}.")
    return int(value)


def check_count(value: Any, name: str, owner: str, minimum: int = 0) -> int:
    """Return ``value`` as an ``int`` of at least ``minimum``."""
    if not _is_int(value):
        raise ModelUseError(f"{owner}: '{name}' must be an integer, got {value!r}.")
    if value < minimum:
        raise ModelUseError(f"{owner}: '{name}' must be at least {minimum}, got {value}.")
    return int(value)


def check_finite(value: Any, name: str, owner: str, minimum: float | None = None) -> float:
    """Return ``value`` as a finite ``float``, at least ``minimum`` if given."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ModelUseError(f"{owner}: '{name}' must be a finite number, got {value!r}.")
    if minimum is not None and float(value) < minimum:
        raise ModelUseError(f"{owner}: '{name}' must be at least {minimum}, got {value}.")
    return float(value)


def check_positive(value: Any, name: str, owner: str) -> float:
    """Return ``value`` as a finite ``float`` greater than 0."""
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) <= 0.0:
        raise ModelUseError(f"{owner}: '{name}' must be a finite number greater than 0, got {value!r}.")
    return float(value)


def check_probability(value: Any, name: str, owner: str) -> float:
    """Return ``value`` as a ``float`` in ``[0, 1]``."""
    if not _is_real(value):
        raise ModelUseError(f"{owner}: '{name}' must be a number in [0, 1] (a probability), got {value!r}.")
    if not 0.0 <= float(value) <= 1.0:  # also rejects NaN
        raise ModelUseError(f"{owner}: '{name}'={value} is outside [0, 1]; pass a probability, e.g. {name}=0.1.")
    return float(value)


def _geometry(value: Sequence[Any], name: str, owner: str) -> tuple[int, ...]:
    if len(value) not in (1, 2):
        raise ModelUseError(
            f"{owner}: '{name}'={tuple(value)!r} is read as a geometry, which has 1 or 2 dimensions "
            f"(num,) or (height, width); to pass neuron indices use a numpy array."
        )
    return tuple(check_size(v, name, owner) for v in value)


def as_group(value: ArrayLike | int | Sequence[int], name: str, owner: str) -> np.ndarray:
    """Return one group's ``int64`` index array, given that array or its geometry.

    An ``int`` ``n`` or a flat tuple/list of ints ``(height, width)`` is a
    geometry and stands for ``np.arange(n)`` or
    ``np.arange(height * width).reshape(height, width)``; anything else (a numpy
    array, a nested list) is taken as the index array itself.
    """
    if _is_int(value):
        shape: tuple[int, ...] = (check_size(value, name, owner),)
        return np.arange(shape[0], dtype=np.int64)
    if isinstance(value, tuple | list) and len(value) > 0 and all(_is_int(v) for v in value):
        shape = _geometry(value, name, owner)
        return np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    arr = np.asarray(value)
    if arr.ndim not in (1, 2):
        raise ModelUseError(
            f"{owner}: '{name}' must be the group's 1-D or 2-D index array, e.g. "
            f"np.arange(num).reshape(geometry), or its geometry; got shape {arr.shape}."
        )
    if arr.size == 0:
        raise ModelUseError(f"{owner}: '{name}' is empty; a neuron group needs at least 1 neuron.")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ModelUseError(
            f"{owner}: '{name}' must hold integer neuron indices, got dtype {arr.dtype}; "
            f"pass np.arange(num).reshape(geometry)."
        )
    return arr.astype(np.int64, copy=False)
