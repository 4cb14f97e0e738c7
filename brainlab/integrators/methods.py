r"""The built-in numerical methods (the table of BrainPy 0.3), as data.

====================  ===============  =====  ==========================
method                keyword          ODE    SDE (strong order, calculus)
====================  ===============  =====  ==========================
Euler                 euler            1      Euler–Maruyama (0.5, Itô)
ExponentialEuler      exponential      1*     exponential E–M (0.5, Itô)
MidPoint              midpoint         2      no
Heun                  heun             2      stochastic Heun (1.0, Stratonovich)
RK2 (Ralston)         rk2              2      no
RK3 (Kutta)           rk3              3      no
RK4                   rk4              4      no
RK4Alternative (3/8)  rk4_alternative  4      no
MilsteinIto           milstein_ito     1      derivative-free Milstein (1.0, Itô)
MilsteinStra          milstein_stra    1      derivative-free Milstein (1.0, Stratonovich)
====================  ===============  =====  ==========================

\* exact for linear equations :math:`x' = A x + B` with constant A, B, and of
order 2 on autonomous equations (with the exact derivative :math:`A = f'(x_n)`
it is the exponential Rosenbrock–Euler method).

Strong orders hold for scalar (commutative) noise. On ODEs the Milstein methods
reduce to forward Euler.
"""

from __future__ import annotations

from brainlab.integrators.registry import ButcherTableau, Method, register, rk_lines

__all__ = [
    "EULER",
    "EXPONENTIAL",
    "HEUN",
    "MIDPOINT",
    "MILSTEIN_ITO",
    "MILSTEIN_STRA",
    "RK2",
    "RK3",
    "RK4",
    "RK4_ALTERNATIVE",
    "rk2_tableau",
]


def rk2_tableau(beta: float = 2 / 3) -> ButcherTableau:
    """Return the parametric second-order Runge–Kutta tableau.

    ``beta = 1/2`` is the midpoint method, ``2/3`` Ralston's method, ``1`` Heun's
    (explicit trapezoid) method.
    """
    if beta == 0:
        raise ValueError("RK2 needs beta != 0.")
    return ButcherTableau(A=((), (beta,)), b=(1 - 1 / (2 * beta), 1 / (2 * beta)), c=(0.0, beta))


_EULER_ODE = ("_xn = _x + _f0 * _dt",)

EULER = register(
    Method(
        name="euler",
        title="forward Euler / Euler–Maruyama",
        ode=_EULER_ODE,
        sde=("_xn = _x + _f0 * _dt + _g0 * _dW",),
        ode_order=1,
        sde_order=0.5,
        sde_calculus="ito",
    )
)

EXPONENTIAL = register(
    Method(
        name="exponential",
        title="exponential Euler",
        ode=("_xn = _x + _dt * exprel(_dt * _A) * _f0",),
        sde=("_xn = _x + _dt * exprel(_dt * _A) * _f0 + _np.exp(_dt * _A) * _g0 * _dW",),
        ode_order=1,
        sde_order=0.5,
        sde_calculus="ito",
        linearised=True,
    )
)

MIDPOINT = register(Method(name="midpoint", title="explicit midpoint", ode=rk_lines(rk2_tableau(0.5)), ode_order=2))

HEUN = register(
    Method(
        name="heun",
        title="Heun (trapezoid) / stochastic Heun",
        ode=rk_lines(rk2_tableau(1.0)),
        sde=(
            "_xb = _x + _f0 * _dt + _g0 * _dW",
            "_xn = _x + 0.5 * (_f0 + F(_xb, _tt + _dt)) * _dt + 0.5 * (_g0 + G(_xb, _tt + _dt)) * _dW",
        ),
        ode_order=2,
        sde_order=1.0,
        sde_calculus="stratonovich",
    )
)

RK2 = register(Method(name="rk2", title="Ralston's second-order Runge–Kutta", ode=rk_lines(rk2_tableau()), ode_order=2))

RK3 = register(
    Method(
        name="rk3",
        title="Kutta's third-order Runge–Kutta",
        ode=rk_lines(ButcherTableau(A=((), (0.5,), (-1.0, 2.0)), b=(1 / 6, 2 / 3, 1 / 6), c=(0.0, 0.5, 1.0))),
        ode_order=3,
    )
)

RK4 = register(
    Method(
        name="rk4",
        title="classical fourth-order Runge–Kutta",
        ode=rk_lines(
            ButcherTableau(
                A=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
                b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
                c=(0.0, 0.5, 0.5, 1.0),
            )
        ),
        ode_order=4,
    )
)

RK4_ALTERNATIVE = register(
    Method(
        name="rk4_alternative",
        title="Kutta's 3/8-rule fourth-order Runge–Kutta",
        ode=rk_lines(
            ButcherTableau(
                A=((), (1 / 3,), (-1 / 3, 1.0), (1.0, -1.0, 1.0)),
                b=(1 / 8, 3 / 8, 3 / 8, 1 / 8),
                c=(0.0, 1 / 3, 2 / 3, 1.0),
            )
        ),
        ode_order=4,
    )
)

# Derivative-free Milstein (Kloeden, Platen & Schurz 1994): the slope of g is
# replaced by a difference of g at a supporting value.
_MILSTEIN_SUPPORT = "_xb = _x + _f0 * _dt + _g0 * _sdt"

MILSTEIN_ITO = register(
    Method(
        name="milstein_ito",
        title="derivative-free Milstein (Itô)",
        ode=_EULER_ODE,
        sde=(
            _MILSTEIN_SUPPORT,
            "_xn = _x + _f0 * _dt + _g0 * _dW + 0.5 * (G(_xb, _tt) - _g0) * (_dW * _dW - _dt) / _sdt",
        ),
        ode_order=1,
        sde_order=1.0,
        sde_calculus="ito",
    )
)

MILSTEIN_STRA = register(
    Method(
        name="milstein_stra",
        title="derivative-free Milstein (Stratonovich)",
        ode=_EULER_ODE,
        # No drift in the supporting value here: with (dW)^2 (mean dt) instead of
        # (dW^2 - dt), a drift term there would add a bias of order dt^1.5 per step.
        sde=(
            "_xb = _x + _g0 * _sdt",
            "_xn = _x + _f0 * _dt + _g0 * _dW + 0.5 * (G(_xb, _tt) - _g0) * (_dW * _dW) / _sdt",
        ),
        ode_order=1,
        sde_order=1.0,
        sde_calculus="stratonovich",
    )
)
