"""brainlab_widgets: the Jupyter UI layer of brainlab (ipywidgets + bqplot).

Installed from the ``widgets/`` folder under the import name ``brainlab_widgets``
(see DESIGN.md). It uses only the public API of :mod:`brainlab`; the engine never
imports it. The panels (sessions, parameter sliders, rasters, phase planes) arrive
with later issues; this package is deliberately empty for now.
"""

__all__: list[str] = []
