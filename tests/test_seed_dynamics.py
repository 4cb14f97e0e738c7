"""The seed's "Dynamics Analysis" tutorial, run as written except for the import."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import brainlab as bp


def get_FNmodel(a=0.7, b=0.8, tau=12.5, Vth=1.9):
    state = bp.types.NeuState({"v": 0.0, "w": 1.0, "spike": 0.0, "input": 0.0})

    @bp.integrate
    def int_w(w, t, v):
        return (v + a - b * w) / tau

    @bp.integrate
    def int_v(v, t, w, Iext):
        return v - v * v * v / 3 - w + Iext

    def update(ST, _t):
        ST["w"] = int_w(ST["w"], _t, ST["v"])
        v = int_v(ST["v"], _t, ST["w"], ST["input"])
        ST["spike"] = np.logical_and(v >= Vth, ST["v"] < Vth)
        ST["v"] = v
        ST["input"] = 0.0

    return bp.NeuType(name="FitzHugh_Nagumo", ST=state, steps=update)


@pytest.fixture
def neuron():
    bp.profile.set(dt=0.02, numerical_method="rk4")
    yield get_FNmodel(a=0.7, b=0.8, tau=12.5)
    plt.close("all")


def test_phase_plane_example(neuron, capsys):
    analyzer = bp.PhasePortraitAnalyzer(
        model=neuron, target_vars={"v": [-3, 3], "w": [-3.0, 3.0]}, fixed_vars={"Iext": 0.8}
    )
    analyzer.plot_nullcline()
    analyzer.plot_vector_field()
    analyzer.plot_fixed_point()
    analyzer.plot_trajectory([(-2.8, -1.8, 100.0)], inputs=("ST.input", 0.8), show=True)

    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    head, tail = printed[0].split(" is a ")
    assert tail == "unstable-node."
    assert head.startswith("Fixed point #1 at v=")
    v_text, w_text = head.removeprefix("Fixed point #1 at ").split(", ")
    assert float(v_text.removeprefix("v=")) == pytest.approx(-0.2729009589972752, abs=1e-12)
    assert float(w_text.removeprefix("w=")) == pytest.approx(0.5338738012534059, abs=1e-12)
    ax = plt.gca()
    # two nullclines, streamlines, the fixed point and the trajectory were drawn
    labels = [line.get_label() for line in ax.get_lines()]
    assert "v nullcline" in labels and "w nullcline" in labels and "unstable-node" in labels
    assert any(label.startswith("trajectory") for label in labels)
    assert ax.collections, "the vector field streamlines are missing"


def test_simulation_after_the_phase_plane(neuron):
    group = bp.NeuGroup(neuron, 1, monitors=["v", "w"])
    group.ST["v"] = -2.8
    group.ST["w"] = -1.8
    group.run(100.0, inputs=("ST.input", 0.8))
    bp.visualize.line_plot(group.mon.ts, group.mon.v, legend="v")
    bp.visualize.line_plot(group.mon.ts, group.mon.w, legend="w", show=True)
    # the run circles the unstable node: v swings between the outer branches of the cubic
    assert group.mon.v.max() > 1.5 and group.mon.v.min() < -1.5


def test_codimension_1_example(neuron):
    analyzer = bp.BifurcationAnalyzer(
        model=neuron,
        target_pars={"Iext": [0.0, 1.0]},
        dynamical_vars={"v": [-3, 3], "w": [-3.0, 3.0]},
        par_resolution=0.001,
    )
    analyzer.plot_bifurcation(plot_vars=["v"], show=True)
    result = analyzer.compute()
    assert len(result.branches) == 1
    (hopf,) = result.points("hopf")
    assert hopf.pars["Iext"] == pytest.approx(0.33128, abs=1e-4)
    branch = result.branches[0]
    assert branch.stable[branch["Iext"] < 0.3].all() and not branch.stable[branch["Iext"] > 0.35].any()
    assert result.cycles and np.nanmax(result.cycles[0].maximum["v"]) > 1.5
    ax = plt.gcf().axes[0]
    styles = {line.get_linestyle() for line in ax.get_lines()}
    assert {"-", "--"} <= styles  # stable solid, unstable dashed


def test_codimension_2_example(neuron):
    analyzer = bp.BifurcationAnalyzer(
        model=neuron,
        target_pars={"a": [0.5, 1.0], "Iext": [0.0, 1.0]},
        dynamical_vars={"v": [-3, 3], "w": [-3.0, 3.0]},
        par_resolution=0.01,
    )
    analyzer.plot_bifurcation(plot_vars=["v"], show=True)
    result = analyzer.compute()
    assert len(result.sheets) == 51  # one branch per grid value of a
    (curve,) = [c for c in result.curves if c.kind == "hopf"]
    # along the Hopf curve v* = -sqrt(1 - b/tau) and I = w* - v* + v*^3/3 with w* = (v* + a)/b
    v_star = -np.sqrt(1 - 0.8 / 12.5)
    expected = (v_star + curve["a"]) / 0.8 - v_star + v_star**3 / 3
    assert np.max(np.abs(curve["Iext"] - expected)) < 1e-6
    assert np.max(np.abs(curve["v"] - v_star)) < 1e-6
    assert len(plt.gcf().axes) == 2
