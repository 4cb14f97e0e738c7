"""Synapse models of brainlab.models (synapses, receptors, plasticity) against analytic and solve_ivp results.

Every network is a few spike sources and a few postsynaptic "probe" cells whose
voltage stays where it is set and which record the synaptic input they consume
(``I_rec``). ``method='exponential'`` integrates the linear kinetics exactly,
so most checks are to rounding.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import brainlab as bp
from brainlab.models.plasticity import get_STDP, get_STP
from brainlab.models.receptors import get_AMPA, get_GABAa, get_GABAb, get_NMDA, mg_block
from brainlab.models.synapses import (
    get_alpha_conductance,
    get_alpha_current,
    get_exponential_conductance,
    get_exponential_current,
    get_gap_junction,
)

DT = 0.1
EXACT = "exponential"


def probe_type():
    """Cells with a clamped V that record the input of the step (I_rec) before consuming it."""

    def update(ST, _t):
        ST["I_rec"] = ST["input"]
        ST["input"] = 0.0

    state = bp.types.NeuState({"V": -60.0, "input": 0.0, "spike": 0.0, "I_rec": 0.0})
    return bp.NeuType(name="Probe", ST=state, steps=update, mode="scalar")


def passive_type(V_rest=-65.0, R=1.0, tau=10.0):
    """Passive membranes: tau dV/dt = -(V - V_rest) + R I."""

    @bp.integrate(method=EXACT)
    def int_V(V, t, I):
        return (-(V - V_rest) + R * I) / tau

    def update(ST, _t):
        ST["I_rec"] = ST["input"]
        ST["V"] = int_V(ST["V"], _t, ST["input"])
        ST["input"] = 0.0

    state = bp.types.NeuState({"V": V_rest, "input": 0.0, "I_rec": 0.0})
    return bp.NeuType(name="Passive", ST=state, steps=update, mode="scalar")


def probes(num, V=-60.0):
    group = bp.NeuGroup(probe_type(), num, monitors=["I_rec"])
    group.ST["V"] = V
    return group


def spike_step(source):
    (steps,) = np.nonzero(source.mon.spike[:, 0])
    return steps


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.maximum(np.abs(np.asarray(b)), 1e-300))


# --- exponential and alpha ---------------------------------------------------------------


def test_exponential_jumps_by_the_weight_and_decays_as_exp():
    tau, g_max, E, A = 5.0, 0.3, 0.0, 2.0
    pre = bp.inputs.SpikeTimeInput(1, times=[2.0], monitors=["spike"])
    post_g, post_i, post_e, post_h = probes(2), probes(1), probes(1), probes(2)
    model = get_exponential_conductance(tau=tau, g_max=g_max, E=E, method=EXACT)
    cond = bp.SynConn(model, pre_group=pre, post_group=post_g, conn=bp.connect.All2All(), monitors=["g"])
    cond.ST["w"] = np.array([0.5, 2.0])
    curr = bp.SynConn(
        get_exponential_current(tau=tau, A=A, method=EXACT), pre, post_i, bp.connect.All2All(), monitors=["I"]
    )
    # method=None: the profile's method, forward Euler by default
    euler = bp.SynConn(get_exponential_conductance(tau=tau), pre, post_e, bp.connect.All2All(), monitors=["g"])
    hetero = bp.SynConn(get_exponential_conductance(method=EXACT), pre, post_h, bp.connect.All2All(), monitors=["g"])
    hetero.pars["tau"] = np.array([2.0, 8.0])  # one time constant per synapse
    net = bp.Network(pre, cond, curr, euler, hetero, post_g, post_i, post_e, post_h)
    net.run(30.0)

    (k0,) = spike_step(pre)
    assert k0 == 20
    m = np.array([0, 1, 5, 20, 50, 100])
    decay = np.exp(-m * DT / tau)
    assert np.all(cond.mon.g[:k0] == 0.0)
    np.testing.assert_allclose(cond.mon.g[k0 + m], g_max * np.outer(decay, [0.5, 2.0]), rtol=1e-9)
    np.testing.assert_allclose(curr.mon.I[k0 + m, 0], A * decay, rtol=1e-9)
    np.testing.assert_allclose(euler.mon.g[k0 + m, 0], (1 - DT / tau) ** m, rtol=1e-9)
    np.testing.assert_allclose(hetero.mon.g[k0 + m], np.exp(-np.outer(m * DT, [1 / 2.0, 1 / 8.0])), rtol=1e-9)
    # what the postsynaptic cells receive: g (E - V) and the current itself
    np.testing.assert_allclose(post_g.mon.I_rec, cond.mon.g * (E - -60.0), rtol=1e-12)
    np.testing.assert_allclose(post_i.mon.I_rec[:, 0], curr.mon.I[:, 0], rtol=1e-12)


def test_alpha_peaks_at_tau_with_the_weight():
    tau, g_max, E, A = 5.0, 0.2, -80.0, 1.5
    a = DT / tau
    pre = bp.inputs.SpikeTimeInput(1, times=[1.0], monitors=["spike"])
    post_g, post_i = probes(1, V=-50.0), probes(1)
    cond = bp.SynConn(
        get_alpha_conductance(tau, g_max, E, method=EXACT), pre, post_g, bp.connect.All2All(), monitors=["g"]
    )
    curr = bp.SynConn(get_alpha_current(tau, A, method=EXACT), pre, post_i, bp.connect.All2All(), monitors=["I"])
    cond.ST["w"] = 3.0
    net = bp.Network(pre, cond, curr, post_g, post_i)
    net.run(40.0)

    (k0,) = spike_step(pre)
    g, current = cond.mon.g[:, 0], curr.mon.I[:, 0]
    assert np.all(g[: k0 + 1] == 0.0)  # the spike's step only kicks x
    assert np.argmax(g) - k0 == round(tau / DT) == np.argmax(current) - k0
    # the documented normalisation: peak g_max * w, up to the splitting factor sinh(a)/a
    assert g.max() == pytest.approx(g_max * 3.0, rel=1e-4)
    assert current.max() == pytest.approx(A, rel=1e-4)
    t = np.arange(1, 300) * DT
    shape = t / tau * np.exp(1 - t / tau) * math.sinh(a) / a
    np.testing.assert_allclose(g[k0 + 1 : k0 + 300], g_max * 3.0 * shape, rtol=1e-9)
    np.testing.assert_allclose(current[k0 + 1 : k0 + 300], A * shape, rtol=1e-9)
    np.testing.assert_allclose(post_g.mon.I_rec[:, 0], g * (E - -50.0), rtol=1e-12)


def test_delay_shifts_the_postsynaptic_response():
    pre = bp.inputs.SpikeTimeInput(1, times=[3.0, 7.5], monitors=["spike"])
    model = get_exponential_conductance(tau=4.0, method=EXACT)
    post0, post1 = probes(1), probes(1)
    now = bp.SynConn(model, pre, post0, bp.connect.All2All(), monitors=["g"])
    late = bp.SynConn(model, pre, post1, bp.connect.All2All(), monitors=["g"], delay=1.5)
    net = bp.Network(pre, now, late, post0, post1)
    net.run(20.0)

    d = 15  # 1.5 ms
    k0 = spike_step(pre)[0]
    np.testing.assert_array_equal(late.mon.g, now.mon.g)  # the state itself is not delayed
    assert post0.mon.I_rec[k0, 0] > 0.0
    assert np.all(post1.mon.I_rec[: k0 + d, 0] == 0.0)
    np.testing.assert_allclose(post1.mon.I_rec[d:, 0], post0.mon.I_rec[:-d, 0], rtol=1e-12, atol=0)


# --- receptors ------------------------------------------------------------------------


def pulse_reference(rhs_on, rhs_off, y0, T_duration, times):
    """Solve y' = rhs_on during the transmitter pulse [0, T_duration), rhs_off after; return y at ``times``."""
    kw = dict(method="DOP853", rtol=1e-12, atol=1e-14)
    on = solve_ivp(rhs_on, (0.0, T_duration), y0, dense_output=True, **kw)
    off = solve_ivp(rhs_off, (T_duration, times[-1]), on.y[:, -1], dense_output=True, **kw)
    return np.where(times <= T_duration, on.sol(np.minimum(times, T_duration)), off.sol(np.maximum(times, T_duration)))


@pytest.mark.parametrize(
    ("factory", "alpha", "beta", "T", "T_duration", "E"),
    [(get_AMPA, 1.1, 0.19, 1.0, 1.0, 0.0), (get_GABAa, 5.0, 0.18, 1.0, 1.0, -80.0)],
)
def test_pulse_receptors_rise_during_the_pulse_and_match_solve_ivp(factory, alpha, beta, T, T_duration, E):
    g_max = 0.5
    model = factory(g_max=g_max, method=EXACT)
    assert model.name in ("AMPA", "GABAa")
    pre = bp.inputs.SpikeTimeInput(1, times=[2.0], monitors=["spike"])
    post = probes(1, V=-65.0)
    syn = bp.SynConn(model, pre, post, bp.connect.All2All(), monitors=["s", "g"])
    net = bp.Network(pre, syn, post)
    net.run(40.0)

    k0 = spike_step(pre)[0]
    s = syn.mon.s[:, 0]
    n_pulse = round(T_duration / DT)
    assert np.all(s[:k0] == 0.0)
    assert np.all(np.diff(s[k0 : k0 + n_pulse]) > 0)  # rises while the transmitter is there ...
    assert np.argmax(s) == k0 + n_pulse - 1  # ... until the end of the pulse ...
    after = s[k0 + n_pulse : k0 + 300]
    np.testing.assert_allclose(after[1:] / after[:-1], np.exp(-beta * DT), rtol=1e-9)  # ... then decays with 1/beta
    # the state of step k0 + m is the solution at (m + 1) dt after the spike
    t = (np.arange(380) + 1) * DT

    def during(_t, y):
        return alpha * T * (1 - y) - beta * y

    def after_pulse(_t, y):
        return -beta * y

    (ref,) = pulse_reference(during, after_pulse, [0.0], T_duration, t)
    np.testing.assert_allclose(s[k0 : k0 + 380], ref, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(syn.mon.g[:, 0], g_max * s, rtol=1e-12)
    np.testing.assert_allclose(post.mon.I_rec[:, 0], g_max * s * (E - -65.0), rtol=1e-12)


def test_gabab_is_slow_and_matches_solve_ivp():
    K1, K2, K3, K4, Kd, T, T_duration, g_max = 0.09, 0.0012, 0.18, 0.034, 100.0, 0.5, 0.3, 1.0
    pre = bp.inputs.SpikeTimeInput(1, times=[1.0], monitors=["spike"])
    post = probes(1, V=-70.0)
    syn = bp.SynConn(get_GABAb(g_max=g_max, method=EXACT), pre, post, bp.connect.All2All(), monitors=["r", "G", "g"])
    net = bp.Network(pre, syn, post)
    net.run(400.0)

    k0 = spike_step(pre)[0]
    r, G, g = syn.mon.r[:, 0], syn.mon.G[:, 0], syn.mon.g[:, 0]
    assert np.argmax(r) == k0 + 2  # r follows the 0.3 ms pulse (3 steps) ...
    peak_ms = (np.argmax(G) - k0) * DT
    assert 80.0 < peak_ms < 130.0  # ... G, and with it the conductance, peaks about 100 ms later
    assert np.argmax(g) == np.argmax(G)
    t = (np.arange(3980) + 1) * DT

    def rhs(TT):
        return lambda _t, y: [K1 * TT * (1 - y[0]) - K2 * y[0], K3 * y[0] - K4 * y[1]]

    ref_r, ref_G = pulse_reference(rhs(T), rhs(0.0), [0.0, 0.0], T_duration, t)
    np.testing.assert_allclose(r[k0 : k0 + 3980], ref_r, rtol=1e-8)
    # G sees r at mid-step: second order, except for the kinks of r at the pulse's edges
    np.testing.assert_allclose(G[k0 : k0 + 3980], ref_G, rtol=2e-3)
    np.testing.assert_allclose(G[k0 : k0 + 3980], ref_G, rtol=0, atol=5e-6 * ref_G.max())
    assert abs((np.argmax(G) - k0) - np.argmax(ref_G)) <= 1  # a flat peak: one step either way
    np.testing.assert_allclose(g, g_max * G**4 / (G**4 + Kd), rtol=1e-12)


def test_nmda_block_follows_jahr_stevens():
    voltages = np.array([-80.0, -60.0, -40.0, -20.0, 10.0, 30.0])
    g_max, cc_Mg = 0.15, 1.2
    pre = bp.inputs.SpikeTimeInput(1, times=[1.0], monitors=["spike"])
    post = probes(voltages.size)
    post.ST["V"] = voltages
    syn = bp.SynConn(
        get_NMDA(g_max=g_max, cc_Mg=cc_Mg, method=EXACT), pre, post, bp.connect.All2All(), monitors=["s", "g"]
    )
    net = bp.Network(pre, syn, post)
    net.run(100.0)

    k0 = spike_step(pre)[0]
    s, g, current = syn.mon.s, syn.mon.g, post.mon.I_rec
    np.testing.assert_array_equal(s, s[:, :1].repeat(voltages.size, axis=1))  # the same gating for every cell
    closed_form = 1.0 / (1.0 + np.exp(-0.062 * voltages) * cc_Mg / 3.57)
    np.testing.assert_allclose(mg_block(voltages, cc_Mg=cc_Mg), closed_form, rtol=1e-15)
    k = k0 + 100
    block = current[k] / (g[k] * (0.0 - voltages))
    np.testing.assert_allclose(block, closed_form, rtol=1e-12)
    assert closed_form[0] == pytest.approx(0.0204, abs=1e-4) and closed_form[3] == pytest.approx(0.463, abs=1e-3)
    ratio = abs(current[k, 0]) / abs(current[k, 3])  # -80 mV against -20 mV
    assert ratio == pytest.approx(80 * closed_form[0] / (20 * closed_form[3]), rel=1e-12)
    assert ratio < 0.2
    # the kinetics: x kicked to 1 at the spike, s driven by it (second-order splitting)
    t = np.arange(1, 900) * DT
    sol = solve_ivp(
        lambda _t, y: [-y[0] / 2.0, -y[1] / 100.0 + 0.5 * y[0] * (1 - y[1])],
        (0.0, t[-1]), [1.0, 0.0], t_eval=t, method="DOP853", rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    np.testing.assert_allclose(s[k0 + 1 : k0 + 900, 0], sol.y[1], rtol=5e-4)
    assert 3.0 < (np.argmax(s[:, 0]) - k0) * DT < 10.0  # rises over a few ms ...
    late = s[k0 + 400 :, 0]  # ... then, with x gone, decays with tau_decay
    np.testing.assert_allclose(late[100:] / late[:-100], np.exp(-100 * DT / 100.0), rtol=1e-6)


def test_runtime_parameter_change_reuses_the_kernel():
    def build(g_max):
        pre = bp.inputs.SpikeTimeInput(1, times=[1.0])
        post = probes(1)
        syn = bp.SynConn(get_AMPA(method=EXACT), pre, post, bp.connect.All2All(), monitors=["g"])
        syn.pars["g_max"] = g_max
        net = bp.Network(pre, syn, post)
        info = net.run(5.0)
        return info, syn.mon.g[:, 0]

    _, first = build(0.1)
    info, second = build(0.4)
    assert info.cache_hit or not info.compiled
    np.testing.assert_allclose(second, 4 * first, rtol=1e-12)
    assert first.max() > 0


# --- electrical -----------------------------------------------------------------------


def test_gap_junction_current_and_equalisation():
    g, R, tau, V_rest = 0.2, 1.0, 10.0, -65.0
    cells = bp.NeuGroup(passive_type(V_rest, R, tau), 2, monitors=["V", "I_rec"])
    cells.ST["V"] = np.array([-50.0, -70.0])
    gap = bp.SynConn(get_gap_junction(g_max=g), cells, cells, bp.connect.All2All(include_self=False))
    net = bp.Network(gap, cells)  # the junction reads the voltages of the previous step
    net.run(50.0)

    V, current = cells.mon.V, cells.mon.I_rec
    V_prev = np.vstack([[-50.0, -70.0], V[:-1]])
    np.testing.assert_allclose(current[:, 1], g * (V_prev[:, 0] - V_prev[:, 1]), rtol=1e-12)
    np.testing.assert_allclose(current[:, 0], -current[:, 1], rtol=1e-12)
    diff = V[:, 0] - V[:, 1]
    a = DT / tau
    n = np.arange(1, diff.size + 1)
    np.testing.assert_allclose(diff, 20.0 * (np.exp(-a) - 2 * R * g * (1 - np.exp(-a))) ** n, rtol=1e-9)
    # and the continuous solution: the difference decays (1 + 2 R g) times faster than each cell alone
    np.testing.assert_allclose(diff, 20.0 * np.exp(-(1 + 2 * R * g) * n * DT / tau), rtol=2e-2)
    assert abs(diff[-1]) < 1e-3 * 20.0


# --- plasticity -----------------------------------------------------------------------


def tsodyks_markram(U, tau_f, tau_d, n_spikes, interval):
    """Efficacies u+ x- of a regular train, by the recursion."""
    u, x, result = 0.0, 1.0, []
    for _ in range(n_spikes):
        u = u + U * (1 - u)
        result.append(u * x)
        x -= u * x
        u *= math.exp(-interval / tau_f)
        x = 1 - (1 - x) * math.exp(-interval / tau_d)
    return np.array(result)


def test_stp_efficacies_follow_the_tsodyks_markram_recursion():
    interval, n_spikes, tau = 25.0, 10, 3.0
    times = 10.0 + interval * np.arange(n_spikes)
    pre = bp.inputs.SpikeTimeInput(1, times=times, monitors=["spike"])
    depressing = dict(U=0.5, tau_f=20.0, tau_d=800.0)
    facilitating = dict(U=0.1, tau_f=1000.0, tau_d=50.0)
    post_d, post_f = probes(1), probes(1)
    dep = bp.SynConn(
        get_STP(**depressing, tau=tau, A=2.0, method=EXACT), pre, post_d, bp.connect.All2All(), monitors=["u", "x", "s"]
    )
    fac = bp.SynConn(
        get_STP(**facilitating, tau=tau, method=EXACT), pre, post_f, bp.connect.All2All(), monitors=["u", "x", "s"]
    )
    net = bp.Network(pre, dep, fac, post_d, post_f)
    net.run(times[-1] + 20.0)

    steps = spike_step(pre)
    assert steps.size == n_spikes
    for syn, pars, post, A in ((dep, depressing, post_d, 2.0), (fac, facilitating, post_f, 1.0)):
        expected = tsodyks_markram(**pars, n_spikes=n_spikes, interval=interval)
        u, x, s = syn.mon.u[:, 0], syn.mon.x[:, 0], syn.mon.s[:, 0]
        np.testing.assert_allclose(u[steps] * x[steps] / (1 - u[steps]), expected, rtol=1e-9)  # u+ x- from u+, x+
        jumps = s[steps] - s[steps - 1] * math.exp(-DT / tau)
        np.testing.assert_allclose(jumps, expected, rtol=1e-9)
        np.testing.assert_allclose(post.mon.I_rec[:, 0], A * s, rtol=1e-12)
        assert expected[0] == pytest.approx(pars["U"])
    dep_eff = tsodyks_markram(**depressing, n_spikes=n_spikes, interval=interval)
    fac_eff = tsodyks_markram(**facilitating, n_spikes=n_spikes, interval=interval)
    assert np.all(np.diff(dep_eff) < 0) and dep_eff[-1] < 0.25 * dep_eff[0]
    assert np.all(np.diff(fac_eff[:5]) > 0) and fac_eff.max() > 2 * fac_eff[0]


def test_stdp_windows_and_bounds():
    A_plus, A_minus, tau_plus, tau_minus = 0.01, 0.012, 20.0, 15.0
    # pre - post: positive -> pre first (potentiation), negative -> post first (depression)
    lags = np.array([2.0, 5.0, 10.0, 20.0, -2.0, -5.0, -10.0, -20.0, 1.0, -1.0, 0.0])
    w0 = np.array([0.5] * 8 + [0.999, 0.001, 0.5])
    n = lags.size
    t_pre = np.full(n, 30.0)
    t_post = t_pre + lags
    pre = bp.inputs.SpikeTimeInput(n, times=t_pre, indices=list(range(n)))
    post = probes(n)
    model = get_STDP(A_plus=A_plus, A_minus=A_minus, tau_plus=tau_plus, tau_minus=tau_minus, method=EXACT)
    syn = bp.SynConn(model, pre, post, bp.connect.One2One(), monitors=["w"])
    syn.ST["w"] = w0
    duration = 60.0
    post_spikes = np.zeros((round(duration / DT), n))
    post_spikes[np.round(t_post / DT).astype(int), np.arange(n)] = 1.0
    net = bp.Network(pre, post, syn)  # after both groups: the rule sees the spikes of each step
    net.run(duration, inputs=(post, "ST.spike", post_spikes, "="))

    w = syn.mon.w
    final = w[-1]
    potentiated, depressed = lags > 0, lags < 0
    expected = w0.copy()
    expected[potentiated] += A_plus * np.exp(-lags[potentiated] / tau_plus)
    expected[depressed] -= A_minus * np.exp(lags[depressed] / tau_minus)
    expected = np.clip(expected, 0.0, 1.0)
    np.testing.assert_allclose(final, expected, rtol=1e-9)
    assert final[8] == 1.0 and final[9] == 0.0  # clipped at w_max and w_min
    assert final[10] == 0.5  # a pair within one step has no order
    assert np.all((w >= 0.0) & (w <= 1.0))
    # the change happens at the second spike of each pair, not before
    second = np.round(np.maximum(t_pre, t_post) / DT).astype(int)
    for i in range(8):
        assert w[second[i] - 1, i] == w0[i] and w[second[i], i] == final[i]
