"""Hand-built datasets for tests whose right answers are known by construction.

`write_dataset(folder, chains=..., capacities=..., ...)` writes a valid dataset folder from a few
compact rows, filling in every column the format requires, so that a test says only what matters:

    write_dataset(tmp_path,
        products=["ore", "metal", "part"],
        chains=[("c", "ore > metal > part")],
        capacities=[("f1", "ore", 100, "万吨", "operating")],
        links=[("FEEDS", "ore", "metal", 2, "t/t")])

Products are given by id (unit `t`, sector `test`) or as dicts of product columns. Firms named in
capacities are created in the home region unless listed in `firms` as (id, region). Every
`source` cell is `test` (chains: `chain <id>`), and `sources/test.txt` holds those quotes.
"""
from __future__ import annotations

import csv
import uuid
from pathlib import Path

from chaingraph.graph import load, open_backend

__all__ = ["write_dataset", "build", "by_product", "open_dataset", "CONNECTIONS", "GRAPHS", "MANY_PRODUCERS", "ROW_FIELDS"]

# Connection options of the servers the test session runs (tests/conftest.py fills it in), and
# the graphs the tests load there, as (backend, options), for the clean-up at the end.
CONNECTIONS: dict[str, dict] = {}
GRAPHS: list[tuple[str, dict]] = []

HOME = "home"

COLUMNS = {
    "regions.csv": "id,name_zh,name_en,level,parent,home,note",
    "products.csv": "id,name_zh,name_en,aliases,sector,unit,note",
    "firms.csv": "id,name_zh,name_en,aliases,region,parent,kind,home,source,note",
    "chains.csv": "id,name_zh,name_en,sector,steps,written,source,note",
    "capacities.csv": "firm,region,product,capacity,unit,status,year,project,source,note,capacity_min,capacity_max",
    "targets.csv": "id,region,product,metric,subject,value,value_max,unit,bound,year,source,note",
    "links.csv": "type,from,to,ratio,ratio_min,ratio_max,ratio_unit,estimate,ratio_source,source,note,"
                 "includes,alternative",
    "conversions.csv": "product,from_unit,to_unit,factor,estimate,source,note,factor_min,factor_max",
    "directory.csv": "firm,name_zh,name_en,aliases,region,province,country,product,route,feed,capacity,unit,"
                     "status,year,project,publisher,source_kind,url,where,mirror_of,note",
}
# what a directory row says unless the test gives it
DIRECTORY_DEFAULTS = {"status": "operating", "year": 2010, "publisher": "test press", "source_kind": "trade_press",
                      "url": "https://example.org/producers", "where": "table 1"}


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    columns = COLUMNS[name].split(",")
    with open(folder / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})


def write_dataset(folder: Path, *, products, chains=(), capacities=(), links=(), targets=(),
                  firms=(), regions=(), conversions=(), directory=()) -> Path:
    """Write a dataset folder; see the module docstring. Returns the folder.

    - products: ids, or dicts with product columns (`id` required; unit defaults to `t`)
    - chains: (id, steps) — steps as in chains.csv, e.g. "a > b|c > d"
    - capacities: (firm or None, product, capacity or None, unit, status) — None firm = the home
      region's unnamed producers; add a 6th item to give the row's region (None: the default) and
      a 7th, a dict of more columns ({"capacity_min": 90, "capacity_max": 110})
    - links: (type, from, to, ratio or None, ratio_unit or None), optional 6th item estimate (bool)
      and 7th a dict of more link columns ({"includes": "x", "alternative": "yes"})
    - conversions: (product, from_unit, to_unit, factor), optional 5th a dict ({"factor_min": 4000})
    - targets: (id, product or None, metric, value, unit, bound)
    - firms: (id, region) for firms outside the home region
    - regions: (id, level, parent) besides the home city `home`
    - directory: dicts of directory.csv columns (firm, product, region, country required; the
      firm's name defaults to its id on its first row, the rest to DIRECTORY_DEFAULTS)
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "regions.csv", [{"id": HOME, "name_zh": "本市", "level": "city", "home": "yes"}]
           + [{"id": r, "name_zh": r, "level": level, "parent": parent} for r, level, parent in regions])

    product_rows = []
    for p in products:
        row = {"id": p} if isinstance(p, str) else dict(p)
        product_rows.append({"name_zh": row["id"], "name_en": row["id"], "sector": "test", "unit": "t", **row})
    _write(folder, "products.csv", product_rows)

    firm_region = {f: region for f, region in firms}
    for cap in capacities:
        if cap[0]:
            firm_region.setdefault(cap[0], HOME)
    _write(folder, "firms.csv", [{"id": f, "name_zh": f, "region": region, "source": "test"}
                                 for f, region in firm_region.items()])

    _write(folder, "chains.csv", [{"id": cid, "name_zh": cid, "sector": "test", "steps": steps,
                                   "written": "yes", "source": f"chain {cid}"} for cid, steps in chains])
    (folder / "sources").mkdir(exist_ok=True)
    (folder / "sources" / "test.txt").write_text("\n".join(["test", *(f"chain {cid}" for cid, _ in chains)]),
                                                 encoding="utf-8")
    cap_rows = []
    for firm, product, capacity, unit, status, *rest in capacities:
        extra = rest[1] if len(rest) > 1 else {}
        cap_rows.append({"firm": firm or "", "region": rest[0] if rest and rest[0] else ("" if firm else HOME),
                         "product": product, "capacity": capacity,
                         "unit": unit if capacity is not None or extra else "",
                         "status": status, "source": "test", **extra})
    _write(folder, "capacities.csv", cap_rows)
    _write(folder, "links.csv", [
        {"type": t, "from": a, "to": b, "ratio": ratio, "ratio_unit": unit,
         "estimate": ("yes" if rest and rest[0] else "no") if ratio is not None else "", "source": "test",
         **(rest[1] if len(rest) > 1 else {})}
        for t, a, b, ratio, unit, *rest in links])
    if conversions:
        _write(folder, "conversions.csv", [
            {"product": p, "from_unit": a, "to_unit": b, "factor": f, "estimate": "yes", "source": "test",
             **(rest[0] if rest else {})}
            for p, a, b, f, *rest in conversions])
    if directory:
        directory_rows, named = [], set()
        for row in directory:
            first = {} if row["firm"] in named else {"name_zh": row["firm"]}
            named.add(row["firm"])
            directory_rows.append({**DIRECTORY_DEFAULTS, **first, **row})
        _write(folder, "directory.csv", directory_rows)
    _write(folder, "targets.csv", [
        {"id": tid, "region": HOME, "product": product, "metric": metric, "subject": tid, "value": value,
         "unit": unit, "bound": bound, "source": "test"}
        for tid, product, metric, value, unit, bound in targets])
    return folder


def open_dataset(backend: str, folder: Path):
    """A dataset folder on a backend: memory builds it; a server loads it into a new graph of its
    own (a FalkorDB graph key, or a graph name in the Neo4j database) and opens that."""
    if backend == "memory":
        return open_backend("memory", folder)
    options = dict(CONNECTIONS[backend])
    name = f"test_{uuid.uuid4().hex[:12]}"
    options["database" if backend == "falkordb" else "graph"] = name
    GRAPHS.append((backend, options))
    load(backend, folder, **options)
    return open_backend(backend, **options)


def build(folder: Path, backend: str = "memory", **tables):
    """write_dataset, then open it on a backend."""
    return open_dataset(backend, write_dataset(folder, **tables))


def by_product(rows: list[dict]) -> dict[str, dict]:
    """Query rows indexed by their `product` column."""
    return {r["product"]: r for r in rows}


# For the rows a large city's Supply and FirmTally nodes name (server.NAMED = 10 of each): a city
# with no district. `steel`: 13 firms in 万吨 and 吨 (one base unit), operating and building, ties
# at the tenth largest, a firm with a row of each status, a row without a firm, two rows without a
# figure and a planned row; `ore`: 12 firms, every row named and stated (each firm's amount
# held), ties; `slab`: a range; `gap`: 12 rows without a figure. Lines (header = 1) in the comments.
_STEEL = [50, 40, 40, 30, 30, 30, 20, 20, 20, 20, 20, 10]
MANY_PRODUCERS = dict(
    products=["steel", "ore", "slab", "gap"],
    regions=[("far", "city", "")],
    capacities=[
        *((f"s{k:02}", "steel", amount, "万吨", "operating" if k % 2 else "building")
          for k, amount in enumerate(_STEEL)),  # 2-13
        ("s00", "steel", 5, "万吨", "building"),  # 14: s00's second row
        ("s12", "steel", 200000, "吨", "operating"),  # 15: 20万吨, tied again
        (None, "steel", 30, "万吨", "operating"),  # 16: no firm
        ("s13", "steel", None, None, "operating"),  # 17
        ("s14", "steel", None, None, "building"),  # 18
        ("s15", "steel", 90, "万吨", "planned"),  # 19
        *((f"o{k:02}", "ore", 10 + k % 3, "万吨", "building" if k % 4 else "operating") for k in range(12)),  # 20-31
        ("a", "slab", 3, "万吨", "operating"),  # 32
        ("b", "slab", 4, "万吨", "operating", None, {"capacity_min": 3, "capacity_max": 5}),  # 33
        *((f"g{k:02}", "gap", None, None, "operating") for k in range(12)),  # 34-45
        ("far1", "steel", 70, "万吨", "operating", "far"),  # 46: elsewhere
    ],
)
# the fields of a capacity row `balance` asks for (queries/balance.py)
ROW_FIELDS = ("firm", "capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit", "unit", "status")
