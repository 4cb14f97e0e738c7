"""Synapse models (``SynType``) and synaptic connections (``SynConn``).

A connection links a presynaptic and a postsynaptic group (or subgroups)
through a connectivity: a connector (``bp.connect.All2All()``), a boolean
matrix, or a dict of index arrays. It can also be built from a number of
synapses, with ``pre``/``post`` states and index lists set by hand.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from brainlab.core.base import Ensemble, ObjType
from brainlab.core.neurons import NeuGroup, NeuSubGroup
from brainlab.errors import ModelDefError, ModelUseError, TypeMismatchError, warn_user
from brainlab.lower.steps import CONNECTIVITY_NAMES
from brainlab.types import NeuState, StateData, SynState

__all__ = ["WEIGHT_FIELDS", "SynConn", "SynType"]

# State fields that receive the weights of a weighted connector (GaussianWeight, DOG), first match wins.
WEIGHT_FIELDS = ("w", "weight", "weights")


class SynType(ObjType):
    """An abstract synapse model.

    Parameters
    ----------
    name : str
        Model name.
    ST : SynState
        State fields and initial values.
    steps : callable or sequence of callables
        Step functions, typically ``(update, output)``; decorate the one that
        must see the delayed state with ``@bp.delayed``.
    mode : {'vector', 'scalar', 'matrix'}
        ``'scalar'``: functions describe one synapse, ``pre``/``post`` are its two
        neurons; ``'vector'``: ``ST`` fields are arrays over synapses;
        ``'matrix'``: ``ST`` fields are ``(num_pre, num_post)`` matrices.
    requires : dict, optional
        ``pre``/``post`` as ``NeuState([...])`` (fields the connected groups
        must have), connectivity (``ListConn()``, ``MatConn()``) and other data.
    hand_overs, heter_params_replace
        See :class:`~brainlab.core.base.ObjType`.
    """

    kind = "syn"
    modes = ("vector", "scalar", "matrix")
    state_type = SynState

    def __init__(
        self,
        name: str,
        ST: SynState,
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
        for side in ("pre", "post"):
            declared = self.requires.get(side)
            if declared is not None and not isinstance(declared, NeuState):
                raise ModelDefError(f"{self._owner}: requires[{side!r}] must be a NeuState([...]), got {declared!r}.")
            if declared is not None:
                missing = self.fields_used(side) - set(declared.keys())
                if missing:
                    raise ModelDefError(
                        f"{self._owner}: the step functions use {side}{sorted(missing)} but "
                        f"requires[{side!r}] declares only {declared.keys()}. Add the fields to the declaration."
                    )

    def neuron_fields(self, side: str) -> set[str]:
        """Fields the model needs from its ``'pre'`` or ``'post'`` neurons."""
        declared = self.requires.get(side)
        return set(declared.keys() if declared is not None else ()) | self.fields_used(side)

    @property
    def delayed_fields(self) -> list[str]:
        """ST fields read by ``@delayed`` step functions (they get a delay buffer)."""
        fields: set[str] = set()
        for step in self.steps:
            if step.delayed:
                fields |= step.fields["ST"]
        return [f for f in self.ST.keys() if f in fields]

    @classmethod
    def from_equations(cls, text: str, **options: Any) -> SynType:
        """Build a synapse type from the safe equation language (see :mod:`brainlab.equations`).

        Parameters
        ----------
        text : str
            ``ds/dt = ...``, ``on_pre:``, ``pulse:``, ``output:`` and ``delay:`` lines.
        **options
            ``parameters``, ``initial``, ``name``, ``method`` of
            :func:`brainlab.equations.synapse_from_equations`.
        """
        from brainlab.equations.build import synapse_from_equations

        return synapse_from_equations(text, **options)


def _as_side(value: Any, side: str, owner: str) -> NeuGroup | NeuSubGroup | None:
    if value is None or isinstance(value, NeuGroup | NeuSubGroup):
        return value
    raise ModelUseError(f"{owner}: {side}_group must be a NeuGroup or a slice of one, got {type(value).__name__}.")


def _check_ids(ids: Any, size: int, what: str, owner: str) -> np.ndarray:
    array = np.asarray(ids)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ModelUseError(f"{owner}: {what} must be a 1-D array of integer indices, got {ids!r}.")
    array = array.astype(np.int64, copy=False)
    if array.size and (array.min() < 0 or array.max() >= size):
        bad = array[(array < 0) | (array >= size)][0]
        raise ModelUseError(
            f"{owner}: {what} contains index {bad}, outside the {size} neurons of that side "
            f"(valid: 0 to {size - 1}). Indices are local to the (sub)group."
        )
    return np.ascontiguousarray(array)


class SynConn(Ensemble):
    """A set of synapses of one model between two neuron groups.

    Give either ``pre_group``, ``post_group`` and ``conn``, or ``num`` (then set
    ``pre``, ``post`` and the connectivity lists by hand before running).

    Parameters
    ----------
    model : SynType
        The synapse model.
    pre_group, post_group : NeuGroup or NeuSubGroup, optional
        The connected groups (slices of groups allowed).
    conn : Connector, ndarray or dict, optional
        A connector from :mod:`brainlab.connect`; a ``(num_pre, num_post)``
        matrix whose non-zero entries are synapses; or a dict with index arrays
        ``{'i': pre_ids, 'j': post_ids}``. A weighted connector
        (``GaussianWeight``, ``DOG``) initialises the state field ``w`` (or
        ``weight``/``weights``) with its weights, which are also kept as
        ``SynConn.weights``.
    delay : float, optional
        Synaptic delay in ms, applied to what ``@delayed`` functions read
        (default: the type's ``default_delay`` if it has one, else 0).
    name : str, optional
        Name (automatic if omitted).
    monitors : sequence of str, optional
        Synapse state fields to record.
    satisfies : dict, optional
        Data the model requires.
    pars_update : dict, optional
        Parameter values that differ from the model's.
    num : int, optional
        Number of synapses, for connections built by hand.
    """

    def __init__(
        self,
        model: SynType,
        pre_group: NeuGroup | NeuSubGroup | None = None,
        post_group: NeuGroup | NeuSubGroup | None = None,
        conn: Any = None,
        delay: float | None = None,
        name: str | None = None,
        monitors: Sequence[str] | None = None,
        satisfies: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
        num: int | None = None,
    ):
        if not isinstance(model, SynType):
            raise ModelUseError(f"SynConn needs a SynType as its model, got {type(model).__name__}.")
        owner = f"SynConn {name!r}" if name else f"SynConn of {model.name!r}"
        if delay is None:  # the type's own default (``delay:`` of the equation language), else none
            delay = getattr(model, "default_delay", 0.0)
        if not isinstance(delay, numbers.Real) or not np.isfinite(delay) or delay < 0:
            raise ModelUseError(f"{owner}: delay must be a finite number of ms >= 0, got {delay!r}.")
        pre_group = _as_side(pre_group, "pre", owner)
        post_group = _as_side(post_group, "post", owner)
        object.__setattr__(self, "pre_group", pre_group)
        object.__setattr__(self, "post_group", post_group)
        object.__setattr__(self, "_pre_state", None)
        object.__setattr__(self, "_post_state", None)
        object.__setattr__(self, "delay", float(delay))
        object.__setattr__(self, "weights", None)
        if num is not None:
            if pre_group is not None or post_group is not None or conn is not None:
                raise ModelUseError(f"{owner}: give either num, or pre_group, post_group and conn; not both.")
            if model.mode == "matrix":
                raise ModelUseError(f"{owner}: a matrix-mode synapse needs pre_group, post_group and conn, not num.")
            if not isinstance(num, numbers.Integral) or num < 0:
                raise ModelUseError(f"{owner}: num must be an int >= 0, got {num!r}.")
            object.__setattr__(self, "pre_ids", None)
            object.__setattr__(self, "post_ids", None)
            shape = (int(num),)
        else:
            if pre_group is None or post_group is None or conn is None:
                raise ModelUseError(
                    f"{owner}: give pre_group, post_group and conn (e.g. bp.connect.All2All()), "
                    "or num= for a connection built by hand."
                )
            for side, group in (("pre", pre_group), ("post", post_group)):
                self._check_neuron_fields(model, side, group.model.ST.keys(), group.name, owner)
            pre_ids, post_ids = self._connect(conn, pre_group, post_group, owner)
            object.__setattr__(self, "pre_ids", pre_ids)
            object.__setattr__(self, "post_ids", post_ids)
            shape = (pre_group.num, post_group.num) if model.mode == "matrix" else (int(pre_ids.size),)
        super().__init__(
            name=name,
            num=int(np.prod(shape)),
            model=model,
            monitors=monitors,
            pars_update=pars_update,
            cls_type="SynConn",
            satisfies=satisfies,
            state_shape=shape,
        )
        if self.weights is not None:
            self._deliver_weights(conn)

    # --- connectivity --------------------------------------------------------
    @staticmethod
    def _check_neuron_fields(model: SynType, side: str, fields: list[str], group: str, owner: str) -> None:
        missing = sorted(model.neuron_fields(side) - set(fields))
        if missing:
            raise ModelUseError(
                f"{owner}: model {model.name!r} needs the field(s) {missing} of its {side}synaptic "
                f"neurons, but {group!r} has only {fields}. Connect a group whose model has them."
            )

    def _connect(self, conn: Any, pre: Any, post: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(conn, np.ndarray):
            if conn.shape != (pre.num, post.num):
                raise ModelUseError(
                    f"{owner}: a connection matrix must have shape (num_pre, num_post) = "
                    f"({pre.num}, {post.num}), got {conn.shape}."
                )
            i, j = np.nonzero(conn)
            return i.astype(np.int64), j.astype(np.int64)
        if isinstance(conn, Mapping):
            keys = ("i", "j") if "i" in conn else ("pre_ids", "post_ids")
            if not all(k in conn for k in keys):
                raise ModelUseError(
                    f"{owner}: a connection dict needs index arrays under 'i' and 'j' (or 'pre_ids' "
                    f"and 'post_ids'); got keys {list(conn)}."
                )
            i = _check_ids(conn[keys[0]], pre.num, f"conn[{keys[0]!r}] (presynaptic indices)", owner)
            j = _check_ids(conn[keys[1]], post.num, f"conn[{keys[1]!r}] (postsynaptic indices)", owner)
            if i.size != j.size:
                raise ModelUseError(f"{owner}: conn index arrays differ in length ({i.size} vs {j.size}).")
            return i, j
        if callable(conn):
            result = conn(pre.indices, post.indices)
            if not isinstance(result, tuple) or len(result) not in (2, 3):
                raise ModelUseError(f"{owner}: connector {conn!r} must return (pre_ids, post_ids[, weights]).")
            i = _check_ids(result[0], pre.num, f"presynaptic indices from {type(conn).__name__}", owner)
            j = _check_ids(result[1], post.num, f"postsynaptic indices from {type(conn).__name__}", owner)
            if len(result) == 3:
                weights = np.asarray(result[2], dtype=np.float64)
                if weights.shape != i.shape or not np.isfinite(weights).all():
                    raise ModelUseError(
                        f"{owner}: connector {conn!r} must return one finite weight per synapse "
                        f"({i.size}), got shape {weights.shape}."
                    )
                object.__setattr__(self, "weights", weights)
            return i, j
        raise ModelUseError(
            f"{owner}: conn must be a connector (bp.connect.All2All(), ...), a (num_pre, num_post) "
            f"matrix or a dict of index arrays; got {type(conn).__name__}."
        )

    def _deliver_weights(self, conn: Any) -> None:
        """Initialise the model's weight field with the weights a connector returned."""
        field = next((f for f in WEIGHT_FIELDS if f in self.model.ST), None)
        if field is None:
            warn_user(
                f"SynConn {self.name!r}: connector {conn!r} gives one weight per synapse, but model "
                f"{self.model.name!r} has no state field {' or '.join(map(repr, WEIGHT_FIELDS))} to receive "
                f"them. Add a field 'w' to its SynState, or read them from `{self.name}.weights`."
            )
            return
        if self.model.mode == "matrix":
            matrix = np.zeros((self.pre_group.num, self.post_group.num))
            matrix[self.pre_ids, self.post_ids] = self.weights
            self.ST[field] = matrix
        else:
            self.ST[field] = self.weights

    @property
    def num_pre(self) -> int:
        """Number of presynaptic neurons."""
        return self.pre_group.num if self.pre_group is not None else len(self._side_state("pre"))

    @property
    def num_post(self) -> int:
        """Number of postsynaptic neurons."""
        return self.post_group.num if self.post_group is not None else len(self._side_state("post"))

    # --- pre / post states of connections built by hand ----------------------
    @property
    def pre(self) -> Any:
        """The presynaptic group, or the state set by hand (``num=`` connections)."""
        return self.pre_group if self.pre_group is not None else self._pre_state

    @pre.setter
    def pre(self, value: Any) -> None:
        self._set_side("pre", value)

    @property
    def post(self) -> Any:
        """The postsynaptic group, or the state set by hand (``num=`` connections)."""
        return self.post_group if self.post_group is not None else self._post_state

    @post.setter
    def post(self, value: Any) -> None:
        self._set_side("post", value)

    def _set_side(self, side: str, value: Any) -> None:
        if getattr(self, f"{side}_group") is not None:
            raise ModelUseError(f"SynConn {self.name!r}: {side} is the group given at creation; it cannot be replaced.")
        if not isinstance(value, StateData):
            raise TypeMismatchError(
                f"SynConn {self.name!r}: {side} must be a neuron state such as "
                f"bp.types.NeuState(['V', 'spike'])(num), got {type(value).__name__}."
            )
        self._check_neuron_fields(self.model, side, value.keys(), f"{side} state", f"SynConn {self.name!r}")
        object.__setattr__(self, f"_{side}_state", value)

    def _side_state(self, side: str) -> StateData:
        state = getattr(self, f"_{side}_state")
        if state is None:
            raise ModelUseError(
                f"SynConn {self.name!r} was built with num=; set `{self.name}.{side} = "
                f"bp.types.NeuState([...])(n)` before running it."
            )
        return state

    def connectivity(self, key: str) -> Any:
        """Return connectivity data ``key`` (``pre2syn``, ``conn_mat``, ...), computing it once.

        For connections built with ``num=``, the data must have been set by hand.
        """
        if key in self._data:
            return self._data[key]
        if self.pre_ids is None:
            derived = self._derive_from_lists(key)
            if derived is not None:
                return derived
            return self.data_value(key)
        from brainlab import connect

        i, j = self.pre_ids, self.post_ids
        makers = {
            "pre_ids": lambda: i,
            "post_ids": lambda: j,
            "conn_mat": lambda: connect.ij2mat(i, j, self.num_pre, self.num_post),
            "pre2syn": lambda: connect.pre2syn(i, self.num_pre),
            "post2syn": lambda: connect.post2syn(j, self.num_post),
            "pre2post": lambda: connect.pre2post(i, j, self.num_pre),
            "post2pre": lambda: connect.post2pre(i, j, self.num_post),
            "pre_slice_syn": lambda: connect.pre_slice_syn(i, j, self.num_pre),
            "post_slice_syn": lambda: connect.post_slice_syn(i, j, self.num_post),
        }
        if key not in makers:
            raise ModelUseError(
                f"SynConn {self.name!r}: connectivity {key!r} cannot be derived here; available: {sorted(makers)}."
            )
        value = makers[key]()
        self._data[key] = value
        return value

    def _derive_from_lists(self, key: str) -> np.ndarray | None:
        # Connections built by hand: pre_ids/post_ids follow from pre2syn/post2syn.
        source = {"pre_ids": "pre2syn", "post_ids": "post2syn"}.get(key)
        if source is None or source not in self._data:
            return None
        ids = np.full(self.num, -1, dtype=np.int64)
        for neuron, syns in enumerate(self._data[source]):
            ids[np.asarray(syns, dtype=np.int64)] = neuron
        if (ids < 0).any():
            raise ModelUseError(
                f"SynConn {self.name!r}: {source} does not cover every synapse; synapse "
                f"{int(np.flatnonzero(ids < 0)[0])} has no {key[:-4]}synaptic neuron."
            )
        return ids

    def _data_names(self) -> set[str]:
        return super()._data_names() | (CONNECTIVITY_NAMES & set(self.model.requires))

    def type_checking(self) -> None:
        """Check required data, deriving connectivity (``pre2syn``, ...) where possible."""
        for key in self._data_names():
            value = self.connectivity(key) if key in CONNECTIVITY_NAMES else self.data_value(key)
            checker = self._data_type(key)
            if checker is not None:
                checker.check(value)
