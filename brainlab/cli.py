"""The ``brainlab`` command: ``demo`` runs the gamma network, ``cache`` manages kernels."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``brainlab`` command line."""
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
    args = parser.parse_args(argv)
    if args.command == "demo" and args.duration <= 100.0:
        parser.error("--duration must exceed the 100 ms transient that the summary skips")
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
