"""brainlab.measure: raster data, population firing rate and synchrony indices."""

import numpy as np
import pytest

from brainlab import measure, profile
from brainlab.errors import ModelUseError


def regular_train(num_steps, period, num_neurons=1, phase=0):
    spikes = np.zeros((num_steps, num_neurons))
    spikes[phase::period] = 1.0
    return spikes


# -- raster_plot -------------------------------------------------------------------


def test_raster_plot_exact():
    sp = np.zeros((4, 3))
    sp[0, 2] = sp[1, 0] = sp[1, 1] = sp[3, 2] = 1.0
    index, times = measure.raster_plot(sp, np.array([0.0, 0.1, 0.2, 0.3]))
    assert index.tolist() == [2, 0, 1, 2]
    assert times.tolist() == [0.0, 0.1, 0.1, 0.3]
    assert index.dtype == np.int64


def test_raster_plot_flattens_2d_groups():
    sp = np.zeros((2, 2, 3), dtype=bool)
    sp[1, 1, 0] = True  # neuron (1, 0) of a 2x3 group: flat index 3
    index, times = measure.raster_plot(sp, [5.0, 6.0])
    assert index.tolist() == [3] and times.tolist() == [6.0]


def test_raster_plot_length_mismatch():
    with pytest.raises(ModelUseError, match="times"):
        measure.raster_plot(np.zeros((4, 2)), np.arange(3))


# -- firing_rate -------------------------------------------------------------------


def test_flat_window_gives_exact_rate_in_interior():
    dt = 0.1
    # width 10 ms -> a window of 101 steps, which always holds exactly one spike of
    # a train with a period of 101 steps: rate = 1 / (101 * 0.1 ms).
    sp = regular_train(5000, 101, num_neurons=2)
    sp[:, 1] = 0.0  # a silent neuron halves the population rate
    rate = measure.firing_rate(sp, 10.0, "flat", dt=dt)
    assert rate.shape == (5000,)
    np.testing.assert_allclose(rate[200:-200], 0.5 * 1000.0 / (101 * dt), rtol=1e-12)


def test_gaussian_window_gives_rate_in_interior():
    # One spike per ms in each neuron, with staggered phases: 1000 Hz.
    sp = np.hstack([regular_train(4000, 10, phase=k) for k in range(3)])
    rate = measure.firing_rate(sp, 5.0, dt=0.1)
    interior = rate[500:-500]  # 300 whole periods of the 10-step train
    # The kernel has unit area, so over whole periods the mean is exact; the ±2σ
    # truncation leaves a ripple of a few per mille.
    assert interior.mean() == pytest.approx(1000.0, rel=1e-9)
    np.testing.assert_allclose(interior, 1000.0, rtol=5e-3)
    # At the ends the window reaches past the recording: about half the rate.
    assert rate[0] == pytest.approx(500.0, rel=0.1)


def test_firing_rate_uses_profile_dt():
    sp = regular_train(3000, 101)
    with profile.temporary(dt=0.05):
        rate = measure.firing_rate(sp, 5.0, "flat")
    np.testing.assert_allclose(rate[300:-300], 1000.0 / (101 * 0.05), rtol=1e-12)


def test_firing_rate_window_longer_than_recording_keeps_length():
    rate = measure.firing_rate(np.ones((5, 2)), 100.0, dt=0.1)
    assert rate.shape == (5,)
    assert (rate > 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"window": "box"}, "unknown window"), ({"width": 0.0}, "width"), ({"width": -1}, "width")],
)
def test_firing_rate_errors(kwargs, message):
    args = {"width": 5.0} | kwargs
    with pytest.raises(ModelUseError, match=message):
        measure.firing_rate(np.zeros((10, 2)), dt=0.1, **args)


# -- cross_correlation -------------------------------------------------------------


def brute_force_kappa(spikes, bin_size):
    """The pairwise loop of the definition, as a reference."""
    num_steps, num = spikes.shape
    num_bin = -(-num_steps // bin_size)
    padded = np.zeros((num_bin * bin_size, num))
    padded[:num_steps] = spikes
    x = padded.reshape(num_bin, bin_size, num).sum(axis=1) > 0
    values = []
    for i in range(num):
        for j in range(i + 1, num):
            norm = np.sqrt(x[:, i].sum() * x[:, j].sum())
            values.append(0.0 if norm == 0 else (x[:, i] & x[:, j]).sum() / norm)
    return np.mean(values)


def test_identical_trains_are_fully_coherent():
    sp = np.repeat(regular_train(1000, 37), 6, axis=1)
    assert measure.cross_correlation(sp, 5) == pytest.approx(1.0, abs=1e-12)


def test_independent_sparse_trains_are_weakly_coherent():
    rng = np.random.default_rng(0)
    p, bin_size = 0.002, 5
    sp = rng.random((20000, 40)) < p
    kappa = measure.cross_correlation(sp, bin_size)
    # For independent trains E[kappa] is the probability to fire in a bin.
    q = 1 - (1 - p) ** bin_size
    assert kappa == pytest.approx(q, rel=0.15)
    assert kappa < 0.02


def test_alternating_trains_depend_on_bin_size():
    sp = np.zeros((100, 2))
    sp[0::2, 0] = 1.0
    sp[1::2, 1] = 1.0
    assert measure.cross_correlation(sp, 1) == 0.0
    assert measure.cross_correlation(sp, 2) == pytest.approx(1.0)


def test_silent_neurons_count_as_zero():
    sp = np.repeat(regular_train(300, 7), 4, axis=1)
    sp[:, 3] = 0.0
    # 3 coherent pairs (kappa = 1) and 3 pairs with the silent neuron (kappa = 0).
    assert measure.cross_correlation(sp, 3) == pytest.approx(0.5)
    assert measure.cross_correlation(np.zeros((50, 3)), 5) == 0.0


def test_cross_correlation_matches_pairwise_definition():
    rng = np.random.default_rng(1)
    rates = rng.uniform(0.0, 0.05, size=12)
    sp = rng.random((997, 12)) < rates  # 997 steps: the last bin is padded
    sp[:, 4] = False
    for bin_size in (1, 4, 10):
        assert measure.cross_correlation(sp, bin_size) == pytest.approx(brute_force_kappa(sp, bin_size), rel=1e-12)


@pytest.mark.parametrize(("bin_size", "message"), [(0, "bin_size"), (2.5, "bin_size")])
def test_cross_correlation_bad_bin(bin_size, message):
    with pytest.raises(ModelUseError, match=message):
        measure.cross_correlation(np.zeros((10, 3)), bin_size)


def test_cross_correlation_needs_a_pair():
    with pytest.raises(ModelUseError, match="at least 2 neurons"):
        measure.cross_correlation(np.zeros((10, 1)), 2)


# -- voltage_fluctuation -----------------------------------------------------------


def test_identical_traces_give_one():
    v = -65.0 + 10.0 * np.sin(np.linspace(0, 20, 2000))
    assert measure.voltage_fluctuation(np.tile(v[:, None], (1, 8))) == pytest.approx(1.0)


def test_independent_traces_give_one_over_n():
    rng = np.random.default_rng(2)
    n = 50
    v = -65.0 + rng.normal(size=(40000, n))
    assert measure.voltage_fluctuation(v) == pytest.approx(1.0 / n, rel=0.1)


def test_voltage_fluctuation_matches_formula():
    rng = np.random.default_rng(3)
    common = rng.normal(size=(500, 1))
    v = -60.0 + common + 0.5 * rng.normal(size=(500, 7))
    mean_trace = v.mean(axis=1)
    expected = mean_trace.var() / v.var(axis=0).mean()
    assert measure.voltage_fluctuation(v) == pytest.approx(expected, rel=1e-12)


def test_constant_traces_give_one():
    assert measure.voltage_fluctuation(np.full((100, 4), -65.0)) == 1.0


def test_population_frequency_of_periodic_bursts_ignores_harmonics():
    dt = 0.04
    steps = int(1000 / dt)
    spikes = np.zeros((steps, 50))
    rng = np.random.default_rng(0)
    period = 23.5  # ms -> 42.55 Hz
    for k in range(int(1000 / period)):
        t0 = k * period
        jitter = rng.normal(0, 0.5, 50)
        idx = np.clip(((t0 + 2 + jitter) / dt).astype(int), 0, steps - 1)
        spikes[idx, np.arange(50)] = 1
    f = measure.population_frequency(spikes, dt=dt)
    assert f == pytest.approx(1000 / period, rel=0.02)


def test_population_frequency_without_rhythm_is_nan():
    assert np.isnan(measure.population_frequency(np.zeros((1000, 5)), dt=0.1))
