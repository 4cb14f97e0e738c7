"""Grid connectors (GridFour, GridEight, GridN) against a brute-force double loop."""

import numpy as np
import pytest

from brainlab import connect
from brainlab.errors import ModelUseError


def reference(height, width, neighbour, include_self):
    """All (pre, post) pairs of a height x width grid with neighbour(dr, dc) true, row-major."""
    pairs = []
    for pre in range(height * width):
        r0, c0 = divmod(pre, width)
        for post in range(height * width):
            r1, c1 = divmod(post, width)
            if (r0, c0) == (r1, c1):
                if include_self:
                    pairs.append((pre, post))
            elif neighbour(r1 - r0, c1 - c0):
                pairs.append((pre, post))
    return pairs


def four(dr, dc):
    return abs(dr) + abs(dc) == 1


def square(n):
    return lambda dr, dc: max(abs(dr), abs(dc)) <= n


def as_pairs(result):
    pre, post = result
    assert pre.dtype == post.dtype == np.int64
    return list(zip(pre.tolist(), post.tolist(), strict=True))


SHAPES = [(1, 1), (1, 6), (5, 1), (2, 2), (3, 4), (6, 5), (7, 7)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("include_self", [False, True])
def test_grid_four_matches_reference(shape, include_self):
    indices = np.arange(shape[0] * shape[1]).reshape(shape)
    got = as_pairs(connect.GridFour(include_self=include_self)(indices, indices))
    assert got == reference(*shape, four, include_self)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("include_self", [False, True])
def test_grid_eight_matches_reference(shape, include_self):
    got = as_pairs(connect.GridEight(include_self=include_self)(shape))
    assert got == reference(*shape, square(1), include_self)


@pytest.mark.parametrize("n", [1, 2, 3, 9])
@pytest.mark.parametrize("shape", [(1, 7), (4, 4), (6, 9), (8, 3)])
@pytest.mark.parametrize("include_self", [False, True])
def test_grid_n_matches_reference(n, shape, include_self):
    got = as_pairs(connect.GridN(n=n, include_self=include_self)(shape))
    assert got == reference(*shape, square(n), include_self)


def test_interior_and_border_degrees():
    height, width = 10, 12
    pre, _ = connect.GridEight()((height, width))
    out = np.bincount(pre, minlength=height * width).reshape(height, width)
    assert (out[1:-1, 1:-1] == 8).all()
    assert out[0, 0] == out[0, -1] == out[-1, 0] == out[-1, -1] == 3
    assert (out[0, 1:-1] == 5).all() and (out[1:-1, 0] == 5).all()
    pre, _ = connect.GridN(n=2, include_self=True)((height, width))
    out = np.bincount(pre).reshape(height, width)
    assert out[5, 5] == 25 and out[0, 0] == 9


def test_grid_is_symmetric_without_wraparound():
    pre, post = connect.GridFour()((4, 5))
    edges = set(zip(pre.tolist(), post.tolist(), strict=True))
    assert edges == {(b, a) for a, b in edges}
    # Neuron 4 ends row 0 and neuron 5 starts row 1: neighbours in flat order, not on the grid.
    assert (4, 5) not in edges and (0, 19) not in edges


def test_ids_are_the_index_values():
    # A sub-grid's index array holds the global indices: those are returned.
    indices = np.arange(100, 106).reshape(2, 3)
    pre, post = connect.GridFour()(indices, indices)
    assert pre.min() == 100 and post.max() == 105
    assert (100, 101) in set(zip(pre.tolist(), post.tolist(), strict=True))


def test_single_geometry_forms_agree():
    expected = as_pairs(connect.GridEight()(np.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4)))
    assert as_pairs(connect.GridEight()((3, 4))) == expected
    assert as_pairs(connect.GridEight()([3, 4])) == expected
    assert as_pairs(connect.GridEight()(np.arange(12).reshape(3, 4))) == expected
    assert as_pairs(connect.grid_eight(3, 4)) == expected
    assert as_pairs(connect.grid_eight((3, 4))) == expected


def test_function_forms():
    assert as_pairs(connect.grid_four(3, 3, include_self=True)) == reference(3, 3, four, True)
    assert as_pairs(connect.grid_n(5, 6, n=2)) == reference(5, 6, square(2), False)


def test_layouts_from_grid():
    conn = connect.GridFour()
    conn((3, 3))
    assert (conn.num_pre, conn.num_post) == (9, 9)
    assert conn.weights is None
    assert conn.make_pre2post()[4].tolist() == [1, 3, 5, 7]
    np.testing.assert_array_equal(conn.make_conn_mat(), conn.conn_mat.T)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: connect.GridFour()(np.arange(10), np.arange(10)),
            r"GridFour.*2-D geometry \(height, width\).*\(10,\)",
        ),
        (lambda: connect.GridEight()(10), r"GridEight.*2-D geometry"),
        (lambda: connect.GridN(2)((3, 4), (4, 3)), r"GridN.*\(3, 4\).*\(4, 3\).*same"),
        (lambda: connect.GridN(n=0), r"GridN.*'n'.*at least 1"),
        (lambda: connect.GridN(n=1.5), r"GridN.*'n'.*integer"),
        (lambda: connect.GridN(n=True), r"GridN.*'n'"),
        (lambda: connect.GridFour(include_self=1), r"GridFour.*include_self"),
        (lambda: connect.GridEight()((3, 4, 5)), r"GridEight.*1 or 2 dimensions"),
        (lambda: connect.GridEight()((3, 0)), r"GridEight.*at least 1"),
    ],
)
def test_grid_errors(call, message):
    with pytest.raises(ModelUseError, match=message):
        call()


def test_reprs():
    assert repr(connect.GridFour()) == "GridFour(include_self=False)"
    assert repr(connect.GridEight(include_self=True)) == "GridEight(include_self=True)"
    assert repr(connect.GridN(n=3)) == "GridN(n=3, include_self=False)"
