"""Where the time of brainlab's COBA kernel goes: the generated kernel with parts removed.

Usage::

    bench/.venv-brainlab/bin/python bench/kernel_breakdown.py --n 64000
    bench/.venv-brainlab/bin/python bench/kernel_breakdown.py --n 400

The COBA network of the suite is lowered, and its kernel source is compiled
four times (fresh, without Numba's cache): as generated, without the
finite-state checks, without the two synapse steps, and empty. Each variant
runs the 1 s simulation from the same initial state once per repetition; the
differences attribute the time to the neuron loop, the synapse steps (spike
scans and propagation) and the checks. Without synapses the network fires
faster, which the neuron loop (branch-free) hardly notices.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VARIANTS = {
    "as generated": [],
    "no finite checks": [("        if _i % 10 == 9 or _i == _i1 - 1:", "        if False:")],
    "no checks, no synapse steps": [
        ("        if _i % 10 == 9 or _i == _i1 - 1:", "        if False:"),
        ("        o1_exc_update(", "        pass  # o1_exc_update("),
        ("        o2_inh_update(", "        pass  # o2_inh_update("),
    ],
}


def _load(source: str, name: str, folder: Path):
    path = folder / f"{name}.py"
    path.write_text(source.replace("cache=True", "cache=False"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import brainlab as bp
    from bench.workloads.brainlab_coba import coba_network, reset_state
    from brainlab.core.lowering import lower_network

    net, group = coba_network(args.n)
    net.run(0.1)  # builds the kernel; its source is what the variants edit
    source = net._handle.module.__brainlab_rendered__.source
    lowered = lower_network(net.objects, [], bp.profile.get_dt(), True)
    values = [lowered.values[name] for name in lowered.spec.args]
    n_steps = round(1000.0 / bp.profile.get_dt())
    ts = np.arange(n_steps) * bp.profile.get_dt()
    status = np.zeros(5, dtype=np.int64)
    folder = Path(tempfile.mkdtemp())
    print(f"COBA N={args.n}, {n_steps} steps, median of {args.repeat}")
    for k, (label, edits) in enumerate(VARIANTS.items()):
        text = source
        for old, new in edits:
            assert old in text, f"the kernel no longer contains {old!r}"
            text = text.replace(old, new)
        kernel = _load(text, f"breakdown_{k}", folder).kernel
        kernel(0, 1, ts, bp.profile.get_dt(), status, *values)  # compile
        times = []
        for _ in range(args.repeat):
            reset_state(group)
            t0 = time.perf_counter()
            kernel(0, n_steps, ts, bp.profile.get_dt(), status, *values)
            times.append(time.perf_counter() - t0)
        rate = group.ST["count"].sum() / args.n
        median = statistics.median(times)
        print(f"{label:30s} {median:8.4f} s  ({median / n_steps * 1e6:.3f} us/step, {rate:.1f} Hz)")


if __name__ == "__main__":
    main()
