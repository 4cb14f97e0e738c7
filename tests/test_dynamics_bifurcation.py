"""Continuation, fold and Hopf points, codim-2 curves and limit cycles against analytic results."""

import numpy as np
import pytest
from dynamics_models import get_cusp, get_FNmodel, get_hopf_normal_form, get_saddle_node, hh_rates
from scipy.optimize import brentq

import brainlab as bp
from brainlab.dynamics import first_lyapunov_coefficient, stability
from brainlab.models import get_HH

FHN_VARS = {"v": [-3, 3], "w": [-3.0, 3.0]}


@pytest.fixture(autouse=True)
def _rk4():
    bp.profile.set(dt=0.02, numerical_method="rk4")


def test_fitzhugh_nagumo_hopf_points_match_the_vanishing_trace():
    a, b, tau = 0.7, 0.8, 12.5
    analyzer = bp.BifurcationAnalyzer(get_FNmodel(a, b, tau), {"Iext": [0.0, 2.0]}, FHN_VARS, par_resolution=0.01)
    hopfs = analyzer.codim1().points("hopf")
    assert len(hopfs) == 2
    for point, sign in zip(hopfs, (-1, 1), strict=True):
        v_star = sign * np.sqrt(1 - b / tau)
        w_star = (v_star + a) / b
        i_star = w_star - v_star + v_star**3 / 3
        assert point.values["v"] == pytest.approx(v_star, abs=1e-4)
        assert point.pars["Iext"] == pytest.approx(i_star, abs=1e-4)
        # at a Hopf point the eigenvalues are ±iω with ω² = det J
        det = (1 - v_star**2) * (-b / tau) + 1 / tau
        assert point.frequency == pytest.approx(np.sqrt(det), rel=1e-6)
        assert np.max(np.abs(point.eigenvalues.real)) < 1e-8


def test_branch_stability_follows_the_eigenvalues():
    analyzer = bp.BifurcationAnalyzer(get_FNmodel(), {"Iext": [0.0, 2.0]}, FHN_VARS, par_resolution=0.01)
    (branch,) = analyzer.codim1().branches
    assert np.array_equal(branch.stable, np.all(branch.eigenvalues.real < 0, axis=1))
    unstable = branch["Iext"][~branch.stable]
    assert unstable.min() == pytest.approx(0.33128, abs=2e-2) and unstable.max() == pytest.approx(1.4187, abs=2e-2)
    pieces = list(branch.pieces())
    assert [stable for stable, _ in pieces] == [True, False, True]


def test_saddle_node_of_the_normal_form_at_zero():
    analyzer = bp.BifurcationAnalyzer(get_saddle_node(), {"r": [-1.0, 1.0]}, {"x": [-2.0, 2.0]}, par_resolution=0.01)
    result = analyzer.codim1()
    (branch,) = result.branches  # both halves x = ±sqrt(-r) in one branch, through the fold
    assert branch["x"].min() < -0.99 and branch["x"].max() > 0.99
    assert np.max(branch["r"]) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(branch["r"], -(branch["x"] ** 2), atol=1e-9)
    assert np.array_equal(branch.stable, branch["x"] < 0)
    (fold,) = result.special_points
    assert fold.kind == "fold"
    assert fold.pars["r"] == pytest.approx(0.0, abs=1e-10)
    assert fold.values["x"] == pytest.approx(0.0, abs=1e-6)


def test_cusp_fold_curve_satisfies_27a2_equals_4b3():
    analyzer = bp.BifurcationAnalyzer(
        get_cusp(), {"a": [-1.0, 1.0], "b": [-0.5, 2.0]}, {"x": [-2.0, 2.0]}, par_resolution=0.05
    )
    result = analyzer.codim2()
    folds = [c for c in result.curves if c.kind == "fold"]
    assert len(folds) == 1  # both sides of the cusp are one curve in (x, a, b)
    a, b = folds[0]["a"], folds[0]["b"]
    np.testing.assert_allclose(27 * a**2, 4 * b**3, atol=1e-9)
    assert a.min() < -0.9 and a.max() > 0.9 and b.min() < 1e-2  # it passes through the cusp
    # and the fold points on the one-parameter sheets lie on it too
    for point in result.points("fold"):
        assert 27 * point.pars["a"] ** 2 == pytest.approx(4 * point.pars["b"] ** 3, abs=1e-9)


def _hh_rhs(y, current):
    V, m, h, n = y
    am, bm, ah, bh, an, bn = hh_rates(V)
    dV = -120.0 * m**3 * h * (V - 50.0) - 36.0 * n**4 * (V + 77.0) - 0.3 * (V + 54.387) + current
    return np.array([dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]), (am, bm, ah, bh, an, bn)


def _hh_max_real_eigenvalue(current):
    """Direct computation: equilibrium from the scalar current balance, Jacobian by differences."""

    def balance(V):
        _, (am, bm, ah, bh, an, bn) = _hh_rhs(np.array([V, 0.0, 0.0, 0.0]), current)
        y = np.array([V, am / (am + bm), ah / (ah + bh), an / (an + bn)])
        return _hh_rhs(y, current)[0][0], y

    V = brentq(lambda v: balance(v)[0], -80.0, -30.0, xtol=1e-13)
    y = balance(V)[1]
    jac = np.empty((4, 4))
    for j in range(4):
        e = np.zeros(4)
        e[j] = 1e-6 * max(1.0, abs(y[j]))
        jac[:, j] = (_hh_rhs(y + e, current)[0] - _hh_rhs(y - e, current)[0]) / (2 * e[j])
    return np.linalg.eigvals(jac).real.max()


def test_hodgkin_huxley_subcritical_hopf_matches_direct_eigenvalues():
    bp.profile.set(dt=0.01)
    analyzer = bp.BifurcationAnalyzer(
        get_HH(),
        {"I_ext": [0.0, 20.0]},
        {"V": [-90.0, 50.0], "m": [0.0, 1.0], "h": [0.0, 1.0], "n": [0.0, 1.0]},
        par_resolution=0.2,
    )
    result = analyzer.codim1()
    (hopf,) = result.points("hopf")
    # direct: the largest real part of the eigenvalues on a fine grid of currents, crossing zero
    grid = np.arange(9.0, 10.5, 0.01)
    growth = np.array([_hh_max_real_eigenvalue(i) for i in grid])
    k = np.flatnonzero(np.diff(np.sign(growth)))[0]
    direct = grid[k] - growth[k] * (grid[k + 1] - grid[k]) / (growth[k + 1] - growth[k])
    assert hopf.pars["I_ext"] == pytest.approx(direct, abs=1e-3)
    assert hopf.pars["I_ext"] == pytest.approx(9.78, abs=0.01)
    assert hopf.criticality == "subcritical" and hopf.lyapunov > 0
    pair = hopf.eigenvalues[np.argsort(np.abs(hopf.eigenvalues.real))[:2]]
    assert np.max(np.abs(pair.real)) < 1e-8 and np.all(np.abs(pair.imag) > 0.3)  # ±iω, the others stable
    assert np.all(np.sort(hopf.eigenvalues.real)[:2] < -0.1)
    # beyond the Hopf point the neuron fires: a large cycle, found by simulating the model
    (cycles,) = result.cycles
    firing = np.isfinite(cycles.maximum["V"])
    assert firing.all() and np.all(cycles.maximum["V"] > 10.0) and np.all(cycles.minimum["V"] < -70.0)
    assert np.all((cycles.period > 5.0) & (cycles.period < 20.0))


def test_first_lyapunov_coefficient_of_the_hopf_normal_form():
    for sigma in (1.0, -1.0):
        analyzer = bp.BifurcationAnalyzer(
            get_hopf_normal_form(sigma=sigma), {"mu": [-0.5, 0.5]}, {"x": [-1, 1], "y": [-1, 1]}, par_resolution=0.01
        )
        (hopf,) = analyzer.codim1().points("hopf")
        assert hopf.pars["mu"] == pytest.approx(0.0, abs=1e-10)
        assert hopf.frequency == pytest.approx(1.0, rel=1e-9)
        # with <q, q> = 1 the coefficient of this normal form is 2σ
        assert hopf.lyapunov == pytest.approx(2 * sigma, rel=1e-5)
        assert hopf.criticality == ("subcritical" if sigma > 0 else "supercritical")


def test_supercritical_cycle_amplitude_grows_like_sqrt_mu():
    # Each variable has its own integrator (the seed's style), so the rotation is split: μ grows by ≈ dt/2.
    bp.profile.set(dt=0.0005)
    analyzer = bp.BifurcationAnalyzer(
        get_hopf_normal_form(sigma=-1.0), {"mu": [-0.2, 0.2]}, {"x": [-1, 1], "y": [-1, 1]}, par_resolution=0.01
    )
    result = analyzer.codim1()
    (cycles,) = result.cycles
    radius = np.sqrt(cycles.pars)
    np.testing.assert_allclose(cycles.maximum["x"], radius, rtol=0.03)
    np.testing.assert_allclose(cycles.minimum["y"], -radius, rtol=0.03)
    np.testing.assert_allclose(cycles.period, 2 * np.pi, rtol=0.01)


def test_subcritical_cycles_that_diverge_are_reported_missing():
    analyzer = bp.BifurcationAnalyzer(
        get_hopf_normal_form(sigma=1.0), {"mu": [-0.2, 0.2]}, {"x": [-1, 1], "y": [-1, 1]}, par_resolution=0.01
    )
    (cycles,) = analyzer.codim1().cycles
    assert np.all(np.isnan(cycles.maximum["x"]))  # no bounded cycle beyond a subcritical Hopf point here


def test_bialternate_product_determinant_is_the_hopf_test_function():
    rng = np.random.default_rng(1)
    for n in (2, 3, 4, 5):
        a = rng.normal(size=(n, n))
        lam = np.linalg.eigvals(a)
        expected = np.prod([lam[i] + lam[j] for i in range(n) for j in range(i)])
        assert np.linalg.det(stability.bialternate_product(a)) == pytest.approx(expected.real, rel=1e-9)


def test_first_lyapunov_coefficient_needs_a_complex_pair():
    l1, omega = first_lyapunov_coefficient(lambda x: np.diag([-1.0, 1.0]), np.zeros(2))
    assert np.isnan(l1) and omega == 0.0
