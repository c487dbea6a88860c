"""Time `candidates --all-gaps` against the size of the producer directory.

Copies the shipped dataset to a temporary folder, appends N synthetic directory rows (firms
`synthetic_<i>`, each making one of the gap products, spread over the directory's provinces; every
row says it is synthetic) and times the query on the memory backend, after the load.

    .venv/bin/python bench/candidates_scale.py 1000 10000 100000

Prints one line per size: rows, offers returned, seconds for the query (best of 3).
"""
from __future__ import annotations

import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

from chaingraph.graph import open_backend
from chaingraph.loaders import default_data_dir
from chaingraph.queries import candidates, gaps

PROVINCES = ["shanxi", "shaanxi", "henan", "shandong", "jiangsu", "ningxia", "hebei", "sichuan"]


def synthetic_copy(folder: Path, n: int) -> Path:
    data = folder / "data"
    shutil.copytree(default_data_dir(), data)
    wanted = list(dict.fromkeys(p for row in gaps(open_backend("memory", data)) for p in row["products"]))
    path = data / "directory.csv"
    with open(path, encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    with open(path, "a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        for i in range(n):
            province = PROVINCES[i % len(PROVINCES)]
            writer.writerow({
                "firm": f"synthetic_{i}", "name_zh": f"合成企业{i}", "region": province, "province": province,
                "country": "china", "product": wanted[i % len(wanted)], "capacity": 1 + i % 97, "unit": "万吨",
                "status": "operating", "year": 2000 + i % 20, "publisher": "synthetic",
                "source_kind": "trade_press", "url": "https://example.org/synthetic",
                "where": "synthetic row for bench/candidates_scale.py",
            })
    return data


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            g = open_backend("memory", synthetic_copy(Path(tmp), n))
            g.products()  # build the graph before timing
            best, rows = float("inf"), []
            for _ in range(3):
                start = time.perf_counter()
                rows = candidates(g, all_gaps=True)
                best = min(best, time.perf_counter() - start)
            print(f"{n:>8} synthetic rows  {len(rows):>8} offers  {best:8.2f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
