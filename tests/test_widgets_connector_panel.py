"""The connector panel, headless: menus, parameter editors, live preview, errors that keep state, and Apply."""

import bqplot
import ipywidgets
import numpy as np
import pytest

import brainlab as bp
from brainlab.errors import BrainlabError, ModelUseError
from brainlab_widgets.connector_panel import ConnectorPanel, connector_classes, connector_parameters


class FakeSession:
    """What the panel needs of a session: a network and ``apply_connection``, which records calls."""

    def __init__(self, network, fail=None):
        self.network = network
        self.fail = fail
        self.calls = []

    def apply_connection(self, old, new):
        if self.fail is not None:
            raise self.fail
        self.calls.append((old, new))
        objects = [new if o is old else o for o in self.network.objects]
        if old is None:
            objects.append(new)
        self.network = bp.Network(*objects)


def _network(n_e=40, n_i=20):
    lif = bp.models.get_LIF()
    e = bp.NeuGroup(lif, n_e, name="E")
    i = bp.NeuGroup(lif, n_i, name="I")
    syn = bp.SynConn(
        bp.models.get_exponential_current(),
        pre_group=e,
        post_group=i,
        conn=bp.connect.FixedProb(0.2, seed=1),
        name="EI",
        monitors=["s"],
        delay=1.5,
    )
    syn.pars["tau"] = 8.0
    syn.pars["A"] = np.full(syn.num, 0.5)  # one value per synapse: cannot survive a rewiring
    return bp.Network(e, i, syn), syn


@pytest.fixture
def session():
    return FakeSession(_network()[0])


@pytest.fixture
def panel(session):
    return ConnectorPanel(session)


def test_panel_is_a_controller_with_a_vbox(panel):
    assert isinstance(panel.widget, ipywidgets.VBox)
    assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()
    assert panel.target_menu.value == "rewire:EI"
    values = [v for _, v in panel.target_menu.options]
    assert "new:exponential current" in values and "new:AMPA" in values


def test_rewire_defaults_to_the_connection_groups_and_delay(panel):
    assert (panel.pre_menu.value, panel.post_menu.value) == ("E", "I")
    assert panel.delay_box.value == 1.5
    assert panel.connector_menu.value == "FixedProb"
    assert panel.preview is not None and panel.preview.num_pre == 40 and panel.preview.num_post == 20
    assert "synapses" in panel.summary.value and "memory" in panel.summary.value


def test_connector_menu_lists_connectors_and_rebuilds_parameters(panel):
    assert set(panel.connector_menu.options) == set(connector_classes())
    assert {"FixedProb", "DOG", "GridN", "SmallWorld"} <= set(connector_classes())
    assert set(panel.parameter_widgets) == {"prob", "include_self", "seed"}
    assert isinstance(panel.parameter_widgets["prob"], ipywidgets.FloatText)
    assert isinstance(panel.parameter_widgets["include_self"], ipywidgets.Checkbox)
    assert isinstance(panel.parameter_widgets["seed"], ipywidgets.Text)
    panel.connector_menu.value = "DOG"
    assert set(panel.parameter_widgets) == {"sigmas", "ws_max", "w_min", "normalize", "include_self"}
    assert isinstance(panel.parameter_widgets["sigmas"], ipywidgets.Text)
    assert list(panel.parameter_box.children) == list(panel.parameter_widgets.values())
    panel.connector_menu.value = "ScaleFree"
    assert isinstance(panel.parameter_widgets["m"], ipywidgets.IntText)
    assert panel.parameter_widgets["m"].value == 2


def test_parameter_kinds_follow_the_signatures():
    kinds = {p.name: p.kind for p in connector_parameters(bp.connect.GaussianWeight)}
    assert kinds == {"sigma": "float", "w_max": "float", "w_min": "optional_float", "normalize": "bool",
                     "include_self": "bool"}  # fmt: skip
    num = connector_parameters(bp.connect.FixedPreNum)[0]
    assert (num.name, num.kind, num.default) == ("num", "number", 10)


def test_changing_prob_changes_the_preview(panel):
    panel.parameter_widgets["seed"].value = "5"
    panel.parameter_widgets["prob"].value = 0.05
    few = panel.preview.n_synapses
    panel.parameter_widgets["prob"].value = 0.6
    assert panel.preview.n_synapses > few
    assert str(panel.preview.n_synapses) in panel.summary.value


def test_weighted_connector_shows_its_profile(panel):
    figure = panel._plots.profile
    assert figure.layout.display == "none"
    panel.connector_menu.value = "GaussianWeight"
    assert panel.preview.weight_profile is not None
    assert panel.profile_line.y[0] == pytest.approx(1.0)  # w_max default
    assert figure.layout.display is None
    panel.connector_menu.value = "All2All"
    assert figure.layout.display == "none"


def test_small_groups_use_the_grid_heatmap(panel):
    assert isinstance(panel.heatmap, bqplot.GridHeatMap)
    assert not panel.preview.downsampled
    assert np.asarray(panel.heatmap.color).shape == (40, 20)


def test_large_groups_use_the_block_heatmap():
    network, _ = _network(n_e=300, n_i=150)
    panel = ConnectorPanel(FakeSession(network))
    assert panel.preview.downsampled
    assert isinstance(panel.heatmap, bqplot.HeatMap)
    assert panel._plots.adjacency.marks == [panel.heatmap]
    assert "blocks of" in panel.summary.value
    panel.pre_menu.value = "I"
    panel.post_menu.value = "I"
    assert panel.preview.downsampled  # 150 x 150


def test_degree_bars_count_neurons_per_degree(panel):
    panel.connector_menu.value = "FixedPreNum"
    panel.parameter_widgets["num"].value = "3"
    assert panel.preview.n_synapses == 3 * 20
    np.testing.assert_array_equal(panel.in_degree_bars.x, [3.0])
    np.testing.assert_array_equal(panel.in_degree_bars.y, [20.0])
    assert panel.out_degree_bars.y.sum() == 40


def test_bad_parameter_names_the_problem_and_keeps_the_preview(panel):
    before = panel.preview
    panel.parameter_widgets["prob"].value = 2.0
    assert "prob" in panel.last_message and "[0, 1]" in panel.last_message
    assert panel.preview is before
    panel.parameter_widgets["prob"].value = float("nan")
    assert "finite" in panel.last_message and panel.preview is before


def test_texts_are_parsed_not_evaluated(panel):
    before = panel.preview
    panel.parameter_widgets["seed"].value = "__import__('os').system('echo hi')"
    assert "seed" in panel.last_message and panel.preview is before
    panel.connector_menu.value = "DOG"
    good = panel.preview
    panel.parameter_widgets["sigmas"].value = "0.1, (1).__class__"
    assert "sigmas" in panel.last_message and panel.preview is good
    panel.parameter_widgets["sigmas"].value = "0.1, inf"
    assert "finite" in panel.last_message and panel.preview is good
    panel.parameter_widgets["sigmas"].value = "0.05, 0.2"
    assert panel.preview is not good


def test_grid_connector_on_a_1d_group_shows_the_engine_error(panel):
    before = panel.preview
    panel.connector_menu.value = "GridFour"
    assert "2-D geometry" in panel.last_message
    assert panel.preview is before


def test_apply_rewire_builds_a_new_synconn_with_the_old_name_and_pars(session, panel):
    old = session.network.EI
    panel.parameter_widgets["seed"].value = "11"
    panel.parameter_widgets["prob"].value = 0.5
    previewed = panel.preview
    panel.delay_box.value = 2.0
    new = panel.apply()
    assert len(session.calls) == 1
    got_old, got_new = session.calls[0]
    assert got_old is old and got_new is new and isinstance(new, bp.SynConn)
    assert new.name == "EI" and new.model is old.model
    assert new.pre_group is old.pre_group and new.post_group is old.post_group
    np.testing.assert_array_equal(new.pre_ids, previewed.pre_ids)
    np.testing.assert_array_equal(new.post_ids, previewed.post_ids)
    assert new.num != old.num
    assert new.pars["tau"] == 8.0 and new.pars.updates == {"tau": 8.0}
    assert new.delay == 2.0 and new.mon.fields == ["s"]
    assert "A" in panel.last_message and "one value per old synapse" in panel.last_message
    # The target menu was rebuilt from the session's new network and still points at the connection.
    assert panel.target_menu.value == "rewire:EI"


def test_rewire_carries_uniform_state_and_reports_the_rest(session, panel):
    old = session.network.EI
    assert old.model.ST.keys() == bp.models.get_exponential_current().ST.keys()
    old.ST["w"] = 4.0  # set by hand for every synapse
    old.ST["s"] = np.linspace(0.0, 1.0, old.num)  # one value per old synapse
    panel.connector_menu.value = "FixedProb"
    panel.parameter_widgets["seed"].value = "3"
    panel.parameter_widgets["prob"].value = 0.5
    new = panel.apply()
    assert new.num != old.num
    np.testing.assert_array_equal(new.ST["w"], np.full(new.num, 4.0))
    np.testing.assert_array_equal(new.ST["s"], np.zeros(new.num))  # starts from its initial value
    assert "State carried: w = 4." in panel.last_message
    assert "State not carried: s (its values differ across the old synapses" in panel.last_message
    assert "I (" not in panel.last_message and "I =" not in panel.last_message  # untouched fields are not mentioned
    np.testing.assert_array_equal(old.ST["w"], np.full(old.num, 4.0))  # the old connection is not changed


def test_weighted_connector_weights_win_over_a_carried_w(session, panel):
    session.network.EI.ST["w"] = 4.0
    panel.connector_menu.value = "GaussianWeight"
    new = panel.apply()
    np.testing.assert_allclose(new.ST["w"], panel.preview.weights)
    assert "w (the connector's weights replace it)" in panel.last_message
    assert "State carried" not in panel.last_message


def test_rewire_onto_the_same_synapses_carries_per_synapse_values(session, panel):
    old = session.network.EI
    old.ST["s"] = np.linspace(0.0, 1.0, old.num)
    panel.parameter_widgets["prob"].value = 0.2
    panel.parameter_widgets["seed"].value = "1"  # the old connector: the very same synapses
    new = panel.apply()
    np.testing.assert_array_equal(new.pre_ids, old.pre_ids)
    np.testing.assert_array_equal(new.ST["s"], old.ST["s"])
    np.testing.assert_array_equal(new.pars["A"], np.full(old.num, 0.5))
    assert "s (per synapse)" in panel.last_message and "not carried" not in panel.last_message


def test_same_pairs_between_other_groups_are_not_the_same_synapses():
    lif = bp.models.get_LIF()
    e, i = bp.NeuGroup(lif, 20, name="E"), bp.NeuGroup(lif, 20, name="I")
    syn = bp.SynConn(bp.models.get_exponential_current(), pre_group=e, post_group=i, conn=bp.connect.All2All(),
                     name="EI")  # fmt: skip
    syn.pars["A"] = np.linspace(0.1, 1.0, syn.num)
    syn.ST["s"] = np.linspace(0.0, 1.0, syn.num)
    panel = ConnectorPanel(FakeSession(bp.Network(e, i, syn)))
    panel.connector_menu.value = "All2All"
    panel.pre_menu.value = "I"
    new = panel.apply()
    np.testing.assert_array_equal(new.pre_ids, syn.pre_ids)  # the same index pairs, but from I, not E
    assert "A" not in new.pars.updates and not new.ST["s"].any()
    assert "A (one value per old synapse)" in panel.last_message and "State not carried: s" in panel.last_message


def test_random_seed_applies_the_previewed_synapses(session, panel):
    assert panel.parameter_widgets["seed"].value == ""
    previewed = panel.preview
    new = panel.apply()
    np.testing.assert_array_equal(new.pre_ids, previewed.pre_ids)
    np.testing.assert_array_equal(new.post_ids, previewed.post_ids)


def test_apply_new_connection_gets_a_fresh_name(session, panel):
    panel.target_menu.value = "new:exponential current"
    assert panel.delay_box.value == 0.0
    panel.pre_menu.value, panel.post_menu.value = "I", "E"
    new = panel.apply()
    old, got = session.calls[-1]
    assert old is None and got is new
    assert new.name not in {"EI", "E", "I"} and new.name.isidentifier()
    assert new.pre_group.name == "I" and new.post_group.name == "E"
    assert panel.target_menu.value == f"rewire:{new.name}"
    again = panel.apply()  # now a rewire of the new connection
    assert again.name == new.name and session.calls[-1][0] is new


def test_apply_weighted_connector_fills_the_weights(session, panel):
    panel.connector_menu.value = "GaussianWeight"
    new = panel.apply()
    np.testing.assert_allclose(new.ST["w"], panel.preview.weights)


def test_apply_errors_keep_everything():
    network, old = _network()
    session = FakeSession(network, fail=ModelUseError("the session refuses: it is running"))
    panel = ConnectorPanel(session)
    before = panel.preview
    assert panel.apply() is None
    assert "it is running" in panel.last_message
    assert session.network is network and network.EI is old
    assert panel.preview is before and panel.target_menu.value == "rewire:EI"
    # An engine error (a connector that does not fit) is shown the same way.
    session.fail = None
    panel.connector_menu.value = "One2One"
    assert panel.apply() is None
    assert "One2One" in panel.last_message and session.calls == []
    panel.connector_menu.value = "FixedProb"
    panel.delay_box.value = -1.0
    assert panel.apply() is None and "delay" in panel.last_message


def test_subgroup_of_an_existing_connection_is_kept():
    lif = bp.models.get_LIF()
    e = bp.NeuGroup(lif, 30, name="E")
    syn = bp.SynConn(bp.models.get_exponential_current(), pre_group=e[0:10], post_group=e[10:30],
                     conn=bp.connect.All2All(), name="sub")  # fmt: skip
    session = FakeSession(bp.Network(e, syn))
    panel = ConnectorPanel(session)
    assert panel.pre_menu.value == "E[0:10]" and panel.post_menu.value == "E[10:30]"
    assert (panel.preview.num_pre, panel.preview.num_post) == (10, 20)
    new = panel.apply()
    assert new.pre_group is syn.pre_group and new.post_group is syn.post_group
    assert issubclass(ModelUseError, BrainlabError)


def test_messages_are_escaped(panel):
    panel.parameter_widgets["seed"].value = "<b>x</b>"
    assert "<b>x</b>" in panel.last_message
    assert "&lt;b&gt;" in panel.message.value
