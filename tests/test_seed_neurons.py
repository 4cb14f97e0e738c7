"""The examples of the seed's "Build Neurons" tutorial, with their results checked."""

import numpy as np
import pytest

import brainlab as bp

# --- Hodgkin–Huxley, vector mode (as written in the tutorial) -------------------
C = 1.0
g_Na = 120.0
E_Na = 50.0
E_K = -77.0
g_K = 36.0
E_Leak = -54.402
g_Leak = 0.003  # the tutorial's value (the standard one is 0.3)
Vth = 20.0


@bp.integrate
def int_m(m, t, V):
    alpha = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    beta = 4.0 * np.exp(-(V + 65) / 18)
    dmdt = alpha * (1 - m) - beta * m
    return dmdt


@bp.integrate
def int_h(h, t, V):
    alpha = 0.07 * np.exp(-(V + 65) / 20.0)
    beta = 1 / (1 + np.exp(-(V + 35) / 10))
    dhdt = alpha * (1 - h) - beta * h
    return dhdt


@bp.integrate
def int_n(n, t, V):
    alpha = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    beta = 0.125 * np.exp(-(V + 65) / 80)
    dndt = alpha * (1 - n) - beta * n
    return dndt


@bp.integrate
def int_V(V, t, m, h, n, Isyn):
    INa = g_Na * m**3 * h * (V - E_Na)
    IK = g_K * n**4 * (V - E_K)
    IL = g_Leak * (V - E_Leak)
    dvdt = (-INa - IK - IL + Isyn) / C
    return dvdt


HH_ST = bp.types.NeuState("m", "h", "n", "spike", "input", V=-65.0)


def hh_update(ST, _t):
    m = np.clip(int_m(ST["m"], _t, ST["V"]), 0.0, 1.0)
    h = np.clip(int_h(ST["h"], _t, ST["V"]), 0.0, 1.0)
    n = np.clip(int_n(ST["n"], _t, ST["V"]), 0.0, 1.0)
    V = int_V(ST["V"], _t, ST["m"], ST["h"], ST["n"], ST["input"])
    ST["spike"] = np.logical_and(ST["V"] < Vth, V >= Vth)
    ST["V"] = V
    ST["m"] = m
    ST["h"] = h
    ST["n"] = n
    ST["input"] = 0.0


HH = bp.NeuType(name="HH_neuron", ST=HH_ST, steps=hh_update, mode="vector")


def test_hh_vector_group_runs_and_spikes(capsys):
    bp.profile.set(dt=0.01)
    group = bp.NeuGroup(HH, geometry=10, monitors=["V", "m", "n", "h"])
    group.run(100.0, inputs=("ST.input", 5.0), report=True)
    out = capsys.readouterr().out
    assert "Compilation used" in out and "Simulation is done in" in out
    assert group.mon.V.shape == (10000, 10)
    assert group.mon.ts[1] == pytest.approx(0.01)
    V = group.mon.V[:, 0]
    crossings = np.flatnonzero((V[:-1] < Vth) & (V[1:] >= Vth))
    assert len(crossings) >= 5  # repetitive firing under 5 uA/cm^2
    # all neurons are identical and start identical: identical traces
    np.testing.assert_array_equal(group.mon.V[:, 0], group.mon.V[:, 9])
    assert np.all((group.mon.m >= 0) & (group.mon.m <= 1))
    assert -80 < V.min() < -60 and 30 < V.max() < 60


# --- LIF: vector mode and scalar mode ---------------------------------------------
tau_m = 10.0
Vr = 0.0
Vth_lif = 10.0
tau_ref = 0.0

LIF_ST = bp.types.NeuState("V", "input", "spike", "refractory", t_last_spike=-1e7)


@bp.integrate
def int_f(V, t, Isyn):
    return (-V + Vr + Isyn) / tau_m


def lif_vector_update(ST, _t):
    V = int_f(ST["V"], _t, ST["input"])
    is_ref = _t - ST["t_last_spike"] < tau_ref
    V = np.where(is_ref, ST["V"], V)
    is_spike = V > Vth_lif
    spike_idx = np.where(is_spike)[0]
    if len(spike_idx):
        V[spike_idx] = Vr
        is_ref[spike_idx] = 1.0
        ST["t_last_spike"][spike_idx] = _t
    ST["V"] = V
    ST["spike"] = is_spike
    ST["refractory"] = is_ref
    ST["input"] = 0.0


def lif_scalar_update(ST, _t):
    if _t - ST["t_last_spike"] > tau_ref:
        V = int_f(ST["V"], _t, ST["input"])
        if V >= Vth_lif:
            V = Vr
            ST["t_last_spike"] = _t
            ST["spike"] = True
        ST["V"] = V
    else:
        ST["spike"] = False
    ST["input"] = 0.0


def _lif_spike_steps(model, currents, duration=200.0):
    """Spike times as a boolean (steps, neurons) array: where t_last_spike changes.

    The tutorial's scalar LIF leaves `spike` at 1 after a spike (it is only
    cleared during a refractory period), so spikes are read from t_last_spike.
    """
    group = bp.NeuGroup(model, geometry=len(currents), monitors=["t_last_spike", "V"])
    group.run(duration, inputs=("ST.input", currents))
    last = group.mon.t_last_spike
    return np.diff(np.vstack([np.full((1, len(currents)), -1e7), last]), axis=0) != 0


@pytest.mark.parametrize("jit", [True, False])
def test_lif_vector_and_scalar_give_identical_spike_trains(jit):
    bp.profile.set(jit=jit, dt=0.1)
    vector = bp.NeuType(name="LIF", ST=LIF_ST, steps=lif_vector_update, mode="vector")
    scalar = bp.NeuType(name="LIF", ST=LIF_ST, steps=lif_scalar_update, mode="scalar")
    currents = np.linspace(11.0, 30.0, 8)
    sv = _lif_spike_steps(vector, currents)
    ss = _lif_spike_steps(scalar, currents)
    assert sv.sum() > 50
    # Vector mode resets when V > Vth, scalar when V >= Vth: with these currents V never
    # lands exactly on Vth, so the spike trains are identical.
    np.testing.assert_array_equal(sv, ss)


def test_lif_interspike_interval_matches_closed_form():
    bp.profile.set(dt=0.01)
    scalar = bp.NeuType(name="LIF", ST=LIF_ST, steps=lif_scalar_update, mode="scalar")
    currents = np.array([12.0, 15.0, 20.0])
    spikes = _lif_spike_steps(scalar, currents, duration=300.0)
    for k, current in enumerate(currents):
        times = np.flatnonzero(spikes[:, k]) * 0.01
        expected = tau_m * np.log(current / (current - Vth_lif))
        # forward Euler (the default method): the period is off by O(dt)
        assert np.mean(np.diff(times)) == pytest.approx(expected, abs=0.05)


def get_lif(tau_m=10.0, Vr=0.0, Vth=10.0, tau_ref=0.0):
    ST = bp.types.NeuState({"V": 0, "input": 0, "spike": 0, "refractory": 0, "t_last_spike": -1e7})

    @bp.integrate
    def int_f(V, t, Isyn):
        return (-V + Vr + Isyn) / tau_m

    if bp.profile.is_jit():

        def update(ST, _t):
            if _t - ST["t_last_spike"] > tau_ref:
                V = int_f(ST["V"], _t, ST["input"])
                if V >= Vth:
                    V = Vr
                    ST["t_last_spike"] = _t
                    ST["spike"] = True
                ST["V"] = V
            else:
                ST["spike"] = False
            ST["input"] = 0.0

        lif = bp.NeuType(name="LIF", ST=ST, steps=update, mode="scalar")
    else:

        def update(ST, _t):
            V = int_f(ST["V"], _t, ST["input"])
            is_ref = _t - ST["t_last_spike"] < tau_ref
            V = np.where(is_ref, ST["V"], V)
            is_spike = V > Vth
            spike_idx = np.where(is_spike)[0]
            if len(spike_idx):
                V[spike_idx] = Vr
                is_ref[spike_idx] = 1.0
                ST["t_last_spike"][spike_idx] = _t
            ST["V"] = V
            ST["spike"] = is_spike
            ST["refractory"] = is_ref
            ST["input"] = 0.0

        lif = bp.NeuType(name="LIF", ST=ST, steps=update, mode="vector")
    return lif


@pytest.mark.parametrize("jit", [True, False])
def test_get_lif_chooses_mode_by_jit(jit):
    bp.profile.set(jit=jit)
    lif = get_lif(tau_ref=2.0)
    assert lif.mode == ("scalar" if jit else "vector")
    assert lif.pars == {"tau_m": 10.0, "Vr": 0.0, "Vth": 10.0, "tau_ref": 2.0}
    group = bp.NeuGroup(lif, geometry=3, monitors=["V"])
    group.run(50.0, inputs=("ST.input", 15.0))
    assert group.mon.V.max() < 10.0 + 1e-9 and group.mon.V.max() > 9.0


# --- requires / satisfies -----------------------------------------------------------
def requires_update(ST, _t, data1, data2): ...


def test_requires_satisfied_at_creation_or_after():
    neu = bp.NeuType(
        "test",
        ST=bp.NeuState(),
        steps=requires_update,
        requires={"data1": bp.types.Array(dim=1), "data2": bp.types.Array(dim=2)},
    )
    group = bp.NeuGroup(neu, geometry=1, satisfies={"data1": np.zeros(10), "data2": np.ones((10, 10))})
    assert group.data1.shape == (10,) and group.data2.shape == (10, 10)
    group.run(1.0)

    group2 = bp.NeuGroup(neu, geometry=1)
    with pytest.raises(bp.errors.ModelUseError, match="requires data 'data1'"):
        group2.run(1.0)
    group2.data1 = np.zeros(10)
    group2.data2 = np.ones((10, 10))
    group2.run(1.0)
    with pytest.raises(bp.errors.TypeMismatchError, match="Array\\(dim=2\\)"):
        group2.data2 = np.ones(10)


# --- hand_overs of data and functions ----------------------------------------------
g_Na2, E_Na2, g_K2, E_K2, g_leak2, E_leak2, V_th2, noise = 120.0, 50.0, 36.0, -77.0, 0.3, -54.387, 20.0, 0.0

HO_ST = bp.types.NeuState("V", "m", "h", "n", "spike", "input")


@bp.integrate
def ho_int_V(V, _t, m, h, n, I_ext):
    I_Na = (g_Na2 * np.power(m, 3.0) * h) * (V - E_Na2)
    I_K = (g_K2 * np.power(n, 4.0)) * (V - E_K2)
    I_leak = g_leak2 * (V - E_leak2)
    dVdt = (-I_Na - I_K - I_leak + I_ext) / C
    return dVdt, noise / C


def ho_update(ST, _t):
    m = np.clip(int_m(ST["m"], _t, ST["V"]), 0.0, 1.0)
    h = np.clip(int_h(ST["h"], _t, ST["V"]), 0.0, 1.0)
    n = np.clip(int_n(ST["n"], _t, ST["V"]), 0.0, 1.0)
    V = ho_int_V(ST["V"], _t, m, h, n, ST["input"])
    spike = np.logical_and(ST["V"] < V_th2, V >= V_th2)
    ST["spike"] = spike
    ST["V"] = V
    ST["m"] = m
    ST["h"] = h
    ST["n"] = n
    ST["input"] = 0.0


def init_state(ST, Vr):
    ST["V"] = Vr
    V = ST["V"]
    alpha = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    beta = 4.0 * np.exp(-(V + 65) / 18)
    ST["m"] = alpha / (alpha + beta)
    alpha = 0.07 * np.exp(-(V + 65) / 20.0)
    beta = 1 / (1 + np.exp(-(V + 35) / 10))
    ST["h"] = alpha / (alpha + beta)
    alpha = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    beta = 0.125 * np.exp(-(V + 65) / 80)
    ST["n"] = alpha / (alpha + beta)


def test_hand_over_function_initialises_steady_state():
    HH_neu = bp.NeuType(
        name="HH_neuron", ST=HO_ST, steps=ho_update, mode="vector", hand_overs={"init_state": init_state}
    )
    group = bp.NeuGroup(HH_neu, geometry=10, monitors=["V"])
    V0 = np.random.default_rng(0).random(10) * 10 - 75.0
    group.init_state(group.ST, V0)
    np.testing.assert_allclose(group.ST["V"], V0)
    am = 0.1 * (V0 + 40) / (1 - np.exp(-(V0 + 40) / 10))
    bm = 4.0 * np.exp(-(V0 + 65) / 18)
    np.testing.assert_allclose(group.ST["m"], am / (am + bm))
    assert np.all((group.ST["m"] > 0.01) & (group.ST["m"] < 0.06))
    # The SDE with zero noise runs; released from below rest, the cells rebound
    # (anode break) and fire once, staying physiological at dt = 0.01 ms.
    bp.profile.set(dt=0.01)
    group.run(20.0)
    assert np.all((group.mon.V > -90) & (group.mon.V < 60))
    assert group.mon.V[0, 0] == pytest.approx(V0[0], abs=0.1)


LIF2_ST = bp.types.NeuState("V", "input", "spike", t_last_spike=-1e7)


def lif2_update(ST, _t, spike_num):
    V = int_f(ST["V"], _t, ST["input"])
    is_spike = V > Vth_lif
    spike_idx = np.where(is_spike)[0]
    num_sp = len(spike_idx)
    spike_num[0] += num_sp
    if num_sp > 0:
        V[spike_idx] = Vr
        ST["t_last_spike"][spike_idx] = _t
    ST["V"] = V
    ST["spike"] = is_spike
    ST["input"] = 0.0


def test_hand_over_data_counts_spikes():
    bp.profile.set(dt=0.01)
    lif2 = bp.NeuType(name="LIF", ST=LIF2_ST, steps=lif2_update, mode="vector", hand_overs={"spike_num": np.array([0])})
    group = bp.NeuGroup(lif2, geometry=10, monitors=["spike"])
    currents = np.random.default_rng(1).random(10) * 5 + 10.0
    group.run(100.0, inputs=("input", currents))
    assert group.spike_num[0] == group.mon.spike.sum()
    # each neuron: one spike per closed-form period (Euler error is well below one spike)
    period = tau_m * np.log(currents / (currents - Vth_lif))
    expected = np.floor(100.0 / period)
    per_neuron = group.mon.spike.sum(axis=0)
    assert np.all(np.abs(per_neuron - expected) <= 1)
    # a second group has its own copy
    other = bp.NeuGroup(lif2, geometry=2)
    assert other.spike_num[0] == 0
