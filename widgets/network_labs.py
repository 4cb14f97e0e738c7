"""The network labs of the teaching apps: a :class:`~brainlab_widgets.lab.Lab` plus what each lesson measures.

:class:`RunSummary` shows numbers computed from every finished run of a session
(the lab's raster streams during the run; the summary follows its end).
:class:`GammaLab` is the interneuron gamma network with a synaptic-delay slider
and the coherence κ; :class:`EIBalanceLab` the balanced E/I network with the
rates and the irregularity (CV of inter-spike intervals) of its two populations;
:func:`connectivity_lab` a small E/I network whose connector panel is open.

The synaptic delay is not a compile-time constant: the network is lowered again
at every run of repeat mode, and each run reads ``SynConn.delay`` and sizes its
delay buffer then. Changing it between runs therefore reruns without
recompiling, except between zero and a positive delay (a delay buffer appears or
goes: one compile each way, cached on disk).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import numpy as np

import brainlab as bp
from brainlab.errors import ModelUseError
from brainlab_widgets._slider_grid import align_all, align_to_grid
from brainlab_widgets.lab import Lab
from brainlab_widgets.param_panel import CheckedSlider

__all__ = ["EIBalanceLab", "GammaLab", "RunSummary", "connectivity_lab", "isi_cv", "settled"]

#: Milliseconds at the start of a run that the summaries leave out (the network settles).
TRANSIENT_MS = 100.0


def settled(spikes: np.ndarray, dt: float, transient: float = TRANSIENT_MS) -> np.ndarray:
    """Return the rows of a ``(steps, neurons)`` spike history after ``transient`` ms (all rows if it is shorter)."""
    start = round(transient / dt)
    return spikes[start:] if spikes.shape[0] > 2 * start else spikes


def isi_cv(spikes: np.ndarray, dt: float, min_intervals: int = 2) -> tuple[float, int]:
    """Return the mean coefficient of variation of the inter-spike intervals, and how many neurons it averages.

    Parameters
    ----------
    spikes : numpy.ndarray
        Spike history ``(steps, neurons)``; an entry > 0 is a spike.
    dt : float
        Time step (ms).
    min_intervals : int
        Neurons with fewer intervals are left out.

    Returns
    -------
    cv : float
        Mean over neurons of std(ISI) / mean(ISI); NaN when no neuron qualifies.
    count : int
        Number of neurons averaged.
    """
    spikes = np.asarray(spikes).reshape(spikes.shape[0], -1)
    neuron, step = np.nonzero(spikes.T > 0)  # sorted by neuron, then by time
    if neuron.size < 2:
        return math.nan, 0
    same = neuron[1:] == neuron[:-1]
    isi = (np.diff(step)[same] * dt).astype(float)
    owner = neuron[1:][same]
    num = spikes.shape[1]
    count = np.bincount(owner, minlength=num)
    total = np.bincount(owner, weights=isi, minlength=num)
    squares = np.bincount(owner, weights=isi * isi, minlength=num)
    keep = count >= max(min_intervals, 1)
    if not keep.any():
        return math.nan, 0
    mean = total[keep] / count[keep]
    var = np.maximum(squares[keep] / count[keep] - mean * mean, 0.0)
    return float(np.mean(np.sqrt(var) / mean)), int(keep.sum())


def _rate(spikes: np.ndarray, dt: float) -> float:
    """Mean firing rate (Hz) of a ``(steps, neurons)`` spike history."""
    seconds = spikes.shape[0] * dt / 1000.0
    neurons = spikes.reshape(spikes.shape[0], -1).shape[1]
    return float(np.count_nonzero(spikes > 0) / neurons / seconds) if seconds > 0 and neurons else math.nan


class RunSummary:
    """Numbers measured on every finished run of a session, shown as one line of HTML.

    The session's ``state`` trait is observed: when a run ends (``'done'``, or
    ``'stopped'`` with what it recorded so far) ``measure(network)`` is called in
    the session's worker thread and its ``label -> value`` items are shown.
    Errors of ``measure`` are shown in the line, never raised (in Voila they
    would vanish).

    Parameters
    ----------
    session : Session
        The session whose runs are measured.
    measure : callable
        ``measure(network) -> {label: number or text}``.
    title : str
        Shown before the numbers.

    Attributes
    ----------
    widget : ipywidgets.HTML
    values : dict
        The last measured items (empty before the first run ends or after an error).
    last_text : str
        The line as plain text.
    runs_measured : int
        How many runs were measured.
    """

    def __init__(self, session: Any, measure: Callable[[Any], Mapping[str, Any]], title: str = "Last run"):
        self.session = session
        self.measure = measure
        self.title = title
        self.values: dict[str, Any] = {}
        self.last_text = ""
        self.runs_measured = 0
        self.widget = w.HTML(layout=w.Layout(min_height="1.6em"))
        self._show(f"{title}: the numbers appear when a run ends.")
        session.observe(self._state_changed, names="state")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _state_changed(self, change: Mapping[str, Any]) -> None:
        if change["new"] in ("done", "stopped"):
            self.update(stopped=change["new"] == "stopped")

    def update(self, stopped: bool = False) -> None:
        """Measure the network's monitors now and show the result."""
        try:
            values = dict(self.measure(self.session.network))
        except Exception as exc:  # shown, not raised: a Voila user would see nothing otherwise
            self.values = {}
            self._show(f"{self.title}: could not be measured ({type(exc).__name__}: {exc})", error=True)
            return
        self.values = values
        self.runs_measured += 1
        parts = [f"{label} {_format(value)}" for label, value in values.items()]
        note = " (run stopped early: measured on what it recorded)" if stopped else ""
        self._show(f"{self.title}{note}: " + " · ".join(parts))

    def _show(self, text: str, error: bool = False) -> None:
        self.last_text = text
        colour = "#b00020" if error else "#1b3a5c"
        self.widget.value = f'<div style="color:{colour};font-size:1.05em">{html.escape(text)}</div>'


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "–" if not math.isfinite(value) else f"{value:.3g}"
    return str(value)


def _prepare_params(lab: Lab) -> None:
    """Drop the "V₀ (all)" sliders and put every slider's value on its step grid.

    These lessons need the built, heterogeneous initial state: one start value for
    all neurons synchronises them (κ = 1 in the gamma network). And a browser sends
    a slider's value back snapped to the step grid when it draws it; off the grid
    (the mean of the built voltages, 10/√K ...) that would change the model before
    anyone touched a slider (see :mod:`brainlab_widgets._slider_grid`).
    """
    params = lab.params
    params.initial_fields = {obj.name: [] for obj in lab.network.objects if hasattr(obj, "geometry")}
    params.rebuild()

    def align(_change: Any = None) -> None:
        align_all(control.slider for control in params.controls.values())

    align()
    lab.session.observe(align, names="structure_version")  # after the panel's own rebuild


def _add_to_header(lab: Lab, *widgets: w.Widget) -> None:
    header = lab.widget.header
    header.children = (*header.children, *widgets)
    # Rows as tall as their content: with the lab's equal fractions the header row is as tall as the raster's.
    lab.widget.layout.grid_template_rows = "auto auto auto"


def _add_to_sidebar(lab: Lab, *widgets: w.Widget) -> None:
    sidebar = lab.widget.right_sidebar
    title, *rest = sidebar.children
    sidebar.children = (title, *widgets, *rest)


class GammaLab:
    """The interneuron gamma network (``Lab.from_network('gamma')``) with a delay slider and the coherence κ.

    The parameter panel has the synaptic ``g_max`` and the drive ``input0``; this
    lab adds the synaptic delay (multiples of dt, 0 to 4 ms) and, after each run,
    κ (Wang & Buzsáki's coherence, 1 ms bins), the population frequency and the
    mean rate, measured after the first 100 ms.

    Parameters
    ----------
    autorun : bool
        Start the first run at once.
    **options
        Passed to :meth:`Lab.from_network`.

    Attributes
    ----------
    lab : Lab
    session : Session
    neurons, synapses : NeuGroup, SynConn
    delay : CheckedSlider
        ``delay.slider`` is the widget.
    summary : RunSummary
    widget : ipywidgets.AppLayout
    """

    MAX_DELAY = 4.0

    def __init__(self, autorun: bool = True, **options: Any):
        self.lab = Lab.from_network("gamma", autorun=False, **options)
        _prepare_params(self.lab)
        self.session = self.lab.session
        self.neurons, self.synapses = self.lab.groups["neurons"], self.lab.groups["synapses"]
        self.dt = self.session.dt
        self.built_delay = float(self.synapses.delay)
        self.delay_message = w.HTML()
        self.delay = CheckedSlider(
            "delay", "synaptic delay (ms)", self.built_delay, (0.0, self.MAX_DELAY, self.dt), False,
            self.set_delay, self._report,
        )  # fmt: skip
        self.delay.slider.readout_format = ".2f"
        align_to_grid(self.delay.slider)
        note = w.HTML(
            "<small>The delay changes between runs without recompiling (0 ms recompiles once: no delay buffer).</small>"
        )
        self.summary = RunSummary(self.session, self.measure, "After the transient")
        _add_to_header(self.lab, self.summary.widget)
        _add_to_sidebar(self.lab, w.VBox([self.delay.slider, note, self.delay_message]))
        self.session.observe(self._reset, names="reset_count")
        self.widget = self.lab.widget
        if autorun:
            self.session.run()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def set_delay(self, value: float, rerun: bool = True) -> float:
        """Set the synaptic delay (rounded to a whole number of steps) and rerun; return the delay used."""
        value = float(value)
        if not (math.isfinite(value) and 0.0 <= value <= self.MAX_DELAY + 1e-9):
            raise ModelUseError(f"the delay must be between 0 and {self.MAX_DELAY:g} ms, got {value!r}")
        steps = round(value / self.dt)
        delay = float(f"{steps * self.dt:.10g}")
        self.synapses.delay = delay  # read by the next run's lowering: no recompile (see the module docstring)
        self.lab._describe_model()
        if rerun:
            self.session.request_run()
        return delay

    def measure(self, network: Any) -> dict[str, Any]:
        """Return κ, the population frequency and the mean rate of the last run (after the transient)."""
        spikes = settled(np.asarray(self.neurons.mon.spike), self.dt)
        if spikes.shape[0] == 0:
            return {"κ": math.nan}
        return {
            "κ": bp.measure.cross_correlation(spikes, bin_size=max(1, round(1.0 / self.dt))),
            "population frequency (Hz)": bp.measure.population_frequency(spikes, dt=self.dt),
            "mean rate (Hz)": _rate(spikes, self.dt),
            "delay (ms)": self.synapses.delay,
        }

    def _report(self, text: str) -> None:
        self.delay_message.value = f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""

    def _reset(self, _change: Any) -> None:
        try:
            self.set_delay(self.built_delay, rerun=False)
            self.delay.show(self.built_delay)
        except Exception as exc:  # an observer must never raise into the comm
            self._report(f"{type(exc).__name__}: {exc}")


class EIBalanceLab:
    """The balanced E/I network (``Lab.from_network('EI_balance')``) with rates and irregularity after each run.

    After each run (leaving out the first 100 ms): the mean rates of the
    excitatory and inhibitory neurons, and the mean CV of the inter-spike
    intervals (near 1 in the balanced state, near 0 for regular firing).

    Parameters
    ----------
    autorun : bool
        Start the first run at once.
    **options
        Passed to :meth:`Lab.from_network`.

    Attributes
    ----------
    lab : Lab
    session : Session
    summary : RunSummary
    widget : ipywidgets.AppLayout
    """

    def __init__(self, autorun: bool = True, **options: Any):
        self.lab = Lab.from_network("EI_balance", autorun=False, **options)
        _prepare_params(self.lab)
        self.session = self.lab.session
        self.neurons = self.lab.groups["neurons"]
        self.num_exc = int(self.lab.groups["num_exc"])
        self.summary = RunSummary(self.session, self.measure, "After the transient")
        _add_to_header(self.lab, self.summary.widget)
        self.widget = self.lab.widget
        if autorun:
            self.session.run()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def measure(self, network: Any) -> dict[str, Any]:
        """Return the E and I rates and the mean CV of the ISIs of the last run."""
        return ei_measures(np.asarray(self.neurons.mon.spike), self.session.dt, self.num_exc)


def ei_measures(spikes: np.ndarray, dt: float, num_exc: int) -> dict[str, Any]:
    """Rates of the excitatory (first ``num_exc``) and inhibitory neurons, and the CV of the ISIs."""
    spikes = settled(spikes, dt)
    cv, counted = isi_cv(spikes, dt)
    return {
        "E rate (Hz)": _rate(spikes[:, :num_exc], dt),
        "I rate (Hz)": _rate(spikes[:, num_exc:], dt),
        "CV of ISIs": cv,
        "neurons with ≥ 2 ISIs": f"{counted} of {spikes.shape[1]}",
    }


def connectivity_lab(autorun: bool = True, num_exc: int = 80, num_inh: int = 20, K: float = 25.0) -> Lab:
    """Return a lab over a small balanced E/I network, its connector panel open, with rates and CV after each run.

    100 LIF neurons (80 excitatory) are small enough that the connector panel
    previews the exact connection matrix; Apply rewires ``exc`` or ``inh`` and the
    raster shows the effect in the next run. With K = 25 the jumps are round numbers
    (J_e = 2 mV), which the sliders show exactly.
    """
    with bp.profile.temporary(dt=0.1):
        net, groups = bp.models.get_EI_balance_network(num_exc=num_exc, num_inh=num_inh, K=K)
    lab = Lab.from_network(
        net, duration=500.0, dt=0.1, autorun=False,
        title=f"Connectivity lab: a balanced E/I network of {num_exc + num_inh} LIF neurons",
    )  # fmt: skip
    _prepare_params(lab)
    neurons = groups["neurons"]
    summary = RunSummary(
        lab.session, lambda _net: ei_measures(np.asarray(neurons.mon.spike), 0.1, num_exc), "After the transient"
    )
    _add_to_header(lab, summary.widget)
    lab.summary = summary
    lab.groups = groups
    lab.widget.footer.selected_index = 0  # the connector panel is the lesson: open it
    if autorun:
        lab.session.run()
    return lab
