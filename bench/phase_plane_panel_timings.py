"""Timings of the phase-plane panel (``PhasePlanePanel``): what a slider change or a click waits for.

Usage::

    python bench/phase_plane_panel_timings.py               # table + JSON lines
    python bench/phase_plane_panel_timings.py --repeat 200

Measured, in one process after a warm-up (as in a notebook kernel), headless:
widget changes are serialised as for the front end (bqplot's binary arrays),
but nothing is sent, so the browser's transfer and rendering are not included.

* **compute**: a slider change of the input current, the panel's
  ``timings['compute_ms']`` — ``set_values`` then ``analyse()`` (two
  nullclines on a 300 × 300 grid, the 20 × 20 arrows, fixed points with
  stability). Target ≤ 50 ms.
* **draw**: the same changes, ``timings['draw_ms']`` — new data for the
  nullcline, arrow, fixed-point and label marks, under ``hold_sync``. Target ≤ 100 ms.
* **click**: a simulated click on the plane (the click mark's ``x`` and ``y``
  grow by one point) until the trajectory (100 time units through the
  engine, kernel already compiled), its jumps and the time course are drawn.
* **slider + 3 trajectories**: a slider change with three kept trajectories,
  which are simulated again from their starts (compute + draw + resimulation).

Models from ``brainlab.models``: FitzHugh–Nagumo, Izhikevich (resets, drawn as
jumps) and Morris–Lecar, at dt = 0.02 with RK4 (as ``bench/phase_plane_timings.py``).
Each slider change moves the current over 20 values of a range inside the
slider's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import brainlab as bp
from brainlab.models import get_FitzHughNagumo, get_Izhikevich, get_MorrisLecar
from brainlab_widgets.phase_plane_panel import PhasePlanePanel

TARGETS = {"compute": 50.0, "draw": 100.0}


def _cases() -> dict:
    return {
        "FitzHugh-Nagumo": (
            lambda: PhasePlanePanel(get_FitzHughNagumo(), {"V": [-3, 3], "w": [-3, 3]}, fixed_vars={"I_ext": 0.8}),
            (0.0, 1.5),
            [(-2.8, -1.8), (-0.2, 0.5), (1.5, 1.0)],
        ),
        "Izhikevich": (
            lambda: PhasePlanePanel(
                get_Izhikevich(), {"V": [-80, 40], "u": [-20, 10]}, fixed_vars={"I_ext": 10.0}, sliders={"c": None}
            ),
            (0.0, 20.0),
            [(-70.0, -14.0), (-60.0, -5.0), (-50.0, 0.0)],
        ),
        "Morris-Lecar": (
            lambda: PhasePlanePanel(get_MorrisLecar(), {"V": [-80, 60], "W": [0.0, 1.0]}, fixed_vars={"I_ext": 100.0}),
            (50.0, 150.0),
            [(-60.0, 0.0), (0.0, 0.3), (-20.0, 0.1)],
        ),
    }


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
        "max_ms": ordered[-1],
        "samples": len(ordered),
    }


def _click(panel: PhasePlanePanel, x: float, y: float) -> None:
    marks = panel.click_marks
    with marks.hold_sync():  # as a click arrives: both arrays in one message
        marks.x, marks.y = np.append(marks.x, x), np.append(marks.y, y)


def measure(repeat: int) -> list[dict]:
    """Run every measurement; return one record per row."""
    bp.profile.set(dt=0.02, numerical_method="rk4")
    records = []
    for name, (make, (lo, hi), starts) in _cases().items():
        panel = make()
        slider = panel.sliders["I_ext"]
        panel.add_trajectory(*starts[0])  # compile the simulation kernel once
        panel.clear()
        values = [lo + (hi - lo) * (k % 20) / 19 for k in range(repeat)]
        compute, draw = [], []
        for value in values:
            slider.value = value if value != slider.value else value + 1e-3
            assert panel.last_message == "", panel.last_message
            compute.append(panel.timings["compute_ms"])
            draw.append(panel.timings["draw_ms"])
        clicks = []
        for k in range(len(starts) * max(2, repeat // 30)):
            if k % len(starts) == 0:
                panel.clear()
            t0 = time.perf_counter()
            _click(panel, *starts[k % len(starts)])
            clicks.append(1e3 * (time.perf_counter() - t0))
            assert len(panel.trajectories) == k % len(starts) + 1 and panel.last_message == ""
        assert len(panel.trajectories) == 3
        with_runs = []
        for value in values[: max(6, repeat // 10)]:
            t0 = time.perf_counter()
            slider.value = value if value != slider.value else value + 1e-3
            with_runs.append(1e3 * (time.perf_counter() - t0))
        records.append({"row": f"compute: {name}", **_summary(compute), "target_ms": TARGETS["compute"]})
        records.append({"row": f"draw: {name}", **_summary(draw), "target_ms": TARGETS["draw"]})
        records.append({"row": f"click -> trajectory drawn: {name}", **_summary(clicks), "target_ms": None})
        records.append({"row": f"slider + 3 trajectories: {name}", **_summary(with_runs), "target_ms": None})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="slider changes per model (default 100)")
    args = parser.parse_args()
    records = measure(args.repeat)
    print("| measurement | median ms | p90 ms | max ms | target ms |")
    print("|---|---:|---:|---:|---:|")
    for r in records:
        target = "" if r["target_ms"] is None else f"≤ {r['target_ms']:.0f}"
        print(f"| {r['row']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['max_ms']:.1f} | {target} |")
    for r in records:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
