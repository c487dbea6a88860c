"""What the extractors share: extracted items with their evidence, ids from names, status verbs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Evidence", "slug", "status_of", "year_of", "STATUS_WORDS"]


@dataclass
class Evidence:
    """Why an item was extracted: a confidence from 0 to 1 and the reasons, for review.csv."""
    confidence: float = 0.9
    why: list[str] = field(default_factory=list)

    def lower(self, by: float, reason: str) -> None:
        self.confidence = round(max(0.05, self.confidence - by), 2)
        self.why.append(reason)

    def note(self, reason: str) -> None:
        self.why.append(reason)


def slug(name: str, taken: set[str], fallback: str = "item") -> str:
    """An id `[a-z0-9_]+` from a Chinese or Latin name (pinyin), unique within `taken` (which it extends).

    >>> slug("神华乌海能源公司", set())
    'shenhua_wuhai_nengyuan_gongsi'
    """
    from pypinyin import lazy_pinyin
    syllables = [re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_") for s in lazy_pinyin(name)]
    syllables = [s for s in syllables if s]
    # two syllables to a word reads better than one long run or one syllable per word
    words = ["".join(syllables[i:i + 2]) for i in range(0, len(syllables), 2)]
    base = "_".join(words)[:40].strip("_") or fallback
    if base[0].isdigit():
        base = f"{fallback}_{base}"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


# status verbs, in the order they are tried: a planned word wins over a building word, which wins
# over an operating word ("确保…开工建设达产达效" is still being built)
STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("planned", ("前期", "立项", "引进", "规划", "谋划", "拟建", "筹建", "招商", "争取建设", "争取再建设",
                 "洽谈", "储备")),
    ("building", ("开工", "在建", "续建", "新建", "扩建", "加快建设", "建设中", "年内建成", "技改",
                  "改造项目", "项目建设", "等项目建设", "推进建设", "动工")),
    ("operating", ("建成", "投产", "达产", "运行", "现有", "已有", "投运", "竣工", "生产线")),
)


_FUTURE_DONE = re.compile(r"(尽快|争取|力争|年内|年底前|月底前|要|将|计划|确保)[^，,。；]{0,4}(建成|投产|竣工)")


def status_of(text: str) -> tuple[str, str | None]:
    """(status, the word that decided it) for a piece of text; `building` when no word is found.

    >>> status_of("确保源通等焦化项目开工建设达产达效")
    ('building', '开工')
    >>> status_of("重点支持和顺公司等项目的达产达效")
    ('operating', '达产')
    >>> status_of("争取交口信发二期120万吨氧化铝尽快投产")
    ('building', '尽快投产')
    """
    for status, words in STATUS_WORDS:
        if status == "operating" and (m := _FUTURE_DONE.search(text)):
            return "building", m.group(0)  # `争取…尽快投产`: not built yet
        for word in words:
            if word in text:
                return status, word
    return "building", None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


def year_of(text: str) -> int | None:
    """The first year written in `text` (`2013年底` -> 2013)."""
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None
