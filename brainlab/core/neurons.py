"""Neuron models (``NeuType``), neuron groups (``NeuGroup``) and their subgroups.

A group has a geometry (``100`` or ``(10, 10)``); its state fields are flat
arrays of ``num`` elements in row-major order. ``group[:50]`` or
``group[:5, :5]`` is a :class:`NeuSubGroup`: a view on some of the neurons, to
be used as the ``pre``/``post`` side of connections or as an input target.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from brainlab.core.base import Ensemble, ObjType
from brainlab.errors import ModelUseError
from brainlab.types import NeuState

__all__ = ["NeuGroup", "NeuSubGroup", "NeuType", "normalise_geometry"]


class NeuType(ObjType):
    """An abstract neuron model.

    Parameters
    ----------
    name : str
        Model name.
    ST : NeuState
        State fields and initial values.
    steps : callable or sequence of callables
        Step functions, run in order at each time step.
    mode : {'vector', 'scalar'}
        ``'vector'``: ``ST['V']`` is the array of all neurons; ``'scalar'``:
        functions describe one neuron and brainlab loops over them.
    requires, hand_overs, heter_params_replace
        See :class:`~brainlab.core.base.ObjType`.
    """

    kind = "neu"
    modes = ("vector", "scalar")
    state_type = NeuState

    def __init__(
        self,
        name: str,
        ST: NeuState,
        steps: Callable | Sequence[Callable],
        mode: str = "vector",
        requires: Mapping[str, Any] | None = None,
        hand_overs: Mapping[str, Any] | None = None,
        heter_params_replace: Mapping[str, Any] | None = None,
    ):
        super().__init__(
            ST=ST,
            name=name,
            steps=steps,
            requires=requires,
            mode=mode,
            hand_overs=hand_overs,
            heter_params_replace=heter_params_replace,
        )

    @classmethod
    def from_equations(cls, text: str, **options: Any) -> NeuType:
        """Build a neuron type from the safe equation language (see :mod:`brainlab.equations`).

        Parameters
        ----------
        text : str
            ``dV/dt = ...`` lines and optional ``threshold:``, ``reset:``, ``refractory:`` lines.
        **options
            ``parameters``, ``initial``, ``name``, ``mode``, ``method`` of
            :func:`brainlab.equations.neuron_from_equations`.
        """
        from brainlab.equations.build import neuron_from_equations

        return neuron_from_equations(text, **options)


def normalise_geometry(geometry: Any, owner: str) -> tuple[int, ...]:
    """Return a geometry as a tuple of one or two positive ints, or raise ModelUseError."""
    if isinstance(geometry, numbers.Integral) and not isinstance(geometry, bool):
        shape: tuple = (int(geometry),)
    elif isinstance(geometry, tuple | list) and all(
        isinstance(g, numbers.Integral) and not isinstance(g, bool) for g in geometry
    ):
        shape = tuple(int(g) for g in geometry)
    else:
        raise ModelUseError(f"{owner}: geometry must be an int or a tuple of 1 or 2 ints, got {geometry!r}.")
    if not 1 <= len(shape) <= 2 or any(g <= 0 for g in shape):
        raise ModelUseError(
            f"{owner}: geometry {geometry!r} is invalid: give 1 or 2 positive sizes, e.g. 100 or (10, 10)."
        )
    return shape


class NeuGroup(Ensemble):
    """A group of neurons of one model.

    Parameters
    ----------
    model : NeuType
        The neuron model.
    geometry : int or tuple of int
        ``N`` or ``(height, width)``.
    monitors : sequence of str, optional
        State fields to record during runs (``group.mon.<field>``).
    name : str, optional
        Name (automatic if omitted).
    satisfies : dict, optional
        Data required by the model.
    pars_update : dict, optional
        Parameter values that differ from the model's.
    """

    def __init__(
        self,
        model: NeuType,
        geometry: int | tuple[int, ...] | list[int],
        monitors: Sequence[str] | None = None,
        name: str | None = None,
        satisfies: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
    ):
        if not isinstance(model, NeuType):
            raise ModelUseError(f"NeuGroup needs a NeuType as its model, got {type(model).__name__}.")
        shape = normalise_geometry(geometry, f"NeuGroup {name or ''}".strip())
        object.__setattr__(self, "geometry", shape)
        super().__init__(
            name=name,
            num=int(np.prod(shape)),
            model=model,
            monitors=monitors,
            pars_update=pars_update,
            # Subclasses (input groups) get their own automatic names: PoissonInput0, ...
            cls_type=type(self).__name__,
            satisfies=satisfies,
        )

    @property
    def indices(self) -> np.ndarray:
        """Flat indices of the neurons, shaped like the geometry."""
        return np.arange(self.num).reshape(self.geometry)

    def __getitem__(self, key: Any) -> NeuSubGroup:
        return NeuSubGroup(self, key)

    def run(
        self,
        duration: float | tuple[float, float],
        inputs: Any = (),
        report: bool = False,
        report_percent: float = 0.1,
        **options: Any,
    ) -> Any:
        """Run this group alone (a one-group :class:`~brainlab.core.network.Network`).

        Parameters
        ----------
        duration : float or (float, float)
            Length in ms, or ``(start, end)``.
        inputs : tuple or list of tuples
            ``(field, value[, op])`` items, e.g. ``('ST.input', 5.)``.
        report : bool
            Show a progress bar and timings.
        report_percent : float
            Fraction of the run between progress updates.
        **options
            Passed to :meth:`Network.run` (``callback``, ...).

        Returns
        -------
        RunInfo
            As :meth:`Network.run`.
        """
        from brainlab.core.network import Network

        net = self.__dict__.get("_solo_network")
        if net is None:
            net = Network(self)
            object.__setattr__(self, "_solo_network", net)
        return net.run(
            duration, inputs=_attach_target(self, inputs), report=report, report_percent=report_percent, **options
        )


def _attach_target(group: NeuGroup, inputs: Any) -> list:
    """Turn ``('ST.input', 5.)`` items of ``NeuGroup.run`` into network inputs."""
    if not inputs:
        return []
    items = [inputs] if isinstance(inputs, tuple) and inputs and isinstance(inputs[0], str) else list(inputs)
    if items and isinstance(items[0], str):  # a flat list ['ST.input', 5.]
        items = [tuple(items)]
    out = []
    for item in items:
        if not isinstance(item, tuple | list) or not item or not isinstance(item[0], str):
            raise ModelUseError(
                f"NeuGroup {group.name!r}.run: inputs are (field, value[, op]) tuples, e.g. "
                f"('ST.input', 5.); got {item!r}."
            )
        out.append((group, *item))
    return out


class NeuSubGroup:
    """Some neurons of a :class:`NeuGroup`, chosen by indexing it.

    Attributes
    ----------
    parent : NeuGroup
        The group the neurons belong to.
    ids : numpy.ndarray
        Flat indices of the chosen neurons in the parent, in order.
    geometry : tuple of int
        Shape of the selection.
    """

    def __init__(self, parent: NeuGroup, key: Any):
        self.parent = parent
        owner = f"subgroup of NeuGroup {parent.name!r}"
        keys = key if isinstance(key, tuple) else (key,)
        if len(keys) > len(parent.geometry):
            raise ModelUseError(
                f"{owner}: {len(keys)} indices given for a {len(parent.geometry)}-D geometry {parent.geometry}."
            )
        for axis, (k, size) in enumerate(zip(keys, parent.geometry, strict=False)):
            _check_index(k, size, owner, axis)
        selection = parent.indices[key]
        selection = np.atleast_1d(selection)
        if selection.size == 0:
            raise ModelUseError(f"{owner}: the index {key!r} selects no neuron.")
        self.ids = np.ascontiguousarray(selection.reshape(-1), dtype=np.int64)
        self.geometry = tuple(selection.shape)
        self.num = int(self.ids.size)
        self.name = f"{parent.name}[{_describe(key)}]"
        self.model = parent.model

    @property
    def indices(self) -> np.ndarray:
        """Local flat indices shaped like the selection."""
        return np.arange(self.num).reshape(self.geometry)

    @property
    def contiguous(self) -> tuple[int, int] | None:
        """``(start, stop)`` if the neurons are a contiguous range of the parent."""
        lo = int(self.ids[0])
        if np.array_equal(self.ids, np.arange(lo, lo + self.num)):
            return lo, lo + self.num
        return None

    @property
    def ST(self) -> _SubState:
        """The state of the chosen neurons (reads copy, writes go to the parent)."""
        return _SubState(self)

    def __getitem__(self, key: Any) -> NeuSubGroup:
        raise ModelUseError(f"Index the parent group {self.parent.name!r} instead of a subgroup.")

    def __repr__(self) -> str:
        return f"NeuSubGroup({self.name}, num={self.num})"


class _SubState:
    """``subgroup.ST``: field access restricted to the subgroup's neurons."""

    def __init__(self, sub: NeuSubGroup):
        self._sub = sub

    def __getitem__(self, key: str) -> np.ndarray:
        return self._sub.parent.ST[key][self._sub.ids]

    def __setitem__(self, key: str, value: Any) -> None:
        row = self._sub.parent.ST[key]
        row[self._sub.ids] = value
        self._sub.parent.ST.version += 1

    def keys(self) -> list[str]:
        return self._sub.parent.ST.keys()


def _check_index(key: Any, size: int, owner: str, axis: int) -> None:
    if isinstance(key, slice):
        for bound in (key.start, key.stop):
            if bound is not None and not -size <= bound <= size:
                raise ModelUseError(
                    f"{owner}: slice {_describe(key)} is out of range for axis {axis} of size {size}; "
                    f"indices go from 0 to {size - 1}."
                )
        return
    if isinstance(key, numbers.Integral):
        if not -size <= key < size:
            raise ModelUseError(f"{owner}: index {key} is out of range for axis {axis} of size {size}.")
        return
    array = np.asarray(key)
    if array.dtype.kind == "b":
        if array.shape != (size,):
            raise ModelUseError(f"{owner}: a boolean mask for axis {axis} must have length {size}.")
        return
    if array.dtype.kind not in "iu":
        raise ModelUseError(f"{owner}: invalid index {key!r}; use ints, slices, integer arrays or masks.")
    if array.size and (array.min() < -size or array.max() >= size):
        raise ModelUseError(f"{owner}: indices {key!r} out of range for axis {axis} of size {size}.")


def _describe(key: Any) -> str:
    keys = key if isinstance(key, tuple) else (key,)
    parts = []
    for k in keys:
        if isinstance(k, slice):
            parts.append(
                f"{'' if k.start is None else k.start}:{'' if k.stop is None else k.stop}"
                + (f":{k.step}" if k.step is not None else "")
            )
        else:
            parts.append(repr(k) if np.isscalar(k) else "...")
    return ", ".join(parts)
