"""The numbers behind the model-library validation tests (issue 6), printed as a table.

Usage::

    python bench/model_validation.py

The tests in ``tests/test_models_*.py`` assert tolerances; this script prints
the measured values themselves (same protocols), for the README and closing notes:
HH resting potential and rates against ``solve_ivp``, the Wang–Buzsáki rheobase
(the saddle-node of its rest state, by continuation), the gamma network's
frequency and coherence, COBA's rate and CV, and the CANN bump height.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.integrate import solve_ivp

import brainlab as bp
from brainlab.errors import DelayRoundingWarning
from brainlab.models import (
    cann_bump_height,
    get_CANN,
    get_COBA_network,
    get_gamma_network,
    get_HH,
    get_WangBuzsaki,
    hh_steady_state,
)


def _steady_rate(times: np.ndarray, t_start: float) -> float:
    times = times[times >= t_start]
    return 1000.0 / float(np.mean(np.diff(times))) if len(times) > 2 else 0.0


def hh_reference_rate(current: float) -> float:
    """Rate of the same HH equations by DOP853 (rtol 1e-9), after 100 ms."""

    def rhs(t, y):
        V, m, h, n = y
        am, bm = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)), 4.0 * np.exp(-(V + 65) / 18)
        ah, bh = 0.07 * np.exp(-(V + 65) / 20), 1 / (1 + np.exp(-(V + 35) / 10))
        an, bn = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)), 0.125 * np.exp(-(V + 65) / 80)
        dV = -120 * m**3 * h * (V - 50) - 36 * n**4 * (V + 77) - 0.3 * (V + 54.387) + current
        return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]

    def crossing(t, y):
        return y[0] - 20.0

    crossing.direction = 1
    sol = solve_ivp(rhs, (0, 1100.0), [-65.0, *hh_steady_state(-65.0)], method="DOP853", rtol=1e-9, atol=1e-11,
                    events=crossing)  # fmt: skip
    return _steady_rate(sol.t_events[0], 100.0)


def main() -> None:
    rows: list[tuple[str, str]] = []
    bp.profile.set(dt=0.01, numerical_method="rk4")
    group = bp.NeuGroup(get_HH(), 1)
    group.run(300.0)
    rows.append(("HH resting potential (300 ms, rk4, dt 0.01)", f"{group.ST['V'][0]:.4f} mV"))
    for current in (7.0, 10.0, 15.0, 20.0):
        rates = {}
        for dt in (0.01, 0.005):
            bp.profile.set(dt=dt)
            group = bp.NeuGroup(get_HH(), 1, monitors=["spike"])
            group.run(1100.0, inputs=("ST.input", current))
            rates[dt] = _steady_rate(np.flatnonzero(group.mon.spike[:, 0]) * dt, 100.0)
        reference = hh_reference_rate(current)
        rows.append(
            (
                f"HH rate at I = {current:g}: dt 0.01 / dt 0.005 / solve_ivp",
                f"{rates[0.01]:.3f} / {rates[0.005]:.3f} / {reference:.3f} Hz",
            )
        )
    bp.profile.set(dt=0.01)
    analyzer = bp.BifurcationAnalyzer(
        get_WangBuzsaki(), {"I_ext": [0.0, 0.5]}, {"V": [-80.0, 0.0], "h": [0.0, 1.0], "n": [0.0, 1.0]},
        par_resolution=0.005,
    )  # fmt: skip
    folds = analyzer.codim1().points("fold")
    rows.append(("Wang–Buzsáki rheobase (saddle-node of rest)", f"{min(p.pars['I_ext'] for p in folds):.4f} µA/cm²"))

    bp.profile.set(dt=0.04)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DelayRoundingWarning)
        net, groups = get_gamma_network()
        net.run(1000.0, inputs=groups["inputs"])
    settled = groups["neurons"].mon.spike[round(200.0 / 0.04) :]
    frequency = bp.measure.population_frequency(settled, dt=0.04)
    rows.append(("gamma network frequency (200–1000 ms)", f"{frequency:.2f} Hz"))
    rows.append(("gamma network κ (1 ms bins)", f"{bp.measure.cross_correlation(settled, bin_size=25):.3f}"))

    bp.profile.set(dt=0.1, numerical_method="euler")
    net, groups = get_COBA_network(4000)
    t0 = time.perf_counter()
    net.run(1000.0)
    run_s = time.perf_counter() - t0
    spikes = groups["neurons"].mon.spike[2000:]
    rate = spikes.sum() / 4000 / 0.8
    cvs = [np.std(d) / np.mean(d) for d in (np.diff(np.flatnonzero(c) * 0.1) for c in spikes.T) if len(d) >= 3]
    rows.append(("COBA 4000 rate / mean CV (200–1000 ms)", f"{rate:.2f} Hz / {np.mean(cvs):.2f}"))
    rows.append(("COBA 4000, 1 s, first run incl. compile", f"{run_s:.2f} s"))

    bp.profile.set(dt=0.1, numerical_method="rk4")
    cann = bp.NeuGroup(get_CANN(), 512)
    bp.Network(cann).run(10.0, inputs=(cann, "ST.input", 10.0 * np.exp(-(cann.x**2) / 1.0)))
    bp.Network(cann).run(100.0)
    rows.append(("CANN bump height (simulated / analytic)", f"{cann.ST['u'].max():.6f} / {cann_bump_height():.6f}"))

    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
