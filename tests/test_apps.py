"""``brainlab apps`` and ``brainlab lab``: the command line, the shipped Voila configuration, a real server, the labs.

The server test starts ``brainlab apps --no-prewarm`` on a free port of
127.0.0.1, reads the gallery and every app page, checks that the pages carry no
source code and load nothing from a CDN, and stops the server with SIGTERM.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import brainlab as bp
from brainlab import cli
from brainlab.errors import ModelUseError
from brainlab_widgets import apps
from brainlab_widgets._slider_grid import align_to_grid

pytestmark = pytest.mark.timeout(600)

HAS_VOILA = importlib.util.find_spec("voila") is not None
needs_voila = pytest.mark.skipif(
    not HAS_VOILA, reason="Voila is not installed: pip install -e '.[apps]' (the test extra includes it)"
)
APP_NAMES = {"neuron_explorer", "phase_plane_lab", "bifurcation_lab", "gamma_lab", "ei_balance_lab", "connectivity_lab"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _args(*argv: str) -> argparse.Namespace:
    return apps.build_parser().parse_args(["apps", *argv])


# -- the command line -------------------------------------------------------------------------------------------


def test_brainlab_lists_apps_and_lab_and_hands_them_their_arguments(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "apps" in text and "lab" in text and "demo" in text
    with pytest.raises(SystemExit) as stop:
        cli.main(["apps", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: brainlab apps") and "--preheat" in text and "--no-prewarm" in text
    if HAS_VOILA:
        assert cli.main(["apps", "--dry-run", "--port", "9123"]) == 0
        assert "--Voila.port=9123" in capsys.readouterr().out


def test_the_apps_options_and_their_defaults():
    args = _args()
    assert (args.port, args.browser, args.prewarm, args.preheat, args.cull_idle) == (8866, False, True, 0, None)
    args = _args("--port", "9000", "--no-prewarm", "--preheat", "2", "--browser", "--cull-idle", "300")
    assert (args.port, args.browser, args.prewarm, args.preheat, args.cull_idle) == (9000, True, False, 2, 300)
    assert _args("--no-browser").browser is False
    for bad in (["--port", "0"], ["--port", "http"], ["--preheat", "-1"], ["--preheat", "99"], ["--cull-idle", "-5"]):
        with pytest.raises(SystemExit):
            _args(*bad)
    lab = apps.build_parser().parse_args(["lab", "--port", "8899"])
    assert (lab.port, lab.browser, lab.directory) == (8899, False, None)


def test_the_voila_command_serves_the_apps_on_127_0_0_1_with_sources_stripped_and_culling():
    command = apps.voila_command(_args("--port", "9001"))
    assert command[:4] == [sys.executable, "-m", "voila", str(apps.apps_dir())]
    assert f"--Voila.config_file_paths={apps.config_dir()}" in command
    for flag in (
        "--Voila.ip=127.0.0.1", "--Voila.port=9001", "--Voila.port_retries=0", "--Voila.open_browser=False",
        "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.template=brainlab", "--VoilaConfiguration.preheat_kernel=False",
        "--MappingKernelManager.cull_idle_timeout=1200", "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=True", "--MappingKernelManager.cull_busy=False",
    ):  # fmt: skip
        assert flag in command, flag
    command = apps.voila_command(_args("--preheat", "2", "--cull-idle", "600", "--browser"))
    for flag in (
        "--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=2",
        "--MappingKernelManager.cull_idle_timeout=600", "--Voila.open_browser=True",
    ):  # fmt: skip
        assert flag in command, flag
    config = apps.voila_config(_args())
    assert config["VoilaConfiguration"]["strip_sources"] is True
    denied = config["VoilaConfiguration"]["file_denylist"]
    assert any(re.fullmatch(p, "gamma_lab.ipynb") for p in denied) and any(re.fullmatch(p, "voila.py") for p in denied)
    env = apps.voila_environment({"JUPYTER_PATH": "/somewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(apps.config_dir()), "/somewhere"]


@pytest.mark.skipif(importlib.util.find_spec("jupyterlab") is None, reason="JupyterLab is not installed")
def test_the_lab_command_opens_jupyterlab_on_the_notebooks(capsys):
    assert apps.main(["lab", "--dry-run", "--port", "8899"]) == 0
    line = capsys.readouterr().out
    assert "-m jupyterlab" in line and f"--notebook-dir={apps.notebooks_dir()}" in line
    assert (
        "--ServerApp.ip=127.0.0.1" in line and "--ServerApp.port=8899" in line and "--IdentityProvider.token=" in line
    )
    assert apps.notebooks_dir() == Path(__file__).resolve().parent.parent / "notebooks"


def test_missing_voila_or_jupyterlab_names_the_pip_extra(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        apps.importlib.util, "find_spec", lambda name, *a: None if name in ("voila", "jupyterlab") else real(name, *a)
    )
    assert apps.main(["apps", "--no-prewarm"]) == 1
    assert "pip install 'brainlab[apps]'" in capsys.readouterr().err
    assert apps.main(["lab"]) == 1
    assert "JupyterLab is not installed; install it with: pip install 'brainlab[apps]'" in capsys.readouterr().err


def test_without_the_ui_layer_brainlab_apps_names_the_pip_extra(monkeypatch, capsys):
    def missing(name):
        raise ImportError("No module named 'ipywidgets'")

    monkeypatch.setattr(cli.importlib, "import_module", missing)
    assert cli.main(["apps"]) == 1 and cli.main(["lab"]) == 1
    assert capsys.readouterr().err.count("pip install 'brainlab[apps]'") == 2


@needs_voila
def test_a_port_in_use_is_refused_before_anything_starts(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        assert apps.main(["apps", "--no-prewarm", "--port", str(port)]) == 1
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err


# -- what ships -------------------------------------------------------------------------------------------------


def test_every_app_notebook_is_thin_clean_listed_and_warmable():
    listed = apps.list_apps()
    assert {a.name for a in listed} == APP_NAMES == set(apps.PREWARM)
    assert [a.order for a in listed] == sorted(a.order for a in listed)
    for app in listed:
        notebook = json.loads(app.path.read_text(encoding="utf-8"))
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        assert app.title and len(app.summary) > 40 and notebook["metadata"]["title"] == app.title
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code)
        lines = [line for c in code for line in "".join(c["source"]).splitlines() if line.strip()]
        assert 1 <= len(lines) <= 4, (app.name, lines)  # a thin notebook: the logic is in brainlab_widgets
        text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
        assert "$" not in text  # no LaTeX: MathJax would come from a CDN


@needs_voila
def test_the_shipped_voila_files_give_the_gallery_and_refuse_legacy_websockets(monkeypatch):
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader
    from voila.paths import collect_template_paths

    folder = str(apps.config_dir())
    settings = JSONFileConfigLoader("voila.json", path=folder).load_config()
    assert settings.VoilaConfiguration.strip_sources is True and settings.MappingKernelManager.cull_idle_timeout > 0
    config = PyFileConfigLoader("voila.py", path=folder).load_config()
    hook = config.VoilaConfiguration.page_config_hook
    fake = {
        "contents_manager": SimpleNamespace(root_dir=str(apps.apps_dir())),
        "kernel_manager": SimpleNamespace(cull_idle_timeout=1200),
    }
    page = hook({}, "/", fake, None, None, "")
    assert [a["title"] for a in page["brainlabApps"]] == [a.title for a in apps.list_apps()]
    assert page["brainlabApps"][0]["path"] == "neuron_explorer.ipynb" and page["brainlabCullMinutes"] == 20
    assert "brainlabApps" not in hook({}, "/", fake, None, None, "gamma_lab.ipynb")  # an app page: untouched
    assert config.Voila.kernel_websocket_connection_class.__name__ == "V1OnlyConnection"
    monkeypatch.setenv("JUPYTER_PATH", apps.voila_environment()["JUPYTER_PATH"])
    paths = collect_template_paths(["voila", "nbconvert"], "brainlab", prune=True)
    assert paths[0] == str(apps.config_dir() / "voila" / "templates" / "brainlab") and any(
        p.endswith("lab") for p in paths
    )


# -- a real server ----------------------------------------------------------------------------------------------


def _get(url: str, timeout: float = 300.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def apps_server(tmp_path_factory, _kernel_cache):
    """``brainlab apps --no-prewarm`` on a free port; SIGTERM at the end (Voila then shuts its kernels down)."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("apps") / "voila.log"
    command = [sys.executable, "-m", "brainlab.cli", "apps", "--port", str(port), "--no-prewarm"]
    with open(log_path, "w") as log:  # never a PIPE that nobody reads
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        start = time.perf_counter()
        try:
            while True:
                try:
                    urllib.request.urlopen(url + "voila/static/__probe__", timeout=1)
                except urllib.error.HTTPError:
                    break  # any HTTP answer: the server is up
                except OSError:
                    if proc.poll() is not None or time.perf_counter() - start > 120:
                        raise RuntimeError(f"brainlab apps did not start:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.2)
            yield SimpleNamespace(url=url, proc=proc, log=log_path, port=port)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # any kernel left behind
            except ProcessLookupError:
                pass


@needs_voila
@pytest.mark.subprocess
@pytest.mark.slow
def test_brainlab_apps_serves_the_gallery_and_every_app_without_sources_or_cdn(apps_server):
    url = apps_server.url
    assert url.startswith("http://127.0.0.1:")
    status, gallery = _get(url)
    assert status == 200
    for app in apps.list_apps():
        assert f'href="/voila/render/{app.path.name}"' in gallery and app.title in gallery
    assert "minutes stops its kernel" in gallery and "https://" not in gallery
    rendered = 0
    for app in apps.list_apps():
        status, page = _get(f"{url}voila/render/{app.path.name}")
        assert status == 200, app.name
        rendered += 1
        notebook = json.loads(app.path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                for line in "".join(cell["source"]).splitlines():
                    assert not line.strip() or line.strip() not in page, (app.name, line)  # sources stripped
        assert "application/vnd.jupyter.widget-view+json" in page, app.name
        assert "There was an error when executing cell" not in page, app.name
        assert not [u for u in re.findall(r'(?:src|href)="([^"]+)"', page) if u.startswith(("http:", "https:", "//"))]
        if app.name == "gamma_lab":
            config = json.loads(re.search(r'<script id="jupyter-config-data"[^>]*>\s*(.*?)\s*</script>', page, re.S)[1])
            extensions = {e["name"]: e["load"] for e in config["federated_extensions"]}
            assert {"bqplot", "bqplot-gl", "@jupyter-widgets/jupyterlab-manager"} <= set(extensions)
            for name, load in extensions.items():  # the widgets' JavaScript comes from this server
                assert _get(f"{url}voila/labextensions/{name}/{load}")[0] == 200, name
            kernel = re.search(r'"kernelId": "([^"]+)"', page)[1]
    assert _get(f"{url}voila/files/gamma_lab.ipynb")[0] in (403, 404)  # the notebooks themselves are not served
    # A websocket client of the legacy protocol is refused (Voila 0.5 would hang on its binary frames).
    with socket.create_connection(("127.0.0.1", apps_server.port), timeout=10) as s:
        request = [
            f"GET /api/kernels/{kernel}/channels?session_id=t HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket",
            "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ]  # fmt: skip
        s.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        assert s.recv(200).split(b"\r\n")[0].endswith(b"400 Bad Request")
    log = apps_server.log.read_text()
    assert "Culling kernels with idle durations > 1200 seconds at 60 second intervals" in log
    apps_server.proc.send_signal(signal.SIGTERM)
    assert apps_server.proc.wait(30) is not None
    assert apps_server.log.read_text().count("Kernel shutdown") == rendered


# -- the labs the apps are made of ------------------------------------------------------------------------------


def test_prewarm_runs_each_app_once_and_reports_failures(monkeypatch):
    lines: list[str] = []
    monkeypatch.setitem(apps.PREWARM, "broken_lab", lambda: 1 / 0)
    results = apps.prewarm(["ei_balance_lab", "broken_lab"], log=lines.append)
    assert isinstance(results["ei_balance_lab"], float) and results["broken_lab"].startswith("ZeroDivisionError")
    assert "cache" in lines[0] and "broken_lab" in lines[-1] and "not warmed" in lines[-1]


def test_the_gamma_lab_changes_the_delay_without_recompiling_and_reports_kappa():
    from brainlab_widgets.network_labs import GammaLab

    lab = GammaLab(autorun=False)
    try:
        assert not any(key.endswith("V0") for key in lab.lab.params.controls)  # heterogeneous starts kept
        lab.session.run()
        assert lab.session.wait(240)
        first = dict(lab.summary.values)
        assert 0.5 < first["κ"] <= 1.0 and 30 < first["population frequency (Hz)"] < 60
        compiled, spikes = lab.session.compile_count, lab.neurons.mon.spike.copy()
        lab.delay.slider.value = 2.0
        assert lab.session.wait(120)
        assert lab.synapses.delay == 2.0 and lab.summary.values["delay (ms)"] == 2.0
        assert lab.session.compile_count == compiled and lab.summary.runs_measured == 2
        assert not np.array_equal(spikes, lab.neurons.mon.spike)
        assert "delay 2 ms" in lab.lab.model_view.value
        assert lab.delay.submit(7.0) is not None and lab.synapses.delay == 2.0  # outside the range: refused
        assert "outside" in lab.delay_message.value
        lab.session.reset()
        assert lab.synapses.delay == lab.built_delay == 0.52 and lab.delay.slider.value == 0.52
    finally:
        lab.session.close()


def test_the_ei_and_connectivity_labs_report_rates_and_irregularity():
    from brainlab_widgets.network_labs import EIBalanceLab, connectivity_lab, isi_cv

    regular = np.zeros((1000, 3))
    regular[::10] = 1
    assert isi_cv(regular, 0.1) == (0.0, 3)
    rng = np.random.default_rng(1)
    poisson = (rng.random((200_000, 20)) < 0.002).astype(float)
    cv, counted = isi_cv(poisson, 0.1)
    assert counted == 20 and 0.9 < cv < 1.1
    assert math.isnan(isi_cv(np.zeros((10, 2)), 0.1)[0])
    for lab in (EIBalanceLab(autorun=False), connectivity_lab(autorun=False)):
        session = lab.session
        try:
            session.run()
            assert session.wait(240)
            values = lab.summary.values
            assert values["E rate (Hz)"] > 1 and values["I rate (Hz)"] > 1 and 0 <= values["CV of ISIs"] < 2
            assert "E rate" in lab.summary.last_text and "CV of ISIs" in lab.summary.widget.value
        finally:
            session.close()
    lab = connectivity_lab(autorun=False)
    assert lab.widget.footer.selected_index == 0 and lab.connectivity.target_menu.options
    assert lab.params["exc.w"].value == 8.0  # K = 25: round jumps, exactly on their sliders


def test_sliders_start_on_their_step_grid():
    import ipywidgets as w

    slider = w.FloatSlider(value=12.5, min=0.0, max=37.5, step=0.2)
    align_to_grid(slider)
    assert slider.min == pytest.approx(0.1) and slider.value == 12.5
    assert (slider.value - slider.min) / slider.step == pytest.approx(62)
    on_grid = w.FloatSlider(value=0.52, min=0.0, max=4.0, step=0.04)
    align_to_grid(on_grid)
    assert on_grid.min == 0.0


def test_the_neuron_explorer_gives_the_step_response_and_the_f_i_curve():
    from brainlab_widgets.neuron_explorer import NeuronExplorer

    explorer = NeuronExplorer("LIF", autorun=False)
    try:
        explorer.session.run()
        assert explorer.session.wait(240)
        rates = explorer.fi.rates
        assert rates.shape == (40,) and np.all(np.diff(rates) >= 0) and rates[-1] > 50
        assert 20.0 < explorer.fi.rheobase < 23.0  # LIF: R·I must exceed V_th - V_rest = 20 mV
        assert explorer.trace.lines.x.size > 0 and explorer.probe.mon.V.max() > 15
        compiled = explorer.session.compile_count
        explorer.step.slider.value = 0.0
        assert explorer.session.wait(60)
        assert explorer.session.compile_count == compiled and explorer.probe.mon.V.max() < 1e-9  # at rest
        assert explorer.high.submit(-1.0) is not None  # an empty range is refused, the curve stays
        explorer.session.reset()
        assert explorer.step.slider.value == 30.0
        with pytest.raises(ModelUseError):
            explorer.show("no such neuron")
        assert "no library neuron" in explorer.last_message
        explorer._built({"new": bp.models.get_AMPA()})
        explorer.source.value = "type builder"
        assert "press Build" in explorer.last_message
        model = explorer.builder.build()
        assert explorer.model is model and explorer.session.state == "idle"  # autorun=False: nothing ran yet
        explorer.session.run()
        assert explorer.session.wait(240)
        assert 0.6 < explorer.fi.rheobase < 0.9  # FitzHugh–Nagumo from rest: repetitive firing from I ≈ 0.7
    finally:
        explorer.close()


def test_the_phase_plane_lab_draws_library_and_typed_two_variable_models():
    from brainlab_widgets.dynamics_labs import CUSTOM, PLANAR, PhasePlaneLab

    lab = PhasePlaneLab()
    for name in PLANAR:
        lab.menu.value = name
        assert lab.panel is not None and lab.panel.plane is not None and not lab.last_message, name
        for slider in lab.panel.sliders.values():
            steps = (slider.value - slider.min) / slider.step
            assert abs(steps - round(steps)) < 1e-6, (name, slider.description)
    lab.menu.value = CUSTOM
    assert lab.panel is None and "press Build" in lab.last_message
    lab.builder.build()  # the FitzHugh–Nagumo preset
    assert lab.panel is not None and "I" in lab.panel.sliders and lab.panel.add_trajectory(0.0, 0.0) is not None
    lab.builder.load_preset("Hodgkin–Huxley")
    lab.builder.build()
    assert "has 4 (m, h, n, V)" in lab.last_message


def test_the_bifurcation_lab_moves_its_phase_plane_to_the_clicked_current():
    from brainlab_widgets.dynamics_labs import BifurcationLab

    lab = BifurcationLab()
    np.testing.assert_allclose(lab.diagram.hopf_marks.x, [0.33128, 1.41872], atol=1e-4)
    lab.diagram.select(1.0)
    assert lab.plane.analyzer.fixed_vars["I_ext"] == 1.0 and lab.plane.sliders["I_ext"].value == 1.0
