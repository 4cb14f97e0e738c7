"""Phase-plane analysis of 1-D and 2-D neuron models (``bp.PhasePortraitAnalyzer``).

The analyser computes data — nullclines, the vector field on a grid, fixed
points with their stability, trajectories — and its ``plot_*`` methods draw that
data with matplotlib (:mod:`brainlab.visualize.dynamics`); widgets draw the same
data with bqplot. Changing a parameter (:meth:`PhasePortraitAnalyzer.set_values`)
only changes numbers given to the compiled field: nothing is re-derived.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.dynamics import stability
from brainlab.dynamics.solvers import Box, contour_lines, fixed_points
from brainlab.dynamics.system import ModelSystem
from brainlab.dynamics.trajectory import Trajectory, simulate
from brainlab.errors import AnalysisError

__all__ = ["FixedPoint", "Nullcline", "PhasePlane", "PhasePortraitAnalyzer", "VectorFieldGrid", "checked_updates"]


@dataclasses.dataclass
class Nullcline:
    """The zero set of ``d var/dt`` in the plane.

    Attributes
    ----------
    var : str
        The variable whose derivative vanishes.
    lines : list of array (k, 2)
        Polylines in plane coordinates (first target, second target).
    """

    var: str
    lines: list[np.ndarray]

    @property
    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        """All lines joined with NaN separators (one array per axis), for line plots."""
        if not self.lines:
            return np.zeros(0), np.zeros(0)
        gap = np.full((1, 2), np.nan)
        joined = np.concatenate([part for line in self.lines for part in (line, gap)][:-1])
        return joined[:, 0], joined[:, 1]


@dataclasses.dataclass
class VectorFieldGrid:
    """``dx/dt`` sampled on a grid.

    Attributes
    ----------
    axes : list of array
        Grid coordinates of each target variable.
    derivatives : array (n, *grid shape)
        ``d target_k / dt`` at each grid point (``[k, j, i]`` at ``(axes[0][i], axes[1][j])`` in 2-D).
    """

    axes: list[np.ndarray]
    derivatives: np.ndarray

    @property
    def speed(self) -> np.ndarray:
        """Euclidean norm of the field at each grid point."""
        return np.sqrt(np.sum(self.derivatives**2, axis=0))


@dataclasses.dataclass
class FixedPoint:
    """An equilibrium and its linear stability.

    Attributes
    ----------
    values : dict
        ``variable -> value``.
    jacobian : array (n, n)
    eigenvalues : array (n,)
    stability : str
        One of the names in :mod:`brainlab.dynamics.stability` (``'unstable-node'``, ...).
    """

    values: dict[str, float]
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    stability: str

    @property
    def is_stable(self) -> bool:
        """Whether the equilibrium is asymptotically stable."""
        return stability.is_stable(self.stability)

    def describe(self, number: int) -> str:
        """Return the seed's report line: ``Fixed point #1 at v=..., w=... is a unstable-node.``."""
        where = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"Fixed point #{number} at {where} is a {self.stability}."


@dataclasses.dataclass
class PhasePlane:
    """Everything a phase-plane picture shows, for the current parameter values."""

    nullclines: list[Nullcline]
    vector_field: VectorFieldGrid
    fixed_points: list[FixedPoint]


def check_ranges(ranges: Any, owner: str, what: str) -> dict[str, tuple[float, float]]:
    """Validate ``{'v': [low, high], ...}`` and return it with float bounds."""
    if not isinstance(ranges, Mapping) or not ranges:
        raise AnalysisError(f"{owner}: {what} must be a dict such as {{'v': [-3, 3]}}, got {ranges!r}.")
    out = {}
    for name, bounds in ranges.items():
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise AnalysisError(f"{owner}: {what}[{name!r}] must be [low, high], got {bounds!r}.") from None
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise AnalysisError(f"{owner}: {what}[{name!r}] must be finite with low < high, got {bounds!r}.")
        out[name] = (low, high)
    return out


def check_values(values: Any, owner: str, what: str) -> dict[str, Any]:
    """Validate ``{'name': number}`` (finite numbers or numeric arrays)."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise AnalysisError(f"{owner}: {what} must be a dict of name -> value, got {values!r}.")
    out = {}
    for name, value in values.items():
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
            pass
        else:
            raise AnalysisError(f"{owner}: {what}[{name!r}] must be a number, got {value!r}.")
        if not np.all(np.isfinite(value)):
            raise AnalysisError(f"{owner}: {what}[{name!r}] must be finite, got {value!r}.")
        out[name] = value
    return out


def checked_updates(
    system: ModelSystem,
    fixed_vars: Mapping[str, Any] | None,
    pars_update: Mapping[str, Any] | None,
    varied: Sequence[str],
    varied_kind: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate new fixed values and parameters of an analyser before any is applied.

    Raises
    ------
    AnalysisError
        For a non-number, a non-finite value, an unknown name, or a name the
        analysis varies itself (``varied``).
    """
    fixed = check_values(fixed_vars, system.owner, "fixed_vars")
    pars = check_values(pars_update, system.owner, "pars_update")
    system.check_names([*fixed, *pars], "the name")
    clash = [n for n in [*fixed, *pars] if n in varied]
    if clash:
        raise AnalysisError(f"{system.owner}: {clash} are {varied_kind} of the analysis; they cannot be fixed values.")
    return fixed, pars


def grid_points(low: float, high: float, resolution: float | None, default: int) -> np.ndarray:
    """Grid of an axis: step ``resolution`` in the variable's units, or ``default`` points."""
    if resolution is None:
        return np.linspace(low, high, default)
    if not (isinstance(resolution, numbers.Real) and resolution > 0):
        raise AnalysisError(f"resolution must be a positive step in the variable's units, got {resolution!r}.")
    count = int(np.floor((high - low) / resolution + 1e-9)) + 1
    return np.linspace(low, low + (count - 1) * resolution, max(count, 2))


class PhasePortraitAnalyzer:
    """Phase-plane analysis of a neuron type in one or two variables.

    Parameters
    ----------
    model : NeuType
        The neuron type; its ``@integrate`` derivative functions are the equations.
    target_vars : dict
        One or two variables with their ranges, e.g. ``{'v': [-3, 3], 'w': [-3, 3]}``.
    fixed_vars : dict, optional
        Values of the other variables that appear (frozen slow variables of a
        higher-dimensional model) and of inputs such as ``Iext``.
    pars_update : dict, optional
        Parameter values that differ from the model's.
    lim_scale : float
        Plots show the ranges widened by this factor around their centres.

    Examples
    --------
    >>> analyzer = bp.PhasePortraitAnalyzer(model=neuron, target_vars={'v': [-3, 3], 'w': [-3., 3.]},
    ...                                     fixed_vars={'Iext': 0.8})          # doctest: +SKIP
    >>> [p.stability for p in analyzer.fixed_points()]                         # doctest: +SKIP
    ['unstable-node']
    """

    def __init__(
        self,
        model: NeuType,
        target_vars: Mapping[str, Sequence[float]],
        fixed_vars: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
        lim_scale: float = 1.05,
    ):
        self.owner = f"PhasePortraitAnalyzer of {getattr(model, 'name', model)!r}"
        self.system = ModelSystem(model, self.owner)
        self.model = model
        self.target_vars = check_ranges(target_vars, self.owner, "target_vars")
        if len(self.target_vars) not in (1, 2):
            raise AnalysisError(
                f"{self.owner}: a phase plane has one or two target variables, got {list(self.target_vars)}. "
                "Freeze the others with fixed_vars, or use BifurcationAnalyzer for n-D equilibria."
            )
        self.targets = list(self.target_vars)
        self.fixed_vars: dict[str, Any] = {}
        self.pars_update: dict[str, Any] = {}
        self.lim_scale = float(lim_scale)
        self.box = Box(list(self.target_vars.values()))
        self.set_values(fixed_vars=fixed_vars, pars_update=pars_update)
        self.field = self.system.vector_field(self.targets, self.values)

    # --- values ----------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """Fixed variables, inputs and parameter updates, merged."""
        return {**self.pars_update, **self.fixed_vars}

    def set_values(self, fixed_vars: Mapping[str, Any] | None = None, pars_update: Mapping[str, Any] | None = None):
        """Change fixed variables and parameters (validated; nothing is recompiled).

        Parameters
        ----------
        fixed_vars, pars_update : dict, optional
            New values; names not given keep their present values.
        """
        fixed, pars = checked_updates(self.system, fixed_vars, pars_update, self.targets, "target variables")
        self.fixed_vars.update(fixed)
        self.pars_update.update(pars)
        return self

    def _pars(self) -> list[Any]:
        return self.field.par_vector(self.values)

    # --- data ------------------------------------------------------------------
    def vector_field(self, resolution: float | None = None, points: int = 20) -> VectorFieldGrid:
        """Sample the field on a grid (``points`` per axis, or a step ``resolution``)."""
        axes = [grid_points(lo, hi, resolution, points) for lo, hi in self.target_vars.values()]
        mesh = np.meshgrid(*axes) if len(axes) == 2 else [axes[0]]
        with np.errstate(all="ignore"):
            derivatives = self.field.f(np.stack(mesh), self._pars())
        return VectorFieldGrid(axes=axes, derivatives=derivatives)

    def nullclines(self, resolution: float | None = None, points: int = 300) -> list[Nullcline]:
        """Zero sets of each derivative (2-D), one :class:`Nullcline` per target variable.

        In 1-D the zero set of ``dx/dt`` is the set of fixed points; see :meth:`fixed_points`.
        """
        if len(self.targets) == 1:
            return []
        grid = self.vector_field(resolution, points)
        return [
            Nullcline(var, contour_lines(grid.axes[0], grid.axes[1], grid.derivatives[k]))
            for k, var in enumerate(self.targets)
        ]

    def fixed_points(self, resolution: float | None = None) -> list[FixedPoint]:
        """Equilibria inside the ranges, with Jacobian, eigenvalues and stability.

        Newton's method with the exact Jacobian starts where the nullclines cross
        (2-D) or where ``dx/dt`` changes sign (1-D), on a grid of step ``resolution``.
        """
        return self._fixed_points(resolution, None)

    def _fixed_points(self, resolution: float | None, nullclines: list[Nullcline] | None) -> list[FixedPoint]:
        points = 300 if resolution is None else len(grid_points(*self.box_bounds(0), resolution, 300))
        pars = self._pars()
        contours = None if nullclines is None else [line.lines for line in nullclines]
        found = fixed_points(self.field, pars, self.box, resolution=points, contours=contours)
        return describe_equilibria(self.field, pars, self.targets, found)

    def box_bounds(self, k: int) -> tuple[float, float]:
        """Range of the k-th target."""
        return self.target_vars[self.targets[k]]

    def analyse(self, vector_points: int = 20, nullcline_points: int = 300) -> PhasePlane:
        """Nullclines, vector field and fixed points at once (what a live panel redraws).

        The fixed points are seeded from the same nullclines, so the field is
        sampled on the fine grid once.
        """
        nullclines = self.nullclines(points=nullcline_points)
        return PhasePlane(
            nullclines=nullclines,
            vector_field=self.vector_field(points=vector_points),
            fixed_points=self._fixed_points(None, nullclines or None),
        )

    def trajectories(self, target_setting: Sequence[Sequence[float]], inputs: Any = ()) -> list[Trajectory]:
        """Simulate trajectories with the model's step function (resets included).

        Parameters
        ----------
        target_setting : list of tuples
            ``(x0, y0, duration)`` in 2-D, ``(x0, duration)`` in 1-D.
        inputs : tuple or list
            Inputs as in :meth:`NeuGroup.run`; they replace the held value of
            any fixed input on the same field.
        """
        n = len(self.targets)
        settings = [tuple(s) for s in ([target_setting] if _is_flat(target_setting) else target_setting)]
        for s in settings:
            if len(s) != n + 1 or not all(isinstance(v, numbers.Real) and np.isfinite(v) for v in s) or s[-1] <= 0:
                raise AnalysisError(
                    f"{self.owner}: each trajectory is ({', '.join(f'{v}0' for v in self.targets)}, duration) "
                    f"with finite numbers and duration > 0; got {s!r}."
                )
        initial = np.array([s[:n] for s in settings], dtype=float).T
        longest = max(s[-1] for s in settings)
        pars = self._pars()
        runs = simulate(
            self.system,
            self.targets,
            initial,
            longest,
            self.values,
            inputs=inputs,
            spans=self.box.spans,
            field_of_jump=lambda x, _k: self.field.f(x, pars),
            owner=self.owner,
        )
        out = []
        for run, s in zip(runs, settings, strict=True):
            keep = run.t <= s[-1] + 1e-9
            jumps = run.jumps[run.jumps < keep.sum() - 1]
            values = {v: x[keep] for v, x in run.values.items()}
            out.append(Trajectory(run.t[keep], values, jumps, run.initial, run.diverged))
        return out

    # --- plots (the seed's methods) ---------------------------------------------------
    def plot_nullcline(self, resolution: float | None = None, show: bool = False) -> list[Nullcline]:
        """Draw the nullclines (2-D) or the graph of ``dx/dt`` (1-D) on the current axes."""
        from brainlab.visualize import dynamics as plotting

        return plotting.nullclines(self, resolution, show)

    def plot_vector_field(
        self, resolution: float | None = None, lw_lim: tuple[float, float] = (0.5, 3.0), show: bool = False
    ) -> VectorFieldGrid:
        """Draw the vector field as streamlines whose width grows with the speed (2-D), or ``dx/dt`` (1-D)."""
        from brainlab.visualize import dynamics as plotting

        return plotting.vector_field(self, resolution, lw_lim, show)

    def plot_fixed_point(self, resolution: float | None = None, show: bool = False) -> list[FixedPoint]:
        """Find, print (``Fixed point #1 at ... is a ...``) and draw the fixed points."""
        from brainlab.visualize import dynamics as plotting

        return plotting.fixed_points(self, resolution, show)

    def plot_trajectory(
        self, target_setting: Sequence[Sequence[float]], axes: str = "v-v", inputs: Any = (), show: bool = False
    ) -> list[Trajectory]:
        """Simulate and draw trajectories: in the plane (``axes='v-v'``) or against time (``'t-v'``)."""
        from brainlab.visualize import dynamics as plotting

        return plotting.trajectories(self, target_setting, axes, inputs, show)


def _is_flat(setting: Any) -> bool:
    return isinstance(setting, tuple | list) and bool(setting) and isinstance(setting[0], numbers.Real)


def describe_equilibria(
    field: Any, pars: Sequence[Any], targets: Sequence[str], points: np.ndarray
) -> list[FixedPoint]:
    """Turn equilibrium columns (n, k) into :class:`FixedPoint` records."""
    out = []
    if points.shape[1] == 0:
        return out
    jacs = field.jacobian(points, pars)
    for k in range(points.shape[1]):
        jac = jacs[:, :, k]
        out.append(
            FixedPoint(
                values={v: float(points[i, k]) for i, v in enumerate(targets)},
                jacobian=jac,
                eigenvalues=np.linalg.eigvals(jac),
                stability=stability.classify(jac),
            )
        )
    return out
