"""Neuron types that dynamics analysis must refuse with a clear message."""

import numpy as np

import brainlab as bp


def get_branching(V_th=1.0):
    """A derivative function with np.where: no symbolic form."""
    state = bp.types.NeuState({"x": 0.0})

    @bp.integrate
    def int_x(x, t):
        return np.where(x > V_th, -x, x)

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    return bp.NeuType(name="branching", ST=state, steps=update)


def get_forced(omega=1.0):
    """dx/dt depends on the time explicitly."""
    state = bp.types.NeuState({"x": 0.0})

    @bp.integrate
    def int_x(x, t):
        return -x + np.sin(omega * t)

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    return bp.NeuType(name="forced", ST=state, steps=update)


def get_no_equations():
    state = bp.types.NeuState({"x": 0.0})

    def update(ST, _t):
        ST["x"] = ST["x"] + 1.0

    return bp.NeuType(name="counter", ST=state, steps=update)
