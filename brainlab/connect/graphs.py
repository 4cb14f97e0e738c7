"""Random-graph connectors that connect a group to itself: SmallWorld and ScaleFree.

Both build a graph on the ``num`` neurons of one group, so the pre- and
post-synaptic groups must have the same number of neurons (usually the same
group); nodes are the flat neuron indices. An undirected graph gives two
synapses per edge, one in each direction.

The graph growth is sequential (each step depends on the graph so far), so it
runs compiled by Numba. Its random numbers come from a
``numpy.random.Generator`` as a buffer of uniforms consumed in order; a
buffer that runs short is redrawn longer from the same seed, whose stream
starts with the same numbers, so the result never depends on the buffer size.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import njit

from brainlab.connect._checks import check_bool, check_count, check_probability, check_seed
from brainlab.connect.connectors import Connector
from brainlab.errors import ModelUseError

__all__ = ["ScaleFree", "SmallWorld"]


@njit(cache=True, nogil=True)
def _watts_strogatz(
    n: int, half_k: int, prob: float, directed: bool, allow_self: bool, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:  # pragma: no cover - compiled
    """Return the edges ``(src, dst)`` of a rewired ring lattice and whether ``u`` sufficed."""
    sides = 2 if directed else 1
    n_edges = n * half_k * sides
    src = np.empty(n_edges, dtype=np.int64)
    dst = np.empty(n_edges, dtype=np.int64)
    keys = set()
    e = 0
    # The lattice, one lap of the ring per distance d as in Watts & Strogatz.
    for d in range(1, half_k + 1):
        for a in range(n):
            for side in range(sides):
                b = (a + d) % n if side == 0 else (a - d) % n
                src[e] = a
                dst[e] = b
                keys.add(a * n + b if directed else min(a, b) * n + max(a, b))
                e += 1
    # Number of distinct neighbours (undirected) or targets (directed) of each node.
    degree = np.full(n, 2 * half_k, dtype=np.int64)
    used = 0
    for e in range(n_edges):
        if used >= u.size:
            return src, dst, False
        coin = u[used]
        used += 1
        if coin >= prob:
            continue
        a, b = src[e], dst[e]
        free = n - degree[a] - (0 if allow_self else 1)
        if free <= 0:  # a already reaches every allowed node: keep the edge
            continue
        while True:
            if used >= u.size:
                return src, dst, False
            w = min(int(u[used] * n), n - 1)
            used += 1
            if w == a and not allow_self:
                continue
            key = a * n + w if directed else min(a, w) * n + max(a, w)
            if key not in keys:
                break
        keys.discard(a * n + b if directed else min(a, b) * n + max(a, b))
        keys.add(key)
        dst[e] = w
        if not directed:
            # a swaps neighbour b for w: its own count is unchanged.
            degree[b] -= 1
            if w != a:
                degree[w] += 1
    return src, dst, True


@njit(cache=True, nogil=True)
def _barabasi_albert(n: int, m: int, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:  # pragma: no cover
    """Return the edges ``(new node, older node)`` of preferential attachment and whether ``u`` sufficed."""
    n_edges = m * (n - m)
    src = np.empty(n_edges, dtype=np.int64)
    dst = np.empty(n_edges, dtype=np.int64)
    # Every edge end once: a uniform pick from it is a pick proportional to degree.
    ends = np.empty(2 * n_edges, dtype=np.int64)
    n_ends = 0
    targets = np.arange(m, dtype=np.int64)  # node m attaches to the m seed nodes
    chosen_by = np.full(n, -1, dtype=np.int64)  # last node that picked each node
    e = 0
    used = 0
    for t in range(m, n):
        for a in range(m):
            src[e] = t
            dst[e] = targets[a]
            e += 1
            ends[n_ends] = targets[a]
            ends[n_ends + 1] = t
            n_ends += 2
        if t == n - 1:
            break
        picked = 0
        while picked < m:
            if used >= u.size:
                return src, dst, False
            node = ends[min(int(u[used] * n_ends), n_ends - 1)]
            used += 1
            if chosen_by[node] != t + 1:
                chosen_by[node] = t + 1
                targets[picked] = node
                picked += 1
    return src, dst, True


def _check_one_group(owner: str, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> int:
    n_pre, n_post = math.prod(pre_shape), math.prod(post_shape)
    if n_pre != n_post:
        raise ModelUseError(
            f"{owner}: builds a graph on one group, so the pre- and post-synaptic groups need the same "
            f"number of neurons; got {n_pre} and {n_post}. Connect a group to itself, e.g. conn(num)."
        )
    return n_pre


def _draw(seed: int | None, size: int, build: Callable[[np.ndarray], tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Run ``build`` on ``size`` uniforms, redrawing a longer buffer from the same seed if it runs short."""
    entropy = np.random.SeedSequence(seed)
    while True:
        src, dst, complete = build(np.random.default_rng(entropy).random(size))
        if complete:
            return src, dst
        size *= 2


def _synapses(src: np.ndarray, dst: np.ndarray, n: int, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Turn graph edges into synapses sorted row-major; an undirected edge gives both directions."""
    if not directed:
        loop = src == dst  # a self-loop is one synapse, not two
        src, dst = np.concatenate([src, dst[~loop]]), np.concatenate([dst, src[~loop]])
    order = np.argsort(src * n + dst, kind="stable")
    return src[order], dst[order]


class SmallWorld(Connector):
    """Connect a group to itself as a Watts-Strogatz small-world network.

    The neurons ``0 .. num-1`` are placed on a ring and each is linked to its
    ``num_neighbor`` nearest neighbours (``num_neighbor / 2`` on each side).
    Then, one lap of the ring per neighbour distance, every edge ``(a, b)`` is
    rewired with probability ``prob``: ``b`` is replaced by a node drawn
    uniformly among those ``a`` is not yet linked to (``a`` itself excluded
    unless ``include_self``). Duplicate edges are never created, so the number
    of edges is kept. ``prob=0`` gives the regular ring lattice, ``prob=1`` a
    random graph; in between, clustering stays high while the path length
    drops, the small-world regime.

    Reference: D. J. Watts and S. H. Strogatz, "Collective dynamics of
    'small-world' networks", Nature 393:440-442 (1998).

    Parameters
    ----------
    num_neighbor : int
        Neighbours of each node in the lattice, an even number >= 2 and below
        the group size. (An odd count cannot be split equally between the two
        sides, and is refused rather than rounded.)
    prob : float
        Rewiring probability of each edge, in ``[0, 1]``.
    directed : bool, default False
        If False, each edge is one undirected link and gives two synapses
        (``num * num_neighbor`` synapses in all). If True, each node has
        ``num_neighbor`` outgoing lattice edges (synapses from it to its ring
        neighbours) whose targets are rewired independently, so every neuron
        keeps exactly ``num_neighbor`` outgoing synapses.
    include_self : bool, default False
        Allow rewiring to create self-connections.
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    def __init__(
        self,
        num_neighbor: int,
        prob: float,
        directed: bool = False,
        include_self: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        owner = "SmallWorld"
        self.num_neighbor = check_count(num_neighbor, "num_neighbor", owner, minimum=2)
        if self.num_neighbor % 2:
            raise ModelUseError(
                f"{owner}: 'num_neighbor'={num_neighbor} must be even (half the neighbours on each side "
                f"of the ring); pass {num_neighbor - 1} or {num_neighbor + 1}."
            )
        self.prob = check_probability(prob, "prob", owner)
        self.directed = check_bool(directed, "directed", owner)
        self.include_self = check_bool(include_self, "include_self", owner)
        self.seed = check_seed(seed, owner)

    def __repr__(self) -> str:
        return (
            f"SmallWorld(num_neighbor={self.num_neighbor}, prob={self.prob}, directed={self.directed}, "
            f"include_self={self.include_self}, seed={self.seed})"
        )

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n = _check_one_group("SmallWorld", pre_shape, post_shape)
        if self.num_neighbor >= n:
            raise ModelUseError(
                f"SmallWorld: 'num_neighbor'={self.num_neighbor} must be below the group size {n} "
                f"(a node has at most {n - 1} neighbours); lower it or connect a larger group."
            )
        half_k = self.num_neighbor // 2
        n_edges = n * half_k * (2 if self.directed else 1)
        # One coin per edge plus, per rewiring, about one target draw.
        size = int(n_edges * (1.0 + 1.2 * self.prob)) + 64
        src, dst = _draw(
            self.seed,
            size,
            lambda u: _watts_strogatz(n, half_k, self.prob, self.directed, self.include_self, u),
        )
        return _synapses(src, dst, n, self.directed)


class ScaleFree(Connector):
    """Connect a group to itself as a Barabasi-Albert scale-free network.

    Growth with preferential attachment: the graph starts with ``m``
    unconnected nodes; node ``m`` links to all of them, and each following
    node ``t = m+1 .. num-1`` links to ``m`` distinct earlier nodes, each drawn
    with probability proportional to its current degree. The result has
    ``m * (num - m)`` edges and a degree distribution with a power-law tail
    (exponent 3): a few hubs with many links and most nodes with about ``m``.

    Reference: A.-L. Barabasi and R. Albert, "Emergence of scaling in random
    networks", Science 286:509-512 (1999).

    Parameters
    ----------
    m : int
        Edges added with each new node, at least 1 and below the group size.
    directed : bool, default False
        If False, each edge gives two synapses, one in each direction
        (``2 * m * (num - m)`` synapses). If True, each edge gives one synapse
        from the newer node to the older one it attached to, so each neuron
        from ``m`` on has exactly ``m`` outgoing synapses and the hubs receive
        many.
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    def __init__(self, m: int, directed: bool = False, seed: int | None = None) -> None:
        super().__init__()
        self.m = check_count(m, "m", "ScaleFree", minimum=1)
        self.directed = check_bool(directed, "directed", "ScaleFree")
        self.seed = check_seed(seed, "ScaleFree")

    def __repr__(self) -> str:
        return f"ScaleFree(m={self.m}, directed={self.directed}, seed={self.seed})"

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n = _check_one_group("ScaleFree", pre_shape, post_shape)
        if self.m >= n:
            raise ModelUseError(
                f"ScaleFree: 'm'={self.m} must be below the group size {n} (each new node links to m "
                f"earlier ones); lower m or connect a larger group."
            )
        # About m draws per node; repeats of already-picked nodes are rare.
        size = int(1.25 * self.m * n) + 64
        src, dst = _draw(self.seed, size, lambda u: _barabasi_albert(n, self.m, u))
        return _synapses(src, dst, n, self.directed)
