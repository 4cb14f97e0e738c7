"""Distance-dependent connectors: GaussianProb, GaussianWeight and DOG.

Each neuron has a position given by its place in the group's geometry: the
coordinate ``x`` for a 1-D geometry ``(num,)``, ``(y, x)`` = (row, column) for a
2-D geometry ``(height, width)``. With ``normalize=True`` every axis is scaled
to ``[0, 1]``: index ``a`` on an axis of ``size`` cells sits at
``a / (size - 1)`` (at 0 when ``size`` is 1), so two groups of different sizes
overlay the same square. With ``normalize=False`` the coordinates are the
integer indices themselves. The distance ``d`` between a pre- and a
post-synaptic neuron is Euclidean; both groups must have the same number of
dimensions.

All three connectors only look at the pairs that can pass their threshold:
the threshold gives a cut-off radius, and for each pre-synaptic neuron only
the post-synaptic neurons inside the bounding box of that radius are examined,
a chunk of pre-synaptic neurons at a time. Memory therefore stays proportional
to the synapses (plus one chunk), and no ``num_pre x num_post`` matrix is built.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from brainlab.connect._checks import check_bool, check_finite, check_positive, check_probability, check_seed
from brainlab.connect.connectors import Connector
from brainlab.errors import ModelUseError

__all__ = ["DOG", "GaussianProb", "GaussianWeight"]

# Candidate pairs examined per chunk: bounds the temporary arrays (~10 of this
# length) to a few tens of MB whatever the group sizes.
_CHUNK_PAIRS = 1 << 20
# exp(-q) is exactly 0.0 in float64 for q > 745.2, so beyond the radius with
# d^2 / (2 sigma^2) = 746 a Gaussian term contributes nothing at all.
_EXP_UNDERFLOW = 746.0
# The uniform draws have a resolution of 2**-53: a pair with a smaller
# probability is practically never created, and skipping those keeps the search
# local even with p_min=0.
_P_RESOLUTION = 2.0**-53


def _coordinates(shape: tuple[int, ...], normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the row and column coordinate of each cell index of ``shape``.

    A 1-D geometry is one row: its row coordinate is 0 for every neuron.
    """
    dims = (1, shape[0]) if len(shape) == 1 else shape
    axes = []
    for size in dims:
        index = np.arange(size, dtype=np.float64)
        if normalize:
            index = index / (size - 1) if size > 1 else np.zeros(1)
        axes.append(index)
    return axes[0], axes[1]


def _window(pre_coord: np.ndarray, post_coord: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Return, per pre coordinate, the first post index and the number of post indices within ``radius``.

    One index of margin on each side absorbs rounding: the window only has to
    contain every pair that can pass; the exact test is made on the values.
    """
    last = post_coord.size - 1
    lo = np.searchsorted(post_coord, pre_coord - radius, side="left") - 1
    hi = np.searchsorted(post_coord, pre_coord + radius, side="right")
    lo = np.clip(lo, 0, last)
    hi = np.clip(hi, 0, last)
    return lo.astype(np.int64), np.maximum(hi - lo + 1, 0).astype(np.int64)


def _check_same_dims(owner: str, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> None:
    if len(pre_shape) != len(post_shape):
        raise ModelUseError(
            f"{owner}: the pre-synaptic geometry {pre_shape} and the post-synaptic geometry "
            f"{post_shape} have different numbers of dimensions, so their positions cannot be "
            f"compared; give both groups a 1-D geometry (num,) or both a 2-D one (height, width)."
        )


def _candidates(
    pre_shape: tuple[int, ...],
    post_shape: tuple[int, ...],
    normalize: bool,
    radius: float,
    include_self: bool,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield chunks ``(pre, post, d2)`` of the pairs within ``radius`` (and a few more), row-major.

    ``d2`` is the squared distance. Pairs with equal flat index are dropped
    unless ``include_self``.
    """
    pre_y, pre_x = _coordinates(pre_shape, normalize)
    post_y, post_x = _coordinates(post_shape, normalize)
    lo_y, n_y = _window(pre_y, post_y, radius)
    lo_x, n_x = _window(pre_x, post_x, radius)
    width_pre, width_post = pre_x.size, post_x.size
    counts = np.outer(n_y, n_x).ravel()  # candidates of each pre neuron, row-major
    ends = np.cumsum(counts)
    n_pre = counts.size
    start = 0
    while start < n_pre:
        done = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, done + _CHUNK_PAIRS, side="right")), start + 1)
        chunk_counts = counts[start:stop]
        pre = np.repeat(np.arange(start, stop, dtype=np.int64), chunk_counts)
        # Position of each candidate inside its pre neuron's box, read row-major,
        # so the post indices come out ascending for each pre neuron.
        k = np.arange(pre.size, dtype=np.int64) - np.repeat(np.cumsum(chunk_counts) - chunk_counts, chunk_counts)
        row, col = np.divmod(pre, width_pre)
        box_width = n_x[col]
        post_row = lo_y[row] + k // box_width
        post_col = lo_x[col] + k % box_width
        post = post_row * width_post + post_col
        dy = pre_y[row] - post_y[post_row]
        dx = pre_x[col] - post_x[post_col]
        d2 = dy * dy + dx * dx
        if not include_self:
            keep = pre != post
            pre, post, d2 = pre[keep], post[keep], d2[keep]
        yield pre, post, d2
        start = stop


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


class GaussianProb(Connector):
    """Connect pairs at random with a probability that decays as a Gaussian of their distance.

    The pair ``(i, j)`` is created with probability
    ``p = exp(-d**2 / (2 * sigma**2))``, independently of the other pairs,
    where ``d`` is the distance between the positions of the two neurons (see
    the module docstring for positions and ``normalize``).

    Parameters
    ----------
    sigma : float
        Width of the Gaussian, in position units (a fraction of the group's
        extent when ``normalize`` is True, cells otherwise). Must be > 0.
    p_min : float, default 0.0
        Pairs whose probability is below ``p_min`` are never created; this
        bounds the distance examined to ``sigma * sqrt(-2 ln p_min)``. Pairs
        below ``2**-53`` (the resolution of the uniform draws) are skipped in
        any case, which keeps the search local even for ``p_min=0``.
    normalize : bool, default True
        Scale each axis of both geometries to ``[0, 1]``.
    include_self : bool, default True
        If False, skip the pairs with equal flat index ``i == j``.
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    def __init__(
        self,
        sigma: float,
        p_min: float = 0.0,
        normalize: bool = True,
        include_self: bool = True,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.sigma = check_positive(sigma, "sigma", "GaussianProb")
        self.p_min = check_probability(p_min, "p_min", "GaussianProb")
        self.normalize = check_bool(normalize, "normalize", "GaussianProb")
        self.include_self = check_bool(include_self, "include_self", "GaussianProb")
        self.seed = check_seed(seed, "GaussianProb")

    def __repr__(self) -> str:
        return (
            f"GaussianProb(sigma={self.sigma}, p_min={self.p_min}, normalize={self.normalize}, "
            f"include_self={self.include_self}, seed={self.seed})"
        )

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        _check_same_dims("GaussianProb", pre_shape, post_shape)
        cut = max(self.p_min, _P_RESOLUTION)
        radius = self.sigma * math.sqrt(-2.0 * math.log(cut))
        rng = np.random.default_rng(self.seed)
        pres, posts = [], []
        for pre, post, d2 in _candidates(pre_shape, post_shape, self.normalize, radius, self.include_self):
            prob = np.exp(-d2 / (2.0 * self.sigma**2))
            possible = prob >= cut
            pre, post, prob = pre[possible], post[possible], prob[possible]
            # One uniform per possible pair, in row-major order: the result does
            # not depend on how the pairs were chunked.
            hit = rng.random(prob.size) < prob
            pres.append(pre[hit])
            posts.append(post[hit])
        return _concat(pres, np.int64), _concat(posts, np.int64)


class GaussianWeight(Connector):
    """Connect nearby pairs with a weight that decays as a Gaussian of their distance.

    Deterministic: each pair gets the weight
    ``w = w_max * exp(-d**2 / (2 * sigma**2))``, where ``d`` is the distance
    between the positions of the two neurons (see the module docstring), and a
    synapse is created only where ``w > w_min``. Calling the connector returns
    ``(pre_ids, post_ids, weights)``; the weights are also kept in ``weights``.

    Parameters
    ----------
    sigma : float
        Width of the Gaussian, in position units. Must be > 0.
    w_max : float
        Weight at distance 0. Must be > 0.
    w_min : float, optional
        Synapses are created only where the weight exceeds ``w_min``, which must
        lie in ``[0, w_max)``. Default ``0.01 * w_max``; with ``w_min=0`` every
        pair gets a synapse except where the weight underflows to 0.
    normalize : bool, default True
        Scale each axis of both geometries to ``[0, 1]``.
    include_self : bool, default True
        If False, skip the pairs with equal flat index ``i == j``.
    """

    def __init__(
        self,
        sigma: float,
        w_max: float,
        w_min: float | None = None,
        normalize: bool = True,
        include_self: bool = True,
    ) -> None:
        super().__init__()
        owner = "GaussianWeight"
        self.sigma = check_positive(sigma, "sigma", owner)
        self.w_max = check_positive(w_max, "w_max", owner)
        self.w_min = 0.01 * self.w_max if w_min is None else check_finite(w_min, "w_min", owner, minimum=0.0)
        if self.w_min >= self.w_max:
            raise ModelUseError(
                f"{owner}: 'w_min'={w_min} is not below 'w_max'={w_max}, so no weight could exceed it "
                f"and no synapse would be created; pass a w_min in [0, w_max), e.g. 0.01 * w_max."
            )
        self.normalize = check_bool(normalize, "normalize", owner)
        self.include_self = check_bool(include_self, "include_self", owner)

    def __repr__(self) -> str:
        return (
            f"GaussianWeight(sigma={self.sigma}, w_max={self.w_max}, w_min={self.w_min}, "
            f"normalize={self.normalize}, include_self={self.include_self})"
        )

    def _connect(
        self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        _check_same_dims("GaussianWeight", pre_shape, post_shape)
        if self.w_min > 0.0:
            q_max = math.log(self.w_max / self.w_min)
        else:
            q_max = _EXP_UNDERFLOW
        radius = self.sigma * math.sqrt(2.0 * q_max)
        return _weighted(self, pre_shape, post_shape, radius)

    def weight_at(self, d2: np.ndarray) -> np.ndarray:
        """Return the weights at squared distances ``d2``."""
        return self.w_max * np.exp(-d2 / (2.0 * self.sigma**2))


class DOG(Connector):
    """Connect pairs with a difference-of-Gaussians weight of their distance.

    Deterministic: each pair gets the weight ::

        w = w_pos * exp(-d**2 / (2 * sigma_pos**2)) - w_neg * exp(-d**2 / (2 * sigma_neg**2))

    where ``d`` is the distance between the positions of the two neurons (see
    the module docstring). With a narrow positive and a wide negative Gaussian
    this is the "Mexican hat": excitation nearby, inhibition further out. A
    synapse is created only where ``|w| > w_min``. Calling the connector
    returns ``(pre_ids, post_ids, weights)``; the weights (of either sign) are
    also kept in ``weights``.

    Parameters
    ----------
    sigmas : pair of float
        ``(sigma_pos, sigma_neg)``, the widths of the positive and negative
        Gaussians, in position units. Both > 0.
    ws_max : pair of float
        ``(w_pos, w_neg)``, their amplitudes. Both finite and >= 0.
    w_min : float, optional
        Synapses are created only where ``|w|`` exceeds ``w_min`` (>= 0).
        Default ``0.01 * |w_pos - w_neg|``, one percent of the weight at
        distance 0.
    normalize : bool, default True
        Scale each axis of both geometries to ``[0, 1]``.
    include_self : bool, default True
        If False, skip the pairs with equal flat index ``i == j``.
    """

    def __init__(
        self,
        sigmas: Sequence[float],
        ws_max: Sequence[float],
        w_min: float | None = None,
        normalize: bool = True,
        include_self: bool = True,
    ) -> None:
        super().__init__()
        owner = "DOG"
        for name, value in (("sigmas", sigmas), ("ws_max", ws_max)):
            if not isinstance(value, Sequence | np.ndarray) or isinstance(value, str) or len(value) != 2:
                raise ModelUseError(
                    f"{owner}: '{name}' must be a pair (positive Gaussian, negative Gaussian), "
                    f"e.g. {name}=[0.08, 0.15]; got {value!r}."
                )
        self.sigmas = (check_positive(sigmas[0], "sigmas[0]", owner), check_positive(sigmas[1], "sigmas[1]", owner))
        self.ws_max = (
            check_finite(ws_max[0], "ws_max[0]", owner, minimum=0.0),
            check_finite(ws_max[1], "ws_max[1]", owner, minimum=0.0),
        )
        default = 0.01 * abs(self.ws_max[0] - self.ws_max[1])
        self.w_min = default if w_min is None else check_finite(w_min, "w_min", owner, minimum=0.0)
        self.normalize = check_bool(normalize, "normalize", owner)
        self.include_self = check_bool(include_self, "include_self", owner)

    def __repr__(self) -> str:
        return (
            f"DOG(sigmas={list(self.sigmas)}, ws_max={list(self.ws_max)}, w_min={self.w_min}, "
            f"normalize={self.normalize}, include_self={self.include_self})"
        )

    def _connect(
        self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        _check_same_dims("DOG", pre_shape, post_shape)
        # |w| <= (w_pos + w_neg) * exp(-d^2 / (2 max(sigma)^2)): beyond the radius
        # where that bound falls to w_min, no pair can pass.
        total = self.ws_max[0] + self.ws_max[1]
        if self.w_min > 0.0:
            q_max = math.log(total / self.w_min) if total > self.w_min else -1.0
        else:
            q_max = _EXP_UNDERFLOW
        if q_max < 0.0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.copy(), np.zeros(0)
        radius = max(self.sigmas) * math.sqrt(2.0 * q_max)
        return _weighted(self, pre_shape, post_shape, radius)

    def weight_at(self, d2: np.ndarray) -> np.ndarray:
        """Return the weights at squared distances ``d2``."""
        (s_pos, s_neg), (w_pos, w_neg) = self.sigmas, self.ws_max
        return w_pos * np.exp(-d2 / (2.0 * s_pos**2)) - w_neg * np.exp(-d2 / (2.0 * s_neg**2))


def _weighted(
    conn: GaussianWeight | DOG, pre_shape: tuple[int, ...], post_shape: tuple[int, ...], radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the pairs within ``radius`` whose weight passes ``|w| > conn.w_min``, with their weights."""
    pres, posts, weights = [], [], []
    for pre, post, d2 in _candidates(pre_shape, post_shape, conn.normalize, radius, conn.include_self):
        w = conn.weight_at(d2)
        keep = np.abs(w) > conn.w_min
        pres.append(pre[keep])
        posts.append(post[keep])
        weights.append(w[keep])
    return _concat(pres, np.int64), _concat(posts, np.int64), _concat(weights, np.float64)
