"""What a streaming view receives: one :class:`Frame` per drawn update of a run.

A :class:`~brainlab_widgets.session.Session` runs its network in a worker
thread and, between chunks, hands every view a ``Frame``: how far the run has
got and a window on the monitors recorded so far. Views are duck-typed: an
object with ``draw(frame)`` and ``clear()`` can be added to a session.

``draw`` is called in the worker thread, at most every ``frame_interval``
seconds, and always for the first chunk of a run (so that a slider release
shows something at once) and for its last one (complete or stopped). A view
notices a new run by a new :attr:`Frame.run_id` and then starts from empty
marks; ``clear()`` (the Reset button) empties it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np

__all__ = ["Frame", "StreamingView"]


@dataclasses.dataclass(frozen=True)
class Frame:
    """One update of a running (or finished) simulation.

    Attributes
    ----------
    network : brainlab.Network
        The network being run.
    run_id : int
        Increases with every run the session starts; a view that sees a new
        ``run_id`` discards what it drew for the previous run.
    steps_done, n_steps : int
        Steps recorded so far and steps asked for.
    ts : numpy.ndarray
        Times of all ``n_steps`` steps (ms); only ``ts[:steps_done]`` have data.
    dt : float
        Time step (ms).
    final : bool
        The run is over (complete, stopped or failed): no frame of this run follows.
    """

    network: Any
    run_id: int
    steps_done: int
    n_steps: int
    ts: np.ndarray
    dt: float
    final: bool = False

    @property
    def t_start(self) -> float:
        """Time of the first step (ms)."""
        return float(self.ts[0]) if self.ts.size else 0.0

    @property
    def t_end(self) -> float:
        """End of the run (ms): the time after the last step."""
        return float(self.ts[-1] + self.dt) if self.ts.size else 0.0

    @property
    def fraction(self) -> float:
        """Fraction of the run done."""
        return self.steps_done / self.n_steps if self.n_steps else 1.0

    def monitor(self, obj: Any, field: str) -> np.ndarray:
        """Return the rows of ``obj.mon.<field>`` recorded so far (a view, no copy).

        Raises
        ------
        KeyError
            If ``obj`` does not monitor ``field``.
        """
        if field not in obj.mon.fields:
            raise KeyError(f"{obj.name!r} does not monitor {field!r}; it monitors {sorted(obj.mon.fields)}.")
        return obj.mon.array(field)[: self.steps_done]


class StreamingView(Protocol):
    """What a session needs of a view."""

    def draw(self, frame: Frame) -> None:
        """Show the data of ``frame`` (called in the session's worker thread)."""

    def clear(self) -> None:
        """Remove everything drawn."""
