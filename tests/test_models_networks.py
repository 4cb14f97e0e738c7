"""The ready networks: published rates, rhythms and attractor states."""

import warnings

import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import DelayRoundingWarning
from brainlab.models.networks import (
    cann_bump_height,
    get_CANN,
    get_CANN_network,
    get_COBA_network,
    get_CUBA_network,
    get_EI_balance_network,
    get_gamma_network,
)


def _rates_and_cv(spikes, dt):
    """Mean rate (Hz) and mean CV of the inter-spike intervals of neurons with ≥ 4 spikes."""
    rate = spikes.sum() / spikes.shape[1] / (spikes.shape[0] * dt / 1000.0)
    cvs = []
    for i in range(spikes.shape[1]):
        isi = np.diff(np.flatnonzero(spikes[:, i]) * dt)
        if len(isi) >= 3:
            cvs.append(isi.std() / isi.mean())
    return rate, float(np.mean(cvs))


def test_gamma_network_oscillates_coherently():
    bp.profile.set(dt=0.04)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DelayRoundingWarning)
        net, groups = get_gamma_network()
        net.run(1000.0, inputs=groups["inputs"])
    settled = groups["neurons"].mon.spike[round(200.0 / 0.04) :]
    frequency = bp.measure.population_frequency(settled, dt=0.04)
    kappa = bp.measure.cross_correlation(settled, bin_size=round(1.0 / 0.04))
    assert 40.0 <= frequency <= 48.0
    assert kappa > 0.9


def test_coba_rate_and_irregularity_match_the_peers():
    bp.profile.set(dt=0.1, numerical_method="euler")
    net, groups = get_COBA_network(4000)
    net.run(1000.0)
    rate, cv = _rates_and_cv(groups["neurons"].mon.spike[round(200.0 / 0.1) :], 0.1)
    assert 19.0 <= rate <= 24.0  # the band of Brian2 and BrainPy runs of the same parameters
    assert cv > 0.5
    assert groups["num_exc"] == 3200 and groups["exc"].num_pre == 3200


def test_cuba_network_runs_asynchronously():
    bp.profile.set(dt=0.1)
    net, groups = get_CUBA_network(4000)
    net.run(1000.0)
    rate, cv = _rates_and_cv(groups["neurons"].mon.spike[round(200.0 / 0.1) :], 0.1)
    assert 2.0 <= rate <= 15.0 and cv > 0.3


def test_balanced_network_fires_irregularly_although_the_drive_alone_is_regular():
    bp.profile.set(dt=0.1)
    net, groups = get_EI_balance_network(num_exc=2000, num_inh=500, K=200.0)
    net.run(600.0)
    rate, cv = _rates_and_cv(groups["neurons"].mon.spike[round(100.0 / 0.1) :], 0.1)
    assert 5.0 <= rate <= 80.0
    assert cv > 0.7
    # without recurrence the drive makes a neuron fire regularly and much faster
    net2, alone = get_EI_balance_network(num_exc=2000, num_inh=500, K=200.0)
    alone["exc"].pars["w"] = 0.0
    alone["inh"].pars["w"] = 0.0
    net2.run(600.0)
    rate_alone, cv_alone = _rates_and_cv(alone["neurons"].mon.spike[round(100.0 / 0.1) :], 0.1)
    assert rate_alone > 2 * rate and cv_alone < 0.05


def test_cann_bump_has_the_analytic_height_and_tracks_the_stimulus():
    bp.profile.set(dt=0.1, numerical_method="rk4")
    net, groups = get_CANN_network(num=512, monitors=("u",))
    group = groups["cann"]
    x = group.x
    net.run(10.0, inputs=(group, "ST.input", 10.0 * np.exp(-(x**2) / (4 * 0.5**2))))
    net.run(100.0)  # stimulus off: the bump stays
    u = group.ST["u"]
    assert group.mon.u.shape == (1000, 512)
    assert x[np.argmax(u)] == pytest.approx(0.0, abs=2 * np.pi / 512)
    assert u.max() == pytest.approx(cann_bump_height(num=512), rel=1e-6)
    np.testing.assert_allclose(u, u.max() * np.exp(-(x**2) / (4 * 0.5**2)), atol=1e-3 * u.max())
    # a stimulus at 1.0 moves the bump there
    net.run(50.0, inputs=(group, "ST.input", 2.0 * np.exp(-((x - 1.0) ** 2) / (4 * 0.5**2))))
    assert x[np.argmax(group.ST["u"])] == pytest.approx(1.0, abs=0.05)
    # the type alone, for custom networks
    assert get_CANN(num=64).hand_overs["couplings"].shape == (64, 64)
