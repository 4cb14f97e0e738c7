"""Helpers for users' code and functions (``bp.tools``, the ``brainpy.tools`` API of BrainPy 0.3).

Provided:

* :class:`DictPlus` -- a ``dict`` with attribute access (:mod:`~brainlab.tools.dicts`);
* code as text (:mod:`~brainlab.tools.codes`): :func:`get_identifiers`,
  :func:`word_replace`, :func:`get_line_indent`, :func:`indent`,
  :func:`deindent`, :func:`func_call`, :func:`is_lambda_function`,
  :func:`get_func_source`, :func:`get_main_code`;
* :func:`ast2code`, an AST back to source (:mod:`~brainlab.tools.decompile`);
* functions (:mod:`~brainlab.tools.functions`): :func:`func_copy`,
  :func:`get_func_name`, :func:`get_func_scope`, :func:`jit` (``numba.njit``
  with the options of ``bp.profile``, as the engine's kernels use them) and
  :func:`numba_func`;
* printing (:mod:`~brainlab.tools.logger`): :func:`show_code_scope`, :func:`show_code_str`.

Intentionally absent: the AST visitors of BrainPy 0.3's code generator. They
served a pipeline that rewrote step functions as text, line by line; brainlab
rewrites the ASTs of step functions into functions over flat arrays
(:mod:`brainlab.lower`) and prints them once with :func:`ast.unparse`, so they
have no counterpart with the same contract:

* ``CodeLineFormatter``, ``format_code`` -- no line formatting: statements stay
  AST nodes until :class:`brainlab.codegen.module.ModuleSource` renders a module.
* ``LineFormatterForTrajectory``, ``format_code_for_trajectory`` -- trajectories
  hold their fixed variables with engine inputs instead of rewritten code
  (:mod:`brainlab.dynamics.trajectory`).
* ``FindAtomicOp``, ``find_atomic_op`` -- they found the updates a GPU kernel
  needs atomically; brainlab generates CPU kernels only.
* ``FuncCallFinder``, ``replace_func`` -- the counterpart is
  :func:`brainlab.lower.inline.inline_calls`, which inlines calls of generated
  integrators into a loop body (ASTs in and out, not code text).
* ``DiffEquationAnalyser``, ``analyse_diff_eq`` -- the counterpart is
  :class:`brainlab.integrators.DiffEquation`, which reads a derivative
  *function* (drift, diffusion, intermediates) rather than a code string.

Engine helpers are used rather than repeated: the closure values of
:func:`brainlab.lower.source.closure_values`, the ``njit`` arguments of
:func:`brainlab.codegen.module.njit_options`, and ``bp.profile``'s
``get_numba_profile`` and ``is_jit``.
"""

from brainlab.tools.codes import (
    deindent,
    func_call,
    get_func_source,
    get_identifiers,
    get_line_indent,
    get_main_code,
    indent,
    is_lambda_function,
    word_replace,
)
from brainlab.tools.decompile import ast2code
from brainlab.tools.dicts import DictPlus
from brainlab.tools.functions import func_copy, get_func_name, get_func_scope, jit, numba_func
from brainlab.tools.logger import show_code_scope, show_code_str

__all__ = [
    "DictPlus",
    "ast2code",
    "deindent",
    "func_call",
    "func_copy",
    "get_func_name",
    "get_func_scope",
    "get_func_source",
    "get_identifiers",
    "get_line_indent",
    "get_main_code",
    "indent",
    "is_lambda_function",
    "jit",
    "numba_func",
    "show_code_scope",
    "show_code_str",
    "word_replace",
]
