"""Conductance-based neurons: Hodgkin–Huxley (1952), Wang–Buzsáki (1996), Morris–Lecar (1981).

Vector-mode types made only of elementwise NumPy code, which the engine
compiles as one scalar loop over neurons (``lower/scalarise.py``). Each has
``V`` (mV), ``input`` (µA/cm², summed each step and reset to 0), ``spike``
(an upward crossing of ``V_th``) and its gating variables, and an ``init_state``
hand-over that puts the gates at their steady state for given voltages::

    group = bp.NeuGroup(bp.models.get_HH(), 10)
    group.init_state(group.ST, -65.0)

The gating rates are written inline in the derivative functions (not called
from helpers) so that dynamics analysis can read them symbolically.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.integrators import integrate
from brainlab.types import NeuState

__all__ = ["get_HH", "get_MorrisLecar", "get_WangBuzsaki", "hh_steady_state", "wb_steady_state"]


def hh_steady_state(V: Any) -> tuple[Any, Any, Any]:
    """Return the steady-state gates (m∞, h∞, n∞) of Hodgkin–Huxley 1952 at ``V`` (mV)."""
    V = np.asarray(V, dtype=float)
    am = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    bm = 4.0 * np.exp(-(V + 65) / 18)
    ah = 0.07 * np.exp(-(V + 65) / 20)
    bh = 1 / (1 + np.exp(-(V + 35) / 10))
    an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    bn = 0.125 * np.exp(-(V + 65) / 80)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


def _hh_init_state(ST: Any, V: Any) -> None:
    """Set ``V`` and put m, h, n at their steady state (the ``init_state`` hand-over)."""
    ST["V"] = V
    ST["m"], ST["h"], ST["n"] = hh_steady_state(ST["V"])


def get_HH(
    C: float = 1.0,
    g_Na: float = 120.0,
    E_Na: float = 50.0,
    g_K: float = 36.0,
    E_K: float = -77.0,
    g_L: float = 0.3,
    E_L: float = -54.387,
    V_th: float = 20.0,
    method: Any = None,
) -> NeuType:
    r"""Hodgkin–Huxley squid-axon neuron with the standard 1952 parameters.

    .. math::

        C \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K) - g_L (V - E_L) + I \\
        \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V) x, \quad x \in \{m, h, n\}

    with :math:`\alpha_m = 0.1(V+40)/(1-e^{-(V+40)/10})`, :math:`\beta_m = 4e^{-(V+65)/18}`,
    :math:`\alpha_h = 0.07e^{-(V+65)/20}`, :math:`\beta_h = 1/(1+e^{-(V+35)/10})`,
    :math:`\alpha_n = 0.01(V+55)/(1-e^{-(V+55)/10})`, :math:`\beta_n = 0.125e^{-(V+65)/80}`
    (the modern convention, rest at −65 mV). The leak conductance is 0.3 mS/cm²
    (one tutorial of BrainPy 0.3 has 0.003, a typo).

    Parameters
    ----------
    C : float
        Membrane capacitance (µF/cm²).
    g_Na, g_K, g_L : float
        Maximal sodium, potassium and leak conductances (mS/cm²).
    E_Na, E_K, E_L : float
        Reversal potentials (mV).
    V_th : float
        Spike detection threshold (mV).
    method : str, optional
        Numerical method (default: ``bp.profile``'s; ``'exponential'`` or ``'rk4'`` recommended).

    References
    ----------
    Hodgkin & Huxley (1952), *J. Physiol.* 117:500–544.
    """

    @integrate(method=method)
    def int_m(m, t, V):
        alpha = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
        beta = 4.0 * np.exp(-(V + 65) / 18)
        return alpha * (1 - m) - beta * m

    @integrate(method=method)
    def int_h(h, t, V):
        alpha = 0.07 * np.exp(-(V + 65) / 20)
        beta = 1 / (1 + np.exp(-(V + 35) / 10))
        return alpha * (1 - h) - beta * h

    @integrate(method=method)
    def int_n(n, t, V):
        alpha = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
        beta = 0.125 * np.exp(-(V + 65) / 80)
        return alpha * (1 - n) - beta * n

    @integrate(method=method)
    def int_V(V, t, m, h, n, I_ext):
        I_Na = g_Na * m**3 * h * (V - E_Na)
        I_K = g_K * n**4 * (V - E_K)
        I_L = g_L * (V - E_L)
        return (-I_Na - I_K - I_L + I_ext) / C

    def update(ST, _t):
        m = int_m(ST["m"], _t, ST["V"])
        h = int_h(ST["h"], _t, ST["V"])
        n = int_n(ST["n"], _t, ST["V"])
        V = int_V(ST["V"], _t, ST["m"], ST["h"], ST["n"], ST["input"])
        ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["V"] = V
        ST["m"] = m
        ST["h"] = h
        ST["n"] = n
        ST["input"] = 0.0

    m0, h0, n0 = (float(x) for x in hh_steady_state(-65.0))
    state = NeuState({"V": -65.0, "m": m0, "h": h0, "n": n0, "spike": 0.0, "input": 0.0})
    return NeuType(name="HH", ST=state, steps=update, hand_overs={"init_state": _hh_init_state})


def wb_steady_state(V: Any) -> tuple[Any, Any]:
    """Return the steady-state gates (h∞, n∞) of the Wang–Buzsáki model at ``V`` (mV), with φ cancelled."""
    V = np.asarray(V, dtype=float)
    ah, bh = 0.07 * np.exp(-(V + 58) / 20), 1 / (np.exp(-0.1 * (V + 28)) + 1)
    an, bn = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1), 0.125 * np.exp(-(V + 44) / 80)
    return ah / (ah + bh), an / (an + bn)


def _wb_init_state(ST: Any, V: Any) -> None:
    """Set ``V`` and put h, n at their steady state (the ``init_state`` hand-over)."""
    ST["V"] = V
    ST["h"], ST["n"] = wb_steady_state(ST["V"])


def get_WangBuzsaki(
    C: float = 1.0,
    g_Na: float = 35.0,
    E_Na: float = 55.0,
    g_K: float = 9.0,
    E_K: float = -90.0,
    g_L: float = 0.1,
    E_L: float = -65.0,
    phi: float = 5.0,
    V_th: float = 0.0,
    method: Any = None,
    mode: str = "vector",
) -> NeuType:
    r"""Wang–Buzsáki fast-spiking hippocampal interneuron.

    .. math::

        C \frac{dV}{dt} &= -g_{Na} m_\infty^3(V) h (V - E_{Na}) - g_K n^4 (V - E_K) - g_L (V - E_L) + I \\
        \frac{dx}{dt} &= \phi\,(\alpha_x(V)(1 - x) - \beta_x(V) x), \quad x \in \{h, n\}

    with instantaneous activation :math:`m_\infty = \alpha_m/(\alpha_m+\beta_m)`,
    :math:`\alpha_m = -0.1(V+35)/(e^{-0.1(V+35)}-1)`, :math:`\beta_m = 4e^{-(V+60)/18}`,
    :math:`\alpha_h = 0.07e^{-(V+58)/20}`, :math:`\beta_h = 1/(e^{-0.1(V+28)}+1)`,
    :math:`\alpha_n = -0.01(V+34)/(e^{-0.1(V+34)}-1)`, :math:`\beta_n = 0.125e^{-(V+44)/80}`.
    Type-I excitability with a rheobase near 0.16 µA/cm².

    Parameters
    ----------
    C : float
        Membrane capacitance (µF/cm²).
    g_Na, g_K, g_L : float
        Maximal conductances (mS/cm²).
    E_Na, E_K, E_L : float
        Reversal potentials (mV).
    phi : float
        Temperature factor of the h and n kinetics.
    V_th : float
        Spike detection threshold (mV).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).
    mode : {'vector', 'scalar'}
        The same equations as elementwise array code (the seed's form) or as
        the step of one neuron; both compile to one loop over neurons.

    References
    ----------
    Wang & Buzsáki (1996), *J. Neurosci.* 16:6402–6413.
    """

    @integrate(method=method)
    def int_h(h, t, V):
        alpha = 0.07 * np.exp(-(V + 58) / 20)
        beta = 1 / (np.exp(-0.1 * (V + 28)) + 1)
        return phi * (alpha * (1 - h) - beta * h)

    @integrate(method=method)
    def int_n(n, t, V):
        alpha = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1)
        beta = 0.125 * np.exp(-(V + 44) / 80)
        return phi * (alpha * (1 - n) - beta * n)

    @integrate(method=method)
    def int_V(V, t, h, n, I_ext):
        m_alpha = -0.1 * (V + 35) / (np.exp(-0.1 * (V + 35)) - 1)
        m_beta = 4 * np.exp(-(V + 60) / 18)
        m = m_alpha / (m_alpha + m_beta)
        I_Na = g_Na * m**3 * h * (V - E_Na)
        I_K = g_K * n**4 * (V - E_K)
        I_L = g_L * (V - E_L)
        return (-I_Na - I_K - I_L + I_ext) / C

    def update(ST, _t):
        h = int_h(ST["h"], _t, ST["V"])
        n = int_n(ST["n"], _t, ST["V"])
        V = int_V(ST["V"], _t, ST["h"], ST["n"], ST["input"])
        ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["V"] = V
        ST["h"] = h
        ST["n"] = n
        ST["input"] = 0.0

    def update_one(ST, _t):
        V = ST["V"]
        h = int_h(ST["h"], _t, V)
        n = int_n(ST["n"], _t, V)
        V_new = int_V(V, _t, ST["h"], ST["n"], ST["input"])
        ST["spike"] = 1.0 if (V < V_th and V_new >= V_th) else 0.0
        ST["V"] = V_new
        ST["h"] = h
        ST["n"] = n
        ST["input"] = 0.0

    h0, n0 = (float(x) for x in wb_steady_state(-65.0))
    state = NeuState({"V": -65.0, "h": h0, "n": n0, "spike": 0.0, "input": 0.0})
    step = update_one if mode == "scalar" else update
    return NeuType(name="WangBuzsaki", ST=state, steps=step, mode=mode, hand_overs={"init_state": _wb_init_state})


def get_MorrisLecar(
    C: float = 20.0,
    g_Ca: float = 4.4,
    E_Ca: float = 120.0,
    g_K: float = 8.0,
    E_K: float = -84.0,
    g_L: float = 2.0,
    E_L: float = -60.0,
    V1: float = -1.2,
    V2: float = 18.0,
    V3: float = 2.0,
    V4: float = 30.0,
    phi: float = 0.04,
    V_th: float = 10.0,
    method: Any = None,
) -> NeuType:
    r"""Morris–Lecar barnacle-muscle model, a planar conductance-based neuron.

    .. math::

        C \frac{dV}{dt} &= -g_{Ca} M_\infty(V)(V - E_{Ca}) - g_K W (V - E_K) - g_L (V - E_L) + I \\
        \frac{dW}{dt} &= \phi \frac{W_\infty(V) - W}{\tau_W(V)}

    with :math:`M_\infty = \tfrac12(1 + \tanh\frac{V - V_1}{V_2})`,
    :math:`W_\infty = \tfrac12(1 + \tanh\frac{V - V_3}{V_4})` and
    :math:`\tau_W = 1/\cosh\frac{V - V_3}{2 V_4}`. The defaults are the Hopf
    (class II) set of Rinzel & Ermentrout. ``W`` is the state field of the
    potassium activation.

    Parameters
    ----------
    C : float
        Membrane capacitance (µF/cm²).
    g_Ca, g_K, g_L : float
        Maximal conductances (mS/cm²).
    E_Ca, E_K, E_L : float
        Reversal potentials (mV).
    V1, V2, V3, V4 : float
        Midpoints and slopes of the activation curves (mV).
    phi : float
        Rate of the potassium kinetics (1/ms).
    V_th : float
        Spike detection threshold (mV).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Morris & Lecar (1981), *Biophys. J.* 35:193–213; Rinzel & Ermentrout (1998),
    in *Methods in Neuronal Modeling*, 2nd ed., ch. 7.
    """

    @integrate(method=method)
    def int_W(W, t, V):
        W_inf = 0.5 * (1 + np.tanh((V - V3) / V4))
        tau_W = 1 / np.cosh((V - V3) / (2 * V4))
        return phi * (W_inf - W) / tau_W

    @integrate(method=method)
    def int_V(V, t, W, I_ext):
        M_inf = 0.5 * (1 + np.tanh((V - V1) / V2))
        I_Ca = g_Ca * M_inf * (V - E_Ca)
        I_K = g_K * W * (V - E_K)
        I_L = g_L * (V - E_L)
        return (-I_Ca - I_K - I_L + I_ext) / C

    def update(ST, _t):
        W = int_W(ST["W"], _t, ST["V"])
        V = int_V(ST["V"], _t, ST["W"], ST["input"])
        ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["V"] = V
        ST["W"] = W
        ST["input"] = 0.0

    def init_state(ST: Any, V: Any) -> None:
        """Set ``V`` and put ``W`` at its steady state W∞(V) (the ``init_state`` hand-over)."""
        ST["V"] = V
        ST["W"] = 0.5 * (1 + np.tanh((ST["V"] - V3) / V4))

    W0 = 0.5 * (1 + np.tanh((-60.0 - V3) / V4))
    state = NeuState({"V": -60.0, "W": float(W0), "spike": 0.0, "input": 0.0})
    return NeuType(name="MorrisLecar", ST=state, steps=update, hand_overs={"init_state": init_state})
