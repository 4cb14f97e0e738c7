"""Dynamics analysis of neuron models: phase planes and bifurcations (``bp.dynamics``).

:class:`PhasePortraitAnalyzer` and :class:`BifurcationAnalyzer` read a
:class:`~brainlab.NeuType`'s ``@integrate`` derivative functions as a system
``dx/dt = f(x; p)``, build ``f`` and its exact Jacobian with SymPy from their
ASTs and compile them into vectorised functions. Their data methods return
arrays and dataclasses (nullclines, vector fields, fixed points with stability,
trajectories simulated with the model's own step function, equilibrium branches
continued by pseudo-arclength with fold and Hopf points, fold and Hopf curves,
limit-cycle extrema); their ``plot_*`` methods draw that data with matplotlib.
"""

from brainlab.dynamics import stability
from brainlab.dynamics.bifurcation import BifurcationAnalyzer
from brainlab.dynamics.lyapunov import first_lyapunov_coefficient
from brainlab.dynamics.phase_plane import FixedPoint, Nullcline, PhasePlane, PhasePortraitAnalyzer, VectorFieldGrid
from brainlab.dynamics.results import (
    Branch,
    Codim1Result,
    Codim2Result,
    CycleExtrema,
    ParameterCurve,
    SpecialPoint,
)
from brainlab.dynamics.trajectory import Trajectory

__all__ = [
    "BifurcationAnalyzer",
    "Branch",
    "Codim1Result",
    "Codim2Result",
    "CycleExtrema",
    "FixedPoint",
    "Nullcline",
    "ParameterCurve",
    "PhasePlane",
    "PhasePortraitAnalyzer",
    "SpecialPoint",
    "Trajectory",
    "VectorFieldGrid",
    "first_lyapunov_coefficient",
    "stability",
]
