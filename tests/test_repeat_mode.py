"""Repeat mode: the seed's parameter search and memory saving, and runtime parameters."""

import numpy as np
import pytest

import brainlab as bp

V_th = 0.0
C = 1.0
gLeak = 0.1
ELeak = -65
gNa = 35.0
ENa = 55.0
gK = 9.0
EK = -90.0
phi = 5.0

HH_ST = bp.types.NeuState({"V": -55.0, "h": 0.0, "n": 0.0, "spike": 0.0, "inp": 0.0})


@bp.integrate
def int_h(h, t, V):
    alpha = 0.07 * np.exp(-(V + 58) / 20)
    beta = 1 / (np.exp(-0.1 * (V + 28)) + 1)
    dhdt = alpha * (1 - h) - beta * h
    return phi * dhdt


@bp.integrate
def int_n(n, t, V):
    alpha = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1)
    beta = 0.125 * np.exp(-(V + 44) / 80)
    dndt = alpha * (1 - n) - beta * n
    return phi * dndt


@bp.integrate
def int_V(V, t, h, n, Isyn):
    m_alpha = -0.1 * (V + 35) / (np.exp(-0.1 * (V + 35)) - 1)
    m_beta = 4 * np.exp(-(V + 60) / 18)
    m = m_alpha / (m_alpha + m_beta)
    INa = gNa * m**3 * h * (V - ENa)
    IK = gK * n**4 * (V - EK)
    IL = gLeak * (V - ELeak)
    dvdt = (-INa - IK - IL + Isyn) / C
    return dvdt


def neu_update(ST, _t):
    h = int_h(ST["h"], _t, ST["V"])
    n = int_n(ST["n"], _t, ST["V"])
    V = int_V(ST["V"], _t, ST["h"], ST["n"], ST["inp"])
    sp = np.logical_and(ST["V"] < V_th, V >= V_th)
    ST["spike"] = sp
    ST["V"] = V
    ST["h"] = h
    ST["n"] = n
    ST["inp"] = 0.0


HH = bp.NeuType(name="HH_neuron", ST=HH_ST, steps=neu_update)

g_max = 0.1
E = -75.0
alpha = 12.0
beta = 0.1


@bp.integrate
def int_s(s, t, TT):
    return alpha * TT * (1 - s) - beta * s


def syn_update(ST, _t, pre):
    T = 1 / (1 + np.exp(-(pre["V"] - V_th) / 2))
    s = int_s(ST["s"], _t, T)
    ST["s"] = s


def syn_output(ST, post):
    post["inp"] -= ST["g_max"] * ST["s"] * (post["V"] - E)


GABAa = bp.SynType(
    name="GABAa",
    ST=bp.types.SynState(["g_max", "s"]),
    steps=(syn_update, syn_output),
    requires=dict(pre=bp.types.NeuState(["V"]), post=bp.types.NeuState(["V", "inp"])),
    mode="scalar",
)


def initial_state(num, seed=0):
    v_init = -70.0 + np.random.default_rng(seed).random(num) * 20
    h_alpha = 0.07 * np.exp(-(v_init + 58) / 20)
    h_beta = 1 / (np.exp(-0.1 * (v_init + 28)) + 1)
    n_alpha = -0.01 * (v_init + 34) / (np.exp(-0.1 * (v_init + 34)) - 1)
    n_beta = 0.125 * np.exp(-(v_init + 44) / 80)
    return v_init, h_alpha / (h_alpha + h_beta), n_alpha / (n_alpha + n_beta)


def network(num):
    group = bp.NeuGroup(HH, geometry=num, monitors=["spike"])
    conn = bp.SynConn(GABAa, pre_group=group, post_group=group, conn=bp.connect.All2All(include_self=False))
    return group, conn, bp.Network(group, conn, mode="repeat")


@pytest.fixture(autouse=True)
def _gamma_profile():
    bp.profile.set(jit=True, dt=0.04, numerical_method="exponential")


def test_parameter_search_compiles_once_and_coherence_grows():
    num = 100
    v_init, h_init, n_init = initial_state(num)
    group, conn, net = network(num)
    all_cc = []
    infos = []
    for i, g in enumerate(np.array([0.0, 0.05, 0.15]) / num):
        group.ST["V"] = v_init
        group.ST["h"] = h_init
        group.ST["n"] = n_init
        group.ST["spike"] = 0.0
        group.ST["inp"] = 0.0
        conn.ST["s"] = 0.0
        conn.ST["g_max"] = g
        infos.append(net.run(duration=200.0, inputs=[group, "ST.inp", 1.2], report=i < 1, report_percent=0.2))
        all_cc.append(bp.measure.cross_correlation(group.mon.spike[2500:], bin_size=int(0.5 / bp.profile.get_dt())))
    assert not infos[1].compiled and not infos[2].compiled
    assert net.compile_count <= 1
    assert all_cc[0] < all_cc[1] < all_cc[2]
    # same initial state and g_max = 0 twice: identical results (runs are independent)
    conn.ST["g_max"] = 0.0
    for key, value in (("V", v_init), ("h", h_init), ("n", n_init), ("spike", 0.0), ("inp", 0.0)):
        group.ST[key] = value
    net.run(duration=200.0, inputs=[group, "ST.inp", 1.2])
    assert bp.measure.cross_correlation(group.mon.spike[2500:], bin_size=12) == pytest.approx(all_cc[0])


def test_memory_saving_runs_continue_and_keep_only_the_last_piece():
    num = 40
    v_init, h_init, n_init = initial_state(num, seed=1)
    group, conn, net = network(num)
    group.ST["V"], group.ST["h"], group.ST["n"] = v_init, h_init, n_init
    conn.ST["g_max"] = 0.1 / num
    net.run(duration=(0.0, 100.0), inputs=[group, "ST.inp", 1.2])
    first = group.mon.spike.copy()
    net.run(duration=(100.0, 200.0), inputs=[group, "ST.inp", 1.2])
    assert net.ts[0] == pytest.approx(100.0) and group.mon.spike.shape == first.shape
    assert net.last_run.compiled is False

    # one 200 ms run of an identical network gives the two pieces back to back
    group2, conn2, net2 = network(num)
    group2.ST["V"], group2.ST["h"], group2.ST["n"] = v_init, h_init, n_init
    conn2.ST["g_max"] = 0.1 / num
    net2.run(duration=200.0, inputs=[group2, "ST.inp", 1.2])
    np.testing.assert_array_equal(group2.mon.spike[:2500], first)
    np.testing.assert_array_equal(group2.mon.spike[2500:], group.mon.spike)

    with pytest.raises(bp.errors.ModelUseError, match=r"same duration, but got 100.0 != 1000.0"):
        net.run(duration=(1000.0, 2000.0), inputs=[group, "ST.inp", 1.2])
    Iext = np.ones(num) * 1.2
    with pytest.raises(bp.errors.ModelUseError, match=r'input shape for "ST.inp" should keep the same.*\(\).*\(40,\)'):
        net.run(duration=(1000.0, 1100.0), inputs=[group, "ST.inp", Iext])
    # results of the last successful run are intact after the errors
    assert group.mon.spike.shape == (2500, num)


def test_pars_are_runtime_data_without_recompiling():
    """Changing a parameter (scalar or per-neuron) between runs takes effect without a compile."""
    tau = 10.0
    V_rest = -65.0

    @bp.integrate
    def int_v(V, t, I):
        return (-(V - V_rest) + I) / tau

    def update(ST, _t):
        ST["V"] = int_v(ST["V"], _t, ST["input"])
        ST["input"] = 0.0

    model = bp.NeuType(name="leaky", ST=bp.types.NeuState({"V": -65.0, "input": 0.0}), steps=update)
    group = bp.NeuGroup(model, 3, monitors=["V"])
    net = bp.Network(group, mode="repeat")
    net.run(50.0, inputs=[group, "ST.input", 10.0])
    assert net.last_run.compiled
    signatures = len(net._handle.kernel.signatures)
    v_tau10 = group.mon.V.copy()

    group.ST["V"] = -65.0
    group.pars["tau"] = 20.0
    info = net.run(50.0, inputs=[group, "ST.input", 10.0])
    assert info.compiled is False and len(net._handle.kernel.signatures) == signatures
    # exponential Euler is exact for this linear equation
    t = net.ts + 0.04
    np.testing.assert_allclose(group.mon.V[:, 0], -65.0 + 10.0 * (1 - np.exp(-t / 20.0)), rtol=1e-10)
    assert not np.allclose(v_tau10, group.mon.V)

    # one value per neuron: scalar -> array may compile once, new arrays never do
    group.ST["V"] = -65.0
    group.pars["tau"] = np.array([5.0, 10.0, 20.0])
    net.run(50.0, inputs=[group, "ST.input", 10.0])
    np.testing.assert_allclose(group.mon.V[-1], -65.0 + 10.0 * (1 - np.exp(-50.0 / np.array([5.0, 10.0, 20.0]))))
    group.ST["V"] = -65.0
    group.pars["tau"] = np.array([7.0, 8.0, 9.0])
    assert net.run(50.0, inputs=[group, "ST.input", 10.0]).compiled is False
    np.testing.assert_allclose(group.mon.V[-1], -65.0 + 10.0 * (1 - np.exp(-50.0 / np.array([7.0, 8.0, 9.0]))))

    # input values change freely too
    group.ST["V"] = -65.0
    group.pars["tau"] = 10.0
    net.run(50.0, inputs=[group, "ST.input", 20.0])
    np.testing.assert_allclose(group.mon.V[:, 0], -65.0 + 2 * (v_tau10[:, 0] + 65.0), rtol=1e-10)


def test_scalar_mode_heterogeneous_parameter_recompiles_once():
    tau = 10.0

    @bp.integrate
    def int_v(V, t):
        return -V / tau

    def update(ST, _t):
        ST["V"] = int_v(ST["V"], _t)

    model = bp.NeuType(name="decay", ST=bp.types.NeuState({"V": 1.0}), steps=update, mode="scalar")
    group = bp.NeuGroup(model, 2)
    net = bp.Network(group, mode="repeat")
    net.run(10.0)
    group.ST["V"] = 1.0
    group.pars["tau"] = np.array([10.0, 5.0])
    assert net.run(10.0).compiled  # scalar -> per-element: new code, once
    np.testing.assert_allclose(group.ST["V"], np.exp(-10.0 / np.array([10.0, 5.0])), rtol=1e-10)
    group.ST["V"] = 1.0
    group.pars["tau"] = np.array([2.0, 4.0])
    assert not net.run(10.0).compiled
    np.testing.assert_allclose(group.ST["V"], np.exp(-10.0 / np.array([2.0, 4.0])), rtol=1e-10)
