"""State schemas, state data and the data types that models may require.

* :class:`NeuState` / :class:`SynState` describe the fields of a model's state
  ``ST`` and their initial values. Called with a size they create
  :class:`StateData`: one contiguous ``float`` array with a name → row map, read
  and written as ``ST['V']``.
* :class:`Array`, :class:`ListConn`, :class:`MatConn`, :class:`Int`,
  :class:`Float`, :class:`List` and :class:`Dict` declare data a model
  ``requires``; they check what a group or connection ``satisfies``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.errors import ModelDefError, ModelUseError, TypeMismatchError

__all__ = [
    "Array",
    "Dict",
    "Float",
    "Int",
    "List",
    "ListConn",
    "MatConn",
    "NeuState",
    "ObjState",
    "StateData",
    "SynState",
    "TypeChecker",
]

_FIELD_NAME_HINT = "Field names must be Python identifiers that do not start with '_'."


class TypeChecker:
    """Base class of the data types a model can declare in ``requires``.

    Parameters
    ----------
    help : str, optional
        A description shown in error messages.
    """

    def __init__(self, help: str = ""):
        self.help = help

    def check(self, value: Any) -> None:
        """Raise :class:`TypeMismatchError` if ``value`` does not fit this type."""
        raise NotImplementedError

    def make_copy(self, value: Any) -> Any:
        """Return ``value`` converted to the form the kernel uses, after checking it."""
        self.check(value)
        return value

    def describe(self) -> str:
        """Return a short description, e.g. ``'Array(dim=1)'``."""
        return type(self).__name__ + "()"

    def __repr__(self) -> str:
        return self.describe()


class ObjState(TypeChecker):
    """Fields of a model state and their initial values.

    Accepted forms (all equivalent ways of naming fields):

    * ``ObjState({'V': -65., 'spike': 0.})`` — a dict of initial values;
    * ``ObjState(['V', 'spike'])`` — a list or tuple, initial values 0;
    * ``ObjState('m', 'h', V=-65.)`` — names and keyword initial values.

    Parameters
    ----------
    *fields : dict, list, tuple or str
        Field names, or a dict of name → initial value.
    help : str, optional
        A description of the state.
    **defaults : float
        More fields with their initial values.
    """

    kind = "obj"

    def __init__(self, *fields: Any, help: str = "", **defaults: float):
        super().__init__(help)
        values: dict[str, float] = {}
        for item in fields:
            if isinstance(item, Mapping):
                values.update(item)
            elif isinstance(item, str):
                values[item] = 0.0
            elif isinstance(item, Iterable):
                for name in item:
                    values[name] = 0.0
            else:
                raise ModelDefError(
                    f"{type(self).__name__} got {item!r}; give field names (str, list, tuple) "
                    "or a dict of initial values."
                )
        values.update(defaults)
        for name, value in values.items():
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                raise ModelDefError(f"{type(self).__name__}: invalid field name {name!r}. {_FIELD_NAME_HINT}")
            if not isinstance(value, numbers.Real | np.bool_):
                raise ModelDefError(
                    f"{type(self).__name__}: the initial value of field {name!r} must be a number, got {value!r}."
                )
        self._vars = {k: float(v) for k, v in values.items()}

    # mapping-like read access to the schema
    def keys(self) -> list[str]:
        """Return the field names in order."""
        return list(self._vars)

    def __contains__(self, name: object) -> bool:
        return name in self._vars

    def __iter__(self) -> Iterator[str]:
        return iter(self._vars)

    def __len__(self) -> int:
        return len(self._vars)

    @property
    def defaults(self) -> dict[str, float]:
        """Initial value of every field."""
        return dict(self._vars)

    def __call__(self, size: int | tuple[int, ...]) -> StateData:
        """Create state data for ``size`` elements (an int or a shape)."""
        shape = (int(size),) if np.isscalar(size) else tuple(int(s) for s in size)
        if any(s < 0 for s in shape):
            raise ModelUseError(f"{type(self).__name__}: a state size must be >= 0, got {size!r}.")
        return StateData(self, shape)

    def check(self, value: Any) -> None:
        """Check that ``value`` (a state or a schema) has all fields of this one."""
        fields = value.keys() if hasattr(value, "keys") else None
        if fields is None:
            raise TypeMismatchError(f"Expected a state with fields {self.keys()}, got {value!r}.")
        missing = [k for k in self._vars if k not in fields]
        if missing:
            raise TypeMismatchError(
                f"The state lacks field(s) {missing}; it has {list(fields)}, but {self.describe()} is required."
            )

    def describe(self) -> str:
        """Return e.g. ``NeuState(['V', 'input'])``."""
        return f"{type(self).__name__}({self.keys()})"


class NeuState(ObjState):
    """Fields of a neuron model state (see :class:`ObjState`)."""

    kind = "neu"


class SynState(ObjState):
    """Fields of a synapse model state (see :class:`ObjState`)."""

    kind = "syn"


class StateData:
    """The state of a group: one array of shape ``(n_fields, *shape)``.

    ``data['V']`` returns a view of the row of ``V`` (writes go into the
    state); ``data['V'] = x`` broadcasts ``x`` into it. ``data['_data']`` is the
    whole array, as in BrainPy 0.3.

    Parameters
    ----------
    schema : ObjState
        The fields and their initial values.
    shape : tuple of int
        Shape of each field: ``(num,)``, or ``(num_pre, num_post)`` for
        matrix-mode synapses.
    owner : str, optional
        Name used in error messages.
    """

    def __init__(self, schema: ObjState, shape: tuple[int, ...], owner: str = ""):
        self.schema = schema
        self.shape = tuple(shape)
        self.owner = owner or type(schema).__name__
        self.index = {name: row for row, name in enumerate(schema.keys())}
        self._data = np.empty((len(self.index), *self.shape), dtype=profile.get_float_type())
        for name, row in self.index.items():
            self._data[row] = schema.defaults[name]
        # Bumped on every write from Python, so that delay buffers know when
        # the user has reset a state between runs.
        self.version = 0

    @property
    def num(self) -> int:
        """Number of elements per field."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def data(self) -> np.ndarray:
        """The whole state array (fields × elements)."""
        return self._data

    def keys(self) -> list[str]:
        """Return the field names."""
        return list(self.index)

    def items(self) -> list[tuple[str, np.ndarray]]:
        """Return ``(field, view)`` pairs."""
        return [(k, self[k]) for k in self.index]

    def __contains__(self, name: object) -> bool:
        return name in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def _row(self, key: str) -> int:
        try:
            return self.index[key]
        except (KeyError, TypeError):
            raise ModelUseError(
                f"{self.owner}: the state has no field {key!r}; its fields are {self.keys()}."
            ) from None

    def __getitem__(self, key: str) -> np.ndarray:
        if key == "_data":
            return self._data
        return self._data[self._row(key)]

    def __setitem__(self, key: str, value: Any) -> None:
        row = self._row(key)
        try:
            self._data[row] = value
        except (ValueError, TypeError) as exc:
            raise ModelUseError(
                f"{self.owner}: cannot set ST[{key!r}] (shape {self.shape}) to a value of "
                f"shape {np.shape(value)}: {exc}. Give a number or an array of shape {self.shape}."
            ) from None
        self.version += 1

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={self[k]!r}" for k in self.index)
        return f"StateData({self.owner}: {fields})"


class Array(TypeChecker):
    """A NumPy array with ``dim`` dimensions.

    Parameters
    ----------
    dim : int
        Required number of dimensions.
    help : str, optional
        Description.
    """

    def __init__(self, dim: int, help: str = ""):
        super().__init__(help)
        self.dim = int(dim)

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is an ndarray with ``dim`` dimensions."""
        if not isinstance(value, np.ndarray):
            raise TypeMismatchError(f"Expected a numpy array with {self.dim} dimension(s), got {type(value).__name__}.")
        if value.ndim != self.dim:
            raise TypeMismatchError(
                f"Expected an array with {self.dim} dimension(s), got shape {value.shape} ({value.ndim} dimension(s))."
            )

    def describe(self) -> str:
        """Return ``'Array(dim=N)'``."""
        return f"Array(dim={self.dim})"


class MatConn(TypeChecker):
    """A dense connectivity matrix of shape ``(num_pre, num_post)``."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is a 2-D array."""
        if not isinstance(value, np.ndarray) or value.ndim != 2:
            raise TypeMismatchError(f"Expected a connection matrix (2-D array, pre × post), got {np.shape(value)}.")


class ListConn(TypeChecker):
    """A list of integer index arrays, one per neuron (``pre2syn``, ``post2syn``, ...)."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is a list of 1-D integer arrays."""
        if not isinstance(value, list | tuple):
            raise TypeMismatchError(f"Expected a list of index arrays, got {type(value).__name__}.")
        for k, item in enumerate(value):
            arr = np.asarray(item)
            if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
                raise TypeMismatchError(f"Expected a list of 1-D integer index arrays; element {k} is {item!r}.")

    def make_copy(self, value: Any) -> list[np.ndarray]:
        """Return ``value`` as a list of ``int64`` arrays after checking it."""
        self.check(value)
        return [np.asarray(item, dtype=np.int64).reshape(-1) for item in value]


class Int(TypeChecker):
    """An integer scalar."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is an integer."""
        if not isinstance(value, numbers.Integral):
            raise TypeMismatchError(f"Expected an integer, got {value!r}.")


class Float(TypeChecker):
    """A real scalar."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is a real number."""
        if not isinstance(value, numbers.Real):
            raise TypeMismatchError(f"Expected a real number, got {value!r}.")


class List(TypeChecker):
    """A Python list (kept for API compatibility; the kernel cannot use ragged lists)."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is a list."""
        if not isinstance(value, list):
            raise TypeMismatchError(f"Expected a list, got {type(value).__name__}.")


class Dict(TypeChecker):
    """A Python dict (kept for API compatibility; only plain-Python code can use it)."""

    def check(self, value: Any) -> None:
        """Raise unless ``value`` is a dict."""
        if not isinstance(value, dict):
            raise TypeMismatchError(f"Expected a dict, got {type(value).__name__}.")
