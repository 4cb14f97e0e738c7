"""brainlab.inputs: the seed's "Usage of inputs module" examples, input currents and spike-source groups."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import BrainlabWarning, ModelUseError

# -- the seed's examples ----------------------------------------------------------------


def test_seed_constant_current_examples():
    current, duration = bp.inputs.constant_current([(0, 100), (1, 300), (0, 100)], 0.1)
    fig, gs = bp.visualize.get_figure(1, 1)
    fig.add_subplot(gs[0, 0])
    ts = np.arange(0, duration, 0.1)
    (line,) = plt.plot(ts, current)
    plt.title("[(0, 100), (1, 300), (0, 100)]")
    assert duration == 500.0 and current.shape == (5000,) == ts.shape
    assert (current[:1000] == 0).all() and (current[1000:4000] == 1).all() and (current[4000:] == 0).all()
    np.testing.assert_array_equal(line.get_ydata(), current)
    plt.close(fig)

    current, duration = bp.inputs.constant_current([(-1, 10), (1, 3), (3, 30), (-0.5, 10)], 0.1)
    ts = np.arange(0, duration, 0.1)
    assert duration == 53.0 and current.shape == ts.shape == (530,)
    expected = np.concatenate([np.full(100, -1.0), np.full(30, 1.0), np.full(300, 3.0), np.full(100, -0.5)])
    np.testing.assert_array_equal(current, expected)


def test_seed_spike_current_example():
    points, length, size, duration, _dt = [10, 20, 30, 200, 300], 1.0, 0.5, 1000, 0.1
    current = bp.inputs.spike_current(points, length, size, duration, _dt)
    ts = np.arange(0, duration, _dt)
    assert current.shape == ts.shape == (10000,)
    on = np.flatnonzero(current)
    expected = np.concatenate([np.arange(p * 10, p * 10 + 10) for p in points])
    np.testing.assert_array_equal(on, expected)
    assert (current[on] == 0.5).all()


def test_seed_ramp_current_examples():
    duration, _dt = 1000, 0.1
    current = bp.inputs.ramp_current(0, 1, duration)
    ts = np.arange(0, duration, _dt)
    assert current.shape == ts.shape
    np.testing.assert_allclose(current, np.linspace(0, 1, 10000))

    duration, _dt, t_start, t_end = 1000, 0.1, 200, 800
    current = bp.inputs.ramp_current(0, 1, duration, t_start, t_end)
    assert current.shape == (10000,)
    assert (current[:2000] == 0).all() and (current[8000:] == 0).all()
    np.testing.assert_allclose(current[2000:8000], np.linspace(0, 1, 6000))
    assert np.all(np.diff(current[2000:8000]) > 0)


# -- currents: shapes, dt, validation ------------------------------------------------------


def test_constant_current_with_one_value_per_neuron():
    values = np.arange(4.0)
    current, duration = bp.inputs.constant_current([(0, 1.0), (values, 2.0)], dt=0.5)
    assert duration == 3.0 and current.shape == (6, 4)
    assert (current[:2] == 0).all()
    np.testing.assert_array_equal(current[2:], np.tile(values, (4, 1)))


def test_currents_use_profile_dt_and_fit_a_run():
    with bp.profile.temporary(dt=0.04):
        current, total = bp.inputs.constant_current([(1.0, 0.28), (2.0, 0.2)])
        assert total == pytest.approx(0.48)
        assert current.shape == (12,)  # 0.28 / 0.04 is exactly 7 steps, not 6.999...
        np.testing.assert_array_equal(current, [1.0] * 7 + [2.0] * 5)
        assert bp.inputs.ramp_current(0, 1, 2.0).shape == (50,)
        assert bp.inputs.spike_current([0.0], 0.08, 1.0, 1.0).tolist()[:3] == [1.0, 1.0, 0.0]


def test_current_drives_a_group_as_a_time_series():
    current, duration = bp.inputs.constant_current([(0, 5.0), (2.0, 5.0)], 0.1)
    state = bp.types.NeuState({"x": 0.0, "input": 0.0})

    def update(ST):
        ST["x"] = ST["input"]
        ST["input"] = 0.0

    group = bp.NeuGroup(bp.NeuType("Probe", state, update, mode="vector"), 3, monitors=["x"])
    group.run(duration, inputs=("ST.input", current.reshape(-1, 1)))
    np.testing.assert_array_equal(group.mon.x[:, 0], current)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: bp.inputs.constant_current([]), "non-empty"),
        (lambda: bp.inputs.constant_current([(1, 10, 3)]), r"Iext\[0\] must be a \(value, duration\)"),
        (lambda: bp.inputs.constant_current([(1, -5)]), ">= 0"),
        (lambda: bp.inputs.constant_current([(np.ones(3), 5), (np.ones(4), 5)]), "same shape"),
        (lambda: bp.inputs.constant_current([(np.nan, 5)]), "not finite"),
        (lambda: bp.inputs.constant_current([(1, 5)], dt=0), "dt must be a positive"),
        (lambda: bp.inputs.spike_current([10, 2000], 1.0, 0.5, 1000), "before the end"),
        (lambda: bp.inputs.spike_current([10, 20], [1.0], 0.5, 1000), "one value per point"),
        (lambda: bp.inputs.spike_current([10], -1.0, 0.5, 1000), "lengths must be positive"),
        (lambda: bp.inputs.ramp_current(0, 1, 100, t_start=80, t_end=50), "t_start < t_end"),
        (lambda: bp.inputs.ramp_current(0, 1, 100, t_end=150), "t_end <= duration"),
        (lambda: bp.inputs.ramp_current(0, "1", 100), "c_end must be a finite number"),
    ],
)
def test_current_errors(call, match):
    with pytest.raises(ModelUseError, match=match):
        call()


# -- PoissonInput ---------------------------------------------------------------------------


def test_poisson_input_rate_per_neuron_within_four_sigma():
    freqs = np.repeat([10.0, 40.0], 500)
    group = bp.inputs.PoissonInput(1000, freqs=freqs, monitors=["spike"])
    assert group.name.startswith("PoissonInput")
    group.run(1000.0)
    counts = group.mon.spike.sum(axis=0)
    for rate, block in ((10.0, counts[:500]), (40.0, counts[500:])):
        p = rate * 0.1 / 1000.0
        n = 10000 * 500  # steps x neurons, one Bernoulli draw each
        mean, sigma = n * p, np.sqrt(n * p * (1 - p))
        assert abs(block.sum() - mean) < 4 * sigma  # unseeded kernel RNG: 4 sigma keeps CI deterministic enough
    # Inter-spike intervals of a Poisson process: coefficient of variation near 1.
    index, times = bp.measure.raster_plot(group.mon.spike, group.mon.ts)
    isis = np.concatenate([np.diff(times[index == i]) for i in range(500, 1000)])
    assert isis.std() / isis.mean() == pytest.approx(1.0, abs=0.05)


def test_poisson_rate_is_a_hot_parameter():
    group = bp.inputs.PoissonInput((10, 10), freqs=5.0, monitors=["spike"])
    net = bp.Network(group, mode="repeat")
    net.run(500.0)
    low = group.mon.spike.sum()
    group.pars["freqs"] = 50.0
    info = net.run(500.0)
    assert not info.compiled and net.compile_count == 1
    assert group.mon.spike.sum() > 5 * low > 0


def test_poisson_warns_about_high_rates():
    with pytest.warns(BrainlabWarning, match=r"probability of 0\.2 per step"):
        bp.inputs.PoissonInput(1, freqs=2000.0)
    with bp.profile.temporary(dt=0.01):
        bp.inputs.PoissonInput(1, freqs=2000.0)  # 0.02 per step: no warning (warnings are errors here)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"freqs": -1.0}, ">= 0"),
        ({"freqs": np.ones(3)}, "one value per neuron"),
        ({"freqs": np.inf}, "finite"),
    ],
)
def test_poisson_errors(kwargs, match):
    with pytest.raises(ModelUseError, match=match):
        bp.inputs.PoissonInput(4, **kwargs)


# -- SpikeTimeInput ---------------------------------------------------------------------------


def spike_events(group):
    """(time, neuron) pairs of the monitored spikes."""
    steps, neurons = np.nonzero(group.mon.spike)
    return sorted(zip(np.round(group.mon.ts[steps], 6).tolist(), neurons.tolist(), strict=True))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"times": [10, 20]}, [(10.0, 0), (10.0, 1), (20.0, 0), (20.0, 1)]),
        ({"times": [10, 20], "indices": 0}, [(10.0, 0), (20.0, 0)]),
        ({"times": [10, 20, 30], "indices": [0, 1, 0]}, [(10.0, 0), (20.0, 1), (30.0, 0)]),
        ({"times": [10, 20, 30], "indices": [0, [0, 1], 1]}, [(10.0, 0), (20.0, 0), (20.0, 1), (30.0, 1)]),
        ({"times": [30, 10.04, 20], "indices": [1, 0, 0]}, [(10.0, 0), (20.0, 0), (30.0, 1)]),
    ],
)
def test_spike_time_input_forms(kwargs, expected):
    group = bp.inputs.SpikeTimeInput(2, monitors=["spike", "t_last_spike"], **kwargs)
    group.run(40.0)
    assert spike_events(group) == expected
    assert group.mon.t_last_spike[-1].tolist() == [
        max((t for t, n in expected if n == i), default=-1e7) for i in range(2)
    ]


def test_spike_time_input_2d_geometry_and_hot_update():
    group = bp.inputs.SpikeTimeInput((3, 4), times=[1.0, 2.0], indices=[5, [0, 11]], monitors=["spike"])
    net = bp.Network(group, mode="repeat")
    net.run(5.0)
    assert spike_events(group) == [(1.0, 5), (2.0, 0), (2.0, 11)]
    group.set_spikes([0.5, 1.5, 3.0], indices=[1, 2, 3])
    info = net.run(5.0)
    assert not info.compiled
    assert spike_events(group) == [(0.5, 1), (1.5, 2), (3.0, 3)]


def test_spike_time_input_in_a_later_time_window():
    group = bp.inputs.SpikeTimeInput(1, times=[5.0, 15.0], monitors=["spike"])
    group.run((10.0, 20.0))
    assert spike_events(group) == [(15.0, 0)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"times": [1, 2], "indices": [0]}, "indices has 1 entries but times has 2"),
        ({"times": [1, 2], "indices": [0, 5]}, "neuron index 5 is outside"),
        ({"times": [1, np.nan]}, "finite spike times"),
        ({"times": [1], "indices": "0"}, "indices must be None"),
        ({"times": [1], "indices": [[0.5]]}, r"indices\[0\] must be a neuron index"),
    ],
)
def test_spike_time_input_errors(kwargs, match):
    with pytest.raises(ModelUseError, match=match):
        bp.inputs.SpikeTimeInput(2, **kwargs)


# -- FreqInput ------------------------------------------------------------------------------------


def test_freq_input_docstring_examples():
    group = bp.inputs.FreqInput(2, freq=10.0, monitors=["spike"])
    group.run(350.0)
    assert spike_events(group) == [(t, n) for t in (0.0, 100.0, 200.0, 300.0) for n in (0, 1)]

    start = np.random.default_rng(0).integers(10, 30, (4,)).astype(float)
    group = bp.inputs.FreqInput(4, freq=20.0, start_time=start, monitors=["spike"])
    group.run(200.0)
    for i in range(4):
        fired = group.mon.ts[group.mon.spike[:, i] > 0]
        np.testing.assert_allclose(fired, start[i] + 50.0 * np.arange(fired.size), atol=1e-9)
        assert fired.size == int((200.0 - 0.05 - start[i]) // 50.0) + 1


def test_freq_input_per_neuron_frequencies_and_silence():
    group = bp.inputs.FreqInput(3, freqs=[0.0, 25.0, 1000.0 / 7.3], start_time=1.0, monitors=["spike"])
    group.run(100.0)
    counts = group.mon.spike.sum(axis=0)
    assert counts.tolist() == [0, 3, 14]  # 1, 41, 81 ms; 1 + 7.3 k for k < 14
    # A period that is not a whole number of steps: each spike on the nearest step.
    fired = group.mon.ts[group.mon.spike[:, 2] > 0]
    np.testing.assert_allclose(fired, np.round((1.0 + 7.3 * np.arange(14)) / 0.1) * 0.1, atol=1e-9)


def test_freq_input_needs_one_frequency():
    with pytest.raises(ModelUseError, match="once"):
        bp.inputs.FreqInput(2)
    with pytest.raises(ModelUseError, match="once"):
        bp.inputs.FreqInput(2, freqs=10.0, freq=10.0)
    with pytest.raises(ModelUseError, match="start_time"):
        bp.inputs.FreqInput(2, freqs=10.0, start_time=[1.0, 2.0, 3.0])


# -- input groups drive synapses ------------------------------------------------------------------


def counter_synapse():
    def update(ST, pre, post):
        if pre["spike"] > 0:
            post["input"] += ST["w"]

    return bp.SynType(
        "Counter",
        ST=bp.types.SynState({"w": 1.0}),
        steps=update,
        mode="scalar",
        requires={"pre": bp.types.NeuState(["spike"]), "post": bp.types.NeuState(["input"])},
    )


def accumulator(num):
    def update(ST):
        ST["total"] += ST["input"]
        ST["input"] = 0.0

    state = bp.types.NeuState({"total": 0.0, "input": 0.0})
    return bp.NeuGroup(bp.NeuType("Accumulator", state, update, mode="vector"), num, monitors=["total"])


def test_spike_source_drives_a_synapse_with_weights_from_the_connector():
    source = bp.inputs.SpikeTimeInput(3, times=[1.0, 2.0, 2.0], indices=[0, 1, 2])
    target = accumulator(2)

    def weighted(pre_indices, post_indices):  # a connector returning weights
        return np.array([0, 1, 2, 2]), np.array([0, 0, 0, 1]), np.array([0.5, 2.0, 4.0, 8.0])

    syn = bp.SynConn(counter_synapse(), pre_group=source, post_group=target, conn=weighted)
    np.testing.assert_array_equal(syn.ST["w"], [0.5, 2.0, 4.0, 8.0])
    net = bp.Network(source, syn, target)
    net.run(5.0)
    assert target.mon.total[-1].tolist() == [0.5 + 2.0 + 4.0, 8.0]


def test_weights_without_a_weight_field_warn_and_stay_available():
    source, target = bp.inputs.FreqInput(2, freqs=10.0), accumulator(2)

    def update(ST, pre, post):
        if pre["spike"] > 0:
            post["input"] += 1.0

    model = bp.SynType("Plain", ST=bp.types.SynState(["s"]), steps=update, mode="scalar")
    with pytest.warns(BrainlabWarning, match="no state field 'w'"):
        syn = bp.SynConn(model, source, target, conn=lambda a, b: (np.array([0]), np.array([1]), np.array([3.0])))
    assert syn.weights.tolist() == [3.0]
