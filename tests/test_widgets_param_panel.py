"""ParamPanel: sliders from pars, initial values and inputs; values checked in the kernel."""

from __future__ import annotations

import numpy as np
import pytest
from lab_networks import coupled_network, inputs, lif_network, spike_count

import brainlab as bp
from brainlab_widgets.param_panel import ParamPanel, default_range
from brainlab_widgets.session import Session

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def coupled():
    net, pre, post, syn = coupled_network()
    session = Session(net, 100.0, [(pre, "ST.input", 40.0)], debounce=0.01)
    panel = ParamPanel(session, ranges={"syn.tau": (1.0, 20.0, 0.5), "input0": (0.0, 80.0, 1.0)})
    yield session, panel, pre, post, syn
    session.close()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("tau", 10.0, (0.0, 30.0, 0.2)),
        ("V_th", -50.0, (-100.0, 0.0, 0.5)),
        ("E_K", -90.0, (-140.0, -40.0, 0.5)),
        ("g_max", 0.001, (0.0, 0.003, 2e-05)),
        ("w", -31.6, (-95.0, 32.0, 1.0)),
        ("b", 0.0, (0.0, 1.0, 0.005)),
    ],
)
def test_default_ranges(name, value, expected):
    low, high, step = default_range(name, value)
    assert (low, high) == pytest.approx(expected[:2]) and step == pytest.approx(expected[2])
    assert low <= value <= high
    assert 100 <= (high - low) / step <= 500


def test_one_slider_per_numeric_parameter_initial_value_and_input(coupled):
    _session, panel, pre, _post, _syn = coupled
    expected = {f"{g}.{p}" for g in ("pre", "post") for p in pre.pars.keys()}
    expected |= {"syn.tau", "syn.A", "pre.V0", "post.V0", "input0"}
    assert set(panel.controls) == expected
    assert (panel["syn.tau"].min, panel["syn.tau"].max, panel["syn.tau"].step) == (1.0, 20.0, 0.5)
    assert panel["pre.tau"].value == 10.0 and panel["pre.tau"].max == 30.0
    assert panel["input0"].value == 40.0


def test_moving_a_slider_reruns_with_the_value(coupled):
    session, panel, pre, post, syn = coupled
    session.run()
    session.wait()
    compiled, before = session.compile_count, spike_count(post)
    panel["syn.tau"].value = 15.0
    session.wait()
    assert syn.pars["tau"] == 15.0 and session.run_id == 2
    assert session.compile_count == compiled
    assert spike_count(post) > before  # slower decay, more depolarisation
    panel["input0"].value = 0.0
    session.wait()
    assert session.inputs[0][2] == 0.0 and spike_count(pre) == 0


def test_values_outside_the_panels_own_range_are_refused(coupled):
    session, panel, _pre, _post, syn = coupled
    slider = panel["syn.tau"]
    slider.max = 1e9  # a hostile client can set min and max too
    slider.value = 500.0
    assert slider.value == 5.0 and syn.pars["tau"] == 5.0
    assert "outside" in panel.last_message and "syn.tau" in panel.last_message
    assert session.run_id == 0
    assert panel.controls["syn.tau"].submit(float("nan")) is not None
    assert panel.controls["syn.tau"].submit("12") is not None
    assert syn.pars["tau"] == 5.0 and slider.value == 5.0
    slider.value = 6.0
    assert syn.pars["tau"] == 6.0 and panel.last_message == ""


def test_a_value_the_engine_refuses_puts_the_slider_back():
    net, group = lif_network()
    session = Session(net, 50.0, inputs(group))
    panel = ParamPanel(session, ranges={"neurons.t_refractory": (-5.0, 10.0, 0.5)})
    try:

        def refuse(obj, name, value, **_):
            raise bp.errors.ModelUseError(f"{obj.name!r}: {name} must not be negative.")

        session.set_parameter = refuse
        panel["neurons.t_refractory"].value = -2.0
        assert panel["neurons.t_refractory"].value == 5.0
        assert "must not be negative" in panel.last_message
    finally:
        session.close()


def test_initial_value_slider_sets_every_element(coupled):
    session, panel, _pre, post, _syn = coupled
    panel["post.V0"].value = 15.0
    session.wait()
    assert session.initial_value(post, "V") == 15.0
    # No synaptic current yet in the first step (1 ms delay): one Euler step of the leak from 15 mV.
    np.testing.assert_allclose(post.mon.V[0], 15.0 * (1 - bp.profile.get_dt() / 10.0), rtol=1e-12)


def test_reset_puts_the_sliders_back(coupled):
    session, panel, pre, _post, syn = coupled
    panel["syn.tau"].value = 12.0
    panel["pre.V0"].value = 3.0
    panel["input0"].value = 20.0
    session.wait()
    session.reset()
    assert panel["syn.tau"].value == 5.0 and syn.pars["tau"] == 5.0
    assert panel["pre.V0"].value == pytest.approx(float(np.mean(session.built_state(pre, "V"))))
    assert panel["input0"].value == 40.0 and session.inputs[0][2] == 40.0
    assert session.run_id == 1  # putting the sliders back does not rerun


def test_rewiring_rebuilds_the_controls(coupled):
    session, panel, pre, post, syn = coupled
    new = bp.SynConn(bp.models.get_exponential_current(tau=2.0), pre_group=pre, post_group=post,
                     conn=bp.connect.One2One(), name="syn2")  # fmt: skip
    session.apply_connection(syn, new)
    session.wait()
    assert "syn2.tau" in panel.controls and panel["syn2.tau"].value == 2.0


def test_arrays_and_excluded_names_get_no_slider():
    net, group = lif_network()
    group.pars["tau"] = np.linspace(5, 15, group.num)
    session = Session(net, 50.0, inputs(group))
    try:
        panel = ParamPanel(session, exclude=["R", "neurons.V_rest"])
        assert "neurons.tau" not in panel.controls
        assert "neurons.R" not in panel.controls and "neurons.V_rest" not in panel.controls
        assert "input0" not in panel.controls  # one value per neuron: kept as it is
        assert "neurons.V_th" in panel.controls
    finally:
        session.close()


def test_the_browsers_snapped_echo_of_a_value_is_not_applied(coupled):
    session, panel, _pre, _post, syn = coupled
    # A front end snaps values to the slider's grid and sends them back: that is not a change.
    panel["syn.tau"].value = 5.0 + 0.2  # step 0.5: within half a step of the accepted 5.0
    assert syn.pars["tau"] == 5.0 and session.run_id == 0 and session.state == "idle"
    panel["syn.tau"].value = 5.5  # a real move
    assert syn.pars["tau"] == 5.5
