"""Equilibria of ``f(x; p) = 0``: seeds from the field's zero sets, then Newton.

Newton's method runs on all seeds at once (a batched linear solve with the
exact Jacobian), so a phase plane finds every fixed point in its box in a few
milliseconds. Seeds come from where they can be seen: sign changes of ``f`` in
1-D, sign changes of ``f_2`` along the zero contour of ``f_1`` in 2-D (the
crossings of the nullclines), quasi-random points of the box in more dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from brainlab.dynamics.system import VectorField

__all__ = ["Box", "contour_lines", "fixed_points", "newton", "unique_points", "zero_contours"]


class Box:
    """Ranges of the variables: ``lows``, ``highs`` (arrays of length n)."""

    def __init__(self, ranges: Sequence[Sequence[float]]):
        self.lows = np.array([float(r[0]) for r in ranges])
        self.highs = np.array([float(r[1]) for r in ranges])
        self.spans = self.highs - self.lows

    def contains(self, x: np.ndarray, margin: float = 1e-9) -> np.ndarray:
        """Which columns of ``x`` (n, m) lie in the box (widened by ``margin`` of each span)."""
        pad = (margin * self.spans)[:, None]
        return np.all((x >= self.lows[:, None] - pad) & (x <= self.highs[:, None] + pad), axis=0)


def newton(
    vf: VectorField, x0: np.ndarray, pars: Sequence, spans: np.ndarray, tol: float = 1e-12, max_iter: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Batched Newton iteration from the columns of ``x0`` (n, m).

    Steps are limited to a quarter of the box per iteration, which keeps
    far seeds from jumping across the plane.

    Returns
    -------
    x : array (n, m)
        The iterates.
    converged : array of bool (m,)
    """
    x = np.array(x0, dtype=float, copy=True)
    n, m = x.shape
    converged = np.zeros(m, dtype=bool)
    active = np.ones(m, dtype=bool)
    limit = 0.25 * spans[:, None]
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if not active.any():
                break
            xa = x[:, active]
            f = vf.f(xa, pars)
            jac = vf.jacobian(xa, pars)  # (n, n, k)
            try:
                step = np.linalg.solve(np.moveaxis(jac, -1, 0), -f.T[..., None])[..., 0].T
            except np.linalg.LinAlgError:
                step = np.stack([_lstsq_step(jac[:, :, k], f[:, k]) for k in range(f.shape[1])], axis=1)
            step = np.clip(step, -limit, limit)
            xa = xa + step
            ok = np.all(np.isfinite(xa), axis=0)
            small = np.all(np.abs(step) <= tol * (np.abs(xa) + spans[:, None]), axis=0)
            idx = np.flatnonzero(active)
            x[:, idx] = xa
            done = small & ok
            converged[idx[done]] = True
            active[idx[done | ~ok]] = False
    f = vf.f(x, pars) if m else np.zeros((n, 0))
    with np.errstate(all="ignore"):
        residual_ok = np.all(np.abs(f) <= 1e-7 * (1.0 + np.abs(f).max(initial=0.0)), axis=0)
    return x, converged & residual_ok


def _lstsq_step(jac: np.ndarray, f: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(jac)) or not np.all(np.isfinite(f)):
        return np.full(f.shape, np.nan)
    return np.linalg.lstsq(jac, -f, rcond=None)[0]


def unique_points(x: np.ndarray, spans: np.ndarray, rtol: float = 1e-6) -> np.ndarray:
    """Drop repeated columns of ``x`` (equal within ``rtol`` of each span); keep first occurrences, sorted."""
    if x.shape[1] == 0:
        return x
    order = np.lexsort(x[::-1])
    x = x[:, order]
    keep = [0]
    for k in range(1, x.shape[1]):
        if not any(np.all(np.abs(x[:, k] - x[:, j]) <= rtol * spans) for j in keep):
            keep.append(k)
    return x[:, keep]


def _seeds_1d(vf: VectorField, pars: Sequence, box: Box, resolution: int) -> np.ndarray:
    xs = np.linspace(box.lows[0], box.highs[0], resolution)
    with np.errstate(all="ignore"):
        f = vf.f(xs[None], pars)[0]
    sign = np.sign(f)
    cross = np.flatnonzero(sign[:-1] * sign[1:] <= 0)
    # Touching zeros (saddle-nodes) do not change sign: local minima of |f| are seeds too.
    af = np.abs(f)
    minima = np.flatnonzero((af[1:-1] <= af[:-2]) & (af[1:-1] <= af[2:])) + 1
    seeds = np.concatenate([0.5 * (xs[cross] + xs[cross + 1]), xs[minima]])
    return seeds[None]


def contour_lines(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> list[np.ndarray]:
    """Return polylines (k, 2) of the zero level of ``z`` on the grid ``x`` × ``y``.

    ``z[j, i]`` is the value at ``(x[i], y[j])``; contourpy (matplotlib's contouring
    library) traces the level with marching squares.
    """
    import contourpy

    z = np.ma.masked_invalid(z)
    gen = contourpy.contour_generator(x, y, z, line_type=contourpy.LineType.Separate)
    return [np.asarray(seg) for seg in gen.lines(0.0) if len(seg) > 1]


def zero_contours(vf: VectorField, pars: Sequence, box: Box, resolution: int) -> list[list[np.ndarray]]:
    """Zero contours of each component of a 2-D field on a ``resolution`` × ``resolution`` grid (the nullclines)."""
    xs = np.linspace(box.lows[0], box.highs[0], resolution)
    ys = np.linspace(box.lows[1], box.highs[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        f = vf.f(np.stack([gx, gy]), pars)
    return [contour_lines(xs, ys, f[k]) for k in range(2)]


def _seeds_2d(vf: VectorField, pars: Sequence, contours: list[list[np.ndarray]]) -> np.ndarray:
    # Along each nullcline, the other component changes sign (or touches zero) at the crossings.
    seeds = []
    for k in range(2):
        for line in contours[k]:
            with np.errstate(all="ignore"):
                other = vf.f(line.T, pars)[1 - k]
            sign = np.sign(other)
            cross = np.flatnonzero(sign[:-1] * sign[1:] <= 0)
            seeds.append(0.5 * (line[cross] + line[cross + 1]))
            a = np.abs(other)
            minima = np.flatnonzero((a[1:-1] <= a[:-2]) & (a[1:-1] <= a[2:])) + 1
            seeds.append(line[minima])
    if not seeds:
        return np.zeros((2, 0))
    return np.concatenate(seeds).T


def _seeds_nd(box: Box, count: int) -> np.ndarray:
    from scipy.stats import qmc

    sample = qmc.Sobol(d=len(box.lows), scramble=True, seed=0).random(count)
    return (box.lows + sample * box.spans).T


def fixed_points(
    vf: VectorField,
    pars: Sequence,
    box: Box,
    resolution: int = 300,
    contours: list[list[np.ndarray]] | None = None,
) -> np.ndarray:
    """All equilibria found in ``box``, as columns of an (n, k) array.

    Parameters
    ----------
    vf : VectorField
    pars : sequence
        Parameter values (``vf.par_vector(...)``).
    box : Box
        Ranges of the variables.
    resolution : int
        Grid points per axis used to seed Newton (1-D, 2-D), or ``resolution * 8``
        quasi-random seeds in higher dimensions.
    contours : list, optional
        2-D: the nullclines from :func:`zero_contours` if already computed.
    """
    if vf.dim == 1:
        seeds = _seeds_1d(vf, pars, box, max(resolution * 4, 1000))
    elif vf.dim == 2:
        seeds = _seeds_2d(vf, pars, contours if contours is not None else zero_contours(vf, pars, box, resolution))
    else:
        seeds = _seeds_nd(box, 2 ** int(np.ceil(np.log2(resolution * 8))))
    x, ok = newton(vf, seeds, pars, box.spans)
    x = x[:, ok & box.contains(x)]
    return unique_points(x, box.spans)
