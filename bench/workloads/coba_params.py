"""COBA parameters (Brette et al. 2007, benchmark 1, in BrainPy's formulation), shared by every peer.

Kept free of imports beyond the standard library so that the Brian2 and BrainPy
virtualenvs can read it too.
"""

import json

N_DEFAULT = 4000
EXC_FRACTION = 0.8
CONNECTIONS_PER_NEURON = 80.0  # p = 80 / N
DT = 0.1  # ms
DURATION = 1000.0  # ms
TAU_M, TAU_E, TAU_I = 20.0, 5.0, 10.0  # ms
V_T, V_R, E_L = -50.0, -60.0, -60.0  # mV
E_E, E_I = 0.0, -80.0  # mV
I_EXT = 20.0  # mV
T_REF = 5.0  # ms
W_E, W_I = 0.6, 6.7  # conductance jumps, in units of the leak conductance
V0_MEAN, V0_STD = -55.0, 5.0  # mV
RATE_BAND = (19.0, 24.0)  # Hz, the band of the peers' runs


def sizes(n: int) -> tuple[int, int, float]:
    """Return (excitatory, inhibitory, connection probability) for ``n`` neurons."""
    n_exc = round(EXC_FRACTION * n)
    return n_exc, n - n_exc, CONNECTIONS_PER_NEURON / n


def print_record(peer: str, version: str, n: int, spikes: int, **times: float | None) -> None:
    """Print a peer's COBA measurement as the JSON line ``bench/suite.py`` reads."""
    record = {"peer": peer, "version": version, "workload": "coba", "n": n, **times, "spikes": spikes}
    record["rate_hz"] = spikes / n / (DURATION / 1000.0)
    print(json.dumps(record))
