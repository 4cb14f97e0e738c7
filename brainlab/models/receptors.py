"""Receptor synapses with transmitter kinetics: AMPA, GABA-A, GABA-B and NMDA.

A presynaptic spike releases a square pulse of transmitter of concentration
``T`` (mM) that lasts ``T_duration`` ms, rounded to a whole number of steps
(``round(T_duration / dt)``; the step of the spike is the first). The receptors
follow the kinetic schemes of Destexhe, Mainen & Sejnowski (1994, 1998); the
NMDA receptor has the second-order kinetics of Brunel & Wang (2001) and the
voltage-dependent Mg²⁺ block of Jahr & Stevens (1990).

The conventions (scalar mode, ``w``, ``update``/``@delayed output``, runtime
parameters) are those of :mod:`brainlab.models.synapses`. All four are
conductance-based: they add :math:`g (E - V)` to the postsynaptic ``input``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from brainlab.core.base import delayed
from brainlab.core.synapses import SynType
from brainlab.integrators import integrate
from brainlab.types import NeuState, SynState

__all__ = ["get_AMPA", "get_GABAa", "get_GABAb", "get_NMDA", "mg_block"]

# Before the first spike the pulse must be off: a time long ago.
_NO_SPIKE = -1e7


def _requires() -> dict[str, NeuState]:
    return dict(pre=NeuState(["spike"]), post=NeuState(["V", "input"]))


def _pulse_receptor(
    name: str, g_max: float, E: float, alpha: float, beta: float, T: float, T_duration: float, method: str | None
) -> SynType:
    """Return the two-state receptor ``closed <-> open`` driven by a transmitter pulse (AMPA, GABA-A)."""

    @integrate(method=method)
    def int_s(s, t, TT):
        return alpha * TT * (1.0 - s) - beta * s

    def update(ST, _t, _dt, pre):
        # A local, not a store into ST inside the `if`: the engine then makes the `if` branch-free.
        t_spike = ST["t_spike"]
        if pre["spike"] > 0.0:
            t_spike = _t
        # _t - t_spike carries rounding noise (k * dt is not exact): half a step of slack
        # makes the pulse last round(T_duration / dt) steps whatever the noise.
        TT = T if _t - t_spike < T_duration - 0.5 * _dt else 0.0
        s = int_s(ST["s"], _t, TT)
        ST["t_spike"] = t_spike
        ST["s"] = s
        ST["g"] = g_max * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["g"] * (E - post["V"])

    return SynType(
        name=name,
        ST=SynState({"s": 0.0, "t_spike": _NO_SPIKE, "w": 1.0, "g": 0.0}),
        requires=_requires(),
        steps=(update, output),
        mode="scalar",
    )


def get_AMPA(
    g_max: float = 0.1,
    E: float = 0.0,
    alpha: float = 1.1,
    beta: float = 0.19,
    T: float = 1.0,
    T_duration: float = 1.0,
    method: str | None = None,
) -> SynType:
    r"""Return the AMPA receptor synapse (two-state kinetics, fast excitation).

    .. math::

        \frac{ds}{dt} = \alpha [T](t) (1 - s) - \beta s, \qquad
        g = g_{max}\, w\, s, \qquad I_{syn} = g\,(E - V_{post})

    :math:`s` is the fraction of open receptors; :math:`[T](t) = T` for
    ``T_duration`` ms after each presynaptic spike, else 0. During the pulse
    :math:`s` rises towards :math:`\alpha T / (\alpha T + \beta)` with rate
    :math:`\alpha T + \beta`; afterwards it decays as :math:`e^{-\beta t}`.
    The equation is linear in :math:`s` with piecewise-constant coefficients,
    so ``method='exponential'`` integrates it exactly.

    Parameters
    ----------
    g_max : float
        Maximal conductance at ``w = 1`` (units that make :math:`g (E - V)`
        the neuron's input unit, e.g. mS/cm² for µA/cm²).
    E : float
        Reversal potential (mV).
    alpha : float
        Binding (opening) rate (1/(mM·ms)).
    beta : float
        Unbinding (closing) rate (1/ms); the decay time constant is ``1/beta``
        (5.3 ms).
    T : float
        Transmitter concentration during the pulse (mM).
    T_duration : float
        Pulse duration (ms).
    method : str, optional
        Numerical method of ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``s`` (open fraction), ``t_spike`` (time of the
        last presynaptic spike, ms), ``w`` (weight, 1), ``g`` (conductance).

    References
    ----------
    Destexhe, Mainen & Sejnowski, "An efficient method for computing synaptic conductances based on a
    kinetic model of receptor binding", *Neural Comput.* 6:14 (1994); the rates are those of
    Destexhe, Mainen & Sejnowski, "Kinetic models of synaptic transmission", in Koch & Segev (eds.),
    *Methods in Neuronal Modeling*, 2nd ed. (MIT Press, 1998), ch. 1.
    """
    return _pulse_receptor("AMPA", g_max, E, alpha, beta, T, T_duration, method)


def get_GABAa(
    g_max: float = 0.04,
    E: float = -80.0,
    alpha: float = 5.0,
    beta: float = 0.18,
    T: float = 1.0,
    T_duration: float = 1.0,
    method: str | None = None,
) -> SynType:
    r"""Return the GABA-A receptor synapse (two-state kinetics, fast inhibition).

    .. math::

        \frac{ds}{dt} = \alpha [T](t) (1 - s) - \beta s, \qquad
        g = g_{max}\, w\, s, \qquad I_{syn} = g\,(E - V_{post})

    :math:`s` is the fraction of open receptors; :math:`[T](t) = T` for
    ``T_duration`` ms after each presynaptic spike, else 0. During the pulse
    :math:`s` rises towards :math:`\alpha T / (\alpha T + \beta)` with rate
    :math:`\alpha T + \beta`; afterwards it decays as :math:`e^{-\beta t}`.
    The equation is linear in :math:`s` with piecewise-constant coefficients,
    so ``method='exponential'`` integrates it exactly. The scheme is that of
    :func:`get_AMPA`, with faster binding and an inhibitory reversal potential.

    Parameters
    ----------
    g_max : float
        Maximal conductance at ``w = 1`` (units that make :math:`g (E - V)`
        the neuron's input unit).
    E : float
        Reversal potential (mV), that of chloride.
    alpha : float
        Binding (opening) rate (1/(mM·ms)).
    beta : float
        Unbinding (closing) rate (1/ms); decay time constant ``1/beta`` (5.6 ms).
    T : float
        Transmitter concentration during the pulse (mM).
    T_duration : float
        Pulse duration (ms).
    method : str, optional
        Numerical method of ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``s`` (open fraction), ``t_spike`` (ms), ``w``
        (weight, 1), ``g`` (conductance).

    References
    ----------
    Destexhe, Mainen & Sejnowski, *Neural Comput.* 6:14 (1994); rates of Destexhe, Mainen &
    Sejnowski, "Kinetic models of synaptic transmission", in *Methods in Neuronal Modeling*,
    2nd ed. (MIT Press, 1998), ch. 1.
    """
    return _pulse_receptor("GABAa", g_max, E, alpha, beta, T, T_duration, method)


def get_GABAb(
    g_max: float = 1.0,
    E: float = -95.0,
    K1: float = 0.09,
    K2: float = 0.0012,
    K3: float = 0.18,
    K4: float = 0.034,
    Kd: float = 100.0,
    n: int = 4,
    T: float = 0.5,
    T_duration: float = 0.3,
    method: str | None = None,
) -> SynType:
    r"""Return the GABA-B receptor synapse (receptor and G-protein kinetics, slow inhibition).

    .. math::

        \frac{dr}{dt} &= K_1 [T](t) (1 - r) - K_2 r \\
        \frac{dG}{dt} &= K_3 r - K_4 G \\
        g &= g_{max}\, w\, \frac{G^n}{G^n + K_d}, \qquad I_{syn} = g\,(E - V_{post})

    :math:`r` is the fraction of activated receptors, :math:`G` the
    concentration of activated G-protein (µM), which opens potassium channels
    with ``n`` binding sites. After one spike :math:`G` follows
    :math:`e^{-K_2 t} - e^{-K_4 t}` and peaks about
    :math:`\ln(K_4/K_2)/(K_4 - K_2) \approx 100` ms later: the response is slow,
    and because of the :math:`G^n` cooperativity it grows steeply with the
    number of spikes in a burst. ``G`` sees ``r`` at the middle of each step
    (second-order splitting).

    Parameters
    ----------
    g_max : float
        Maximal conductance at ``w = 1`` (e.g. nS with pA, mS/cm² with µA/cm²).
    E : float
        Reversal potential (mV), that of potassium.
    K1 : float
        Receptor activation rate (1/(mM·ms)).
    K2 : float
        Receptor deactivation rate (1/ms).
    K3 : float
        G-protein production rate (µM/ms).
    K4 : float
        G-protein removal rate (1/ms).
    Kd : float
        Dissociation constant of G-protein binding to the channel (µMⁿ).
    n : int
        Number of G-protein binding sites. An integer power compiles to
        multiplications, 3 times faster per synapse than a float one.
    T : float
        Transmitter concentration during the pulse (mM).
    T_duration : float
        Pulse duration (ms).
    method : str, optional
        Numerical method of ``r`` and ``G`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``r``, ``G`` (µM), ``t_spike`` (ms), ``w`` (weight, 1),
        ``g`` (conductance).

    References
    ----------
    Destexhe & Sejnowski, "G protein activation kinetics and spillover of gamma-aminobutyric acid may
    account for differences between inhibitory responses in the hippocampus and thalamus",
    *Proc. Natl. Acad. Sci. USA* 92:9515 (1995); the rates are those of Destexhe, Mainen & Sejnowski,
    "Kinetic models of synaptic transmission", in *Methods in Neuronal Modeling*, 2nd ed. (MIT Press, 1998).
    """

    @integrate(method=method)
    def int_r(r, t, TT):
        return K1 * TT * (1.0 - r) - K2 * r

    @integrate(method=method)
    def int_G(G, t, r):
        return K3 * r - K4 * G

    def update(ST, _t, _dt, pre):
        t_spike = ST["t_spike"]
        if pre["spike"] > 0.0:
            t_spike = _t
        # Half a step of slack against the rounding noise of _t, as in get_AMPA.
        TT = T if _t - t_spike < T_duration - 0.5 * _dt else 0.0
        r0 = ST["r"]
        r = int_r(r0, _t, TT)
        G = int_G(ST["G"], _t, 0.5 * (r0 + r))
        Gn = G**n
        ST["t_spike"] = t_spike
        ST["r"] = r
        ST["G"] = G
        ST["g"] = g_max * ST["w"] * Gn / (Gn + Kd)

    @delayed
    def output(ST, post):
        post["input"] += ST["g"] * (E - post["V"])

    return SynType(
        name="GABAb",
        ST=SynState({"r": 0.0, "G": 0.0, "t_spike": _NO_SPIKE, "w": 1.0, "g": 0.0}),
        requires=_requires(),
        steps=(update, output),
        mode="scalar",
    )


def mg_block(V: ArrayLike, cc_Mg: float = 1.2, alpha: float = 0.062, beta: float = 3.57) -> np.ndarray:
    r"""Return the unblocked fraction of NMDA channels at ``V`` (Jahr & Stevens 1990).

    .. math::

        B(V) = \frac{1}{1 + e^{-\alpha V} [\mathrm{Mg}^{2+}]_o / \beta}

    Parameters
    ----------
    V : array_like
        Membrane potential (mV).
    cc_Mg : float
        Extracellular magnesium concentration (mM).
    alpha : float
        Voltage sensitivity of the block (1/mV).
    beta : float
        Magnesium concentration of half block at 0 mV (mM).

    References
    ----------
    Jahr & Stevens, "Voltage dependence of NMDA-activated macroscopic conductances predicted by
    single-channel kinetics", *J. Neurosci.* 10:3178 (1990).
    """
    return 1.0 / (1.0 + np.exp(-alpha * np.asarray(V, dtype=float)) * cc_Mg / beta)


def get_NMDA(
    g_max: float = 0.15,
    E: float = 0.0,
    cc_Mg: float = 1.2,
    alpha: float = 0.062,
    beta: float = 3.57,
    tau_rise: float = 2.0,
    tau_decay: float = 100.0,
    a: float = 0.5,
    method: str | None = None,
) -> SynType:
    r"""Return the NMDA receptor synapse with the voltage-dependent Mg²⁺ block.

    .. math::

        \frac{dx}{dt} &= -\frac{x}{\tau_{rise}} + \sum_k \delta(t - t^k_{pre}) \\
        \frac{ds}{dt} &= -\frac{s}{\tau_{decay}} + a\, x\, (1 - s) \\
        g &= g_{max}\, w\, s, \qquad
        I_{syn} = g\, B(V_{post})\,(E - V_{post}), \qquad
        B(V) = \frac{1}{1 + e^{-\alpha V} [\mathrm{Mg}^{2+}]_o / \beta}

    :math:`s` saturates at 1 (the ``1 - s`` term), rises within a few ms and
    decays over ``tau_decay``; :math:`B(V)` (see :func:`mg_block`) makes the
    current small near rest and large at depolarised potentials. ``g`` is the
    unblocked conductance; the block uses the postsynaptic voltage of the step,
    only ``g`` is delayed. ``s`` sees ``x`` at the middle of each step
    (second-order splitting).

    Parameters
    ----------
    g_max : float
        Maximal conductance at ``w = 1`` (units that make :math:`g (E - V)`
        the neuron's input unit).
    E : float
        Reversal potential (mV).
    cc_Mg : float
        Extracellular magnesium concentration (mM).
    alpha : float
        Voltage sensitivity of the block (1/mV).
    beta : float
        Magnesium concentration of half block at 0 mV (mM).
    tau_rise : float
        Decay time constant of ``x``, which sets the rise of ``s`` (ms).
    tau_decay : float
        Decay time constant of ``s`` (ms).
    a : float
        Rate at which ``x`` opens channels (1/ms).
    method : str, optional
        Numerical method of ``x`` and ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``x`` (+1 per spike), ``s`` (open fraction),
        ``w`` (weight, 1), ``g`` (unblocked conductance).

    References
    ----------
    Jahr & Stevens, *J. Neurosci.* 10:3178 (1990) for the block; Brunel & Wang, "Effects of
    neuromodulation in a cortical network model of object working memory dominated by recurrent
    inhibition", *J. Comput. Neurosci.* 11:63 (2001) for the kinetics.
    """

    @integrate(method=method)
    def int_x(x, t):
        return -x / tau_rise

    @integrate(method=method)
    def int_s(s, t, x):
        return -s / tau_decay + a * x * (1.0 - s)

    def update(ST, _t, pre):
        x0 = ST["x"]
        x = int_x(x0, _t)
        s = int_s(ST["s"], _t, 0.5 * (x0 + x))
        if pre["spike"] > 0.0:
            x += 1.0
        ST["x"] = x
        ST["s"] = s
        ST["g"] = g_max * ST["w"] * s

    @delayed
    def output(ST, post):
        V = post["V"]
        post["input"] += ST["g"] * (E - V) / (1.0 + np.exp(-alpha * V) * cc_Mg / beta)

    return SynType(
        name="NMDA",
        ST=SynState({"x": 0.0, "s": 0.0, "w": 1.0, "g": 0.0}),
        requires=_requires(),
        steps=(update, output),
        mode="scalar",
    )
