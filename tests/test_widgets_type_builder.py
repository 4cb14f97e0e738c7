"""The type builder widget: presets build and preview, errors show as you type, hostile widget values run nothing."""

import ipywidgets
import numpy as np
import pytest
import traitlets

import brainlab as bp
from brainlab_widgets import TypeBuilder
from brainlab_widgets._builder_preview import Debouncer
from brainlab_widgets.type_builder import NEURON_PRESETS, SYNAPSE_PRESETS


class _Handle:
    def __init__(self, seconds, function):
        self.seconds, self.function, self.cancelled = seconds, function, False

    def cancel(self):
        self.cancelled = True


class _ManualSchedule:
    """A scheduler that never fires by itself: tests call ``fire()`` or the debouncer's ``flush()``."""

    def __init__(self):
        self.handles = []

    def __call__(self, seconds, function):
        self.handles.append(_Handle(seconds, function))
        return self.handles[-1]

    def fire(self):
        handle = self.handles[-1]
        if not handle.cancelled:
            handle.function()


@pytest.fixture
def builder():
    return TypeBuilder(schedule=_ManualSchedule())


@pytest.fixture(scope="module")
def built():
    """One builder with a good LIF model (building compiles a kernel, so the hostile tests share it)."""
    b = TypeBuilder(schedule=_ManualSchedule())
    assert b.build() is not None
    return b


# -- debouncer -----------------------------------------------------------------------------------------------------


def test_debouncer_calls_once_after_the_triggers_settle():
    now = [0.0]
    calls = []
    schedule = _ManualSchedule()
    debouncer = Debouncer(lambda: calls.append(now[0]), delay=0.3, clock=lambda: now[0], schedule=schedule)
    debouncer.trigger()
    now[0] = 0.2
    debouncer.trigger()  # a second trigger does not start a second timer
    assert len(schedule.handles) == 1 and debouncer.pending
    now[0] = 0.3
    schedule.fire()  # too early for the second trigger: waits for the rest of its settle time
    assert calls == [] and len(schedule.handles) == 2 and schedule.handles[1].seconds == pytest.approx(0.2)
    now[0] = 0.5
    schedule.fire()
    assert calls == [0.5] and not debouncer.pending
    debouncer.flush()  # nothing pending: nothing runs
    assert calls == [0.5]


def test_debouncer_flush_and_cancel():
    calls = []
    schedule = _ManualSchedule()
    debouncer = Debouncer(lambda: calls.append(1), schedule=schedule)
    debouncer.trigger()
    debouncer.flush()
    assert calls == [1] and schedule.handles[0].cancelled
    debouncer.trigger()
    debouncer.cancel()
    assert not debouncer.pending and schedule.handles[1].cancelled
    debouncer.flush()
    assert calls == [1]


# -- building ------------------------------------------------------------------------------------------------------


def test_default_preset_builds_publishes_and_previews(builder):
    assert isinstance(builder, traitlets.HasTraits) and builder.model is None
    assert isinstance(builder.widget, ipywidgets.VBox)
    seen = []
    builder.observe(lambda change: seen.append(change["new"]), names="model")
    model = builder.build()
    assert isinstance(model, bp.NeuType) and builder.model is model and seen == [model]
    x, y = np.asarray(builder.preview.line.x), np.asarray(builder.preview.line.y)
    assert len(x) == len(y) == 2000  # 200 ms at dt = 0.1 ms
    assert x[0] >= 0 and x[-1] == pytest.approx(200.0, abs=0.2)
    assert y.min() >= -5.0 - 1e-9 and y.max() <= 20.0 and y.max() > 15.0  # charges to threshold, resets to -5
    assert (y == -5.0).any()  # it fires
    assert "def _update" in builder.code_area.value and builder.code_area.disabled
    assert builder.code_section.children == (builder.code_area,)
    assert "Built neuron type LIF" in builder.last_message
    again = builder.build()
    assert seen == [model, again] and again is not model  # once per successful build
    bundle = builder._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@pytest.mark.parametrize(
    "kind, label",
    [("neuron", label) for label in NEURON_PRESETS] + [("synapse", label) for label in SYNAPSE_PRESETS],
)
def test_every_preset_fills_the_form_and_builds(builder, kind, label):
    presets = NEURON_PRESETS if kind == "neuron" else SYNAPSE_PRESETS
    preset = presets[label]
    builder.kind_buttons.value = kind
    assert list(builder.preset_menu.options) == list(presets)
    builder.preset_menu.value = label
    assert builder.text_area.value == preset.text and builder.name_box.value == preset.name
    assert [(r.name.value, r.value.value) for r in builder.parameter_table.rows] == [p[:2] for p in preset.parameters]
    assert [(r.name.value, r.value.value) for r in builder.initial_table.rows] == [p[:2] for p in preset.initial]
    assert builder.method_menu.value == preset.method and builder.dt_box.value == preset.dt
    assert builder.mode_menu.layout.display == (None if kind == "neuron" else "none")
    model = builder.build()
    assert isinstance(model, bp.NeuType if kind == "neuron" else bp.SynType), builder.last_message
    assert builder.model is model and "preview failed" not in builder.last_message
    assert model.equations == preset.text and "def " in builder.code_area.value
    y = np.asarray(builder.preview.line.y)
    assert len(y) == round(200.0 / preset.dt) and np.isfinite(y).all()
    if kind == "synapse":
        assert y[0] == pytest.approx(-65.0) and y.max() > -64.0  # the passive neuron is depolarised by the synapse
    else:
        assert np.ptp(y) > 0.5


def test_vector_mode_builds(builder):
    builder.preset_menu.value = "Izhikevich (RS)"
    builder.mode_menu.value = "vector"
    model = builder.build()
    assert model.mode == "vector" and np.ptp(builder.preview.line.y) > 10


def test_table_rows_can_be_added_and_removed(builder):
    table = builder.parameter_table
    count = len(table.rows)
    table.add_row("unused", 3.0, "mV")
    assert len(table.rows) == count + 1 and builder.debouncer.pending
    assert builder.build() is not None  # an unused parameter is allowed
    tau = next(row for row in table.rows if row.name.value == "tau")
    tau.remove.click()
    assert "tau" not in [row.name.value for row in table.rows]
    assert builder.build() is None and "tau" in builder.last_message
    table.add_row("tau", 10.0)
    table.add_row(" ", 1.0)  # rows without a name are skipped
    assert builder.build() is not None


# -- errors --------------------------------------------------------------------------------------------------------


def test_typing_an_error_shows_line_and_column_after_the_debounce(builder):
    builder.text_area.value = "dV/dt = V^2"
    assert builder.debouncer.pending
    builder.debouncer.flush()
    assert "line 1" in builder.last_message and "column" in builder.last_message and "**" in builder.last_message
    assert "line 1" in builder.message.value and builder.model is None
    builder.text_area.value = "dV/dt = -V / tau"
    builder.debouncer.flush()
    assert "valid" in builder.last_message


def test_failed_build_keeps_the_model_and_the_form(builder):
    good = builder.build()
    typed = "dV/dt = (-(V - V_rest) + R*I) / tau\nthreshold: V >= V_th\nreset: V = V_reset\n  dV/dt = V^2 # oops"
    builder.text_area.value = typed
    builder.parameter_table.rows[0].value.value = 1.5
    builder.name_box.value = "Mine"
    assert builder.build() is None
    assert builder.model is good and builder.text_area.value == typed
    assert builder.parameter_table.rows[0].value.value == 1.5 and builder.name_box.value == "Mine"
    assert "line 4" in builder.last_message
    builder.text_area.value = "dV/dt = -V / tau"
    assert builder.build() is not good and builder.model is not good  # fixing the text builds again


def test_preview_errors_do_not_unmake_a_good_type(builder):
    builder.text_area.value = "dV/dt = V*V + I"
    builder.initial_table.rows[0].value.value = 1.0
    model = builder.build()
    assert builder.model is model and "preview failed" in builder.last_message  # V blows up in finite time
    assert len(builder.preview.line.y) == 0


def test_bad_run_settings_are_rejected_before_building(built):
    good = built.model
    for box, value in [(built.current_box, float("nan")), (built.dt_box, 0.0), (built.dt_box, 1e9)]:
        old = box.value
        box.value = value
        assert built.build() is None and built.model is good and built.last_message
        box.value = old


# -- hostile widget values -----------------------------------------------------------------------------------------


def _payloads(tmp_path):
    absolute = tmp_path / "CANARY_ABS"
    return [
        "__import__('os').system('touch CANARY')",
        f"__import__('os').system('touch {absolute}')",
        "open('CANARY', 'w').write('x')",
        f"open('{absolute}', 'w')",
        "exec(\"open('CANARY', 'w')\")",
        'eval(\'open("CANARY", "w")\')',
        "(lambda: __import__('os').system('touch CANARY'))()",
        'f\'{open("CANARY", "w")}\'',
        "().__class__.__bases__[0].__subclasses__()",
        "V.__class__.__init__.__globals__",
        "V; import os; os.system('touch CANARY')",
        "V\nimport os\nos.system('touch CANARY')",
        "\u0435x\u0440(V)",  # Cyrillic е and р in exp
        "V_th\u200b",  # zero-width space
        "9**9**9",
        "1" * 5000,
        "1e999",
        "(" * 1000 + "V" + ")" * 1000,
        "V\x00 + 1",
        "<script>alert(1)</script>",
        "globals()['__builtins__'].open('CANARY', 'w')",
        "[x for x in ().__class__.__base__.__subclasses__()]",
    ]


def _assert_rejected(builder, good, payload, tmp_path):
    builder.debouncer.flush()
    assert builder.build() is None, payload
    assert builder.model is good
    assert builder.last_message, payload
    raw = builder.message.value
    assert "<script" not in raw and "\x00" not in raw
    assert raw.startswith('<div style="color:#b00020;')  # shown as an error
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith("CANARY")]


def _parameter_name(builder):
    return builder.parameter_table.rows[0].name


def _initial_name(builder):
    return builder.initial_table.rows[0].name


@pytest.mark.parametrize(
    "where",
    ["whole text", "right-hand side", "threshold", "model name", "parameter name", "initial value name"],
)
def test_hostile_text_fields_run_nothing(built, tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    good = built.model
    for payload in _payloads(tmp_path):
        built.load_preset("LIF")
        lif = built.text_area.value
        state = {
            "whole text": (built.text_area, payload),
            "right-hand side": (built.text_area, f"dV/dt = {payload}"),
            "threshold": (built.text_area, lif.replace("V >= V_th", payload)),
            "model name": (built.name_box, payload),
            "parameter name": (_parameter_name(built), payload),
            "initial value name": (_initial_name(built), payload),
        }
        widget, value = state[where]
        widget.set_state({"value": value})  # what a client sends through the comm
        assert widget.value == value
        _assert_rejected(built, good, payload, tmp_path)
        assert widget.value == value  # the form keeps what was typed
        if payload.startswith("<script>") and where.endswith("name"):
            assert "&lt;script&gt;" in built.message.value or "&#x27;&lt;&#x27;" in built.message.value


@pytest.mark.parametrize("field", ["parameter value", "initial value", "step current", "time step"])
def test_hostile_numbers_are_rejected(built, tmp_path, monkeypatch, field):
    monkeypatch.chdir(tmp_path)
    good = built.model
    numbers = [float("nan"), float("inf"), float("-inf"), 1e300, -1e300, 10**400]
    texts = [*_payloads(tmp_path)[:6], "1" * 5000]
    for value in numbers + texts:
        built.load_preset("LIF")
        widget = {
            "parameter value": built.parameter_table.rows[4].value,
            "initial value": built.initial_table.rows[0].value,
            "step current": built.current_box,
            "time step": built.dt_box,
        }[field]
        if isinstance(value, str):
            try:  # the comm puts text into a FloatText only through float() ...
                widget.set_state({"value": value})
                assert isinstance(widget.value, float)
            except traitlets.TraitError:
                widget._trait_values["value"] = value  # ... but the builder does not rely on it
        elif isinstance(value, int):
            with pytest.raises((traitlets.TraitError, OverflowError)):
                widget.set_state({"value": value})
            widget._trait_values["value"] = value
        else:
            widget.set_state({"value": value})
        _assert_rejected(built, good, repr(value), tmp_path)


@pytest.mark.parametrize("menu", ["method", "mode", "kind", "preset"])
def test_hostile_menu_values_are_rejected(built, tmp_path, monkeypatch, menu):
    monkeypatch.chdir(tmp_path)
    good = built.model
    for payload in [*_payloads(tmp_path), None, 3, ["euler"]]:
        built.kind_buttons.value = "neuron"
        built.load_preset("LIF")
        widget = {
            "method": built.method_menu,
            "mode": built.mode_menu,
            "kind": built.kind_buttons,
            "preset": built.preset_menu,
        }[menu]
        with pytest.raises(traitlets.TraitError):  # through the comm only valid indices get in ...
            widget.set_state({"index": 10**6})
        # ... but the builder checks the value anyway, as if validation were bypassed
        widget._trait_values["value"] = payload
        if menu == "preset":
            built.text_area.value = "dV/dt = -V  # mine"
            built.load_preset(payload)  # what the observer does with a new preset value
            assert "unknown preset" in built.last_message and "<script" not in built.message.value
            assert built.text_area.value == "dV/dt = -V  # mine"  # the form is untouched
            widget._trait_values["value"] = "LIF"
            continue
        _assert_rejected(built, good, repr(payload), tmp_path)
        if isinstance(payload, str) and payload.startswith("<script>"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in built.message.value
