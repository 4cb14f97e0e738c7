"""brainlab_widgets.exercises: solutions pass, typical mistakes get specific feedback, nothing is executed.

Every check computes its reference with the engine when it runs; these tests
compare the verdicts with hand derivations (closed forms, Jacobians) and make
sure that feedback on a wrong number never quotes the expected value.
"""

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest

from brainlab_widgets import exercises
from brainlab_widgets.exercises import EXERCISES, Feedback, check, fhn_template, get_exercise

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks" / "exercises"

FHN_SOLUTION = fhn_template().replace("...", "(V + a - b*w) / tau")
VDP_SOLUTION = {"A": "stable-focus", "B": "unstable-focus", "C": "unstable-node", "D": "saddle", "E": "stable-node"}


def lif_rate_by_hand():
    v_inf = -70.0 + 10.0 * 3.0  # V_rest + R I (mV)
    isi = 2.0 + 20.0 * math.log((v_inf + 75.0) / (v_inf + 50.0))  # t_ref + tau ln(...)
    return 1000.0 / isi, isi


def fhn_hopf_by_hand(a=0.7, b=0.8, tau=12.5):
    v = -math.sqrt(1 - b / tau)
    return (v + a) / b - v + v**3 / 3


def text_of(feedback):
    return str(feedback) + feedback._repr_html_()


def assert_hides(feedback, value):
    """No usual rounding of ``value`` appears in the feedback."""
    text = text_of(feedback)
    for form in {f"{value:.2f}", f"{value:.3f}", f"{value:.4g}", f"{value:.5g}", f"{value:.6g}"}:
        assert form not in text, (form, text)


def solution(exercise_id):
    return {
        "lif_rate": lif_rate_by_hand()[0],
        "fhn_complete": FHN_SOLUTION,
        "classify_fixed_points": VDP_SOLUTION,
        "fhn_hopf": fhn_hopf_by_hand(),
        "gamma_tuning": {"g_max": 0.2, "I_ext": 1.2},
        "izhikevich_class": "IB",
    }[exercise_id]


# --- the registry and the feedback object ---------------------------------------------------------------


def test_at_least_five_exercises_with_title_and_what_to_submit():
    assert len(EXERCISES) >= 5
    for key, exercise in EXERCISES.items():
        assert exercise.id == key and exercise.title and exercise.submit
        assert get_exercise(key) is exercise
    with pytest.raises(KeyError, match="lif_rate"):
        get_exercise("nope")
    with pytest.raises(Exception):  # noqa: B017 - frozen dataclass
        EXERCISES["lif_rate"].title = "x"


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_solution_passes_and_shows_green(exercise_id):
    feedback = check(exercise_id, solution(exercise_id))
    assert isinstance(feedback, Feedback)
    assert feedback.passed and feedback.answered and feedback.status == "passed", str(feedback)
    assert feedback.messages[0].startswith("Correct")
    assert "#2e7d32" in feedback._repr_html_() and str(feedback).startswith("✔")
    assert feedback.title == EXERCISES[exercise_id].title


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_placeholder_is_not_answered_yet(exercise_id):
    placeholders = [None]
    if exercise_id == "fhn_complete":
        placeholders += [fhn_template(), "   "]
    if exercise_id == "classify_fixed_points":
        placeholders.append(dict.fromkeys("ABCDE"))
    if exercise_id == "gamma_tuning":
        placeholders.append({"g_max": None, "I_ext": None})
    for placeholder in placeholders:
        feedback = check(exercise_id, placeholder)
        assert not feedback.passed and not feedback.answered and feedback.status == "unanswered"
        assert feedback.messages[0].startswith("Not answered yet")
        assert str(feedback).startswith("…")


def test_failed_feedback_is_red_and_html_escapes_student_text():
    feedback = check("fhn_complete", "dV/dt = <script>alert(1)</script>")
    assert not feedback.passed and feedback.answered
    page = feedback._repr_html_()
    assert "#c62828" in page and "<script>" not in page and "&lt;script&gt;" in page
    assert str(feedback).startswith("✘ Complete the FitzHugh–Nagumo model")


def test_unknown_exercise_is_feedback_not_an_exception():
    feedback = check("no_such_exercise", 1.0)
    assert not feedback.passed and "lif_rate" in feedback.messages[0]


WEIRD = [True, "1e3", b"12", [1, 2], (1,), {1: 2}, {"a": None}, object(), np.array([1.0, 2.0]), math.inf, -math.nan,
         10**400, "x" * 100_000, lambda: 1, Feedback]  # fmt: skip


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_odd_answers_give_feedback_and_never_raise(exercise_id):
    for answer in WEIRD:
        feedback = check(exercise_id, answer)
        assert isinstance(feedback, Feedback) and not feedback.passed, (answer, str(feedback))
        assert feedback.messages and all(isinstance(m, str) and len(m) < 600 for m in feedback.messages)


# --- 1. LIF rate ----------------------------------------------------------------------------------------


def test_lif_rate_reference_is_the_closed_form_and_the_simulation():
    from brainlab_widgets import _exercise_checks as checks

    rate, isi = lif_rate_by_hand()
    assert checks.lif_isi(checks.LIF) == pytest.approx(isi)
    assert checks.lif_simulated_rate(checks.LIF) == pytest.approx(rate, rel=0.005)
    assert check("lif_rate", rate * 1.015).passed and check("lif_rate", round(rate)).passed
    assert check("lif_rate", np.float32(rate)).passed


@pytest.mark.parametrize(
    ("answer", "phrases"),
    [
        (80.0, ["Too high", "between 30 and 40 Hz", "I = 3 nA"]),
        (12.0, ["Too low", "12 Hz", "between 30 and 40 Hz"]),
        (39.0, ["Close, but too high", "tolerance is 2 %"]),
        ("isi", ["inter-spike interval in ms"]),
        ("no_ref", ["refractory period"]),
        ("khz", ["kHz"]),
        (0.0, ["does fire"]),
        ("36.9", ["not text", "without quotes"]),
        (math.nan, ["finite"]),
        (True, ["must be a number"]),
    ],
)
def test_lif_rate_wrong_answers_are_specific_and_hide_the_rate(answer, phrases):
    rate, isi = lif_rate_by_hand()
    answer = {"isi": isi, "no_ref": 1000.0 / (isi - 2.0), "khz": rate / 1000.0}.get(answer, answer)
    feedback = check("lif_rate", answer)
    assert not feedback.passed and feedback.answered
    for phrase in phrases:
        assert phrase in str(feedback), (phrase, str(feedback))
    assert_hides(feedback, rate)
    for hidden in ("36.9", "37.0", "27.1"):
        assert hidden not in text_of(feedback) or hidden in str(answer)


# --- 2. complete FitzHugh–Nagumo ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("w_rhs", "phrases"),
    [
        ("-(V + a - b*w) / tau", ["At I = 0.8 your fixed point is a saddle; the expected one is an unstable node"]),
        ("V + a - b*w", ["your fixed point is an unstable focus; the expected one is an unstable node", "too fast"]),
        ("(V - a - b*w) / tau", ["your fixed point is at V = 1.20", "lies elsewhere (at lower V)", "not oscillate"]),
        ("(a - V - b*w) / tau", ["your model has 2 fixed points", "a saddle at"]),
        ("(V + a - b*w) / (2*tau)", ["too slow"]),
        ("(V - b*w) / tau", ["At I = 0 your model oscillates", "the expected model rests", "(at lower V)"]),
    ],
)
def test_fhn_wrong_w_equations_are_told_what_differs(w_rhs, phrases):
    feedback = check("fhn_complete", fhn_template().replace("...", w_rhs))
    assert not feedback.passed and feedback.answered
    for phrase in phrases:
        assert phrase in str(feedback), (phrase, str(feedback))


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        (fhn_template().replace("...", "(V + a - b*w / tau"), ["line 2, column 9", "never closed", "Line 2 reads"]),
        (fhn_template().replace("...", "(V + a - c*w) / tau"), ["line 2", "unknown name 'c'"]),
        (fhn_template().replace("**3", "^3").replace("...", "(V + a - b*w) / tau"), ["line 1", "use **"]),
        ("dV/dt = V - V**3/3 + I\n", ["variables ['V']", "exactly V and w"]),
        ("dV/dt = V - V**3/3 - w\ndw/dt = (V + a - b*w) / tau\n", ["does not use the input current I"]),
        (42, ["as text"]),
        ("dV/dt = exp(50*V) - w + I\ndw/dt = (V + a - b*w) / tau\n", ["diverges"]),
    ],
)
def test_fhn_text_errors_become_feedback(text, phrases):
    feedback = check("fhn_complete", text)
    assert not feedback.passed and feedback.answered
    for phrase in phrases:
        assert phrase in str(feedback), (phrase, str(feedback))


def test_fhn_accepts_equivalent_forms():
    for rhs in ["(V + a - b*w)/tau", "V/tau + a/tau - b*w/tau", "0.08*V + 0.056 - 0.064*w"]:
        assert check("fhn_complete", fhn_template().replace("...", rhs)).passed, rhs
    intermediate = "dV/dt = V - V**3/3 - w + I\nrecovery = V + a - b*w\ndw/dt = recovery / tau\n"
    assert check("fhn_complete", intermediate).passed


HOSTILE = [
    "__import__('os').system('touch {canary}')",
    "dV/dt = __import__('os').system('touch {canary}')\ndw/dt = 0",
    "dV/dt = V\ndw/dt = open('{canary}', 'w')",
    "dV/dt = (lambda: __import__('os').system('touch {canary}'))()\ndw/dt = w",
    "dV/dt = V.__class__.__mro__\ndw/dt = w",
    "import os; os.system('touch {canary}')",
    "dV/dt = [x for x in ().__class__.__bases__]\ndw/dt = w",
    "dV/dt = eval(\"__import__('os').system('touch {canary}')\")\ndw/dt = w",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_model_text_is_rejected_and_nothing_runs(template, tmp_path):
    canary = tmp_path / "canary"
    feedback = check("fhn_complete", template.format(canary=canary))
    assert not feedback.passed and feedback.answered
    assert feedback.messages[0].startswith("Your model text is not accepted")
    assert not canary.exists()


def test_checker_sources_never_evaluate_text():
    for name in ("exercises.py", "_exercise_checks.py"):
        tree = ast.parse((ROOT / "widgets" / name).read_text(encoding="utf-8"))
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not called & {"eval", "exec", "compile", "__import__"}, name
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
        assert not imported & {"sympify", "parse_expr", "sympy"}, name


# --- 3. classify fixed points -----------------------------------------------------------------------------


def test_classification_reference_matches_the_trace_determinant_rule():
    from brainlab_widgets import _exercise_checks as checks

    for case, pars in checks.VDP_CASES.items():
        trace, det = pars["mu"], pars["k"]  # Jacobian [[0, 1], [-k, mu]] at the origin
        kind = (
            "saddle"
            if det < 0
            else ("stable-" if trace < 0 else "unstable-") + ("node" if trace**2 >= 4 * det else "focus")
        )
        assert VDP_SOLUTION[case] == kind
    assert checks.reference_classes() == VDP_SOLUTION


def test_classification_accepts_spelling_variants():
    answer = {k.lower(): v.upper().replace("-", " ") for k, v in VDP_SOLUTION.items()}
    assert check("classify_fixed_points", answer).passed
    assert check("classify_fixed_points", {**VDP_SOLUTION, "A": "stable_focus"}).passed


@pytest.mark.parametrize(
    ("case", "wrong", "hint"),
    [
        ("A", "saddle", "determinant"),
        ("D", "unstable-node", "determinant"),
        ("B", "stable-focus", "trace"),
        ("A", "stable-node", "discriminant"),
        ("C", "unstable-focus", "discriminant"),
        ("E", "unstable-node", "trace"),
    ],
)
def test_classification_hints_without_the_answer(case, wrong, hint):
    feedback = check("classify_fixed_points", {**VDP_SOLUTION, case: wrong})
    assert not feedback.passed
    line = next(m for m in feedback.messages if m.startswith(case + " ("))
    assert hint in line and repr(wrong) in line
    line = line.replace(repr(wrong), "")
    assert VDP_SOLUTION[case] not in line and VDP_SOLUTION[case].replace("-", " ") not in line
    assert "Right so far" in feedback.messages[0]


def test_classification_rejects_unknown_names_and_reports_partial_answers():
    feedback = check("classify_fixed_points", {"A": "stable spiral", "B": 3, "F": "saddle"})
    text = str(feedback)
    assert not feedback.passed and feedback.answered
    assert "not one of the engine's names" in text and "a 'focus'" in text
    assert "Unknown cases ['F']" in text and "C (μ = 3, k = 1): not answered yet" in text
    assert not check("classify_fixed_points", ["stable-node"] * 5).passed


# --- 4. the Hopf current ----------------------------------------------------------------------------------


def test_hopf_reference_is_the_analysers_and_the_hand_derivation():
    from brainlab_widgets import _exercise_checks as checks

    low, high = checks.hopf_currents()[:2]
    assert low == pytest.approx(fhn_hopf_by_hand(), abs=1e-4)
    assert high == pytest.approx(1.4187, abs=1e-3)
    assert check("fhn_hopf", low + 0.009).passed and check("fhn_hopf", low - 0.009).passed
    assert not check("fhn_hopf", low + 0.012).passed


@pytest.mark.parametrize(
    ("answer", "phrases"),
    [
        (0.2, ["Too low", "at I = 0.2 the fixed point is a stable focus", "still stable"]),
        (0.36, ["Close, but too high", "already unstable"]),
        (0.6, ["Too high", "at I = 0.6 the fixed point is an unstable", "lower current"]),
        (1.4187, ["oscillation ends", "where it begins"]),
        (2.0, ["stable again", "upper Hopf point"]),
        (-50.0, ["far outside"]),
        ("0.33", ["not text"]),
        (None, ["Not answered yet"]),
    ],
)
def test_hopf_wrong_answers_say_which_way(answer, phrases):
    feedback = check("fhn_hopf", answer)
    assert not feedback.passed
    for phrase in phrases:
        assert phrase in str(feedback), (phrase, str(feedback))
    if not isinstance(answer, str):
        assert_hides(feedback, fhn_hopf_by_hand())


# --- 5. gamma -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "phrases"),
    [
        ({"g_max": 0.02, "I_ext": 2.0}, ["Too fast", "target 30–50 Hz", "Not synchronous enough", "κ = 0.1"]),
        ({"g_max": 1.0, "I_ext": 1.2}, ["Too slow", "weaker inhibition"]),
        ({"g_max": 0.1, "I_ext": 0.0}, ["hardly fire", "increase it"]),
        ({"g_max": 3.0, "I_ext": 1.0}, ["g_max must be between 0 and 2"]),
        ({"g_max": 0.1}, ["exactly the keys"]),
        ({"g_max": "0.1", "I_ext": 1.2}, ["g_max must be a number, not text"]),
    ],
)
def test_gamma_feedback_names_the_measured_rhythm(answer, phrases):
    feedback = check("gamma_tuning", answer)
    assert not feedback.passed and feedback.answered
    for phrase in phrases:
        assert phrase in str(feedback), (phrase, str(feedback))


def test_gamma_run_measures_like_the_check():
    measured = exercises.gamma_run(0.2, 1.2)
    assert 30 <= measured["frequency"] <= 50 and measured["coherence"] > 0.5 and measured["rate"] > 10
    with pytest.raises(ValueError, match="between 0 and 2"):
        exercises.gamma_run(5.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        exercises.gamma_run(math.nan, 1.0)


# --- 6. Izhikevich ------------------------------------------------------------------------------------------


def test_izhikevich_feedback_compares_the_patterns():
    t, v = exercises.mystery_trace()
    assert t.shape == v.shape and np.all(np.isfinite(v))
    assert check("izhikevich_class", " ib ").passed
    feedback = check("izhikevich_class", "CH")
    assert not feedback.passed
    assert "the CH preset fires repeated bursts" in feedback.messages[0]
    assert "The recorded neuron starts with a burst" in feedback.messages[1]
    assert "IB" not in str(feedback)
    assert "Answer with one of the class names" in str(check("izhikevich_class", "bursting"))


# --- notebooks -------------------------------------------------------------------------------------------------


def _code_cells(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_exercise_notebooks_exist_one_per_exercise_and_a_solutions_notebook():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert "solutions.ipynb" in names and len(names) >= 6
    used = set()
    for path in NOTEBOOKS.glob("0*.ipynb"):
        cells = _code_cells(path)
        last = cells[-1].strip()
        assert last.startswith('check("') and last.endswith(", answer)"), path.name
        used.add(last.split('"')[1])
        assert any(c.lstrip().startswith("answer =") for c in cells), path.name
    assert used == set(EXERCISES)
    solutions = "\n".join(_code_cells(NOTEBOOKS / "solutions.ipynb"))
    assert all(f'"{key}"' in solutions for key in EXERCISES)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("0*.ipynb")), ids=lambda p: p.name)
def test_exercise_notebook_as_shipped_says_not_answered_yet(path):
    cells = _code_cells(path)
    namespace: dict = {"__name__": "__notebook__"}
    for source in cells[:-1]:
        exec(compile(source, path.name, "exec"), namespace)  # our own notebook code, as a kernel runs it
    feedback = eval(compile(cells[-1], path.name, "eval"), namespace)  # the check(...) cell
    assert isinstance(feedback, Feedback) and not feedback.answered
    assert feedback.messages[0].startswith("Not answered yet")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_checks_use_their_own_settings_and_restore_the_students():
    import brainlab as bp

    bp.profile.set(dt=0.3, numerical_method="euler")
    assert check("lif_rate", solution("lif_rate")).passed
    assert check("fhn_hopf", solution("fhn_hopf")).passed
    assert bp.profile.get_dt() == 0.3 and bp.profile.get_numerical_method() == "euler"
