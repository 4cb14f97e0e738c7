"""``brainlab apps`` and ``brainlab lab``: the Voila teaching apps on 127.0.0.1, and JupyterLab on the notebooks.

``brainlab apps`` warms the kernel cache (each app's networks are built and run
once in this process, so the apps' kernels load machine code from the disk
cache instead of compiling), then replaces itself with a Voila server over the
apps folder, configured by the files of ``voila_config/`` that ship with this
package:

* ``voila.json`` — sources stripped from the pages, no tracebacks sent to the
  browser, the ``brainlab`` template (the gallery page, and app pages that load
  nothing from a CDN), idle kernels culled (``MappingKernelManager.cull_*``: a
  closed tab does not stop its kernel), 127.0.0.1 and no port hopping;
* ``voila.py`` — the gallery's list of apps, from the notebooks' metadata, and a
  kernel websocket that refuses clients of the legacy protocol (Voila 0.5 hangs on
  their binary frames);
* ``voila/templates/brainlab/`` — the template (found through ``JUPYTER_PATH``).

The command line adds what is chosen per run: the port, the browser, pre-heated
kernels (``--preheat N``: N kernels per app started and run ahead of the visitors)
and the idle time before a kernel is culled. ``python -m brainlab_widgets.apps``
is the same command as ``brainlab``'s ``apps`` and ``lab`` subcommands.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "APPS_EXTRA",
    "PREWARM",
    "AppInfo",
    "apps_dir",
    "build_parser",
    "config_dir",
    "lab_command",
    "list_apps",
    "main",
    "notebooks_dir",
    "prewarm",
    "voila_command",
    "voila_config",
]

#: What to install when Voila or JupyterLab is missing.
APPS_EXTRA = "pip install 'brainlab[apps]'"
HOST = "127.0.0.1"
DEFAULT_PORT = 8866
DEFAULT_LAB_PORT = 8888

_HERE = Path(__file__).resolve().parent


# -- where things are -------------------------------------------------------------------------------------------


def apps_dir() -> Path:
    """Return the folder of the app notebooks.

    In an installed wheel they are package data (``brainlab_widgets/app_notebooks``);
    in a source checkout (editable install) they are ``notebooks/apps`` of the
    repository, the one copy the wheel is built from.
    """
    for candidate in (_HERE / "app_notebooks", _HERE.parent / "notebooks" / "apps"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise FileNotFoundError(f"brainlab apps: no app notebooks next to {_HERE}; reinstall brainlab ({APPS_EXTRA}).")


def config_dir() -> Path:
    """Return the folder of the shipped Voila configuration (``voila.json``, ``voila.py``, the template)."""
    return _HERE / "voila_config"


def notebooks_dir() -> Path:
    """Return the folder ``brainlab lab`` opens: the repository's ``notebooks`` in a source checkout, else the apps."""
    source = _HERE.parent / "notebooks"
    return source if source.is_dir() else apps_dir()


@dataclasses.dataclass(frozen=True)
class AppInfo:
    """An app of the gallery: its notebook and the ``brainlab.app`` metadata it carries."""

    name: str
    path: Path
    title: str
    summary: str
    order: float


def list_apps(folder: Path | None = None) -> list[AppInfo]:
    """Return the apps of ``folder`` (default :func:`apps_dir`) in gallery order."""
    folder = apps_dir() if folder is None else Path(folder)
    apps = []
    for path in sorted(folder.glob("*.ipynb")):
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        app = metadata.get("brainlab", {}).get("app", {})
        apps.append(
            AppInfo(path.stem, path, app.get("title", path.stem), app.get("summary", ""), app.get("order", 1000))
        )
    return sorted(apps, key=lambda a: (a.order, a.title))


# -- pre-warming the kernel cache -------------------------------------------------------------------------------


def _wait(session: Any, timeout: float = 300.0) -> None:
    session.run()
    if not session.wait(timeout):
        raise TimeoutError(f"the run did not finish in {timeout:g} s")
    if session.last_error is not None:
        raise session.last_error


def _warm_neuron_explorer() -> None:
    from brainlab_widgets.neuron_explorer import NEURONS, NeuronExplorer

    explorer = NeuronExplorer(autorun=False)
    try:
        for name in NEURONS:
            explorer.show(name)
            _wait(explorer.session)
        explorer.source.value = "type builder"
        model = explorer.builder.build()  # the preset's preview, then the explorer's network of it
        if model is not None:
            explorer.show(model, dt=explorer.builder.dt_box.value, step=explorer.builder.current_box.value)
            _wait(explorer.session)
    finally:
        explorer.close()


def _warm_phase_plane_lab() -> None:
    from brainlab_widgets.dynamics_labs import CUSTOM, PLANAR, PhasePlaneLab

    lab = PhasePlaneLab()
    for name in [*PLANAR, CUSTOM]:
        lab.menu.value = name
        if name == CUSTOM:
            lab.builder.build()
        panel = lab.panel
        if panel is None:
            raise RuntimeError(lab.last_message or f"no phase plane for {name}")
        (x0, x1), (y0, y1) = panel.ranges
        if panel.add_trajectory((x0 + x1) / 2, (y0 + y1) / 2) is None:  # compiles the trajectory kernel
            raise RuntimeError(panel.last_message)


def _warm_bifurcation_lab() -> None:
    from brainlab_widgets.dynamics_labs import BIFURCATION_MODELS, BifurcationLab

    lab = BifurcationLab()
    for name in BIFURCATION_MODELS:
        lab.menu.value = name  # the diagram simulates its limit cycles
        (x0, x1), (y0, y1) = lab.plane.ranges
        lab.plane.add_trajectory((x0 + x1) / 2, (y0 + y1) / 2)


def _warm_gamma_lab() -> None:
    from brainlab_widgets.network_labs import GammaLab

    lab = GammaLab(autorun=False)
    try:
        _wait(lab.session)
        lab.set_delay(0.0, rerun=False)  # no delay buffer: the other kernel of this network
        _wait(lab.session)
    finally:
        lab.session.close()


def _warm_ei_balance_lab() -> None:
    from brainlab_widgets.network_labs import EIBalanceLab

    lab = EIBalanceLab(autorun=False)
    try:
        _wait(lab.session)
    finally:
        lab.session.close()


def _warm_connectivity_lab() -> None:
    from brainlab_widgets.network_labs import connectivity_lab

    lab = connectivity_lab(autorun=False)
    try:
        _wait(lab.session)
    finally:
        lab.session.close()


#: App name -> what builds and runs its networks once (same objects as the app notebook).
PREWARM: Mapping[str, Callable[[], None]] = {
    "neuron_explorer": _warm_neuron_explorer,
    "phase_plane_lab": _warm_phase_plane_lab,
    "bifurcation_lab": _warm_bifurcation_lab,
    "gamma_lab": _warm_gamma_lab,
    "ei_balance_lab": _warm_ei_balance_lab,
    "connectivity_lab": _warm_connectivity_lab,
}


def prewarm(names: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, float | str]:
    """Build and run the networks of the apps once, so that their kernels find compiled code in the disk cache.

    Parameters
    ----------
    names : sequence of str, optional
        Apps to warm (default: every app with an entry in :data:`PREWARM`).
    log : callable
        Gets one line per app.

    Returns
    -------
    dict
        App name -> seconds taken, or the error text when warming it failed (the
        app still works; its first visitor waits for the compile).
    """
    import warnings

    import brainlab as bp
    from brainlab.errors import DelayRoundingWarning

    names = list(PREWARM) if names is None else list(names)
    results: dict[str, float | str] = {}
    log(f"brainlab apps: warming the kernel cache in {bp.profile.get_cache_dir()} ...")
    for name in names:
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DelayRoundingWarning)
                PREWARM[name]()
        except Exception as exc:  # an app that cannot be warmed is still served
            results[name] = f"{type(exc).__name__}: {exc}"
            log(f"  {name:18s} not warmed: {results[name]}")
            continue
        finally:
            bp.profile.reset()  # a warm-up must not leave settings behind for the next
        results[name] = time.perf_counter() - start
        log(f"  {name:18s} {results[name]:6.1f} s")
    return results


# -- the Voila and JupyterLab command lines --------------------------------------------------------------------


def voila_config(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Return the Voila configuration ``brainlab apps`` runs with: ``voila.json`` with this run's options on top."""
    config = json.loads((config_dir() / "voila.json").read_text(encoding="utf-8"))
    config.setdefault("Voila", {}).update(ip=HOST, port=args.port, open_browser=args.browser, port_retries=0)
    voila = config.setdefault("VoilaConfiguration", {})
    voila["preheat_kernel"] = args.preheat > 0
    if args.preheat > 0:
        voila["default_pool_size"] = args.preheat
    if args.cull_idle is not None:
        config.setdefault("MappingKernelManager", {})["cull_idle_timeout"] = args.cull_idle
    return config


def _flag(section: str, name: str, value: Any) -> str:
    return f"--{section}.{name}={value if isinstance(value, str | bool) else json.dumps(value)}"


def voila_command(args: argparse.Namespace, folder: Path | None = None) -> list[str]:
    """Return the Voila command line of ``brainlab apps``.

    Voila reads ``voila.json`` and ``voila.py`` from :func:`config_dir` only (not
    from a user's ``~/.jupyter``); the settings with one value are repeated as
    flags, so that the command line shows what the server does (sources stripped,
    kernels culled, 127.0.0.1 and the port). Lists (the file allow and deny
    lists) come from the file.
    """
    folder = apps_dir() if folder is None else Path(folder)
    command = [sys.executable, "-m", "voila", str(folder), f"--Voila.config_file_paths={config_dir()}"]
    for section, values in voila_config(args).items():
        command += [_flag(section, k, v) for k, v in values.items() if isinstance(v, str | bool | int | float)]
    return command


def voila_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of the Voila server: the template's folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ if env is None else env)
    paths = [str(config_dir()), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def lab_command(args: argparse.Namespace, token: str) -> list[str]:
    """Return the JupyterLab command line of ``brainlab lab`` (as root, in a container, it must allow root)."""
    command = [
        sys.executable, "-m", "jupyterlab", f"--notebook-dir={args.directory}", f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={args.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={args.browser}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")  # JupyterLab refuses to start as root otherwise
    return command


# -- the commands -----------------------------------------------------------------------------------------------


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a whole number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 1 and 65535, got {port}")
    return port


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= 16:
        raise argparse.ArgumentTypeError(f"expected 0 to 16 kernels per app, got {value}")
    return value


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (never cull) or more seconds, got {value}")
    return value


def build_parser(prog: str = "brainlab") -> argparse.ArgumentParser:
    """Return the parser of the ``apps`` and ``lab`` commands (``prog`` names the program in messages)."""
    parser = argparse.ArgumentParser(prog=prog, description="Serve brainlab's teaching apps, or open JupyterLab.")
    commands = parser.add_subparsers(dest="command", required=True)
    apps = commands.add_parser(
        "apps",
        help="serve the teaching apps with Voila on 127.0.0.1",
        description="Serve the gallery of brainlab's teaching apps with Voila on 127.0.0.1 (pip extra 'apps').",
    )
    apps.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    apps.add_argument(
        "--browser", action=argparse.BooleanOptionalAction, default=False,
        help="open the gallery in a web browser (default: --no-browser, print the URL)",
    )  # fmt: skip
    apps.add_argument(
        "--prewarm", action=argparse.BooleanOptionalAction, default=True,
        help="build and run every app's networks once first, so that kernels load them from the disk cache "
        "(default: --prewarm)",
    )  # fmt: skip
    apps.add_argument(
        "--preheat", type=_count, default=0, metavar="N",
        help="keep N kernels per app started and run ahead of visitors (about 250 MB each; default 0: off)",
    )  # fmt: skip
    apps.add_argument(
        "--cull-idle", type=_seconds, default=None, metavar="SECONDS",
        help="stop a kernel after this many seconds without activity, open tab or not (default: voila.json's, "
        "1200; 0 never)",
    )  # fmt: skip
    apps.add_argument("--dry-run", action="store_true", help="print the Voila command line and exit")
    apps.set_defaults(run=run_apps)
    lab = commands.add_parser(
        "lab",
        help="open JupyterLab on the notebooks (tutorials, exercises, apps)",
        description="Open JupyterLab on brainlab's notebooks, on 127.0.0.1 (pip extra 'apps').",
    )
    lab.add_argument("directory", nargs="?", default=None, help="folder to open (default: the notebooks)")
    lab.add_argument("--port", type=_port, default=DEFAULT_LAB_PORT, help=f"port (default {DEFAULT_LAB_PORT})")
    lab.add_argument(
        "--browser", action=argparse.BooleanOptionalAction, default=False,
        help="open JupyterLab in a web browser (default: --no-browser, print the URL)",
    )  # fmt: skip
    lab.add_argument("--dry-run", action="store_true", help="print the JupyterLab command line and exit")
    lab.set_defaults(run=run_lab)
    return parser


def _missing(module: str, what: str) -> str | None:
    """Return the message for a missing ``module`` (None when it is installed)."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{what} is not installed; install it with: {APPS_EXTRA}"


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
    return False


def _replace_process(command: list[str], env: Mapping[str, str]) -> int:
    """Run ``command`` in place of this process (POSIX), so signals reach the server itself; else wait for it."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, dict(env))
    process = subprocess.Popen(command, env=dict(env))  # pragma: no cover - Windows
    try:  # pragma: no cover
        return process.wait()
    except KeyboardInterrupt:  # pragma: no cover
        process.terminate()
        return process.wait()


def run_apps(args: argparse.Namespace) -> int:
    """Run ``brainlab apps``: check, pre-warm, print the URL, become the Voila server."""
    problem = _missing("voila", "Voila (the server of the apps)")
    if problem:
        print(f"brainlab apps: {problem}", file=sys.stderr)
        return 1
    folder = apps_dir()
    command = voila_command(args, folder)
    if args.dry_run:
        print(subprocess.list2cmdline(command))
        return 0
    if _port_in_use(args.port):
        print(f"brainlab apps: port {args.port} on {HOST} is in use; choose another with --port", file=sys.stderr)
        return 1
    apps = list_apps(folder)
    if args.prewarm:
        prewarm([a.name for a in apps if a.name in PREWARM])
    url = f"http://{HOST}:{args.port}/"
    print(f"brainlab apps: {len(apps)} apps at {url} (Ctrl-C stops the server and its kernels)")
    for app in apps:
        print(f"  {app.title:24s} {url}voila/render/{app.path.name}")
    return _replace_process(command, voila_environment())


def run_lab(args: argparse.Namespace) -> int:
    """Run ``brainlab lab``: JupyterLab on the notebooks, on 127.0.0.1, with a token in the printed URL."""
    problem = _missing("jupyterlab", "JupyterLab")
    if problem:
        print(f"brainlab lab: {problem}", file=sys.stderr)
        return 1
    args.directory = str(Path(args.directory).resolve() if args.directory else notebooks_dir())
    if not Path(args.directory).is_dir():
        print(f"brainlab lab: {args.directory} is not a folder", file=sys.stderr)
        return 1
    token = secrets.token_urlsafe(24)
    command = lab_command(args, token)
    if args.dry_run:
        print(subprocess.list2cmdline(command))
        return 0
    if _port_in_use(args.port):
        print(f"brainlab lab: port {args.port} on {HOST} is in use; choose another with --port", file=sys.stderr)
        return 1
    print(f"brainlab lab: JupyterLab on {args.directory} at http://{HOST}:{args.port}/lab?token={token}")
    return _replace_process(command, os.environ)


def main(argv: Sequence[str] | None = None, prog: str = "brainlab") -> int:
    """Run ``apps`` or ``lab`` (``argv`` starts with the subcommand)."""
    args = build_parser(prog).parse_args(argv)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog="python -m brainlab_widgets.apps"))
