"""Before/after: the same commands with two `chaingraph` commands (two checkouts), run in turn.

On a machine shared with other work a single run of each varies by a second or more (a command's
CPU time moved by ±0.5 s between runs here); this runs each command with each checkout
alternately, `--runs` times, and prints the least and the median wall and CPU seconds (user +
system), the largest peak RSS, and whether every run printed the same bytes.

The commands are either given (separated by `;;`, `--common` options added to each) or named
(`--queries`: `scale.py`'s one-city queries for its home city). Each side may have its own copy
of the dataset (`--before-data`, `--after-data`): the compiled store is keyed by the code that
writes it, so two codes on one folder would rebuild it in turn; each side's store is written
first, untimed. The commands run in a temporary folder, outside both checkouts: `python -m
chaingraph` started in a checkout imports that checkout's package first, whatever `PYTHONPATH`
says.

    .venv/bin/python bench/compare.py --data DIR --before OLD.cg --after NEW.cg [--runs 3] \\
        [--common "--backend falkordb --uri URI"] "balance --region R --format json ;; extend --region R"
    .venv/bin/python bench/compare.py --before OLD.cg --before-data A/synth-1000000-1 \\
        --after NEW.cg --after-data B/synth-1000000-1 --queries balance,balance-json --runs 5

Two codes on FalkorDB whose loads differ (each reads what its own `load` wrote): load each side's
copy into a server of its own, then `--common "--backend falkordb" --before-options "--uri
falkordb://127.0.0.1:P1" --after-options "--uri falkordb://127.0.0.1:P2"`.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import QUERIES, query_argv, run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the chaingraph command of the earlier code")
    parser.add_argument("--after", required=True, help="the chaingraph command of the later code")
    parser.add_argument("--data", type=Path, help="the dataset of both sides")
    parser.add_argument("--before-data", type=Path, help="the earlier code's copy of the dataset")
    parser.add_argument("--after-data", type=Path, help="the later code's copy of the dataset")
    parser.add_argument("--queries", help=f"named queries, any of {','.join(q for q in QUERIES if q != 'report')}")
    parser.add_argument("--common", default="", help="options for every command (e.g. '--backend falkordb --uri U')")
    parser.add_argument("--before-options", default="",
                        help="options for the earlier code's commands alone (e.g. its own server: '--uri U1')")
    parser.add_argument("--after-options", default="", help="options for the later code's commands alone")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", choices=("en", "zh"))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("commands", nargs="?", default="", help="commands separated by ';;'")
    args = parser.parse_args()
    # each side: its command, its dataset, its own options (a server loaded by that code, say)
    sides = {"before": (args.before, args.before_data or args.data, shlex.split(args.before_options)),
             "after": (args.after, args.after_data or args.data, shlex.split(args.after_options))}
    if any(data is None for _, data, _ in sides.values()):
        parser.error("give --data, or --before-data and --after-data")
    if bool(args.queries) == bool(args.commands.strip()):
        parser.error("give either commands or --queries")
    env, where = dict(os.environ), tempfile.gettempdir()
    common = shlex.split(args.common) + (["--lang", args.lang] if args.lang else [])
    for name, (command, data, own) in sides.items():  # each side's store written (or found) first, untimed
        warm = run([command, "--data", str(data), *own, *common, "info"], env, args.timeout, where)
        if warm["status"] != "ok":
            sys.exit(f"{name}: {warm['status']}")
    if args.queries:
        queries = args.queries.split(",")
        if "report" in queries:
            sys.exit("report writes a folder: time it with scale.py")
        picked = {"product": "", "firm": ""}
        if {"candidates", "whatif"} & set(queries):  # in a child: the dataset read here would count in every
            picked = json.loads(subprocess.run(  # command's peak RSS (a child starts as large as its parent)
                [sys.executable, str(Path(__file__).with_name("scale.py")), "--picks", str(sides["after"][1])],
                check=True, capture_output=True, text=True).stdout)
        commands = [(q, query_argv(q, picked, Path("."))) for q in queries]
    else:
        commands = [(c, shlex.split(c)) for c in (c.strip() for c in args.commands.split(";;")) if c]
    print("| command | side | least wall | median | least CPU | median | peak MB | same output |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for shown, argv in commands:
        times: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, (command, data, own) in sides.items():
                result = run([command, "--data", str(data), *own, *common, *argv], env, args.timeout, where)
                if result["status"] != "ok":
                    sys.exit(f"{shown} ({name}): {result['status']}")
                times[name].append(result)
        same = len({r["sha256"] for results in times.values() for r in results}) == 1
        for name, results in times.items():
            walls, cpus = [r["seconds"] for r in results], [r["cpu_s"] for r in results]
            print(f"| `{shown}` | {name} | {min(walls):.2f} | {statistics.median(walls):.2f} | {min(cpus):.2f} | "
                  f"{statistics.median(cpus):.2f} | {max(r['rss_mb'] for r in results):.0f} | "
                  f"{'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
