"""Small model factories the seed's tutorials import from ``bpmodels``.

``brainlab.models`` will provide the library versions; these keep the tutorial
tests self-contained.
"""

import brainlab as bp


def get_LIF(V_rest=0.0, V_reset=-5.0, V_th=20.0, R=1.0, tau=10.0, t_refractory=5.0):
    """Scalar-mode LIF neuron with a refractory period, as in bpmodels."""
    ST = bp.types.NeuState({"V": 0.0, "input": 0.0, "spike": 0.0, "refractory": 0.0, "t_last_spike": -1e7})

    @bp.integrate
    def int_V(V, _t, I_ext):
        return (-(V - V_rest) + R * I_ext) / tau

    def update(ST, _t):
        ST["spike"] = 0.0
        if _t - ST["t_last_spike"] <= t_refractory:
            ST["refractory"] = 1.0
        else:
            ST["refractory"] = 0.0
            V = int_V(ST["V"], _t, ST["input"])
            if V >= V_th:
                V = V_reset
                ST["spike"] = 1.0
                ST["t_last_spike"] = _t
            ST["V"] = V
        ST["input"] = 0.0

    return bp.NeuType(name="LIF", ST=ST, steps=update, mode="scalar")
