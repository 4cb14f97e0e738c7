"""The seed's quickstart: Wang–Buzsáki gamma oscillation, 100 HH neurons, GABAa synapses."""

import matplotlib.pyplot as plt
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


def build(num=100, seed=0):
    bp.profile.set(jit=True, device="cpu", dt=0.04, numerical_method="exponential")

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

    HH_ST = bp.types.NeuState({"V": -55.0, "h": 0.0, "n": 0.0, "spike": 0.0, "input": 0.0})

    def update(ST, _t):
        h = int_h(ST["h"], _t, ST["V"])
        n = int_n(ST["n"], _t, ST["V"])
        V = int_V(ST["V"], _t, ST["h"], ST["n"], ST["input"])
        sp = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["spike"] = sp
        ST["V"] = V
        ST["h"] = h
        ST["n"] = n
        ST["input"] = 0.0

    HH = bp.NeuType(ST=HH_ST, name="HH_neuron", steps=update)

    g_max = 0.1
    E = -75.0
    alpha = 12.0
    beta = 0.1
    ST = bp.types.SynState(["s"])

    @bp.integrate
    def int_s(s, t, TT):
        return alpha * TT * (1 - s) - beta * s

    def update(ST, _t, pre):
        T = 1 / (1 + np.exp(-(pre["V"] - V_th) / 2))
        s = int_s(ST["s"], _t, T)
        ST["s"] = s

    @bp.delayed
    def output(ST, post):
        post["input"] -= g_max * ST["s"] * (post["V"] - E)

    requires = dict(pre=bp.types.NeuState(["V"]), post=bp.types.NeuState(["V", "input"]))
    GABAa = bp.SynType(ST=ST, name="GABAa", steps=(update, output), requires=requires, mode="scalar")

    neu = bp.NeuGroup(HH, geometry=num, monitors=["spike", "V"])
    syn = bp.SynConn(
        model=GABAa,
        pre_group=neu,
        post_group=neu,
        conn=bp.connect.All2All(include_self=False),
        delay=0.5,
        monitors=["s"],
    )
    rng = np.random.default_rng(seed)
    v_init = -70.0 + rng.random(num) * 20
    h_alpha = 0.07 * np.exp(-(v_init + 58) / 20)
    h_beta = 1 / (np.exp(-0.1 * (v_init + 28)) + 1)
    h_init = h_alpha / (h_alpha + h_beta)
    n_alpha = -0.01 * (v_init + 34) / (np.exp(-0.1 * (v_init + 34)) - 1)
    n_beta = 0.125 * np.exp(-(v_init + 44) / 80)
    n_init = n_alpha / (n_alpha + n_beta)
    neu.ST["V"] = v_init
    neu.ST["h"] = h_init
    neu.ST["n"] = n_init
    syn.pars["g_max"] = 0.1 / num
    return neu, syn


def test_quickstart_gamma_oscillation():
    neu, syn = build()
    net = bp.Network(neu, syn)
    with pytest.warns(bp.errors.DelayRoundingWarning, match="using 0.52 ms"):
        net.run(duration=500.0, inputs=[neu, "ST.input", 1.2], report=False)
    ts = net.ts
    assert ts.shape == (12500,) and net.t_start == 0.0 and net.t_end == 500.0
    assert neu.mon.V.shape == (12500, 100) and syn.mon.s.shape == (12500, 9900)
    settled = neu.mon.spike[int(100 / 0.04) :]  # after a 100 ms transient
    freq = bp.measure.population_frequency(settled, dt=0.04)
    kappa = bp.measure.cross_correlation(settled, bin_size=int(1.0 / 0.04))
    assert 35.0 <= freq <= 55.0
    assert kappa > 0.5
    # each neuron fires about once per cycle: the network rhythm is the single-cell rhythm
    rate = settled.sum() / 100 / 0.4
    assert rate == pytest.approx(freq, rel=0.15)

    # The documented plotting code runs on the results.
    fig, gs = bp.visualize.get_figure(2, 1, 3, 12)
    fig.add_subplot(gs[0, 0])
    plt.plot(ts, neu.mon.V[:, 0])
    plt.xlim(net.t_start - 0.1, net.t_end + 0.1)
    fig.add_subplot(gs[1, 0])
    index, time = bp.measure.raster_plot(neu.mon.spike, net.ts)
    plt.plot(time, index, ".")
    assert index.size == neu.mon.spike.sum()
    plt.close(fig)


def test_without_inhibition_there_is_no_coherent_rhythm():
    neu, syn = build(seed=1)
    syn.pars["g_max"] = 0.0
    net = bp.Network(neu, syn)
    with pytest.warns(bp.errors.DelayRoundingWarning):
        net.run(duration=300.0, inputs=[neu, "ST.input", 1.2])
    settled = neu.mon.spike[int(100 / 0.04) :]
    assert bp.measure.cross_correlation(settled, bin_size=25) < 0.3
