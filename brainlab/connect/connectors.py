"""Connectors: the rules that choose the synapses between two groups (``conn=`` of ``SynConn``).

Each connector also caches the layouts (matrix, lists, slicing) built from its synapses.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from brainlab.connect import formatters
from brainlab.errors import ModelUseError

__all__ = ["All2All", "Connector", "FixedProb", "One2One"]

# The structures a synapse type may name in ``requires``; ``set_requires`` builds them.
_STRUCTURES = (
    "pre_ids",
    "post_ids",
    "conn_mat",
    "pre2post",
    "post2pre",
    "pre2syn",
    "post2syn",
    "pre_slice_syn",
    "post_slice_syn",
)


def _check_size(value: Any, name: str, owner: str) -> int:
    """Return ``value`` as a positive ``int`` or raise a ``ModelUseError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ModelUseError(f"{owner}.set_size: '{name}' must be an integer number of neurons, got {value!r}.")
    if value <= 0:
        raise ModelUseError(f"{owner}.set_size: '{name}' must be at least 1 (a group has neurons), got {value}.")
    return int(value)


def _check_bool(value: Any, name: str, owner: str) -> bool:
    """Return ``value`` as ``bool`` or raise; a truthy string must not pass silently."""
    if not isinstance(value, bool | np.bool_):
        raise ModelUseError(f"{owner}: '{name}' must be True or False, got {value!r}.")
    return bool(value)


def _as_index_array(indices: ArrayLike, name: str, owner: str) -> np.ndarray:
    """Check one group's index array (its geometry) and return it as ``int64``."""
    arr = np.asarray(indices)
    if arr.ndim not in (1, 2):
        raise ModelUseError(
            f"{owner}: '{name}' must be the group's 1-D or 2-D index array, e.g. "
            f"np.arange(num).reshape(geometry); got shape {arr.shape}."
        )
    if arr.size == 0:
        raise ModelUseError(f"{owner}: '{name}' is empty; a neuron group needs at least 1 neuron.")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ModelUseError(
            f"{owner}: '{name}' must hold integer neuron indices, got dtype {arr.dtype}; "
            f"pass np.arange(num).reshape(geometry)."
        )
    return arr.astype(np.int64, copy=False)


class Connector:
    """Base class of the connectivity rules.

    A connector is called with the index arrays of the pre- and post-synaptic
    groups (``np.arange(num).reshape(geometry)``, 1-D or 2-D)::

        pre_ids, post_ids = conn(pre_indices, post_indices)

    and returns one entry per synapse: ``pre_ids[k]`` and ``post_ids[k]`` are the
    values of the flattened index arrays at the chosen positions, i.e. the local
    flat indices of the two neurons when the arrays are ``np.arange``. Synapses
    are ordered by pre index, then post index (row-major). The result is kept in
    the attributes ``pre_ids``, ``post_ids``, ``num_pre`` and ``num_post``, from
    which the ``make_*`` methods build the other layouts (see
    :mod:`brainlab.connect.formatters`); each stores its result in the attribute
    of the same name (``make_pre2syn`` sets ``pre2syn``) and returns it.

    Subclasses implement :meth:`_connect`; a subclass may instead override
    ``__call__`` and set the attributes itself.
    """

    def __init__(self) -> None:
        self.num_pre: int | None = None
        self.num_post: int | None = None
        self.pre_ids: np.ndarray | None = None
        self.post_ids: np.ndarray | None = None
        self.requires: tuple[str, ...] = ()
        self._clear_layouts()

    def __call__(self, pre_indices: ArrayLike, post_indices: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Connect two groups given their index arrays.

        Parameters
        ----------
        pre_indices, post_indices : array_like of int
            1-D or 2-D index arrays of the pre- and post-synaptic groups.

        Returns
        -------
        pre_ids, post_ids : numpy.ndarray
            ``int64`` arrays with one entry per synapse, row-major order.
        """
        name = type(self).__name__
        pre = _as_index_array(pre_indices, "pre_indices", name)
        post = _as_index_array(post_indices, "post_indices", name)
        local_pre, local_post = self._connect(pre.shape, post.shape)
        self.set_size(pre.size, post.size)
        self.pre_ids = np.ascontiguousarray(pre.reshape(-1)[local_pre], dtype=np.int64)
        self.post_ids = np.ascontiguousarray(post.reshape(-1)[local_post], dtype=np.int64)
        self._clear_layouts()
        return self.pre_ids, self.post_ids

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Return the flat positions ``(i, j)`` of the synapses, row-major.

        Parameters
        ----------
        pre_shape, post_shape : tuple of int
            Geometries of the two groups (1-D or 2-D).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement _connect(pre_shape, post_shape) or __call__.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- sizes and requirements -------------------------------------------------

    def set_size(self, num_pre: int, num_post: int) -> None:
        """Set the number of pre- and post-synaptic neurons.

        Parameters
        ----------
        num_pre, num_post : int
            Positive group sizes.
        """
        name = type(self).__name__
        self.num_pre = _check_size(num_pre, "num_pre", name)
        self.num_post = _check_size(num_post, "num_post", name)

    def set_requires(self, syn_requires: Iterable[str]) -> tuple[str, ...]:
        """Build the connectivity structures a synapse type requires.

        Parameters
        ----------
        syn_requires : iterable of str
            Names from the synapse type's ``requires`` (a dict works: its keys are
            used). Names that are not connectivity structures (``pre``, ``post``,
            ...) are ignored.

        Returns
        -------
        tuple of str
            The connectivity structures now available as attributes, a slicing
            layout first because building it re-orders the synapses.
        """
        names = set(syn_requires)
        wanted = [n for n in _STRUCTURES if n in names]
        if "pre_slice_syn" in wanted and "post_slice_syn" in wanted:
            raise ModelUseError(
                f"{type(self).__name__}: a synapse type cannot require both 'pre_slice_syn' and "
                f"'post_slice_syn' (each orders the synapses differently); use "
                f"'pre_slice_syn' with 'post2syn', or 'post_slice_syn' with 'pre2syn'."
            )
        # Slicing re-orders the synapses, so it must come before any layout that
        # stores synapse indices.
        wanted.sort(key=lambda n: n not in ("pre_slice_syn", "post_slice_syn"))
        for n in wanted:
            if n in ("pre_ids", "post_ids"):
                self._require_ids()
            else:
                getattr(self, f"make_{n}")()
        self.requires = tuple(wanted)
        return self.requires

    # -- layouts -----------------------------------------------------------------

    def _clear_layouts(self) -> None:
        """Forget every layout derived from ``pre_ids``/``post_ids``."""
        self.conn_mat: np.ndarray | None = None
        self.pre2post: list[np.ndarray] | None = None
        self.post2pre: list[np.ndarray] | None = None
        self.pre2syn: list[np.ndarray] | None = None
        self.post2syn: list[np.ndarray] | None = None
        self.pre_slice_syn: np.ndarray | None = None
        self.post_slice_syn: np.ndarray | None = None

    def _require_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the stored synapses or explain how to create them."""
        if self.pre_ids is None or self.post_ids is None:
            raise ModelUseError(
                f"{type(self).__name__}: no connectivity yet; call the connector with the "
                f"groups' index arrays first, e.g. conn(np.arange(num_pre), np.arange(num_post))."
            )
        return self.pre_ids, self.post_ids

    def make_conn_mat(self) -> np.ndarray:
        """Build ``conn_mat``, the dense ``(num_pre, num_post)`` 0/1 matrix."""
        i, j = self._require_ids()
        self.conn_mat = formatters.ij2mat(i, j, self.num_pre, self.num_post)
        return self.conn_mat

    def make_mat2ij(self) -> tuple[np.ndarray, np.ndarray]:
        """Set ``pre_ids``/``post_ids`` from an assigned ``conn_mat``."""
        if self.conn_mat is None:
            raise ModelUseError(
                f"{type(self).__name__}.make_mat2ij: 'conn_mat' is not set; assign a "
                f"(num_pre, num_post) matrix to it first."
            )
        conn_mat = self.conn_mat
        self.pre_ids, self.post_ids = formatters.mat2ij(conn_mat)
        self.num_pre, self.num_post = conn_mat.shape
        # New synapses invalidate every other layout, but the matrix itself still holds.
        self._clear_layouts()
        self.conn_mat = conn_mat
        return self.pre_ids, self.post_ids

    def make_pre2post(self) -> list[np.ndarray]:
        """Build ``pre2post``: the post-synaptic neurons of each pre-synaptic neuron."""
        i, j = self._require_ids()
        self.pre2post = formatters.pre2post(i, j, self.num_pre)
        return self.pre2post

    def make_post2pre(self) -> list[np.ndarray]:
        """Build ``post2pre``: the pre-synaptic neurons of each post-synaptic neuron."""
        i, j = self._require_ids()
        self.post2pre = formatters.post2pre(i, j, self.num_post)
        return self.post2pre

    def make_pre2syn(self) -> list[np.ndarray]:
        """Build ``pre2syn``: the synapse indices of each pre-synaptic neuron."""
        i, _ = self._require_ids()
        self.pre2syn = formatters.pre2syn(i, self.num_pre)
        return self.pre2syn

    def make_post2syn(self) -> list[np.ndarray]:
        """Build ``post2syn``: the synapse indices of each post-synaptic neuron."""
        _, j = self._require_ids()
        self.post2syn = formatters.post2syn(j, self.num_post)
        return self.post2syn

    def make_pre_slice_syn(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Re-order the synapses by pre index and build ``pre_slice_syn``.

        Returns the re-ordered ``(pre_ids, post_ids)`` and the ``(num_pre, 2)``
        slicing table; the attributes are updated, and synapse-index layouts built
        earlier (``pre2syn``, ``post2syn``, ``post_slice_syn``) are dropped.
        """
        i, j = self._require_ids()
        i, j, slicing = formatters.pre_slice_syn(i, j, self.num_pre)
        self._reorder(i, j)
        self.pre_slice_syn = slicing
        return i, j, slicing

    def make_post_slice_syn(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Re-order the synapses by post index and build ``post_slice_syn``.

        Returns the re-ordered ``(pre_ids, post_ids)`` and the ``(num_post, 2)``
        slicing table; the attributes are updated, and synapse-index layouts built
        earlier (``pre2syn``, ``post2syn``, ``pre_slice_syn``) are dropped.
        """
        i, j = self._require_ids()
        i, j, slicing = formatters.post_slice_syn(i, j, self.num_post)
        self._reorder(i, j)
        self.post_slice_syn = slicing
        return i, j, slicing

    def _reorder(self, i: np.ndarray, j: np.ndarray) -> None:
        """Store re-ordered synapses; drop the layouts that index synapses."""
        self.pre_ids, self.post_ids = i, j
        # conn_mat, pre2post and post2pre describe neurons, not synapse positions,
        # so they survive a re-ordering; everything holding synapse indices does not.
        self.pre2syn = self.post2syn = None
        self.pre_slice_syn = self.post_slice_syn = None


class One2One(Connector):
    """Connect neuron ``k`` of the pre-synaptic group to neuron ``k`` of the post-synaptic one.

    Both groups must have the same number of neurons (their geometries may
    differ; neurons are paired in flat row-major order).
    """

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n_pre, n_post = math.prod(pre_shape), math.prod(post_shape)
        if n_pre != n_post:
            raise ModelUseError(
                f"One2One: the pre-synaptic group has {n_pre} neurons {pre_shape} and the "
                f"post-synaptic group {n_post} {post_shape}; One2One needs groups of the "
                f"same size. Use All2All or FixedProb, or connect equal-sized (sub)groups."
            )
        ids = np.arange(n_pre, dtype=np.int64)
        return ids, ids.copy()


class All2All(Connector):
    """Connect every pre-synaptic neuron to every post-synaptic neuron.

    Parameters
    ----------
    include_self : bool, default True
        If False, skip the pairs with equal flat index ``i == j`` (the
        self-connections when a group is connected to itself).
    """

    def __init__(self, include_self: bool = True) -> None:
        super().__init__()
        self.include_self = _check_bool(include_self, "include_self", "All2All")

    def __repr__(self) -> str:
        return f"All2All(include_self={self.include_self})"

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n_pre, n_post = math.prod(pre_shape), math.prod(post_shape)
        i = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
        j = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
        if not self.include_self:
            keep = i != j
            i, j = i[keep], j[keep]
        return i, j


class FixedProb(Connector):
    """Create each pre-post pair independently with a fixed probability.

    Generation is linear in the number of synapses, not of pairs: the gaps
    between successive synapses in the row-major list of all pairs are drawn
    from a geometric distribution, which gives exactly an independent
    Bernoulli(``prob``) draw per pair.

    Parameters
    ----------
    prob : float
        Connection probability, in ``[0, 1]``.
    include_self : bool, default True
        If False, skip the pairs with equal flat index ``i == j``.
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    def __init__(self, prob: float, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__()
        if isinstance(prob, bool) or not isinstance(prob, numbers.Real):
            raise ModelUseError(
                f"FixedProb: 'prob' must be a number in [0, 1] (a connection probability), got {prob!r}."
            )
        if not 0.0 <= float(prob) <= 1.0:  # also rejects NaN
            raise ModelUseError(
                f"FixedProb: 'prob'={prob} is outside [0, 1]; pass a connection probability, e.g. FixedProb(prob=0.1)."
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
            raise ModelUseError(f"FixedProb: 'seed' must be None or a non-negative integer, got {seed!r}.")
        self.prob = float(prob)
        self.include_self = _check_bool(include_self, "include_self", "FixedProb")
        self.seed = None if seed is None else int(seed)

    def __repr__(self) -> str:
        return f"FixedProb(prob={self.prob}, include_self={self.include_self}, seed={self.seed})"

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n_post = math.prod(post_shape)
        total = math.prod(pre_shape) * n_post
        rng = np.random.default_rng(self.seed)
        pos = _bernoulli_positions(rng, total, self.prob)
        i, j = np.divmod(pos, n_post)
        if not self.include_self:
            # Dropping the diagonal afterwards leaves the other pairs' draws independent.
            keep = i != j
            i, j = i[keep], j[keep]
        return i, j


def _bernoulli_positions(rng: np.random.Generator, total: int, prob: float) -> np.ndarray:
    """Return the sorted positions in ``[0, total)`` kept, each independently, with ``prob``."""
    if prob <= 0.0 or total == 0:
        return np.zeros(0, dtype=np.int64)
    if prob >= 1.0:
        return np.arange(total, dtype=np.int64)
    chunks = []
    last = -1
    while True:
        # Enough gaps to pass the end with overwhelming probability, so one pass
        # is the rule; the loop only guards against the rare short draw.
        expected = (total - 1 - last) * prob
        size = int(expected + 6.0 * math.sqrt(expected) + 64)
        pos = last + np.cumsum(rng.geometric(prob, size=size), dtype=np.int64)
        if pos[-1] >= total:
            chunks.append(pos[: np.searchsorted(pos, total)])
            break
        chunks.append(pos)
        last = int(pos[-1])
    return np.concatenate(chunks)
