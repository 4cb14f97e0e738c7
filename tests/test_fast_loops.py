"""Loop rewrites for speed (``profile.set(fast_loops=...)``): same results as the code as written.

Unit tests run the rewritten statements as Python against the originals on
random inputs; network tests compare whole runs with the rewrites on and off.
"""

import ast
import textwrap

import numpy as np
import pytest

import brainlab as bp
from brainlab.demo import gamma_network
from brainlab.lower.ifconvert import IfConversion, if_convert
from brainlab.lower.promote import promote_state
from brainlab.lower.scalarise import is_elementwise
from brainlab.models import get_LIF

CTX = IfConversion(
    defined=frozenset({"ST", "_t", "t_ref", "V_th", "V_reset", "rise"}),
    element_vars=frozenset({"_obj_i"}),
    pure_calls=frozenset({"integ"}),
    math_modules=frozenset({"np"}),
)


def _body(source: str) -> list[ast.stmt]:
    return ast.parse(textwrap.dedent(source)).body


def _run(body: list[ast.stmt], ST: np.ndarray, t: float) -> np.ndarray:
    """Run a loop body over every element of ST (as the scalar-mode loop does)."""
    loop = ast.For(
        target=ast.Name("_obj_i", ast.Store()),
        iter=ast.parse(f"range({ST.shape[1]})", mode="eval").body,
        body=body,
        orelse=[],
    )
    module = ast.fix_missing_locations(ast.Module(body=[loop], type_ignores=[]))
    scope = {"ST": ST, "_t": t, "t_ref": 2.0, "V_th": 1.0, "V_reset": 0.0, "rise": 0.3, "np": np}
    scope["integ"] = lambda v, dv: v + dv
    exec(compile(module, "<test>", "exec"), scope)
    return ST


LIF_BODY = """
V = ST[0, _obj_i]
ST[1, _obj_i] = 0.0
if _t - ST[2, _obj_i] >= t_ref:
    V = integ(V, rise)
    if V > V_th:
        V = V_reset
        ST[1, _obj_i] = 1.0
        ST[2, _obj_i] = _t
        ST[3, _obj_i] += 1.0
    else:
        spare = np.exp(-V)
        ST[4, _obj_i] = spare
    ST[0, _obj_i] = V
"""


def _random_state(rng: np.random.Generator, n: int = 200) -> np.ndarray:
    ST = np.zeros((5, n))
    ST[0] = rng.uniform(0.0, 1.2, n)
    ST[2] = rng.uniform(-5.0, 10.0, n)
    ST[3] = rng.integers(0, 5, n)
    ST[4] = rng.normal(size=n)
    return ST


def test_if_conversion_removes_branches_and_keeps_results():
    converted = if_convert(_body(LIF_BODY), CTX)
    # What stays an `if` is a conditional store of one state element (a masked store for LLVM).
    for stmt in converted:
        for node in ast.walk(stmt):
            if isinstance(node, ast.If):
                assert isinstance(node.test, ast.Name) and len(node.body) == 1 and not node.orelse
                assert isinstance(node.body[0].targets[0], ast.Subscript)
    text = "\n".join(ast.unparse(s) for s in converted)
    assert "ST[1, _obj_i] = 1.0 if " in text  # written unconditionally before: a select
    rng = np.random.default_rng(1)
    for _ in range(5):
        ST = _random_state(rng)
        t = float(rng.uniform(0, 10))
        np.testing.assert_array_equal(_run(converted, ST.copy(), t), _run(_body(LIF_BODY), ST.copy(), t))


def test_promotion_keeps_results_and_skips_loads_of_overwritten_rows():
    promoted = promote_state(if_convert(_body(LIF_BODY), CTX))
    text = "\n".join(ast.unparse(s) for s in promoted)
    assert "_ST1 = ST[1, _obj_i]" not in text  # row 1 starts with an unconditional write
    assert "_ST0 = ST[0, _obj_i]" in text and "ST[1, _obj_i] = _ST1" in text
    assert "ST[4, _obj_i] = _ST4" not in text  # only stored where the else branch runs
    rng = np.random.default_rng(2)
    ST = _random_state(rng)
    np.testing.assert_array_equal(_run(promoted, ST.copy(), 4.0), _run(_body(LIF_BODY), ST.copy(), 4.0))


@pytest.mark.parametrize(
    "source",
    [
        "if ST[0, _obj_i] > 0:\n    ST[1, j] = 1.0",  # an index that might be out of bounds
        "if ST[0, _obj_i] > 0:\n    print(1)",  # a side effect
        "if ST[0, _obj_i] > 0:\n    x = unknown(1.0)",  # a function that might not be pure
        "if ST[0, _obj_i] > 0:\n    for k in range(3):\n        ST[1, _obj_i] += k",  # a loop
        "if ST[0, _obj_i] > 0:\n    continue",
        "if ST[0, _obj_i] > 0:\n    x = ST[1, other]",  # a read that might be out of bounds
        "if ST[0, _obj_i] > 0:\n    x += 1.0",  # augmenting an undefined name
    ],
)
def test_unsafe_ifs_are_left_as_written(source):
    body = _body(source)
    assert if_convert(body, CTX) == body


def test_a_name_defined_on_some_paths_only_is_not_predicated():
    body = _body("if _t > 1.0:\n    for k in range(2):\n        y = 1.0\nif _t > 2.0:\n    y = 3.0")
    converted = if_convert(body, CTX)
    assert isinstance(converted[-1], ast.If)  # `y` may or may not exist before the second if


def test_promotion_is_skipped_when_the_iteration_can_end_early_or_state_escapes():
    early = _body("x = ST[0, _obj_i]\nif x > 0:\n    continue\nST[0, _obj_i] = 1.0")
    assert promote_state(early) == early
    escapes = _body("f(ST)\nST[0, _obj_i] = 1.0")
    assert promote_state(escapes) == escapes


def _tree(source: str) -> ast.FunctionDef:
    return ast.parse(textwrap.dedent(source)).body[0]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(ST, _t):\n    V = integ(ST['V'], _t)\n    ST['spike'] = np.logical_and(ST['V'] < 0, V >= 0)", True),
        ("def f(ST, _t):\n    ST['V'] = ST['V'] - np.sum(ST['V'])", False),  # a reduction
        ("def f(ST, _t):\n    ST['V'] = ST['V'][::-1]", False),  # not one value per element
        ("def f(ST, _t):\n    if _t > 1:\n        ST['V'] = 0.0", False),
        ("def f(ST, _t):\n    ST['V'] = ST['V'] if _t > 1 else 0.0", False),
        ("def f(ST, _t):\n    ST['V'] = np.mean(ST['V'])", False),
        ("def f(ST, _t):\n    g(ST)", False),
    ],
)
def test_elementwise_detection(source, expected):
    assert is_elementwise(_tree(source), numpy_modules=frozenset({"np"}), elementwise_calls=frozenset({"integ"})) is (
        expected
    )


# --- whole networks: rewrites on and off -----------------------------------------------------


def _source(net: bp.Network) -> str:
    return net._handle.module.__brainlab_rendered__.source


def _gamma_run(fast: bool) -> tuple[np.ndarray, np.ndarray, str]:
    bp.profile.set(dt=0.04, fast_loops=fast)
    net, neurons, _ = gamma_network(num=20)
    net.run(100.0, inputs=[neurons, "ST.input", 1.2])
    return neurons.mon.spike.copy(), neurons.mon.V.copy(), _source(net)


def test_vector_mode_hh_runs_as_a_loop_with_the_same_results():
    spikes_fast, v_fast, source = _gamma_run(True)
    spikes_plain, v_plain, plain_source = _gamma_run(False)
    update = source[source.index("def o0_update") :].split("\n@_jit")[0]
    assert "for _obj_i in range(_num):" in update
    assert "for _obj_i" not in plain_source[plain_source.index("def o0_update") :].split("\n@_jit")[0]
    assert spikes_fast.sum() > 0
    np.testing.assert_array_equal(spikes_fast, spikes_plain)
    np.testing.assert_allclose(v_fast, v_plain, rtol=1e-9, atol=1e-9)


def test_scalar_lif_with_refractoriness_is_branch_free_with_the_same_spikes():
    results = {}
    for fast in (True, False):
        bp.profile.set(dt=0.1, fast_loops=fast)
        group = bp.NeuGroup(get_LIF(V_rest=-65.0, V_reset=-70.0, V_th=-50.0), geometry=50, monitors=["spike", "V"])
        group.ST["V"] = np.linspace(-70.0, -51.0, 50)
        group.run(200.0, inputs=("ST.input", np.linspace(14.0, 30.0, 50)))
        results[fast] = (group.mon.spike.copy(), group.mon.V.copy())
    np.testing.assert_array_equal(results[True][0], results[False][0])
    np.testing.assert_allclose(results[True][1], results[False][1], rtol=1e-12, atol=1e-9)
    assert results[True][0].sum() > 50


def test_fast_loops_false_compiles_the_code_as_written():
    bp.profile.set(dt=0.1, fast_loops=False)
    group = bp.NeuGroup(get_LIF(), geometry=3)
    net = bp.Network(group)
    net.run(1.0)
    assert "if _t - ST[4, _obj_i] <= t_refractory:" in _source(net)
    bp.profile.set(fast_loops=True)
    net = bp.Network(group)
    net.run(1.0)
    assert "_if0 = _t - _ST4 <= t_refractory" in _source(net)


# --- vectorisable exp / exprel ---------------------------------------------------------------


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place (floats ordered as integers)."""
    ia, ib = (np.asarray(x, np.float64).view(np.int64) for x in (a, b))
    ia = np.where(ia < 0, np.int64(-(2**63)) - ia, ia)
    ib = np.where(ib < 0, np.int64(-(2**63)) - ib, ib)
    return np.abs(ia - ib)


def test_fast_exp_is_within_two_ulp_of_numpy_on_ten_million_inputs():
    from brainlab.codegen.vecmath import EXP_DOMAIN, fast_exp

    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(*EXP_DOMAIN, 5_000_000), rng.uniform(-20.0, 20.0, 5_000_000)])
    assert _ulps(fast_exp(x), np.exp(x)).max() <= 2


def test_fast_exprel_and_expm1_are_within_their_bounds_on_ten_million_inputs():
    from brainlab.codegen.vecmath import fast_expm1, fast_exprel

    rng = np.random.default_rng(4)
    z = np.concatenate([rng.uniform(-1.5, 1.5, 6_000_000), rng.uniform(-700.0, 700.0, 4_000_000)])
    assert _ulps(fast_exprel(z), np.expm1(z) / z).max() <= 2
    assert _ulps(fast_expm1(z), np.expm1(z)).max() <= 3


def test_fast_exp_special_values():
    from brainlab.codegen.vecmath import fast_exp, fast_exprel

    x = np.array([np.nan, np.inf, -np.inf, 710.0, -800.0, 0.0, 1.0])
    out = fast_exp(x)
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == 0.0 and out[3] == np.inf and out[4] == 0.0
    assert out[5] == 1.0 and out[6] == np.exp(1.0)
    rel = fast_exprel(np.array([0.0, 1e-300, np.inf, -np.inf, np.nan]))
    assert rel[0] == 1.0 and rel[1] == 1.0 and rel[2] == np.inf and rel[3] == 0.0 and np.isnan(rel[4])


def test_vector_math_changes_nothing_beyond_rounding_in_a_network():
    runs = {}
    for vector_math in (True, False):
        bp.profile.set(dt=0.04, vector_math=vector_math)
        net, neurons, _ = gamma_network(num=20)
        net.run(100.0, inputs=[neurons, "ST.input", 1.2])
        runs[vector_math] = (neurons.mon.spike.copy(), neurons.mon.V.copy(), _source(net))
    assert "_fast_exp(" in runs[True][2] and "_fast_exp(" not in runs[False][2]
    np.testing.assert_array_equal(runs[True][0], runs[False][0])
    np.testing.assert_allclose(runs[True][1], runs[False][1], rtol=1e-9, atol=1e-8)


# --- inlining and hoisting of per-synapse work ---------------------------------------------------


def test_integrators_are_inlined_into_scalar_loops():
    from brainlab.lower.inline import inline_calls

    callee = _tree("def f(x, a):\n    y = x * a\n    return y + 1.0")
    body = _body("v = f(ST[0, _obj_i], 2.0)\nST[0, _obj_i] = v")
    inlined = inline_calls(body, {"f": callee})
    text = "\n".join(ast.unparse(s) for s in inlined)
    assert "f(" not in text and "_il0_y = _il0_x * _il0_a" in text
    ST = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(_run(inlined, ST.copy(), 0.0), ST * np.array([[2.0], [1.0]]) + [[1.0], [0.0]])
    branchy = _tree("def g(x):\n    if x > 0:\n        return x\n    return -x")
    assert inline_calls(_body("v = g(1.0)"), {"g": branchy})[0].value.func.id == "g"  # not straight-line


def test_presynaptic_work_is_hoisted_out_of_the_synapse_loop():
    from brainlab.lower.hoist import Hoisting, hoist_presynaptic

    purity = IfConversion(
        defined=frozenset(), element_vars=frozenset({"_obj_i", "_pre_i"}), pure_calls=frozenset(),
        math_modules=frozenset({"np"}),
    )  # fmt: skip
    rules = Hoisting(purity=purity, invariant=frozenset({"_t", "_dt", "np", "V_th", "beta"}))
    body = _body(
        """
        T = 1 / (1 + np.exp(-(pre[0, _pre_i] - V_th) / 2))
        s = ST[0, _obj_i] + _dt * np.exp(-beta * T) * (T - ST[0, _obj_i])
        ST[0, _obj_i] = s
        """
    )
    prologue, new_body = hoist_presynaptic(body, rules)
    loop = prologue[-1]
    assert isinstance(loop, ast.For) and loop.target.id == "_p"
    body_text = "\n".join(ast.unparse(s) for s in new_body)
    assert "np.exp" not in body_text and "_hv" in body_text  # no transcendental left per synapse
    written = _body("post[1, _post_i] = 1.0") + body
    assert hoist_presynaptic(written, rules) == ([], written)  # post may be pre: nothing moves


def test_seed_gamma_synapses_compute_presynaptic_work_once_and_agree():
    runs = {}
    for fast in (True, False):
        bp.profile.set(dt=0.04, fast_loops=fast)
        net, neurons, synapses = gamma_network(num=20)
        net.run(100.0, inputs=[neurons, "ST.input", 1.2])
        runs[fast] = (neurons.mon.spike.copy(), synapses.ST["s"].copy(), _source(net))
    update = runs[True][2][runs[True][2].index("def o1_update") :].split("\n@_jit")[0]
    assert "for _p in range(_n_pre):" in update
    per_synapse = update[update.index("for _obj_i") :]
    assert "exp(" not in per_synapse and "_exprel(" not in per_synapse
    np.testing.assert_array_equal(runs[True][0], runs[False][0])
    np.testing.assert_allclose(runs[True][1], runs[False][1], rtol=1e-9, atol=1e-12)
