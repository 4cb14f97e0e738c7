"""The connector panel: choose a connection, its groups and a connector, preview the synapses live, apply.

The panel rewires an existing ``SynConn`` of a session's network, or adds a new
connection of a library synapse type. Every change of the form calls the
connector on the two geometries (:func:`~brainlab_widgets.connectivity.preview_connector`;
nothing is compiled) and redraws the matrix, the degree histograms, a summary and,
for weighted connectors, the weight profile. Apply builds the ``SynConn`` and hands
it to ``session.apply_connection(old, new)``; a rewire keeps the old connection's
parameters and its uniform state values where they still mean something.

The parameter editors (made from a connector's signature, read back without ever
evaluating text) are in :mod:`brainlab_widgets._connector_form`; the bqplot figures
in :mod:`brainlab_widgets._connector_figures`.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import bqplot
import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.errors import BrainlabError
from brainlab_widgets._connector_figures import PreviewFigures, summary_html
from brainlab_widgets._connector_form import (
    STYLE,
    ConnectorForm,
    ConnectorParameter,
    FormError,
    connector_classes,
    connector_parameters,
    read_delay,
    shown,
)
from brainlab_widgets._messages import message_html
from brainlab_widgets.connectivity import ConnectivityPreview, preview_connector

__all__ = ["LIBRARY_SYNAPSES", "ConnectorPanel", "ConnectorParameter", "connector_classes", "connector_parameters"]

#: Synapse types offered for new connections: menu label -> factory name in :mod:`brainlab.models`.
LIBRARY_SYNAPSES = MappingProxyType(
    {
        "exponential current": "get_exponential_current",
        "exponential conductance": "get_exponential_conductance",
        "alpha current": "get_alpha_current",
        "AMPA": "get_AMPA",
        "GABAa": "get_GABAa",
    }
)
# The state fields SynConn fills with a weighted connector's weights (the first the model has).
_WEIGHT_FIELDS = ("w", "weight", "weights")
_DEFAULT_CONNECTOR = "FixedProb"


class ConnectorPanel:
    """Rewire a connection of a session's network, or add one, with a live preview of the synapses.

    The panel is a controller, not a widget: :attr:`widget` is its ``ipywidgets.VBox``
    (displaying the panel displays it). Every change of the form recomputes the
    preview without compiling anything; an invalid form shows why in :attr:`message`
    and keeps the previous preview. Apply builds a ``bp.SynConn`` and calls
    ``session.apply_connection(old, new)``; a failure (a ``BrainlabError`` from the
    engine or the session) is shown and changes nothing.

    Parameters
    ----------
    session : object
        Has ``network`` (a ``bp.Network``) and ``apply_connection(old, new)``, where
        ``old`` is the ``SynConn`` replaced (None for a new connection) and ``new``
        the freshly built ``SynConn``; it may raise ``BrainlabError``.

    Attributes
    ----------
    target_menu : ipywidgets.Dropdown
        ``'rewire:<name>'`` for each connection of the network, ``'new:<type>'`` for
        each library synapse type (:data:`LIBRARY_SYNAPSES`) whose neuron fields some group has.
    pre_menu, post_menu : ipywidgets.Dropdown
        The connected groups by name (a rewired connection's subgroup is offered under its own name).
    connector_menu : ipywidgets.Dropdown
        The connector classes of :mod:`brainlab.connect`.
    parameter_box : ipywidgets.VBox
        One editor per parameter of the chosen connector; :attr:`parameter_widgets` maps names to them.
    delay_box : ipywidgets.FloatText
        Synaptic delay (ms).
    apply_button : ipywidgets.Button
    message : ipywidgets.HTML
        Errors and status, HTML-escaped; :attr:`last_message` holds the plain text.
    summary : ipywidgets.HTML
        Synapse count, degrees and memory estimate of :attr:`preview`.
    preview : ConnectivityPreview or None
        The last successful preview.
    heatmap : bqplot.GridHeatMap or bqplot.HeatMap
        The matrix mark shown: a grid of the exact matrix, or a heat map of the block means
        (a grid too when a side of the block matrix is 1, which bqplot's HeatMap cannot draw).
    in_degree_bars, out_degree_bars : bqplot.Bars
        Neurons per in- and out-degree.
    profile_line : bqplot.Lines
        The weight profile (its figure is visible for weighted connectors only).
    """

    def __init__(self, session: Any):
        self._session = session
        self._lock = threading.RLock()
        self._loading = False
        self._sides: dict[str, Any] = {}
        self.last_message = ""
        self.preview: ConnectivityPreview | None = None
        self.target_menu = w.Dropdown(description="connection", style=dict(STYLE), layout=w.Layout(width="28em"))
        self.pre_menu = w.Dropdown(description="pre", style=dict(STYLE))
        self.post_menu = w.Dropdown(description="post", style=dict(STYLE))
        self._form = ConnectorForm(self._guard(self._form_changed), _DEFAULT_CONNECTOR)
        self.connector_menu, self.parameter_box = self._form.menu, self._form.box
        self.delay_box = w.FloatText(value=0.0, description="delay (ms)", style=dict(STYLE))
        self.apply_button = w.Button(description="Apply", button_style="primary", icon="check")
        self.message = w.HTML()
        self.summary = w.HTML()
        self._plots = PreviewFigures()
        self.heatmap: bqplot.Mark = self._plots.grid_map
        self.in_degree_bars, self.out_degree_bars = self._plots.in_bars, self._plots.out_bars
        self.profile_line = self._plots.profile_line
        self.target_menu.observe(self._guard(self._target_changed), names="value")
        self.connector_menu.observe(self._guard(self._connector_changed), names="value")
        for widget in (self.pre_menu, self.post_menu):
            widget.observe(self._guard(self._form_changed), names="value")
        self.apply_button.on_click(self._guard(lambda _: self.apply()))
        plots = self._plots
        self.widget = w.VBox(
            [
                self.target_menu,
                w.HBox([self.pre_menu, self.post_menu]),
                w.HBox([self.connector_menu, self.delay_box, self.apply_button]),
                self.parameter_box,
                self.message,
                self.summary,
                w.HBox([plots.adjacency, w.VBox([plots.in_figure, plots.out_figure], layout={"width": "380px"})]),
                plots.profile,
            ]
        )
        self.refresh()

    # -- display ---------------------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show_message(self, text: str, level: str = "info") -> None:
        """Show ``text`` (HTML-escaped, clipped) in the message area; ``level`` picks the colour."""
        self.last_message, self.message.value = message_html(text, level)

    def _guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def guarded(change: Any) -> None:
            try:
                handler(change)
            except Exception as err:  # an observer must never raise into the comm
                self.show_message(f"{type(err).__name__}: {err}", "error")

        return guarded

    # -- the network -----------------------------------------------------------------------------------------------

    @property
    def network(self) -> Any:
        """The session's current network."""
        return self._session.network

    def _groups(self) -> list[bp.NeuGroup]:
        return [o for o in self.network.objects if isinstance(o, bp.NeuGroup)]

    def _connections(self) -> list[bp.SynConn]:
        return [o for o in self.network.objects if isinstance(o, bp.SynConn)]

    def _library_types(self) -> dict[str, bp.SynType]:
        """Return the library synapse types whose pre and post fields some group of the network has."""
        fields = [set(g.model.ST.keys()) for g in self._groups()]
        fitting = {}
        for label, factory in LIBRARY_SYNAPSES.items():
            model = getattr(bp.models, factory)()
            if any(model.neuron_fields("pre") <= f for f in fields) and any(
                model.neuron_fields("post") <= f for f in fields
            ):
                fitting[label] = model
        return fitting

    def refresh(self, select: str | None = None) -> None:
        """Re-read the network: rebuild the target menu (choosing ``select`` if offered) and the preview."""
        with self._lock:
            options = [(f"rewire {c.name}", f"rewire:{c.name}") for c in self._connections()]
            options += [(f"new connection: {label}", f"new:{label}") for label in self._library_types()]
            values = [value for _, value in options]
            self._loading = True
            try:
                self.target_menu.options = options
                self.target_menu.value = select if select in values else (values[0] if values else None)
            finally:
                self._loading = False
            self._load_target()

    def _target(self) -> tuple[bp.SynConn | None, bp.SynType]:
        """Return the connection being rewired (None for a new one) and the synapse model."""
        value = self.target_menu.value
        if not isinstance(value, str) or ":" not in value:
            raise FormError(f"choose a connection to rewire or a type of new connection, got {shown(value)}")
        action, name = value.split(":", 1)
        if action == "rewire":
            for conn in self._connections():
                if conn.name == name:
                    return conn, conn.model
            raise FormError(f"the network has no connection {name!r} any more")
        if action != "new" or name not in LIBRARY_SYNAPSES:
            raise FormError(f"unknown connection type {shown(name)}")
        # A fresh type for every new connection: connections never share a type object by accident.
        return None, getattr(bp.models, LIBRARY_SYNAPSES[name])()

    def _load_target(self) -> None:
        """Set the group menus and the delay for the chosen target, then preview once."""
        try:
            old, model = self._target()
        except FormError as err:
            self.show_message(str(err), "error")
            return
        groups = self._groups()
        self._sides = {g.name: g for g in groups}
        if old is not None:
            chosen = [old.pre_group, old.post_group]
            for side in chosen:  # a subgroup is kept as the object the connection uses
                if side is not None and side.name not in self._sides:
                    self._sides[side.name] = side
            delay = old.delay
        else:
            chosen = [self._first_fitting(model, "pre", groups), self._first_fitting(model, "post", groups)]
            delay = 0.0
        self._loading = True
        try:
            for menu, side in zip((self.pre_menu, self.post_menu), chosen, strict=True):
                menu.options = list(self._sides)
                if side is not None:
                    menu.value = side.name
            self.delay_box.value = float(delay)
        finally:
            self._loading = False
        self.update_preview()

    @staticmethod
    def _first_fitting(model: bp.SynType, side: str, groups: list[bp.NeuGroup]) -> bp.NeuGroup | None:
        needed = model.neuron_fields(side)
        return next((g for g in groups if needed <= set(g.model.ST.keys())), groups[0] if groups else None)

    def _side(self, menu: w.Dropdown, what: str) -> Any:
        value = menu.value
        if not isinstance(value, str) or value not in self._sides:
            raise FormError(f"choose the {what}synaptic group, got {shown(value)}")
        return self._sides[value]

    # -- the connector ---------------------------------------------------------------------------------------------

    @property
    def parameter_widgets(self) -> dict[str, w.Widget]:
        """The editor of each parameter of the chosen connector, by name (the children of :attr:`parameter_box`)."""
        return self._form.widgets

    def read_connector(self) -> bp.connect.Connector:
        """Return the connector the form describes (its constructor checks the values).

        An empty seed ("random") becomes a seed drawn by the panel and kept until the
        next Apply, so that the applied connection has exactly the previewed synapses.
        """
        return self._form.read()

    def _connector_changed(self, _change: Any) -> None:
        with self._lock:
            self._loading = True
            try:
                self._form.rebuild()
            finally:
                self._loading = False
            self.update_preview()

    def _target_changed(self, _change: Any) -> None:
        if not self._loading:
            with self._lock:
                self._load_target()

    def _form_changed(self, _change: Any) -> None:
        if not self._loading:
            self.update_preview()

    # -- preview ---------------------------------------------------------------------------------------------------

    def update_preview(self) -> ConnectivityPreview | None:
        """Recompute and draw the preview; on any error show it and keep the previous preview (returns None)."""
        with self._lock:
            try:
                old, model = self._target()
                connector = self.read_connector()
                pre, post = self._side(self.pre_menu, "pre"), self._side(self.post_menu, "post")
                preview = preview_connector(connector, pre.geometry, post.geometry, state_fields=len(model.ST.keys()))
            except (BrainlabError, FormError) as err:
                self.show_message(str(err), "error")
                return None
            except Exception as err:  # a connector failing unexpectedly must not break the panel
                self.show_message(f"{type(err).__name__}: {err}", "error")
                return None
            self.preview = preview
            self.heatmap = self._plots.draw(preview)
            self.summary.value = summary_html(preview, pre, post)
            missing = [
                f"{group.name} lacks {sorted(model.neuron_fields(side) - set(group.model.ST.keys()))}"
                for side, group in (("pre", pre), ("post", post))
                if not model.neuron_fields(side) <= set(group.model.ST.keys())
            ]
            what = f"rewire {old.name}" if old is not None else f"add a new {model.name} connection"
            if missing:
                self.show_message(f"{connector!r}: model {model.name} cannot connect: {'; '.join(missing)}.", "warning")
            else:
                self.show_message(f"{connector!r}: {preview.n_synapses} synapses; press Apply to {what}.", "info")
            return preview

    # -- apply -----------------------------------------------------------------------------------------------------

    def _unique_name(self, model: bp.SynType) -> str:
        taken = {o.name for o in self.network.objects}
        base = re.sub(r"\W", "_", model.name) or "syn"
        base = base if base.isidentifier() else f"syn_{base}"
        k = 0
        while f"{base}{k}" in taken or hasattr(self.network, f"{base}{k}"):
            k += 1
        return f"{base}{k}"

    def _build(
        self, old: bp.SynConn | None, model: bp.SynType, pre: Any, post: Any, connector: Any, delay: float
    ) -> tuple[bp.SynConn, dict[str, str], list[str], dict[str, str]]:
        """Build the new connection; return it, why old parameters were not kept, and the state carried and not."""
        if old is None:
            return bp.SynConn(model, pre, post, conn=connector, delay=delay, name=self._unique_name(model)), {}, [], {}
        new = bp.SynConn(
            old.model, pre_group=pre, post_group=post, conn=connector, delay=delay, name=old.name,
            monitors=list(old.mon.fields),
        )  # fmt: skip
        # The very same synapses: the same groups (by name: names are unique in a network) and the same pairs.
        same_synapses = (
            old.pre_ids is not None
            and getattr(old.pre_group, "name", None) == pre.name
            and getattr(old.post_group, "name", None) == post.name
            and np.array_equal(old.pre_ids, new.pre_ids)
            and np.array_equal(old.post_ids, new.post_ids)
        )
        skipped: dict[str, str] = {}
        for key, value in old.pars.updates.items():
            # One value per old synapse belongs to synapses that no longer exist, even if the count matches.
            if old.pars.is_heterogeneous(key) and not same_synapses:
                skipped[key] = "one value per old synapse"
                continue
            try:
                new.pars[key] = value
            except BrainlabError as err:
                skipped[key] = str(err)
        carried, left = self._carry_state(old, new, same_synapses)
        return new, skipped, carried, left

    def _carry_state(self, old: bp.SynConn, new: bp.SynConn, same_synapses: bool) -> tuple[list[str], dict[str, str]]:
        """Copy into ``new.ST`` the old state values that still mean something; return what was and was not carried.

        A field with one value for every old synapse (``ST['w']`` set by hand to 4.0) goes
        to every new synapse (``'w = 4'`` in ``carried``); one whose values differ goes only
        onto the very same synapses (``'s (per synapse)'``), else it starts from its initial
        value (``left[name]`` says why). The field a weighted connector fills keeps its
        weights. Fields still at their initial value everywhere are not mentioned.
        """
        defaults = new.ST.schema.defaults
        weighted = next((f for f in _WEIGHT_FIELDS if f in new.ST), None) if new.weights is not None else None
        carried: list[str] = []
        left: dict[str, str] = {}
        for key in old.ST.keys():
            if key not in new.ST:
                continue
            values = self._start_state(old, key)
            if values.size == 0 or bool((values == defaults[key]).all()):
                continue  # nothing was changed: the new state starts from the same initial value
            uniform = bool((values == values.flat[0]).all())
            if key == weighted:
                left[key] = "the connector's weights replace it"
            elif uniform:
                new.ST[key] = values.flat[0]
                carried.append(f"{key} = {float(values.flat[0]):g}")
            elif same_synapses:
                new.ST[key] = values
                carried.append(f"{key} (per synapse)")
            else:
                left[key] = "its values differ across the old synapses and mean nothing for others"
        return carried, left

    def _start_state(self, old: bp.SynConn, key: str) -> np.ndarray:
        """Return the state each run of ``old`` starts from (a copy).

        A :class:`~brainlab_widgets.session.Session` restores the state as built
        before every run, so that is what a rewire carries, not the end of the
        last run (where ``s`` and ``I`` differ across synapses).
        """
        built = getattr(self._session, "built_state", None)
        if built is not None:
            return built(old, key)
        return np.array(old.ST[key])  # a copy: a run may still be writing the old state

    def apply(self) -> bp.SynConn | None:
        """Build the connection of the form and hand it to ``session.apply_connection(old, new)``.

        Returns
        -------
        bp.SynConn or None
            The new connection, or None when the form, the engine or the session
            refused it (then the panel and the network are unchanged and the error is shown).
        """
        with self._lock:
            try:
                old, model = self._target()
                connector = self.read_connector()
                pre, post = self._side(self.pre_menu, "pre"), self._side(self.post_menu, "post")
                delay = read_delay(self.delay_box)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    new, skipped, carried, left = self._build(old, model, pre, post, connector, delay)
                self._session.apply_connection(old, new)
            except (BrainlabError, FormError) as err:
                self.show_message(str(err), "error")
                return None
            except Exception as err:  # never let an unexpected failure reach the comm
                self.show_message(f"{type(err).__name__}: {err}", "error")
                return None
            self._form.reseed()  # 'random' is drawn once per Apply: the connection got the synapses previewed
            self.refresh(select=f"rewire:{new.name}")
            verb = f"Rewired {new.name}" if old is not None else f"Added {new.name} ({new.model.name})"
            notes = [f"{verb}: {connector!r} from {pre.name} to {post.name}, {new.num} synapses, delay {new.delay} ms."]
            if old is not None:
                notes[0] = notes[0][:-1] + f" (was {old.num})."
                kept = [k for k in old.pars.updates if k not in skipped]
                if kept:
                    notes.append(f"Parameters kept: {', '.join(kept)}.")
                if carried:
                    notes.append(f"State carried: {', '.join(carried)}.")
            if skipped:
                notes.append(f"Not kept: {'; '.join(f'{k} ({why})' for k, why in skipped.items())}.")
            if left:
                notes.append(f"State not carried: {'; '.join(f'{k} ({why})' for k, why in left.items())}.")
            notes += [str(c.message) for c in caught]
            self.show_message("\n".join(notes), "warning" if skipped or left or caught else "ok")
            return new
