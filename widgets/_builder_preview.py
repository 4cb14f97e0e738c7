"""Helpers of the type builder: the debouncer of as-you-type checks and the preview simulation and plot.

The preview runs a built type through brainlab's public API only (``NeuGroup``,
``SynConn``, ``Network``, ``inputs``) and draws the result with bqplot.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import bqplot
import numpy as np

import brainlab as bp

__all__ = ["POST_NEURON", "Debouncer", "Preview", "plotted_variable", "simulate_neuron", "simulate_synapse"]

#: The passive postsynaptic neuron of a synapse preview (resting at -65 mV).
POST_NEURON = "dV/dt = (-(V + 65) + I) / 10"
#: Presynaptic spike times (ms) of a synapse preview.
PRE_SPIKES = (20.0, 60.0, 70.0, 80.0, 140.0)
#: Fields every generated neuron has besides its variables.
_NEURON_FIELDS = ("input", "spike", "t_last_spike")


class Debouncer:
    """Call ``callback`` once the triggers have settled for ``delay`` seconds.

    Parameters
    ----------
    callback : callable
        Called with no arguments.
    delay : float
        Settle time in seconds.
    clock : callable, optional
        Returns the time in seconds (default :func:`time.monotonic`).
    schedule : callable, optional
        ``schedule(seconds, function)`` runs ``function`` later and returns an
        object with ``cancel()``. The default starts a daemon
        :class:`threading.Timer`; tests pass one that never fires and call
        :meth:`flush`.
    """

    def __init__(
        self,
        callback: Callable[[], None],
        delay: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
        schedule: Callable[[float, Callable[[], None]], Any] | None = None,
    ):
        self._callback = callback
        self.delay = float(delay)
        self._clock = clock
        self._schedule = schedule or _start_timer
        self._lock = threading.Lock()
        self._last = 0.0
        self._pending = False
        self._handle: Any = None

    @property
    def pending(self) -> bool:
        """Whether a trigger has not been followed by a call yet."""
        return self._pending

    def trigger(self) -> None:
        """Note a change; the callback runs ``delay`` seconds after the last one."""
        with self._lock:
            self._last = self._clock()
            self._pending = True
            if self._handle is None:
                self._handle = self._schedule(self.delay, self._fire)

    def flush(self) -> None:
        """Run the pending callback now (nothing happens when none is pending)."""
        with self._lock:
            self._cancel_locked()
            run, self._pending = self._pending, False
        if run:
            self._callback()

    def cancel(self) -> None:
        """Forget the pending callback."""
        with self._lock:
            self._cancel_locked()
            self._pending = False

    def _cancel_locked(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        with self._lock:
            self._handle = None
            if not self._pending:
                return
            left = self._last + self.delay - self._clock()
            if left > 0:  # triggered again meanwhile: wait for the rest of the settle time
                self._handle = self._schedule(left, self._fire)
                return
            self._pending = False
        self._callback()


def _start_timer(seconds: float, function: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, function)
    timer.daemon = True
    timer.start()
    return timer


def plotted_variable(model: Any) -> str:
    """Return the variable a preview draws: ``V`` when the model has one, else its first variable."""
    names = [name for name in model.ST.keys() if name not in _NEURON_FIELDS]
    return "V" if "V" in names else names[0]


def _check_setting(value: Any, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"the {what} must be a finite number")
    if not low <= value <= high:
        raise ValueError(f"the {what} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def simulate_neuron(
    model: Any, amplitude: float, dt: float, duration: float = 200.0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Simulate one neuron of ``model`` under a step current.

    The current is ``amplitude`` from 20 ms to ``duration - 20`` ms and 0 outside.

    Returns
    -------
    ts, values : numpy.ndarray
        Times (ms) and the plotted variable (see :func:`plotted_variable`).
    name : str
        The plotted variable.
    """
    amplitude = _check_setting(amplitude, "step current", -1e6, 1e6)
    dt = _check_setting(dt, "time step", 1e-4, 1.0)
    name = plotted_variable(model)
    with bp.profile.temporary(dt=dt):
        group = bp.NeuGroup(model, 1, monitors=[name])
        current, _ = bp.inputs.constant_current([(0.0, 20.0), (amplitude, duration - 40.0), (0.0, 20.0)], dt)
        net = bp.Network(group)
        net.run(duration, inputs=[(group, "ST.input", current)])
        return np.array(net.ts), np.array(getattr(group.mon, name))[:, 0], name


def simulate_synapse(model: Any, dt: float, duration: float = 200.0) -> tuple[np.ndarray, np.ndarray, str]:
    """Drive ``model`` from a spike source into a passive neuron (:data:`POST_NEURON`).

    Returns
    -------
    ts, values : numpy.ndarray
        Times (ms) and the postsynaptic potential.
    name : str
        ``'V'``.
    """
    dt = _check_setting(dt, "time step", 1e-4, 1.0)
    with bp.profile.temporary(dt=dt):
        post_type = bp.NeuType.from_equations(POST_NEURON, initial={"V": -65.0}, name="PassivePost")
        source = bp.inputs.SpikeTimeInput(1, times=list(PRE_SPIKES))
        post = bp.NeuGroup(post_type, 1, monitors=["V"])
        conn = bp.SynConn(model, source, post, bp.connect.All2All())
        net = bp.Network(source, conn, post)
        net.run(duration)
        return np.array(net.ts), np.array(post.mon.V)[:, 0], "V"


class Preview:
    """A bqplot figure of one trace, updated in place."""

    def __init__(self) -> None:
        self.x_scale = bqplot.LinearScale()
        self.y_scale = bqplot.LinearScale()
        self.line = bqplot.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": self.x_scale, "y": self.y_scale})
        self.x_axis = bqplot.Axis(scale=self.x_scale, label="time (ms)")
        self.y_axis = bqplot.Axis(scale=self.y_scale, side="left", label="V")
        self.figure = bqplot.Figure(
            marks=[self.line],
            axes=[self.x_axis, self.y_axis],
            fig_margin={"top": 20, "bottom": 40, "left": 60, "right": 20},
            layout={"height": "260px", "width": "100%"},
        )

    def show(self, ts: np.ndarray, values: np.ndarray, label: str) -> None:
        """Draw ``values`` against ``ts`` (the y-axis label is a checked identifier or a fixed text)."""
        with self.line.hold_sync():
            self.line.x = ts
            self.line.y = values
        self.y_axis.label = label

    def clear(self) -> None:
        """Remove the trace."""
        with self.line.hold_sync():
            self.line.x = np.zeros(0)
            self.line.y = np.zeros(0)
