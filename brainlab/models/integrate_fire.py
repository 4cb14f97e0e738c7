"""Integrate-and-fire neurons: LIF, QIF, ExpIF and AdEx.

Each is a scalar-mode type: the step function describes one neuron with plain
``if`` statements for the refractory period, the threshold and the reset, and
the engine compiles it into one loop over neurons with the integrator inlined
(the fastest form measured in ``bench/``). State fields shared by all:

``V``             membrane potential (mV)
``input``         summed input current of the step (reset to 0 after use)
``spike``         1.0 on a spike step, else 0.0
``refractory``    1.0 while refractory
``t_last_spike``  time of the last spike (ms), ``-1e7`` before the first
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.integrators import integrate
from brainlab.types import NeuState

__all__ = ["get_AdExIF", "get_ExpIF", "get_LIF", "get_QuaIF"]


def _if_state(V: float, **extra: float) -> NeuState:
    return NeuState({"V": V, "input": 0.0, "spike": 0.0, "refractory": 0.0, "t_last_spike": -1e7, **extra})


def _threshold_reset(int_V: Any, V_th: float, V_reset: float, t_refractory: float) -> Any:
    """Return the step of a one-variable integrate-and-fire neuron: refractory clock, integration, threshold, reset.

    The step is a closure: the engine reads ``int_V`` as the integrator it calls
    and the three numbers as the type's parameters.
    """

    def update(ST, _t):
        ST["spike"] = 0.0
        if _t - ST["t_last_spike"] <= t_refractory:
            ST["refractory"] = 1.0
        else:
            ST["refractory"] = 0.0
            V = int_V(ST["V"], _t, ST["input"])
            if V >= V_th:
                V = V_reset
                ST["spike"] = 1.0
                ST["t_last_spike"] = _t
            ST["V"] = V
        ST["input"] = 0.0

    return update


def get_LIF(
    V_rest: float = 0.0,
    V_reset: float = -5.0,
    V_th: float = 20.0,
    R: float = 1.0,
    tau: float = 10.0,
    t_refractory: float = 5.0,
    method: Any = None,
) -> NeuType:
    r"""Leaky integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R I(t)

    When :math:`V \ge V_{th}` the neuron spikes, :math:`V \leftarrow V_{reset}`, and
    :math:`V` stays there for ``t_refractory``. Under a constant current the
    inter-spike interval is :math:`t_{ref} + \tau \ln\frac{RI + V_{rest} - V_{reset}}{RI + V_{rest} - V_{th}}`.

    Parameters
    ----------
    V_rest, V_reset, V_th : float
        Resting, reset and threshold potentials (mV).
    R : float
        Membrane resistance (MΩ; with I in nA, R·I is in mV).
    tau : float
        Membrane time constant (ms).
    t_refractory : float
        Absolute refractory period (ms).
    method : str, optional
        Numerical method (default: ``bp.profile``'s); ``'exponential'`` is exact here.

    References
    ----------
    Lapicque (1907); Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1.
    """

    @integrate(method=method)
    def int_V(V, t, I_ext):
        return (-(V - V_rest) + R * I_ext) / tau

    return NeuType(
        name="LIF", ST=_if_state(V_rest), steps=_threshold_reset(int_V, V_th, V_reset, t_refractory), mode="scalar"
    )


def get_QuaIF(
    a_0: float = 0.07,
    V_c: float = -50.0,
    V_rest: float = -65.0,
    V_reset: float = -68.0,
    V_th: float = -30.0,
    R: float = 1.0,
    tau: float = 10.0,
    t_refractory: float = 0.0,
    method: Any = None,
) -> NeuType:
    r"""Quadratic integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = a_0 (V - V_{rest})(V - V_c) + R I(t)

    Rest is stable below the critical voltage :math:`V_c`; above it the voltage
    escapes towards infinity and is reset at ``V_th`` (the spike).

    Parameters
    ----------
    a_0 : float
        Curvature (1/mV).
    V_c : float
        Critical voltage of spike initiation (mV).
    V_rest, V_reset, V_th : float
        Resting, reset and spike-cut potentials (mV).
    R : float
        Membrane resistance (MΩ).
    tau : float
        Membrane time constant (ms).
    t_refractory : float
        Refractory period (ms).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Latham, Richmond, Nelson & Nirenberg (2000), *J. Neurophysiol.* 83:808;
    Gerstner et al., *Neuronal Dynamics* (2014), ch. 5.3.
    """

    @integrate(method=method)
    def int_V(V, t, I_ext):
        return (a_0 * (V - V_rest) * (V - V_c) + R * I_ext) / tau

    return NeuType(
        name="QuaIF", ST=_if_state(V_rest), steps=_threshold_reset(int_V, V_th, V_reset, t_refractory), mode="scalar"
    )


def get_ExpIF(
    V_rest: float = -65.0,
    V_reset: float = -68.0,
    V_th: float = -30.0,
    V_T: float = -59.9,
    delta_T: float = 3.48,
    R: float = 10.0,
    tau: float = 10.0,
    t_refractory: float = 1.7,
    method: Any = None,
) -> NeuType:
    r"""Exponential integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + \Delta_T e^{(V - V_T)/\Delta_T} + R I(t)

    The exponential term is the spike initiation of the sodium current; the spike
    is cut at ``V_th`` and the voltage reset to ``V_reset``.

    Parameters
    ----------
    V_rest, V_reset, V_th : float
        Resting, reset and spike-cut potentials (mV).
    V_T : float
        Threshold of the exponential (the rheobase voltage, mV).
    delta_T : float
        Slope factor, the sharpness of spike initiation (mV).
    R : float
        Membrane resistance (MΩ).
    tau : float
        Membrane time constant (ms).
    t_refractory : float
        Refractory period (ms).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel (2003), *J. Neurosci.* 23:11628.
    """

    @integrate(method=method)
    def int_V(V, t, I_ext):
        return (-(V - V_rest) + delta_T * np.exp((V - V_T) / delta_T) + R * I_ext) / tau

    return NeuType(
        name="ExpIF", ST=_if_state(V_rest), steps=_threshold_reset(int_V, V_th, V_reset, t_refractory), mode="scalar"
    )


def get_AdExIF(
    V_rest: float = -70.6,
    V_reset: float = -70.6,
    V_th: float = 20.0,
    V_T: float = -50.4,
    delta_T: float = 2.0,
    a: float = 4.0,
    b: float = 80.5,
    C: float = 281.0,
    g_L: float = 30.0,
    tau_w: float = 144.0,
    t_refractory: float = 0.0,
    method: Any = None,
) -> NeuType:
    r"""Adaptive exponential integrate-and-fire neuron (AdEx).

    .. math::

        C \frac{dV}{dt} &= -g_L (V - V_{rest}) + g_L \Delta_T e^{(V - V_T)/\Delta_T} - w + I(t) \\
        \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w

    At :math:`V \ge V_{th}`: :math:`V \leftarrow V_{reset}`, :math:`w \leftarrow w + b`.
    The defaults are Brette & Gerstner's fit to a regular-spiking pyramidal cell.

    Parameters
    ----------
    V_rest, V_reset, V_th : float
        Leak reversal, reset and spike-cut potentials (mV).
    V_T : float
        Threshold of the exponential (mV).
    delta_T : float
        Slope factor (mV).
    a : float
        Subthreshold adaptation (nS).
    b : float
        Spike-triggered adaptation (pA).
    C : float
        Membrane capacitance (pF).
    g_L : float
        Leak conductance (nS).
    tau_w : float
        Adaptation time constant (ms).
    t_refractory : float
        Refractory period (ms).
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    Notes
    -----
    With C in pF, conductances in nS and currents in pA, time is in ms. The
    state has an extra field ``w`` (pA).

    The upstroke is explosive, so the method matters: ``euler`` (Brette &
    Gerstner's choice), ``exponential``, ``midpoint``, ``heun`` and ``rk2`` work;
    the trial stages of ``rk3``, ``rk4`` and ``rk4_alternative`` overshoot far past
    ``V_th`` into an overflow of the exponential, and the run stops with a
    divergence error.

    References
    ----------
    Brette & Gerstner (2005), *J. Neurophysiol.* 94:3637.
    """

    @integrate(method=method)
    def int_V(V, t, w, I_ext):
        return (-g_L * (V - V_rest) + g_L * delta_T * np.exp((V - V_T) / delta_T) - w + I_ext) / C

    @integrate(method=method)
    def int_w(w, t, V):
        return (a * (V - V_rest) - w) / tau_w

    def update(ST, _t):
        ST["spike"] = 0.0
        w = int_w(ST["w"], _t, ST["V"])
        if _t - ST["t_last_spike"] <= t_refractory:
            ST["refractory"] = 1.0
        else:
            ST["refractory"] = 0.0
            V = int_V(ST["V"], _t, ST["w"], ST["input"])
            if V >= V_th:
                V = V_reset
                w += b
                ST["spike"] = 1.0
                ST["t_last_spike"] = _t
            ST["V"] = V
        ST["w"] = w
        ST["input"] = 0.0

    return NeuType(name="AdExIF", ST=_if_state(V_rest, w=0.0), steps=update, mode="scalar")
