"""What a bifurcation analysis returns: branches, special points, cycles and curves.

Plain dataclasses of NumPy arrays, drawn by :mod:`brainlab.visualize.dynamics`
and by the widgets alike.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import numpy as np

__all__ = ["Branch", "Codim1Result", "Codim2Result", "CycleExtrema", "ParameterCurve", "SpecialPoint"]


@dataclasses.dataclass
class Branch:
    """A continued branch of equilibria.

    Attributes
    ----------
    pars : dict
        ``parameter -> array`` along the branch (the fixed ones are constant).
    values : dict
        ``variable -> array`` along the branch.
    eigenvalues : array (k, n)
        Eigenvalues of the Jacobian at each point.
    stable : array of bool (k,)
    """

    pars: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    eigenvalues: np.ndarray
    stable: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.pars[name] if name in self.pars else self.values[name]

    def __len__(self) -> int:
        return len(self.stable)

    def pieces(self) -> Iterator[tuple[bool, dict[str, np.ndarray]]]:
        """Yield the runs of equal stability, each sharing its end point with the next (for drawing)."""
        if not len(self):
            return
        cuts = [0, *(np.flatnonzero(np.diff(self.stable.astype(int))) + 1), len(self)]
        for lo, hi in itertools.pairwise(cuts):
            end = min(hi + 1, len(self))
            yield bool(self.stable[lo]), {k: v[lo:end] for k, v in {**self.pars, **self.values}.items()}


@dataclasses.dataclass
class SpecialPoint:
    """A fold or Hopf point located on a branch.

    Attributes
    ----------
    kind : {'fold', 'hopf'}
    pars, values : dict
        Parameter values and state at the point.
    eigenvalues : array
    frequency : float or None
        Hopf: the imaginary part ω of the critical eigenvalues (angular frequency).
    lyapunov : float or None
        Hopf: the first Lyapunov coefficient; > 0 subcritical, < 0 supercritical.
    """

    kind: str
    pars: dict[str, float]
    values: dict[str, float]
    eigenvalues: np.ndarray
    frequency: float | None = None
    lyapunov: float | None = None

    @property
    def criticality(self) -> str | None:
        """``'subcritical'``/``'supercritical'`` for a Hopf point (from the Lyapunov coefficient)."""
        if self.lyapunov is None or not np.isfinite(self.lyapunov):
            return None
        return "subcritical" if self.lyapunov > 0 else "supercritical"


@dataclasses.dataclass
class CycleExtrema:
    """Limit-cycle extent beyond a Hopf point, measured by simulation.

    Attributes
    ----------
    par : str
        The varied parameter.
    pars : array
        Its values.
    minimum, maximum : dict
        ``variable -> array``: extremes over the last periods (NaN where the
        simulation settled on an equilibrium).
    period : array
        Mean period (NaN without oscillation).
    hopf : SpecialPoint
        The Hopf point the scan starts from.
    """

    par: str
    pars: np.ndarray
    minimum: dict[str, np.ndarray]
    maximum: dict[str, np.ndarray]
    period: np.ndarray
    hopf: SpecialPoint


@dataclasses.dataclass
class ParameterCurve:
    """A fold or Hopf curve in the plane of two parameters."""

    kind: str
    pars: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    stop_reason: str

    def __getitem__(self, name: str) -> np.ndarray:
        return self.pars[name] if name in self.pars else self.values[name]


@dataclasses.dataclass
class Codim1Result:
    """Branches, their fold and Hopf points, and limit cycles."""

    branches: list[Branch]
    special_points: list[SpecialPoint]
    cycles: list[CycleExtrema]

    def points(self, kind: str) -> list[SpecialPoint]:
        """Return the special points of one kind (``'fold'`` or ``'hopf'``)."""
        return [p for p in self.special_points if p.kind == kind]


@dataclasses.dataclass
class Codim2Result:
    """Equilibrium branches over the parameter plane and the fold/Hopf curves."""

    sheets: list[Branch]
    special_points: list[SpecialPoint]
    curves: list[ParameterCurve]

    def points(self, kind: str) -> list[SpecialPoint]:
        """Return the special points of one kind found on the sheets."""
        return [p for p in self.special_points if p.kind == kind]
