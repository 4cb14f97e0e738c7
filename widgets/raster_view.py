"""A streaming spike raster with the population rate underneath.

:class:`RasterView` is a view of a :class:`~brainlab_widgets.session.Session`:
on every frame it takes only the spikes recorded since the previous frame of
the same run, appends them to growing buffers and updates its marks in place.
Above ``max_svg_points`` points the raster moves from the SVG ``bqplot.Scatter``
to the WebGL ``bqplot_gl.ScatterGL`` (SVG slows down with many thousand
circles); above ``max_points`` it stops adding points and says how many it
left out (the rate still counts every spike).
"""

from __future__ import annotations

import html
import math
from typing import Any

import bqplot
import bqplot_gl
import ipywidgets as w
import numpy as np

from brainlab_widgets._streaming import (
    EMPTY,
    StreamingBase,
    check_monitored,
    make_figure,
    set_time_range,
    time_axis,
    time_scale,
)
from brainlab_widgets.frames import Frame

__all__ = ["RasterView"]

#: Bins of the rate line in a run when ``rate_bin`` is not given.
DEFAULT_RATE_BINS = 200
_SPIKE_COLOUR = "#1f3b73"
_RATE_COLOUR = "#c0392b"
_MARKER_SIZE = 4  # bqplot sizes are areas in px²: a dot of about 2 px
_RATE_HEIGHT = "150px"
_FIRST_CAPACITY = 4096


def _check_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


class RasterView(StreamingBase):
    """Spike raster and population rate of one neuron group, drawn while the network runs.

    The view is a controller, not a widget: :attr:`widget` is its
    ``ipywidgets.VBox`` (displaying the view displays it). A session calls
    :meth:`draw` with each :class:`~brainlab_widgets.frames.Frame` and
    :meth:`clear` on Reset.

    Parameters
    ----------
    group : brainlab.NeuGroup
        The group drawn; it must monitor ``'spike'``.
    max_svg_points : int
        Above this many points the raster is drawn with WebGL (``bqplot_gl.ScatterGL``).
    max_points : int
        The raster keeps at most this many points; later spikes are left out
        (and counted in a note), but still count in the rate.
    rate_bin : float, optional
        Bin width of the rate (ms), rounded to a whole number of time steps
        (at least one). Default: about 200 bins per run.
    title : str, optional
        Title of the raster (default: the group's name).
    height : str
        CSS height of the raster figure.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The raster figure, the rate figure and the note.
    raster_figure, rate_figure : bqplot.Figure
    rate_line : bqplot.Lines
        Population rate (Hz) at the bin centres.
    note : ipywidgets.HTML
        Says how many spikes were left out (hidden while none is).

    Raises
    ------
    ValueError
        If ``group`` does not monitor ``'spike'`` or a setting is out of range.
    """

    def __init__(
        self,
        group: Any,
        *,
        max_svg_points: int = 5000,
        max_points: int = 1_000_000,
        rate_bin: float | None = None,
        title: str | None = None,
        height: str = "260px",
    ):
        super().__init__()
        check_monitored("RasterView", group, "spike")
        self.group = group
        self.max_svg_points = _check_count(max_svg_points, "max_svg_points")
        self.max_points = _check_count(max_points, "max_points")
        if rate_bin is not None and (
            isinstance(rate_bin, bool)
            or not isinstance(rate_bin, int | float)
            or not math.isfinite(rate_bin)
            or rate_bin <= 0
        ):
            raise ValueError(f"rate_bin must be a positive number of ms, got {rate_bin!r}")
        self._rate_bin_asked = None if rate_bin is None else float(rate_bin)
        num = int(group.num)

        self.x_scale = time_scale()
        self._y_scale = bqplot.LinearScale(min=-0.5, max=num - 0.5)
        self._rate_scale = bqplot.LinearScale(min=0.0)
        scales = {"x": self.x_scale, "y": self._y_scale}
        style = {"default_size": _MARKER_SIZE, "colors": [_SPIKE_COLOUR], "stroke_width": 0}
        self._svg = bqplot.Scatter(x=EMPTY, y=EMPTY, scales=scales, **style)
        self._gl: bqplot_gl.ScatterGL | None = None  # made at the first switch, then reused
        self._scatter: bqplot.Scatter = self._svg
        self._rate_line = bqplot.Lines(
            x=EMPTY, y=EMPTY, scales={"x": self.x_scale, "y": self._rate_scale}, colors=[_RATE_COLOUR]
        )
        index_axis = bqplot.Axis(scale=self._y_scale, side="left", label="neuron", tick_format="d")
        rate_axis = bqplot.Axis(scale=self._rate_scale, side="left", label="rate (Hz)")
        self._raster_figure = make_figure(
            [self._svg], [time_axis(self.x_scale), index_axis], title if title is not None else group.name, height
        )
        # The rate shares the raster's x scale, so the two stay aligned.
        self._rate_figure = make_figure([self._rate_line], [time_axis(self.x_scale), rate_axis], None, _RATE_HEIGHT)
        self.note = w.HTML(layout=w.Layout(display="none"))
        self.widget = w.VBox([self._raster_figure, self._rate_figure, self.note])
        self._reset_run_state(n_steps=0, dt=1.0)

    # -- read-only state ---------------------------------------------------------------------------------------

    @property
    def scatter(self) -> bqplot.Scatter:
        """The raster mark now shown (``bqplot.Scatter``, or ``bqplot_gl.ScatterGL`` when :attr:`uses_webgl`)."""
        return self._scatter

    @property
    def raster_marks(self) -> tuple[Any, ...]:
        """Every raster mark made so far: the SVG one, and the WebGL one once it exists."""
        return (self._svg,) if self._gl is None else (self._svg, self._gl)

    @property
    def rate_line(self) -> bqplot.Lines:
        """The population rate (Hz) against the bin centres (ms)."""
        return self._rate_line

    @property
    def raster_figure(self) -> bqplot.Figure:
        """The figure of the raster."""
        return self._raster_figure

    @property
    def rate_figure(self) -> bqplot.Figure:
        """The figure of the rate."""
        return self._rate_figure

    @property
    def uses_webgl(self) -> bool:
        """Whether the raster is drawn by ``bqplot_gl.ScatterGL``."""
        return self._scatter is self._gl

    @property
    def n_points(self) -> int:
        """Points in the raster (spikes drawn; at most ``max_points``)."""
        return self._n

    @property
    def n_omitted(self) -> int:
        """Spikes of this run left out of the raster because of ``max_points``."""
        return self._omitted

    @property
    def n_spikes(self) -> int:
        """Spikes of this run seen so far (drawn or not)."""
        return self._n + self._omitted

    @property
    def rate_bin(self) -> float:
        """Bin width of the rate in this run (ms): a whole number of time steps."""
        return self._steps_per_bin * self._dt

    @property
    def spike_times(self) -> np.ndarray:
        """Times (ms, float32) of the points drawn, in the order recorded (a read-only view)."""
        return self._read_only(self._times[: self._n])

    @property
    def spike_indices(self) -> np.ndarray:
        """Neuron indices (float32, exact below 2**24) of the points drawn (a read-only view)."""
        return self._read_only(self._indices[: self._n])

    @staticmethod
    def _read_only(view: np.ndarray) -> np.ndarray:
        view = view.view()
        view.flags.writeable = False
        return view

    # -- streaming ---------------------------------------------------------------------------------------------

    def _reset_run_state(self, n_steps: int, dt: float) -> None:
        # Fresh buffers each run: a mark keeps the array it was given, and traitlets compares a new value with it,
        # so overwriting a buffer a mark still holds could make a new run's first points look unchanged.
        self._times = np.empty(_FIRST_CAPACITY, dtype=np.float32)
        self._indices = np.empty(_FIRST_CAPACITY, dtype=np.float32)
        self._n = 0
        self._omitted = 0
        self._rows_seen = 0
        self._dt = float(dt)
        if self._rate_bin_asked is not None:
            self._steps_per_bin = max(1, round(self._rate_bin_asked / self._dt))
        else:
            self._steps_per_bin = max(1, round(n_steps / DEFAULT_RATE_BINS))
        self._counts = np.zeros(-(-n_steps // self._steps_per_bin), dtype=np.int64)

    def _start_run(self, frame: Frame) -> None:
        self._reset_run_state(frame.n_steps, frame.dt)
        set_time_range(self.x_scale, frame)
        self._show_note()

    def _draw(self, frame: Frame) -> None:
        done = frame.steps_done
        if done < self._rows_seen:  # the same run shrank (monitors truncated and rerun): start it again
            self._start_run(frame)
        seen = self._rows_seen
        if done > seen:
            new = frame.monitor(self.group, "spike")[seen:done]
            rows, index = np.nonzero(new.reshape(done - seen, -1))
            steps = rows + seen
            self._rows_seen = done
            if steps.size:
                self._count(steps)
                self._append(frame.ts[steps], index)
        self._choose_mark(frame.final)
        with self._scatter.hold_sync():  # one message with x and y, so the two never disagree in the front end
            self._scatter.x = self._times[: self._n]
            self._scatter.y = self._indices[: self._n]
        self._draw_rate(frame, done)
        self._show_note()

    def _count(self, steps: np.ndarray) -> None:
        """Add spikes at ``steps`` to the rate bins (only the bins they touch)."""
        bins = steps // self._steps_per_bin
        first = int(bins[0])
        if bins[-1] >= self._counts.size:  # steps past n_steps cannot happen in a run; stay safe
            self._counts = np.concatenate([self._counts, np.zeros(int(bins[-1]) + 1 - self._counts.size, np.int64)])
        counts = np.bincount(bins - first)
        self._counts[first : first + counts.size] += counts

    def _append(self, times: np.ndarray, index: np.ndarray) -> None:
        room = self.max_points - self._n
        if times.size > room:
            self._omitted += times.size - room
            times, index = times[:room], index[:room]
        if not times.size:
            return
        end = self._n + times.size
        if end > self._times.size:  # grow geometrically: amortised O(1) per spike
            capacity = max(end, 2 * self._times.size)
            self._times = np.concatenate([self._times[: self._n], np.empty(capacity - self._n, np.float32)])
            self._indices = np.concatenate([self._indices[: self._n], np.empty(capacity - self._n, np.float32)])
        self._times[self._n : end] = times
        self._indices[self._n : end] = index
        self._n = end

    def _choose_mark(self, final: bool) -> None:
        """Show the SVG or the WebGL mark, whichever suits the points (swapped once, scales kept).

        A busy run needs WebGL again after its first frames: the WebGL mark stays
        until a run ends with few points, so that reruns do not swap marks twice.
        """
        want_gl = self._n > self.max_svg_points or (self.uses_webgl and not final)
        if want_gl == self.uses_webgl:
            return
        if want_gl and self._gl is None:
            svg = self._svg
            self._gl = bqplot_gl.ScatterGL(
                x=EMPTY,
                y=EMPTY,
                scales=dict(svg.scales),
                default_size=svg.default_size,
                colors=list(svg.colors),
                stroke_width=svg.stroke_width,
            )
        old = self._scatter
        self._scatter = self._gl if want_gl else self._svg
        with old.hold_sync():  # free the hidden mark's copy of the data in the front end
            old.x = EMPTY
            old.y = EMPTY
        # The caller sets the data right after; marks then holds the new mark only.
        self._raster_figure.marks = [self._scatter]

    def _draw_rate(self, frame: Frame, done: int) -> None:
        """Set the rate line to the bins up to ``done``; the last bin is divided by the part of it covered so far."""
        spb = self._steps_per_bin
        n_bins = min(-(-done // spb), self._counts.size)
        if n_bins == 0:
            x = y = EMPTY
        else:
            starts = np.arange(n_bins) * spb
            covered = np.minimum(spb, done - starts)
            x = (frame.ts[starts] + 0.5 * covered * frame.dt).astype(np.float32)
            seconds = covered * frame.dt / 1000.0
            y = (self._counts[:n_bins] / (max(int(self.group.num), 1) * seconds)).astype(np.float32)
        with self._rate_line.hold_sync():
            self._rate_line.x = x
            self._rate_line.y = y

    def _show_note(self) -> None:
        if self._omitted:
            text = (
                f"{self._omitted:,} of {self.n_spikes:,} spikes are not drawn: the raster stops at "
                f"max_points={self.max_points:,}. The rate counts all of them."
            )
            self.note.value = f'<span style="color:#8a5300">{html.escape(text)}</span>'
            self.note.layout.display = None
        else:
            self.note.layout.display = "none"
            self.note.value = ""

    def _clear(self) -> None:
        self._reset_run_state(n_steps=0, dt=self._dt)
        for mark in (self._svg, self._gl, self._rate_line):
            if mark is not None:
                with mark.hold_sync():
                    mark.x = EMPTY
                    mark.y = EMPTY
        if self._scatter is not self._svg:
            self._scatter = self._svg
            self._raster_figure.marks = [self._svg]
        self._show_note()
