"""Random connectors: FixedProb statistics, FixedPreNum and FixedPostNum exact counts."""

import numpy as np
import pytest

from brainlab import connect
from brainlab.errors import ModelUseError


def pairs(pre, post):
    return list(zip(pre.tolist(), post.tolist(), strict=True))


def assert_row_major_unique(pre, post, num_post):
    assert pre.dtype == post.dtype == np.int64
    assert (np.diff(pre * num_post + post) > 0).all()  # sorted, no duplicate pair


# -- FixedProb -------------------------------------------------------------------


def test_fixed_prob_in_degree_mean_within_3_sigma():
    n_pre, n_post, p = 1000, 800, 0.03
    pre, post = connect.FixedProb(p, seed=7)(n_pre, n_post)
    assert_row_major_unique(pre, post, n_post)
    in_degree = np.bincount(post, minlength=n_post)
    # The mean in-degree averages n_post independent Binomial(n_pre, p) counts.
    sd_of_mean = np.sqrt(n_pre * p * (1 - p) / n_post)
    assert abs(in_degree.mean() - n_pre * p) < 3 * sd_of_mean
    assert in_degree.var() == pytest.approx(n_pre * p * (1 - p), rel=0.15)


def test_fixed_prob_each_pair_equally_likely():
    # Over many seeds every one of the 6 x 5 pairs is created with frequency p.
    n_pre, n_post, p, runs = 6, 5, 0.3, 2000
    counts = np.zeros((n_pre, n_post))
    for seed in range(runs):
        pre, post = connect.FixedProb(p, include_self=False, seed=seed)(n_pre, n_post)
        np.add.at(counts, (pre, post), 1)
    off_diagonal = ~np.eye(n_pre, n_post, dtype=bool)
    assert (counts[~off_diagonal] == 0).all()
    sd = np.sqrt(runs * p * (1 - p))
    assert np.abs(counts[off_diagonal] - runs * p).max() < 4 * sd  # 24 pairs: 4 sigma for the max


def test_fixed_prob_seed_and_geometry_form():
    a = connect.FixedProb(0.1, seed=3)((10, 10), 50)
    b = connect.FixedProb(0.1, seed=3)(np.arange(100).reshape(10, 10), np.arange(50))
    c = connect.FixedProb(0.1, seed=4)(100, 50)
    assert pairs(*a) == pairs(*b)
    assert pairs(*a) != pairs(*c)


# -- FixedPreNum / FixedPostNum --------------------------------------------------


@pytest.mark.parametrize(("n_pre", "n_post"), [(50, 50), (30, 70), (70, 30)])
@pytest.mark.parametrize("include_self", [True, False])
def test_fixed_pre_num_exact_in_degree(n_pre, n_post, include_self):
    num = 12
    pre, post = connect.FixedPreNum(num, include_self=include_self, seed=1)(n_pre, n_post)
    assert_row_major_unique(pre, post, n_post)
    assert (np.bincount(post, minlength=n_post) == num).all()
    assert pre.min() >= 0 and pre.max() < n_pre
    if not include_self:
        assert not (pre == post).any()


@pytest.mark.parametrize(("n_pre", "n_post"), [(50, 50), (30, 70), (70, 30)])
@pytest.mark.parametrize("include_self", [True, False])
def test_fixed_post_num_exact_out_degree(n_pre, n_post, include_self):
    num = 12
    pre, post = connect.FixedPostNum(num, include_self=include_self, seed=1)(n_pre, n_post)
    assert_row_major_unique(pre, post, n_post)
    assert (np.bincount(pre, minlength=n_pre) == num).all()
    assert post.min() >= 0 and post.max() < n_post
    if not include_self:
        assert not (pre == post).any()


def test_fixed_num_all_candidates():
    # num equal to all candidates: the complete bipartite graph (minus the diagonal).
    pre, post = connect.FixedPreNum(9, include_self=False, seed=0)(10, 10)
    assert pairs(pre, post) == [(i, j) for i in range(10) for j in range(10) if i != j]
    pre, post = connect.FixedPostNum(8, seed=0)(3, 8)
    assert pairs(pre, post) == [(i, j) for i in range(3) for j in range(8)]
    pre, _ = connect.FixedPostNum(0, seed=0)(5, 5)
    assert pre.size == 0


def test_fixed_num_partners_are_uniform():
    # Each of the other 7 neurons is a partner of neuron 0 with probability 3/7.
    runs, n, num = 3000, 8, 3
    hits = np.zeros(n)
    for seed in range(runs):
        pre, post = connect.FixedPostNum(num, include_self=False, seed=seed)(n, n)
        np.add.at(hits, post[pre == 0], 1)
    assert hits[0] == 0
    p = num / (n - 1)
    assert np.abs(hits[1:] - runs * p).max() < 4 * np.sqrt(runs * p * (1 - p))


def test_fixed_pre_num_partner_sets_are_uniform():
    # All C(5, 2) = 10 pre pairs of one post neuron are equally likely.
    runs = 4000
    counts = {}
    for seed in range(runs):
        pre, _ = connect.FixedPreNum(2, seed=seed)(5, 1)
        key = tuple(pre.tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 10
    expected, sd = runs / 10, np.sqrt(runs * 0.1 * 0.9)
    assert max(abs(c - expected) for c in counts.values()) < 4 * sd


def test_fixed_num_float_is_a_rounded_down_fraction():
    pre, post = connect.FixedPreNum(0.25, seed=2)(30, 20)  # int(30 * 0.25) = 7
    assert (np.bincount(post, minlength=20) == 7).all()
    pre, _ = connect.FixedPostNum(0.5, seed=2)(10, 9)  # int(9 * 0.5) = 4
    assert (np.bincount(pre, minlength=10) == 4).all()
    pre, _ = connect.FixedPostNum(1.0, seed=2)(4, 6)
    assert pre.size == 24


def test_fixed_num_reproducible_by_seed():
    for cls in (connect.FixedPreNum, connect.FixedPostNum):
        a = cls(10, seed=5)(200, 300)
        b = cls(10, seed=5)(200, 300)
        c = cls(10, seed=6)(200, 300)
        assert pairs(*a) == pairs(*b)
        assert pairs(*a) != pairs(*c)


def test_fixed_num_function_forms():
    assert pairs(*connect.fixed_prenum(40, 30, 5, seed=9)) == pairs(*connect.FixedPreNum(5, seed=9)(40, 30))
    assert pairs(*connect.fixed_postnum(40, 30, 5, include_self=False, seed=9)) == pairs(
        *connect.FixedPostNum(5, include_self=False, seed=9)(40, 30)
    )
    assert pairs(*connect.fixed_prob(40, 30, 0.2, seed=9)) == pairs(*connect.FixedProb(0.2, seed=9)(40, 30))


def test_fixed_num_at_benchmark_size():
    # The size of bench/connect_timings.py (which times it).
    n = 64_000
    for cls, column in ((connect.FixedPreNum, 1), (connect.FixedPostNum, 0)):
        result = cls(80, include_self=False, seed=0)(n, n)
        assert result[0].size == 80 * n
        assert (np.bincount(result[column], minlength=n) == 80).all()
        assert not (result[0] == result[1]).any()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: connect.FixedPreNum(-1), r"FixedPreNum.*'num'.*at least 0"),
        (lambda: connect.FixedPreNum(1.5), r"FixedPreNum.*float 'num'.*\[0, 1\].*1.5"),
        (lambda: connect.FixedPostNum(True), r"FixedPostNum.*'num'.*True"),
        (lambda: connect.FixedPostNum("10"), r"FixedPostNum.*'num'"),
        (lambda: connect.FixedPostNum(float("nan")), r"FixedPostNum.*'num'.*\[0, 1\]"),
        (lambda: connect.FixedPreNum(11)(10, 10), r"FixedPreNum.*11 distinct pre-synaptic.*only 10"),
        (lambda: connect.FixedPreNum(10, include_self=False)(10, 10), r"FixedPreNum.*only 9.*include_self"),
        (lambda: connect.FixedPostNum(1.0, include_self=False)(10, 10), r"FixedPostNum.*10 distinct.*only 9"),
        (lambda: connect.FixedPostNum(3, seed=-1), r"FixedPostNum.*'seed'"),
        (lambda: connect.FixedPreNum(3, include_self=None), r"FixedPreNum.*include_self"),
    ],
)
def test_fixed_num_errors(call, message):
    with pytest.raises(ModelUseError, match=message):
        call()


def test_reprs():
    assert repr(connect.FixedPreNum(10, seed=1)) == "FixedPreNum(num=10, include_self=True, seed=1)"
    assert repr(connect.FixedPostNum(0.2, include_self=False)) == "FixedPostNum(num=0.2, include_self=False, seed=None)"
