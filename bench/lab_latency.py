"""End-to-end latency of the live lab (issue 8), measured in a real Jupyter kernel.

Usage::

    python bench/lab_latency.py                 # table + JSON lines
    python bench/lab_latency.py --trials 20

A kernel is started with ``jupyter_client`` (as JupyterLab or Voila would) and
``Lab.from_network(name)`` is built in it and run once (that compiles). Then,
from this process, as a browser would:

* **slider → frame**: a slider value is sent as a ``comm_msg`` (what the
  front end sends when a slider is released) and the clock stops when the
  first update of the raster's mark with new ``x`` data arrives on IOPub.
  That covers the debounce (0.1 s), restoring the state, lowering, the first
  chunk of the kernel, drawing and the messages both ways. Target ≤ 0.3 s.
* **Stop** (gamma; the E/I network's 5 s run is over in ~0.4 s, so there is
  nothing to stop): during a 5 s run of the same network (a second lab), from the
  click on Stop to the status line that reports the stopped run. Target ≤ 0.3 s.
* **frames/s**: raster updates per second of wall time while that run streams.
  Target ≥ 10.

Networks: the seed's gamma network (100 Wang–Buzsáki neurons, all-to-all
GABA-A, dt = 0.04 ms, 500 ms runs) and a 1 000-neuron balanced E/I network of
LIF neurons (dt = 0.1 ms, 500 ms runs; its raster has ~30 000 points and uses WebGL).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from brainlab_widgets.kernel_driver import KernelDriver

#: Network → (slider, two values it alternates between, whether a 5 s run lasts long enough to stop it).
CASES = {
    "gamma": ("synapses.g_max", (0.0008, 0.0012), True),
    "EI_balance": ("exc.w", (3.5, 4.5), False),  # a 5 s run takes ~0.4 s of wall time
}

SETUP = """
import json
from brainlab_widgets.lab import Lab
lab = Lab.from_network({name!r})
lab.session.wait(300)
long = Lab.from_network({name!r}, duration=5_000.0, autorun=False)
long.session.run(); long.session.wait(300)  # same structure: its kernel is the first lab's
marks = lambda lab: [m.model_id for m in lab.raster.raster_marks]
print(json.dumps(dict(slider=lab.params[{slider!r}].model_id, scatter=marks(lab),
                      run=long.session.run_button.model_id, stop=long.session.stop_button.model_id,
                      status=long.session.status.model_id, long_scatter=marks(long))))
"""


def _measure(driver: KernelDriver, name: str, trials: int) -> dict:
    slider, values, stoppable = CASES[name]
    ids = json.loads(driver.execute(SETUP.format(name=name, slider=slider), timeout=600).strip().splitlines()[-1])
    latencies, recompiles = [], []
    for k in range(trials):
        sent = driver.set_state(ids["slider"], value=values[k % 2])
        frame = driver.wait_for_update(tuple(ids["scatter"]), "x", timeout=30, after=sent)
        latencies.append(frame.time - sent)
        assert driver.evaluate("lab.session.wait(60)")
        recompiles.append(driver.evaluate("lab.session.timings['recompiled']"))
    stops, fps = [], []
    for _ in range(max(3, trials // 4) if stoppable else 0):
        sent = driver.click(ids["run"])
        first = driver.wait_for_update(tuple(ids["long_scatter"]), "x", timeout=30, after=sent)
        frames = driver.collect(1.0)
        streamed = [u for u in frames if u.model_id in ids["long_scatter"] and "x" in u.keys]
        fps.append(len(streamed) / max(1e-9, (frames[-1].time if frames else first.time) - first.time))
        stop = driver.click(ids["stop"])
        status = driver.wait_for_update(ids["status"], "value", timeout=30, after=stop)
        assert "stopped" in status.state.get("value", "")
        stops.append(status.time - stop)
        assert driver.evaluate("long.session.wait(30)")
    return {
        "network": name,
        "slider_to_frame_median_s": statistics.median(latencies),
        "slider_to_frame_max_s": max(latencies),
        "recompiled_any": any(recompiles),
        "stop_median_s": statistics.median(stops) if stops else None,
        "stop_max_s": max(stops) if stops else None,
        "frames_per_s_median": statistics.median(fps) if fps else None,
        "trials": trials,
        "kernel_first_frame_ms": driver.evaluate("lab.session.timings['first_frame_ms']"),
    }


def main() -> None:
    """Measure each network in a fresh kernel; print a table and JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--networks", nargs="*", default=list(CASES))
    args = parser.parse_args()
    rows = []
    for name in args.networks:
        start = time.perf_counter()
        with KernelDriver() as driver:
            rows.append(_measure(driver, name, args.trials))
        rows[-1]["wall_s"] = time.perf_counter() - start
    print(f"{'network':12s} {'slider→frame median/max':>24s} {'Stop median/max':>18s} {'frames/s':>9s}  recompiled")
    for r in rows:
        stop = "—" if r["stop_median_s"] is None else f"{1e3 * r['stop_median_s']:.0f} / {1e3 * r['stop_max_s']:.0f} ms"
        fps = "—" if r["frames_per_s_median"] is None else f"{r['frames_per_s_median']:.1f}"
        latency = f"{1e3 * r['slider_to_frame_median_s']:.0f} / {1e3 * r['slider_to_frame_max_s']:.0f} ms"
        print(f"{r['network']:12s} {latency:>24s} {stop:>18s} {fps:>9s}  {r['recompiled_any']}")
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
