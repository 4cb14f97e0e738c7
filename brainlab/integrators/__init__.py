"""Numerical integration of the differential equations of models (``bp.integrate``).

Methods are data (:mod:`brainlab.integrators.methods`) in a registry
(:mod:`brainlab.integrators.registry`); :func:`integrate` turns a derivative
function into an :class:`Integrator` that emits code for the kernel and can
also be called from Python. The classes ``Euler`` ... ``MilsteinStra`` keep the
BrainPy 0.3 names: ``bp.integration.RK4(diff_eq)`` is an integrator of
``diff_eq`` with the classical fourth-order method.
"""

from __future__ import annotations

from collections.abc import Callable

from brainlab.errors import IntegratorError
from brainlab.integrators import methods as _methods
from brainlab.integrators.equation import DiffEquation
from brainlab.integrators.integrator import Integrator, IntegratorCode, integrate
from brainlab.integrators.registry import ButcherTableau, Method, get_method, method_names, register, rk_lines

__all__ = [
    "RK2",
    "RK3",
    "RK4",
    "ButcherTableau",
    "DiffEquation",
    "Euler",
    "ExponentialEuler",
    "Heun",
    "Integrator",
    "IntegratorCode",
    "Method",
    "MidPoint",
    "MilsteinIto",
    "MilsteinStra",
    "RK4Alternative",
    "get_integrator",
    "get_method",
    "integrate",
    "method_names",
    "register",
    "rk_lines",
]


def _equation(diff_eq: DiffEquation | Callable) -> DiffEquation:
    return diff_eq if isinstance(diff_eq, DiffEquation) else DiffEquation(diff_eq)


class _Named(Integrator):
    METHOD: Method

    def __init__(self, diff_eq: DiffEquation | Callable):
        super().__init__(_equation(diff_eq), self.METHOD)


class Euler(_Named):
    """Forward Euler for ODEs, Euler–Maruyama (Itô, strong order 0.5) for SDEs."""

    METHOD = _methods.EULER


class ExponentialEuler(_Named):
    r"""Exponential Euler: :math:`x_{n+1} = x_n + \Delta t\,\varphi(\Delta t A) f(x_n)`.

    :math:`A = \partial f/\partial x` is derived symbolically from the
    derivative function and :math:`\varphi(z) = (e^z - 1)/z`; the method is exact
    for linear equations with constant coefficients. For SDEs the noise term is
    :math:`e^{\Delta t A} g(x_n) \Delta W_n`.
    """

    METHOD = _methods.EXPONENTIAL


class MidPoint(_Named):
    """Explicit midpoint method (second order, ODE only)."""

    METHOD = _methods.MIDPOINT


class Heun(_Named):
    """Heun's method (explicit trapezoid) for ODEs; stochastic Heun (Stratonovich) for SDEs."""

    METHOD = _methods.HEUN


class RK2(Integrator):
    """Parametric second-order Runge–Kutta; ``beta`` = 1/2 midpoint, 2/3 Ralston (default), 1 Heun."""

    METHOD = _methods.RK2

    def __init__(self, diff_eq: DiffEquation | Callable, beta: float = 2 / 3):
        if beta == 2 / 3:
            method = self.METHOD
        else:
            method = Method(
                name="rk2", title=f"RK2 (beta={beta})", ode=rk_lines(_methods.rk2_tableau(beta)), ode_order=2
            )
        super().__init__(_equation(diff_eq), method)


class RK3(_Named):
    """Kutta's third-order Runge–Kutta method (ODE only)."""

    METHOD = _methods.RK3


class RK4(_Named):
    """The classical fourth-order Runge–Kutta method (ODE only)."""

    METHOD = _methods.RK4


class RK4Alternative(_Named):
    """Kutta's 3/8-rule fourth-order Runge–Kutta method (ODE only)."""

    METHOD = _methods.RK4_ALTERNATIVE


class MilsteinIto(_Named):
    """Derivative-free Milstein method, Itô calculus (strong order 1.0); Euler on ODEs."""

    METHOD = _methods.MILSTEIN_ITO


class MilsteinStra(_Named):
    """Derivative-free Milstein method, Stratonovich calculus (strong order 1.0); Euler on ODEs."""

    METHOD = _methods.MILSTEIN_STRA


_CLASSES = {
    cls.METHOD.name: cls
    for cls in (Euler, ExponentialEuler, MidPoint, Heun, RK2, RK3, RK4, RK4Alternative, MilsteinIto, MilsteinStra)
}


def get_integrator(method: str) -> type[Integrator]:
    """Return the integrator class of a method name (``'rk4'`` -> :class:`RK4`)."""
    name = get_method(method).name
    if name not in _CLASSES:
        raise IntegratorError(f"Method {name!r} has no integrator class; use integrate(method={name!r}).")
    return _CLASSES[name]
