"""Voila configuration of ``brainlab apps``, in Python for what JSON cannot hold: the gallery hook, a websocket guard.

Voila loads this file and ``voila.json`` beside it (``brainlab apps`` passes this
folder as ``Voila.config_file_paths``). The settings are in ``voila.json``; here:

* the hook that gives the gallery page (the ``brainlab`` template's ``tree.html``)
  the title and summary of each app, read from the ``brainlab.app`` metadata of
  the notebooks;
* a kernel websocket connection that accepts only the ``v1.kernel.websocket.jupyter.org``
  protocol, which Voila's own pages use. Voila 0.5 reads every binary frame it
  sends as a v1 frame; a client of the legacy protocol (any script that opens the
  websocket without asking for v1) gets legacy binary frames as soon as a widget
  sends arrays, and Voila's reading of them loops on a garbage length: the server
  hangs and grows by gigabytes. Such clients are refused with HTTP 400.

It imports nothing of brainlab, so the Voila server stays small.
"""

import json
import os

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"

MAX_NOTEBOOK_BYTES = 1_000_000


def _app_entry(folder, name, path):
    """Return the gallery entry of a notebook, or None when it has no ``brainlab.app`` metadata."""
    try:
        if os.path.getsize(os.path.join(folder, name)) > MAX_NOTEBOOK_BYTES:
            return None
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            metadata = json.load(file).get("metadata", {})
    except (OSError, ValueError):
        return None
    app = metadata.get("brainlab", {}).get("app") if isinstance(metadata.get("brainlab"), dict) else None
    if not isinstance(app, dict):
        return None
    order = app.get("order", 1000)
    return {
        "order": order if isinstance(order, int | float) else 1000,
        "path": path,
        "title": str(app.get("title", name[: -len(".ipynb")])),
        "summary": str(app.get("summary", "")),
    }


def gallery_apps(folder, relative=""):
    """Return the gallery entries of the app notebooks in ``folder`` (``relative``: its path under the root)."""
    entries = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".ipynb") and not name.startswith("."):
            entry = _app_entry(folder, name, f"{relative}/{name}" if relative else name)
            if entry is not None:
                entries.append(entry)
    return sorted(entries, key=lambda e: (e["order"], e["title"]))


def brainlab_page_config(page_config, base_url, settings, log, voila_configuration, notebook_path):
    """Add the apps of a folder (and the idle time after which kernels stop) to the page config of its tree page."""
    try:
        root = getattr(settings.get("contents_manager"), "root_dir", None)
        folder = os.path.realpath(os.path.join(root, notebook_path or "")) if root else None
        if folder and os.path.isdir(folder) and folder.startswith(os.path.realpath(root)):
            page_config["brainlabApps"] = gallery_apps(folder, (notebook_path or "").strip("/"))
            timeout = getattr(settings.get("kernel_manager"), "cull_idle_timeout", 0)
            if timeout and timeout > 0:
                page_config["brainlabCullMinutes"] = max(1, round(timeout / 60))
    except Exception as exc:  # the gallery falls back to the plain listing
        log.warning("brainlab gallery: %s", exc)
    return page_config


class V1OnlyConnection(ZMQChannelsWebsocketConnection):
    """A kernel websocket connection that refuses clients of the legacy protocol (see the module docstring)."""

    async def prepare(self):
        """Refuse the connection (HTTP 400, before the upgrade) unless the client offers the v1 protocol."""
        offered = self.websocket_handler.request.headers.get("Sec-WebSocket-Protocol", "")
        if V1_PROTOCOL not in (p.strip() for p in offered.split(",")):
            self.log.warning("Refused a kernel websocket without the %s subprotocol", V1_PROTOCOL)
            raise web.HTTPError(400, f"this server speaks the {V1_PROTOCOL} websocket subprotocol only")
        await super().prepare()


c = get_config()  # noqa: F821 - provided by traitlets when it loads a config file
c.VoilaConfiguration.page_config_hook = brainlab_page_config
c.Voila.kernel_websocket_connection_class = V1OnlyConnection
