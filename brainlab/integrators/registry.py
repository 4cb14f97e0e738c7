"""Numerical methods as data, and the registry that names them.

A :class:`Method` is pure data: the lines of one integration step, written in
terms of a few reserved names, for ODEs and (if supported) SDEs. One generic
emitter (:mod:`brainlab.integrators.integrator`) turns any method into code, so
adding a method is one :func:`register` call and the test suite, parametrised
over :func:`method_names`, checks it automatically.

Reserved names in the step lines
--------------------------------
``_x``        the variable at the start of the step
``_tt``       the time at the start of the step
``_dt``       the step size
``_f0``       the drift at ``(_x, _tt)`` (computed before the lines)
``_g0``       the diffusion at ``(_x, _tt)`` (SDE only)
``_dW``       the Wiener increment of the step, ~ N(0, dt) (SDE only)
``_sdt``      ``sqrt(_dt)``
``_A``        ``∂f/∂x`` at ``(_x, _tt)`` (methods with ``linearised=True``)
``F(y, t)``   the drift at another point; ``G(y, t)`` the diffusion
``exprel(z)`` ``(exp(z) - 1) / z``, equal to 1 at 0
The last line must assign ``_xn``, the value at the end of the step.
"""

from __future__ import annotations

import dataclasses

from brainlab.errors import IntegratorError

__all__ = ["ButcherTableau", "Method", "get_method", "method_names", "register", "rk_lines"]


@dataclasses.dataclass(frozen=True)
class ButcherTableau:
    """An explicit Runge–Kutta method: ``c``, ``A`` (strictly lower), ``b``."""

    A: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]


def rk_lines(tableau: ButcherTableau) -> tuple[str, ...]:
    """Return the step lines of an explicit Runge–Kutta tableau (stage 1 is ``_f0``)."""
    lines = ["_k1 = _f0"]
    for s in range(1, len(tableau.b)):
        terms = [f"{a!r} * _k{j + 1}" for j, a in enumerate(tableau.A[s][:s]) if a != 0]
        y = "_x + _dt * (" + " + ".join(terms) + ")" if terms else "_x"
        t = f"_tt + {tableau.c[s]!r} * _dt" if tableau.c[s] else "_tt"
        lines.append(f"_k{s + 1} = F({y}, {t})")
    weights = " + ".join(f"{w!r} * _k{j + 1}" for j, w in enumerate(tableau.b) if w != 0)
    lines.append(f"_xn = _x + _dt * ({weights})")
    return tuple(lines)


@dataclasses.dataclass(frozen=True)
class Method:
    """A numerical integration method.

    Attributes
    ----------
    name : str
        Keyword used in ``@integrate(method=...)``.
    title : str
        Human-readable name.
    ode : tuple of str
        Step lines for ordinary differential equations.
    sde : tuple of str or None
        Step lines for stochastic equations, ``None`` if unsupported.
    ode_order : int
        Global order of accuracy on ODEs.
    sde_order : float or None
        Strong order on SDEs with scalar noise.
    sde_calculus : {'ito', 'stratonovich'} or None
        Which stochastic integral the SDE lines approximate.
    linearised : bool
        The lines use ``_A = ∂f/∂x`` (exponential methods).
    """

    name: str
    title: str
    ode: tuple[str, ...]
    sde: tuple[str, ...] | None = None
    ode_order: int = 1
    sde_order: float | None = None
    sde_calculus: str | None = None
    linearised: bool = False

    @property
    def supports_sde(self) -> bool:
        """Whether the method integrates stochastic equations."""
        return self.sde is not None


# The registry: name -> Method. It is filled once, at import, by methods.py and
# never changed afterwards, so it is configuration, not mutable state.
_REGISTRY: dict[str, Method] = {}


def register(method: Method) -> Method:
    """Add ``method`` to the registry under ``method.name`` and return it."""
    if method.name in _REGISTRY:
        raise IntegratorError(f"A numerical method named {method.name!r} is already registered.")
    _REGISTRY[method.name] = method
    return method


def method_names() -> list[str]:
    """Return the names of all registered methods."""
    _ensure_loaded()
    return list(_REGISTRY)


def get_method(name: str | Method) -> Method:
    """Return the registered method called ``name``.

    Raises
    ------
    IntegratorError
        If no method has that name; the message lists the known ones.
    """
    if isinstance(name, Method):
        return name
    _ensure_loaded()
    key = str(name).lower()
    if key not in _REGISTRY:
        raise IntegratorError(f"Unknown numerical method {name!r}. Known methods: {', '.join(_REGISTRY)}.")
    return _REGISTRY[key]


def _ensure_loaded() -> None:
    # The built-in methods register themselves when their module is imported.
    from brainlab.integrators import methods  # noqa: F401
