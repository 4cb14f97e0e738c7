"""Model types, groups, connections and networks (the ``brainpy.core`` API).

Describe a model with :class:`NeuType`/:class:`SynType`, instantiate it as
:class:`NeuGroup`/:class:`SynConn`, and run them together in a
:class:`Network`, which compiles one kernel for all of them.
"""

from brainlab.core.base import Ensemble, ObjType, Runner, delayed
from brainlab.core.monitors import Monitor
from brainlab.core.network import Network
from brainlab.core.neurons import NeuGroup, NeuSubGroup, NeuType
from brainlab.core.pars import ParsUpdate
from brainlab.core.runloop import RunInfo, RunProgress
from brainlab.core.synapses import SynConn, SynType

__all__ = [
    "Ensemble",
    "Monitor",
    "Network",
    "NeuGroup",
    "NeuSubGroup",
    "NeuType",
    "ObjType",
    "ParsUpdate",
    "RunInfo",
    "RunProgress",
    "Runner",
    "SynConn",
    "SynType",
    "delayed",
]
