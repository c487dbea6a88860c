"""Writing a draft dataset folder: all files or none.

The files go to a hidden folder next to the output, which is validated with the dataset loader
and then renamed into place; on any error it is removed and the output does not exist.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from .text import ExtractError

__all__ = ["write_draft", "COLUMNS"]

COLUMNS = {
    "regions": ["id", "name_zh", "name_en", "level", "parent", "home", "note"],
    "products": ["id", "name_zh", "name_en", "aliases", "sector", "unit", "note"],
    "firms": ["id", "name_zh", "name_en", "aliases", "region", "parent", "kind", "home", "source", "note"],
    "chains": ["id", "name_zh", "name_en", "sector", "steps", "written", "source", "note"],
    "capacities": ["firm", "region", "product", "capacity", "unit", "status", "year", "project", "source", "note"],
    "targets": ["id", "region", "product", "metric", "subject", "value", "value_max", "unit", "bound", "year",
                "source", "note"],
    "links": ["type", "from", "to", "ratio", "ratio_min", "ratio_max", "ratio_unit", "estimate", "ratio_source",
              "source", "note"],
    "review": ["confidence", "kind", "file", "line", "item", "why", "source"],
}


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _cell(row.get(c)) for c in columns})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # plain decimals: 1600000000, not 1.6e+09
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def write_draft(out: str | os.PathLike, tables: dict[str, list[dict]], sources: dict[str, str],
                extra_sources: dict[str, Path]) -> Path:
    """Write `tables` (file stem -> rows) and `sources` (file name -> text) to the new folder `out`."""
    out = Path(out)
    if out.exists():
        raise ExtractError(f"{out}: already exists; give a new folder for the draft")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise ExtractError(f"{out}: parent folder {parent} does not exist")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as e:
        raise ExtractError(f"{out}: cannot write here ({e.strerror})") from None
    try:
        (tmp / "sources").mkdir()
        for name, text in sources.items():
            (tmp / "sources" / name).write_text(text, encoding="utf-8", newline="")
        for name, path in extra_sources.items():
            shutil.copyfile(path, tmp / "sources" / name)
        for stem, rows in tables.items():
            _write_csv(tmp / f"{stem}.csv", COLUMNS[stem], rows)
        from ..errors import ChaingraphError
        from ..loaders.csvfiles import load_dataset
        try:
            load_dataset(tmp)
        except ChaingraphError as e:  # a bug in extract, never the user's input: say so
            raise ExtractError(f"the draft does not validate ({str(e).replace(str(tmp), str(out))}); "
                               "please report this with the input text") from None
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
