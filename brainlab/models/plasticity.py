"""Plastic synapses: Tsodyks–Markram short-term plasticity and pair-based STDP.

The conventions (scalar mode, ``update``/``@delayed output``, runtime
parameters) are those of :mod:`brainlab.models.synapses`. Plasticity acts at
the synapse, on the spikes of the step: ``SynConn(delay=...)`` delays only what
reaches the postsynaptic neuron, not the spike timing the rules see.
"""

from __future__ import annotations

from brainlab.core.base import delayed
from brainlab.core.synapses import SynType
from brainlab.integrators import integrate
from brainlab.types import NeuState, SynState

__all__ = ["get_STDP", "get_STP"]


def get_STP(
    U: float = 0.15,
    tau_f: float = 1500.0,
    tau_d: float = 200.0,
    tau: float = 3.0,
    A: float = 1.0,
    method: str | None = None,
) -> SynType:
    r"""Return a current-based synapse with Tsodyks–Markram short-term depression and facilitation.

    .. math::

        \frac{du}{dt} &= -\frac{u}{\tau_f} + U (1 - u^-) \sum_k \delta(t - t^k_{pre}) \\
        \frac{dx}{dt} &= \frac{1 - x}{\tau_d} - u^+ x^- \sum_k \delta(t - t^k_{pre}) \\
        \frac{ds}{dt} &= -\frac{s}{\tau} + u^+ x^- \sum_k \delta(t - t^k_{pre}), \qquad
        I_{syn} = A\, w\, s

    :math:`x` is the fraction of available resources, :math:`u` the fraction
    of them a spike uses (the release probability). At a spike, :math:`u`
    first grows by :math:`U (1 - u)` (facilitation), then the spike releases
    :math:`u^+ x^-` (its efficacy: the jump of :math:`s`) and :math:`x` loses
    as much (depression); :math:`u^-, x^-` are the values just before the spike,
    :math:`u^+` the value just after. Between spikes :math:`u \to 0` over
    ``tau_f`` and :math:`x \to 1` over ``tau_d``. For spikes ``Δ`` ms apart the
    efficacies follow the recursion

    .. math::

        u^-_{n+1} = u^+_n e^{-\Delta/\tau_f}, \quad u^+_{n+1} = u^-_{n+1} + U (1 - u^-_{n+1}), \quad
        x^-_{n+1} = 1 - (1 - x^-_n + u^+_n x^-_n) e^{-\Delta/\tau_d}

    from :math:`u = 0, x = 1`. Depressing synapses have a large ``U`` and
    ``tau_d`` and a short ``tau_f``, facilitating ones a small ``U`` and a long
    ``tau_f``. The equations are linear between spikes, so
    ``method='exponential'`` integrates them exactly.

    Parameters
    ----------
    U : float
        Increment of ``u`` per spike; the efficacy of the first spike is ``U``.
    tau_f : float
        Facilitation time constant, the decay of ``u`` (ms).
    tau_d : float
        Depression time constant, the recovery of ``x`` (ms).
    tau : float
        Decay time constant of the postsynaptic current (ms).
    A : float
        Current of a spike of efficacy 1 at ``w = 1``, the absolute synaptic
        efficacy (the neuron's input unit, e.g. pA or µA/cm²).
    method : str, optional
        Numerical method of ``u``, ``x`` and ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``u`` (0), ``x`` (1), ``s`` (0), ``w`` (weight, 1),
        ``I`` (the current :math:`A w s`). Requires ``pre['spike']`` and
        ``post['input']``.

    References
    ----------
    Tsodyks, Pawelzik & Markram, "Neural networks with dynamic synapses", *Neural Comput.* 10:821 (1998);
    Markram, Wang & Tsodyks, "Differential signaling via the same axon of neocortical pyramidal neurons",
    *Proc. Natl. Acad. Sci. USA* 95:5323 (1998).
    """

    @integrate(method=method)
    def int_u(u, t):
        return -u / tau_f

    @integrate(method=method)
    def int_x(x, t):
        return (1.0 - x) / tau_d

    @integrate(method=method)
    def int_s(s, t):
        return -s / tau

    def update(ST, _t, pre):
        u = int_u(ST["u"], _t)
        x = int_x(ST["x"], _t)
        s = int_s(ST["s"], _t)
        if pre["spike"] > 0.0:
            u += U * (1.0 - u)
            release = u * x
            s += release
            x -= release
        ST["u"] = u
        ST["x"] = x
        ST["s"] = s
        ST["I"] = A * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["I"]

    return SynType(
        name="STP",
        ST=SynState({"u": 0.0, "x": 1.0, "s": 0.0, "w": 1.0, "I": 0.0}),
        requires=dict(pre=NeuState(["spike"]), post=NeuState(["input"])),
        steps=(update, output),
        mode="scalar",
    )


def get_STDP(
    g_max: float = 1.0,
    E: float = 0.0,
    tau: float = 5.0,
    tau_plus: float = 20.0,
    tau_minus: float = 20.0,
    A_plus: float = 0.01,
    A_minus: float = 0.0105,
    w_min: float = 0.0,
    w_max: float = 1.0,
    method: str | None = None,
) -> SynType:
    r"""Return a conductance-based synapse with pair-based, additive spike-timing-dependent plasticity.

    .. math::

        \frac{da_{pre}}{dt} &= -\frac{a_{pre}}{\tau_+} + \sum_k \delta(t - t^k_{pre}), \qquad
        \frac{da_{post}}{dt} = -\frac{a_{post}}{\tau_-} + \sum_k \delta(t - t^k_{post}) \\
        \Delta w &= A_+ a_{pre} \text{ at a postsynaptic spike}, \qquad
        \Delta w = -A_- a_{post} \text{ at a presynaptic spike}, \qquad
        w \in [w_{min}, w_{max}] \\
        \frac{ds}{dt} &= -\frac{s}{\tau} + w \sum_k \delta(t - t^k_{pre}), \qquad
        g = g_{max} s, \qquad I_{syn} = g\,(E - V_{post})

    A presynaptic spike :math:`\Delta t > 0` ms before a postsynaptic one
    changes the weight by :math:`A_+ e^{-\Delta t/\tau_+}` (potentiation); the
    reverse order by :math:`-A_- e^{-\Delta t/\tau_-}` (depression). The traces
    add up, so every pair of spikes contributes (all-to-all interaction), and
    the sum is clipped to ``[w_min, w_max]`` after every step (hard bounds).
    Both rules of a step use the traces before that step's spikes, so a pre
    and a post spike in the same step change nothing by themselves. A
    presynaptic spike transmits the weight it finds (before its own
    depression).

    Put the ``SynConn`` after both groups in the ``Network`` so that it sees
    the spikes of the step in which they happen.

    Parameters
    ----------
    g_max : float
        Conductance of a spike at ``w = 1`` (units that make :math:`g (E - V)`
        the neuron's input unit).
    E : float
        Reversal potential (mV).
    tau : float
        Decay time constant of the conductance (ms).
    tau_plus, tau_minus : float
        Time constants of the potentiation and depression windows, the decays
        of the pre- and postsynaptic traces (ms).
    A_plus, A_minus : float
        Largest weight change of one pair (weight units); ``A_minus`` slightly
        above ``A_plus`` makes uncorrelated firing depress on average.
    w_min, w_max : float
        Bounds of ``w``; its initial value is their mean.
    method : str, optional
        Numerical method of the traces and ``s`` (default: ``bp.profile``'s);
        ``'exponential'`` makes the windows exactly exponential.

    Returns
    -------
    SynType
        Scalar mode. State: ``w`` (weight), ``a_pre``, ``a_post`` (traces),
        ``s`` (conductance per ``g_max``), ``g`` (conductance). Requires
        ``pre['spike']``, ``post['spike']``, ``post['V']`` and ``post['input']``.

    References
    ----------
    Song, Miller & Abbott, "Competitive Hebbian learning through spike-timing-dependent synaptic
    plasticity", *Nat. Neurosci.* 3:919 (2000); Bi & Poo, "Synaptic modifications in cultured hippocampal
    neurons", *J. Neurosci.* 18:10464 (1998).
    """

    @integrate(method=method)
    def int_a_pre(a_pre, t):
        return -a_pre / tau_plus

    @integrate(method=method)
    def int_a_post(a_post, t):
        return -a_post / tau_minus

    @integrate(method=method)
    def int_s(s, t):
        return -s / tau

    def update(ST, _t, pre, post):
        a_pre = int_a_pre(ST["a_pre"], _t)
        a_post = int_a_post(ST["a_post"], _t)
        s = int_s(ST["s"], _t)
        w = ST["w"]
        pre_spike = pre["spike"] > 0.0
        post_spike = post["spike"] > 0.0
        # Both rules read the traces before this step's spikes are added: a pair
        # within one step has no order, so it changes nothing.
        dw = 0.0
        if pre_spike:
            s += w
            dw -= A_minus * a_post
        if post_spike:
            dw += A_plus * a_pre
        if pre_spike:
            a_pre += 1.0
        if post_spike:
            a_post += 1.0
        ST["w"] = min(max(w + dw, w_min), w_max)
        ST["a_pre"] = a_pre
        ST["a_post"] = a_post
        ST["s"] = s
        ST["g"] = g_max * s

    @delayed
    def output(ST, post):
        post["input"] += ST["g"] * (E - post["V"])

    return SynType(
        name="STDP",
        ST=SynState({"w": 0.5 * (w_min + w_max), "a_pre": 0.0, "a_post": 0.0, "s": 0.0, "g": 0.0}),
        requires=dict(pre=NeuState(["spike"]), post=NeuState(["spike", "V", "input"])),
        steps=(update, output),
        mode="scalar",
    )
