"""Lab: the composed live lab, from a network or a library name; the panels work together."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pytest
from lab_networks import coupled_network, inputs, lif_network, spike_count

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets import LIBRARY, Lab

pytestmark = pytest.mark.timeout(300)


def test_the_gamma_lab_from_its_library_name():
    lab = Lab.from_network("gamma")
    try:
        assert lab.session.wait(240)
        assert isinstance(lab.widget, w.AppLayout)
        assert lab.widget.left_sidebar is not None and lab.widget.right_sidebar is not None
        assert lab.widget.footer is not None and lab.widget.center is not None
        neurons = lab.groups["neurons"]
        # The seed's rhythm: about 42 Hz population frequency from 100 neurons in 500 ms.
        assert lab.raster.n_points == spike_count(neurons) > 1000
        assert lab.session.dt == 0.04 and lab.session.duration == LIBRARY["gamma"].duration
        assert lab.traces.group is neurons and lab.traces.frames_drawn >= 1
        slider = lab.params["synapses.g_max"]
        assert (slider.min, slider.max) == (0.0, 0.005)
        bins = round(1.0 / 0.04)  # 1 ms bins, as in the seed's quickstart
        coupled = bp.measure.cross_correlation(neurons.mon.spike, bins)
        compiled = lab.session.compile_count
        slider.value = 0.0
        assert lab.session.wait(60)
        assert lab.session.compile_count == compiled and not lab.session.timings["recompiled"]
        # Uncoupled, the neurons keep their different starting phases: the rhythm's coherence is gone.
        assert lab.groups["synapses"].pars["g_max"] == 0.0
        assert lab.raster.n_points == spike_count(neurons)
        uncoupled = bp.measure.cross_correlation(neurons.mon.spike, bins)
        assert coupled > 0.5 and uncoupled < 0.5 * coupled, (coupled, uncoupled)
        text = lab.model_view.value
        assert "neurons" in text and "synapses" in text and "WangBuzsaki" in text and "delay 0.52 ms" in text
    finally:
        lab.session.close()


def test_a_lab_from_a_network_draws_its_spiking_group():
    net, group = lif_network()
    lab = Lab.from_network(net, 100.0, inputs(group), title="LIF <demo>")
    try:
        assert lab.session.wait(60)
        assert lab.raster.group is group and lab.raster.n_points == spike_count(group) > 0
        assert lab.traces.elements == (0, 1, 2)
        np.testing.assert_array_equal(lab.traces.lines.y[0], group.mon.V[:, 0].astype(np.float32))
        assert "LIF &lt;demo&gt;" in lab.widget.header.children[0].value
        assert set(lab.params.controls) >= {"neurons.tau", "neurons.V0"}
    finally:
        lab.session.close()


def test_a_network_without_monitors_still_gets_a_lab():
    group = bp.NeuGroup(bp.models.get_LIF(), geometry=5, name="quiet")
    lab = Lab.from_network(bp.Network(group), 20.0, autorun=False)
    try:
        assert lab.raster is None and lab.traces is None
        assert "Nothing to draw" in lab.widget.center.children[0].value
    finally:
        lab.session.close()


def test_bad_requests_name_the_fix():
    with pytest.raises(ModelUseError, match="'gamma'"):
        Lab.from_network("gama")
    net, _ = lif_network()
    with pytest.raises(ModelUseError, match="duration"):
        Lab.from_network(net)


def test_rewiring_from_the_connector_panel_reruns_and_rebuilds_the_panels():
    net, pre, post, _syn = coupled_network()
    lab = Lab.from_network(net, 100.0, [(pre, "ST.input", 40.0)], raster=post)
    try:
        assert lab.session.wait(60)
        sparse = spike_count(post)
        panel = lab.connectivity
        assert panel.target_menu.value == "rewire:syn"
        panel.connector_menu.value = "All2All"
        assert panel.preview.n_synapses == 900
        new = panel.apply()
        assert new is not None and lab.session.wait(60)
        assert net.syn is new and new.num == 900
        # The hand-set weight was carried, and nothing was lost that a run would not rebuild.
        assert np.all(new.ST["w"] == 4.0)
        assert "w = 4" in panel.last_message and "not carried" not in panel.last_message
        assert lab.raster.n_points == spike_count(post) > sparse
        assert "900 synapses" in lab.model_view.value
        assert "syn.tau" in lab.params.controls
        lab.params["syn.tau"].value = 2.0
        assert lab.session.wait(60) and new.pars["tau"] == 2.0
    finally:
        lab.session.close()
