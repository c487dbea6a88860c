"""Start-up benchmark: how long a cold `chaingraph` process takes, against bare Python.

Each command runs in a fresh process, interleaved with the others so that machine noise hits all
of them alike; the figures are medians over the runs and ratios against `python -c pass` measured
in the same run.

    .venv/bin/python bench/startup.py [--runs 15] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def commands() -> dict[str, list[str]]:
    chaingraph = str(BIN / "chaingraph")
    return {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "chaingraph --help": [chaingraph, "--help"],
        "chaingraph chains": [chaingraph, "chains"],
        "chaingraph info": [chaingraph, "info"],
    }


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    cmds = commands()
    for argv in cmds.values():  # warm the file cache and .pyc files once
        run_once(argv)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, argv in cmds.items():
            times[name].append(run_once(argv))

    baseline = statistics.median(next(iter(times.values())))
    rows = [
        {
            "command": name,
            "median_ms": round(statistics.median(t) * 1000, 1),
            "min_ms": round(min(t) * 1000, 1),
            "ratio_to_baseline": round(statistics.median(t) / baseline, 2),
        }
        for name, t in times.items()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'command':28} {'median ms':>10} {'min ms':>8} {'x baseline':>11}   ({args.runs} runs each)")
    for r in rows:
        print(f"{r['command']:28} {r['median_ms']:>10} {r['min_ms']:>8} {r['ratio_to_baseline']:>11}")


if __name__ == "__main__":
    main()
