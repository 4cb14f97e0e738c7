"""Nearest-neighbour connectors on a 2-D grid of neurons: GridFour, GridEight, GridN.

A grid connector links each neuron of a ``(height, width)`` group to the
neurons of the same geometry that lie within a fixed pattern of offsets around
its own position. The pattern is clipped at the borders (no wrap-around), so
neurons on an edge or in a corner get fewer synapses.
"""

from __future__ import annotations

import numpy as np

from brainlab.connect._checks import check_bool, check_count
from brainlab.connect.connectors import Connector
from brainlab.errors import ModelUseError

__all__ = ["GridEight", "GridFour", "GridN"]


def _grid_shape(owner: str, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[int, int]:
    """Return the common ``(height, width)`` of both groups or explain why there is none."""
    for side, shape in (("pre-synaptic", pre_shape), ("post-synaptic", post_shape)):
        if len(shape) != 2:
            raise ModelUseError(
                f"{owner}: grid connectors need a 2-D geometry (height, width), but the {side} "
                f"group has the {len(shape)}-D geometry {shape}. Create the group with "
                f"geometry=(height, width), or call the connector with conn((height, width))."
            )
    if pre_shape != post_shape:
        raise ModelUseError(
            f"{owner}: the pre-synaptic geometry {pre_shape} differs from the post-synaptic one "
            f"{post_shape}; a grid connector links neurons at the same (row, column), so both "
            f"groups need the same (height, width)."
        )
    return pre_shape[0], pre_shape[1]


def _grid_synapses(height: int, width: int, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the synapses from each cell of a grid to the cells at ``offsets`` from it.

    Parameters
    ----------
    height, width : int
        Grid geometry; cells are numbered row-major.
    offsets : numpy.ndarray
        ``(k, 2)`` array of ``(d_row, d_col)``, sorted lexicographically.

    Returns
    -------
    pre, post : numpy.ndarray
        Flat ``int64`` cell indices, row-major (by pre, then post); targets
        outside the grid are dropped.
    """
    # Offsets that cannot land inside the grid would only waste memory.
    reach = (np.abs(offsets[:, 0]) < height) & (np.abs(offsets[:, 1]) < width)
    offsets = offsets[reach]
    rows, cols = np.divmod(np.arange(height * width, dtype=np.int64), width)
    target_rows = rows[:, None] + offsets[None, :, 0]
    target_cols = cols[:, None] + offsets[None, :, 1]
    inside = (target_rows >= 0) & (target_rows < height) & (target_cols >= 0) & (target_cols < width)
    # The mask is read row by row, and lexicographic offsets give increasing
    # (row, col) targets, so the synapses come out already sorted.
    pre = np.broadcast_to(np.arange(height * width, dtype=np.int64)[:, None], inside.shape)[inside]
    post = (target_rows * width + target_cols)[inside]
    return pre, post


class _Grid(Connector):
    """Shared machinery: a fixed offset pattern applied on a 2-D grid."""

    def __init__(self, include_self: bool = False) -> None:
        super().__init__()
        self.include_self = check_bool(include_self, "include_self", type(self).__name__)

    def _offsets(self) -> np.ndarray:
        """Return the ``(k, 2)`` neighbour offsets, sorted, without ``(0, 0)``."""
        raise NotImplementedError

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        height, width = _grid_shape(type(self).__name__, pre_shape, post_shape)
        offsets = self._offsets()
        if self.include_self:
            offsets = np.concatenate([offsets, np.zeros((1, 2), dtype=np.int64)])
            offsets = offsets[np.lexsort((offsets[:, 1], offsets[:, 0]))]
        return _grid_synapses(height, width, offsets)


class GridFour(_Grid):
    """Connect each neuron of a 2-D grid to its four nearest neighbours.

    The neighbours are the cells directly above, below, left and right; a
    neuron on an edge has three and one in a corner two. Pre- and
    post-synaptic groups must share one 2-D geometry ``(height, width)``;
    ``GridFour()((height, width))`` connects such a grid to itself.

    Parameters
    ----------
    include_self : bool, default False
        Also connect each neuron to itself.
    """

    def __repr__(self) -> str:
        return f"GridFour(include_self={self.include_self})"

    def _offsets(self) -> np.ndarray:
        return np.array([[-1, 0], [0, -1], [0, 1], [1, 0]], dtype=np.int64)


class GridN(_Grid):
    """Connect each neuron of a 2-D grid to the ``(2n+1) x (2n+1)`` square around it.

    For ``n=1`` these are the eight nearest neighbours; for ``n=2`` the 24
    cells of the surrounding 5x5 square, and so on. The square is clipped at
    the borders. Pre- and post-synaptic groups must share one 2-D geometry.

    Parameters
    ----------
    n : int, default 1
        Half-width of the square, at least 1.
    include_self : bool, default False
        Also connect each neuron to itself (the centre of its square).
    """

    def __init__(self, n: int = 1, include_self: bool = False) -> None:
        super().__init__(include_self)
        self.n = check_count(n, "n", type(self).__name__, minimum=1)

    def __repr__(self) -> str:
        return f"GridN(n={self.n}, include_self={self.include_self})"

    def _offsets(self) -> np.ndarray:
        span = np.arange(-self.n, self.n + 1, dtype=np.int64)
        d_row, d_col = np.meshgrid(span, span, indexing="ij")
        offsets = np.stack([d_row.ravel(), d_col.ravel()], axis=1)
        return offsets[(offsets != 0).any(axis=1)]


class GridEight(GridN):
    """Connect each neuron of a 2-D grid to its eight nearest neighbours.

    The neighbours are the cells of the surrounding 3x3 square (``GridN(n=1)``);
    a neuron on an edge has five and one in a corner three.

    Parameters
    ----------
    include_self : bool, default False
        Also connect each neuron to itself.
    """

    def __init__(self, include_self: bool = False) -> None:
        super().__init__(n=1, include_self=include_self)

    def __repr__(self) -> str:
        return f"GridEight(include_self={self.include_self})"
