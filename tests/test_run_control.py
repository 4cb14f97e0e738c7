"""Chunked runs: inputs of every kind, callbacks, stopping, progress reports."""

import threading
import time

import numpy as np
import pytest

import brainlab as bp


def acc_update(ST, _t):
    ST["total"] += ST["input"]
    ST["input"] = 0.0


def _counter(num=4):
    model = bp.NeuType(name="counter", ST=bp.types.NeuState(["total", "input"]), steps=acc_update)
    return bp.NeuGroup(model, num, monitors=["total", "input"])


@pytest.mark.parametrize(
    ("op", "value", "expected_input"),
    [("+", 2.0, 2.0), ("-", 2.0, -2.0), ("=", 3.0, 3.0), ("*", 2.0, 0.0), ("/", 2.0, 0.0)],
)
def test_input_operations(op, value, expected_input):
    group = _counter()
    group.run(1.0, inputs=("ST.input", value, op))  # 10 steps; input is cleared after each use
    np.testing.assert_allclose(group.mon.input[-1], 0.0)
    np.testing.assert_allclose(group.ST["total"], 10 * expected_input)


def test_multiplicative_input_on_a_persistent_field():
    model = bp.NeuType(name="grow", ST=bp.types.NeuState({"x": 1.0}), steps=lambda_free)
    group = bp.NeuGroup(model, 2, monitors=["x"])
    group.run(0.5, inputs=[("ST.x", 2.0, "*"), ("ST.x", np.array([1.0, 0.0]), "+")])
    # x <- 2x + [1, 0] five times
    assert group.ST["x"][0] == 2**5 + 2**5 - 1 and group.ST["x"][1] == 2**5


def lambda_free(ST):
    pass


def test_per_element_and_time_series_inputs():
    bp.profile.set(dt=0.5)
    group = _counter(3)
    per_neuron = np.array([1.0, 2.0, 3.0])
    series = np.arange(4.0)  # one value per step, shared
    series_2d = np.arange(12.0).reshape(4, 3)  # one value per step and neuron
    group.run(2.0, inputs=[("ST.input", per_neuron), ("ST.input", series), ("ST.input", series_2d)])
    np.testing.assert_allclose(group.mon.total[:, 0], np.cumsum(1.0 + series + series_2d[:, 0]))
    np.testing.assert_allclose(group.ST["total"], 4 * per_neuron + series.sum() + series_2d.sum(axis=0))


def test_inputs_to_subgroups_and_connections():
    group = _counter(10)

    def update(ST, _t, pre):
        ST["w"] += pre["total"]

    syn = bp.SynConn(
        bp.SynType(name="tap", ST=bp.types.SynState(["w", "bias"]), steps=update, mode="scalar"),
        pre_group=group[2:4],
        post_group=group,
        conn={"i": [0, 1], "j": [0, 1]},
        monitors=["bias"],
    )
    net = bp.Network(group, syn)
    net.run(1.0, inputs=[(group[2:4], "ST.input", 1.0), (group[[0, 9]], "ST.input", 5.0), (syn, "ST.bias", 0.5)])
    np.testing.assert_allclose(group.ST["total"], [50, 0, 10, 10, 0, 0, 0, 0, 0, 50])
    np.testing.assert_allclose(syn.ST["bias"], 5.0)
    np.testing.assert_allclose(syn.ST["w"], sum(range(1, 11)))  # pre totals 1, 2, ..., 10


def test_callback_sees_progress_and_can_stop():
    group = _counter(2)
    seen = []

    def callback(progress):
        seen.append((progress.steps_done, progress.t, progress.monitor(group, "total").shape[0]))
        return progress.steps_done >= 300

    info = bp.Network(group).run(100.0, inputs=[(group, "ST.input", 1.0)], callback=callback, chunk_steps=100)
    assert info.stopped and info.steps_done == 300 and info.chunks == 3
    assert seen == [(100, pytest.approx(10.0), 100), (200, pytest.approx(20.0), 200), (300, pytest.approx(30.0), 300)]
    # results so far are kept, no more
    assert group.mon.total.shape == (300, 2) and group.mon.ts.shape == (300,)
    np.testing.assert_allclose(group.mon.total[:, 0], np.arange(1, 301))


def test_run_stopped_exception_stops_too():
    group = _counter(1)

    def callback(progress):
        raise bp.errors.RunStopped()

    info = group.run(10.0, inputs=("ST.input", 1.0), callback=callback, chunk_steps=10)
    assert info.stopped and info.steps_done == 10


def test_network_stop_from_another_thread_within_a_chunk_boundary():
    group = bp.NeuGroup(bp.NeuType(name="busy", ST=bp.types.NeuState(["x"]), steps=busy_update), 20000)
    net = bp.Network(group)
    net.run(1.0)  # compile first
    result = {}
    running = threading.Event()

    def worker():
        # far longer than the test; the callback only says that steps are being run
        result["info"] = net.run(1e6, callback=lambda progress: running.set())

    thread = threading.Thread(target=worker)
    thread.start()
    # stop() asks a run in progress to stop: wait until it is one (setup may be slow on a loaded machine).
    assert running.wait(timeout=30)
    time.sleep(0.2)
    t0 = time.perf_counter()
    net.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.perf_counter() - t0 < 1.0  # adaptive chunks are ~0.05 s with a callback
    assert result["info"].stopped and 0 < result["info"].steps_done < 1e7


def busy_update(ST, _t):
    ST["x"] = np.sin(ST["x"] + _t)


def test_report_prints_compile_and_run_times(capsys):
    group = _counter(2)
    group.run(10.0, inputs=("ST.input", 1.0), report=True, report_percent=0.25)
    captured = capsys.readouterr()
    assert "Compilation used" in captured.out and "Simulation is done in" in captured.out
    assert "100/100" in captured.err  # the tqdm bar reached the end


def test_duration_as_start_end_and_time_dependent_model():
    def update(ST, _t, _i, _dt):
        ST["t"] = _t
        ST["i"] = _i
        ST["dt"] = _dt

    group = bp.NeuGroup(
        bp.NeuType(name="clock", ST=bp.types.NeuState(["t", "i", "dt"]), steps=update), 1, monitors=["t", "i"]
    )
    net = bp.Network(group)
    net.run((100.0, 101.0))
    np.testing.assert_allclose(group.mon.t[:, 0], 100.0 + 0.1 * np.arange(10))
    np.testing.assert_allclose(group.mon.i[:, 0], np.arange(10))
    assert group.ST["dt"][0] == pytest.approx(0.1)
    assert net.t_start == 100.0 and net.t_end == 101.0 and net.t_duration == pytest.approx(1.0)


def test_jit_false_gives_the_same_results():
    results = []
    for jit in (True, False):
        bp.profile.set(jit=jit)
        group = _counter(3)
        group.run(2.0, inputs=("ST.input", np.array([1.0, 2.0, 3.0])))
        results.append(group.mon.total.copy())
    np.testing.assert_array_equal(*results)
