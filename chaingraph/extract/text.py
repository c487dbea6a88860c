"""Reading guideline texts: decoding, the simplified shadow used for matching, segments and clauses.

Every extractor matches on `Text.simp`, a copy of the text in simplified characters of exactly the
same length, and quotes `Text.orig` at the same offsets: a quote is always a verbatim span of the
input, in the script the input was written in.

>>> t = Text.from_string("年產22萬噸。", "a.txt")
>>> t.simp
'年产22万吨。'
>>> t.quote(0, 6)
'年產22萬噸'
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import ChaingraphError

__all__ = ["Text", "ExtractError", "read_text", "to_simplified", "segments", "Span", "between"]


class ExtractError(ChaingraphError):
    """An input text that cannot be read, or an output folder that cannot be written."""


_converter = None


def _char_map(chars: set[str]) -> dict[str, str]:
    """Traditional -> simplified for single characters, keeping one character for one (offsets)."""
    global _converter
    if _converter is None:
        from opencc import OpenCC
        _converter = OpenCC("t2s")
    out = {}
    for ch in chars:
        if ord(ch) < 0x3000:
            continue
        simple = _converter.convert(ch)
        if len(simple) == 1 and simple != ch:
            out[ch] = simple
    return out


def to_simplified(text: str) -> str:
    """`text` in simplified characters, character for character (same length, same offsets).

    >>> to_simplified("鋼鐵產業鏈")
    '钢铁产业链'
    """
    table = _char_map(set(text))
    return "".join(table.get(ch, ch) for ch in text) if table else text


@dataclass
class Text:
    orig: str  # as read (BOM removed)
    name: str  # file name under sources/
    simp: str = field(default="")
    encoding: str = "utf-8"

    def __post_init__(self):
        if not self.simp:
            self.simp = to_simplified(self.orig)
        assert len(self.simp) == len(self.orig)

    @classmethod
    def from_string(cls, text: str, name: str) -> "Text":
        return cls(text, name)

    def quote(self, start: int, end: int) -> str:
        return self.orig[start:end]

    @cached_property
    def segments(self) -> list["Span"]:
        return segments(self.simp)

    @cached_property
    def traditional(self) -> bool:
        return self.simp != self.orig


def read_text(path: str | Path) -> Text:
    """A guideline text from a file: UTF-8 (a byte-order mark is allowed) or GB18030."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ExtractError(f"{path}: is a folder, not a text file") from None
    except OSError as e:
        raise ExtractError(f"{path}: cannot read ({e.strerror})") from None
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise ExtractError(f"{path}, line {line}: not UTF-8 or GB18030 text "
                               f"(byte {utf8_error.start})") from None
    if "\0" in text:
        raise ExtractError(f"{path}, line {text[:text.index(chr(0))].count(chr(10)) + 1}: "
                           "not a text file (NUL character)")
    if not text.strip():
        raise ExtractError(f"{path}: empty text")
    return Text(text, path.name, encoding=encoding)


def between(items: list, starts: list[int], start: int, end: int) -> list:
    """The items (sorted by start, their starts in `starts`) that start in [start, end)."""
    return items[bisect_left(starts, start):bisect_left(starts, end)]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


_SEGMENT_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_END = re.compile(r"[：:。；;！!？?\n]|(?<!\d)[，,]|[，,](?!\d)")  # not inside 1，4-丁二醇


def segments(simp: str) -> list[Span]:
    """Sentence-like pieces: ends at 。；！？ and line breaks (spaces trimmed)."""
    out, start = [], 0
    for m in _SEGMENT_END.finditer(simp):
        out.append(Span(start, m.start()))
        start = m.end()
    out.append(Span(start, len(simp)))
    return [_trim(simp, s) for s in out if simp[s.start:s.end].strip()]


def sentences(simp: str) -> list[Span]:
    """Whole sentences (。！？ and line breaks only), for the rule that skips past-year statements."""
    out, start = [], 0
    for m in re.finditer(r"[。！!？?\n]", simp):
        out.append(Span(start, m.start()))
        start = m.end()
    out.append(Span(start, len(simp)))
    return [s for s in out if simp[s.start:s.end].strip()]


def clauses(simp: str, span: Span) -> list[Span]:
    """Comma pieces of a segment."""
    out, start = [], span.start
    for m in _CLAUSE_END.finditer(simp, span.start, span.end):
        out.append(Span(start, m.start()))
        start = m.end()
    out.append(Span(start, span.end))
    return [_trim(simp, s) for s in out if simp[s.start:s.end].strip()]


def _trim(simp: str, s: Span) -> Span:
    start, end = s.start, s.end
    while start < end and simp[start] in " \t\r\u3000":
        start += 1
    while end > start and simp[end - 1] in " \t\r\u3000":
        end -= 1
    return Span(start, end)
