"""Small networks for the live-lab tests: quick to compile, with spikes to draw."""

from __future__ import annotations

import numpy as np

import brainlab as bp

#: Currents of the driven group: a spread of rates (LIF threshold is 20 mV at R = 1).
DRIVE = np.linspace(15.0, 40.0, 30)


def lif_network(num: int = 30, monitors: tuple[str, ...] = ("spike", "V")) -> tuple[bp.Network, bp.NeuGroup]:
    """One LIF group; drive it with ``inputs(group)``."""
    group = bp.NeuGroup(bp.models.get_LIF(), geometry=num, monitors=list(monitors), name="neurons")
    return bp.Network(group), group


def inputs(group: bp.NeuGroup, drive: np.ndarray | float = DRIVE) -> list:
    """The run input of :func:`lif_network`."""
    return [(group, "ST.input", drive)]


def coupled_network(num: int = 30) -> tuple[bp.Network, bp.NeuGroup, bp.NeuGroup, bp.SynConn]:
    """A driven LIF group exciting a second one through exponential current synapses."""
    pre = bp.NeuGroup(bp.models.get_LIF(), geometry=num, monitors=["spike", "V"], name="pre")
    post = bp.NeuGroup(bp.models.get_LIF(), geometry=num, monitors=["spike", "V"], name="post")
    syn = bp.SynConn(
        bp.models.get_exponential_current(tau=5.0),
        pre_group=pre,
        post_group=post,
        conn=bp.connect.FixedProb(0.3, seed=1),
        delay=1.0,
        name="syn",
    )
    syn.ST["w"] = 4.0  # mV per spike: enough for the post group to fire
    return bp.Network(pre, post, syn), pre, post, syn


def spike_count(group: bp.NeuGroup) -> int:
    """Spikes recorded by ``group``'s monitor."""
    return int(np.asarray(group.mon.spike).sum())


def make_group(num: int = 20, monitors: tuple[str, ...] = ("spike",)) -> tuple[bp.NeuGroup, bp.Network]:
    """One LIF group at dt = 0.1 ms in its own network (for the view tests)."""
    bp.profile.set(dt=0.1)
    group = bp.NeuGroup(bp.models.get_LIF(), geometry=num, monitors=list(monitors))
    return group, bp.Network(group)


def stream(view, net, group, current, run_id=1, duration=200.0, chunk=100, after=None) -> list:
    """Run ``net`` and draw a frame into ``view`` between chunks, as a session does; return the frames."""
    from brainlab_widgets.frames import Frame

    frames = []

    def callback(p):
        frame = Frame(net, run_id, p.steps_done, p.n_steps, net.ts, net.dt, final=p.steps_done == p.n_steps)
        frames.append(frame)
        view.draw(frame)
        if after is not None:
            after(frame)

    net.run(duration, inputs=[group, "ST.input", current], callback=callback, chunk_steps=chunk)
    return frames
