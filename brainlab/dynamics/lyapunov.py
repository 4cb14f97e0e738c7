"""The first Lyapunov coefficient of a Hopf point: sub- or supercritical.

The second and third derivatives of ``f`` enter as the multilinear forms
``B`` and ``C``, taken here as central differences of the exact (symbolic)
Jacobian along the real and imaginary parts of the critical eigenvectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["first_lyapunov_coefficient"]


def _second_derivative_operators(jac: Any, x: np.ndarray) -> tuple[Any, Any]:
    """``B(u, v)`` and ``C(u, v, w)`` of ``f`` at ``x`` by differences of the exact Jacobian."""
    h1, h2 = 1e-5, 1e-3

    def dj(a: np.ndarray) -> np.ndarray:
        return (jac(x + h1 * a) - jac(x - h1 * a)) / (2 * h1)

    def ddj(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (jac(x + h2 * (a + b)) - jac(x + h2 * (a - b)) - jac(x - h2 * (a - b)) + jac(x - h2 * (a + b))) / (
            4 * h2 * h2
        )

    def b_op(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (dj(u.real) + 1j * dj(u.imag)) @ v

    def c_op(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        m = ddj(u.real, v.real) - ddj(u.imag, v.imag) + 1j * (ddj(u.real, v.imag) + ddj(u.imag, v.real))
        return m @ w

    return b_op, c_op


def first_lyapunov_coefficient(jac: Any, x: np.ndarray) -> tuple[float, float]:
    """First Lyapunov coefficient ``l1`` and frequency ``ω`` at a Hopf point.

    Kuznetsov (2004), eq. (10.58): with ``A q = iωq``, ``Aᵀ p = −iωp``, ``⟨p, q⟩ = 1``,
    ``l1 = Re[⟨p, C(q,q,q̄)⟩ − 2⟨p, B(q, A⁻¹B(q,q̄))⟩ + ⟨p, B(q̄, (2iω − A)⁻¹B(q,q))⟩] / (2ω)``.

    Parameters
    ----------
    jac : callable
        ``jac(x)`` -> (n, n), the exact Jacobian.
    x : array (n,)
        The Hopf point.
    """
    a = jac(x)
    eig, vec = np.linalg.eig(a)
    critical = [i for i in range(len(eig)) if eig[i].imag > 0]
    if not critical:
        return float("nan"), 0.0
    k = min(critical, key=lambda i: abs(eig[i].real))
    omega = float(eig[k].imag)
    q = vec[:, k] / np.linalg.norm(vec[:, k])
    eig_t, vec_t = np.linalg.eig(a.T)
    p = vec_t[:, int(np.argmin(np.abs(eig_t + 1j * omega)))]
    p = p / np.conj(np.vdot(p, q))
    b_op, c_op = _second_derivative_operators(jac, x)
    n = len(x)
    bqq_bar = b_op(q, q.conj())
    bqq = b_op(q, q)
    term1 = np.vdot(p, c_op(q, q, q.conj()))
    term2 = np.vdot(p, b_op(q, np.linalg.solve(a, bqq_bar)))
    term3 = np.vdot(p, b_op(q.conj(), np.linalg.solve(2j * omega * np.eye(n) - a, bqq)))
    return float(np.real(term1 - 2 * term2 + term3) / (2 * omega)), omega
