"""The seed's gamma network in brainlab: as written in the seed, and in its fastest idiomatic form.

As written (``brainlab.demo.gamma_network``): vector-mode HH neurons and a
scalar-mode GABA-A synapse with one ``s`` per synapse (9 900 of them).

Idiomatic: the neurons are a scalar-mode group (one loop, no temporary
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
from brainlab.demo import V_th, alpha, beta, int_h, int_n, int_V

E = demo.E
g_max = demo.g_max


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


def scalar_neuron_update(ST, _t):
    V = ST["V"]
    h = int_h(ST["h"], _t, V)
    n = int_n(ST["n"], _t, V)
    V_new = int_V(V, _t, ST["h"], ST["n"], ST["input"])
    ST["spike"] = 1.0 if (V < V_th and V_new >= V_th) else 0.0
    ST["V"] = V_new
    ST["h"] = h
    ST["n"] = n
    ST["input"] = 0.0


def seed_network(seed: int = 0) -> tuple[bp.Network, bp.NeuGroup]:
    """The quickstart network as the seed writes it (per-synapse scalar GABA-A)."""
    bp.profile.set(dt=0.04)
    net, neurons, _ = demo.gamma_network(seed=seed)
    return net, neurons


def idiomatic_network(seed: int = 0, num: int = 100) -> tuple[bp.Network, bp.NeuGroup]:
    """The same network with one ``s`` per presynaptic neuron (vector mode)."""
    bp.profile.set(dt=0.04)
    _, seed_neurons, _ = demo.gamma_network(num=num, seed=seed)
    hh = bp.NeuType(name="HH_scalar", ST=seed_neurons.model.ST, steps=scalar_neuron_update, mode="scalar")
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
