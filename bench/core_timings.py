"""Timings of the engine core (issue 2): per-step overhead, gamma network build and run.

Usage::

    python bench/core_timings.py            # all measurements, a table and JSON lines
    python bench/core_timings.py --repeat 5

Measured:

* per-step overhead: a 10-neuron scalar-mode LIF network run for 10^6 steps
  (run time / steps; the work per step is negligible, so this is the cost of
  the time loop, the schedule and the function calls of one step);
* gamma network (the seed's quickstart, 100 HH + 9 900 GABA-A synapses):
  cold build (empty kernel cache, fresh process), warm build (filled cache, fresh
  process), the 500 ms run (dt = 0.04 ms) after the build, without synapse
  monitors, and the time a rerun after a parameter change spends before its
  first step (lowering, source hash, no compile).

Each number is the median of ``--repeat`` fresh processes, with min and max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

LIF_CODE = """
import numpy as np
import brainlab as bp

tau, V_rest, V_th, V_reset = 10.0, -65.0, -50.0, -65.0

@bp.integrate
def int_V(V, t, I):
    return (-(V - V_rest) + I) / tau

def update(ST, _t):
    V = int_V(ST["V"], _t, ST["input"])
    if V >= V_th:
        V = V_reset
        ST["spike"] = 1.0
    else:
        ST["spike"] = 0.0
    ST["V"] = V
    ST["input"] = 0.0
"""


def _child_lif(steps: int) -> dict:
    import importlib.util

    import brainlab as bp

    # Model functions need readable source: write them to a file and import it.
    path = os.path.join(tempfile.mkdtemp(), "lif_model.py")
    with open(path, "w") as handle:
        handle.write(LIF_CODE)
    spec = importlib.util.spec_from_file_location("lif_model", path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    LIF = bp.NeuType(name="LIF", ST=bp.types.NeuState({"V": -65.0, "input": 0.0, "spike": 0.0}),
                     steps=m.update, mode="scalar")  # fmt: skip
    group = bp.NeuGroup(LIF, 10)
    net = bp.Network(group, mode="repeat")
    duration = steps * bp.profile.get_dt()
    net.run(duration, inputs=[group, "ST.input", 20.0])  # build
    info = net.run(duration, inputs=[group, "ST.input", 20.0])
    return {"per_step_us": info.run_s / steps * 1e6, "steps": steps}


def _child_gamma() -> dict:
    import warnings

    import brainlab as bp
    from brainlab.demo import gamma_network

    warnings.simplefilter("ignore")
    bp.profile.set(dt=0.04)
    t0 = time.perf_counter()
    net, neurons, _ = gamma_network()
    info = net.run(500.0, inputs=[neurons, "ST.input", 1.2])
    total = time.perf_counter() - t0
    neurons.pars["gNa"] = 36.0  # a parameter change, then a rerun: no compile
    rerun = net.run(500.0, inputs=[neurons, "ST.input", 1.2])
    assert not rerun.compiled
    return {
        "build_s": info.compile_s,
        "cache_hit": info.cache_hit,
        "run_500ms_s": info.run_s,
        "process_total_s": total,
        "rerun_overhead_s": rerun.compile_s,
    }


def _spawn(kind: str, cache: str, extra: list[str] | None = None) -> dict:
    env = dict(os.environ, BRAINLAB_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, __file__, "--child", kind, *(extra or [])], env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):9.3f}  ({min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["lif", "gamma"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.child == "lif":
        print(json.dumps(_child_lif(args.steps)))
        return
    if args.child == "gamma":
        print(json.dumps(_child_gamma()))
        return

    lif, cold, warm = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            lif.append(_spawn("lif", cache, ["--steps", str(args.steps)]))
            cold.append(_spawn("gamma", cache))
            warm.append(_spawn("gamma", cache))
    for record in (*lif, *cold, *warm):
        print(json.dumps(record))
    assert not any(c["cache_hit"] for c in cold) and all(w["cache_hit"] for w in warm)
    print(f"\nmedian (min–max) of {args.repeat} fresh processes")
    print(f"per-step overhead, 10 scalar LIF (us/step) {_summary([r['per_step_us'] for r in lif])}")
    print(f"gamma network cold build (s)               {_summary([r['build_s'] for r in cold])}")
    print(f"gamma network warm build (s)               {_summary([r['build_s'] for r in warm])}")
    print(f"gamma network 500 ms run (s)               {_summary([r['run_500ms_s'] for r in cold + warm])}")
    print(
        f"gamma rerun after a parameter change: time before the first step (s) "
        f"{_summary([r['rerun_overhead_s'] for r in cold + warm])}"
    )


if __name__ == "__main__":
    main()
