"""Ready neuron, synapse and network models (the role of BrainPy 0.3's ``bpmodels``).

Every factory returns an ordinary :class:`~brainlab.NeuType`, :class:`~brainlab.SynType`
or a ready :class:`~brainlab.Network`; its keyword arguments are the model's
parameters (runtime data of the kernel: ``group.pars[...]`` changes them without
recompiling), and its docstring gives the equations, the parameters with units
and the reference.
"""

from brainlab.models.conductance import get_HH, get_MorrisLecar, get_WangBuzsaki, hh_steady_state, wb_steady_state
from brainlab.models.integrate_fire import get_AdExIF, get_ExpIF, get_LIF, get_QuaIF
from brainlab.models.izhikevich import IZHIKEVICH_PRESETS, get_Izhikevich, get_Izhikevich_preset
from brainlab.models.networks import (
    cann_bump_height,
    get_CANN,
    get_CANN_network,
    get_COBA_network,
    get_CUBA_network,
    get_EI_balance_network,
    get_gamma_network,
    get_WangBuzsaki_GABAa,
)
from brainlab.models.oscillators import get_FitzHughNagumo, get_HindmarshRose
from brainlab.models.plasticity import get_STDP, get_STP
from brainlab.models.receptors import get_AMPA, get_GABAa, get_GABAb, get_NMDA, mg_block
from brainlab.models.synapses import (
    get_alpha_conductance,
    get_alpha_current,
    get_exponential_conductance,
    get_exponential_current,
    get_gap_junction,
)

__all__ = [
    "IZHIKEVICH_PRESETS",
    "cann_bump_height",
    "get_AMPA",
    "get_AdExIF",
    "get_CANN",
    "get_CANN_network",
    "get_COBA_network",
    "get_CUBA_network",
    "get_EI_balance_network",
    "get_ExpIF",
    "get_FitzHughNagumo",
    "get_GABAa",
    "get_GABAb",
    "get_HH",
    "get_HindmarshRose",
    "get_Izhikevich",
    "get_Izhikevich_preset",
    "get_LIF",
    "get_MorrisLecar",
    "get_NMDA",
    "get_QuaIF",
    "get_STDP",
    "get_STP",
    "get_WangBuzsaki",
    "get_WangBuzsaki_GABAa",
    "get_alpha_conductance",
    "get_alpha_current",
    "get_exponential_conductance",
    "get_exponential_current",
    "get_gamma_network",
    "get_gap_junction",
    "hh_steady_state",
    "mg_block",
    "wb_steady_state",
]
