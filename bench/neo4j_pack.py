"""The Neo4j driver's own work in a load: packing every batch into PackStream, in one process.

A Neo4j load's batches (`server.load_batches`, as `chaingraph --backend neo4j load` sends them) are
turned into Bolt's PackStream by the official driver before they reach the server. The driver
packs in pure Python unless its Rust extension (`neo4j-rust-ext`, the driver's own, same version)
is installed. This times both packers on every batch of a dataset's load (the least CPU seconds of
`--runs` passes each, alternating) and checks they write the same bytes. No server is needed.

    .venv/bin/python bench/neo4j_pack.py DATA [--runs 3]
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaingraph.graph import server  # noqa: E402
from chaingraph.graph.store import open_store  # noqa: E402

LOAD = "20261130T000000-0123abcd"  # a load id as `CypherBackend.write` makes them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from neo4j._codec.packstream import v1
    if v1._rust_pack is None:
        sys.exit("the Rust extension is not installed: pip install neo4j-rust-ext (the version of the neo4j driver)")
    started = time.process_time()
    batches = [(query, rows, n) for query, rows, n in server.load_batches(open_store(args.data), LOAD)]
    built = time.process_time() - started
    packer = v1.Packer(io.BytesIO())
    hooks = packer._inject_hooks(None)

    def rust(params: dict) -> bytes:
        return v1._rust_pack(params, hooks)

    def python(params: dict) -> bytes:
        out = io.BytesIO()
        v1.Packer(out)._py_pack(params, hooks)
        return out.getvalue()

    best = {"rust": float("inf"), "python": float("inf")}
    size = {}
    for _ in range(args.runs):
        for name, pack in (("rust", rust), ("python", python)):
            t = time.process_time()
            size[name] = sum(len(pack({"rows": rows, "load": LOAD})) for _query, rows, _n in batches)
            best[name] = min(best[name], time.process_time() - t)
    same = all(rust(p) == python(p) for p in ({"rows": rows, "load": LOAD} for _q, rows, _n in batches))
    graph_rows = sum(n for *_, n in batches)
    print(f"{args.data}: {len(batches)} statements, {graph_rows:,} graph rows, {size['rust'] / 1e6:.1f} MB "
          f"of PackStream; the batches built in {built:.2f} s CPU")
    print("| packer | least CPU s | graph rows/s |")
    print("|---|---:|---:|")
    for name in best:
        print(f"| {name} | {best[name]:.2f} | {graph_rows / best[name]:,.0f} |")
    print(f"ratio python/rust: {best['python'] / best['rust']:.1f}; same bytes: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
