"""Chains: written with dashes or arrows (`石灰石—白灰—电石—PVC`), and prose families (`…产业链`).

A written chain is two or more steps of letters (no digits: `1，4—丁二醇` and `3—5户` are not
chains) joined by one of — － ― ─ - → ➝. The first step loses the verb in front of it (`形成煤炭`
-> `煤炭`), the last the word after it (`铝加工产业链` -> `铝加工`). Each step is matched to a
product: the whole label (`煤`), else the longest product it contains (`煤气及加工利用` -> 煤气);
a label that names no known product becomes a proposed product for the reviewer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .common import Evidence
from .lexicon import Entry, Lexicon
from .text import Text, segments

__all__ = ["Chain", "Step", "find_chains"]

_DASH = r"\s*(?:——|—|－|―|─|-|→|➝|->)\s*"
_TOKEN = r"[\u4e00-\u9fffA-Za-z]+"
_CHAIN = re.compile(rf"(?<![\d.]){_TOKEN}(?:{_DASH}{_TOKEN})+(?![\d.])")
_SPLIT = re.compile(_DASH)
LEAD_VERBS = re.compile(r".*(按照|形成|发展|构建|延伸|打造|建设|围绕|促成|配套|推进|完善|培育|建立|实现|以|和|的|及|从|由|为|即|是|等|：)")
TRAIL_WORDS = re.compile(r"(循环产业链|产业链条|产业链|链条|一体化|循环经济|循环|产业|为主线|为龙头|模式|等)+$")
PROSE = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,12})产业链")
PROSE_LEAD = re.compile(r".*(发展|延伸|打造|培育|完善|构建|形成|做长|建设|围绕|壮大|拉长|重点|以|的|和|及|、|等|大)")


@dataclass
class Step:
    label: str  # as written
    entries: list[Entry]
    proposed: str | None = None  # a label that names no known product (simplified)


@dataclass
class Chain:
    name: str  # as written
    key: str  # simplified, for de-duplication
    steps: list[Step]
    written: bool
    source: tuple[int, int]
    evidence: Evidence = field(default_factory=Evidence)


def _step(label_orig: str, label: str, lexicon: Lexicon) -> Step:
    entry = lexicon.get(label)
    if entry is not None:
        return Step(label_orig, [entry])
    found = lexicon.scan(label)
    if found:
        best = max(found, key=lambda m: m.end - m.start)
        return Step(label_orig, [best.entry])
    return Step(label_orig, [], proposed=label)


def find_chains(text: Text, lexicon: Lexicon, blocked: set[int] = frozenset()) -> list[Chain]:
    simp, out, seen = text.simp, [], set()
    for m in _CHAIN.finditer(simp):
        start, end = m.start(), m.end()
        dashes = list(_SPLIT.finditer(simp, start, end))
        first = LEAD_VERBS.match(simp, start, dashes[0].start())  # only the first step loses a verb
        if first and first.end() < dashes[0].start():
            start = first.end()
        trail = TRAIL_WORDS.search(simp, dashes[-1].end(), end)  # only the last step a trailing word
        if trail and trail.start() > dashes[-1].end():
            end = trail.start()
        parts, pos = [], start
        for d in _SPLIT.finditer(simp, start, end):
            parts.append((pos, d.start()))
            pos = d.end()
        parts.append((pos, end))
        if len(parts) < 2 or any(b <= a or b - a > 8 for a, b in parts):
            continue
        steps_simp = [simp[a:b] for a, b in parts]
        known = sum(1 for label in steps_simp if not _step(label, label, lexicon).proposed)
        marked = (simp[start - 1:start] in "“「『\"'（(《" and start > 0) or re.match(
            r"[”」』\"'）)》]?\s*(产业链|循环产业链|产业|链条|一体化|循环)", simp[end:end + 8])
        if not marked and known * 2 < len(parts):
            continue  # `做强化工产业——延伸`: a dash in prose, not a chain
        key = "—".join(simp[a:b] for a, b in parts)
        if key in seen:
            continue
        seen.add(key)
        steps = [_step(text.orig[a:b], simp[a:b], lexicon) for a, b in parts]
        ev = Evidence(0.9, ["written with dashes"])
        unknown = [s.label for s in steps if s.proposed]
        if unknown:
            ev.lower(0.15 * len(unknown), f"steps naming no known product: {', '.join(unknown)}")
        out.append(Chain(text.orig[start:end], key, steps, True, (start, end), ev))
    written = [range(c.source[0], c.source[1] + 8) for c in out]  # `…—铝后加工产业链` is not a second chain
    out += [c for c in _prose_chains(text, lexicon, seen, blocked)
            if not any(c.source[0] in span for span in written)]
    return out


def _prose_chains(text: Text, lexicon: Lexicon, seen: set[str], blocked: set[int]) -> list[Chain]:
    simp, out = text.simp, []
    segs = segments(simp)
    for m in PROSE.finditer(simp):
        start = m.start(1)
        lead = PROSE_LEAD.match(simp, start, m.end(1))
        if lead:
            start = lead.end()
        name = simp[start:m.end(1)]
        if len(name) < 2 or name in seen or re.search(r"[上下]游|四大|两大|条|^循环$|主导|支柱|重点", name):
            continue
        seg = next(s for s in segs if s.start <= m.start() < s.end + 1)
        own = lexicon.scan(simp, start, m.end(1))
        others = [p for p in lexicon.scan(simp, m.end(), seg.end, blocked=blocked)
                  if p.entry.id not in {o.entry.id for o in own}][:12]
        if not own and not others:
            continue
        seen.add(name)
        steps = []
        if own:
            steps.append(Step(text.orig[start:m.end(1)], _unique([p.entry for p in own])))
        if others:
            steps.append(Step("", _unique([p.entry for p in others])))
        ev = Evidence(0.45, ["a chain named in prose; its products are those of the sentence, not an order"])
        out.append(Chain(text.orig[start:m.end()], name, steps, False, (start, seg.end), ev))
    return out


def _unique(entries: list[Entry]) -> list[Entry]:
    out = []
    for e in entries:
        if e not in out:
            out.append(e)
    return out
