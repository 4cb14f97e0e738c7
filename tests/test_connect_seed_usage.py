"""The code blocks of the seed's "Usage of connect module", run with ``import brainlab as bp``.

The seed's ``show_weight`` draws a 3-D surface with matplotlib; here it builds
the same ``Z`` matrix and the tests assert where its peak lies.
"""

import numpy as np
import pytest

import brainlab as bp

num_pre = num_post = 100
height_and_width = (10, 12)
pre_indices = post_indices = np.arange(num_pre)


def build_weight_surface(pre_ids, post_ids, weights, geometry, neu_id):
    """The seed's show_weight without the plot: the weights of neu_id's synapses on the grid."""
    _, width = geometry
    ids = np.where(pre_ids == neu_id)[0]
    post_ids = post_ids[ids]
    weights = weights[ids]
    Z = np.zeros(geometry)
    for id_, weight in zip(post_ids, weights, strict=True):
        h, w = id_ // width, id_ % width
        Z[h, w] = weight
    return Z


def test_one2one():
    pre_ids, post_ids = bp.connect.one2one(num_pre, num_post)
    assert pre_ids.tolist() == post_ids.tolist() == list(range(100))
    with pytest.raises(bp.errors.ModelUseError, match="same size"):
        bp.connect.one2one(num_pre, num_post + 1)


def test_all2all():
    all2all = bp.connect.All2All(include_self=True)
    pre_ids, post_ids = all2all(pre_indices, post_indices)
    assert pre_ids.size == num_pre * num_post
    assert (pre_ids == post_ids).sum() == num_pre


def test_grid_four():
    grid_four = bp.connect.GridFour(include_self=True)
    pre_ids, post_ids = grid_four(height_and_width)
    # 4 neighbours inside, minus the missing ones on the border, plus the self-connection.
    height, width = height_and_width
    edges = 2 * (height * (width - 1) + (height - 1) * width)
    assert pre_ids.size == edges + height * width
    assert set(post_ids[pre_ids == 13].tolist()) == {1, 12, 13, 14, 25}


def test_grid_eight():
    grid_eight = bp.connect.GridEight(include_self=False)
    pre_ids, post_ids = grid_eight(height_and_width)
    assert set(post_ids[pre_ids == 13].tolist()) == {0, 1, 2, 12, 14, 24, 25, 26}
    assert (pre_ids == 0).sum() == 3


def test_grid_n():
    grid_n = bp.connect.GridN(n=2, include_self=True)
    pre_ids, post_ids = grid_n(height_and_width)
    assert set(post_ids[pre_ids == 0].tolist()) == {0, 1, 2, 12, 13, 14, 24, 25, 26}
    assert (pre_ids == 2 * 12 + 2).sum() == 25  # an interior neuron gets its whole 5 x 5 square
    assert (pre_ids == 0).sum() == 9


def test_fixed_prob():
    fixed_prob = bp.connect.FixedProb(prob=0.1, include_self=True, seed=123)
    pre_ids, post_ids = fixed_prob(pre_indices, post_indices)
    assert abs(pre_ids.size - 1000) < 3 * np.sqrt(1000 * 0.9)
    again = bp.connect.FixedProb(prob=0.1, include_self=True, seed=123)(pre_indices, post_indices)
    assert pre_ids.tolist() == again[0].tolist() and post_ids.tolist() == again[1].tolist()


def test_fixed_pre_num():
    fixed_num = bp.connect.FixedPreNum(num=10, include_self=True, seed=123)
    pre_ids, post_ids = fixed_num(pre_indices, post_indices)
    assert (np.bincount(post_ids, minlength=num_post) == 10).all()
    # Some pre-synaptic neurons send several synapses, others may send none.
    assert np.bincount(pre_ids, minlength=num_pre).max() > 10


def test_fixed_post_num():
    fixed_num = bp.connect.FixedPostNum(num=10, include_self=True, seed=123)
    pre_ids, post_ids = fixed_num(pre_indices, post_indices)
    assert (np.bincount(pre_ids, minlength=num_pre) == 10).all()
    assert np.bincount(post_ids, minlength=num_post).max() > 10


def test_gaussian_prob_beta_example():
    # 30 x 30 network, beta = 1 / (2 sigma^2) = 0.1 in cell units.
    gaussian_prob = bp.connect.GaussianProb(sigma=2.236, normalize=False, include_self=True, seed=123)
    pre_indices = post_indices = np.arange(30 * 30).reshape((30, 30))
    pre_ids, post_ids = gaussian_prob(pre_indices, post_indices)
    assert 1 / (2 * 2.236**2) == pytest.approx(0.1, rel=1e-3)
    # Expected synapses: sum of exp(-beta d^2) over all pairs (about 2 pi sigma^2 per neuron).
    r, c = np.divmod(np.arange(900), 30)
    d2 = (r[:, None] - r[None, :]) ** 2 + (c[:, None] - c[None, :]) ** 2
    p = np.exp(-d2 / (2 * 2.236**2))
    assert abs(pre_ids.size - p.sum()) < 3 * np.sqrt((p * (1 - p)).sum())
    # Neighbours of neuron 465 lie close to it: row 15, column 15.
    rows, cols = np.divmod(post_ids[pre_ids == 465], 30)
    assert np.hypot(rows - 15, cols - 15).max() < 10


def test_gaussian_weight_example():
    gaussian_weight = bp.connect.GaussianWeight(sigma=0.1, w_max=1.0, w_min=0.0, normalize=True, include_self=True)
    pre_indices = post_indices = np.arange(30 * 30).reshape((30, 30))
    pre_ids, post_ids, weights = gaussian_weight(pre_indices, post_indices)
    assert pre_ids.size == post_ids.size == weights.size == 900 * 900  # w_min = 0: every pair
    Z = build_weight_surface(pre_ids, post_ids, weights, (30, 30), 465)
    assert np.unravel_index(Z.argmax(), Z.shape) == (15, 15)
    assert Z[15, 15] == 1.0
    # One cell away is 1/29 of the normalized width: w = exp(-(1/29)^2 / (2 * 0.1^2)).
    assert Z[15, 16] == pytest.approx(np.exp(-((1 / 29) ** 2) / 0.02))
    np.testing.assert_allclose(Z, Z.T)  # a symmetric bump around the centre


def test_dog_example():
    dog = bp.connect.DOG(sigmas=[0.08, 0.15], ws_max=[1.0, 0.7], w_min=0.01, normalize=True, include_self=True)
    pre_indices = post_indices = np.arange(40 * 40).reshape((40, 40))
    pre_ids, post_ids, weights = dog(pre_indices, post_indices)
    assert (np.abs(weights) > 0.01).all()
    Z = build_weight_surface(pre_ids, post_ids, weights, (40, 40), 820)
    assert np.unravel_index(Z.argmax(), Z.shape) == (20, 20)
    assert Z[20, 20] == pytest.approx(1.0 - 0.7)
    # The Mexican hat: excitation at the centre, an inhibitory ring around it.
    assert Z.min() < 0
    ring = np.unravel_index(Z.argmin(), Z.shape)
    assert 3 <= np.hypot(ring[0] - 20, ring[1] - 20) <= 10


def test_weighted_connector_in_a_synapse_connection():
    # SynConn takes the 3-tuple and fills the synapse model's weight field with it.
    def step(ST):
        ST["input"] = 0.0

    neuron = bp.NeuType("Cell", bp.types.NeuState({"input": 0.0, "spike": 0.0}), step, mode="vector")
    group = bp.NeuGroup(neuron, geometry=(5, 5))

    def update(ST, pre, post):
        if pre["spike"] > 0:
            post["input"] += ST["w"]

    synapse = bp.SynType(
        "Weighted",
        ST=bp.types.SynState({"w": 0.0}),
        steps=update,
        mode="scalar",
        requires={"pre": bp.types.NeuState(["spike"]), "post": bp.types.NeuState(["input"])},
    )
    conn = bp.connect.GaussianWeight(sigma=0.2, w_max=0.5)
    syn = bp.SynConn(synapse, pre_group=group, post_group=group, conn=conn)
    assert syn.pre_ids.tolist() == conn.pre_ids.tolist()
    np.testing.assert_array_equal(syn.ST["w"], conn.weights)
    assert conn.weights.max() == 0.5 and conn.weights.min() > 0.005
    assert bp.connect.All2All().weights is None
