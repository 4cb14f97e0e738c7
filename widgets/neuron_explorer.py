"""The neuron explorer: a library neuron, or one from the type builder, under a step current and along its f–I curve.

One network holds two groups of the same type: a *probe* neuron that gets a step
current (its trace is drawn) and a *population* of ``num`` neurons that get
``num`` constant currents; their rates after a transient are the f–I curve, drawn
while the run streams. Both come from one kernel and one run of a
:class:`~brainlab_widgets.session.Session`, so moving the step or the current
range reruns without recompiling; choosing another model builds a new network
(compiled once, then loaded from the disk cache).
"""

from __future__ import annotations

import dataclasses
import html
import math
import types
from collections.abc import Callable, Mapping
from typing import Any

import bqplot
import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets._builder_preview import plotted_variable
from brainlab_widgets._slider_grid import align_all
from brainlab_widgets._streaming import EMPTY, StreamingBase, make_figure
from brainlab_widgets.frames import Frame
from brainlab_widgets.param_panel import CheckedSlider
from brainlab_widgets.session import Session
from brainlab_widgets.trace_view import TraceView
from brainlab_widgets.type_builder import TypeBuilder

__all__ = ["NEURONS", "FICurveView", "LibraryNeuron", "NeuronExplorer"]


@dataclasses.dataclass(frozen=True)
class LibraryNeuron:
    """A neuron of :mod:`brainlab.models` with the settings the explorer runs it with.

    Attributes
    ----------
    build : callable
        Returns the ``NeuType``.
    dt : float
        Time step (ms).
    step : float
        Amplitude of the step current at start.
    currents : (float, float)
        Range of the f–I curve at start.
    unit : str
        Unit of the input current.
    """

    build: Callable[[], bp.NeuType]
    dt: float
    step: float
    currents: tuple[float, float]
    unit: str


#: The library neurons of the menu, by label.
NEURONS: Mapping[str, LibraryNeuron] = types.MappingProxyType(
    {
        "LIF": LibraryNeuron(bp.models.get_LIF, 0.1, 30.0, (0.0, 60.0), "mV (R·I)"),
        "Exponential IF": LibraryNeuron(bp.models.get_ExpIF, 0.05, 2.0, (0.0, 10.0), "mV/MΩ"),
        "AdEx": LibraryNeuron(bp.models.get_AdExIF, 0.05, 800.0, (0.0, 1500.0), "pA"),
        "Izhikevich RS": LibraryNeuron(lambda: bp.models.get_Izhikevich_preset("RS"), 0.05, 10.0, (0.0, 30.0), ""),
        "Izhikevich FS": LibraryNeuron(lambda: bp.models.get_Izhikevich_preset("FS"), 0.05, 10.0, (0.0, 20.0), ""),
        "Hodgkin–Huxley": LibraryNeuron(
            lambda: bp.models.get_HH(method="exponential"), 0.01, 10.0, (0.0, 30.0), "µA/cm²"
        ),
        "Wang–Buzsáki": LibraryNeuron(
            lambda: bp.models.get_WangBuzsaki(method="exponential"), 0.04, 1.0, (0.0, 3.0), "µA/cm²"
        ),
        "Morris–Lecar": LibraryNeuron(lambda: bp.models.get_MorrisLecar(method="rk4"), 0.1, 100.0, (0.0, 200.0), ""),
        "FitzHugh–Nagumo": LibraryNeuron(lambda: bp.models.get_FitzHughNagumo(method="rk4"), 0.05, 0.8, (0.0, 2.0), ""),
        "Hindmarsh–Rose": LibraryNeuron(lambda: bp.models.get_HindmarshRose(method="rk4"), 0.05, 3.0, (0.0, 5.0), ""),
    }
)

BUILDER = "type builder"
#: Most time steps of one run (the probe's input is one value per step).
MAX_STEPS = 100_000
#: Largest step current or f–I current accepted (as the type builder's step current).
MAX_CURRENT = 1e6
_STYLE = {"description_width": "initial"}


class FICurveView(StreamingBase):
    """The f–I curve of a population whose neuron ``k`` gets ``currents[k]``: rates after a transient, streamed.

    Parameters
    ----------
    group : NeuGroup
        The population; it must monitor ``spike``.
    currents : array_like
        One current per neuron.
    transient : float
        Milliseconds left out at the start of each run.
    unit : str
        Unit of the currents (axis label).

    Attributes
    ----------
    line : bqplot.Lines
        ``x`` the currents, ``y`` the rates (Hz) measured so far.
    rates : numpy.ndarray
        The rates of the last frame drawn.
    rheobase : float
        The lowest current whose neuron fired in the last frame (NaN if none).
    note : ipywidgets.HTML
    widget : ipywidgets.VBox
    """

    def __init__(self, group: Any, currents: Any, transient: float = 100.0, unit: str = "", height: str = "300px"):
        super().__init__()
        self.group = group
        self.transient = float(transient)
        self.currents = np.asarray(currents, dtype=float)
        self.rates = np.zeros(0)
        self.rheobase = math.nan
        self.x_scale = bqplot.LinearScale()
        self.y_scale = bqplot.LinearScale(min=0.0)
        self.line = bqplot.Lines(
            x=EMPTY, y=EMPTY, scales={"x": self.x_scale, "y": self.y_scale}, marker="circle", marker_size=16,
            colors=["#c0392b"],
        )  # fmt: skip
        axes = [
            bqplot.Axis(scale=self.x_scale, label=f"current ({unit})" if unit else "current"),
            bqplot.Axis(scale=self.y_scale, side="left", label="rate (Hz)"),
        ]
        self.figure = make_figure([self.line], axes, "f–I curve", height)
        self.note = w.HTML()
        self.widget = w.VBox([self.figure, self.note])

    def set_currents(self, currents: Any) -> None:
        """Use new currents (same number) from the next frame on."""
        with self._lock:
            self.currents = np.asarray(currents, dtype=float)

    def _start_run(self, frame: Frame) -> None:
        with self.line.hold_sync():
            self.line.x = self.currents.astype(np.float32)
            self.line.y = np.zeros(self.currents.size, dtype=np.float32)

    def _draw(self, frame: Frame) -> None:
        start = round(self.transient / frame.dt)
        if frame.steps_done <= start:
            self.note.value = f"<small>counting spikes after {self.transient:g} ms…</small>"
            return
        spikes = frame.monitor(self.group, "spike")[start:]
        seconds = spikes.shape[0] * frame.dt / 1000.0
        self.rates = np.count_nonzero(spikes.reshape(spikes.shape[0], -1) > 0, axis=0) / seconds
        firing = np.flatnonzero(self.rates > 0)
        self.rheobase = float(self.currents[firing[0]]) if firing.size else math.nan
        self.line.y = self.rates.astype(np.float32)
        what = "so far" if not frame.final else f"from {self.transient:g} to {frame.t_end:g} ms"
        first = "none fires" if not firing.size else f"lowest current that fires: {self.rheobase:.4g}"
        self.note.value = f"<small>{self.currents.size} neurons, one current each; rates {what}; {first}</small>"

    def _clear(self) -> None:
        self.rates = np.zeros(0)
        with self.line.hold_sync():
            self.line.x = EMPTY
            self.line.y = EMPTY
        self.note.value = ""


class NeuronExplorer:
    """Pick a library neuron or build one, and see its step response and its f–I curve.

    The explorer is a controller; :attr:`widget` is its ``ipywidgets.VBox``.

    Parameters
    ----------
    model : str or NeuType
        A label of :data:`NEURONS`, or a neuron type (e.g. from ``NeuType.from_equations``).
    num : int
        Neurons of the f–I population (one current each).
    duration : float
        Length of each run (ms); the step is on from 50 ms to ``duration - 50`` ms.
    autorun : bool
        Run at once (and after every change of model).

    Attributes
    ----------
    source : ipywidgets.ToggleButtons
        ``'library'`` or ``'type builder'``.
    menu : ipywidgets.Dropdown
        The library neurons.
    builder : TypeBuilder
        Shown with the ``'type builder'`` source; each neuron it builds is explored.
    session : Session or None
        The session of the model shown.
    probe, population : NeuGroup
    trace : TraceView
    fi : FICurveView
    step, low, high : CheckedSlider
        Step amplitude and the current range of the f–I curve.
    message : ipywidgets.HTML
        Why a model or a value was refused; :attr:`last_message` is its text.
    widget : ipywidgets.VBox
    """

    def __init__(
        self, model: str | bp.NeuType = "LIF", *, num: int = 40, duration: float = 500.0, autorun: bool = True
    ):
        if isinstance(num, bool) or not isinstance(num, int) or not 2 <= num <= 1000:
            raise ValueError(f"NeuronExplorer: num must be an int from 2 to 1000, got {num!r}")
        if not (isinstance(duration, int | float) and 200.0 <= duration <= 5000.0):
            raise ValueError(f"NeuronExplorer: duration must be 200 to 5000 ms, got {duration!r}")
        self.num, self.duration, self.autorun = num, float(duration), autorun
        self.session: Session | None = None
        self.model: bp.NeuType | None = None
        self.last_message = ""
        self.message = w.HTML()
        self.source = w.ToggleButtons(options=["library", BUILDER], value="library", description="neuron")
        first = model if isinstance(model, str) and model in NEURONS else "LIF"
        self.menu = w.Dropdown(options=list(NEURONS), value=first, description="model", style=_STYLE)
        self.builder = TypeBuilder(kind="neuron", preset="FitzHugh–Nagumo")
        self.builder.kind_buttons.layout.display = "none"  # the explorer takes neurons only
        self.builder_box = w.VBox([self.builder.widget], layout=w.Layout(display="none"))
        self.controls = w.VBox()
        self.experiment = w.VBox(layout=w.Layout(width="100%"))
        self.source.observe(self._guarded(self._source_changed), names="value")
        self.menu.observe(self._guarded(lambda c: self.show(c["new"])), names="value")
        self.builder.observe(self._guarded(self._built), names="model")
        self.widget = w.VBox(
            [
                w.HTML("<h3 style='margin:4px 0'>Neuron explorer: step response and f–I curve</h3>"),
                w.HBox([self.source, self.menu]),
                self.builder_box,
                self.controls,
                self.message,
                self.experiment,
            ],
            layout=w.Layout(width="100%"),
        )
        self.show(model)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- choosing a model --------------------------------------------------------------------------------------

    def show(
        self,
        model: str | bp.NeuType,
        *,
        dt: float | None = None,
        step: float | None = None,
        currents: tuple[float, float] | None = None,
        unit: str = "",
    ) -> None:
        """Explore ``model`` (a label of :data:`NEURONS` or a ``NeuType``); the previous session is closed.

        Raises
        ------
        ModelUseError
            For an unknown label or something that is not a neuron type (the message is shown too).
        """
        if isinstance(model, str):
            spec = NEURONS.get(model)
            if spec is None:
                raise self._refuse(f"no library neuron {model!r}; choose one of {list(NEURONS)}")
            neuron = spec.build()
            dt, step, currents, unit = spec.dt, spec.step, spec.currents, spec.unit
        elif isinstance(model, bp.NeuType):
            neuron = model
        else:
            raise self._refuse(f"the explorer needs a neuron type (NeuType), got {type(model).__name__}")
        if "input" not in neuron.ST.keys():
            raise self._refuse(
                f"{neuron.name!r} has no 'input' field for the current; its fields are {neuron.ST.keys()}"
            )
        dt = bp.profile.get_dt() if dt is None else float(dt)
        if not (math.isfinite(dt) and 0 < dt <= 1.0 and self.duration / dt <= MAX_STEPS):
            raise self._refuse(
                f"the time step must be above {self.duration / MAX_STEPS:g} ms (at most {MAX_STEPS} steps "
                f"per run) and at most 1 ms, got {dt!r}"
            )
        step = 1.0 if step is None else float(step)
        if currents is None:
            currents = (min(0.0, 2.0 * step), max(0.0, 2.0 * step)) if step != 0 else (0.0, 1.0)
        currents = (float(currents[0]), float(currents[1]))
        if (
            not all(math.isfinite(x) and abs(x) <= MAX_CURRENT for x in (step, *currents))
            or not currents[0] < currents[1]
        ):
            raise self._refuse(
                f"the step current and the f–I range must be finite numbers within ±{MAX_CURRENT:g}, the range "
                f"going up; got {step!r} and {currents!r}"
            )
        self._build(neuron, dt, step, currents, unit)

    def _build(self, neuron: bp.NeuType, dt: float, step: float, currents: tuple[float, float], unit: str) -> None:
        variable = plotted_variable(neuron)
        with bp.profile.temporary(dt=dt):
            probe = bp.NeuGroup(neuron, 1, monitors=[variable], name="probe")
            population = bp.NeuGroup(neuron, self.num, monitors=["spike"], name="population")
            network = bp.Network(probe, population, mode="repeat")
        self.n_steps = round(self.duration / dt)
        self.dt = dt
        self.currents = currents
        inputs = [(probe, "ST.input", self.step_series(step)), (population, "ST.input", self.fi_currents(*currents))]
        if self.session is not None:
            self.session.close()
        self.session = Session(network, self.duration, inputs, dt=dt)
        self.model, self.probe, self.population = neuron, probe, population
        self.trace = TraceView(probe, variable, (0,), title=f"{neuron.name}: {variable} under a step current")
        self.fi = FICurveView(population, self.fi_currents(*currents), unit=unit)
        self.session.add_view(self.trace)
        self.session.add_view(self.fi)
        self.session.observe(self._guarded(self._reset), names="reset_count")
        self._make_controls(step, currents, unit)
        self.experiment.children = [
            self.session.widget,
            w.HBox([self.trace.widget, self.fi.widget], layout=w.Layout(width="100%")),
        ]
        self._say("")
        if self.autorun:
            self.session.run()

    def _make_controls(self, step: float, currents: tuple[float, float], unit: str) -> None:
        low, high = currents
        span = max(abs(high - low), abs(step), 1e-3)
        top = max(high, step, 0.0) + span
        bottom = min(low, step, 0.0) - (span if min(low, step) < 0 else 0.0)
        resolution = _nice(span / 200.0)
        bounds = (bottom, top, resolution)
        label = f" ({unit})" if unit else ""
        self.step = CheckedSlider("step", f"step current{label}", step, bounds, False, self.set_step, self._say)
        self.low = CheckedSlider(
            "low", f"f–I from{label}", low, bounds, False, lambda v: self.set_currents(v, None), self._say
        )
        self.high = CheckedSlider("high", "to", high, bounds, False, lambda v: self.set_currents(None, v), self._say)
        align_all([self.step.slider, self.low.slider, self.high.slider])
        self.controls.children = [w.HBox([self.step.slider, self.low.slider, self.high.slider])]

    # -- changing the currents ---------------------------------------------------------------------------------

    def step_series(self, amplitude: float) -> np.ndarray:
        """Return the probe's input: ``amplitude`` from 50 ms to ``duration - 50`` ms, one row per step."""
        series = np.zeros((self.n_steps, 1))
        on, off = round(50.0 / self.dt), self.n_steps - round(50.0 / self.dt)
        series[on:off] = float(amplitude)
        return series

    def fi_currents(self, low: float, high: float) -> np.ndarray:
        """Return the population's currents: ``num`` values from ``low`` to ``high``."""
        return np.linspace(float(low), float(high), self.num)

    def set_step(self, amplitude: float) -> None:
        """Set the step amplitude and rerun."""
        self.session.set_input(0, self.step_series(amplitude))

    def set_currents(self, low: float | None, high: float | None) -> None:
        """Set the f–I range (None keeps an end) and rerun.

        Raises
        ------
        ModelUseError
            If ``low`` would not be below ``high``.
        """
        low = self.currents[0] if low is None else float(low)
        high = self.currents[1] if high is None else float(high)
        if not low < high:
            raise ModelUseError(f"the f–I range must go up: from {low:g} to {high:g} does not")
        values = self.fi_currents(low, high)
        self.fi.set_currents(values)
        self.session.set_input(1, values)
        self.currents = (low, high)

    # -- events ------------------------------------------------------------------------------------------------

    def _source_changed(self, change: Mapping[str, Any]) -> None:
        builder = change["new"] == BUILDER
        self.builder_box.layout.display = None if builder else "none"
        self.menu.layout.display = "none" if builder else None
        if builder:
            model = self.builder.model
            if isinstance(model, bp.NeuType):
                self._built({"new": model})
            else:
                self._say("Edit the equations and press Build: the explorer runs each neuron you build.", "info")
        else:
            self.show(self.menu.value)

    def _built(self, change: Mapping[str, Any]) -> None:
        model = change["new"]
        if not isinstance(model, bp.NeuType):
            self._say("The explorer needs a neuron type: build a neuron.")
            return
        if self.source.value != BUILDER:
            return
        dt = float(self.builder.dt_box.value)
        step = float(self.builder.current_box.value)
        self.show(model, dt=dt, step=step)

    def _reset(self, _change: Any) -> None:
        series, values = self.session.inputs[0][2], np.asarray(self.session.inputs[1][2])
        self.step.show(float(series[round(50.0 / self.dt), 0]))
        self.currents = (float(values[0]), float(values[-1]))
        self.fi.set_currents(values)
        self.low.show(self.currents[0])
        self.high.show(self.currents[1])

    def close(self) -> None:
        """Stop the session's worker thread."""
        if self.session is not None:
            self.session.close()

    # -- messages ----------------------------------------------------------------------------------------------

    def _guarded(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(change: Any) -> None:
            try:
                handler(change)
            except ModelUseError:
                pass  # already shown by _refuse
            except Exception as exc:  # an observer must never raise into the comm: Voila would hide it
                self._say(f"{type(exc).__name__}: {exc}")

        return run

    def _refuse(self, text: str) -> ModelUseError:
        self._say(text)
        return ModelUseError(f"NeuronExplorer: {text}")

    def _say(self, text: str, level: str = "error") -> None:
        self.last_message = text
        colour = "#b00020" if level == "error" else "#333333"
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""


def _nice(raw: float) -> float:
    """Return 1, 2 or 5 times a power of ten, at least ``raw``."""
    power = 10.0 ** math.floor(math.log10(raw))
    return float(f"{next(m * power for m in (1, 2, 5, 10) if m * power >= raw):.12g}")
