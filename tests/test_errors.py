"""Model and usage mistakes give brainlab errors that name the object, the place and the fix."""

import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import (
    CodeError,
    DiffEquationError,
    DivergenceError,
    IntegratorError,
    ModelDefError,
    ModelUseError,
    TypeMismatchError,
)

tau = 10.0
V_th = 1.0


@bp.integrate
def int_v(V, t, I):
    return (-V + I) / tau


def good_update(ST, _t):
    ST["V"] = int_v(ST["V"], _t, ST["input"])
    ST["input"] = 0.0


STATE = bp.types.NeuState(["V", "input", "spike"])
GOOD = bp.NeuType(name="good", ST=STATE, steps=good_update)


def _simple_syn(mode="scalar", **kw):
    def update(ST, _t, pre):
        ST["s"] = ST["s"] * 0.5 + pre["spike"]

    @bp.delayed
    def output(ST, post):
        post["input"] += ST["s"]

    return bp.SynType(name="syn", ST=bp.types.SynState(["s"]), steps=(update, output), mode=mode, **kw)


# --- definition mistakes --------------------------------------------------------------
def test_unknown_st_field_names_function_line_and_fields():
    def update(ST, _t):
        ST["Vm"] = 0.0

    with pytest.raises(ModelDefError) as err:
        bp.NeuType(name="typo", ST=STATE, steps=update)
    message = str(err.value)
    assert "NeuType 'typo'" in message and "'update'" in message and "ST['Vm']" in message
    assert "test_errors.py, line" in message and "['V', 'input', 'spike']" in message


def test_step_argument_nobody_provides():
    def update(ST, _t, weights):
        ST["V"] = weights[0]

    with pytest.raises(ModelDefError, match=r"argument 'weights' that nothing provides.*requires="):
        bp.NeuType(name="needs", ST=STATE, steps=update)


def test_scalar_mode_function_written_for_vectors_is_caught_statically():
    def update(ST, _t):
        spikes = ST["V"][ST["V"] > V_th]
        ST["spike"] = len(spikes)

    with pytest.raises(ModelDefError, match=r"scalar mode ST\['V'\] is one number.*mode='vector'"):
        bp.NeuType(name="vec_in_scalar", ST=STATE, steps=update, mode="scalar")


def test_scalar_mode_vector_code_that_numba_rejects_quotes_the_user_line():
    def update(ST, _t):
        idx = np.atleast_1d(ST["V"] > V_th).nonzero()[0]
        ST["spike"] = idx.size

    model = bp.NeuType(name="where_scalar", ST=STATE, steps=update, mode="scalar")
    group = bp.NeuGroup(model, 3, monitors=["V"])
    bp.profile.set(jit=False)
    group.run(1.0, inputs=("ST.input", 2.0))  # NumPy accepts it: a first good run ...
    V_before = group.mon.V.copy()
    bp.profile.set(jit=True)
    with pytest.raises(CodeError) as err:
        group.run(2.0)
    message = str(err.value)
    assert "step function 'update' of NeuGroup" in message
    assert "test_errors.py, line" in message and 'np.atleast_1d(ST["V"] > V_th)' in message
    assert "generated code:" in message and "scalar-mode model" in message
    assert "No implementation of function" in message and "atleast_1d(bool)" in message
    assert "Traceback" not in message
    np.testing.assert_array_equal(group.mon.V, V_before)  # ... whose results are kept


def test_sde_returning_the_wrong_tuple():
    with pytest.raises(DiffEquationError, match=r"returns 3 values.*\(f, g\), a, b"):

        @bp.integrate
        def f(x, t):
            return -x, 0.1, x


def test_unknown_integration_method():
    with pytest.raises(IntegratorError, match="Known methods: euler"):

        @bp.integrate(method="rk45")
        def f(x, t):
            return -x


def test_invalid_mode():
    with pytest.raises(ModelDefError, match=r"unknown mode 'matrix'.*\['vector', 'scalar'\]"):
        bp.NeuType(name="m", ST=STATE, steps=good_update, mode="matrix")


def test_st_of_the_wrong_kind():
    with pytest.raises(TypeMismatchError, match="ST must be a SynState"):
        bp.SynType(name="s", ST=bp.types.NeuState(["s"]), steps=lambda: None)


def test_plain_python_helper_function_is_refused_with_the_fix():
    def helper(v):
        return v * 2

    def update(ST, _t):
        ST["V"] = helper(ST["V"])

    with pytest.raises(ModelDefError, match=r"'helper'.*plain Python function.*@numba.njit"):
        bp.NeuType(name="helper", ST=STATE, steps=update)


def test_undefined_name():
    def update(ST, _t):
        ST["V"] = undefined_gain * ST["V"]  # noqa: F821

    with pytest.raises(ModelDefError, match=r"'undefined_gain'.*is not defined"):
        bp.NeuType(name="undef", ST=STATE, steps=update)


def test_conflicting_parameter_values_between_functions():
    def make(gain):
        def first(ST, _t):
            ST["V"] = gain * ST["V"]

        return first

    first = make(1.0)
    second_gain = make(2.0)
    second_gain.__name__ = "second"
    second_gain.__code__ = second_gain.__code__.replace(co_name="second")
    with pytest.raises(ModelDefError, match=r"parameter 'gain' is 1.0 in 'first' but 2.0"):
        bp.NeuType(name="conflict", ST=STATE, steps=(first, second_gain))


# --- use mistakes -----------------------------------------------------------------------
@pytest.mark.parametrize("geometry", [0, -3, (2, 3, 4), "10", 2.5, (10, 0)])
def test_bad_geometry(geometry):
    with pytest.raises(ModelUseError, match="geometry"):
        bp.NeuGroup(GOOD, geometry=geometry)


def test_subgroup_slice_out_of_range():
    group = bp.NeuGroup(GOOD, 100)
    with pytest.raises(ModelUseError, match=r"slice :200 is out of range for axis 0 of size 100"):
        group[:200]
    grid = bp.NeuGroup(GOOD, (10, 10))
    with pytest.raises(ModelUseError, match="index 10 is out of range for axis 1"):
        grid[:5, 10]


def test_connectivity_indices_out_of_range_or_negative():
    pre, post = bp.NeuGroup(GOOD, 5), bp.NeuGroup(GOOD, 4)
    syn = _simple_syn()
    with pytest.raises(ModelUseError, match=r"contains index 4, outside the 4 neurons.*valid: 0 to 3"):
        bp.SynConn(syn, pre_group=pre, post_group=post, conn={"i": [0, 1], "j": [2, 4]})
    with pytest.raises(ModelUseError, match="contains index -1"):
        bp.SynConn(syn, pre_group=pre, post_group=post, conn={"i": [-1, 1], "j": [2, 3]})
    with pytest.raises(ModelUseError, match=r"matrix must have shape \(num_pre, num_post\) = \(5, 4\)"):
        bp.SynConn(syn, pre_group=pre, post_group=post, conn=np.ones((4, 5)))


def test_missing_neuron_field_for_a_synapse():
    model = bp.NeuType(name="nospike", ST=bp.types.NeuState(["V", "input"]), steps=lambda_free_update)
    group = bp.NeuGroup(model, 3)
    with pytest.raises(ModelUseError, match=r"needs the field\(s\) \['spike'\] of its presynaptic neurons"):
        bp.SynConn(_simple_syn(), pre_group=group, post_group=group, conn=bp.connect.All2All())


def lambda_free_update(ST, _t):
    ST["input"] = 0.0


def test_delay_not_a_multiple_of_dt():
    group = bp.NeuGroup(GOOD, 3)
    syn = bp.SynConn(_simple_syn(), pre_group=group, post_group=group, conn=bp.connect.One2One(), delay=0.15)
    bp.profile.set(dt=0.1)  # 1.5 steps: rounding would change it by 33 %
    net = bp.Network(group, syn)
    with pytest.raises(
        ModelUseError, match=r"delay 0.15 ms is not a multiple of dt = 0.1.*0.1 ms \(1 steps\) and 0.2 ms \(2 steps\)"
    ):
        net.run(1.0)
    bp.profile.set(dt=0.04, delay_tolerance=0)  # 3.75 steps, and no rounding allowed
    with pytest.raises(ModelUseError, match=r"0.12 ms.*0.16 ms"):
        net.run(1.0)


def test_delay_steps_without_floating_point_surprises():
    from brainlab.core.delays import delay_steps

    assert delay_steps(0.28, 0.04, "x") == 7
    assert delay_steps(0.3, 0.1, "x") == 3
    assert delay_steps(1.5, 0.1, "x") == 15
    with pytest.warns(bp.errors.DelayRoundingWarning, match=r"using 0.52 ms \(13 steps\)"):
        assert delay_steps(0.5, 0.04, "x") == 13


def test_input_to_unknown_field_and_bad_operation():
    group = bp.NeuGroup(GOOD, 3)
    with pytest.raises(ModelUseError, match=r"'ST.inputs' is not a state field.*\['V', 'input', 'spike'\]"):
        group.run(1.0, inputs=("ST.inputs", 1.0))
    with pytest.raises(ModelUseError, match=r"unknown operation '\+='"):
        group.run(1.0, inputs=("ST.input", 1.0, "+="))
    with pytest.raises(ModelUseError, match=r"shape \(5,\).*one value per element \(shape \(3,\)\)"):
        group.run(1.0, inputs=("ST.input", np.ones(5)))


def test_monitor_of_an_unknown_field():
    with pytest.raises(ModelUseError, match=r"cannot monitor \['v'\].*\['V', 'input', 'spike'\]"):
        bp.NeuGroup(GOOD, 3, monitors=["v"])


def test_parameter_array_of_the_wrong_length_and_unknown_parameter():
    group = bp.NeuGroup(GOOD, 3)
    with pytest.raises(ModelUseError, match=r"parameter 'tau'.*shape \(3,\), got shape \(4,\)"):
        group.pars["tau"] = np.ones(4)
    with pytest.raises(ModelUseError, match=r"unknown parameter 'tua'.*tau"):
        group.pars["tua"] = 1.0
    with pytest.raises(ModelUseError, match="cannot be NaN"):
        group.pars["tau"] = float("nan")


def test_group_missing_from_network():
    a, b = bp.NeuGroup(GOOD, 2), bp.NeuGroup(GOOD, 2)
    syn = bp.SynConn(_simple_syn(), pre_group=a, post_group=b, conn=bp.connect.All2All())
    net = bp.Network(a, syn)
    with pytest.raises(ModelUseError, match=f"NeuGroup '{b.name}', which is not in the network.*Add it"):
        net.run(1.0)


def test_required_data_with_the_wrong_type():
    def update(ST, _t, table):
        ST["V"] = table[0, 0]

    model = bp.NeuType(name="table", ST=STATE, steps=update, requires={"table": bp.types.Array(dim=2)})
    with pytest.raises(TypeMismatchError, match=r"data 'table' does not match Array\(dim=2\)"):
        bp.NeuGroup(model, 2, satisfies={"table": np.zeros(3)})


def test_monitor_budget():
    bp.profile.set(monitor_budget=10_000)
    group = bp.NeuGroup(GOOD, 100, monitors=["V", "spike"])
    with pytest.raises(ModelUseError, match=r"need 156.2 KiB.*more than the monitor budget of 9.8 KiB.*mode='repeat'"):
        group.run(10.0)


def test_gpu_device_without_cuda():
    with pytest.raises(ModelUseError, match="device='gpu'"):
        bp.profile.set(device="gpu")
    assert bp.profile.get_device() == "cpu"


def test_divergence_names_group_field_element_and_time():
    @bp.integrate
    def int_explode(V, t):
        return V * V

    def update(ST, _t):
        ST["V"] = int_explode(ST["V"], _t)

    model = bp.NeuType(name="explode", ST=bp.types.NeuState({"V": 0.0}), steps=update)
    group = bp.NeuGroup(model, (2, 3), monitors=["V"], name="blowup")
    group.ST["V"] = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 0.0])
    with pytest.raises(DivergenceError) as err:
        group.run(100.0)
    error = err.value
    assert error.object_name == "blowup" and error.field == "V" and error.index == 4
    assert "element 4 (row 1, column 1)" in str(error)
    # V' = V^2 from 2 blows up at t = 0.5; Euler with dt = 0.1 overflows a few steps later
    assert 0.5 < error.time < 2.0
    assert group.mon.V.shape[0] <= 20 and np.isfinite(group.mon.V[:5]).all()


def test_unknown_network_mode_and_duration():
    with pytest.raises(ModelUseError, match="'once' or 'repeat'"):
        bp.Network(mode="again")
    group = bp.NeuGroup(GOOD, 1)
    with pytest.raises(ModelUseError, match="end after it starts"):
        group.run((10.0, 5.0))


def test_runtime_error_in_python_mode_quotes_the_user_line():
    bp.profile.set(jit=False)
    lookup = np.arange(3.0)

    def update(ST, _t, _i):
        ST["V"] = lookup[_i]  # fails at the fourth step

    group = bp.NeuGroup(bp.NeuType(name="lookup", ST=STATE, steps=update), 2, monitors=["V"])
    with pytest.raises(CodeError) as err:
        group.run(1.0, chunk_steps=2)
    message = str(err.value)
    assert "failed while running in step function 'update'" in message
    assert 'ST["V"] = lookup[_i]' in message and "index 3 is out of bounds" in message
    assert group.mon.V.shape == (2, 2)  # the chunk that completed is kept
