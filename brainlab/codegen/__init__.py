"""Code generation: lowered functions -> one module per network, compiled by Numba.

:mod:`~brainlab.codegen.kernel` emits the time loop, :mod:`~brainlab.codegen.module`
renders functions into source text that remembers where each line came from,
:mod:`~brainlab.codegen.compiler` stores it in the cache directory, imports it and
translates compile errors, and :mod:`~brainlab.codegen.runtime` holds the helpers
generated code calls.
"""

from brainlab.codegen.compiler import clear_cache

__all__ = ["clear_cache"]
