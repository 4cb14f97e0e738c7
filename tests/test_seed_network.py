"""The examples of the seed's "Build Network" tutorial, with their results checked."""

import numpy as np
import pytest

import brainlab as bp
from brainlab.models import get_LIF

# --- E/I balance network, as written in the tutorial ------------------------------
num_exc = 500
num_inh = 500
prob = 0.1

V_rest = -52.0
V_reset = -60.0
V_th = -50.0
R = 1.0
tau = 10.0
t_refractory = 5.0
noise = 0.0

ST_neu = bp.types.NeuState({"V": 0, "input": 0, "spike": 0, "refractory": 0, "t_last_spike": -1e7})


@bp.integrate
def int_V(V, _t, I_ext):
    return (-(V - V_rest) + R * I_ext) / tau, noise / tau


def update(ST, _t):
    ST["spike"] = 0
    if _t - ST["t_last_spike"] <= t_refractory:
        ST["refractory"] = 1.0
    else:
        ST["refractory"] = 0.0
        V = int_V(ST["V"], _t, ST["input"])
        if V >= V_th:
            V = V_reset
            ST["spike"] = 1
            ST["t_last_spike"] = _t
        ST["V"] = V


def reset(ST):
    ST["input"] = 0.0


tau_decay = 2.0
JE = 1 / np.sqrt(prob * num_exc)
JI = 1 / np.sqrt(prob * num_inh)

ST_syn = bp.types.SynState({"s": 0.0, "w": 0.1, "g": 0.0}, help="synapse state.")


@bp.integrate
def ints(s, t):
    return -s / tau_decay


def syn_update(ST, _t, pre):
    s = ints(ST["s"], _t)
    s += pre["spike"]
    ST["s"] = s
    ST["g"] = ST["w"] * s


def output(ST, post):
    post["input"] += ST["g"]


def build_ei(seed=42):
    neu = bp.NeuType(name="LIF", ST=ST_neu, steps=(update, reset), mode="scalar")
    syn = bp.SynType(name="alpha_synapse", ST=ST_syn, steps=(syn_update, output), mode="scalar")
    group = bp.NeuGroup(neu, geometry=num_exc + num_inh, monitors=["spike"])
    group.ST["V"] = np.random.default_rng(seed).random(num_exc + num_inh) * (V_th - V_rest) + V_rest
    exc_conn = bp.SynConn(
        syn, pre_group=group[:num_exc], post_group=group, conn=bp.connect.FixedProb(prob=prob, seed=seed)
    )
    exc_conn.ST["w"] = JE
    inh_conn = bp.SynConn(
        syn, pre_group=group[num_exc:], post_group=group, conn=bp.connect.FixedProb(prob=prob, seed=seed + 1)
    )
    exc_conn.ST["w"] = -JI  # sic: the tutorial sets exc_conn twice
    return group, exc_conn, inh_conn


def test_ei_balance_network_runs_with_documented_settings(capsys):
    bp.profile.set(jit=True, device="cpu", numerical_method="exponential")
    group, exc_conn, inh_conn = build_ei()
    net = bp.Network(group, exc_conn, inh_conn)
    net.run(duration=500.0, inputs=(group, "ST.input", 3.0), report=True)
    assert "Simulation is done" in capsys.readouterr().out
    rates = bp.measure.firing_rate(group.mon.spike, 5.0)
    mean_rate = group.mon.spike.sum() / (num_exc + num_inh) / 0.5
    assert 5.0 < mean_rate < 200.0
    assert rates.shape == (5000,)
    assert abs(rates[500:].mean() - mean_rate) < 0.15 * mean_rate
    # presynaptic subgroups map to the right neurons of the parent
    assert exc_conn.pre_ids.max() < num_exc and inh_conn.pre_ids.max() < num_inh
    assert exc_conn.num == pytest.approx(prob * num_exc * 1000, rel=0.05)


def test_ei_scalar_synapse_sums_presynaptic_spikes_exactly():
    """One step of the E/I synapse against a NumPy reference."""
    bp.profile.set(numerical_method="euler")
    group, exc_conn, inh_conn = build_ei(seed=7)
    group.ST["spike"] = 0.0
    net = bp.Network(group, exc_conn, inh_conn)
    fired = np.zeros(1000)
    fired[[3, 17, 600, 999]] = 1.0
    # '=' input writes the spike field after the neuron reset it: the synapses see these spikes
    group.set_schedule(["update", "input", "reset", "monitor"])
    net.run(0.1, inputs=(group, "ST.spike", fired, "="))
    expected = np.zeros(1000)
    for conn, offset in ((exc_conn, 0), (inh_conn, num_exc)):
        s = fired[conn.pre_ids + offset]  # s was 0, decays to 0, plus the spike
        np.add.at(expected, conn.post_ids, conn.ST["w"] * s)
    np.testing.assert_allclose(group.ST["input"], expected)


# --- subgroups, heterogeneous parameters, names -----------------------------------
def test_subgroup_slicing_1d_and_2d():
    LIF = get_LIF()
    AMPA = _simple_synapse()
    neu_group_2 = bp.NeuGroup(model=LIF, geometry=(100, 100))
    sub_group_1 = neu_group_2[:50]
    sub_group_2 = neu_group_2[:5, :5]
    assert sub_group_1.num == 50 * 100 and sub_group_1.geometry == (50, 100)
    assert sub_group_2.num == 25
    np.testing.assert_array_equal(sub_group_2.ids[:6], [0, 1, 2, 3, 4, 100])
    syn_conn_1 = bp.SynConn(
        model=AMPA, pre_group=sub_group_2, post_group=neu_group_2[:10, :10], conn=bp.connect.All2All()
    )
    assert syn_conn_1.num == 25 * 100
    # drive only the 2-D subgroup; its targets are the 10x10 corner
    net = bp.Network(neu_group_2, syn_conn_1)
    net.run(5.0, inputs=[(sub_group_2, "ST.input", 100.0)])
    spiking = neu_group_2.ST["t_last_spike"] > -1
    assert spiking.reshape(100, 100)[:5, :5].all() and spiking.sum() == 25


def _simple_synapse():
    def update(ST, _t, pre):
        ST["s"] = ST["s"] * 0.9 + pre["spike"]

    def output(ST, post):
        post["input"] += 0.5 * ST["s"]

    return bp.SynType(name="simple", ST=bp.types.SynState(["s"]), steps=(update, output), mode="scalar")


def test_heterogeneous_parameters_and_state():
    LIF = get_LIF(V_rest=0.0, V_reset=0.0, V_th=10.0, t_refractory=0.0)
    neu_group_1 = bp.NeuGroup(model=LIF, geometry=(10,), monitors=["V"])
    neu_group_1.pars["V_rest"] = np.arange(10.0)
    neu_group_1.ST["V"] = -65.0
    assert neu_group_1.pars.is_heterogeneous("V_rest")
    net = bp.Network(neu_group_1)
    net.run(200.0)
    np.testing.assert_allclose(neu_group_1.mon.V[-1], np.arange(10.0), atol=1e-6)
    # seed example: random integer rests; shared values stay scalars
    neu_group_1.pars["V_rest"] = np.random.randint(0, 2, size=(10,))
    assert neu_group_1.pars["V_rest"].dtype == np.float64
    assert set(neu_group_1.pars.heters) == {"V_rest"}


def test_network_add_and_names():
    LIF = get_LIF()
    a = bp.NeuGroup(LIF, 3, name="exc")
    b = bp.NeuGroup(LIF, 3)
    syn = bp.SynConn(_simple_synapse(), pre_group=a, post_group=b, conn=bp.connect.One2One())
    net = bp.Network(a, inh=b)
    net.add(syn)
    assert net.exc is a and net.inh is b and getattr(net, syn.name) is syn
    assert [o.name for o in net.objects] == ["exc", b.name, syn.name]
    with pytest.raises(bp.errors.ModelUseError, match="twice"):
        net.add(a)
    with pytest.raises(AttributeError, match="objects"):
        net.nothing
    net.run(1.0)
    assert net.t_end == 1.0 and net.ts.size == 10


# --- a SynConn built by hand with num= ----------------------------------------------
def test_num_based_synconn_with_hand_made_connectivity():
    def stdp_update(ST, _t, pre, post, pre2syn, post2syn):
        for i in range(len(pre2syn)):
            if pre["spike"][i] > 0:
                for k in pre2syn[i]:
                    ST["w"][k] += 1.0
        for j in range(len(post2syn)):
            if post["spike"][j] > 0:
                for k in post2syn[j]:
                    ST["w"][k] -= 0.25

    syn_model = bp.SynType(
        name="stdp",
        ST=bp.types.SynState(["w"]),
        steps=stdp_update,
        mode="vector",
        requires=dict(
            pre=bp.types.NeuState(["spike"]),
            post=bp.types.NeuState(["V", "input", "spike"]),
            pre2syn=bp.types.ListConn(),
            post2syn=bp.types.ListConn(),
        ),
    )
    delta_t_num = 3
    syn = bp.SynConn(model=syn_model, num=delta_t_num, monitors=["w"], delay=10.0)
    syn.pre = bp.types.NeuState(["spike"])(2)
    syn.post = bp.types.NeuState(["V", "input", "spike"])(2)
    pre2syn_list = [[1, 1], [2, 2]]
    post2syn_list = [[1, 1], [2, 2]]
    syn.pre2syn = syn.requires["pre2syn"].make_copy(pre2syn_list)
    syn.post2syn = syn.requires["post2syn"].make_copy(post2syn_list)
    syn.pre["spike"] = [1.0, 0.0]
    syn.post["spike"] = [0.0, 1.0]
    net = bp.Network(syn)
    net.run(1.0)  # 10 steps
    # synapse 1 potentiated twice per step by pre 0, synapse 2 depressed twice per step by post 1
    np.testing.assert_allclose(syn.ST["w"], [0.0, 20.0, -5.0])
    np.testing.assert_allclose(syn.mon.w[0], [0.0, 2.0, -0.5])
