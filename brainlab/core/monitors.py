"""Monitors: the recorded history of state fields (``group.mon.V``).

A monitor array has one row per time step of the last run: ``(n_steps, num)``
for neurons and vector-mode synapses, ``(n_steps, num_pre, num_post)`` for
matrix mode. The kernel writes the rows; Python only allocates them, after
checking the memory they need against ``profile.get_monitor_budget()``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from brainlab.errors import ModelUseError

__all__ = ["Monitor", "check_budget", "format_bytes"]


def format_bytes(n: float) -> str:
    """Return ``n`` bytes as a short human string (``'1.5 GiB'``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


class Monitor:
    """The monitored histories of one group or connection.

    Attributes
    ----------
    ts : numpy.ndarray
        Times (ms) of the recorded rows.
    fields : list of str
        Monitored fields; each is an attribute (``mon.V``) and an item (``mon['V']``).
    """

    def __init__(self, owner: str, fields: Iterable[str]):
        self._owner = owner
        self.fields = list(fields)
        self._data: dict[str, np.ndarray] = {}
        self.ts = np.zeros(0)

    def nbytes(self, n_steps: int, shape: tuple[int, ...], itemsize: int) -> int:
        """Bytes the monitors need for ``n_steps`` steps of fields of ``shape``."""
        return len(self.fields) * n_steps * int(np.prod(shape, dtype=np.int64)) * itemsize

    def allocate(self, n_steps: int, shape: tuple[int, ...], dtype: type, ts: np.ndarray) -> None:
        """Create (or reuse) zeroed arrays for a run of ``n_steps`` steps."""
        for field in self.fields:
            current = self._data.get(field)
            if current is not None and current.shape == (n_steps, *shape) and current.dtype == dtype:
                current.fill(0)
            else:
                self._data[field] = np.zeros((n_steps, *shape), dtype=dtype)
        self.ts = ts

    def array(self, field: str) -> np.ndarray:
        """Return the full (untruncated) array of ``field`` that the kernel writes into."""
        return self._data[field]

    def truncate(self, n_steps: int) -> None:
        """Keep only the first ``n_steps`` rows (after a stopped or failed run)."""
        for field, data in self._data.items():
            self._data[field] = data[:n_steps]
        self.ts = self.ts[:n_steps]

    def __getitem__(self, field: str) -> np.ndarray:
        if field not in self.fields:
            raise ModelUseError(f"{self._owner} does not monitor {field!r}; it monitors {self.fields}.")
        if field not in self._data:
            raise ModelUseError(f"{self._owner}: nothing has been recorded yet; run the network first.")
        return self._data[field]

    def __getattr__(self, field: str) -> np.ndarray:
        if field.startswith("_"):
            raise AttributeError(field)
        return self[field]

    def __contains__(self, field: object) -> bool:
        return field in self.fields

    def __repr__(self) -> str:
        return f"Monitor({self._owner}: {self.fields})"


def check_budget(requests: list[tuple[str, int]], budget: int, n_steps: int) -> None:
    """Raise if the monitors of a run would allocate more than ``budget`` bytes.

    Parameters
    ----------
    requests : list of (str, int)
        Object name and the bytes its monitors need.
    budget : int
        Allowed bytes (``profile.get_monitor_budget()``).
    n_steps : int
        Steps of the run, for the message.
    """
    total = sum(b for _, b in requests)
    if total <= budget:
        return
    parts = ", ".join(f"{name}: {format_bytes(b)}" for name, b in sorted(requests, key=lambda r: -r[1]) if b)
    raise ModelUseError(
        f"The monitors of this run need {format_bytes(total)} ({parts}) for {n_steps} steps, "
        f"more than the monitor budget of {format_bytes(budget)}. Monitor fewer fields or smaller "
        "groups, run shorter pieces with Network(..., mode='repeat') (results of each piece "
        "replace the last), or raise the budget with bp.profile.set(monitor_budget=...)."
    )
