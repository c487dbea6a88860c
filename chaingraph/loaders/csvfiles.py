"""Read a dataset folder of CSV files (data/README.md) into validated records.

Each file is described by a table of columns (name, required, parser) plus a few cross-column
checks; one generic reader applies them. The first error found, in the order regions, products,
firms, chains, capacities, targets, links, conversions, directory, raises DataError naming file,
line and column. The producer directory's rows become Firm and Capacity records like the others.
"""
from __future__ import annotations

import codecs
import csv
import gc
import ipaddress
import itertools
import keyword
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from array import array
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import units
from ..datadir import check_data_dir, default_data_dir
from ..errors import ChaingraphError, DataError, UnitError, UnknownNameError
from ..i18n import N_, pgettext
from ..i18n import gettext as _
from ..graph.model import (
    BOUNDS, DIRECTORY_SOURCE_KINDS, KINDS, LEVELS, LINK_TYPES, SOURCE_KINDS, STATUSES,
    Capacity, Chain, Conversion, Dataset, Firm, Link, Product, Region, Step, Target,
)
from ..graph.store import Store, Table, TableBuilder
from ..names import NameIndex, name_key
from ..reference import apply as apply_library

__all__ = ["load_dataset", "read_store", "default_data_dir", "check_data_dir", "FILES", "QUOTE_SEPARATOR"]

QUOTE_SEPARATOR = " … "  # joins several fragments of one source quote
_ID = re.compile(r"[a-z0-9_]+\Z")


class _Invalid(Exception):
    """A value is wrong; the reader adds the file, and the line and column unless given here."""

    def __init__(self, message: str, column: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message, self.column, self.line = message, column, line


class _Context:
    """What parsers need to know: the files read so far, the sources, the cell being read."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.indexes: dict[str, NameIndex] = {}  # kind -> records read so far
        self.seen: dict[Any, int] = {}  # per-file scratch for duplicate checks
        self.line, self.column = 1, "-"
        self.progress: Callable[[float], None] | None = None  # share of the current file read

    @cached_property
    def sources(self) -> str | None:
        """All text under sources/, files separated by NUL so no quote spans two; None: no folder."""
        folder = Path(self.data_dir, "sources")
        if not folder.is_dir():
            return None
        texts = []
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                shown = os.path.join(self.data_dir, path.relative_to(self.data_dir))  # as the user gave it
                texts.append(_decode(path.read_bytes(), shown))
        return "\0".join(texts)


# -- parsers: (cell text, context) -> value, or raise _Invalid ------------------------------------

Parser = Callable[[str, _Context], Any]


def _cached(parse: Parser) -> Parser:
    """Mark a parser whose value depends only on the text (and the files read before) and whose
    column holds few distinct texts: the reader parses each distinct text of the column once
    (each distinct quote is looked up in sources/ once, not once per row)."""
    parse.cached = True  # type: ignore[attr-defined]
    return parse


def _text(value: str, ctx: _Context) -> str:
    return value


def _ident(value: str, ctx: _Context) -> str:
    if not _ID.match(value):
        raise _Invalid(_("bad id %(value)r (expected [a-z0-9_]+)") % {"value": value})
    return value


_IDS = re.compile(r"[a-z0-9_]+(?:\n[a-z0-9_]+)*\Z")  # ids, one a line


def _idents(texts: Sequence[str], default: Any, ctx: _Context) -> list[Any] | None:
    """`_ident` of each text ("": `default`) with one match over them all, or None when one is
    not an id (the row reader then names it). Batch parsers get no text of spaces only."""
    given = [text for text in texts if text] if "" in texts else texts
    joined = "\n".join(given)
    if given and not (joined.count("\n") == len(given) - 1 and _IDS.match(joined)):
        return None
    return [text or default for text in texts] if "" in texts else list(texts)


_ident.batch = _idents  # type: ignore[attr-defined]


def _number(value: str, ctx: _Context) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # float() also reads 'nan' and 'inf'
        raise _Invalid(_("not a number: %(value)r") % {"value": value})
    return number


def _amount(value: str, ctx: _Context) -> float:
    number = _number(value, ctx)
    if number < 0:
        raise _Invalid(_("negative %(column)s: %(value)s") % {"column": ctx.column, "value": units.format_number(number)})
    return number


def _amounts(texts: Sequence[str], default: Any, ctx: _Context) -> list[float] | None:
    """`_amount` of each text (empty: `default`), or None when one is not a number ≥ 0 (or only
    spaces): the row reader then names it."""
    try:
        numbers = [float(text) if text else default for text in texts]
    except ValueError:
        return None
    given = numbers if default not in numbers else [v for v in numbers if v is not default]
    if given and not (all(map(math.isfinite, given)) and min(given) >= 0):
        return None
    return numbers


_amount.batch = _amounts  # type: ignore[attr-defined]


@_cached
def _integer(value: str, ctx: _Context) -> int:
    try:
        return int(value)
    except ValueError:
        raise _Invalid(_("not a whole number: %(value)r") % {"value": value}) from None


def _choice(*choices: str) -> Parser:
    @_cached
    def parse(value: str, ctx: _Context) -> str:
        if value not in choices:
            raise _Invalid(_("unknown %(column)s %(value)r (expected %(choices)s)") % {
                "column": ctx.column, "value": value, "choices": ", ".join(choices)})
        return value
    return parse


@_cached
def _yes_no(value: str, ctx: _Context) -> bool:
    return _choice("yes", "no")(value, ctx) == "yes"


def _list(value: str, ctx: _Context) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(";") if item.strip())


def _ref(kind: str) -> Parser:
    """An id of a record of `kind` read from an earlier file."""
    def parse(value: str, ctx: _Context) -> str:
        index = ctx.indexes[kind]
        if value not in index.by_id:
            raise _Invalid(str(UnknownNameError(kind, value, index.closest(value))))
        return value

    def batch(texts: Sequence[str], default: Any, ctx: _Context) -> list[Any] | None:
        """`parse` of each text ("": `default`) at once, or None when one is unknown."""
        given = set(texts)
        given.discard("")
        if not ctx.indexes[kind].by_id.keys() >= given:
            return None
        return [text or default for text in texts] if "" in texts else list(texts)
    parse.batch = batch  # type: ignore[attr-defined]
    return parse if kind == "firm" else _cached(parse)  # as many firms as rows: nothing to share


@_cached
def _unit(value: str, ctx: _Context) -> str:
    if value not in units.UNITS:
        raise _Invalid(_("unknown unit %(value)r") % {"value": value})
    return value


@_cached
def _ratio_unit(value: str, ctx: _Context) -> str:
    try:
        units.parse_ratio_unit(value)
    except UnitError as e:
        raise _Invalid(str(e)) from None
    return value


@_cached
def _quote(value: str, ctx: _Context) -> str:
    """A quote whose every fragment occurs verbatim under sources/ (the folder must exist).

    A cell that starts with a web address cites public material outside the dataset (a
    producer directory row): `https://… — where on the page`; it is kept as written.
    """
    if value.startswith(("http://", "https://")):
        return value
    if ctx.sources is None:
        raise _Invalid(_("quote cannot be checked: folder %(folder)s not found") % {
            "folder": os.path.join(ctx.data_dir, "sources")})
    for fragment in value.split(QUOTE_SEPARATOR):
        if fragment not in ctx.sources:
            shown = fragment if len(fragment) <= 30 else fragment[:30] + "…"
            raise _Invalid(_("quote not found in sources/: %(quote)r") % {"quote": shown})
    return value


def _steps(value: str, ctx: _Context) -> tuple[Step, ...]:
    """`label=product|product > product > ...` (data/README.md, "Steps of a chain")."""
    steps = []
    for order, text in enumerate(value.split(">"), 1):
        label, has_label, names = text.partition("=")
        if not has_label:
            label, names = "", label
        products = tuple(p.strip() for p in names.split("|") if p.strip())
        if not products:
            raise _Invalid(_("empty step %(order)s") % {"order": order})
        for product in products:
            _ref("product")(product, ctx)
        steps.append(Step(order, label.strip(), products))
    return tuple(steps)


# -- the files --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = _text
    required: bool = False
    default: Any = None  # value of an empty optional cell
    empty: str = N_("empty required field")  # message for an empty required cell (through the catalog)
    optional: bool = False  # the column itself may be absent (added after files existed)


Check = Callable[[dict[str, Any], _Context], None]  # cross-column checks on one parsed row
Finish = Callable[[list[Any], _Context], None]  # checks on the whole file


@dataclass(frozen=True)
class FileSpec:
    file: str  # also the Dataset field holding the records
    kind: str  # singular, for messages and NameIndex
    model: type
    columns: tuple[Column, ...]
    key: str | None = "id"  # column whose values must be unique
    check: Check | None = None
    # `check` over a batch of rows, column by column, filling the same values: False when any row
    # needs `check` itself (reading the batch row by row then names its first problem)
    batch_check: Callable[[dict[str, list[Any]], _Context], bool] | None = None
    finish: Finish | None = None
    optional: bool = False  # the file may be absent: no records


def _field(column: str) -> str:
    return column + "_" if keyword.iskeyword(column) else column


def _check_conversion(row: dict[str, Any], ctx: _Context) -> None:
    if units.base_of(row["from_unit"]) == units.base_of(row["to_unit"]):
        raise _Invalid(_("%(from)r and %(to)r need no conversion") % {"from": row["from_unit"], "to": row["to_unit"]},
                       "to_unit")
    _check_range(row, "factor", "factor_min", "factor_max")


def _check_range(row: dict[str, Any], value: str, low: str, high: str) -> None:
    """`low` ≤ `value` ≤ `high` where given (optional range columns)."""
    if row.get(low) is None and row.get(high) is None:
        return
    given = [(c, row.get(c)) for c in (low, value, high) if row.get(c) is not None]
    for (a, x), (b, y) in zip(given, given[1:]):
        if x > y:
            raise _Invalid(f"{a} {units.format_number(x)} > {b} {units.format_number(y)}", a)


def _check_capacity(row: dict[str, Any], ctx: _Context) -> None:
    unit, capacity = row["unit"], row["capacity"]
    if unit is None and (capacity is not None or row.get("capacity_min") is not None
                         or row.get("capacity_max") is not None):
        raise _Invalid(_("empty unit (required with a capacity)"), "unit")
    _check_range(row, "capacity", "capacity_min", "capacity_max")
    if row["region"] is None:
        if row["firm"] is None:
            raise _Invalid(_("empty region (required when firm is empty)"), "region")
        row["region"] = ctx.indexes["firm"].region(row["firm"])
    row["base_unit"] = units.UNITS[unit][0] if unit else None
    row["capacity_base"] = _to_base(capacity, unit) if capacity is not None else None


def _check_capacities(columns: dict[str, list[Any]], ctx: _Context) -> bool:
    """`_check_capacity` on a batch of rows, column by column: True when every row passes, with
    `region`, `base_unit` and `capacity_base` filled as it fills them; False when a row needs
    `_check_capacity` itself (a unit missing, a range given, a row without firm and region)."""
    unit, capacity, region = columns["unit"], columns["capacity"], columns["region"]
    if None in unit and any(u is None and c is not None for u, c in zip(unit, capacity)):
        return False
    n = len(unit)
    if columns["capacity_min"].count(None) != n or columns["capacity_max"].count(None) != n:
        return False
    if None in region:
        if any(r is None and f is None for r, f in zip(region, columns["firm"])):
            return False
        firm_regions = ctx.indexes["firm"].regions(columns["firm"])
        columns["region"] = [f if r is None else r for r, f in zip(region, firm_regions)]
    columns["base_unit"] = [None if u is None else units.UNITS[u][0] for u in unit]
    columns["capacity_base"] = _to_base_all(capacity, unit)
    return True


def _to_base_all(values: list[float | None], unit: list[str | None]) -> list[float | None]:
    """`_to_base` of each value (None stays None), in one pass of string arithmetic where it can."""
    if _SUFFIX.keys() >= set(unit) - {None}:
        texts = [None if v is None else repr(v) for v in values]
        if "e" not in "".join(filter(None, texts)):  # no exponent to add the shift to: append one
            return [None if text is None else float(text + _SUFFIX[u]) for text, u in zip(texts, unit)]
    return [None if v is None else _to_base(v, u) for v, u in zip(values, unit)]


def _to_base(value: float, unit: str) -> float:
    """`units.to_base(value, unit)[0]`, the same float, without decimal arithmetic for the units
    whose factor is a power of ten (all of them today): value × 10^k written as a decimal is
    exact, and `float` of that text rounds it once, as `float(Decimal)` does."""
    shift = _SHIFTS.get(unit)
    if shift is None:
        return units.to_base(value, unit)[0]
    if shift == 0:
        return value
    mantissa, _e, exponent = repr(value).partition("e")
    return float(f"{mantissa}e{int(exponent or 0) + shift}")


def _power_of_ten(factor: float) -> int | None:
    """k when `factor` is 10^k as the decimal its repr spells (what units._scale multiplies by)."""
    sign, digits, exponent = Decimal(repr(factor)).normalize().as_tuple()
    return exponent if not sign and digits == (1,) and isinstance(exponent, int) else None


_SHIFTS = {unit: k for unit, (_base, factor) in units.UNITS.items() if (k := _power_of_ten(factor)) is not None}
_SUFFIX = {unit: f"e{k}" for unit, k in _SHIFTS.items()}  # float(repr(v) + "e0") == v


def _check_target(row: dict[str, Any], ctx: _Context) -> None:
    if row["bound"] == "range" and row["value_max"] is None:
        raise _Invalid(_("empty value_max (required with bound 'range')"), "value_max")
    if row["value_max"] is not None and row["value_max"] < row["value"]:
        raise _Invalid(f"value_max {units.format_number(row['value_max'])} < value "
                       f"{units.format_number(row['value'])}", "value_max")


def _check_link(row: dict[str, Any], ctx: _Context) -> None:
    ratio, low, high = row["ratio"], row["ratio_min"], row["ratio_max"]
    if (ratio, low, high) != (None, None, None) and row["ratio_unit"] is None:
        raise _Invalid(_("empty ratio_unit (required with a ratio)"), "ratio_unit")
    if low is not None and high is not None and low > high:
        raise _Invalid(f"ratio_min {units.format_number(low)} > ratio_max {units.format_number(high)}",
                       "ratio_min")
    if row["from_"] == row["to"]:
        raise _Invalid(_("link from %(product)s to itself") % {"product": row["to"]}, "to")
    # one edge per pair: the product graph is a DiGraph, and FEEDS + YIELDS on a pair is a contradiction
    pair = (row["from_"], row["to"])
    if pair in ctx.seen:
        raise _Invalid(_("duplicate link %(from)s -> %(to)s (first on line %(line)s)") % {
            "from": pair[0], "to": pair[1], "line": ctx.seen[pair]}, "to")
    ctx.seen[pair] = ctx.line


def _check_cycles(rows: list[Link], ctx: _Context) -> None:
    """A cycle of FEEDS links is allowed only when every link of it is marked `recycle=yes`.

    A FEEDS link that is not so marked and lies on any cycle (both ends in one strongly connected
    component) is reported with one cycle through it, at its line.
    """
    succ: dict[str, list[str]] = {}
    for link in rows:
        if link.type == "FEEDS":
            succ.setdefault(link.from_, []).append(link.to)
    component = _components(succ)
    for link in rows:
        if (link.type == "FEEDS" and not link.recycle and link.from_ in component
                and component[link.from_] == component.get(link.to)):
            cycle = [link.from_, *_path(succ, link.to, link.from_)]
            raise _Invalid(_("cycle of FEEDS links: %(cycle)s (allowed only when every link of it is a recycle "
                             "loop, marked recycle=yes)") % {"cycle": " -> ".join(cycle)}, "to", link.line)


def _components(succ: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    count = 0
    for root in list(succ):
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(succ.get(child, ()))))
                elif child not in component:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    component[member] = count
                    if member == node:
                        break
                count += 1
    return component


def _path(succ: dict[str, list[str]], start: str, end: str) -> list[str]:
    """A shortest path start -> ... -> end (breadth first); the caller knows there is one."""
    previous: dict[str, str | None] = {start: None}
    todo = [start]
    for node in todo:
        if node == end:
            break
        for child in succ.get(node, ()):
            if child not in previous:
                previous[child] = node
                todo.append(child)
    path, node = [], end
    while node is not None:
        path.append(node)
        node = previous[node]
    return path[::-1]


def _check_parents(kind: str) -> Finish:
    """Every parent exists and no record is its own ancestor (queries walk up without a guard)."""
    def finish(rows: list[Any] | TableBuilder, ctx: _Context) -> None:
        if isinstance(rows, TableBuilder):
            table = rows.table()
            parents, id_of, line_of = table.column("parent"), table.getter("id"), table.getter("line")
        else:
            parents = [row.parent for row in rows]
            id_of, line_of = (lambda i: rows[i].id), (lambda i: rows[i].line)
        parented = [(i, parent) for i, parent in enumerate(parents) if parent is not None]
        for i, parent in parented:
            if parent not in ctx.seen:  # the file's ids (its duplicate check)
                message = str(UnknownNameError(kind, parent, ctx.indexes[kind].closest(parent)))
                raise _Invalid(message, "parent", line_of(i))
        parent_of = {id_of(i): parent for i, parent in parented}
        for i, parent in parented:
            row_id = id_of(i)
            path = [row_id]
            while parent is not None and parent not in path[1:]:  # stop at a cycle above this row
                path.append(parent)
                if parent == row_id:
                    raise _Invalid(_("parent cycle: %(cycle)s") % {"cycle": " -> ".join(path)}, "parent", line_of(i))
                parent = parent_of.get(parent)
    return finish


def _check_regions(rows: list[Region], ctx: _Context) -> None:
    homes = [r for r in rows if r.home]
    if not homes:
        raise _Invalid(_("no home region (expected home=yes on exactly one row)"), "home", 1)
    if len(homes) > 1:
        raise _Invalid(_("more than one home region (first on line %(line)s)") % {"line": homes[0].line}, "home",
                       homes[1].line)
    _check_parents("region")(rows, ctx)


def _check_names(kind: str) -> Finish:
    """Each name (id, name_zh, name_en, alias) belongs to one record, so every command can take it."""
    def finish(rows: list[Any], ctx: _Context) -> None:
        owner: dict[str, tuple[str, int]] = {}
        for row in rows:
            for column in ("id", "name_zh", "name_en", "aliases"):
                value = getattr(row, column, None)
                for name in (value,) if isinstance(value, str) else value or ():
                    first_id, first_line = owner.setdefault(name_key(name), (row.id, row.line))
                    if first_id != row.id:
                        raise _Invalid(_("name %(name)r also names %(kind)s %(id)r (line %(line)s)") % {
                            "name": name, "kind": pgettext("kind", kind), "id": first_id, "line": first_line},
                                       column, row.line)
    return finish


# -- the producer directory (directory.csv): firms elsewhere and what they make, with provenance --

@dataclass(frozen=True)
class DirectoryRow:
    """One firm × product row of directory.csv; the loader turns the rows into Firm and Capacity
    records, so the backends and queries see the directory as firms making products."""

    firm: str
    name_zh: str | None
    name_en: str | None
    aliases: tuple[str, ...]
    region: str
    province: str | None
    country: str
    product: str
    route: str | None
    feed: tuple[str, ...]
    capacity: float | None
    unit: str | None
    status: str
    year: int
    project: str | None
    publisher: str
    source_kind: str
    url: str
    where: str
    mirror_of: str | None
    note: str | None
    line: int = 0


_FIRM_COLUMNS = ("name_zh", "name_en", "aliases")  # given on a firm's first row; later rows: empty or equal


def _url(value: str, ctx: _Context) -> str:
    """A web address of the publisher's page (never a bare IP address)."""
    scheme, _sep, rest = value.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("[") and "]" in host:  # an IPv6 literal, perhaps with a port
        host = host[1:host.index("]")]
    elif host.count(":") == 1:  # drop a port
        host = host.rsplit(":", 1)[0]
    if scheme not in ("http", "https") or not host or " " in value:
        raise _Invalid(_("not a web address: %(value)r") % {"value": value})
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return value
    raise _Invalid(_("bare IP address %(host)r: cite the publisher's named site") % {"host": host})


def _region_of_level(level: str) -> Parser:
    @_cached
    def parse(value: str, ctx: _Context) -> str:
        _ref("region")(value, ctx)
        actual = ctx.indexes["region"].by_id[value].level
        if actual != level:
            raise _Invalid(_("%(column)s %(value)r is a %(actual)s, not a %(level)s") % {
                "column": ctx.column, "value": value, "actual": actual, "level": level})
        return value
    return parse


@_cached
def _year(value: str, ctx: _Context) -> int:
    year = _integer(value, ctx)
    if not 1900 <= year <= 2100:
        raise _Invalid(_("implausible year %(year)s") % {"year": year})
    return year


def _feed(value: str, ctx: _Context) -> tuple[str, ...]:
    items = _list(value, ctx)
    for item in items:
        _ref("product")(item, ctx)
    return items


def _check_directory(row: dict[str, Any], ctx: _Context) -> None:
    if row["capacity"] is not None and row["unit"] is None:
        raise _Invalid(_("empty unit (required with a capacity)"), "unit")
    if row["feed"] and row["route"] is None:
        raise _Invalid(_("empty route (required with a feed)"), "route")
    regions = ctx.indexes["region"].by_id
    above, region = [], row["region"]
    while region is not None and region not in above:
        above.append(region)
        region = regions[region].parent
    if row["country"] not in above:
        raise _Invalid(_("region %(region)r is not in country %(country)r") % {
            "region": row["region"], "country": row["country"]}, "country")
    province = next((r for r in above if regions[r].level == "province"), None)
    if row["province"] != province:
        wanted = f"{province!r}" if province else _("empty (the region is in no province)")
        raise _Invalid(_("province %(province)r does not match region %(region)r: expected %(wanted)s") % {
            "province": row["province"] or "", "region": row["region"], "wanted": wanted}, "province")
    firm = row["firm"]
    if firm in ctx.indexes["firm"].by_id:
        raise _Invalid(_("firm %(firm)r is already in firms.csv (line %(line)s); the directory lists firms of its "
                         "own") % {"firm": firm, "line": ctx.indexes["firm"].line(firm)}, "firm")
    first = ctx.seen.setdefault(("firm", firm), (ctx.line, {c: row[c] for c in _FIRM_COLUMNS}))
    if first[0] == ctx.line:
        if row["name_zh"] is None:
            raise _Invalid(_("empty name_zh (required on a firm's first row)"), "name_zh")
        return
    for column in _FIRM_COLUMNS:
        if row[column] not in (None, (), first[1][column]):
            raise _Invalid(_("%(column)s differs from the firm's first row (line %(line)s)") % {
                "column": column, "line": first[0]}, column)


def _directory_records(rows: tuple[DirectoryRow, ...], firm_lines: int,
                       capacity_lines: int) -> tuple[list[Firm], list[Capacity]]:
    """Firm records (from each firm's first row) and Capacity records of the directory.

    A record's `line` orders records and tells them apart in a store; the directory's records get
    their directory.csv line plus the last line of firms.csv (`firm_lines`) or capacities.csv
    (`capacity_lines`), so they come after those files' records and never share a line with them.
    """
    firms: dict[str, Firm] = {}
    capacities = []
    for row in rows:
        source = f"{row.url} — {row.where}" + (f" (mirror of: {row.mirror_of})" if row.mirror_of else "")
        if row.firm not in firms:
            firms[row.firm] = Firm(id=row.firm, name_zh=row.name_zh or "", name_en=row.name_en,
                                   aliases=row.aliases, region=row.region, parent=None, kind="firm",
                                   home=None, source=source, note=None, line=firm_lines + row.line)
        base = units.to_base(row.capacity, row.unit)[0] if row.capacity is not None else None
        capacities.append(Capacity(
            firm=row.firm, region=row.region, product=row.product, capacity=row.capacity, unit=row.unit,
            status=row.status, year=row.year, project=row.project, source=source, note=row.note,
            capacity_base=base, base_unit=units.base_of(row.unit) if row.unit else None,
            route=row.route, feed=row.feed, source_kind=row.source_kind, publisher=row.publisher,
            line=capacity_lines + row.line))
    return list(firms.values()), capacities


_SOURCE = Column("source", _quote, required=True)

FILES: tuple[FileSpec, ...] = (
    FileSpec("regions", "region", Region, (
        Column("id", _ident, True), Column("name_zh", required=True), Column("name_en"),
        Column("level", _choice(*LEVELS), True), Column("parent", _ident),
        Column("home", _yes_no, default=False), Column("note"),
    ), finish=_check_regions),
    FileSpec("products", "product", Product, (
        Column("id", _ident, True), Column("name_zh", required=True), Column("name_en", required=True),
        Column("aliases", _list, default=()), Column("sector", required=True),
        Column("unit", _unit, True), Column("note"),
    ), finish=_check_names("product")),
    FileSpec("firms", "firm", Firm, (
        Column("id", _ident, True), Column("name_zh", required=True), Column("name_en"),
        Column("aliases", _list, default=()), Column("region", _ref("region"), True),
        Column("parent", _ident), Column("kind", _choice(*KINDS), default="firm"), Column("home"),
        _SOURCE, Column("note"),
    ), finish=_check_parents("firm")),
    FileSpec("chains", "chain", Chain, (
        Column("id", _ident, True), Column("name_zh", required=True), Column("name_en"),
        Column("sector", required=True), Column("steps", _steps, True, empty=N_("empty chain")),
        Column("written", _yes_no, True), _SOURCE, Column("note"),
    ), finish=_check_names("chain")),
    FileSpec("capacities", "capacity", Capacity, (
        Column("firm", _ref("firm")), Column("region", _ref("region")),
        Column("product", _ref("product"), True), Column("capacity", _amount), Column("unit", _unit),
        Column("status", _choice(*STATUSES), True), Column("year", _integer), Column("project"),
        _SOURCE, Column("note"), Column("capacity_min", _amount, optional=True),
        Column("capacity_max", _amount, optional=True),
    ), key=None, check=_check_capacity, batch_check=_check_capacities),
    FileSpec("targets", "target", Target, (
        Column("id", _ident, True), Column("region", _ref("region"), True),
        Column("product", _ref("product")), Column("metric", required=True),
        Column("subject", required=True), Column("value", _number, True),
        Column("value_max", _number), Column("unit", _unit, True),
        Column("bound", _choice(*BOUNDS), True), Column("year", _integer), _SOURCE, Column("note"),
    ), check=_check_target),
    FileSpec("links", "link", Link, (
        Column("type", _choice(*LINK_TYPES), True), Column("from", _ref("product"), True),
        Column("to", _ref("product"), True), Column("ratio", _amount), Column("ratio_min", _amount),
        Column("ratio_max", _amount), Column("ratio_unit", _ratio_unit),
        Column("estimate", _yes_no, default=False), Column("ratio_source", _quote), _SOURCE,
        Column("note"), Column("includes", _ref("product"), optional=True),
        Column("alternative", _yes_no, default=False, optional=True),
        Column("recycle", _yes_no, default=False, optional=True),
        Column("source_kind", _choice(*SOURCE_KINDS), optional=True),
    ), key=None, check=_check_link, finish=_check_cycles),
    FileSpec("conversions", "conversion", Conversion, (
        Column("product", _ref("product"), True), Column("from_unit", _unit, True),
        Column("to_unit", _unit, True), Column("factor", _amount, True),
        Column("estimate", _yes_no, default=False), _SOURCE, Column("note"),
        Column("factor_min", _amount, optional=True), Column("factor_max", _amount, optional=True),
    ), key="product", check=_check_conversion, optional=True),
    FileSpec("directory", "directory row", DirectoryRow, (
        Column("firm", _ident, True), Column("name_zh"), Column("name_en"), Column("aliases", _list, default=()),
        Column("region", _ref("region"), True), Column("province", _region_of_level("province")),
        Column("country", _region_of_level("country"), True), Column("product", _ref("product"), True),
        Column("route"), Column("feed", _feed, default=()), Column("capacity", _amount), Column("unit", _unit),
        Column("status", _choice(*STATUSES), True), Column("year", _year, True, empty=N_("empty year (the year the figure held)")),
        Column("project"), Column("publisher", required=True),
        Column("source_kind", _choice(*DIRECTORY_SOURCE_KINDS), True,
               empty=N_("empty source_kind (expected one of %(choices)s)")),
        Column("url", _url, True), Column("where", required=True), Column("mirror_of"), Column("note"),
    ), key=None, check=_check_directory, optional=True),
)


# -- reading --------------------------------------------------------------------------------------

PROGRESS_ROWS = 5000  # records between two progress reports


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


RESAVE = N_('re-save it in Excel as "CSV UTF-8 (逗号分隔)"')


def _decode(data: bytes, path: str) -> str:
    """UTF-8 (a byte-order mark, as Excel writes, is allowed), else GB18030: what Excel writes
    for "CSV (逗号分隔)" on a Chinese Windows (GB18030 contains GBK and GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        first_bad = e.start  # where the file stops being UTF-8: the line to show
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, first_bad) + 1
        raise DataError(path, line, "-", _("neither UTF-8 nor GB18030 text; %(fix)s") % {"fix": _(RESAVE)}) from None


def _unterminated(text: str, start: int, header: list[str], at_end: bool) -> tuple[int, str] | None:
    """(line, column) of the quote left open in the record that starts at line `start`, or None.

    At the end of the file (`at_end`) it is the quote still open there. Otherwise the reader
    stopped at text after a closing quote; when a quoted field of the record runs over a line
    end, that field most likely lost its closing quote and ran on to the next quote: the first
    such field is the one.
    """
    pos = 0
    for _skipped in range(start - 1):
        pos = text.index("\n", pos) + 1
    record_start, opened, culprit = pos, None, None
    while (i := text.find('"', pos)) >= 0:
        if opened is None:
            opened, pos = i, i + 1
        elif text.startswith('""', i):  # an escaped quote inside the quoted field
            pos = i + 2
        else:
            if not at_end and "\n" in text[opened:i]:
                culprit = opened
                break
            opened, pos = None, i + 1
    if at_end:
        culprit = opened
    if culprit is None:
        return None
    field = _count_outside_quotes(text, record_start, culprit, ",")
    column = header[field] if field < len(header) else "-"
    return text.count("\n", 0, culprit) + 1, column


def _count_outside_quotes(text: str, start: int, end: int, char: str) -> int:
    count, inside = 0, False
    for ch in text[start:end]:
        if ch == '"':
            inside = not inside  # an escaped "" toggles twice
        elif ch == char and not inside:
            count += 1
    return count


def _encoding(path: str) -> tuple[str, int]:
    """The encoding the file is read in and its number of lines, found by decoding it once in
    blocks, keeping no text: UTF-8 (perhaps with a byte-order mark), else GB18030 (`_decode`)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        newlines, blank = 0, True
        try:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    newlines += block.count(b"\n")  # never a byte of a character in either encoding
                    text = decoder.decode(block)
                    if blank and text and not text.isspace():
                        blank = False
                text = decoder.decode(b"", final=True)
        except FileNotFoundError:
            raise DataError(path, 1, "-", _("file not found")) from None
        except OSError as e:
            raise DataError(path, 1, "-", _("cannot read: %(why)s") % {"why": e.strerror}) from None
        except UnicodeDecodeError:
            continue
        if blank and not (text and not text.isspace()):
            raise DataError(path, 1, "-", _("empty file"))
        return encoding, newlines + 1
    _decode(Path(path).read_bytes(), path)  # neither: raises, naming the line where UTF-8 stops
    raise AssertionError("unreachable")


def _read_csv(path: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """The header, the (physical line of the record's start, cells) of each non-empty record, and
    the number of lines. The file is read as it is parsed, never whole."""
    encoding, lines = _encoding(path)
    file = open(path, encoding=encoding, newline="")
    # strict: a quote left open is an error rather than a field running to the end of the file
    reader = csv.reader(file, strict=True)
    header: list[str] = []

    def fail(e: csv.Error, line: int) -> DataError:
        file.close()
        text = _decode(Path(path).read_bytes(), path)  # only now: where the quote opened
        found = _unterminated(text, line, header, at_end="unexpected end of data" in str(e))
        if found:
            return DataError(*(path, *found), "unterminated quote: a quoted field opened here never closes")
        return DataError(path, line, "-", _("bad CSV: %(why)s") % {"why": e})

    try:
        header = next(reader)
    except csv.Error as e:
        raise fail(e, 1) from None

    def records() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        try:
            with file:
                for cells in reader:
                    # skip blank lines and rows of bare commas
                    if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                        yield line, cells
                    line = reader.line_num + 1
        except csv.Error as e:
            raise fail(e, line) from None

    return header, records(), lines


def _check_header(spec: FileSpec, header: list[str], path: str) -> None:
    names = [c.name for c in spec.columns]
    for name in (c.name for c in spec.columns if not c.optional):
        if name not in header:
            raise DataError(path, 1, name, _("missing column %(name)r") % {"name": name})
    for i, name in enumerate(header):
        if name not in names:
            raise DataError(path, 1, name, _("unknown column %(name)r") % {"name": name})
        if name in header[:i]:
            raise DataError(path, 1, name, _("duplicate column %(name)r") % {"name": name})


def _cache(column: Column) -> dict[str, Any] | None:
    """Where the reader keeps a `_cached` parser's values by text; an empty cell of an optional
    column reads as its default."""
    if not getattr(column.parse, "cached", False):
        return None
    return {} if column.required else {"": column.default}


class _Ids:
    """What later files ask about the records of a file read into columns (firms.csv): whether an
    id exists, a record's region and line, close names for a message; no record per row."""

    def __init__(self, kind: str, rows: dict[str, int], table: TableBuilder):
        self.kind, self.by_id, self._table = kind, rows, table.table()  # by_id: id -> row number
        self._region, self._line = self._table.getter("region"), self._table.getter("line")
        self._regions: list[str | None] | None = None  # every record's, when asked for many

    def region(self, record_id: str) -> str:
        return self._region(self.by_id[record_id])

    def regions(self, record_ids: Sequence[str | None]) -> list[str | None]:
        """The region of each id (None: None), at once."""
        if self._regions is None:
            self._regions = [*self._table.column("region"), None]
        return list(map(self._regions.__getitem__, map(self.by_id.get, record_ids, itertools.repeat(-1))))

    def line(self, record_id: str) -> int:
        return self._line(self.by_id[record_id])

    def closest(self, name: str) -> list[str]:  # for a message: the one time every record is built
        return NameIndex(self.kind, self._table.all()).closest(name)


BATCH = 4096  # rows a table's reader validates column by column at once


def _load_file(spec: FileSpec, ctx: _Context, table: TableBuilder | None = None) -> tuple[Any, ...]:
    """The records of one file, or () when `table` is given: the rows then go into it as columns.

    Each column's parser is looked up once per file; a parser marked `_cached` runs once per
    distinct text of its column. Into a table, rows are read in batches: a batch is validated
    column by column (`_batch_columns`) when every cell is one the reader has seen the like of
    before, else row by row, so that the first bad cell is found, and named, as always.
    """
    path = os.path.join(ctx.data_dir, spec.file + ".csv")
    if spec.optional and not os.path.exists(path):
        return ()
    header, records, lines = _read_csv(path)
    _check_header(spec, header, path)
    position = {name: i for i, name in enumerate(header)}
    # per column present: (field, position, parser (None: the text itself), cache of parsed texts or None, column)
    plan = [(_field(c.name), position[c.name], None if c.parse is _text else c.parse, _cache(c), c)
            for c in spec.columns if c.name in position]
    # a row starts with the values of the columns the file leaves out (and, into a table, every field)
    absent = {**(table.defaults if table is not None else {}),
              **{_field(c.name): c.default for c in spec.columns if c.name not in position}}
    last, width, missing = spec.columns[-1].name, len(header), object()
    key, check, progress = spec.key, spec.check, ctx.progress
    ctx.seen = seen = {}  # key -> its row number
    row_lines = array("q")  # the line of each row

    def read(line: int, cells: list[str]) -> dict[str, Any]:
        """The values of one row (raises _Invalid at its first bad cell)."""
        ctx.line, ctx.column = line, "-"
        row_lines.append(line)
        if len(cells) != width:
            raise _Invalid(_("%(found)s fields, expected %(expected)s") % {"found": len(cells), "expected": width})
        values = absent.copy()
        for field, at, parse, cache, column in plan:
            text = cells[at]
            if cache is not None:
                value = cache.get(text, missing)
                if value is not missing:
                    values[field] = value
                    continue
            if not text or text.isspace():  # as `not text.strip()`
                if column.required:
                    ctx.column = column.name
                    raise _Invalid(_(column.empty) % {"choices": ", ".join(DIRECTORY_SOURCE_KINDS)}
                                   if "%(choices)s" in column.empty else _(column.empty))
                values[field] = column.default
            elif parse is None:
                values[field] = text
            else:
                ctx.column = column.name
                values[field] = value = parse(text, ctx)
                if cache is not None:
                    cache[text] = value
        ctx.column = last
        if key:
            ctx.column, value = key, values[key]
            if value in seen:
                raise _Invalid(_("duplicate id %(id)r (first on line %(line)s)") % {
                    "id": value, "line": row_lines[seen[value]]})
            seen[value] = len(row_lines) - 1
        if check:
            check(values, ctx)
        return values

    rows: list[Any] = []
    try:
        if table is None:
            for line, cells in records:
                if progress and len(row_lines) % PROGRESS_ROWS == 0:
                    progress(line / lines)
                rows.append(spec.model(**read(line, cells), line=line))
        else:
            while batch := list(itertools.islice(records, BATCH)):
                if progress:
                    progress(batch[0][0] / lines)
                columns = _batch_columns(spec, batch, plan, absent, width, seen, ctx)
                if columns is None:
                    for line, cells in batch:
                        values = read(line, cells)
                        values["line"] = line
                        table.append(values)
                    continue
                first = len(row_lines)
                row_lines.extend(columns["line"])
                if key:
                    seen.update(zip(columns[key], range(first, len(row_lines))))
                table.extend(columns, len(batch))
        if hasattr(spec.model, "names"):
            ctx.indexes[spec.kind] = NameIndex(spec.kind, rows) if table is None else _Ids(spec.kind, seen, table)
        if spec.finish:
            spec.finish(rows if table is None else table, ctx)
    except _Invalid as e:
        raise DataError(path, e.line or ctx.line, e.column or ctx.column, e.message) from None
    return tuple(rows)


def _batch_columns(spec: FileSpec, batch: list[tuple[int, list[str]]], plan: list, absent: dict[str, Any],
                   width: int, seen: dict[Any, int], ctx: _Context) -> dict[str, Sequence[Any]] | None:
    """The values of a batch of rows, column by column (as the row reader gives them, and `line`),
    or None when a row needs the row reader: a text its column's cache has not seen, an empty
    cell where a value is required, anything a parser or check rejects, a duplicate key. The
    batch is then read again row by row, which names the first problem. Nothing is changed here."""
    if spec.check and not spec.batch_check:
        return None
    rows = [cells for _, cells in batch]
    if set(map(len, rows)) != {width}:
        return None
    texts = list(zip(*rows))
    n = len(rows)
    columns: dict[str, Sequence[Any]] = {field: [value] * n for field, value in absent.items()}
    for field, at, parse, cache, column in plan:
        cells = texts[at]
        if cache is not None:
            try:
                columns[field] = list(map(cache.__getitem__, cells))  # an empty optional cell is cached too
            except KeyError:  # texts not seen before: parse each once, as the row reader would
                for text in set(cells).difference(cache):
                    if not text or text.isspace():
                        return None
                    ctx.column = column.name
                    try:
                        cache[text] = parse(text, ctx)
                    except _Invalid:
                        return None
                columns[field] = list(map(cache.__getitem__, cells))
            continue
        empty, spaces = "" in cells, any(map(str.isspace, cells))
        blank = empty or spaces
        if blank and column.required:
            return None
        try:
            if parse is None:
                columns[field] = [text or column.default for text in cells] if empty else cells
                if spaces:
                    columns[field] = [text if text and not text.isspace() else column.default for text in cells]
            elif hasattr(parse, "batch") and not spaces:
                columns[field] = parse.batch(cells, column.default, ctx)
                if columns[field] is None:
                    return None
            elif blank:
                columns[field] = [parse(text, ctx) if text and not text.isspace() else column.default
                                  for text in cells]
            else:
                columns[field] = [parse(text, ctx) for text in cells]
        except _Invalid:
            return None
    if spec.key:
        keys = columns[_field(spec.key)]
        if len(set(keys)) != n or not seen.keys().isdisjoint(keys):
            return None
    if spec.batch_check and not spec.batch_check(columns, ctx):
        return None
    columns["line"] = [line for line, _ in batch]
    return columns


def read_store(data_dir: str | os.PathLike[str] | None = None, *,
               progress: Callable[[int, int], None] | None = None) -> Store:
    """Read and validate every file of a dataset folder (default: `default_data_dir()`) into its
    compiled form (graph/store.py): the large files (firms, capacities) straight into columns,
    a row at a time, with no record per row; the others as records.

    Raises DataError at the first problem, naming the file as `data_dir` joined with its name.
    `progress(done, total)`, when given, is called as the files are read, in bytes (within a
    file, estimated from the line reached).
    """
    data_dir = os.fspath(default_data_dir() if data_dir is None else data_dir)
    check_data_dir(data_dir)
    collecting = gc.isenabled()
    gc.disable()  # the reader makes many objects and frees few: the collector would only rescan them
    try:
        return _read_store(data_dir, progress)
    finally:
        if collecting:
            gc.enable()


def _read_store(data_dir: str, progress: Callable[[int, int], None] | None) -> Store:
    ctx = _Context(data_dir)
    sizes = {spec.file: _size(os.path.join(data_dir, spec.file + ".csv")) for spec in FILES}
    total, done = sum(sizes.values()), 0
    firm_rows: dict[str, int] = {}
    columns = {"firms": TableBuilder(Firm), "capacities": TableBuilder(Capacity, refs={"firm": firm_rows})}
    tables: dict[str, Any] = {}
    for spec in FILES:
        if progress:
            def within(fraction: float, before: int = done, size: int = sizes[spec.file]) -> None:
                progress(before + int(size * fraction), total)
            ctx.progress = within
        tables[spec.file] = _load_file(spec, ctx, columns.get(spec.file))
        if spec.file == "firms":
            firm_rows.update(ctx.seen)  # id -> row number: what the capacities' firm column holds
        done += sizes[spec.file]
        if progress:
            progress(done, total)
    # the process coefficient library fills in what the dataset's own links and conversions leave out
    tables["links"], tables["conversions"] = apply_library(tables["links"], tables["conversions"],
                                                           conversion_type=Conversion,
                                                           products={p.id for p in tables["products"]})
    firms, capacities = columns["firms"], columns["capacities"]
    last_line = {name: table.table().getter("line")(len(table) - 1) if len(table) else 0
                 for name, table in columns.items()}
    directory_firms, directory_capacities = _directory_records(tables.pop("directory"), last_line["firms"],
                                                               last_line["capacities"])
    for firm in directory_firms:
        firm_rows[firm.id] = len(firms)
        firms.append_record(firm)
    for capacity in directory_capacities:
        capacities.append_record(capacity)
    home = next(r.id for r in tables["regions"] if r.home)
    built = {name: Table.encode(_MODELS[name], records) for name, records in tables.items() if name not in columns}
    built["firms"] = firms.table(narrow=True)
    built["capacities"] = capacities.table(refs={"firm": built["firms"]}, narrow=True)
    return Store.from_tables(data_dir, home, built)


_MODELS = {spec.file: spec.model for spec in FILES} | {"links": Link, "conversions": Conversion}


def load_dataset(data_dir: str | os.PathLike[str] | None = None, *,
                 progress: Callable[[int, int], None] | None = None) -> Dataset:
    """Read and validate every file of a dataset folder (default: `default_data_dir()`): every
    record, as a `Dataset` (`read_store`, then each record built).

    Raises DataError at the first problem, naming the file as `data_dir` joined with its name.
    `progress(done, total)`, when given, is called as the files are read, in bytes (within a
    file, estimated from the line reached).

    Examples
    --------
    >>> ds = load_dataset()
    >>> ds.home_region in {r.id for r in ds.regions}
    True
    """
    return read_store(data_dir, progress=progress).dataset()
