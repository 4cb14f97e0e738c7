"""The ``brainlab`` command: ``demo`` runs the gamma network, ``cache`` manages kernels, ``apps`` and ``lab`` the UI.

``apps`` (the Voila teaching apps) and ``lab`` (JupyterLab on the notebooks) live
in the UI layer, ``brainlab_widgets.apps``, which the engine never imports (an
import-linter contract). The command line hands them their arguments by module
name at run time, as for a plug-in: nothing of the engine depends on the UI, and
without it the commands say which pip extra to install.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

#: Subcommands run by the UI layer, and the module (by name: see above) that runs them.
UI_COMMANDS = {"apps": "brainlab_widgets.apps", "lab": "brainlab_widgets.apps"}
APPS_EXTRA = "pip install 'brainlab[apps]'"


def _demo(args: argparse.Namespace) -> int:
    from brainlab.demo import run_demo

    result = run_demo(out=args.out, duration=args.duration, num=args.num)
    source = "loaded from the kernel cache" if result.cache_hit else "compiled"
    print(f"Wang–Buzsáki gamma network: {args.num} HH neurons, GABA-A all-to-all, {args.duration:g} ms")
    print(f"  kernel {source} in {result.compile_s:.2f} s, simulated in {result.run_s:.2f} s")
    print(f"  mean firing rate      {result.rate_hz:6.1f} Hz")
    print(f"  population frequency  {result.frequency_hz:6.1f} Hz")
    print(f"  coherence kappa       {result.coherence:6.2f}  (Wang & Buzsaki, 1 ms bins)")
    if result.raster is not None:
        print(f"  raster written to {result.raster}")
    return 0


def _cache(args: argparse.Namespace) -> int:
    from brainlab import clear_cache, profile

    if args.action == "clear":
        print(f"removed {clear_cache()} generated kernel(s) from {profile.get_cache_dir()}")
    else:
        print(profile.get_cache_dir())
    return 0


def _ui(argv: list[str]) -> int:
    """Run ``brainlab apps ...`` or ``brainlab lab ...`` with the UI layer's own parser."""
    try:
        module = importlib.import_module(UI_COMMANDS[argv[0]])
    except ImportError as err:
        print(
            f"brainlab {argv[0]}: the apps need the widgets, Voila and JupyterLab ({err}); "
            f"install them with: {APPS_EXTRA}",
            file=sys.stderr,
        )
        return 1
    return module.main(argv, prog="brainlab")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``brainlab`` command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in UI_COMMANDS:
        return _ui(argv)
    parser = argparse.ArgumentParser(prog="brainlab", description="brainlab: a laboratory for neuronal dynamics.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the quickstart gamma network and write a raster plot")
    demo.add_argument("--out", default="brainlab-demo-raster.png", help="PNG file for the raster ('' for none)")
    demo.add_argument("--duration", type=float, default=500.0, help="simulated time in ms (> 100)")
    demo.add_argument("--num", type=int, default=100, help="number of neurons")
    demo.set_defaults(run=_demo)
    cache = commands.add_parser("cache", help="show or clear the directory of compiled kernels")
    cache.add_argument("action", choices=["dir", "clear"], nargs="?", default="dir")
    cache.set_defaults(run=_cache)
    # Listed for --help only: main() hands these to the UI layer before parsing (see the module docstring).
    commands.add_parser(
        "apps", help="serve the Voila teaching apps on 127.0.0.1 (brainlab apps --help)", add_help=False
    )
    commands.add_parser("lab", help="open JupyterLab on the notebooks (brainlab lab --help)", add_help=False)
    args = parser.parse_args(argv)
    if args.command == "demo" and args.duration <= 100.0:
        parser.error("--duration must exceed the 100 ms transient that the summary skips")
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
