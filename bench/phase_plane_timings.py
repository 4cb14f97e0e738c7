"""Timings of dynamics analysis (issue 5): what a live phase-plane or bifurcation panel waits for.

Usage::

    python bench/phase_plane_timings.py               # table + JSON lines
    python bench/phase_plane_timings.py --repeat 200

Measured, in one process after a warm-up (as in a notebook kernel):

* **recompute**: a parameter change and the whole 2-D phase plane again —
  ``set_values(...)`` then ``analyse()``: two nullclines (300 × 300 grid),
  the 20 × 20 vector field and the fixed points with stability. Target ≤ 50 ms.
  Models: FitzHugh–Nagumo (the seed's), Izhikevich (quadratic, reset) and
  Hodgkin–Huxley in the (V, n) plane with m and h frozen (exponentials).
  The parameter swept is the input current, over 20 values per repetition cycle.
* **trajectory**: one click-to-trajectory, 100 time units with the model's step
  function through the engine (kernel already compiled).
* **codim-1**: the FitzHugh–Nagumo continuation in I ∈ [0, 2] with Hopf points,
  Lyapunov coefficients and the limit-cycle scan (warm).

The models come from ``brainlab.models``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import brainlab as bp
from brainlab.models import get_FitzHughNagumo, get_HH, get_Izhikevich


def _cases() -> dict:
    return {
        "FitzHugh-Nagumo": (
            lambda: bp.PhasePortraitAnalyzer(
                get_FitzHughNagumo(), {"V": [-3, 3], "w": [-3, 3]}, fixed_vars={"I_ext": 0.8}
            ),
            "I_ext",
            (0.0, 1.5),
            (-2.8, -1.8, 100.0),
        ),
        "Izhikevich": (
            lambda: bp.PhasePortraitAnalyzer(
                get_Izhikevich(), {"V": [-80, 40], "u": [-20, 10]}, fixed_vars={"I_ext": 0.0}
            ),
            "I_ext",
            (-5.0, 10.0),
            (-70.0, -14.0, 100.0),
        ),
        "HH (V, n), m h frozen": (
            lambda: bp.PhasePortraitAnalyzer(
                get_HH(), {"V": [-90, 40], "n": [0.0, 1.0]}, fixed_vars={"m": 0.05, "h": 0.6, "I_ext": 0.0}
            ),
            "I_ext",
            (0.0, 20.0),
            (-60.0, 0.3, 100.0),
        ),
    }


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": 1e3 * statistics.median(ordered),
        "p90_ms": 1e3 * ordered[int(0.9 * (len(ordered) - 1))],
        "max_ms": 1e3 * ordered[-1],
    }


def measure(repeat: int) -> list[dict]:
    """Run every measurement; return one record per row."""
    bp.profile.set(dt=0.02, numerical_method="rk4")
    records = []
    for name, (make, par, (lo, hi), start) in _cases().items():
        analyzer = make()
        analyzer.analyse()
        analyzer.trajectories([start])  # compile the simulation kernel once
        recompute = []
        for k in range(repeat):
            value = lo + (hi - lo) * (k % 20) / 19
            t0 = time.perf_counter()
            analyzer.set_values(fixed_vars={par: value})
            data = analyzer.analyse()
            recompute.append(time.perf_counter() - t0)
        assert len(data.nullclines) == 2 and data.vector_field.derivatives.shape == (2, 20, 20)
        click = []
        for _ in range(max(5, repeat // 20)):
            t0 = time.perf_counter()
            analyzer.trajectories([start])
            click.append(time.perf_counter() - t0)
        records.append({"row": f"recompute: {name}", **_summary(recompute), "samples": repeat})
        records.append({"row": f"trajectory: {name}", **_summary(click), "samples": len(click)})
    analyzer = bp.BifurcationAnalyzer(
        get_FitzHughNagumo(), {"I_ext": [0.0, 2.0]}, {"V": [-3, 3], "w": [-3, 3]}, par_resolution=0.01
    )
    analyzer.codim1()
    runs = []
    for _ in range(3):
        analyzer.set_values(pars_update={"a": 0.7})
        t0 = time.perf_counter()
        result = analyzer.compute()
        runs.append(time.perf_counter() - t0)
    assert len(result.points("hopf")) == 2
    records.append({"row": "codim-1: FitzHugh-Nagumo, I in [0, 2]", **_summary(runs), "samples": len(runs)})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="parameter changes per model (default 100)")
    args = parser.parse_args()
    records = measure(args.repeat)
    print("| measurement | median ms | p90 ms | max ms |")
    print("|---|---:|---:|---:|")
    for r in records:
        print(f"| {r['row']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['max_ms']:.1f} |")
    for r in records:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
