"""The dynamics labs of the teaching apps: the phase plane of a planar neuron, and a bifurcation diagram linked to one.

:class:`PhasePlaneLab` puts a :class:`~brainlab_widgets.phase_plane_panel.PhasePlanePanel`
under a model menu: FitzHugh–Nagumo, Morris–Lecar, Izhikevich, or any
two-variable neuron typed in the :class:`~brainlab_widgets.type_builder.TypeBuilder`.
:class:`BifurcationLab` draws the codimension-1 diagram of a model in its input
current with a :class:`~brainlab_widgets.bifurcation_panel.BifurcationPanel`; a click
on it sets the current of the phase plane underneath.
"""

from __future__ import annotations

import dataclasses
import html
import math
import types
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.dynamics.system import ModelSystem
from brainlab.errors import AnalysisError, BrainlabError, ModelUseError
from brainlab_widgets._slider_grid import align_all
from brainlab_widgets.bifurcation_panel import BifurcationPanel
from brainlab_widgets.phase_plane_panel import PhasePlanePanel
from brainlab_widgets.type_builder import TypeBuilder

__all__ = ["BIFURCATION_MODELS", "PLANAR", "BifurcationLab", "PhasePlaneLab", "PlanarModel", "planar_from_type"]


@dataclasses.dataclass(frozen=True)
class PlanarModel:
    """A two-variable neuron with the settings its phase plane is drawn with.

    Attributes
    ----------
    build : callable
        Returns the ``NeuType``.
    targets : dict
        The two variables and their ranges (the plane's axes).
    fixed : dict
        Inputs and their values (``{'I_ext': 0.8}``).
    sliders : dict
        Slider specification of :class:`PhasePlanePanel`.
    duration : float
        Length of each trajectory (ms).
    bifurcation : (str, (float, float)) or None
        The parameter of the bifurcation diagram and its range.
    """

    build: Callable[[], bp.NeuType]
    targets: Mapping[str, tuple[float, float]]
    fixed: Mapping[str, float]
    sliders: Mapping[str, Any]
    duration: float = 100.0
    bifurcation: tuple[str, tuple[float, float]] | None = None

    def phase_plane(self, model: bp.NeuType | None = None, **options: Any) -> PhasePlanePanel:
        """Return a phase-plane panel of this model (or of ``model``, built from this one), sliders on their grid."""
        panel = PhasePlanePanel(
            self.build() if model is None else model,
            {k: list(v) for k, v in self.targets.items()},
            fixed_vars=dict(self.fixed),
            sliders=dict(self.sliders),
            duration=self.duration,
            **options,
        )
        align_all(panel.sliders.values())  # a browser would snap off-grid values (τ = 12.5) and apply them
        return panel


#: The models of the phase-plane lab's menu.
PLANAR: Mapping[str, PlanarModel] = types.MappingProxyType(
    {
        "FitzHugh–Nagumo": PlanarModel(
            lambda: bp.models.get_FitzHughNagumo(method="rk4"), {"V": (-3.0, 3.0), "w": (-3.0, 3.0)},
            {"I_ext": 0.8}, {"I_ext": (0.0, 2.0, 0.01)}, 200.0, ("I_ext", (0.0, 2.0)),
        ),
        "Morris–Lecar": PlanarModel(
            lambda: bp.models.get_MorrisLecar(method="rk4"), {"V": (-80.0, 60.0), "W": (0.0, 1.0)},
            {"I_ext": 100.0}, {"I_ext": (0.0, 300.0, 1.0)}, 300.0, ("I_ext", (0.0, 300.0)),
        ),
        "Izhikevich": PlanarModel(
            bp.models.get_Izhikevich, {"V": (-80.0, 40.0), "u": (-20.0, 10.0)},
            {"I_ext": 10.0}, {"I_ext": (0.0, 30.0, 0.1), "c": None}, 100.0,
        ),
    }
)  # fmt: skip

#: The models of the bifurcation lab's menu (those with a bifurcation parameter).
BIFURCATION_MODELS: Mapping[str, PlanarModel] = types.MappingProxyType(
    {name: spec for name, spec in PLANAR.items() if spec.bifurcation is not None}
)

CUSTOM = "custom (type builder)"


def planar_from_type(model: bp.NeuType, current: float = 0.0, dt: float = 0.1, duration: float = 200.0) -> PlanarModel:
    """Return the phase-plane settings of a two-variable neuron type (such as one from the type builder).

    The axes span what one neuron of ``model`` visits under ``current`` in
    ``duration`` ms (with a margin), and every input of its equations is fixed
    at ``current``.

    Raises
    ------
    AnalysisError
        If the model has no equations to analyse, or not exactly two variables.
    """
    system = ModelSystem(model, "the phase-plane lab")
    variables = list(system.variables)
    if len(variables) != 2:
        raise AnalysisError(
            f"a phase plane has two variables, but {model.name!r} has {len(variables)} ({', '.join(variables)}); "
            "build a two-variable model (the FitzHugh–Nagumo or Izhikevich preset, for instance)."
        )
    inputs = {name: float(current) for name in system.inputs}
    with bp.profile.temporary(dt=dt):
        group = bp.NeuGroup(model, 1, monitors=variables)
        net = bp.Network(group)
        inputs_run = [(group, "ST.input", float(current))] if "input" in model.ST.keys() else []
        net.run(duration, inputs=inputs_run)
    targets = {}
    for name in variables:
        trace = np.asarray(getattr(group.mon, name), dtype=float).ravel()
        trace = trace[np.isfinite(trace)]
        start = float(model.ST.defaults.get(name, 0.0))
        low, high = (float(trace.min()), float(trace.max())) if trace.size else (start, start)
        low, high = min(low, start), max(high, start)
        margin = 0.2 * (high - low) if high > low else max(1.0, abs(start))
        targets[name] = (_round(low - margin), _round(high + margin))
    sliders = {
        name: (min(0.0, 2 * value), max(1.0, 2 * value, 3 * abs(value)), _step(value)) for name, value in inputs.items()
    }
    return PlanarModel(lambda: model, targets, inputs, sliders, 100.0)


def _round(x: float) -> float:
    return float(f"{x:.3g}")


def _step(value: float) -> float:
    span = max(1.0, 3 * abs(value))
    power = 10.0 ** math.floor(math.log10(span / 200.0))
    return float(f"{next(m * power for m in (1, 2, 5, 10) if m * power >= span / 200.0):.12g}")


class _Messages:
    """An HTML line for what was refused or went wrong (callbacks never raise: Voila would hide it)."""

    def __init__(self) -> None:
        self.message = w.HTML()
        self.last_message = ""

    def _say(self, text: str, level: str = "error") -> None:
        self.last_message = text
        colour = "#b00020" if level == "error" else "#333333"
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""

    def _guarded(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(change: Any) -> None:
            try:
                handler(change)
            except Exception as exc:
                self._say(f"{type(exc).__name__}: {exc}")

        return run


class PhasePlaneLab(_Messages):
    """A phase plane of FitzHugh–Nagumo, Morris–Lecar, Izhikevich or a neuron from the type builder.

    Parameters
    ----------
    model : str
        First model: a label of :data:`PLANAR` or ``'custom (type builder)'``.

    Attributes
    ----------
    menu : ipywidgets.Dropdown
    builder : TypeBuilder
        Shown for the custom model; each two-variable neuron it builds gets a plane.
    panel : PhasePlanePanel or None
    message : ipywidgets.HTML
    widget : ipywidgets.VBox
    """

    def __init__(self, model: str = "FitzHugh–Nagumo"):
        super().__init__()
        options = [*PLANAR, CUSTOM]
        if model not in options:
            raise ValueError(f"PhasePlaneLab: model must be one of {options}, got {model!r}")
        self.panel: PhasePlanePanel | None = None
        self.menu = w.Dropdown(options=options, value=model, description="model")
        self.builder = TypeBuilder(kind="neuron", preset="FitzHugh–Nagumo")
        self.builder.kind_buttons.layout.display = "none"
        self.builder_box = w.VBox([self.builder.widget], layout=w.Layout(display="none"))
        self.area = w.VBox(layout=w.Layout(width="100%"))
        self.menu.observe(self._guarded(lambda c: self.show(c["new"])), names="value")
        self.builder.observe(self._guarded(self._built), names="model")
        self.widget = w.VBox(
            [
                w.HTML(
                    "<h3 style='margin:4px 0'>Phase-plane lab</h3><small>Nullclines, arrows and fixed points; "
                    "click the plane to start a trajectory; the sliders move the input and the parameters.</small>"
                ),
                self.menu,
                self.builder_box,
                self.message,
                self.area,
            ],
            layout=w.Layout(width="100%"),
        )
        self.show(model)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show(self, name: str) -> PhasePlanePanel | None:
        """Draw the plane of the model called ``name`` (the custom one once the builder has built it)."""
        custom = name == CUSTOM
        self.builder_box.layout.display = None if custom else "none"
        if custom:
            model = self.builder.model
            if isinstance(model, bp.NeuType):
                return self.show_type(model)
            self.area.children = []
            self.panel = None
            self._say("Edit the equations (two variables) and press Build to draw their phase plane.", "info")
            return None
        spec = PLANAR.get(name)
        if spec is None:
            self._say(f"no model {name!r}; choose one of {list(PLANAR)}")
            return None
        return self._use(spec.phase_plane())

    def show_type(self, model: bp.NeuType) -> PhasePlanePanel | None:
        """Draw the plane of a two-variable neuron type (input at the builder's step current)."""
        try:
            current = float(self.builder.current_box.value)
            dt = float(self.builder.dt_box.value)
            if not (math.isfinite(current) and math.isfinite(dt) and 1e-3 <= dt <= 1.0):
                raise ModelUseError(
                    f"the step current and dt must be finite (dt 0.001 to 1 ms), got {current!r}, {dt!r}"
                )
            spec = planar_from_type(model, current, dt)
        except BrainlabError as exc:
            self._say(str(exc))
            return None
        return self._use(spec.phase_plane())

    def _use(self, panel: PhasePlanePanel) -> PhasePlanePanel:
        self.panel = panel
        self.area.children = [panel.widget]
        self._say("")
        return panel

    def _built(self, change: Mapping[str, Any]) -> None:
        if self.menu.value != CUSTOM:
            return
        model = change["new"]
        if not isinstance(model, bp.NeuType):
            self._say("The phase plane needs a neuron type: build a neuron.")
            return
        self.show_type(model)


class BifurcationLab(_Messages):
    """A bifurcation diagram in the input current, linked to the phase plane at the chosen current.

    A click on the diagram sets the current of the phase plane (and its slider),
    so the fixed point and the limit cycle the diagram shows at that current can
    be seen and explored with trajectories.

    Parameters
    ----------
    model : str
        A label of :data:`BIFURCATION_MODELS`.

    Attributes
    ----------
    menu : ipywidgets.Dropdown
    diagram : BifurcationPanel
    plane : PhasePlanePanel
    widget : ipywidgets.VBox
    """

    def __init__(self, model: str = "FitzHugh–Nagumo"):
        super().__init__()
        if model not in BIFURCATION_MODELS:
            raise ValueError(f"BifurcationLab: model must be one of {list(BIFURCATION_MODELS)}, got {model!r}")
        self.menu = w.Dropdown(options=list(BIFURCATION_MODELS), value=model, description="model")
        self.area = w.VBox(layout=w.Layout(width="100%"))
        self.menu.observe(self._guarded(lambda c: self.show(c["new"])), names="value")
        self.widget = w.VBox(
            [
                w.HTML(
                    "<h3 style='margin:4px 0'>Bifurcation lab</h3><small>Stable branches solid, unstable dashed, "
                    "Hopf points (H) and the extrema of limit cycles (dots). Click the diagram: the phase plane "
                    "below moves to that current.</small>"
                ),
                self.menu,
                self.message,
                self.area,
            ],
            layout=w.Layout(width="100%"),
        )
        self.show(model)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show(self, name: str) -> None:
        """Draw the diagram and the phase plane of the model called ``name``."""
        spec = BIFURCATION_MODELS.get(name)
        if spec is None:
            self._say(f"no model {name!r}; choose one of {list(BIFURCATION_MODELS)}")
            return
        par, bounds = spec.bifurcation
        model = spec.build()
        self.diagram = BifurcationPanel(model, {par: list(bounds)}, {k: list(v) for k, v in spec.targets.items()})
        self.plane = spec.phase_plane(model)
        self.diagram.link(self.plane)
        self.area.children = [self.diagram.widget, self.plane.widget]
        self._say("")
