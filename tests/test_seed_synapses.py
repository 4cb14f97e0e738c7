"""The examples of the seed's "Build Synapses" tutorial: AMPA in scalar, matrix and vector mode."""

import numpy as np
import pytest

import brainlab as bp
from brainlab.models import get_LIF

tau_decay = 2.0
g_max = 0.10
E = 0.0


@bp.integrate
def ints(s, t):
    return -s / tau_decay


pre_req = bp.types.NeuState(["spike"], help="Presynaptic neuron state must have 'spike'.")
post_req = bp.types.NeuState(["V", "input"], help="Postsynaptic neuron state must have 'V' and 'input'.")


def ampa_scalar():
    def update(ST, _t, pre):
        s = ints(ST["s"], _t)
        if pre["spike"] == True:  # noqa: E712 - as written in the tutorial
            s += 1
        ST["s"] = s

    @bp.delayed
    def output(ST, post):
        I_syn = -g_max * ST["s"] * (post["V"] - E)
        post["input"] += I_syn

    return bp.SynType(
        name="AMPA_synapse",
        ST=bp.types.SynState(["s"], help="AMPA synapse state."),
        requires=dict(pre=pre_req, post=post_req),
        steps=(update, output),
        mode="scalar",
    )


def ampa_matrix():
    def update(ST, _t, pre, conn_mat):
        s = ints(ST["s"], _t)
        s += pre["spike"].reshape((-1, 1)) * conn_mat
        ST["s"] = s
        ST["g"] = g_max * s

    @bp.delayed
    def output(ST, post):
        g = np.sum(ST["g"], axis=0)
        post["input"] -= g * (post["V"] - E)

    return bp.SynType(
        name="AMPA_synapse",
        ST=bp.types.SynState(["s", "g"]),
        requires=dict(pre=pre_req, post=post_req, conn_mat=bp.types.MatConn()),
        steps=(update, output),
        mode="matrix",
    )


def ampa_vector():
    def update(ST, _t, pre, pre2syn):
        s = ints(ST["s"], _t)
        spikeike_idx = np.where(pre["spike"] > 0.0)[0]
        for i in spikeike_idx:
            syn_idx = pre2syn[i]
            s[syn_idx] += 1.0
        ST["s"] = s

    @bp.delayed
    def output(ST, post, post2syn):
        post_cond = np.zeros(len(post2syn), dtype=np.float_)  # noqa: NPY201 - the tutorial's NumPy 1 name
        for post_id, syn_ids in enumerate(post2syn):
            post_cond[post_id] = np.sum(g_max * ST["s"][syn_ids])
        post["input"] -= post_cond * (post["V"] - E)

    return bp.SynType(
        name="AMPA_synapse",
        ST=bp.types.SynState(["s"]),
        requires=dict(pre=pre_req, post=post_req, pre2syn=bp.types.ListConn(), post2syn=bp.types.ListConn()),
        steps=(update, output),
        mode="vector",
    )


AMPA_scalar, AMPA_matrix, AMPA_vector = ampa_scalar(), ampa_matrix(), ampa_vector()


def _run_pair(model, n_pre=1, n_post=1, conn=None, schedule=None, delay=1.5, duration=100.0):
    LIF = get_LIF(V_rest=-65.0, V_reset=-65.0, V_th=-55.0)
    pre = bp.NeuGroup(LIF, n_pre, monitors=["spike", "V"])
    pre.ST["V"] = -65.0
    post = bp.NeuGroup(LIF, n_post, monitors=["V"])
    post.ST["V"] = -65.0
    syn = bp.SynConn(
        model=model,
        pre_group=pre,
        post_group=post,
        conn=bp.connect.All2All() if conn is None else conn,
        monitors=["s"],
        delay=delay,
    )
    if schedule:
        syn.runner.set_schedule(schedule)
    net = bp.Network(pre, syn, post)
    net.run(duration=duration, inputs=(pre, "ST.input", 20.0))
    return pre, syn, post


def test_scalar_ampa_decays_and_jumps_at_presynaptic_spikes():
    pre, syn, post = _run_pair(AMPA_scalar, schedule=["input", "update", "output", "monitor"])
    spikes = np.flatnonzero(pre.mon.spike[:, 0])
    assert len(spikes) >= 3
    s = syn.mon.s[:, 0]
    dt = bp.profile.get_dt()
    # between spikes s decays by exactly (1 - dt/tau) per Euler step ...
    k = spikes[0] + 5
    assert s[k + 1] == pytest.approx(s[k] * (1 - dt / tau_decay))
    # ... and jumps by 1 at each presynaptic spike (the update reads pre['spike'] of this step)
    assert s[spikes[1]] == pytest.approx(s[spikes[1] - 1] * (1 - dt / tau_decay) + 1)
    # the 1.5 ms delay: the postsynaptic V first moves 15 steps after the first spike
    V = post.mon.V[:, 0]
    assert np.all(V[: spikes[0] + 15] == V[0])
    assert V[spikes[0] + 15] > V[0]


def test_three_modes_agree():
    rng_conn = (np.random.default_rng(3).random((4, 3)) < 0.6).astype(float)
    results = {}
    for name, model in (("scalar", AMPA_scalar), ("matrix", AMPA_matrix), ("vector", AMPA_vector)):
        _pre, _syn, post = _run_pair(model, n_pre=4, n_post=3, conn=rng_conn, duration=60.0)
        results[name] = post.mon.V
    np.testing.assert_allclose(results["matrix"], results["scalar"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results["vector"], results["scalar"], rtol=1e-12, atol=1e-12)
    assert results["scalar"].max() > -65.0 + 0.05  # the synapses did something


def test_matrix_mode_state_has_matrix_shape():
    _pre, syn, _post = _run_pair(AMPA_matrix, n_pre=2, n_post=5, duration=20.0)
    assert syn.ST["s"].shape == (2, 5)
    assert syn.mon.s.shape == (200, 2, 5)
    np.testing.assert_array_equal(
        syn.conn_mat if "conn_mat" in syn._data else syn.connectivity("conn_mat"), np.ones((2, 5))
    )


def test_set_schedule_validates_and_changes_order():
    LIF = get_LIF()
    group = bp.NeuGroup(LIF, 2)
    syn = bp.SynConn(AMPA_scalar, pre_group=group, post_group=group, conn=bp.connect.All2All())
    assert syn.runner.get_schedule() == ["input", "update", "output", "monitor"]
    with pytest.raises(bp.errors.ModelUseError, match="unknown or repeated"):
        syn.runner.set_schedule(["input", "update", "outptu", "monitor"])
    syn.set_schedule(["input", "output", "update", "monitor"])
    assert syn.get_schedule()[1] == "output"


def test_type_checking_derives_connectivity():
    LIF = get_LIF()
    pre, post = bp.NeuGroup(LIF, 3), bp.NeuGroup(LIF, 2)
    syn = bp.SynConn(AMPA_vector, pre_group=pre, post_group=post, conn=bp.connect.All2All())
    syn.type_checking()
    assert [list(x) for x in syn.connectivity("pre2syn")] == [[0, 1], [2, 3], [4, 5]]
    assert [list(x) for x in syn.connectivity("post2syn")] == [[0, 2, 4], [1, 3, 5]]
