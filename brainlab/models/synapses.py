"""Phenomenological synapses: exponential and alpha kinetics, current- or conductance-based; gap junctions.

Naming scheme: ``get_<kinetics>_current`` adds a current to the postsynaptic
``input``, ``get_<kinetics>_conductance`` adds ``g (E - V)``. Receptor models
with transmitter kinetics (AMPA, GABA-A, GABA-B, NMDA) are in
:mod:`brainlab.models.receptors`, plastic synapses in
:mod:`brainlab.models.plasticity`.

Conventions shared by every synapse model of :mod:`brainlab.models`:

* Scalar mode: each step function describes one synapse. For per-synapse
  kinetics that is the fastest form the engine has: it compiles one loop over
  synapses with the integrators inlined, the ``if`` on the presynaptic spike
  made branch-free and the presynaptic work done once per neuron. (A vector-mode
  loop that calls an integrator per synapse measured 4.5 times slower on
  100 000 synapses, because those calls are not inlined.)
* The presynaptic group has ``spike`` (> 0 on a spike step); the postsynaptic
  group has ``V`` (mV) and ``input``, the summed current it consumes and
  resets every step.
* ``w`` is a per-synapse weight (dimensionless, default 1) that multiplies the
  model's scale (``g_max`` or ``A``); a weighted connector (``GaussianWeight``,
  ``DOG``) fills it, ``conn.ST['w'] = ...`` sets it by hand.
* ``update`` advances the kinetics of the step and applies this step's
  presynaptic spike; the ``@delayed`` ``output`` reads the conductance (or
  current) of ``SynConn(delay=...)`` ms ago, so only that one field has a delay
  buffer. A monitored state at step ``t`` is the state after that step's update.
* Numbers read by the step and derivative functions are the model's
  parameters: ``conn.pars['tau'] = 10.`` changes one for the next run without
  recompiling, and an array gives one value per synapse.
"""

from __future__ import annotations

import numpy as np

from brainlab.core.base import delayed
from brainlab.core.synapses import SynType
from brainlab.integrators import integrate
from brainlab.types import NeuState, SynState

__all__ = [
    "get_alpha_conductance",
    "get_alpha_current",
    "get_exponential_conductance",
    "get_exponential_current",
    "get_gap_junction",
]


def _requires(*post_fields: str) -> dict[str, NeuState]:
    return dict(pre=NeuState(["spike"]), post=NeuState(list(post_fields)))


# --- exponential ----------------------------------------------------------------------


def get_exponential_current(tau: float = 5.0, A: float = 1.0, method: str | None = None) -> SynType:
    r"""Return a current-based synapse with an exponentially decaying current.

    .. math::

        \frac{ds}{dt} = -\frac{s}{\tau} + \sum_k \delta(t - t^k_{pre}), \qquad
        I_{syn} = A\, w\, s

    After one presynaptic spike the current is :math:`A w e^{-t/\tau}`: it
    jumps by :math:`A w` and decays with time constant :math:`\tau`.

    Parameters
    ----------
    tau : float
        Decay time constant (ms).
    A : float
        Current of one spike at ``w = 1``, in the postsynaptic neuron's input
        unit (e.g. µA/cm² or pA); negative for an inhibitory current.
    method : str, optional
        Numerical method of ``s`` (default: ``bp.profile``'s);
        ``'exponential'`` integrates the decay exactly, ``'euler'`` gives
        :math:`(1 - dt/\tau)^n` after ``n`` steps.

    Returns
    -------
    SynType
        Scalar mode. State: ``s`` (dimensionless, +1 per spike), ``w``
        (weight, 1), ``I`` (the current :math:`A w s`). Requires ``pre['spike']``
        and ``post['input']``.

    References
    ----------
    Dayan & Abbott, *Theoretical Neuroscience* (MIT Press, 2001), sec. 5.8;
    Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (Cambridge University Press, 2014), sec. 3.1.
    """

    @integrate(method=method)
    def int_s(s, t):
        return -s / tau

    def update(ST, _t, pre):
        s = int_s(ST["s"], _t)
        if pre["spike"] > 0.0:
            s += 1.0
        ST["s"] = s
        ST["I"] = A * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["I"]

    return SynType(
        name="ExponentialCurrent",
        ST=SynState({"s": 0.0, "w": 1.0, "I": 0.0}),
        requires=_requires("input"),
        steps=(update, output),
        mode="scalar",
    )


def get_exponential_conductance(
    tau: float = 5.0, g_max: float = 1.0, E: float = 0.0, method: str | None = None
) -> SynType:
    r"""Return a conductance-based synapse with an exponentially decaying conductance.

    .. math::

        \frac{ds}{dt} = -\frac{s}{\tau} + \sum_k \delta(t - t^k_{pre}), \qquad
        g = g_{max}\, w\, s, \qquad I_{syn} = g\,(E - V_{post})

    After one presynaptic spike :math:`g(t) = g_{max} w e^{-t/\tau}`.

    Parameters
    ----------
    tau : float
        Decay time constant (ms).
    g_max : float
        Conductance of one spike at ``w = 1``, in units that make
        :math:`g (E - V)` the neuron's input unit (e.g. mS/cm² for µA/cm²,
        nS for pA).
    E : float
        Reversal potential (mV): 0 excitatory, about -80 inhibitory.
    method : str, optional
        Numerical method of ``s`` (default: ``bp.profile``'s);
        ``'exponential'`` integrates the decay exactly.

    Returns
    -------
    SynType
        Scalar mode. State: ``s`` (dimensionless, +1 per spike), ``w``
        (weight, 1), ``g`` (conductance). Requires ``pre['spike']``,
        ``post['V']`` and ``post['input']``.

    References
    ----------
    Dayan & Abbott, *Theoretical Neuroscience* (MIT Press, 2001), sec. 5.8;
    Brette et al., "Simulation of networks of spiking neurons: a review of tools and strategies",
    *J. Comput. Neurosci.* 23:349 (2007), benchmark 1.
    """

    @integrate(method=method)
    def int_s(s, t):
        return -s / tau

    def update(ST, _t, pre):
        s = int_s(ST["s"], _t)
        if pre["spike"] > 0.0:
            s += 1.0
        ST["s"] = s
        ST["g"] = g_max * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["g"] * (E - post["V"])

    return SynType(
        name="ExponentialConductance",
        ST=SynState({"s": 0.0, "w": 1.0, "g": 0.0}),
        requires=_requires("V", "input"),
        steps=(update, output),
        mode="scalar",
    )


# --- alpha ----------------------------------------------------------------------------
#
# The alpha function is the response of two chained first-order decays: a spike
# kicks x, x drives s. Each variable has its own integrator; s sees x at the
# middle of the step (the mean of its values at both ends), which makes the
# splitting second-order: with method='exponential' the computed s is the exact
# alpha function times sinh(a)/a, a = dt/tau (1 + 7e-5 at dt/tau = 0.02).


def get_alpha_current(tau: float = 5.0, A: float = 1.0, method: str | None = None) -> SynType:
    r"""Return a current-based synapse whose current follows an alpha function.

    .. math::

        \frac{dx}{dt} = -\frac{x}{\tau} + \frac{e}{\tau}\sum_k \delta(t - t^k_{pre}), \qquad
        \frac{ds}{dt} = -\frac{s}{\tau} + x, \qquad I_{syn} = A\, w\, s

    One spike gives :math:`s(t) = \frac{t}{\tau} e^{1 - t/\tau}`: the current
    rises, peaks at :math:`t = \tau` with the value :math:`A w` (the kick
    :math:`e/\tau` normalises the peak to 1), and decays.

    Parameters
    ----------
    tau : float
        Time to peak and decay time constant (ms).
    A : float
        Peak current of one spike at ``w = 1`` (the neuron's input unit).
    method : str, optional
        Numerical method of ``x`` and ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``x`` (1/ms), ``s`` (dimensionless, peak 1 per
        spike), ``w`` (weight, 1), ``I`` (current). Requires ``pre['spike']``
        and ``post['input']``.

    References
    ----------
    Rall, "Distinguishing theoretical synaptic potentials computed for different soma-dendritic
    distributions of synaptic input", *J. Neurophysiol.* 30:1138 (1967);
    Dayan & Abbott, *Theoretical Neuroscience* (MIT Press, 2001), sec. 5.8.
    """

    @integrate(method=method)
    def int_x(x, t):
        return -x / tau

    @integrate(method=method)
    def int_s(s, t, x):
        return -s / tau + x

    def update(ST, _t, pre):
        x0 = ST["x"]
        x = int_x(x0, _t)
        s = int_s(ST["s"], _t, 0.5 * (x0 + x))
        if pre["spike"] > 0.0:
            x += np.e / tau
        ST["x"] = x
        ST["s"] = s
        ST["I"] = A * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["I"]

    return SynType(
        name="AlphaCurrent",
        ST=SynState({"x": 0.0, "s": 0.0, "w": 1.0, "I": 0.0}),
        requires=_requires("input"),
        steps=(update, output),
        mode="scalar",
    )


def get_alpha_conductance(tau: float = 5.0, g_max: float = 1.0, E: float = 0.0, method: str | None = None) -> SynType:
    r"""Return a conductance-based synapse whose conductance follows an alpha function.

    .. math::

        \frac{dx}{dt} = -\frac{x}{\tau} + \frac{e}{\tau}\sum_k \delta(t - t^k_{pre}), \qquad
        \frac{ds}{dt} = -\frac{s}{\tau} + x, \qquad
        g = g_{max}\, w\, s, \qquad I_{syn} = g\,(E - V_{post})

    One spike gives :math:`g(t) = g_{max} w \frac{t}{\tau} e^{1 - t/\tau}`, with
    its peak :math:`g_{max} w` at :math:`t = \tau`.

    Parameters
    ----------
    tau : float
        Time to peak and decay time constant (ms).
    g_max : float
        Peak conductance of one spike at ``w = 1`` (units that make
        :math:`g (E - V)` the neuron's input unit).
    E : float
        Reversal potential (mV).
    method : str, optional
        Numerical method of ``x`` and ``s`` (default: ``bp.profile``'s).

    Returns
    -------
    SynType
        Scalar mode. State: ``x`` (1/ms), ``s`` (dimensionless, peak 1 per
        spike), ``w`` (weight, 1), ``g`` (conductance). Requires
        ``pre['spike']``, ``post['V']`` and ``post['input']``.

    References
    ----------
    Rall, *J. Neurophysiol.* 30:1138 (1967); Dayan & Abbott, *Theoretical Neuroscience*
    (MIT Press, 2001), sec. 5.8.
    """

    @integrate(method=method)
    def int_x(x, t):
        return -x / tau

    @integrate(method=method)
    def int_s(s, t, x):
        return -s / tau + x

    def update(ST, _t, pre):
        x0 = ST["x"]
        x = int_x(x0, _t)
        s = int_s(ST["s"], _t, 0.5 * (x0 + x))
        if pre["spike"] > 0.0:
            x += np.e / tau
        ST["x"] = x
        ST["s"] = s
        ST["g"] = g_max * ST["w"] * s

    @delayed
    def output(ST, post):
        post["input"] += ST["g"] * (E - post["V"])

    return SynType(
        name="AlphaConductance",
        ST=SynState({"x": 0.0, "s": 0.0, "w": 1.0, "g": 0.0}),
        requires=_requires("V", "input"),
        steps=(update, output),
        mode="scalar",
    )


# --- electrical -----------------------------------------------------------------------


def get_gap_junction(g_max: float = 1.0) -> SynType:
    r"""Return an electrical synapse (gap junction) that couples two membrane potentials.

    .. math::

        I_{post} = g_{max}\, w\, (V_{pre} - V_{post})

    A synapse carries current in one direction, from ``pre`` to ``post``; a
    symmetric junction is a pair of synapses, e.g. ``bp.connect.All2All(include_self=False)``
    within one group, or two ``SynConn`` with the groups swapped. The current
    uses the voltages of the step (no delay: there is no transmitter).

    Parameters
    ----------
    g_max : float
        Junction conductance at ``w = 1`` (units that make :math:`g \Delta V`
        the neuron's input unit, e.g. mS/cm² for µA/cm²).

    Returns
    -------
    SynType
        Scalar mode with a single step ``output``. State: ``w`` (weight, 1).
        Requires ``pre['V']``, ``post['V']`` and ``post['input']``.

    References
    ----------
    Bennett & Zukin, "Electrical coupling and neuronal synchronization in the mammalian brain",
    *Neuron* 41:495 (2004); Dayan & Abbott, *Theoretical Neuroscience* (MIT Press, 2001), sec. 5.8.
    """

    def output(ST, pre, post):
        post["input"] += g_max * ST["w"] * (pre["V"] - post["V"])

    return SynType(
        name="GapJunction",
        ST=SynState({"w": 1.0}),
        requires=dict(pre=NeuState(["V"]), post=NeuState(["V", "input"])),
        steps=(output,),
        mode="scalar",
    )
