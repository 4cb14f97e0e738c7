"""Textbook models typed in the equation language simulate like their brainlab.models versions."""

import numpy as np
import pytest

import brainlab as bp
from brainlab import models

LIF = """
dV/dt = (-(V - V_rest) + R*I) / tau
threshold: V >= V_th
reset: V = V_reset
refractory: t_ref
"""

HH = """
# Hodgkin & Huxley (1952), the rates as intermediates
alpha_m = 0.1*(V + 40)/(1 - exp(-(V + 40)/10))
beta_m = 4.0*exp(-(V + 65)/18)
alpha_h = 0.07*exp(-(V + 65)/20)
beta_h = 1/(1 + exp(-(V + 35)/10))
alpha_n = 0.01*(V + 55)/(1 - exp(-(V + 55)/10))
beta_n = 0.125*exp(-(V + 65)/80)
dm/dt = alpha_m*(1 - m) - beta_m*m
dh/dt = alpha_h*(1 - h) - beta_h*h
dn/dt = alpha_n*(1 - n) - beta_n*n
dV/dt = (-g_Na*m**3*h*(V - E_Na) - g_K*n**4*(V - E_K) - g_L*(V - E_L) + I) / C
threshold: V >= V_th
"""

IZHIKEVICH = """
dV/dt = 0.04*V*V + 5.0*V + 140.0 - u + I
du/dt = a*(b*V - u)
threshold: V >= V_th
reset: V = c
reset: u = u + d
"""

FHN = """
dV/dt = V - V*V*V/3 - w + I
dw/dt = (V + a - b*w) / tau
threshold: V >= V_th
"""

ADEX = """
dV/dt = (-g_L*(V - V_rest) + g_L*delta_T*exp((V - V_T)/delta_T) - w + I) / C
dw/dt = (a*(V - V_rest) - w) / tau_w
threshold: V >= V_th
reset: V = V_reset
reset: w += b
"""

WANG_BUZSAKI = """
m_alpha = -0.1*(V + 35)/(exp(-0.1*(V + 35)) - 1)
m_beta = 4*exp(-(V + 60)/18)
m_inf = m_alpha/(m_alpha + m_beta)
dh/dt = phi*(0.07*exp(-(V + 58)/20)*(1 - h) - 1/(exp(-0.1*(V + 28)) + 1)*h)
dn/dt = phi*(-0.01*(V + 34)/(exp(-0.1*(V + 34)) - 1)*(1 - n) - 0.125*exp(-(V + 44)/80)*n)
dV/dt = (-g_Na*m_inf**3*h*(V - E_Na) - g_K*n**4*(V - E_K) - g_L*(V - E_L) + I) / C
threshold: V >= V_th
"""

EXPONENTIAL = """
ds/dt = -s / tau
on_pre: s += 1
output: g_max * s * (E - V_post)
"""

AMPA = """
ds/dt = alpha*T*(1 - s) - beta*s
pulse: T = T_max for T_duration
output: g_max*s*(E - V_post)
"""

NMDA = """
dx/dt = -x / tau_rise
ds/dt = -s/tau_decay + a*x*(1 - s)
on_pre: x += 1
output: g_max*s*(E - V_post) / (1 + exp(-alpha*V_post)*cc_Mg/beta)
"""

STP = """
du/dt = -u / tau_f
dx/dt = (1 - x) / tau_d
ds/dt = -s / tau
on_pre: u = u + U*(1 - u)
on_pre: s = s + u*x
on_pre: x = x - u*x
output: A*s
"""

HH_PARS = dict(C=1.0, g_Na=120.0, E_Na=50.0, g_K=36.0, E_K=-77.0, g_L=0.3, E_L=-54.387, V_th=20.0)
WB_PARS = dict(C=1.0, g_Na=35.0, E_Na=55.0, g_K=9.0, E_K=-90.0, g_L=0.1, E_L=-65.0, phi=5.0, V_th=0.0)

NEURONS = {
    # name: (text, parameters, initial from the library model, library factory, method, dt, current, duration)
    "LIF": (LIF, dict(V_rest=0.0, V_reset=-5.0, V_th=20.0, R=1.0, tau=10.0, t_ref=5.0), models.get_LIF,
            "exponential", 0.1, 25.0, 300.0),
    "HH": (HH, HH_PARS, models.get_HH, "rk4", 0.01, 10.0, 100.0),
    "Izhikevich": (IZHIKEVICH, dict(a=0.02, b=0.2, c=-65.0, d=8.0, V_th=30.0), models.get_Izhikevich, "euler",
                   0.05, 10.0, 300.0),
    "FitzHughNagumo": (FHN, dict(a=0.7, b=0.8, tau=12.5, V_th=1.9), models.get_FitzHughNagumo, "rk4", 0.02, 0.8,
                       300.0),
    "AdExIF": (ADEX, dict(V_rest=-70.6, V_reset=-70.6, V_th=20.0, V_T=-50.4, delta_T=2.0, a=4.0, b=80.5, C=281.0,
                          g_L=30.0, tau_w=144.0), models.get_AdExIF, "euler", 0.01, 800.0, 300.0),
    "WangBuzsaki": (WANG_BUZSAKI, WB_PARS, models.get_WangBuzsaki, "exponential", 0.01, 1.0, 100.0),
}  # fmt: skip


def _run_neuron(model, initial, dt, current, duration):
    bp.profile.set(dt=dt)
    group = bp.NeuGroup(model, 1, monitors=["V", "spike"])
    for key, value in initial.items():
        group.ST[key] = value
    group.run(duration, inputs=("ST.input", current))
    return group.mon.V[:, 0].copy(), group.mon.spike[:, 0].copy()


@pytest.mark.parametrize("name", sorted(NEURONS))
def test_typed_neuron_matches_the_library(name):
    text, pars, factory, method, dt, current, duration = NEURONS[name]
    library = factory(method=method)
    initial = {k: v for k, v in library.ST.defaults.items() if f"d{k}/dt" in text}
    typed = bp.NeuType.from_equations(text, parameters=pars, initial=initial, name=name, method=method)
    assert isinstance(typed, bp.NeuType) and typed.equations == text
    V_lib, spikes_lib = _run_neuron(library, library.ST.defaults, dt, current, duration)
    V_eq, spikes_eq = _run_neuron(typed, {k: library.ST.defaults[k] for k in initial}, dt, current, duration)
    assert spikes_lib.sum() >= 3
    np.testing.assert_array_equal(np.flatnonzero(spikes_eq), np.flatnonzero(spikes_lib))
    np.testing.assert_allclose(V_eq, V_lib, rtol=1e-9, atol=1e-9)


def test_typed_neuron_parameters_are_hot_and_analysable():
    text, pars, *_ = NEURONS["FitzHughNagumo"]
    typed = bp.NeuType.from_equations(text, parameters=pars, initial={"V": -1.2, "w": -0.6}, method="rk4")
    bp.profile.set(dt=0.02)
    group = bp.NeuGroup(typed, 1, monitors=["spike"])
    net = bp.Network(group, mode="repeat")
    net.run(200.0, inputs=[(group, "ST.input", 0.8)])
    compiles = net.compile_count
    group.pars["a"] = 0.9
    net.run(200.0, inputs=[(group, "ST.input", 0.8)])
    assert net.compile_count == compiles  # a parameter change does not recompile
    analyzer = bp.PhasePortraitAnalyzer(typed, target_vars={"V": [-3, 3], "w": [-3, 3]}, fixed_vars={"I": 0.8})
    (point,) = analyzer.fixed_points()
    assert point.values["V"] == pytest.approx(-0.272901, abs=1e-6) and point.stability == "unstable-node"
    hopf = bp.BifurcationAnalyzer(typed, {"I": [0.0, 1.0]}, {"V": [-3, 3], "w": [-3, 3]}, par_resolution=0.01)
    assert hopf.codim1().points("hopf")[0].pars["I"] == pytest.approx(0.33128, abs=1e-4)


def test_vector_mode_gives_the_same_spikes():
    text, pars, _, method, dt, current, duration = NEURONS["Izhikevich"]
    scalar = bp.NeuType.from_equations(text, parameters=pars, initial={"V": -65.0, "u": -13.0}, method=method)
    vector = bp.NeuType.from_equations(
        text, parameters=pars, initial={"V": -65.0, "u": -13.0}, method=method, mode="vector"
    )
    assert vector.mode == "vector"
    _, a = _run_neuron(scalar, {}, dt, current, duration)
    _, b = _run_neuron(vector, {}, dt, current, duration)
    np.testing.assert_array_equal(a, b)


def _probe():
    return bp.NeuType.from_equations("dV/dt = (-(V + 60) + I) / 10", name="Probe", initial={"V": -60.0})


SYNAPSES = {
    # name: (text, parameters, library factory, initial)
    "exponential": (EXPONENTIAL, dict(tau=5.0, g_max=1.0, E=0.0), models.get_exponential_conductance, {}),
    "AMPA": (AMPA, dict(alpha=1.1, beta=0.19, T_max=1.0, T_duration=1.0, g_max=0.1, E=0.0), models.get_AMPA, {}),
    "STP": (STP, dict(U=0.15, tau_f=1500.0, tau_d=200.0, tau=8.0, A=1.0), models.get_STP, {"x": 1.0}),
}


@pytest.mark.parametrize("name", sorted(SYNAPSES))
def test_typed_synapse_matches_the_library(name):
    text, pars, factory, initial = SYNAPSES[name]
    bp.profile.set(dt=0.05)
    typed = bp.SynType.from_equations(text, parameters=pars, initial=initial, name=name, method="exponential")
    library_pars = {k: v for k, v in pars.items() if k != "T_max"} | ({"T": pars["T_max"]} if "T_max" in pars else {})
    library = factory(**library_pars, method="exponential")
    spikes = bp.inputs.SpikeTimeInput(1, times=[5.0, 20.0, 25.0, 60.0])
    post_a, post_b = bp.NeuGroup(_probe(), 1, monitors=["V"]), bp.NeuGroup(_probe(), 1, monitors=["V"])
    conn_a = bp.SynConn(typed, spikes, post_a, bp.connect.All2All(), delay=1.0)
    conn_b = bp.SynConn(library, spikes, post_b, bp.connect.All2All(), delay=1.0)
    bp.Network(spikes, conn_a, conn_b, post_a, post_b).run(150.0)
    assert np.ptp(post_a.mon.V) > 1e-3
    np.testing.assert_allclose(post_a.mon.V, post_b.mon.V, rtol=1e-10, atol=1e-12)
    assert conn_a.ST["s"] == pytest.approx(conn_b.ST["s"], rel=1e-10)


def test_typed_nmda_matches_the_library_to_the_splitting_error():
    # the library gives s the midpoint of x over the step; the language passes x at the step start
    pars = dict(tau_rise=2.0, tau_decay=100.0, a=0.5, g_max=0.15, E=0.0, alpha=0.062, beta=3.57, cc_Mg=1.2)
    library_pars = {k: v for k, v in pars.items()}
    results = []
    for dt in (0.01,):
        bp.profile.set(dt=dt)
        typed = bp.SynType.from_equations(NMDA, parameters=pars, name="NMDA", method="exponential")
        library = models.get_NMDA(**library_pars, method="exponential")
        spikes = bp.inputs.SpikeTimeInput(1, times=[5.0, 15.0])
        post_a, post_b = bp.NeuGroup(_probe(), 1, monitors=["V"]), bp.NeuGroup(_probe(), 1, monitors=["V"])
        conn_a = bp.SynConn(typed, spikes, post_a, bp.connect.All2All(), monitors=["s"])
        conn_b = bp.SynConn(library, spikes, post_b, bp.connect.All2All(), monitors=["s"])
        bp.Network(spikes, conn_a, conn_b, post_a, post_b).run(200.0)
        results.append((conn_a.mon.s[:, 0], conn_b.mon.s[:, 0], post_a.mon.V[:, 0], post_b.mon.V[:, 0]))
    s_a, s_b, V_a, V_b = results[0]
    assert s_b.max() > 0.1
    np.testing.assert_allclose(s_a, s_b, atol=2e-3 * s_b.max())
    np.testing.assert_allclose(V_a, V_b, atol=2e-3 * np.ptp(V_b))


def test_synapse_delay_line_is_the_default_delay():
    typed = bp.SynType.from_equations(EXPONENTIAL + "delay: 1.5\n", parameters=dict(tau=5.0, g_max=1.0, E=0.0))
    assert typed.default_delay == 1.5
    bp.profile.set(dt=0.05)
    spikes = bp.inputs.SpikeTimeInput(1, times=[5.0])
    post = bp.NeuGroup(_probe(), 1)
    assert bp.SynConn(typed, spikes, post, bp.connect.All2All()).delay == 1.5
    assert bp.SynConn(typed, spikes, post, bp.connect.All2All(), delay=0.0).delay == 0.0
