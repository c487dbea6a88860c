"""Write a SYNTHETIC national dataset in the shipped format (data/README.md), for benchmarks.

Nothing in it is real: every region, product, firm, capacity, coefficient and target is generated,
named `合成…` / `Synthetic …`, and every `source` quotes the generated text
`sources/synthetic_dataset.txt`, whose first line says so. Use it to measure speed and memory,
never as data.

Shape (defaults): a country, 31 provinces, 340 cities (city 001 is home); 3,000 products in 300
chains of 10 products with FEEDS (and some YIELDS) links and coefficients; `--firms N` firms spread
over the cities with a skewed (Zipf) city size and log-normal capacities; 2 capacity rows per firm
(operating / building / planned); 3 targets per city. The same `--seed` gives the same files.

    .venv/bin/python bench/synth.py OUT_DIR --firms 100000 [--seed 1] [--products 3000] [--cities 340]
    .venv/bin/chaingraph --data OUT_DIR validate
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from itertools import accumulate
from pathlib import Path

NOTICE = "本数据为合成数据（SYNTHETIC DATA），由 bench/synth.py 生成，其中地区、产品、企业、产能、系数和目标均为虚构，仅用于性能测试。"
FIRM_QUOTE = "合成企业名录：企业名称、所在城市和隶属关系均为生成"
STATUS_QUOTE = {
    "operating": "合成产能：在产项目",
    "building": "合成产能：在建项目",
    "planned": "合成产能：规划项目",
}
LINK_QUOTE = "合成产业链关系：上游产品供给下游产品，副产品由主产品产出"
RATIO_QUOTE = "合成系数：消耗量与副产品量均为随机生成，不是实测值"
STATUSES = (("operating", 0.7), ("building", 0.15), ("planned", 0.15))
# product unit -> (capacity unit written in capacities.csv, median capacity in that unit)
UNITS = {"t": ("万吨", 20.0), "m3": ("万标立方", 5000.0), "kWh": ("亿千瓦时", 10.0), "piece": ("万片", 500.0)}
UNIT_WEIGHTS = (("t", 0.8), ("m3", 0.08), ("kWh", 0.04), ("piece", 0.08))
SYNTHETIC = "synthetic"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


class Writer:
    def __init__(self, out: Path, name: str, header: list[str]):
        self.file = open(out / f"{name}.csv", "w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.file, lineterminator="\n")
        self.csv.writerow(header)
        self.rows = 0

    def row(self, *cells: object) -> None:
        self.csv.writerow(["" if c is None else c for c in cells])
        self.rows += 1

    def close(self) -> None:
        self.file.close()


def generate(out: Path, firms: int, seed: int = 1, n_products: int = 3000, n_cities: int = 340,
             n_provinces: int = 31, chain_length: int = 10) -> dict[str, int]:
    """Write the dataset into `out` (created; existing CSVs are overwritten). Returns row counts."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(exist_ok=True)
    text: list[str] = [NOTICE, FIRM_QUOTE, *STATUS_QUOTE.values(), LINK_QUOTE, RATIO_QUOTE]
    counts: dict[str, int] = {}

    # -- regions: country > provinces > cities --------------------------------------------------
    w = Writer(out, "regions", ["id", "name_zh", "name_en", "level", "parent", "home", "note"])
    w.row("syn_country", "合成国", "Synthetic Country", "country", None, None, SYNTHETIC)
    for p in range(1, n_provinces + 1):
        w.row(f"syn_p{p:02d}", f"合成省{p:02d}", f"Synthetic Province {p:02d}", "province", "syn_country",
              None, SYNTHETIC)
    cities = [f"syn_c{c:03d}" for c in range(1, n_cities + 1)]
    for c, city in enumerate(cities, 1):
        w.row(city, f"合成市{c:03d}", f"Synthetic City {c:03d}", "city", f"syn_p{(c - 1) % n_provinces + 1:02d}",
              "yes" if c == 1 else None, SYNTHETIC)
    counts["regions"] = w.rows
    w.close()

    # -- products and chains: chain k holds products k*L .. k*L+L-1, in order ------------------
    n_chains = max(1, n_products // chain_length)
    products: list[tuple[str, str]] = []  # (id, unit)
    w = Writer(out, "products", ["id", "name_zh", "name_en", "aliases", "sector", "unit", "note"])
    for i in range(n_products):
        unit = _weighted(rng, UNIT_WEIGHTS)
        pid = f"syn_prod_{i:05d}"
        sector = f"syn_sector_{(i // chain_length) % 30:02d}"
        w.row(pid, f"合成产品{i:05d}", f"synthetic product {i:05d}", f"SP{i:05d}", sector, unit, SYNTHETIC)
        products.append((pid, unit))
    counts["products"] = w.rows
    w.close()

    chain_products: list[list[int]] = []
    w = Writer(out, "chains", ["id", "name_zh", "name_en", "sector", "steps", "written", "source", "note"])
    steps_of: list[list[list[int]]] = []
    for k in range(n_chains):
        members = list(range(k * chain_length, min(n_products, (k + 1) * chain_length)))
        if not members:
            break
        # group members into steps of one or two products (the second is a by-product or alternative)
        steps: list[list[int]] = []
        i = 0
        while i < len(members):
            size = 2 if rng.random() < 0.25 and i + 1 < len(members) else 1
            steps.append(members[i:i + size])
            i += size
        steps_of.append(steps)
        chain_products.append(members)
        written = " > ".join(f"步骤{s + 1}=" + "|".join(products[p][0] for p in step) for s, step in enumerate(steps))
        name = "—".join(f"合成产品{step[0]:05d}" for step in steps)
        quote = f"合成产业链{k:03d}：{name}"
        text.append(quote)
        w.row(f"syn_chain_{k:03d}", f"合成产业链{k:03d}", f"synthetic chain {k:03d}", f"syn_sector_{k % 30:02d}",
              written, "yes", quote, SYNTHETIC)
    counts["chains"] = w.rows
    w.close()

    # -- links: along each chain, plus one input from an earlier chain (so the graph is a DAG) --
    w = Writer(out, "links", ["type", "from", "to", "ratio", "ratio_min", "ratio_max", "ratio_unit", "estimate",
                              "ratio_source", "source", "note", "includes", "alternative"])

    def link(kind: str, a: int, b: int) -> None:
        (pa, ua), (pb, ub) = products[a], products[b]
        if rng.random() < 0.2:  # a link whose coefficient is not known
            w.row(kind, pa, pb, None, None, None, None, None, None, LINK_QUOTE, SYNTHETIC, None, None)
            return
        ratio = round(rng.lognormvariate(0, 0.6), 3)
        low, high = round(ratio * 0.9, 3), round(ratio * 1.1, 3)
        unit = f"{ua}/{ub}" if kind == "FEEDS" else f"{ub}/{ua}"
        w.row(kind, pa, pb, ratio, low, high, unit, "yes", RATIO_QUOTE, LINK_QUOTE, SYNTHETIC, None, None)

    for k, steps in enumerate(steps_of):
        for s, step in enumerate(steps):
            if s:
                link("FEEDS", steps[s - 1][0], step[0])
            if len(step) > 1:
                link("YIELDS", step[0], step[1])
        if k > 0 and rng.random() < 0.6:  # an input from an earlier chain's middle or end
            earlier = steps_of[rng.randrange(k)]
            link("FEEDS", earlier[rng.randrange(len(earlier))][0], steps[0][0])
    counts["links"] = w.rows
    w.close()

    # -- firms and their capacities -------------------------------------------------------------
    city_weights = list(accumulate(1 / (r ** 0.8) for r in range(1, n_cities + 1)))
    chain_weights = list(accumulate(1 / (r ** 0.5) for r in range(1, len(chain_products) + 1)))
    status_names = [s for s, _ in STATUSES]
    status_weights = list(accumulate(p for _, p in STATUSES))
    wf = Writer(out, "firms", ["id", "name_zh", "name_en", "aliases", "region", "parent", "kind", "home", "source",
                               "note"])
    wc = Writer(out, "capacities", ["firm", "region", "product", "capacity", "unit", "status", "year", "project",
                                    "source", "note"])
    choices, random_ = rng.choices, rng.random
    for i in range(firms):
        fid = f"syn_firm_{i:07d}"
        city = choices(cities, cum_weights=city_weights)[0]
        parent = f"syn_firm_{rng.randrange(i):07d}" if i and random_() < 0.05 else None
        wf.row(fid, f"合成企业{i:07d}", f"Synthetic Firm {i:07d}", None, city, parent,
               "plant" if parent else "firm", None, FIRM_QUOTE, SYNTHETIC)
        members = chain_products[choices(range(len(chain_products)), cum_weights=chain_weights)[0]]
        first = rng.randrange(len(members))
        for p in (members[first], members[(first + 1) % len(members)]):
            pid, unit = products[p]
            status = choices(status_names, cum_weights=status_weights)[0]
            cap_unit, median = UNITS[unit]
            if random_() < 0.1:
                capacity, cap_unit = None, None  # capacity not stated
            else:
                capacity = round(median * rng.paretovariate(1.5) / 3, 2)
            year = 2024 if status == "operating" else 2025 + rng.randrange(4)
            wc.row(fid, None, pid, capacity, cap_unit, status, year, None, STATUS_QUOTE[status], SYNTHETIC)
    counts["firms"], counts["capacities"] = wf.rows, wc.rows
    wf.close()
    wc.close()

    # -- targets: 3 output targets per city, on products its firms make or might ----------------
    w = Writer(out, "targets", ["id", "region", "product", "metric", "subject", "value", "value_max", "unit",
                                "bound", "year", "source", "note"])
    for c, city in enumerate(cities, 1):
        for t in range(3):
            p = rng.randrange(n_products)
            pid, unit = products[p]
            cap_unit, median = UNITS[unit]
            value = round(median * rng.uniform(0.5, 5), 1)
            quote = f"合成市{c:03d}力争合成产品{p:05d}产能达到{value:g}{cap_unit}"
            text.append(quote)
            w.row(f"syn_target_{c:03d}_{t}", city, pid, "capacity", f"合成产品{p:05d}产能", value, None, cap_unit,
                  "min", 2030, quote, SYNTHETIC)
    counts["targets"] = w.rows
    w.close()

    conversions = out / "conversions.csv"
    if conversions.exists():
        conversions.unlink()
    (out / "sources" / "synthetic_dataset.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        "# SYNTHETIC dataset — not real data\n\n"
        f"Generated by `bench/synth.py --firms {firms} --seed {seed} --products {n_products} --cities {n_cities}`"
        " for benchmarks. Every region, product, firm, capacity, coefficient and target is invented.\n",
        encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (created)")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--products", type=int, default=3000)
    parser.add_argument("--cities", type=int, default=340)
    args = parser.parse_args(argv)
    if args.firms < 0 or args.products < 2 or args.cities < 1:
        parser.error("--firms must be >= 0, --products >= 2, --cities >= 1")
    counts = generate(args.out, args.firms, args.seed, args.products, args.cities)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
