"""Properties of brainlab.measure that pin the definitions: exact hand cases and statistical expectations."""

import math

import numpy as np
import pytest

from brainlab import measure, profile
from brainlab.errors import ModelUseError


def spikes_at(num_steps, trains):
    """A (num_steps, len(trains)) spike matrix with a spike at each listed step of each neuron."""
    sp = np.zeros((num_steps, len(trains)))
    for i, steps in enumerate(trains):
        sp[list(steps), i] = 1.0
    return sp


# -- cross_correlation -------------------------------------------------------------


def test_kappa_of_identical_trains_is_one():
    # Exactly: the coincidence counts are integers and every pair has kappa = n / sqrt(n * n).
    rng = np.random.default_rng(10)
    train = rng.random(3001) < 0.01
    for num in (2, 5, 17):
        sp = np.repeat(train[:, None], num, axis=1)
        for bin_size in (1, 3, 50):
            assert measure.cross_correlation(sp, bin_size) == 1.0


def test_kappa_hand_computed_three_neurons():
    # bin_size 2 over 8 steps -> 4 bins
    #   neuron 0: steps 0, 3, 4     -> X0 = [1, 1, 1, 0]
    #   neuron 1: steps 1, 6        -> X1 = [1, 0, 0, 1]
    #   neuron 2: steps 2, 3, 5, 7  -> X2 = [0, 1, 1, 1]  (two spikes in bin 1 count once)
    # kappa_01 = 1 / sqrt(3 * 2), kappa_02 = 2 / sqrt(3 * 3), kappa_12 = 1 / sqrt(2 * 3)
    sp = spikes_at(8, [(0, 3, 4), (1, 6), (2, 3, 5, 7)])
    expected = (1 / math.sqrt(6) + 2 / 3 + 1 / math.sqrt(6)) / 3
    assert measure.cross_correlation(sp, 2) == pytest.approx(expected, rel=1e-14)
    # bin_size 1: the only coincidence is step 3 (neurons 0 and 2)
    assert measure.cross_correlation(sp, 1) == pytest.approx((1 / math.sqrt(3 * 4)) / 3, rel=1e-14)
    # bin_size 3 over 8 steps -> 3 bins, the last padded: X0 = [1,1,0], X1 = [1,0,1], X2 = [1,1,1]
    expected = (1 / 2 + 2 / math.sqrt(6) + 2 / math.sqrt(6)) / 3
    assert measure.cross_correlation(sp, 3) == pytest.approx(expected, rel=1e-14)


def test_kappa_is_invariant_to_neuron_order():
    rng = np.random.default_rng(11)
    sp = rng.random((2000, 9)) < rng.uniform(0.0, 0.03, size=9)
    sp[:, 2] = False  # a silent neuron, too
    reference = measure.cross_correlation(sp, 7)
    for _ in range(5):
        permuted = sp[:, rng.permutation(9)]
        assert measure.cross_correlation(permuted, 7) == pytest.approx(reference, rel=1e-12)


def test_kappa_with_silent_neuron_counts_its_pairs_as_zero():
    # The 0/0 of a silent neuron is taken as kappa = 0 (no coincidence to count):
    # its pairs stay in the average and lower it, and no NaN comes out.
    active = spikes_at(100, [(3, 40, 77)])
    silent = np.zeros((100, 1))
    assert measure.cross_correlation(np.hstack([active, silent]), 5) == 0.0
    # pairs: (active, active) = 1, and two pairs with the silent one = 0
    assert measure.cross_correlation(np.hstack([active, active, silent]), 5) == pytest.approx(1 / 3)
    assert measure.cross_correlation(np.zeros((100, 4)), 5) == 0.0


def test_kappa_of_trains_shifted_by_more_than_a_bin_is_zero():
    # Inter-spike intervals of 30 to 60 steps; with bins of 5 steps, a shift of
    # 12 steps moves every spike 2 or 3 bins on, never onto a bin of another spike.
    rng = np.random.default_rng(12)
    times = np.cumsum(rng.integers(30, 61, size=100))
    num_steps = int(times[-1]) + 20
    bin_size = 5
    for shift in (bin_size + 1, 12, 2 * bin_size + 3):
        sp = spikes_at(num_steps, [times, times + shift])
        assert measure.cross_correlation(sp, bin_size) == 0.0
    # For contrast: a shift inside a bin keeps most coincidences.
    sp = spikes_at(num_steps, [times, times + 1])
    assert measure.cross_correlation(sp, bin_size) > 0.5


def test_kappa_of_independent_poisson_trains_matches_expectation():
    # Two independent Poisson trains at r Hz, sampled at dt: a spike in a step with
    # probability p = r * dt. A bin of n steps is active with probability
    # q = 1 - (1 - p)^n, independently between bins and trains. Over K bins,
    #   kappa = sum X Y / sqrt(sum X * sum Y) ~ K q^2 / sqrt(K q * K q) = q.
    # The delta method (N = sum XY, A = sum X, B = sum Y, cov(N, A) = K q^2 (1 - q)) gives
    #   var(log kappa) = (1 - q)(1 - q / 2) / (K q^2),  i.e.  se(kappa) = sqrt((1 - q)(1 - q / 2) / K).
    rng = np.random.default_rng(13)
    rate, dt, tau = 20.0, 0.1, 5.0  # Hz, ms, ms
    p = rate * dt / 1000.0
    bin_size = round(tau / dt)
    num_bins = 200_000
    sp = rng.random((num_bins * bin_size, 2)) < p
    q = 1.0 - (1.0 - p) ** bin_size
    se = math.sqrt((1 - q) * (1 - q / 2) / num_bins)
    kappa = measure.cross_correlation(sp, bin_size)
    assert abs(kappa - q) < 4 * se
    # ... and it is not the answer for perfectly coherent trains: the test can fail.
    assert q + 4 * se < 0.2


# -- voltage_fluctuation -----------------------------------------------------------


def test_chi_of_identical_traces_is_one():
    rng = np.random.default_rng(20)
    v = -65.0 + np.cumsum(rng.normal(size=3000))
    chi_sq = measure.voltage_fluctuation(np.tile(v[:, None], (1, 6)))
    assert math.sqrt(chi_sq) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("num", [4, 25, 100])
def test_chi_of_independent_noise_is_one_over_sqrt_n(num):
    # For independent traces of equal variance s^2, the mean trace has variance
    # s^2 / N, so chi^2 = 1 / N and chi = 1 / sqrt(N). The sample variance of T
    # Gaussian values has a relative error sqrt(2 / T), so chi (a square root)
    # is off by about sqrt(1 / (2 T)) in relative terms; allow 5 of those.
    rng = np.random.default_rng(21 + num)
    steps = 20_000
    v = -65.0 + 3.0 * rng.normal(size=(steps, num))
    chi = math.sqrt(measure.voltage_fluctuation(v))
    assert chi == pytest.approx(1.0 / math.sqrt(num), rel=5 * math.sqrt(1 / (2 * steps)))


def test_voltage_fluctuation_hand_computed():
    # V1 = [0, 2, 0, 2], V2 = [0, 0, 2, 2]: each has variance 1; the mean trace
    # [0, 1, 1, 2] has variance 0.5, so chi^2 = 0.5 / 1.
    v = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    assert measure.voltage_fluctuation(v) == pytest.approx(0.5, rel=1e-14)
    # Anti-phase traces cancel in the mean: chi^2 = 0.
    v = np.array([[0.0, 2.0], [2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    assert measure.voltage_fluctuation(v) == 0.0
    # An offset per neuron changes nothing: only fluctuations in time count.
    v = np.array([[0.0, 10.0], [2.0, 10.0], [0.0, 12.0], [2.0, 12.0]])
    assert measure.voltage_fluctuation(v) == pytest.approx(0.5, rel=1e-14)


# -- firing_rate -------------------------------------------------------------------

# 3 neurons over 6 steps; spikes per step: 1, 2, 0, 3, 1, 0
HAND_SPIKES = np.array(
    [
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 0],
        [1, 1, 1],
        [0, 0, 1],
        [0, 0, 0],
    ],
    dtype=float,
)


@pytest.mark.parametrize(
    ("width", "dt", "expected_counts", "window_steps"),
    [
        # width 1 ms, dt 1 ms: floor(0.5) = 0 -> a window of 1 step: the raw counts
        (1.0, 1.0, [1, 2, 0, 3, 1, 0], 1),
        # width 2 ms: 3 steps (t-1, t, t+1); outside the recording counts as silent
        (2.0, 1.0, [0 + 1 + 2, 1 + 2 + 0, 2 + 0 + 3, 0 + 3 + 1, 3 + 1 + 0, 1 + 0 + 0], 3),
        # width 4 ms: 5 steps (t-2 .. t+2)
        (4.0, 1.0, [3, 6, 7, 6, 4, 4], 5),
        # width 2 ms at dt 0.5 ms: 5 steps, 2.5 ms = width + dt
        (2.0, 0.5, [3, 6, 7, 6, 4, 4], 5),
    ],
)
def test_firing_rate_flat_hand_computed(width, dt, expected_counts, window_steps):
    # rate = spikes in the window / (neurons * window duration), in Hz (dt in ms)
    expected = np.array(expected_counts) / (3 * window_steps * dt) * 1000.0
    rate = measure.firing_rate(HAND_SPIKES, width, "flat", dt=dt)
    np.testing.assert_allclose(rate, expected, rtol=1e-12)


@pytest.mark.parametrize(("width", "dt", "window_steps"), [(0.6, 0.1, 7), (10.0, 0.1, 101), (3.0, 0.25, 13)])
def test_flat_window_spans_width_plus_dt(width, dt, window_steps):
    # One spike in the middle: the smoothed rate is nonzero on exactly the window,
    # with 1 / (N * window duration) there. 0.6 / 2 / 0.1 is 2.9999999999999996
    # in floating point, which must still give 7 steps.
    sp = np.zeros((301, 2))
    sp[150, 0] = 1.0
    rate = measure.firing_rate(sp, width, "flat", dt=dt)
    assert np.count_nonzero(rate) == window_steps
    np.testing.assert_allclose(rate[rate > 0], 1000.0 / (2 * window_steps * dt), rtol=1e-12)


def test_gaussian_window_has_std_width_and_spans_4_width_plus_dt():
    dt, width = 0.1, 2.0
    sigma = round(width / dt)  # 20 steps
    sp = np.zeros((401, 1))
    sp[200, 0] = 1.0
    with profile.temporary(dt=dt):
        rate = measure.firing_rate(sp, width)
    nonzero = np.flatnonzero(rate)
    assert nonzero.size == 4 * sigma + 1  # 4 * width + dt
    assert (nonzero[0], nonzero[-1]) == (200 - 2 * sigma, 200 + 2 * sigma)
    # Gaussian of standard deviation `width`, normalised to unit area in time steps
    assert rate[200 + sigma] / rate[200] == pytest.approx(math.exp(-0.5), rel=1e-12)
    assert rate[200 + 2 * sigma] / rate[200] == pytest.approx(math.exp(-2.0), rel=1e-12)
    assert rate.sum() * dt / 1000.0 == pytest.approx(1.0, rel=1e-12)  # one spike, one neuron


def test_firing_rate_of_empty_recording_is_empty():
    assert measure.firing_rate(np.zeros((0, 3)), 5.0, dt=0.1).shape == (0,)


@pytest.mark.parametrize(("kwargs", "message"), [({"dt": 0.0}, "'dt'"), ({"dt": "0.1"}, "'dt'")])
def test_firing_rate_rejects_bad_dt(kwargs, message):
    with pytest.raises(ModelUseError, match=f"firing_rate: {message}"):
        measure.firing_rate(HAND_SPIKES, 2.0, **kwargs)


# -- raster_plot -------------------------------------------------------------------


def test_raster_plot_hand_case_orders_by_time_then_neuron():
    sp = np.array(
        [
            [0.0, 1.0, 1.0],
            [0.0, 0.0, 0.0],
            [0.5, -1.0, 2.0],  # any value > 0 is a spike; -1 is not
            [True, False, False],
        ]
    )
    index, times = measure.raster_plot(sp, [10.0, 10.5, 11.0, 11.5])
    assert index.tolist() == [1, 2, 0, 2, 0]
    assert times.tolist() == [10.0, 10.0, 11.0, 11.0, 11.5]


def test_raster_plot_of_silent_and_empty_recordings():
    index, times = measure.raster_plot(np.zeros((5, 3), dtype=bool), np.arange(5.0))
    assert index.size == 0 and times.size == 0
    index, times = measure.raster_plot(np.zeros((0, 3)), [])
    assert index.size == 0 and times.size == 0


def test_raster_plot_inverts_to_the_spike_matrix():
    rng = np.random.default_rng(30)
    sp = rng.random((200, 15)) < 0.05
    ts = 0.1 * np.arange(200)
    index, times = measure.raster_plot(sp, ts)
    rebuilt = np.zeros_like(sp)
    rebuilt[np.rint(times / 0.1).astype(int), index] = True
    np.testing.assert_array_equal(rebuilt, sp)
    assert index.size == sp.sum()


def test_scalar_history_is_rejected():
    with pytest.raises(ModelUseError, match=r"raster_plot: 'sp_matrix'.*scalar"):
        measure.raster_plot(3.0, [0.0])
