"""Numerical integrators: convergence orders, SDE strong orders, exactness, return forms."""

import numpy as np
import pytest

import brainlab as bp
from brainlab.integrators import get_method, method_names

ODE_ORDER = {
    "euler": 1,
    "exponential": 1,
    "midpoint": 2,
    "heun": 2,
    "rk2": 2,
    "rk3": 3,
    "rk4": 4,
    "rk4_alternative": 4,
    "milstein_ito": 1,
    "milstein_stra": 1,
}
SDE_METHODS = {"euler", "exponential", "heun", "milstein_ito", "milstein_stra"}


def test_registry_has_the_seed_table():
    assert set(method_names()) == set(ODE_ORDER)
    assert {m for m in method_names() if get_method(m).supports_sde} == SDE_METHODS
    for name, order in ODE_ORDER.items():
        assert get_method(name).ode_order == order


def _solve(integrator, x0, t_end, dt, *args):
    x, t = x0, 0.0
    for _ in range(round(t_end / dt)):
        x = integrator.step(x, t, *args, dt=dt)
        t += dt
    return x


def forced(x, t):
    return x * np.cos(t)  # x(t) = x0 exp(sin t)


def logistic(x, t):
    return x * (1 - x)


def oscillator(y, t):
    return np.array([y[1], -y[0]])  # a 2-D harmonic oscillator in one array variable


def _observed_order(method, func, x0, exact, t_end=1.0, steps=(8, 16, 32)):
    integrator = bp.integrate(func, method=method)
    errors = [np.max(np.abs(_solve(integrator, x0, t_end, t_end / n) - exact)) for n in steps]
    return np.log2(errors[-2] / errors[-1]), errors


@pytest.mark.parametrize("method", sorted(ODE_ORDER))
def test_ode_convergence_order(method):
    order = ODE_ORDER[method]
    x0 = 0.5
    checks = [
        (forced, x0, x0 * np.exp(np.sin(1.0))),
        (logistic, x0, 1 / (1 + (1 / x0 - 1) * np.exp(-1.0))),
        (oscillator, np.array([1.0, 0.0]), np.array([np.cos(1.0), -np.sin(1.0)])),
    ]
    for func, start, exact in checks:
        expected = order
        if method == "exponential" and func is logistic:
            expected = 2  # with the exact Jacobian it is exponential Rosenbrock-Euler: order 2 if autonomous
        if method == "exponential" and func is oscillator:
            # y[0], y[1] have no symbolic derivative: a warned finite-difference fallback
            with pytest.warns(bp.errors.BrainlabWarning, match="finite difference"):
                observed, errors = _observed_order(method, func, start, exact)
        else:
            observed, errors = _observed_order(method, func, start, exact)
        assert observed == pytest.approx(expected, abs=0.25), (func.__name__, errors)


def test_exponential_euler_is_exact_on_linear_equations():
    tau, v_inf = 7.0, -50.0

    @bp.integrate(method="exponential")
    def int_v(v, t):
        return (v_inf - v) / tau

    for dt in (0.1, 1.0, 25.0):
        assert int_v.step(-70.0, 0.0, dt=dt) == pytest.approx(v_inf + (-70.0 - v_inf) * np.exp(-dt / tau), rel=1e-13)


def test_exponential_linear_coefficient_is_the_derivative():
    gNa, ENa, gK, EK, gL, EL = 35.0, 55.0, 9.0, -90.0, 0.1, -65.0

    def hh_v(V, t, h, n, Isyn):
        m_alpha = -0.1 * (V + 35) / (np.exp(-0.1 * (V + 35)) - 1)
        m_beta = 4 * np.exp(-(V + 60) / 18)
        m = m_alpha / (m_alpha + m_beta)
        return -gNa * m**3 * h * (V - ENa) - gK * n**4 * (V - EK) - gL * (V - EL) + Isyn

    integrator = bp.integrate(hh_v, method="exponential")
    module = integrator._module()
    V = np.linspace(-80, 20, 11)
    args = (0.0, 0.6, 0.3, 1.0, *integrator.code_scope.values())
    eps = 1e-6
    numeric = (hh_v(V + eps, 0.0, 0.6, 0.3, 1.0) - hh_v(V - eps, 0.0, 0.6, 0.3, 1.0)) / (2 * eps)
    np.testing.assert_allclose(module._int_lin(V, *args), numeric, rtol=1e-6)


def _gbm_strong_order(method, calculus):
    mu, sigma, x0, t_end = 1.5, 1.0, 1.0, 1.0

    def gbm(x, t):
        return mu * x, sigma * x

    integrator = bp.integrate(gbm, method=method)
    rng = np.random.default_rng(12345)
    paths, fine = 4000, 2**9
    dW_fine = rng.normal(0.0, np.sqrt(t_end / fine), size=(fine, paths))
    W = dW_fine.sum(axis=0)
    drift = mu - 0.5 * sigma**2 if calculus == "ito" else mu
    exact = x0 * np.exp(drift * t_end + sigma * W)
    errors, dts = [], []
    for n in (2**4, 2**5, 2**6, 2**7):
        dt = t_end / n
        increments = dW_fine.reshape(n, fine // n, paths).sum(axis=1)
        x = np.full(paths, x0)
        for k in range(n):
            x = integrator.step(x, k * dt, dt=dt, dW=increments[k])
        errors.append(np.mean(np.abs(x - exact)))
        dts.append(dt)
    return np.polyfit(np.log(dts), np.log(errors), 1)[0]


@pytest.mark.parametrize("method", sorted(SDE_METHODS))
def test_sde_strong_order_on_geometric_brownian_motion(method):
    spec = get_method(method)
    order = _gbm_strong_order(method, spec.sde_calculus)
    assert order == pytest.approx(spec.sde_order, abs=0.2)


def test_sde_noise_is_drawn_with_the_right_variance():
    sigma = 2.0

    @bp.integrate(method="euler")
    def pure_noise(x, t):
        return 0.0, sigma

    np.random.seed(3)
    x = pure_noise.step(np.zeros(200_000), 0.0, dt=0.25)
    assert np.std(x) == pytest.approx(sigma * np.sqrt(0.25), rel=0.01)


def test_intermediate_values_are_returned():
    a_coef = 3.0

    @bp.integrate(method="rk4")
    def ode(x, t, c):
        rate = a_coef * c
        return (-rate * x,), rate, rate * x

    x1, rate, flux = ode.step(2.0, 0.0, 0.5, dt=0.1)
    assert rate == 1.5 and flux == 3.0  # evaluated at the start of the step
    assert x1 == pytest.approx(2.0 * np.exp(-0.15), rel=1e-6)

    @bp.integrate(method="milstein_ito")
    def sde(x, t):
        f = -x
        g = 0.5 * x
        return (f, g), f, g

    x1, f, g = sde.step(1.0, 0.0, dt=0.01, dW=0.0)
    assert (f, g) == (-1.0, 0.5)
    assert x1 == pytest.approx(1.0 - 0.01 + 0.5 * (0.5 * (1 + -0.01 + 0.05) - 0.5) * (-0.01) / 0.1)


def test_default_method_comes_from_profile_at_decoration():
    bp.profile.set(numerical_method="rk4")

    @bp.integrate
    def f(x, t):
        return -x

    bp.profile.set(numerical_method="euler")
    assert f.method_name == "rk4"


def test_method_classes_of_the_seed():
    def f(x, t):
        return -x

    assert bp.integration.get_integrator("rk4") is bp.integration.RK4
    rk4 = bp.integration.RK4(f)
    assert rk4.method_name == "rk4"
    assert rk4.step(1.0, 0.0, dt=0.1) == pytest.approx(np.exp(-0.1), rel=1e-6)
    midpoint = bp.integration.RK2(f, beta=0.5)
    assert midpoint.step(1.0, 0.0, dt=0.1) == pytest.approx(bp.integration.MidPoint(f).step(1.0, 0.0, dt=0.1))
    assert bp.integrate(f, method=bp.integration.Heun).method_name == "heun"


def test_integrator_errors():
    with pytest.raises(bp.errors.IntegratorError, match="Unknown numerical method 'rk5'"):

        @bp.integrate(method="rk5")
        def f(x, t):
            return -x

    with pytest.raises(bp.errors.IntegratorError, match=r"integrates ODEs only.*Use one of: euler"):

        @bp.integrate(method="rk4")
        def g(x, t):
            return -x, 0.1

    with pytest.raises(bp.errors.DiffEquationError, match="returns 3 values"):

        @bp.integrate
        def h(x, t):
            return -x, 0.1, 3.0

    with pytest.raises(bp.errors.DiffEquationError, match="first tuple of 3 values"):

        @bp.integrate
        def k(x, t):
            return (-x, 0.1, 0.2), x

    with pytest.raises(bp.errors.DiffEquationError, match="first two"):

        @bp.integrate
        def m(x):
            return -x

    with pytest.raises(bp.errors.IntegratorError, match="Known methods"):
        bp.profile.set(numerical_method="runge")
