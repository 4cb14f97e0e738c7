"""BifurcationPanel: the drawn marks equal the analysis, clicks pick values, linked views get them.

A click is simulated as bqplot's front end sends it: the click layer (an empty
``Scatter`` with ``interactions={'click': 'add'}``) gets the clicked point
appended to ``x`` and ``y`` in one message, i.e. both traits set under
``hold_trait_notifications()``. A click on a marker is its ``element_click``
custom message.
"""

from __future__ import annotations

import numpy as np
import pytest
from dynamics_models import get_cusp

import brainlab as bp
from brainlab.errors import AnalysisError, ModelUseError
from brainlab.models import get_FitzHughNagumo
from brainlab_widgets.bifurcation_panel import BifurcationPanel
from brainlab_widgets.session import Session

pytestmark = pytest.mark.timeout(300)

FHN_VARS = {"V": [-3, 3], "w": [-3, 3]}
FHN_TEXT = """
dV/dt = V - V*V*V/3 - w + I
dw/dt = (V + a - b*w) / tau
threshold: V >= V_th
"""


def _analytic_hopf(a=0.7, b=0.8, tau=12.5):
    out = []
    for sign in (-1, 1):
        v = sign * np.sqrt(1 - b / tau)
        out.append(((v + a) / b - v + v**3 / 3, v))
    return out  # [(I, V)] for both Hopf points, I ≈ 0.33128 and 1.41872


def _split(x, y):
    """Undo the NaN joining of a mark: the list of (x, y) pieces."""
    x, y = np.asarray(x), np.asarray(y)
    cuts = np.flatnonzero(np.isnan(y))
    bounds = zip([-1, *cuts], [*cuts, len(y)], strict=True)
    assert np.array_equal(np.isnan(x), np.isnan(y))
    return [(x[lo + 1 : hi], y[lo + 1 : hi]) for lo, hi in bounds if hi > lo + 1]


def click(panel, x, y=0.0):
    with panel.click_marks.hold_trait_notifications():
        panel.click_marks.x = np.append(panel.click_marks.x, x)
        panel.click_marks.y = np.append(panel.click_marks.y, y)


class FakePanel:
    """Stands for a PhasePlanePanel: records set_parameter calls."""

    def __init__(self, refuse=None):
        self.calls = []
        self.refuse = refuse

    def set_parameter(self, name, value):
        if self.refuse is not None:
            raise self.refuse
        self.calls.append((name, value))


@pytest.fixture(scope="module")
def fhn():
    bp.profile.set(dt=0.02, numerical_method="rk4")
    panel = BifurcationPanel(get_FitzHughNagumo(), {"I_ext": [0.0, 2.0]}, FHN_VARS)
    bp.profile.reset()
    return panel


@pytest.fixture
def panel(fhn):
    yield fhn
    fhn.links.clear()
    fhn.var_dropdown.value = "V"


@pytest.fixture
def session():
    group = bp.NeuGroup(get_FitzHughNagumo(), 4, name="fhn")
    # A long debounce: the reruns the links request stay queued (the test needs no run), close() cancels them.
    s = Session(bp.Network(group), 50.0, inputs=[(group, "ST.input", 0.8)], debounce=60.0)
    yield s, group
    s.close()


def test_hopf_markers_sit_at_the_analytic_values(panel):
    (i1, v1), (i2, v2) = _analytic_hopf()
    assert i1 == pytest.approx(0.33128, abs=1e-5) and i2 == pytest.approx(1.41872, abs=1e-5)
    np.testing.assert_allclose(panel.hopf_marks.x, [i1, i2], atol=1e-6)
    np.testing.assert_allclose(panel.hopf_marks.y, [v1, v2], atol=1e-6)
    hopfs = panel.result.points("hopf")
    assert list(panel.hopf_marks.names) == [f"H {p.criticality.removesuffix('critical')}" for p in hopfs]
    assert panel.hopf_marks.tooltip.fields == ["name", "x", "y"]
    assert len(panel.fold_marks.x) == 0 and not panel.result.points("fold")
    assert panel.fold_marks.marker != panel.hopf_marks.marker and panel.fold_marks.colors != panel.hopf_marks.colors
    assert "Hopf at I_ext = 0.33128" in panel.last_status and panel.last_message == ""
    assert panel.timings["compute_ms"] > 0 and panel.timings["draw_ms"] >= 0


def test_branch_lines_are_the_result_pieces(panel):
    pieces = [(s, seg) for b in panel.result.branches for s, seg in b.pieces()]
    assert [s for s, _ in pieces] == [True, False, True]
    for mark, stable in ((panel.stable_lines, True), (panel.unstable_lines, False)):
        drawn = _split(mark.x, mark.y)
        expected = [(seg["I_ext"], seg["V"]) for s, seg in pieces if s is stable]
        assert len(drawn) == len(expected)
        for (x, y), (ex, ey) in zip(drawn, expected, strict=True):
            np.testing.assert_array_equal(x, ex)
            np.testing.assert_array_equal(y, ey)
    assert panel.unstable_lines.line_style == "dashed" and panel.stable_lines.line_style == "solid"
    assert panel.stable_lines.display_legend and panel.stable_lines.labels == ["stable"]
    assert panel.figure.marks[-1] is panel.click_marks


def test_limit_cycles_lie_between_the_hopf_points(panel):
    x, y = np.asarray(panel.cycle_marks.x), np.asarray(panel.cycle_marks.y)
    (i1, _), (i2, _) = _analytic_hopf()
    assert len(x) >= 10 and np.all((x > i1) & (x < i2)) and np.all(np.isfinite(y))
    assert y.max() > 1.5 and y.min() < -1.5  # the relaxation oscillation spans the outer branches
    cycles = panel.result.cycles
    expected = np.concatenate([c.maximum["V"][np.isfinite(c.maximum["V"])] for c in cycles])
    np.testing.assert_array_equal(np.sort(y[len(y) // 2 :]), np.sort(expected))


def test_the_dropdown_switches_the_plotted_variable(panel):
    panel.var_dropdown.value = "w"
    assert panel.plot_var == "w" and panel.y_axis.label == "w"
    np.testing.assert_allclose(panel.hopf_marks.y, [p.values["w"] for p in panel.result.points("hopf")])
    stable = [seg["w"] for b in panel.result.branches for s, seg in b.pieces() if s]
    np.testing.assert_array_equal(_split(panel.stable_lines.x, panel.stable_lines.y)[0][1], stable[0])
    assert panel.hopf_marks.tooltip.labels[-1] == "w"


def test_a_click_updates_a_fake_panel_and_a_session(panel, session):
    s, group = session
    fake = FakePanel()
    panel.link(fake)
    panel.link_session(s, group, input=0)
    click(panel, 0.5, 0.1)
    assert fake.calls == [("I_ext", 0.5)]
    assert s.inputs[0][2] == 0.5 and s.state == "waiting"  # set_input validated it and asked for a rerun
    assert panel.selected == {"I_ext": 0.5}
    np.testing.assert_array_equal(panel.rule.x, [0.5, 0.5])
    assert len(panel.click_marks.x) == 0 and len(panel.click_marks.y) == 0  # ready for the next click
    assert "I_ext = 0.5" in panel.last_selection and panel.last_message == ""
    assert panel.timings["select_ms"] >= 0
    click(panel, 1.2)
    assert fake.calls[-1] == ("I_ext", 1.2) and s.inputs[0][2] == 1.2


def test_a_half_message_is_ignored(panel):
    fake = FakePanel()
    panel.link(fake)
    panel.click_marks.x = np.array([0.9])  # y not yet arrived
    assert fake.calls == []
    panel.click_marks.y = np.array([0.0])
    assert fake.calls == [("I_ext", 0.9)]


def test_a_click_on_a_hopf_marker_picks_its_exact_value(panel):
    fake = FakePanel()
    panel.link(fake, name="I")
    panel.hopf_marks._handle_custom_msgs(None, {"event": "element_click", "data": {"index": 1}})
    assert fake.calls == [("I", panel.result.points("hopf")[1].pars["I_ext"])]
    panel.hopf_marks._handle_custom_msgs(None, {"event": "element_click", "data": {"index": 7}})  # stale: ignored
    assert len(fake.calls) == 1


def test_a_refusing_link_is_reported_and_the_others_still_update(panel, session):
    s, group = session
    first, last = FakePanel(), FakePanel()
    panel.link(first)
    panel.link_session(s, group)  # I_ext is an input of the model, not one of the group's pars: refused
    panel.link(FakePanel(refuse=RuntimeError("broken view")))
    panel.link(last)
    click(panel, 0.7)
    assert first.calls == last.calls == [("I_ext", 0.7)]
    assert "ModelUseError" in panel.last_message and "unknown parameter 'I_ext'" in panel.last_message
    assert (
        "session fhn (I_ext)" in panel.last_message and "RuntimeError (unexpected): broken view" in panel.last_message
    )
    assert "sent to 2 linked parameter(s)" in panel.last_selection
    failures = panel.select(I_ext=0.8)
    assert len(failures) == 2 and last.calls[-1] == ("I_ext", 0.8)
    panel.links.clear()
    panel.select(0.9)
    assert panel.last_message == ""


def test_bad_values_are_refused(panel):
    fake = FakePanel()
    panel.link(fake)
    panel.select(0.4)
    for x in (5.0, np.nan):
        click(panel, x)  # a client can send anything: reported, not raised
        assert "outside its range" in panel.last_message and panel.selected == {"I_ext": 0.4}
    assert fake.calls == [("I_ext", 0.4)]
    for bad in ({"I_ext": 2.5}, {"I_ext": "1"}, {"b": 0.1}):
        with pytest.raises(AnalysisError):
            panel.select(**bad)
    with pytest.raises(ModelUseError):
        panel.link(object())
    other = Session(bp.Network(bp.NeuGroup(get_FitzHughNagumo(), 1)), 10.0)
    with pytest.raises(ModelUseError, match="link_session"):
        panel.link(other)
    other.close()


def test_link_session_checks_its_object_and_input(panel, session):
    s, _group = session
    stranger = bp.NeuGroup(get_FitzHughNagumo(), 1)
    with pytest.raises(ModelUseError, match="not in the network"):
        panel.link_session(s, stranger)
    with pytest.raises(ModelUseError, match="no input 3"):
        panel.link_session(s, _group, input=3)
    assert panel.links == []


def test_views_that_link_back_do_not_loop(panel):
    class Echo(FakePanel):
        def set_parameter(self, name, value):
            super().set_parameter(name, value)
            panel.select(**{name: value})

    echo = Echo()
    panel.link(echo)
    panel.select(0.6)
    assert echo.calls == [("I_ext", 0.6)]


def test_the_compute_button_and_errors_in_the_panel():
    bp.profile.set(dt=0.02, numerical_method="rk4")
    panel = BifurcationPanel(get_FitzHughNagumo(), {"I_ext": [0.0, 1.0]}, FHN_VARS, compute=False, plot_var="w")
    assert panel.result is None and "Compute" in panel.last_status and len(panel.stable_lines.x) == 0
    panel.compute_button.click()
    assert len(panel.result.points("hopf")) == 1 and len(panel.hopf_marks.x) == 1 and panel.y_axis.label == "w"

    def broken():
        raise AnalysisError("no equilibria")

    panel.analyzer.compute = broken
    panel.compute_button.click()  # shown, not raised
    assert panel.result is None and "AnalysisError: no equilibria" in panel.last_message
    assert len(panel.hopf_marks.x) == 0 and "failed" in panel.last_status
    with pytest.raises(AnalysisError):
        BifurcationPanel(get_FitzHughNagumo(), {"I_ext": [0.0, 1.0]}, FHN_VARS, plot_var="u", compute=False)


def test_from_equations_fhn_gives_the_same_hopf_points(fhn):
    bp.profile.set(dt=0.02, numerical_method="rk4")
    typed = bp.NeuType.from_equations(
        FHN_TEXT, parameters=dict(a=0.7, b=0.8, tau=12.5, V_th=1.9), initial={"V": -1.2, "w": -0.6}, method="rk4"
    )
    panel = BifurcationPanel(typed, {"I": [0.0, 2.0]}, FHN_VARS)
    np.testing.assert_allclose(panel.hopf_marks.x, [0.33128, 1.41872], atol=1e-5)
    np.testing.assert_allclose(panel.hopf_marks.x, fhn.hopf_marks.x, atol=1e-9)
    fake = FakePanel()
    panel.link(fake)
    click(panel, 1.0)
    assert fake.calls == [("I", 1.0)]


def test_codim2_cusp_fold_curve_lines_equal_the_result():
    panel = BifurcationPanel(get_cusp(), {"a": [-1.0, 1.0], "b": [-0.5, 2.0]}, {"x": [-2.0, 2.0]},
                             par_resolution=0.05)  # fmt: skip
    assert panel.stable_lines is None and set(panel.curve_lines) == {"fold", "hopf"}
    folds = [c for c in panel.result.curves if c.kind == "fold"]
    drawn = _split(panel.curve_lines["fold"].x, panel.curve_lines["fold"].y)
    assert len(drawn) == len(folds) == 1
    for (x, y), curve in zip(drawn, folds, strict=True):
        np.testing.assert_array_equal(x, curve["a"])
        np.testing.assert_array_equal(y, curve["b"])
    np.testing.assert_allclose(27 * drawn[0][0] ** 2, 4 * drawn[0][1] ** 3, atol=1e-9)
    assert len(panel.curve_lines["hopf"].x) == 0
    assert panel.figure.axes[1].label == "b" and "1 fold and 0 Hopf curve(s)" in panel.last_status


def test_codim2_fhn_hopf_curve_and_a_click_setting_both_parameters(session):
    s, group = session
    bp.profile.set(dt=0.02, numerical_method="rk4")
    panel = BifurcationPanel(get_FitzHughNagumo(), {"a": [0.5, 1.0], "I_ext": [0.0, 1.0]}, FHN_VARS)
    (curve,) = [c for c in panel.result.curves if c.kind == "hopf"]
    ((x, y),) = _split(panel.curve_lines["hopf"].x, panel.curve_lines["hopf"].y)
    np.testing.assert_array_equal(x, curve["a"])
    np.testing.assert_array_equal(y, curve["I_ext"])
    v_star = -np.sqrt(1 - 0.8 / 12.5)
    np.testing.assert_allclose(y, (v_star + x) / 0.8 - v_star + v_star**3 / 3, atol=1e-6)
    fake = FakePanel()
    panel.link(fake)
    panel.link_session(s, group, input={"I_ext": 0})  # a -> session.set_parameter(group, 'a', ...)
    click(panel, 0.9, 0.25)
    assert fake.calls == [("a", 0.9), ("I_ext", 0.25)]
    assert group.pars["a"] == 0.9 and s.inputs[0][2] == 0.25
    assert panel.selected == {"a": 0.9, "I_ext": 0.25}
    np.testing.assert_array_equal(panel.rule.x, [0.9, 0.9])
    np.testing.assert_array_equal(panel.rule_h.y, [0.25, 0.25])
    panel.select(I_ext=0.5)  # the other value stays
    assert fake.calls[-2:] == [("a", 0.9), ("I_ext", 0.5)]
    with pytest.raises(ModelUseError, match="dict"):
        panel.link(fake, name="x")
