"""brainlab: an interactive laboratory for neuronal dynamics.

``import brainlab as bp`` gives the BrainPy 0.3 API: define models with
:class:`NeuType`/:class:`SynType` and ``@bp.integrate``, instantiate them as
:class:`NeuGroup`/:class:`SynConn`, and run them in a :class:`Network`, which
compiles the whole time loop into one cached Numba kernel.
"""

__version__ = "0.1.0"

from brainlab import (
    connect,
    dynamics,
    errors,
    inputs,
    integrators,
    measure,
    models,
    profile,
    running,
    tools,
    types,
    visualize,
)
from brainlab.codegen.compiler import clear_cache
from brainlab.core import (
    Ensemble,
    Network,
    NeuGroup,
    NeuSubGroup,
    NeuType,
    ObjType,
    ParsUpdate,
    RunInfo,
    RunProgress,
    SynConn,
    SynType,
    delayed,
)
from brainlab.dynamics import BifurcationAnalyzer, PhasePortraitAnalyzer
from brainlab.integrators import integrate
from brainlab.types import NeuState, ObjState, SynState

# BrainPy 0.3 module names.
integration = integrators
connectivity = connect
visualization = visualize

__all__ = [
    "BifurcationAnalyzer",
    "Ensemble",
    "Network",
    "NeuGroup",
    "NeuState",
    "NeuSubGroup",
    "NeuType",
    "ObjState",
    "ObjType",
    "ParsUpdate",
    "PhasePortraitAnalyzer",
    "RunInfo",
    "RunProgress",
    "SynConn",
    "SynState",
    "SynType",
    "__version__",
    "clear_cache",
    "connect",
    "connectivity",
    "delayed",
    "dynamics",
    "errors",
    "inputs",
    "integrate",
    "integration",
    "integrators",
    "measure",
    "models",
    "profile",
    "running",
    "tools",
    "types",
    "visualization",
    "visualize",
]
