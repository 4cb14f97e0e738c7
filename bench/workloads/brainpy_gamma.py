"""The seed's gamma network in BrainPy 2.x (JAX on the CPU), run in bench/.venv-brainpy.

BrainPy's idiomatic form of the same model: HH neurons written as a
``bp.dyn.NeuDyn`` with the seed's equations and exponential Euler per variable
(BrainPy 2.8.2's built-in ``WangBuzsakiHH`` writes alpha_n as
``1 / exprel(-0.1 (V + 34))``, ten times the Wang–Buzsáki rate, and never
fires at 1.2 µA/cm², so it is not used), and one gating variable ``s`` per presynaptic neuron
(``s`` depends only on the presynaptic voltage through the seed's sigmoid
``T = 1 / (1 + exp(-(V - V_th) / 2))``), delayed by 0.52 ms (13 steps) in a
ring buffer and spread by ``bp.dnn.AllToAll(include_self=False)``.
Initial voltages and gating values are brainlab's (same seed), so both
simulate the same trajectory. Usage::

    python -m bench.workloads.brainpy_gamma [--float32]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

NUM, DT, DURATION, DELAY_STEPS, I_EXT = 100, 0.04, 500.0, 13, 1.2
V_TH, E_GABA, ALPHA, BETA, G_MAX = 0.0, -75.0, 12.0, 0.1, 0.1
C_M, G_L, E_L, G_NA, E_NA, G_K, E_K, PHI = 1.0, 0.1, -65.0, 35.0, 55.0, 9.0, -90.0, 5.0


def initial_state(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voltages uniform in [-70, -50] mV and steady-state gating, as ``brainlab.demo.gamma_network``."""
    v = -70.0 + np.random.default_rng(seed).random(NUM) * 20
    h_a, h_b = 0.07 * np.exp(-(v + 58) / 20), 1 / (np.exp(-0.1 * (v + 28)) + 1)
    n_a, n_b = -0.01 * (v + 34) / (np.exp(-0.1 * (v + 34)) - 1), 0.125 * np.exp(-(v + 44) / 80)
    return v, h_a / (h_a + h_b), n_a / (n_a + n_b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--float32", action="store_true")
    args = parser.parse_args()

    t_start = time.perf_counter()
    import brainpy as bp
    import brainpy.math as bm
    import jax
    import jax.numpy as jnp

    if not args.float32:
        bm.enable_x64()
    bm.set_platform("cpu")
    bm.set_dt(DT)
    v0, h0, n0 = initial_state()

    def dh(h, t, V):
        alpha = 0.07 * bm.exp(-(V + 58) / 20)
        beta = 1 / (bm.exp(-0.1 * (V + 28)) + 1)
        return PHI * (alpha * (1 - h) - beta * h)

    def dn(n, t, V):
        alpha = -0.01 * (V + 34) / (bm.exp(-0.1 * (V + 34)) - 1)
        beta = 0.125 * bm.exp(-(V + 44) / 80)
        return PHI * (alpha * (1 - n) - beta * n)

    def dV(V, t, h, n, Isyn):
        m_alpha = -0.1 * (V + 35) / (bm.exp(-0.1 * (V + 35)) - 1)
        m_beta = 4 * bm.exp(-(V + 60) / 18)
        m = m_alpha / (m_alpha + m_beta)
        INa = G_NA * m**3 * h * (V - E_NA)
        IK = G_K * n**4 * (V - E_K)
        IL = G_L * (V - E_L)
        return (-INa - IK - IL + Isyn) / C_M

    class HH(bp.dyn.NeuDyn):
        def __init__(self):
            super().__init__(NUM)
            self.V, self.h, self.n = (
                bm.Variable(bm.asarray(v0)),
                bm.Variable(bm.asarray(h0)),
                bm.Variable(bm.asarray(n0)),
            )
            self.spike = bm.Variable(bm.zeros(NUM, dtype=bool))
            self.int_h = bp.odeint(dh, method="exp_auto")
            self.int_n = bp.odeint(dn, method="exp_auto")
            self.int_V = bp.odeint(dV, method="exp_auto")

        def reset_state(self, *args, **kwargs):
            self.V.value, self.h.value, self.n.value = bm.asarray(v0), bm.asarray(h0), bm.asarray(n0)
            self.spike.value = bm.zeros(NUM, dtype=bool)

        def update(self, x):
            t, dt = bp.share["t"], bp.share["dt"]
            V = self.V.value
            h = self.int_h(self.h.value, t, V, dt)
            n = self.int_n(self.n.value, t, V, dt)
            V_new = self.int_V(V, t, self.h.value, self.n.value, x, dt)
            self.spike.value = bm.logical_and(V < V_TH, V_new >= V_TH)
            self.V.value, self.h.value, self.n.value = V_new, h, n
            return self.spike.value

    class Gamma(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.N = HH()
            self.s = bm.Variable(bm.zeros(NUM))
            self.buffer = bm.Variable(bm.zeros((DELAY_STEPS + 1, NUM)))
            self.pointer = bm.Variable(bm.zeros(1, dtype=jnp.int32))
            self.isyn = bm.Variable(bm.zeros(NUM))
            self.int_s = bp.odeint(lambda s, t, TT: ALPHA * TT * (1 - s) - BETA * s, method="exp_auto")
            self.comm = bp.dnn.AllToAll(NUM, NUM, G_MAX / NUM, include_self=False)

        def update(self, inp):
            self.N(inp + self.isyn.value)
            V = self.N.V.value
            T = 1 / (1 + bm.exp(-(V - V_TH) / 2))
            self.s.value = self.int_s(self.s.value, bp.share["t"], T, bp.share["dt"])
            slot = (self.pointer[0] + 1) % (DELAY_STEPS + 1)
            self.pointer[0] = slot
            self.buffer[slot] = self.s.value
            delayed = self.buffer[(slot + 1) % (DELAY_STEPS + 1)]
            self.isyn.value = -self.comm(delayed) * (V - E_GABA)
            return self.N.spike.value

    net = Gamma()
    indices = np.arange(round(DURATION / DT))

    def run():
        net.N.reset_state()
        for var in (net.s, net.buffer, net.isyn):
            var.value = bm.zeros_like(var.value)
        net.pointer.value = bm.zeros(1, dtype=jnp.int32)
        spikes = bm.for_loop(lambda i: net.step_run(i, I_EXT), indices)
        return np.asarray(jax.block_until_ready(spikes))

    setup_s = time.perf_counter() - t_start
    t0 = time.perf_counter()
    spikes = run()
    first_run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    spikes = run()
    run_s = time.perf_counter() - t0
    count = int(spikes.sum())
    print(
        json.dumps(
            {
                "peer": "brainpy" + (" float32" if args.float32 else ""),
                "version": bp.__version__,
                "workload": "gamma idiomatic",
                "n": NUM,
                "setup_s": setup_s,
                "build_s": None,
                "first_run_s": first_run_s,
                "run_s": run_s,
                "steps": int(indices.size),
                "spikes": count,
                "rate_hz": count / NUM / (DURATION / 1000.0),
            }
        )
    )


if __name__ == "__main__":
    main()
