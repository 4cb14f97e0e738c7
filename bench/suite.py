"""Run brainlab beside Brian2, BrainPy 2.x and hand-written Numba kernels; print the ratios.

Every measurement runs in a fresh process of its peer's virtualenv (made by
``bench/setup.sh``), ``--repeat`` times, interleaved so that machine noise
spreads over all peers. Each process prints one JSON object; the suite adds
the repetition, writes everything to ``bench/results/latest.jsonl`` (and
appends it to ``history.jsonl``), and prints a Markdown table: median and
min–max of each time, the firing rate, and brainlab's steady-state time over
the peer's, all from this one run. A last table checks the targets of issue 4.

Usage::

    bench/run.sh                      # everything, 3 repetitions
    bench/run.sh --repeat 5
    bench/run.sh --quick              # 1 repetition, COBA at 4 000 only
    bench/run.sh --sizes 4000,16000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = {
    "brainlab": BENCH / ".venv-brainlab" / "bin" / "python",
    "brian2": BENCH / ".venv-brian2" / "bin" / "python",
    "brainpy": BENCH / ".venv-brainpy" / "bin" / "python",
}
TIMEOUT_S = 3600


@dataclasses.dataclass(frozen=True)
class Job:
    """One measurement: a command run in a fresh process of one virtualenv."""

    key: str  # row label in the tables
    env: str  # which virtualenv
    args: tuple[str, ...]
    group: str  # rows of one group are compared with each other
    compare_to: str | None = None  # the brainlab row this peer is compared with
    cache: str = "warm"  # 'warm': the suite's shared cache; otherwise a slot name (see below)


def _brainlab(*args: str) -> tuple[str, ...]:
    return ("-m", "bench.workloads.brainlab_runs", *args)


def coba_jobs(n: int, workdir: Path) -> list[Job]:
    """COBA at ``n`` neurons in every peer, brainlab compared with each."""
    group, me = f"COBA N={n}", f"brainlab COBA {n}"
    brian2 = [
        Job(
            f"brian2 {device} COBA {n}",
            "brian2",
            (
                "-m",
                "bench.workloads.brian2_coba",
                "--device",
                device,
                "--n",
                str(n),
                "--workdir",
                str(workdir / "brian2"),
            ),
            group,
            me,
        )
        for device in ("cpp_standalone", "runtime")
    ]
    return [
        Job(me, "brainlab", _brainlab("coba", "--n", str(n)), group),
        Job(f"numba floor COBA {n}", "brainlab", _brainlab("floor", "--n", str(n)), group, me),
        *brian2,
        Job(f"brainpy COBA {n}", "brainpy", ("-m", "bench.workloads.brainpy_coba", "--n", str(n)), group, me),
    ]


def gamma_jobs() -> list[Job]:
    """The seed's gamma network: both brainlab formulations, the floor, BrainPy in float64 and float32."""
    group = "gamma (100 HH, 500 ms)"
    seed, idiom, idiom32 = "brainlab gamma seed form", "brainlab gamma idiomatic", "brainlab gamma idiomatic f32"
    return [
        Job(seed, "brainlab", _brainlab("gamma", "--form", "seed"), group),
        Job(idiom, "brainlab", _brainlab("gamma", "--form", "idiomatic"), group),
        Job(idiom32, "brainlab", _brainlab("gamma", "--form", "idiomatic", "--float32"), group),
        Job("numba floor gamma per synapse", "brainlab", _brainlab("gamma-floor"), group, seed),
        Job("brainpy gamma", "brainpy", ("-m", "bench.workloads.brainpy_gamma"), group, idiom),
        Job("brainpy gamma f32", "brainpy", ("-m", "bench.workloads.brainpy_gamma", "--float32"), group, idiom32),
    ]


def build_jobs() -> list[Job]:
    """Cold (empty caches) and warm (filled caches, fresh process) builds."""
    # Each pair has its own cache slot: a fresh, empty directory in every
    # repetition, so the first run of the pair is cold and the second warm.
    jobs = []
    pairs = (
        ("gamma idiomatic", ("gamma", "--form", "idiomatic")),
        ("gamma seed", ("gamma", "--form", "seed")),
        ("COBA 4000", ("coba", "--n", "4000")),
    )
    for name, args in pairs:
        for state in ("cold", "warm"):
            jobs.append(Job(f"build {name} ({state})", "brainlab", _brainlab(*args), "builds", cache=f"slot {name}"))
    return jobs


def rerun_jobs() -> list[Job]:
    """Repeat-mode reruns after a parameter change."""
    return [
        Job("rerun gamma idiomatic", "brainlab", _brainlab("rerun", "--net", "gamma"), "reruns"),
        Job("rerun E/I LIF 1000, 500 ms", "brainlab", _brainlab("rerun", "--net", "lif1000"), "reruns"),
    ]


def _run(job: Job, cache: Path) -> dict:
    env = dict(os.environ)
    if job.env == "brainlab":
        env["BRAINLAB_CACHE_DIR"] = str(cache / "kernels")
        env["NUMBA_CACHE_DIR"] = str(cache / "numba")
    env["PYTHONPATH"] = str(ROOT)
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(PYTHON[job.env]), *job.args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    wall = time.perf_counter() - t0
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-5:]
        return {"error": f"exit {out.returncode}: " + " | ".join(tail), "wall_s": wall}
    record = json.loads(lines[-1])
    record["wall_s"] = wall
    return record


def _stats(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.3g}"
    return f"{med:.3g} [{min(values):.3g}–{max(values):.3g}]"


def _median(records: list[dict], field: str) -> float | None:
    values = [r[field] for r in records if r.get(field) is not None]
    return statistics.median(values) if values else None


def table(jobs: list[Job], results: dict[str, list[dict]]) -> str:
    """Markdown table of all measurements with brainlab/peer ratios."""
    lines = []
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.group, []).append(job)
    for group, members in groups.items():
        header = "| run | build (s) | first run (s) | steady run (s) | rate (Hz) | spikes | brainlab / this |"
        lines += [f"\n**{group}**\n", header, "|---|---|---|---|---|---|---|"]
        for job in members:
            records = [r for r in results.get(job.key, []) if "error" not in r]
            errors = [r["error"] for r in results.get(job.key, []) if "error" in r]
            if not records:
                lines.append(f"| {job.key} | failed: {errors[0] if errors else 'not run'} | | | | | |")
                continue
            ratio = ""
            if job.compare_to and results.get(job.compare_to):
                mine = _median([r for r in results[job.compare_to] if "error" not in r], "run_s")
                theirs = _median(records, "run_s")
                if mine and theirs:
                    ratio = f"{mine / theirs:.2f}"
            if group == "reruns":
                cells = ["–", "–", _stats([r["rerun_s"] for r in records]), "–", "–", ""]
            else:
                cells = [
                    _stats([r.get("build_s") for r in records]),
                    _stats([r.get("first_run_s") for r in records]),
                    _stats([r.get("run_s") for r in records]),
                    f"{_median(records, 'rate_hz'):.2f}" if _median(records, "rate_hz") is not None else "–",
                    f"{int(_median(records, 'spikes'))}" if _median(records, "spikes") is not None else "–",
                    ratio,
                ]
            lines.append(f"| {job.key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratio(results: dict, mine: str, theirs: str) -> float | None:
    a = _median([r for r in results.get(mine, []) if "error" not in r], "run_s")
    b = _median([r for r in results.get(theirs, []) if "error" not in r], "run_s")
    return a / b if a and b else None


def targets(results: dict, sizes: list[int]) -> str:
    """The targets of issue 4, met or not, from this run's medians."""
    rows = []

    def add(name: str, value: float | None, limit: float, unit: str = "") -> None:
        if value is None:
            rows.append(f"| {name} | not measured | {limit:g}{unit} | – |")
        else:
            rows.append(
                f"| {name} | {value:.3g}{unit} | ≤ {limit:g}{unit} | {'met' if value <= limit else 'NOT met'} |"
            )

    for n in (4000, 64000):
        if n in sizes:
            add(
                f"COBA {n}: brainlab / Brian2 cpp_standalone",
                _ratio(results, f"brainlab COBA {n}", f"brian2 cpp_standalone COBA {n}"),
                0.7,
            )
            add(
                f"COBA {n}: brainlab / hand-written floor",
                _ratio(results, f"brainlab COBA {n}", f"numba floor COBA {n}"),
                1.2,
            )
    add(
        "gamma idiomatic f64: brainlab / BrainPy f64", _ratio(results, "brainlab gamma idiomatic", "brainpy gamma"), 1.0
    )
    add(
        "gamma idiomatic f32: brainlab / BrainPy f32",
        _ratio(results, "brainlab gamma idiomatic f32", "brainpy gamma f32"),
        1.0,
    )
    add(
        "gamma seed form: brainlab / per-synapse floor",
        _ratio(results, "brainlab gamma seed form", "numba floor gamma per synapse"),
        1.0,
    )
    fixed = [r for r in results.get("brainlab COBA 400", []) if "error" not in r]
    if fixed:
        add(
            "fixed cost per step (COBA N=400)",
            statistics.median(r["run_s"] / r["steps"] * 1e6 for r in fixed),
            0.6,
            " µs",
        )
    for form in ("idiomatic", "seed"):
        cold = [r for r in results.get(f"build gamma {form} (cold)", []) if "error" not in r]
        warm = [r for r in results.get(f"build gamma {form} (warm)", []) if "error" not in r]
        add(f"gamma {form}: cold first run (build + run)", _median(cold, "first_total_s"), 3.0, " s")
        add(f"gamma {form}: warm build, fresh process", _median(warm, "build_s"), 0.3, " s")
    for key, limit in (("rerun gamma idiomatic", 0.2), ("rerun E/I LIF 1000, 500 ms", 0.05)):
        records = [r for r in results.get(key, []) if "error" not in r]
        add(
            key + " (recompiled: " + str(any(r["recompiled"] for r in records)) + ")",
            _median(records, "rerun_s"),
            limit,
            " s",
        )
    return "\n".join(["| target | measured | limit | |", "|---|---|---|---|", *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="4000,16000,64000")
    parser.add_argument("--quick", action="store_true", help="1 repetition, COBA at 4000 only")
    parser.add_argument("--only", default="", help="comma-separated groups: coba,fixed,gamma,builds,reruns")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    sizes = [4000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    missing = [name for name, py in PYTHON.items() if not py.exists()]
    if missing:
        sys.exit(f"Missing virtualenvs {missing}: run bench/setup.sh first.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    work = RESULTS / "work"
    only = set(args.only.split(",")) - {""}
    jobs: list[Job] = []
    if not only or "coba" in only:
        for n in sizes:
            jobs += coba_jobs(n, work)
    if not only or "fixed" in only:
        jobs += [dataclasses.replace(j, group="fixed cost per step (COBA N=400)") for j in coba_jobs(400, work)]
    if not only or "gamma" in only:
        jobs += gamma_jobs()
    if not only or "builds" in only:
        jobs += build_jobs()
    if not only or "reruns" in only:
        jobs += rerun_jobs()

    warm = RESULTS / "cache"
    results: dict[str, list[dict]] = {}
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    latest = (RESULTS / "latest.jsonl").open("w")
    for rep in range(repeat):
        slots: dict[str, Path] = {}  # fresh cache directories of this repetition
        try:
            for job in jobs:
                print(f"[rep {rep + 1}/{repeat}] {job.key} ...", file=sys.stderr, flush=True)
                if job.cache == "warm":
                    cache = warm
                else:
                    cache = slots.setdefault(job.cache, Path(tempfile.mkdtemp(prefix="brainlab-cache-")))
                record = _run(job, cache)
                record |= {"job": job.key, "group": job.group, "rep": rep, "cache": job.cache, "started": started}
                results.setdefault(job.key, []).append(record)
                line = json.dumps(record)
                latest.write(line + "\n")
                latest.flush()
                with (RESULTS / "history.jsonl").open("a") as history:
                    history.write(line + "\n")
        finally:
            for path in slots.values():
                shutil.rmtree(path, ignore_errors=True)
    latest.close()
    report = [
        f"Benchmark of {started} on {os.cpu_count()} CPU(s), {repeat} repetition(s), fresh process each; "
        "times in seconds, median [min–max]; 'brainlab / this' divides brainlab's steady-state median by this row's.",
        table(jobs, results),
        "\n**Targets (issue 4)**\n",
        targets(results, sizes),
    ]
    text = "\n".join(report)
    (RESULTS / "latest.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
