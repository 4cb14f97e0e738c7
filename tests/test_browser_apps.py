"""The Voila apps in a real browser: Debian's Chromium driven by Playwright against ``brainlab apps``.

Each app loads and becomes usable; a slider move reruns the gamma lab; its
raster streams; Stop stops; a click on the phase plane draws a trajectory.
A hostile client sets hostile strings on every text widget of the neuron
explorer's builder: nothing is executed and the app still answers.
Screenshots go to ``$BRAINLAB_ARTIFACTS`` (default ``test-artifacts/``).

Never ``playwright install``: the browser is ``/usr/bin/chromium`` (``scripts/check``
installs it with apt-get on a fresh machine); without it these tests skip.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytest.importorskip("voila")
pytest.importorskip("playwright")
websocket = pytest.importorskip("websocket")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (scripts/check installs it as root)", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.timeout(600)

APPS = ["neuron_explorer", "phase_plane_lab", "gamma_lab", "ei_balance_lab", "connectivity_lab", "bifurcation_lab"]
ARTIFACTS = Path(os.environ.get("BRAINLAB_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
LOAD_TIMEOUT = 120_000  # ms: the first request of an app starts a kernel that may compile


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium, headless, never a downloaded browser."""
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def apps_server(tmp_path_factory, _kernel_cache):
    """``brainlab apps`` on a free port (pre-warming the compile cache first), stopped with SIGTERM."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("voila") / "apps.log"
    command = [str(Path(sys.executable).with_name("brainlab")), "apps", f"--port={port}", "--no-browser"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.time() + 300
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except urllib.error.HTTPError:
                    break  # any HTTP answer: the server is up
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError(f"brainlab apps did not start:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _open(page: Page, url: str, app: str) -> float:
    """Load an app with every non-local request blocked; return the seconds until it is usable."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    start = time.perf_counter()
    page.goto(f"{url}voila/render/{app}.ipynb", timeout=LOAD_TIMEOUT)
    expect(page.locator(".jupyter-widgets").first).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.locator("svg.svg-figure >> visible=true").first).to_be_visible(timeout=LOAD_TIMEOUT)
    return time.perf_counter() - start


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("app", APPS)
def test_each_app_loads_without_errors_or_cdn(page: Page, apps_server, app):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    seconds = _open(page, apps_server, app)
    page.wait_for_timeout(1500)  # let first runs finish drawing
    _shot(page, app)
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
    assert "Traceback" not in page.content()
    assert not errors, errors
    (ARTIFACTS / "load_times.jsonl").open("a").write(json.dumps({"app": app, "usable_s": seconds}) + "\n")


def _status(page: Page) -> str:
    return page.locator(".bl-status").first.inner_text()


def _finished_run(page: Page) -> int:
    """Wait for the first run's status line; return its run number."""
    expect(page.locator(".bl-status").first).to_contain_text(re.compile(r"run \d+:"), timeout=LOAD_TIMEOUT)
    return int(re.search(r"run (\d+):", _status(page)).group(1))


def test_a_slider_move_reruns_the_gamma_lab_and_the_raster_streams(page: Page, apps_server):
    _open(page, apps_server, "gamma_lab")
    runs = _finished_run(page)
    dots = page.locator("svg.svg-figure path.dot")
    expect(dots.first).to_be_attached(timeout=30_000)
    # Record the number of raster points every animation frame while the next run streams.
    page.evaluate(
        """() => { window.blCounts = []; const tick = () => {
             window.blCounts.push(document.querySelectorAll('svg.svg-figure path.dot').length);
             if (window.blCounts.length < 4000) requestAnimationFrame(tick); }; tick(); }"""
    )
    page.locator(".widget-slider .noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".bl-status").first).to_contain_text(f"run {runs + 1}:", timeout=60_000)
    assert "no recompile" in _status(page)
    counts = page.evaluate("() => window.blCounts")
    distinct = [c for k, c in enumerate(counts) if k == 0 or c != counts[k - 1]]
    # The new run starts from an empty raster and grows frame by frame.
    assert min(distinct) < max(distinct) and len(set(distinct)) >= 3, distinct[:40]
    _shot(page, "gamma_lab_after_slider")


def test_stop_stops_a_run(page: Page, apps_server):
    _open(page, apps_server, "gamma_lab")
    _finished_run(page)
    page.locator(".bl-run").first.click()
    page.locator(".bl-stop").first.click()
    expect(page.locator(".bl-status").first).to_contain_text(re.compile("[Ss]top"), timeout=30_000)


def test_a_click_on_the_phase_plane_draws_a_trajectory(page: Page, apps_server):
    _open(page, apps_server, "phase_plane_lab")
    plane = page.locator(".bl-phase-plane").first
    expect(plane).to_be_visible(timeout=LOAD_TIMEOUT)

    def long_paths() -> list:
        # Legend samples are short paths; a nullcline or a trajectory has hundreds of points.
        return plane.locator("path.line").evaluate_all(
            "els => els.map(e => e.getAttribute('d') || '').filter(d => d.length > 200)"
        )

    expect(plane.locator("path.line").first).to_be_attached(timeout=30_000)
    page.wait_for_timeout(500)
    before = long_paths()
    area = plane.locator("rect.plotarea_events").first
    box = area.bounding_box()
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.4 * box["height"])
    page.wait_for_function(
        """(n) => Array.from(document.querySelectorAll('.bl-phase-plane path.line'))
                   .filter(e => (e.getAttribute('d') || '').length > 200).length > n""",
        arg=len(before),
        timeout=30_000,
    )
    assert set(long_paths()) - set(before)  # a new curve: the trajectory from the clicked point
    _shot(page, "phase_plane_after_click")


# -- a hostile client ---------------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch {canary}')",
    "open('{canary}', 'w').write('x')",
    "dV/dt = __import__('os').system('touch {canary}')",
    "'; import os; os.system('touch {canary}'); '",
    "</script><script>fetch('/api/kernels')</script>",
    "{{ 7*7 }} ${{7*7}} %(x)s",
    "dV/dt = (V + 65) / tau\u202e\u200b",
    "x" * 100_000,
]


V1 = "v1.kernel.websocket.jupyter.org"  # the kernel-websocket protocol of Voila's own pages (the only one it accepts)


def _send(ws, msg_type: str, content: dict) -> None:
    """Send a shell message as Voila's front end does (v1 binary framing)."""
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "x", "session": "s", "version": "5.3",
              "date": ""}  # fmt: skip
    msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    ws.send_binary(serialize_msg_to_ws_v1(msg, "shell", pack=lambda part: json.dumps(part).encode()))


def _drain(ws, seconds: float) -> list[dict]:
    """Read the messages that arrive within ``seconds``: ``{'msg_type', 'content'}`` each."""
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    out, end = [], time.time() + seconds
    while time.time() < end:
        try:
            frame = ws.recv()
        except Exception:  # the socket's timeout: nothing more for now
            continue
        if isinstance(frame, str):
            continue
        _channel, parts = deserialize_msg_from_ws_v1(frame)
        header, content = json.loads(parts[0]), json.loads(parts[3])
        out.append({"msg_type": header["msg_type"], "content": content})
    return out


def test_hostile_strings_on_every_text_widget_execute_nothing(apps_server):
    canary = Path(tempfile.gettempdir()) / f"brainlab-canary-{uuid.uuid4().hex}"
    response = urllib.request.urlopen(f"{apps_server}voila/render/neuron_explorer.ipynb", timeout=LOAD_TIMEOUT)
    page = response.read()
    kernel = re.search(rb'"kernelId": "([^"]+)"', page).group(1).decode()
    # What a browser holds after loading the page: its cookies (the server refuses a socket without them).
    cookies = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{apps_server.rsplit(':', 1)[1].strip('/')}/api/kernels/{kernel}/channels"
        f"?session_id={uuid.uuid4()}",
        timeout=2,
        cookie=cookies,
        origin=apps_server.rstrip("/"),
        subprotocols=[V1],
    )
    try:
        execute = {"code": f"open('{canary}', 'w')", "silent": False, "store_history": False,
                   "user_expressions": {}, "allow_stdin": False}  # fmt: skip
        _send(ws, "execute_request", execute)  # Voila drops execute requests
        _send(ws, "comm_info_request", {"target_name": "jupyter.widget"})
        replies = [m for m in _drain(ws, 5) if m["msg_type"] == "comm_info_reply"]
        comms = replies[0]["content"]["comms"]
        for comm in comms:
            _send(ws, "comm_msg", {"comm_id": comm, "data": {"method": "request_state"}})
        states = {m["content"]["comm_id"]: m["content"]["data"]["state"] for m in _drain(ws, 5)
                  if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update"}  # fmt: skip
        texts = [c for c, s in states.items() if s.get("_model_name") in ("TextModel", "TextareaModel")]
        assert texts, "the neuron explorer has text widgets (the type builder)"
        for comm in texts:
            for text in HOSTILE:
                state = {"value": text.format(canary=canary)}
                update = {"method": "update", "state": state, "buffer_paths": []}
                _send(ws, "comm_msg", {"comm_id": comm, "data": update})
        _drain(ws, 4)  # the builder checks as you type (debounced): give it time to act on the last value
        assert not canary.exists(), "a hostile string was executed"
        # The app still answers: its widgets report their state.
        _send(ws, "comm_msg", {"comm_id": texts[0], "data": {"method": "request_state"}})
        assert any(m["msg_type"] == "comm_msg" for m in _drain(ws, 3))
    finally:
        ws.close()
        canary.unlink(missing_ok=True)
    assert urllib.request.urlopen(f"{apps_server}voila/render/neuron_explorer.ipynb", timeout=60).status == 200
