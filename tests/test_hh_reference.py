"""A Hodgkin–Huxley neuron against a SciPy reference solution of the same equations."""

import numpy as np
import pytest
from dynamics_models import hh_rates
from scipy.integrate import solve_ivp

import brainlab as bp
from brainlab.models import get_HH

C, g_Na, E_Na, g_K, E_K, g_L, E_L, V_th = 1.0, 120.0, 50.0, 36.0, -77.0, 0.3, -54.387, 20.0


def reference_spike_times(I_ext, t_end, y0):
    def rhs(t, y):
        V, m, h, n = y
        am, bm, ah, bh, an, bn = hh_rates(V)
        dV = (-g_Na * m**3 * h * (V - E_Na) - g_K * n**4 * (V - E_K) - g_L * (V - E_L) + I_ext) / C
        return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]

    def crossing(t, y):
        return y[0] - V_th

    crossing.direction = 1
    sol = solve_ivp(rhs, (0, t_end), y0, method="DOP853", rtol=1e-9, atol=1e-11, events=crossing)
    return sol.t_events[0]


@bp.integrate(method="rk4")
def int_hh(y, t, Isyn):
    """The four HH equations as one system: y stacks (V, m, h, n)."""
    V, m, h, n = y[0], y[1], y[2], y[3]
    am = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    bm = 4.0 * np.exp(-(V + 65) / 18)
    ah = 0.07 * np.exp(-(V + 65) / 20.0)
    bh = 1 / (1 + np.exp(-(V + 35) / 10))
    an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    bn = 0.125 * np.exp(-(V + 65) / 80)
    dV = (-g_Na * m**3 * h * (V - E_Na) - g_K * n**4 * (V - E_K) - g_L * (V - E_L) + Isyn) / C
    return np.stack((dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n))


def coupled_update(ST, _t):
    y = int_hh(np.stack((ST["V"], ST["m"], ST["h"], ST["n"])), _t, ST["input"])
    ST["spike"] = np.logical_and(ST["V"] < V_th, y[0] >= V_th)
    ST["V"] = y[0]
    ST["m"] = y[1]
    ST["h"] = y[2]
    ST["n"] = y[3]
    ST["input"] = 0.0


def coupled_model():
    return bp.NeuType(name="HH", ST=bp.types.NeuState(["V", "m", "h", "n", "spike", "input"]), steps=coupled_update)


def tutorial_model():
    """The tutorial's form: one RK4 integrator per variable (tests/dynamics_models.py)."""
    bp.profile.set(numerical_method="rk4")
    return get_HH(C, g_Na, E_Na, g_K, E_K, g_L, E_L, V_th)


def simulated_spike_times(model, I_ext, t_end, dt):
    bp.profile.set(dt=dt)
    group = bp.NeuGroup(model, 2, monitors=["V"])
    V0 = -65.0
    am, bm, ah, bh, an, bn = hh_rates(V0)
    y0 = [V0, am / (am + bm), ah / (ah + bh), an / (an + bn)]
    for key, value in zip(["V", "m", "h", "n"], y0, strict=True):
        group.ST[key] = value
    group.run(t_end, inputs=("ST.input", I_ext))
    V = group.mon.V[:, 0]
    ts = group.mon.ts + dt  # the monitor holds V at the end of each step
    k = np.flatnonzero((V[:-1] < V_th) & (V[1:] >= V_th))
    # threshold crossings, interpolated with a cubic through four samples
    times = []
    for i in k:
        window = slice(i - 1, i + 3)
        coeffs = np.polyfit(ts[window] - ts[i], V[window] - V_th, 3)
        roots = [r.real for r in np.roots(coeffs) if abs(r.imag) < 1e-12 and 0 <= r.real <= dt]
        times.append(ts[i] + roots[0])
    return np.array(times), y0


@pytest.mark.parametrize("I_ext", [10.0, 20.0])
def test_hh_rk4_spike_times_match_solve_ivp(I_ext):
    """The coupled system with RK4 at dt = 0.01 ms: spike times within 0.05 ms of the reference."""
    ours, y0 = simulated_spike_times(coupled_model(), I_ext, 100.0, 0.01)
    reference = reference_spike_times(I_ext, 100.0, y0)
    assert len(ours) == len(reference) >= 5
    np.testing.assert_allclose(ours, reference, atol=0.05)
    assert np.max(np.abs(ours - reference)) < 1e-3  # fourth order: far inside the tolerance


def test_hh_tutorial_splitting_converges_at_first_order():
    """The tutorial's form integrates each variable with the others frozen over the step.

    Each integrator is RK4, but the splitting makes the scheme first order: halving
    dt halves the spike-time error.
    """
    reference = None
    errors = []
    for dt in (0.02, 0.01, 0.005):
        ours, y0 = simulated_spike_times(tutorial_model(), 10.0, 60.0, dt)
        if reference is None:
            reference = reference_spike_times(10.0, 60.0, y0)
        assert len(ours) == len(reference)
        errors.append(np.max(np.abs(ours - reference)))
    assert errors[0] / errors[1] == pytest.approx(2.0, rel=0.15)
    assert errors[1] / errors[2] == pytest.approx(2.0, rel=0.15)
