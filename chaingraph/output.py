"""Rows (list of dicts) as text: an aligned table for people, JSON or CSV for pipes."""
from __future__ import annotations

import bisect
import csv
import functools
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from . import i18n
from .labels import VALUE_COLUMNS
from .units import format_number

__all__ = ["FORMATS", "render", "render_parts", "text_width", "printable"]

FORMATS = ("table", "json", "csv")

# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts colour, title
# and cursor sequences), DEL, line and paragraph separators, and the bidirectional overrides
# that can make text read differently from what it holds.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""`text` with every character a terminal would act on written as an escape (`\x1b`).

    >>> print(printable("\x1b[31mred\x07 \u202e"))
    \x1b[31mred\x07 \u202e
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def text_width(text: str) -> int:
    """Columns `text` takes on a terminal: CJK wide and full-width characters take two."""
    if text.isascii():  # no ASCII character is combining, wide or full-width
        return len(text)
    return _wide_width(text)


@functools.lru_cache(maxsize=None)
def _char_width(ch: str) -> int:
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


class _Widths(dict):
    """Each character's width, looked up once (`_char_width`) and then read at dict speed."""

    def __missing__(self, ch: str) -> int:
        self[ch] = width = _char_width(ch)
        return width


_WIDTHS = _Widths()
# The blocks of CJK text whose every character takes two columns (Hangul Jamo, CJK punctuation,
# kana, ideographs, Hangul syllables, compatibility ideographs and forms, full-width forms): counted
# in one pass of the regular expression engine; every other character is looked up (`_WIDTHS`).
# tests/test_table_width.py checks each character of these ranges against the definition.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u3029\u3040-\u3098\u309b-\u3247\u3250-\u4dbf\u4e00-\ua4cf"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6]+")
_OTHER = re.compile("[^\x00-\x7f]")  # what is left to look up once the wide runs are taken out


def _wide_width(text: str) -> int:
    """`text_width` of a text that is not all ASCII."""
    return _width_of(text, _WIDE.sub("", text))


def _width_of(text: str, rest: str) -> int:
    """`text_width` of `text`, given `rest`, the text without its wide runs (`_WIDE`): those count
    twice, the rest once, but for the characters of `rest` that are not ASCII, looked up."""
    width = 2 * len(text) - len(rest)
    if not rest.isascii():
        others = _OTHER.findall(rest)
        width += sum(map(_WIDTHS.__getitem__, others)) - len(others)
    return width


def _cell(value: Any, separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return separator.join(_cell(v, separator) for v in value)
    return str(value)


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


MAX_CELL_WIDTH = 48  # table cells wider than this wrap onto more lines


def _wrap(text: str, width: int = MAX_CELL_WIDTH) -> list[str]:
    """`text` cut into pieces of at most `width` terminal columns, at spaces where possible."""
    return _pieces(text, width)[0]


def _pieces(text: str, width: int = MAX_CELL_WIDTH, total: int | None = None) -> tuple[list[str], list[int]]:
    """`_wrap(text, width)` and the width of each piece, each measured once (`total`: the text's
    width, when measured already)."""
    if text.isascii():  # one column a character: cut by position
        if len(text) <= width:  # most cells: nothing to do
            return [text], [len(text)]
        return _cut(text, width)
    if total is None:
        total = _wide_width(text)
    if total <= width:
        return [text], [total]
    if total == len(text) and 0 not in map(_WIDTHS.__getitem__, _OTHER.findall(text)):
        return _cut(text, width)  # no character wide, none of no width: each takes one column (`≥ 2–3 Mt`)
    # `cum[k]` is the width of text[:k]. A piece text[start:...] runs until the first character i
    # (after the one that opened it) that would take it past `width`; it is cut there at its last
    # space (after its first character), else right before i; character i then opens the next
    # piece whatever its width. The same cuts as a walk a character at a time, found by bisection.
    cum = [0, *itertools.accumulate(map(_WIDTHS.__getitem__, text))]
    n, pieces, widths, start, i = len(text), [], [], 0, -1
    while True:
        end = bisect.bisect_right(cum, cum[start] + width, i + 2)  # i + 1 at the earliest, as end - 1
        if end > n:
            break
        i = end - 1
        space = text.rfind(" ", start, i)
        cut, after = (space, space + 1) if space > start else (i, i)
        pieces.append(text[start:cut])
        widths.append(cum[cut] - cum[start])
        start = after
    pieces.append(text[start:])
    widths.append(cum[n] - cum[start])
    return pieces, widths


def _cut(text: str, width: int) -> tuple[list[str], list[int]]:
    """`_pieces` of a text longer than `width` whose every character takes one column: cut by position."""
    pieces, widths, start, n = [], [], 0, len(text)
    while n - start > width:
        space = text.rfind(" ", start, start + width)
        cut, after = (space, space + 1) if space > start else (start + width, start + width)
        pieces.append(text[start:cut])
        widths.append(cut - start)
        start = after
    pieces.append(text[start:])
    widths.append(n - start)
    return pieces, widths


def _items(value: Any, translate: bool) -> list[str]:
    """A table cell's items as text to show: one item of a list each; yes/no and machine values
    (statuses, kinds, when `translate`) in the current language; newlines as spaces and control
    characters escaped (`printable`)."""
    items = value if isinstance(value, (list, tuple)) and value else [value]
    texts = []
    for item in items:
        if isinstance(item, bool):
            item = i18n.gettext("yes") if item else i18n.gettext("no")
        if translate and isinstance(item, str) and item:
            item = i18n.value(item)
        text = item if type(item) is str else _cell(item, "; ")
        texts.append(text if text.isprintable() else printable(text.replace("\n", " ")))
    return texts


def _cell_lines(value: Any, translate: bool = False) -> list[str]:
    """A table cell as lines: one item of a list per line, long text wrapped; machine values
    (statuses, kinds) in the current language when `translate`."""
    return _measured(value, translate, {})[0]


def _widths(texts: list[str]) -> list[int]:
    """`text_width` of each of `texts` (printable, so without newlines): the texts of ASCII alone
    (most of an English list) by their length, when most are; else in one pass of the regular
    expression over them all."""
    if 4 * sum(not text.isascii() for text in texts) < len(texts):
        return [len(text) if text.isascii() else _wide_width(text) for text in texts]
    rests = _WIDE.sub("", "\n".join(texts)).split("\n")
    return list(map(_width_of, texts, rests))


def _measured(value: Any, translate: bool, known: dict) -> tuple[list, list]:
    """`_cell_lines(value, translate)` and each line's width; `known` keeps the pieces of the texts
    wrapped so far (a region's open terms recur from row to row) and, by `(type, value)`, the lines
    of yes/no and of the machine values shown translated (the same few in every row)."""
    kind = type(value)
    if kind is str and not translate:
        if value.isprintable():  # most cells: one plain text
            return _pieces(value)
    elif value is None or (kind is list and not value):  # an empty cell
        return [""], [0]
    elif kind is bool or kind is str:  # (a table is made in one language: `render_parts`)
        found = known.get((kind, value))
        if found is None:
            found = known[kind, value] = _pieces(_items(value, translate)[0])
        return found
    if kind is list and value and not translate:
        try:
            joined = " ".join(value)
        except TypeError:  # not all texts: each item shown as its own cell would be (`_items`)
            joined = "\n"  # (not printable)
        if joined.isprintable():  # texts with nothing to escape: measured all at once
            texts, widths = value, list(map(len, value)) if joined.isascii() else _widths(value)
            if max(widths) <= MAX_CELL_WIDTH:  # and none to wrap
                return texts, widths
        else:
            texts = _items(value, translate)
            widths = None
    else:
        texts, widths = _items(value, translate), None
    if len(texts) == 1:
        return _pieces(texts[0])
    lines, sizes = [], []
    for text, width in zip(texts, widths or itertools.repeat(None)):
        if width is not None and width <= MAX_CELL_WIDTH:
            lines.append(text)
            sizes.append(width)
        else:
            found = known.get(text)
            if found is None:
                found = known[text] = _pieces(text, total=width)
            lines += found[0]
            sizes += found[1]
    return lines, sizes


def _table(rows: list[dict]) -> str:
    return "".join(_table_parts(rows))


TABLE_PART = 4096  # lines of a table written at a time (`render_parts`)


def _table_parts(rows: list[dict]) -> Iterator[str]:
    """`_table(rows)` in parts of `TABLE_PART` lines, each line with its newline: a table is written
    as it is made, not held whole (at a million firms a city's `balance` table is 116k lines, 31 MB,
    then as much again encoded)."""
    if not rows:
        return
    columns = _columns(rows)
    translated = [c in VALUE_COLUMNS for c in columns]
    headers = [printable(i18n.column(c)) for c in columns]
    header_widths = list(map(text_width, headers))
    records = [[([h], [n]) for h, n in zip(headers, header_widths)],
               [(["-" * n], [n]) for n in header_widths]]
    known: dict = {}  # (`_measured`)
    records += [[_measured(row.get(c), t, known) for c, t in zip(columns, translated)] for row in rows]
    widths = [max(max(cell[1]) for cell in column) for column in zip(*records)]
    starts = list(itertools.accumulate((width + 2 for width in widths), initial=0))  # where each column starts
    pads = [" " * n for n in range(starts[-1] + 1)]
    out: list[str] = []
    for record in records:
        if len(out) >= TABLE_PART:
            out.append("")
            yield "\n".join(out)
            out = []
        # the first line: every cell's first line padded to its column (then the line's end stripped)
        out.append("  ".join([lines[0] + pads[width - ns[0]] for (lines, ns), width in zip(record, widths)]).rstrip())
        tall = [(start, lines, ns) for start, (lines, ns) in zip(starts, record) if len(lines) > 1]
        if not tall:
            continue
        # the other lines: the cells of more than one line, each at its column; once the tallest cell
        # is the only one left (a row's open terms run on past its coefficients), its lines alone
        depths = [len(lines) for _, lines, _ in tall]
        tallest = depths.index(max(depths))
        shared = max(depths[:tallest] + depths[tallest + 1:], default=1)  # the lines other cells reach too
        if len(tall) == 2:  # (the common case: two cells, each with a line down to `shared`)
            (first, lines, ns), (second, others, _) = tall
            out += [(pads[first] + text + pads[second - first - n] + other).rstrip()
                    for text, n, other in itertools.islice(zip(lines, ns, others), 1, shared)]
        else:
            for k in range(1, shared):
                parts, at = [], 0
                for start, lines, ns in tall:
                    if k < len(lines):
                        parts += (pads[start - at], lines[k])
                        at = start + ns[k]
                out.append("".join(parts).rstrip())
        start, lines, _ = tall[tallest]
        out += [(pads[start] + text).rstrip() for text in itertools.islice(lines, shared, None)]
    out.append("")
    yield "\n".join(out)


def _csv(rows: list[dict], columns: Sequence[str] = ()) -> str:
    columns = _columns(rows) if rows else list(columns)
    if not columns:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c), ";") for c in columns] for row in rows)  # ";" as in the data files
    return buffer.getvalue()


_quoted = json.encoder.encode_basestring  # a string as JSON writes it with ensure_ascii=False (C)


def _json_value(value: Any, indent: str) -> str:
    """`value` as `json.dumps(..., ensure_ascii=False, indent=2)` writes it at the depth `indent`
    (the spaces its line starts with); the common kinds written here, the others by `json`."""
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        return "Infinity" if value == _INF else "-Infinity" if value == -_INF else float.__repr__(value)
    if kind is list:
        if not value:
            return "[]"
        try:
            items = list(map(_quoted, value))
        except TypeError:  # not all strings
            pass
        else:
            inner = indent + "  "
            return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)  # (no string holds a newline)


_INF = float("inf")


def _json(rows: list) -> str:
    """`json.dumps(rows, ensure_ascii=False, indent=2)` and a newline, the same text: rows of
    strings, numbers and lists of strings written without the pure-Python encoder that `indent`
    needs, a string at a time by the C one."""
    return "".join(_json_parts(rows))


JSON_PART = 500  # rows of a JSON list written at a time (`render_parts`)


def _json_parts(rows: list) -> Iterator[str]:
    """`_json(rows)` in parts of `JSON_PART` rows."""
    if type(rows) is not list:
        yield json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        return
    if not rows:
        yield "[]\n"
        return
    texts, lead = [], "[\n  "
    for row in rows:
        if len(texts) >= JSON_PART:
            yield lead + ",\n  ".join(texts)
            texts, lead = [], ",\n  "
        if type(row) is dict and row and all(type(key) is str for key in row):
            texts.append("{\n    " + ",\n    ".join([_quoted(key) + ": " + _json_value(value, "    ")
                                                   for key, value in row.items()]) + "\n  }")
        else:
            texts.append(_json_value(row, "  "))
    yield lead + ",\n  ".join(texts) + "\n]\n"


def render_parts(rows: list[dict], fmt: str = "table", columns: Sequence[str] = ()) -> Iterator[str]:
    """`render(rows, fmt, columns)` in parts, to write one after another: a table a few thousand
    lines at a time, JSON a few hundred rows at a time, CSV whole."""
    if fmt == "json":
        yield from _json_parts(rows)
    elif fmt == "table":
        with i18n.settled():
            yield from _table_parts(rows)
    else:
        yield render(rows, fmt, columns)


def render(rows: list[dict], fmt: str = "table", columns: Sequence[str] = ()) -> str:
    """`rows` as `table`, `json` (a UTF-8 list of objects) or `csv` (header, then rows).

    `columns` are the columns the rows would have: with no rows, CSV prints them as its header
    (a table prints nothing). Table cells show control characters escaped (`printable`); JSON
    escapes them itself and CSV keeps the data as it is.
    """
    if fmt == "json":
        return _json(rows)
    if fmt == "csv":
        return _csv(rows, columns)
    if fmt == "table":
        with i18n.settled():  # headers and machine values in one language, the environment read once
            return _table(rows)
    raise ValueError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
