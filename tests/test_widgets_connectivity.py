"""Connectivity previews: synapses, degrees, exact and block-mean matrices, weight profiles and memory estimates."""

import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets.connectivity import format_bytes, memory_estimate, preview_connector


def test_fixed_prob_degrees_sum_to_the_synapses():
    p = preview_connector(bp.connect.FixedProb(0.2, seed=3), 40, 30)
    assert p.n_synapses == p.pre_ids.size == p.post_ids.size > 0
    assert p.in_degree.shape == (30,) and p.out_degree.shape == (40,)
    assert p.in_degree.sum() == p.out_degree.sum() == p.n_synapses
    np.testing.assert_array_equal(p.out_degree, np.bincount(p.pre_ids, minlength=40))
    assert p.weights is None and p.weight_profile is None
    assert (p.num_pre, p.num_post) == (40, 30)


def test_all2all_without_self_has_n_times_n_minus_one_synapses():
    n = 25
    p = preview_connector(bp.connect.All2All(include_self=False), n, n)
    assert p.n_synapses == n * (n - 1)
    np.testing.assert_array_equal(p.in_degree, np.full(n, n - 1))
    np.testing.assert_array_equal(p.adjacency, 1.0 - np.eye(n))


def test_exact_adjacency_equals_the_ij_matrix():
    p = preview_connector(bp.connect.FixedProb(0.3, seed=1), (6, 7), 50)
    assert not p.downsampled and p.adjacency_blocks == (1, 1)
    np.testing.assert_array_equal(p.adjacency, bp.connect.ij2mat(p.pre_ids, p.post_ids, 42, 50))


def test_downsampled_all2all_is_all_ones():
    p = preview_connector(bp.connect.All2All(), 1000, 250)
    assert p.downsampled and p.adjacency_blocks == (10, 3)
    assert p.adjacency.shape == (100, 84)  # the last column block holds one neuron only
    np.testing.assert_allclose(p.adjacency, 1.0)


def test_downsampled_one2one_has_diagonal_blocks():
    p = preview_connector(bp.connect.One2One(), 1000, 1000, max_cells=100)
    assert p.downsampled and p.adjacency.shape == (100, 100) and p.adjacency_blocks == (10, 10)
    # 10 synapses in each 10 x 10 diagonal block, none elsewhere.
    np.testing.assert_allclose(p.adjacency, np.eye(100) * 0.1)


def test_downsampled_fractions_are_block_means_of_the_exact_matrix():
    conn = bp.connect.FixedProb(0.1, seed=7)
    p = preview_connector(conn, 230, 120, max_cells=50)
    exact = bp.connect.ij2mat(p.pre_ids, p.post_ids, 230, 120).astype(float)
    rows, cols = p.adjacency_blocks
    assert (rows, cols) == (5, 3)
    expected = np.array(
        [[exact[r : r + rows, c : c + cols].mean() for c in range(0, 120, cols)] for r in range(0, 230, rows)]
    )
    np.testing.assert_allclose(p.adjacency, expected)


def test_gaussian_weight_profile_matches_the_connector():
    conn = bp.connect.GaussianWeight(sigma=0.2, w_max=2.5)
    p = preview_connector(conn, (12, 12), (12, 12))
    distance, weight = p.weight_profile
    assert distance[0] == 0.0 and weight[0] == pytest.approx(2.5)
    np.testing.assert_allclose(weight, 2.5 * np.exp(-(distance**2) / (2 * 0.2**2)))
    # The weights of the synapses lie on the profile at their pairs' distances.
    y, x = np.divmod(np.arange(144), 12) / np.float64(11)
    d = np.hypot(y[p.pre_ids] - y[p.post_ids], x[p.pre_ids] - x[p.post_ids])
    np.testing.assert_allclose(2.5 * np.exp(-(d**2) / (2 * 0.2**2)), p.weights)
    np.testing.assert_allclose(np.interp(d, distance, weight), p.weights, rtol=1e-3, atol=1e-4)
    # The profile stops a little past the last distance that makes a synapse, inside the square.
    assert d.max() < distance[-1] <= np.sqrt(2) + 1e-12
    assert p.downsampled  # 144 neurons: the matrix shows mean weights per block
    small = preview_connector(conn, (8, 8), (8, 8))
    assert not small.downsampled
    np.testing.assert_allclose(small.adjacency[small.pre_ids, small.post_ids], small.weights)


def test_dog_profile_is_the_difference_of_gaussians():
    conn = bp.connect.DOG(sigmas=(0.1, 0.3), ws_max=(1.0, 0.4))
    p = preview_connector(conn, 30, 30)
    distance, weight = p.weight_profile
    expected = np.exp(-(distance**2) / 0.02) - 0.4 * np.exp(-(distance**2) / 0.18)
    np.testing.assert_allclose(weight, expected)
    assert weight[0] == pytest.approx(0.6) and weight.min() < 0


def test_memory_formula_on_a_known_case():
    # 10 synapses, 3 state fields: 10 * (3*8 + 16 + 16) + 8 * (4 + 1) + 8 * (5 + 1).
    assert memory_estimate(10, 4, 5, state_fields=3) == 10 * 56 + 40 + 48
    p = preview_connector(bp.connect.One2One(), 10, 10, state_fields=2)
    assert p.memory_bytes == 10 * (16 + 32) + 88 + 88
    assert p.memory_text == format_bytes(p.memory_bytes) == "656 B"


def test_connector_errors_propagate_unchanged():
    with pytest.raises(ModelUseError, match="2-D geometry"):
        preview_connector(bp.connect.GridFour(), 10, 10)
    with pytest.raises(ModelUseError, match="One2One"):
        preview_connector(bp.connect.One2One(), 10, 12)


def test_grid_and_index_array_inputs():
    p = preview_connector(bp.connect.GridFour(), (5, 5), (5, 5))
    # 5 rows x 4 horizontal neighbour pairs, as many vertical ones, each pair in both directions.
    assert p.n_synapses == 2 * (5 * 4 + 5 * 4)
    q = preview_connector(bp.connect.GridFour(), np.arange(25).reshape(5, 5), np.arange(25).reshape(5, 5))
    np.testing.assert_array_equal(p.adjacency, q.adjacency)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="max_cells"):
        preview_connector(bp.connect.All2All(), 3, 3, max_cells=0)
    with pytest.raises(ValueError, match="state_fields"):
        preview_connector(bp.connect.All2All(), 3, 3, state_fields=-1)
    with pytest.raises(ModelUseError, match="outside"):
        preview_connector(bp.connect.One2One(), np.arange(5, 10), np.arange(5, 10))
