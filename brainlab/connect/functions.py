"""Function forms of the connectors: ``bp.connect.one2one(num_pre, num_post)`` and friends.

Each function builds the connector of the same name with the given
parameters and calls it on the groups, so there is one implementation per
rule. A group is given by its size ``num``, its geometry ``(height, width)``
or its index array, as the connectors accept. Each returns
``(pre_ids, post_ids)``, plus ``weights`` for the weighted rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from brainlab.connect.connectors import All2All, FixedProb, Group, One2One
from brainlab.connect.fixed_num import FixedPostNum, FixedPreNum
from brainlab.connect.graphs import ScaleFree, SmallWorld
from brainlab.connect.grids import GridEight, GridFour, GridN
from brainlab.connect.spatial import DOG, GaussianProb, GaussianWeight

__all__ = [
    "all2all",
    "dog",
    "fixed_postnum",
    "fixed_prenum",
    "fixed_prob",
    "gaussian_prob",
    "gaussian_weight",
    "grid_eight",
    "grid_four",
    "grid_n",
    "one2one",
    "scale_free",
    "small_world",
]

Pair = tuple[np.ndarray, np.ndarray]
Triple = tuple[np.ndarray, np.ndarray, np.ndarray]


def _grid(height: int | Sequence[int], width: int | None) -> Group:
    """Return the geometry of a grid given as ``(height, width)`` or as ``height, width``."""
    return height if width is None else (height, width)


def one2one(num_pre: Group, num_post: Group) -> Pair:
    """Connect neuron ``k`` of one group to neuron ``k`` of the other; see :class:`One2One`."""
    return One2One()(num_pre, num_post)


def all2all(num_pre: Group, num_post: Group, include_self: bool = True) -> Pair:
    """Connect every pre-synaptic neuron to every post-synaptic one; see :class:`All2All`."""
    return All2All(include_self)(num_pre, num_post)


def grid_four(height: int | Sequence[int], width: int | None = None, include_self: bool = False) -> Pair:
    """Connect a ``height x width`` grid to itself, four nearest neighbours; see :class:`GridFour`.

    ``grid_four(height, width)`` and ``grid_four((height, width))`` are the same.
    """
    return GridFour(include_self)(_grid(height, width))


def grid_eight(height: int | Sequence[int], width: int | None = None, include_self: bool = False) -> Pair:
    """Connect a ``height x width`` grid to itself, eight nearest neighbours; see :class:`GridEight`."""
    return GridEight(include_self)(_grid(height, width))


def grid_n(height: int | Sequence[int], width: int | None = None, n: int = 1, include_self: bool = False) -> Pair:
    """Connect a ``height x width`` grid to itself, ``(2n+1) x (2n+1)`` squares; see :class:`GridN`."""
    return GridN(n, include_self)(_grid(height, width))


def fixed_prob(
    num_pre: Group, num_post: Group, prob: float, include_self: bool = True, seed: int | None = None
) -> Pair:
    """Create each pair independently with probability ``prob``; see :class:`FixedProb`."""
    return FixedProb(prob, include_self, seed)(num_pre, num_post)


def fixed_prenum(
    num_pre: Group, num_post: Group, num: float, include_self: bool = True, seed: int | None = None
) -> Pair:
    """Give each post-synaptic neuron ``num`` random pre-synaptic partners; see :class:`FixedPreNum`."""
    return FixedPreNum(num, include_self, seed)(num_pre, num_post)


def fixed_postnum(
    num_pre: Group, num_post: Group, num: float, include_self: bool = True, seed: int | None = None
) -> Pair:
    """Give each pre-synaptic neuron ``num`` random post-synaptic partners; see :class:`FixedPostNum`."""
    return FixedPostNum(num, include_self, seed)(num_pre, num_post)


def gaussian_prob(
    pre_geometry: Group,
    post_geometry: Group,
    sigma: float,
    p_min: float = 0.0,
    normalize: bool = True,
    include_self: bool = True,
    seed: int | None = None,
) -> Pair:
    """Connect pairs with a Gaussian probability of their distance; see :class:`GaussianProb`."""
    return GaussianProb(sigma, p_min, normalize, include_self, seed)(pre_geometry, post_geometry)


def gaussian_weight(
    pre_geometry: Group,
    post_geometry: Group,
    sigma: float,
    w_max: float,
    w_min: float | None = None,
    normalize: bool = True,
    include_self: bool = True,
) -> Triple:
    """Connect nearby pairs with Gaussian weights; see :class:`GaussianWeight`."""
    return GaussianWeight(sigma, w_max, w_min, normalize, include_self)(pre_geometry, post_geometry)


def dog(
    pre_geometry: Group,
    post_geometry: Group,
    sigmas: Sequence[float],
    ws_max: Sequence[float],
    w_min: float | None = None,
    normalize: bool = True,
    include_self: bool = True,
) -> Triple:
    """Connect pairs with difference-of-Gaussians weights; see :class:`DOG`."""
    return DOG(sigmas, ws_max, w_min, normalize, include_self)(pre_geometry, post_geometry)


def small_world(
    num: int,
    num_neighbor: int,
    prob: float,
    directed: bool = False,
    include_self: bool = False,
    seed: int | None = None,
) -> Pair:
    """Connect ``num`` neurons as a Watts-Strogatz small-world network; see :class:`SmallWorld`."""
    return SmallWorld(num_neighbor, prob, directed, include_self, seed)(num)


def scale_free(num: int, m: int, directed: bool = False, seed: int | None = None) -> Pair:
    """Connect ``num`` neurons as a Barabasi-Albert scale-free network; see :class:`ScaleFree`."""
    return ScaleFree(m, directed, seed)(num)
