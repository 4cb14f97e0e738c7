"""Generated kernels are cached on disk: a fresh process reuses the machine code."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import brainlab as bp

GAMMA_SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    import brainlab as bp
    from brainlab.demo import gamma_network

    warnings.simplefilter("ignore")
    bp.profile.set(dt=0.04)
    net, neurons, _ = gamma_network(int(sys.argv[1]))
    info = net.run(20.0, inputs=[neurons, "ST.input", 1.2])
    print(json.dumps({"compiled": info.compiled, "cache_hit": info.cache_hit, "compile_s": info.compile_s,
                      "spikes": float(neurons.mon.spike.sum())}))
    """
)


def _run(script: Path, cache: Path, num: int) -> dict:
    env = dict(os.environ, BRAINLAB_CACHE_DIR=str(cache))
    result = subprocess.run(
        [sys.executable, str(script), str(num)], env=env, capture_output=True, text=True, timeout=600, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.subprocess
def test_second_process_loads_the_kernel_from_the_cache(tmp_path):
    script = tmp_path / "gamma.py"
    script.write_text(GAMMA_SCRIPT)
    cache = tmp_path / "cache"
    cold = _run(script, cache, 20)
    warm = _run(script, cache, 20)
    assert cold["compiled"] and not cold["cache_hit"]
    assert warm["compiled"] and warm["cache_hit"]
    assert warm["spikes"] == cold["spikes"]
    assert warm["compile_s"] < cold["compile_s"]
    # the network size is runtime data: another size reuses the same kernel
    other = _run(script, cache, 30)
    assert other["cache_hit"]
    assert len(list(cache.glob("bl_*.py"))) == 1


def _decay_model():
    tau = 5.0

    @bp.integrate
    def int_x(x, t):
        return -x / tau

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    return bp.NeuType(name="decay", ST=bp.types.NeuState(["x"]), steps=update)


def test_clear_cache_removes_generated_kernels(tmp_path):
    bp.profile.set(cache_dir=str(tmp_path))
    bp.NeuGroup(_decay_model(), 2).run(1.0)
    assert list(tmp_path.glob("bl_*.py"))
    assert bp.clear_cache() >= 1
    assert not list(tmp_path.glob("bl_*.py")) and not (tmp_path / "__pycache__").exists()


def test_same_structure_means_same_source_in_process():
    model = _decay_model()
    bp.NeuGroup(model, 2).run(1.0)
    info = bp.Network(bp.NeuGroup(model, 50)).run(1.0)
    assert not info.compiled  # a different size, the same source: nothing new to compile
