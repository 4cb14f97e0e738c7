"""Synaptic connectivity: connectors that choose synapses, formatters that lay them out.

Re-exports the public names of ``connectors`` and ``formatters``.
"""

from brainlab.connect.connectors import All2All, Connector, FixedProb, One2One
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

__all__ = [
    "All2All",
    "Connector",
    "FixedProb",
    "One2One",
    "ij2mat",
    "mat2ij",
    "post2pre",
    "post2syn",
    "post_slice_syn",
    "pre2post",
    "pre2syn",
    "pre_slice_syn",
]
