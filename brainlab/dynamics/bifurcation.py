"""Bifurcation analysis of neuron models (``bp.BifurcationAnalyzer``).

Codimension 1 (one parameter in ``target_pars``): equilibria are found at a few
parameter values and each branch is continued by pseudo-arclength through
folds across the whole range; fold (saddle-node) and Hopf points are located
on it with test functions, Hopf points get their frequency and first Lyapunov
coefficient (sub- or supercritical), and the limit cycles born there are
measured (minimum and maximum of each variable) by simulating the model.

Codimension 2 (two parameters): as the seed, the equilibria over the parameter
plane (here as branches continued in the second parameter for each grid value
of the first); beyond it, the fold and Hopf points found there are continued as
curves in both parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from brainlab import profile
from brainlab.core.neurons import NeuType
from brainlab.dynamics import stability
from brainlab.dynamics.continuation import CurveProblem, continue_curve
from brainlab.dynamics.lyapunov import first_lyapunov_coefficient
from brainlab.dynamics.phase_plane import check_ranges, checked_updates, grid_points
from brainlab.dynamics.results import Branch, Codim1Result, Codim2Result, CycleExtrema, ParameterCurve, SpecialPoint
from brainlab.dynamics.solvers import Box, fixed_points
from brainlab.dynamics.system import ModelSystem, VectorField
from brainlab.dynamics.trajectory import simulate
from brainlab.errors import AnalysisError

__all__ = ["BifurcationAnalyzer"]

FOLD, HOPF = "fold", "hopf"


class BifurcationAnalyzer:
    """Codimension-1 and codimension-2 bifurcation analysis of a neuron type.

    Parameters
    ----------
    model : NeuType
        The neuron type.
    target_pars : dict
        One or two parameters (model parameters or inputs such as ``Iext``) with ranges.
    dynamical_vars : dict
        The variables of the system with their ranges (all variables that the
        equations of these need, except those in ``fixed_vars``).
    fixed_vars : dict, optional
        Frozen variables and fixed inputs.
    pars_update : dict, optional
        Parameter values that differ from the model's.
    par_resolution : float
        Largest continuation step along a parameter (in its units); in
        codimension 2 also the grid step of the first parameter.
    var_resolution : float
        Grid step of the variables used to find the starting equilibria.

    Examples
    --------
    >>> analyzer = bp.BifurcationAnalyzer(model=neuron, target_pars={'Iext': [0., 1.]},
    ...                                   dynamical_vars={'v': [-3, 3], 'w': [-3., 3.]},
    ...                                   par_resolution=0.001)                  # doctest: +SKIP
    >>> [round(p.pars['Iext'], 4) for p in analyzer.compute().points('hopf')]   # doctest: +SKIP
    [0.3313]
    """

    def __init__(
        self,
        model: NeuType,
        target_pars: Mapping[str, Sequence[float]],
        dynamical_vars: Mapping[str, Sequence[float]],
        fixed_vars: Mapping[str, Any] | None = None,
        pars_update: Mapping[str, Any] | None = None,
        par_resolution: float = 0.1,
        var_resolution: float = 0.1,
    ):
        self.owner = f"BifurcationAnalyzer of {getattr(model, 'name', model)!r}"
        self.system = ModelSystem(model, self.owner)
        self.target_pars = check_ranges(target_pars, self.owner, "target_pars")
        if len(self.target_pars) not in (1, 2):
            raise AnalysisError(
                f"{self.owner}: target_pars takes one parameter (codimension 1) or two (codimension 2), "
                f"got {list(self.target_pars)}."
            )
        self.dynamical_vars = check_ranges(dynamical_vars, self.owner, "dynamical_vars")
        self.par_names = list(self.target_pars)
        self.var_names = list(self.dynamical_vars)
        self.system.check_names(self.par_names, "the target parameter")
        self.fixed_vars, self.pars_update = checked_updates(
            self.system, fixed_vars, pars_update, [*self.par_names, *self.var_names], "target parameters or variables"
        )
        for name, value in {"par_resolution": par_resolution, "var_resolution": var_resolution}.items():
            if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
                raise AnalysisError(f"{self.owner}: {name} must be a positive number, got {value!r}.")
        self.par_resolution = float(par_resolution)
        self.var_resolution = float(var_resolution)
        self.values = {**self.pars_update, **self.fixed_vars}
        self.field: VectorField = self.system.vector_field(self.var_names, self.values, extra=self.par_names)
        self.box = Box(list(self.dynamical_vars.values()))
        self._result: Codim1Result | Codim2Result | None = None

    def set_values(
        self, fixed_vars: Mapping[str, Any] | None = None, pars_update: Mapping[str, Any] | None = None
    ) -> BifurcationAnalyzer:
        """Change fixed variables and parameters (validated; nothing is recompiled, results are recomputed)."""
        fixed, pars = checked_updates(
            self.system, fixed_vars, pars_update, [*self.par_names, *self.var_names], "target parameters or variables"
        )
        self.fixed_vars.update(fixed)
        self.pars_update.update(pars)
        self.values = {**self.pars_update, **self.fixed_vars}
        self._result = None
        return self

    # --- helpers -------------------------------------------------------------------
    def _par_vector(self, pars: Mapping[str, float]) -> list[Any]:
        return self.field.par_vector({**self.values, **pars})

    def _index(self, name: str) -> int:
        return self.field.par_names.index(name)

    def _jac_at(self, x: np.ndarray, pars: list[Any]) -> np.ndarray:
        return self.field.jacobian(x[:, None], pars)[:, :, 0]

    def _grid_points(self) -> int:
        return int(np.clip(np.max(self.box.spans / self.var_resolution) + 1, 60, 400))

    def equilibria(self, pars: Mapping[str, float]) -> np.ndarray:
        """Equilibria (columns) in the ``dynamical_vars`` box at the given parameter values."""
        return fixed_points(self.field, self._par_vector(pars), self.box, resolution=self._grid_points())

    def _parameter_map(self, varied: Sequence[str], others: Mapping[str, float]) -> Any:
        """Return ``pars_at(y)``: the parameter vector with ``varied`` read from ``y[n:]`` (y = (x, p...))."""
        n = len(self.var_names)
        base = self._par_vector({**others, **{p: self.target_pars[p][0] for p in varied}})
        slots = [self._index(p) for p in varied]

        def pars_at(y: np.ndarray) -> list[Any]:
            p = list(base)
            for i, k in enumerate(slots):
                p[k] = y[n + i]
            return p

        return pars_at

    # --- codimension 1 ---------------------------------------------------------------
    def _branch_problem(self, par: str, others: Mapping[str, float]) -> tuple[CurveProblem, Any]:
        n = len(self.var_names)
        lo, hi = self.target_pars[par]
        scale = np.append(self.box.spans, hi - lo)
        pars_at = self._parameter_map([par], others)

        def residual(y: np.ndarray) -> np.ndarray:
            return self.field.f(y[:n, None], pars_at(y))[:, 0]

        def jacobian(y: np.ndarray) -> np.ndarray:
            p = pars_at(y)
            return np.hstack([self.field.jacobian(y[:n, None], p)[:, :, 0], self.field.dfdp(y[:n, None], p, par)])

        def inside(y: np.ndarray) -> bool:
            return bool(
                self.box.contains(y[:n, None], 0.02)[0] and lo - 1e-9 * (hi - lo) <= y[n] <= hi + 1e-9 * (hi - lo)
            )

        tests = {FOLD: lambda y: float(np.linalg.det(self.field.jacobian(y[:n, None], pars_at(y))[:, :, 0]))}
        if n >= 2:
            tests[HOPF] = lambda y: float(
                np.linalg.det(stability.bialternate_product(self.field.jacobian(y[:n, None], pars_at(y))[:, :, 0]))
            )
        return CurveProblem(residual, jacobian, scale, inside, tests), pars_at

    def _h_max(self, par: str) -> float:
        lo, hi = self.target_pars[par]
        return float(np.clip(self.par_resolution / (hi - lo), 2e-3, 0.05))

    def continue_branch(self, x0: np.ndarray, par: str, value: float, others: Mapping[str, float] | None = None):
        """Continue the equilibrium branch through ``(x0, par=value)`` both ways across the ranges.

        Returns
        -------
        branch : Branch
        special_points : list of SpecialPoint
        """
        others = dict(others or {})
        problem, pars_at = self._branch_problem(par, others)
        y0 = np.append(np.asarray(x0, dtype=float), value)
        h_max = self._h_max(par)
        forward = continue_curve(problem, y0, h_max=h_max)
        if not len(forward.points):
            raise AnalysisError(f"{self.owner}: the continuation could not start from {y0}: it is not an equilibrium.")
        backward = continue_curve(problem, y0, direction=-forward.tangents[0] * problem.scale, h_max=h_max)
        points = np.vstack([backward.points[::-1], forward.points[1:]])
        branch = self._make_branch(points, par, others, pars_at)
        specials = [self._special(e, par, others, pars_at) for e in [*backward.events, *forward.events]]
        specials = [s for s in specials if s is not None]
        specials.sort(key=lambda s: s.pars[par])
        return branch, specials

    def _make_branch(self, points: np.ndarray, par: str, others: Mapping[str, float], pars_at: Any) -> Branch:
        n = len(self.var_names)
        eig = np.array([np.linalg.eigvals(self._jac_at(y[:n], pars_at(y))) for y in points])
        stable = np.all(eig.real < 0, axis=1) if len(points) else np.zeros(0, dtype=bool)
        pars = {par: points[:, n]}
        pars.update({k: np.full(len(points), v) for k, v in others.items()})
        return Branch(pars, {v: points[:, i] for i, v in enumerate(self.var_names)}, eig, stable)

    def _special(self, event: Any, par: str, others: Mapping[str, float], pars_at: Any) -> SpecialPoint | None:
        n = len(self.var_names)
        y = event.y
        p = pars_at(y)
        jac = self._jac_at(y[:n], p)
        eig = np.linalg.eigvals(jac)
        pars = {par: float(y[n]), **{k: float(v) for k, v in others.items()}}
        values = {v: float(y[i]) for i, v in enumerate(self.var_names)}
        if event.name == FOLD:
            before, after = event.tangent
            if np.sign(before[n]) == np.sign(after[n]):
                return None  # det(f_x) changed sign without a turn: a branch point, not a fold
            return SpecialPoint(FOLD, pars, values, eig)
        scale = max(1.0, float(np.max(np.abs(jac))))
        pair = eig[np.argmin(np.abs(eig.real))]
        if abs(pair.imag) <= 1e-8 * scale:
            return None  # a neutral saddle (λ and −λ real), not a Hopf point
        l1, omega = first_lyapunov_coefficient(lambda x: self._jac_at(x, p), y[:n])
        return SpecialPoint(HOPF, pars, values, eig, frequency=omega, lyapunov=l1)

    def codim1(self, par: str | None = None, others: Mapping[str, float] | None = None) -> Codim1Result:
        """All equilibrium branches in the ranges, their special points, and limit cycles."""
        par = par or self.par_names[0]
        others = dict(others or {})
        lo, hi = self.target_pars[par]
        branches, specials = self._branches(par, others, [lo, 0.5 * (lo + hi), hi])
        cycles = [c for b, s in zip(branches, specials, strict=True) for c in self._cycles(b, s, par)]
        return Codim1Result(branches, [p for s in specials for p in s], cycles)

    def _branches(self, par: str, others: Mapping[str, float], starts: Sequence[float]):
        branches: list[Branch] = []
        specials: list[list[SpecialPoint]] = []
        scale = np.append(self.box.spans, np.diff(self.target_pars[par]))
        for value in starts:
            for x0 in self.equilibria({**others, par: value}).T:
                y0 = np.append(x0, value) / scale
                if any(_near_polyline(y0, _branch_matrix(b, self.var_names, par) / scale, 0.01) for b in branches):
                    continue
                branch, special = self.continue_branch(x0, par, value, others)
                branches.append(branch)
                specials.append(special)
        return branches, specials

    # --- limit cycles -------------------------------------------------------------------
    def limit_cycles(self, hopf: SpecialPoint, branch: Branch, par: str, samples: int = 32, periods: float = 60.0):
        """Simulate the model beyond a Hopf point and measure the cycle's extremes.

        Parameters
        ----------
        hopf : SpecialPoint
        branch : Branch
            The branch the Hopf point lies on.
        par : str
            The varied parameter.
        samples : int
            Parameter values along the unstable part of the branch (one
            simulated neuron each, all in one run).
        periods : float
            Simulated time in periods ``2π/ω`` of the Hopf point; the extremes
            are taken over the last quarter.
        """
        ks = self._unstable_side(hopf, branch, par)
        if ks is None:
            return None
        # Samples spread along the unstable stretch of the branch (by arclength, so folds are fine),
        # each started next to its unstable equilibrium.
        picks = np.unique(np.round(np.linspace(0, len(ks) - 1, samples + 1)[1:]).astype(int))
        idx = ks[picks]
        pars = branch[par][idx]
        start = np.stack([branch[v][idx] for v in self.var_names]) + 1e-2 * self.box.spans[:, None]
        period = 2 * np.pi / hopf.frequency
        dt = profile.get_dt()
        duration = max(periods * period, 200 * dt)
        fixed = {**self.values, **{k: v for k, v in hopf.pars.items() if k != par}}
        runs = self._simulate_cycles(start, duration, fixed, par, pars)
        nan = np.full(len(pars), np.nan)
        minimum = {v: nan.copy() for v in self.var_names}
        maximum = {v: nan.copy() for v in self.var_names}
        periods_found = nan.copy()
        lows, highs = self.box.lows - self.box.spans, self.box.highs + self.box.spans
        for k, run in runs.items():
            tail = run.t >= 0.75 * run.t[-1]
            x = np.stack([run.values[v][tail] for v in self.var_names])
            escaped = np.any(x.min(axis=1) < lows) or np.any(x.max(axis=1) > highs)
            if escaped or np.ptp(x[0]) <= 1e-3 * self.box.spans[0]:
                continue  # no bounded oscillation: it left the ranges or settled
            for i, v in enumerate(self.var_names):
                minimum[v][k], maximum[v][k] = x[i].min(), x[i].max()
            periods_found[k] = _mean_period(run.t[tail], x[0])
        return CycleExtrema(par, pars, minimum, maximum, periods_found, hopf)

    def _unstable_side(self, hopf: SpecialPoint, branch: Branch, par: str) -> np.ndarray | None:
        """Return the indices of the branch points from the Hopf point along its unstable side (or None)."""
        matrix = _branch_matrix(branch, self.var_names, par)
        here = np.array([*(hopf.values[v] for v in self.var_names), hopf.pars[par]])
        scale = np.append(self.box.spans, np.diff(self.target_pars[par]))
        k_h = int(np.argmin(np.linalg.norm((matrix - here) / scale, axis=1)))
        for step in (1, -1):
            ks = []
            k = k_h + step
            while 0 <= k < len(branch) and not branch.stable[k]:
                ks.append(k)
                k += step
            if len(ks) > 1:
                return np.array(ks)
        return None

    def _simulate_cycles(self, start: np.ndarray, duration: float, fixed: dict, par: str, pars: np.ndarray) -> dict:
        """Simulate one neuron per parameter value; those whose state diverges are left out."""
        runs = simulate(self.system, self.var_names, start, duration, {**fixed, par: pars}, owner=self.owner)
        return {k: run for k, run in enumerate(runs) if not run.diverged}

    def _cycles(self, branch: Branch, specials: list[SpecialPoint], par: str) -> list[CycleExtrema]:
        out, scanned = [], []
        for point in specials:
            if point.kind != HOPF:
                continue
            side = self._unstable_side(point, branch, par)
            # Two Hopf points bounding one unstable stretch (HH at 9.8 and 154 µA/cm²) share one scan.
            if side is None or any(len(np.intersect1d(side, done)) > len(side) // 2 for done in scanned):
                continue
            scanned.append(side)
            cycle = self.limit_cycles(point, branch, par)
            if cycle is not None:
                out.append(cycle)
        return out

    # --- codimension 2 -----------------------------------------------------------------------
    def _curve_problem(self, kind: str) -> tuple[CurveProblem, int]:
        n = len(self.var_names)
        p1, p2 = self.par_names
        scale = np.concatenate([self.box.spans, [np.diff(self.target_pars[p])[0] for p in (p1, p2)]])
        pars_at = self._parameter_map([p1, p2], {})

        def jac(y: np.ndarray) -> np.ndarray:
            return self.field.jacobian(y[:n, None], pars_at(y))[:, :, 0]

        def psi(y: np.ndarray) -> float:
            j = jac(y)
            return float(np.linalg.det(j if kind == FOLD else stability.bialternate_product(j)))

        def residual(y: np.ndarray) -> np.ndarray:
            return np.append(self.field.f(y[:n, None], pars_at(y))[:, 0], psi(y))

        def jacobian(y: np.ndarray) -> np.ndarray:
            p = pars_at(y)
            top = np.hstack([jac(y), self.field.dfdp(y[:n, None], p, p1), self.field.dfdp(y[:n, None], p, p2)])
            grad = np.empty(n + 2)
            for i in range(n + 2):
                h = 1e-6 * scale[i]
                e = np.zeros(n + 2)
                e[i] = h
                grad[i] = (psi(y + e) - psi(y - e)) / (2 * h)
            return np.vstack([top, grad])

        def inside(y: np.ndarray) -> bool:
            in_pars = all(
                self.target_pars[p][0] - 1e-9 <= y[n + i] <= self.target_pars[p][1] + 1e-9
                for i, p in enumerate((p1, p2))
            )
            return bool(in_pars and self.box.contains(y[:n, None], 0.02)[0])

        def accept(y: np.ndarray) -> bool:
            if kind == FOLD:
                return True
            eig = np.linalg.eigvals(jac(y))
            scale_j = max(1.0, float(np.max(np.abs(jac(y)))))
            return bool(np.abs(eig[np.argmin(np.abs(eig.real))].imag) > 1e-6 * scale_j)

        return CurveProblem(residual, jacobian, scale, inside, {}, accept), n

    def parameter_curve(self, point: SpecialPoint) -> ParameterCurve:
        """Continue a fold or Hopf point in both target parameters (codimension 2).

        A Hopf curve stops where the critical eigenvalues become real (a
        Bogdanov–Takens point), where it turns into a neutral-saddle curve.
        """
        if len(self.par_names) != 2:
            raise AnalysisError(f"{self.owner}: curves of special points need two target_pars.")
        problem, n = self._curve_problem(point.kind)
        y0 = np.array([*(point.values[v] for v in self.var_names), *(point.pars[p] for p in self.par_names)])
        h_max = float(
            np.clip(self.par_resolution / np.min([np.diff(self.target_pars[p])[0] for p in self.par_names]), 2e-3, 0.02)
        )
        forward = continue_curve(problem, y0, h_max=h_max)
        if not len(forward.points):
            raise AnalysisError(f"{self.owner}: the {point.kind} point {point.pars} could not be continued.")
        backward = continue_curve(problem, y0, direction=-forward.tangents[0] * problem.scale, h_max=h_max)
        pts = np.vstack([backward.points[::-1], forward.points[1:]])
        return ParameterCurve(
            kind=point.kind,
            pars={p: pts[:, n + i] for i, p in enumerate(self.par_names)},
            values={v: pts[:, i] for i, v in enumerate(self.var_names)},
            stop_reason=f"{backward.stop_reason}; {forward.stop_reason}",
        )

    def codim2(self) -> Codim2Result:
        """Equilibria over the parameter plane (as the seed) and the fold and Hopf curves."""
        p1, p2 = self.par_names
        lo2, hi2 = self.target_pars[p2]
        sheets, specials = [], []
        for value in grid_points(*self.target_pars[p1], self.par_resolution, 2):
            branches, points = self._branches(p2, {p1: float(value)}, [lo2, hi2])
            sheets += branches
            specials += [p for group in points for p in group]
        curves: list[ParameterCurve] = []
        scale = np.concatenate([self.box.spans, [np.diff(self.target_pars[p])[0] for p in (p1, p2)]])
        for point in specials:
            y = np.array([*(point.values[v] for v in self.var_names), *(point.pars[p] for p in self.par_names)])
            same = [c for c in curves if c.kind == point.kind]
            if any(
                _near_polyline(y / scale, _curve_matrix(c, self.var_names, self.par_names) / scale, 0.01) for c in same
            ):
                continue
            curves.append(self.parameter_curve(point))
        return Codim2Result(sheets, specials, curves)

    # --- the seed's API ----------------------------------------------------------------------
    def compute(self) -> Codim1Result | Codim2Result:
        """Run the analysis for the target parameters (cached until the analyser changes)."""
        if self._result is None:
            self._result = self.codim1() if len(self.par_names) == 1 else self.codim2()
        return self._result

    def plot_bifurcation(self, plot_vars: Sequence[str] | str | None = None, show: bool = False):
        """Draw the bifurcation diagram of the variables ``plot_vars`` (default: all dynamical variables)."""
        from brainlab.visualize import dynamics as plotting

        names = [plot_vars] if isinstance(plot_vars, str) else list(plot_vars or self.var_names)
        for name in names:
            if name not in self.var_names:
                raise AnalysisError(f"{self.owner}: plot_vars {name!r} is not one of dynamical_vars {self.var_names}.")
        return plotting.bifurcation(self, names, show)


def _branch_matrix(branch: Branch, var_names: Sequence[str], par: str) -> np.ndarray:
    return np.column_stack([*(branch[v] for v in var_names), branch[par]])


def _curve_matrix(curve: ParameterCurve, var_names: Sequence[str], par_names: Sequence[str]) -> np.ndarray:
    return np.column_stack([*(curve[v] for v in var_names), *(curve[p] for p in par_names)])


def _near_polyline(y: np.ndarray, points: np.ndarray, tol: float) -> bool:
    """Whether ``y`` lies within ``tol`` of the polyline through the rows of ``points``."""
    if len(points) == 0:
        return False
    if len(points) == 1:
        return bool(np.linalg.norm(points[0] - y) < tol)
    a, b = points[:-1], points[1:]
    ab = b - a
    with np.errstate(all="ignore"):
        s = np.clip(np.sum((y - a) * ab, axis=1) / np.sum(ab * ab, axis=1), 0.0, 1.0)
    s = np.nan_to_num(s)
    closest = a + s[:, None] * ab
    return bool(np.min(np.linalg.norm(closest - y, axis=1)) < tol)


def _mean_period(t: np.ndarray, x: np.ndarray) -> float:
    mid = 0.5 * (x.min() + x.max())
    ups = np.flatnonzero((x[:-1] < mid) & (x[1:] >= mid))
    if len(ups) < 2:
        return float("nan")
    return float(np.mean(np.diff(t[ups])))
