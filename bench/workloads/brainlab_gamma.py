"""The seed's gamma network in brainlab: as written in the seed, and in its fastest idiomatic form.

As written (``brainlab.demo.gamma_network``, i.e. ``brainlab.models.get_gamma_network``): vector-mode
Wang–Buzsáki neurons and a
scalar-mode GABA-A synapse with one ``s`` per synapse (9 900 of them).

Idiomatic: the neurons are a scalar-mode group (``get_WangBuzsaki(mode='scalar')``: one loop, no temporary
arrays), and ``s`` depends only on the presynaptic voltage, so all synapses
leaving one neuron share it. A one-to-one connection holds one ``s`` per
presynaptic neuron; both synapse steps are explicit loops (no array
temporaries, and no broadcasting code for Numba to compile); the delayed output gives every neuron the sum over all
*other* neurons, ``g_max * (sum(s) - s_i) * (V_i - E)``, which is the
all-to-all, no-self coupling of the seed in O(N) per step.
"""

from __future__ import annotations

import numpy as np

import brainlab as bp
from brainlab import demo
from brainlab.models.conductance import get_WangBuzsaki

# the GABA-A kinetics of the quickstart (brainlab.models.networks.get_WangBuzsaki_GABAa's defaults)
V_th, alpha, beta, E, g_max = 0.0, 12.0, 0.1, -75.0, 0.1


@bp.integrate(method="exponential")
def int_s(s, t, TT):
    return alpha * TT * (1 - s) - beta * s


def shared_update(ST, _t, pre):
    V = pre["V"]
    s = ST["s"]
    for i in range(s.shape[0]):
        T = 1 / (1 + np.exp(-(V[i] - V_th) / 2))
        s[i] = int_s(s[i], _t, T)


@bp.delayed
def shared_output(ST, post):
    s = ST["s"]
    V = post["V"]
    current = post["input"]
    total = np.sum(s)
    for i in range(s.shape[0]):
        current[i] -= g_max * (total - s[i]) * (V[i] - E)


def seed_network(seed: int = 0) -> tuple[bp.Network, bp.NeuGroup]:
    """The quickstart network as the seed writes it (per-synapse scalar GABA-A)."""
    bp.profile.set(dt=0.04)
    net, neurons, _ = demo.gamma_network(seed=seed)
    return net, neurons


def idiomatic_network(seed: int = 0, num: int = 100) -> tuple[bp.Network, bp.NeuGroup]:
    """The same network with one ``s`` per presynaptic neuron (vector mode)."""
    bp.profile.set(dt=0.04)
    _, seed_neurons, _ = demo.gamma_network(num=num, seed=seed)
    hh = get_WangBuzsaki(method="exponential", mode="scalar")
    neurons = bp.NeuGroup(hh, geometry=num, monitors=["spike", "V"], name="neurons")
    for field in seed_neurons.ST.keys():
        neurons.ST[field] = seed_neurons.ST[field]
    shared = bp.SynType(
        name="GABAa_shared",
        ST=bp.types.SynState(["s"]),
        steps=(shared_update, shared_output),
        requires=dict(pre=bp.types.NeuState(["V"]), post=bp.types.NeuState(["V", "input"])),
        mode="vector",
    )
    synapses = bp.SynConn(shared, pre_group=neurons, post_group=neurons, conn=bp.connect.One2One(), delay=0.52)
    synapses.pars["g_max"] = g_max / num
    return bp.Network(neurons, synapses), neurons
