"""Benchmark the build: where the time of ``policykg.graph.build.build_project`` goes, with no cache.

    python bench/bench_build.py              # 3 runs, reasoning from its own cache (Java once)
    python bench/bench_build.py --runs 5 --no-reason

Each run builds into a fresh cache folder, so every step runs (the reasoner's own cache is kept unless
``--cold-reasoner``: HermiT's time is measured by bench_reason.py). Prints the median of each step, as the build
reports its steps, and of the whole build, then the time of a cached build (what a restart costs).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from policykg.graph.build import build_project
from policykg.project import Project


def one_build(project: Project, *, reason: bool) -> tuple[float, dict[str, float]]:
    steps: dict[str, float] = {}
    current = ["start", time.perf_counter()]

    def on_step(message: str) -> None:
        now = time.perf_counter()
        steps[str(current[0])] = steps.get(str(current[0]), 0.0) + now - float(current[1])
        current[0], current[1] = message, now

    started = time.perf_counter()
    build_project(project, reason=reason, use_cache=False, on_step=on_step)
    on_step("end")
    steps.pop("start", None)
    return time.perf_counter() - started, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-reason", action="store_true")
    parser.add_argument("--cold-reasoner", action="store_true", help="Empty the reasoner's cache before each run.")
    args = parser.parse_args()

    real = Project.locate()
    scratch = Path(tempfile.mkdtemp(prefix="policykg-bench-build-"))
    if (real.cache_dir / "reason").is_dir():
        shutil.copytree(real.cache_dir / "reason", scratch / "cache" / "reason")

    class Scratch(Project):
        @property
        def cache_dir(self) -> Path:  # builds go to the scratch folder, never to the checkout's cache
            return scratch / "cache"

    project = Scratch(real.root)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, reasoning {'off' if args.no_reason else 'on'}")
    one_build(project, reason=not args.no_reason)  # warm-up: imports, the reasoner's cache
    totals, per_step = [], {}
    for _ in range(args.runs):
        if args.cold_reasoner:
            shutil.rmtree(scratch / "cache" / "reason", ignore_errors=True)
        for item in (scratch / "cache").glob("build-*"):
            item.unlink()
        total, steps = one_build(project, reason=not args.no_reason)
        totals.append(total)
        for name, seconds in steps.items():
            per_step.setdefault(name, []).append(seconds)
    print(f"{'step':<48} {'median s':>9} {'min':>7} {'max':>7}")
    for name, values in per_step.items():
        print(f"{name:<48} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f}")
    print(f"{'whole build':<48} {statistics.median(totals):9.2f} {min(totals):7.2f} {max(totals):7.2f}")
    cached = []
    for _ in range(args.runs):
        started = time.perf_counter()
        build_project(project, reason=not args.no_reason)
        cached.append(time.perf_counter() - started)
    print(f"{'cached build (nothing changed)':<48} {statistics.median(cached):9.2f}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
