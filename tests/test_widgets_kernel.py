"""The live lab in a real ipykernel: comm messages while a run goes on, Stop, latest value wins, no recompile.

These tests send what a browser sends (``comm_msg`` updates and clicks) to a
kernel that runs a Session in its worker thread, and read the widget updates
the kernel sends back.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("ipykernel")
pytest.importorskip("jupyter_client")

from brainlab_widgets.kernel_driver import KernelDriver

pytestmark = pytest.mark.timeout(300)

SETUP = """
import json, sys, numpy as np
sys.path.insert(0, {tests!r})
import brainlab as bp
from brainlab_widgets.param_panel import ParamPanel
from brainlab_widgets.raster_view import RasterView
from brainlab_widgets.session import Session
from lab_networks import inputs, lif_network

bp.profile.set(dt=0.05)
net, group = lif_network()
load = bp.NeuGroup(bp.models.get_LIF(), geometry=20_000, name="load")  # makes a run last seconds
net.add(load)
raster = RasterView(group, max_svg_points=10**6)
session = Session(net, 5_000.0, [*inputs(group), (load, "ST.input", 25.0)], views=[raster], debounce=0.05)
panel = ParamPanel(session)
session.run(); session.wait(120)
ids = dict(tau=panel["neurons.tau"].model_id, run=session.run_button.model_id,
           stop=session.stop_button.model_id, scatter=raster.scatter.model_id)
print(json.dumps(ids))
"""


REFERENCE = """
ref_net, ref_group = lif_network()
ref_group.pars["tau"] = {tau!r}
ref_load = bp.NeuGroup(bp.models.get_LIF(), geometry=20_000, name="load")
ref_net.add(ref_load)
ref_net.run(5_000.0, inputs=[*inputs(ref_group), (ref_load, "ST.input", 25.0)])
"""


def _reference_spikes(driver: KernelDriver, tau: float) -> int:
    """Spikes of a plain run (no session) with ``tau``, in the same kernel."""
    driver.execute(REFERENCE.format(tau=tau))
    return driver.evaluate("int(ref_group.mon.spike.sum())")


@pytest.fixture(scope="module")
def kernel(_kernel_cache):
    import json
    import pathlib

    tests = str(pathlib.Path(__file__).parent)
    with KernelDriver() as driver:
        ids = json.loads(driver.execute(SETUP.format(tests=tests), timeout=240).strip().splitlines()[-1])
        yield driver, ids


def _start_and_wait_for_frames(driver, ids, frames=2):
    sent = driver.click(ids["run"])
    for _ in range(frames):
        update = driver.wait_for_update(ids["scatter"], "x", timeout=30, after=sent)
        sent = update.time + 1e-9
    return update


def test_the_raster_streams_and_the_kernel_answers_during_a_run(kernel):
    driver, ids = kernel
    first = _start_and_wait_for_frames(driver, ids, frames=1)
    # The shell is free while the worker runs: an execute request is answered mid-run.
    state = driver.evaluate("[session.state, session.last_info.steps_done if session.state != 'running' else -1]")
    assert state == ["running", -1]
    later = driver.collect(0.6)
    assert sum(u.model_id == ids["scatter"] and "x" in u.keys for u in later) >= 3
    assert all(u.time >= first.time for u in later)
    driver.click(ids["stop"])
    assert driver.evaluate("session.wait(10)")


def test_stop_from_the_browser_stops_mid_run_and_keeps_the_results(kernel):
    driver, ids = kernel
    _start_and_wait_for_frames(driver, ids)
    driver.click(ids["stop"])
    assert driver.evaluate("session.wait(10)")
    state, stopped, done, total, rows, points, spikes = driver.evaluate(
        "[session.state, session.last_info.stopped, session.last_info.steps_done, session.last_info.n_steps, "
        "group.mon.spike.shape[0], raster.n_points, int(group.mon.spike.sum())]"
    )
    assert state == "stopped" and stopped and 0 < done < total
    assert rows == done and points == spikes > 0  # the partial raster is what was computed
    assert driver.evaluate("session.timings['stop_ms'] is not None")


def test_latest_slider_value_wins_without_recompiling(kernel):
    driver, ids = kernel
    compiled = driver.evaluate("session.compile_count")
    _start_and_wait_for_frames(driver, ids)
    runs = driver.evaluate("session.run_id")
    for tau in (12.0, 14.0, 16.0):  # a drag: three updates while the run goes on
        driver.set_state(ids["tau"], value=tau)
        time.sleep(0.01)
    assert driver.evaluate("session.wait(60)")
    run_id, tau, state, complete, count = driver.evaluate(
        "[session.run_id, group.pars['tau'], session.state, not session.last_info.stopped, int(group.mon.spike.sum())]"
    )
    assert tau == 16.0 and state == "done" and complete
    assert run_id == runs + 1  # the running run was cancelled; the drag settled into one rerun
    assert driver.evaluate("session.compile_count") == compiled
    assert driver.evaluate("session.timings['recompiled']") is False
    assert count == _reference_spikes(driver, 16.0)


def test_a_refused_value_from_the_browser_changes_nothing(kernel):
    driver, ids = kernel
    driver.evaluate("session.wait(30)")
    before = driver.evaluate("[group.pars['tau'], session.run_id]")
    driver.set_state(ids["tau"], max=1e9)
    driver.set_state(ids["tau"], value=1e6)
    time.sleep(0.3)
    assert driver.evaluate("[group.pars['tau'], session.run_id]") == before
    assert "outside" in driver.evaluate("panel.last_message")
