"""Timings of the bifurcation panel: what a user waits for after Compute and after a click.

Usage::

    python bench/bifurcation_panel_timings.py               # table + JSON lines
    python bench/bifurcation_panel_timings.py --repeat 50

Measured headless, in one process after a warm-up (as in a notebook kernel):
the widgets' update messages are built (serialised) as with a front end
attached, but go to a dummy comm, so their transport and the browser's
rendering are not included:

* **first panel**: constructing the FitzHugh–Nagumo codim-1 panel once, cold:
  the analyser's compilation, the continuation, the limit-cycle simulation
  (its kernel compiled or loaded from the cache) and the first draw.
* **compute**: the Compute button again (warm): ``panel.compute()`` as timed by
  the panel (``timings['compute_ms']``), for the FitzHugh–Nagumo codim-1 panel
  (I_ext in [0, 2], Hopf points, Lyapunov coefficients, cycle scan) and a codim-2
  panel (a in [0.5, 1], I_ext in [0, 1]: 21 branches and the Hopf curve).
* **draw**: ``panel.draw()``: all marks filled from the result, starting from
  empty marks (codim-1: branch pieces NaN-joined, special points, cycle extrema;
  codim-2: the curves).
* **click → linked update**: a click simulated as the front end sends it (the
  click layer's ``x`` and ``y`` set in one message) until every linked view has
  the value: a recording stand-in for a phase-plane panel and a real
  ``Session`` (its run input via ``set_input``; codim-2 also a group parameter
  via ``set_parameter``). The session's debounce is long, so the reruns it is
  asked for do not run during the measurement (they are the session's cost).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import brainlab as bp
from brainlab.models import get_FitzHughNagumo
from brainlab_widgets.bifurcation_panel import BifurcationPanel
from brainlab_widgets.session import Session

FHN_VARS = {"V": [-3, 3], "w": [-3, 3]}


class _Recorder:
    """Stands for a PhasePlanePanel: takes set_parameter(name, value)."""

    def __init__(self) -> None:
        self.calls = 0

    def set_parameter(self, name: str, value: float) -> None:
        self.calls += 1


def _summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    return {
        "median_ms": statistics.median(ordered),
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
        "max_ms": ordered[-1],
        "samples": len(ordered),
    }


def _click(panel: BifurcationPanel, x: float, y: float) -> None:
    with panel.click_marks.hold_trait_notifications():
        panel.click_marks.x = np.append(panel.click_marks.x, x)
        panel.click_marks.y = np.append(panel.click_marks.y, y)


def _panel_rows(name: str, panel: BifurcationPanel, repeat: int) -> list[dict]:
    computes, draws = [], []
    for _ in range(max(3, repeat // 5)):
        panel.compute()
        computes.append(panel.timings["compute_ms"])
    result = panel.result
    for _ in range(repeat):
        panel.result = None  # empty the marks first, so that every draw sends new data
        panel.draw()
        panel.result = result
        t0 = time.perf_counter()
        panel.draw()
        draws.append(1e3 * (time.perf_counter() - t0))
    return [
        {"row": f"compute: {name}", **_summary(computes)},
        {"row": f"draw: {name}", **_summary(draws)},
    ]


def _click_row(name: str, panel: BifurcationPanel, points: list[tuple[float, float]], check) -> dict:
    samples = []
    for x, y in points:
        t0 = time.perf_counter()
        _click(panel, x, y)
        samples.append(1e3 * (time.perf_counter() - t0))
        check(x, y)
    assert panel.last_message == "", panel.last_message
    return {"row": f"click → linked update: {name}", **_summary(samples)}


def measure(repeat: int) -> list[dict]:
    """Run every measurement; return one record per row."""
    bp.profile.set(dt=0.02, numerical_method="rk4")
    records = []
    t0 = time.perf_counter()
    codim1 = BifurcationPanel(get_FitzHughNagumo(), {"I_ext": [0.0, 2.0]}, FHN_VARS)
    first = 1e3 * (time.perf_counter() - t0)
    assert len(codim1.result.points("hopf")) == 2, codim1.last_message
    records.append({"row": "first panel (cold): FitzHugh-Nagumo codim-1", **_summary([first])})
    records += _panel_rows("FitzHugh-Nagumo codim-1, I_ext in [0, 2]", codim1, repeat)
    codim2 = BifurcationPanel(get_FitzHughNagumo(), {"a": [0.5, 1.0], "I_ext": [0.0, 1.0]}, FHN_VARS)
    assert any(c.kind == "hopf" for c in codim2.result.curves), codim2.last_message
    records += _panel_rows("FitzHugh-Nagumo codim-2, a x I_ext", codim2, repeat)

    group = bp.NeuGroup(get_FitzHughNagumo(), 100, name="fhn")
    session = Session(bp.Network(group), 100.0, inputs=[(group, "ST.input", 0.8)], debounce=3600.0)
    try:
        rng = np.random.default_rng(0)
        view = _Recorder()
        codim1.link(view)
        codim1.link_session(session, group, input=0)
        xs = rng.uniform(0.0, 2.0, repeat)

        def check1(x: float, _y: float) -> None:
            assert session.inputs[0][2] == x and codim1.selected == {"I_ext": x}

        records.append(_click_row("codim-1, phase-plane stand-in + Session input", codim1, [(x, 0.0) for x in xs],
                                  check1))  # fmt: skip
        codim2.link(view)
        codim2.link_session(session, group, input={"I_ext": 0})  # 'a' goes to session.set_parameter(group, 'a', ...)
        pairs = list(zip(rng.uniform(0.5, 1.0, repeat), rng.uniform(0.0, 1.0, repeat), strict=True))

        def check2(x: float, y: float) -> None:
            assert group.pars["a"] == x and session.inputs[0][2] == y

        records.append(_click_row("codim-2, stand-in + Session parameter and input", codim2, pairs, check2))
        assert view.calls == 3 * repeat
    finally:
        session.close()
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="draws and clicks per panel (default 20)")
    args = parser.parse_args()
    records = measure(args.repeat)
    print("| measurement | median ms | p90 ms | max ms | samples |")
    print("|---|---:|---:|---:|---:|")
    for r in records:
        print(f"| {r['row']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['max_ms']:.1f} | {r['samples']} |")
    for r in records:
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
