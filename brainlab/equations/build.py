"""``NeuType.from_equations`` / ``SynType.from_equations``: checked text -> generated module -> type.

The generated module is a file in the cache directory, named by the hash of
its text, imported like the engine's kernel files; its ``_build`` returns an
ordinary type. The type remembers the user's text (``.equations``) and the
generated source (``.generated_source``), which the type builder shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from brainlab.codegen.compiler import load_module
from brainlab.codegen.module import RenderedModule
from brainlab.equations.codegen import build_arguments, neuron_fields, neuron_source, synapse_fields, synapse_source
from brainlab.equations.grammar import ModelSpec, parse_model
from brainlab.equations.validate import check_identifier, check_number
from brainlab.errors import EquationError
from brainlab.integrators import method_names

__all__ = ["neuron_from_equations", "synapse_from_equations"]


def _check_common(
    spec: ModelSpec, name: Any, initial: Mapping[str, Any] | None, method: Any, fields: list[str]
) -> tuple[str, dict[str, float], str]:
    if not isinstance(name, str):
        raise EquationError(f"the model name must be text, got {type(name).__name__}")
    check_identifier(name, what="model name")
    if method not in method_names():
        raise EquationError(f"unknown integration method {method!r}; use one of {method_names()}")
    values: dict[str, float] = {}
    for key, value in dict(initial or {}).items():
        if not isinstance(key, str) or key not in spec.variables:
            raise EquationError(f"initial value for {key!r}: it is not a variable of the model ({spec.variables})")
        values[key] = check_number(value, field=f"initial value of {key!r}")
    return name, build_arguments(spec, values, fields), method


def _load(source: str) -> Any:
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    return load_module(RenderedModule(source=source, origins={}, digest=f"eq_{digest}"))


def neuron_from_equations(
    text: str,
    parameters: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    name: str = "Neuron",
    mode: str = "scalar",
    method: str = "euler",
    *,
    dry_run: bool = False,
) -> Any:
    """Build a neuron type from the equation language.

    Parameters
    ----------
    text : str
        The model: ``dX/dt = ...`` lines, intermediates ``name = ...``, and
        optional ``threshold:``, ``reset:`` and ``refractory:`` lines (see
        :mod:`brainlab.equations.grammar`). ``I`` is the input current of the
        step (the ``input`` field), ``t`` the time.
    parameters : dict
        ``name -> number``: runtime parameters of the type (``group.pars``).
    initial : dict
        Initial values of variables (default 0).
    name : str
        Type name.
    mode : {'scalar', 'vector'}
        Generated step form.
    method : str
        Integration method of every equation.
    dry_run : bool
        Check everything and generate the code, but write and import nothing:
        return the generated source (what a form validates as the user types).

    Returns
    -------
    NeuType
        With state fields: the variables, ``input``, ``spike`` (and ``t_last_spike``
        with a threshold). ``.equations`` holds the text, ``.generated_source`` the code.

    Raises
    ------
    EquationError
        If anything in the text or the arguments is rejected (nothing is built).
    """
    spec = parse_model(text, "neuron", parameters)
    if "input" in spec.variables or "spike" in spec.variables:
        raise EquationError("'input' and 'spike' are fields of every neuron; name the variable differently")
    model_name, state, method = _check_common(spec, name, initial, method, neuron_fields(spec))
    source = neuron_source(spec, mode)
    if dry_run:
        return source
    module = _load(source)
    model = module._build(**spec.parameters, _method=method, _name=model_name, _initial=state)
    model.equations = text
    model.generated_source = source
    return model


def synapse_from_equations(
    text: str,
    parameters: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    name: str = "Synapse",
    method: str = "euler",
    *,
    dry_run: bool = False,
) -> Any:
    """Build a synapse type from the equation language.

    Parameters
    ----------
    text : str
        ``dX/dt = ...`` lines, ``on_pre: X = ...`` updates on presynaptic
        spikes, an optional ``pulse: T = amplitude for duration`` (a transmitter
        pulse after each spike), ``output: expression`` (added to the
        postsynaptic ``input``, delayed) and ``delay: ms``. ``X_pre`` and
        ``X_post`` name field ``X`` of the neurons.
    parameters : dict
        ``name -> number``: runtime parameters (``conn.pars``).
    initial : dict
        Initial values of variables (default 0).
    name : str
        Type name.
    method : str
        Integration method.
    dry_run : bool
        Check and generate only; return the generated source.

    Returns
    -------
    SynType
        Scalar mode; ``.default_delay`` is the ``delay:`` value, which
        :class:`~brainlab.SynConn` uses when it is given no delay.
    """
    spec = parse_model(text, "synapse", parameters)
    model_name, state, method = _check_common(spec, name, initial, method, synapse_fields(spec))
    source = synapse_source(spec)
    if dry_run:
        return source
    module = _load(source)
    pre_fields = ["spike", *sorted(spec.pre_fields - {"spike"})]
    post_fields = ["input", *sorted(spec.post_fields - {"input"})]
    model = module._build(
        **spec.parameters, _method=method, _name=model_name, _initial=state, _pre_fields=pre_fields,
        _post_fields=post_fields,
    )  # fmt: skip
    model.equations = text
    model.generated_source = source
    model.default_delay = spec.delay
    return model
