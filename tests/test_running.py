"""brainlab.running: the seed's process pools, sweeps on any executor, and sweeps on Dask."""

import logging
import os
import pickle
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import DivergenceError, ModelUseError, SweepError
from brainlab.models import get_LIF
from brainlab.running import SweepFailure

pytestmark = pytest.mark.subprocess

# ---------------------------------------------------------------- targets
# Module-level functions: worker processes find them by name.


def lif_spike_count(I, tau=10.0):
    """Spikes of 5 LIF neurons driven by I, I+1, ... for 100 ms (deterministic)."""
    group = bp.NeuGroup(get_LIF(tau=tau), geometry=5, monitors=["spike"])
    net = bp.Network(group)
    net.run(100.0, inputs=[group, "ST.input", I + np.arange(5.0)])
    return group.mon.spike.sum(axis=0).astype(int).tolist()


def finish_in_reverse(x):
    """Later inputs finish first, so completion order is the reverse of input order."""
    time.sleep(0.05 * (4 - x))
    return x * x


def fail_on_two(x):
    if x == 2:
        raise ModelUseError(f"x = {x} is not allowed here")
    return x + 100


def diverge(x):
    raise DivergenceError("V became NaN", object_name="LIF0", field="V", index=x, time=1.5)


def return_unpicklable(x):
    return threading.Lock()


def worker_settings(_):
    return bp.profile.get_dt(), bp.profile.get_numerical_method(), os.getpid()


def noisy(_):
    return float(np.random.random())


def append_block(path, tag, lock):
    """Write five lines; the shared lock keeps other processes from interleaving theirs."""
    with lock:
        for k in range(5):
            with open(path, "a") as handle:
                handle.write(f"{tag} {k}\n")
            time.sleep(0.005)
    return tag


def append_block_kw(path, tag, lock=None):
    return append_block(path, tag, lock)


def sequential(func, sets):
    out = []
    for one in sets:
        if isinstance(one, dict):
            out.append(func(**one))
        elif isinstance(one, tuple):
            out.append(func(*one))
        else:
            out.append(func(one))
    return out


# ---------------------------------------------------------------- seed API


def test_process_pool_tuple_and_dict_sets_in_input_order():
    sets = [(3.0,), {"I": 22.0}, (30.0, 5.0), {"I": 30.0, "tau": 20.0}]
    results = bp.running.process_pool(lif_spike_count, sets, 2)
    assert results == sequential(lif_spike_count, sets)
    # The drive matters: stronger input, more spikes; below threshold, none.
    assert results[0] == [0, 0, 0, 0, 0]
    assert sum(results[2]) > sum(results[1]) > 0


def test_process_pool_rejects_sets_that_are_neither_tuple_nor_dict():
    with pytest.raises(ModelUseError, match=r"process_pool: parameter set #1 is a float.*tuple.*dict"):
        bp.running.process_pool(lif_spike_count, [(1.0,), 2.0], 2)
    with pytest.raises(ModelUseError, match="number of worker processes must be a positive integer, got 0"):
        bp.running.process_pool(lif_spike_count, [(1.0,)], 0)


def test_process_pool_names_the_failed_set_and_keeps_the_others():
    with pytest.raises(SweepError) as info:
        bp.running.process_pool(fail_on_two, [(1,), (2,), {"x": 3}], 2)
    assert "1 of 3 parameter sets failed" in str(info.value)
    assert "#1 (2,): ModelUseError: x = 2 is not allowed here" in str(info.value)
    assert info.value.results[0] == 101 and info.value.results[2] == 103
    assert isinstance(info.value.__cause__, ModelUseError)


def test_process_pool_lock_serialises_the_critical_section(tmp_path):
    path = str(tmp_path / "log.txt")
    # Tuples get the lock as the last positional argument, dicts as lock=...
    sets = [(path, "a"), {"path": path, "tag": "b"}, (path, "c"), {"path": path, "tag": "d"}]
    results = bp.running.process_pool_lock(append_block_kw, sets, 2)
    assert results == ["a", "b", "c", "d"]
    assert sets[1] == {"path": path, "tag": "b"}  # the caller's dicts are not modified
    tags = open(path).read().split()[0::2]
    blocks = [tags[i : i + 5] for i in range(0, 20, 5)]
    assert all(len(set(block)) == 1 for block in blocks), f"interleaved writes: {tags}"
    assert sorted(block[0] for block in blocks) == ["a", "b", "c", "d"]


def test_process_pool_lock_refuses_bad_sets():
    with pytest.raises(ModelUseError, match="#0 already has a 'lock' entry"):
        bp.running.process_pool_lock(append_block_kw, [{"path": "x", "tag": "a", "lock": 1}], 1)
    with pytest.raises(ModelUseError, match=r"process_pool_lock: parameter set #1 is a str"):
        bp.running.process_pool_lock(append_block_kw, [("x", "a"), "x"], 1)


# ---------------------------------------------------------------- sweep


def test_sweep_returns_results_in_input_order_whatever_the_completion_order():
    finished = []
    with ThreadPoolExecutor(max_workers=5) as pool:

        def record(x):
            value = finish_in_reverse(x)
            finished.append(x)
            return value

        assert bp.running.sweep(record, range(5), executor=pool, progress=False) == [0, 1, 4, 9, 16]
    assert finished == [4, 3, 2, 1, 0]


def test_sweep_default_pool_runs_engine_models_in_other_processes():
    sets = bp.running.grid(I=[18.0, 25.0], tau=[10.0, 20.0])
    assert sets == [
        {"I": 18.0, "tau": 10.0},
        {"I": 18.0, "tau": 20.0},
        {"I": 25.0, "tau": 10.0},
        {"I": 25.0, "tau": 20.0},
    ]
    assert bp.running.sweep(lif_spike_count, sets, max_workers=2, progress=False) == sequential(lif_spike_count, sets)
    pids = bp.running.sweep(worker_settings, range(4), max_workers=2, progress=False)
    assert os.getpid() not in {pid for *_, pid in pids}


def test_thread_pool_runs_engine_models_concurrently():
    # Kernels release the GIL; building networks from several threads at once must stay correct.
    sets = bp.running.grid(I=[18.0, 25.0, 35.0], tau=[10.0, 20.0]) * 3
    with ThreadPoolExecutor(4) as pool:
        assert bp.running.sweep(lif_spike_count, sets, executor=pool, progress=False) == sequential(
            lif_spike_count, sets
        )


def test_sweep_argument_forms():
    def show(*args, **kwargs):
        return args, kwargs

    with ThreadPoolExecutor(2) as pool:
        got = bp.running.sweep(show, [1.5, (1, 2), [3], {"a": 4}], executor=pool, progress=False)
    assert got == [((1.5,), {}), ((1, 2), {}), ((3,), {}), ((), {"a": 4})]


def test_sweep_failure_is_named_and_other_results_are_kept():
    with pytest.raises(SweepError) as info:
        bp.running.sweep(fail_on_two, [0, 1, 2, 3], max_workers=2, progress=False)
    error = info.value
    assert "sweep of fail_on_two: 1 of 4 parameter sets failed (3 results kept)" in str(error)
    assert "#2 2: ModelUseError: x = 2 is not allowed here" in str(error)
    assert error.results[:2] == [100, 101] and error.results[3] == 103
    (failure,) = error.failures
    assert error.results[2] is failure
    assert failure.index == 2 and failure.params == 2
    assert isinstance(failure.error, ModelUseError)
    # The traceback comes from the worker and starts at the user's function.
    assert "in fail_on_two" in failure.traceback and "run_task" not in failure.traceback
    # The error itself travels between processes (e.g. a sweep inside a Dask task).
    again = pickle.loads(pickle.dumps(error))
    assert again.results[:2] == [100, 101] and again.failures[0].index == 2


def test_sweep_errors_keep_returns_failures_in_place_and_warns():
    with pytest.warns(bp.errors.BrainlabWarning, match=r"#2 2: ModelUseError") as record:
        got = bp.running.sweep(fail_on_two, [0, 1, 2, 3], max_workers=2, progress=False, errors="keep")
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert got[:2] == [100, 101] and got[3] == 103
    assert isinstance(got[2], SweepFailure) and "x = 2" in repr(got[2])


def test_divergence_error_keeps_its_fields_across_processes():
    with pytest.raises(SweepError) as info:
        bp.running.sweep(diverge, [7], max_workers=1, progress=False)
    error = info.value.failures[0].error
    assert isinstance(error, DivergenceError)
    assert (error.object_name, error.field, error.index, error.time) == ("LIF0", "V", 7, 1.5)


def test_result_that_cannot_travel_back_is_a_named_failure():
    with pytest.raises(SweepError, match=r"#0 0: .*(pickle|lock)"):
        bp.running.sweep(return_unpicklable, [0], max_workers=1, progress=False)


def test_lambda_and_spawned_workers_get_the_function_by_value():
    # With spawn, workers import nothing of this process: lambdas travel by value (cloudpickle).
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        assert bp.running.sweep(lambda x: x * 3, [1, 2], executor=pool, progress=False) == [3, 6]
    assert bp.running.sweep(lambda x: -x, [1, 2], max_workers=1, progress=False) == [-1, -2]


def test_profile_settings_reach_spawned_workers():
    bp.profile.set(dt=0.025, numerical_method="exponential")
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        ((dt, method, pid),) = bp.running.sweep(worker_settings, [0], executor=pool, progress=False)
    assert pid != os.getpid()
    assert (dt, method) == (0.025, "exponential")


def test_threads_share_the_settings_without_changing_them():
    bp.profile.set(dt=0.05)
    with ThreadPoolExecutor(2) as pool:
        got = bp.running.sweep(worker_settings, range(4), executor=pool, progress=False)
    assert {(dt, pid) for dt, _, pid in got} == {(0.05, os.getpid())}
    assert bp.profile.get_dt() == 0.05


def test_given_executor_stays_open():
    with ThreadPoolExecutor(1) as pool:
        bp.running.sweep(fail_on_two, [0], executor=pool, progress=False)
        assert pool.submit(fail_on_two, 5).result() == 105


def test_progress_bar_counts_finished_runs(capsys):
    with ThreadPoolExecutor(2) as pool:
        bp.running.sweep(fail_on_two, [0, 1, 3], executor=pool, progress=True)
    err = capsys.readouterr().err
    assert "brainlab sweep" in err and "3/3" in err


def test_empty_sweep_returns_an_empty_list():
    assert bp.running.sweep(fail_on_two, [], progress=False) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"params": {"a": [1, 2]}}, r"sequence of sets.*got a dict.*grid"),
        ({"params": 5}, "must be an iterable"),
        ({"params": [{1: 2}]}, "#0 has a non-string key 1"),
        ({"params": [1], "errors": "ignore"}, "errors must be 'raise' or 'keep'"),
        ({"params": [1], "executor": 3}, "executor must be None.*got int"),
        ({"params": [1], "executor": ThreadPoolExecutor(1), "max_workers": 2}, "max_workers sizes only the default"),
        ({"params": [1], "max_workers": 1.5}, "positive integer, got 1.5"),
    ],
)
def test_sweep_usage_errors(kwargs, message):
    with pytest.raises(ModelUseError, match=message):
        bp.running.sweep(fail_on_two, progress=False, **kwargs)


def test_sweep_needs_a_function():
    with pytest.raises(ModelUseError, match="first argument must be the function to run"):
        bp.running.sweep([1, 2], [1])


@pytest.mark.parametrize(
    ("axes", "message"),
    [({}, "at least one parameter"), ({"g": 0.1}, r"g=\[0.1\]"), ({"g": "abc"}, "list or array"), ({"g": []}, "empty")],
)
def test_grid_usage_errors(axes, message):
    with pytest.raises(ModelUseError, match=message):
        bp.running.grid(**axes)


def test_grid_accepts_arrays_and_varies_the_last_axis_fastest():
    sets = bp.running.grid(a=np.array([1, 2]), b=range(3))
    assert [(s["a"], s["b"]) for s in sets] == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]


# ---------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_client():
    import distributed  # the test extra installs it: a missing Dask must fail, not skip

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_executor_runs_engine_models_in_input_order(dask_client):
    sets = bp.running.grid(I=[18.0, 25.0, 35.0], tau=[10.0, 20.0])
    expected = sequential(lif_spike_count, sets)
    assert bp.running.sweep(lif_spike_count, sets, executor=dask_client.get_executor(), progress=False) == expected
    # The client itself and the scheduler's address work the same way.
    assert bp.running.sweep(lif_spike_count, sets, executor=dask_client, progress=False) == expected
    address = dask_client.scheduler.address
    assert bp.running.sweep(lif_spike_count, sets[:2], executor=address, progress=False) == expected[:2]


def test_dask_workers_are_other_processes_with_the_sweeps_settings(dask_client):
    bp.profile.set(dt=0.02, numerical_method="rk4")
    got = bp.running.sweep(worker_settings, range(4), executor=dask_client, progress=False)
    assert {(dt, method) for dt, method, _ in got} == {(0.02, "rk4")}
    assert os.getpid() not in {pid for *_, pid in got}


def test_dask_failure_is_named_and_other_results_are_kept(dask_client):
    with pytest.raises(SweepError, match=r"#2 2: ModelUseError: x = 2") as info:
        bp.running.sweep(fail_on_two, range(5), executor=dask_client, progress=False)
    assert [r for i, r in enumerate(info.value.results) if i != 2] == [100, 101, 103, 104]
    assert "in fail_on_two" in info.value.failures[0].traceback


def test_dask_reruns_random_models_instead_of_reusing_results(dask_client):
    # The same parameter sets twice: a noisy model must be run again, not served from Dask's memory.
    first = bp.running.sweep(noisy, [0, 0, 0], executor=dask_client, progress=False)
    second = bp.running.sweep(noisy, [0, 0, 0], executor=dask_client, progress=False)
    assert len(set(first + second)) == 6


def test_dask_runs_lambdas(dask_client):
    assert bp.running.sweep(lambda x: x + 0.5, [1, 2, 3], executor=dask_client, progress=False) == [1.5, 2.5, 3.5]
