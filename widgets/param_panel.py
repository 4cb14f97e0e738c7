"""``ParamPanel``: sliders for the parameters, initial values and inputs of a session's network.

One slider per numeric parameter of every group and connection (``pars``), one
per initial value of each group's main variable, and one per scalar run
input. Every change goes through the :class:`~brainlab_widgets.session.Session`,
which reruns without recompiling.

Values from the browser are never trusted: a client can set any trait of a
widget, including a slider's ``min`` and ``max``, so the panel checks each
value in the kernel against the range it chose itself (finite, inside) and
puts the slider back when the value is refused.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import numpy as np

from brainlab.errors import BrainlabError
from brainlab_widgets.session import Session

__all__ = ["CheckedSlider", "ParamPanel", "default_range"]

#: Fields that are bookkeeping, not variables one would start elsewhere.
_NOT_INITIAL = frozenset({"spike", "input", "t_last_spike", "refractory", "not_ref", "t_last_pre_spike"})
#: Slider positions across a default range.
_POSITIONS = 200

Range = tuple[float, float, float]


def _nice_step(span: float) -> float:
    """Return a step of 1, 2 or 5 times a power of ten, about ``span / _POSITIONS``."""
    raw = span / _POSITIONS
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _is_potential(name: str) -> bool:
    """Voltages and reversal potentials: ``V``, ``V_th``, ``E_K``, ``E`` ..."""
    return name in ("V", "E") or name.startswith(("V_", "E_"))


def default_range(name: str, value: float) -> Range:
    """Return a ``(min, max, step)`` slider range for a parameter called ``name`` now at ``value``.

    Potentials (``V...``, ``E...``, in mV) get ±50 around the value. Positive
    quantities (conductances, time constants, rates) get ``[0, 3 * value]``;
    negative ones ``[3 * value, -value]``, so that the sign can be flipped; zero
    gets ``[0, 1]``. Integers get integer steps.

    Examples
    --------
    >>> default_range('tau', 10.0)
    (0.0, 30.0, 0.2)
    >>> default_range('V_th', -50.0)
    (-100.0, 0.0, 0.5)
    """
    value = float(value)
    if _is_potential(name):
        low, high = value - 50.0, value + 50.0
    elif value > 0:
        low, high = 0.0, 3.0 * value
    elif value < 0:
        low, high = 3.0 * value, -value
    else:
        low, high = 0.0, 1.0
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    return _tidy(low), _tidy(high), step


def _tidy(x: float) -> float:
    """Drop floating-point dust from multiples of a step (0.30000000000000004 → 0.3)."""
    return float(f"{x:.12g}")


class CheckedSlider:
    """A slider whose values are checked in the kernel before they are applied.

    A value is applied (``apply(value)``) only if it is a finite number inside
    the range this object was given, whatever the slider's own ``min`` and
    ``max`` say now (a client can set those). A refused value, or one that
    ``apply`` refuses with a :class:`~brainlab.errors.BrainlabError`, puts the
    slider back on the last accepted value and is reported through
    ``report(message)``; an accepted one reports ``""``.

    Parameters
    ----------
    key : str
        Name used in messages.
    label : str
        The slider's description.
    value : float
        First value (clipped into the range).
    bounds : (min, max, step)
    integer : bool
        ``IntSlider`` instead of ``FloatSlider``.
    apply, report : callable
        See above.
    """

    def __init__(
        self,
        key: str,
        label: str,
        value: float,
        bounds: Range,
        integer: bool,
        apply: Callable[[float], None],
        report: Callable[[str], None],
    ):
        low, high, step = bounds
        if not (math.isfinite(low) and math.isfinite(high) and low < high and step > 0):
            raise ValueError(f"{key}: the range must be finite (min, max, step) with min < max and step > 0")
        self.key, self.bounds, self.integer = key, (float(low), float(high), float(step)), integer
        self._apply, self._report = apply, report
        value = min(max(float(value), low), high)
        cls = w.IntSlider if integer else w.FloatSlider
        options = {"readout_format": ".4g"} if not integer else {}
        self.slider = cls(
            value=round(value) if integer else value,
            min=low,
            max=high,
            step=max(1, round(step)) if integer else step,
            description=label,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="98%"),
            **options,
        )
        self.accepted = self.slider.value
        self._syncing = False
        self.slider.observe(self._changed, names="value")

    def show(self, value: float) -> None:
        """Put ``value`` on the slider without applying it (after a reset)."""
        self._syncing = True
        try:
            self.slider.value = value
        finally:
            self._syncing = False
        self.accepted = self.slider.value

    def _changed(self, change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        new = change["new"]
        if self._is_echo(new):
            return
        self.submit(new)

    def _is_echo(self, value: Any) -> bool:
        """Whether ``value`` is the accepted value as the browser's slider snapped it to its step grid.

        A front end rounds a value that is not on its grid (``V₀ = -59.034`` with
        step 0.5 comes back as ``-59.0``, even ``0.3`` comes back as
        ``0.30000000000000004``); applying that would change the model without
        anyone touching the slider.
        """
        step = self.bounds[2]
        try:
            return abs(float(value) - float(self.accepted)) < 0.5 * step
        except (TypeError, ValueError):
            return False

    def submit(self, value: Any) -> str | None:
        """Check and apply ``value``; return the refusal message (the slider is then put back)."""
        low, high, _ = self.bounds
        problem = None
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            problem = f"{self.key}: expected a number, got {type(value).__name__}."
        elif not math.isfinite(value):
            problem = f"{self.key}: the value must be finite, got {value!r}."
        elif not low <= value <= high:
            problem = f"{self.key}: {value!r} is outside the slider's range [{low:g}, {high:g}]."
        else:
            try:
                self._apply(int(value) if self.integer else float(value))
            except BrainlabError as exc:
                problem = f"{self.key}: {exc}"
        if problem is not None:
            self.show(self.accepted)
            self._report(f"{problem} Kept {self.accepted!r}.")
            return problem
        self.accepted = value
        self._report("")
        return None


class ParamPanel:
    """Sliders for every numeric parameter, main initial values and scalar inputs of a session.

    Parameters
    ----------
    session : Session
        The session whose network the sliders change.
    ranges : mapping, optional
        ``(min, max, step)`` by parameter: keys are ``'object.parameter'``
        (``'synapses.g_max'``), a bare parameter name (every object), ``'object.V0'``
        for an initial value, or ``'input0'``, ``'input1'``... for the inputs. Others
        come from :func:`default_range`.
    exclude : iterable of str, optional
        ``'object.parameter'`` or bare names to leave out.
    initial_fields : mapping, optional
        Group name → the state fields that get an initial-value slider (default:
        ``V`` when the group has it, otherwise its first variable).

    Attributes
    ----------
    controls : dict
        Key → the control; keys are ``'object.parameter'``, ``'object.field0'``
        (initial values) and ``'input<k>'``. ``controls[key].slider`` is the widget.
    message : ipywidgets.HTML
        Why the last value was refused; :attr:`last_message` is its text.
    widget : ipywidgets.VBox
    """

    def __init__(
        self,
        session: Session,
        ranges: Mapping[str, Range] | None = None,
        exclude: Any = (),
        initial_fields: Mapping[str, Any] | None = None,
    ):
        self.session = session
        self.ranges = dict(ranges or {})
        self.exclude = set(exclude)
        self.initial_fields = {k: list(v) for k, v in (initial_fields or {}).items()}
        self.controls: dict[str, CheckedSlider] = {}
        self.message = w.HTML()
        self.last_message = ""
        self._sections = w.VBox()
        self.widget = w.VBox([self._sections, self.message], layout=w.Layout(width="100%"))
        self.rebuild()
        session.observe(lambda _c: self.rebuild(), names="structure_version")
        session.observe(lambda _c: self.show_current(), names="reset_count")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __getitem__(self, key: str) -> Any:
        """Return the slider of ``key`` (``panel['synapses.g_max']``)."""
        return self.controls[key].slider

    # -- building --------------------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Make the controls again from the network (after a connection was rewired)."""
        self.controls.clear()
        sections = []
        for obj in self.session.network.objects:
            rows = [self._parameter(obj, name, value) for name, value in obj.pars.items()]
            rows += [self._initial(obj, field) for field in self._initial_fields_of(obj)]
            rows = [r for r in rows if r is not None]
            if rows:
                title = w.HTML(f"<b>{html.escape(obj.name)}</b> <small>{html.escape(obj.model.name)}</small>")
                sections.append(w.VBox([title, *rows]))
        inputs = [self._input(k, item) for k, item in enumerate(self.session.inputs)]
        inputs = [r for r in inputs if r is not None]
        if inputs:
            sections.append(w.VBox([w.HTML("<b>inputs</b>"), *inputs]))
        self._sections.children = sections

    def _bounds(self, keys: list[str], name: str, value: float) -> Range:
        for key in keys:
            if key in self.ranges:
                return tuple(float(x) for x in self.ranges[key])  # type: ignore[return-value]
        return default_range(name, value)

    def _add(self, key: str, label: str, value: float, bounds: Range, integer: bool, apply: Any) -> w.Widget:
        control = CheckedSlider(key, label, value, bounds, integer, apply, self._say)
        self.controls[key] = control
        return control.slider

    def _parameter(self, obj: Any, name: str, value: Any) -> w.Widget | None:
        key = f"{obj.name}.{name}"
        if key in self.exclude or name in self.exclude:
            return None
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
            return None  # arrays (one value per element) and non-numbers have no slider
        if not math.isfinite(value):
            return None
        integer = isinstance(value, int | np.integer)
        return self._add(
            key,
            name,
            value,
            self._bounds([key, name], name, value),
            integer,
            lambda v, o=obj, n=name: self.session.set_parameter(o, n, v),
        )

    def _initial_fields_of(self, obj: Any) -> list[str]:
        if obj.name in self.initial_fields:
            return self.initial_fields[obj.name]
        if not hasattr(obj, "geometry"):  # connections start as built
            return []
        fields = [f for f in obj.ST.keys() if f not in _NOT_INITIAL]
        return ["V"] if "V" in fields else fields[:1]

    def _initial(self, obj: Any, field: str) -> w.Widget | None:
        key = f"{obj.name}.{field}0"
        if key in self.exclude:
            return None
        built = self.session.built_state(obj, field)
        value = self.session.initial_value(obj, field)
        mean = float(np.mean(built)) if value is None else value
        return self._add(
            key,
            f"{field}₀ (all)",
            mean,
            self._bounds([key, f"{field}0"], field, mean),
            False,
            lambda v, o=obj, f=field: self.session.set_initial(o, f, v),
        )

    def _input(self, index: int, item: tuple) -> w.Widget | None:
        target, field, value = item[:3]
        key = f"input{index}"
        if key in self.exclude or np.ndim(value) != 0:
            return None  # arrays and time series keep their shape: no slider
        label = f"{target.name}.{field.removeprefix('ST.')} {item[3] if len(item) > 3 else '+'}="
        return self._add(
            key, label, float(value), self._bounds([key], "input", float(value)), False,
            lambda v, k=index: self.session.set_input(k, v),
        )  # fmt: skip

    # -- feedback --------------------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Put the current values of the network back on the sliders (after a reset)."""
        for obj in self.session.network.objects:
            for name, value in obj.pars.items():
                control = self.controls.get(f"{obj.name}.{name}")
                if control is not None:
                    control.show(value)
            for field in self._initial_fields_of(obj):
                control = self.controls.get(f"{obj.name}.{field}0")
                if control is not None:
                    control.show(float(np.mean(self.session.built_state(obj, field))))
        for index, item in enumerate(self.session.inputs):
            control = self.controls.get(f"input{index}")
            if control is not None and np.ndim(item[2]) == 0:
                control.show(float(item[2]))
        self._say("")

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.value = f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""
