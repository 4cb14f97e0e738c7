"""``bp.tools``: dictionaries, code text, source of functions, scopes, JIT helpers, ast2code, printing."""

import ast
import copy
import math
import pickle
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest

import brainlab as bp
from brainlab import tools
from brainlab.tools import DictPlus

# Globals read by the functions below (the tests read them, never change them).
tau = 10.0
gain = 2.0


def scaled(x):
    return gain * x


def decay(v):
    return -v / tau + scaled(v)


def leak(v):
    return -v / tau


def calls_decay(v):
    return decay(v) * 2.0


@numba.njit
def jitted_helper(x):
    return x + 1.0


def uses_dispatcher(x):
    return jitted_helper(x) * tau


def _make_closure():
    offset = 3.0

    def add_offset(x):
        return x + offset

    return add_offset


def countdown(n):
    return 0 if n <= 0 else countdown(n - 1) + 1


def with_comment(x):
    # first, a comment
    y = x + 1
    return y


def one_liner(x): return x * 2  # fmt: skip


def multi_line_header(
    a,
    b=1,
):
    """Add."""
    return a + b


def decorated_source():
    @bp.tools.jit
    def inner(x):
        return x

    return inner


# --- DictPlus ----------------------------------------------------------------


def test_dictplus_attributes_and_keys():
    d = DictPlus(a=1)
    d.b = 2
    assert d == {"a": 1, "b": 2} and d.b == 2
    del d.a
    assert "a" not in d
    with pytest.raises(KeyError):
        del d.missing
    with pytest.raises(KeyError):
        d.missing
    d["_private"] = 5
    assert d._private == 5  # an existing key is readable whatever its name
    assert "b" in dir(d)
    assert repr(DictPlus(x=1)) == "DictPlus({'x': 1})"


def test_dictplus_probes_of_python_machinery_get_attribute_errors():
    d = DictPlus(a=np.arange(3))
    assert hasattr(d, "__array__") is False
    assert not hasattr(d, "_ipython_canary_method_should_not_exist_")
    assert getattr(d, "__deepcopy__", None) is None
    with pytest.raises(AttributeError):
        d._missing
    with pytest.raises(AttributeError):
        del d._missing
    deep = copy.deepcopy(d)
    assert type(deep) is DictPlus and deep.a is not d.a and np.array_equal(deep.a, d.a)
    shallow = copy.copy(d)
    assert type(shallow) is DictPlus and shallow.a is d.a
    loaded = pickle.loads(pickle.dumps(d))
    assert type(loaded) is DictPlus and np.array_equal(loaded.a, d.a)
    assert np.asarray([1.0]).shape == (1,)  # numpy still works beside it


def test_dictplus_dict_methods_return_dictplus():
    d = DictPlus(a=[1], inner=DictPlus(x=1))
    c = d.copy()
    assert type(c) is DictPlus and c.a is d.a
    deep = d.deepcopy()
    deep.a.append(2)
    assert type(deep) is DictPlus and d.a == [1]
    plain = d.to_dict()
    assert type(plain) is dict and type(plain["inner"]) is dict and plain == {"a": [1], "inner": {"x": 1}}
    assert d.setdefault("z", 7) == 7 and d.z == 7 and d.setdefault("z", 8) == 7
    d.update({"p": 1}, q=2)
    d.update([("r", 3)])
    assert (d.p, d.q, d.r) == (1, 2, 3)
    keys = DictPlus.fromkeys(["u", "v"], 0)
    assert type(keys) is DictPlus and keys.u == 0
    assert type(d | {"w": 1}) is DictPlus and type({"w": 1} | d) is DictPlus
    assert d.pop("p") == 1 and d.get("p", None) is None
    d.clear()
    assert len(d) == 0


# --- code text -----------------------------------------------------------------


def test_get_identifiers_skips_keywords_and_glued_digits():
    assert tools.get_identifiers("x if not flag and y else None") == {"x", "flag", "y"}
    assert tools.get_identifiers("c55 + 2.5e+3 * 1.", include_numbers=True) == {"c55", "2.5e+3", "1."}
    assert tools.get_identifiers("") == set()


def test_word_replace_replaces_whole_words_at_once():
    assert tools.word_replace("a + ab + b", {"a": "b", "b": "a"}) == "b + ab + a"
    assert tools.word_replace("x*x", {"x": 2}) == "2*2"
    assert tools.word_replace("x", {}) == "x"


def test_indentation_helpers():
    assert tools.get_line_indent("    x") == 4
    assert tools.get_line_indent("\t  x") == 6
    assert tools.get_line_indent("\tx", spaces_per_tab=2) == 2
    assert tools.indent("a\n\nb") == "    a\n    \n    b"
    assert tools.indent("a\nb", num_tabs=2, tab="\t") == "\t\ta\n\t\tb"
    assert tools.indent("a\n", spaces_per_tab=2) == "  a\n"
    text = "    def f():\n        return 1\n"
    assert tools.deindent(text) == "def f():\n    return 1\n"
    assert tools.deindent(text, num_tabs=1) == "def f():\n    return 1\n"
    assert tools.deindent("  a\n      b", num_tabs=1) == "a\n  b"  # at most the whitespace a line has
    assert tools.deindent("\tx\n\t\ty") == "x\n    y"
    doc = "Summary.\n\n        Details\n          more\n    "
    assert tools.deindent(doc, docstring=True) == "Summary.\n\nDetails\n  more\n"


def test_func_call_five_names_a_line():
    assert tools.func_call(["a", "b"]) == "a, b"
    names = [f"x{k}" for k in range(7)]
    assert tools.func_call(names) == "x0, x1, x2, x3, x4,\nx5, x6"
    assert tools.func_call({"c", "a", "b"}) == "a, b, c"
    assert tools.func_call([]) == ""


# --- source of functions ---------------------------------------------------------


def test_is_lambda_function():
    assert tools.is_lambda_function(lambda x: x)
    assert not tools.is_lambda_function(decay)
    assert not tools.is_lambda_function(np.exp)
    assert not tools.is_lambda_function(3)


def test_get_func_source_is_deindented_without_decorators():
    assert tools.get_func_source(decay) == "def decay(v):\n    return -v / tau + scaled(v)\n"
    assert tools.get_func_source(jitted_helper) == "def jitted_helper(x):\n    return x + 1.0\n"
    assert tools.get_func_source(decorated_source()) == "def inner(x):\n    return x\n"
    square = lambda x: x * x  # noqa: E731
    assert tools.get_func_source(square) == "square = lambda x: x * x  # noqa: E731\n"
    namespace = {}
    exec("def made(x):\n    return x\n", namespace)
    with pytest.raises(OSError):
        tools.get_func_source(namespace["made"])


def test_get_main_code():
    assert tools.get_main_code(decay) == "return -v / tau + scaled(v)\n"
    assert tools.get_main_code(with_comment) == "# first, a comment\ny = x + 1\nreturn y\n"
    assert tools.get_main_code(one_liner) == "return x * 2  # fmt: skip\n"
    assert tools.get_main_code(multi_line_header) == '"""Add."""\nreturn a + b\n'
    assert tools.get_main_code(lambda x, y: x + y) == "x + y"
    pair = (lambda a: a + 1, lambda b: b * 2)
    assert tools.get_main_code(pair[1]) == "b * 2"
    # fmt: off
    spread = dict(second=3,
                  first=lambda u, *, k=1: u * k)
    # fmt: on
    assert tools.get_main_code(spread["first"]) == "u * k"  # its lines alone do not parse
    assert tools.get_main_code(1.5) == "1.5" and tools.get_main_code(3) == "3"
    assert tools.get_main_code(None) == ""
    assert tools.get_main_code(jitted_helper) == "return x + 1.0\n"
    with pytest.raises(TypeError):
        tools.get_main_code("x + 1")


# --- functions ----------------------------------------------------------------------


def test_func_copy_is_independent():
    def original(x, items=[1], *, scale=2.0):  # noqa: B006
        return x * scale + len(items)

    original.tag = {"kind": "step"}
    clone = tools.func_copy(original)
    assert clone is not original and clone(1.0) == original(1.0) == 3.0
    assert clone.__name__ == "original" and clone.__qualname__ == original.__qualname__
    clone.__defaults__[0].append(2)
    clone.__kwdefaults__["scale"] = 10.0
    clone.tag["kind"] = "changed"
    clone.__defaults__ = (["a", "b", "c"],)
    assert original.__defaults__ == ([1],) and original.__kwdefaults__ == {"scale": 2.0}
    assert original.tag == {"kind": "step"} and original(1.0) == 3.0
    assert clone(1.0) == 13.0

    add = _make_closure()
    add_copy = tools.func_copy(add)
    add_copy.__closure__[0].cell_contents = 100.0
    assert add(1.0) == 4.0 and add_copy(1.0) == 101.0
    with pytest.raises(TypeError):
        tools.func_copy(np.exp)


def test_get_func_name():
    assert tools.get_func_name(decay) == "decay"
    assert tools.get_func_name(jitted_helper) == "jitted_helper"
    f = lambda x: x  # noqa: E731
    assert tools.get_func_name(f) == "<lambda>"
    name = tools.get_func_name(f, replace=True)
    assert name == f"lambda_{id(f)}" and name.isidentifier()
    assert tools.get_func_name(decay, replace=True) == "decay"


def test_get_func_scope_follows_callees():
    scope = tools.get_func_scope(calls_decay)
    assert scope["decay"] is decay and scope["scaled"] is scaled
    assert scope["tau"] == tau and scope["gain"] == gain  # globals of callees
    assert "np" not in scope and "x" not in scope
    assert tools.get_func_scope(_make_closure()) == {"offset": 3.0}
    assert tools.get_func_scope(countdown) == {"countdown": countdown}  # recursion terminates


def test_get_func_scope_and_dispatchers():
    assert tools.get_func_scope(jitted_helper) == {}
    assert tools.get_func_scope(uses_dispatcher) == {"jitted_helper": jitted_helper, "tau": tau}

    @numba.njit
    def calls_global(x):
        return x * gain

    def outer(x):
        return calls_global(x) + np.sin(x)

    assert tools.get_func_scope(calls_global, include_dispatcher=True) == {"gain": gain}
    assert tools.get_func_scope(outer)["np"] is np and "gain" not in tools.get_func_scope(outer)
    assert tools.get_func_scope(outer, include_dispatcher=True)["gain"] == gain
    with pytest.raises(TypeError):
        tools.get_func_scope(3)


def test_get_func_scope_of_an_integrator():
    @bp.integrate
    def int_v(v, t, inp):
        return (-v + inp) / tau

    def step(v):
        return int_v(v, 0.0, 1.0)

    assert tools.get_func_scope(int_v) == {"tau": tau}
    scope = tools.get_func_scope(step)
    assert scope["int_v"] is int_v and scope["tau"] == tau


# --- jit and numba_func -------------------------------------------------------------


def _caches(dispatcher):
    """Whether Numba keeps the machine code of ``dispatcher`` on disk."""
    return type(dispatcher._cache).__name__ != "NullCache"


def test_jit_compiles_with_the_profile_options():
    compiled = tools.jit(leak)
    assert isinstance(compiled, numba.core.dispatcher.Dispatcher)
    assert compiled(2.0) == pytest.approx(leak(2.0))
    options = compiled.targetoptions
    assert options["nogil"] is True and _caches(compiled)
    assert set(options["fastmath"]) == set(bp.profile.get_numba_profile()["fastmath"])
    bp.profile.set_numba_profile(parallel=True, cache=False)
    again = tools.jit(leak)
    assert again.targetoptions["parallel"] is True and not _caches(again)
    assert tools.jit(jitted_helper) is jitted_helper
    with pytest.raises(TypeError):
        tools.jit(np.exp)


def test_jit_as_decorator_and_with_signatures():
    @tools.jit
    def plus(a, b):
        return a + b

    @tools.jit()
    def minus(a, b):
        return a - b

    @tools.jit("float64(float64)")
    def half(x):
        return x / 2

    assert plus(1, 2) == 3 and minus(3, 1) == 2 and half(3.0) == 1.5
    assert len(half.signatures) == 1  # compiled eagerly
    assert all(isinstance(f, numba.core.dispatcher.Dispatcher) for f in (plus, minus, half))


def test_jit_is_the_identity_without_jit():
    bp.profile.set(jit=False)
    assert tools.jit(leak) is leak
    assert tools.jit("float64(float64)")(leak) is leak

    @tools.jit
    def plain(x):
        return x

    assert not isinstance(plain, numba.core.dispatcher.Dispatcher) and plain(1) == 1


def test_jit_of_a_function_that_cannot_be_cached():
    namespace = {"math": math}
    exec("def made(x):\n    return math.sqrt(x)\n", namespace)  # file '<string>': no cache locator
    compiled = tools.jit(namespace["made"])
    assert compiled(9.0) == 3.0 and not _caches(compiled)


def test_numba_func_substitutes_params():
    fast = tools.numba_func(decay, {"tau": 5.0})
    assert isinstance(fast, numba.core.dispatcher.Dispatcher)
    assert fast(1.0) == pytest.approx(-1.0 / 5.0 + gain)
    assert tau == 10.0 and decay(1.0) == pytest.approx(-0.1 + gain)  # the module is unchanged
    # Callees get the same params.
    deeper = tools.numba_func(calls_decay, {"gain": 0.0, "tau": 2.0})
    assert deeper(1.0) == pytest.approx(-1.0) and not _caches(deeper)
    # Without params, callees are compiled too and the result is the same as Python's.
    assert tools.numba_func(calls_decay)(3.0) == pytest.approx(calls_decay(3.0))
    assert tools.numba_func(countdown)(4) == 4
    # A callee replaced by another Python function: that one is compiled too.
    assert tools.numba_func(decay, {"scaled": leak})(1.0) == pytest.approx(-0.2)


def test_numba_func_closures_dispatchers_and_no_jit():
    add = _make_closure()
    assert tools.numba_func(add, {"offset": 10.0})(1.0) == 11.0 and add(1.0) == 4.0
    assert tools.numba_func(jitted_helper, {"x": 1}) is jitted_helper
    assert tools.numba_func(uses_dispatcher, {"tau": 1.0})(1.0) == 2.0
    with pytest.raises(TypeError):
        tools.numba_func(np.exp)
    bp.profile.set(jit=False)
    plain = tools.numba_func(decay, {"tau": 5.0})
    assert not isinstance(plain, numba.core.dispatcher.Dispatcher)
    assert plain(1.0) == pytest.approx(-1.0 / 5.0 + gain) and plain.__name__ == "decay"
    assert tools.numba_func(scaled) is scaled  # nothing to replace: jit, the identity here


# --- ast2code ------------------------------------------------------------------------

ROUND_TRIP_SOURCES = [
    """
    def hh(V, t, m, h, n, Isyn):
        '''Hodgkin-Huxley.

            Indented docstring line.
        '''
        INa = gNa * m ** 3 * h * (V - ENa)
        IK = gK * n ** 4 * (V - EK)
        return (-INa - IK - gL * (V - EL) + Isyn) / C
    """,
    """
    class Model:
        def update(self, ST, _t, neighbours):
            for i in range(ST.shape[1]):
                if ST[0, i] > threshold_potential_value and not refractory_flag_array[i] or force_spike_now:
                    ST[0, i] = reset_potential_value_for_this_neuron + adaptation_increment_value * ST[1, i]
                elif ST[0, i] < minimum_value:
                    continue
            totals = {key: sum(values_list_for_key) for key, values_list_for_key in neighbours.items() if key}
            return [element_value * scale_factor_value for element_value in totals.values()], f'{_t:.2f} ms'
    """,
    """
    result = some_function_with_a_long_name(first_argument_value, second_argument_value, third_argument_value,
                                            keyword_argument=another_function(nested_value_one, nested_value_two))
    callback = lambda alpha_value, beta_value, gamma_value: alpha_value * beta_value + gamma_value - alpha_value
    long_sum = alpha_value_one + beta_value_two + gamma_value_three + delta_value_four + epsilon_value_five + z
    message = 'a string literal that is rather long on its own' + " and another one that makes the line long"
    """,
]


@pytest.mark.parametrize("source", ROUND_TRIP_SOURCES)
@pytest.mark.parametrize(("indent", "line_length"), [(4, 100), (2, 60), (3, 40)])
def test_ast2code_round_trips(source, indent, line_length):
    tree = ast.parse(textwrap.dedent(source))
    code = tools.ast2code(tree, indent=indent, line_length=line_length)
    assert ast.dump(ast.parse(code)) == ast.dump(tree)
    if line_length >= 60:  # room for the longest names at the deepest level
        too_long = [line for line in code.splitlines() if len(line) > line_length]
        assert all("'" in line or '"' in line for line in too_long)  # only string literals do not fit


def test_ast2code_indent_and_wrapping():
    tree = ast.parse("def f(x):\n    if x:\n        return x + 1\n")
    assert tools.ast2code(tree, indent=2) == "def f(x):\n  if x:\n    return x + 1"
    call = ast.parse("y = g(" + ", ".join(f"arg{k}" for k in range(30)) + ")")
    code = tools.ast2code(call, line_length=50)
    lines = code.splitlines()
    assert len(lines) > 1 and all(len(line) <= 50 for line in lines)
    assert all(line.rstrip().endswith(",") for line in lines[:-1])  # broken after commas
    plain = ast.parse("total = " + " + ".join(f"value{k}" for k in range(20)))
    code = tools.ast2code(plain, line_length=40)
    assert ast.dump(ast.parse(code)) == ast.dump(plain)
    assert all(len(line) <= 40 for line in code.splitlines()) and "\\" in code
    expression = ast.parse("a+b", mode="eval")
    assert tools.ast2code(expression) == "a + b"
    assert tools.ast2code(ast.parse("x = 1\ny = 2").body) == "x = 1\ny = 2"
    with pytest.raises(ValueError):
        tools.ast2code(tree, indent=0)


# --- printing ------------------------------------------------------------------------


def test_show_code_scope(capsys):
    scope = {"np": np, "tau": 10.0, "w": np.ones(100), "small": np.array([1, 2]), "skip": 1, "__builtins__": {}}
    assert tools.show_code_scope(scope, ignores=("skip",)) is None
    assert capsys.readouterr().out.splitlines() == [
        "tau = 10.0",
        "w = array(shape=(100,), dtype=float64)",
        "small = array([1, 2])",
    ]


def test_show_code_str(capsys):
    code = "\n".join(f"x{k} = {k}" for k in range(10)) + "\n"
    assert tools.show_code_str(code) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and lines[0] == " 1  x0 = 0" and lines[-1] == "10  x9 = 9"


# --- the package ---------------------------------------------------------------------


def test_exposed_as_bp_tools():
    assert bp.tools is tools and "tools" in bp.__all__
    assert set(tools.__all__) <= set(dir(tools))
    for absent in ("CodeLineFormatter", "format_code", "FindAtomicOp", "DiffEquationAnalyser", "replace_func"):
        assert not hasattr(tools, absent) and absent in tools.__doc__


@pytest.mark.subprocess
def test_tools_import_first_in_a_fresh_process():
    code = "import brainlab.tools as t, brainlab as bp; assert bp.tools is t; print(t.func_call(['a']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "a"
