"""The floor of the seed's gamma network: one hand-written Numba kernel, one ``s`` per synapse.

Same semantics as the seed's formulation (9 900 GABA-A synapses of an
all-to-all network without self-connections, each with its own gating
variable, delayed by 13 steps), with what a careful programmer hoists: the
transmitter sigmoid ``T``, the exponential-Euler coefficient and ``exprel``
depend only on the presynaptic neuron and are computed once per neuron, not
once per synapse. Neurons use exponential Euler per variable with the exact
derivative of each right-hand side (what brainlab's ``exponential`` method
and BrainPy's ``exp_auto`` compute), so the three simulate the same system.
"""

from __future__ import annotations

import numba
import numpy as np

from bench.workloads.brainpy_gamma import (
    ALPHA,
    BETA,
    C_M,
    DELAY_STEPS,
    DT,
    E_GABA,
    E_K,
    E_L,
    E_NA,
    G_K,
    G_L,
    G_MAX,
    G_NA,
    I_EXT,
    NUM,
    PHI,
    V_TH,
    initial_state,
)


@numba.njit(cache=True, nogil=True, fastmath={"arcp", "contract"})
def _exprel(z):
    return 1.0 if z == 0.0 else np.expm1(z) / z


@numba.njit(cache=True, nogil=True, fastmath={"arcp", "contract"})
def gamma_kernel(n_steps, V, h, n, s, buffer, pre, post, spikes):
    """Run ``n_steps`` steps in place; ``spikes[k]`` counts the spikes of step ``k``."""
    num = V.shape[0]
    syn_input = np.zeros(num)
    T = np.empty(num)
    coeff = np.empty(num)  # dt * exprel(dt * A) of each presynaptic neuron
    drive = np.empty(num)  # alpha * T
    slots = buffer.shape[0]
    pointer = 0
    g = G_MAX / num
    for step in range(n_steps):
        # neurons (vector mode in the seed): exponential Euler per variable
        count = 0
        for i in range(num):
            v = V[i]
            current = syn_input[i] + I_EXT
            ah = 0.07 * np.exp(-(v + 58.0) / 20.0)
            bh = 1.0 / (np.exp(-0.1 * (v + 28.0)) + 1.0)
            A = -PHI * (ah + bh)
            h_new = h[i] + DT * _exprel(DT * A) * PHI * (ah * (1.0 - h[i]) - bh * h[i])
            en = np.exp(-0.1 * (v + 34.0))
            an = -0.01 * (v + 34.0) / (en - 1.0)
            bn = 0.125 * np.exp(-(v + 44.0) / 80.0)
            A = -PHI * (an + bn)
            n_new = n[i] + DT * _exprel(DT * A) * PHI * (an * (1.0 - n[i]) - bn * n[i])
            u = v + 35.0
            em = np.exp(-0.1 * u)
            am = -0.1 * u / (em - 1.0)
            dam = (-0.1 * (em - 1.0) - 0.01 * u * em) / (em - 1.0) ** 2
            bm = 4.0 * np.exp(-(v + 60.0) / 18.0)
            dbm = -bm / 18.0
            m = am / (am + bm)
            dm = (dam * bm - am * dbm) / (am + bm) ** 2
            hi, ni = h[i], n[i]
            f = (-G_NA * m**3 * hi * (v - E_NA) - G_K * ni**4 * (v - E_K) - G_L * (v - E_L) + current) / C_M
            A = (-G_NA * (3.0 * m**2 * dm * hi * (v - E_NA) + m**3 * hi) - G_K * ni**4 - G_L) / C_M
            v_new = v + DT * _exprel(DT * A) * f
            if v < V_TH and v_new >= V_TH:
                count += 1
            V[i], h[i], n[i] = v_new, h_new, n_new
            syn_input[i] = 0.0
        spikes[step] = count
        # synapse update: per presynaptic neuron once, then per synapse
        for i in range(num):
            T[i] = 1.0 / (1.0 + np.exp(-(V[i] - V_TH) / 2.0))
            drive[i] = ALPHA * T[i]
            coeff[i] = DT * _exprel(DT * -(drive[i] + BETA))
        for k in range(s.shape[0]):
            p = pre[k]
            s[k] += coeff[p] * (drive[p] * (1.0 - s[k]) - BETA * s[k])
        # delay: push this step's s, read the one of DELAY_STEPS steps ago
        pointer = (pointer + 1) % slots
        buffer[pointer] = s
        delayed = buffer[(pointer + 1) % slots]
        for k in range(s.shape[0]):
            q = post[k]
            syn_input[q] -= g * delayed[k] * (V[q] - E_GABA)
    return spikes


class FloorGamma:
    """State of one run of the hand-written gamma kernel (from the seed's initial state)."""

    def __init__(self, seed: int = 0):
        self.v0, self.h0, self.n0 = initial_state(seed)
        pre, post = np.nonzero(~np.eye(NUM, dtype=bool))  # all-to-all, no self-connections
        self.pre, self.post = pre.astype(np.int64), post.astype(np.int64)

    def run(self, n_steps: int) -> np.ndarray:
        """Run from the initial state; return the number of spikes of each step."""
        s = np.zeros(self.pre.size)
        buffer = np.zeros((DELAY_STEPS + 1, s.size))
        spikes = np.zeros(n_steps, dtype=np.int64)
        gamma_kernel(n_steps, self.v0.copy(), self.h0.copy(), self.n0.copy(), s, buffer, self.pre, self.post, spikes)
        return spikes
