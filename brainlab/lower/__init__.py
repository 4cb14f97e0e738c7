"""Lowering: read model functions and rewrite them over flat arrays.

:mod:`~brainlab.lower.source` parses a function and classifies its free names,
:mod:`~brainlab.lower.steps` checks step functions when a model is defined, and
:mod:`~brainlab.lower.rewrite` turns them into functions of state rows,
parameters and index arrays for the kernel.
"""
