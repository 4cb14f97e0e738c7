"""What a connector would build, computed without building it: synapses, degrees, a matrix view, memory, profile.

:func:`preview_connector` calls a connector of :mod:`brainlab.connect` on two
geometries, exactly as ``SynConn`` would, and summarises the result in a
:class:`ConnectivityPreview`. Nothing is compiled and no group or connection is
created, so the connector panel can call it on every keystroke. This module holds
data only; the panel is :mod:`brainlab_widgets.connector_panel` and its figures are in `_connector_figures`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from brainlab.core.monitors import format_bytes
from brainlab.errors import ModelUseError

__all__ = ["ConnectivityPreview", "format_bytes", "memory_estimate", "preview_connector"]

# Bytes of one float64 state value and of one int64 index.
_FLOAT_BYTES = 8
_INDEX_BYTES = 8
# Points of a weight profile, and of the dense scan that finds where the profile becomes negligible.
_PROFILE_POINTS = 200
_SCAN_POINTS = 4000
# The profile runs a little past the last distance whose weight still creates a synapse,
# so the drop to the threshold is visible.
_PROFILE_MARGIN = 1.25


@dataclasses.dataclass(frozen=True)
class ConnectivityPreview:
    """The synapses a connector chooses between two groups, summarised for display.

    Attributes
    ----------
    pre_ids, post_ids : numpy.ndarray
        ``int64`` local indices of the two neurons of each synapse, in the connector's order.
    weights : numpy.ndarray or None
        ``float64`` weight of each synapse for weighted connectors (``GaussianWeight``, ``DOG``), else None.
    num_pre, num_post : int
        Sizes of the two groups.
    n_synapses : int
        Number of synapses.
    in_degree : numpy.ndarray
        Synapses received by each post-synaptic neuron (length ``num_post``).
    out_degree : numpy.ndarray
        Synapses sent by each pre-synaptic neuron (length ``num_pre``).
    adjacency : numpy.ndarray
        2-D ``float64`` view of the connectivity. When both groups have at most
        ``max_cells`` neurons it is the exact ``(num_pre, num_post)`` matrix (the
        weight, or 1, at each synapse; 0 elsewhere). Otherwise it is block-downsampled
        to at most ``max_cells x max_cells`` cells, each the mean of the exact matrix
        over its block: the fraction of connected pairs, or the mean weight (with 0
        for the pairs without a synapse).
    adjacency_blocks : tuple of int
        ``(rows, cols)``: pre-synaptic neurons per row and post-synaptic neurons per
        column of ``adjacency`` (``(1, 1)`` when exact). The last block of an axis
        may be smaller; its mean is over the pairs it really holds.
    downsampled : bool
        Whether ``adjacency`` is block-downsampled.
    memory_bytes : int
        Estimated bytes of a ``SynConn`` with these synapses (see :func:`memory_estimate`).
    weight_profile : tuple of numpy.ndarray or None
        ``(distance, weight)`` of a weighted connector: its weight as a function of
        the distance between two neurons, from 0 to a little past the last distance
        that still creates a synapse (at most the largest distance between the two
        geometries). None for the other connectors.
    """

    pre_ids: np.ndarray
    post_ids: np.ndarray
    weights: np.ndarray | None
    num_pre: int
    num_post: int
    n_synapses: int
    in_degree: np.ndarray
    out_degree: np.ndarray
    adjacency: np.ndarray
    adjacency_blocks: tuple[int, int]
    downsampled: bool
    memory_bytes: int
    weight_profile: tuple[np.ndarray, np.ndarray] | None

    @property
    def memory_text(self) -> str:
        """``memory_bytes`` as a short human string (``'1.5 MiB'``)."""
        return format_bytes(self.memory_bytes)


def memory_estimate(n_synapses: int, num_pre: int, num_post: int, state_fields: int = 1) -> int:
    """Estimate the bytes a ``SynConn`` of ``n_synapses`` synapses holds for its state and connectivity.

    The estimate is ::

        n_synapses * (8 * state_fields + 2 * 8 + 2 * 8) + 8 * (num_pre + 1) + 8 * (num_post + 1)

    that is, per synapse: ``state_fields`` float64 state values, the ``pre_ids`` and
    ``post_ids`` int64 indices, and one int64 entry in each of the ``pre2syn`` and
    ``post2syn`` layouts; per neuron: one int64 boundary of those layouts (counted
    as compressed rows, one offset per neuron plus one). Python and Numba object
    headers, monitors and delay buffers are not counted.

    Parameters
    ----------
    n_synapses, num_pre, num_post : int
        Synapses and group sizes (>= 0).
    state_fields : int, default 1
        State fields of the synapse model (``len(model.ST.keys())``), >= 0.

    Returns
    -------
    int
        Estimated bytes.
    """
    for name, value in (("n_synapses", n_synapses), ("num_pre", num_pre), ("num_post", num_post)):
        _check_count(value, name)
    _check_count(state_fields, "state_fields")
    per_synapse = _FLOAT_BYTES * state_fields + 2 * _INDEX_BYTES + 2 * _INDEX_BYTES
    layout_offsets = _INDEX_BYTES * (num_pre + 1) + _INDEX_BYTES * (num_post + 1)
    return int(n_synapses) * per_synapse + layout_offsets


def preview_connector(
    connector: Callable[..., Any],
    pre_geometry: Any,
    post_geometry: Any,
    *,
    state_fields: int = 1,
    max_cells: int = 100,
) -> ConnectivityPreview:
    """Call ``connector`` on two geometries and summarise the synapses it chooses.

    Nothing is compiled and no ``SynConn`` is created; the connector is called
    exactly as ``SynConn`` calls it, so the synapses are those a connection would get.

    Parameters
    ----------
    connector : Connector
        A connector of :mod:`brainlab.connect` (any callable ``conn(pre, post)``
        returning ``(pre_ids, post_ids)`` or ``(pre_ids, post_ids, weights)``).
    pre_geometry, post_geometry : int, tuple of int or numpy.ndarray
        The groups as the connector accepts them: ``num``, ``(height, width)`` or the
        local index array ``np.arange(num).reshape(geometry)``.
    state_fields : int, default 1
        State fields per synapse, for :attr:`ConnectivityPreview.memory_bytes`.
    max_cells : int, default 100
        Largest side of :attr:`ConnectivityPreview.adjacency` before it is block-downsampled.

    Returns
    -------
    ConnectivityPreview

    Raises
    ------
    brainlab.errors.ModelUseError
        From the connector, unchanged (bad parameters, a grid connector on a 1-D
        geometry, ...), or when it returns indices outside the groups.
    """
    _check_count(state_fields, "state_fields")
    if _check_count(max_cells, "max_cells") < 1:
        raise ValueError(f"max_cells must be at least 1, got {max_cells}")
    result = connector(pre_geometry, post_geometry)
    if not isinstance(result, tuple) or len(result) not in (2, 3):
        raise _use_error(f"connector {connector!r} must return (pre_ids, post_ids[, weights]), got {type(result)}")
    pre_shape, post_shape = _shape(pre_geometry), _shape(post_geometry)
    num_pre, num_post = math.prod(pre_shape), math.prod(post_shape)
    pre_ids = _ids(result[0], num_pre, "pre-synaptic", connector)
    post_ids = _ids(result[1], num_post, "post-synaptic", connector)
    if pre_ids.size != post_ids.size:
        raise _use_error(f"connector {connector!r} returned {pre_ids.size} pre- and {post_ids.size} post-indices")
    weights = None
    if len(result) == 3:
        weights = np.asarray(result[2], dtype=np.float64).reshape(-1)
        if weights.size != pre_ids.size:
            raise _use_error(f"connector {connector!r} returned {weights.size} weights for {pre_ids.size} synapses")
    adjacency, blocks, downsampled = _adjacency(pre_ids, post_ids, weights, num_pre, num_post, max_cells)
    profile = _weight_profile(connector, pre_shape, post_shape) if weights is not None else None
    return ConnectivityPreview(
        pre_ids=pre_ids,
        post_ids=post_ids,
        weights=weights,
        num_pre=num_pre,
        num_post=num_post,
        n_synapses=int(pre_ids.size),
        in_degree=np.bincount(post_ids, minlength=num_post).astype(np.int64),
        out_degree=np.bincount(pre_ids, minlength=num_pre).astype(np.int64),
        adjacency=adjacency,
        adjacency_blocks=blocks,
        downsampled=downsampled,
        memory_bytes=memory_estimate(int(pre_ids.size), num_pre, num_post, state_fields),
        weight_profile=profile,
    )


# -- helpers ---------------------------------------------------------------------------------------------------------


def _use_error(text: str) -> ModelUseError:
    return ModelUseError(f"preview_connector: {text}.")


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def _shape(geometry: Any) -> tuple[int, ...]:
    """Return the shape of a group given as the connector accepts it (the connector has checked it)."""
    if isinstance(geometry, numbers.Integral):
        return (int(geometry),)
    if isinstance(geometry, tuple | list) and geometry and all(isinstance(g, numbers.Integral) for g in geometry):
        return tuple(int(g) for g in geometry)
    return tuple(np.shape(geometry))


def _ids(values: Any, size: int, side: str, connector: Any) -> np.ndarray:
    ids = np.asarray(values).reshape(-1)
    if ids.size and ids.dtype.kind not in "iu":
        raise _use_error(f"connector {connector!r} returned {side} indices of dtype {ids.dtype}")
    ids = ids.astype(np.int64, copy=False)
    # Degrees and the matrix count local indices; an index array of global ids would silently misplace them.
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise _use_error(
            f"connector {connector!r} returned {side} index {int(ids.max())} outside 0..{size - 1}; pass the "
            f"geometry or the local index array np.arange(num).reshape(geometry)"
        )
    return ids


def _adjacency(
    pre_ids: np.ndarray,
    post_ids: np.ndarray,
    weights: np.ndarray | None,
    num_pre: int,
    num_post: int,
    max_cells: int,
) -> tuple[np.ndarray, tuple[int, int], bool]:
    """Return the exact or block-mean matrix, the block size and whether it is downsampled."""
    values = np.ones(pre_ids.size) if weights is None else weights
    if num_pre <= max_cells and num_post <= max_cells:
        exact = np.zeros((num_pre, num_post))
        exact[pre_ids, post_ids] = values
        return exact, (1, 1), False
    rows, cols = math.ceil(num_pre / max_cells), math.ceil(num_post / max_cells)
    n_rows, n_cols = math.ceil(num_pre / rows), math.ceil(num_post / cols)
    sums = np.zeros((n_rows, n_cols))
    # O(synapses): the num_pre x num_post matrix is never built.
    np.add.at(sums, (pre_ids // rows, post_ids // cols), values)
    # The last block of an axis may hold fewer neurons: divide by the pairs each block really has.
    row_sizes = np.minimum(rows, num_pre - rows * np.arange(n_rows))
    col_sizes = np.minimum(cols, num_post - cols * np.arange(n_cols))
    return sums / np.outer(row_sizes, col_sizes), (rows, cols), True


def _max_distance(connector: Any, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]) -> float:
    """Return the largest distance between a pre- and a post-synaptic position (see brainlab.connect.spatial)."""
    normalize = bool(getattr(connector, "normalize", True))

    def axes(shape: tuple[int, ...]) -> tuple[float, ...]:
        # A 1-D geometry is one row; a normalised axis spans [0, 1] (0 for a single cell).
        dims = (1, shape[0]) if len(shape) == 1 else shape
        return tuple((1.0 if size > 1 else 0.0) if normalize else float(size - 1) for size in dims)

    extents = [max(a, b) for a, b in zip(axes(pre_shape), axes(post_shape), strict=False)]
    return math.sqrt(sum(e * e for e in extents))


def _weight_profile(
    connector: Any, pre_shape: tuple[int, ...], post_shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return ``(distance, weight)`` of a weighted connector from its own ``weight_at``, or None."""
    weight_at = getattr(connector, "weight_at", None)
    if not callable(weight_at):
        return None
    w_min = float(getattr(connector, "w_min", 0.0) or 0.0)
    sigmas = [getattr(connector, "sigma", None), *getattr(connector, "sigmas", ())]
    scale = max((float(s) for s in sigmas if isinstance(s, numbers.Real)), default=1.0)
    d_max = _max_distance(connector, pre_shape, post_shape)
    if d_max <= 0.0:
        # A single pair of neurons at the same place: still show the shape of the kernel.
        d_max = 3.0 * scale
    scan = np.linspace(0.0, d_max, _SCAN_POINTS)
    passing = np.flatnonzero(np.abs(weight_at(scan * scan)) > w_min)
    end = d_max if passing.size == 0 else min(d_max, _PROFILE_MARGIN * scan[passing[-1]])
    if end <= 0.0:
        end = min(d_max, 3.0 * scale)
    distance = np.linspace(0.0, end, _PROFILE_POINTS)
    return distance, np.asarray(weight_at(distance * distance), dtype=np.float64)
