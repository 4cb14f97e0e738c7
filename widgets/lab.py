"""``Lab``: the live laboratory in one line — model, parameters, raster and traces, connectivity.

``Lab.from_network(net, duration)`` (or a model-library name such as
``Lab.from_network('gamma')``) composes a :class:`~brainlab_widgets.session.Session`
with its views and panels in an ``ipywidgets.AppLayout``:

==============  =====================================================
header          title, Run / Stop / Reset, progress and status line
left sidebar    the model: groups, connections, types, equations
centre          the spike raster with its population rate, and traces
right sidebar   parameter, initial-value and input sliders
footer          the connector panel (pick, preview, Apply)
==============  =====================================================
"""

from __future__ import annotations

import dataclasses
import html
import types
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets.connector_panel import ConnectorPanel
from brainlab_widgets.param_panel import ParamPanel
from brainlab_widgets.raster_view import RasterView
from brainlab_widgets.session import Session
from brainlab_widgets.trace_view import TraceView

__all__ = ["LIBRARY", "Lab", "LibraryNetwork"]


@dataclasses.dataclass(frozen=True)
class LibraryNetwork:
    """A network of :mod:`brainlab.models` with the settings a lab runs it with.

    Attributes
    ----------
    build : callable
        Returns ``(net, groups)``; ``groups['inputs']``, when present, are the run inputs.
    duration, dt : float
        Length of each run and time step (ms).
    title : str
        Shown in the lab's header.
    ranges : mapping
        Slider ranges that beat the defaults (see :class:`ParamPanel`).
    """

    build: Callable[[], tuple[bp.Network, dict[str, Any]]]
    duration: float
    dt: float
    title: str
    ranges: Mapping[str, tuple[float, float, float]] = dataclasses.field(default_factory=dict)


def _ei_1000() -> tuple[bp.Network, dict[str, Any]]:
    return bp.models.get_EI_balance_network(num_exc=800, num_inh=200, K=100.0)


#: Names accepted by :meth:`Lab.from_network`.
LIBRARY: Mapping[str, LibraryNetwork] = types.MappingProxyType(
    {
        "gamma": LibraryNetwork(
            lambda: bp.models.get_gamma_network(monitors=("spike", "V")),
            duration=500.0,
            dt=0.04,
            title="Interneuron gamma rhythm (Wang & Buzsáki 1996)",
            ranges={"synapses.g_max": (0.0, 0.005, 0.0001), "input0": (0.0, 3.0, 0.05)},
        ),
        "EI_balance": LibraryNetwork(_ei_1000, duration=500.0, dt=0.1, title="Balanced E/I network, 1 000 LIF neurons"),
        "COBA": LibraryNetwork(
            lambda: bp.models.get_COBA_network(num=1000, monitors=("spike", "V")),
            duration=500.0,
            dt=0.1,
            title="COBA benchmark network (Brette et al. 2007), 1 000 neurons",
        ),
        "CUBA": LibraryNetwork(
            lambda: bp.models.get_CUBA_network(num=1000, monitors=("spike", "V")),
            duration=500.0,
            dt=0.1,
            title="CUBA benchmark network (Brette et al. 2007), 1 000 neurons",
        ),
    }
)


class Lab:
    """A composed live lab over one network.

    Parameters
    ----------
    network : brainlab.Network
        The network (switched to repeat mode).
    duration : float
        Length of each run (ms).
    inputs : tuple or list, optional
        Run inputs, as for :meth:`brainlab.Network.run`.
    title : str, optional
        Header text.
    ranges : mapping, optional
        Slider ranges (see :class:`~brainlab_widgets.param_panel.ParamPanel`).
    raster : NeuGroup, optional
        Group drawn in the raster (default: the first group that monitors ``spike``).
    trace : (NeuGroup, str, sequence of int), optional
        Group, field and elements of the traces (default: the first monitored
        field other than ``spike`` of the raster's group, elements 0–2).
    dt : float, optional
        Time step of the runs (default: the profile's now).
    autorun : bool
        Start the first run (which compiles) at once.
    session_options
        Passed to :class:`~brainlab_widgets.session.Session` (``debounce``, ``frame_interval``).

    Attributes
    ----------
    session : Session
    params : ParamPanel
    raster : RasterView or None
    traces : TraceView or None
    connectivity : ConnectorPanel
    model_view : ipywidgets.HTML
    widget : ipywidgets.AppLayout
    """

    def __init__(
        self,
        network: bp.Network,
        duration: float,
        inputs: Any = (),
        *,
        title: str | None = None,
        ranges: Mapping[str, tuple[float, float, float]] | None = None,
        raster: Any = None,
        trace: tuple[Any, str, Any] | None = None,
        dt: float | None = None,
        autorun: bool = True,
        **session_options: Any,
    ):
        self.session = Session(network, duration, inputs, dt=dt, **session_options)
        self.network = network
        spiking = [o for o in network.objects if hasattr(o, "geometry") and "spike" in o.mon.fields]
        raster_group = raster if raster is not None else (spiking[0] if spiking else None)
        self.raster = RasterView(raster_group) if raster_group is not None else None
        self.traces = self._make_traces(trace, raster_group)
        for view in (self.raster, self.traces):
            if view is not None:
                self.session.add_view(view)
        self.params = ParamPanel(self.session, ranges=ranges)
        self.connectivity = ConnectorPanel(self.session)
        self.model_view = w.HTML(layout=w.Layout(overflow="auto"))
        self.session.observe(lambda _c: self._describe_model(), names="structure_version")
        self._describe_model()
        header = w.HTML(f"<h3 style='margin:4px 0'>{html.escape(title or 'brainlab lab')}</h3>")
        views = [v.widget for v in (self.raster, self.traces) if v is not None]
        if not views:
            views = [w.HTML("<i>Nothing to draw: monitor 'spike' or another field of a group.</i>")]
        footer = w.Accordion(children=[self.connectivity.widget], titles=("Connectivity",), selected_index=None)
        self.widget = w.AppLayout(
            header=w.VBox([header, self.session.widget]),
            left_sidebar=w.VBox([w.HTML("<b>Model</b>"), self.model_view]),
            center=w.VBox(views, layout=w.Layout(width="100%")),
            right_sidebar=w.VBox([w.HTML("<b>Parameters</b>"), self.params.widget]),
            footer=footer,
            pane_widths=["20%", "52%", "28%"],
            grid_gap="8px",
        )
        # Rows as tall as their content: fr rows would make the header as tall as the raster in a browser.
        self.widget.layout.grid_template_rows = "auto auto auto"
        if autorun:
            self.session.run()

    @classmethod
    def from_network(
        cls, network: bp.Network | str, duration: float | None = None, inputs: Any = None, **options: Any
    ) -> Lab:
        """Make a lab from a network, or from the name of a library network (see :data:`LIBRARY`).

        Parameters
        ----------
        network : brainlab.Network or str
            The network, or ``'gamma'``, ``'EI_balance'``, ``'COBA'``, ``'CUBA'``.
        duration : float, optional
            Length of each run (ms); required for a network, the library's for a name.
        inputs : optional
            Run inputs (a library network brings its own).
        **options
            Passed to :class:`Lab`.

        Raises
        ------
        ModelUseError
            For an unknown name or a network without a duration.
        """
        if isinstance(network, str):
            entry = LIBRARY.get(network)
            if entry is None:
                raise ModelUseError(f"Lab: no library network named {network!r}; the names are {sorted(LIBRARY)}.")
            with bp.profile.temporary(dt=entry.dt):  # the library's models are built for their dt
                net, groups = entry.build()
            options.setdefault("title", entry.title)
            options.setdefault("ranges", dict(entry.ranges))
            options.setdefault("dt", entry.dt)
            lab = cls(
                net,
                entry.duration if duration is None else duration,
                groups.get("inputs", ()) if inputs is None else inputs,
                **options,
            )
            lab.groups = groups
            return lab
        if duration is None:
            raise ModelUseError("Lab.from_network(net, duration): give the length of each run in ms.")
        return cls(network, duration, () if inputs is None else inputs, **options)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _make_traces(self, trace: tuple[Any, str, Any] | None, group: Any) -> TraceView | None:
        if trace is not None:
            target, field, elements = trace
            return TraceView(target, field, tuple(elements))
        if group is None:
            return None
        fields = [f for f in group.mon.fields if f != "spike"]
        if not fields:
            return None
        return TraceView(group, fields[0], tuple(range(min(3, group.num))))

    def _describe_model(self) -> None:
        """Fill the model pane: each group and connection with its type, size and equations."""
        parts = []
        for obj in self.network.objects:
            model = obj.model
            kind = "connection" if hasattr(obj, "pre_group") else "group"
            size = f"{obj.num} {'synapses' if kind == 'connection' else 'neurons'}"
            line = f"<b>{html.escape(obj.name)}</b>: {html.escape(model.name)} ({size}, {model.mode} mode)"
            if kind == "connection":
                line += f"<br><small>{html.escape(obj.pre_group.name)} → {html.escape(obj.post_group.name)}"
                line += f", delay {obj.delay:g} ms</small>"
            equations = getattr(model, "equations", None)
            if equations:
                line += f"<pre style='font-size:11px'>{html.escape(equations)}</pre>"
            else:
                fields = ", ".join(model.ST.keys())
                line += f"<br><small>state: {html.escape(fields)}</small>"
            parts.append(f"<p>{line}</p>")
        self.model_view.value = "".join(parts)
