"""Validation of the neuron models against published values, closed forms and reference solutions."""

import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import brainlab as bp
from brainlab.integrators import method_names
from brainlab.models.conductance import get_HH, get_MorrisLecar, get_WangBuzsaki, hh_steady_state
from brainlab.models.integrate_fire import get_AdExIF, get_ExpIF, get_LIF, get_QuaIF
from brainlab.models.oscillators import get_FitzHughNagumo, get_HindmarshRose


def test_hh_resting_potential():
    bp.profile.set(dt=0.01, numerical_method="exponential")
    group = bp.NeuGroup(get_HH(), 2, monitors=["V"])
    group.init_state(group.ST, np.array([-70.0, -60.0]))
    group.run(300.0)
    np.testing.assert_allclose(group.ST["V"], -65.0, atol=0.05)
    # the hand-over put the gates at their steady state
    fresh = bp.NeuGroup(get_HH(), 1)
    fresh.init_state(fresh.ST, -65.0)
    np.testing.assert_allclose([fresh.ST["m"][0], fresh.ST["h"][0], fresh.ST["n"][0]], hh_steady_state(-65.0))


def _hh_reference_rate(current, t_end=1100.0, t_start=100.0):
    def rhs(t, y):
        V, m, h, n = y
        am, bm = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)), 4.0 * np.exp(-(V + 65) / 18)
        ah, bh = 0.07 * np.exp(-(V + 65) / 20), 1 / (1 + np.exp(-(V + 35) / 10))
        an, bn = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)), 0.125 * np.exp(-(V + 65) / 80)
        dV = -120 * m**3 * h * (V - 50) - 36 * n**4 * (V + 77) - 0.3 * (V + 54.387) + current
        return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]

    def crossing(t, y):
        return y[0] - 20.0

    crossing.direction = 1
    y0 = [-65.0, *hh_steady_state(-65.0)]
    sol = solve_ivp(rhs, (0, t_end), y0, method="DOP853", rtol=1e-9, atol=1e-11, events=crossing)
    return _steady_rate(sol.t_events[0], t_start)


def _steady_rate(times, t_start):
    """Firing rate (Hz) as the inverse mean inter-spike interval after the transient."""
    times = times[times >= t_start]
    return 1000.0 / np.mean(np.diff(times)) if len(times) > 2 else 0.0


@pytest.mark.parametrize("current", [7.0, 10.0, 15.0, 20.0])
def test_hh_firing_rate_matches_solve_ivp(current):
    # Each gate has its own integrator (the seed's form): the splitting error is first order,
    # about 0.05 Hz per 0.001 ms of dt here, so dt = 0.005 ms keeps it well inside 0.5 Hz.
    bp.profile.set(dt=0.005, numerical_method="rk4")
    group = bp.NeuGroup(get_HH(), 1, monitors=["spike"])
    group.run(1100.0, inputs=("ST.input", current))
    rate = _steady_rate(np.flatnonzero(group.mon.spike[:, 0]) * 0.005, 100.0)
    assert rate > 50.0  # repetitive firing above the bistable range
    assert rate == pytest.approx(_hh_reference_rate(current), abs=0.5)


@pytest.mark.parametrize(("method", "dt"), [("exponential", 0.1), ("rk4", 0.1), ("euler", 0.01)])
def test_lif_interspike_interval_has_the_closed_form(method, dt):
    bp.profile.set(dt=dt)
    tau, R, current, V_rest, V_th, t_ref = 10.0, 1.0, 25.0, 0.0, 20.0, 5.0
    model = get_LIF(V_rest=V_rest, V_reset=V_rest, V_th=V_th, R=R, tau=tau, t_refractory=t_ref, method=method)
    group = bp.NeuGroup(model, 1, monitors=["spike"])
    group.run(300.0, inputs=("ST.input", current))
    times = np.flatnonzero(group.mon.spike[:, 0]) * dt
    expected = t_ref + tau * np.log(R * current / (R * current - (V_th - V_rest)))
    assert len(times) > 10
    np.testing.assert_allclose(np.diff(times), expected, atol=dt + 1e-9)


def test_exact_integrator_agrees_across_step_sizes():
    """Exponential Euler is exact for the LIF's linear equation: dt and dt/2 agree to 1e-9."""
    traces = []
    for dt in (0.1, 0.05):
        bp.profile.set(dt=dt)
        group = bp.NeuGroup(get_LIF(V_th=1e9, method="exponential"), 1, monitors=["V"])
        current = bp.inputs.constant_current([(5.0, 20.0), (3.0, 30.0), (-2.0, 50.0)], dt=dt)[0]
        group.run(100.0, inputs=("ST.input", current, "="))
        traces.append(group.mon.V[:, 0])
    np.testing.assert_allclose(traces[0], traces[1][1::2], rtol=0, atol=1e-9)


def test_wang_buzsaki_rheobase():
    bp.profile.set(dt=0.01, numerical_method="rk4")
    analyzer = bp.BifurcationAnalyzer(
        get_WangBuzsaki(), {"I_ext": [0.0, 0.5]}, {"V": [-80.0, 0.0], "h": [0.0, 1.0], "n": [0.0, 1.0]},
        par_resolution=0.005,
    )  # fmt: skip
    folds = analyzer.codim1().points("fold")
    rheobase = min(p.pars["I_ext"] for p in folds)  # the rest state disappears in a saddle-node (type I)
    assert rheobase == pytest.approx(0.16, abs=0.01)
    group = bp.NeuGroup(get_WangBuzsaki(), 2, monitors=["spike"])
    group.run(2000.0, inputs=("ST.input", np.array([rheobase - 0.005, rheobase + 0.005])))
    spikes = group.mon.spike.sum(axis=0)
    assert spikes[0] == 0 and spikes[1] > 0


# --- every model, every ODE method, dt and dt/2 --------------------------------------------------------
PROTOCOLS = {
    # model: (factory, current, dt, duration)
    "LIF": (get_LIF, 25.0, 0.05, 1000.0),
    "QuaIF": (get_QuaIF, 10.0, 0.02, 2000.0),
    "ExpIF": (get_ExpIF, 2.0, 0.01, 500.0),
    "AdExIF": (get_AdExIF, 800.0, 0.01, 2000.0),
    "HH": (get_HH, 10.0, 0.01, 700.0),
    "WangBuzsaki": (get_WangBuzsaki, 1.0, 0.01, 600.0),
    "MorrisLecar": (get_MorrisLecar, 100.0, 0.02, 4000.0),
    "FitzHughNagumo": (get_FitzHughNagumo, 0.8, 0.01, 3000.0),
    "HindmarshRose": (get_HindmarshRose, 3.0, 0.005, 2000.0),
    "Izhikevich": (bp.models.get_Izhikevich, 10.0, 0.01, 2000.0),
}
ODE_METHODS = [m for m in method_names() if not m.startswith("milstein")]  # Milstein is Euler on ODEs
# AdEx's upstroke is explosive: the trial stages of 3- and 4-stage methods overshoot into exp() overflow.
UNSUPPORTED = {"AdExIF": {"rk3", "rk4", "rk4_alternative"}}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_every_method_agrees_at_dt_and_half_dt(name):
    factory, current, dt, duration = PROTOCOLS[name]
    methods = [m for m in ODE_METHODS if m not in UNSUPPORTED.get(name, set())]
    rates = {}
    for step in (dt, dt / 2):
        bp.profile.set(dt=step)
        # fresh groups: a rerun would restart the clock at 0 with the last spike times kept
        groups = [bp.NeuGroup(factory(method=m), 1, monitors=["spike"], name=f"{name}_{m}") for m in methods]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            bp.Network(*groups).run(duration, inputs=[(g, "ST.input", current) for g in groups])
        rates[step] = np.array([g.mon.spike.sum() for g in groups]) / (duration / 1000.0)
    assert np.all(rates[dt] * duration / 1000.0 >= 20), "the protocol must give enough spikes to compare rates"
    np.testing.assert_allclose(rates[dt], rates[dt / 2], rtol=0.05)
    np.testing.assert_allclose(rates[dt / 2], np.median(rates[dt / 2]), rtol=0.05)  # methods agree too


def test_unsupported_methods_are_documented():
    assert "rk4" in get_AdExIF.__doc__ and "euler" in get_AdExIF.__doc__


# --- the library is analysable: its equations have a symbolic form ------------------------------
PLANES = {
    # model: (factory, target_vars, fixed_vars)
    "LIF": (get_LIF, {"V": [-10.0, 30.0]}, {"I_ext": 0.0}),
    "QuaIF": (get_QuaIF, {"V": [-80.0, -40.0]}, {"I_ext": 0.0}),
    "ExpIF": (get_ExpIF, {"V": [-80.0, -40.0]}, {"I_ext": 0.0}),
    "AdExIF": (get_AdExIF, {"V": [-80.0, -40.0], "w": [-100.0, 200.0]}, {"I_ext": 0.0}),
    "Izhikevich": (bp.models.get_Izhikevich, {"V": [-90.0, 30.0], "u": [-30.0, 10.0]}, {"I_ext": 0.0}),
    "HH": (get_HH, {"V": [-90.0, 40.0], "n": [0.0, 1.0]}, {"m": 0.053, "h": 0.596, "I_ext": 0.0}),
    "WangBuzsaki": (get_WangBuzsaki, {"V": [-90.0, 40.0], "n": [0.0, 1.0]}, {"h": 0.8, "I_ext": 0.0}),
    "MorrisLecar": (get_MorrisLecar, {"V": [-80.0, 60.0], "W": [0.0, 1.0]}, {"I_ext": 0.0}),
    "FitzHughNagumo": (get_FitzHughNagumo, {"V": [-3.0, 3.0], "w": [-3.0, 3.0]}, {"I_ext": 0.0}),
    "HindmarshRose": (get_HindmarshRose, {"V": [-3.0, 3.0], "y": [-20.0, 3.0]}, {"z": 0.0, "I_ext": 0.0}),
}


@pytest.mark.parametrize("name", sorted(PLANES))
def test_every_neuron_has_a_phase_plane(name):
    factory, targets, fixed = PLANES[name]
    analyzer = bp.PhasePortraitAnalyzer(factory(), target_vars=targets, fixed_vars=fixed)
    points = analyzer.fixed_points()
    assert points, f"{name} has a resting state at zero input"
    assert any(p.is_stable for p in points)
    if name == "LIF":
        assert points[0].values["V"] == pytest.approx(0.0, abs=1e-9)
    if name == "QuaIF":  # rest at V_rest (stable) and the threshold at V_c (unstable)
        assert [round(p.values["V"], 9) for p in points] == [-65.0, -50.0]
        assert [p.stability for p in points] == ["stable-point", "unstable-point"]


def test_init_state_hand_overs_put_gates_at_steady_state():
    V = np.array([-70.0, -65.0, -60.0])
    ml = bp.NeuGroup(get_MorrisLecar(), 3)
    ml.init_state(ml.ST, V)
    np.testing.assert_allclose(ml.ST["W"], 0.5 * (1 + np.tanh((V - 2.0) / 30.0)), rtol=1e-12)
    wb = bp.NeuGroup(get_WangBuzsaki(), 3)
    wb.init_state(wb.ST, V)
    ah, bh = 0.07 * np.exp(-(V + 58) / 20), 1 / (np.exp(-0.1 * (V + 28)) + 1)
    an, bn = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1), 0.125 * np.exp(-(V + 44) / 80)
    np.testing.assert_allclose(wb.ST["h"], ah / (ah + bh), rtol=1e-12)
    np.testing.assert_allclose(wb.ST["n"], an / (an + bn), rtol=1e-12)
    np.testing.assert_array_equal(wb.ST["V"], V)
