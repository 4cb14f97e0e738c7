"""brainlab's side of the benchmark: one measurement per process, one JSON object on the last line.

Usage::

    python -m bench.workloads.brainlab_runs coba --n 4000
    python -m bench.workloads.brainlab_runs floor --n 4000
    python -m bench.workloads.brainlab_runs gamma --form idiomatic [--float32]
    python -m bench.workloads.brainlab_runs gamma-floor
    python -m bench.workloads.brainlab_runs rerun --net gamma|lif1000

``--plain`` compiles the code as written (``fast_loops=False``,
``vector_math=False``, Numba ``fastmath=False``): the baseline of the speed-ups.

The kernel cache is wherever ``BRAINLAB_CACHE_DIR`` and ``NUMBA_CACHE_DIR``
point, so the caller decides whether a build is cold or warm.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from bench.workloads import coba_params as P


def _coba(n: int) -> dict:
    from bench.workloads.brainlab_coba import coba_network, reset_state

    net, group = coba_network(n, mode="repeat")
    first = net.run(P.DURATION)
    spikes = int(group.ST["count"].sum())
    reset_state(group)
    steady = net.run(P.DURATION)
    assert int(group.ST["count"].sum()) == spikes, "the repeat run must reproduce the first"
    return {
        "build_s": first.compile_s,
        "cache_hit": first.cache_hit,
        "first_run_s": first.run_s,
        "run_s": steady.run_s,
        "steps": steady.steps_done,
        "spikes": spikes,
        "rate_hz": spikes / n / (P.DURATION / 1000.0),
    }


def _floor(n: int) -> dict:
    from bench.workloads.brainlab_coba import coba_network
    from bench.workloads.coba_floor import FloorCOBA

    net, group = coba_network(n)  # the same connectivity and initial voltages as brainlab's run
    exc, inh = net.objects[1], net.objects[2]
    floor = FloorCOBA(group.ST["V"], (exc.pre_ids, exc.post_ids), (inh.pre_ids, inh.post_ids), P.sizes(n)[0])
    steps = round(P.DURATION / P.DT)
    t0 = time.perf_counter()
    floor.run(1)  # compiles (or loads from Numba's cache)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = floor.run(steps)
    first_run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = floor.run(steps)
    run_s = time.perf_counter() - t0
    spikes = int(counts.sum())
    return {"build_s": build_s, "first_run_s": first_run_s, "run_s": run_s, "steps": steps, "spikes": spikes,
            "rate_hz": spikes / n / (P.DURATION / 1000.0)}  # fmt: skip


def _gamma(form: str) -> dict:
    import brainlab as bp
    from bench.workloads import brainlab_gamma

    build = brainlab_gamma.seed_network if form == "seed" else brainlab_gamma.idiomatic_network
    net, neurons = build()
    initial = {field: neurons.ST[field].copy() for field in neurons.ST.keys()}
    synapses = net.objects[1]
    syn_initial = {field: synapses.ST[field].copy() for field in synapses.ST.keys()}
    net.mode = "repeat"
    inputs = [neurons, "ST.input", 1.2]
    t0 = time.perf_counter()
    first = net.run(500.0, inputs=inputs)
    first_total_s = time.perf_counter() - t0
    spike_matrix = neurons.mon.spike.copy()
    for field, value in initial.items():
        neurons.ST[field] = value
    for field, value in syn_initial.items():
        synapses.ST[field] = value
    steady = net.run(500.0, inputs=inputs)
    settled = spike_matrix[round(100.0 / 0.04) :]
    spikes = int(spike_matrix.sum())
    return {
        "build_s": first.compile_s,
        "cache_hit": first.cache_hit,
        "first_run_s": first.run_s,
        "first_total_s": first_total_s,
        "run_s": steady.run_s,
        "steps": steady.steps_done,
        "spikes": spikes,
        "rate_hz": spikes / neurons.num / 0.5,
        "frequency_hz": bp.measure.population_frequency(settled, dt=0.04),
        "kappa": bp.measure.cross_correlation(settled, bin_size=25),
    }


def _gamma_floor() -> dict:
    from bench.workloads.gamma_floor import FloorGamma

    floor = FloorGamma()
    steps = round(500.0 / 0.04)
    t0 = time.perf_counter()
    floor.run(1)  # compiles (or loads from Numba's cache)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    spikes = int(floor.run(steps).sum())
    first_run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    floor.run(steps)
    run_s = time.perf_counter() - t0
    return {"build_s": build_s, "first_run_s": first_run_s, "run_s": run_s, "steps": steps, "spikes": spikes,
            "rate_hz": spikes / 100 / 0.5}  # fmt: skip


def _rerun(net_name: str) -> dict:
    """Wall time of ``net.run`` after a parameter change in repeat mode (the slider case)."""
    if net_name == "gamma":
        from bench.workloads.brainlab_gamma import idiomatic_network

        net, neurons = idiomatic_network()
        net.mode = "repeat"
        duration, inputs = 500.0, [neurons, "ST.input", 1.2]
        group, parameter, values = neurons, "gNa", (35.0, 36.0)
    else:
        from bench.workloads.brainlab_coba import coba_network

        net, neurons = coba_network(1000, mode="repeat")
        duration, inputs = 500.0, None
        group, parameter, values = neurons, "I_ext", (20.0, 21.0)
    net.run(duration, inputs=inputs)  # build
    times, compiled = [], False
    for k in range(5):
        group.pars[parameter] = values[k % 2]
        t0 = time.perf_counter()
        info = net.run(duration, inputs=inputs)
        times.append(time.perf_counter() - t0)
        compiled |= info.compiled
    return {"rerun_s": float(np.median(times)), "rerun_min_s": min(times), "recompiled": compiled,
            "first_step_s": info.compile_s, "steps": info.steps_done}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["coba", "floor", "gamma", "gamma-floor", "rerun"])
    parser.add_argument("--n", type=int, default=P.N_DEFAULT)
    parser.add_argument("--form", choices=["seed", "idiomatic"], default="idiomatic")
    parser.add_argument("--float32", action="store_true")
    parser.add_argument(
        "--plain", action="store_true", help="compile as written: no loop rewrites, libm exp, no fastmath"
    )
    parser.add_argument("--net", choices=["gamma", "lif1000"], default="gamma")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the seed's 0.5 ms delay is rounded to 0.52 ms, with a warning

    t_start = time.perf_counter()
    import brainlab as bp

    if args.float32:
        bp.profile.set(float_type=np.float32)
    if args.plain:  # the baseline the speed-ups are measured against
        bp.profile.set(fast_loops=False, vector_math=False)
        bp.profile.set_numba_profile(fastmath=False)
    peer = "brainlab" + (" float32" if args.float32 else "") + (" plain" if args.plain else "")
    record: dict = {"peer": peer, "version": bp.__version__}
    if args.workload == "coba":
        record |= {"workload": "coba", "n": args.n, **_coba(args.n)}
    elif args.workload == "floor":
        record |= {"peer": "numba floor", "workload": "coba", "n": args.n, **_floor(args.n)}
    elif args.workload == "gamma-floor":
        record |= {"peer": "numba floor (per synapse)", "workload": "gamma seed", "n": 100, **_gamma_floor()}
    elif args.workload == "gamma":
        record |= {"workload": f"gamma {args.form}", "n": 100, **_gamma(args.form)}
    else:
        record |= {"workload": f"rerun {args.net}", **_rerun(args.net)}
    record["process_s"] = time.perf_counter() - t_start
    print(json.dumps(record))


if __name__ == "__main__":
    main()
