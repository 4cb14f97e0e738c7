"""``BifurcationPanel``: an interactive bifurcation diagram whose clicks set parameters of linked views.

The panel runs a :class:`brainlab.BifurcationAnalyzer` and draws its result
with bqplot. With one target parameter it draws the codimension-1 diagram of
one variable: equilibrium branches solid where stable and dashed where
unstable, fold (LP) and Hopf (H) points with their criticality, and the
minimum and maximum of the limit cycles beyond Hopf points (green dots). With
two it draws the fold and Hopf curves in the parameter plane.

A click on the plot picks the parameter value there (codimension 2: the pair
of values). The click layer is an empty ``bqplot.Scatter`` with
``interactions={'click': 'add'}``: bqplot's front end appends the clicked
point, in data coordinates, to the mark's ``x`` and ``y`` (one message with
both), wherever on the plot area the click lands; the panel reads it, empties
the mark again and calls :meth:`BifurcationPanel.select`. A click on a fold
or Hopf marker picks that point's exact value. Tests simulate a click as the
front end sends it: set ``click_marks.x`` and ``click_marks.y`` (under
``hold_trait_notifications()``, or ``x`` first), or send a marker the
``element_click`` message ``{'event': 'element_click', 'data': {'index': k}}``.

:meth:`~BifurcationPanel.select` moves the rule that marks the value and passes
the value to every linked view: any object with ``set_parameter(name, value)``
(a phase-plane panel, for one) through
:meth:`~BifurcationPanel.link`, and a :class:`~brainlab_widgets.session.Session`
(a parameter of a group, or a run input) through
:meth:`~BifurcationPanel.link_session`. A view that refuses the value is
reported in the panel; the others are updated all the same.
"""

from __future__ import annotations

import dataclasses
import html
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.errors import AnalysisError, BrainlabError, ModelUseError
from brainlab_widgets import _bifurcation_marks as marks
from brainlab_widgets.session import Session

__all__ = ["BifurcationPanel", "Link"]


@dataclasses.dataclass
class Link:
    """A linked view: what each selected parameter is handed to.

    Attributes
    ----------
    label : str
        How messages name the view.
    routes : dict
        Target parameter -> ``(description, apply)``; ``apply(value)`` hands the value over.
    """

    label: str
    routes: dict[str, tuple[str, Callable[[float], Any]]]


class BifurcationPanel:
    """An interactive bifurcation diagram (codimension 1 or 2) of a neuron type.

    The panel is a controller; :attr:`widget` is its ``ipywidgets.VBox``.

    Parameters
    ----------
    model : brainlab.NeuType
        Any neuron type (library, hand-written or ``NeuType.from_equations``).
    target_pars : dict
        One parameter (codimension 1) or two (codimension 2) with their ranges,
        ``{'I_ext': [0., 2.]}``; model parameters or inputs of the equations.
    target_vars : dict
        The dynamical variables with their ranges (the analyser's ``dynamical_vars``).
    fixed_vars, pars_update : dict, optional
        Frozen variables and fixed inputs; parameter values other than the model's.
    plot_var : str, optional
        Variable on the y axis of a codimension-1 diagram (default: the first of
        ``target_vars``); :attr:`var_dropdown` switches it.
    height : str
        CSS height of the figure.
    compute : bool
        Compute at once (otherwise press Compute or call :meth:`compute`).
    par_resolution : float, optional
        Largest continuation step along a parameter (its units); in codimension 2
        also the grid step of the first parameter. Default: 1/200 of the first
        parameter's range in codimension 1, 1/20 in codimension 2.
    var_resolution : float
        Grid step of the variables used to find the starting equilibria.

    Attributes
    ----------
    analyzer : brainlab.BifurcationAnalyzer
    result : Codim1Result or Codim2Result or None
        The last result (None before the first computation or after a failed one).
    figure : bqplot.Figure
    stable_lines, unstable_lines : bqplot.Lines or None
        Codim-1: all stable (solid) / unstable (dashed) branch pieces, NaN-separated.
    fold_marks, hopf_marks : bqplot.Scatter or None
        Codim-1: fold and Hopf points; ``names`` are their labels (``'LP'``, ``'H sub'``...).
    cycle_marks : bqplot.Scatter or None
        Codim-1: limit-cycle minima then maxima (where a cycle was found).
    curve_lines : dict
        Codim-2: ``{'fold': Lines, 'hopf': Lines}``, all curves of a kind NaN-separated
        (empty in codimension 1).
    click_marks : bqplot.Scatter
        The click layer (empty between clicks).
    rule, rule_h : bqplot.Lines
        The selection: vertical rule at the first parameter, horizontal at the
        second (codimension 2).
    selected : dict or None
        ``{par: value}`` of the last selection.
    links : list of Link
    timings : dict
        ``compute_ms``, ``draw_ms`` and, after a selection, ``select_ms`` (the
        rule and every linked view).
    compute_button : ipywidgets.Button
    var_dropdown : ipywidgets.Dropdown
    status, selection, message : ipywidgets.HTML
        Compute times and what was found; the last selection; errors. Their texts
        are :attr:`last_status`, :attr:`last_selection` and :attr:`last_message`.
    last_error : BaseException or None
    """

    def __init__(
        self,
        model: bp.NeuType,
        target_pars: Mapping[str, Any],
        target_vars: Mapping[str, Any],
        fixed_vars: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
        *,
        plot_var: str | None = None,
        height: str = "400px",
        compute: bool = True,
        par_resolution: float | None = None,
        var_resolution: float = 0.1,
    ):
        self.analyzer = bp.BifurcationAnalyzer(
            model, target_pars, target_vars, fixed_vars, pars_update,
            par_resolution=0.1 if par_resolution is None else par_resolution, var_resolution=var_resolution,
        )  # fmt: skip
        if par_resolution is None:  # a fraction of the first range (the analyser's default is 0.1 in any units)
            lo, hi = next(iter(self.analyzer.target_pars.values()))
            self.analyzer.par_resolution = (hi - lo) / (200 if len(self.analyzer.par_names) == 1 else 20)
        self.par_names: list[str] = list(self.analyzer.par_names)
        self.var_names: list[str] = list(self.analyzer.var_names)
        self.plot_var = self.var_names[0] if plot_var is None else plot_var
        if self.plot_var not in self.var_names:
            raise AnalysisError(f"BifurcationPanel: plot_var {plot_var!r} is not one of target_vars {self.var_names}.")
        self.codim = len(self.par_names)
        self.result: Any = None
        self.selected: dict[str, float] | None = None
        self.links: list[Link] = []
        self.timings: dict[str, float] = {}
        self.last_error: BaseException | None = None
        self.last_status = self.last_selection = self.last_message = ""
        self._propagating = False

        d = self._diagram = marks.Diagram(self.analyzer.target_pars, self.plot_var, height, self._marker_clicked)
        self.figure, self.y_axis, self.click_marks, self.rule, self.rule_h = (
            d.figure, d.y_axis, d.click_marks, d.rule, d.rule_h)  # fmt: skip
        self.stable_lines, self.unstable_lines, self.cycle_marks = d.stable_lines, d.unstable_lines, d.cycle_marks
        self.fold_marks, self.hopf_marks, self.curve_lines = d.fold_marks, d.hopf_marks, d.curve_lines
        self.click_marks.observe(self._clicked, names="y")
        self.compute_button = w.Button(description="Compute", icon="refresh")
        self.compute_button.on_click(lambda _b: self.compute())
        self.var_dropdown = w.Dropdown(options=self.var_names, value=self.plot_var, description="plot",
                                       layout=w.Layout(width="180px"))  # fmt: skip
        if self.codim == 2 or len(self.var_names) == 1:
            self.var_dropdown.layout.display = "none"
        self.var_dropdown.observe(self._var_changed, names="value")
        self.status = w.HTML(layout=w.Layout(min_height="1.5em"))
        self.selection = w.HTML()
        self.message = w.HTML()
        controls = w.HBox([self.compute_button, self.var_dropdown, self.status])
        self.widget = w.VBox([controls, self.figure, self.selection, self.message], layout=w.Layout(width="100%"))
        if compute:
            self.compute()
        else:
            self._show_status("Press Compute to run the analysis.")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- the figure --------------------------------------------------------------------------------------------

    def draw(self) -> None:
        """Draw :attr:`result` (and the selection) again, for the current :attr:`plot_var`."""
        t0 = time.perf_counter()
        self._diagram.draw(self.result, self.plot_var)
        self._diagram.draw_rule(self.selected)
        self.timings["draw_ms"] = 1e3 * (time.perf_counter() - t0)

    def _var_changed(self, change: Mapping[str, Any]) -> None:
        try:
            self.plot_var = change["new"]
            self.draw()
        except Exception as exc:  # a callback: shown, never raised
            self._fail(f"could not draw {change['new']!r}", exc)

    # -- computing ---------------------------------------------------------------------------------------------

    def compute(self) -> Any:
        """Run the analysis again and draw it; return the result (None on failure, with the error shown)."""
        self.compute_button.disabled = True
        self._show_status("Computing…")
        try:
            self.analyzer.set_values()  # no change: only drops the analyser's cached result
            t0 = time.perf_counter()
            result = self.analyzer.compute()
            self.timings["compute_ms"] = 1e3 * (time.perf_counter() - t0)
            self.result = result
            self.draw()
        except Exception as exc:  # shown in the panel: a widget callback must not raise (Voila drops it)
            self.result = None
            self.draw()  # empty: no diagram of settings that failed
            self._fail("the analysis failed", exc)
            self._show_status("The analysis failed; change the settings and press Compute.")
            return None
        finally:
            self.compute_button.disabled = False
        self._say("")
        t = self.timings
        found = marks.summary(self.result, self.par_names, self.var_names[0])
        self._show_status(f"{found} · computed in {t['compute_ms']:.0f} ms, drawn in {t['draw_ms']:.0f} ms")
        return self.result

    def set_values(
        self, fixed_vars: Mapping[str, Any] | None = None, pars_update: Mapping[str, Any] | None = None
    ) -> Any:
        """Change fixed variables and parameters of the analysis (validated by the analyser), then compute."""
        self.analyzer.set_values(fixed_vars, pars_update)
        return self.compute()

    # -- selection and links -----------------------------------------------------------------------------------

    def select(self, value: float | None = None, /, **values: float) -> dict[str, str]:
        """Pick parameter values, as a click does: move the rule and hand them to every linked view.

        Parameters
        ----------
        value : float, optional
            The value of the only target parameter (codimension 1).
        **values : float
            ``par=value`` by name; in codimension 2 a missing one keeps its selected value.

        Returns
        -------
        dict
            ``'<view> (<parameter>)' -> message`` for each linked view that refused
            (also shown in :attr:`message`); the other views were updated.

        Raises
        ------
        AnalysisError
            For an unknown parameter, or a value that is not a finite number in its range.
        """
        if value is not None:
            if self.codim != 1 or values:
                raise AnalysisError(f"BifurcationPanel.select: give the values by name, e.g. {self.par_names[0]}=1.")
            values = {self.par_names[0]: value}
        new = dict(self.selected or {})
        for name, v in values.items():
            new[name] = self._checked(name, v)
        missing = [p for p in self.par_names if p not in new]
        if missing:
            raise AnalysisError(f"BifurcationPanel.select needs a value for {missing}.")
        t0 = time.perf_counter()
        self.selected = new
        self._diagram.draw_rule(new)
        failures = self._propagate(new)
        self.timings["select_ms"] = 1e3 * (time.perf_counter() - t0)
        text = ", ".join(f"{p} = {v:.6g}" for p, v in new.items())
        taken = sum(len(link.routes) for link in self.links) - len(failures)
        self._show_selection(f"selected {text}" + (f" · sent to {taken} linked parameter(s)" if self.links else ""))
        if failures:
            refused = "; ".join(f"{who}: {why}" for who, why in failures.items())
            self._say(f"Not every linked view took the value (the others did). {refused}")
        else:
            self._say("")
        return failures

    def _checked(self, name: str, value: Any) -> float:
        if name not in self.par_names:
            raise AnalysisError(f"BifurcationPanel.select: {name!r} is not a target parameter ({self.par_names}).")
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise AnalysisError(f"BifurcationPanel.select: {name} must be a number, got {value!r}.")
        lo, hi = self.analyzer.target_pars[name]
        slack = 1e-9 * (hi - lo)
        if not (math.isfinite(value) and lo - slack <= value <= hi + slack):
            raise AnalysisError(f"BifurcationPanel.select: {name} = {value!r} is outside its range [{lo:g}, {hi:g}].")
        return float(min(max(value, lo), hi))

    def _propagate(self, values: dict[str, float]) -> dict[str, str]:
        if self._propagating:  # a linked view that links back: no loop
            return {}
        self._propagating = True
        failures = {}
        try:
            for link in list(self.links):
                for par, (name, apply) in link.routes.items():
                    try:
                        apply(values[par])
                    except Exception as exc:  # one refusal must not stop the other views
                        kind = "" if isinstance(exc, BrainlabError) else " (unexpected)"
                        failures[f"{link.label} ({name})"] = f"{type(exc).__name__}{kind}: {exc}"
        finally:
            self._propagating = False
        return failures

    def _clicked(self, _change: Any) -> None:
        x, y = self.click_marks.x, self.click_marks.y
        if len(x) == 0 or len(x) != len(y):  # our own emptying, or half of a message
            return
        point = (float(x[-1]), float(y[-1]))
        with self.click_marks.hold_sync():
            self.click_marks.x, self.click_marks.y = marks.EMPTY, marks.EMPTY
        self._select_safely(dict(zip(self.par_names, point, strict=False)))

    def _marker_clicked(self, point: Any) -> None:
        self._select_safely({p: point.pars[p] for p in self.par_names})

    def _select_safely(self, values: dict[str, float]) -> None:
        try:
            self.select(**values)
        except Exception as exc:  # a click must never raise
            self._fail("the click was not taken", exc)

    def link(self, target: Any, name: str | Mapping[str, str] | None = None) -> Link:
        """Hand every selection to ``target.set_parameter(name, value)`` (a phase-plane panel, ...).

        Parameters
        ----------
        target : object
            Anything with a ``set_parameter(name, value)`` method.
        name : str or dict, optional
            The target's name of the parameter: a string (codimension 1), or a dict
            ``{par: name}`` (only these parameters are sent). Default: the same names.

        Returns
        -------
        Link
            Pass it to :meth:`unlink` to stop.
        """
        if isinstance(target, Session):
            raise ModelUseError("BifurcationPanel.link: link a Session with link_session(session, group).")
        setter = getattr(target, "set_parameter", None)
        if not callable(setter):
            raise ModelUseError(f"BifurcationPanel.link: {type(target).__name__} has no set_parameter(name, value).")
        routes = {p: (n, lambda v, n=n: setter(n, v)) for p, n in self._names(name, {}).items()}
        return self._add(Link(type(target).__name__, routes))

    def link_session(
        self, session: Session, obj: Any, name: str | Mapping[str, str] | None = None, *,
        input: int | Mapping[str, int] | None = None,
    ) -> Link:  # fmt: skip
        """Hand every selection to a session: ``session.set_parameter(obj, name, value)`` (validated, rerun).

        Parameters
        ----------
        session : Session
        obj : NeuGroup or SynConn
            The object of the session's network whose parameter is set.
        name : str or dict, optional
            As for :meth:`link`: ``obj``'s parameter name(s). Default: the same names
            (except those sent to an input).
        input : int or dict, optional
            Send the parameter to the session's run input number ``input`` instead
            (``session.set_input``; an array input gets the value in every element),
            for parameters such as ``I_ext`` that are inputs, not ``pars``: the index,
            or ``{par: index}``. The input must drive ``obj``.
        """
        owner = getattr(obj, "parent", obj)
        if not any(owner is o for o in session.network.objects):
            raise ModelUseError(f"BifurcationPanel.link_session: {getattr(obj, 'name', obj)!r} is not in the network.")
        inputs = {} if input is None else dict(input) if isinstance(input, Mapping) else {self._only("input"): input}
        routes = {}
        for par, k in inputs.items():
            self._check_par(par)
            if not (isinstance(k, int) and 0 <= k < len(session.inputs) and session.inputs[k][0] is obj):
                raise ModelUseError(f"BifurcationPanel.link_session: the session has no input {k!r} that drives "
                                    f"{getattr(obj, 'name', obj)!r}.")  # fmt: skip

            def apply(v: float, k: int = k) -> None:
                old = session.inputs[k][2]
                session.set_input(k, v if np.ndim(old) == 0 else np.full(np.shape(old), v))

            routes[par] = (f"input {k}", apply)
        for par, n in self._names(name, inputs).items():
            routes[par] = (n, lambda v, n=n: session.set_parameter(obj, n, v))
        return self._add(Link(f"session {getattr(obj, 'name', obj)}", routes))

    def unlink(self, link: Link) -> None:
        """Stop handing selections to ``link``."""
        self.links = [k for k in self.links if k is not link]

    def _add(self, link: Link) -> Link:
        self.links.append(link)
        return link

    def _only(self, what: str) -> str:
        if self.codim != 1:
            raise ModelUseError(f"BifurcationPanel: with two target parameters give {what} as a dict {{par: ...}}.")
        return self.par_names[0]

    def _check_par(self, par: str) -> None:
        if par not in self.par_names:
            raise ModelUseError(f"BifurcationPanel: {par!r} is not a target parameter ({self.par_names}).")

    def _names(self, name: str | Mapping[str, str] | None, taken: Mapping[str, Any]) -> dict[str, str]:
        if name is None:
            return {p: p for p in self.par_names if p not in taken}
        mapping = dict(name) if isinstance(name, Mapping) else {self._only("name"): name}
        for par in mapping:
            self._check_par(par)
            if par in taken:
                raise ModelUseError(f"BifurcationPanel: {par!r} is sent to an input and to a parameter.")
        return {p: n for p, n in mapping.items() if n is not None}

    # -- feedback ----------------------------------------------------------------------------------------------

    def _fail(self, what: str, exc: BaseException) -> None:
        self.last_error = exc
        self._say(f"{what}: {type(exc).__name__}: {exc}")

    def _say(self, text: str) -> None:
        self.last_message = text
        style = "color:#b00020;white-space:pre-wrap"
        self.message.value = f'<pre style="{style}">{html.escape(text)}</pre>' if text else ""

    def _show_status(self, text: str) -> None:
        self.last_status = text
        self.status.value = f'<span style="font-family:monospace">{html.escape(text)}</span>'

    def _show_selection(self, text: str) -> None:
        self.last_selection = text
        self.selection.value = html.escape(text)
