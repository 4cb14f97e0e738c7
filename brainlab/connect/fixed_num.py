"""Connectors with a fixed number of synapses per neuron: FixedPreNum and FixedPostNum.

Each neuron on one side draws its partners on the other side uniformly at
random without replacement. The draws use Floyd's algorithm (one uniform
number per chosen partner, no rejection), compiled by Numba, so the cost is
linear in the number of synapses whatever the group sizes.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numba import njit

from brainlab.connect._checks import check_bool, check_seed
from brainlab.connect.connectors import Connector
from brainlab.errors import ModelUseError

__all__ = ["FixedPostNum", "FixedPreNum"]


@njit(cache=True, nogil=True)
def _sample_rows(uniforms: np.ndarray, n_cand: int, skip_own: bool) -> np.ndarray:  # pragma: no cover - compiled
    """Choose ``uniforms.shape[1]`` distinct values of ``[0, n_cand)`` for each row, sorted.

    With ``skip_own``, row ``r`` never gets the value ``r``. Floyd's algorithm
    turns ``num`` uniforms into a uniformly random ``num``-subset; ``mark`` is a
    scratch membership table, cleared after each row so its cost stays O(num).
    """
    n_rows, num = uniforms.shape
    out = np.empty((n_rows, num), dtype=np.int64)
    mark = np.zeros(n_cand, dtype=np.bool_)
    for r in range(n_rows):
        own = skip_own and r < n_cand
        size = n_cand - 1 if own else n_cand
        row = out[r]
        for a in range(num):
            top = size - num + a
            pick = int(uniforms[r, a] * (top + 1))
            if pick > top:  # guards the rounding of u * (top + 1) up to top + 1
                pick = top
            if mark[pick]:
                pick = top
            mark[pick] = True
            row[a] = pick
        for a in range(num):
            mark[row[a]] = False
        row.sort()
        if own:
            # Draws were made among the size = n_cand - 1 others: shift past r.
            for a in range(num):
                if row[a] >= r:
                    row[a] += 1
    return out


@njit(cache=True, nogil=True)
def _by_column(values: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return ``(column, row)`` of every entry of ``values``, sorted by column then row.

    A counting sort: linear, and rows come out ascending within a column
    because they are visited in order.
    """
    n_rows, num = values.shape
    start = np.zeros(n_cols + 1, dtype=np.int64)
    for r in range(n_rows):
        for a in range(num):
            start[values[r, a] + 1] += 1
    for c in range(n_cols):
        start[c + 1] += start[c]
    cols = np.empty(n_rows * num, dtype=np.int64)
    rows = np.empty(n_rows * num, dtype=np.int64)
    for r in range(n_rows):
        for a in range(num):
            c = values[r, a]
            k = start[c]
            cols[k] = c
            rows[k] = r
            start[c] = k + 1
    return cols, rows


class _FixedNum(Connector):
    """Shared machinery: each neuron of one side (the rows) picks ``num`` partners."""

    # Which side picks its partners, and the name of the other side, for messages.
    _rows = ""
    _partners = ""

    def __init__(self, num: float, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        if isinstance(num, bool | np.bool_) or not isinstance(num, numbers.Real):
            raise ModelUseError(
                f"{owner}: 'num' must be an int (the number of {self._partners} neurons of each "
                f"{self._rows} neuron) or a float fraction in [0, 1]; got {num!r}."
            )
        if isinstance(num, numbers.Integral):
            if num < 0:
                raise ModelUseError(f"{owner}: 'num' must be at least 0, got {num}.")
            self.num: int | float = int(num)
        else:
            if not 0.0 <= float(num) <= 1.0:  # also rejects NaN
                raise ModelUseError(
                    f"{owner}: a float 'num' is a fraction of the {self._partners} group and must lie "
                    f"in [0, 1], got {num}; for a fixed count pass an int, e.g. num=10."
                )
            self.num = float(num)
        self.include_self = check_bool(include_self, "include_self", owner)
        self.seed = check_seed(seed, owner)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num={self.num!r}, include_self={self.include_self}, seed={self.seed})"

    def _count(self, n_cand: int) -> int:
        """Return the number of partners per neuron, checked against the candidates."""
        count = self.num if isinstance(self.num, int) else int(self.num * n_cand)
        available = n_cand if self.include_self else n_cand - 1
        if count > available:
            without = "" if self.include_self else " other than itself (include_self=False)"
            raise ModelUseError(
                f"{type(self).__name__}: each {self._rows} neuron needs {count} distinct {self._partners} "
                f"neurons (num={self.num!r}), but there are only {available}{without}; "
                f"lower 'num' or connect a larger group."
            )
        return count

    def _sample(self, n_rows: int, n_cand: int) -> np.ndarray:
        """Return the ``(n_rows, count)`` sorted partners of each row."""
        count = self._count(n_cand)
        uniforms = np.random.default_rng(self.seed).random((n_rows, count))
        return _sample_rows(uniforms, n_cand, not self.include_self)


class FixedPreNum(_FixedNum):
    """Give every post-synaptic neuron the same number of pre-synaptic partners.

    Each post-synaptic neuron receives synapses from ``num`` distinct
    pre-synaptic neurons drawn uniformly at random, independently of the other
    post-synaptic neurons; so some pre-synaptic neurons may send many synapses
    and others none.

    Parameters
    ----------
    num : int or float
        An ``int`` is the exact number of pre-synaptic partners (at most
        ``num_pre``, or ``num_pre - 1`` when ``include_self`` is False). A
        ``float`` in ``[0, 1]`` is a fraction of the pre-synaptic group: the
        count is ``int(num_pre * num)``, rounded down.
    include_self : bool, default True
        If False, the pre-synaptic neuron with the same flat index as the
        post-synaptic one is never chosen (the count stays exact).
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    _rows = "post-synaptic"
    _partners = "pre-synaptic"

    def __init__(self, num: float, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__(num, include_self, seed)

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n_pre, n_post = math.prod(pre_shape), math.prod(post_shape)
        partners = self._sample(n_post, n_pre)
        # Rows are post neurons; the synapse list must be ordered by pre neuron.
        return _by_column(partners, n_pre)


class FixedPostNum(_FixedNum):
    """Give every pre-synaptic neuron the same number of post-synaptic partners.

    Each pre-synaptic neuron sends synapses to ``num`` distinct post-synaptic
    neurons drawn uniformly at random, independently of the other
    pre-synaptic neurons; so some post-synaptic neurons may receive many
    synapses and others none.

    Parameters
    ----------
    num : int or float
        An ``int`` is the exact number of post-synaptic partners (at most
        ``num_post``, or ``num_post - 1`` when ``include_self`` is False). A
        ``float`` in ``[0, 1]`` is a fraction of the post-synaptic group: the
        count is ``int(num_post * num)``, rounded down.
    include_self : bool, default True
        If False, the post-synaptic neuron with the same flat index as the
        pre-synaptic one is never chosen (the count stays exact).
    seed : int, optional
        Seed of the ``numpy.random.Generator`` used at each call; the same seed
        gives the same synapses. ``None`` draws fresh entropy.
    """

    _rows = "pre-synaptic"
    _partners = "post-synaptic"

    def __init__(self, num: float, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__(num, include_self, seed)

    def _connect(self, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        n_pre, n_post = math.prod(pre_shape), math.prod(post_shape)
        partners = self._sample(n_pre, n_post)
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), partners.shape[1])
        return pre, partners.reshape(-1)
