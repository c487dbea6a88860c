"""The product lexicon: product names the extractor recognises, and the coefficient pairs it knows.

Three layers, first wins on a clash of ids or names: a dataset given with `--lexicon DIR`, the
shipped dataset's `products.csv` (its names and aliases), and `lexicon.csv` next to this module —
common industrial products named after the classes of the national statistical product catalogue
(国家统计局《统计用产品分类目录》, 2010), each row saying so in its `source` column.

Matching is on a normalised form of the same length as the text (full-width letters and digits
to ASCII, every dash to `-`, every comma to `,`, Latin letters lower-cased), so that `1，4—丁二醇`
in a text finds `1,4-丁二醇`.

>>> lex = Lexicon.load()
>>> [m.entry.id for m in lex.scan("年产30万吨聚氯乙烯和甲醇")]
['pvc', 'methanol']
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..graph.model import Product

__all__ = ["Entry", "Match", "Lexicon", "normalise", "shipped_data_dir"]

_HERE = Path(__file__).resolve().parent
_DASHES = "—－―─‐‑‒–~～"


def shipped_data_dir() -> Path | None:
    """The dataset shipped with the package: the repository's data/ in a checkout, else the copy
    installed inside the package (`chaingraph/_data`); never $CHAINGRAPH_DATA (a lexicon is fixed)."""
    for candidate in (_HERE.parents[1] / "data", _HERE.parent / "_data"):
        if (candidate / "products.csv").is_file():
            return candidate
    return None


def _norm_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
        ch = chr(code - 0xFEE0)
    if ch in _DASHES:
        return "-"
    if ch in "，、":
        return "," if ch == "，" else ch
    return ch.lower()


def normalise(text: str) -> str:
    """Same length as `text`: one character for one.

    >>> normalise("1，4—丁二醇 ＰＶＣ")
    '1,4-丁二醇 pvc'
    """
    return "".join(_norm_char(ch) for ch in text)


@dataclass(frozen=True)
class Entry(Product):
    """A product the extractor knows: the dataset's product record, and the layer it came from
    (`origin`: "lexicon DIR", "shipped dataset", "package lexicon") with the row's `source`. Its
    `names` are the names a text can carry, not its id."""
    origin: str = ""
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name_zh, self.name_en, *self.aliases)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry
    name: str  # the name that matched (normalised)


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)
    by_name: dict[str, Entry] = field(default_factory=dict)
    lengths: dict[str, list[int]] = field(default_factory=dict)  # first character -> name lengths, longest first
    links: dict[tuple[str, str], dict] = field(default_factory=dict)  # (from, to) -> links.csv row
    link_sources: dict[str, Path] = field(default_factory=dict)  # file name -> path of ratio sources
    longest: int = 1

    @classmethod
    def load(cls, extra: str | Path | None = None) -> "Lexicon":
        lex = cls()
        if extra is not None:
            lex.add_dataset(Path(extra), f"lexicon {extra}")
        shipped = shipped_data_dir()
        if shipped is not None:
            lex.add_dataset(shipped, "shipped dataset")
        lex.add_file(_HERE / "lexicon.csv", "package lexicon")
        return lex

    def add_dataset(self, folder: Path, origin: str) -> None:
        self.add_file(folder / "products.csv", origin)
        links = folder / "links.csv"
        if links.is_file():
            sources = folder / "sources"
            for row in _rows(links):
                pair = (row.get("from", ""), row.get("to", ""))
                if row.get("ratio") and pair not in self.links:
                    self.links[pair] = row
            if sources.is_dir():
                for path in sorted(sources.iterdir()):
                    if path.is_file() and path.suffix in (".md", ".txt"):
                        self.link_sources.setdefault(path.name, path)

    def add_file(self, path: Path, origin: str) -> None:
        if not path.is_file():
            from .text import ExtractError
            raise ExtractError(f"{path}: file not found (a lexicon needs products.csv)")
        for row in _rows(path):
            entry = Entry(
                id=row["id"].strip(), name_zh=row["name_zh"].strip(), name_en=row.get("name_en", "").strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()),
                sector=row.get("sector", "").strip() or "other", unit=row.get("unit", "").strip() or "t",
                note=row.get("note", "") or "", origin=origin, source=row.get("source", "") or "")
            if entry.id in self.entries or any(normalise(n) in self.by_name for n in entry.names if n):
                continue  # an earlier layer owns this id or name
            self.entries[entry.id] = entry
            for name in entry.names:
                if name:
                    key = normalise(name)
                    self.by_name[key] = entry
                    self.longest = max(self.longest, len(key))
                    found = self.lengths.setdefault(key[0], [])
                    if len(key) not in found:
                        found.append(len(key))
                        found.sort(reverse=True)

    def get(self, name: str) -> Entry | None:
        """The entry a whole name denotes (any of its names, single characters included)."""
        return self.by_name.get(normalise(name.strip()))

    def scan(self, text: str, start: int = 0, end: int | None = None, blocked: set[int] = frozenset(),
             min_len: int = 2) -> list[Match]:
        """Longest-first matches of names of at least `min_len` characters, left to right.

        `text` must already be simplified; `blocked` positions (inside firm names) are skipped.
        """
        end = len(text) if end is None else end
        # normalise only the part scanned (one character more on each side for the Latin-word check)
        offset = max(0, start - 1)
        norm = normalise(text[offset:min(len(text), end + 1)])
        out, i = [], start
        while i < end:
            if i in blocked:
                i += 1
                continue
            found = None
            for length in self.lengths.get(norm[i - offset], ()):
                if length < min_len or i + length > end:
                    continue
                piece = norm[i - offset:i - offset + length]
                entry = self.by_name.get(piece)
                if entry is not None and not any(p in blocked for p in range(i, i + length)):
                    if _ascii_word_cut(norm, i - offset, i - offset + length):
                        continue
                    found = Match(i, i + length, entry, piece)
                    break
            if found:
                out.append(found)
                i = found.end
            else:
                i += 1
        return out


def _ascii_word_cut(norm: str, start: int, end: int) -> bool:
    """A Latin name must not start or end inside a Latin word (`pe` in `pet`, `led` in `ledger`)."""
    if not norm[start:end].isascii():
        return False
    before = norm[start - 1] if start else " "
    after = norm[end] if end < len(norm) else " "
    return (norm[start].isalpha() and before.isascii() and before.isalpha()) or (
        norm[end - 1].isalpha() and after.isascii() and after.isalpha())


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
