"""Rows (list of dicts) as text: an aligned table for people, JSON or CSV for pipes."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

from .units import format_number

__all__ = ["FORMATS", "render", "text_width"]

FORMATS = ("table", "json", "csv")


def text_width(text: str) -> int:
    """Columns `text` takes on a terminal: CJK wide and full-width characters take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


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


def _table(rows: list[dict]) -> str:
    if not rows:
        return ""
    columns = _columns(rows)
    lines = [columns, ["-" * text_width(c) for c in columns]]
    lines += [[_cell(row.get(c), "; ").replace("\n", " ") for c in columns] for row in rows]
    widths = [max(text_width(line[i]) for line in lines) for i in range(len(columns))]
    out = []
    for line in lines:
        padded = [cell + " " * (width - text_width(cell)) for cell, width in zip(line, widths)]
        out.append("  ".join(padded).rstrip() + "\n")
    return "".join(out)


def _csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    columns = _columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c), ";") for c in columns] for row in rows)  # ";" as in the data files
    return buffer.getvalue()


def render(rows: list[dict], fmt: str = "table") -> str:
    """`rows` as `table`, `json` (a UTF-8 list of objects) or `csv` (header, then rows)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(rows)
    if fmt == "table":
        return _table(rows)
    raise ValueError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
