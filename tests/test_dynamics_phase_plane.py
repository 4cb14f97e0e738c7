"""Phase planes: nullclines, vector field, fixed points and trajectories against analytic results."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from dynamics_models import get_FNmodel, get_saddle_node

import brainlab as bp
from brainlab.dynamics import stability
from brainlab.models import get_HH, get_Izhikevich

A, B, TAU = 0.7, 0.8, 12.5


@pytest.fixture(autouse=True)
def _rk4():
    bp.profile.set(dt=0.02, numerical_method="rk4")
    yield
    plt.close("all")


def fhn(current=0.8):
    return bp.PhasePortraitAnalyzer(
        get_FNmodel(A, B, TAU), target_vars={"v": [-3, 3], "w": [-3, 3]}, fixed_vars={"Iext": current}
    )


def fhn_expected(current):
    """The fixed point (real root of the cubic) and its class from the analytic Jacobian."""
    roots = np.roots([-1 / 3, 0, 1 - 1 / B, current - A / B])
    v = roots[np.abs(roots.imag) < 1e-12].real
    assert len(v) == 1
    v = v[0]
    jac = np.array([[1 - v**2, -1.0], [1 / TAU, -B / TAU]])
    return v, (v + A) / B, stability.classify(jac)


def test_fixed_point_at_08_is_the_seeds_unstable_node():
    (point,) = fhn(0.8).fixed_points()
    assert point.values["v"] == pytest.approx(-0.272901, abs=1e-6)
    assert point.values["w"] == pytest.approx(0.533874, abs=1e-6)
    assert point.stability == "unstable-node"
    assert not point.is_stable
    assert point.describe(1).startswith("Fixed point #1 at v=-0.2729")


@pytest.mark.parametrize("current", [0.0, 0.2, 0.32, 0.34, 0.5, 0.8, 1.2, 1.41, 1.43, 1.8])
def test_stability_classes_across_the_input(current):
    (point,) = fhn(current).fixed_points()
    v, w, kind = fhn_expected(current)
    assert point.values["v"] == pytest.approx(v, abs=1e-9)
    assert point.values["w"] == pytest.approx(w, abs=1e-9)
    assert point.stability == kind


def test_the_classes_seen_across_the_input_range():
    analyzer = fhn()
    currents = np.linspace(0.0, 2.0, 41)
    kinds = []
    for current in currents:
        analyzer.set_values(fixed_vars={"Iext": current})
        kinds.append(analyzer.fixed_points()[0].stability)
    assert kinds == [fhn_expected(c)[2] for c in currents]
    # stable at both ends, unstable between the Hopf points (0.331 and 1.419), nodes inside the foci
    assert stability.is_stable(kinds[0]) and stability.is_stable(kinds[-1])
    assert {"stable-focus", "stable-node", "unstable-focus", "unstable-node"} <= set(kinds)
    unstable = currents[[not stability.is_stable(k) for k in kinds]]
    assert unstable.min() == pytest.approx(0.35) and unstable.max() == pytest.approx(1.4)


def test_nullclines_lie_on_the_analytic_curves():
    v_line, w_line = fhn(0.8).nullclines()
    assert v_line.var == "v" and w_line.var == "w"
    v, w = v_line.xy
    ok = np.isfinite(v)
    np.testing.assert_allclose(w[ok], v[ok] - v[ok] ** 3 / 3 + 0.8, atol=2e-3)
    v, w = w_line.xy
    ok = np.isfinite(v)
    np.testing.assert_allclose(w[ok], (v[ok] + A) / B, atol=1e-9)


def test_vector_field_is_the_right_hand_side():
    grid = fhn(0.8).vector_field(points=20)
    assert grid.derivatives.shape == (2, 20, 20)
    v, w = np.meshgrid(*grid.axes)
    np.testing.assert_allclose(grid.derivatives[0], v - v**3 / 3 - w + 0.8)
    np.testing.assert_allclose(grid.derivatives[1], (v + A - B * w) / TAU)
    step = fhn().vector_field(resolution=0.5)
    np.testing.assert_allclose(np.diff(step.axes[0]), 0.5)


def test_parameter_changes_recompute_without_recompiling():
    analyzer = fhn(0.8)
    field = analyzer.field
    before = analyzer.nullclines()[0].xy[1]
    analyzer.set_values(fixed_vars={"Iext": 0.2}, pars_update={"a": 0.5})
    assert analyzer.field is field
    after = analyzer.nullclines()[0].xy[1]
    assert not np.array_equal(before, after)
    (point,) = analyzer.fixed_points()
    # the w-nullcline moved with a: w = (v + 0.5) / b
    assert point.values["w"] == pytest.approx((point.values["v"] + 0.5) / B, abs=1e-9)
    data = analyzer.analyse()
    assert len(data.nullclines) == 2 and data.vector_field.derivatives.shape == (2, 20, 20)
    assert data.fixed_points[0].values == point.values


def test_one_dimensional_phase_line():
    analyzer = bp.PhasePortraitAnalyzer(get_saddle_node(), target_vars={"x": [-2, 2]}, pars_update={"r": -1.0})
    points = analyzer.fixed_points()
    assert [p.stability for p in points] == ["stable-point", "unstable-point"]
    np.testing.assert_allclose([p.values["x"] for p in points], [-1.0, 1.0], atol=1e-12)
    analyzer.set_values(pars_update={"r": 0.0})
    (point,) = analyzer.fixed_points()
    assert point.stability == "saddle-node" and abs(point.values["x"]) < 1e-5
    analyzer.set_values(pars_update={"r": 0.5})
    assert analyzer.fixed_points() == []
    assert analyzer.nullclines() == []
    analyzer.set_values(pars_update={"r": -1.0})
    analyzer.plot_vector_field()
    analyzer.plot_fixed_point()
    runs = analyzer.plot_trajectory([(0.9, 10.0), (1.1, 1.0)], show=False)
    assert runs[0]["x"][-1] == pytest.approx(-1.0, abs=1e-3)  # flows from the unstable to the stable point
    assert runs[1]["x"][-1] > 1.5
    assert len(runs[1].t) == 51
    # from 1.1 the solution blows up at t = atanh(1/1.1) ≈ 1.52: it ends there, the other one is kept
    slow, fast = analyzer.trajectories([(0.9, 5.0), (1.1, 5.0)])
    assert fast.diverged and 1.3 < fast.t[-1] < 1.6 and np.all(np.isfinite(fast["x"]))
    assert not slow.diverged and slow.t[-1] == pytest.approx(5.0)


def test_trajectory_holds_fixed_inputs_and_matches_a_plain_run():
    analyzer = fhn(0.8)
    (auto,) = analyzer.trajectories([(-2.8, -1.8, 100.0)])  # Iext held through ST['input']
    (given,) = analyzer.trajectories([(-2.8, -1.8, 100.0)], inputs=("ST.input", 0.8))
    group = bp.NeuGroup(get_FNmodel(A, B, TAU), 1, monitors=["v", "w"])
    group.ST["v"], group.ST["w"] = -2.8, -1.8
    group.run(100.0, inputs=("ST.input", 0.8))
    np.testing.assert_array_equal(auto["v"][1:], group.mon.v[:, 0])
    np.testing.assert_array_equal(given["w"][1:], group.mon.w[:, 0])
    assert auto.t[0] == 0.0 and auto["v"][0] == -2.8 and len(auto.t) == 5001
    assert len(auto.jumps) == 0 and len(auto.segments()) == 1


def test_frozen_variables_of_a_4d_model():
    bp.profile.set(dt=0.01)
    # Hodgkin–Huxley in the (V, n) plane with m and h frozen
    analyzer = bp.PhasePortraitAnalyzer(
        get_HH(),
        target_vars={"V": [-90, 40], "n": [0.0, 1.0]},
        fixed_vars={"m": 0.05, "h": 0.6, "I_ext": 0.0},
    )
    points = analyzer.fixed_points()
    assert points
    for p in points:
        V, n = p.values["V"], p.values["n"]
        an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
        bn = 0.125 * np.exp(-(V + 65) / 80)
        dV = -120 * 0.05**3 * 0.6 * (V - 50) - 36 * n**4 * (V + 77) - 0.3 * (V + 54.387)
        assert abs(dV) < 1e-8 and abs(an * (1 - n) - bn * n) < 1e-10
    stable = [p for p in points if p.is_stable]
    start = (stable[0].values["V"] + 5.0, stable[0].values["n"])
    (run,) = analyzer.trajectories([(*start, 200.0)])
    assert run["V"][-1] == pytest.approx(stable[0].values["V"], abs=1e-3)  # m, h held: the 2-D flow


def test_reset_aware_trajectory_of_izhikevich():
    analyzer = bp.PhasePortraitAnalyzer(
        get_Izhikevich(c=-65.0, d=8.0), target_vars={"V": [-80, 40], "u": [-20, 10]}, fixed_vars={"I_ext": 10.0}
    )
    assert analyzer.fixed_points() == []  # tonic spiking: no equilibrium at I = 10
    (run,) = analyzer.plot_trajectory([(-65.0, -13.0, 200.0)])
    assert len(run.jumps) >= 4
    np.testing.assert_array_equal(run["V"][run.jumps + 1], -65.0)  # the reset value
    assert np.all(run["V"][run.jumps] > 0.0)  # from near the threshold
    du = run["u"][run.jumps + 1] - run["u"][run.jumps]
    np.testing.assert_allclose(du, 8.0, atol=0.05)  # u += d
    assert len(run.segments()) == len(run.jumps) + 1
    dotted = [line for line in plt.gca().get_lines() if line.get_linestyle() == ":"]
    assert len(dotted) == len(run.jumps)  # each jump drawn as a jump


def test_plot_methods_return_their_data(capsys):
    analyzer = fhn(0.8)
    lines = analyzer.plot_nullcline()
    grid = analyzer.plot_vector_field(lw_lim=(0.2, 2.0))
    points = analyzer.plot_fixed_point(show=True)
    runs = analyzer.plot_trajectory([(-2.8, -1.8, 50.0)], axes="t-v")
    assert len(lines) == 2 and grid.derivatives.shape[0] == 2 and len(points) == 1 and len(runs) == 1
    assert "unstable-node" in capsys.readouterr().out
