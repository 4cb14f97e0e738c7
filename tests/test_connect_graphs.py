"""Graph connectors: SmallWorld (Watts-Strogatz) and ScaleFree (Barabasi-Albert)."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from brainlab import connect
from brainlab.errors import ModelUseError


def adjacency(pre, post, n):
    mat = np.zeros((n, n), dtype=np.int64)
    np.add.at(mat, (pre, post), 1)
    return mat


def clustering(adj):
    """Global clustering (transitivity) of an undirected 0/1 adjacency matrix."""
    adj = adj.astype(float)
    degree = adj.sum(axis=1)
    return np.trace(adj @ adj @ adj) / (degree * (degree - 1)).sum()


def mean_path_length(adj):
    dist = shortest_path(csr_matrix(adj), unweighted=True, directed=False)
    off = ~np.eye(adj.shape[0], dtype=bool)
    return dist[off].mean()


def ring_lattice(n, k):
    return {(a, (a + d) % n) for a in range(n) for d in range(-k // 2, k // 2 + 1) if d != 0}


# -- SmallWorld ------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(10, 2), (12, 4), (30, 6), (7, 6)])
@pytest.mark.parametrize("directed", [False, True])
def test_small_world_without_rewiring_is_the_ring_lattice(n, k, directed):
    pre, post = connect.SmallWorld(k, 0.0, directed=directed, seed=1)(n)
    assert set(zip(pre.tolist(), post.tolist(), strict=True)) == ring_lattice(n, k)
    assert pre.size == n * k
    assert (np.diff(pre * n + post) > 0).all()


def test_small_world_undirected_is_symmetric_and_keeps_edges():
    n, k = 300, 8
    pre, post = connect.SmallWorld(k, 0.3, seed=2)(n)
    adj = adjacency(pre, post, n)
    assert adj.max() == 1 and np.trace(adj) == 0  # no duplicate synapse, no self-connection
    np.testing.assert_array_equal(adj, adj.T)
    assert adj.sum() == n * k  # the number of edges is kept, so the mean degree is k
    assert not (adj == adjacency(*connect.SmallWorld(k, 0.0)(n), n)).all()


def test_small_world_directed_keeps_every_out_degree():
    n, k = 200, 6
    pre, post = connect.SmallWorld(k, 0.5, directed=True, seed=3)(n)
    assert (np.bincount(pre, minlength=n) == k).all()
    assert not (pre == post).any()
    assert (np.diff(pre * n + post) > 0).all()
    in_degree = np.bincount(post, minlength=n)
    assert in_degree.min() < k < in_degree.max()  # targets were rewired


def test_small_world_regime():
    n, k = 500, 10
    lattice = adjacency(*connect.SmallWorld(k, 0.0)(n), n)
    rewired = adjacency(*connect.SmallWorld(k, 0.1, seed=4)(n), n)
    random = adjacency(*connect.SmallWorld(k, 1.0, seed=4)(n), n)
    c0, c1, c2 = clustering(lattice), clustering(rewired), clustering(random)
    l0, l1 = mean_path_length(lattice), mean_path_length(rewired)
    assert c0 == pytest.approx(3 * (k - 2) / (4 * (k - 1)))  # the lattice value
    assert l0 == pytest.approx(sum(min(d, n - d) for d in range(1, n)) / (n - 1) / (k / 2), rel=0.05)
    # Watts & Strogatz: at p = 0.1 clustering is still high while paths are short.
    assert c1 > 0.6 * c0 and c1 > 10 * c2
    assert l1 < 0.3 * l0
    assert connected_components(csr_matrix(rewired), directed=False)[0] == 1


def test_small_world_rewired_fraction():
    # Each of the n k / 2 edges is rewired with probability p; a rewired edge leaves the lattice.
    n, k, p = 1000, 6, 0.2
    pre, post = connect.SmallWorld(k, p, seed=5)(n)
    edges = {(a, b) for a, b in zip(pre.tolist(), post.tolist(), strict=True) if a < b}
    lattice = {(min(a, b), max(a, b)) for a, b in ring_lattice(n, k)}
    moved = len(edges - lattice)
    total = n * k // 2
    # A rewired edge lands back on a lattice position with probability ~ k / n: negligible.
    assert abs(moved - total * p) < 3.5 * np.sqrt(total * p * (1 - p))


def test_small_world_include_self_allows_loops():
    n = 20
    pre, post = connect.SmallWorld(18, 1.0, include_self=True, seed=6)(n)
    # Each node reaches 18 of the 19 others: rewiring can only pick the missing node or itself.
    assert (pre == post).any()
    pre, post = connect.SmallWorld(18, 1.0, seed=6)(n)
    assert not (pre == post).any()


def test_small_world_reproducible_and_function_form():
    a = connect.SmallWorld(4, 0.2, seed=7)(100)
    b = connect.small_world(100, 4, 0.2, seed=7)
    c = connect.SmallWorld(4, 0.2, seed=8)(100)
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
    assert a[1].tolist() != c[1].tolist()


# -- ScaleFree -------------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), [(10, 1), (50, 3), (400, 5)])
def test_scale_free_edges(n, m):
    pre, post = connect.ScaleFree(m, seed=1)(n)
    adj = adjacency(pre, post, n)
    assert pre.size == 2 * m * (n - m)
    assert adj.max() == 1 and np.trace(adj) == 0
    np.testing.assert_array_equal(adj, adj.T)
    assert connected_components(csr_matrix(adj), directed=False)[0] == 1
    # Each node from m on brought exactly m links to earlier nodes.
    earlier = np.tril(adj, k=-1).sum(axis=1)
    assert (earlier[m:] == m).all() and (earlier[:m] == 0).all()


def test_scale_free_directed_points_from_new_to_old():
    n, m = 300, 4
    pre, post = connect.ScaleFree(m, directed=True, seed=2)(n)
    assert pre.size == m * (n - m)
    assert (pre > post).all()
    out = np.bincount(pre, minlength=n)
    assert (out[m:] == m).all() and (out[:m] == 0).all()
    assert (np.diff(pre * n + post) > 0).all()


def test_scale_free_degree_distribution_is_heavy_tailed():
    n, m = 5000, 3
    pre, _ = connect.ScaleFree(m, seed=3)(n)
    degree = np.bincount(pre, minlength=n)
    assert degree.mean() == pytest.approx(2 * m, rel=0.01)
    assert degree.min() == m
    # A random graph of the same mean degree has a maximum near 20; BA hubs reach ~ m sqrt(n).
    assert degree.max() > 15 * degree.mean()
    # Power law with exponent 3: P(k >= K) ~ (m / K)^2, so ~1 % of the nodes have k >= 10 m.
    tail = (degree >= 10 * m).mean()
    assert 0.003 < tail < 0.03
    # An Erdos-Renyi graph with the same mean degree has essentially no such node.
    er_pre, _ = connect.FixedProb(2 * m / n, seed=3)(n, n)
    assert np.bincount(er_pre, minlength=n).max() < 10 * m


def test_scale_free_reproducible_and_function_form():
    a = connect.ScaleFree(2, seed=9)(200)
    b = connect.scale_free(200, 2, seed=9)
    c = connect.ScaleFree(2, seed=10)(200)
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
    assert a[1].tolist() != c[1].tolist()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: connect.SmallWorld(3, 0.1), r"SmallWorld.*'num_neighbor'=3.*even.*2 or 4"),
        (lambda: connect.SmallWorld(0, 0.1), r"SmallWorld.*'num_neighbor'.*at least 2"),
        (lambda: connect.SmallWorld(4.0, 0.1), r"SmallWorld.*'num_neighbor'.*integer"),
        (lambda: connect.SmallWorld(4, 1.2), r"SmallWorld.*'prob'=1.2.*\[0, 1\]"),
        (lambda: connect.SmallWorld(4, 0.1, directed="no"), r"SmallWorld.*'directed'"),
        (lambda: connect.SmallWorld(10, 0.1)(10), r"SmallWorld.*'num_neighbor'=10.*below the group size 10"),
        (lambda: connect.SmallWorld(2, 0.1)(10, 12), r"SmallWorld.*same number of neurons.*10 and 12"),
        (lambda: connect.ScaleFree(0), r"ScaleFree.*'m'.*at least 1"),
        (lambda: connect.ScaleFree(2, seed=-1), r"ScaleFree.*'seed'"),
        (lambda: connect.ScaleFree(5)(5), r"ScaleFree.*'m'=5.*below the group size 5"),
        (lambda: connect.ScaleFree(1)((3, 4), 11), r"ScaleFree.*12 and 11"),
    ],
)
def test_graph_errors(call, message):
    with pytest.raises(ModelUseError, match=message):
        call()


def test_reprs():
    assert repr(connect.SmallWorld(4, 0.1, seed=1)) == (
        "SmallWorld(num_neighbor=4, prob=0.1, directed=False, include_self=False, seed=1)"
    )
    assert repr(connect.ScaleFree(3, directed=True)) == "ScaleFree(m=3, directed=True, seed=None)"
