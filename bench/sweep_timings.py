"""Wall time of a parameter sweep: one process, the default process pool, a Dask LocalCluster.

Usage::

    python bench/sweep_timings.py                   # 8 runs, 2 workers, 3 repetitions
    python bench/sweep_timings.py --runs 16 --workers 4 --duration 300

The workload is the quickstart gamma network (100 HH neurons, 9 900 GABA-A
synapses, dt = 0.04 ms) run for ``--duration`` ms at ``--runs`` values of the
synaptic conductance g_max. Each way of running the sweep is timed end to end,
including starting its workers (the pool is created by the sweep; the Dask
cluster is started before the timing, as a user's cluster would already be
running). The kernel is compiled once before any timing, so workers load it
from the disk cache. Prints the median and min-max of ``--repeat`` sweeps and
the speed-up over one process.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings

import numpy as np

import brainlab as bp
from brainlab.demo import gamma_network
from brainlab.errors import DelayRoundingWarning


def gamma_rate(g_max: float, duration: float) -> float:
    """Mean firing rate (Hz) of the gamma network at total conductance ``g_max``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DelayRoundingWarning)
        net, neurons, synapses = gamma_network()
    synapses.pars["g_max"] = g_max / neurons.num
    net.run(duration, inputs=[neurons, "ST.input", 1.2])
    return float(neurons.mon.spike.sum() / neurons.num / (duration / 1000.0))


def sequential(sets: list[dict]) -> list[float]:
    """The reference: the same runs one after the other in this process."""
    return [gamma_rate(**one) for one in sets]


def timed(call, repeat: int) -> tuple[list[float], list]:
    """Time ``repeat`` calls of ``call``; return the times and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="parameter sets per sweep (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--duration", type=float, default=200.0, help="simulated ms per run (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="timed sweeps per way (default 3)")
    args = parser.parse_args()
    bp.profile.set(dt=0.04)
    sets = bp.running.grid(g_max=np.linspace(0.05, 0.2, args.runs).tolist(), duration=[args.duration])
    gamma_rate(**sets[0])  # compile (or load) the kernel once, before any timing

    ways = {"one process": lambda: sequential(sets)}
    ways["process pool"] = lambda: bp.running.sweep(gamma_rate, sets, max_workers=args.workers, progress=False)
    cluster = client = None
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask not installed (pip install 'brainlab[distributed]'): skipping the Dask case")
    else:
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        )
        client = Client(cluster)
        ways["Dask LocalCluster"] = lambda: bp.running.sweep(gamma_rate, sets, executor=client, progress=False)

    print(f"{args.runs} runs of {args.duration:g} ms, {args.workers} workers")
    print(f"{'way':<20} {'median s':>9} {'min-max s':>13} {'speed-up':>9}")
    reference = None
    base = None
    try:
        for label, call in ways.items():
            times, result = timed(call, args.repeat)
            if reference is None:
                reference, base = result, statistics.median(times)
            elif result != reference:
                raise SystemExit(f"{label}: results differ from one process: {result} != {reference}")
            median = statistics.median(times)
            spread = f"{min(times):.2f}-{max(times):.2f}"
            print(f"{label:<20} {median:>9.2f} {spread:>13} {base / median:>8.2f}x", flush=True)
    finally:
        if client is not None:
            client.close()
            cluster.close()


if __name__ == "__main__":
    main()
