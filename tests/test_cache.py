"""Generated kernels are cached on disk: a fresh process reuses the machine code."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import brainlab as bp

GAMMA_SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    import numpy as np
    import brainlab as bp

    warnings.simplefilter("ignore")
    bp.profile.set(dt=0.04, numerical_method="exponential")
    V_th, gNa, ENa, gK, EK, gL, EL, phi = 0.0, 35.0, 55.0, 9.0, -90.0, 0.1, -65.0, 5.0

    @bp.integrate
    def int_h(h, t, V):
        alpha = 0.07 * np.exp(-(V + 58) / 20)
        beta = 1 / (np.exp(-0.1 * (V + 28)) + 1)
        return phi * (alpha * (1 - h) - beta * h)

    @bp.integrate
    def int_n(n, t, V):
        alpha = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1)
        beta = 0.125 * np.exp(-(V + 44) / 80)
        return phi * (alpha * (1 - n) - beta * n)

    @bp.integrate
    def int_V(V, t, h, n, Isyn):
        m_alpha = -0.1 * (V + 35) / (np.exp(-0.1 * (V + 35)) - 1)
        m_beta = 4 * np.exp(-(V + 60) / 18)
        m = m_alpha / (m_alpha + m_beta)
        return -gNa * m ** 3 * h * (V - ENa) - gK * n ** 4 * (V - EK) - gL * (V - EL) + Isyn

    def update(ST, _t):
        h = int_h(ST['h'], _t, ST['V'])
        n = int_n(ST['n'], _t, ST['V'])
        V = int_V(ST['V'], _t, ST['h'], ST['n'], ST['input'])
        ST['spike'] = np.logical_and(ST['V'] < V_th, V >= V_th)
        ST['V'] = V
        ST['h'] = h
        ST['n'] = n
        ST['input'] = 0.

    HH = bp.NeuType(ST=bp.types.NeuState({'V': -55., 'h': 0., 'n': 0., 'spike': 0., 'input': 0.}),
                    name='HH', steps=update)
    g_max, E, alpha, beta = 0.1, -75.0, 12.0, 0.1

    @bp.integrate
    def int_s(s, t, TT):
        return alpha * TT * (1 - s) - beta * s

    def syn_update(ST, _t, pre):
        ST['s'] = int_s(ST['s'], _t, 1 / (1 + np.exp(-(pre['V'] - V_th) / 2)))

    @bp.delayed
    def output(ST, post):
        post['input'] -= g_max * ST['s'] * (post['V'] - E)

    GABAa = bp.SynType(ST=bp.types.SynState(['s']), name='GABAa', steps=(syn_update, output), mode='scalar')
    neu = bp.NeuGroup(HH, geometry=int(sys.argv[1]), monitors=['spike'])
    syn = bp.SynConn(GABAa, pre_group=neu, post_group=neu, conn=bp.connect.All2All(include_self=False), delay=0.52)
    net = bp.Network(neu, syn)
    info = net.run(20.0, inputs=[neu, 'ST.input', 1.2])
    print(json.dumps({"compiled": info.compiled, "cache_hit": info.cache_hit, "compile_s": info.compile_s,
                      "spikes": float(neu.mon.spike.sum())}))
    """
)


def _run(script: Path, cache: Path, num: int) -> dict:
    env = dict(os.environ, BRAINLAB_CACHE_DIR=str(cache))
    result = subprocess.run(
        [sys.executable, str(script), str(num)], env=env, capture_output=True, text=True, timeout=600, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.subprocess
def test_second_process_loads_the_kernel_from_the_cache(tmp_path):
    script = tmp_path / "gamma.py"
    script.write_text(GAMMA_SCRIPT)
    cache = tmp_path / "cache"
    cold = _run(script, cache, 20)
    warm = _run(script, cache, 20)
    assert cold["compiled"] and not cold["cache_hit"]
    assert warm["compiled"] and warm["cache_hit"]
    assert warm["spikes"] == cold["spikes"]
    assert warm["compile_s"] < cold["compile_s"]
    # the network size is runtime data: another size reuses the same kernel
    other = _run(script, cache, 30)
    assert other["cache_hit"]
    assert len(list(cache.glob("bl_*.py"))) == 1


def test_clear_cache_removes_generated_kernels(tmp_path):
    bp.profile.set(cache_dir=str(tmp_path))
    tau = 5.0

    @bp.integrate
    def int_x(x, t):
        return -x / tau

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    group = bp.NeuGroup(bp.NeuType(name="decay", ST=bp.types.NeuState(["x"]), steps=update), 2)
    group.run(1.0)
    assert list(tmp_path.glob("bl_*.py"))
    assert bp.clear_cache() >= 1
    assert not list(tmp_path.glob("bl_*.py")) and not (tmp_path / "__pycache__").exists()


def test_same_structure_means_same_source_in_process():
    tau = 5.0

    @bp.integrate
    def int_x(x, t):
        return -x / tau

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    model = bp.NeuType(name="decay", ST=bp.types.NeuState(["x"]), steps=update)
    first = bp.NeuGroup(model, 2)
    first.run(1.0)
    second = bp.NeuGroup(model, 50)
    info = bp.Network(second).run(1.0)
    assert not info.compiled  # a different size, the same source: nothing new to compile
