"""Pseudo-arclength continuation of a curve ``G(y) = 0``, ``G: R^(m+1) -> R^m``.

One engine serves every curve the bifurcation analyser follows: equilibrium
branches ``f(x; p) = 0`` (y = (x, p)), fold curves ``(f, det f_x) = 0`` and Hopf
curves ``(f, det(2 f_x ⊙ I)) = 0`` in two parameters. The predictor steps along
the tangent, the corrector is Newton's method on ``G`` plus the hyperplane
orthogonal to the tangent, so the curve is followed through folds where the
parameter turns back. Coordinates are scaled by the ranges of the analysis, so
step sizes are fractions of the picture in every direction.

Test functions are evaluated at each accepted point; a sign change is located
precisely (Brent's method on the arclength, every trial point corrected back
onto the curve) and reported as an event. Reference: Allgower & Georg,
*Introduction to numerical continuation methods* (2003); Kuznetsov,
*Elements of applied bifurcation theory* (2004), ch. 10.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["Curve", "CurveProblem", "Event", "continue_curve", "correct", "tangent"]


@dataclasses.dataclass
class CurveProblem:
    """What to follow.

    Attributes
    ----------
    residual : callable
        ``G(y)`` -> (m,), in original (unscaled) coordinates.
    jacobian : callable
        ``DG(y)`` -> (m, m+1).
    scale : array (m+1,)
        Typical size of each coordinate (the span of its range).
    inside : callable
        ``inside(y)`` -> bool; the curve stops at the first point outside.
    tests : dict
        ``name -> psi(y)``: events are sign changes of ``psi`` along the curve.
    accept : callable, optional
        ``accept(y)`` -> bool; the curve stops before a point it rejects.
    """

    residual: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    scale: np.ndarray
    inside: Callable[[np.ndarray], bool]
    tests: Mapping[str, Callable[[np.ndarray], float]] = dataclasses.field(default_factory=dict)
    accept: Callable[[np.ndarray], bool] | None = None


@dataclasses.dataclass
class Event:
    """A located zero of a test function on the curve."""

    name: str
    y: np.ndarray
    tangent: tuple[np.ndarray, np.ndarray]  # tangents before and after (scaled coordinates)
    index: int  # the event is points[index] of its curve


@dataclasses.dataclass
class Curve:
    """Points of a continued curve (rows, original coordinates) and the events on it."""

    points: np.ndarray
    tangents: np.ndarray
    events: list[Event]
    stop_reason: str


def tangent(jac_scaled: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Return the unit tangent (the null vector of the scaled ``DG``), oriented along ``previous``."""
    if previous is None:
        t = np.linalg.svd(jac_scaled)[2][-1]
    else:
        system = np.vstack([jac_scaled, previous])
        rhs = np.zeros(system.shape[0])
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:
            t = np.linalg.svd(jac_scaled)[2][-1]
        if previous @ t < 0:
            t = -t
    return t / np.linalg.norm(t)


def correct(
    problem: CurveProblem, z_pred: np.ndarray, normal: np.ndarray, anchor: np.ndarray, offset: float, max_iter: int = 10
) -> tuple[np.ndarray | None, int]:
    """Newton on ``G(z·scale) = 0``, ``normal·(z − anchor) = offset`` (scaled coordinates z).

    Returns the corrected point (None on failure) and the number of iterations.
    """
    s = problem.scale
    z = z_pred.copy()
    with np.errstate(all="ignore"):
        for it in range(1, max_iter + 1):
            y = z * s
            g = problem.residual(y)
            h = np.append(g, normal @ (z - anchor) - offset)
            jac = np.vstack([problem.jacobian(y) * s, normal])
            if not (np.all(np.isfinite(h)) and np.all(np.isfinite(jac))):
                return None, it
            try:
                dz = np.linalg.solve(jac, -h)
            except np.linalg.LinAlgError:
                return None, it
            z = z + dz
            if np.linalg.norm(dz) < 1e-11 * (1.0 + np.linalg.norm(z)):
                g = problem.residual(z * s)
                if np.all(np.isfinite(g)) and np.linalg.norm(g) < 1e-8 * (1.0 + np.linalg.norm(h)):
                    return z, it
    return None, max_iter


def _locate(problem: CurveProblem, name: str, z0: np.ndarray, t0: np.ndarray, z1: np.ndarray) -> np.ndarray:
    """Find the zero of a test function between two curve points (Brent on the arclength)."""
    from scipy.optimize import brentq

    psi = problem.tests[name]
    s = problem.scale
    length = float(t0 @ (z1 - z0))
    cache: dict[float, np.ndarray] = {0.0: z0, length: z1}

    def point(sigma: float) -> np.ndarray:
        if sigma not in cache:
            z, _ = correct(problem, z0 + sigma * t0, t0, z0, sigma)
            cache[sigma] = z if z is not None else z0 + sigma * t0
        return cache[sigma]

    def value(sigma: float) -> float:
        return float(psi(point(sigma) * s))

    try:
        root = brentq(value, 0.0, length, xtol=1e-13 * max(1.0, abs(length)), rtol=1e-14, maxiter=100)
    except ValueError:  # no sign change after all (noise)
        root = 0.5 * length
    return point(root) * s


def continue_curve(
    problem: CurveProblem,
    y0: np.ndarray,
    direction: np.ndarray | None = None,
    h_max: float = 0.02,
    h_min: float = 1e-7,
    max_points: int = 5000,
) -> Curve:
    """Follow the curve from ``y0`` (on it, or close) in one direction.

    Parameters
    ----------
    problem : CurveProblem
    y0 : array (m+1,)
        Starting point (original coordinates); corrected onto the curve first.
    direction : array, optional
        Rough direction (original coordinates) to orient the first tangent.
    h_max, h_min : float
        Largest and smallest step, in scaled units (fractions of the ranges).
    max_points : int
        Upper bound on the number of points.
    """
    s = problem.scale
    z = np.asarray(y0, dtype=float) / s
    with np.errstate(all="ignore"):
        t = tangent(problem.jacobian(z * s) * s, None)
    if direction is not None and t @ (np.asarray(direction) / s) < 0:
        t = -t
    z_corr, _ = correct(problem, z, t, z, 0.0)
    if z_corr is None:
        return Curve(np.zeros((0, len(s))), np.zeros((0, len(s))), [], "the start point is not on the curve")
    z = z_corr
    t = tangent(problem.jacobian(z * s) * s, t)
    points, tangents, events = [z * s], [t], []
    tests = {name: float(psi(z * s)) for name, psi in problem.tests.items()}
    h = h_max / 4
    reason = "maximum number of points"
    while len(points) < max_points:
        z_new, iters = correct(problem, z + h * t, t, z, h)
        t_new = None
        if z_new is not None:
            with np.errstate(all="ignore"):
                t_new = tangent(problem.jacobian(z_new * s) * s, t)
            if t_new @ t < 0.95 and h > h_min:  # too sharp a turn: maybe a jump to another branch
                z_new = None
        if z_new is None:
            h /= 2
            if h < h_min:
                reason = "the step size became too small"
                break
            continue
        y_new = z_new * s
        if problem.accept is not None and not problem.accept(y_new):
            reason = "the curve left the region where it is defined"
            break
        new_tests = {name: float(psi(y_new)) for name, psi in problem.tests.items()}
        located = []
        for name, value in new_tests.items():
            old = tests[name]
            if np.isfinite(old) and np.isfinite(value) and np.sign(old) != np.sign(value) and old != 0:
                y_event = _locate(problem, name, z, t, z_new)
                located.append((float(t @ (y_event / s - z)), Event(name, y_event, (t.copy(), t_new.copy()), 0)))
        # Events become points of the curve (in order), so drawings pass exactly through them.
        for _, event in sorted(located, key=lambda item: item[0]):
            event.index = len(points)
            events.append(event)
            points.append(event.y)
            tangents.append(t.copy())
        tests = new_tests
        points.append(y_new)
        tangents.append(t_new)
        z, t = z_new, t_new
        if not problem.inside(y_new):
            reason = "the curve left the ranges"
            break
        if len(points) > 10 and np.linalg.norm(z - points[0] / s) < 0.5 * h:
            reason = "the curve closed"
            break
        if iters <= 3:
            h = min(h * 1.5, h_max)
    return Curve(np.array(points), np.array(tangents), events, reason)
