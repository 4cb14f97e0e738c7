"""The Izhikevich (2003) neuron and the named parameter sets of its Fig. 2.

The model is a quadratic integrate-and-fire membrane potential ``V`` coupled
to one recovery variable ``u``, with an after-spike reset. Four numbers
``a, b, c, d`` select the firing pattern; :data:`IZHIKEVICH_PRESETS` holds the
seven cortical and thalamic classes of the paper, and
:func:`get_Izhikevich_preset` builds a model from one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.errors import ModelDefError
from brainlab.integrators import integrate
from brainlab.types import NeuState

__all__ = ["IZHIKEVICH_PRESETS", "get_Izhikevich", "get_Izhikevich_preset"]


def _preset(a: float, b: float, c: float, d: float) -> MappingProxyType:
    return MappingProxyType({"a": a, "b": b, "c": c, "d": d})


#: The parameter sets of Izhikevich (2003), Fig. 2, by class name (read-only).
IZHIKEVICH_PRESETS: MappingProxyType = MappingProxyType(
    {
        "RS": _preset(0.02, 0.2, -65.0, 8.0),  # regular spiking (excitatory cortex)
        "IB": _preset(0.02, 0.2, -55.0, 4.0),  # intrinsically bursting
        "CH": _preset(0.02, 0.2, -50.0, 2.0),  # chattering
        "FS": _preset(0.1, 0.2, -65.0, 2.0),  # fast spiking (inhibitory cortex)
        "TC": _preset(0.02, 0.25, -65.0, 0.05),  # thalamo-cortical
        "RZ": _preset(0.1, 0.26, -65.0, 2.0),  # resonator
        "LTS": _preset(0.02, 0.25, -65.0, 2.0),  # low-threshold spiking (inhibitory cortex)
    }
)

_MODES = ("scalar", "vector")


def get_Izhikevich(
    a: float = 0.02,
    b: float = 0.2,
    c: float = -65.0,
    d: float = 8.0,
    V_th: float = 30.0,
    V_init: float = -65.0,
    mode: str = "scalar",
    method: str | None = None,
    name: str = "Izhikevich",
) -> NeuType:
    r"""Return the Izhikevich (2003) neuron model.

    .. math::

        \frac{dV}{dt} = 0.04 V^2 + 5 V + 140 - u + I, \qquad
        \frac{du}{dt} = a (b V - u),

    and when :math:`V \ge V_{th}`: :math:`V \leftarrow c`, :math:`u \leftarrow u + d`.

    Time is in ms, ``V`` in mV; ``u`` and ``I`` are in the units of
    :math:`dV/dt` (mV/ms; the paper calls them dimensionless), so a current of
    10 raises :math:`dV/dt` by 10 mV/ms. The defaults are the regular-spiking
    (RS) class; :func:`get_Izhikevich_preset` gives the other classes.

    Parameters
    ----------
    a : float
        Recovery rate of ``u`` (1/ms); ``1/a`` is its time constant.
    b : float
        Sensitivity of ``u`` to the subthreshold ``V`` (dimensionless). Above
        about 0.25 the resting state becomes a damped oscillator (resonator).
    c : float
        After-spike reset value of ``V`` (mV).
    d : float
        After-spike increment of ``u`` (mV/ms).
    V_th : float
        Spike cut-off (mV): the peak at which a spike is registered and ``V``
        reset. It is not a firing threshold; that emerges from the dynamics.
    V_init : float
        Initial ``V`` of a new group (mV); ``u`` starts at ``b * V_init``.
    mode : {'scalar', 'vector'}
        ``'scalar'`` (default): the step describes one neuron and brainlab
        compiles one loop over the neurons with the integrators inlined, the
        fastest formulation in this engine. ``'vector'``: the same model on
        whole arrays.
    method : str, optional
        Numerical method of the integrators (default:
        ``bp.profile.get_numerical_method()`` when this function is called).
        ``V`` and ``u`` are integrated one after the other from the values of
        the previous step, so with ``'euler'`` this is the forward Euler method
        of the two-dimensional system; with higher-order methods the coupling is
        still first order in ``dt``, so prefer a small ``dt`` to a high order.
    name : str
        Name of the model.

    Returns
    -------
    NeuType
        The model. Its parameters ``a, b, c, d, V_th`` are runtime data:
        ``group.pars['d'] = 2.`` (or one value per neuron) takes effect at the
        next run without recompiling. State fields:

        ============= =========================================================
        field         meaning
        ============= =========================================================
        V             membrane potential (mV)
        u             recovery variable (mV/ms)
        input         input current; summed over a step, used, then reset to 0
        spike         1.0 in the step of a spike, else 0.0
        t_last_spike  time of the last spike (ms); -1e7 before the first
        ============= =========================================================

        Groups get ``group.init_state(ST, V=..., b=...)``: it sets ``V`` (a
        number or one value per neuron), ``u = b * V`` (``b`` defaults to this
        model's ``b``; pass it when ``group.pars['b']`` was changed) and clears
        ``input``, ``spike`` and ``t_last_spike``.

    Raises
    ------
    ModelDefError
        If ``mode`` is not ``'scalar'`` or ``'vector'``.

    Notes
    -----
    Izhikevich's own code steps ``V`` by two Euler half-steps of 0.5 ms and
    ``u`` by one step of 1 ms; here both use the network's ``dt`` (0.1 ms or
    less reproduces the firing patterns of the paper). A step that ends with
    ``V >= V_th`` is reset in the same step, so monitors never show the peak.

    Presets (Izhikevich 2003, Fig. 2):

    ======  ===============================  =====  =====  =====  =====
    name    class                            a      b      c      d
    ======  ===============================  =====  =====  =====  =====
    RS      regular spiking                  0.02   0.2    -65    8
    IB      intrinsically bursting           0.02   0.2    -55    4
    CH      chattering                       0.02   0.2    -50    2
    FS      fast spiking                     0.1    0.2    -65    2
    TC      thalamo-cortical                 0.02   0.25   -65    0.05
    RZ      resonator                        0.1    0.26   -65    2
    LTS     low-threshold spiking            0.02   0.25   -65    2
    ======  ===============================  =====  =====  =====  =====

    References
    ----------
    .. [1] E. M. Izhikevich, "Simple model of spiking neurons," IEEE
       Transactions on Neural Networks, vol. 14, no. 6, pp. 1569-1572, 2003.

    Examples
    --------
    >>> import brainlab as bp
    >>> from brainlab.models.izhikevich import get_Izhikevich
    >>> group = bp.NeuGroup(get_Izhikevich(), geometry=1, monitors=["spike"])
    >>> info = group.run(100.0, inputs=("ST.input", 10.0))
    >>> int(group.mon.spike.sum()) > 0
    True
    """
    if mode not in _MODES:
        raise ModelDefError(f"Izhikevich model: unknown mode {mode!r}; use one of {list(_MODES)}.")
    # The constants are converted once so that a (numpy) number or an int
    # does not give the kernel an integer parameter that a later float
    # assignment would have to re-specialise.
    a, b, c, d, V_th = float(a), float(b), float(c), float(d), float(V_th)

    @integrate(method=method)
    def int_V(V, _t, u, I_ext):
        return 0.04 * V * V + 5.0 * V + 140.0 - u + I_ext

    @integrate(method=method)
    def int_u(u, _t, V):
        return a * (b * V - u)

    def update(ST, _t):
        # Both variables advance from the previous step's values (the explicit
        # scheme of the 2-D system), then the reset applies to the new point.
        V = int_V(ST["V"], _t, ST["u"], ST["input"])
        u = int_u(ST["u"], _t, ST["V"])
        if V >= V_th:
            V = c
            u += d
            ST["spike"] = 1.0
            ST["t_last_spike"] = _t
        else:
            ST["spike"] = 0.0
        ST["V"] = V
        ST["u"] = u
        ST["input"] = 0.0

    def update_vector(ST, _t):
        V = int_V(ST["V"], _t, ST["u"], ST["input"])
        u = int_u(ST["u"], _t, ST["V"])
        spike = V >= V_th
        ST["spike"] = spike
        ST["t_last_spike"] = np.where(spike, _t, ST["t_last_spike"])
        ST["V"] = np.where(spike, c, V)
        ST["u"] = np.where(spike, u + d, u)
        ST["input"] = 0.0

    def init_state(ST: Any, V: Any = V_init, b: float = b) -> None:
        """Set ``V``, put ``u`` on its nullcline ``u = b V`` and clear inputs and spikes."""
        ST["V"] = V
        ST["u"] = b * np.asarray(V, dtype=float)
        ST["input"] = 0.0
        ST["spike"] = 0.0
        ST["t_last_spike"] = -1e7

    state = NeuState({"V": V_init, "u": b * V_init, "input": 0.0, "spike": 0.0, "t_last_spike": -1e7})
    step: Callable = update if mode == "scalar" else update_vector
    return NeuType(name=name, ST=state, steps=step, mode=mode, hand_overs={"init_state": init_state})


def get_Izhikevich_preset(preset: str, **overrides: Any) -> NeuType:
    """Return the Izhikevich model with the parameters of a named class of Izhikevich (2003).

    Parameters
    ----------
    preset : str
        One of ``'RS', 'IB', 'CH', 'FS', 'TC', 'RZ', 'LTS'`` (case does not
        matter); see :data:`IZHIKEVICH_PRESETS` and :func:`get_Izhikevich`.
    **overrides
        Arguments of :func:`get_Izhikevich`; they take precedence over the
        preset's ``a, b, c, d``.

    Returns
    -------
    NeuType
        The model, named ``'Izhikevich_<preset>'`` unless ``name`` is given.

    Raises
    ------
    ModelDefError
        If ``preset`` is not a known name.

    Examples
    --------
    >>> from brainlab.models.izhikevich import get_Izhikevich_preset
    >>> model = get_Izhikevich_preset("CH", d=3.0)
    >>> model.pars["c"], model.pars["d"]
    (-50.0, 3.0)
    """
    key = preset.upper() if isinstance(preset, str) else preset
    if key not in IZHIKEVICH_PRESETS:
        raise ModelDefError(
            f"Unknown Izhikevich preset {preset!r}; the presets of Izhikevich (2003) are "
            f"{', '.join(IZHIKEVICH_PRESETS)}."
        )
    arguments = {**IZHIKEVICH_PRESETS[key], "name": f"Izhikevich_{key}", **overrides}
    return get_Izhikevich(**arguments)
