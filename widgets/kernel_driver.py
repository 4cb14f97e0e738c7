"""``KernelDriver``: talk to a real Jupyter kernel's widgets the way a browser does.

Headless widget tests call Python methods; they cannot show that a kernel
keeps serving comm messages while a simulation runs in its worker thread, or
how long a slider release takes to come back as a redrawn raster. This driver
starts an ipykernel with ``jupyter_client``, executes set-up code, sends
widget ``comm_msg`` updates and button clicks exactly as the front end does,
and timestamps the widget updates the kernel sends back on IOPub.

It is used by the kernel-level tests and by ``bench/lab_latency.py``; it needs
``ipykernel`` and ``jupyter_client`` (in the ``test`` extra).
"""

from __future__ import annotations

import dataclasses
import json
import queue
import time
from typing import Any

__all__ = ["KernelDriver", "KernelError", "WidgetUpdate"]


class KernelError(RuntimeError):
    """Code executed in the kernel raised; the message holds the kernel's traceback."""


@dataclasses.dataclass(frozen=True)
class WidgetUpdate:
    """One state update of a widget, sent by the kernel.

    Attributes
    ----------
    time : float
        ``time.perf_counter()`` of this process when the message was read.
    model_id : str
        The widget's comm id.
    keys : tuple of str
        The traits in the update (binary ones such as bqplot's ``x`` included).
    state : dict
        The JSON part of the state.
    """

    time: float
    model_id: str
    keys: tuple[str, ...]
    state: dict


class KernelDriver:
    """A running ipykernel and a client that executes code and drives widgets.

    Parameters
    ----------
    kernel_name : str
        Kernel spec to start.
    startup_timeout : float
        Seconds to wait for the kernel to answer.
    env : dict, optional
        Extra environment variables of the kernel process.

    Notes
    -----
    Use it as a context manager, or call :meth:`close`. Widget updates that
    arrive while waiting for something else are kept in :attr:`updates`.
    """

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = 60.0, env: dict | None = None):
        import os

        from jupyter_client.manager import start_new_kernel

        options = {"env": {**os.environ, **env}} if env else {}
        self._manager, self._client = start_new_kernel(
            kernel_name=kernel_name, startup_timeout=startup_timeout, **options
        )
        self.updates: list[WidgetUpdate] = []

    def __enter__(self) -> KernelDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Shut the kernel down."""
        self._client.stop_channels()
        self._manager.shutdown_kernel(now=True)

    # -- code --------------------------------------------------------------------------------------------------

    def execute(self, code: str, timeout: float = 120.0) -> str:
        """Run ``code`` in the kernel and return what it printed.

        Raises
        ------
        KernelError
            If the code raised (with the kernel's traceback), or on timeout.
        """
        msg_id = self._client.execute(code)
        out: list[str] = []
        deadline = time.perf_counter() + timeout
        while True:
            msg = self._next(deadline, f"executing {code[:60]!r}")
            if msg is None:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise KernelError("\n".join(content.get("traceback", [])) or content.get("evalue", ""))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)

    def evaluate(self, expression: str, timeout: float = 120.0) -> Any:
        """Return the value of a JSON-serialisable ``expression`` evaluated in the kernel."""
        text = self.execute(f"import json as _json\nprint(_json.dumps({expression}))", timeout)
        return json.loads(text.strip().splitlines()[-1])

    # -- widgets -----------------------------------------------------------------------------------------------

    def set_state(self, model_id: str, **state: Any) -> float:
        """Send a front-end state update (``slider.value = ...`` from the browser); return the send time."""
        content = {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}}
        self._client.shell_channel.send(self._client.session.msg("comm_msg", content))
        return time.perf_counter()

    def click(self, model_id: str) -> float:
        """Click a button from the front end; return the send time."""
        content = {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}}
        self._client.shell_channel.send(self._client.session.msg("comm_msg", content))
        return time.perf_counter()

    def wait_for_update(
        self, model_id: str | tuple[str, ...], key: str | None = None, timeout: float = 30.0, after: float = 0.0
    ) -> WidgetUpdate:
        """Return the first update of ``model_id`` (with trait ``key``) read at or after ``after``.

        ``model_id`` may be a tuple: the first update of any of those widgets.

        Raises
        ------
        KernelError
            On timeout.
        """
        deadline = time.perf_counter() + timeout
        wanted = (model_id,) if isinstance(model_id, str) else tuple(model_id)
        seen = 0
        while True:
            for update in self.updates[seen:]:
                if update.model_id in wanted and update.time >= after and (key is None or key in update.keys):
                    return update
            seen = len(self.updates)
            self._next(deadline, f"waiting for an update of {model_id}")

    def collect(self, seconds: float) -> list[WidgetUpdate]:
        """Read IOPub for ``seconds`` and return the widget updates that arrived."""
        start = len(self.updates)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            try:
                self._next(deadline, "", raise_on_timeout=False)
            except _Timeout:
                break
        return self.updates[start:]

    # -- IOPub -------------------------------------------------------------------------------------------------

    def _next(self, deadline: float, what: str, raise_on_timeout: bool = True) -> dict | None:
        """Read one IOPub message (recording widget updates); None when nothing came within 50 ms."""
        if time.perf_counter() > deadline:
            if raise_on_timeout:
                raise KernelError(f"Timed out {what}.")
            raise _Timeout
        try:
            msg = self._client.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            return None
        if msg["msg_type"] == "comm_msg":
            data = msg["content"].get("data", {})
            if data.get("method") in ("update", "echo_update"):
                state = data.get("state", {})
                keys = tuple(state) + tuple(p[0] for p in data.get("buffer_paths", []) if p)
                self.updates.append(WidgetUpdate(time.perf_counter(), msg["content"]["comm_id"], keys, state))
        return msg


class _Timeout(Exception):
    pass
