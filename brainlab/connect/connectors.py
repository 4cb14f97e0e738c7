"""Connectors: the rules that choose the synapses between two groups (``conn=`` of ``SynConn``).

Each connector also caches the layouts (matrix, lists, slicing) built from its synapses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from brainlab.connect import formatters
from brainlab.connect._checks import as_group, check_bool, check_probability, check_seed, check_size
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


# A group as a connector accepts it: its index array, or its geometry (``n`` or ``(height, width)``).
Group = ArrayLike | int | Sequence[int]
# What ``_connect`` and ``__call__`` return: synapses, with one weight each for weighted connectors.
Synapses = tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]


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

    Weighted connectors (``GaussianWeight``, ``DOG``) also choose one weight
    per synapse: they return ``(pre_ids, post_ids, weights)`` and keep the
    weights in the attribute ``weights``, which is ``None`` for the others.

    Subclasses implement :meth:`_connect`; a subclass may instead override
    ``__call__`` and set the attributes itself.
    """

    def __init__(self) -> None:
        self.num_pre: int | None = None
        self.num_post: int | None = None
        self.pre_ids: np.ndarray | None = None
        self.post_ids: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        self.requires: tuple[str, ...] = ()
        self._clear_layouts()

    def __call__(self, pre_indices: Group, post_indices: Group | None = None) -> Synapses:
        """Connect two groups, or one group to itself.

        Parameters
        ----------
        pre_indices : array_like of int, int or tuple of int
            The pre-synaptic group: its 1-D or 2-D index array, or its geometry
            (an int ``num`` or a tuple/list ``(height, width)``, standing for
            ``np.arange(num).reshape(geometry)``). A numpy array is always an
            index array; a flat tuple/list of ints is always a geometry.
        post_indices : array_like of int, int or tuple of int, optional
            The post-synaptic group, in the same forms. If omitted, the group
            is connected to itself: ``grid(height_and_width)`` connects a
            ``(height, width)`` grid of neurons to itself.

        Returns
        -------
        pre_ids, post_ids : numpy.ndarray
            ``int64`` arrays with one entry per synapse, row-major order.
        weights : numpy.ndarray
            Only for weighted connectors: the ``float64`` weight of each synapse.
        """
        name = type(self).__name__
        pre = as_group(pre_indices, "pre_indices", name)
        post = pre if post_indices is None else as_group(post_indices, "post_indices", name)
        result = self._connect(pre.shape, post.shape)
        self.set_size(pre.size, post.size)
        self.pre_ids = np.ascontiguousarray(pre.reshape(-1)[result[0]], dtype=np.int64)
        self.post_ids = np.ascontiguousarray(post.reshape(-1)[result[1]], dtype=np.int64)
        self.weights = np.ascontiguousarray(result[2], dtype=np.float64) if len(result) == 3 else None
        self._clear_layouts()
        if self.weights is None:
            return self.pre_ids, self.post_ids
        return self.pre_ids, self.post_ids, self.weights

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> Synapses:
        """Return the flat positions ``(i, j)`` of the synapses, row-major, and their weights if any.

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
        owner = f"{type(self).__name__}.set_size"
        self.num_pre = check_size(num_pre, "num_pre", owner)
        self.num_post = check_size(num_post, "num_post", owner)

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
        """Set ``pre_ids``/``post_ids`` from an assigned ``conn_mat``.

        The new synapses carry no weights: ``weights`` becomes ``None``.
        """
        if self.conn_mat is None:
            raise ModelUseError(
                f"{type(self).__name__}.make_mat2ij: 'conn_mat' is not set; assign a "
                f"(num_pre, num_post) matrix to it first."
            )
        conn_mat = self.conn_mat
        self.pre_ids, self.post_ids = formatters.mat2ij(conn_mat)
        self.num_pre, self.num_post = conn_mat.shape
        self.weights = None
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
        slicing table; the attributes (``weights`` included) are updated, and
        synapse-index layouts built earlier (``pre2syn``, ``post2syn``,
        ``post_slice_syn``) are dropped.
        """
        self._reorder(self._require_ids()[0])
        i, j, slicing = formatters.pre_slice_syn(self.pre_ids, self.post_ids, self.num_pre)
        self.pre_ids, self.post_ids = i, j  # same values, now sorted
        self.pre_slice_syn = slicing
        return i, j, slicing

    def make_post_slice_syn(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Re-order the synapses by post index and build ``post_slice_syn``.

        Returns the re-ordered ``(pre_ids, post_ids)`` and the ``(num_post, 2)``
        slicing table; the attributes (``weights`` included) are updated, and
        synapse-index layouts built earlier (``pre2syn``, ``post2syn``,
        ``pre_slice_syn``) are dropped.
        """
        self._reorder(self._require_ids()[1])
        i, j, slicing = formatters.post_slice_syn(self.pre_ids, self.post_ids, self.num_post)
        self.pre_ids, self.post_ids = i, j  # same values, now sorted
        self.post_slice_syn = slicing
        return i, j, slicing

    def _reorder(self, keys: np.ndarray) -> None:
        """Sort the synapses stably by ``keys``; drop the layouts that index synapses."""
        # The formatters sort pre_ids/post_ids too, but they do not know the
        # weights: sorting here keeps all three aligned (the formatter then finds
        # sorted keys and skips its own sort).
        if keys.size > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
            order = np.argsort(keys, kind="stable")
            self.pre_ids, self.post_ids = self.pre_ids[order], self.post_ids[order]
            if self.weights is not None:
                self.weights = self.weights[order]
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
        self.include_self = check_bool(include_self, "include_self", "All2All")

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
        self.prob = check_probability(prob, "prob", "FixedProb")
        self.include_self = check_bool(include_self, "include_self", "FixedProb")
        self.seed = check_seed(seed, "FixedProb")

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
