"""Synaptic connectivity: connectors that choose synapses, formatters that lay them out.

Connectors (classes, called with the two groups) and their function forms
(``one2one(num_pre, num_post)``, ...):

- ``connectors``: the ``Connector`` base, ``One2One``, ``All2All``, ``FixedProb``;
- ``grids``: ``GridFour``, ``GridEight``, ``GridN`` on a 2-D grid;
- ``fixed_num``: ``FixedPreNum``, ``FixedPostNum``;
- ``spatial``: ``GaussianProb``, ``GaussianWeight``, ``DOG`` (distance-dependent);
- ``graphs``: ``SmallWorld``, ``ScaleFree`` (a group connected to itself);
- ``functions``: the lower-case function forms.

``formatters`` converts a connectivity between i-j arrays, matrix, lists and slicing.
"""

from brainlab.connect.connectors import All2All, Connector, FixedProb, One2One
from brainlab.connect.fixed_num import FixedPostNum, FixedPreNum
from brainlab.connect.formatters import (
    ij2mat,
    mat2ij,
    post2pre,
    post2syn,
    post_slice_syn,
    pre2post,
    pre2syn,
    pre_slice_syn,
)
from brainlab.connect.functions import (
    all2all,
    dog,
    fixed_postnum,
    fixed_prenum,
    fixed_prob,
    gaussian_prob,
    gaussian_weight,
    grid_eight,
    grid_four,
    grid_n,
    one2one,
    scale_free,
    small_world,
)
from brainlab.connect.graphs import ScaleFree, SmallWorld
from brainlab.connect.grids import GridEight, GridFour, GridN
from brainlab.connect.spatial import DOG, GaussianProb, GaussianWeight

__all__ = [
    "DOG",
    "All2All",
    "Connector",
    "FixedPostNum",
    "FixedPreNum",
    "FixedProb",
    "GaussianProb",
    "GaussianWeight",
    "GridEight",
    "GridFour",
    "GridN",
    "One2One",
    "ScaleFree",
    "SmallWorld",
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
    "ij2mat",
    "mat2ij",
    "one2one",
    "post2pre",
    "post2syn",
    "post_slice_syn",
    "pre2post",
    "pre2syn",
    "pre_slice_syn",
    "scale_free",
    "small_world",
]
