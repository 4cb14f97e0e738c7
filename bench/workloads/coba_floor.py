"""The floor: COBA as one hand-written Numba kernel.

One function holds the whole time loop: spikes of the previous step are
propagated through CSR lists (event-driven), every neuron is updated in one
branch-free loop (forward Euler, threshold, reset, refractoriness) that LLVM
vectorises, and a last pass collects the indices of the neurons that fired. It is what
a careful programmer writes by hand for this one model, and brainlab's
generated code is measured against it. It takes the connectivity and initial
voltages of a brainlab network so that both simulate exactly the same thing.
"""

from __future__ import annotations

import numba
import numpy as np

from bench.workloads.coba_params import (
    DT,
    E_E,
    E_I,
    E_L,
    I_EXT,
    T_REF,
    TAU_E,
    TAU_I,
    TAU_M,
    V_R,
    V_T,
    W_E,
    W_I,
)


# The same floating-point licence brainlab's kernels get by default
# (reciprocals and fused multiply-adds), so the two differ only in code shape.
@numba.njit(cache=True, nogil=True, fastmath={"arcp", "contract"})
def coba_kernel(n_steps, v, ge, gi, t_last, e_indptr, e_post, n_exc, i_indptr, i_post, spike_counts):
    """Run ``n_steps`` steps in place; count each neuron's spikes in ``spike_counts``."""
    n = v.shape[0]
    fired = np.empty(n, dtype=np.int64)
    spiked = np.zeros(n, dtype=np.bool_)
    n_fired = 0
    for step in range(n_steps):
        t = step * DT
        # 1. deliver the spikes of the previous step (event-driven, CSR)
        for k in range(n_fired):
            i = fired[k]
            if i < n_exc:
                for s in range(e_indptr[i], e_indptr[i + 1]):
                    ge[e_post[s]] += W_E
            else:
                p = i - n_exc
                for s in range(i_indptr[p], i_indptr[p + 1]):
                    gi[i_post[s]] += W_I
        # 2. update every neuron: branch-free, so that LLVM vectorises the loop
        for i in range(n):
            g_e, g_i, vi, tl = ge[i], gi[i], v[i], t_last[i]
            active = t - tl >= T_REF
            v_new = vi + DT * ((g_e * (E_E - vi) + g_i * (E_I - vi) + (E_L - vi) + I_EXT) / TAU_M)
            v_new = v_new if active else vi
            fire = active & (v_new > V_T)
            v[i] = V_R if fire else v_new
            t_last[i] = t if fire else tl
            spiked[i] = fire
            ge[i] = g_e + DT * (-g_e / TAU_E)
            gi[i] = g_i + DT * (-g_i / TAU_I)
        # 3. collect this step's spikes
        n_fired = 0
        for i in range(n):
            if spiked[i]:
                fired[n_fired] = i
                n_fired += 1
                spike_counts[i] += 1
    return n_fired


def csr(pre_ids: np.ndarray, post_ids: np.ndarray, num_pre: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(indptr, post)``: the targets of presynaptic neuron ``p`` are ``post[indptr[p]:indptr[p+1]]``."""
    order = np.argsort(pre_ids, kind="stable")
    indptr = np.zeros(num_pre + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre_ids, minlength=num_pre), out=indptr[1:])
    return indptr, np.ascontiguousarray(post_ids[order], dtype=np.int64)


class FloorCOBA:
    """State and connectivity of one COBA run of the hand-written kernel."""

    def __init__(
        self, v0: np.ndarray, exc: tuple[np.ndarray, np.ndarray], inh: tuple[np.ndarray, np.ndarray], n_exc: int
    ):
        self.v0 = np.array(v0, dtype=np.float64)
        self.n_exc = n_exc
        self.e_indptr, self.e_post = csr(exc[0], exc[1], n_exc)
        self.i_indptr, self.i_post = csr(inh[0], inh[1], self.v0.size - n_exc)

    def run(self, n_steps: int) -> np.ndarray:
        """Run from the initial state; return each neuron's spike count."""
        n = self.v0.size
        v = self.v0.copy()
        ge, gi = np.zeros(n), np.zeros(n)
        t_last = np.full(n, -1e7)
        counts = np.zeros(n, dtype=np.int64)
        coba_kernel(
            n_steps, v, ge, gi, t_last, self.e_indptr, self.e_post, self.n_exc, self.i_indptr, self.i_post, counts
        )
        return counts
