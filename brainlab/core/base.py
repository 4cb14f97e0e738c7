"""Model types and the base of groups and connections.

:class:`ObjType` (the base of ``NeuType`` and ``SynType``) describes a model:
its state ``ST``, its step functions, the data it ``requires``, what it
``hand_overs`` to groups, and its mode. It analyses the step functions once,
when defined, so that mistakes surface before anything is built.

:class:`Ensemble` (the base of ``NeuGroup`` and ``SynConn``) is a concrete
instance: state data, parameters, monitors, data arguments and a schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.core.monitors import Monitor
from brainlab.core.pars import ParsUpdate
from brainlab.errors import ModelDefError, ModelUseError, TypeMismatchError
from brainlab.lower.steps import CONNECTIVITY_NAMES, StepFunction, analyse_step, merge_parameters
from brainlab.types import ObjState, StateData, TypeChecker

__all__ = ["Ensemble", "ObjType", "Runner", "delayed"]

RESERVED_STEPS = ("input", "monitor")


def delayed(func: Callable) -> Callable:
    """Mark a synapse step function as reading the *delayed* state.

    Inside it, every ``ST[...]`` field it reads holds the value of ``delay``
    ms ago (the ``delay`` of the ``SynConn``). Writes go to the current state.

    Parameters
    ----------
    func : callable
        The step function (typically the synapse's output function).

    Returns
    -------
    callable
        The same function, marked.
    """
    func.__brainlab_delayed__ = True
    return func


class ObjType:
    """The base type of neuron and synapse models.

    Parameters
    ----------
    ST : ObjState
        Fields of the state and their initial values.
    name : str
        Model name, used in messages.
    steps : callable or sequence of callables
        Step functions, run in this order at every time step. A function's
        name is its name in schedules.
    requires : dict, optional
        Data the model needs, ``name -> type`` (``Array(dim=1)``, ``ListConn()``,
        ``MatConn()``; for synapses ``pre``/``post`` as ``NeuState([...])``).
    mode : {'vector', 'scalar', 'matrix'}
        ``'scalar'``: functions describe one element (one neuron or synapse);
        ``'vector'``: functions work on arrays of all elements; ``'matrix'``
        (synapses): state fields are ``(num_pre, num_post)`` matrices.
    hand_overs : dict, optional
        Data (arrays, numbers) or functions given to every group of this type:
        data become step-function arguments and group attributes, functions
        become group attributes.
    heter_params_replace : dict, optional
        Accepted for BrainPy 0.3 compatibility and must be empty: every brainlab
        parameter can already hold one value per element.
    """

    kind = "obj"
    modes: tuple[str, ...] = ("vector", "scalar")
    state_type: type = ObjState

    def __init__(
        self,
        ST: ObjState,
        name: str,
        steps: Callable | Sequence[Callable],
        requires: Mapping[str, Any] | None = None,
        mode: str = "vector",
        hand_overs: Mapping[str, Any] | None = None,
        heter_params_replace: Mapping[str, Any] | None = None,
    ):
        if not isinstance(name, str) or not name:
            raise ModelDefError(f"A model needs a name (a non-empty str), got {name!r}.")
        self.name = name
        owner = f"{type(self).__name__} {name!r}"
        self._owner = owner
        if not isinstance(ST, ObjState):
            raise TypeMismatchError(f"{owner}: ST must be a {self.state_type.__name__}(...), got {type(ST).__name__}.")
        if ST.kind not in (self.state_type.kind, "obj"):
            raise TypeMismatchError(f"{owner}: ST must be a {self.state_type.__name__}, got {type(ST).__name__}.")
        self.ST = ST
        if mode not in self.modes:
            raise ModelDefError(f"{owner}: unknown mode {mode!r}; use one of {list(self.modes)}.")
        self.mode = mode
        if heter_params_replace:
            raise ModelDefError(
                f"{owner}: heter_params_replace is not needed in brainlab: set one value per "
                "element directly with group.pars['name'] = array. Remove the argument."
            )
        self.requires = self._check_requires(dict(requires or {}))
        self.hand_overs = dict(hand_overs or {})
        for key in self.hand_overs:
            if not key.isidentifier() or key.startswith("_"):
                raise ModelDefError(f"{owner}: hand_overs name {key!r} is not a valid identifier.")
        data_names = {k for k in self.requires if k not in ("pre", "post")}
        data_names |= {k for k, v in self.hand_overs.items() if not callable(v)}
        functions = [steps] if callable(steps) else list(steps) if isinstance(steps, list | tuple) else None
        if not functions or not all(callable(f) for f in functions):
            raise ModelDefError(f"{owner}: steps must be a function or a list/tuple of functions, got {steps!r}.")
        self.steps: list[StepFunction] = [
            analyse_step(f, owner=owner, kind=self.kind, mode=mode, st_fields=ST.keys(), data_names=data_names)
            for f in functions
        ]
        names = [s.name for s in self.steps]
        for step_name in names:
            if step_name in RESERVED_STEPS or names.count(step_name) > 1:
                raise ModelDefError(
                    f"{owner}: step function names must be unique and not {RESERVED_STEPS} "
                    f"(they name the steps of a schedule); got {names}."
                )
        self._check_data_requirements(data_names)
        self.pars = merge_parameters(self.steps, owner)

    def _check_requires(self, requires: dict[str, Any]) -> dict[str, Any]:
        for key, value in requires.items():
            if not isinstance(value, TypeChecker):
                raise ModelDefError(
                    f"{self._owner}: requires[{key!r}] must be a type such as bp.types.Array(dim=1), "
                    f"ListConn(), MatConn() or NeuState([...]); got {value!r}."
                )
        return requires

    def _check_data_requirements(self, data_names: set[str]) -> None:
        """Check data requirements (a hook for subclasses; the step analysis checked the arguments)."""

    @property
    def step_names(self) -> list[str]:
        """Names of the step functions, in order."""
        return [s.name for s in self.steps]

    @property
    def uses_debugger(self) -> bool:
        """Whether a step calls ``pdb.set_trace()`` or ``breakpoint()``."""
        return any(s.uses_debugger for s in self.steps)

    def fields_used(self, state: str) -> set[str]:
        """Fields of ``'pre'``/``'post'``/``'ST'`` that the steps read or write."""
        return set().union(*(s.fields[state] for s in self.steps))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, mode={self.mode!r}, ST={self.ST.keys()})"


class Runner:
    """The schedule of one group or connection (``group.runner``).

    The default schedule is ``['input', <step functions...>, 'monitor']``.
    """

    def __init__(self, ensemble: Ensemble):
        self._ensemble = ensemble
        self._schedule = ["input", *ensemble.model.step_names, "monitor"]

    def get_schedule(self) -> list[str]:
        """Return the schedule."""
        return list(self._schedule)

    def set_schedule(self, schedule: Sequence[str]) -> None:
        """Set the order of ``'input'``, the step functions and ``'monitor'``.

        Every item must be one of them; items left out are not run.
        """
        known = ["input", *self._ensemble.model.step_names, "monitor"]
        if isinstance(schedule, str) or not all(isinstance(s, str) for s in schedule):
            raise ModelUseError(f"{self._ensemble.name}: a schedule is a list of names from {known}.")
        unknown = [s for s in schedule if s not in known]
        if unknown or len(set(schedule)) != len(schedule):
            raise ModelUseError(
                f"{self._ensemble.name}: invalid schedule {list(schedule)}: unknown or repeated "
                f"items {unknown or 'repeated'}; items must come from {known}."
            )
        self._schedule = list(schedule)


class Ensemble:
    """Base of groups and connections: state, parameters, monitors, data, schedule.

    Parameters
    ----------
    name : str or None
        Name; automatic (``'NeuGroup0'``, ...) if None.
    num : int
        Number of elements.
    model : ObjType
        The model type.
    monitors : sequence of str or None
        Fields to record.
    pars_update : dict or None
        Parameter values that differ from the model's.
    cls_type : str
        Prefix of automatic names.
    satisfies : dict or None
        Data for the model's ``requires``.
    state_shape : tuple of int, optional
        Shape of each state field (default ``(num,)``).
    """

    def __init__(
        self,
        name: str | None,
        num: int,
        model: ObjType,
        monitors: Sequence[str] | None,
        pars_update: Mapping[str, Any] | None,
        cls_type: str,
        satisfies: Mapping[str, Any] | None = None,
        state_shape: tuple[int, ...] | None = None,
    ):
        object.__setattr__(self, "_data", {})
        if name is None:
            name = profile.get_settings().next_name(cls_type)
        if not isinstance(name, str) or not name.isidentifier():
            raise ModelUseError(f"A {cls_type} name must be a Python identifier, got {name!r}.")
        self.name = name
        self.model = model
        self.num = int(num)
        shape = tuple(state_shape) if state_shape is not None else (self.num,)
        self.ST = StateData(model.ST, shape, owner=f"{cls_type} {name!r}")
        self.pars = ParsUpdate(model.pars, self.num, model, owner=f"{cls_type} {name!r}", element_shape=shape)
        if pars_update:
            self.pars.update(pars_update)
        monitors = list(monitors or [])
        unknown = [m for m in monitors if m not in model.ST]
        if unknown or not all(isinstance(m, str) for m in monitors):
            raise ModelUseError(
                f"{cls_type} {name!r} cannot monitor {unknown or monitors}: monitors must be fields of "
                f"the state of {model.name!r}, which are {model.ST.keys()}."
            )
        self.mon = Monitor(f"{cls_type} {name!r}", monitors)
        self.runner = Runner(self)
        for key, value in model.hand_overs.items():
            if callable(value):
                object.__setattr__(self, key, value)
            else:
                self._data[key] = np.array(value, copy=True) if isinstance(value, np.ndarray) else value
        for key, value in dict(satisfies or {}).items():
            setattr(self, key, value)

    # --- data arguments (requires / hand_overs) ---------------------------
    def _data_type(self, key: str) -> TypeChecker | None:
        return self.model.requires.get(key)

    def _data_names(self) -> set[str]:
        names = {k for k in self.model.requires if k not in ("pre", "post")}
        return names | {k for k, v in self.model.hand_overs.items() if not callable(v)}

    def __setattr__(self, key: str, value: Any) -> None:
        if "model" not in self.__dict__ or key.startswith("_"):
            object.__setattr__(self, key, value)
            return
        if key in self._data_names() or key in CONNECTIVITY_NAMES & set(self.model.requires):
            checker = self._data_type(key)
            if checker is not None:
                try:
                    value = checker.make_copy(value)
                except TypeMismatchError as exc:
                    raise TypeMismatchError(
                        f"{self.name}: data {key!r} does not match {checker.describe()} required by "
                        f"model {self.model.name!r}: {exc}"
                    ) from None
            self._data[key] = value
            return
        object.__setattr__(self, key, value)

    def __getattr__(self, key: str) -> Any:
        data = self.__dict__.get("_data", {})
        if key in data:
            return data[key]
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name', '?')!r} has no attribute {key!r}")

    def data_value(self, key: str) -> Any:
        """Return the data argument ``key`` or raise a ModelUseError saying how to provide it."""
        if key in self._data:
            return self._data[key]
        checker = self._data_type(key)
        kind = f" ({checker.describe()})" if checker else ""
        raise ModelUseError(
            f"{type(self).__name__} {self.name!r}: model {self.model.name!r} requires data {key!r}{kind}, "
            f"which was not given. Pass satisfies={{{key!r}: ...}} when creating it, or set "
            f"`{self.name}.{key} = ...` before running."
        )

    # --- schedule -------------------------------------------------------------
    def get_schedule(self) -> list[str]:
        """Return the schedule (see :class:`Runner`)."""
        return self.runner.get_schedule()

    def set_schedule(self, schedule: Sequence[str]) -> None:
        """Set the schedule (see :class:`Runner`)."""
        self.runner.set_schedule(schedule)

    @property
    def requires(self) -> dict[str, Any]:
        """The data types the model requires."""
        return dict(self.model.requires)

    def type_checking(self) -> None:
        """Check that every required data item is present and well typed."""
        for key in self._data_names():
            value = self.data_value(key)
            checker = self._data_type(key)
            if checker is not None:
                checker.check(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model.name!r}, num={self.num})"
