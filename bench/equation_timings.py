"""Timings of the equation language (issue 7): a warm build from text and the worst rejections.

Usage::

    python bench/equation_timings.py

Prints the median of 20 warm builds of Hodgkin–Huxley typed as text (check,
generate, import the cached module, make the NeuType; no kernel compile) and the
time to reject a few hostile expressions.
"""

from __future__ import annotations

import statistics
import time

import brainlab as bp
from brainlab.errors import EquationError

HH = """
alpha_m = 0.1*(V + 40)/(1 - exp(-(V + 40)/10))
beta_m = 4.0*exp(-(V + 65)/18)
alpha_h = 0.07*exp(-(V + 65)/20)
beta_h = 1/(1 + exp(-(V + 35)/10))
alpha_n = 0.01*(V + 55)/(1 - exp(-(V + 55)/10))
beta_n = 0.125*exp(-(V + 65)/80)
dm/dt = alpha_m*(1 - m) - beta_m*m
dh/dt = alpha_h*(1 - h) - beta_h*h
dn/dt = alpha_n*(1 - n) - beta_n*n
dV/dt = (-g_Na*m**3*h*(V - E_Na) - g_K*n**4*(V - E_K) - g_L*(V - E_L) + I) / C
threshold: V >= V_th
"""
PARS = dict(C=1.0, g_Na=120.0, E_Na=50.0, g_K=36.0, E_K=-77.0, g_L=0.3, E_L=-54.387, V_th=20.0)
HOSTILE = {
    "V^2": "dV/dt = V^2",
    "1000 nested parentheses": "dV/dt = " + "(" * 1000 + "V" + ")" * 1000,
    "9**9**9": "dV/dt = 9**9**9",
    "__import__": "dV/dt = __import__('os').system('x')",
}


def main() -> None:
    bp.NeuType.from_equations(HH, parameters=PARS)
    builds = []
    for _ in range(20):
        t0 = time.perf_counter()
        bp.NeuType.from_equations(HH, parameters=PARS)
        builds.append(time.perf_counter() - t0)
    print(f"HH from text, warm build: {1e3 * statistics.median(builds):.1f} ms (median of 20)")
    for label, text in HOSTILE.items():
        t0 = time.perf_counter()
        try:
            bp.NeuType.from_equations(text)
        except EquationError:
            pass
        print(f"rejected {label}: {1e3 * (time.perf_counter() - t0):.2f} ms")


if __name__ == "__main__":
    main()
