"""brainlab_widgets: the Jupyter UI layer of brainlab (ipywidgets + bqplot).

Installed from the ``widgets/`` folder under the import name ``brainlab_widgets``
(see DESIGN.md). It uses only the public API of :mod:`brainlab`; the engine never
imports it.

- :class:`Lab` — the live laboratory in one line: ``Lab.from_network(net, duration)``
  or ``Lab.from_network('gamma')``.
- :class:`Session` — runs a network in repeat mode in a worker thread; latest value
  wins, debounced reruns, Run / Stop / Reset, timings and errors in the panel.
- :class:`ParamPanel` — sliders for parameters, initial values and inputs.
- :class:`RasterView`, :class:`TraceView` — streaming spike raster with the
  population rate, and state traces.
- :class:`ConnectorPanel` — pick a connector, preview the synapses, Apply.
- :class:`PhasePlanePanel` — nullclines, vector field, fixed points, click-to-trajectory,
  live parameter sliders.
- :class:`BifurcationPanel` — codim-1/codim-2 diagrams; a click sets the parameter
  in linked phase planes and sessions.
- :class:`TypeBuilder` — a form that builds a neuron or synapse type from the
  equation language, checks it as you type and previews it.
"""

try:
    import bqplot  # noqa: F401
    import ipywidgets  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"brainlab_widgets needs ipywidgets and bqplot ({err}); install them with: pip install 'brainlab[widgets]'"
    ) from err

from brainlab_widgets.bifurcation_panel import BifurcationPanel
from brainlab_widgets.connector_panel import ConnectorPanel
from brainlab_widgets.frames import Frame
from brainlab_widgets.lab import LIBRARY, Lab
from brainlab_widgets.param_panel import ParamPanel
from brainlab_widgets.phase_plane_panel import PhasePlanePanel
from brainlab_widgets.raster_view import RasterView
from brainlab_widgets.session import Session
from brainlab_widgets.trace_view import TraceView
from brainlab_widgets.type_builder import TypeBuilder

__all__ = [
    "LIBRARY",
    "BifurcationPanel",
    "ConnectorPanel",
    "Frame",
    "Lab",
    "ParamPanel",
    "PhasePlanePanel",
    "RasterView",
    "Session",
    "TraceView",
    "TypeBuilder",
]
