"""State schemas, state data and required-data types."""

import numpy as np
import pytest

import brainlab as bp


def test_state_schema_forms():
    a = bp.types.NeuState({"V": -65.0, "spike": 0.0})
    b = bp.types.NeuState(["V", "spike"])
    c = bp.types.NeuState("m", "h", V=-65.0)
    assert a.keys() == ["V", "spike"] and a.defaults["V"] == -65.0
    assert b.defaults == {"V": 0.0, "spike": 0.0}
    assert c.keys() == ["m", "h", "V"] and c.defaults["V"] == -65.0
    with pytest.raises(bp.errors.ModelDefError, match="invalid field name '_x'"):
        bp.types.NeuState(["_x"])
    with pytest.raises(bp.errors.ModelDefError, match="must be a number"):
        bp.types.NeuState({"V": "high"})


def test_state_data_rows_are_views():
    st = bp.types.NeuState({"V": -65.0, "n": 0.3})(4)
    assert st["V"].shape == (4,) and np.all(st["V"] == -65.0)
    st["V"] = np.arange(4.0)
    view = st["V"]
    view[0] = 10.0
    assert st["_data"][0, 0] == 10.0
    assert st.keys() == ["V", "n"] and len(st) == 2 and "n" in st
    with pytest.raises(bp.errors.ModelUseError, match="no field 'W'"):
        st["W"]
    with pytest.raises(bp.errors.ModelUseError, match=r"cannot set ST\['V'\]"):
        st["V"] = np.ones(5)
    matrix = bp.types.SynState(["s"])((2, 3))
    assert matrix["s"].shape == (2, 3)


def test_required_data_types():
    bp.types.Array(dim=1).check(np.zeros(3))
    with pytest.raises(bp.errors.TypeMismatchError, match="2 dimension"):
        bp.types.Array(dim=2).check(np.zeros(3))
    lists = bp.types.ListConn().make_copy([[0, 1], [], [2]])
    assert [x.dtype for x in lists] == [np.int64] * 3 and lists[1].size == 0
    with pytest.raises(bp.errors.TypeMismatchError, match="integer index arrays"):
        bp.types.ListConn().check([[0.5]])
    with pytest.raises(bp.errors.TypeMismatchError):
        bp.types.MatConn().check(np.zeros(3))
    bp.types.Int().check(3)
    bp.types.Float().check(3.5)
    with pytest.raises(bp.errors.TypeMismatchError):
        bp.types.Int().check(3.5)
