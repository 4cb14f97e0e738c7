"""Formatters and the basic connectors (One2One, All2All, FixedProb) of brainlab.connect."""

import numpy as np
import pytest

from brainlab import connect
from brainlab.errors import ModelUseError

# A small connectivity written out by hand: 4 pre and 3 post neurons, 5 synapses,
# not sorted by pre; pre neuron 1 and post neuron 1 have no synapse.
PRE = np.array([2, 0, 0, 3, 2])
POST = np.array([0, 2, 0, 2, 2])


def as_lists(arrays):
    return [a.tolist() for a in arrays]


def check_int64_list(arrays, length):
    assert isinstance(arrays, list)
    assert len(arrays) == length
    assert all(isinstance(a, np.ndarray) and a.dtype == np.int64 for a in arrays)


# -- formatters ------------------------------------------------------------------


def test_ij2mat_known_matrix():
    mat = connect.ij2mat(PRE, POST, num_pre=4, num_post=3)
    expected = np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1], [0, 0, 1]], dtype=float)
    np.testing.assert_array_equal(mat, expected)
    assert mat.dtype == np.float64


def test_ij2mat_default_sizes_from_max_index():
    assert connect.ij2mat([0, 2], [1, 0]).shape == (3, 2)


def test_mat2ij_round_trip_is_row_major():
    mat = connect.ij2mat(PRE, POST, 4, 3)
    pre, post = connect.mat2ij(mat)
    assert pre.tolist() == [0, 0, 2, 2, 3]
    assert post.tolist() == [0, 2, 0, 2, 2]
    assert pre.dtype == post.dtype == np.int64
    np.testing.assert_array_equal(connect.ij2mat(pre, post, 4, 3), mat)


def test_random_matrix_round_trip():
    rng = np.random.default_rng(3)
    mat = (rng.random((17, 11)) < 0.3).astype(float)
    np.testing.assert_array_equal(connect.ij2mat(*connect.mat2ij(mat), 17, 11), mat)


def test_pre2post_and_post2pre():
    pre2post = connect.pre2post(PRE, POST, num_pre=4)
    check_int64_list(pre2post, 4)
    assert as_lists(pre2post) == [[2, 0], [], [0, 2], [2]]
    post2pre = connect.post2pre(PRE, POST, num_post=3)
    check_int64_list(post2pre, 3)
    assert as_lists(post2pre) == [[2, 0], [], [0, 3, 2]]


def test_pre2syn_and_post2syn():
    pre2syn = connect.pre2syn(PRE, num_pre=5)
    check_int64_list(pre2syn, 5)
    assert as_lists(pre2syn) == [[1, 2], [], [0, 4], [3], []]
    post2syn = connect.post2syn(POST, num_post=3)
    check_int64_list(post2syn, 3)
    assert as_lists(post2syn) == [[0, 2], [], [1, 3, 4]]


def test_pre_slice_syn_orders_by_pre():
    pre, post, slicing = connect.pre_slice_syn(PRE, POST, num_pre=5)
    assert pre.tolist() == [0, 0, 2, 2, 3]
    assert post.tolist() == [2, 0, 0, 2, 2]  # stable: original order within a neuron
    assert slicing.shape == (5, 2) and slicing.dtype == np.int64
    assert slicing.tolist() == [[0, 2], [2, 2], [2, 4], [4, 5], [5, 5]]


def test_post_slice_syn_orders_by_post():
    pre, post, slicing = connect.post_slice_syn(PRE, POST, num_post=3)
    assert post.tolist() == [0, 0, 2, 2, 2]
    assert pre.tolist() == [2, 0, 0, 3, 2]
    assert slicing.tolist() == [[0, 2], [2, 2], [2, 5]]
    for q, (start, end) in enumerate(slicing):
        assert (post[start:end] == q).all()


def test_empty_connectivity():
    assert as_lists(connect.pre2post([], [], num_pre=2)) == [[], []]
    assert connect.ij2mat([], [], 2, 3).sum() == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: connect.pre2post([0, 1], [0]), "same length"),
        (lambda: connect.pre2post([0, 5], [0, 1], num_pre=3), "too small"),
        (lambda: connect.pre2syn([0, -1]), "negative"),
        (lambda: connect.pre2syn([0.5, 1.0]), "integer"),
        (lambda: connect.post2syn([0, 1], num_post=-2), "non-negative integer"),
        (lambda: connect.mat2ij(np.ones(3)), "2-D"),
    ],
)
def test_formatter_errors(call, message):
    with pytest.raises(ModelUseError, match=message):
        call()


# -- connectors ------------------------------------------------------------------


def test_one2one_on_2d_geometry():
    conn = connect.One2One()
    pre, post = conn(np.arange(12).reshape(3, 4), np.arange(12).reshape(4, 3))
    assert pre.tolist() == list(range(12)) and post.tolist() == list(range(12))
    assert pre.dtype == post.dtype == np.int64
    assert (conn.num_pre, conn.num_post) == (12, 12)
    assert conn.pre_ids is pre and conn.post_ids is post


def test_one2one_size_mismatch():
    with pytest.raises(ModelUseError, match=r"One2One.*10.*12"):
        connect.One2One()(np.arange(10), np.arange(12))


def test_all2all_counts_and_order():
    pre, post = connect.All2All()(np.arange(3), np.arange(4))
    assert pre.size == 12
    assert pre.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert post.tolist() == [0, 1, 2, 3] * 3


def test_all2all_without_self():
    conn = connect.All2All(include_self=False)
    pre, post = conn(np.arange(20).reshape(4, 5), np.arange(20).reshape(4, 5))
    assert pre.size == 20 * 19
    assert not (pre == post).any()
    # Different sizes: only the min(num_pre, num_post) diagonal pairs are dropped.
    pre, _ = conn(np.arange(3), np.arange(5))
    assert pre.size == 3 * 5 - 3


def test_connector_maps_through_index_values():
    # The ids are the values of the index arrays (identical to positions for np.arange).
    pre, post = connect.All2All()(np.array([7, 9]), np.array([4]))
    assert pre.tolist() == [7, 9] and post.tolist() == [4, 4]


def test_fixed_prob_mean_count_within_4_sigma():
    n, p = 300, 0.05
    pre, post = connect.FixedProb(p, seed=11)(np.arange(n), np.arange(n))
    mean, sd = p * n * n, np.sqrt(n * n * p * (1 - p))
    assert abs(pre.size - mean) < 4 * sd
    # Row-major, no duplicate pair.
    flat = pre * n + post
    assert (np.diff(flat) > 0).all()


def test_fixed_prob_without_self_and_extremes():
    n = 50
    pre, post = connect.FixedProb(0.5, include_self=False, seed=2)(np.arange(n), np.arange(n))
    assert not (pre == post).any()
    pre, _ = connect.FixedProb(1.0, include_self=False)(np.arange(n), np.arange(n))
    assert pre.size == n * (n - 1)
    pre, _ = connect.FixedProb(0.0)(np.arange(n), np.arange(n))
    assert pre.size == 0


def test_fixed_prob_per_row_counts_are_binomial():
    # Each row's count is Binomial(num_post, p): check its mean and variance.
    n_pre, n_post, p = 2000, 400, 0.1
    pre, _ = connect.FixedProb(p, seed=5)(np.arange(n_pre), np.arange(n_post))
    counts = np.bincount(pre, minlength=n_pre)
    assert counts.mean() == pytest.approx(n_post * p, rel=0.02)
    assert counts.var() == pytest.approx(n_post * p * (1 - p), rel=0.1)


def test_fixed_prob_reproducible_by_seed():
    ids = np.arange(500)
    a = connect.FixedProb(0.02, seed=123)(ids, ids)
    b = connect.FixedProb(0.02, seed=123)(ids, ids)
    c = connect.FixedProb(0.02, seed=124)(ids, ids)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].size != c[0].size or (a[1] != c[1]).any()


def test_fixed_prob_at_benchmark_size():
    # The size of bench/connect_timings.py (which times it): 64 000 x 64 000 pairs, p = 80/N.
    n = 64_000
    ids = np.arange(n)
    pre, post = connect.FixedProb(80 / n, seed=0)(ids, ids)
    assert abs(pre.size - 80 * n) < 4 * np.sqrt(80 * n)
    assert pre.dtype.kind == "i" and (np.diff(pre) >= 0).all() and 0 <= post.min() and post.max() < n


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: connect.FixedProb(1.5), r"FixedProb.*prob.*\[0, 1\]"),
        (lambda: connect.FixedProb(-0.1), r"FixedProb.*prob"),
        (lambda: connect.FixedProb(float("nan")), r"FixedProb.*prob"),
        (lambda: connect.FixedProb("0.1"), r"FixedProb.*prob"),
        (lambda: connect.FixedProb(0.1, seed=-3), r"FixedProb.*seed"),
        (lambda: connect.All2All(include_self="no"), r"All2All.*include_self"),
    ],
)
def test_connector_argument_errors(make, message):
    with pytest.raises(ModelUseError, match=message):
        make()


@pytest.mark.parametrize(("sizes", "message"), [((0, 3), "num_pre"), ((3, -1), "num_post"), ((2.5, 3), "integer")])
def test_set_size_errors(sizes, message):
    with pytest.raises(ModelUseError, match=message):
        connect.All2All().set_size(*sizes)


def test_bad_index_arrays():
    with pytest.raises(ModelUseError, match="1-D or 2-D"):
        connect.All2All()(np.zeros((2, 2, 2), dtype=int), np.arange(3))
    with pytest.raises(ModelUseError, match="integer"):
        connect.All2All()(np.arange(3.0), np.arange(3))


def test_make_methods_use_stored_ids():
    conn = connect.All2All(include_self=False)
    conn(np.arange(3), np.arange(3))
    np.testing.assert_array_equal(conn.make_conn_mat(), 1 - np.eye(3))
    assert as_lists(conn.make_pre2post()) == [[1, 2], [0, 2], [0, 1]]
    assert as_lists(conn.make_post2pre()) == [[1, 2], [0, 2], [0, 1]]
    assert as_lists(conn.make_pre2syn()) == [[0, 1], [2, 3], [4, 5]]
    assert as_lists(conn.make_post2syn()) == [[2, 4], [0, 5], [1, 3]]
    assert as_lists(conn.pre2syn) == [[0, 1], [2, 3], [4, 5]]

    pre, post, slicing = conn.make_post_slice_syn()
    assert post.tolist() == [0, 0, 1, 1, 2, 2]
    assert pre.tolist() == [1, 2, 0, 2, 0, 1]
    assert slicing.tolist() == [[0, 2], [2, 4], [4, 6]]
    assert conn.post_ids is post
    # Synapse-index layouts are invalid after the re-ordering and are dropped.
    assert conn.pre2syn is None and conn.post2syn is None
    assert as_lists(conn.make_pre2syn()) == [[2, 4], [0, 5], [1, 3]]


def test_make_mat2ij_from_assigned_matrix():
    conn = connect.Connector()
    conn.conn_mat = np.array([[0, 1], [1, 1], [0, 0]])
    pre, post = conn.make_mat2ij()
    assert pre.tolist() == [0, 1, 1] and post.tolist() == [1, 0, 1]
    assert (conn.num_pre, conn.num_post) == (3, 2)


def test_make_before_call_explains():
    with pytest.raises(ModelUseError, match="call the connector"):
        connect.All2All().make_pre2syn()


def test_set_requires_builds_named_structures():
    conn = connect.All2All()
    conn(np.arange(2), np.arange(3))
    built = conn.set_requires({"pre": None, "post2syn": None, "pre_slice_syn": None})
    assert built == ("pre_slice_syn", "post2syn")
    assert conn.pre_slice_syn.tolist() == [[0, 3], [3, 6]]
    assert as_lists(conn.post2syn) == [[0, 3], [1, 4], [2, 5]]
    with pytest.raises(ModelUseError, match="both"):
        conn.set_requires(["pre_slice_syn", "post_slice_syn"])


def test_reprs():
    assert repr(connect.FixedProb(0.1, seed=3)) == "FixedProb(prob=0.1, include_self=True, seed=3)"
    assert repr(connect.All2All(include_self=False)) == "All2All(include_self=False)"


# -- group forms and weights of the base class -------------------------------------


def test_groups_given_by_size_or_geometry():
    by_arrays = connect.All2All(include_self=False)(np.arange(6).reshape(2, 3), np.arange(4))
    for pre_group, post_group in [(6, 4), ((2, 3), (4,)), ([2, 3], [4]), (np.int64(6), 4)]:
        pre, post = connect.All2All(include_self=False)(pre_group, post_group)
        assert pre.tolist() == by_arrays[0].tolist() and post.tolist() == by_arrays[1].tolist()


def test_one_argument_connects_a_group_to_itself():
    conn = connect.All2All(include_self=False)
    pre, post = conn(3)
    assert (conn.num_pre, conn.num_post) == (3, 3)
    assert list(zip(pre.tolist(), post.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    pre, post = connect.One2One()(np.array([5, 7]))
    assert pre.tolist() == post.tolist() == [5, 7]


def test_geometry_errors():
    with pytest.raises(ModelUseError, match=r"All2All.*\(2, 3, 4\).*1 or 2 dimensions.*numpy array"):
        connect.All2All()((2, 3, 4))
    with pytest.raises(ModelUseError, match=r"All2All.*'post_indices'.*at least 1"):
        connect.All2All()(3, 0)
    with pytest.raises(ModelUseError, match=r"All2All.*'pre_indices'.*1-D or 2-D"):
        connect.All2All()(np.ones((1, 1, 1), dtype=int))


def test_unweighted_connectors_have_no_weights():
    conn = connect.FixedProb(0.5, seed=1)
    result = conn(4, 4)
    assert len(result) == 2 and conn.weights is None


def test_slicing_keeps_custom_weights_aligned():
    class Weighted(connect.Connector):
        # Synapses (p, q) with weight 10 p + q, emitted in row-major order.
        def _connect(self, pre_shape, post_shape):
            i, j = np.divmod(np.arange(pre_shape[0] * post_shape[0]), post_shape[0])
            return i, j, 10.0 * i + j

    conn = Weighted()
    pre, post, w = conn(3, 4)
    assert w.tolist() == (10 * pre + post).tolist()
    for make in (conn.make_post_slice_syn, conn.make_pre_slice_syn, conn.make_post_slice_syn):
        make()
        assert conn.weights.tolist() == (10 * conn.pre_ids + conn.post_ids).tolist()
    assert conn.post_ids.tolist() == sorted(conn.post_ids.tolist())
