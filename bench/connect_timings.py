"""Timings of the connectors of brainlab.connect.

Usage::

    python bench/connect_timings.py             # every case, 3 repetitions
    python bench/connect_timings.py --repeat 5

Measured (all in one process, seeds fixed, a group connected to itself):

* ``FixedProb(p = 80 / N, include_self=False)`` for N = 4 000, 16 000 and
  64 000 neurons (N x N pairs, about 80 synapses per neuron); target: 64 000
  in at most 2 s;
* ``FixedPreNum(80)`` and ``FixedPostNum(80)`` on 64 000 neurons;
* ``GaussianProb`` (sigma = 2 cells, p_min = 0.01) and ``GridEight`` on a
  200 x 200 grid (40 000 neurons);
* ``GaussianWeight`` and ``DOG`` on a 100 x 100 grid (normalized positions).

Each case is called once first, untimed, so that the Numba-compiled helpers are
loaded (or compiled) before the measurement. Prints the median and the min-max
of ``--repeat`` calls and the number of synapses.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from brainlab import connect


def cases() -> list[tuple[str, Callable[[], tuple]]]:
    """Return the (label, call) pairs to time."""
    out = []
    for n in (4_000, 16_000, 64_000):
        out.append((f"FixedProb(80/N) N={n}", lambda n=n: connect.FixedProb(80 / n, include_self=False, seed=0)(n)))
    n = 64_000
    out.append((f"FixedPreNum(80) N={n}", lambda: connect.FixedPreNum(80, include_self=False, seed=0)(n)))
    out.append((f"FixedPostNum(80) N={n}", lambda: connect.FixedPostNum(80, include_self=False, seed=0)(n)))
    grid = (200, 200)
    out.append(
        (
            "GaussianProb(2 cells, p_min=.01) 200x200",
            lambda: connect.GaussianProb(2.0, p_min=0.01, normalize=False, seed=0)(grid),
        )
    )
    out.append(("GridEight 200x200", lambda: connect.GridEight()(grid)))
    small = (100, 100)
    out.append(("GaussianWeight(0.05, 1) 100x100", lambda: connect.GaussianWeight(0.05, 1.0)(small)))
    out.append(("DOG([.03, .06], [1, .7]) 100x100", lambda: connect.DOG([0.03, 0.06], [1.0, 0.7])(small)))
    return out


def measure(call: Callable[[], tuple], repeat: int) -> tuple[list[float], int]:
    """Time ``repeat`` calls after one untimed warm-up; return the times and the synapse count."""
    synapses = call()[0].size
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
        del result
    return times, synapses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per case (default 3)")
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(f"{'case':<42} {'median s':>9} {'min-max s':>15} {'synapses':>11}")
    for label, call in cases():
        if args.only and args.only not in label:
            continue
        times, synapses = measure(call, args.repeat)
        spread = f"{min(times):.3f}-{max(times):.3f}"
        print(f"{label:<42} {statistics.median(times):>9.3f} {spread:>15} {synapses:>11,}", flush=True)


if __name__ == "__main__":
    main()
