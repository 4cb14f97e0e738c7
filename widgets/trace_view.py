"""Streaming state traces: one monitored field of a few elements of a group against time.

:class:`TraceView` is a view of a :class:`~brainlab_widgets.session.Session`.
It draws every ``stride``-th recorded step, the stride fixed per run from the
run's length so that no line has more than ``max_points_per_line`` points and
the points already drawn keep their place while the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import bqplot
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

__all__ = ["TraceView"]


class TraceView(StreamingBase):
    """Traces of chosen elements of a monitored field, drawn while the network runs.

    The view is a controller, not a widget: :attr:`widget` is its
    ``ipywidgets.VBox``. One ``bqplot.Lines`` mark holds all traces (a 2-D
    ``y``, one row per element), labelled ``"<group>[<i>]"``.

    Parameters
    ----------
    group : brainlab.NeuGroup
        The group drawn; it must monitor ``field``.
    field : str
        The monitored field (``'V'`` ...).
    elements : int or sequence of int
        Indices (into the flattened group) of the elements traced.
    max_points_per_line : int
        Most points a trace gets; longer runs are decimated with a fixed stride.
    title : str, optional
        Title of the figure (default: ``"<group>.<field>"``).
    height : str
        CSS height of the figure.

    Attributes
    ----------
    widget : ipywidgets.VBox
    figure : bqplot.Figure
    lines : bqplot.Lines
        The traces; ``x`` is time (ms), ``y`` has one row per element (float32; bqplot squeezes a single row to 1-D).
    stride : int
        Steps between drawn points in this run (1 before the first frame).

    Raises
    ------
    ValueError
        If ``field`` is not monitored, or an element or a setting is out of range.
    """

    def __init__(
        self,
        group: Any,
        field: str = "V",
        elements: int | Iterable[int] = (0,),
        *,
        max_points_per_line: int = 2000,
        title: str | None = None,
        height: str = "220px",
    ):
        super().__init__()
        if not isinstance(field, str):
            raise ValueError(f"field must be the name of a monitored field, got {field!r}")
        check_monitored("TraceView", group, field)
        if isinstance(max_points_per_line, bool) or not isinstance(max_points_per_line, int | np.integer):
            raise ValueError(f"max_points_per_line must be an integer >= 2, got {max_points_per_line!r}")
        if max_points_per_line < 2:
            raise ValueError(f"max_points_per_line must be an integer >= 2, got {max_points_per_line!r}")
        self.group = group
        self.field = field
        self.max_points_per_line = int(max_points_per_line)
        self._elements = self._check_elements(elements)
        self.stride = 1

        self.x_scale = time_scale()
        self.y_scale = bqplot.LinearScale()  # min/max left unset: bqplot fits the data
        self.lines = bqplot.Lines(
            x=EMPTY,
            y=self._empty_y(),
            scales={"x": self.x_scale, "y": self.y_scale},
            labels=self._labels(),
            display_legend=True,
        )
        y_axis = bqplot.Axis(scale=self.y_scale, side="left", label=field)
        self.figure = make_figure(
            [self.lines],
            [time_axis(self.x_scale), y_axis],
            title if title is not None else f"{group.name}.{field}",
            height,
        )
        self.widget = w.VBox([self.figure])

    # -- elements ----------------------------------------------------------------------------------------------

    @property
    def elements(self) -> tuple[int, ...]:
        """Indices of the traced elements."""
        return self._elements

    def set_elements(self, elements: int | Iterable[int]) -> None:
        """Trace ``elements`` instead; the last frame, if any, is drawn again with them.

        Raises
        ------
        ValueError
            If an element is not an index of the group.
        """
        checked = self._check_elements(elements)
        with self._lock:
            self._elements = checked
            with self.lines.hold_sync():
                self.lines.labels = self._labels()
                self.lines.x = EMPTY
                self.lines.y = self._empty_y()
            self._redraw()

    def _check_elements(self, elements: Any) -> tuple[int, ...]:
        num = int(self.group.num)
        name = self.group.name
        if isinstance(elements, int | np.integer) and not isinstance(elements, bool):
            elements = (elements,)
        try:
            items = tuple(elements)
        except TypeError:
            raise ValueError(f"elements must be indices of {name!r} (0 to {num - 1}), got {elements!r}") from None
        if not items:
            raise ValueError(f"give at least one element of {name!r} to trace (an index from 0 to {num - 1})")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | np.integer):
                raise ValueError(f"elements of {name!r} are integer indices (0 to {num - 1}), got {item!r}")
            if not 0 <= item < num:
                raise ValueError(
                    f"element {int(item)} is out of range: {name!r} has {num} elements, so use indices 0 to {num - 1}"
                )
        return tuple(int(item) for item in items)

    def _labels(self) -> list[str]:
        return [f"{self.group.name}[{i}]" for i in self._elements]

    def _empty_y(self) -> np.ndarray:
        return np.zeros((len(self._elements), 0), dtype=np.float32)

    # -- streaming ---------------------------------------------------------------------------------------------

    def _start_run(self, frame: Frame) -> None:
        # Fixed per run: the rows drawn are multiples of the stride, so a drawn point never moves.
        self.stride = max(1, -(-frame.n_steps // self.max_points_per_line))
        set_time_range(self.x_scale, frame)

    def _draw(self, frame: Frame) -> None:
        rows = np.arange(0, frame.steps_done, self.stride)
        data = frame.monitor(self.group, self.field)
        data = data.reshape(data.shape[0], -1)
        x = frame.ts[rows].astype(np.float32)
        y = np.ascontiguousarray(data[rows[:, None], np.asarray(self._elements)].T, dtype=np.float32)
        with self.lines.hold_sync():
            self.lines.x = x
            self.lines.y = y

    def _clear(self) -> None:
        self.stride = 1
        with self.lines.hold_sync():
            self.lines.x = EMPTY
            self.lines.y = self._empty_y()
