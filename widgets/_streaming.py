"""What the streaming views share: run bookkeeping, draw timing, the time scale and the figure layout.

A view subclasses :class:`StreamingBase` and implements three hooks:
``_start_run(frame)`` (a frame of a new run arrived: empty the marks, size the
buffers), ``_draw(frame)`` (show the frame) and ``_clear()`` (Reset). The base
serialises ``draw`` and ``clear`` under one lock, because the session calls
``draw`` from its worker thread while the Reset button calls ``clear`` from the
kernel's thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import bqplot
import ipywidgets as w
import numpy as np

from brainlab_widgets.frames import Frame

__all__ = [
    "EMPTY",
    "StreamingBase",
    "check_monitored",
    "make_figure",
    "set_time_range",
    "time_axis",
    "time_scale",
]

#: An empty float32 array (marks start from it; float32 halves what goes over the comm).
EMPTY = np.zeros(0, dtype=np.float32)
EMPTY.flags.writeable = False

_MARGIN = {"top": 30, "bottom": 40, "left": 60, "right": 20}


def check_monitored(view: str, group: Any, field: str) -> None:
    """Raise ``ValueError`` unless ``group`` monitors ``field``; the message says how to fix it."""
    mon = getattr(group, "mon", None)
    fields = list(getattr(mon, "fields", ()))
    if field not in fields:
        name = getattr(group, "name", type(group).__name__)
        raise ValueError(
            f"{view} needs the {field!r} monitor of {name!r}, but it monitors {fields or 'nothing'}; "
            f"create the group with monitors=[{', '.join(repr(f) for f in [*fields, field])}]."
        )


def time_scale() -> bqplot.LinearScale:
    """Return the x scale of a view: fixed to the run's span by :func:`set_time_range` once a frame arrives."""
    return bqplot.LinearScale(min=0.0, max=1.0)


def time_axis(scale: bqplot.LinearScale, label: str = "time (ms)") -> bqplot.Axis:
    """Return the time axis of ``scale``."""
    return bqplot.Axis(scale=scale, label=label)


def set_time_range(scale: bqplot.LinearScale, frame: Frame) -> None:
    """Fix ``scale`` to ``[t_start, t_end]`` of the run, so that the marks fill it left to right while streaming.

    Traitlets sends only changed values, so calling this on every frame costs one
    message per run at most.
    """
    low, high = frame.t_start, frame.t_end
    if not high > low:  # an empty run: keep a valid domain
        high = low + 1.0
    with scale.hold_sync():
        scale.min = low
        scale.max = high


def make_figure(marks: list, axes: list, title: str | None, height: str) -> bqplot.Figure:
    """Return a figure with the views' common margins, full width and ``height``."""
    return bqplot.Figure(
        marks=marks,
        axes=axes,
        title=title or "",
        fig_margin=dict(_MARGIN),
        layout=w.Layout(height=height, width="100%"),
        animation_duration=0,  # a transition per frame would lag behind the stream
    )


class StreamingBase:
    """Run bookkeeping and timing of a streaming view (see the module docstring).

    Attributes
    ----------
    widget : ipywidgets.VBox
        What is displayed (set by the subclass).
    """

    widget: w.VBox

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._run_id: int | None = None
        self._last_frame: Frame | None = None
        self._frames_drawn = 0
        self._last_draw_s = 0.0

    # -- display -----------------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- read-only state ---------------------------------------------------------------------------------------

    @property
    def frames_drawn(self) -> int:
        """Number of frames drawn since the view was created."""
        return self._frames_drawn

    @property
    def last_draw_s(self) -> float:
        """Seconds the last :meth:`draw` took."""
        return self._last_draw_s

    # -- protocol ----------------------------------------------------------------------------------------------

    def draw(self, frame: Frame) -> None:
        """Show ``frame``; a frame of a new run (new ``run_id``) first empties the view.

        Parameters
        ----------
        frame : Frame
            The update to show (called in the session's worker thread).
        """
        with self._lock:
            start = time.perf_counter()
            if frame.run_id != self._run_id:
                self._run_id = frame.run_id
                self._start_run(frame)
            self._draw(frame)
            self._last_frame = frame
            self._frames_drawn += 1
            self._last_draw_s = time.perf_counter() - start

    def clear(self) -> None:
        """Remove everything drawn; the next frame, whatever its run, starts from empty marks."""
        with self._lock:
            self._run_id = None
            self._last_frame = None
            self._clear()

    def _redraw(self) -> None:
        """Draw the last frame again from scratch (after a setting changed)."""
        with self._lock:
            frame = self._last_frame
            if frame is None:
                return
            self._run_id = None
            self.draw(frame)
            self._frames_drawn -= 1  # a redraw is not a new frame

    # -- hooks -------------------------------------------------------------------------------------------------

    def _start_run(self, frame: Frame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, frame: Frame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _clear(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
