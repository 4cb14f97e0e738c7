"""Stability of equilibria from their Jacobian.

The names are those printed by the seed (``'unstable-node'``). One-dimensional
systems use the sign of ``f'``; two-dimensional ones the trace–determinant
plane; higher dimensions the eigenvalues. Also here: the bialternate product,
whose determinant ``∏_{i<j} (λ_i + λ_j)`` vanishes at Hopf points and is a
polynomial of the matrix entries (smooth along a branch, unlike eigenvalues).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CENTER",
    "SADDLE",
    "SADDLE_NODE",
    "STABLE",
    "STABLE_FOCUS",
    "STABLE_NODE",
    "STABLE_POINT",
    "UNSTABLE_FOCUS",
    "UNSTABLE_NODE",
    "UNSTABLE_POINT",
    "bialternate_product",
    "classify",
    "is_stable",
]

STABLE_POINT = "stable-point"
UNSTABLE_POINT = "unstable-point"
SADDLE_NODE = "saddle-node"
STABLE_NODE = "stable-node"
UNSTABLE_NODE = "unstable-node"
STABLE_FOCUS = "stable-focus"
UNSTABLE_FOCUS = "unstable-focus"
SADDLE = "saddle"
CENTER = "center"
# n-D only
STABLE = "stable"
SADDLE_FOCUS = "saddle-focus"
NON_HYPERBOLIC = "non-hyperbolic"

_STABLE_KINDS = frozenset({STABLE_POINT, STABLE_NODE, STABLE_FOCUS, STABLE})


def is_stable(kind: str) -> bool:
    """Whether a stability class is asymptotically stable."""
    return kind in _STABLE_KINDS


def _scale(jac: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(jac))))


def classify(jac: np.ndarray, rtol: float = 1e-9) -> str:
    """Return the stability class of an equilibrium with Jacobian ``jac`` (n × n).

    Parameters
    ----------
    jac : array, shape (n, n)
    rtol : float
        Quantities below ``rtol`` times the largest entry count as zero
        (a saddle-node in 1-D, a center in 2-D).
    """
    jac = np.atleast_2d(np.asarray(jac, dtype=float))
    n = jac.shape[0]
    tol = rtol * _scale(jac)
    if n == 1:
        slope = jac[0, 0]
        if abs(slope) <= tol:
            return SADDLE_NODE
        return STABLE_POINT if slope < 0 else UNSTABLE_POINT
    if n == 2:
        trace = jac[0, 0] + jac[1, 1]
        det = jac[0, 0] * jac[1, 1] - jac[0, 1] * jac[1, 0]
        if abs(det) <= tol * tol:
            return SADDLE_NODE
        if det < 0:
            return SADDLE
        if abs(trace) <= tol:
            return CENTER
        node = trace * trace - 4 * det >= 0
        if trace < 0:
            return STABLE_NODE if node else STABLE_FOCUS
        return UNSTABLE_NODE if node else UNSTABLE_FOCUS
    eig = np.linalg.eigvals(jac)
    re = eig.real
    complex_pair = bool(np.any(np.abs(eig.imag) > tol))
    if np.any(np.abs(re) <= tol):
        return NON_HYPERBOLIC
    if np.all(re < 0):
        return STABLE_FOCUS if complex_pair else STABLE_NODE
    if np.all(re > 0):
        return UNSTABLE_FOCUS if complex_pair else UNSTABLE_NODE
    return SADDLE_FOCUS if complex_pair else SADDLE


def bialternate_product(a: np.ndarray) -> np.ndarray:
    r"""Return the bialternate product :math:`2A \odot I` of an n × n matrix.

    Its eigenvalues are :math:`\lambda_i + \lambda_j` (i < j) for the eigenvalues
    :math:`\lambda` of ``a``, so its determinant is a Hopf test function
    (Govaerts, *Numerical methods for bifurcations of dynamical equilibria*, 2000).
    Rows and columns are the index pairs ``(p, q)`` with ``p > q``.
    """
    a = np.asarray(a, dtype=float)
    n = a.shape[0]
    pairs = [(p, q) for p in range(1, n) for q in range(p)]
    out = np.zeros((len(pairs), len(pairs)))
    for row, (p, q) in enumerate(pairs):
        for col, (r, s) in enumerate(pairs):
            if r == q:
                out[row, col] = -a[p, s]
            elif r != p and s == q:
                out[row, col] = a[p, r]
            elif r == p and s == q:
                out[row, col] = a[p, p] + a[q, q]
            elif r == p and s != q:
                out[row, col] = a[q, s]
            elif s == p:
                out[row, col] = -a[q, r]
    return out
