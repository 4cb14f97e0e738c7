"""Linked views: a click on a bifurcation diagram sets the parameter of a real phase plane and a real session.

The model comes from the TypeBuilder, as in the phase-plane lab: any NeuType works.
"""

from __future__ import annotations

import numpy as np
import pytest

import brainlab as bp
from brainlab_widgets.bifurcation_panel import BifurcationPanel
from brainlab_widgets.phase_plane_panel import PhasePlanePanel
from brainlab_widgets.session import Session
from brainlab_widgets.type_builder import TypeBuilder

pytestmark = pytest.mark.timeout(300)

PLANE = {"V": [-3.0, 3.0], "w": [-3.0, 3.0]}


def _click(mark, x, y):
    """What the front end sends for a click on a mark with interactions={'click': 'add'}."""
    with mark.hold_trait_notifications():
        mark.x = np.append(mark.x, x)
        mark.y = np.append(mark.y, y)


@pytest.fixture(scope="module")
def built():
    builder = TypeBuilder(kind="neuron", preset="FitzHugh–Nagumo", schedule=lambda *_: None)
    model = builder.build()
    assert model is not None, builder.last_message
    return model


def test_a_diagram_click_sets_the_linked_phase_plane_and_session(built):
    bp.profile.set(dt=0.02, numerical_method="rk4")
    plane = PhasePlanePanel(built, PLANE, fixed_vars={"I": 0.8})
    diagram = BifurcationPanel(built, {"I": [0.0, 2.0]}, PLANE)
    group = bp.NeuGroup(built, geometry=3, monitors=["V"], name="fhn")
    group.ST["V"] = -1.2
    session = Session(bp.Network(group), 200.0, [(group, "ST.input", 0.8)], debounce=0.01)
    try:
        hopf = sorted(p.pars["I"] for p in diagram.result.points("hopf"))
        assert len(hopf) == 2 and hopf[0] == pytest.approx(0.33128, abs=1e-4)
        assert plane.plane.fixed_points[0].stability == "unstable-node"
        diagram.link(plane)
        diagram.link_session(session, group, input=0)

        # Below the first Hopf point: the equilibrium is stable, the neurons settle, the plane says so.
        _click(diagram.click_marks, 0.2, 0.0)
        assert diagram.selected["I"] == pytest.approx(0.2)
        assert plane.sliders["I"].value == pytest.approx(0.2)
        assert plane.plane.fixed_points[0].is_stable
        assert session.inputs[0][2] == pytest.approx(0.2)
        assert session.wait(120)
        settled = group.mon.V[-1000:]
        assert np.ptp(settled) < 0.05

        # Between the Hopf points: the plane's fixed point is unstable and the neurons oscillate.
        _click(diagram.click_marks, 0.8, 0.0)
        assert not plane.plane.fixed_points[0].is_stable
        assert session.wait(120)
        assert np.ptp(group.mon.V[-1000:]) > 3.0
    finally:
        session.close()
