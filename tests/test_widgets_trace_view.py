"""TraceView: decimated traces equal the monitor, the stride is fixed per run, elements are checked."""

from __future__ import annotations

import bqplot
import lab_networks
import numpy as np
import pytest
from lab_networks import stream

from brainlab_widgets.trace_view import TraceView


def make_group(num=5, monitors=("spike", "V")):
    return lab_networks.make_group(num, monitors)


def test_needs_a_monitored_field():
    group, _ = make_group(monitors=("spike",))
    message = rf"TraceView needs the 'V' monitor of '{group.name}'.*monitors=\['spike', 'V'\]"
    with pytest.raises(ValueError, match=message):
        TraceView(group, "V")
    with pytest.raises(ValueError, match="'input'"):
        TraceView(group, "input")


@pytest.mark.parametrize("bad", [(5,), (-1,), (), (1.5,), (True,), "0", None])
def test_elements_are_checked(bad):
    group, _ = make_group()
    with pytest.raises(ValueError, match=group.name):
        TraceView(group, "V", bad)
    view = TraceView(group, "V", (0,))
    with pytest.raises(ValueError, match=group.name):
        view.set_elements(bad)
    assert view.elements == (0,)


def test_out_of_range_message_says_the_range():
    group, _ = make_group()
    with pytest.raises(ValueError, match=r"element 7 is out of range.*5 elements.*0 to 4"):
        TraceView(group, "V", (0, 7))


@pytest.mark.parametrize("bad", [1, 0, 2.0, True])
def test_max_points_per_line_is_checked(bad):
    group, _ = make_group()
    with pytest.raises(ValueError, match="max_points_per_line"):
        TraceView(group, max_points_per_line=bad)


def test_traces_equal_the_monitor_at_the_decimated_rows():
    group, net = make_group()
    view = TraceView(group, "V", (0, 3, 4), max_points_per_line=300)
    lengths = []

    def check(frame):
        lengths.append(view.lines.x.size)
        rows = np.arange(0, frame.steps_done, 7)
        np.testing.assert_array_equal(view.lines.x, frame.ts[rows].astype(np.float32))
        np.testing.assert_array_equal(view.lines.y, group.mon.V[rows][:, [0, 3, 4]].T.astype(np.float32))

    stream(view, net, group, np.linspace(15, 35, 5), after=check)
    assert view.stride == 7  # ceil(2000 / 300), fixed for the run
    assert view.lines.y.shape == (3, 286) and view.lines.y.dtype == np.float32
    assert lengths == sorted(lengths) and max(lengths) <= 300
    assert view.frames_drawn == 20 and view.last_draw_s >= 0.0
    assert list(view.lines.labels) == [f"{group.name}[{i}]" for i in (0, 3, 4)]
    assert view.lines.display_legend
    assert (view.x_scale.min, view.x_scale.max) == (pytest.approx(0.0), pytest.approx(200.0))
    assert view.y_scale.min is None and view.y_scale.max is None  # left to bqplot's autoscale
    assert isinstance(view.lines, bqplot.Lines) and view.figure.marks == [view.lines]


def test_short_runs_are_not_decimated():
    group, net = make_group()
    view = TraceView(group, "V", 2)
    stream(view, net, group, 25.0)
    assert view.stride == 1 and view.elements == (2,)
    np.testing.assert_array_equal(view.lines.x, net.ts.astype(np.float32))
    # bqplot squeezes the 2-D y of a single line to 1-D.
    np.testing.assert_array_equal(view.lines.y, group.mon.V[:, 2].astype(np.float32))


def test_set_elements_redraws_the_last_frame():
    group, net = make_group()
    view = TraceView(group, "V", (0,), max_points_per_line=500)
    stream(view, net, group, np.linspace(15, 35, 5))
    drawn = view.frames_drawn
    view.set_elements([np.int64(1), 2])
    assert view.elements == (1, 2)
    assert list(view.lines.labels) == [f"{group.name}[1]", f"{group.name}[2]"]
    np.testing.assert_array_equal(view.lines.y, group.mon.V[::4][:, [1, 2]].T.astype(np.float32))
    assert view.frames_drawn == drawn  # a redraw is not a frame


def test_set_elements_before_any_frame_only_relabels():
    group, _ = make_group()
    view = TraceView(group, "V")
    view.set_elements((4, 1))
    assert list(view.lines.labels) == [f"{group.name}[4]", f"{group.name}[1]"]
    assert view.lines.y.shape == (2, 0) and view.frames_drawn == 0


def test_new_run_and_clear():
    group, net = make_group()
    view = TraceView(group, "V", (0, 1))
    stream(view, net, group, 25.0, run_id=1)
    firsts = []
    stream(view, net, group, 25.0, run_id=2, duration=(200.0, 300.0), after=lambda f: firsts.append(view.lines.x.size))
    assert firsts[0] == 100  # run 2's first chunk only
    np.testing.assert_array_equal(view.lines.x, net.ts.astype(np.float32))
    assert (view.x_scale.min, view.x_scale.max) == (pytest.approx(200.0), pytest.approx(300.0))
    view.clear()
    assert view.lines.x.size == 0 and view.lines.y.shape == (2, 0)


def test_x_and_y_go_out_together():
    group, net = make_group()
    view = TraceView(group, "V", (0, 1))
    sent = []
    view.lines._send = lambda msg, buffers=None: sent.append(msg)
    stream(view, net, group, 25.0)
    updates = [m["state"] for m in sent if m.get("method") == "update" and {"x", "y"} & set(m["state"])]
    assert len(updates) == view.frames_drawn
    assert all({"x", "y"} <= set(state) for state in updates)
