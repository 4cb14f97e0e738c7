"""A neuron type read as a dynamical system ``dx/dt = f(x; p)``.

The ``@integrate`` derivative functions that a :class:`~brainlab.NeuType`'s
steps call are its equations: each one's first argument is a variable, its
other arguments are variables or inputs (``Iext``), and the numbers it reads
from its closure are parameters. Their ASTs are translated to SymPy node by node
(never through ``sympify`` of text), differentiated exactly, and compiled into
vectorised NumPy functions of the state and the parameter values. A parameter
change is therefore only new numbers for functions that already exist.

The step functions are also read, to learn which ``ST`` field each
variable and input comes from (``int_v(ST['v'], _t, ST['w'], ST['input'])``
feeds ``Iext`` from ``ST['input']``): simulations of the model then hold inputs
and frozen variables at their values through the engine's ``inputs``.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from brainlab.core.neurons import NeuType
from brainlab.errors import AnalysisError

__all__ = ["Equation", "ModelSystem", "VectorField"]


@dataclasses.dataclass(frozen=True)
class Equation:
    """One differential equation of a model.

    Attributes
    ----------
    var : str
        The variable (the derivative function's first argument).
    field : str or None
        The ``ST`` field the step function integrates it from.
    drift : sympy.Expr
        ``dvar/dt`` in terms of variables, inputs and parameters.
    """

    var: str
    field: str | None
    drift: Any


def _st_field(node: ast.expr) -> str | None:
    """Return ``'v'`` for the expression ``ST['v']``, else None."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ST"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value
    return None


def _argument_fields(step: Any, integrator_name: str, names: Sequence[str]) -> dict[str, str | None]:
    """Map each argument of the integrator to the ``ST`` field the step passes (None if not a plain field)."""
    found: dict[str, str | None] = {}
    for node in ast.walk(step.info.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == integrator_name:
            passed = dict(zip(names, node.args, strict=False))
            passed.update({kw.arg: kw.value for kw in node.keywords if kw.arg})
            for name, expr in passed.items():
                field = _st_field(expr)
                if found.get(name, field) != field:
                    field = None  # two calls pass different things
                found[name] = field
    return found


class ModelSystem:
    """The differential equations of a neuron type, symbolically.

    Parameters
    ----------
    model : NeuType
        A type whose step functions call ``@integrate`` integrators.
    owner : str
        Who analyses it, for error messages.

    Attributes
    ----------
    equations : dict
        ``variable -> Equation``, in the order the steps call the integrators.
    inputs : dict
        ``name -> ST field or None`` for arguments that are not variables (``Iext``).
    parameters : dict
        ``name -> value``: the model's parameters (``model.pars``).
    """

    def __init__(self, model: NeuType, owner: str):
        import sympy as sp

        from brainlab.integrators.symbolic import SymbolicError

        if not isinstance(model, NeuType):
            raise AnalysisError(f"{owner}: model must be a NeuType, got {type(model).__name__}.")
        self.model = model
        self.owner = owner
        self.parameters: dict[str, Any] = dict(model.pars)
        integrators: list[tuple[str, Any, Any]] = []
        for step in model.steps:
            for name, integrator in step.info.free.integrators.items():
                if all(integrator is not other for _, other, _ in integrators):
                    integrators.append((name, integrator, step))
        if not integrators:
            raise AnalysisError(
                f"{owner}: the model {model.name!r} has no @bp.integrate derivative functions; "
                "dynamics analysis reads the equations from them."
            )
        variables = [integ.diff_eq.var_name for _, integ, _ in integrators]
        duplicates = sorted({v for v in variables if variables.count(v) > 1})
        if duplicates:
            raise AnalysisError(
                f"{owner}: several derivative functions of {model.name!r} integrate a variable "
                f"named {duplicates}; give each equation's first argument a distinct name."
            )
        self.symbols: dict[str, Any] = {}
        self.equations: dict[str, Equation] = {}
        arguments: dict[str, str | None] = {}
        for name, integ, step in integrators:
            eq = integ.diff_eq
            call_names = [eq.var_name, eq.t_name, *eq.arg_names]
            fields = _argument_fields(step, name, call_names)
            symbols = {n: self.symbol(n) for n in [eq.var_name, *eq.arg_names, *integ.param_names]}
            symbols[eq.t_name] = sp.Symbol("_time", real=True)
            try:
                drift = eq.drift_sympy(symbols)
            except SymbolicError as exc:
                raise AnalysisError(
                    f"{owner}: the derivative function {eq.info.name!r} ({eq.info.where()}) has no "
                    f"symbolic form ({exc}). Analysis needs arithmetic and NumPy math functions only; "
                    "move conditions (thresholds, resets) into the step function."
                ) from None
            if symbols[eq.t_name] in drift.free_symbols:
                raise AnalysisError(
                    f"{owner}: {eq.info.name!r} depends on the time {eq.t_name!r} explicitly; phase "
                    "planes and bifurcations need an autonomous system. Make the time-dependent term "
                    "an argument (an input) instead."
                )
            field = fields.get(eq.var_name) or (eq.var_name if eq.var_name in model.ST.keys() else None)
            self.equations[eq.var_name] = Equation(eq.var_name, field, drift)
            for arg in eq.arg_names:
                arguments.setdefault(arg, fields.get(arg))
        self.inputs = {a: f for a, f in arguments.items() if a not in self.equations}

    def symbol(self, name: str) -> Any:
        """Return the SymPy symbol of a variable, input or parameter (one per name)."""
        import sympy as sp

        if name not in self.symbols:
            self.symbols[name] = sp.Symbol(name, real=True)
        return self.symbols[name]

    @property
    def variables(self) -> list[str]:
        """The model's variables, in equation order."""
        return list(self.equations)

    def field_of(self, name: str) -> str | None:
        """Return the ``ST`` field holding a variable or feeding an input, if there is one."""
        if name in self.equations:
            return self.equations[name].field
        return self.inputs.get(name)

    def default_value(self, name: str) -> float | None:
        """Return the value a name takes when nobody sets it.

        A parameter takes the model's value, an input the initial value of the
        field that feeds it (``ST['input']`` starts at 0: no input); a variable
        has none, so a phase plane never silently slices at an arbitrary value.
        """
        if name in self.parameters:
            value = self.parameters[name]
            return value if np.ndim(value) == 0 else None
        if name in self.equations:
            return None  # a variable left out of the targets must be frozen explicitly (fixed_vars)
        field = self.field_of(name)
        if field is not None and field in self.model.ST.keys():
            return self.model.ST.defaults[field]
        return None

    def check_names(self, names: Sequence[str], what: str) -> None:
        """Raise if a name is neither a variable, an input nor a parameter of the model."""
        known = set(self.equations) | set(self.inputs) | set(self.parameters)
        for name in names:
            if name not in known:
                raise AnalysisError(
                    f"{self.owner}: {what} {name!r} is not a variable, input or parameter of "
                    f"{self.model.name!r}. Variables: {self.variables}; inputs: {sorted(self.inputs)}; "
                    f"parameters: {sorted(self.parameters)}."
                )

    def vector_field(self, targets: Sequence[str], values: Mapping[str, Any], extra: Sequence[str] = ()) -> VectorField:
        """Compile ``f`` and its Jacobian for the variables ``targets``.

        Parameters
        ----------
        targets : sequence of str
            The dynamical variables (the others must be fixed).
        values : mapping
            Values of the fixed variables, inputs and parameters (the names
            the target equations need that have no default must be here).
        extra : sequence of str
            Names that will vary (bifurcation parameters): ``df/dp`` is compiled for them.
        """
        for name in targets:
            if name not in self.equations:
                raise AnalysisError(
                    f"{self.owner}: {name!r} is not a variable of {self.model.name!r}; its variables "
                    f"are {self.variables} (the first arguments of its derivative functions)."
                )
        drifts = [self.equations[v].drift for v in targets]
        used = sorted({s.name for d in drifts for s in d.free_symbols} - set(targets))
        for name in used:
            if name not in values and name not in extra and self.default_value(name) is None:
                kind = "variable" if name in self.equations else "input" if name in self.inputs else "parameter"
                raise AnalysisError(
                    f"{self.owner}: the {kind} {name!r} appears in the equations of {list(targets)} but "
                    f"has no value. Make it a target variable, or give it with fixed_vars={{{name!r}: ...}}."
                )
        return VectorField(self, list(targets), drifts, used, list(extra))


class VectorField:
    """Compiled ``f(x; p)``, its Jacobian ``∂f/∂x`` and ``∂f/∂p`` for chosen parameters.

    Functions take the state as an array whose first axis runs over the
    variables (``x.shape == (n, ...)``) and a mapping of parameter values, and
    broadcast over the remaining axes.

    Parameters
    ----------
    system : ModelSystem
    targets : list of str
    drifts : list of sympy.Expr
    par_names : list of str
        Free names besides the targets, in argument order.
    extra : list of str
        Names with a compiled ``∂f/∂p``.
    """

    def __init__(self, system: ModelSystem, targets: list[str], drifts: list, par_names: list[str], extra: list[str]):
        import sympy as sp

        self.system = system
        self.targets = targets
        self.par_names = sorted(set(par_names) | set(extra))
        self.dim = len(targets)
        xs = [system.symbol(v) for v in targets]
        ps = [system.symbol(p) for p in self.par_names]
        args = [*xs, *ps]
        jac = [[sp.diff(d, x) for x in xs] for d in drifts]
        self._f = _compile(args, drifts)
        self._jac = _compile(args, [e for row in jac for e in row])
        self._dfdp = {p: _compile(args, [sp.diff(d, system.symbol(p)) for d in drifts]) for p in extra}

    def par_vector(self, values: Mapping[str, Any]) -> list[Any]:
        """Parameter values in argument order (defaults from the model where not given)."""
        out = []
        for name in self.par_names:
            value = values[name] if name in values else self.system.default_value(name)
            if value is None:
                raise AnalysisError(
                    f"{self.system.owner}: no value for {name!r}; give it in fixed_vars or pars_update."
                )
            out.append(value)
        return out

    def f(self, x: np.ndarray, pars: Sequence[Any]) -> np.ndarray:
        """``dx/dt`` with shape ``x.shape``."""
        x = np.asarray(x, dtype=float)
        return _stack(self._f(*x, *pars), x.shape[1:], (self.dim,))

    def jacobian(self, x: np.ndarray, pars: Sequence[Any]) -> np.ndarray:
        """``∂f_i/∂x_j`` with shape ``(n, n, *x.shape[1:])``."""
        x = np.asarray(x, dtype=float)
        return _stack(self._jac(*x, *pars), x.shape[1:], (self.dim, self.dim))

    def dfdp(self, x: np.ndarray, pars: Sequence[Any], name: str) -> np.ndarray:
        """``∂f/∂name`` with shape ``x.shape``."""
        x = np.asarray(x, dtype=float)
        return _stack(self._dfdp[name](*x, *pars), x.shape[1:], (self.dim,))


def _compile(args: list, exprs: list) -> Callable:
    """Compile SymPy expressions of ``args`` into one vectorised NumPy function.

    The code is printed from the expression trees (built from the model's AST),
    not from user text.
    """
    import sympy as sp

    # dummify: a parameter named like a NumPy function (`exp`) must not shadow it in the printed code.
    return sp.lambdify(args, exprs, modules="numpy", cse=True, dummify=True)


def _stack(values: Sequence[Any], shape: tuple[int, ...], lead: tuple[int, ...]) -> np.ndarray:
    """Broadcast the outputs of a compiled function (constants come back as scalars) into one array."""
    out = np.empty((len(values), *shape))
    for k, value in enumerate(values):
        out[k] = value
    return out.reshape(*lead, *shape)
