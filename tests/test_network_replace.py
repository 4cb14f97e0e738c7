"""Network.replace: a rewired connection takes the old one's place and names."""

from __future__ import annotations

import pytest
from lab_networks import coupled_network, spike_count

import brainlab as bp
from brainlab.errors import ModelUseError


def _new(pre, post, model, name="syn", conn=None):
    syn = bp.SynConn(model, pre_group=pre, post_group=post, conn=conn or bp.connect.All2All(), delay=1.0, name=name)
    syn.ST["w"] = 4.0
    return syn


def test_replace_keeps_the_position_and_names_and_runs_the_new_connectivity():
    net, pre, post, syn = coupled_network()
    new = _new(pre, post, syn.model, name="dense")
    net.replace(syn, new)
    assert net.objects == [pre, post, new]
    assert net.syn is new and net.dense is new
    net.run(100.0, inputs=[(pre, "ST.input", 40.0)])
    # The same as a network built with the dense connection from the start.
    _ref_net, ref_pre, ref_post, ref_syn = coupled_network()
    direct = bp.Network(ref_pre, ref_post, _new(ref_pre, ref_post, ref_syn.model))
    direct.run(100.0, inputs=[(ref_pre, "ST.input", 40.0)])
    assert spike_count(post) == spike_count(ref_post) > 0


def test_replace_refuses_bad_requests():
    net, pre, post, syn = coupled_network()
    other, *_ = coupled_network()
    with pytest.raises(ModelUseError, match="not in the network"):
        net.replace(other.syn, _new(pre, post, syn.model, name="x"))
    with pytest.raises(ModelUseError, match="already in the network"):
        net.replace(syn, post)
    with pytest.raises(ModelUseError, match="another object named 'pre'"):
        net.replace(syn, _new(pre, post, syn.model, name="pre"))
    with pytest.raises(ModelUseError, match="NeuGroup and SynConn"):
        net.replace(syn, pre[:3])
    assert net.objects[2] is syn
