"""What the Python API costs a notebook: ``import policykg``, ``policykg.open()`` with the build cached, a named
query, ``to_pandas()`` and ``to_csv()``; medians of several runs (the machine is shared: read them as medians).

    python bench/bench_api.py [--runs 5] [--no-reason]

``import policykg`` and the first ``open()`` are timed in fresh interpreters (the cost a new kernel pays); the
rest in this process, on one open graph.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def fresh(code: str, runs: int) -> float:
    """Median seconds of ``code`` in a fresh interpreter, less an empty interpreter's start."""
    def once(text: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", text], check=True)
        return time.perf_counter() - started

    base = statistics.median(once("pass") for _ in range(runs))
    return statistics.median(once(code) for _ in range(runs)) - base


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-reason", action="store_true", help="open(reason=False)")
    args = parser.parse_args()
    reason = not args.no_reason

    import policykg

    kg = policykg.open(reason=reason)          # builds once if the cache is cold; not timed
    print(f"graph: {len(kg.store)} quads, version {kg.version[:12]}, reason={reason}, {args.runs} runs")
    print(f"import policykg (fresh interpreter):      {fresh('import policykg', args.runs) * 1000:8.1f} ms")
    print(f"import + open(), build cached (fresh):    "
          f"{fresh(f'import policykg; policykg.open(reason={reason})', args.runs) * 1000:8.1f} ms")
    status = lambda: kg.query("status-on-date", date="2023-06-01")  # noqa: E731
    rows = status()
    print(f"query status-on-date ({len(rows)} rows):          {median_ms(status, args.runs):8.1f} ms")
    positions = lambda: kg.query("positions-by-stance", stance=["critical", "mixed"])  # noqa: E731
    print(f"query positions-by-stance, two stances:   {median_ms(positions, args.runs):8.1f} ms")
    rows.to_pandas()                          # pandas' own import, once
    print(f"to_pandas() of those rows:                {median_ms(rows.to_pandas, args.runs):8.1f} ms")
    print(f"to_csv() of those rows:                   {median_ms(rows.to_csv, args.runs):8.1f} ms")


if __name__ == "__main__":
    main()
