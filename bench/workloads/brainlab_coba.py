"""COBA in brainlab, in its idiomatic formulation.

Neurons are one scalar-mode group (the generated kernel is one loop over
neurons with the integrators inlined); the two projections are vector-mode
synapses that walk the targets of the neurons that spiked through
``pre_slice_syn`` (event-driven propagation over flat arrays; a typed list
lookup such as ``pre2post[i]`` costs about 0.4 µs in Numba), adding ``w`` to the postsynaptic conductance.
Spikes are counted in the state (``count``), as the hand-written floor does:
a dense spike monitor of 64 000 neurons for 10 000 steps would be 5 GB.
"""

from __future__ import annotations

import numpy as np

import brainlab as bp
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
    V0_MEAN,
    V0_STD,
    V_R,
    V_T,
    W_E,
    W_I,
    sizes,
)

Ee, Ei, El, I_ext, t_ref, taue, taui, taum, Vt, Vr = E_E, E_I, E_L, I_EXT, T_REF, TAU_E, TAU_I, TAU_M, V_T, V_R


@bp.integrate(method="euler")
def int_V(V, t, ge, gi):
    return (ge * (Ee - V) + gi * (Ei - V) + (El - V) + I_ext) / taum


@bp.integrate(method="euler")
def int_ge(ge, t):
    return -ge / taue


@bp.integrate(method="euler")
def int_gi(gi, t):
    return -gi / taui


def neuron_update(ST, _t):
    V = ST["V"]
    ge = ST["ge"]
    gi = ST["gi"]
    ST["spike"] = 0.0
    if _t - ST["t_last"] >= t_ref:
        V = int_V(V, _t, ge, gi)
        if V > Vt:
            V = Vr
            ST["spike"] = 1.0
            ST["t_last"] = _t
            ST["count"] += 1.0
        ST["V"] = V
    ST["ge"] = int_ge(ge, _t)
    ST["gi"] = int_gi(gi, _t)


def exc_update(ST, pre, post, pre_slice_syn):
    _, targets, slicing = pre_slice_syn  # synapses sorted by presynaptic neuron, CSR-like
    spike = pre["spike"]
    ge = post["ge"]
    for i in range(spike.shape[0]):
        if spike[i] > 0.0:
            for k in range(slicing[i, 0], slicing[i, 1]):
                ge[targets[k]] += W_E


def inh_update(ST, pre, post, pre_slice_syn):
    _, targets, slicing = pre_slice_syn
    spike = pre["spike"]
    gi = post["gi"]
    for i in range(spike.shape[0]):
        if spike[i] > 0.0:
            for k in range(slicing[i, 0], slicing[i, 1]):
                gi[targets[k]] += W_I


def coba_types() -> tuple[bp.NeuType, bp.SynType, bp.SynType]:
    """Return the COBA neuron type and the excitatory and inhibitory synapse types."""
    state = bp.types.NeuState({"V": V_R, "ge": 0.0, "gi": 0.0, "spike": 0.0, "t_last": -1e7, "count": 0.0})
    lif = bp.NeuType(name="COBA_LIF", ST=state, steps=neuron_update, mode="scalar")
    requires = dict(pre=bp.types.NeuState(["spike"]))
    exc = bp.SynType(
        name="COBA_exc", ST=bp.types.SynState({}), steps=exc_update, mode="vector",
        requires={**requires, "post": bp.types.NeuState(["ge"])},
    )  # fmt: skip
    inh = bp.SynType(
        name="COBA_inh", ST=bp.types.SynState({}), steps=inh_update, mode="vector",
        requires={**requires, "post": bp.types.NeuState(["gi"])},
    )  # fmt: skip
    return lif, exc, inh


def reset_state(group: bp.NeuGroup, seed: int = 0) -> None:
    """Set the initial state: v0 ~ N(V0_MEAN, V0_STD), no conductance, not refractory, no spikes."""
    group.ST["V"] = np.random.default_rng(seed).normal(V0_MEAN, V0_STD, group.num)
    for field in ("ge", "gi", "spike", "count"):
        group.ST[field] = 0.0
    group.ST["t_last"] = -1e7


def coba_network(
    n: int, seed: int = 0, mode: str = "once", monitors: tuple[str, ...] = ()
) -> tuple[bp.Network, bp.NeuGroup]:
    """Build the COBA network of ``n`` neurons; return it and its neuron group."""
    bp.profile.set(dt=DT)
    n_exc, _, prob = sizes(n)
    lif, exc, inh = coba_types()
    group = bp.NeuGroup(lif, geometry=n, monitors=list(monitors))
    reset_state(group, seed)
    e_conn = bp.SynConn(exc, pre_group=group[:n_exc], post_group=group, conn=bp.connect.FixedProb(prob, seed=seed + 1))
    i_conn = bp.SynConn(inh, pre_group=group[n_exc:], post_group=group, conn=bp.connect.FixedProb(prob, seed=seed + 2))
    return bp.Network(group, e_conn, i_conn, mode=mode), group
