"""brainlab.models.izhikevich: the firing classes of Izhikevich (2003), Fig. 2, under step and pulse protocols.

Protocols follow the paper and the author's published figure code: a step of
I = 10 for the cortical classes (RS, IB, CH, FS, LTS) from rest; for TC a
moderate depolarising step from -63 mV (tonic mode) and a release from a
hyperpolarisation to -87 mV (rebound burst); for RZ pairs of 4 ms pulses of
0.65 (the amplitude of the author's resonator figure) at several intervals.

Integration is forward Euler of the 2-D system. Izhikevich stepped V by two
0.5 ms halves and u by 1 ms; the firing patterns are run here at dt = 0.1 ms
(the coarsest the task allows) and at dt = 0.01 ms (converged: spike counts
within one of those at dt = 0.001 ms) and must hold at both. Spike trains are compared
through inter-spike intervals (ISIs); a "burst" is a run of spikes whose ISIs
are all below ``BURST_ISI`` (10 ms).
"""

import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import ModelDefError
from brainlab.models.izhikevich import IZHIKEVICH_PRESETS, get_Izhikevich, get_Izhikevich_preset

BURST_ISI = 10.0  # ms; intra-burst ISIs of IB and CH are 1.5-5 ms, tonic ISIs > 25 ms
STEP_ON, STEP_LEN, STEP_I = 20.0, 300.0, 10.0  # cortical protocol: 20 ms at rest, then I = 10 for 300 ms
CORTICAL = ("RS", "IB", "CH", "FS", "LTS")

# The published table (Izhikevich 2003, Fig. 2): name -> (a, b, c, d).
PUBLISHED = {
    "RS": (0.02, 0.2, -65.0, 8.0),
    "IB": (0.02, 0.2, -55.0, 4.0),
    "CH": (0.02, 0.2, -50.0, 2.0),
    "FS": (0.1, 0.2, -65.0, 2.0),
    "TC": (0.02, 0.25, -65.0, 0.05),
    "RZ": (0.1, 0.26, -65.0, 2.0),
    "LTS": (0.02, 0.25, -65.0, 2.0),
}


# -- helpers ------------------------------------------------------------------------------------------


def rest_potential(b, current=0.0):
    """Stable resting V: the lower root of 0.04 V^2 + (5 - b) V + 140 + I = 0 (V- and u-nullclines cross)."""
    p = 5.0 - b
    return (-p - np.sqrt(p * p - 4 * 0.04 * (140.0 + current))) / (2 * 0.04)


def hold_current(b, V):
    """Constant current that makes V a fixed point (on the u-nullcline u = b V)."""
    return -(0.04 * V * V + (5.0 - b) * V + 140.0)


def jacobian_at_rest(a, b):
    """Jacobian of (dV/dt, du/dt) at the resting point for I = 0."""
    V = rest_potential(b)
    return np.array([[0.08 * V + 5.0, -1.0], [a * b, -a]])


def currents(*columns):
    """Stack piecewise-constant currents (lists of (value, duration)) as one column per neuron."""
    built = [bp.inputs.constant_current(list(col)) for col in columns]
    n = max(c.shape[0] for c, _ in built)
    stacked = np.zeros((n, len(built)))
    for k, (c, _) in enumerate(built):
        stacked[: c.shape[0], k] = c  # shorter protocols end with I = 0
    return stacked


def simulate(model, current, V0, monitors=("spike",), pars=None):
    """Run one group (one neuron per column of ``current``) from V = V0, u = b V0; return net, group."""
    group = bp.NeuGroup(model, geometry=current.shape[1], monitors=list(monitors))
    for key, value in (pars or {}).items():
        group.pars[key] = value
    b = group.pars["b"]
    group.init_state(group.ST, V=V0, b=b)
    net = bp.Network(group)
    net.run(current.shape[0] * bp.profile.get_dt(), inputs=(group, "ST.input", current))
    return net, group


def spike_times(net, group, k=0):
    return net.ts[group.mon.spike[:, k] > 0]


def split_bursts(times, max_isi=BURST_ISI):
    """Group spike times into runs whose ISIs are all below ``max_isi`` (single spikes are runs of one)."""
    if len(times) == 0:
        return []
    breaks = np.flatnonzero(np.diff(times) >= max_isi) + 1
    return np.split(times, breaks)


def cv(x):
    return float(np.std(x) / np.mean(x))


# -- the cortical step protocol, at two step sizes -------------------------------------------------------


@pytest.fixture(scope="module", params=[0.1, 0.01], ids=["dt=0.1", "dt=0.01"])
def step_responses(request):
    """Spike times (ms after the current onset) of each cortical class under I = 10, starting at rest."""
    dt = request.param
    out = {}
    with bp.profile.temporary(dt=dt):
        for name in CORTICAL:
            model = get_Izhikevich_preset(name)
            current = currents([(0.0, STEP_ON), (STEP_I, STEP_LEN)])
            net, group = simulate(model, current, V0=rest_potential(model.pars["b"]))
            out[name] = spike_times(net, group) - STEP_ON
    out["dt"] = dt
    return out


def test_no_spike_at_rest_before_the_step(step_responses):
    for name in CORTICAL:
        assert step_responses[name][0] > 0.0, name


def test_rs_tonic_spiking_with_adaptation(step_responses):
    spikes = step_responses["RS"]
    isi = np.diff(spikes)
    assert 6 <= len(spikes) <= 8  # 7 spikes in 300 ms: ~23 Hz at steady state
    assert isi.min() > BURST_ISI  # single spikes only, never a burst
    # Adaptation: the first ISI is the shortest and clearly shorter than the steady one ...
    assert isi[0] == isi.min() and isi[0] < 0.6 * isi[-1]
    # ... and the interval then settles: the last ISIs agree to 1 %.
    assert np.ptp(isi[-4:]) < 0.01 * isi[-1]


def test_ib_initial_burst_then_tonic_spikes(step_responses):
    spikes = step_responses["IB"]
    bursts = split_bursts(spikes)
    first, rest = bursts[0], bursts[1:]
    assert len(first) >= 3  # the paper's IB: a burst of a few spikes at the onset
    assert np.diff(first).max() < 5.0
    assert len(rest) >= 6 and all(len(b) == 1 for b in rest)  # then single spikes only
    tonic_isi = np.diff(spikes[len(first) :])
    assert tonic_isi.min() > 25.0 > 5 * np.diff(first).max()
    assert cv(tonic_isi) < 0.05  # tonic, i.e. regular


def test_ch_repetitive_bursts(step_responses):
    bursts = split_bursts(step_responses["CH"])
    assert len(bursts) >= 5  # one burst every ~50 ms for 300 ms
    assert all(len(b) >= 4 for b in bursts)
    assert max(np.diff(b).max() for b in bursts) < 6.0  # intra-burst ISI a few ms
    onsets = np.array([b[0] for b in bursts])
    gaps = np.array([bursts[k + 1][0] - bursts[k][-1] for k in range(len(bursts) - 1)])
    assert gaps.min() > 40.0  # silent inter-burst intervals ~10x the intra-burst ISI
    assert cv(np.diff(onsets)[1:]) < 0.05  # bursts repeat regularly after the first


def test_fs_fast_spiking_with_little_adaptation(step_responses):
    fs, rs = step_responses["FS"], step_responses["RS"]
    isi = np.diff(fs)
    assert len(fs) >= 4 * len(rs)  # ~130 Hz against ~23 Hz for RS under the same current
    assert isi.min() > 3.0  # no bursts
    assert cv(isi) < 0.15  # regular ...
    assert isi[-1] / isi[0] < 2.0  # ... adapts less than RS (x2.1) and LTS (x4.6)
    assert np.ptp(isi[-10:]) < 0.05 * isi[-1]


def test_lts_high_frequency_onset_with_strong_adaptation(step_responses):
    spikes = step_responses["LTS"]
    isi = np.diff(spikes)
    assert isi[0] < 4.0  # > 250 Hz at the onset
    assert isi[-1] > 3.5 * isi[0]  # strong adaptation, stronger than FS and RS
    fs_isi = np.diff(step_responses["FS"])
    assert isi[-1] / isi[0] > 1.5 * fs_isi[-1] / fs_isi[0]
    # The ISIs lengthen gradually (each at most 1.7x the last): adaptation, not a burst then a pause as in IB.
    ratios = isi[1:] / isi[:-1]
    assert ratios.max() < 1.7
    ib_isi = np.diff(step_responses["IB"])
    assert (ib_isi[1:] / ib_isi[:-1]).max() > 5.0


def test_heterogeneous_group_reproduces_each_class(step_responses):
    """One group, one preset per neuron through ``group.pars`` arrays: the same spike trains as separate groups."""
    with bp.profile.temporary(dt=step_responses["dt"]):
        pars = {k: np.array([IZHIKEVICH_PRESETS[n][k] for n in CORTICAL]) for k in "abcd"}
        column = [(0.0, STEP_ON), (STEP_I, STEP_LEN)]
        current = currents(*[column] * len(CORTICAL))
        net, group = simulate(get_Izhikevich(), current, V0=rest_potential(pars["b"]), pars=pars)
    for k, name in enumerate(CORTICAL):
        np.testing.assert_allclose(spike_times(net, group, k) - STEP_ON, step_responses[name], err_msg=name)


# -- TC: tonic mode and rebound burst -----------------------------------------------------------------


@pytest.mark.parametrize("dt", [0.1, 0.01])
def test_tc_tonic_firing_when_depolarised_from_rest(dt):
    bp.profile.set(dt=dt)
    current = currents([(0.0, 20.0), (2.0, 300.0)])  # a moderate step from -63 mV, as in the paper
    net, group = simulate(get_Izhikevich_preset("TC"), current, V0=-63.0)
    spikes = spike_times(net, group) - 20.0
    isi = np.diff(spikes)
    assert spikes[0] > 0.0
    assert len(spikes) >= 12
    assert isi.min() > 6.0  # single spikes, no high-frequency burst at the onset
    assert spikes[-1] > 280.0  # firing lasts as long as the current
    assert np.ptp(isi[-5:]) < 0.05 * isi[-1]  # and settles to a steady rate (~50 Hz)


@pytest.mark.parametrize("dt", [0.1, 0.01])
def test_tc_rebound_burst_after_hyperpolarisation(dt):
    bp.profile.set(dt=dt)
    # Hold at -87 mV (the paper's figure) for 200 ms, then release to I = 0. RS and LTS get the same
    # protocol: the rebound burst is the TC class's, not a side effect of the protocol.
    names = ("TC", "RS", "LTS")
    holds = [hold_current(IZHIKEVICH_PRESETS[n]["b"], -87.0) for n in names]
    current = currents(*[[(0.0, 50.0), (h, 200.0), (0.0, 150.0)] for h in holds])
    pars = {k: np.array([IZHIKEVICH_PRESETS[n][k] for n in names]) for k in "abcd"}
    V0 = np.array([-63.0, rest_potential(0.2), rest_potential(0.25)])
    net, group = simulate(get_Izhikevich(), current, V0=V0, monitors=("spike", "V"), pars=pars)
    released = net.ts >= 250.0
    V_held = group.mon.V[(net.ts > 240.0) & (net.ts < 250.0)]
    np.testing.assert_allclose(V_held, -87.0, atol=0.5)

    tc = spike_times(net, group, 0)
    assert (tc >= 250.0).all()  # silent while hyperpolarised
    burst = split_bursts(tc)[0]
    assert burst[0] < 260.0  # right after the release
    assert len(burst) >= 5 and np.diff(burst)[:3].max() < 6.0
    assert (tc < 350.0).all()  # transient: silent again at the end
    assert not group.mon.spike[released & (net.ts >= 350.0)].any()
    for k in (1, 2):
        assert len(spike_times(net, group, k)) <= 2, names[k]


# -- RZ: resonance --------------------------------------------------------------------------------------


def test_rz_rest_is_a_damped_oscillator_and_rs_rest_is_not():
    eig_rz = np.linalg.eigvals(jacobian_at_rest(0.1, 0.26))
    eig_rs = np.linalg.eigvals(jacobian_at_rest(0.02, 0.2))
    assert np.all(eig_rz.real < 0) and np.all(eig_rz.imag != 0)  # stable focus: period 2 pi / omega ~ 41 ms
    assert np.all(eig_rs.real < 0) and np.all(eig_rs.imag == 0)  # stable node: an integrator


@pytest.mark.parametrize("dt", [0.1, 0.01])
def test_rz_subthreshold_oscillation_matches_linearisation(dt):
    bp.profile.set(dt=dt)
    a, b = IZHIKEVICH_PRESETS["RZ"]["a"], IZHIKEVICH_PRESETS["RZ"]["b"]
    lam = np.linalg.eigvals(jacobian_at_rest(a, b))[0]
    period, decay = 2 * np.pi / abs(lam.imag), lam.real
    V_rest = rest_potential(b)
    current = currents([(0.0, 20.0), (0.65, 4.0), (0.0, 280.0)])  # one brief subthreshold pulse
    net, group = simulate(get_Izhikevich_preset("RZ"), current, V0=V_rest, monitors=("spike", "V"))
    assert not group.mon.spike.any()
    dV = group.mon.V[:, 0] - V_rest
    peaks = np.flatnonzero((dV[1:-1] > dV[:-2]) & (dV[1:-1] >= dV[2:])) + 1
    peaks = peaks[dV[peaks] > 1e-6]  # the ringing, not rounding noise at rest
    assert len(peaks) >= 4
    # Later peaks (small amplitude: linear regime) are one period apart and shrink by exp(Re(lambda) T).
    intervals = np.diff(net.ts[peaks])[1:]
    np.testing.assert_allclose(intervals, period, rtol=0.015)
    ratios = dV[peaks][2:] / dV[peaks][1:-1]
    np.testing.assert_allclose(ratios, np.exp(decay * period), rtol=0.1)


@pytest.mark.parametrize("dt", [0.1, 0.01])
def test_rz_fires_only_for_pulse_pairs_at_the_resonant_interval(dt):
    """Two subthreshold pulses: RZ fires when the second arrives one period (~41 ms) after the first.

    At half a period (20 ms) the second pulse meets the trough of the ringing left by the first, at
    1.5 periods (60 ms) the next trough, and by 80 ms the ringing has died out (decay time 20 ms): none
    of these fires, while the 41 ms pair, farther apart than the 20 and 30 ms pairs, does. Firing thus
    depends on the interval non-monotonically. An integrator (RS, whose rest has real eigenvalues)
    under the same protocol fires only for the closest pair: for it, closer is always stronger.
    """
    bp.profile.set(dt=dt)
    gaps = (None, 20.0, 30.0, 41.0, 60.0, 80.0)

    def pair(amplitude, gap):
        second = [] if gap is None else [(0.0, gap - 4.0), (amplitude, 4.0)]
        return [(0.0, 20.0), (amplitude, 4.0), *second, (0.0, 150.0)]

    rz_current = currents(*[pair(0.65, g) for g in gaps])
    _, group = simulate(get_Izhikevich_preset("RZ"), rz_current, V0=rest_potential(0.26))
    fired = group.mon.spike.sum(axis=0)
    assert fired.tolist() == [0, 0, 0, 1, 0, 0]

    rs_gaps = (None, 5.0, 20.0, 41.0)
    rs_current = currents(*[pair(5.0, g) for g in rs_gaps])
    _, group = simulate(get_Izhikevich_preset("RS"), rs_current, V0=rest_potential(0.2))
    assert group.mon.spike.sum(axis=0).tolist() == [0, 1, 0, 0]


# -- API: presets, parameters, modes ----------------------------------------------------------------


def test_presets_are_the_published_table():
    assert list(IZHIKEVICH_PRESETS) == list(PUBLISHED)
    for name, (a, b, c, d) in PUBLISHED.items():
        assert dict(IZHIKEVICH_PRESETS[name]) == {"a": a, "b": b, "c": c, "d": d}
        model = get_Izhikevich_preset(name)
        assert model.name == f"Izhikevich_{name}"
        assert model.pars == {"a": a, "b": b, "c": c, "d": d, "V_th": 30.0}
    assert get_Izhikevich().pars == get_Izhikevich_preset("rs").pars  # the defaults are RS
    with pytest.raises(TypeError):
        IZHIKEVICH_PRESETS["RS"]["a"] = 0.1  # read-only


def test_unknown_preset_names_the_valid_ones():
    with pytest.raises(ModelDefError, match=r"'XY'.*RS, IB, CH, FS, TC, RZ, LTS"):
        get_Izhikevich_preset("XY")


def test_keywords_override_a_preset():
    model = get_Izhikevich_preset("CH", d=3.0, V_th=25.0, name="chatter")
    assert model.name == "chatter"
    assert model.pars == {"a": 0.02, "b": 0.2, "c": -50.0, "d": 3.0, "V_th": 25.0}


def test_unknown_mode_is_refused():
    with pytest.raises(ModelDefError, match="mode"):
        get_Izhikevich(mode="matrix")


def test_initial_state_and_init_state():
    group = bp.NeuGroup(get_Izhikevich_preset("TC"), geometry=3)
    np.testing.assert_allclose(group.ST["V"], -65.0)
    np.testing.assert_allclose(group.ST["u"], 0.25 * -65.0)
    group.ST["spike"] = 1.0
    group.init_state(group.ST, V=np.array([-70.0, -63.0, -60.0]))
    np.testing.assert_allclose(group.ST["u"], 0.25 * np.array([-70.0, -63.0, -60.0]))
    assert (group.ST["spike"] == 0).all() and (group.ST["t_last_spike"] < -1e6).all()
    group.init_state(group.ST, V=-70.0, b=0.2)
    np.testing.assert_allclose(group.ST["u"], -14.0)


def test_changed_pars_take_effect_without_recompiling():
    """An RS group becomes CH through ``group.pars`` (c, d): bursts appear, and the kernel is reused."""
    bp.profile.set(dt=0.1)
    current = currents([(0.0, STEP_ON), (STEP_I, STEP_LEN)])
    group = bp.NeuGroup(get_Izhikevich_preset("RS"), geometry=1, monitors=["spike"])
    net = bp.Network(group)
    group.init_state(group.ST, V=rest_potential(0.2))
    net.run(STEP_ON + STEP_LEN, inputs=(group, "ST.input", current))
    assert len(split_bursts(spike_times(net, group))) == len(spike_times(net, group))  # RS: no bursts
    first_count = net.compile_count

    group.pars["c"], group.pars["d"] = -50.0, 2.0
    group.init_state(group.ST, V=rest_potential(0.2))
    info = net.run(STEP_ON + STEP_LEN, inputs=(group, "ST.input", current))
    assert not info.compiled and net.compile_count == first_count
    bursts = split_bursts(spike_times(net, group))
    assert len(bursts) >= 5 and all(len(b) >= 4 for b in bursts)  # CH


def test_spike_bookkeeping_and_input_reset():
    bp.profile.set(dt=0.1)
    current = currents([(0.0, STEP_ON), (STEP_I, 100.0)])
    net, group = simulate(get_Izhikevich_preset("RS"), current, V0=-70.0, monitors=("spike", "V", "input"))
    spikes = spike_times(net, group)
    assert set(np.unique(group.mon.spike)) == {0.0, 1.0}
    assert group.ST["t_last_spike"][0] == pytest.approx(spikes[-1])
    assert (group.mon.V < 30.0).all()  # reset within the step of the spike
    np.testing.assert_allclose(group.mon.V[group.mon.spike[:, 0] > 0, 0], -65.0)  # V <- c
    assert (group.mon.input == 0).all()  # consumed and cleared within every step
    assert group.ST["input"][0] == 0.0


def test_vector_mode_matches_scalar_mode():
    bp.profile.set(dt=0.1)
    current = currents([(0.0, 10.0), (10.0, 100.0)], [(0.0, 10.0), (5.0, 100.0)])
    runs = []
    for mode in ("scalar", "vector"):
        _, group = simulate(get_Izhikevich_preset("CH", mode=mode), current, V0=-70.0, monitors=("spike", "V", "u"))
        runs.append((group.mon.spike.copy(), group.mon.V.copy(), group.mon.u.copy()))
    assert runs[0][0].sum() > 10
    for scalar, vector in zip(*runs, strict=True):
        np.testing.assert_allclose(vector, scalar, rtol=1e-12, atol=1e-12)


def test_method_follows_the_profile_and_rk4_gives_the_same_pattern():
    bp.profile.set(dt=0.01, numerical_method="rk4")
    model = get_Izhikevich_preset("IB")  # method=None: the profile's method when the factory is called
    bp.profile.set(numerical_method="euler")
    current = currents([(0.0, STEP_ON), (STEP_I, STEP_LEN)])
    counts, traces = [], []
    for m in (model, get_Izhikevich_preset("IB", method="euler")):
        net, group = simulate(m, current, V0=rest_potential(0.2), monitors=("spike", "V"))
        counts.append([len(b) for b in split_bursts(spike_times(net, group))])
        upstroke = (net.ts >= STEP_ON) & (net.ts < STEP_ON + 2.0)  # before the first spike: smooth, comparable
        traces.append(group.mon.V[upstroke, 0].copy())
    assert not np.array_equal(traces[0], traces[1])  # RK4 really was used for the first model
    np.testing.assert_allclose(traces[0], traces[1], atol=0.05)
    assert counts[0] == counts[1]
    assert counts[0][0] >= 3 and set(counts[0][1:]) == {1}
