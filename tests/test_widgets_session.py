"""Session: reruns in a worker thread, latest value wins, debounce, Stop, Reset, errors in the panel."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from lab_networks import coupled_network, inputs, lif_network, spike_count

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets.session import Session

pytestmark = pytest.mark.timeout(120)


class Recorder:
    """A view that records the frames it is given."""

    def __init__(self, group=None):
        self.group = group
        self.frames = []
        self.cleared = 0
        self.seen = threading.Event()

    def draw(self, frame):
        spikes = None if self.group is None else frame.monitor(self.group, "spike").copy()
        self.frames.append((frame.run_id, frame.steps_done, frame.n_steps, frame.final, spikes))
        self.seen.set()

    def clear(self):
        self.cleared += 1
        self.frames.clear()


def _wait_for(predicate, timeout=20.0):
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.005)


@pytest.fixture
def lif():
    net, group = lif_network()
    view = Recorder(group)
    session = Session(net, 200.0, inputs(group), views=[view], debounce=0.05)
    yield session, net, group, view
    session.close()


def _reference_spikes(tau: float) -> int:
    net, group = lif_network()
    group.pars["tau"] = tau
    net.run(200.0, inputs=inputs(group))
    return spike_count(group)


def test_a_parameter_change_reruns_without_recompiling(lif):
    session, _net, group, _view = lif
    session.run()
    assert session.wait()
    first = spike_count(group)
    assert first == _reference_spikes(10.0)
    compiled = session.compile_count  # 0 when another test compiled the same structure in this process
    assert compiled <= 1 and session.state == "done"
    session.set_parameter(group, "tau", 20.0)
    assert session.wait()
    assert spike_count(group) == _reference_spikes(20.0) != first
    assert session.compile_count == compiled
    assert session.timings["recompiled"] is False
    assert "no recompile" in session.last_status
    assert session.timings["first_frame_ms"] is not None and session.timings["frames"] >= 1


def test_every_run_starts_from_the_state_as_built(lif):
    # Repeat mode alone would continue from the last state (and its t_last_spike).
    session, _net, group, _view = lif
    session.run()
    session.wait()
    once = group.mon.V.copy()
    session.run()
    session.wait()
    np.testing.assert_array_equal(group.mon.V, once)


def test_rapid_changes_are_debounced_into_one_run(lif):
    session, _net, group, _view = lif
    session.debounce = 0.3
    session.run()
    session.wait()
    before = session.run_id
    for tau in (11.0, 12.0, 13.0, 14.0, 15.0):
        session.set_parameter(group, "tau", tau)
        time.sleep(0.01)
    assert session.wait()
    assert session.run_id == before + 1
    assert group.pars["tau"] == 15.0
    assert spike_count(group) == _reference_spikes(15.0)


def _long_session(debounce=0.02):
    """A run of a few seconds: a big unmonitored group does the work, a small one is recorded."""
    bp.profile.set(dt=0.05)
    net, group = lif_network()
    load = bp.NeuGroup(bp.models.get_LIF(), geometry=20_000, name="load")
    net.add(load)
    view = Recorder(group)
    session = Session(net, 5_000.0, [*inputs(group), (load, "ST.input", 25.0)], views=[view], debounce=debounce)
    return session, group, view


def test_latest_value_wins_during_a_run():
    session, group, view = _long_session()
    try:
        session.run()
        assert session.wait(60)  # the first run compiles
        compiled = session.compile_count
        session.run()
        _wait_for(lambda: session.state == "running" and view.frames and view.frames[-1][0] == session.run_id)
        running = session.run_id
        session.set_parameter(group, "tau", 15.0)  # mid-run: the run stops at its next chunk and restarts
        _wait_for(lambda: session.run_id > running)
        assert group.pars["tau"] == 15.0
        session.stop()
        session.wait()
        # The superseded run never got a final frame; the new one ran with the new value.
        assert not any(f[0] == running and f[3] for f in view.frames)
        assert session.compile_count == compiled
    finally:
        session.close()


def test_stop_keeps_the_partial_results():
    session, group, view = _long_session()
    try:
        session.run()
        session.wait(60)
        session.run()
        _wait_for(lambda: session.state == "running" and len(view.frames) >= 2 and view.frames[-1][0] == session.run_id)
        session.stop()
        assert session.wait(10)
        assert session.state == "stopped"
        info = session.last_info
        assert info.stopped and 0 < info.steps_done < info.n_steps
        run_id, steps, _n_steps, final, spikes = view.frames[-1]
        assert final and run_id == session.run_id and steps == info.steps_done
        assert group.mon.spike.shape[0] == info.steps_done  # the monitors keep the steps run
        np.testing.assert_array_equal(spikes, group.mon.spike)
        assert "stopped at" in session.last_status
    finally:
        session.close()


def test_stop_cancels_a_settling_rerun(lif):
    session, _net, group, _view = lif
    session.debounce = 5.0
    session.set_parameter(group, "tau", 30.0)
    assert session.state == "waiting"
    session.stop()
    assert session.wait(2)
    assert session.run_id == 0 and session.state == "stopped"


def test_reset_puts_parameters_state_and_inputs_back(lif):
    session, _net, group, view = lif
    session.set_parameter(group, "tau", 25.0, rerun=False)
    session.set_initial(group, "V", 10.0, rerun=False)
    session.set_input(0, np.full(30, 50.0), rerun=False)
    session.run()
    session.wait()
    np.testing.assert_allclose(group.mon.V[0], 10.0 + (50.0 - 10.0) * bp.profile.get_dt() / 25.0)
    resets = session.reset_count
    session.reset()
    assert session.reset_count == resets + 1
    assert group.pars["tau"] == 10.0
    assert session.initial_value(group, "V") is None
    np.testing.assert_array_equal(session.inputs[0][2], inputs(group)[0][2])
    assert view.cleared == 1 and view.frames == []
    session.run()
    session.wait()
    assert spike_count(group) == _reference_spikes(10.0)


def test_initial_values_apply_to_every_run(lif):
    session, _net, group, _view = lif
    session.set_initial(group, "V", 19.0, rerun=False)
    session.set_input(0, np.zeros(30), rerun=False)
    session.run()
    session.wait()
    # From V = 19 with no input, V decays towards 0 with tau = 10; the default method is Euler.
    dt = bp.profile.get_dt()
    np.testing.assert_allclose(group.mon.V[0], 19.0 * (1 - dt / 10.0), rtol=1e-12)


def test_bad_values_are_refused_and_keep_the_previous_ones(lif):
    session, _net, group, _view = lif
    with pytest.raises(ModelUseError, match="tau_x"):
        session.set_parameter(group, "tau_x", 1.0)
    with pytest.raises(ModelUseError, match="shape"):
        session.set_input(0, 3.0)
    with pytest.raises(ModelUseError, match="finite"):
        session.set_initial(group, "V", float("nan"))
    with pytest.raises(ModelUseError, match="no state field"):
        session.set_initial(group, "W", 1.0)
    other, _ = lif_network()
    with pytest.raises(ModelUseError, match="not part"):
        session.set_parameter(other.neurons, "tau", 1.0)
    assert group.pars["tau"] == 10.0 and session.run_id == 0


def test_a_failed_run_shows_its_error_in_the_panel(lif):
    session, _net, group, _view = lif
    session.run()
    session.wait()
    good = group.mon.V.copy()
    compiled = session.compile_count
    session.set_parameter(group, "tau", -0.001)  # V explodes: the engine stops with a DivergenceError
    session.wait()
    assert session.state == "error"
    assert "DivergenceError" in session.error_area.value and "neurons" in session.error_area.value
    assert type(session.last_error).__name__ == "DivergenceError"
    session.set_parameter(group, "tau", 10.0)
    session.wait()
    assert session.state == "done" and session.error_area.value == ""
    np.testing.assert_array_equal(group.mon.V, good)
    assert session.compile_count == compiled


def test_a_failing_view_is_reported_and_the_run_goes_on(lif):
    session, _net, _group, view = lif

    class Broken:
        def draw(self, frame):
            raise RuntimeError("no canvas")

        def clear(self):
            pass

    session.add_view(Broken())
    session.run()
    session.wait()
    assert session.state == "done" and "no canvas" in session.error_area.value
    assert view.frames and view.frames[-1][3]


def test_rewiring_a_connection_reruns_with_the_new_connectivity():
    net, pre, post, syn = coupled_network()
    session = Session(net, 100.0, [(pre, "ST.input", 40.0)], debounce=0.01)
    try:
        session.run()
        session.wait()
        sparse = spike_count(post)
        compiled = session.compile_count
        new = bp.SynConn(syn.model, pre_group=pre, post_group=post, conn=bp.connect.All2All(), delay=1.0, name="syn")
        new.ST["w"] = 4.0
        versions = session.structure_version
        session.apply_connection(syn, new)
        session.wait()
        assert net.syn is new and net.objects[2] is new
        assert session.structure_version == versions + 1
        # Connectivity is kernel data: the same structure may reuse the kernel, and the run says which.
        assert session.timings["recompiled"] == (session.compile_count > compiled)
        assert new.num == 900 and spike_count(post) > sparse
    finally:
        session.close()


def test_buttons_drive_the_session(lif):
    session, _net, group, _view = lif
    session.run_button.click()
    session.wait()
    assert session.run_id == 1 and session.state == "done"
    session.set_parameter(group, "tau", 12.0, rerun=False)
    session.reset_button.click()
    assert group.pars["tau"] == 10.0
    session.stop_button.click()
    assert session.state in ("stopped", "idle")
