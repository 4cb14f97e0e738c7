"""The safe equation language of brainlab: text in, ordinary NeuType/SynType out.

Text is checked before anything is built from it (:mod:`brainlab.equations.validate`):
length, characters, parenthesis depth, and a whitelist of syntax nodes and names.
Python source is then generated from the checked trees only and compiled by the
normal pipeline, so the types behave like hand-written ones: hot parameters,
repeat mode, phase planes, bifurcations.
"""

from brainlab.equations.build import neuron_from_equations, synapse_from_equations
from brainlab.equations.grammar import ModelSpec, parse_model
from brainlab.equations.validate import MATH_FUNCTIONS, check_identifier, check_number, parse_expression

__all__ = [
    "MATH_FUNCTIONS",
    "ModelSpec",
    "check_identifier",
    "check_number",
    "neuron_from_equations",
    "parse_expression",
    "parse_model",
    "synapse_from_equations",
]
