"""``PhasePlanePanel``: a live phase plane of a two-variable neuron model, with sliders and click-to-start trajectories.

The panel draws what :class:`brainlab.PhasePortraitAnalyzer` computes — the
nullclines, the vector field as arrows, the fixed points coloured by stability
— on a bqplot figure whose scales are the target ranges. A click on the plane
starts a trajectory (simulated with the model's own step function, so resets
act and are drawn as dotted jumps); a second figure shows the last
trajectory's variables against time.

Every slider change calls ``set_values`` (numbers only: nothing is
recompiled), then ``analyse``, and redraws the plane; the trajectories on the
plane are simulated again from their starting points, since they belong to
the old values otherwise. Values from the browser are checked in the kernel
(finite, inside the range the panel chose); a refused one puts the slider back
and says why in the message area. Errors of the analysis or of a simulation
are shown there too and never raised from a widget callback; the previous
drawing stays.

The panel needs two target variables: a one-variable model has a phase line,
not a plane, and is refused with a ``ValueError`` (draw it with
``PhasePortraitAnalyzer.plot_vector_field``).
"""

from __future__ import annotations

import html
import math
import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.errors import AnalysisError, BrainlabError
from brainlab_widgets._phase_plane_marks import PlaneMarks, TimeMarks
from brainlab_widgets.param_panel import CheckedSlider, Range, default_range

__all__ = ["PhasePlanePanel"]


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class PhasePlanePanel:
    """A phase plane of a neuron type in two variables: nullclines, field, fixed points, trajectories, sliders.

    Parameters
    ----------
    model : brainlab.NeuType
        The neuron type (library model or one made with ``NeuType.from_equations``).
    target_vars : dict
        Exactly two variables with their ranges, ``{'V': [-3, 3], 'w': [-3, 3]}``;
        they are the scales of the plane and of the time course.
    fixed_vars, pars_update : dict, optional
        As for :class:`brainlab.PhasePortraitAnalyzer`: inputs (``{'I_ext': 0.8}``),
        frozen variables and parameter values.
    sliders : mapping or sequence of str, optional
        Which sliders appear. By default: one per fixed variable and input and one
        per parameter of the two equations (``field.par_names``) or of
        ``pars_update``, with :func:`~brainlab_widgets.param_panel.default_range`
        ranges. A mapping changes that set: ``name -> (min, max, step)`` sets a
        range (adding the slider if needed, e.g. ``{'I_ext': (0, 2, 0.01)}``),
        ``name -> None`` adds one with the default range (the reset ``c`` of
        Izhikevich, which only the simulation reads), ``name -> False`` removes
        one. A sequence of names gives exactly those sliders (default ranges).
    duration : float
        Length of each trajectory (ms, the model's time unit).
    keep : bool
        Keep the trajectories of earlier clicks (up to ``max_trajectories``, the
        oldest dropped first); otherwise only the last is drawn.
    height : str
        CSS height of the figures; the plane is square.
    max_trajectories : int
        Most trajectories kept (each is simulated again on every change).
    vector_points, nullcline_points : int
        Arrows per axis; grid points per axis of the nullclines (``analyse``).

    Attributes
    ----------
    analyzer : brainlab.PhasePortraitAnalyzer or None
        None when the analyser refused the model (the message says why).
    plane : PhasePlane or None
        The last analysis drawn.
    trajectories : list of Trajectory
        The drawn trajectories, oldest first (the last one is in the time course).
    sliders : dict
        Name → slider widget.
    figure, time_figure : bqplot.Figure
    nullcline_lines : list of bqplot.Lines
        One per target variable, labelled ``"dV/dt = 0"``.
    field : bqplot.Scatter
        Arrows; ``rotation`` in degrees clockwise from up on screen (see
        :func:`~brainlab_widgets._phase_plane_marks.arrow_rotation`).
    fixed_marks : bqplot.Scatter
        Fixed points, coloured by stability; ``fixed_labels`` (a ``bqplot.Label``)
        writes the stability beside each.
    click_marks : bqplot.Scatter
        The starting points; a click adds one (``interactions={'click': 'add'}``).
    trajectory_lines, jump_lines : bqplot.Lines
        One line per trajectory (rows padded with NaN): the flow, broken at each
        reset, and the resets themselves, dotted.
    time_lines : list of bqplot.Lines
        Each target against time for the last trajectory (own scale each).
    message : ipywidgets.HTML
        Why the last value or click was refused, or what went wrong;
        :attr:`last_message` is its text.
    status : ipywidgets.HTML
        The fixed points and the timings of the last update.
    timings : dict
        ``compute_ms`` (``set_values`` + ``analyse``), ``draw_ms`` (the plane's
        marks), ``trajectory_ms`` (simulating and drawing the kept trajectories
        again) of the last update; ``click_ms`` of the last click.
    widget : ipywidgets.VBox

    Examples
    --------
    >>> panel = PhasePlanePanel(bp.models.get_FitzHughNagumo(), {'V': [-3, 3], 'w': [-3, 3]},
    ...                         fixed_vars={'I_ext': 0.8}, sliders={'I_ext': (0, 2, 0.01)})  # doctest: +SKIP
    >>> panel.add_trajectory(-0.2, 0.5)                                                       # doctest: +SKIP
    >>> panel                                                                                 # doctest: +SKIP
    """

    def __init__(
        self,
        model: Any,
        target_vars: Mapping[str, Sequence[float]],
        fixed_vars: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
        *,
        sliders: Mapping[str, Range | bool | None] | Sequence[str] | None = None,
        duration: float = 100.0,
        keep: bool = True,
        height: str = "420px",
        max_trajectories: int = 10,
        vector_points: int = 20,
        nullcline_points: int = 300,
    ):
        if not isinstance(target_vars, Mapping) or len(target_vars) != 2:
            raise ValueError(
                "PhasePlanePanel needs exactly two target variables, e.g. {'V': [-3, 3], 'w': [-3, 3]}; got "
                f"{target_vars!r}. A one-variable model has a phase line: use PhasePortraitAnalyzer.plot_vector_field."
            )
        if not (_is_number(duration) and math.isfinite(duration) and duration > 0):
            raise ValueError(f"PhasePlanePanel: duration must be a positive number, got {duration!r}.")
        if not (isinstance(max_trajectories, int) and max_trajectories >= 1):
            raise ValueError(f"PhasePlanePanel: max_trajectories must be a positive int, got {max_trajectories!r}.")
        self.duration, self.keep, self.max_trajectories = float(duration), bool(keep), max_trajectories
        self.vector_points, self.nullcline_points = vector_points, nullcline_points
        self.targets = [str(name) for name in target_vars]
        self.message, self.status = w.HTML(), w.HTML(layout=w.Layout(min_height="1.5em"))
        self.last_message = ""
        self.timings: dict[str, float] = {}
        self.plane: Any = None
        self.trajectories: list[Any] = []
        self._starts: list[tuple[float, float]] = []
        self._colors: list[int] = []
        self._color_count = 0
        self._syncing = False
        self._refused = ""
        try:
            self.analyzer: Any = bp.PhasePortraitAnalyzer(model, target_vars, fixed_vars, pars_update)
        except BrainlabError as exc:
            self.analyzer, self._refused = None, f"The phase plane cannot be drawn: {exc}"
        self.ranges = self._ranges(target_vars)

        self._plane_marks = plane = PlaneMarks.build(self.targets, self.ranges, height)
        self.figure, self.nullcline_lines, self.field = plane.figure, plane.nullclines, plane.field
        self.fixed_marks, self.fixed_labels, self.click_marks = plane.fixed, plane.labels, plane.clicks
        self.trajectory_lines, self.jump_lines = plane.trajectories, plane.jumps
        self._time_marks = timeline = TimeMarks.build(self.targets, self.ranges, self.duration, height)
        self.time_figure, self.time_lines = timeline.figure, timeline.lines
        self.figure.add_class("bl-phase-plane")  # a hook for the browser tests
        self.click_marks.observe(self._clicked, names="y")
        self.clear_button = w.Button(description="Clear", icon="eraser", tooltip="Remove the trajectories")
        self.clear_button.on_click(lambda _b: self.clear())

        self._controls: dict[str, CheckedSlider] = {}
        if self.analyzer is not None:
            for name, bounds in self._slider_specs(sliders).items():
                self._controls[name] = CheckedSlider(
                    name, name, self._value(name), bounds, False,
                    lambda v, n=name: self._from_slider(n, v), self._control_report,
                )  # fmt: skip
        self.sliders = {name: control.slider for name, control in self._controls.items()}
        self.widget = w.VBox(
            [
                w.HBox([self.figure, self.time_figure], layout=w.Layout(width="100%")),
                w.HBox([self.clear_button, self.status]),
                w.VBox(list(self.sliders.values())),
                self.message,
            ],
            layout=w.Layout(width="100%"),
        )
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- setting up ------------------------------------------------------------------------------------------

    def _ranges(self, target_vars: Mapping[str, Any]) -> list[tuple[float, float]]:
        if self.analyzer is not None:
            return [self.analyzer.target_vars[v] for v in self.targets]
        out = []
        for bounds in target_vars.values():  # the model was refused; draw empty axes as asked if possible
            try:
                low, high = (float(b) for b in bounds)
            except (TypeError, ValueError):
                low, high = 0.0, 1.0
            out.append((low, high) if math.isfinite(low) and math.isfinite(high) and low < high else (0.0, 1.0))
        return out

    @property
    def settable(self) -> list[str]:
        """Names :meth:`set_parameter` accepts: frozen variables, inputs and parameters of the model."""
        if self.analyzer is None:
            return []
        system = self.analyzer.system
        frozen = [v for v in system.variables if v not in self.targets]
        return list(dict.fromkeys([*frozen, *sorted(system.inputs), *system.parameters]))

    def _value(self, name: str) -> Any:
        return self.analyzer.values.get(name, self.analyzer.system.default_value(name))

    def _slider_specs(self, sliders: Any) -> dict[str, Range]:
        an = self.analyzer
        params = an.system.parameters
        used = an.field.par_names
        defaults = [
            *an.fixed_vars,
            *(n for n in used if n not in params),
            *an.pars_update,
            *(n for n in used if n in params),
        ]
        chosen: dict[str, Any] = {n: None for n in defaults if np.ndim(self._value(n)) == 0}
        if isinstance(sliders, Mapping):
            for name, spec in sliders.items():
                if spec is False:
                    chosen.pop(name, None)
                else:
                    chosen[name] = spec
        elif isinstance(sliders, str):
            raise ValueError(f"PhasePlanePanel: sliders must be a mapping or a list of names, got {sliders!r}.")
        elif sliders is not None:
            chosen = dict.fromkeys(sliders)
        specs = {}
        for name, spec in chosen.items():
            if name not in self.settable:
                raise ValueError(
                    f"PhasePlanePanel: no slider for {name!r}: it is not a parameter, input or frozen variable of "
                    f"{an.model.name!r} (those are {self.settable}; {self.targets} are the plane's axes)."
                )
            value = self._value(name)
            if not (_is_number(value) and math.isfinite(value)):
                raise ValueError(f"PhasePlanePanel: {name!r} has no single numeric value ({value!r}) for a slider.")
            bounds = default_range(name, value) if spec is None else tuple(float(x) for x in spec)
            if len(bounds) != 3 or not bounds[0] <= value <= bounds[1]:
                raise ValueError(
                    f"PhasePlanePanel: the slider range of {name!r} must be (min, max, step) containing its value "
                    f"{value!r}; got {spec!r}."
                )
            specs[name] = bounds
        return specs

    # -- public ----------------------------------------------------------------------------------------------

    def set_parameter(self, name: str, value: Any) -> str | None:
        """Set a parameter, input or frozen variable and redraw (for linked views such as a bifurcation panel).

        The slider of ``name`` moves when there is one; a value outside its range
        widens the range (calls from the kernel choose their values; only the
        browser's are held to the panel's range). The value is validated either
        way, and a refused one is reported in :attr:`message`, not raised.

        Returns
        -------
        str or None
            Why the value was refused, or None when it was applied.
        """
        if self.analyzer is None:
            return self._say(self._refused)
        if name in self.targets:
            return self._say(f"set_parameter: {name!r} is an axis of the plane; click the plane to start there.")
        if name not in self.settable:
            return self._say(
                f"set_parameter: {name!r} is not a parameter, input or frozen variable of "
                f"{self.analyzer.model.name!r}; the names that can be set are {self.settable}."
            )
        control = self._controls.get(name)
        if control is None:
            if not (_is_number(value) and math.isfinite(value)):
                return self._say(f"set_parameter: {name} must be a finite number, got {value!r}.")
            try:
                self._update({name: float(value)})
            except BrainlabError as exc:
                return self._say(f"{name}: {exc}")
            return None
        if _is_number(value) and math.isfinite(value):
            low, high, step = control.bounds
            if not low <= value <= high:
                control.bounds = (min(low, float(value)), max(high, float(value)), step)
                control.slider.max, control.slider.min = control.bounds[1], control.bounds[0]
        problem = control.submit(value)
        if problem is None:
            control.show(float(value))
        return problem

    def add_trajectory(self, x0: float, y0: float) -> Any:
        """Start a trajectory at ``(x0, y0)`` as a click there does; return it (None if refused, with a message)."""
        try:
            return self._start(x0, y0)
        except Exception as exc:  # never lose the drawing to a failed start
            self._sync_clicks()
            self._say(f"The trajectory from ({x0!r}, {y0!r}) failed: {type(exc).__name__}: {exc}")
            return None

    def clear(self) -> None:
        """Remove every trajectory and starting point."""
        self.trajectories, self._starts, self._colors = [], [], []
        self._draw_trajectories()
        self._sync_clicks()
        self._say("")

    def refresh(self) -> None:
        """Analyse again with the current values and redraw everything (trajectories simulated again)."""
        if self.analyzer is None:
            self._say(self._refused)
            return
        try:
            self._update({})
        except BrainlabError as exc:
            self._say(str(exc))

    # -- updates ---------------------------------------------------------------------------------------------

    def _set(self, changes: Mapping[str, float]) -> None:
        params = self.analyzer.system.parameters
        self.analyzer.set_values(
            fixed_vars={k: v for k, v in changes.items() if k not in params},
            pars_update={k: v for k, v in changes.items() if k in params},
        )

    def _from_slider(self, name: str, value: float) -> None:
        try:
            self._update({name: value})
        except BrainlabError:
            raise  # the control puts the slider back and shows why
        except Exception as exc:
            raise AnalysisError(f"{type(exc).__name__}: {exc}") from exc

    def _update(self, changes: Mapping[str, float]) -> None:
        """Apply ``changes``, analyse, redraw; a failure restores the previous values and raises BrainlabError."""
        previous = {k: self._value(k) for k in changes}
        start = time.perf_counter()
        self._set(changes)  # a refused value raises here, before anything changed
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                plane = self.analyzer.analyse(vector_points=self.vector_points, nullcline_points=self.nullcline_points)
            computed = time.perf_counter()
            self._draw_plane(plane)
        except Exception as exc:
            self._set({k: v for k, v in previous.items() if v is not None})
            if isinstance(exc, BrainlabError):
                raise
            raise AnalysisError(f"the analysis failed: {type(exc).__name__}: {exc}") from exc
        drawn = time.perf_counter()
        self.plane = plane
        notes = [str(c.message) for c in caught]
        if self._starts:
            runs, problems = self._simulate(self._starts)
            if runs is None:
                notes += [f"The trajectories belong to the previous values: {' '.join(problems)}"]
            else:
                self.trajectories = runs
                notes += problems
                self._draw_trajectories()
        done = time.perf_counter()
        self.timings = {
            "compute_ms": 1e3 * (computed - start),
            "draw_ms": 1e3 * (drawn - computed),
            "trajectory_ms": 1e3 * (done - drawn),
        }
        self._show_status()
        self._say(" ".join(notes))

    def _simulate(self, starts: Sequence[tuple[float, float]]) -> tuple[list[Any] | None, list[str]]:
        """Simulate from ``starts``; return the runs (None on failure) and what to tell the user."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                runs = self.analyzer.trajectories([(x, y, self.duration) for x, y in starts])
        except Exception as exc:
            return None, [f"The simulation failed: {type(exc).__name__}: {exc}"]
        notes = [str(c.message) for c in caught]
        for run in runs:
            if run.diverged:
                where = ", ".join(f"{k}={v:.4g}" for k, v in run.initial.items())
                notes.append(
                    f"The trajectory from {where} diverged at t = {run.t[-1]:.4g}: "
                    "it is drawn up to its last finite point."
                )
        return runs, notes

    def _start(self, x0: Any, y0: Any) -> Any:
        problem = self._refused if self.analyzer is None else self._check_start(x0, y0)
        if problem:
            self._sync_clicks()
            self._say(problem)
            return None
        start = time.perf_counter()
        point = (float(x0), float(y0))
        runs, notes = self._simulate([point])
        if runs is None:
            self._sync_clicks()
            self._say(" ".join(notes))
            return None
        if not self.keep:
            self.trajectories, self._starts, self._colors = [], [], []
        self.trajectories.append(runs[0])
        self._starts.append(point)
        self._colors.append(self._color_count)
        self._color_count += 1
        del self.trajectories[: -self.max_trajectories], self._starts[: -self.max_trajectories]
        del self._colors[: -self.max_trajectories]
        self._draw_trajectories()
        self._sync_clicks()
        self.timings["click_ms"] = 1e3 * (time.perf_counter() - start)
        self._say(" ".join(notes))
        return runs[0]

    def _check_start(self, x0: Any, y0: Any) -> str:
        for var, value, (low, high) in zip(self.targets, (x0, y0), self.ranges, strict=True):
            if not _is_number(value) or not math.isfinite(value):
                return f"The start {var} must be a finite number, got {value!r}."
            half = 0.5 * (high - low) * self.analyzer.lim_scale
            if abs(value - 0.5 * (low + high)) > half:
                return f"The start {var} = {value!r} is outside the plane [{low:g}, {high:g}]."
        return ""

    def _clicked(self, change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        try:
            x, y = np.asarray(self.click_marks.x, dtype=float), np.asarray(self.click_marks.y, dtype=float)
            if len(x) != len(y) or len(x) == 0:
                return  # x and y arrive together from a click; wait for the other
            if len(x) != len(self._starts) + 1:
                self._sync_clicks()  # not one added point: show ours again
                return
            self._start(float(x[-1]), float(y[-1]))
        except Exception as exc:
            self._sync_clicks()
            self._say(f"The click could not start a trajectory: {type(exc).__name__}: {exc}")

    # -- drawing ---------------------------------------------------------------------------------------------

    def _draw_plane(self, plane: Any) -> None:
        self._plane_marks.show_plane(plane, self.targets, [high - low for low, high in self.ranges])

    def _draw_trajectories(self) -> None:
        self._plane_marks.show_trajectories(self.trajectories, self._colors, self.targets)
        self._time_marks.show(self.trajectories[-1] if self.trajectories else None, self.targets)

    def _sync_clicks(self) -> None:
        """Show the kept starting points on the click layer (without taking it for a click)."""
        self._syncing = True
        try:
            with self.click_marks.hold_sync():
                self.click_marks.x = np.array([x for x, _ in self._starts], dtype=float)
                self.click_marks.y = np.array([y for _, y in self._starts], dtype=float)
        finally:
            self._syncing = False

    def _show_status(self) -> None:
        tx, ty = self.targets
        points = self.plane.fixed_points if self.plane is not None else []
        found = "; ".join(
            f"#{k} ({tx}={p.values[tx]:.4g}, {ty}={p.values[ty]:.4g}) {p.stability}" for k, p in enumerate(points, 1)
        )
        timing = f"compute {self.timings['compute_ms']:.0f} ms, draw {self.timings['draw_ms']:.0f} ms"
        self.status.value = html.escape(f"{found or 'No fixed point in the plane.'} — {timing}")

    def _control_report(self, text: str) -> None:
        if text:  # a refusal; after an accepted value the update has already said what there is to say
            self._say(text)

    def _say(self, text: str) -> str | None:
        """Show ``text`` in the message area (empty: clear it); return it, or None when empty."""
        self.last_message = text
        self.message.value = f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""
        return text or None
