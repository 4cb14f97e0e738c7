"""brainlab_widgets: the Jupyter UI layer of brainlab (ipywidgets + bqplot).

Installed from the ``widgets/`` folder under the import name ``brainlab_widgets``
(see DESIGN.md). It uses only the public API of :mod:`brainlab`; the engine never
imports it.

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

from brainlab_widgets.type_builder import TypeBuilder

__all__ = ["TypeBuilder"]
