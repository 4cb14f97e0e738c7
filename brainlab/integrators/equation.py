"""A derivative function read as a differential equation ``dx/dt = f + g·dW``.

The user writes the right-hand side as a Python function whose first argument
is the variable and second the time. Its final ``return`` says what it is:

=================================  ======================================
``return f``                       ODE
``return f, g``                    SDE (drift ``f``, diffusion ``g``)
``return (f,), a, b``              ODE, also returning intermediates a, b
``return (f, g), a, b``            SDE with intermediates
=================================  ======================================
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

from brainlab.errors import DiffEquationError
from brainlab.lower.source import FunctionInfo, analyse_function

__all__ = ["DiffEquation"]


class DiffEquation:
    """A differential equation defined by a derivative function.

    Parameters
    ----------
    func : callable
        The derivative function ``func(x, t, *args)``.

    Attributes
    ----------
    info : FunctionInfo
        The parsed function.
    var_name : str
        The integrated variable (first argument).
    t_name : str
        The time argument (second argument).
    arg_names : list of str
        The other arguments.
    body : list of ast.stmt
        Statements before the final ``return``.
    f_expr, g_expr : ast.expr
        Drift and diffusion (``g_expr`` is None for an ODE).
    intermediates : list of ast.expr
        Extra returned values.
    """

    def __init__(self, func: Callable):
        owner = f"derivative function {getattr(func, '__name__', func)!r}"
        self.func = func
        self.info: FunctionInfo = analyse_function(func, owner=owner)
        info = self.info
        if len(info.args) < 2:
            raise DiffEquationError(
                f"{owner} ({info.where()}) must take the variable and the time as its first two "
                f"arguments, e.g. `def {info.name}(x, t, ...)`; it takes {info.args}."
            )
        if info.free.integrators:
            names = ", ".join(info.free.integrators)
            raise DiffEquationError(
                f"{owner} calls the integrator(s) {names}; derivative functions cannot call "
                "integrators. Call them from the step function instead."
            )
        self.var_name, self.t_name, *self.arg_names = info.args
        body = list(info.tree.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # docstring
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise DiffEquationError(
                f"{owner} ({info.where()}) must end with `return <derivative>` (or `return f, g` "
                "for a stochastic equation)."
            )
        for node in ast.walk(ast.Module(body=body[:-1], type_ignores=[])):
            if isinstance(node, ast.Return):
                raise DiffEquationError(
                    f"{owner} returns early ({info.where(node)}); a derivative function may "
                    "return only once, at its end. Use np.where(...) for case distinctions."
                )
        self.body = body[:-1]
        self.return_node = body[-1]
        self.f_expr, self.g_expr, self.intermediates = self._split_return(body[-1].value, owner)

    def _split_return(self, value: ast.expr, owner: str) -> tuple[ast.expr, ast.expr | None, list[ast.expr]]:
        where = self.info.where(value)
        if not isinstance(value, ast.Tuple):
            return value, None, []
        elts = list(value.elts)
        if isinstance(elts[0], ast.Tuple):
            head = elts[0].elts
            if len(head) == 1:
                return head[0], None, elts[1:]
            if len(head) == 2:
                return head[0], head[1], elts[1:]
            raise DiffEquationError(
                f"{owner} ({where}) returns a first tuple of {len(head)} values; it must be "
                "`(f,)` for an ODE or `(f, g)` for an SDE, followed by intermediate values."
            )
        if len(elts) == 2:
            return elts[0], elts[1], []
        if len(elts) == 1:
            return elts[0], None, []
        raise DiffEquationError(
            f"{owner} ({where}) returns {len(elts)} values. Return `f` (ODE), `f, g` (SDE), or put "
            f"the equation in a tuple before intermediate values: `return (f,), a, b` or "
            "`return (f, g), a, b`."
        )

    @property
    def is_stochastic(self) -> bool:
        """Whether the equation has a diffusion term."""
        return self.g_expr is not None

    @property
    def is_multi_return(self) -> bool:
        """Whether the function also returns intermediate values."""
        return bool(self.intermediates)

    @property
    def expr_names(self) -> list[str]:
        """Names assigned in the body (the intermediate expressions)."""
        return [t.id for s in self.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)]

    def drift_sympy(self, symbols: dict) -> Any:
        """Return the drift ``f`` as one SymPy expression of ``symbols``.

        Parameters
        ----------
        symbols : dict
            ``name -> sympy.Symbol`` for the variable, the time, the other
            arguments and the parameters.

        Raises
        ------
        brainlab.integrators.symbolic.SymbolicError
            If the function uses a construct without a symbolic translation.
        """
        # SymPy is imported here: it is slow to import and only analysis needs it.
        from brainlab.integrators.symbolic import function_to_sympy
        from brainlab.lower.rewrite import modernise_numpy

        body = copy.deepcopy(self.body)
        numpy_aliases = {a for a, m in self.info.free.modules.items() if m == "numpy"}
        modernise_numpy(ast.Module(body=body, type_ignores=[]), numpy_aliases)
        return function_to_sympy(body, self.f_expr, symbols, self.info.free.modules, self.info.free.imports)

    @property
    def params(self) -> dict:
        """Numbers and arrays the function reads from outside (its parameters)."""
        return self.info.free.params

    def __repr__(self) -> str:
        kind = "SDE" if self.is_stochastic else "ODE"
        return f"DiffEquation({kind} d{self.var_name}/d{self.t_name} from {self.info.name!r})"
