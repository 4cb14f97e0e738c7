"""The connector parameter editors: a form read from a connector's signature, and checked values read back from it.

:class:`ConnectorForm` is the connector menu with one editor per parameter of the
chosen connector, and reads back the connector they describe. Underneath,
:func:`connector_parameters` reads the ``__init__`` signature of a connector class
of :mod:`brainlab.connect` into :class:`ConnectorParameter` records, :func:`editor`
makes the widget that edits one, and :func:`read_value` reads it back in the type
the connector expects. Every widget value is treated as untrusted (a Voila client can
write any synced value): numbers are type-checked and must be finite, texts are
parsed with ``int()``/``float()`` only (never evaluated), and a bad value raises
:class:`FormError` naming the parameter. The connector constructors check the rest.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import ipywidgets as w
import numpy as np

import brainlab as bp

__all__ = ["STYLE", "ConnectorForm", "ConnectorParameter", "FormError", "connector_classes", "connector_parameters",
           "editor", "read_delay", "read_value", "shown"]  # fmt: skip

#: The ``style`` of the form's widgets (descriptions as wide as they need).
STYLE = MappingProxyType({"description_width": "initial"})
# Values for the connector parameters that have no default.
_REQUIRED_DEFAULTS = MappingProxyType(
    {"prob": 0.1, "sigma": 0.1, "w_max": 1.0, "num": 10, "m": 2, "num_neighbor": 4, "n": 1,
     "sigmas": (0.08, 0.15), "ws_max": (1.0, 0.5)}
)  # fmt: skip
# Parameters annotated ``float`` that also accept an int with another meaning (FixedPreNum's count or fraction).
_INT_OR_FLOAT = frozenset({"num"})
_MAX_TEXT = 200
_INT_TEXT = re.compile(r"\s*[+-]?\d+\s*")


class FormError(Exception):
    """A widget holds a value that is not acceptable (the engine is not asked)."""


@dataclasses.dataclass(frozen=True)
class ConnectorParameter:
    """One connector parameter: its name, how it is edited and its initial value.

    ``kind`` is ``'bool'`` (Checkbox), ``'int'`` (IntText), ``'float'`` (FloatText),
    ``'number'`` (Text: an int, or a float), ``'optional_int'``/``'optional_float'``
    (Text: a number, or empty for the default/``None``) or ``'floats'`` (Text of
    comma-separated numbers).
    """

    name: str
    kind: str  # 'bool', 'int', 'float', 'number', 'optional_int', 'optional_float' or 'floats'
    default: Any


def connector_classes() -> dict[str, type]:
    """Return the public connector classes of :mod:`brainlab.connect` by name (the ``Connector`` base excluded)."""
    found = {}
    for name in bp.connect.__all__:
        obj = getattr(bp.connect, name)
        if isinstance(obj, type) and issubclass(obj, bp.connect.Connector) and obj is not bp.connect.Connector:
            found[name] = obj
    return dict(sorted(found.items()))


def _kind(name: str, annotation: Any, default: Any) -> str:
    text = (annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))).replace(
        " ", ""
    )
    if text == "bool" or isinstance(default, bool):
        return "bool"
    if name == "seed" or text in ("int|None", "None|int", "Optional[int]"):
        return "optional_int"
    if text in ("float|None", "None|float", "Optional[float]"):
        return "optional_float"
    if any(word in text for word in ("Sequence", "tuple", "list")):
        return "floats"
    if name in _INT_OR_FLOAT:
        return "number"
    if text == "int" or (text == "" and isinstance(default, int)):
        return "int"
    return "float"


def connector_parameters(cls: type) -> list[ConnectorParameter]:
    """Return the parameters of a connector class, read from its ``__init__`` signature, with initial values."""
    params = []
    for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = _REQUIRED_DEFAULTS.get(p.name, 1.0) if p.default is p.empty else p.default
        annotation = "" if p.annotation is p.empty else p.annotation
        params.append(ConnectorParameter(p.name, _kind(p.name, annotation, default), default))
    return params


def editor(param: ConnectorParameter) -> w.Widget:
    """Return the widget that edits ``param``, showing its initial value."""
    opts = {"description": param.name, "style": dict(STYLE), "layout": w.Layout(width="16em")}
    if param.kind == "bool":
        return w.Checkbox(value=bool(param.default), description=param.name, indent=False)
    if param.kind == "int":
        return w.IntText(value=int(param.default), **opts)
    if param.kind == "float":
        return w.FloatText(value=float(param.default), **opts)
    if param.kind == "floats":
        return w.Text(value=", ".join(repr(float(v)) for v in param.default), placeholder="a, b", **opts)
    if param.kind in ("optional_int", "optional_float"):
        value = "" if param.default is None else str(param.default)
        return w.Text(value=value, placeholder="random" if param.name == "seed" else "default", **opts)
    return w.Text(value=str(param.default), **opts)  # 'number'


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise FormError(f"'{name}' must be a finite number, got {value!r}")
    return value


def _parse_float(text: str, name: str) -> float:
    try:
        return _finite(float(text), name)
    except ValueError:
        raise FormError(f"'{name}' must be a number, got {shown(text.strip())}") from None


def read_value(param: ConnectorParameter, widget: w.Widget) -> Any:
    """Return the checked value of ``param`` from its widget, in the type the connector expects.

    Raises
    ------
    FormError
        The widget holds a value of the wrong type, a non-finite number or a text that is not a number.
    """
    value, name = widget.value, param.name
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise FormError(f"'{name}' must be True or False, got {shown(value)}")
        return value
    if param.kind == "int":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise FormError(f"'{name}' must be an integer, got {shown(value)}")
        return int(value)
    if param.kind == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise FormError(f"'{name}' must be a number, got {shown(value)}")
        return _finite(float(value), name)
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise FormError(f"'{name}' must be a short text, got {shown(value)}")
    if param.kind == "floats":
        parts = [part for part in value.split(",") if part.strip()]
        if not parts:
            raise FormError(f"'{name}' needs comma-separated numbers, e.g. 0.08, 0.15")
        return tuple(_parse_float(part, name) for part in parts)
    if param.kind in ("optional_int", "optional_float") and not value.strip():
        return None
    if param.kind == "optional_int":
        if not _INT_TEXT.fullmatch(value):
            raise FormError(f"'{name}' must be an integer or empty, got {shown(value.strip())}")
        return int(value)
    if param.kind == "number" and _INT_TEXT.fullmatch(value):
        return int(value)
    return _parse_float(value, name)


def shown(value: Any, limit: int = 60) -> str:
    """Return ``repr(value)`` clipped to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_delay(widget: w.Widget) -> float:
    """Return the synaptic delay (ms) of ``widget``: a finite number >= 0, else :class:`FormError`."""
    delay = widget.value
    if isinstance(delay, bool) or not isinstance(delay, numbers.Real) or not math.isfinite(delay) or delay < 0:
        raise FormError(f"the delay must be a finite number of ms >= 0, got {shown(delay)}")
    return float(delay)


class ConnectorForm:
    """The connector menu and one editor per parameter of the chosen connector; reads back the connector.

    An empty seed ("random") becomes :attr:`seed`, drawn once and kept until
    :meth:`reseed`, so that reading the connector twice (the preview, then Apply)
    chooses the same synapses.

    Parameters
    ----------
    on_edit : callable
        Observer of every parameter editor's ``value`` (not of the menu: the owner
        observes :attr:`menu` and calls :meth:`rebuild`).
    default : str
        The connector chosen first (none if :mod:`brainlab.connect` has no such class).

    Attributes
    ----------
    classes : dict of str to type
        :func:`connector_classes`.
    menu : ipywidgets.Dropdown
        The connector classes by name.
    box : ipywidgets.VBox
        The editors, in signature order.
    params : list of ConnectorParameter
        The parameters of the chosen connector.
    widgets : dict of str to ipywidgets.Widget
        The editor of each parameter, by name.
    """

    def __init__(self, on_edit: Callable[[Any], None], default: str):
        self._on_edit = on_edit
        self.classes = connector_classes()
        self.menu = w.Dropdown(options=list(self.classes), description="connector", style=dict(STYLE))
        self.menu.value = default if default in self.classes else None
        self.box = w.VBox()
        self.params: list[ConnectorParameter] = []
        self.widgets: dict[str, w.Widget] = {}
        self.reseed()
        self.rebuild()

    def reseed(self) -> None:
        """Draw a new :attr:`seed` for the connectors whose seed is left empty."""
        self.seed = int(np.random.default_rng().integers(0, 2**31))

    def rebuild(self) -> None:
        """Make the editors of the connector now chosen, showing its initial values."""
        cls = self.classes.get(self.menu.value)
        self.params = connector_parameters(cls) if cls is not None else []
        self.widgets = {p.name: editor(p) for p in self.params}
        for widget in self.widgets.values():
            widget.observe(self._on_edit, names="value")
        self.box.children = list(self.widgets.values())

    def read(self) -> bp.connect.Connector:
        """Return the connector the form describes (its constructor checks the values the form let through).

        Raises
        ------
        FormError
            No known connector is chosen, or an editor holds an unacceptable value.
        brainlab.errors.BrainlabError
            The connector's constructor refuses the values.
        """
        name = self.menu.value
        cls = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise FormError(f"unknown connector {shown(name)}; choose one of {list(self.classes)}")
        kwargs = {p.name: read_value(p, self.widgets[p.name]) for p in self.params}
        if "seed" in kwargs and kwargs["seed"] is None:
            kwargs["seed"] = self.seed
        return cls(**kwargs)
