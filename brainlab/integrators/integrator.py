"""``@integrate``: a derivative function becomes a one-step integrator.

An :class:`Integrator` holds a :class:`DiffEquation` and a :class:`Method`.
It emits generated functions (drift, diffusion, linear coefficient, step) that
the network kernel calls from step functions, and it is itself callable from
Python: ``x_next = int_x(x, t, ...)`` advances by ``profile.get_dt()``.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from brainlab import profile
from brainlab.codegen.module import CodeUnit, ModuleSource
from brainlab.errors import BrainlabWarning, DiffEquationError, IntegratorError, warn_user
from brainlab.integrators.equation import DiffEquation
from brainlab.integrators.registry import Method, get_method
from brainlab.lower.rewrite import modernise_numpy, prune_dead_assignments
from brainlab.lower.source import current_values

__all__ = ["Integrator", "IntegratorCode", "integrate"]


@dataclasses.dataclass
class IntegratorCode:
    """Generated functions of one integrator.

    Attributes
    ----------
    units : list of CodeUnit
        Functions to add to the generated module.
    entry : str
        Name of the step function: ``entry(x, t, *args, *params, _dt)``.
    core : str or None
        SDE only: ``core(x, t, *args, *params, _dt, _dW)`` with an explicit
        Wiener increment (used to test strong convergence).
    params : list of str
        Parameter names, in argument order.
    """

    units: list[CodeUnit]
    entry: str
    core: str | None
    params: list[str]


def _args(*names: str) -> ast.arguments:
    return ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=n) for n in names], kwonlyargs=[], kw_defaults=[], defaults=[]
    )


def _parse_function(text: str) -> ast.FunctionDef:
    return ast.parse(text).body[0]


class _CallExpander(ast.NodeTransformer):
    """Expand ``F(y, t)``/``G(y, t)``/``exprel(z)`` of method lines into real calls."""

    def __init__(self, targets: dict[str, str], extra: list[str]):
        self.targets = targets
        self.extra = extra

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name):
            if node.func.id in ("F", "G"):
                node.func = ast.Name(self.targets[node.func.id], ast.Load())
                node.args = [*node.args, *[ast.Name(e, ast.Load()) for e in self.extra]]
            elif node.func.id == "exprel":
                node.func = ast.Name("_exprel", ast.Load())
        return node


class Integrator:
    """A one-step numerical integrator of a differential equation.

    Created by :func:`integrate`; call it like the derivative function to get
    the value one step ``dt`` later (plus intermediate values if the derivative
    function returns them).

    Parameters
    ----------
    diff_eq : DiffEquation
        The equation.
    method : str or Method
        The numerical method.

    Raises
    ------
    IntegratorError
        If the method is unknown or does not integrate stochastic equations
        when ``diff_eq`` is one.
    """

    def __init__(self, diff_eq: DiffEquation, method: str | Method):
        self.diff_eq = diff_eq
        self.method = get_method(method)
        if diff_eq.is_stochastic and not self.method.supports_sde:
            sde = ", ".join(m for m in _sde_method_names())
            raise IntegratorError(
                f"Method {self.method.name!r} integrates ODEs only, but {diff_eq.info.name!r} "
                f"returns a diffusion term (an SDE: `return f, g`, {diff_eq.info.where(diff_eq.return_node)}). "
                f"Use one of: {sde}."
            )
        self._linear_lines = self._linearise() if self.method.linearised else None
        self._python_module = None

    # --- public attributes (BrainPy 0.3 names) -----------------------------
    @property
    def method_name(self) -> str:
        """Name of the numerical method."""
        return self.method.name

    @property
    def py_func_name(self) -> str:
        """Name of the derivative function."""
        return self.diff_eq.info.name

    @property
    def code_scope(self) -> dict[str, Any]:
        """Current values of the parameters the equation reads."""
        return dict(zip(self.param_names, current_values(self.diff_eq.func, self.param_names), strict=True))

    @property
    def param_names(self) -> list[str]:
        """Parameters (free numeric names) of the equation, in argument order."""
        return sorted(self.diff_eq.params)

    @property
    def update_code(self) -> str:
        """Source of the generated step functions."""
        source = ModuleSource(jit=False, numba_options={})
        source.use(self.diff_eq.info.free)
        for unit in self.emit("_int").units:
            source.add(unit)
        return source.render().source

    # --- linearisation for exponential methods ------------------------------
    def _linearise(self) -> list[str] | None:
        # SymPy is imported here: only exponential methods need it, and it is slow to import.
        import sympy as sp

        from brainlab.integrators.symbolic import SymbolicError, sympy_to_code

        eq = self.diff_eq
        names = [eq.var_name, eq.t_name, *eq.arg_names, *self.param_names]
        symbols = {n: sp.Symbol(n, real=True) for n in names}
        try:
            f = eq.drift_sympy(symbols)
        except SymbolicError as exc:
            warn_user(
                f"Exponential Euler: the derivative of {eq.info.name!r} could not be derived "
                f"symbolically ({exc}); a central finite difference is used for the linear "
                "coefficient instead.",
                BrainlabWarning,
            )
            return None
        return sympy_to_code(sp.diff(f, symbols[eq.var_name]), "_res")

    # --- code generation -----------------------------------------------------
    def emit(self, prefix: str) -> IntegratorCode:
        """Generate the functions of this integrator, named with ``prefix``.

        The entry function has the signature ``prefix(x, t, *args, *params, _dt)``.
        """
        eq = self.diff_eq
        params = self.param_names
        user_args = [eq.var_name, eq.t_name, *eq.arg_names, *params]
        numpy_aliases = {a for a, m in eq.info.free.modules.items() if m == "numpy"}
        units: list[CodeUnit] = []
        label = f"derivative function {eq.info.name!r}"

        def user_function(name: str, result: ast.expr) -> CodeUnit:
            tree = copy.deepcopy(eq.info.tree)
            tree.name = name
            tree.args = _args(*user_args)
            ret = ast.Return(value=copy.deepcopy(result))
            ast.copy_location(ret, eq.return_node)
            tree.body = [*prune_dead_assignments(copy.deepcopy(eq.body), [result]), ret]
            modernise_numpy(tree, numpy_aliases)
            return CodeUnit(tree=tree, label=label, origin=eq.info)

        units.append(user_function(f"{prefix}_f", eq.f_expr))
        if eq.intermediates:
            both = ast.Tuple(elts=[eq.f_expr, *eq.intermediates], ctx=ast.Load())
            ast.copy_location(both, eq.return_node)
            units.append(user_function(f"{prefix}_fi", both))
        if eq.is_stochastic:
            units.append(user_function(f"{prefix}_g", eq.g_expr))
        if self.method.linearised:
            units.append(self._linear_unit(f"{prefix}_lin", user_args, label))

        # The step itself, from the method's lines (data) and generic glue.
        inner_args = [
            "_x",
            "_tt",
            *[f"_a{k}" for k in range(len(eq.arg_names))],
            *[f"_p{k}" for k in range(len(params))],
        ]
        rest = ", ".join(inner_args[2:])
        rest = ", " + rest if rest else ""
        lines = []
        if eq.is_stochastic:
            lines.append("_sdt = _np.sqrt(_dt)")
        if eq.intermediates:
            lines += [f"_r0 = {prefix}_fi(_x, _tt{rest})", "_f0 = _r0[0]"]
        else:
            lines.append(f"_f0 = {prefix}_f(_x, _tt{rest})")
        if eq.is_stochastic:
            lines.append(f"_g0 = {prefix}_g(_x, _tt{rest})")
        if self.method.linearised:
            lines.append(f"_A = {prefix}_lin(_x, _tt{rest})")
        lines += list(self.method.sde if eq.is_stochastic else self.method.ode)
        n_inter = len(eq.intermediates)
        result = "_xn" if not n_inter else "(_xn, " + ", ".join(f"_r0[{k + 1}]" for k in range(n_inter)) + ")"
        lines.append(f"return {result}")

        step_name = f"{prefix}_core" if eq.is_stochastic else prefix
        signature = ", ".join([*inner_args, "_dt", *(["_dW"] if eq.is_stochastic else [])])
        text = f"def {step_name}({signature}):\n" + "".join(f"    {ln}\n" for ln in lines)
        tree = _parse_function(text)
        targets = {"F": f"{prefix}_f", "G": f"{prefix}_g"}
        _CallExpander(targets, inner_args[2:]).visit(tree)
        units.append(CodeUnit(tree=tree, label=f"{self.method.title} step of {eq.info.name!r}"))
        if eq.is_stochastic:
            wrapper = _parse_function(
                f"def {prefix}({', '.join([*inner_args, '_dt'])}):\n"
                f"    return {step_name}({', '.join(inner_args)}, _dt, _np.sqrt(_dt) * _normal_like(_x))\n"
            )
            units.append(CodeUnit(tree=wrapper, label=f"noise of {eq.info.name!r}"))
        return IntegratorCode(units=units, entry=prefix, core=step_name if eq.is_stochastic else None, params=params)

    def _linear_unit(self, name: str, user_args: list[str], label: str) -> CodeUnit:
        if self._linear_lines is not None:
            text = f"def {name}({', '.join(user_args)}):\n"
            text += "".join(f"    {ln}\n" for ln in self._linear_lines) + "    return _res\n"
        else:  # central difference fallback
            var, rest = user_args[0], ", ".join(user_args[1:])
            f = f"{name[: -len('_lin')]}_f"
            text = (
                f"def {name}({', '.join(user_args)}):\n"
                f"    _eps = 1e-06 * (1.0 + _np.abs({var}))\n"
                f"    return ({f}({var} + _eps, {rest}) - {f}({var} - _eps, {rest})) / (2.0 * _eps)\n"
            )
        return CodeUnit(tree=_parse_function(text), label=f"linear coefficient of {label}")

    # --- calling from Python -------------------------------------------------
    def _module(self):
        if self._python_module is None:
            from brainlab.codegen.compiler import load_module

            source = ModuleSource(jit=False, numba_options={})
            source.use(self.diff_eq.info.free)
            for unit in self.emit("_int").units:
                source.add(unit)
            self._python_module = load_module(source.render(), source.injected)
        return self._python_module

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Advance the equation by one step of ``profile.get_dt()`` (plain NumPy)."""
        return self.step(*args, **kwargs)

    def step(self, *args: Any, dt: float | None = None, dW: Any = None, **kwargs: Any) -> Any:
        """Advance the equation by one step, in plain NumPy.

        Parameters
        ----------
        *args, **kwargs
            The arguments of the derivative function (variable, time, others).
        dt : float, optional
            Step size (default ``profile.get_dt()``).
        dW : float or array, optional
            SDE only: the Wiener increment of the step (~ N(0, dt)). Drawn at
            random when omitted; giving it makes a step reproducible, e.g. to
            compare step sizes on one Brownian path.

        Returns
        -------
        value or tuple
            The variable after the step, followed by the intermediate values
            if the derivative function returns any.
        """
        eq = self.diff_eq
        names = [eq.var_name, eq.t_name, *eq.arg_names]
        values: list[Any] = list(args) + [None] * max(0, len(names) - len(args))
        if len(args) > len(names):
            raise DiffEquationError(f"{eq.info.name!r} takes {len(names)} arguments {names}, got {len(args)}.")
        for key, value in kwargs.items():
            if key not in names:
                raise DiffEquationError(f"{eq.info.name!r} has no argument {key!r}; its arguments are {names}.")
            values[names.index(key)] = value
        if any(v is None for v in values):
            missing = [n for n, v in zip(names, values, strict=True) if v is None]
            raise DiffEquationError(f"{eq.info.name!r} is missing argument(s) {missing}.")
        params = current_values(eq.func, self.param_names)
        step = profile.get_dt() if dt is None else float(dt)
        module = self._module()
        if dW is None:
            return module._int(*values, *params, step)
        if not eq.is_stochastic:
            raise DiffEquationError(f"{eq.info.name!r} is an ODE; it takes no Wiener increment dW.")
        return module._int_core(*values, *params, step, dW)

    def __repr__(self) -> str:
        return f"Integrator({self.diff_eq.info.name!r}, method={self.method.name!r})"


def _sde_method_names() -> list[str]:
    from brainlab.integrators.registry import method_names

    return [n for n in method_names() if get_method(n).supports_sde]


def integrate(func: Callable | None = None, method: str | Method | None = None) -> Any:
    """Turn a derivative function into a one-step integrator.

    Use as ``@integrate`` or ``@integrate(method='rk4')``. The function's first
    argument is the variable, the second the time; it returns ``f`` (ODE),
    ``f, g`` (SDE), or ``(f,), a, ...`` / ``(f, g), a, ...`` to also return
    intermediate values.

    Parameters
    ----------
    func : callable, optional
        The derivative function.
    method : str, optional
        A registered method name; default ``profile.get_numerical_method()`` at
        decoration time.

    Returns
    -------
    Integrator or callable
        The integrator, or a decorator when ``func`` is not given.

    Examples
    --------
    >>> import numpy as np
    >>> import brainlab as bp
    >>> tau = 10.
    >>> @bp.integrate(method='rk4')
    ... def int_v(v, t, I):
    ...     return (-v + I) / tau
    >>> round(float(int_v(0., 0., 1.)), 6)  # one step of dt = 0.1 ms
    0.009950
    """
    if func is None:
        return lambda f: integrate(f, method=method)
    if isinstance(func, Integrator):
        raise DiffEquationError(f"{func!r} is already an integrator; apply @integrate once.")
    chosen = method if method is not None else profile.get_numerical_method()
    if isinstance(chosen, type) and issubclass(chosen, Integrator) and hasattr(chosen, "METHOD"):
        chosen = chosen.METHOD
    return Integrator(DiffEquation(func), chosen)
