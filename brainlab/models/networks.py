"""Ready networks: gamma oscillation, COBA, CUBA, E/I balance and a continuous attractor.

Each function returns ``(net, groups)``: a :class:`~brainlab.Network` with
monitors, and a dict of its groups and connections by name, so a notebook can
run it at once (``net.run(500.)``) and a slider can reach any parameter
(``groups['neurons'].pars[...]``). Initial states are drawn from a seeded
generator: the same arguments give the same network.

The large networks use the forms the benchmarks found fastest: scalar-mode
neurons whose state holds their synaptic conductances or currents, and
event-driven vector-mode synapses that add a weight to a postsynaptic field for
each presynaptic spike (walking ``pre_slice_syn``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brainlab import connect
from brainlab.core import Network, NeuGroup, NeuType, SynConn, SynType, delayed
from brainlab.integrators import integrate
from brainlab.models.conductance import get_WangBuzsaki, wb_steady_state
from brainlab.types import NeuState, SynState

__all__ = [
    "cann_bump_height",
    "get_CANN",
    "get_CANN_network",
    "get_COBA_network",
    "get_CUBA_network",
    "get_EI_balance_network",
    "get_WangBuzsaki_GABAa",
    "get_gamma_network",
]


# --- the gamma network ----------------------------------------------------------------------
def get_WangBuzsaki_GABAa(
    g_max: float = 0.1, E: float = -75.0, alpha: float = 12.0, beta: float = 0.1, V_th: float = 0.0, method: Any = None
) -> SynType:
    r"""GABA-A synapse of Wang & Buzsáki (1996), gated by the presynaptic voltage.

    .. math::

        \frac{ds}{dt} = \alpha F(V_{pre})(1 - s) - \beta s, \quad F(V) = \frac{1}{1 + e^{-(V - V_{th})/2}},
        \qquad I_{syn} = -g_{max} s (V_{post} - E)

    Parameters
    ----------
    g_max : float
        Maximal conductance of one synapse (mS/cm²); the paper's 0.1 is the total, divided by N.
    E : float
        Reversal potential (mV).
    alpha, beta : float
        Opening and closing rates (1/ms).
    V_th : float
        Midpoint of the transmitter release sigmoid (mV).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Wang & Buzsáki (1996), *J. Neurosci.* 16:6402–6413.
    """

    @integrate(method=method)
    def int_s(s, t, TT):
        return alpha * TT * (1 - s) - beta * s

    def update(ST, _t, pre):
        T = 1 / (1 + np.exp(-(pre["V"] - V_th) / 2))
        ST["s"] = int_s(ST["s"], _t, T)

    @delayed
    def output(ST, post):
        post["input"] -= g_max * ST["s"] * (post["V"] - E)

    return SynType(
        name="WangBuzsaki_GABAa",
        ST=SynState(["s"]),
        steps=(update, output),
        requires=dict(pre=NeuState(["V"]), post=NeuState(["V", "input"])),
        mode="scalar",
    )


def get_gamma_network(
    num: int = 100,
    g_max: float = 0.1,
    I_ext: float = 1.2,
    delay: float = 0.52,
    seed: int | None = 0,
    method: Any = "exponential",
    monitors: tuple[str, ...] = ("spike", "V"),
) -> tuple[Network, dict[str, Any]]:
    """Build the interneuron gamma network of Wang & Buzsáki (1996), as in the seed's quickstart.

    ``num`` Wang–Buzsáki neurons coupled all-to-all (no autapses) by GABA-A
    synapses of total conductance ``g_max``; voltages start uniform in
    [−70, −50] mV with steady-state gates. Driven by ``I_ext`` it fires a
    coherent rhythm of about 42 Hz (κ ≈ 0.95) with dt = 0.04 ms.

    Parameters
    ----------
    num : int
        Number of neurons.
    g_max : float
        Total synaptic conductance onto a neuron (mS/cm²); each synapse gets ``g_max / num``.
    I_ext : float
        Constant drive (µA/cm²), applied as an input of the network's ``run``: pass
        ``inputs=groups['inputs']`` (this value) or your own.
    delay : float
        Synaptic delay (ms); 0.52 is the legal value of the tutorial's 0.5 at dt = 0.04.
    seed : int or None
        Seed of the initial voltages.
    method : str
        Numerical method of neurons and synapses.
    monitors : tuple of str
        Fields of the neurons to record.

    Returns
    -------
    net : Network
    groups : dict
        ``'neurons'``, ``'synapses'`` and ``'inputs'`` (the run inputs for ``I_ext``).
    """
    neurons = NeuGroup(get_WangBuzsaki(method=method), geometry=num, monitors=list(monitors), name="neurons")
    synapses = SynConn(
        get_WangBuzsaki_GABAa(method=method),
        pre_group=neurons,
        post_group=neurons,
        conn=connect.All2All(include_self=False),
        delay=delay,
        name="synapses",
    )
    v = -70.0 + np.random.default_rng(seed).random(num) * 20
    neurons.ST["V"] = v
    neurons.ST["h"], neurons.ST["n"] = wb_steady_state(v)
    synapses.pars["g_max"] = g_max / num
    return Network(neurons, synapses), {
        "neurons": neurons,
        "synapses": synapses,
        "inputs": [(neurons, "ST.input", I_ext)],
    }


# --- LIF networks with synaptic variables in the neuron -----------------------------------------
# Event-driven synapses that add ``w`` to the target's ``ge`` or ``gi`` for each presynaptic spike.
# ``w`` is one runtime parameter per projection (``conn.pars['w']``): ``pre_slice_syn`` walks the
# synapses in presynaptic order, which need not be the order of per-synapse state.


def _excitatory_jump(w: float) -> SynType:
    def update(ST, pre, post, pre_slice_syn):
        _, targets, slicing = pre_slice_syn  # CSR: the synapses of neuron i are slicing[i, 0]:slicing[i, 1]
        spike = pre["spike"]
        ge = post["ge"]
        for i in range(spike.shape[0]):
            if spike[i] > 0.0:
                for k in range(slicing[i, 0], slicing[i, 1]):
                    ge[targets[k]] += w

    return SynType(
        name="exc_jump", ST=SynState({}), steps=update, requires=dict(pre=NeuState(["spike"]), post=NeuState(["ge"]))
    )


def _inhibitory_jump(w: float) -> SynType:
    def update(ST, pre, post, pre_slice_syn):
        _, targets, slicing = pre_slice_syn
        spike = pre["spike"]
        gi = post["gi"]
        for i in range(spike.shape[0]):
            if spike[i] > 0.0:
                for k in range(slicing[i, 0], slicing[i, 1]):
                    gi[targets[k]] += w

    return SynType(
        name="inh_jump", ST=SynState({}), steps=update, requires=dict(pre=NeuState(["spike"]), post=NeuState(["gi"]))
    )


def _lif_synaptic(conductance: bool, **p: float) -> NeuType:
    """LIF with exponentially decaying excitatory and inhibitory variables ``ge``, ``gi`` in its state."""
    tau_m, tau_e, tau_i = p["tau_m"], p["tau_e"], p["tau_i"]
    V_th, V_reset, V_rest, E_e, E_i, I_ext, t_ref = (
        p["V_th"],
        p["V_reset"],
        p["V_rest"],
        p["E_e"],
        p["E_i"],
        p["I_ext"],
        p["t_ref"],
    )

    if conductance:

        @integrate(method="euler")
        def int_V(V, t, ge, gi):
            return (ge * (E_e - V) + gi * (E_i - V) + (V_rest - V) + I_ext) / tau_m

    else:

        @integrate(method="euler")
        def int_V(V, t, ge, gi):
            return (ge + gi - (V - V_rest) + I_ext) / tau_m

    @integrate(method="exponential")
    def int_ge(ge, t):
        return -ge / tau_e

    @integrate(method="exponential")
    def int_gi(gi, t):
        return -gi / tau_i

    def update(ST, _t):
        V = ST["V"]
        ge = ST["ge"]
        gi = ST["gi"]
        ST["spike"] = 0.0
        if _t - ST["t_last_spike"] >= t_ref:
            V = int_V(V, _t, ge, gi)
            if V > V_th:
                V = V_reset
                ST["spike"] = 1.0
                ST["t_last_spike"] = _t
            ST["V"] = V
        ST["ge"] = int_ge(ge, _t)
        ST["gi"] = int_gi(gi, _t)

    state = NeuState({"V": V_reset, "ge": 0.0, "gi": 0.0, "spike": 0.0, "t_last_spike": -1e7})
    return NeuType(name="COBA_LIF" if conductance else "CUBA_LIF", ST=state, steps=update, mode="scalar")


def _ei_network(
    neuron: NeuType, num: int, exc_fraction: float, prob: float, w_e: float, w_i: float, seed: int | None,
    v0: tuple[float, float], monitors: tuple[str, ...],
) -> tuple[Network, dict[str, Any]]:  # fmt: skip
    n_exc = round(exc_fraction * num)
    rng = np.random.default_rng(seed)
    group = NeuGroup(neuron, geometry=num, monitors=list(monitors), name="neurons")
    group.ST["V"] = rng.normal(v0[0], v0[1], num) if v0[1] > 0 else v0[0]
    base = None if seed is None else seed + 1
    e_conn = SynConn(
        _excitatory_jump(w_e),
        pre_group=group[:n_exc],
        post_group=group,
        conn=connect.FixedProb(prob, seed=base),
        name="exc",
    )
    i_conn = SynConn(
        _inhibitory_jump(w_i),
        pre_group=group[n_exc:],
        post_group=group,
        conn=connect.FixedProb(prob, seed=None if base is None else base + 1),
        name="inh",
    )
    return Network(group, e_conn, i_conn), {"neurons": group, "exc": e_conn, "inh": i_conn, "num_exc": n_exc}


def get_COBA_network(
    num: int = 4000,
    prob: float | None = None,
    w_e: float = 0.6,
    w_i: float = 6.7,
    seed: int | None = 0,
    monitors: tuple[str, ...] = ("spike",),
) -> tuple[Network, dict[str, Any]]:
    r"""Build the conductance-based E/I network of Brette et al. (2007), benchmark 1 (COBA).

    80 % excitatory, 20 % inhibitory LIF neurons with random connections
    (probability 80/N by default) and exponential conductances in units of the
    leak conductance:

    .. math::

        \tau_m \frac{dV}{dt} = g_e (E_e - V) + g_i (E_i - V) + (V_{rest} - V) + I_{ext}

    :math:`\tau_m = 20`, :math:`\tau_e = 5`, :math:`\tau_i = 10` ms, :math:`E_e = 0`, :math:`E_i = -80`,
    :math:`V_{rest} = V_{reset} = -60`, :math:`V_{th} = -50` mV, :math:`I_{ext} = 20` mV,
    5 ms refractory; a spike adds ``w_e`` (0.6) or ``w_i`` (6.7) to the
    target's conductance. V starts from N(−55, 5) mV. Self-sustained
    asynchronous irregular activity near 20 Hz (use dt = 0.1 ms, Euler, as the benchmark).

    Parameters
    ----------
    num : int
        Number of neurons.
    prob : float, optional
        Connection probability (default 80 / num).
    w_e, w_i : float
        Conductance jumps per spike (units of the leak conductance); runtime
        parameters ``groups['exc'].pars['w']`` and ``groups['inh'].pars['w']``.
    seed : int or None
        Seed of the initial voltages and of the connections.
    monitors : tuple of str
        Neuron fields to record (a dense spike monitor is ``8 · num`` bytes per step).

    References
    ----------
    Brette et al. (2007), *J. Comput. Neurosci.* 23:349–398, benchmark 1
    (after Vogels & Abbott 2005).
    """
    neuron = _lif_synaptic(
        True, tau_m=20.0, tau_e=5.0, tau_i=10.0, V_th=-50.0, V_reset=-60.0, V_rest=-60.0, E_e=0.0, E_i=-80.0,
        I_ext=20.0, t_ref=5.0,
    )  # fmt: skip
    return _ei_network(neuron, num, 0.8, prob or 80.0 / num, w_e, w_i, seed, (-55.0, 5.0), monitors)


def get_CUBA_network(
    num: int = 4000,
    prob: float = 0.02,
    w_e: float = 1.62,
    w_i: float = -9.0,
    seed: int | None = 0,
    monitors: tuple[str, ...] = ("spike",),
) -> tuple[Network, dict[str, Any]]:
    r"""Build the current-based E/I network of Brette et al. (2007), benchmark 2 (CUBA).

    .. math::

        \tau_m \frac{dV}{dt} = g_e + g_i - (V - V_{rest})

    with :math:`\tau_m = 20`, :math:`\tau_e = 5`, :math:`\tau_i = 10` ms, :math:`V_{rest} = -49`,
    :math:`V_{th} = -50`, :math:`V_{reset} = -60` mV, 5 ms refractory, 80 % excitatory
    neurons and connection probability 0.02. A spike adds ``w_e`` = 60 · 0.27 / 10 mV
    or ``w_i`` = −20 · 4.5 / 10 mV to the target's synaptic current. V starts
    uniform in [−60, −50] mV (drawn as N(−55, 2.9)).

    Parameters
    ----------
    num : int
        Number of neurons.
    prob : float
        Connection probability.
    w_e, w_i : float
        Current jumps per spike (mV).
    seed : int or None
        Seed of the initial voltages and of the connections.
    monitors : tuple of str
        Neuron fields to record.

    References
    ----------
    Brette et al. (2007), *J. Comput. Neurosci.* 23:349–398, benchmark 2; the Brian2 example ``CUBA.py``.
    """
    neuron = _lif_synaptic(
        False, tau_m=20.0, tau_e=5.0, tau_i=10.0, V_th=-50.0, V_reset=-60.0, V_rest=-49.0, E_e=0.0, E_i=0.0,
        I_ext=0.0, t_ref=5.0,
    )  # fmt: skip
    return _ei_network(neuron, num, 0.8, prob, w_e, w_i, seed, (-55.0, 2.9), monitors)


def get_EI_balance_network(
    num_exc: int = 4000,
    num_inh: int = 1000,
    K: float = 400.0,
    J_e: float | None = None,
    g: float = 5.0,
    I_ext: float = 35.0,
    seed: int | None = 0,
    monitors: tuple[str, ...] = ("spike",),
) -> tuple[Network, dict[str, Any]]:
    r"""Build a balanced network of current-based LIF neurons (strong coupling, J ∝ 1/√K).

    Each neuron receives on average ``K`` connections, 80 % from excitatory
    neurons. Excitatory spikes add :math:`J_e` and inhibitory spikes
    :math:`-g J_e` (mV) to exponentially decaying synaptic currents (τ = 5 and 10
    ms); a strong constant drive ``I_ext`` is cancelled on average by the
    recurrent inhibition, so the neurons fire irregularly (CV of ISIs near 1) at
    moderate rates although the mean input alone would make them fire regularly
    and fast: the balanced state of van Vreeswijk & Sompolinsky.

    .. math::

        \tau_m \frac{dV}{dt} = g_e + g_i - (V - V_{rest}) + I_{ext}

    with :math:`\tau_m = 20` ms, :math:`V_{rest} = V_{reset} = -60`, :math:`V_{th} = -50` mV, 2 ms refractory.

    Parameters
    ----------
    num_exc, num_inh : int
        Numbers of excitatory and inhibitory neurons.
    K : float
        Mean number of inputs per neuron.
    J_e : float, optional
        Total depolarisation of one excitatory spike (mV; default 10/√K, the
        balanced scaling); inhibitory spikes give ``-g * J_e``.
    g : float
        Relative strength of inhibition.
    I_ext : float
        Constant drive (mV), far above threshold: 10 mV would reach it.
    seed : int or None
        Seed of the initial voltages and of the connections.
    monitors : tuple of str
        Neuron fields to record.

    References
    ----------
    van Vreeswijk & Sompolinsky (1996), *Science* 274:1724–1726; Brunel (2000),
    *J. Comput. Neurosci.* 8:183–208.
    """
    num = num_exc + num_inh
    neuron = _lif_synaptic(
        False, tau_m=20.0, tau_e=5.0, tau_i=10.0, V_th=-50.0, V_reset=-60.0, V_rest=-60.0, E_e=0.0, E_i=0.0,
        I_ext=I_ext, t_ref=2.0,
    )  # fmt: skip
    J_e = 10.0 / np.sqrt(K) if J_e is None else J_e
    # A jump w of a current decaying with tau_s moves V by w * tau_s / tau_m in total: scale w so that it is J_e.
    w_e, w_i = J_e * 20.0 / 5.0, -g * J_e * 20.0 / 10.0
    return _ei_network(neuron, num, num_exc / num, K / num, w_e, w_i, seed, (-60.0, 5.0), monitors)


# --- continuous attractor -----------------------------------------------------------------------
def get_CANN(
    num: int = 512,
    tau: float = 1.0,
    k: float = 8.1,
    a: float = 0.5,
    J0: float = 4.0,
    z_min: float = -np.pi,
    z_max: float = np.pi,
    method: Any = None,
) -> NeuType:
    r"""One-dimensional continuous attractor neural network on a ring (a neuron type of ``num`` neurons).

    .. math::

        \tau \frac{du(x)}{dt} &= -u(x) + \rho \int J(x, x') r(x') dx' + I_{ext}(x) \\
        r(x) &= \frac{u(x)^2}{1 + k \rho \int u(x')^2 dx'}, \qquad
        J(x, x') = \frac{J_0}{\sqrt{2\pi} a} e^{-|x - x'|^2 / (2a^2)}

    on preferred positions :math:`x \in [z_{min}, z_{max})` with periodic distance
    and density :math:`\rho = N / (z_{max} - z_{min})`. For :math:`k < \rho J_0^2 / (8\sqrt{2\pi} a)`
    a Gaussian bump :math:`U_0 e^{-x^2/(4a^2)}` is a stationary state at any
    position; it tracks a moving stimulus. The group's data ``x`` holds the
    positions and ``couplings`` the matrix J (hand-overs).

    Parameters
    ----------
    num : int
        Number of neurons (the group must have this size).
    tau : float
        Time constant (ms).
    k : float
        Strength of the global divisive inhibition.
    a : float
        Width of the couplings (in units of the feature space).
    J0 : float
        Strength of the couplings.
    z_min, z_max : float
        The feature space.
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Wu, Hamaguchi & Amari (2008), *Neural Comput.* 20:994–1025; Si Wu's CANN examples in BrainPy.
    """
    x = np.linspace(z_min, z_max, num, endpoint=False)
    span = z_max - z_min
    d = np.abs(x[:, None] - x[None, :])
    d = np.minimum(d, span - d)
    couplings = J0 / (np.sqrt(2 * np.pi) * a) * np.exp(-0.5 * d**2 / a**2)
    # rho * dx = 1 on the grid: the integrals become plain sums

    @integrate(method=method)
    def int_u(u, t, Irec, Iext):
        return (-u + Irec + Iext) / tau

    def update(ST, _t, couplings):
        r1 = ST["u"] * ST["u"]
        r = r1 / (1.0 + k * np.sum(r1))
        Irec = couplings @ r
        ST["r"] = r
        ST["u"] = int_u(ST["u"], _t, Irec, ST["input"])
        ST["input"] = 0.0

    return NeuType(
        name="CANN1D",
        ST=NeuState({"u": 0.0, "r": 0.0, "input": 0.0}),
        steps=update,
        hand_overs={"couplings": couplings, "x": x},
    )


def get_CANN_network(
    num: int = 512, monitors: tuple[str, ...] = ("u",), **parameters: Any
) -> tuple[Network, dict[str, Any]]:
    """Build a network of one :func:`get_CANN` group of ``num`` neurons, with monitors.

    Parameters
    ----------
    num : int
        Number of neurons.
    monitors : tuple of str
        Fields to record (``'u'``, ``'r'``).
    **parameters
        Passed to :func:`get_CANN` (``k``, ``a``, ``J0``, ``tau``, ...).

    Returns
    -------
    net : Network
    groups : dict
        ``'cann'``: the group; its ``x`` holds the preferred positions, so a
        stimulus at ``z`` is ``A * np.exp(-(groups['cann'].x - z)**2 / (4 * a**2))``.
    """
    group = NeuGroup(get_CANN(num=num, **parameters), geometry=num, monitors=list(monitors), name="cann")
    return Network(group), {"cann": group}


def cann_bump_height(num: int = 512, k: float = 8.1, a: float = 0.5, J0: float = 4.0, span: float = 2 * np.pi) -> float:
    """Return the analytic height ``U0`` of the stationary bump of :func:`get_CANN` (NaN if none exists)."""
    rho = num / span
    c = k * rho * np.sqrt(2 * np.pi) * a
    disc = (rho * J0) ** 2 / 2 - 4 * c
    return float((rho * J0 / np.sqrt(2) + np.sqrt(disc)) / (2 * c)) if disc >= 0 else float("nan")
