"""Rows (list of dicts) as text: an aligned table for people, JSON or CSV for pipes."""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from . import i18n
from .labels import VALUE_COLUMNS
from .units import format_number

__all__ = ["FORMATS", "render", "text_width", "printable"]

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
    return sum(map(_char_width, text))


@functools.lru_cache(maxsize=None)
def _char_width(ch: str) -> int:
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


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
    if text_width(text) <= width:  # most cells: nothing to do
        return [text]
    if text.isascii():  # one column a character: cut by position (the loop below, without a call a character)
        pieces, start = [], 0
        while len(text) - start > width:
            full = text[start:start + width]
            cut = full.rfind(" ")
            pieces.append(full[:cut] if cut > 0 else full)
            start += cut + 1 if cut > 0 else width
        return pieces + [text[start:]]
    # the current piece is text[start:i]: cut where the next character would not fit, at its
    # last space (after its first character) or else right there; widths looked up once a character
    widths = list(map(_char_width, text))
    pieces, start, used = [], 0, 0
    for i, w in enumerate(widths):
        if used + w > width:
            space = text.rfind(" ", start, i)
            if space > start:
                pieces.append(text[start:space])
                start = space + 1
            else:
                pieces.append(text[start:i])
                start = i
            used = sum(widths[start:i])
        used += w
    return pieces + [text[start:]]


def _cell_lines(value: Any, translate: bool = False) -> list[str]:
    """A table cell as lines: one item of a list per line, long text wrapped; machine values
    (statuses, kinds) in the current language when `translate`."""
    items = value if isinstance(value, (list, tuple)) and value else [value]
    items = [(i18n.gettext("yes") if item else i18n.gettext("no")) if isinstance(item, bool) else item
             for item in items]
    if translate:
        items = [i18n.value(item) if isinstance(item, str) and item else item for item in items]
    return [piece for item in items for piece in _wrap(printable(_cell(item, "; ").replace("\n", " ")))]


def _table(rows: list[dict]) -> str:
    if not rows:
        return ""
    columns = _columns(rows)
    headers = [printable(i18n.column(c)) for c in columns]
    records = [[[h] for h in headers], [["-" * text_width(h)] for h in headers]]
    records += [[_cell_lines(row.get(c), c in VALUE_COLUMNS) for c in columns] for row in rows]
    sizes = [[list(map(text_width, cell)) for cell in record] for record in records]  # each line's, once
    widths = [max(n for record in sizes for n in record[i]) for i in range(len(columns))]
    out, blanks = [], [" " * width for width in widths]
    for record, size in zip(records, sizes):  # each cell's lines padded once, and blank lines below the shorter cells
        height = max(len(cell) for cell in record)
        padded = [[text + " " * (width - n) for text, n in zip(cell, ns)] + [blank] * (height - len(cell))
                  for cell, ns, width, blank in zip(record, size, widths, blanks)]
        out.extend("  ".join(line).rstrip() + "\n" for line in zip(*padded))
    return "".join(out)


def _csv(rows: list[dict], columns: Sequence[str] = ()) -> str:
    columns = _columns(rows) if rows else list(columns)
    if not columns:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c), ";") for c in columns] for row in rows)  # ";" as in the data files
    return buffer.getvalue()


def render(rows: list[dict], fmt: str = "table", columns: Sequence[str] = ()) -> str:
    """`rows` as `table`, `json` (a UTF-8 list of objects) or `csv` (header, then rows).

    `columns` are the columns the rows would have: with no rows, CSV prints them as its header
    (a table prints nothing). Table cells show control characters escaped (`printable`); JSON
    escapes them itself and CSV keeps the data as it is.
    """
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(rows, columns)
    if fmt == "table":
        return _table(rows)
    raise ValueError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
