"""The checks behind :mod:`brainlab_widgets.exercises`: references from the engine, compared with answers.

Every reference is computed when a check runs (closed forms, simulations, the
phase-plane and bifurcation analysers), never stored. A check returns an
outcome ``(status, messages)``; wrong or malformed answers are outcomes, not
exceptions. Student text goes only through ``bp.NeuType.from_equations``;
numbers are type- and finiteness-checked; nothing a student writes is evaluated.
Messages about a numeric answer never quote the expected number: they give the
direction, a coarse range, or what the engine sees at the student's value.

Exercises 1–4 are here; 5 and 6, whose helpers the notebooks call directly
(``gamma_run``, ``mystery_trace``), are in :mod:`brainlab_widgets.exercises`.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

import brainlab as bp
from brainlab.errors import AnalysisError, BrainlabError, DivergenceError, EquationError

PASSED, FAILED, UNANSWERED = "passed", "failed", "unanswered"
Outcome = tuple[str, list[str]]
MAX_TEXT = 4000  # characters of model text accepted from a student


class Rejected(Exception):
    """An answer that cannot be checked (wrong type, not finite, text refused); its args are the messages."""


class NotAnswered(Exception):
    """The answer is still the notebook's placeholder."""


@contextlib.contextmanager
def engine(dt: float) -> Iterator[None]:
    """Run with a fixed dt and compiled kernels, whatever the student set, and without warnings."""
    with bp.profile.temporary(dt=dt, jit=True, show_code=False), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- answers --------------------------------------------------------------------------------------------


def number(answer: Any, what: str) -> float:
    """Return ``answer`` as a finite float or raise :class:`Rejected` / :class:`NotAnswered`."""
    title = "Your" + what[4:] if what.startswith("your") else what
    if answer is None:
        raise NotAnswered(f"Not answered yet: replace None with {what}.")
    if isinstance(answer, str):
        raise Rejected(f"{title} must be a number, not text ({short(answer)}): write it without quotes.")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Rejected(f"{title} must be a number, got a {type(answer).__name__}.")
    try:
        value = float(answer)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise Rejected(f"{title} must be a finite number, got {value}.")
    return value


def model_text(answer: Any) -> str:
    """Return the student's model text, or raise for a placeholder or a non-text answer."""
    if answer is None or (isinstance(answer, str) and ("..." in answer or not answer.strip())):
        raise NotAnswered("Not answered yet: complete the model text (replace the `...`).")
    if not isinstance(answer, str):
        raise Rejected(f"The model must be given as text (a str), got a {type(answer).__name__}.")
    if len(answer) > MAX_TEXT:
        raise Rejected(f"The model text is too long ({len(answer)} characters; at most {MAX_TEXT}).")
    return answer


def build(text: str, parameters: Mapping[str, float], name: str) -> Any:
    """Build a neuron type from student text with the safe equation language; rejections become messages."""
    try:
        return bp.NeuType.from_equations(text, parameters=dict(parameters), name=name, method="rk4")
    except EquationError as err:
        where = f"line {err.line}" + (f", column {err.column}" if err.column is not None else "") if err.line else ""
        first = f"Your model text is not accepted{' at ' + where if where else ''}: {err.reason}."
        messages = [first + (f" Hint: {err.hint}." if err.hint else "")]
        lines = text.splitlines()
        if err.line and 0 < err.line <= len(lines):
            messages.append(f"Line {err.line} reads: {short(lines[err.line - 1].strip(), 80)}")
        raise Rejected(*messages) from None


def short(text: str, size: int = 40) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text)
    return repr(text if len(text) <= size else text[: size - 1] + "…")


def coarse_range(value: float) -> tuple[float, float]:
    """Return a decade-sized bracket around a positive value (37 -> 30–40, 0.33 -> 0.3–0.4): a hint, not the answer."""
    step = 10.0 ** math.floor(math.log10(abs(value)))
    low = math.floor(value / step) * step
    return low, low + step


def fmt(value: float) -> str:
    return f"{value:g}"


def _bracket(value: float, unit: str = "") -> str:
    low, high = coarse_range(value)
    return f"between {fmt(low)} and {fmt(high)}{unit}"


def article(kind: str) -> str:
    """``'unstable-node'`` -> ``'an unstable node'``."""
    words = kind.replace("-", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def off_by(value: float, reference: float, tolerance: float, what: str, unit: str = "") -> list[str]:
    """Direction and size of a miss, without the reference: close (within 5×tolerance) or a coarse range."""
    direction = "too high" if value > reference else "too low"
    miss = abs(value - reference) / abs(reference)
    if miss <= 5 * tolerance:
        return [
            f"Close, but {direction}: {what} is about {100 * miss:.0f} % off (the tolerance is {100 * tolerance:g} %)."
        ]
    return [f"{direction.capitalize()}: {what} is {fmt(round(value, 4))}{unit}; expected {_bracket(reference, unit)}."]


# --- 1. LIF firing rate -----------------------------------------------------------------------------------

LIF = {"V_rest": -70.0, "V_reset": -75.0, "V_th": -50.0, "R": 10.0, "tau": 20.0, "t_ref": 2.0, "I": 3.0}
LIF_TOLERANCE = 0.02  # relative


def lif_isi(p: Mapping[str, float], refractory: bool = True) -> float:
    """Inter-spike interval (ms) of the LIF neuron under a constant current, from the closed form."""
    drive = p["R"] * p["I"] + p["V_rest"]
    if drive <= p["V_th"]:
        return math.inf
    return (p["t_ref"] if refractory else 0.0) + p["tau"] * math.log((drive - p["V_reset"]) / (drive - p["V_th"]))


def lif_simulated_rate(p: Mapping[str, float], dt: float = 0.01, duration: float = 300.0) -> float:
    """Return the firing rate (Hz) of ``bp.models.get_LIF`` with these parameters, from its simulated intervals."""
    with engine(dt):
        model = bp.models.get_LIF(
            V_rest=p["V_rest"],
            V_reset=p["V_reset"],
            V_th=p["V_th"],
            R=p["R"],
            tau=p["tau"],
            t_refractory=p["t_ref"],
            method="exponential",
        )
        group = bp.NeuGroup(model, 1, monitors=["spike"])
        group.run(duration, inputs=("ST.input", p["I"]))
    times = np.flatnonzero(group.mon.spike[:, 0]) * dt
    return 1000.0 / float(np.mean(np.diff(times))) if len(times) > 1 else 0.0


def check_lif_rate(answer: Any) -> Outcome:
    """Exercise 1: the rate of a LIF neuron at a constant current (Hz)."""
    p = LIF
    value = number(answer, "your firing rate in Hz")
    isi = lif_isi(p)
    formula = 1000.0 / isi
    simulated = lif_simulated_rate(p)
    tolerance = max(LIF_TOLERANCE, abs(simulated - formula) / formula)
    if abs(value - formula) <= tolerance * formula:
        return PASSED, [
            f"Correct: {fmt(value)} Hz agrees with the closed-form interval and with a simulation of "
            f"the neuron at I = {fmt(p['I'])} nA (within {100 * tolerance:g} %)."
        ]
    near = lambda x, ref: abs(x - ref) <= LIF_TOLERANCE * abs(ref)  # noqa: E731
    if value <= 0:
        return FAILED, [
            f"The neuron does fire at I = {fmt(p['I'])} nA: R·I = {fmt(p['R'] * p['I'])} mV is more "
            f"than V_th − V_rest = {fmt(p['V_th'] - p['V_rest'])} mV, so V reaches the threshold."
        ]
    if near(value, isi):
        return FAILED, [
            "This looks like the inter-spike interval in ms; the question asks for the rate in Hz "
            "(spikes per second = 1000 / interval in ms)."
        ]
    if near(1000.0 * value, formula):
        return FAILED, ["This looks like the rate in spikes per millisecond (kHz); give it in Hz."]
    if near(value, 1000.0 / lif_isi(p, refractory=False)):
        return FAILED, [
            f"You seem to have left out the refractory period: after each spike V is held at V_reset "
            f"for t_ref = {fmt(p['t_ref'])} ms, which adds to every interval."
        ]
    return FAILED, off_by(value, formula, LIF_TOLERANCE, f"your rate at I = {fmt(p['I'])} nA", " Hz")


# --- 2. complete FitzHugh–Nagumo ------------------------------------------------------------------------------

FHN = {"a": 0.7, "b": 0.8, "tau": 12.5}
FHN_INITIAL = {"V": -1.2, "w": -0.6}
FHN_CURRENTS = (0.0, 0.8)
FHN_BOX = {"V": [-3.0, 3.0], "w": [-3.0, 3.0]}
FHN_TEMPLATE = """\
dV/dt = V - V**3/3 - w + I
dw/dt = ...
threshold: V >= V_th
"""
PERIOD_TOLERANCE = 0.05  # relative
POSITION_TOLERANCE = 0.02
_DT_FHN, _T_FHN, _SETTLE_FHN = 0.05, 400.0, 150.0


def fixed_points(model: Any, input_name: str, current: float, box: Any = None) -> list[Any]:
    """Return the fixed points of a (V, w) model at a held input current, from ``bp.PhasePortraitAnalyzer``."""
    with engine(_DT_FHN):
        analyzer = bp.PhasePortraitAnalyzer(model, target_vars=box or FHN_BOX, fixed_vars={input_name: current})
        return analyzer.fixed_points()


def oscillation(ts: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """``(period, settled V)`` of a trace after the transient: period NaN without a sustained oscillation."""
    keep = ts >= _SETTLE_FHN
    t, x = ts[keep], v[keep]
    if np.ptp(x) < 0.5:
        return math.nan, float(x[-1])
    mid = 0.5 * (x.min() + x.max())
    ups = t[1:][(x[:-1] < mid) & (x[1:] >= mid)]
    return (float(np.mean(np.diff(ups))) if len(ups) >= 3 else math.nan), float(x[-1])


def fhn_traces(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Simulate one neuron per current of :data:`FHN_CURRENTS`; return ``(ts, V)`` with V of shape (steps, 2)."""
    with engine(_DT_FHN):
        group = bp.NeuGroup(model, len(FHN_CURRENTS), monitors=["V"])
        for var, value in FHN_INITIAL.items():
            group.ST[var] = value
        group.run(_T_FHN, inputs=("ST.input", np.array(FHN_CURRENTS)))
    return np.asarray(group.mon.ts), np.asarray(group.mon.V)


def _two(value: float) -> str:
    return f"{0.0 if abs(value) < 0.005 else value:.2f}"


def _describe_points(points: list[Any]) -> str:
    return ", ".join(f"{article(p.stability)} at V = {_two(p.values['V'])}, w = {_two(p.values['w'])}" for p in points)


def _compare_points(current: float, mine: list[Any], expected: list[Any]) -> list[str]:
    at = f"At I = {fmt(current)}"
    if len(mine) != len(expected):
        count = {0: "no fixed point", 1: "one fixed point"}.get(len(mine), f"{len(mine)} fixed points")
        listed = f" ({_describe_points(mine)})" if mine else ""
        return [f"{at} your model has {count} in −3 ≤ V, w ≤ 3{listed}; the expected model has {len(expected)}."]
    out = []
    for p, q in zip(
        sorted(mine, key=lambda p: p.values["V"]), sorted(expected, key=lambda p: p.values["V"]), strict=True
    ):
        if any(abs(p.values[v] - q.values[v]) > POSITION_TOLERANCE for v in ("V", "w")):
            side = "lower" if q.values["V"] < p.values["V"] else "higher"
            out.append(
                f"{at} your fixed point is at V = {_two(p.values['V'])}, w = {_two(p.values['w'])}, but the "
                f"expected one lies elsewhere (at {side} V): check where your dw/dt vanishes, the w-nullcline."
            )
        if p.stability != q.stability:
            out.append(f"{at} your fixed point is {article(p.stability)}; the expected one is {article(q.stability)}.")
    return out


def check_fhn_complete(answer: Any) -> Outcome:
    """Exercise 2: the missing w equation of FitzHugh–Nagumo, as text; compared by behaviour with the library model."""
    text = model_text(answer)
    model = build(text, {**FHN, "V_th": 1.0}, "StudentFHN")
    variables = sorted(set(model.ST.keys()) - {"input", "spike", "t_last_spike"})
    if variables != ["V", "w"]:
        raise Rejected(
            f"Your model has the variables {variables}; the exercise expects exactly V and w "
            "(one line dV/dt = ..., one line dw/dt = ...)."
        )
    reference = bp.models.get_FitzHughNagumo(**FHN, method="rk4")
    messages: list[str] = []
    for current in FHN_CURRENTS:
        try:
            mine = fixed_points(model, "I", current)
        except AnalysisError:
            raise Rejected("Your model does not use the input current I: keep `+ I` in the dV/dt line.") from None
        messages += _compare_points(current, mine, fixed_points(reference, "I_ext", current))
    try:
        ts, v = fhn_traces(model)
    except DivergenceError:
        return FAILED, [
            *messages,
            "Simulated, your model's state grows without bound (it diverges); the expected model stays bounded.",
        ]
    ts_ref, v_ref = fhn_traces(reference)
    for k, current in enumerate(FHN_CURRENTS):
        (period, settled), (expected, _) = oscillation(ts, v[:, k]), oscillation(ts_ref, v_ref[:, k])
        at = f"At I = {fmt(current)}"
        if math.isnan(expected) and not math.isnan(period):
            messages.append(f"{at} your model oscillates (period {period:.1f}); the expected model rests.")
        elif not math.isnan(expected) and math.isnan(period):
            messages.append(
                f"{at} your model does not oscillate (it settles near V = {settled:.2f}); the expected "
                "model fires periodically."
            )
        elif not math.isnan(expected) and abs(period - expected) > PERIOD_TOLERANCE * expected:
            speed = "too fast" if period < expected else "too slow"
            messages.append(
                f"{at} your model oscillates with period {period:.1f} ({speed}); the expected period "
                f"is {_bracket(expected)}."
            )
    if messages:
        return FAILED, messages
    return PASSED, [
        "Correct: your model has the expected fixed points at I = 0 and I = 0.8, rests at I = 0 and "
        "oscillates with the expected period at I = 0.8."
    ]


# --- 3. classify fixed points ---------------------------------------------------------------------------------

VDP_TEXT = """\
dx/dt = y
dy/dt = mu*(1 - x**2)*y - k*x
"""
VDP_CASES = {
    "A": {"mu": -0.5, "k": 1.0},
    "B": {"mu": 1.0, "k": 1.0},
    "C": {"mu": 3.0, "k": 1.0},
    "D": {"mu": 1.0, "k": -2.0},
    "E": {"mu": -3.0, "k": 1.0},
}
STABILITY_NAMES = ("stable-node", "unstable-node", "stable-focus", "unstable-focus", "saddle", "center", "saddle-node")
# (sign of det, sign of trace, real eigenvalues) of each 2-D class; None where the class does not fix it
_SIGNATURE = {
    "saddle": (-1, None, None),
    "saddle-node": (0, None, None),
    "center": (1, 0, False),
    "stable-node": (1, -1, True),
    "unstable-node": (1, 1, True),
    "stable-focus": (1, -1, False),
    "unstable-focus": (1, 1, False),
}
_HINTS = (
    "check the sign of the determinant of the Jacobian",
    "check the sign of its trace",
    "check the discriminant trace² − 4·det (real or complex eigenvalues?)",
)


def normalise_stability(name: Any) -> str:
    """``'Unstable focus'``/``'unstable_focus'`` -> ``'unstable-focus'``; raise :class:`Rejected` for unknown names."""
    if not isinstance(name, str):
        raise Rejected(f"a stability name is text such as 'stable-node', got a {type(name).__name__}")
    key = "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    if key in STABILITY_NAMES:
        return key
    hint = " (the engine calls a spiral a 'focus')" if "spiral" in key else ""
    raise Rejected(f"{short(name)} is not one of the engine's names {list(STABILITY_NAMES)}{hint}")


def classification_hint(mine: str, expected: str) -> str:
    """Return advice on the first property (determinant, trace, discriminant) in which two classes differ."""
    for hint, a, b in zip(_HINTS, _SIGNATURE[mine], _SIGNATURE[expected], strict=True):
        if a != b:
            return hint
    return _HINTS[-1]


def reference_classes() -> dict[str, str]:
    """Stability of the origin for each case, from ``bp.PhasePortraitAnalyzer`` on :data:`VDP_TEXT`."""
    model = bp.NeuType.from_equations(
        VDP_TEXT, parameters={"mu": 1.0, "k": 1.0}, initial={"x": 0.1, "y": 0.0}, name="VanDerPol"
    )
    with engine(0.01):
        analyzer = bp.PhasePortraitAnalyzer(model, target_vars={"x": [-1.0, 1.0], "y": [-1.0, 1.0]})
        out = {}
        for case, pars in VDP_CASES.items():
            analyzer.set_values(pars_update=pars)
            origin = min(analyzer.fixed_points(), key=lambda p: abs(p.values["x"]) + abs(p.values["y"]))
            out[case] = origin.stability
    return out


def check_classify(answer: Any) -> Outcome:
    """Exercise 3: the stability class of the origin of a van der Pol-type system in several cases."""
    if answer is None or (isinstance(answer, Mapping) and all(v is None for v in answer.values())):
        raise NotAnswered("Not answered yet: fill in a stability name for each case " + ", ".join(VDP_CASES) + ".")
    if not isinstance(answer, Mapping):
        raise Rejected("Give a dict such as {'A': 'stable-node', 'B': ...}, one entry per case.")
    given = {str(k).strip().upper(): v for k, v in answer.items()}
    unknown = sorted(set(given) - set(VDP_CASES))
    expected = reference_classes()
    messages = [f"Unknown cases {unknown}: the cases are {list(VDP_CASES)}."] if unknown else []
    right = []
    for case, pars in VDP_CASES.items():
        label = f"{case} (μ = {fmt(pars['mu'])}, k = {fmt(pars['k'])})"
        if given.get(case) is None:
            messages.append(f"{label}: not answered yet.")
            continue
        try:
            mine = normalise_stability(given[case])
        except Rejected as err:
            messages.append(f"{label}: {err.args[0]}.")
            continue
        if mine == expected[case]:
            right.append(case)
        else:
            messages.append(f"{label}: {mine!r} is not right; {classification_hint(mine, expected[case])}.")
    if messages:
        return FAILED, ([f"Right so far: {', '.join(right)}."] if right else []) + messages
    return PASSED, ["Correct: all five fixed points are classified as the engine classifies them."]


# --- 4. the Hopf current of FitzHugh–Nagumo ------------------------------------------------------------------

HOPF_TOLERANCE = 0.01  # absolute, in the units of I


def hopf_currents() -> list[float]:
    """Input currents of the Hopf points of the library FitzHugh–Nagumo model, from ``bp.BifurcationAnalyzer``."""
    with engine(0.05):
        model = bp.models.get_FitzHughNagumo(**FHN)
        analyzer = bp.BifurcationAnalyzer(
            model, target_pars={"I_ext": [-0.5, 2.0]}, dynamical_vars=FHN_BOX, par_resolution=0.01
        )
        start = analyzer.equilibria({"I_ext": 0.0})[:, 0]
        _, specials = analyzer.continue_branch(start, "I_ext", 0.0)
    return sorted(p.pars["I_ext"] for p in specials if p.kind == "hopf")


def check_fhn_hopf(answer: Any) -> Outcome:
    """Exercise 4: the current at which the rest state of FitzHugh–Nagumo loses stability."""
    value = number(answer, "your current I")
    low, high = hopf_currents()[:2]
    if abs(value - low) <= HOPF_TOLERANCE:
        return PASSED, [
            f"Correct: {fmt(value)} is within ±{HOPF_TOLERANCE:g} of the Hopf point that the "
            "bifurcation analyser finds: there the rest state loses stability and the oscillation "
            "begins."
        ]
    if abs(value - high) <= 2 * HOPF_TOLERANCE:
        return FAILED, [
            f"At I = {fmt(value)} the rest state regains stability as the current grows: that is the "
            "Hopf point where the oscillation ends. The question asks where it begins."
        ]
    if abs(value) > 10:
        return FAILED, [
            f"I = {fmt(value)} is far outside the range where this model changes behaviour; look "
            "between I = 0 and I = 2."
        ]
    wide = {"V": [-6.0, 6.0], "w": [-8.0, 8.0]}
    kind = fixed_points(bp.models.get_FitzHughNagumo(**FHN), "I_ext", value, wide)[0].stability
    state = f"at I = {fmt(value)} the fixed point is {article(kind)}"
    accuracy = f"(required accuracy ±{HOPF_TOLERANCE:g})"
    close = abs(value - low) <= 5 * HOPF_TOLERANCE
    if value < low:
        lead = "Close, but too low" if close else "Too low"
        return FAILED, [
            f"{lead}: {state}, still stable, so the neuron rests; the oscillation begins at a higher "
            f"current {accuracy}."
        ]
    if value < high:
        lead = "Close, but too high" if close else "Too high"
        return FAILED, [
            f"{lead}: {state}, already unstable; the rest state lost its stability at a lower current {accuracy}."
        ]
    return FAILED, [
        f"Too high: {state}, stable again (past the upper Hopf point: depolarisation block); the first "
        "Hopf point is at a much lower current."
    ]


def run_check(check: Any, answer: Any) -> Outcome:
    """Run one check; turn placeholders, rejected answers and engine errors into outcomes."""
    try:
        return check(answer)
    except NotAnswered as err:
        return UNANSWERED, [str(err)]
    except Rejected as err:
        return FAILED, [str(m) for m in err.args]
    except BrainlabError as err:
        return FAILED, [f"Your answer could not be analysed: {err}"]
