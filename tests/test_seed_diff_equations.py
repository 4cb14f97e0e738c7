"""The seed's "Differential Equations" forms inside compiled step functions, and "Debugging"."""

import numpy as np
import pytest

import brainlab as bp

gNa, ENa, gK, EK, gLeak, ELeak, C = 120.0, 50.0, 36.0, -77.0, 0.3, -54.387, 1.0
noise = 0.5


@bp.integrate(method="euler")
def int_V_sde(V, t, m, h, n, Iext):
    INa = gNa * m**3 * h * (V - ENa)
    IK = gK * n**4 * (V - EK)
    IL = gLeak * (V - ELeak)
    f = (-INa - IK - IL + Iext) / C
    g = noise / C
    return (f, g), INa, IK, IL


@bp.integrate(method="rk4")
def int_V_ode(V, t, m, h, n, Iext):
    INa = gNa * m**3 * h * (V - ENa)
    IK = gK * n**4 * (V - EK)
    IL = gLeak * (V - ELeak)
    f = (-INa - IK - IL + Iext) / C
    return (f,), INa


ST = bp.types.NeuState({"V": -65.0, "m": 0.05, "h": 0.6, "n": 0.32, "INa": 0.0, "IK": 0.0, "IL": 0.0, "input": 0.0})


def sde_update(ST, _t):
    V, INa, IK, IL = int_V_sde(ST["V"], _t, ST["m"], ST["h"], ST["n"], ST["input"])
    ST["INa"] = INa
    ST["IK"] = IK
    ST["IL"] = IL
    ST["V"] = V
    ST["input"] = 0.0


def ode_update(ST, _t):
    res = int_V_ode(ST["V"], _t, ST["m"], ST["h"], ST["n"], ST["input"])
    ST["V"] = res[0]
    ST["INa"] = res[1]
    ST["input"] = 0.0


@pytest.mark.parametrize("mode", ["vector", "scalar"])
@pytest.mark.parametrize("jit", [True, False])
def test_intermediate_values_reach_the_state(mode, jit):
    bp.profile.set(jit=jit, dt=0.01)
    model = bp.NeuType(name="HHpart", ST=ST, steps=ode_update, mode=mode)
    group = bp.NeuGroup(model, 2, monitors=["V", "INa"])
    group.run(0.02)
    V0 = -65.0
    INa0 = gNa * 0.05**3 * 0.6 * (V0 - ENa)
    assert group.mon.INa[0, 0] == pytest.approx(INa0)  # the current at the start of the step

    # one RK4 step of the frozen-gates equation, by hand
    def f(v):
        return (-gNa * 0.05**3 * 0.6 * (v - ENa) - gK * 0.32**4 * (v - EK) - gLeak * (v - ELeak)) / C

    h = 0.01
    k1 = f(V0)
    k2 = f(V0 + h / 2 * k1)
    k3 = f(V0 + h / 2 * k2)
    k4 = f(V0 + h * k3)
    assert group.mon.V[0, 1] == pytest.approx(V0 + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), rel=1e-14)


@pytest.mark.parametrize("mode", ["vector", "scalar"])
def test_sde_with_intermediates_has_the_right_noise(mode):
    bp.profile.set(dt=0.01)
    model = bp.NeuType(name="HHnoise", ST=ST, steps=sde_update, mode=mode)
    group = bp.NeuGroup(model, 4000, monitors=["V", "IL"])
    group.run(0.01)
    V1 = group.mon.V[0]
    # Euler–Maruyama: the spread after one step is noise/C * sqrt(dt)
    assert np.std(V1) == pytest.approx(noise / C * np.sqrt(0.01), rel=0.05)
    assert np.allclose(group.mon.IL[0], gLeak * (-65.0 - ELeak))
    assert len(np.unique(V1)) > 3900  # independent draws per neuron


# --- Debugging ----------------------------------------------------------------------
def debug_update(ST, _t):
    V = int_V_ode(ST["V"], _t, ST["m"], ST["h"], ST["n"], ST["input"])[0]
    pdb.set_trace()
    ST["V"] = V


import pdb  # noqa: E402


def test_show_code_prints_the_generated_kernel(capsys):
    bp.profile.set(show_code=True, jit=False)
    model = bp.NeuType(name="HHdbg", ST=ST, steps=ode_update, mode="vector")
    group = bp.NeuGroup(model, 1, monitors=["V"])
    group.run(0.1, inputs=("input", 10.0))
    out = capsys.readouterr().out
    assert "def o0_ode_update(ST, _t, _dt, C, EK, ELeak, ENa, gK, gLeak, gNa):" in out
    assert "ST[0] = res[0]" in out
    assert "def kernel(" in out and "o0_STflat[7, _k] += o0_in0" in out
    assert "def i0_int_V_ode(" in out  # the integrator step


def test_pdb_set_trace_works_with_jit_false(monkeypatch):
    bp.profile.set(jit=False, dt=0.01)
    seen = []

    def fake_set_trace():
        import sys

        frame = sys._getframe(1)
        seen.append((frame.f_code.co_name, dict(frame.f_locals)))

    monkeypatch.setattr(pdb, "set_trace", fake_set_trace)
    model = bp.NeuType(name="HHdbg", ST=ST, steps=debug_update, mode="vector")
    group = bp.NeuGroup(model, 1, monitors=["V"])
    group.run(0.05, inputs=("input", 10.0))
    assert len(seen) == 5  # once per step
    name, local = seen[0]
    assert name == "o0_debug_update"
    assert local["V"].shape == (1,) and local["ST"].shape == (len(ST), 1)


def test_pdb_with_jit_true_explains_the_fix():
    bp.profile.set(jit=True)
    model = bp.NeuType(name="HHdbg", ST=ST, steps=debug_update, mode="vector")
    group = bp.NeuGroup(model, 1)
    with pytest.raises(bp.errors.ModelUseError, match=r"pdb.set_trace\(\).*jit=False"):
        group.run(0.1)


def test_show_code_scope_prints_kernel_arguments(capsys):
    bp.profile.set(show_code_scope=True)
    model = bp.NeuType(name="HHdbg", ST=ST, steps=ode_update, mode="vector")
    group = bp.NeuGroup(model, 3)
    group.run(0.1)
    out = capsys.readouterr().out
    assert "o0_ST" in out and "array(8, 3) float64" in out and "o0_p_gNa" in out


PDB_SCRIPT = """
import pdb
import numpy as np
import brainlab as bp

bp.profile.set(jit=False)
tau = 10.0


@bp.integrate
def int_v(V, t, I):
    return (-V + I) / tau


def update(ST, _t):
    V = int_v(ST['V'], _t, ST['input'])
    pdb.set_trace()
    ST['V'] = V


model = bp.NeuType(name='dbg', ST=bp.types.NeuState(['V', 'input']), steps=update)
group = bp.NeuGroup(model, 3)
group.run(1.0, inputs=('input', 10.0))
"""


@pytest.mark.subprocess
def test_real_pdb_session_inside_a_step_function(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "debug_me.py"
    script.write_text(PDB_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script)], input="p V\np ST.shape\nq\n", capture_output=True, text=True, timeout=120
    )
    assert "array([0.1, 0.1, 0.1])" in result.stdout  # one Euler step of (-V + 10) / 10 from 0
    assert "(2, 3)" in result.stdout
    assert "BdbQuit" in result.stderr
