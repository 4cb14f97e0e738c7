"""Polynomial neuron models: FitzHugh–Nagumo (2-D) and Hindmarsh–Rose (3-D).

Dimensionless caricatures of excitability used to teach phase planes and
bursting; vector-mode types of elementwise code (compiled as scalar loops).
The voltage-like variable is ``V``; ``input`` is summed each step and reset;
``spike`` marks upward crossings of ``V_th``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.integrators import integrate
from brainlab.types import NeuState

__all__ = ["get_FitzHughNagumo", "get_HindmarshRose"]


def get_FitzHughNagumo(
    a: float = 0.7, b: float = 0.8, tau: float = 12.5, V_th: float = 1.9, method: Any = None
) -> NeuType:
    r"""FitzHugh–Nagumo model.

    .. math::

        \frac{dV}{dt} = V - \frac{V^3}{3} - w + I, \qquad \tau \frac{dw}{dt} = V + a - b w

    With the defaults the rest state loses stability in a Hopf bifurcation at
    I ≈ 0.331 and regains it at I ≈ 1.419 (where :math:`V^* = \pm\sqrt{1 - b/\tau}`).

    Parameters
    ----------
    a, b : float
        Offset and slope of the recovery nullcline (dimensionless).
    tau : float
        Time scale of the recovery variable ``w`` (dimensionless time).
    V_th : float
        Spike detection threshold.
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    FitzHugh (1961), *Biophys. J.* 1:445–466; Nagumo, Arimoto & Yoshizawa (1962),
    *Proc. IRE* 50:2061–2070.
    """

    @integrate(method=method)
    def int_w(w, t, V):
        return (V + a - b * w) / tau

    @integrate(method=method)
    def int_V(V, t, w, I_ext):
        return V - V * V * V / 3 - w + I_ext

    def update(ST, _t):
        w = int_w(ST["w"], _t, ST["V"])
        V = int_V(ST["V"], _t, ST["w"], ST["input"])
        ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["V"] = V
        ST["w"] = w
        ST["input"] = 0.0

    state = NeuState({"V": -1.2, "w": -0.6, "spike": 0.0, "input": 0.0})
    return NeuType(name="FitzHughNagumo", ST=state, steps=update)


def get_HindmarshRose(
    a: float = 1.0,
    b: float = 3.0,
    c: float = 1.0,
    d: float = 5.0,
    r: float = 0.001,
    s: float = 4.0,
    V_rest: float = -1.6,
    V_th: float = 1.0,
    method: Any = None,
) -> NeuType:
    r"""Hindmarsh–Rose bursting neuron.

    .. math::

        \frac{dV}{dt} &= y - a V^3 + b V^2 - z + I \\
        \frac{dy}{dt} &= c - d V^2 - y \\
        \frac{dz}{dt} &= r\,(s (V - V_{rest}) - z)

    The slow adaptation current ``z`` switches the fast (V, y) subsystem between
    rest and spiking: bursts at I ≈ 2–3 with the defaults.

    Parameters
    ----------
    a, b, c, d : float
        Coefficients of the fast subsystem (dimensionless).
    r : float
        Time-scale ratio of the slow current (small: long bursts).
    s : float
        Coupling of the slow current to V.
    V_rest : float
        Reference potential of the slow current.
    V_th : float
        Spike detection threshold.
    method : str, optional
        Numerical method (default: ``bp.profile``'s).

    References
    ----------
    Hindmarsh & Rose (1984), *Proc. R. Soc. Lond. B* 221:87–102.
    """

    @integrate(method=method)
    def int_V(V, t, y, z, I_ext):
        return y - a * V * V * V + b * V * V - z + I_ext

    @integrate(method=method)
    def int_y(y, t, V):
        return c - d * V * V - y

    @integrate(method=method)
    def int_z(z, t, V):
        return r * (s * (V - V_rest) - z)

    def update(ST, _t):
        V = int_V(ST["V"], _t, ST["y"], ST["z"], ST["input"])
        y = int_y(ST["y"], _t, ST["V"])
        z = int_z(ST["z"], _t, ST["V"])
        ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
        ST["V"] = V
        ST["y"] = y
        ST["z"] = z
        ST["input"] = 0.0

    state = NeuState({"V": V_rest, "y": c - d * V_rest**2, "z": 0.0, "spike": 0.0, "input": 0.0})
    return NeuType(name="HindmarshRose", ST=state, steps=update)
