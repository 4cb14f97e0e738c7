"""Parameters of a group or connection (``group.pars``), validated on assignment.

Parameters are runtime data: the kernel receives them as arguments at every
run, so a new value takes effect at the next ``run()`` without recompiling.
Only a change of kind (a number becoming one value per element, an integer
becoming a fraction) changes the generated code or its Numba specialisation.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from brainlab.errors import ModelUseError

__all__ = ["ParsUpdate"]


class ParsUpdate:
    """The parameters of one group or connection.

    Reads and writes like a dict: ``pars['tau'] = 12.`` or
    ``pars['tau'] = np.array([...])`` (one value per element). Unknown names and
    arrays of the wrong length raise :class:`~brainlab.errors.ModelUseError`.

    Parameters
    ----------
    all_pars : dict
        Default values (those of the model type).
    num : int
        Number of elements (neurons or synapses).
    model : ObjType
        The model the parameters belong to.
    owner : str, optional
        Name of the group or connection, for messages.
    element_shape : tuple of int, optional
        Shape of one value per element (``(num,)`` or ``(num_pre, num_post)``).

    Attributes
    ----------
    origins : dict
        The model's default values.
    updates : dict
        Values changed for this group.
    heters : dict
        Changed values that hold one value per element.
    """

    def __init__(
        self,
        all_pars: Mapping[str, Any],
        num: int,
        model: Any,
        owner: str = "",
        element_shape: tuple[int, ...] | None = None,
    ):
        self.origins = dict(all_pars)
        self.num = num
        self.model = model
        self.owner = owner or getattr(model, "name", "model")
        self.element_shape = tuple(element_shape) if element_shape is not None else (num,)
        self.updates: dict[str, Any] = {}
        # Arrays are copied so that groups of the same type never share them.
        self._values = {k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in self.origins.items()}

    # --- mapping interface --------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        self._check_name(key)
        return self._values[key]

    def get(self, item: str, default: Any = None) -> Any:
        """Return the value of parameter ``item`` (``default`` if unknown)."""
        return self._values.get(item, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_name(key)
        new = self._validate(key, value)
        self._values[key] = new
        self.updates[key] = new

    def update(self, other: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Set several parameters (validated one by one)."""
        for key, value in {**dict(other or {}), **kwargs}.items():
            self[key] = value

    def keys(self) -> list[str]:
        """Return the parameter names."""
        return list(self._values)

    def values(self) -> list[Any]:
        """Return the parameter values."""
        return list(self._values.values())

    def items(self) -> list[tuple[str, Any]]:
        """Return ``(name, value)`` pairs."""
        return list(self._values.items())

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def copy(self) -> dict[str, Any]:
        """Return a plain dict of the current values."""
        return dict(self._values)

    @property
    def all(self) -> dict[str, Any]:
        """All current values."""
        return dict(self._values)

    @property
    def heters(self) -> dict[str, Any]:
        """Parameters holding one value per element."""
        return {k: v for k, v in self._values.items() if self.is_heterogeneous(k)}

    def is_heterogeneous(self, key: str) -> bool:
        """Whether parameter ``key`` currently holds one value per element."""
        return self._is_hetero_value(self._values[key]) and not isinstance(self.origins[key], np.ndarray)

    def _is_hetero_value(self, value: Any) -> bool:
        return isinstance(value, np.ndarray) and value.shape == self.element_shape

    def __repr__(self) -> str:
        # Per-element values are summarised: a 64 000-element array would drown the other parameters.
        shown = {
            k: (f"<{v.dtype} array {v.shape}: {v.min():.6g} .. {v.max():.6g}>" if isinstance(v, np.ndarray) else v)
            for k, v in self._values.items()
        }
        return f"ParsUpdate({self.owner}: {{{', '.join(f'{k!r}: {v}' for k, v in shown.items())}}})"

    # --- validation ---------------------------------------------------------
    def _check_name(self, key: str) -> None:
        if key not in self._values:
            known = ", ".join(self._values) or "none"
            raise ModelUseError(
                f"{self.owner}: unknown parameter {key!r}. Parameters of model "
                f"{getattr(self.model, 'name', '?')!r}: {known}. (A parameter is a number or array "
                "that a step or derivative function reads from outside itself.)"
            )

    def _validate(self, key: str, value: Any) -> Any:
        origin = self.origins[key]
        where = f"{self.owner}: parameter {key!r}"
        if isinstance(value, bool | np.bool_ | numbers.Number) and not isinstance(value, complex):
            if isinstance(origin, np.ndarray):
                raise ModelUseError(f"{where} is an array of shape {origin.shape}; give an array of that shape.")
            if value != value:  # NaN
                raise ModelUseError(f"{where} cannot be NaN.")
            if isinstance(origin, bool | np.bool_):
                return bool(value)
            if isinstance(origin, numbers.Integral) and float(value).is_integer() and not isinstance(value, bool):
                return int(value)
            return float(value)
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise ModelUseError(f"{where} must be numeric, got {value!r}.")
        if np.isnan(array).any() if array.dtype.kind == "f" else False:
            raise ModelUseError(f"{where} contains NaN.")
        if isinstance(origin, np.ndarray):
            if array.shape != origin.shape:
                raise ModelUseError(
                    f"{where} must keep the shape {origin.shape} of its default value, got {array.shape}."
                )
            return np.ascontiguousarray(array, dtype=origin.dtype if origin.dtype.kind == array.dtype.kind else None)
        if array.ndim == 0:
            return self._validate(key, array.item())
        if array.shape != self.element_shape:
            raise ModelUseError(
                f"{where}: an array of parameter values needs one value per element, shape "
                f"{self.element_shape}, got shape {array.shape}. Give a number for a shared value."
            )
        dtype = np.float64 if isinstance(origin, float) or array.dtype.kind == "f" else array.dtype
        return np.ascontiguousarray(array, dtype=dtype)
