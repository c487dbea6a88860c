"""`chaingraph extract`: guideline texts -> a draft dataset that `validate` accepts and a person reviews.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> text = folder / "plan.txt"
>>> _ = text.write_text("2012年某市工作要点。重点支持华兴化工公司年产30万吨聚氯乙烯项目建设。"
...                     "力争焦炭产能达到500万吨。发展“原煤—焦炭—甲醇”产业链。", encoding="utf-8")
>>> summary = extract([text], folder / "draft", region="某市")
>>> summary["capacities"], summary["targets"], summary["chains"]
(1, 1, 1)
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

from .chains import find_chains
from .common import slug
from .firms import find_firms
from .lexicon import Entry, Lexicon, normalise
from .review import review_rows
from .targets import find_targets
from .text import ExtractError, Text, clauses, read_text, to_simplified
from .writer import write_draft

__all__ = ["extract", "ExtractError"]

_LEVELS = (("自治区", "province"), ("园区", "park"), ("开发区", "park"), ("工业园", "park"), ("省", "province"),
           ("市", "city"), ("盟", "city"), ("州", "city"), ("县", "district"), ("旗", "district"),
           ("区", "district"))


def _home_name(texts: list[Text]) -> str | None:
    """The region a guideline is about: `乌海市人民政府`, `关于2011年乌海市…`."""
    head = " ".join(t.simp[:300] for t in texts)
    for pattern in (r"([\u4e00-\u9fff]{2,6}?(?:市|县|旗|区|盟|州))人民政府",
                    r"^\s*([\u4e00-\u9fff]{2,10}?(?:工业园区|园区|开发区|工业园|新区))",
                    r"\d{4}年(?:度)?([\u4e00-\u9fff]{2,6}?(?:市|县|旗|区|盟|州))",
                    r"([\u4e00-\u9fff]{2,4}(?:市|县))"):
        m = re.search(pattern, head)
        if m:
            return m.group(1).lstrip("日在于的、和之")
    return None


def _doc_year(texts: list[Text]) -> int | None:
    """The year a text is about: in its title (`关于2011年…`, `（2011—2015年）`: the first), else the
    date it was signed (`2015年12月23日`), else the latest year it names that is not a goal's (`到2015年`)."""
    title = " ".join(t.simp.strip().split("\n")[0][:120] for t in texts)
    m = re.search(r"((?:19|20)\d\d)(?:\s*[—－\-~～至到]\s*(?:19|20)\d\d)?\s*年", title)
    if m:
        return int(m.group(1))
    for t in texts:
        signed = re.findall(r"((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", t.simp)
        if signed:
            return int(signed[-1])
    years = [int(y) for t in texts for y in re.findall(r"(?<![到至])((?:19|20)\d\d)\s*年(?!底|前|末)", t.simp)]
    return max(years) if years else None


def _clause_of(text: Text, pos: int) -> tuple[int, int]:
    for seg in text.segments:
        if seg.start <= pos < seg.end:
            for c in clauses(text.simp, seg):
                if c.start <= pos < c.end:
                    return c.start, c.end
            return seg.start, seg.end
    return pos, pos + 1


class _Draft:
    def __init__(self, lexicon: Lexicon, home_id: str):
        self.lexicon, self.home_id = lexicon, home_id
        self.products: dict[str, dict] = {}
        self.proposed: dict[str, str] = {}  # simplified name -> id
        self.ids: set[str] = set(lexicon.entries)
        self.review: list[dict] = []
        self.quotes: dict[str, str] = {}  # product id -> the first quote it was read from

    def product(self, entry: Entry, name: str = "", source: str = "") -> str:
        if source:
            self.quotes.setdefault(entry.id, source)
        if entry.id not in self.products:
            written = name or entry.name_zh
            exact = normalise(written) == normalise(entry.name_zh)
            confidence = 0.9 if exact else (0.55 if len(written) == 1 else 0.75)
            self.review.append({"confidence": confidence, "kind": "product", "file": "products.csv", "line": 0,
                                "item": f"{entry.id} {entry.name_zh}",
                                "why": f"the text's {written!r} matched " + ("the name" if exact else "an alias")
                                + f" in the {entry.origin}" + (": one character, check the meaning"
                                                              if len(written) == 1 else ""),
                                "source": source or written, "_product": entry.id})
            self.products[entry.id] = {
                "id": entry.id, "name_zh": entry.name_zh, "name_en": entry.name_en or entry.name_zh,
                "aliases": ";".join(entry.aliases), "sector": entry.sector, "unit": entry.unit,
                "note": f"matched in the {entry.origin}"}
        return entry.id

    def propose(self, name_orig: str, name: str, unit: str, why: str, source: str, file: str) -> str:
        if name in self.proposed:
            return self.proposed[name]
        pid = slug(name_orig, self.ids, "product")
        self.proposed[name] = pid
        self.products[pid] = {"id": pid, "name_zh": name_orig, "name_en": name_orig, "aliases": "",
                              "sector": "proposed", "unit": unit, "note": "proposed"}
        self.review.append({"confidence": 0.3, "kind": "product", "file": "products.csv", "line": 0,
                            "item": f"{pid} {name_orig}", "why": f"proposed: {why}; give it an English name, "
                            "a sector and a unit, or map it to a known product", "source": source,
                            "_product": pid})
        return pid


def extract(paths, out, region: str | None = None, year: int | None = None, lexicon: str | None = None) -> dict:
    """Read the guideline texts at `paths` and write the draft dataset folder `out` (which must not exist).

    Returns counts of what was written, and the path of review.csv.
    """
    if not paths:
        raise ExtractError("no input text given")
    texts = [read_text(p) for p in paths]
    names: set[str] = set()
    for t in texts:  # two inputs called alike keep both
        stem, suffix, n = Path(t.name).stem, Path(t.name).suffix or ".txt", 2
        name = stem + suffix
        while name in names:
            name, n = f"{stem}_{n}{suffix}", n + 1
        names.add(name)
        t.name = name
    if lexicon is not None and not Path(lexicon, "products.csv").is_file():
        raise ExtractError(f"{lexicon}: not a dataset folder (no products.csv)")
    lex = Lexicon.load(lexicon)
    home = region or _home_name(texts) or "本地"
    if not region:  # the name as written (`清河縣` in a traditional text)
        for t in texts:
            at = t.simp.find(home)
            if at >= 0:
                home = t.orig[at:at + len(home)]
                break
    doc_year = year or _doc_year(texts)
    home_short = re.sub(r"(市|县|旗|区|盟|州)$", "", to_simplified(home))
    home_id = slug(home, set(), "home")
    draft = _Draft(lex, home_id)
    draft.ids.add(home_id)
    level = next((lv for suffix, lv in _LEVELS if to_simplified(home).endswith(suffix)), "city")
    regions = [{"id": home_id, "name_zh": home, "level": level, "home": "yes",
                "note": "home region" + (" (given with --region)" if region else " (read from the text)")}]
    firm_rows, cap_rows, target_rows, chain_rows, link_rows = [], [], [], [], []
    firm_ids: dict[str, str] = {}  # simplified name -> id
    firm_names_taken: set[str] = set()
    target_ids: set[str] = set()
    chain_ids: set[str] = set()
    link_pairs: set[tuple[str, str]] = set()
    seen_caps: set[tuple] = set()
    chain_names: set[str] = set()
    extra_sources: dict[str, Path] = {}
    for text in texts:
        firms, facts = find_firms(text, lex, home_short)
        # firms: ids first (parents may come later in the text)
        new = [f for f in firms if f.key not in firm_ids]  # a firm named in two texts is one firm
        for f in new:
            firm_ids[f.key] = slug(f.name, firm_names_taken, "firm")
        for f in sorted(new, key=lambda f: f.start):
            fid = firm_ids[f.key]
            a, b = _clause_of(text, f.start)
            aliases = []
            for alias in sorted(f.aliases):
                i = f.key.find(alias)
                aliases.append(f.name[i:i + len(alias)] if i >= 0 else alias)
            firm_rows.append({"id": fid, "name_zh": f.name, "aliases": ";".join(aliases), "region": home_id,
                              "parent": firm_ids.get(f.parent) if f.parent else None,
                              "kind": f.kind, "source": text.orig[a:b], "note": f"found by {f.how}"})
            draft.review.append({"confidence": f.evidence.confidence, "kind": "firm", "file": "firms.csv",
                                 "line": len(firm_rows) + 1, "item": f"{fid} {f.name}",
                                 "why": "; ".join(f.evidence.why), "source": text.orig[a:b]})
        for fact in facts:
            fid = firm_ids.get(fact.firm)
            if fid is None:
                continue
            q = fact.quantity
            if fact.product is not None:
                pid = draft.product(fact.product.entry, fact.product.name, fact.text)
            elif fact.proposed is not None:
                a, b = fact.proposed
                pid = draft.propose(text.orig[a:b], text.simp[a:b], _unit_for(q.unit if q else "t"),
                                    "named after a figure", fact.text, "capacities.csv")
            else:
                continue
            key = (fid, pid, q.value if q else None, q.unit if q else None, fact.status, fact.project)
            if key in seen_caps:
                continue
            seen_caps.add(key)
            why = list(fact.evidence.why)
            if q is not None and q.note:
                why.append(q.note)
            cap_rows.append({"firm": fid, "product": pid, "capacity": q.value if q else None,
                             "unit": q.unit if q else None, "status": fact.status, "project": fact.project or None,
                             "year": doc_year if fact.year == -1 else fact.year, "source": fact.text,
                             "note": q.note if q and q.note else None})
            draft.review.append({"confidence": fact.evidence.confidence, "kind": "capacity",
                                 "file": "capacities.csv", "line": len(cap_rows) + 1,
                                 "item": f"{fid} makes {pid}" + (f" {q.value:g} {q.unit}" if q else ""),
                                 "why": "; ".join(why), "source": fact.text})
        taken = {f.quantity.start for f in facts if f.quantity}
        for t in find_targets(text, lex, doc_year, taken, projects={f.source[0] for f in facts}):
            q = t.quantity
            pid = draft.product(t.product.entry, t.product.name, text.orig[t.source[0]:t.source[1]]) \
                if t.product else None
            tid = slug(f"{pid or ''} {t.metric}".strip().replace(" ", "_"), target_ids, "target")
            tid = re.sub(r"[^a-z0-9_]", "", tid) or slug("target", target_ids)
            a, b = _unique_quote(text, *t.source)
            target_rows.append({"id": tid, "region": home_id, "product": pid, "metric": t.metric,
                                "subject": t.subject, "value": q.value, "value_max": q.value_max, "unit": q.unit,
                                "bound": t.bound, "year": t.year, "source": text.orig[a:b], "note": q.note or None})
            draft.review.append({"confidence": t.evidence.confidence, "kind": "target", "file": "targets.csv",
                                 "line": len(target_rows) + 1,
                                 "item": f"{t.subject} {t.bound} {q.value:g} {q.unit}",
                                 "why": "; ".join(t.evidence.why), "source": text.orig[a:b]})
        for c in find_chains(text, lex):
            if c.key in chain_names:
                continue  # the same chain written in two texts
            chain_names.add(c.key)
            steps, step_products = [], []
            for s in c.steps:
                if s.proposed:
                    ids = [draft.propose(s.label, s.proposed, "t", "a chain step naming no known product",
                                         c.name, "chains.csv")]
                else:
                    ids = [draft.product(e, s.label if len(s.entries) == 1 else "", c.name) for e in s.entries]
                step_products.append(ids)
                label = s.label.replace(">", "").replace("=", "").replace("|", "").strip()
                steps.append(f"{label}={'|'.join(ids)}" if label else "|".join(ids))
            sectors = Counter(draft.products[p]["sector"] for ids in step_products for p in ids
                              if draft.products[p]["sector"] != "proposed")
            cid = slug(c.name[:12], chain_ids, "chain")
            a, b = c.source
            quote = text.orig[a:b]
            chain_rows.append({"id": cid, "name_zh": c.name, "sector": sectors.most_common(1)[0][0] if sectors
                               else "other", "steps": " > ".join(steps), "written": "yes" if c.written else "no",
                               "source": quote, "note": None if c.written else "a chain named in prose: check "
                               "its steps"})
            draft.review.append({"confidence": c.evidence.confidence, "kind": "chain", "file": "chains.csv",
                                 "line": len(chain_rows) + 1, "item": f"{cid} {c.name}",
                                 "why": "; ".join(c.evidence.why), "source": quote})
            if c.written:
                _links(draft, lex, step_products, quote, link_rows, link_pairs, extra_sources)
    _library_links(draft, link_rows, link_pairs)
    # proposed products reviewed at their row
    product_rows = list(draft.products.values())
    line_of = {row["id"]: i + 2 for i, row in enumerate(product_rows)}
    for item in draft.review:
        if "_product" in item:
            item["line"] = line_of[item.pop("_product")]
    tables = {"regions": regions, "products": product_rows, "firms": firm_rows, "chains": chain_rows,
              "capacities": cap_rows, "targets": target_rows, "links": link_rows,
              "review": review_rows(draft.review)}
    write_draft(out, tables, {t.name: t.orig for t in texts}, extra_sources)
    summary = {k: len(v) for k, v in tables.items() if k != "review"}
    summary.update(review=str(Path(out) / "review.csv"), region=home, year=doc_year,
                   proposed=sum(1 for r in product_rows if r["note"] == "proposed"))
    return summary


def _unique_quote(text: Text, start: int, end: int) -> tuple[int, int]:
    """Widen a clause quote by up to three clauses before it (within its sentence) until it occurs
    once in the text (`增长约25%` is written twice in Wuhai's guideline)."""
    orig = text.orig
    for _ in range(3):
        piece = orig[start:end]
        if start == 0 or orig.find(piece, orig.find(piece) + 1) < 0:
            break
        prev = max(orig.rfind(ch, max(0, start - 200), start - 1) for ch in "，,：:")
        if prev < 0 or any(ch in orig[prev:start] for ch in "。；;\n"):
            break
        start = prev + 1
    return start, end


def _unit_for(unit: str) -> str:
    from .. import units
    return units.base_of(unit)


def _links(draft, lex, step_products, quote, link_rows, link_pairs, extra_sources) -> None:
    for before, after in zip(step_products, step_products[1:]):
        for a in before:
            for b in after:
                if a == b or (a, b) in link_pairs or (b, a) in link_pairs:
                    continue
                link_pairs.add((a, b))
                row = {"type": "FEEDS", "from": a, "to": b, "source": quote,
                       "note": "from the order of a written chain: check that the first feeds the second"}
                if _library_types().get((a, b)) == "YIELDS":  # 煤—焦—煤气: coke-oven gas is a by-product
                    row.update(type="YIELDS", note="from the order of a written chain; a by-product in the "
                                                   "process coefficient library")
                known = lex.links.get((a, b))
                if known and known.get("type") == "FEEDS" and _copy_ratio(known, lex, extra_sources):
                    for col in ("ratio", "ratio_min", "ratio_max", "ratio_unit", "estimate", "ratio_source"):
                        row[col] = known.get(col) or None
                    row["note"] = "coefficient from the lexicon dataset's links.csv"
                link_rows.append(row)
                draft.review.append({"confidence": 0.5 if not row.get("ratio") else 0.6, "kind": "link",
                                     "file": "links.csv", "line": len(link_rows) + 1, "item": f"{a} -> {b}",
                                     "why": row["note"], "source": quote})


@functools.lru_cache(maxsize=1)
def _library():
    try:
        from ..reference import load_process_coefficients
    except ImportError:  # a package without the library
        return ()
    return load_process_coefficients()


@functools.lru_cache(maxsize=1)
def _library_types() -> dict[tuple[str, str], str]:
    kinds = {"FEEDS": "FEEDS", "YIELD": "FEEDS", "YIELDS": "YIELDS"}
    return {(c.from_, c.to): kinds[c.type] for c in _library() if c.type in kinds}


def _library_links(draft, link_rows, link_pairs) -> None:
    """Links between draft products that the process coefficient library knows (carbide -> PVC,
    coke -> coke-oven gas): the library's figure applies when a command runs; the quote is the
    text's first mention of the product made."""
    for c in _library():
        kind = {"FEEDS": "FEEDS", "YIELD": "FEEDS", "YIELDS": "YIELDS"}.get(c.type)
        a, b = c.from_, c.to
        if kind is None or a not in draft.products or b not in draft.products or a == b:
            continue
        if (a, b) in link_pairs or (b, a) in link_pairs:
            continue
        quote = draft.quotes.get(b) or draft.quotes.get(a)
        if not quote:
            continue
        link_pairs.add((a, b))
        note = f"a pair the process coefficient library knows ({c.source_kind}); its figure applies when a command runs"
        link_rows.append({"type": kind, "from": a, "to": b, "source": quote, "note": note})
        draft.review.append({"confidence": 0.6, "kind": "link", "file": "links.csv", "line": len(link_rows) + 1,
                             "item": f"{a} -> {b}", "why": note, "source": quote})


def _copy_ratio(known: dict, lex: Lexicon, extra_sources: dict) -> bool:
    """Whether the coefficient's quote can travel: its source file goes into the draft's sources/."""
    quote = known.get("ratio_source") or ""
    if not quote:
        return True
    for name, path in lex.link_sources.items():
        body = path.read_text(encoding="utf-8-sig")
        if all(part in body for part in quote.split(" … ")):
            extra_sources.setdefault(f"lexicon_{name}", path)
            return True
    return False
