"""Bad analysis set-ups raise AnalysisError naming the model, the name and the fix, and lose nothing."""

import numpy as np
import pytest
from dynamics_bad_models import get_branching, get_forced, get_no_equations
from dynamics_models import get_FNmodel

import brainlab as bp
from brainlab.errors import AnalysisError, BrainlabError
from brainlab.models import get_HH

FHN_VARS = {"v": [-3, 3], "w": [-3, 3]}


def test_analysis_error_is_a_brainlab_error():
    assert issubclass(AnalysisError, BrainlabError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_vars": {"V": [-3, 3]}}, "'V' is not a variable of 'FitzHugh_Nagumo'"),
        ({"target_vars": {"v": [3, -3], "w": [-3, 3]}}, "low < high"),
        ({"target_vars": {"v": [0, float("inf")], "w": [-3, 3]}}, "finite"),
        ({"target_vars": {"v": "wide", "w": [-3, 3]}}, "must be [low, high]"),
        ({"target_vars": [("v", -3, 3)]}, "must be a dict"),
        ({"target_vars": {"v": [-3, 3]}}, "the variable 'w' appears in the equations"),
        ({"target_vars": FHN_VARS, "fixed_vars": {"Iext": "0.8"}}, "must be a number"),
        ({"target_vars": FHN_VARS, "fixed_vars": {"Iext": float("nan")}}, "must be finite"),
        ({"target_vars": FHN_VARS, "fixed_vars": {"I_ext": 0.8}}, "'I_ext' is not a variable, input or parameter"),
        ({"target_vars": FHN_VARS, "fixed_vars": {"v": 0.1}}, "are target variables of the analysis"),
    ],
)
def test_phase_plane_set_up_errors(kwargs, message):
    with pytest.raises(AnalysisError, match="PhasePortraitAnalyzer of 'FitzHugh_Nagumo'") as err:
        bp.PhasePortraitAnalyzer(get_FNmodel(), **kwargs)
    assert message in str(err.value)


def test_three_targets_point_to_fixed_vars():
    with pytest.raises(AnalysisError, match=r"one or two target variables.*fixed_vars"):
        bp.PhasePortraitAnalyzer(get_HH(), target_vars={"V": [-90, 50], "m": [0, 1], "h": [0, 1]})


def test_models_without_a_symbolic_form():
    with pytest.raises(AnalysisError, match=r"'int_x'.*no symbolic form.*step function"):
        bp.PhasePortraitAnalyzer(get_branching(), target_vars={"x": [-2, 2]})
    with pytest.raises(AnalysisError, match="depends on the time 't' explicitly"):
        bp.PhasePortraitAnalyzer(get_forced(), target_vars={"x": [-2, 2]})
    with pytest.raises(AnalysisError, match=r"no @bp.integrate derivative functions"):
        bp.PhasePortraitAnalyzer(get_no_equations(), target_vars={"x": [-2, 2]})
    with pytest.raises(AnalysisError, match="model must be a NeuType"):
        bp.PhasePortraitAnalyzer("FHN", target_vars={"x": [-2, 2]})


def test_a_rejected_change_keeps_the_previous_values():
    analyzer = bp.PhasePortraitAnalyzer(get_FNmodel(), target_vars=FHN_VARS, fixed_vars={"Iext": 0.8})
    before = analyzer.fixed_points()[0].values
    for bad in ({"Iext": np.inf}, {"nonsense": 1.0}, {"Iext": "1"}):
        with pytest.raises(AnalysisError):
            analyzer.set_values(fixed_vars=bad)
    assert analyzer.fixed_vars == {"Iext": 0.8}
    assert analyzer.fixed_points()[0].values == before


def test_trajectory_setting_errors():
    analyzer = bp.PhasePortraitAnalyzer(get_FNmodel(), target_vars=FHN_VARS, fixed_vars={"Iext": 0.8})
    with pytest.raises(AnalysisError, match=r"\(v0, w0, duration\)"):
        analyzer.trajectories([(-2.8, 100.0)])
    with pytest.raises(AnalysisError, match="duration > 0"):
        analyzer.trajectories([(-2.8, -1.8, -1.0)])
    with pytest.raises(AnalysisError, match="axes must be 'v-v' or 't-v'"):
        analyzer.plot_trajectory([(-2.8, -1.8, 10.0)], axes="v-t")
    with pytest.raises(AnalysisError, match="positive step"):
        analyzer.vector_field(resolution=-0.1)


def test_bifurcation_set_up_errors():
    model = get_FNmodel()
    with pytest.raises(AnalysisError, match=r"one parameter .* or two"):
        bp.BifurcationAnalyzer(model, {"a": [0, 1], "b": [0, 1], "tau": [1, 2]}, FHN_VARS)
    with pytest.raises(AnalysisError, match="the target parameter 'gain' is not a variable, input or parameter"):
        bp.BifurcationAnalyzer(model, {"gain": [0, 1]}, FHN_VARS)
    with pytest.raises(AnalysisError, match="par_resolution must be a positive number"):
        bp.BifurcationAnalyzer(model, {"Iext": [0, 1]}, FHN_VARS, par_resolution=0)
    with pytest.raises(AnalysisError, match=r"the variable 'w' appears in the equations .* fixed_vars"):
        bp.BifurcationAnalyzer(model, {"Iext": [0, 1]}, {"v": [-3, 3]})
    # an input nobody sets takes its field's initial value: ST['input'] = 0, no input
    unforced = bp.BifurcationAnalyzer(model, {"a": [0.5, 1.0]}, FHN_VARS)
    assert unforced.field.par_vector(unforced.values)[unforced.field.par_names.index("Iext")] == 0.0
    analyzer = bp.BifurcationAnalyzer(model, {"Iext": [0, 1]}, FHN_VARS)
    with pytest.raises(AnalysisError, match="plot_vars 'V' is not one of dynamical_vars"):
        analyzer.plot_bifurcation(plot_vars=["V"])
    with pytest.raises(AnalysisError, match="are target parameters or variables of the analysis"):
        analyzer.set_values(fixed_vars={"Iext": 0.5})
    with pytest.raises(AnalysisError, match="need two target_pars"):
        analyzer.parameter_curve(analyzer.compute().special_points[0])


def test_bifurcation_values_change_without_recompiling():
    analyzer = bp.BifurcationAnalyzer(get_FNmodel(), {"Iext": [0.0, 1.0]}, FHN_VARS, par_resolution=0.01)
    field = analyzer.field
    first = analyzer.compute().points("hopf")[0].pars["Iext"]
    analyzer.set_values(pars_update={"a": 0.8})
    second = analyzer.compute().points("hopf")[0].pars["Iext"]
    assert analyzer.field is field
    # the Hopf current moves by Δa / b along the linear Hopf curve
    assert second - first == pytest.approx(0.1 / 0.8, abs=1e-6)
