"""The equation language's statements, errors and the security of everything around the expressions."""

import os
import time
from pathlib import Path

import numpy as np
import pytest

import brainlab as bp
from brainlab.equations import parse_model
from brainlab.errors import EquationError

LIF = "dV/dt = (-(V - V_rest) + R*I) / tau\nthreshold: V >= V_th\nreset: V = V_reset\nrefractory: t_ref\n"
LIF_PARS = dict(V_rest=0.0, V_reset=-5.0, V_th=20.0, R=1.0, tau=10.0, t_ref=5.0)


def rejected(text, kind="neuron", **options):
    builder = bp.NeuType.from_equations if kind == "neuron" else bp.SynType.from_equations
    with pytest.raises(EquationError) as err:
        builder(text, **options)
    return err.value


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("dV/dt = V^2", 1, 10, "**"),
        ("dV/dt = -V\n\ndV/dt = V", 3, 2, "defined twice"),
        ("dV/dt = -V\nthreshold V > 1", 2, 1, "cannot read this line"),
        ("dV/dt = -V / tauu", 1, 14, "unknown name 'tauu'"),
        ("dV/dt = -V\nthreshold: V > 1\nreset: W = 0", 3, 8, "not a variable"),
        ("dV/dt = -V\nreset: V = 0", 2, None, "needs a threshold"),
        ("dV/dt = -V\nx = V * 2\nthreshold: x > 1", 3, None, "intermediate"),
        ("dV/dt = -V\nthreshold: V > 1\nthreshold: V > 2", 3, None, "one threshold"),
        ("dV/dt = -V\nrefractory: V", 2, None, "unknown name 'V'"),
        ("dV/dt = -V\non_pre: V = 0", None, None, "synapse statements"),
        ("dV/dt = -V\nthreshold: V > 1 +", 2, None, ""),
        ("# only a comment", None, None, "no equation"),
        ("dV/dt = -V; dW/dt = 1", 1, 11, "one expression per line"),
        ("dV/dt = -V  # a comment is fine\ndinput/dt = 1", 2, None, ""),
    ],
)
def test_errors_name_the_line_column_and_reason(text, line, column, words):
    err = rejected(text, parameters={"tau": 1.0})
    assert err.line == line
    if column is not None:
        assert err.column == column
    assert words in str(err)


def test_synapse_statements():
    spec = parse_model(
        "ds/dt = -s/tau\npulse: T = T_max for dur\non_pre: s += w\noutput: g*s*(E - V_post)\ndelay: 2",
        "synapse",
        {"tau": 5.0, "T_max": 1.0, "dur": 1.0, "w": 0.5, "g": 1.0, "E": 0.0},
    )
    assert spec.variables == ["s"] and spec.post_fields == {"V"} and spec.delay == 2.0
    assert spec.pulse[0] == "T" and spec.on_pre[0].target == "s"
    gated = bp.SynType.from_equations(
        "ds/dt = a/(1 + exp(-(V_pre - 2)/5))*(1 - s) - b*s\noutput: g*s*(E - V_post)",
        parameters={"a": 12.0, "b": 0.1, "g": 0.1, "E": -75.0},
    )
    assert gated.fields_used("pre") == {"V"} and 'pre["V"]' in gated.generated_source
    for text, words in [
        ("ds/dt = -s\nthreshold: s > 1", "neuron statements"),
        ("ds/dt = -s\npulse: T = 1", "amplitude for duration"),
        ("ds/dt = -s\noutput: s\noutput: s", "one output"),
        ("ds/dt = -s\ndelay: s", "unknown name"),
        ("ds/dt = -s\ndelay: -1", "delay"),
        ("ds/dt = -s\non_pre: q = 1", "not a variable"),
        ("ds/dt = -s\noutput: q_prex", "unknown name"),
    ]:
        err = rejected(text, kind="synapse")
        assert words in str(err), (text, str(err))


def test_state_fields_and_generated_names():
    model = bp.NeuType.from_equations(LIF, parameters=LIF_PARS, initial={"V": 1.0}, name="MyLIF")
    assert model.name == "MyLIF" and model.mode == "scalar"
    assert model.ST.defaults == {"V": 1.0, "input": 0.0, "spike": 0.0, "t_last_spike": -1e7}
    assert sorted(model.pars) == sorted(LIF_PARS)
    assert "def _update(ST, _t):" in model.generated_source and "np.exp" not in model.generated_source
    passive = bp.NeuType.from_equations("dV/dt = -V + I")
    assert passive.ST.keys() == ["V", "input", "spike"]


HOSTILE_OPTIONS = [
    dict(parameters={"__import__('os')": 1.0}),
    dict(parameters={"x; import os": 1.0}),
    dict(parameters={"tau": "__import__('os').system('touch {canary}')"}),
    dict(parameters={"tau": "10"}),
    dict(parameters={"tau": float("nan")}),
    dict(parameters={"tau": True}),
    dict(parameters={"tau": 1e300}),
    dict(parameters={"class": 1.0}),
    dict(parameters={"_t": 1.0}),
    dict(parameters={"V": 1.0}),
    dict(initial={"V": "open('{canary}', 'w')"}),
    dict(initial={"__class__": 1.0}),
    dict(initial={"V": float("inf")}),
    dict(name="LIF; __import__('os').system('touch {canary}')"),
    dict(name="_build"),
    dict(name=["LIF"]),
    dict(method="euler'); __import__('os').system('touch {canary}'); ('"),
    dict(method="eval"),
    dict(mode="vector\n__import__('os').system('touch {canary}')"),
    dict(mode="matrix"),
    dict(parameters={"tau": 0.0}),
    dict(parameters={"tau": -10.0}),
    dict(parameters={"t_ref": 0.0}),
]


@pytest.mark.parametrize("options", HOSTILE_OPTIONS)
def test_hostile_fields_around_the_text_are_rejected_and_never_run(options, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = str(tmp_path / "canary")
    filled = {
        key: ({k.replace("{canary}", canary): (v.replace("{canary}", canary) if isinstance(v, str) else v)
               for k, v in value.items()} if isinstance(value, dict)
              else value.replace("{canary}", canary) if isinstance(value, str) else value)
        for key, value in options.items()
    }  # fmt: skip
    parameters = {**LIF_PARS, **filled.pop("parameters", {})}
    cache = Path(bp.profile.get_cache_dir())
    before = set(os.listdir(cache)) if cache.exists() else set()
    start = time.perf_counter()
    rejected(LIF, parameters=parameters, **filled)
    assert time.perf_counter() - start < 0.05
    assert os.listdir(tmp_path) == []
    after = set(os.listdir(cache)) if cache.exists() else set()
    assert after == before  # nothing was generated for a rejected model


def test_text_caps():
    assert "characters long" in str(rejected("dV/dt = -V\n" + "#" * 30_000))
    assert "lines" in str(rejected("dV/dt = -V\n" * 300))
    assert "characters long" in str(rejected("dV/dt = " + " + ".join(["V"] * 50_000)))
    assert "line is" in str(rejected("dV/dt = " + " + ".join(["V"] * 500)))
    assert "400" in str(rejected("dV/dt = " + " + ".join(["V"] * 120)))  # an expression is at most 400 characters
    assert "U+0435" in str(rejected("dV/dt = \u0435xp(V)"))
    assert "not allowed" in str(rejected("dV/dt = V\x00"))
    assert "must be text" in str(rejected(b"dV/dt = -V"))


def test_a_rejected_rebuild_keeps_the_working_model():
    good = bp.NeuType.from_equations(LIF, parameters=LIF_PARS)
    rejected(LIF.replace("R*I", "R*I^2"), parameters=LIF_PARS)
    bp.profile.set(dt=0.1)
    group = bp.NeuGroup(good, 1, monitors=["spike"])
    group.run(100.0, inputs=("ST.input", 25.0))
    assert group.mon.spike.sum() > 0 and np.isfinite(group.ST["V"]).all()


def test_dry_run_checks_and_generates_without_writing():
    cache = Path(bp.profile.get_cache_dir())
    before = set(os.listdir(cache)) if cache.exists() else set()
    text = LIF.replace("tau", "tau_m")
    source = bp.NeuType.from_equations(text, parameters={**LIF_PARS, "tau_m": 10.0}, dry_run=True)
    assert isinstance(source, str) and "def _update" in source
    assert (set(os.listdir(cache)) if cache.exists() else set()) == before
    assert "**" in str(rejected("dV/dt = V^2", dry_run=True))
    syn = bp.SynType.from_equations("ds/dt = -s/tau\noutput: s", parameters={"tau": 5.0}, dry_run=True)
    assert "def _output" in syn
