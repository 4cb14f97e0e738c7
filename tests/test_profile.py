"""``bp.profile``: settings, getters and their validation."""

import numpy as np
import pytest

import brainlab as bp


def test_defaults_and_getters():
    p = bp.profile
    assert p.is_jit() and p.get_backend() == "numba" and p.run_on_cpu() and not p.run_on_gpu()
    assert p.get_dt() == 0.1 and p.get_numerical_method() == "euler" and p.get_device() == "cpu"
    assert p.get_float_type() is np.float64 and p.get_int_type() is np.int64
    assert not p.show_format_code() and not p.show_code_scope()
    assert p.is_merge_integrators() and not p.is_merge_steps() and not p.is_substitute_equation()
    assert p.get_numba_profile()["nogil"] is True and p.get_numba_profile()["cache"] is True
    assert p.get_num_thread_gpu() > 0


def test_set_changes_and_validates():
    bp.profile.set(jit=False, dt=0.02, numerical_method="rk4", show_code=True, float_type=np.float32)
    assert not bp.profile.is_jit() and bp.profile.get_backend() == "numpy"
    assert bp.profile.get_dt() == 0.02 and bp.profile.get_numerical_method() == "rk4"
    assert bp.profile.show_format_code() and bp.profile.get_float_type() is np.float32
    with pytest.raises(bp.errors.ModelUseError, match="positive"):
        bp.profile.set_dt(0.0)
    with pytest.raises(bp.errors.ModelUseError, match="Unknown device"):
        bp.profile.set_device(True, "tpu")
    with pytest.raises(bp.errors.ModelUseError, match="Unknown backend"):
        bp.profile.set_backend("jax")
    with pytest.raises(bp.errors.ModelUseError, match="nopython mode only"):
        bp.profile.set_numba_profile(nopython=False)
    bp.profile.set_backend("numba")
    bp.profile.set_numba_profile(fastmath=True)
    assert bp.profile.is_jit() and bp.profile.get_numba_profile()["fastmath"] is True


def test_temporary_restores_settings():
    with bp.profile.temporary(dt=0.5, jit=False):
        assert bp.profile.get_dt() == 0.5 and not bp.profile.is_jit()
    assert bp.profile.get_dt() == 0.1 and bp.profile.is_jit()


def test_float32_state_runs():
    bp.profile.set(float_type=np.float32)

    def update(ST, _t):
        ST["x"] += 1.0

    group = bp.NeuGroup(bp.NeuType(name="count", ST=bp.types.NeuState(["x"]), steps=update), 3, monitors=["x"])
    group.run(1.0)
    assert group.ST["x"].dtype == np.float32 and group.mon.x.dtype == np.float32
    assert group.ST["x"][0] == 10.0


def test_exported_settings_are_detached_and_load_back():
    bp.profile.set(dt=0.02, numerical_method="rk4")
    bp.profile.set_numba_profile(fastmath=True)
    exported = bp.profile.export_settings()
    bp.profile.reset()
    assert exported.dt == 0.02 and exported.numba["fastmath"] is True
    assert (bp.profile.get_dt(), bp.profile.get_numba_profile()["fastmath"]) == (0.1, bp.profile.DEFAULT_FASTMATH)
    bp.profile.load_settings(exported)
    assert (bp.profile.get_dt(), bp.profile.get_numerical_method()) == (0.02, "rk4")
    assert bp.profile.get_numba_profile()["fastmath"] is True
