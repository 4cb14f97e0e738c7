"""Classroom exercises with automatic checks (``notebooks/exercises/``).

A student completes a model or answers with numbers; ``check(exercise_id, answer)``
returns a :class:`Feedback` that says what is right and what differs ("at I = 0.8
your fixed point is a saddle; the expected one is an unstable node"; "too high:
52 Hz; expected between 30 and 40 Hz") without giving the solution away.

The references are computed by the engine when a check runs: closed forms and
simulations, ``bp.PhasePortraitAnalyzer`` and ``bp.BifurcationAnalyzer``, the
library models and ``bp.measure``. Model text goes only through the safe equation
language (``bp.NeuType.from_equations``, whose rejections come back as feedback
with the line, column and a hint); numbers are checked for type and finiteness.
Nothing a student writes is evaluated, and a check never raises for an answer.

The exercises (one notebook each, and ``solutions.ipynb`` for teachers):

``lif_rate``
    The firing rate of a LIF neuron at a constant current (a number, Hz), against
    the closed-form interval and a simulation of ``bp.models.get_LIF``.
``fhn_complete``
    The missing ``dw/dt`` line of FitzHugh–Nagumo (text), compared with the library
    model by fixed points (position, stability) at I = 0 and 0.8 and by simulation.
``classify_fixed_points``
    The stability class of the origin of a van der Pol system in five cases (names
    of ``brainlab.dynamics.stability``), against the phase-plane analyser.
``fhn_hopf``
    The current where FitzHugh–Nagumo's rest state loses stability (a number),
    against the Hopf point of ``bp.BifurcationAnalyzer``.
``gamma_tuning``
    ``g_max`` and ``I_ext`` of the Wang–Buzsáki network for a 30–50 Hz rhythm with
    κ > 0.5, from a 500 ms run measured with ``bp.measure``.
``izhikevich_class``
    The Izhikevich class of a recorded trace, by comparing firing patterns.

Examples
--------
>>> from brainlab_widgets.exercises import check
>>> check("lif_rate", None).answered                     # doctest: +SKIP
False
>>> print(check("fhn_hopf", 0.9))                         # doctest: +SKIP
✘ The Hopf current of FitzHugh–Nagumo
  - Too high: at I = 0.9 the fixed point is an unstable node, already unstable; ...
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

import brainlab as bp
from brainlab_widgets import _exercise_checks as checks
from brainlab_widgets._exercise_checks import FAILED, PASSED, NotAnswered, Outcome, Rejected, engine, fmt, number, short

__all__ = [
    "EXERCISES",
    "Exercise",
    "Feedback",
    "check",
    "fhn_template",
    "gamma_run",
    "get_exercise",
    "mystery_trace",
]

_STYLE = {  # status -> (border, background, mark)
    checks.PASSED: ("#2e7d32", "#e8f5e9", "✔"),
    checks.FAILED: ("#c62828", "#ffebee", "✘"),
    checks.UNANSWERED: ("#8a6d00", "#fff8e1", "…"),
}


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The verdict of a check.

    Attributes
    ----------
    passed : bool
        Whether the answer is accepted.
    messages : list of str
        What is right, what differs and where to look (never the expected answer itself).
    exercise : str
        The exercise id.
    title : str
        The exercise title.
    answered : bool
        False while the answer is still the notebook's placeholder.
    """

    passed: bool
    messages: list[str]
    exercise: str = ""
    title: str = ""
    answered: bool = True

    @property
    def status(self) -> str:
        """``'passed'``, ``'failed'`` or ``'unanswered'``."""
        if not self.answered:
            return checks.UNANSWERED
        return checks.PASSED if self.passed else checks.FAILED

    def __str__(self) -> str:
        mark = _STYLE[self.status][2]
        return "\n".join([f"{mark} {self.title or self.exercise}", *(f"  - {m}" for m in self.messages)])

    def _repr_html_(self) -> str:
        border, background, mark = _STYLE[self.status]
        items = "".join(f"<li>{html.escape(m)}</li>" for m in self.messages)
        title = html.escape(self.title or self.exercise)
        return (
            f'<div class="brainlab-feedback brainlab-feedback-{self.status}" style="border-left: 6px solid {border}; '
            f'background: {background}; padding: 6px 12px; margin: 4px 0; font-family: sans-serif;">'
            f'<b style="color: {border}">{mark} {title}</b><ul style="margin: 4px 0">{items}</ul></div>'
        )


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One classroom task.

    Attributes
    ----------
    id : str
        The name given to :func:`check`.
    title : str
    submit : str
        What the student hands in.
    data : mapping
        The numbers the task states (read-only).
    """

    id: str
    title: str
    submit: str
    data: MappingProxyType
    checker: Callable[[Any], checks.Outcome] = dataclasses.field(repr=False, compare=False)

    def check(self, answer: Any) -> Feedback:
        """Check an answer to this exercise (see :func:`check`)."""
        status, messages = checks.run_check(self.checker, answer)
        return Feedback(
            passed=status == checks.PASSED,
            messages=messages,
            exercise=self.id,
            title=self.title,
            answered=status != checks.UNANSWERED,
        )


# --- 5. tune the gamma network ------------------------------------------------------------------------------

GAMMA_BAND = (30.0, 50.0)
GAMMA_KAPPA = 0.5
GAMMA_LIMITS = {"g_max": (0.0, 2.0), "I_ext": (0.0, 10.0)}
_DT_GAMMA, _T_GAMMA, _SETTLE_GAMMA, _NUM_GAMMA = 0.04, 500.0, 200.0, 100


def _measure_gamma(g_max: float, I_ext: float) -> dict[str, float]:
    """Run the Wang–Buzsáki gamma network 500 ms; return rate, frequency (Hz) and κ over the last 300 ms."""
    with engine(_DT_GAMMA):
        net, groups = bp.models.get_gamma_network(
            num=_NUM_GAMMA, g_max=float(g_max), I_ext=float(I_ext), monitors=("spike",)
        )
        net.run(_T_GAMMA, inputs=groups["inputs"])
        spikes = groups["neurons"].mon.spike[round(_SETTLE_GAMMA / _DT_GAMMA) :]
        seconds = spikes.shape[0] * _DT_GAMMA / 1000.0
        return {
            "rate": float(spikes.sum() / _NUM_GAMMA / seconds),
            "frequency": float(bp.measure.population_frequency(spikes, dt=_DT_GAMMA)),
            "coherence": float(bp.measure.cross_correlation(spikes, bin_size=round(1.0 / _DT_GAMMA))),
        }


def check_gamma(answer: Any) -> Outcome:
    """Exercise 5: choose ``g_max`` and ``I_ext`` for a coherent gamma rhythm."""
    if answer is None or (isinstance(answer, Mapping) and all(answer.get(k) is None for k in GAMMA_LIMITS)):
        raise NotAnswered("Not answered yet: give {'g_max': ..., 'I_ext': ...} with your two numbers.")
    if not isinstance(answer, Mapping) or set(answer) != set(GAMMA_LIMITS):
        raise Rejected("Give a dict with exactly the keys 'g_max' and 'I_ext', e.g. {'g_max': 0.1, 'I_ext': 1.0}.")
    values = {}
    for key, (low, high) in GAMMA_LIMITS.items():
        values[key] = number(answer[key], key)
        if not low <= values[key] <= high:
            raise Rejected(f"{key} must be between {fmt(low)} and {fmt(high)}, got {fmt(values[key])}.")
    m = _measure_gamma(**values)
    f, kappa, (lo, hi) = m["frequency"], m["coherence"], GAMMA_BAND
    if m["rate"] < 1.0:
        return FAILED, [
            f"The neurons hardly fire ({m['rate']:.1f} Hz): I_ext = {fmt(values['I_ext'])} is too weak a "
            "drive; increase it."
        ]
    messages = []
    if math.isnan(f):
        messages.append("The population shows no rhythm between 5 and 200 Hz.")
    elif f > hi:
        messages.append(
            f"Too fast: the population rhythm is {f:.1f} Hz (target {lo:g}–{hi:g} Hz); weaker drive "
            "(I_ext) or stronger inhibition (g_max) slows it down."
        )
    elif f < lo:
        messages.append(
            f"Too slow: the population rhythm is {f:.1f} Hz (target {lo:g}–{hi:g} Hz); stronger drive "
            "(I_ext) or weaker inhibition (g_max) speeds it up."
        )
    if not kappa > GAMMA_KAPPA:
        messages.append(
            f"Not synchronous enough: κ = {kappa:.2f} (target > {GAMMA_KAPPA:g}); the inhibition "
            "(g_max) is too weak to synchronise the neurons at this rate."
        )
    if messages:
        return FAILED, messages
    return PASSED, [
        f"Correct: a coherent gamma rhythm of {f:.1f} Hz with κ = {kappa:.2f} (mean rate {m['rate']:.1f} Hz)."
    ]


# --- 6. classify an Izhikevich neuron from its trace ---------------------------------------------------------

IZH_MYSTERY = "IB"
IZH_STEP = {"onset": 20.0, "duration": 320.0, "I": 10.0}
_DT_IZH = 0.1


def izhikevich_traces() -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """All presets under the step protocol: ``(ts, V by name, spike times by name)``."""
    presets = bp.models.izhikevich.IZHIKEVICH_PRESETS
    names = list(presets)
    steps = round(IZH_STEP["duration"] / _DT_IZH)
    current = np.zeros((steps, len(names)))
    current[round(IZH_STEP["onset"] / _DT_IZH) :] = IZH_STEP["I"]
    with engine(_DT_IZH):
        group = bp.NeuGroup(bp.models.get_Izhikevich(method="euler"), len(names), monitors=["V", "spike"])
        for p in "abcd":
            group.pars[p] = np.array([presets[n][p] for n in names])
        group.init_state(group.ST, V=-65.0, b=group.pars["b"])
        group.run(IZH_STEP["duration"], inputs=("ST.input", current))
    ts = np.asarray(group.mon.ts)
    volts = {n: np.asarray(group.mon.V[:, k]) for k, n in enumerate(names)}
    times = {n: ts[np.flatnonzero(group.mon.spike[:, k])] for k, n in enumerate(names)}
    return ts, volts, times


def firing_pattern(times: np.ndarray) -> str:
    """Describe a spike train in words: bursts (runs of short intervals ended by a long pause) and the late rate."""
    if len(times) < 3:
        return f"fires only {len(times)} spike{'s' if len(times) != 1 else ''}"
    isi = np.diff(times)
    pauses = [k for k in range(1, len(isi)) if isi[k - 1] < 10.0 and isi[k] > 3.0 * isi[k - 1]]
    late = 1000.0 / float(np.median(isi[len(isi) // 2 :]))
    if len(pauses) >= 2:
        return f"fires repeated bursts of fast spikes ({len(pauses)} pauses between bursts)"
    if len(pauses) == 1:
        return f"starts with a burst of {pauses[0] + 1} fast spikes, then fires single spikes at about {late:.0f} Hz"
    return f"fires single spikes, the first interval {isi[0]:.0f} ms, later at about {late:.0f} Hz"


def check_izhikevich(answer: Any) -> Outcome:
    """Exercise 6: name the Izhikevich class of a recorded trace; feedback compares firing patterns."""
    if answer is None:
        raise NotAnswered("Not answered yet: replace None with a class name such as 'RS'.")
    presets = bp.models.izhikevich.IZHIKEVICH_PRESETS
    if not isinstance(answer, str) or answer.strip().upper() not in presets:
        raise Rejected(f"Answer with one of the class names {list(presets)} (as text), got {short(str(answer))}.")
    name = answer.strip().upper()
    _, _, times = izhikevich_traces()
    if name == IZH_MYSTERY:
        return PASSED, [f"Correct: under this step the {name} preset {firing_pattern(times[name])}."]
    return FAILED, [
        f"Under the same step the {name} preset {firing_pattern(times[name])}.",
        f"The recorded neuron {firing_pattern(times[IZH_MYSTERY])}.",
    ]


def _exercise(id: str, title: str, submit: str, data: dict, checker: Callable) -> Exercise:
    return Exercise(id, title, submit, MappingProxyType(data), checker)


#: The exercises by id, in the order of the notebooks.
EXERCISES: MappingProxyType = MappingProxyType(
    {
        e.id: e
        for e in (
            _exercise(
                "lif_rate",
                "The firing rate of a LIF neuron",
                "a number: the firing rate in Hz at the given constant current",
                dict(checks.LIF),
                checks.check_lif_rate,
            ),
            _exercise(
                "fhn_complete",
                "Complete the FitzHugh–Nagumo model",
                "text: the model of fhn_template() with the dw/dt line completed",
                {**checks.FHN, "V_th": 1.0, "initial": dict(checks.FHN_INITIAL), "currents": checks.FHN_CURRENTS},
                checks.check_fhn_complete,
            ),
            _exercise(
                "classify_fixed_points",
                "Classify the fixed point",
                "a dict: case -> stability name ('stable-node', 'unstable-focus', 'saddle', ...)",
                {
                    "model": checks.VDP_TEXT,
                    "cases": {k: dict(v) for k, v in checks.VDP_CASES.items()},
                    "names": checks.STABILITY_NAMES,
                },
                checks.check_classify,
            ),
            _exercise(
                "fhn_hopf",
                "The Hopf current of FitzHugh–Nagumo",
                "a number: the input current I at which the rest state loses stability",
                {**checks.FHN, "tolerance": checks.HOPF_TOLERANCE},
                checks.check_fhn_hopf,
            ),
            _exercise(
                "gamma_tuning",
                "Tune a gamma rhythm",
                "a dict {'g_max': ..., 'I_ext': ...}",
                {"band": GAMMA_BAND, "kappa": GAMMA_KAPPA, "limits": dict(GAMMA_LIMITS)},
                check_gamma,
            ),
            _exercise(
                "izhikevich_class",
                "Which Izhikevich neuron is this?",
                "text: a class name ('RS', 'IB', 'CH', 'FS', 'TC', 'RZ' or 'LTS')",
                dict(IZH_STEP),
                check_izhikevich,
            ),
        )
    }
)


def get_exercise(exercise_id: str) -> Exercise:
    """Return the :class:`Exercise` with this id (``KeyError`` names the known ones)."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown exercise {exercise_id!r}; the exercises are {list(EXERCISES)}") from None


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check an answer and return :class:`Feedback` (never raises for an answer).

    Parameters
    ----------
    exercise_id : str
        One of :data:`EXERCISES` (``'lif_rate'``, ``'fhn_complete'``, ...).
    answer : object
        What the exercise asks for (``Exercise.submit``). ``None``, or text that
        still contains ``...``, gives "not answered yet".
    """
    if not isinstance(exercise_id, str) or exercise_id not in EXERCISES:
        return Feedback(
            False,
            [f"Unknown exercise {exercise_id!r}; the exercises are {list(EXERCISES)}."],
            exercise=str(exercise_id),
        )
    return EXERCISES[exercise_id].check(answer)


# --- helpers for the notebooks ------------------------------------------------------------------------


def fhn_template() -> str:
    """Return the FitzHugh–Nagumo model text with the ``dw/dt`` line left to complete."""
    return checks.FHN_TEMPLATE


def gamma_run(g_max: float, I_ext: float) -> dict[str, float]:
    """Run the gamma network of exercise ``gamma_tuning`` and measure it, as its check does.

    Parameters
    ----------
    g_max : float
        Total GABA-A conductance onto a neuron (mS/cm², 0–2).
    I_ext : float
        Constant drive (µA/cm², 0–10).

    Returns
    -------
    dict
        ``rate`` (mean rate, Hz), ``frequency`` (population frequency, Hz) and
        ``coherence`` (κ), measured over the last 300 ms of a 500 ms run.
    """
    values = {}
    for key, value in (("g_max", g_max), ("I_ext", I_ext)):
        try:
            values[key] = checks.number(value, key)
        except (checks.Rejected, checks.NotAnswered) as err:
            raise ValueError(str(err)) from None
        low, high = GAMMA_LIMITS[key]
        if not low <= values[key] <= high:
            raise ValueError(f"{key} must be between {low:g} and {high:g}, got {values[key]:g}")
    return _measure_gamma(**values)


def mystery_trace() -> tuple[np.ndarray, np.ndarray]:
    """Return the voltage trace ``(t in ms, V in mV)`` of exercise ``izhikevich_class`` (I = 10 from t = 20 ms)."""
    ts, volts, _ = izhikevich_traces()
    return ts, volts[IZH_MYSTERY]
