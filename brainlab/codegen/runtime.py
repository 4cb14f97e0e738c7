"""Helpers that generated kernels call, in plain Python and compiled by Numba.

Each helper is an ordinary Python function (used when ``jit=False``) with a
Numba ``@overload`` that specialises it for scalars and arrays, so the same
generated source works in vector and scalar mode.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

__all__ = ["exprel", "normal_like"]


def normal_like(x):
    """Draw standard normal numbers with the shape of ``x`` (a scalar for a scalar)."""
    if np.ndim(x):
        return np.random.standard_normal(np.shape(x))
    return np.random.standard_normal()


@overload(normal_like)
def _normal_like_nb(x):
    if isinstance(x, types.Array):
        return lambda x: np.random.standard_normal(x.shape)
    return lambda x: np.random.standard_normal()


def exprel(z):
    """Return ``(exp(z) - 1) / z``, with the limit 1 at ``z = 0``.

    This is the factor of exponential Euler: ``x + dt * exprel(dt*A) * f``.
    ``expm1`` keeps it accurate for small ``|z|``.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(z == 0.0, 1.0, np.expm1(z) / np.where(z == 0.0, 1.0, z))
    return out if out.ndim else float(out)


@overload(exprel)
def _exprel_nb(z):
    if isinstance(z, types.Array):

        def impl(z):
            out = np.empty(z.shape)
            flat_in = z.ravel()
            flat_out = out.ravel()
            for k in range(flat_in.size):
                v = flat_in[k]
                flat_out[k] = 1.0 if v == 0.0 else np.expm1(v) / v
            return out

        return impl

    def impl_scalar(z):
        return 1.0 if z == 0.0 else np.expm1(z) / z

    return impl_scalar


@njit(cache=True, nogil=True)
def _find_nonfinite_nb(flat, rows):
    """Return ``(row, element)`` of the first non-finite value among ``rows``, or ``(-1, -1)``.

    ``flat`` is a state array reshaped to ``(n_fields, n_elements)``.
    """
    for r in rows:
        row = flat[r]
        # A branch-free pass first (LLVM vectorises it): the state is finite
        # nearly always, and this check runs every few steps.
        all_finite = True
        for k in range(row.size):
            all_finite &= np.isfinite(row[k])
        if all_finite:
            continue
        for k in range(row.size):
            if not np.isfinite(row[k]):
                return r, k
    return -1, -1


def _find_nonfinite_py(flat, rows):
    for r in rows:
        bad = np.flatnonzero(~np.isfinite(flat[r]))
        if bad.size:
            return int(r), int(bad[0])
    return -1, -1
