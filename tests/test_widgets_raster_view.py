"""RasterView: the streamed raster equals the monitor, the rate integrates to the spike count, runs reset it."""

from __future__ import annotations

import bqplot
import bqplot_gl
import lab_networks
import numpy as np
import pytest
from lab_networks import stream

from brainlab_widgets.raster_view import RasterView


def make_group(num=20, monitors=("spike",)):
    return lab_networks.make_group(num, monitors)


def expected_points(net, group):
    rows, index = np.nonzero(group.mon.spike)
    return net.ts[rows].astype(np.float32), index.astype(np.float32)


def test_needs_the_spike_monitor():
    group, _ = make_group(monitors=("V",))
    with pytest.raises(ValueError, match=rf"{group.name}.*monitors=\['V', 'spike'\]"):
        RasterView(group)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_rejects_bad_point_limits(bad):
    group, _ = make_group()
    with pytest.raises(ValueError, match="max_points"):
        RasterView(group, max_points=bad)
    with pytest.raises(ValueError, match="max_svg_points"):
        RasterView(group, max_svg_points=bad)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "1"])
def test_rejects_bad_rate_bin(bad):
    group, _ = make_group()
    with pytest.raises(ValueError, match="rate_bin"):
        RasterView(group, rate_bin=bad)


def test_streamed_raster_equals_the_monitor_and_only_grows():
    group, net = make_group()
    view = RasterView(group)
    counts = []
    frames = stream(view, net, group, np.linspace(12, 30, 20), after=lambda f: counts.append(view.n_points))

    x, y = expected_points(net, group)
    assert x.size > 50  # the network does spike
    np.testing.assert_array_equal(view.scatter.x, x)
    np.testing.assert_array_equal(view.scatter.y, y)
    np.testing.assert_array_equal(view.spike_times, x)
    np.testing.assert_array_equal(view.spike_indices, y)
    assert view.scatter.x.dtype == np.float32 and view.scatter.y.dtype == np.float32
    assert counts == sorted(counts) and counts[-1] == x.size == view.n_points
    assert len(set(counts)) > 5  # it really streamed
    assert view.frames_drawn == len(frames) == 20
    assert view.last_draw_s >= 0.0
    assert type(view.scatter) is bqplot.Scatter and not view.uses_webgl
    assert view.raster_figure.marks == [view.scatter]
    assert (view.x_scale.min, view.x_scale.max) == (pytest.approx(0.0), pytest.approx(200.0))
    y_scale = view.scatter.scales["y"]
    assert (y_scale.min, y_scale.max) == (-0.5, 19.5)
    assert not view.spike_times.flags.writeable
    assert view.note.layout.display == "none"


def test_each_frame_reads_only_new_rows():
    group, net = make_group()
    view = RasterView(group)
    seen = []
    stream(view, net, group, 25.0, after=lambda f: seen.append(view._rows_seen))
    assert seen == list(range(100, 2001, 100))


def test_rate_integrates_to_the_spike_count_while_streaming():
    group, net = make_group()
    view = RasterView(group)
    num = group.num

    def check(frame):
        # Bins of 10 steps (1 ms) and chunks of 105 steps: most frames end inside a bin.
        spb = 10
        starts = np.arange(view.rate_line.y.size) * spb
        covered_ms = np.minimum(spb, frame.steps_done - starts) * frame.dt
        so_far = int(frame.monitor(group, "spike").sum())
        assert np.sum(view.rate_line.y * covered_ms) / 1000 * num == pytest.approx(so_far, rel=1e-5)
        assert view.rate_line.x[-1] <= frame.ts[frame.steps_done - 1] + frame.dt

    stream(view, net, group, np.linspace(12, 30, 20), chunk=105, after=check)
    n_spikes = int(group.mon.spike.sum())
    assert view.rate_bin == pytest.approx(1.0)  # 200 bins in 200 ms
    assert view.rate_line.y.size == 200
    assert np.sum(view.rate_line.y) * view.rate_bin / 1000 * num == pytest.approx(n_spikes, rel=1e-5)
    np.testing.assert_allclose(view.rate_line.x, np.arange(200) + 0.5, atol=1e-4)
    # The same numbers as a histogram of the monitor.
    rows = np.nonzero(group.mon.spike)[0]
    hz = np.bincount(rows // 10, minlength=200) / (num * view.rate_bin / 1000)
    np.testing.assert_allclose(view.rate_line.y, hz, rtol=1e-6)


def test_explicit_rate_bin_rounds_to_steps():
    group, net = make_group()
    view = RasterView(group, rate_bin=5.02)
    stream(view, net, group, 25.0)
    assert view.rate_bin == pytest.approx(5.0)
    assert view.rate_line.y.size == 40
    n_spikes = int(group.mon.spike.sum())
    assert np.sum(view.rate_line.y) * view.rate_bin / 1000 * group.num == pytest.approx(n_spikes, rel=1e-5)


def test_new_run_starts_from_empty_marks():
    group, net = make_group()
    view = RasterView(group)
    stream(view, net, group, 30.0, run_id=1)
    first_total = view.n_points
    firsts = []

    def record(frame):
        if len(firsts) == 0:
            firsts.append((view.n_points, int(frame.monitor(group, "spike").sum())))

    # Run 2 goes on from where run 1 stopped (a run from 0 again would start inside the refractory periods).
    stream(view, net, group, 22.0, run_id=2, duration=(200.0, 400.0), after=record)
    assert firsts[0][0] == firsts[0][1]  # only run 2's first chunk, nothing of run 1
    assert (view.x_scale.min, view.x_scale.max) == (pytest.approx(200.0), pytest.approx(400.0))
    x, y = expected_points(net, group)
    assert 0 < x.size < first_total
    np.testing.assert_array_equal(view.scatter.x, x)
    np.testing.assert_array_equal(view.scatter.y, y)


def test_clear_empties_everything():
    group, net = make_group()
    view = RasterView(group, max_svg_points=10, max_points=20)
    stream(view, net, group, 30.0)
    assert view.uses_webgl and view.n_omitted > 0
    gl = view.scatter
    view.clear()
    assert view.n_points == 0 and view.n_omitted == 0
    assert view.scatter.x.size == 0 and view.scatter.y.size == 0
    assert gl.x.size == 0 and view.rate_line.y.size == 0
    assert not view.uses_webgl and view.raster_figure.marks == [view.scatter]
    assert view.note.layout.display == "none"


def test_switches_to_webgl_above_the_threshold_and_back():
    group, net = make_group()
    view = RasterView(group, max_svg_points=50)
    svg = view.scatter
    kinds = []
    stream(view, net, group, np.linspace(12, 30, 20), after=lambda f: kinds.append((view.n_points, view.uses_webgl)))

    assert all(gl == (n > 50) for n, gl in kinds)
    assert kinds[0][1] is False and kinds[-1][1] is True
    gl = view.scatter
    assert type(gl) is bqplot_gl.ScatterGL and view.uses_webgl
    assert view.raster_figure.marks == [gl]
    assert gl.scales["x"] is svg.scales["x"] and gl.scales["y"] is svg.scales["y"]
    assert gl.default_size == svg.default_size
    x, y = expected_points(net, group)
    np.testing.assert_array_equal(gl.x, x)
    np.testing.assert_array_equal(gl.y, y)
    assert svg.x.size == 0  # the hidden SVG mark dropped its data

    # A quiet run keeps WebGL while it streams and goes back to SVG when it ends with few points;
    # a busy one reuses the same WebGL mark from its first frame (no swap back and forth per rerun).
    quiet = []
    stream(view, net, group, 0.0, run_id=2, duration=(200.0, 400.0), after=lambda f: quiet.append(view.uses_webgl))
    assert quiet[:-1] == [True] * (len(quiet) - 1) and quiet[-1] is False
    assert view.scatter is svg and not view.uses_webgl and view.n_points == 0
    assert view.raster_figure.marks == [svg]
    stream(view, net, group, 30.0, run_id=3, duration=(400.0, 600.0))
    assert view.scatter is gl
    busy = []
    stream(view, net, group, 30.0, run_id=4, duration=(600.0, 800.0), after=lambda f: busy.append(view.scatter))
    assert all(mark is gl for mark in busy)


def test_max_points_omits_and_reports():
    group, net = make_group()
    view = RasterView(group, max_points=30)
    stream(view, net, group, np.linspace(12, 30, 20))
    x, y = expected_points(net, group)
    assert view.n_points == 30 and view.n_omitted == x.size - 30 and view.n_spikes == x.size
    np.testing.assert_array_equal(view.scatter.x, x[:30])
    np.testing.assert_array_equal(view.scatter.y, y[:30])
    assert view.note.layout.display != "none"
    assert f"{x.size - 30:,} of {x.size:,} spikes are not drawn" in view.note.value
    # The rate still counts every spike.
    assert np.sum(view.rate_line.y) * view.rate_bin / 1000 * group.num == pytest.approx(x.size, rel=1e-5)


def test_x_and_y_go_out_together_as_float32():
    group, net = make_group()
    view = RasterView(group)
    sent = []
    view.scatter._send = lambda msg, buffers=None: sent.append(msg)
    stream(view, net, group, 25.0)
    updates = [m["state"] for m in sent if m.get("method") == "update" and {"x", "y"} & set(m["state"])]
    assert updates  # something was sent
    for state in updates:
        assert {"x", "y"} <= set(state)
        assert state["x"]["dtype"] == "float32" and state["y"]["dtype"] == "float32"
    # Frames without new spikes send nothing: fewer messages than frames.
    assert len(updates) <= view.frames_drawn


def test_streaming_many_spikes_keeps_every_point():
    # 1000 neurons, about 50k spikes in 500 ms; a frame every 100 steps. (Speed: bench/lab_latency.py, not here.)
    group, net = make_group(num=1000)
    view = RasterView(group)
    stream(view, net, group, np.linspace(20, 60, 1000), duration=500.0)
    assert 30_000 < view.n_points < 100_000 and view.uses_webgl
    assert view.n_points == int(group.mon.spike.sum())
