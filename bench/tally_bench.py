"""The embedded store's per-region tallies, with numpy and without, in one process.

Times `capacity_statuses`, `capacity_tallies`, `firm_tallies` and `largest_columns` for one region
of a dataset (its compiled store: run any command on the folder first) on the numpy paths
(graph/arrays.py) and on the pure-Python paths (numpy turned off), each the least CPU time of
`--runs` calls with nothing kept between them, and checks that both paths give the same answers
(their reprs). Also the CPU time of importing numpy in a process that has imported the CLI, which a
command pays once (`memory.NUMPY_FROM`).

    .venv/bin/python bench/tally_bench.py DATA [--region syn_c001] [--runs 5]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaingraph.graph import memory  # noqa: E402
from chaingraph.graph.memory import MemoryBackend  # noqa: E402
from chaingraph.graph.model import SUPPLYING  # noqa: E402

# what `balance` asks of every row it names (queries/balance.py), what a graph draws (viz.py)
ROW_FIELDS = ("firm", "capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit", "unit", "status")
DRAWN_FIELDS = ("firm", "region", "product", "capacity", "unit", "status", "source", "capacity_base", "base_unit")
IMPORT = ("import time, chaingraph.cli, chaingraph.graph.memory; t = time.process_time(); "
          "import chaingraph.graph.arrays; print(time.process_time() - t)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--region", default="syn_c001")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    g = MemoryBackend(args.data)
    region = args.region
    asks = {
        "capacity_statuses": lambda: g.capacity_statuses(region),
        "capacity_tallies": lambda: g.capacity_tallies(region, SUPPLYING, ROW_FIELDS, 10),
        "firm_tallies": lambda: g.firm_tallies(region, SUPPLYING, 10),
        "largest_columns": lambda: g.largest_columns(region, DRAWN_FIELDS, 15),
    }
    kernels = memory._kernels
    rows = sum(len(g.store.rows("capacities", "region", r)) for r in g.subregions(region))
    print(f"{region}: {rows:,} capacity rows; least CPU seconds of {args.runs} calls")
    print("| call | numpy | pure Python | same answer |")
    print("|---|---:|---:|---|")
    for name, ask in asks.items():
        found, best = {}, {}
        for side in ("numpy", "pure"):
            memory._kernels = kernels if side == "numpy" else (lambda: None)
            memory.NUMPY_FROM = 0
            best[side] = float("inf")
            for _ in range(args.runs):
                g._by_region.clear()  # nothing kept from the call before
                g.__dict__.pop("_firm_rows", None)
                start = time.process_time()
                found[side] = ask()
                best[side] = min(best[side], time.process_time() - start)
        memory._kernels = kernels
        same = repr(found["numpy"]) == repr(found["pure"])
        print(f"| `{name}` | {best['numpy']:.3f} | {best['pure']:.3f} | {'yes' if same else 'NO'} |")
    costs = [float(subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True,
                                  cwd=ROOT).stdout) for _ in range(args.runs)]
    print(f"importing numpy (graph/arrays.py) after the CLI: least {min(costs):.3f} s CPU, "
          f"median {sorted(costs)[len(costs) // 2]:.3f}")


if __name__ == "__main__":
    main()
