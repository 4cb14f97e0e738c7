"""Security of the equation language: hostile text is rejected, quickly, and never executed.

Model text may come from any browser client (Voila apps). ``brainlab.equations.validate``
must reject every payload below with an ``EquationError`` (never another exception),
in well under 50 ms, without running any of it. Two independent proofs that nothing
runs: canary files that the payloads would create if they were ever evaluated, and
a guard that replaces ``eval``, ``exec``, ``__import__``, ``open``, ``os.system``,
... by tripwires (and lets ``compile`` build syntax trees only) while the validator runs.
"""

import ast
import builtins
import contextlib
import keyword
import math
import os
import random
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from brainlab.equations import names, validate
from brainlab.equations.validate import (
    MATH_FUNCTIONS,
    MAX_ABS_NUMBER,
    MAX_AST_DEPTH,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    RESERVED_NAMES,
    check_identifier,
    check_number,
    free_names,
    parse_expression,
)
from brainlab.errors import EquationError

NAMES = frozenset({"V", "u", "I", "a", "b", "m", "n", "R", "tau", "V_rest", "V_th", "alpha", "beta", "t"})
PARAMETERS = frozenset({"n", "tau", "R", "V_rest", "V_th", "a", "b"})
MAX_SECONDS = 0.05  # a hostile client must not make the kernel spin

# Payloads that would create or change a file under {tmp} if they were ever evaluated.
CANARY_PAYLOADS = [
    "__import__('os').system('touch {tmp}/canary1')",
    "open('{tmp}/canary2','w').write('x')",
    "(lambda: __import__('pathlib').Path('{tmp}/canary3').touch())()",
    "[__import__('os').mkdir('{tmp}/canary4') for _ in (1,)]",
    "list(__import__('os').mkdir('{tmp}/canary5') for _ in (1,))",
    "(__import__('os').mkdir('{tmp}/canary6') for _ in (1,))",
    "{__import__('os').mkdir('{tmp}/canary7') for _ in (1,)}",
    "{1: __import__('os').mkdir('{tmp}/canary8')}",
    "eval(\"open('{tmp}/canary9','w')\")",
    "exec(\"open('{tmp}/canary10','w')\")",
    "exec(compile(\"open('{tmp}/canary11','w')\",'','exec'))",
    "getattr(__builtins__,'eval')(\"open('{tmp}/canary12','w')\")",
    "__builtins__.__dict__['exec'](\"open('{tmp}/canary13','w')\")",
    "f\"{__import__('os').system('touch {tmp}/canary14')}\"",
    "(x := __import__('os')) and x.system('touch {tmp}/canary15')",
    "V; __import__('os').system('touch {tmp}/canary16')",
    "V\n__import__('os').system('touch {tmp}/canary17')",
    "V\r__import__('os').system('touch {tmp}/canary18')",
    "V if __import__('os').system('touch {tmp}/canary19') else V",
    "[V][__import__('os').system('touch {tmp}/canary20')]",
    "(yield __import__('os').system('touch {tmp}/canary21'))",
    "__import__('subprocess').run(['touch','{tmp}/canary22'])",
    "__import__('shutil').copy('/etc/hostname','{tmp}/canary23')",
    "V.__class__.__base__.__subclasses__()[0]('{tmp}/canary24')",
    "exp(*[open('{tmp}/canary25','w')])",
    "exp(x=open('{tmp}/canary26','w'))",
    "exp(**{'x': open('{tmp}/canary27','w')})",
    "еval(\"open('{tmp}/canary28','w')\")",  # Cyrillic е
    "ｅｖａｌ(\"open('{tmp}/canary29','w')\")",  # fullwidth letters
    "'{0.__class__}'.format(open('{tmp}/canary30','w'))",
    "V \\\n+ open('{tmp}/canary31','w')",
    "V #\nopen('{tmp}/canary32','w')",
]

# Payloads without side effects, one per attack or forbidden construct.
HOSTILE = [
    # Characters: homoglyphs, invisible characters, controls, forbidden ASCII.
    "еxp(V)",  # Cyrillic е
    "ｅｘｐ(V)",
    "V + \u202eI",  # right-to-left override
    "V\u200b + I",  # zero-width space
    "V\x00",
    "V\x0c+I",
    "V ！= 1",  # fullwidth exclamation mark
    "τ*V",
    "V^2",
    "V % 2",
    "V @ V",
    "V & 1",
    "V | 1",
    "~V",
    "$V",
    "`V`",
    "V ? 1",
    "V \\",
    "# comment",
    "<script>alert(1)</script>",
    # Resource exhaustion.
    "9**9**9",
    "10**1000",
    "9" * 5000,
    "1" * 30,
    "(" * 1000 + "V" + ")" * 1000,
    "(" * (MAX_DEPTH + 5) + "V" + ")" * (MAX_DEPTH + 5),
    " + ".join(["V"] * 50000),
    " + ".join(["V"] * 60),
    "-" * 399 + "V",
    "not " * 99 + "V",
    "V" * (MAX_LENGTH + 1),
    # Numbers.
    "1e400",
    "-1e16",
    "1e99999999",
    "1j",
    "2V",
    "0x10",
    "0b1",
    "007",
    "1.real",
    "1 .real",
    "...",
    # Constants that are not numbers.
    "True",
    "False",
    "None",
    "'V'",
    "b'x'",
    # Names: unknown, reserved, private, dunder, built-in, too long.
    "nan",
    "inf",
    "x",
    "dt",
    "_t",
    "_i",
    "ST",
    "pre",
    "np",
    "_x",
    "__class__",
    "__builtins__",
    "__import__",
    "print",
    "exec",
    "a" * 33,
    "exp",
    # Attributes and subscripts.
    "V.__class__.__mro__",
    "exp.__globals__",
    "V.real",
    "V[0]",
    "ST['V']",
    # Calls.
    "exp(*V)",
    "exp(**V)",
    "exp(x=V)",
    "exp(V, V)",
    "exp()",
    "clip(V, a)",
    "system(V)",
    "print(V)",
    "exec(input())",
    "eval(V)",
    "breakpoint()",
    "globals()",
    "vars()",
    "exit()",
    "V(1)",
    "exp(V)(V)",
    # Operators and other syntax.
    "V // 2",
    "V << 1",
    "V >> 1",
    "V ** V",
    "V ** (1/3)",
    "V ** 0.3",
    "V ** 9",
    "V ** -9",
    "1 if V else 2",
    "(V for V in V)",
    "(yield V)",
    "await V",
    "lambda: 0",
    "(x := 1)",
    "V, V",
    "()",
    "{V}",
    "V is None",
    "V in V",
    "V not in V",
    "V = 1",
    "V += 1",
    "V ! 1",
    "V V",
    "V +",
    "exp(V",
    "V)",
    ") + (",
    "",
    "   ",
]

# Rejected as right-hand sides, accepted as conditions.
CONDITION_ONLY = [
    "V < 1",
    "V >= V_th",
    "V == 1",
    "V != 1",
    "0 < V < 1",
    "V > 0 and u < 1",
    "V > 0 or u < 1",
    "not V < 0",
]


class _Executed(BaseException):
    """Raised by a tripwire: the validator called something that runs code or touches files."""


@contextlib.contextmanager
def _no_execution():
    """Replace everything that runs code or touches files by tripwires; ``compile`` may only build trees."""
    calls: list[str] = []
    real_compile = builtins.compile

    def tripwire(name):
        def stub(*args, **kwargs):
            calls.append(name)
            raise _Executed(name)

        return stub

    def compile_to_tree_only(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
            raise _Executed("compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    targets = [(builtins, name, tripwire(name)) for name in ("eval", "exec", "open", "input", "breakpoint")]
    targets += [(os, name, tripwire(f"os.{name}")) for name in ("system", "popen", "mkdir", "remove", "execv", "fork")]
    targets += [(subprocess, "Popen", tripwire("subprocess.Popen")), (builtins, "compile", compile_to_tree_only)]
    targets += [(builtins, "__import__", tripwire("__import__"))]  # last: setting the others may import
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in targets]
    try:
        for owner, name, replacement in targets:
            setattr(owner, name, replacement)
        yield calls
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def _reject_all(payloads, *, condition):
    """Run every payload through the validator under the tripwires; return (failures, messages, calls)."""
    failures, messages = [], {}
    with _no_execution() as calls:
        for text in payloads:
            start = time.perf_counter()
            try:
                tree = parse_expression(text, names=NAMES, parameters=PARAMETERS, line=3, condition=condition)
            except EquationError as error:
                messages[text] = error
            except _Executed as error:  # pragma: no cover - the point of the test
                failures.append(f"{text[:60]!r}: called {error}")
                continue
            except Exception as error:  # pragma: no cover - the point of the test
                failures.append(f"{text[:60]!r}: {type(error).__name__}: {error}")
                continue
            else:  # pragma: no cover - the point of the test
                failures.append(f"{text[:60]!r}: accepted as {ast.dump(tree)[:80]}")
                continue
            elapsed = time.perf_counter() - start
            if elapsed > MAX_SECONDS:  # pragma: no cover - the point of the test
                failures.append(f"{text[:60]!r}: took {elapsed * 1e3:.1f} ms")
    return failures, messages, calls


def _render(node):
    """Write a tree as a prefix expression, independently of ast.dump: ``(+ V (* 2 u))``."""
    symbols = {
        ast.Add: "+",
        ast.Sub: "-",
        ast.Mult: "*",
        ast.Div: "/",
        ast.Pow: "**",
        ast.USub: "neg",
        ast.UAdd: "pos",
        ast.Not: "not",
        ast.And: "and",
        ast.Or: "or",
        ast.Lt: "<",
        ast.LtE: "<=",
        ast.Gt: ">",
        ast.GtE: ">=",
        ast.Eq: "==",
        ast.NotEq: "!=",
    }
    if isinstance(node, ast.BinOp):
        return f"({symbols[type(node.op)]} {_render(node.left)} {_render(node.right)})"
    if isinstance(node, ast.UnaryOp):
        return f"({symbols[type(node.op)]} {_render(node.operand)})"
    if isinstance(node, ast.BoolOp):
        return f"({symbols[type(node.op)]} {' '.join(_render(v) for v in node.values)})"
    if isinstance(node, ast.Compare):
        parts = [_render(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts += [symbols[type(op)], _render(right)]
        return f"(cmp {' '.join(parts)})"
    if isinstance(node, ast.Call):
        return f"({node.func.id} {' '.join(_render(a) for a in node.args)})"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        return repr(node.value)
    raise AssertionError(f"unexpected node {ast.dump(node)}")


# --------------------------------------------------------------------------------------
# Hostile corpus
# --------------------------------------------------------------------------------------


def test_corpus_is_large():
    assert len(CANARY_PAYLOADS) + len(HOSTILE) >= 40


@pytest.mark.parametrize("condition", [False, True], ids=["rhs", "condition"])
def test_canary_payloads_are_rejected_and_never_run(tmp_path, condition):
    payloads = [p.replace("{tmp}", str(tmp_path)) for p in CANARY_PAYLOADS]
    failures, messages, calls = _reject_all(payloads, condition=condition)
    assert failures == []
    assert calls == []
    assert len(messages) == len(payloads)
    for number in range(1, 33):
        assert not (tmp_path / f"canary{number}").exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("condition", [False, True], ids=["rhs", "condition"])
def test_hostile_corpus_is_rejected_fast(condition):
    failures, messages, calls = _reject_all(HOSTILE, condition=condition)
    assert failures == []
    assert calls == []
    assert len(messages) == len(set(HOSTILE))


def test_messages_never_echo_raw_text(tmp_path):
    """Messages are ASCII and printable: other characters are named by code point, never repeated."""
    payloads = [p.replace("{tmp}", str(tmp_path)) for p in CANARY_PAYLOADS] + HOSTILE
    _, messages, _ = _reject_all(payloads, condition=False)
    for text, error in messages.items():
        message = str(error)
        assert message.isascii() and message.isprintable(), (text, message)
        assert "<script" not in message
        assert len(message) < 400, (text[:60], message)
        assert error.line == 3
        assert error.column is None or 1 <= error.column <= MAX_LENGTH + 1


def test_condition_syntax_is_rejected_in_right_hand_sides():
    failures, messages, calls = _reject_all(CONDITION_ONLY, condition=False)
    assert failures == [] and calls == []
    assert "only in conditions" in messages["V < 1"].reason
    assert "only in conditions" in messages["not V < 0"].reason
    assert "only in conditions" in messages["V > 0 and u < 1"].reason
    for text in CONDITION_ONLY:
        parse_expression(text, names=NAMES, condition=True)


def test_the_tripwires_work(tmp_path):
    """The guard of the corpus tests catches what it must catch, and the canaries are live payloads."""
    with _no_execution() as calls:
        with pytest.raises(_Executed):
            builtins.eval("1")
        with pytest.raises(_Executed):
            os.system("true")
        ast.parse("V + 1", mode="eval")  # trees are allowed
    assert calls == ["eval", "os.system"]
    # The payloads are real: evaluated (here only, on purpose) they create their canary.
    control = tmp_path / "control"
    control.mkdir()
    for payload in CANARY_PAYLOADS[1:3]:
        eval(payload.replace("{tmp}", str(control)))
    assert sorted(os.listdir(control)) == ["canary2", "canary3"]


@pytest.mark.parametrize("module", [validate, names], ids=["validate", "names"])
def test_validator_source_never_executes_text(module):
    """The security core calls no eval/exec/compile/sympify and imports nothing that could run text."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    called |= {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and ast.unparse(node.func) != "re.compile"
    }
    assert not called & {"eval", "exec", "compile", "sympify", "parse_expr", "__import__", "system", "literal_eval"}
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    allowed = {"__future__", "ast", "builtins", "keyword", "math", "re", "unicodedata", "collections.abc", "types"}
    assert imported <= allowed | {"typing", "numpy", "brainlab.errors", "brainlab.equations.names"}


def test_non_text_is_rejected():
    for value in [None, 42, 1.5, b"V", ["V"], ("V",), {"V": 1}]:
        with pytest.raises(EquationError, match="must be text"):
            parse_expression(value, names=NAMES)
    with pytest.raises(TypeError):
        parse_expression("V", names="V")


def test_str_subclasses_cannot_lie():
    class Sneaky(str):
        def __iter__(self):
            return iter("V")

        def __len__(self):
            return 1

        def strip(self, *args):
            return "V"

    with pytest.raises(EquationError):
        parse_expression(Sneaky("V; __import__('os')"), names=NAMES)
    with pytest.raises(EquationError):
        check_identifier(Sneaky("x=__import__('os')"))


def test_random_text_gives_trees_or_equation_errors():
    """A seeded fuzz over the allowed characters and tokens: no other exception, no slow case."""
    rng = random.Random(2024)
    tokens = ["V", "u", "n", "exp", "clip", "(", ")", ",", "+", "-", "*", "/", "**", "//", "<", "==", "and", "not"]
    tokens += ["if", "else", "for", "in", "is", "lambda", "1", "2.5", "1e3", ".5", " ", "=", "!", ".", "_", "None"]
    alphabet = " \t_.+-*/(),<>=!Vun19e"
    worst = 0.0
    for i in range(3000):
        if i % 2:
            text = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 25)))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        start = time.perf_counter()
        try:
            tree = parse_expression(text, names={"V", "u", "n"}, parameters={"n"}, condition=bool(i % 3))
        except EquationError:
            pass
        else:
            assert isinstance(tree, ast.expr)
        worst = max(worst, time.perf_counter() - start)
    assert worst < MAX_SECONDS


def test_names_cannot_whitelist_dangerous_names():
    """Even if the caller declares them, private, built-in and function names stay forbidden."""
    for name in ["__import__", "_t", "print", "eval", "input", "exp", "class"]:
        with pytest.raises(EquationError):
            parse_expression(f"{name} + 1", names={name, "V"})
    with pytest.raises(EquationError, match="not a function"):
        parse_expression("V(1)", names={"V"})
    # Context names the caller passes may be reserved ones.
    tree = parse_expression("t + dt", names={"t", "dt"})
    assert free_names(tree) == {"t", "dt"}
    with pytest.raises(EquationError, match="reserved"):
        parse_expression("t + dt", names={"t"})


def test_node_cap(monkeypatch):
    monkeypatch.setattr(validate, "MAX_NODES", 5)
    parse_expression("V + u", names=NAMES)
    with pytest.raises(EquationError, match="too large"):
        parse_expression("V + u + V + u", names=NAMES)


def test_depth_cap():
    terms = MAX_AST_DEPTH  # a sum of k terms is k nodes deep
    parse_expression(" + ".join(["V"] * terms), names=NAMES)
    with pytest.raises(EquationError, match="nested too deeply"):
        parse_expression(" + ".join(["V"] * (terms + 1)), names=NAMES)
    parse_expression("(" * MAX_DEPTH + "V" + ")" * MAX_DEPTH, names=NAMES)
    with pytest.raises(EquationError, match="nested too deeply") as info:
        parse_expression("(" * (MAX_DEPTH + 1) + "V" + ")" * (MAX_DEPTH + 1), names=NAMES)
    assert info.value.column == MAX_DEPTH + 1


def test_length_cap():
    text = "V + " * (MAX_LENGTH // 4 - 1) + "V"
    assert len(text) <= MAX_LENGTH
    with pytest.raises(EquationError, match="nested too deeply"):  # within the length, caught by the depth
        parse_expression(text, names=NAMES)
    with pytest.raises(EquationError, match="too long") as info:
        parse_expression("V" * (MAX_LENGTH + 1), names=NAMES)
    assert info.value.column == MAX_LENGTH + 1


# --------------------------------------------------------------------------------------
# Messages and positions
# --------------------------------------------------------------------------------------


def _error(text, **kwargs):
    kwargs.setdefault("names", NAMES)
    with pytest.raises(EquationError) as info:
        parse_expression(text, **kwargs)
    return info.value


def test_power_hint():
    error = _error("V^2")
    assert "**" in str(error)
    error = _error("a + b^2", line=7)
    assert error.column == 6
    assert error.line == 7
    assert str(error).startswith("line 7, column 6: ")


def test_one_expression_per_line():
    for text in ["V; u", "V\nu", "V\ru"]:
        assert "one expression per line" in str(_error(text))


def test_character_hints():
    assert "subscripts" in str(_error("V[0]"))
    assert "strings" in str(_error("'V'"))
    assert "strings" in str(_error('"V"'))
    assert ":=" in str(_error("(x := 1)"))
    error = _error("еxp(V)", line=2, column_offset=10)
    assert "U+0435 (CYRILLIC SMALL LETTER IE)" in str(error)
    assert error.column == 11
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in str(_error("V\u202e"))
    assert "U+200B (ZERO WIDTH SPACE)" in str(_error("V\u200b"))
    assert "U+0000" in str(_error("V\x00"))
    assert "looks like 'e'" in str(_error("ｅxp(V)"))
    assert "tau" in str(_error("V/τ"))


def test_columns_point_at_the_fault():
    assert _error("V // 2").column == 3
    assert _error("(V) // 2").column == 5
    assert _error("V < 1").column == 3
    assert _error("V + zz", column_offset=8).column == 13
    assert _error("V + zz", column_offset=8).reason.startswith("unknown name 'zz'")
    assert _error("V V").column == 3
    assert _error("exp(V").column == 4
    assert _error("V)").column == 2
    assert _error("V.real").column == 2
    assert _error("2V").column == 2
    assert _error("V**x").column == 4
    assert _error("  V + qq").column == 7
    assert _error("u + 1" + "1" * 20).column == 5


def test_readable_reasons():
    assert "attribute access (x.y) is not allowed" in str(_error("V.__class__"))
    assert "declared names are" in str(_error("x"))
    assert "I, R, V" in str(_error("x"))
    assert "exp() takes 1 argument, got 2" in str(_error("exp(V, V)"))
    assert "clip() takes 3 arguments, got 2" in str(_error("clip(V, a)"))
    assert "unknown function 'system'" in str(_error("system(V)"))
    assert "keyword arguments" in str(_error("exp(**V)")) or "star" in str(_error("exp(**V)"))
    assert "star arguments" in str(_error("exp(*V)"))
    assert "exponent" in str(_error("9**9**9"))
    assert "exponent" in str(_error("10**1000"))
    assert "not a parameter" in str(_error("V**u"))
    assert "too many digits" in str(_error("1" * 17))
    assert "not finite" in str(_error("1e400"))
    assert "complex" in str(_error("1j"))
    assert "starts with '_'" in str(_error("_x"))
    assert "reserved" in str(_error("dt"))
    assert "floor division" in str(_error("V // 2"))
    assert "conditional expressions" in str(_error("1 if V else 2"))
    assert "generator expressions" in str(_error("(V for V in V)"))
    assert "tuples" in str(_error("V, V"))
    assert "True and False" in str(_error("True"))
    assert "empty" in str(_error(" "))
    assert "is a function" in str(_error("exp + V"))
    assert "'in' and 'is'" in str(_error("V is V", condition=True))
    assert "pi" in str(_error("sin(pi*t)"))


# --------------------------------------------------------------------------------------
# Valid expressions
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "names"),
    [
        ("(-(V - V_rest) + R*I) / tau", "(/ (+ (neg (- V V_rest)) (* R I)) tau)", {"V", "V_rest", "R", "I", "tau"}),
        (
            "0.04*V**2 + 5*V + 140 - u + I",
            "(+ (- (+ (+ (* 0.04 (** V 2)) (* 5 V)) 140) u) I)",
            {"V", "u", "I"},
        ),
        ("V**n", "(** V n)", {"V", "n"}),
        ("V**-n", "(** V (neg n))", {"V", "n"}),
        ("m**3 * h**0.5", "(* (** m 3) (** h 0.5))", {"m", "h"}),
        ("V**-2.5", "(** V (neg 2.5))", {"V"}),
        ("(V**2)**3", "(** (** V 2) 3)", {"V"}),
        ("alpha*(1-m) - beta*m", "(- (* alpha (- 1 m)) (* beta m))", {"alpha", "beta", "m"}),
        ("exp(-(V+65)/18)", "(exp (/ (neg (+ V 65)) 18))", {"V"}),
        ("clip(V, a, b) + minimum(u, 1e3)", "(+ (clip V a b) (minimum u 1000.0))", {"V", "a", "b", "u"}),
        ("--V + +u", "(+ (neg (neg V)) (pos u))", {"V", "u"}),
        ("1_000 * .5 + 2. * 1e-3", "(+ (* 1000 0.5) (* 2.0 0.001))", set()),
        ("  V\t+ u ", "(+ V u)", {"V", "u"}),
        ("sin(2*t/tau)", "(sin (/ (* 2 t) tau))", {"t", "tau"}),
        ("1e15 - 1000000000000000", "(- 1000000000000000.0 1000000000000000)", set()),
    ],
)
def test_valid_expressions(text, expected, names):
    tree = parse_expression(text, names=NAMES | {"h"}, parameters=PARAMETERS)
    assert isinstance(tree, ast.expr)
    assert _render(tree) == expected
    assert free_names(tree) == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("V >= V_th", "(cmp V >= V_th)"),
        ("V > 0 and u < 1", "(and (cmp V > 0) (cmp u < 1))"),
        ("not V < 0", "(not (cmp V < 0))"),
        ("0 < V < 1", "(cmp 0 < V < 1)"),
        ("V == 1 or V != 2 and not u <= 3", "(or (cmp V == 1) (and (cmp V != 2) (not (cmp u <= 3))))"),
        ("exp(V) > a*t", "(cmp (exp V) > (* a t))"),
    ],
)
def test_valid_conditions(text, expected):
    tree = parse_expression(text, names=NAMES, condition=True)
    assert _render(tree) == expected


def test_tree_positions_index_the_text():
    tree = parse_expression("  V + I", names=NAMES)
    assert tree.col_offset == 2
    assert tree.left.col_offset == 2 and tree.right.col_offset == 6
    assert tree.end_col_offset == 7


def test_exponents():
    for exponent in ["0", "1", "2", "8", "-8", "0.5", "-0.5", "7.5", "+2", "n"]:
        parse_expression(f"V**{exponent}", names=NAMES, parameters={"n"})
    for exponent in ["9", "-9", "8.5", "0.3", "1e3", "u", "(1/3)", "V**2", "(n*2)", "True"]:
        with pytest.raises(EquationError, match="exponent"):
            parse_expression(f"V**{exponent}", names=NAMES, parameters={"n"})
    # The exponent may be a parameter without repeating it in names.
    parse_expression("V**k", names={"V"}, parameters={"k"})
    assert MAX_EXPONENT == 8


def test_math_functions_are_numpy_functions():
    for name, arity in MATH_FUNCTIONS.items():
        function = getattr(np, name)
        assert np.isfinite(function(*[0.5] * arity))
        parse_expression(f"{name}({', '.join(['V'] * arity)})", names={"V"})
    with pytest.raises(TypeError):
        MATH_FUNCTIONS["system"] = 1  # type: ignore[index]


def test_reserved_names():
    assert {"t", "dt", "_t", "_dt", "_i", "ST", "pre", "post", "np", "bp", "spike", "input"} == RESERVED_NAMES
    assert isinstance(RESERVED_NAMES, frozenset)


def test_free_names():
    tree = parse_expression("exp(V) + clip(u, a, b) * t", names=NAMES)
    assert free_names(tree) == {"V", "u", "a", "b", "t"}
    assert free_names(parse_expression("1 + 2", names=())) == set()


# --------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["V", "g_Na", "tau2", "V_", "x" * 32, "Tau_m_2", "e"])
def test_valid_identifiers(name):
    assert check_identifier(name) == name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("2V", "starts with a digit"),
        ("_x", "starts with '_'"),
        ("__class__", "starts with '_'"),
        ("class", "Python keyword"),
        ("lambda", "Python keyword"),
        ("match", "Python keyword"),
        ("print", "built-in"),
        ("eval", "built-in"),
        ("type", "built-in"),
        ("exp", "math function"),
        ("abs", "math function"),
        ("t", "reserved"),
        ("dt", "reserved"),
        ("ST", "reserved"),
        ("spike", "reserved"),
        ("x" * 33, "too long"),
        ("Vé", "U+00E9"),
        ("еxp", "U+0435"),
        ("V-1", "'-'"),
        ("V 1", "U+0020"),
        ("V\n", "U+000A"),
        ("", "empty"),
        ("x=__import__('os')", "'='"),
        ("V;import os", "';'"),
        ("V.x", "'.'"),
    ],
)
def test_invalid_identifiers(name, fragment):
    with pytest.raises(EquationError) as info:
        check_identifier(name, what="parameter name")
    assert fragment in str(info.value)
    assert "parameter name" in str(info.value)
    assert str(info.value).isascii()


def test_identifier_position_and_type():
    with pytest.raises(EquationError) as info:
        check_identifier("V-1", line=2, column=5)
    assert (info.value.line, info.value.column) == (2, 6)
    assert str(info.value).startswith("line 2, column 6: ")
    for value in [None, 1, b"V", ["V"]]:
        with pytest.raises(EquationError, match="must be text"):
            check_identifier(value)


def test_keywords_and_builtins_are_never_identifiers():
    for name in keyword.kwlist + keyword.softkwlist + dir(builtins):
        with pytest.raises(EquationError):
            check_identifier(name)


# --------------------------------------------------------------------------------------
# Numbers of numeric fields
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [0, 1, -65.0, 1e15, -1e15, 0.1, np.float64(2.5), np.float32(0.5), np.int64(3), 10**15]
)
def test_valid_numbers(value):
    result = check_number(value, field="tau")
    assert type(result) is float
    assert result == float(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1e3", "got text"),
        ("10", "got text"),
        ("__import__('os')", "got text"),
        (b"1", "got text"),
        (True, "boolean"),
        (False, "boolean"),
        (np.bool_(True), "boolean"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (float("-inf"), "finite"),
        (1e16, "too large"),
        (-1e16, "too large"),
        (10**400, "too large"),
        (1j, "got complex"),
        (None, "got NoneType"),
        ([1.0], "got list"),
    ],
)
def test_invalid_numbers(value, fragment):
    with pytest.raises(EquationError) as info:
        check_number(value, field="parameter 'tau'")
    assert fragment in str(info.value)
    assert "parameter 'tau'" in str(info.value)
    assert "__import__" not in str(info.value)


def test_text_in_numeric_fields_gets_a_hint():
    with pytest.raises(EquationError) as info:
        check_number("1e3", field="dt")
    assert info.value.hint and "never converted" in info.value.hint


def test_number_bounds():
    assert check_number(0.1, field="dt", positive=True) == 0.1
    for value in [0, 0.0, -1.0]:
        with pytest.raises(EquationError, match="positive"):
            check_number(value, field="dt", positive=True)
    assert check_number(5, field="n", minimum=5, maximum=5) == 5.0
    with pytest.raises(EquationError, match="at least 0"):
        check_number(-0.5, field="delay", minimum=0.0)
    with pytest.raises(EquationError, match="at most 100"):
        check_number(100.5, field="p", maximum=100)
    assert math.isclose(check_number(MAX_ABS_NUMBER, field="x"), 1e15)
