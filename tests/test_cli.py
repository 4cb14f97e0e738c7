"""The main job: ``brainlab demo`` and ``brainlab cache``."""

import os
import subprocess
import sys

import pytest

from brainlab.cli import main


@pytest.mark.subprocess
def test_demo_command_prints_the_gamma_summary_and_writes_a_raster(tmp_path):
    out = tmp_path / "raster.png"
    env = dict(os.environ, BRAINLAB_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "brainlab.cli", "demo", "--out", str(out), "--duration", "300"],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    frequency = float(lines["population"].split()[2])
    kappa = float(lines["coherence"].split()[2])
    assert 35 <= frequency <= 55 and kappa > 0.5
    assert out.exists() and out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cache_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BRAINLAB_CACHE_DIR", str(tmp_path))
    (tmp_path / "bl_0123.py").write_text("# generated\n")
    assert main(["cache"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
    assert main(["cache", "clear"]) == 0
    assert "removed 1 generated kernel" in capsys.readouterr().out
    assert not (tmp_path / "bl_0123.py").exists()


def test_demo_rejects_a_duration_inside_the_transient():
    with pytest.raises(SystemExit):
        main(["demo", "--duration", "50"])
