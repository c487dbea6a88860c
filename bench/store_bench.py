"""Embedded-store benchmark: first open, later open and a few commands, each in a fresh process.

Writes synthetic datasets in the shipped format (nothing in them is a real firm or figure):

- N firms from `bench/synth.py` (340 cities in 31 provinces, 3,000 products in 300 chains, 2
  capacity rows per firm);
- with `--products`: a product taxonomy of 95,000 products and 57,000 FEEDS links (sparse, many parts
  and articulation points, like a national classification with its upstream/downstream links),
  4,600 firms.

Then times, each command in a new process (wall time, CPU time of the process, and its peak
RSS from `resource`; on a shared machine the CPU time is the steadier figure):
first open (no compiled store yet), later open (the store is there), `gaps`, `balance`,
`bottlenecks` and `viz --focus P --depth 2`, each for the home city. With `--compare REF` (a git ref, e.g. `main`) it runs the same commands
on a checkout of REF too and prints the ratio, in one run.

    .venv/bin/python bench/store_bench.py --firms 100000 [--compare main] [--keep DIR]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUOTE = "本数据为合成测试数据，不代表任何真实企业或产能。"


def _write(folder: Path, name: str, header: list[str], rows) -> None:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def make_dataset(folder: Path, firms: int, products: int = 3000, links: int | None = None,
                 chain_products: int = 3000, seed: int = 13) -> Path:
    """Write a synthetic dataset to `folder` (created) and return it."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(exist_ok=True)
    (folder / "sources" / "synthetic.txt").write_text(QUOTE + "\n", encoding="utf-8")
    provinces = [f"p{i:02d}" for i in range(31)]
    cities = [f"c{i:03d}" for i in range(340)]
    regions = [["cn", "全国", "China", "country", "", "", ""]]
    regions += [[p, f"省{p}", f"province {p}", "province", "cn", "", ""] for p in provinces]
    regions += [[c, f"市{c}", f"city {c}", "city", provinces[i % 31], "yes" if i == 0 else "", ""]
                for i, c in enumerate(cities)]
    _write(folder, "regions", ["id", "name_zh", "name_en", "level", "parent", "home", "note"], regions)

    pids = [f"q{i:06d}" for i in range(products)]
    sectors = 40
    _write(folder, "products", ["id", "name_zh", "name_en", "aliases", "sector", "unit", "note"],
           ([p, f"产品{p}", f"product {p}", "", f"sector{i % sectors:02d}", "t", ""] for i, p in enumerate(pids)))

    # chains of 10 products in 5 steps over the first chain_products products; links along them
    chain_rows, link_pairs = [], {}
    for c in range(min(chain_products, products) // 10):
        members = pids[c * 10:(c + 1) * 10]
        steps = [members[i:i + 2] for i in range(0, 10, 2)]
        chain_rows.append([f"k{c:04d}", f"链{c}", f"chain {c}", f"sector{c % sectors:02d}",
                           " > ".join("|".join(s) for s in steps), "yes", QUOTE, ""])
        for a, b in zip(steps, steps[1:]):
            link_pairs.setdefault((a[0], b[0]), None)
            link_pairs.setdefault((a[1], b[1]), None)
    _write(folder, "chains", ["id", "name_zh", "name_en", "sector", "steps", "written", "source", "note"], chain_rows)
    wanted = len(link_pairs) if links is None else links
    while len(link_pairs) < wanted:  # a sparse DAG: inputs come from a few hundred products before
        j = rnd.randrange(1, products)
        i = rnd.randrange(max(0, j - 300), j)
        link_pairs.setdefault((pids[i], pids[j]), None)
    link_rows = []
    for n, (a, b) in enumerate(link_pairs):
        ratio = [f"{rnd.uniform(0.1, 3):.3f}", "", "", "t/t"] if n % 3 == 0 else ["", "", "", ""]
        link_rows.append(["FEEDS", a, b, *ratio, "", "", QUOTE, "", "", ""])
    _write(folder, "links", ["type", "from", "to", "ratio", "ratio_min", "ratio_max", "ratio_unit", "estimate",
                             "ratio_source", "source", "note", "includes", "alternative"], link_rows)

    hot = pids[:chain_products]
    firm_rows, cap_rows = [], []
    for i in range(firms):
        city = cities[0] if rnd.random() < 0.01 else rnd.choice(cities)
        fid = f"f{i:07d}"
        firm_rows.append([fid, f"企业{i}", f"firm {i}", "", city, "", "firm", "", QUOTE, ""])
        for _ in range(2):
            product = rnd.choice(hot) if rnd.random() < 0.9 else rnd.choice(pids)
            size = round(rnd.paretovariate(1.2) * 5, 1)
            status = rnd.choices(("operating", "building", "planned"), (8, 1, 1))[0]
            cap_rows.append([fid, "", product, size, "万吨", status, 2020, "", QUOTE, ""])
    _write(folder, "firms", ["id", "name_zh", "name_en", "aliases", "region", "parent", "kind", "home", "source",
                             "note"], firm_rows)
    _write(folder, "capacities", ["firm", "region", "product", "capacity", "unit", "status", "year", "project",
                                  "source", "note"], cap_rows)
    target_rows = [[f"t{i:03d}", cities[0], p, "capacity", f"产品{p}产能", rnd.randrange(10, 200), "", "万吨",
                    "min", 2025, QUOTE, ""] for i, p in enumerate(hot[:40:2])]
    _write(folder, "targets", ["id", "region", "product", "metric", "subject", "value", "value_max", "unit", "bound",
                               "year", "source", "note"], target_rows)
    return folder


_RUN = """
import json, resource, sys, time
start = time.perf_counter()
from click.testing import CliRunner
from chaingraph.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:], catch_exceptions=False)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "exit": result.exit_code, "out": len(result.output)}))
"""


def run(python: str, cwd: Path, args: list[str], env: dict, timeout: float | None = None) -> dict:
    try:
        proc = subprocess.run([python, "-c", _RUN, *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": math.inf, "rss_mb": math.nan, "exit": None, "out": 0}
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"failed: {args}\n{proc.stderr[-2000:]}")
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    if row["exit"] != 0:
        raise SystemExit(f"exit {row['exit']}: {args}")
    return row


def bench(python: str, cwd: Path, data: Path, focus: str, cache_home: Path, skip: list[str],
          timeout: float | None) -> dict[str, dict]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "XDG_CACHE_HOME": str(cache_home)}
    for stale in list(data.glob(".chaingraph*")):  # start from no compiled store
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    shutil.rmtree(cache_home, ignore_errors=True)
    d = ["--data", str(data)]
    commands = {
        "first open (targets)": ["targets"],
        "later open (targets)": ["targets"],
        "gaps": ["gaps"],
        "balance": ["balance"],
        "bottlenecks": ["bottlenecks"],
        f"viz --focus {focus} --depth 2": ["viz", "--focus", focus, "--depth", "2", "-o",
                                            str(cache_home.parent / "focus.html")],
    }
    results = {}
    for name, args in commands.items():
        if any(name.startswith(s) for s in skip):
            continue
        results[name] = run(python, cwd, [*d, *args], env, timeout)
        print(f"  {cwd.name}: {name}: {_cell(results[name], timeout)}",
              file=sys.stderr, flush=True)
    return results


def _cell(row: dict | None, timeout: float | None) -> str:
    if row is None:
        return "-"
    if math.isinf(row["seconds"]):
        return f"> {timeout:.0f} s (stopped)"
    return f"{row['seconds']:.2f} s ({row.get('cpu', math.nan):.2f} s CPU), {row['rss_mb']:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--products", action="store_true", help="also the 95k-product graph")
    parser.add_argument("--only-products", action="store_true", help="only the 95k-product graph")
    parser.add_argument("--compare", help="a git ref to run the same commands on, for the ratio")
    parser.add_argument("--keep", help="write the datasets here (kept) instead of a temporary folder")
    parser.add_argument("--skip", action="append", default=[], help="a command to leave out (repeatable)")
    parser.add_argument("--timeout", type=float, help="stop a command after this many seconds (shown as > T)")
    parser.add_argument("--focus", default="syn_prod_00015", help="the product for viz --focus on the synthetic dataset")
    args = parser.parse_args()

    work = Path(args.keep or tempfile.mkdtemp(prefix="cg-store-bench-"))
    sets = []
    if not args.only_products:
        folder = work / f"synth{args.firms}"
        if not (folder / "capacities.csv").exists():
            sys.path.insert(0, str(ROOT / "bench"))
            from synth import generate  # h13's national dataset generator
            generate(folder, args.firms)
        sets.append((f"{args.firms} firms (bench/synth.py)", folder, args.focus))
    if args.products or args.only_products:
        folder = work / "products95k"
        if not (folder / "capacities.csv").exists():
            make_dataset(folder, 4600, products=95_000, links=57_000)
        sets.append(("95k products / 57k links", folder, "q000015"))

    trees = [("this tree", ROOT)]
    if args.compare:
        other = work / f"ref-{args.compare.replace('/', '_')}"
        if not other.exists():  # the files of REF, exported (no worktree, nothing in the repository changes)
            other.mkdir(parents=True)
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.compare], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        trees.append((args.compare, other))
    results: dict[tuple[str, str], dict] = {}
    for label, folder, focus in sets:
        for tree, path in trees:
            results[label, tree] = bench(sys.executable, path, folder, focus, work / f"cache-{tree.replace('/', '_')}",
                                         args.skip, args.timeout)
    print(f"| dataset | command | {' | '.join(t for t, _ in trees)} |" + (" ratio |" if args.compare else ""))
    print("|---|---|" + "---|" * (len(trees) + bool(args.compare)))
    for label, _, _ in sets:
        for command in results[label, trees[0][0]]:
            cells = [_cell(results[label, t].get(command), args.timeout) for t, _ in trees]
            ratio = ""
            if args.compare:
                before, after = (results[label, t].get(command, {}).get("seconds", math.nan) for t in
                                 (trees[1][0], trees[0][0]))
                ratio = f" {'> ' if math.isinf(before) else ''}{(args.timeout if math.isinf(before) else before) / after:.1f}× |"
            print(f"| {label} | {command} | {' | '.join(cells)} |{ratio}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
