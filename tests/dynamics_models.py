"""Neuron types used by the dynamics-analysis tests (defined in a file: brainlab reads their source)."""

import numpy as np

import brainlab as bp


def get_FNmodel(a=0.7, b=0.8, tau=12.5, Vth=1.9):
    """The seed's FitzHugh–Nagumo model, as written in its dynamics tutorial."""
    state = bp.types.NeuState({"v": 0.0, "w": 1.0, "spike": 0.0, "input": 0.0})

    @bp.integrate
    def int_w(w, t, v):
        return (v + a - b * w) / tau

    @bp.integrate
    def int_v(v, t, w, Iext):
        return v - v * v * v / 3 - w + Iext

    def update(ST, _t):
        ST["w"] = int_w(ST["w"], _t, ST["v"])
        v = int_v(ST["v"], _t, ST["w"], ST["input"])
        ST["spike"] = np.logical_and(v >= Vth, ST["v"] < Vth)
        ST["v"] = v
        ST["input"] = 0.0

    return bp.NeuType(name="FitzHugh_Nagumo", ST=state, steps=update)


def get_saddle_node(r=0.0):
    """dx/dt = r + x² (the normal form of the saddle-node bifurcation)."""
    state = bp.types.NeuState({"x": 0.0})

    @bp.integrate
    def int_x(x, t):
        return r + x**2

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    return bp.NeuType(name="saddle_node", ST=state, steps=update)


def get_cusp(a=0.0, b=1.0):
    """dx/dt = a + b·x − x³ (the cusp normal form)."""
    state = bp.types.NeuState({"x": 0.0})

    @bp.integrate
    def int_x(x, t):
        return a + b * x - x**3

    def update(ST, _t):
        ST["x"] = int_x(ST["x"], _t)

    return bp.NeuType(name="cusp", ST=state, steps=update)


def get_hopf_normal_form(mu=0.0, sigma=1.0):
    """dx = μx − y + σx(x²+y²), dy = x + μy + σy(x²+y²): Hopf at μ = 0 with l1 = σ."""
    state = bp.types.NeuState({"x": 0.1, "y": 0.0})

    @bp.integrate
    def int_x(x, t, y):
        return mu * x - y + sigma * x * (x * x + y * y)

    @bp.integrate
    def int_y(y, t, x):
        return x + mu * y + sigma * y * (x * x + y * y)

    def update(ST, _t):
        x = int_x(ST["x"], _t, ST["y"])
        ST["y"] = int_y(ST["y"], _t, ST["x"])
        ST["x"] = x

    return bp.NeuType(name="hopf_normal_form", ST=state, steps=update)


def hh_rates(V):
    """Opening and closing rates (αm, βm, αh, βh, αn, βn) of Hodgkin–Huxley 1952, in plain NumPy."""
    am = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    bm = 4.0 * np.exp(-(V + 65) / 18)
    ah = 0.07 * np.exp(-(V + 65) / 20.0)
    bh = 1 / (1 + np.exp(-(V + 35) / 10))
    an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    bn = 0.125 * np.exp(-(V + 65) / 80)
    return am, bm, ah, bh, an, bn
