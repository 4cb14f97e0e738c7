"""PhasePlanePanel: clicks start trajectories, sliders move nullclines and fixed points, browser values checked."""

from __future__ import annotations

import numpy as np
import pytest

import brainlab as bp
from brainlab.dynamics import stability
from brainlab.models import get_FitzHughNagumo, get_Izhikevich
from brainlab_widgets._phase_plane_marks import arrow_rotation
from brainlab_widgets.phase_plane_panel import PhasePlanePanel

pytestmark = pytest.mark.timeout(120)

A, B, TAU = 0.7, 0.8, 12.5
PLANE = {"V": [-3, 3], "w": [-3, 3]}
FHN_TEXT = """
dV/dt = V - V*V*V/3 - w + I
dw/dt = (V + a - b*w) / tau
threshold: V >= V_th
"""
#: Constant drift (c = 0) for the arrow directions; with c = 1 and a = 0, dV/dt = V² blows up.
DRIFT_TEXT = """
dV/dt = a + c*V*V
dw/dt = b
"""


@pytest.fixture(scope="module")
def fhn_model():
    return get_FitzHughNagumo()


@pytest.fixture(scope="module")
def drift_model():
    return bp.NeuType.from_equations(
        DRIFT_TEXT, parameters=dict(a=1.0, b=0.0, c=0.0), initial={"V": 0.0, "w": 0.0}, name="drift"
    )


@pytest.fixture
def fhn(fhn_model):
    return PhasePlanePanel(fhn_model, PLANE, fixed_vars={"I_ext": 0.8})


def fhn_expected(current):
    """The fixed point (real root of the cubic) and its class from the analytic Jacobian."""
    roots = np.roots([-1 / 3, 0, 1 - 1 / B, current - A / B])
    (v,) = roots[np.abs(roots.imag) < 1e-12].real
    jac = np.array([[1 - v**2, -1.0], [1 / TAU, -B / TAU]])
    return v, (v + A) / B, stability.classify(jac)


def click(panel, x, y):
    """What the front end does on a click with interactions={'click': 'add'}: x and y grow by one point."""
    marks = panel.click_marks
    marks.x = np.append(marks.x, x)
    marks.y = np.append(marks.y, y)


def v_nullcline_offset(panel):
    """The V-nullcline is w = V - V³/3 + I: return w - (V - V³/3) along it."""
    x, y = panel.nullcline_lines[0].x, panel.nullcline_lines[0].y
    ok = np.isfinite(x)
    return y[ok] - (x[ok] - x[ok] ** 3 / 3)


# -- the figure ----------------------------------------------------------------------------------------------


def test_the_plane_shows_nullclines_field_and_the_fixed_point(fhn):
    assert [line.labels for line in fhn.nullcline_lines] == [["dV/dt = 0"], ["dw/dt = 0"]]
    assert fhn.nullcline_lines[0].colors != fhn.nullcline_lines[1].colors
    xs = fhn.figure.marks[0].scales["x"]
    assert (xs.min, xs.max) == (-3.0, 3.0)
    assert fhn.field.marker == "arrow" and len(fhn.field.x) == 400
    rotation_scale = fhn.field.scales["rotation"]
    assert (rotation_scale.min, rotation_scale.max) == (0.0, 180.0)
    np.testing.assert_allclose(v_nullcline_offset(fhn), 0.8, atol=2e-3)
    x, y = fhn.nullcline_lines[1].x, fhn.nullcline_lines[1].y
    ok = np.isfinite(x)
    np.testing.assert_allclose(y[ok], (x[ok] + A) / B, atol=1e-9)
    assert fhn.fixed_marks.x == pytest.approx([-0.272901], abs=1e-6)
    assert fhn.fixed_marks.y == pytest.approx([0.533874], abs=1e-6)
    assert list(fhn.fixed_labels.text) == ["unstable-node"]
    assert "unstable-node" in fhn.status.value and fhn.last_message == ""
    assert set(fhn.sliders) == {"I_ext", "a", "b", "tau"}
    assert fhn.timings["compute_ms"] > 0 and fhn.timings["draw_ms"] > 0
    assert "application/vnd.jupyter.widget-view+json" in fhn._repr_mimebundle_()


# -- clicks and trajectories ---------------------------------------------------------------------------------


def test_a_click_draws_the_analyzers_trajectory(fhn):
    click(fhn, -2.0, 1.0)
    (expected,) = fhn.analyzer.trajectories([(-2.0, 1.0, 100.0)])
    assert len(fhn.trajectories) == 1
    np.testing.assert_array_equal(fhn.trajectory_lines.x, expected["V"])
    np.testing.assert_array_equal(fhn.trajectory_lines.y, expected["w"])
    np.testing.assert_array_equal(fhn.time_lines[0].x, expected.t)
    np.testing.assert_array_equal(fhn.time_lines[1].y, expected["w"])
    assert len(fhn.jump_lines.x) == 0  # no reset in FitzHugh–Nagumo
    # a second click, as the front end sends it (both arrays in one message)
    with fhn.click_marks.hold_sync():
        fhn.click_marks.x, fhn.click_marks.y = np.append(fhn.click_marks.x, 1.5), np.append(fhn.click_marks.y, -1.0)
    assert len(fhn.trajectories) == 2 and fhn.trajectory_lines.x.shape == (2, len(expected.t))
    (second,) = fhn.analyzer.trajectories([(1.5, -1.0, 100.0)])
    np.testing.assert_array_equal(fhn.trajectory_lines.y[1], second["w"])
    np.testing.assert_array_equal(fhn.time_lines[0].y, second["V"])  # the time course is the last one's
    assert list(fhn.click_marks.x) == [-2.0, 1.5]
    fhn.clear_button.click()
    assert fhn.trajectories == [] and len(fhn.click_marks.x) == 0 and len(fhn.trajectory_lines.x) == 0
    assert len(fhn.time_lines[0].x) == 0


def test_keep_false_and_the_cap(fhn_model):
    single = PhasePlanePanel(fhn_model, PLANE, fixed_vars={"I_ext": 0.8}, keep=False)
    click(single, -2.0, 1.0)
    click(single, 1.0, 1.0)
    assert len(single.trajectories) == 1 and single.trajectories[0].initial == {"V": 1.0, "w": 1.0}
    assert list(single.click_marks.x) == [1.0]
    capped = PhasePlanePanel(fhn_model, PLANE, fixed_vars={"I_ext": 0.8}, max_trajectories=3)
    for x in (-2.0, -1.0, 0.0, 1.0):
        capped.add_trajectory(x, 0.0)
    assert [r.initial["V"] for r in capped.trajectories] == [-1.0, 0.0, 1.0]
    assert list(capped.click_marks.x) == [-1.0, 0.0, 1.0] and capped.trajectory_lines.x.shape[0] == 3
    click(capped, 2.0, 0.0)  # clicking on with the cap reached
    assert [r.initial["V"] for r in capped.trajectories] == [0.0, 1.0, 2.0]


def test_near_the_unstable_node_a_click_converges_to_the_limit_cycle(fhn_model):
    panel = PhasePlanePanel(fhn_model, PLANE, fixed_vars={"I_ext": 0.8}, duration=300.0)
    run = panel.add_trajectory(-0.26, 0.54)
    assert run is panel.trajectories[-1] and not run.diverged
    late = run["V"][run.t > 150.0]
    group = bp.NeuGroup(fhn_model, 1, monitors=["V"])
    group.ST["V"], group.ST["w"] = -1.2, -0.6
    group.run(600.0, inputs=("ST.input", 0.8))
    cycle = group.mon.V[group.mon.ts > 300.0, 0]
    assert np.ptp(late) > 3.0
    assert np.ptp(late) == pytest.approx(np.ptp(cycle), abs=0.02)
    assert late.min() == pytest.approx(cycle.min(), abs=0.02) and late.max() == pytest.approx(cycle.max(), abs=0.02)
    distance = np.hypot(run["V"][run.t > 150.0] + 0.272901, run["w"][run.t > 150.0] - 0.533874)
    assert distance.min() > 0.3  # it stays away from the fixed point


def test_izhikevich_resets_are_drawn_as_dotted_jumps():
    panel = PhasePlanePanel(
        get_Izhikevich(), {"V": [-80, 40], "u": [-20, 10]}, fixed_vars={"I_ext": 10.0}, sliders={"c": None}
    )
    assert panel.fixed_marks.x.size == 0 and "No fixed point" in panel.status.value
    run = panel.add_trajectory(-65.0, -13.0)
    assert len(run.jumps) >= 3
    assert panel.jump_lines.line_style == "dotted"
    jx, jy = panel.jump_lines.x, panel.jump_lines.y
    assert len(jx) == 3 * len(run.jumps) - 1
    np.testing.assert_array_equal(jx[1::3], -65.0)  # V after each jump is the reset c
    assert np.all(jx[0::3] > 0.0)
    np.testing.assert_allclose(jy[1::3] - jy[0::3], 8.0, atol=0.05)  # u += d
    # the flow is broken at each jump: one NaN per jump, the rest is the trajectory
    line = panel.trajectory_lines.x
    assert np.isnan(line).sum() == len(run.jumps)
    np.testing.assert_array_equal(line[np.isfinite(line)], run["V"])
    panel.sliders["c"].value = -55.0  # only the simulation reads c: the trajectory is recomputed
    assert panel.last_message == ""
    np.testing.assert_array_equal(panel.jump_lines.x[1::3], -55.0)


# -- sliders -------------------------------------------------------------------------------------------------


def test_a_slider_moves_the_nullcline_and_the_fixed_point(fhn):
    fhn.add_trajectory(-2.0, 1.0)
    nullcline_x = fhn.nullcline_lines[0].x.copy()
    assert fhn.fixed_marks.colors == ["#d62728"]  # unstable: red
    fhn.sliders["I_ext"].value = 0.3
    assert fhn.analyzer.fixed_vars["I_ext"] == 0.3 and fhn.last_message == ""
    np.testing.assert_allclose(v_nullcline_offset(fhn), 0.3, atol=2e-3)  # the cubic moved down by 0.5
    assert not np.array_equal(nullcline_x, fhn.nullcline_lines[0].x, equal_nan=True)
    v, w, kind = fhn_expected(0.3)
    assert fhn.fixed_marks.x == pytest.approx([v], abs=1e-9) and fhn.fixed_marks.y == pytest.approx([w], abs=1e-9)
    assert stability.is_stable(kind) and list(fhn.fixed_labels.text) == [kind] == [fhn.plane.fixed_points[0].stability]
    assert fhn.fixed_marks.colors[0] != "#d62728" and kind in fhn.status.value
    # the trajectory already drawn belongs to the new current
    (expected,) = fhn.analyzer.trajectories([(-2.0, 1.0, 100.0)])
    np.testing.assert_array_equal(fhn.trajectory_lines.x, expected["V"])
    assert fhn.timings["trajectory_ms"] > 0


def test_slider_ranges_choice_and_set_parameter(fhn_model):
    panel = PhasePlanePanel(
        fhn_model, PLANE, fixed_vars={"I_ext": 0.8}, sliders={"I_ext": (0.0, 2.0, 0.01), "tau": False}
    )
    assert set(panel.sliders) == {"I_ext", "a", "b"}
    slider = panel.sliders["I_ext"]
    assert (slider.min, slider.max, slider.step) == (0.0, 2.0, 0.01)
    assert PhasePlanePanel(fhn_model, PLANE, sliders=["I_ext"]).sliders.keys() == {"I_ext"}
    assert panel.set_parameter("I_ext", 0.2) is None  # through the slider
    assert slider.value == 0.2 and panel.analyzer.fixed_vars["I_ext"] == 0.2
    assert panel.set_parameter("I_ext", 2.5) is None and slider.max == 2.5  # kernel calls widen the range
    assert panel.set_parameter("tau", 20.0) is None  # no slider: set_values directly
    assert panel.analyzer.pars_update["tau"] == 20.0
    with pytest.raises(ValueError, match="'nope'"):
        PhasePlanePanel(fhn_model, PLANE, sliders={"nope": None})
    with pytest.raises(ValueError, match="containing its value"):
        PhasePlanePanel(fhn_model, PLANE, fixed_vars={"I_ext": 0.8}, sliders={"I_ext": (1.0, 2.0, 0.1)})


def test_refused_values_put_the_slider_back(fhn):
    slider = fhn.sliders["I_ext"]
    before = fhn.nullcline_lines[0].y.copy()
    slider.max = 1e9  # a hostile client can set min and max too
    slider.value = 500.0
    assert slider.value == 0.8 and fhn.analyzer.fixed_vars["I_ext"] == 0.8
    assert "outside" in fhn.last_message and "I_ext" in fhn.last_message and "#b00020" in fhn.message.value
    slider.value = float("nan")
    assert slider.value == 0.8 and "finite" in fhn.last_message
    np.testing.assert_array_equal(fhn.nullcline_lines[0].y, before)  # the drawing stayed
    slider.value = 0.5
    assert fhn.analyzer.fixed_vars["I_ext"] == 0.5 and fhn.last_message == ""
    problem = fhn.set_parameter("nope", 1.0)
    assert "'nope'" in problem and "I_ext" in problem and fhn.last_message == problem
    assert "axis of the plane" in fhn.set_parameter("V", 1.0)
    assert "finite" in fhn.set_parameter("tau", float("inf")) and fhn.analyzer.values.get("tau", TAU) == TAU
    assert fhn.set_parameter("I_ext", "1") is not None and slider.value == 0.5


def test_a_hostile_click_is_refused(fhn):
    click(fhn, 50.0, 0.0)
    assert fhn.trajectories == [] and len(fhn.click_marks.x) == 0 and "outside the plane" in fhn.last_message
    fhn.click_marks.x, fhn.click_marks.y = [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]  # not one new point
    assert fhn.trajectories == [] and len(fhn.click_marks.x) == 0
    assert fhn.add_trajectory(float("nan"), 0.0) is None and "finite" in fhn.last_message


# -- other models --------------------------------------------------------------------------------------------


def test_a_type_from_equations_gives_the_same_plane(fhn):
    typed = bp.NeuType.from_equations(
        FHN_TEXT, parameters=dict(a=A, b=B, tau=TAU, V_th=1.9), initial={"V": -1.2, "w": -0.6}, name="FHN_text"
    )
    panel = PhasePlanePanel(typed, PLANE, fixed_vars={"I": 0.8})
    assert "I" in panel.sliders
    assert panel.fixed_marks.x == pytest.approx(fhn.fixed_marks.x, abs=1e-9)
    assert panel.fixed_marks.y == pytest.approx(fhn.fixed_marks.y, abs=1e-9)
    assert list(panel.fixed_labels.text) == ["unstable-node"]
    panel.sliders["I"].value = 0.3
    v, _w, kind = fhn_expected(0.3)
    assert panel.fixed_marks.x == pytest.approx([v], abs=1e-9) and list(panel.fixed_labels.text) == [kind]


def test_arrow_rotation_convention():
    # bqplot: degrees clockwise from up; the recipe's 90 - atan2(dy, dx)
    assert arrow_rotation(1.0, 0.0, (1, 1)) == 90.0  # right
    assert arrow_rotation(0.0, 1.0, (1, 1)) == 0.0  # up
    assert arrow_rotation(-1.0, 0.0, (1, 1)) == 270.0  # left
    assert arrow_rotation(0.0, -1.0, (1, 1)) == 180.0  # down
    assert arrow_rotation(120.0, 1.0, (120.0, 1.0)) == pytest.approx(45.0)  # units scaled by each axis' range
    dx, dy = np.random.default_rng(1).normal(size=(2, 50))
    np.testing.assert_allclose(arrow_rotation(dx, dy, (6, 6)), np.mod(90 - np.degrees(np.arctan2(dy, dx)), 360))


def test_arrows_follow_the_field_on_screen(drift_model, fhn):
    panel = PhasePlanePanel(drift_model, {"V": [-60, 60], "w": [0, 1]})
    np.testing.assert_array_equal(panel.field.rotation, 90.0)  # dV/dt > 0, dw/dt = 0: right
    for (a, b), expected in [((0.0, 1.0), 0.0), ((-1.0, 0.0), 270.0), ((0.0, -1.0), 180.0), ((120.0, 1.0), 45.0)]:
        assert panel.set_parameter("a", a) is None and panel.set_parameter("b", b) is None
        np.testing.assert_allclose(panel.field.rotation, expected)
    assert [len(line.x) for line in panel.nullcline_lines] == [0, 0] and panel.fixed_marks.x.size == 0
    grid = fhn.plane.vector_field
    dv, dw = grid.derivatives
    np.testing.assert_allclose(fhn.field.rotation, np.mod(90 - np.degrees(np.arctan2(dw, dv)), 360).ravel())
    assert fhn.field.opacities.min() >= 0.3 and fhn.field.opacities.max() == pytest.approx(1.0)


# -- errors --------------------------------------------------------------------------------------------------


def test_a_diverging_trajectory_is_reported_not_raised(drift_model):
    panel = PhasePlanePanel(drift_model, {"V": [-2, 2], "w": [-1, 1]}, pars_update={"a": 0.0, "c": 1.0})
    run = panel.add_trajectory(1.0, 0.0)  # dV/dt = V²: V = 1 / (1 - t) blows up at t = 1 (later with Euler steps)
    assert run.diverged and "diverged" in panel.last_message
    assert 0.9 < run.t[-1] < 3.0 and np.all(np.isfinite(panel.trajectory_lines.x))
    assert len(panel.trajectories) == 1


def test_a_refused_model_is_shown_not_raised(fhn_model):
    panel = PhasePlanePanel(fhn_model, {"V": [-3, 3], "q": [0, 1]})
    assert panel.analyzer is None and panel.plane is None
    assert "cannot be drawn" in panel.last_message and "'q'" in panel.last_message
    assert panel.add_trajectory(0.0, 0.5) is None and panel.set_parameter("I_ext", 1.0) is not None
    click(panel, 0.0, 0.5)
    assert len(panel.click_marks.x) == 0 and panel.sliders == {}
    with pytest.raises(ValueError, match="two target variables"):
        PhasePlanePanel(fhn_model, {"V": [-3, 3]})
    with pytest.raises(ValueError, match="duration"):
        PhasePlanePanel(fhn_model, PLANE, duration=-1.0)
