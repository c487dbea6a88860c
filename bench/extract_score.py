"""Score `chaingraph extract` on a guideline against a hand-read dataset (default: the shipped Wuhai data).

    .venv/bin/python bench/extract_score.py [--text FILE] [--gold DIR] [--misses]

Runs extract on the text into a temporary folder and compares the draft with the gold dataset's
rows that quote the guideline (rows whose source is a web address — a producer directory — are
not the guideline's and are left out):

- written chains: the steps in order (the chain as written, dashes normalised);
- firms: a draft firm matches a gold firm when a name or short form is the same (company
  suffixes such as 公司/集团/有限公司/自备电厂 ignored);
- firm -> product facts: the matched firm, the product id, the figure and its unit (rows of the
  region's unnamed producers are not firm facts and are left out);
- targets: value, range end, unit and bound, from the same place in the text.

Prints recall and precision per kind, and with --misses the rows missed and the extra rows.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaingraph.extract import extract  # noqa: E402

SUFFIX = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|集团|公司|自备电厂)$")
DASHES = re.compile(r"[—－―─\-→➝]+")


def rows(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def guideline_rows(folder: Path, name: str) -> list[dict]:
    return [r for r in rows(folder, name) if not r.get("source", "").startswith(("http://", "https://"))]


def firm_keys(row: dict) -> set[str]:
    names = [row["name_zh"], *[a for a in (row.get("aliases") or "").split(";") if a]]
    out = set()
    for n in names:
        n = n.strip()
        out.add(n)
        out.add(SUFFIX.sub("", n))
    return {n for n in out if len(n) >= 2}


def number(x: str) -> float | None:
    return round(float(x), 6) if x not in (None, "") else None


def score(pairs_gold: list, pairs_draft: list, match) -> tuple[int, int, list, list]:
    """Greedy one-to-one matching; returns (gold matched, draft matched, gold misses, draft extras)."""
    used, extras = set(), []
    for d in pairs_draft:
        hit = next((i for i, g in enumerate(pairs_gold) if i not in used and match(g, d)), None)
        if hit is None:
            extras.append(d)
        else:
            used.add(hit)
    misses = [g for i, g in enumerate(pairs_gold) if i not in used]
    return len(used), len(pairs_draft) - len(extras), misses, extras


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default=str(ROOT / "data/sources/wuhai_2011_guideline.txt"))
    parser.add_argument("--gold", default=str(ROOT / "data"))
    parser.add_argument("--misses", action="store_true", help="list the rows missed and the extra rows")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="also time extract on the text written N times over (a long plan), and print it")
    args = parser.parse_args()
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            long_text = Path(tmp) / "long.txt"
            body = Path(args.text).read_text(encoding="utf-8-sig")
            long_text.write_text("\n".join([body] * args.scale), encoding="utf-8")
            for path, label in ((Path(args.text), "1×"), (long_text, f"{args.scale}×")):
                started = time.perf_counter()
                extract([path], Path(tmp) / f"draft_{label}")
                print(f"extract, text {label} ({path.stat().st_size // 1024} KB): {time.perf_counter() - started:.2f} s")
    gold_dir = Path(args.gold)
    text = Path(args.text).read_text(encoding="utf-8-sig")
    with tempfile.TemporaryDirectory() as tmp:
        draft_dir = Path(tmp) / "draft"
        started = time.perf_counter()
        extract([args.text], draft_dir)
        seconds = time.perf_counter() - started
        results = []

        # written chains
        g = [DASHES.sub("—", r["name_zh"]) for r in guideline_rows(gold_dir, "chains") if r["written"] == "yes"]
        d = [DASHES.sub("—", r["name_zh"]) for r in rows(draft_dir, "chains") if r["written"] == "yes"]
        results.append(("written chains",) + score(g, d, lambda a, b: a == b) + (len(g), len(d)))

        # firms
        gold_firms = guideline_rows(gold_dir, "firms")
        draft_firms = rows(draft_dir, "firms")
        gold_keys = [(r["id"], firm_keys(r)) for r in gold_firms]

        def gold_firm(draft_row: dict) -> str | None:
            keys = firm_keys(draft_row)
            exact = [gid for gid, gk in gold_keys if draft_row["name_zh"] in gk]
            if exact:
                return exact[0]
            return next((gid for gid, gk in gold_keys if keys & gk), None)

        mapped = {r["id"]: gold_firm(r) for r in draft_firms}
        matched_gold = {m for m in mapped.values() if m}
        firm_hits = sum(1 for m in mapped.values() if m)
        results.append(("firms", len(matched_gold), firm_hits,
                        [r["name_zh"] for r in gold_firms if r["id"] not in matched_gold],
                        [r["name_zh"] for r in draft_firms if not mapped[r["id"]]], len(gold_firms), len(draft_firms)))

        # firm -> product facts with figure and unit
        g = sorted({(r["firm"], r["product"], number(r["capacity"]), r["unit"] or None)
                    for r in guideline_rows(gold_dir, "capacities") if r["firm"]}, key=str)
        d = sorted({(mapped.get(r["firm"]) or f"?{r['firm']}", r["product"], number(r["capacity"]), r["unit"] or None)
                    for r in rows(draft_dir, "capacities") if r["firm"]}, key=str)
        results.append(("firm -> product facts",) + score(g, d, lambda a, b: a == b) + (len(g), len(d)))
        gold_status: dict[tuple, set] = {}
        for r in guideline_rows(gold_dir, "capacities"):
            if r["firm"]:
                key = (r["firm"], r["product"], number(r["capacity"]), r["unit"] or None)
                gold_status.setdefault(key, set()).add(r["status"])
        same = [r["status"] in gold_status[k] for r in rows(draft_dir, "capacities") if r["firm"]
                for k in [(mapped.get(r["firm"]), r["product"], number(r["capacity"]), r["unit"] or None)]
                if k in gold_status]

        # targets: value, range end, unit, bound, at the same place in the text
        def places(row: dict) -> list[tuple[int, int]]:
            return [(text.find(f), text.find(f) + len(f)) for f in row["source"].split(" … ")]

        def same_target(a: dict, b: dict) -> bool:
            if (number(a["value"]), number(a["value_max"]), a["unit"], a["bound"]) != (
                    number(b["value"]), number(b["value_max"]), b["unit"], b["bound"]):
                return False
            return any(s1 < e2 and s2 < e1 for s1, e1 in places(a) for s2, e2 in places(b))  # quotes overlap

        g = guideline_rows(gold_dir, "targets")
        d = rows(draft_dir, "targets")
        results.append(("targets",) + score(g, d, same_target) + (len(g), len(d)))

    print(f"extract on {Path(args.text).name}: {seconds:.2f} s; gold: {gold_dir}")
    print(f"{'kind':<24}{'gold':>6}{'draft':>7}{'found':>7}{'recall':>9}{'precision':>11}")
    for kind, found, right, misses, extras, n_gold, n_draft in results:
        recall = found / n_gold if n_gold else 1.0
        precision = right / n_draft if n_draft else 1.0
        print(f"{kind:<24}{n_gold:>6}{n_draft:>7}{found:>7}{recall:>9.1%}{precision:>11.1%}")
    print(f"status (operating/building/planned) agrees on {sum(same)} of {len(same)} matched facts")
    if args.misses:
        for kind, found, right, misses, extras, *_ in results:
            print(f"\n{kind}: missed {len(misses)}")
            for m in misses:
                print("  -", m if not isinstance(m, dict) else
                      f"{m['subject']} {m['bound']} {m['value']} {m['unit']} ({m['source'][:30]})")
            print(f"{kind}: extra {len(extras)}")
            for e in extras:
                print("  +", e if not isinstance(e, dict) else
                      f"{e['subject']} {e['bound']} {e['value']} {e['unit']} ({e['source'][:30]})")


if __name__ == "__main__":
    main()
