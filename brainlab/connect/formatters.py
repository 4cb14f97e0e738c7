"""Conversions of one connectivity between i-j arrays, matrix, per-neuron lists and slicing.

These are the layouts synapse models ask for in ``requires``; all are vectorised.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from brainlab.errors import ModelUseError

__all__ = [
    "ij2mat",
    "mat2ij",
    "post2pre",
    "post2syn",
    "post_slice_syn",
    "pre2post",
    "pre2syn",
    "pre_slice_syn",
]


def _as_ids(values: ArrayLike, name: str, func: str) -> np.ndarray:
    """Return ``values`` as a flat ``int64`` array of non-negative neuron indices."""
    arr = np.asarray(values)
    if arr.size == 0:
        # An empty list comes in as float64; an empty connectivity is still valid.
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1:
        raise ModelUseError(
            f"{func}: '{name}' must be a 1-D array of neuron indices, got shape {arr.shape}; flatten it first."
        )
    if not np.issubdtype(arr.dtype, np.integer):
        raise ModelUseError(
            f"{func}: '{name}' must hold integer neuron indices, got dtype {arr.dtype}; "
            f"convert it with np.asarray({name}, dtype=int)."
        )
    if arr.min() < 0:
        raise ModelUseError(
            f"{func}: '{name}' holds a negative neuron index ({arr.min()}); indices count neurons from 0."
        )
    return arr.astype(np.int64, copy=False)


def _as_pair(i: ArrayLike, j: ArrayLike, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Check ``i`` and ``j`` as one connectivity: two index arrays of equal length."""
    i_arr = _as_ids(i, "i", func)
    j_arr = _as_ids(j, "j", func)
    if i_arr.size != j_arr.size:
        raise ModelUseError(
            f"{func}: 'i' and 'j' must have the same length (one entry per synapse), got {i_arr.size} and {j_arr.size}."
        )
    return i_arr, j_arr


def _num_neurons(ids: np.ndarray, num: int | None, name: str, func: str) -> int:
    """Return the neuron count: ``num`` if given (checked), else ``max(ids) + 1``.

    Without an explicit count, trailing neurons that have no synapse are invisible;
    callers that know the group size should always pass it.
    """
    needed = int(ids.max()) + 1 if ids.size else 0
    if num is None:
        return needed
    if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num < 0:
        raise ModelUseError(f"{func}: '{name}' must be a non-negative integer (the number of neurons), got {num!r}.")
    if num < needed:
        raise ModelUseError(
            f"{func}: '{name}'={num} is too small: the connectivity refers to neuron "
            f"{needed - 1}; pass the size of the whole neuron group."
        )
    return int(num)


def _group_by(keys: np.ndarray, num: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the stable order that groups synapses by ``keys`` and the group bounds.

    The sort is stable so that synapses of one neuron keep their relative order,
    which makes every layout below deterministic and consistent with the others.
    """
    if keys.size < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        # Connectors emit synapses sorted by pre index: skip the sort (the costly step).
        order = np.arange(keys.size, dtype=np.int64)
    else:
        order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=num)
    bounds = np.zeros(num + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    return order.astype(np.int64, copy=False), bounds


def _split(values: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    """Split ``values`` at the inner ``bounds`` into one ``int64`` array per neuron."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return list(np.split(values, bounds[1:-1]))


def _slicing(bounds: np.ndarray) -> np.ndarray:
    """Return the ``(num, 2)`` table of ``[start, end)`` synapse ranges."""
    return np.ascontiguousarray(np.stack([bounds[:-1], bounds[1:]], axis=1), dtype=np.int64)


def ij2mat(i: ArrayLike, j: ArrayLike, num_pre: int | None = None, num_post: int | None = None) -> np.ndarray:
    """Convert an i-j connectivity into a dense connectivity matrix.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_pre : int, optional
        Number of pre-synaptic neurons (rows). Defaults to ``max(i) + 1``.
    num_post : int, optional
        Number of post-synaptic neurons (columns). Defaults to ``max(j) + 1``.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(num_pre, num_post)`` with 1 where a synapse
        exists and 0 elsewhere. Duplicate synapses still give 1.
    """
    i_arr, j_arr = _as_pair(i, j, "ij2mat")
    n_pre = _num_neurons(i_arr, num_pre, "num_pre", "ij2mat")
    n_post = _num_neurons(j_arr, num_post, "num_post", "ij2mat")
    # float64 so that matrix-mode steps can multiply by it without a cast.
    conn_mat = np.zeros((n_pre, n_post), dtype=np.float64)
    conn_mat[i_arr, j_arr] = 1.0
    return conn_mat


def mat2ij(conn_mat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Get the i-j connectivity of a connectivity matrix.

    Parameters
    ----------
    conn_mat : array_like
        Matrix of shape ``(num_pre, num_post)``; every non-zero entry is a synapse.

    Returns
    -------
    pre_ids, post_ids : numpy.ndarray
        ``int64`` arrays, synapses in row-major order (by pre, then by post).
    """
    mat = np.asarray(conn_mat)
    if mat.ndim != 2:
        raise ModelUseError(f"mat2ij: 'conn_mat' must be a 2-D (num_pre, num_post) matrix, got shape {mat.shape}.")
    pre_ids, post_ids = np.nonzero(mat)
    return pre_ids.astype(np.int64, copy=False), post_ids.astype(np.int64, copy=False)


def pre2post(i: ArrayLike, j: ArrayLike, num_pre: int | None = None) -> list[np.ndarray]:
    """Get, for each pre-synaptic neuron, the post-synaptic neurons it connects to.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_pre : int, optional
        Number of pre-synaptic neurons. Defaults to ``max(i) + 1``.

    Returns
    -------
    list of numpy.ndarray
        ``num_pre`` ``int64`` arrays; element ``p`` lists ``j[k]`` for the synapses
        ``k`` with ``i[k] == p``, in synapse order (empty if ``p`` has none).
    """
    i_arr, j_arr = _as_pair(i, j, "pre2post")
    num = _num_neurons(i_arr, num_pre, "num_pre", "pre2post")
    order, bounds = _group_by(i_arr, num)
    return _split(j_arr[order], bounds)


def post2pre(i: ArrayLike, j: ArrayLike, num_post: int | None = None) -> list[np.ndarray]:
    """Get, for each post-synaptic neuron, the pre-synaptic neurons that connect to it.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_post : int, optional
        Number of post-synaptic neurons. Defaults to ``max(j) + 1``.

    Returns
    -------
    list of numpy.ndarray
        ``num_post`` ``int64`` arrays; element ``q`` lists ``i[k]`` for the
        synapses ``k`` with ``j[k] == q``, in synapse order.
    """
    i_arr, j_arr = _as_pair(i, j, "post2pre")
    num = _num_neurons(j_arr, num_post, "num_post", "post2pre")
    order, bounds = _group_by(j_arr, num)
    return _split(i_arr[order], bounds)


def pre2syn(i: ArrayLike, num_pre: int | None = None) -> list[np.ndarray]:
    """Get, for each pre-synaptic neuron, the indices of its outgoing synapses.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    num_pre : int, optional
        Number of pre-synaptic neurons. Defaults to ``max(i) + 1``.

    Returns
    -------
    list of numpy.ndarray
        ``num_pre`` ``int64`` arrays of synapse indices ``k`` (ascending) with
        ``i[k] == p``.
    """
    i_arr = _as_ids(i, "i", "pre2syn")
    num = _num_neurons(i_arr, num_pre, "num_pre", "pre2syn")
    order, bounds = _group_by(i_arr, num)
    return _split(order, bounds)


def post2syn(j: ArrayLike, num_post: int | None = None) -> list[np.ndarray]:
    """Get, for each post-synaptic neuron, the indices of its incoming synapses.

    Parameters
    ----------
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_post : int, optional
        Number of post-synaptic neurons. Defaults to ``max(j) + 1``.

    Returns
    -------
    list of numpy.ndarray
        ``num_post`` ``int64`` arrays of synapse indices ``k`` (ascending) with
        ``j[k] == q``.
    """
    j_arr = _as_ids(j, "j", "post2syn")
    num = _num_neurons(j_arr, num_post, "num_post", "post2syn")
    order, bounds = _group_by(j_arr, num)
    return _split(order, bounds)


def pre_slice_syn(i: ArrayLike, j: ArrayLike, num_pre: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Re-order the synapses by pre-synaptic neuron and slice them per neuron.

    After re-ordering, the synapses of pre-synaptic neuron ``p`` are the
    contiguous range ``slicing[p, 0]:slicing[p, 1]``, so a step function can
    reach them without an index list.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_pre : int, optional
        Number of pre-synaptic neurons. Defaults to ``max(i) + 1``.

    Returns
    -------
    pre_ids, post_ids : numpy.ndarray
        The synapses re-ordered by pre index (``int64``; stable, so the original
        order is kept within one neuron).
    slicing : numpy.ndarray
        ``int64`` array of shape ``(num_pre, 2)``: ``[start, end)`` of each
        neuron's synapses in the re-ordered arrays.
    """
    i_arr, j_arr = _as_pair(i, j, "pre_slice_syn")
    num = _num_neurons(i_arr, num_pre, "num_pre", "pre_slice_syn")
    order, bounds = _group_by(i_arr, num)
    return i_arr[order], j_arr[order], _slicing(bounds)


def post_slice_syn(
    i: ArrayLike, j: ArrayLike, num_post: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Re-order the synapses by post-synaptic neuron and slice them per neuron.

    After re-ordering, the synapses onto post-synaptic neuron ``q`` are the
    contiguous range ``slicing[q, 0]:slicing[q, 1]``.

    Parameters
    ----------
    i : array_like of int
        Pre-synaptic neuron index of each synapse.
    j : array_like of int
        Post-synaptic neuron index of each synapse.
    num_post : int, optional
        Number of post-synaptic neurons. Defaults to ``max(j) + 1``.

    Returns
    -------
    pre_ids, post_ids : numpy.ndarray
        The synapses re-ordered by post index (``int64``; stable).
    slicing : numpy.ndarray
        ``int64`` array of shape ``(num_post, 2)``: ``[start, end)`` of each
        neuron's synapses in the re-ordered arrays.
    """
    i_arr, j_arr = _as_pair(i, j, "post_slice_syn")
    num = _num_neurons(j_arr, num_post, "num_post", "post_slice_syn")
    order, bounds = _group_by(j_arr, num)
    return i_arr[order], j_arr[order], _slicing(bounds)
