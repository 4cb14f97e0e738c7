"""The type builder: a form that turns equation text into a NeuType or SynType, with checks as you type and a preview.

Every widget value is treated as untrusted (a Voila client can write any synced
value): it is type-checked here and handed to ``from_equations``, which checks the
text, names and numbers; nothing typed is ever evaluated.
"""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets

import brainlab as bp
from brainlab.equations.validate import check_number
from brainlab.errors import EquationError
from brainlab_widgets._builder_preview import Debouncer, Preview, simulate_neuron, simulate_synapse
from brainlab_widgets._messages import message_html

__all__ = ["NEURON_PRESETS", "SYNAPSE_PRESETS", "Preset", "TypeBuilder"]

KINDS = ("neuron", "synapse")
MODES = ("scalar", "vector")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A ready model for the form: text, ``(name, value, unit)`` parameters, initial values and run settings."""

    name: str
    text: str
    parameters: tuple[tuple[str, float, str], ...]
    initial: tuple[tuple[str, float, str], ...] = ()
    method: str = "euler"
    dt: float = 0.1
    current: float = 0.0


_HH = """\
# Hodgkin & Huxley (1952)
alpha_m = 0.1*(V + 40)/(1 - exp(-(V + 40)/10))
beta_m = 4.0*exp(-(V + 65)/18)
alpha_h = 0.07*exp(-(V + 65)/20)
beta_h = 1/(1 + exp(-(V + 35)/10))
alpha_n = 0.01*(V + 55)/(1 - exp(-(V + 55)/10))
beta_n = 0.125*exp(-(V + 65)/80)
dm/dt = alpha_m*(1 - m) - beta_m*m
dh/dt = alpha_h*(1 - h) - beta_h*h
dn/dt = alpha_n*(1 - n) - beta_n*n
dV/dt = (-g_Na*m**3*h*(V - E_Na) - g_K*n**4*(V - E_K) - g_L*(V - E_L) + I) / C
threshold: V >= V_th"""

#: Neuron presets by menu label.
NEURON_PRESETS: dict[str, Preset] = {
    "LIF": Preset(
        "LIF",
        "dV/dt = (-(V - V_rest) + R*I) / tau\nthreshold: V >= V_th\nreset: V = V_reset\nrefractory: t_ref",
        (("V_rest", 0.0, "mV"), ("V_reset", -5.0, "mV"), ("V_th", 20.0, "mV"), ("R", 1.0, "MΩ"),
         ("tau", 10.0, "ms"), ("t_ref", 5.0, "ms")),
        (("V", 0.0, "mV"),), "exponential", 0.1, 25.0,
    ),
    "Izhikevich (RS)": Preset(
        "Izhikevich",
        "dV/dt = 0.04*V*V + 5.0*V + 140.0 - u + I\ndu/dt = a*(b*V - u)\nthreshold: V >= V_th\nreset: V = c\n"
        "reset: u = u + d",
        (("a", 0.02, "1/ms"), ("b", 0.2, ""), ("c", -65.0, "mV"), ("d", 8.0, "mV/ms"), ("V_th", 30.0, "mV")),
        (("V", -65.0, "mV"), ("u", -13.0, "mV/ms")), "euler", 0.05, 10.0,
    ),
    "FitzHugh–Nagumo": Preset(
        "FitzHughNagumo",
        "dV/dt = V - V*V*V/3 - w + I\ndw/dt = (V + a - b*w) / tau\nthreshold: V >= V_th",
        (("a", 0.7, ""), ("b", 0.8, ""), ("tau", 12.5, "ms"), ("V_th", 1.9, "")),
        (("V", -1.2, ""), ("w", -0.6, "")), "rk4", 0.02, 0.8,
    ),
    "AdEx": Preset(
        "AdEx",
        "dV/dt = (-g_L*(V - V_rest) + g_L*delta_T*exp((V - V_T)/delta_T) - w + I) / C\n"
        "dw/dt = (a*(V - V_rest) - w) / tau_w\nthreshold: V >= V_th\nreset: V = V_reset\nreset: w += b",
        (("V_rest", -70.6, "mV"), ("V_reset", -70.6, "mV"), ("V_th", 20.0, "mV"), ("V_T", -50.4, "mV"),
         ("delta_T", 2.0, "mV"), ("a", 4.0, "nS"), ("b", 80.5, "pA"), ("C", 281.0, "pF"), ("g_L", 30.0, "nS"),
         ("tau_w", 144.0, "ms")),
        (("V", -70.6, "mV"),), "euler", 0.01, 800.0,
    ),
    "Hodgkin–Huxley": Preset(
        "HH",
        _HH,
        (("C", 1.0, "µF/cm²"), ("g_Na", 120.0, "mS/cm²"), ("E_Na", 50.0, "mV"), ("g_K", 36.0, "mS/cm²"),
         ("E_K", -77.0, "mV"), ("g_L", 0.3, "mS/cm²"), ("E_L", -54.387, "mV"), ("V_th", 20.0, "mV")),
        (("V", -65.0, "mV"), ("m", 0.0529, ""), ("h", 0.5961, ""), ("n", 0.3177, "")), "rk4", 0.01, 10.0,
    ),
}  # fmt: skip

#: Synapse presets by menu label.
SYNAPSE_PRESETS: dict[str, Preset] = {
    "Exponential": Preset(
        "ExpSyn",
        "ds/dt = -s / tau\non_pre: s += 1\noutput: g_max * s * (E - V_post)",
        (("tau", 5.0, "ms"), ("g_max", 1.0, ""), ("E", 0.0, "mV")),
        method="exponential", dt=0.05,
    ),
    "AMPA": Preset(
        "AMPA",
        "ds/dt = alpha*T*(1 - s) - beta*s\npulse: T = T_max for T_duration\noutput: g_max*s*(E - V_post)",
        (("alpha", 1.1, "1/(mM·ms)"), ("beta", 0.19, "1/ms"), ("T_max", 1.0, "mM"), ("T_duration", 1.0, "ms"),
         ("g_max", 0.1, ""), ("E", 0.0, "mV")),
        method="exponential", dt=0.05,
    ),
}  # fmt: skip

_PRESETS = {"neuron": NEURON_PRESETS, "synapse": SYNAPSE_PRESETS}


class _FormError(Exception):
    """A widget holds a value of the wrong kind (the engine is not asked)."""


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ode_methods() -> list[str]:
    return [name for name in bp.integrators.method_names() if bp.integrators.get_method(name).ode]


class _Row:
    """One ``name  value  unit`` row of a value table."""

    def __init__(self, name: str, value: float, unit: str, on_change: Callable[[], None], on_remove: Callable):
        self.name = w.Text(value=name, placeholder="name", layout=w.Layout(width="9em"))
        self.value = w.FloatText(value=value, layout=w.Layout(width="9em"))
        self.unit = w.Text(value=unit, placeholder="unit (note)", layout=w.Layout(width="9em"))
        self.remove = w.Button(icon="minus", tooltip="remove this row", layout=w.Layout(width="2.5em"))
        self.remove.on_click(lambda _: on_remove(self))
        for widget in (self.name, self.value):
            widget.observe(lambda _: on_change(), names="value")
        self.widget = w.HBox([self.name, self.value, self.unit, self.remove])


class _ValueTable:
    """Rows of ``name  value  unit`` with add/remove buttons; :meth:`read` returns the checked ``name -> value``."""

    def __init__(self, title: str, what: str, on_change: Callable[[], None]):
        self.what = what
        self.rows: list[_Row] = []
        self._on_change = on_change
        self._box = w.VBox()
        self.add_button = w.Button(description="add row", icon="plus", layout=w.Layout(width="9em"))
        self.add_button.on_click(lambda _: self.add_row())
        self.widget = w.VBox([w.HTML(f"<b>{html.escape(title)}</b>"), self._box, self.add_button])

    def set_rows(self, items: tuple[tuple[str, float, str], ...]) -> None:
        """Replace all rows by ``(name, value, unit)`` items."""
        self.rows = [_Row(n, v, u, self._on_change, self.remove_row) for n, v, u in items]
        self._box.children = [row.widget for row in self.rows]
        self._on_change()

    def add_row(self, name: str = "", value: float = 0.0, unit: str = "") -> None:
        """Append a row."""
        self.rows.append(_Row(name, value, unit, self._on_change, self.remove_row))
        self._box.children = [row.widget for row in self.rows]
        self._on_change()

    def remove_row(self, row: _Row) -> None:
        """Remove ``row`` (no-op when it is not in the table)."""
        if row in self.rows:
            self.rows.remove(row)
            self._box.children = [r.widget for r in self.rows]
            self._on_change()

    def read(self) -> dict[str, Any]:
        """Return ``name -> value`` of the rows with a name; names and values are checked by the engine."""
        values: dict[str, Any] = {}
        for row in self.rows:
            name = row.name.value
            if not isinstance(name, str):
                raise _FormError(f"a {self.what} name must be text, got {type(name).__name__}")
            name = name.strip()
            if not name:
                continue
            if name in values:
                raise _FormError(f"{self.what} {_shown(name)} is given twice")
            values[name] = row.value.value
        return values


class TypeBuilder(traitlets.HasTraits):
    """A form that builds a neuron or synapse type from the equation language.

    The builder is a controller, not a widget: :attr:`widget` is its
    ``ipywidgets.VBox`` (displaying the builder displays it). Other panels follow
    the result with ``builder.observe(handler, names="model")``; the trait
    changes once per successful build. A failed build keeps the last good model
    and every value of the form, and shows the error in :attr:`message`.

    Parameters
    ----------
    kind : {'neuron', 'synapse'}
        Kind shown first.
    preset : str, optional
        Menu label of the first preset (default: the first of ``kind``).
    debounce : float
        Seconds the form must stay unchanged before it is checked.
    clock, schedule : callable, optional
        Passed to :class:`~brainlab_widgets._builder_preview.Debouncer` (tests
        pass a ``schedule`` that never fires and call ``builder.debouncer.flush()``).

    Attributes
    ----------
    kind_buttons, preset_menu, name_box, text_area, method_menu, mode_menu, current_box, dt_box : ipywidgets.Widget
        The inputs of the form (``mode_menu`` and ``current_box`` apply to neurons only).
    parameter_table, initial_table : _ValueTable
        Rows of name, value and unit note (``.rows``, ``.add_row()``, ``.remove_row()``).
    build_button : ipywidgets.Button
    message : ipywidgets.HTML
        Errors and status, HTML-escaped; :attr:`last_message` holds the plain text.
    preview : Preview
        The bqplot figure of the last build (``preview.line`` is the trace).
    code_area : ipywidgets.Textarea
        The generated source (read-only), inside the collapsed ``code_section``.
    debouncer : Debouncer
        Runs :meth:`validate` once typing settles.
    """

    model = traitlets.Any(None, allow_none=True, help="The last type built successfully (NeuType or SynType).")

    def __init__(
        self,
        kind: str = "neuron",
        preset: str | None = None,
        debounce: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
        schedule: Callable[[float, Callable[[], None]], Any] | None = None,
    ):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be 'neuron' or 'synapse', got {kind!r}")
        self._lock = threading.RLock()
        self._loading = False
        self.last_message = ""
        self.debouncer = Debouncer(self.validate, debounce, clock, schedule)
        changed = self._form_changed
        self.kind_buttons = w.ToggleButtons(options=list(KINDS), value=kind, description="kind")
        self.preset_menu = w.Dropdown(options=list(_PRESETS[kind]), description="preset")
        self.name_box = w.Text(description="name")
        self.text_area = w.Textarea(
            description="equations", rows=12, continuous_update=True, layout=w.Layout(width="100%")
        )
        self.parameter_table = _ValueTable("Parameters", "parameter", changed)
        self.initial_table = _ValueTable("Initial values", "initial value of", changed)
        self.method_menu = w.Dropdown(options=_ode_methods(), value="euler", description="integrator")
        self.mode_menu = w.Dropdown(options=list(MODES), value="scalar", description="mode")
        self.current_box = w.FloatText(value=0.0, description="step current")
        self.dt_box = w.FloatText(value=0.1, description="dt (ms)")
        self.build_button = w.Button(description="Build", button_style="primary", icon="cogs")
        self.message = w.HTML()
        self.preview = Preview()
        self.code_area = w.Textarea(disabled=True, rows=18, layout=w.Layout(width="100%"))
        self.code_section = w.Accordion(children=[self.code_area], titles=("Generated code",), selected_index=None)
        for widget in (self.text_area, self.name_box, self.method_menu, self.mode_menu):
            widget.observe(lambda _: changed(), names="value")
        self.kind_buttons.observe(self._kind_changed, names="value")
        self.preset_menu.observe(self._preset_changed, names="value")
        self.build_button.on_click(self._clicked)
        self.widget = w.VBox(
            [
                w.HBox([self.kind_buttons, self.preset_menu]),
                w.HBox([self.name_box, self.method_menu, self.mode_menu]),
                self.text_area,
                w.HBox([self.parameter_table.widget, self.initial_table.widget]),
                w.HBox([self.current_box, self.dt_box, self.build_button]),
                self.message,
                self.preview.figure,
                self.code_section,
            ]
        )
        self._show_kind(kind)
        self.load_preset(preset if preset is not None else next(iter(_PRESETS[kind])))

    # -- display -----------------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show_message(self, text: str, level: str = "info") -> None:
        """Show ``text`` (HTML-escaped, clipped) in the message area; ``level`` picks the colour."""
        self.last_message, self.message.value = message_html(text, level)

    # -- form --------------------------------------------------------------------------------------------------

    def load_preset(self, label: str) -> None:
        """Fill the form with the preset called ``label`` of the current kind."""
        with self._lock:
            kind = self.kind_buttons.value
            presets = _PRESETS.get(kind, {}) if isinstance(kind, str) else {}
            preset = presets.get(label) if isinstance(label, str) else None
            if preset is None:
                self.show_message(f"unknown preset {_shown(label)}; choose one of {list(presets)}", "error")
                return
            self._loading = True
            try:
                if self.preset_menu.value != label:
                    self.preset_menu.value = label
                self.name_box.value = preset.name
                self.text_area.value = preset.text
                self.parameter_table.set_rows(preset.parameters)
                self.initial_table.set_rows(preset.initial)
                self.method_menu.value = preset.method
                self.mode_menu.value = "scalar"
                self.current_box.value = preset.current
                self.dt_box.value = preset.dt
            finally:
                self._loading = False
            self.debouncer.cancel()
            self.show_message(f"Preset {label} loaded; press Build to simulate it.")

    def _show_kind(self, kind: str) -> None:
        display = None if kind == "neuron" else "none"
        self.mode_menu.layout.display = display
        self.current_box.layout.display = display

    def _kind_changed(self, change: dict) -> None:
        try:
            self._switch_kind(change["new"])
        except Exception as err:  # an observer must never raise into the comm
            self.show_message(f"{type(err).__name__}: {err}", "error")

    def _switch_kind(self, kind: Any) -> None:
        if not isinstance(kind, str) or kind not in KINDS:
            self.show_message(f"unknown model kind {_shown(kind)}; use 'neuron' or 'synapse'", "error")
            return
        self._show_kind(kind)
        self._loading = True
        try:
            self.preset_menu.options = list(_PRESETS[kind])
        finally:
            self._loading = False
        self.load_preset(next(iter(_PRESETS[kind])))

    def _preset_changed(self, change: dict) -> None:
        if self._loading:
            return
        try:
            self.load_preset(change["new"])
        except Exception as err:  # an observer must never raise into the comm
            self.show_message(f"{type(err).__name__}: {err}", "error")

    def _form_changed(self) -> None:
        if not self._loading:
            self.debouncer.trigger()

    def _read_form(self) -> tuple[Callable[..., Any], str, dict[str, Any]]:
        kind = self.kind_buttons.value
        if not isinstance(kind, str) or kind not in KINDS:
            raise _FormError(f"unknown model kind {_shown(kind)}; use 'neuron' or 'synapse'")
        text = self.text_area.value
        if not isinstance(text, str):
            raise _FormError(f"the equations must be text, got {type(text).__name__}")
        name = self.name_box.value
        if not isinstance(name, str):
            raise _FormError(f"the model name must be text, got {type(name).__name__}")
        methods = _ode_methods()
        method = self.method_menu.value
        if not isinstance(method, str) or method not in methods:
            raise _FormError(f"unknown integration method {_shown(method)}; use one of {methods}")
        options: dict[str, Any] = {
            "parameters": self.parameter_table.read(),
            "initial": self.initial_table.read(),
            "name": name,
            "method": method,
        }
        if kind == "synapse":
            return bp.SynType.from_equations, text, options
        mode = self.mode_menu.value
        if not isinstance(mode, str) or mode not in MODES:
            raise _FormError(f"unknown mode {_shown(mode)}; use 'scalar' or 'vector'")
        options["mode"] = mode
        return bp.NeuType.from_equations, text, options

    def _read_run_settings(self) -> tuple[float, float]:
        current = check_number(self.current_box.value, field="the step current", minimum=-1e6, maximum=1e6)
        dt = check_number(self.dt_box.value, field="the time step (ms)", minimum=1e-4, maximum=1.0)
        return current, dt

    def _try_build(self, dry_run: bool = False) -> Any:
        """Return a new type from the form (its generated source when ``dry_run``), or show why not and return None."""
        try:
            factory, text, options = self._read_form()
            return factory(text, **options, dry_run=dry_run)
        except (EquationError, _FormError) as err:
            self.show_message(str(err), "error")
        except Exception as err:  # never let an unexpected failure reach the comm
            self.show_message(f"{type(err).__name__}: {err}", "error")
        return None

    # -- actions -----------------------------------------------------------------------------------------------

    def validate(self) -> bool:
        """Check the form by a dry run (code generated, nothing written or imported); show the result."""
        with self._lock:
            if self._try_build(dry_run=True) is None:
                return False
            self.show_message("The equations are valid; press Build to simulate them.", "ok")
            return True

    def build(self) -> Any:
        """Build the type, preview it and publish it as :attr:`model`.

        Returns
        -------
        NeuType, SynType or None
            The new type, or None when the form was rejected (then :attr:`model`
            and the form are unchanged and the error is shown). A type that builds
            but whose preview fails (e.g. it diverges) is still published, with a warning.
        """
        with self._lock:
            self.debouncer.cancel()
            try:
                current, dt = self._read_run_settings()
            except EquationError as err:
                self.show_message(str(err), "error")
                return None
            model = self._try_build()
            if model is None:
                return None
            kind = "neuron" if isinstance(model, bp.NeuType) else "synapse"
            problem = None
            try:
                if kind == "neuron":
                    ts, values, label = simulate_neuron(model, current, dt)
                else:
                    ts, values, label = simulate_synapse(model, dt)
                    label = f"post {label}"
                self.preview.show(ts, values, label)
            except Exception as err:  # a preview failure does not unmake a good type
                self.preview.clear()
                problem = f"{type(err).__name__}: {err}"
            self.code_area.value = str(getattr(model, "generated_source", ""))
            self.model = model
            if problem is None:
                self.show_message(f"Built {kind} type {model.name}.", "ok")
            else:
                self.show_message(f"Built {kind} type {model.name}, but the preview failed: {problem}", "warning")
            return model

    def _clicked(self, _button: Any) -> None:
        try:
            self.build()
        except Exception as err:  # build() catches everything it expects; this is the last guard
            self.show_message(f"{type(err).__name__}: {err}", "error")
