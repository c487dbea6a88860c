"""Before and after, query by query: `scale.py`'s one-city queries run alternately by two
`chaingraph` commands (e.g. an export of an earlier commit and this checkout), several times each,
each on its own copy of the dataset. Prints the least and the median wall and CPU seconds (user +
system) of each side and whether both printed the same bytes.

`compare.py` runs any commands on one folder; this one gives each side its folder, for two codes
whose compiled stores differ (the store is keyed by the code that writes it: on one folder they
would rebuild it in turn).

On a machine other work shares, one run of each says little (a command's CPU time moved by ±0.5 s
between runs here); alternating and taking the least of several runs compares the code.

    .venv/bin/python bench/compare_queries.py --before /tmp/base.cg --before-data /tmp/a/synth-1000000-1 \\
        --after /work/wt/p2.cg --after-data /tmp/b/synth-1000000-1 --queries balance,balance-json --runs 5

The two folders hold the same dataset (each side's store is keyed by its own code, so each needs
its own copy). `--lang` runs the commands in that language. The commands run in the temporary
directory: `python -m chaingraph` started in a checkout imports that checkout's package first,
whatever `PYTHONPATH` says.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import QUERIES, picks, query_argv, run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the chaingraph command of the earlier code")
    parser.add_argument("--before-data", required=True, type=Path)
    parser.add_argument("--after", required=True, help="the chaingraph command of the later code")
    parser.add_argument("--after-data", required=True, type=Path)
    parser.add_argument("--queries", default="balance,balance-json,extend,extend-json,bottlenecks,bottlenecks-json",
                        help=f"any of {','.join(q for q in QUERIES if q != 'report')}")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", choices=("en", "zh"))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    env, where = dict(os.environ), tempfile.gettempdir()
    sides = {"before": (args.before, args.before_data), "after": (args.after, args.after_data)}
    for name, (command, data) in sides.items():  # each side's store written (or found) first, untimed
        warm = run([command, "--data", str(data), "info"], env, args.timeout, where)
        if warm["status"] != "ok":
            sys.exit(f"{name}: {warm['status']}")
    lang = ["--lang", args.lang] if args.lang else []
    queries = args.queries.split(",")
    if "report" in queries:
        sys.exit("report writes a folder: time it with scale.py")
    picked = picks(args.after_data) if {"candidates", "whatif"} & set(queries) else {"product": "", "firm": ""}
    print(f"{'query':18} {'side':6} {'least wall':>10} {'median':>8} {'least CPU':>10} {'median':>8}  same output")
    for query in queries:
        argv = query_argv(query, picked, Path("."))
        times: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, (command, data) in sides.items():
                result = run([command, "--data", str(data), *argv, *lang], env, args.timeout, where)
                if result["status"] != "ok":
                    sys.exit(f"{query} ({name}): {result['status']}")
                times[name].append(result)
        same = len({r["sha256"] for results in times.values() for r in results}) == 1
        for name, results in times.items():
            walls, cpus = [r["seconds"] for r in results], [r["cpu_s"] for r in results]
            print(f"{query:18} {name:6} {min(walls):10.2f} {statistics.median(walls):8.2f} "
                  f"{min(cpus):10.2f} {statistics.median(cpus):8.2f}  {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
