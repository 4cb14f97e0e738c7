"""The main job for now: the seed's quickstart gamma network, run and summarised.

Wang & Buzsáki (1996): 100 Hodgkin–Huxley-type interneurons coupled all-to-all
by GABA-A synapses fire in a coherent gamma rhythm. ``brainlab demo`` builds
the network as the quickstart tutorial does (``brainlab.models.get_gamma_network``), runs 500 ms, prints the
mean rate, the population frequency and the coherence κ, and writes a raster.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

from brainlab import measure, profile
from brainlab.core import Network, NeuGroup, SynConn
from brainlab.errors import DelayRoundingWarning
from brainlab.models.networks import get_gamma_network

__all__ = ["DemoResult", "gamma_network", "run_demo"]


def gamma_network(num: int = 100, seed: int | None = 0, delay: float = 0.52) -> tuple[Network, NeuGroup, SynConn]:
    """Build the quickstart network (``brainlab.models.get_gamma_network``) with steady-state gating.

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
    net, groups = get_gamma_network(num=num, seed=seed, delay=delay, method="exponential")
    return net, groups["neurons"], groups["synapses"]


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
