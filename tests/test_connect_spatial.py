"""Distance-dependent connectors (GaussianProb, GaussianWeight, DOG) against direct formulas."""

import math

import numpy as np
import pytest

from brainlab import connect
from brainlab.connect import spatial
from brainlab.errors import ModelUseError


def positions(shape, normalize):
    """(row, column) coordinate of every neuron, computed independently of the library."""
    height, width = (1, shape[0]) if len(shape) == 1 else shape
    rows, cols = np.divmod(np.arange(height * width), width)

    def axis(index, size):
        if not normalize:
            return index.astype(float)
        return index / (size - 1) if size > 1 else np.zeros(index.size)

    return axis(rows, height), axis(cols, width)


def squared_distances(pre_shape, post_shape, normalize):
    """The full (num_pre, num_post) matrix of squared distances (fine for small groups)."""
    py, px = positions(pre_shape, normalize)
    qy, qx = positions(post_shape, normalize)
    dy = py[:, None] - qy[None, :]
    dx = px[:, None] - qx[None, :]
    return dy * dy + dx * dx


def reference_weighted(weight, pre_shape, post_shape, normalize, include_self, w_min):
    w = weight(squared_distances(pre_shape, post_shape, normalize))
    keep = np.abs(w) > w_min
    if not include_self:
        n = min(keep.shape)
        keep[np.arange(n), np.arange(n)] = False
    pre, post = np.nonzero(keep)
    return pre, post, w[pre, post]


GEOMETRIES = [((12,), (12,)), ((9,), (15,)), ((7, 8), (7, 8)), ((5, 6), (9, 4)), ((1, 10), (1, 10)), ((1,), (5,))]


@pytest.mark.parametrize(("pre_shape", "post_shape"), GEOMETRIES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("include_self", [True, False])
def test_gaussian_weight_matches_formula(pre_shape, post_shape, normalize, include_self):
    sigma, w_max, w_min = (0.3 if normalize else 2.5), 2.0, 0.05
    conn = connect.GaussianWeight(sigma, w_max, w_min, normalize=normalize, include_self=include_self)
    pre, post, w = conn(pre_shape, post_shape)
    ref = reference_weighted(
        lambda d2: w_max * np.exp(-d2 / (2.0 * sigma**2)), pre_shape, post_shape, normalize, include_self, w_min
    )
    assert pre.tolist() == ref[0].tolist() and post.tolist() == ref[1].tolist()
    np.testing.assert_allclose(w, ref[2], rtol=1e-12)
    assert conn.weights is w and w.dtype == np.float64
    assert (w > w_min).all() and w.max() <= w_max


@pytest.mark.parametrize(("pre_shape", "post_shape"), GEOMETRIES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("include_self", [True, False])
def test_dog_matches_formula(pre_shape, post_shape, normalize, include_self):
    sigmas = (0.15, 0.4) if normalize else (1.5, 4.0)
    ws_max = (1.0, 0.6)
    conn = connect.DOG(sigmas, ws_max, normalize=normalize, include_self=include_self)
    assert conn.w_min == pytest.approx(0.004)  # default: 1 % of |w_pos - w_neg|
    pre, post, w = conn(pre_shape, post_shape)

    def weight(d2):
        return ws_max[0] * np.exp(-d2 / (2.0 * sigmas[0] ** 2)) - ws_max[1] * np.exp(-d2 / (2.0 * sigmas[1] ** 2))

    ref = reference_weighted(weight, pre_shape, post_shape, normalize, include_self, conn.w_min)
    assert pre.tolist() == ref[0].tolist() and post.tolist() == ref[1].tolist()
    np.testing.assert_allclose(w, ref[2], rtol=1e-12, atol=1e-15)


def test_dog_has_both_signs_and_zero_threshold():
    _, _, w = connect.DOG([1.0, 3.0], [1.0, 0.5], w_min=0.0, normalize=False)((15, 15))
    assert (w > 0).any() and (w < 0).any()
    # w_min=0 keeps every pair with a non-zero weight: all 225 x 225 on this small grid.
    assert w.size == 225 * 225
    pre, _, _ = connect.DOG([0.1, 0.2], [1.0, 1.0], w_min=5.0)((10, 10))
    assert pre.size == 0  # |w| <= w_pos + w_neg = 2 < 5


def test_gaussian_weight_zero_threshold_keeps_all_nonzero():
    _, _, w = connect.GaussianWeight(sigma=0.1, w_max=1.0, w_min=0.0)((30, 30))
    assert w.size == 900 * 900 and (w > 0).all()


def test_result_does_not_depend_on_chunking(monkeypatch):
    conns = [
        connect.GaussianWeight(1.5, 1.0, normalize=False),
        connect.DOG([1.0, 2.0], [1.0, 0.4], normalize=False, include_self=False),
        connect.GaussianProb(2.0, p_min=0.01, normalize=False, seed=4),
        connect.GaussianProb(0.2, seed=4),
    ]
    whole = [[a.tolist() for a in c((11, 13), (11, 13))] for c in conns]
    monkeypatch.setattr(spatial, "_CHUNK_PAIRS", 37)
    chunked = [[a.tolist() for a in c((11, 13), (11, 13))] for c in conns]
    assert chunked == whole


def test_slicing_reorders_weights_with_synapses():
    conn = connect.GaussianWeight(1.2, 3.0, normalize=False)
    pre, post, w = conn((6, 7))
    weight_of = dict(zip(zip(pre.tolist(), post.tolist(), strict=True), w.tolist(), strict=True))
    _, _, slicing = conn.make_post_slice_syn()
    assert (np.diff(conn.post_ids) >= 0).all()
    reordered = [weight_of[p, q] for p, q in zip(conn.pre_ids.tolist(), conn.post_ids.tolist(), strict=True)]
    assert conn.weights.tolist() == reordered
    assert slicing.shape == (42, 2)
    conn.make_pre_slice_syn()
    np.testing.assert_array_equal(conn.weights, w)  # back to the original order
    conn.conn_mat = np.eye(3)
    conn.make_mat2ij()
    assert conn.weights is None


# -- GaussianProb ----------------------------------------------------------------


def test_gaussian_prob_frequency_matches_probability():
    sigma, shape = 2.0, (60, 60)
    pre, post = connect.GaussianProb(sigma, normalize=False, seed=11)(shape)
    d2_of_pair = squared_distances(shape, shape, normalize=False)
    created = np.zeros(d2_of_pair.shape, dtype=bool)
    created[pre, post] = True
    for d2 in (0.0, 1.0, 2.0, 4.0, 8.0, 13.0, 25.0):
        at = d2_of_pair == d2
        n_pairs, hits = int(at.sum()), int(created[at].sum())
        p = math.exp(-d2 / (2 * sigma**2))
        sd = math.sqrt(n_pairs * p * (1 - p))
        assert abs(hits - n_pairs * p) <= max(3 * sd, 1e-9), (d2, hits, n_pairs * p)
    # The total matches the sum of the probabilities.
    prob = np.exp(-d2_of_pair / (2 * sigma**2))
    assert abs(pre.size - prob.sum()) < 3 * math.sqrt((prob * (1 - prob)).sum())


def test_gaussian_prob_frequency_over_seeds_normalized_1d():
    # 1-D, normalized: positions k / 9. Over many seeds, each pair's frequency is its p.
    sigma, runs = 0.25, 1500
    counts = np.zeros((10, 10))
    for seed in range(runs):
        pre, post = connect.GaussianProb(sigma, seed=seed)(10)
        np.add.at(counts, (pre, post), 1)
    p = np.exp(-squared_distances((10,), (10,), True) / (2 * sigma**2))
    sd = np.sqrt(runs * p * (1 - p)) + 1e-12
    assert (np.abs(counts - runs * p) / sd).max() < 4.5  # max over 100 pairs


def test_gaussian_prob_p_min_cuts_pairs():
    # sigma = 2: p = exp(-d2 / 8) is 0.325 at d2 = 9 and 0.287 at d2 = 10.
    d2_of_pair = squared_distances((30, 30), (30, 30), False)
    pre, post = connect.GaussianProb(2.0, p_min=0.3, normalize=False, seed=2)((30, 30))
    d2 = d2_of_pair[pre, post]
    assert d2.max() == 9.0
    pre, post = connect.GaussianProb(2.0, normalize=False, seed=2)((30, 30))
    assert (d2_of_pair[pre, post] == 10.0).sum() > 0


def test_gaussian_prob_p_min_one_and_self():
    pre, post = connect.GaussianProb(1.0, p_min=1.0, seed=0)((5, 5))
    assert pre.tolist() == post.tolist() == list(range(25))  # only d = 0 has p = 1
    pre, post = connect.GaussianProb(1.0, include_self=False, seed=0)((5, 5))
    assert not (pre == post).any() and pre.size > 0


def test_gaussian_prob_is_local_for_large_groups():
    # 90 000 neurons: all pairs would be 8.1e9; with p_min only a 13 x 13 box per neuron is examined.
    pre, post = connect.GaussianProb(1.5, p_min=0.01, normalize=False, seed=1)((300, 300))
    assert pre.size == pytest.approx(90_000 * 2 * math.pi * 1.5**2, rel=0.1)
    assert (np.diff(pre * 90_000 + post) > 0).all()


def test_gaussian_prob_reproducible_by_seed():
    a = connect.GaussianProb(0.1, seed=5)((20, 20))
    b = connect.GaussianProb(0.1, seed=5)(np.arange(400).reshape(20, 20), np.arange(400).reshape(20, 20))
    c = connect.GaussianProb(0.1, seed=6)((20, 20))
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
    assert a[0].tolist() != c[0].tolist() or a[1].tolist() != c[1].tolist()
    assert len(a) == 2 and connect.GaussianProb(0.1).weights is None


def test_function_forms():
    f = connect.gaussian_weight((8, 8), (8, 8), 0.2, 1.0, w_min=0.1, include_self=False)
    c = connect.GaussianWeight(0.2, 1.0, 0.1, include_self=False)((8, 8))
    assert all(np.array_equal(x, y) for x, y in zip(f, c, strict=True))
    f = connect.dog(20, 20, [1.0, 2.0], [1.0, 0.5], normalize=False)
    c = connect.DOG([1.0, 2.0], [1.0, 0.5], normalize=False)(20, 20)
    assert all(np.array_equal(x, y) for x, y in zip(f, c, strict=True))
    f = connect.gaussian_prob(30, 40, 0.1, seed=3)
    c = connect.GaussianProb(0.1, seed=3)(30, 40)
    assert all(np.array_equal(x, y) for x, y in zip(f, c, strict=True))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: connect.GaussianProb(0.0), r"GaussianProb.*'sigma'.*greater than 0.*0\.0"),
        (lambda: connect.GaussianProb(float("inf")), r"GaussianProb.*'sigma'.*finite"),
        (lambda: connect.GaussianProb(1.0, p_min=1.5), r"GaussianProb.*'p_min'=1.5.*\[0, 1\]"),
        (lambda: connect.GaussianProb(1.0, normalize="yes"), r"GaussianProb.*'normalize'.*True or False"),
        (lambda: connect.GaussianProb(1.0, seed=2.5), r"GaussianProb.*'seed'"),
        (lambda: connect.GaussianProb(1.0)(10, (2, 5)), r"GaussianProb.*\(10,\).*\(2, 5\).*dimensions"),
        (lambda: connect.GaussianWeight(-1.0, 1.0), r"GaussianWeight.*'sigma'"),
        (lambda: connect.GaussianWeight(1.0, 0.0), r"GaussianWeight.*'w_max'.*greater than 0"),
        (lambda: connect.GaussianWeight(1.0, 1.0, w_min=1.0), r"GaussianWeight.*'w_min'=1.0.*not below.*w_max"),
        (lambda: connect.GaussianWeight(1.0, 1.0, w_min=-0.1), r"GaussianWeight.*'w_min'.*at least 0"),
        (lambda: connect.DOG(0.1, [1.0, 0.5]), r"DOG.*'sigmas'.*pair.*0.1"),
        (lambda: connect.DOG([0.1, 0.2, 0.3], [1.0, 0.5]), r"DOG.*'sigmas'.*pair"),
        (lambda: connect.DOG([0.1, 0.2], [1.0]), r"DOG.*'ws_max'.*pair"),
        (lambda: connect.DOG([0.1, -0.2], [1.0, 0.5]), r"DOG.*'sigmas\[1\]'.*greater than 0"),
        (lambda: connect.DOG([0.1, 0.2], [1.0, -0.5]), r"DOG.*'ws_max\[1\]'.*at least 0"),
        (lambda: connect.DOG([0.1, 0.2], [1.0, 0.5], w_min=float("nan")), r"DOG.*'w_min'.*finite"),
    ],
)
def test_spatial_errors(call, message):
    with pytest.raises(ModelUseError, match=message):
        call()


def test_reprs():
    assert repr(connect.GaussianProb(2.0, seed=1)) == (
        "GaussianProb(sigma=2.0, p_min=0.0, normalize=True, include_self=True, seed=1)"
    )
    assert repr(connect.GaussianWeight(0.1, 1.0)) == (
        "GaussianWeight(sigma=0.1, w_max=1.0, w_min=0.01, normalize=True, include_self=True)"
    )
    assert repr(connect.DOG([0.08, 0.15], [1.0, 0.7], w_min=0.01)) == (
        "DOG(sigmas=[0.08, 0.15], ws_max=[1.0, 0.7], w_min=0.01, normalize=True, include_self=True)"
    )
