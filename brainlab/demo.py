"""The main job for now: the seed's quickstart gamma network, run and summarised.

Wang & Buzsáki (1996): 100 Hodgkin–Huxley-type interneurons coupled all-to-all
by GABA-A synapses fire in a coherent gamma rhythm. ``brainlab demo`` builds
the network exactly as the quickstart tutorial does, runs 500 ms, prints the
mean rate, the population frequency and the coherence κ, and writes a raster.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np

from brainlab import measure, profile, types
from brainlab.connect import All2All
from brainlab.core import Network, NeuGroup, NeuType, SynConn, SynType, delayed
from brainlab.errors import DelayRoundingWarning
from brainlab.integrators import integrate

__all__ = ["DemoResult", "gamma_network", "run_demo"]

# Parameters of the quickstart (Wang & Buzsáki 1996); they are model parameters
# because the step and derivative functions read them.
V_th = 0.0  # spike threshold (mV)
C = 1.0  # membrane capacitance (uF/cm^2)
gLeak = 0.1  # leak conductance (mS/cm^2)
ELeak = -65.0  # leak reversal (mV)
gNa = 35.0  # sodium conductance (mS/cm^2)
ENa = 55.0  # sodium reversal (mV)
gK = 9.0  # potassium conductance (mS/cm^2)
EK = -90.0  # potassium reversal (mV)
phi = 5.0  # temperature factor of the gating kinetics
g_max = 0.1  # total GABA-A conductance (mS/cm^2, divided by N per synapse)
E = -75.0  # GABA-A reversal (mV)
alpha = 12.0  # channel opening rate (1/ms)
beta = 0.1  # channel closing rate (1/ms)


@integrate(method="exponential")
def int_h(h, t, V):
    alpha = 0.07 * np.exp(-(V + 58) / 20)
    beta = 1 / (np.exp(-0.1 * (V + 28)) + 1)
    return phi * (alpha * (1 - h) - beta * h)


@integrate(method="exponential")
def int_n(n, t, V):
    alpha = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1)
    beta = 0.125 * np.exp(-(V + 44) / 80)
    return phi * (alpha * (1 - n) - beta * n)


@integrate(method="exponential")
def int_V(V, t, h, n, Isyn):
    m_alpha = -0.1 * (V + 35) / (np.exp(-0.1 * (V + 35)) - 1)
    m_beta = 4 * np.exp(-(V + 60) / 18)
    m = m_alpha / (m_alpha + m_beta)
    INa = gNa * m**3 * h * (V - ENa)
    IK = gK * n**4 * (V - EK)
    IL = gLeak * (V - ELeak)
    return (-INa - IK - IL + Isyn) / C


@integrate(method="exponential")
def int_s(s, t, TT):
    return alpha * TT * (1 - s) - beta * s


def neuron_update(ST, _t):
    h = int_h(ST["h"], _t, ST["V"])
    n = int_n(ST["n"], _t, ST["V"])
    V = int_V(ST["V"], _t, ST["h"], ST["n"], ST["input"])
    ST["spike"] = np.logical_and(ST["V"] < V_th, V >= V_th)
    ST["V"] = V
    ST["h"] = h
    ST["n"] = n
    ST["input"] = 0.0


def synapse_update(ST, _t, pre):
    T = 1 / (1 + np.exp(-(pre["V"] - V_th) / 2))
    ST["s"] = int_s(ST["s"], _t, T)


@delayed
def synapse_output(ST, post):
    post["input"] -= g_max * ST["s"] * (post["V"] - E)


def gamma_network(num: int = 100, seed: int | None = 0, delay: float = 0.52) -> tuple[Network, NeuGroup, SynConn]:
    """Build the quickstart network with steady-state gating at random voltages.

    Parameters
    ----------
    num : int
        Number of neurons.
    seed : int or None
        Seed of the initial voltages (uniform in [-70, -50] mV).
    delay : float
        Synaptic delay in ms (the tutorial's 0.5 ms is not a multiple of
        dt = 0.04 ms; 0.52 ms is the legal delay it is rounded to).

    Returns
    -------
    net, neurons, synapses
    """
    HH = NeuType(
        name="HH_neuron",
        ST=types.NeuState({"V": -55.0, "h": 0.0, "n": 0.0, "spike": 0.0, "input": 0.0}),
        steps=neuron_update,
    )
    GABAa = SynType(
        name="GABAa",
        ST=types.SynState(["s"]),
        steps=(synapse_update, synapse_output),
        requires=dict(pre=types.NeuState(["V"]), post=types.NeuState(["V", "input"])),
        mode="scalar",
    )
    neurons = NeuGroup(HH, geometry=num, monitors=["spike", "V"], name="neurons")
    synapses = SynConn(
        GABAa, pre_group=neurons, post_group=neurons, conn=All2All(include_self=False), delay=delay, name="synapses"
    )
    v = -70.0 + np.random.default_rng(seed).random(num) * 20
    h_a, h_b = 0.07 * np.exp(-(v + 58) / 20), 1 / (np.exp(-0.1 * (v + 28)) + 1)
    n_a, n_b = -0.01 * (v + 34) / (np.exp(-0.1 * (v + 34)) - 1), 0.125 * np.exp(-(v + 44) / 80)
    neurons.ST["V"] = v
    neurons.ST["h"] = h_a / (h_a + h_b)
    neurons.ST["n"] = n_a / (n_a + n_b)
    synapses.pars["g_max"] = g_max / num
    return Network(neurons, synapses), neurons, synapses


@dataclasses.dataclass(frozen=True)
class DemoResult:
    """Summary of a demo run (after a 100 ms transient)."""

    rate_hz: float
    frequency_hz: float
    coherence: float
    compile_s: float
    run_s: float
    cache_hit: bool
    raster: Path | None


def run_demo(
    out: str | Path | None = "brainlab-demo-raster.png", duration: float = 500.0, num: int = 100
) -> DemoResult:
    """Run the gamma network and summarise it; write the raster to ``out`` (None: no plot)."""
    with profile.temporary(dt=0.04), warnings.catch_warnings():
        warnings.simplefilter("ignore", DelayRoundingWarning)
        net, neurons, _ = gamma_network(num)
        info = net.run(duration, inputs=[neurons, "ST.input", 1.2])
        settled = neurons.mon.spike[round(100.0 / 0.04) :]
        seconds = settled.shape[0] * 0.04 / 1000.0
        result = DemoResult(
            rate_hz=float(settled.sum() / num / seconds),
            frequency_hz=measure.population_frequency(settled, dt=0.04),
            coherence=measure.cross_correlation(settled, bin_size=25),
            compile_s=info.compile_s,
            run_s=info.run_s,
            cache_hit=info.cache_hit,
            raster=Path(out) if out else None,
        )
        if out:
            _plot(net, neurons, result, Path(out))
    return result


def _plot(net: Network, neurons: NeuGroup, result: DemoResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_v, ax_r) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, height_ratios=(1, 2))
    ax_v.plot(net.ts, neurons.mon.V[:, 0], lw=0.8)
    ax_v.set_ylabel("V of neuron 0 (mV)")
    index, times = measure.raster_plot(neurons.mon.spike, net.ts)
    ax_r.plot(times, index, ".k", ms=1.5)
    ax_r.set_xlabel("time (ms)")
    ax_r.set_ylabel("neuron")
    ax_v.set_title(f"Wang–Buzsáki gamma network: {result.frequency_hz:.1f} Hz, κ = {result.coherence:.2f}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
