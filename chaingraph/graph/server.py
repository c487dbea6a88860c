"""A graph server behind the Backend interface, spoken to in Cypher (cypher.py), and its load.

`CypherBackend` answers every Backend method with a query on the server (the aggregations too:
`capacity_statuses`, `capacities_by_product`, `producers_outside`); a subclass only
connects and runs one query (`run`). Records come back as the model's dataclasses, in file order
(every node and relationship keeps its row's `line`), so queries get the same objects as from
the memory backend.

A load is atomic: it writes the whole dataset under a new load id next to the graph in use,
then makes it current in one statement, then deletes older loads. A load that stops half-way
(server gone, process killed) leaves the previous load current; the next load that succeeds
deletes what it left.
"""
from __future__ import annotations

import gc
import json
import math
from array import array
import queue
import threading
import time
import uuid
import weakref
import itertools
from itertools import islice
import operator
from operator import attrgetter, itemgetter
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import MISSING, fields
from functools import cache, cached_property, reduce
from typing import TYPE_CHECKING, Any

from ..errors import ChaingraphError
from . import cypher
from .backend import TALLIED as TALLY_COLUMNS, Backend, FirmTally, RowsTally, firm_tally, pick, tally_rows
from ..errors import AmbiguousNameError, UnknownNameError
from ..names import NameIndex, label as name_label, name_key
from .model import (
    STATUSES, SUPPLYING, Capacity, CapacitySums, Chain, Conversion, Dataset, Firm, Link, Product, Region, Step, Target,
    product_statuses, sum_rows, unlisted,
)

if TYPE_CHECKING:
    import networkx as nx

    from .store import Store

__all__ = ["CypherBackend", "ServerError", "load_batches", "reason"]

BATCH = 5000  # rows per UNWIND statement
SUMMED_FROM = 20_000  # capacity rows of its own from which a region's rows are also summed (Supply nodes)
DELETE_SLICE = 5000  # relationships per delete statement when old loads are removed
DELETE_NODES = 2000  # nodes per delete statement
PICKED_AT_ONCE = 8  # regions of fewer than SUMMED_FROM rows each whose rows one statement sorts (`_slices`)
CLOSEST_FROM_ALL = 20_000  # up to this many firms, suggestions for an unknown name weigh every firm


class ServerError(ChaingraphError):
    """The server is down, refused the login, or failed a statement."""


def reason(error: BaseException) -> str:
    """A driver's connection error in a few words (drivers write whole paragraphs)."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    from ..i18n import gettext as _
    if "refused" in lowered:
        return _("connection refused")
    if "timeout" in lowered or "timed out" in lowered:
        return _("timed out")
    if "closed" in lowered or "reset" in lowered or "defunct" in lowered:
        return _("connection closed")
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return _("unknown host")
    return text or type(error).__name__


def _record(cls: type, props: dict[str, Any], **given: Any) -> Any:
    """Rebuild a model dataclass from stored properties (lists for tuples, null for empty ones)."""
    values = {}
    for name, is_tuple, default in _fields(cls):
        value = given[name] if name in given else props.get(name)
        if value is None:
            if is_tuple:
                value = ()
            elif default is not MISSING:
                value = default
        elif type(value) is list:
            value = tuple(value)
        values[name] = value
    return cls(**values)


def _records(cls: type, rows: Iterable[list[Any]]) -> list[Any]:
    """Records of a model dataclass from lists of their fields' values in order (a load's listings,
    cypher.LISTED), as `_record` makes them (a list as a tuple, null as () or the default), each
    filled at once as the store fills its records (`_record` checks every field of every record)."""
    described = _fields(cls)
    names = [name for name, _, _ in described]
    tuples = [i for i, (_, is_tuple, _) in enumerate(described) if is_tuple]
    defaults = [(i, default) for i, (_, is_tuple, default) in enumerate(described)
                if not is_tuple and default is not MISSING and default is not None]
    new = cls.__new__
    found = []
    for values in rows:
        for i in tuples:
            values[i] = tuple(values[i]) if values[i] else ()
        for i, default in defaults:
            if values[i] is None:
                values[i] = default
        record = new(cls)
        record.__dict__.update(zip(names, values))
        found.append(record)
    return found


@cache
def _fields(cls: type) -> tuple[tuple[str, bool, Any], ...]:
    """Each field of a model dataclass: name, whether it holds a tuple, default."""
    return tuple((f.name, str(f.type).startswith("tuple"), f.default) for f in fields(cls))


def _columns(cls: type, *drop: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in drop)


def _getter(columns: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    return attrgetter(*columns) if len(columns) > 1 else (lambda r, g=attrgetter(*columns): (g(r),))


def _values(record: Any, columns: tuple[str, ...], getters: dict = {}) -> list[Any]:
    """The values of `columns` of a record as a list; tuples become lists, empty ones null (Neo4j
    cannot type an empty list)."""
    if (get := getters.get(columns)) is None:
        get = getters[columns] = _getter(columns)
    values = get(record)
    if any(type(v) is tuple for v in values):
        return [(list(v) or None) if type(v) is tuple else v for v in values]
    return list(values)


def _rows(records: Iterable[Any], columns: tuple[str, ...], keys: Callable[[Any], list[Any]]) -> Iterator[list[Any]]:
    """Each record as a list: `keys(record)` (node key, or start and end keys), then the values of
    `columns` (as `_values`)."""
    get = _getter(columns)
    for record in records:
        values = get(record)
        if any(type(v) is tuple for v in values):
            values = [(list(v) or None) if type(v) is tuple else v for v in values]
        yield [*keys(record), *values]


def _home_statuses(store: Store) -> dict[str, str]:
    """Each product's local status in the home region and below it (as `local_statuses`), from
    the home region's capacity rows alone (the store's region index)."""
    children: dict[str, list[str]] = {}
    for r in store.records("regions"):
        if r.parent:
            children.setdefault(r.parent, []).append(r.id)
    home, todo = set(), [store.home_region]
    while todo:
        if (region := todo.pop()) not in home:
            home.add(region)
            todo.extend(children.get(region, ()))
    return product_statuses((p.id for p in store.records("products")), store.best_statuses(home),
                            ((link.from_, link.to) for link in store.records("links") if link.type == "YIELDS"))


def _firm_aliases(store: Store) -> dict[str, list[str]]:
    """Each alias (as its name key) and the firms it names."""
    aliases: dict[str, list[str]] = {}
    firms = store.tables["firms"]
    for i, names in enumerate(firms.column("aliases")):
        for alias in names or ():
            ids = aliases.setdefault(name_key(alias), [])
            if (fid := firms.row_id(i)) not in ids:
                ids.append(fid)
    return aliases


def _firm_tonnes(store: Store) -> array:
    """Each firm's capacity in tonnes (by firm row number; NaN: no capacity stated in tonnes),
    added up in file order."""
    caps = store.tables["capacities"]
    tonnes = array("d", [math.nan]) * len(store.tables["firms"])
    for code, unit, amount in zip(caps.columns["firm"][2], caps.column("base_unit"), caps.column("capacity_base")):
        if code >= 0 and unit == "t" and amount is not None:
            before = tonnes[code]
            tonnes[code] = amount if before != before else before + amount
    return tonnes


# the fields of a row a Supply node names that it knows (cypher.SUPPLY_FIELDS)
_NAMED_FIELDS = frozenset(("line", "firm", "capacity", "capacity_base", "capacity_min", "capacity_max", "region",
                           "product", "status", "base_unit", "unit"))
_CHUNK = 100_000  # capacity rows read from the store at a time, to sum them


def _summed(store: Store) -> list[str]:
    """The regions whose capacity rows a load also sums in Supply nodes: those with at least
    SUMMED_FROM rows of their own (a large city; a small one's rows are read as fast as sums)."""
    return [r.id for r in store.records("regions") if len(store.rows("capacities", "region", r.id)) >= SUMMED_FROM]


NAMED = 10  # rows a Supply node names, firms a FirmTally node names (`queries._common.LISTED`)
TALLIED = tuple(sorted(SUPPLYING))  # the statuses of the FirmTally nodes: those `bottlenecks` asks about


def _grouped(store: Store) -> tuple[dict[tuple, list[int]], dict[tuple, int]]:
    """The capacity rows of the `_summed` regions by Supply node (region, product, status, base
    unit, unit and whether the row is plain): each group's row numbers in file order, and how many
    of a group's rows have a range or an amount without a figure (groups with none left out)."""
    caps = store.tables["capacities"]
    names = ("region", "product", "status", "base_unit", "unit", "capacity", "capacity_min", "capacity_max",
             "capacity_base")
    groups: dict[tuple, list[int]] = {}
    ranged: dict[tuple, int] = {}
    rows = sorted(i for region in _summed(store) for i in store.rows("capacities", "region", region))
    for at in range(0, len(rows), _CHUNK):
        numbers = rows[at:at + _CHUNK]
        for i, region, product, status, base_unit, unit, capacity, low, high, base in zip(
                numbers, *(caps.cells(name, numbers) for name in names)):
            plain = capacity is not None and low is None and high is None and base is not None
            members = groups.get(key := (region, product, status, base_unit, unit, plain))
            if members is None:
                groups[key] = [i]
            else:
                members.append(i)
            if not plain and (capacity is not None or low is not None or high is not None or base is not None):
                ranged[key] = ranged.get(key, 0) + 1
    return groups, ranged


def _node_counts(store: Store) -> tuple[int, int]:
    """How many Supply and FirmTally nodes a load writes (`_summaries`), without making them (nor
    keeping the rows grouped: tens of MB at 1M firms, for the length of the load)."""
    groups, _ = _grouped(store)
    return len(groups), len({key[:2] for key in groups if key[2] in TALLIED})


def _summaries(store: Store) -> Iterator[tuple[str, list[Any]]]:
    """The Supply and then the FirmTally nodes of the `_summed` regions, as (label, the node's
    values: cypher.SUPPLY_FIELDS, FIRM_TALLY_FIELDS), each made when asked for, so that a load
    holds the texts of the nodes it is writing, not of every node (at 1M firms the texts are
    130 MB: a load that held them all until it wrote them peaked at 605 MB, this one at 354).
    Supply: the capacity rows summed by region, product, status, base unit, unit and plainness, in
    file order, with the rows each names (its `NAMED` largest plain rows, ties by line, as
    `backend.pick` picks them, or its first `NAMED` rows with no figure). FirmTally: per region
    and product, `backend.firm_tally` of its rows of the `TALLIED` statuses (file order), naming
    `NAMED` firms, as the embedded store gives it, and its product's capacity tally
    (`_rows_tally`), read by `balance` instead of the Supply nodes merged. Each also keeps the
    names of the firms it names, so that a query lists them without asking the server for names
    (a 1M-firm city's balance named 36,000 firms: 0.5 s of name lookups)."""
    caps, firms = store.tables["capacities"], store.tables["firms"]
    codes = caps.columns["firm"][2]  # each row's firm as its row number (-1: none)

    def names(numbers: list[int]) -> list[list[str | None] | None]:
        """The [name_zh, name_en] of some firms (row numbers; -1: no firm, null), a column at a time."""
        known = [c for c in numbers if c >= 0]
        pairs = iter(zip(firms.cells("name_zh", known), firms.cells("name_en", known)))
        return [None if c < 0 else list(next(pairs)) for c in numbers]

    row_of: dict[str, int] = {}  # firm id -> row number, of the firms a FirmTally may name

    def firm_id(number: int) -> str:
        row_of[fid := firms.row_id(number)] = number
        return fid

    column = caps.columns["capacity_base"]  # NaN or None: no amount (as the embedded store's firm_tallies)
    amount = column[1].__getitem__ if column[0] == "float" else caps.getter("capacity_base")
    line_of = caps.getter("line")
    groups, ranged = _grouped(store)
    tallied: dict[tuple[str, str], list[list[int]]] = {}  # (region, product) -> its groups' rows of TALLIED statuses
    add = operator.add
    for key in list(groups):  # a group at a time, let go once made: only its own rows' cells are held
        members = groups.pop(key)
        region, product, status, base_unit, unit, plain = key
        if plain:  # added up in file order; the largest named, ties in file order
            values = list(map(amount, members))
            total, size = reduce(add, values, 0.0), reduce(add, map(abs, values), 0.0)
            picked, _ = pick(values, NAMED)
            fractional = sum(map(operator.ne, values, map(math.floor, values)))
            named = [members[k] for k in picked]
            lines, firm_ids, figures, amounts = (caps.cells(name, named) for name in (
                "line", "firm", "capacity", "capacity_base"))
        else:  # the first with no figure at all
            total, size, fractional = 0.0, 0.0, 0
            named = members[:NAMED] if key not in ranged else list(islice((
                i for i, *cells in zip(members, *(caps.cells(name, members) for name in (
                    "capacity", "capacity_min", "capacity_max", "capacity_base"))) if cells == [None] * 4), NAMED))
            lines, firm_ids, figures, amounts = caps.cells("line", named), caps.cells("firm", named), None, None
        first, n, mixed = line_of(members[0]), len(members), ranged.get(key, 0)
        yield "Supply", [region, product, status, base_unit, unit, plain, n, total, size, fractional, mixed, first,
                         _ENCODE([product, status, region, base_unit, unit, plain, n, first, total, size, fractional,
                                  mixed, lines, firm_ids, figures, amounts,
                                  names(list(map(codes.__getitem__, named)))])]
        if status in TALLIED:
            tallied.setdefault((region, product), []).append(members)
    for region, product in list(tallied):
        parts = tallied.pop((region, product))
        members = sorted(itertools.chain.from_iterable(parts)) if len(parts) > 1 else parts[0]
        t = firm_tally([c if c >= 0 else None for c in map(codes.__getitem__, members)], list(map(amount, members)),
                       NAMED, firm_id)
        first = line_of(members[0])
        yield "FirmTally", [region, product, list(TALLIED), NAMED,
                            _ENCODE([product, first, t.rows, t.firms, t.named, t.unnamed, t.unstated,
                                     None if t.held is None else list(t.held.items()),
                                     names([row_of[f] for f in t.named])]),
                            _ENCODE(_rows_tally(caps, members, names, product, first))]
        row_of.clear()


SUMMARY_TEXT = 2_000_000  # characters of `tally` and `rows` text per batch of Supply or FirmTally nodes


def _summary_batches(store: Store, key: Callable[[str], str],
                     batch_size: int) -> Iterator[tuple[str, list[list[Any]], int]]:
    """The batches of the Supply and FirmTally nodes (`_summaries`), made one at a time: each of at
    most `batch_size` nodes and `SUMMARY_TEXT` characters of text (a FirmTally node's texts are
    1.7 kB on average at 1M firms, up to hundreds of kB: 5,000 of them, written out as a
    statement's parameters, were tens of MB)."""
    queries = {label: cypher.create_nodes(label, fields)
               for label, fields in (("Supply", cypher.SUPPLY_FIELDS), ("FirmTally", cypher.FIRM_TALLY_FIELDS))}
    names = {"Supply": "supply", "FirmTally": "firm_tally"}
    batch: list[list[Any]] = []
    text, numbers = 0, dict.fromkeys(queries, 0)
    was = None
    for label, values in _summaries(store):
        if batch and (label != was or len(batch) >= batch_size or text >= SUMMARY_TEXT):
            yield queries[was], batch, len(batch)
            batch, text = [], 0
        batch.append([key(f"{names[label]}:{numbers[label]}"), *values])
        numbers[label] += 1
        text += sum(len(v) for v in values if type(v) is str)
        was = label
    if batch:
        yield queries[was], batch, len(batch)


def _listings(store: Store) -> dict[str, str | None]:
    """The listings a load writes (cypher.LISTED), as JSON texts: each record's fields in order (as
    `_values` writes them), records in file order. None where JSON cannot write a value (a NaN
    ...): readers then ask the nodes."""
    found: dict[str, str | None] = {}
    for kind in cypher.LISTED:
        records = sorted(store.records(kind), key=attrgetter("line"))
        columns = _columns(type(records[0])) if records else ()
        rows = [_values(r, columns) for r in records]
        if kind == "chains":  # a chain's steps as [order, label, [products]]
            at = columns.index("steps") if records else 0
            for row in rows:
                row[at] = [[step.order, step.label, list(step.products)] for step in row[at] or ()]
        try:
            found[kind] = _ENCODE(rows)
        except (TypeError, ValueError):
            found[kind] = None
    return found


LISTING_PIECE = 500_000  # characters of listing text a Listing node holds, and a statement writes


def _listing_pieces(listings: dict[str, str | None], key: Callable[[str], str]) -> Iterator[list[list[Any]]]:
    """The Listing nodes of some listings (cypher.LISTINGS): each text cut into pieces of at most
    `LISTING_PIECE` characters (at most 1 MB as a Java string), as the rows of statements that
    each write pieces of at most that many characters in all (a small dataset's listings in one)."""
    rows: list[list[Any]] = []
    size = 0
    for kind, text in listings.items():
        for part, at in enumerate(range(0, len(text or ""), LISTING_PIECE)):
            piece = text[at:at + LISTING_PIECE]
            if rows and size + len(piece) > LISTING_PIECE:
                yield rows
                rows, size = [], 0
            rows.append([key(f"listing:{kind}:{part}"), kind, part, piece])
            size += len(piece)
    if rows:
        yield rows


# The fields of the rows a FirmTally node's `rows` names (cypher.FIRM_TALLY_FIELDS); of the others
# a row has the node's region and product, and no range (a tally with one is not summed)
_ROWS_COLUMNS = ("line", "firm", "capacity", "capacity_base", "status", "base_unit", "unit")
_ROWS_FIELDS = frozenset((*_ROWS_COLUMNS, "region", "product", "capacity_min", "capacity_max"))


def _rows_tally(caps: Any, members: list[int], names: Callable[[list[int]], list], product: str,
                first: int) -> list[Any]:
    """A FirmTally node's `rows`: `backend.tally_rows` of its rows (row numbers, file order), as
    the embedded store's `capacity_tallies` gives it for the node's statuses and `NAMED` rows:
    the product, its first line, then, if its rows add up (`RowsTally.summed`), the tally's
    numbers, the `_ROWS_COLUMNS` of the rows it names and their firms' [name_zh, name_en]."""
    codes = caps.columns["firm"][2]
    named: list[int] = []

    def take(positions: list[int]) -> list[list[Any]]:
        named[:] = [members[k] for k in positions]
        return [caps.cells(f, named) for f in _ROWS_COLUMNS]

    t = tally_rows(*(caps.cells(f, members) for f in TALLY_COLUMNS), take, NAMED)
    if not t.summed:  # the caller reads such a product's rows
        return [product, first]
    return [product, first, t.rows, t.base_unit, t.stated, t.total, t.named, None if t.rest is None else list(t.rest),
            t.opens, t.columns, names(list(map(codes.__getitem__, named)))]


# A node's `tally` (cypher.SUPPLY_FIELDS): JSON, as Python writes floats (every digit)
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _listed_in(rows: list[list[Any]], makes: tuple[str, ...]) -> list[Any]:
    """MAKES.listed_in of some capacity rows (each the values of `makes`): the row's region where
    a Supply node cannot sum the row (not `model.plain`), else None."""
    at = [makes.index(name) for name in ("capacity", "capacity_min", "capacity_max", "capacity_base", "region")]
    capacity, low, high, amount, region = at
    return [None if (r[capacity] is not None and r[low] is None and r[high] is None and r[amount] is not None)
            else r[region] for r in rows]


def load_size(data: Store | Dataset) -> int:
    """The rows `load_batches` writes (nodes and relationships), counted without building them."""
    store = _store(data)
    t = store.tables
    parents = sum(1 for p in t["firms"].column("parent") if p)
    nodes = (len(t["regions"]) + len(t["products"]) + len(t["firms"]) + len(_firm_aliases(store)) + len(t["chains"])
             + len(t["targets"]) + len(t["conversions"]) + sum(_node_counts(store)))
    relationships = (sum(1 for r in store.records("regions") if r.parent) + len(t["firms"]) + parents
                     + sum(len(s.products) for c in store.records("chains") for s in c.steps) + len(t["capacities"])
                     + len(t["targets"]) + len(t["links"]))
    return nodes + relationships


def _store(data: Store | Dataset) -> Store:
    from .store import Store
    return data if isinstance(data, Store) else Store.from_dataset(data)


def _feed_as_tuples(columns: dict[str, list]) -> dict[str, list]:
    """A server sends a row's one list field (`feed`) as a list, null when empty; the records hold
    a tuple, () when empty."""
    if "feed" in columns:
        columns["feed"] = [tuple(v) if v else () for v in columns["feed"]]
    return columns


def _in_file_order(records: Iterable[Any]) -> list[Any]:
    """Records sorted by `line` here, not by the server (cypher.FIRMS: a sort there holds every row)."""
    return sorted(records, key=attrgetter("line"))


def _batches(rows: Iterable[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def _listed(values: list[Any]) -> list[Any]:
    """A column's tuples as lists, empty ones null (as `_values`)."""
    return [(list(v) or None) if type(v) is tuple else v for v in values]


def load_batches(data: Store | Dataset, load: str, batch_size: int = BATCH) -> Iterator[tuple[str, list[list[Any]], int]]:
    """Every write of a load, as (statement, rows, graph rows it writes): nodes first, then
    relationships; a firm comes with its LOCATED_IN and MAKES relationships in one row
    (cypher.create_firms), so the server never looks a new firm up. Each batch writes about
    `batch_size` graph rows and is built only when asked for (a generator) from the compiled
    store's columns (store.py): the firms and capacity rows of one batch at a time, so a
    national dataset is never held as records."""
    store = _store(data)

    def key(id: str) -> str:
        return f"{load}:{id}"

    def node_key(record: Any) -> list[str]:
        return [f"{load}:{record.id}"]

    def each(query: str, rows: Iterable[list[Any]]) -> Iterator[tuple[str, list[list[Any]], int]]:
        for batch in _batches(rows, batch_size):
            yield query, batch, len(batch)

    # For browsing: each product's local status in the home region, each firm's capacity in tonnes.
    status = _home_statuses(store)
    tonnes = _firm_tonnes(store)

    columns = _columns(Region)
    summed = set(_summed(store))
    best = {region: _ENCODE(store.best_statuses((region,))) for region in summed}  # (cypher.REGION_STATUSES)
    yield from each(cypher.create_nodes("Region", (*columns, "summed", "named", "tallied", "statuses")), (
        [*row, *((True, NAMED, list(TALLIED), best[region.id]) if region.id in summed else (None,) * 4)]
        for region, row in zip(store.records("regions"), _rows(store.records("regions"), columns, node_key))))
    columns = _columns(Product)
    products = store.records("products")
    for value, label in cypher.STATUS_LABELS.items():
        yield from each(cypher.create_nodes("Product", (*columns, "status"), label), (
            [*row, value] for row in _rows((p for p in products if status[p.id] == value), columns, node_key)))

    # A firm is found by its names: zh_key and en_key hold `<load>:<name key>` (names.py), aliases
    # are FirmAlias nodes. Each firm row carries its region's key, its LOCATED_IN line and its
    # MAKES rows (each: the product's key, then the row's values).
    firms, caps = store.tables["firms"], store.tables["capacities"]
    start, by_firm = store.indexes["firm_capacities"]
    columns, makes = _columns(Firm), _columns(Capacity)
    firm_columns = (*columns, "zh_key", "en_key")
    written = (*makes, "listed_in")  # MAKES properties: a row's values, then where it is listed

    def firm_rows(numbers: list[int], sized: bool) -> list[tuple[list[Any], int]]:
        """The rows of some firms (row numbers), each with the graph rows it writes."""
        values = [_listed(firms.cells(name, numbers)) for name in columns]
        made = [by_firm[start[i]:start[i + 1]] for i in numbers]
        rows = [i for group in made for i in group]
        cells = [_listed(caps.cells(name, rows)) for name in makes]
        cells.append(_listed_in(list(zip(*cells)), makes))
        product = makes.index("product")
        capacity_rows = [[key(c[product]), *c] for c in zip(*cells)]
        found, at = [], 0
        for n, (i, f) in enumerate(zip(numbers, zip(*values))):
            fid, name_zh, name_en, region, line = f[0], f[1], f[2], f[4], f[-1]
            row = [key(fid), key(region), *f, key(name_key(name_zh)), key(name_key(name_en)) if name_en else None]
            if sized:
                row.append(tonnes[i])
            k = len(made[n])
            row += [line, capacity_rows[at:at + k]]
            at += k
            found.append((row, 2 + k))
        return found

    def firm_batches(query: str, numbers: Iterable[int], sized: bool) -> Iterator[tuple[str, list[list[Any]], int]]:
        batch, written = [], 0
        numbers = iter(numbers)
        while chunk := list(islice(numbers, max(batch_size // 4, 1))):
            for row, n in firm_rows(chunk, sized):
                batch.append(row)
                written += n
                if written >= batch_size:
                    yield query, batch, written
                    yield from summaries.ready()
                    batch, written = [], 0
        if batch:
            yield query, batch, written

    # The Supply and FirmTally nodes are made in a thread of their own (11 s of CPU at 1M firms)
    # while the firms are written, and written between the firms' batches as they are made: a
    # load holds a few batches of them, not every one, and does not wait for them at the end.
    summaries = _Ahead(_summary_batches(store, key, batch_size))
    try:
        everyone = range(len(firms))
        yield from firm_batches(cypher.create_firms(firm_columns, written),
                                (i for i in everyone if tonnes[i] != tonnes[i]), False)
        for n, (label, least) in enumerate(cypher.FIRM_SIZES):  # largest first
            below = cypher.FIRM_SIZES[n - 1][1] if n else math.inf
            yield from firm_batches(cypher.create_firms((*firm_columns, "capacity_t"), written, label),
                                    (i for i in everyone if least <= tonnes[i] < below), True)
        yield from summaries.rest()
    finally:
        summaries.close()
    yield from each(cypher.create_nodes("FirmAlias", ("ids",)),
                    ([key(name), ids] for name, ids in _firm_aliases(store).items()))
    columns = _columns(Chain, "steps")
    yield from each(cypher.create_nodes("Chain", columns), _rows(store.records("chains"), columns, node_key))
    targets = store.records("targets")
    columns = _columns(Target)
    yield from each(cypher.create_nodes("Target", columns), _rows(targets, columns, node_key))
    columns = _columns(Conversion)
    yield from each(cypher.create_nodes("Conversion", columns), _rows(
        store.records("conversions"), columns, lambda c: [key(f"conversion:{c.line}")]))

    line = ("line",)
    yield from each(cypher.create_relationships("Region", "PART_OF", "Region", line), (
        [key(r.id), key(r.parent), r.line] for r in store.records("regions") if r.parent))
    firm_line = firms.getter("line")
    yield from each(cypher.create_relationships("Firm", "PART_OF", "Firm", line), (
        [key(firms.row_id(i)), key(parent), firm_line(i)] for i, parent in enumerate(firms.column("parent"))
        if parent))
    yield from each(cypher.create_relationships("Chain", "HAS_STEP", "Product", ("order", "label", "position")), (
        [key(c.id), key(p), s.order, s.label, i] for c in store.records("chains") for s in c.steps
        for i, p in enumerate(s.products)))
    unnamed = [i for i, code in enumerate(caps.columns["firm"][2]) if code < 0]
    region_rows = [[key(c.region), key(c.product), *values] for c, values in
                   zip(caps.rows(unnamed), _rows(caps.rows(unnamed), makes, lambda c: []))]
    for row, listed_in in zip(region_rows, _listed_in([row[2:] for row in region_rows], makes)):
        row.append(listed_in)
    yield from each(cypher.create_relationships("Region", "MAKES", "Product", written), region_rows)
    columns = ("line", "value", "unit", "bound", "year", "source")
    for goal in ("Product", "Target"):
        yield from each(cypher.create_relationships("Region", "TARGETS", goal, columns), _rows(
            (t for t in targets if bool(t.product) == (goal == "Product")), columns,
            lambda t: [key(t.region), key(t.product or t.id)]))
    columns = _columns(Link, "from_", "to", "type")
    for type in ("FEEDS", "YIELDS"):
        yield from each(cypher.create_relationships("Product", type, "Product", columns), _rows(
            (link for link in store.records("links") if link.type == type), columns,
            lambda link: [key(link.from_), key(link.to)]))


def _of_statuses(every: dict[str, dict[str, list]], statuses: Iterable[str],
                 fields: tuple[str, ...]) -> dict[str, dict[str, list]]:
    """`capacity_columns` of some statuses cut from the columns of every status (with `status` and
    `line`): per product its rows of those statuses, products in the order of their first such row."""
    wanted = set(statuses)
    found = []
    for product, columns in every.items():
        if picked := [i for i, status in enumerate(columns["status"]) if status in wanted]:
            found.append((columns["line"][picked[0]], product, {f: [columns[f][i] for i in picked] for f in fields}))
    found.sort(key=itemgetter(0))
    return {product: columns for _, product, columns in found}


class _Ahead:
    """The items of an iterator, made in a thread of its own while the caller goes on, at most
    `AHEAD` made and waiting: `ready()` gives those made so far, `rest()` the others as they are
    made; `close()` stops the thread at its next item. What the iterator raises is raised in the
    caller."""

    AHEAD = 2

    def __init__(self, items: Iterator[Any]):
        self.queue: queue.Queue = queue.Queue(self.AHEAD)
        self.closed = self.done = False
        threading.Thread(target=self._run, args=(items,), name="chaingraph-summaries", daemon=True).start()

    def _run(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if not self._put((True, item)):
                    return
            self._put((False, None))
        except BaseException as e:  # handed to the caller
            self._put((False, e))

    def _put(self, entry: tuple[bool, Any]) -> bool:
        while not self.closed:
            try:
                self.queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _items(self, wait: bool) -> Iterator[Any]:
        while not self.done:
            try:
                more, item = self.queue.get(wait)
            except queue.Empty:
                return
            if not more:
                self.done = True
                if item is not None:
                    raise item
                return
            yield item

    def ready(self) -> Iterator[Any]:
        return self._items(False)

    def rest(self) -> Iterator[Any]:
        return self._items(True)

    def close(self) -> None:
        self.closed = True


class _Rows(dict):
    """Capacity rows by product, as handed out; a cache can refer to it weakly."""

    source: dict | None = None


class _Writer:
    """Sends a load's batches from a thread of its own, in order, while the caller builds the next
    ones (at most `AHEAD` wait). Before each batch but the first it checks that the load's record
    is still there; if not (another load removed it), it sends nothing more and sets `removed`.
    The first error stops it; `put` and the end of the `with` block raise it in the caller."""

    AHEAD = 2

    def __init__(self, backend: CypherBackend, load: str, total: int,
                 progress: Callable[[int, int], None] | None):
        self.backend, self.load, self.total, self.progress = backend, load, total, progress
        self.written = 0
        self.removed = False
        self.error: BaseException | None = None
        self.stop = False
        self.queue: queue.Queue = queue.Queue(self.AHEAD)
        self.thread = threading.Thread(target=self._run, name="chaingraph-load", daemon=True)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def put(self, send: Callable[[], Any], rows: int) -> bool:
        """Queue one batch (`send` sends it, `rows` graph rows); False once the writer has stopped."""
        while self.thread.is_alive():
            try:
                self.queue.put((send, rows), timeout=0.1)
                return True
            except queue.Full:
                continue
        if self.error is not None:
            raise self.error
        return False

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self.stop = kind is not None  # the caller failed: send nothing more
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        self.thread.join()
        if kind is None and self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None and not self.stop:
                send, rows = item
                if self.written and not self.backend.run(cypher.LOAD_ALIVE, load=self.load)[0]["n"]:
                    self.removed = True
                    return
                send()
                self.written += rows
                if self.progress:
                    self.progress(self.written, self.total)
        except BaseException as e:  # handed to the caller
            self.error = e


class CypherBackend(Backend):
    """The Backend interface over a Cypher server; subclasses connect and implement `run`.

    `graph` names the loaded graph on the server (several can share a Neo4j database). The
    backend reads the load that is current when it is first asked for data, and keeps to it
    (listings are read once): open a new backend to see a later load.
    """

    name: str  # "neo4j" or "falkordb": also the key of cypher.SCHEMA

    def __init__(self, graph: str = "chaingraph"):
        self.graph = graph

    @abstractmethod
    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in its own transaction; rows as dicts. Raises ServerError."""

    @abstractmethod
    def where(self) -> str:
        """Where the graph is, for messages: server, address (never a password) and graph."""

    def run_schema(self, statement: str) -> None:
        """Run a schema statement; a server without `IF NOT EXISTS` overrides this."""
        self.run(statement)

    # -- the current load --------------------------------------------------------------------------

    @cached_property
    def _current(self) -> dict[str, Any]:
        rows = self.run(cypher.CURRENT_LOAD, graph=self.graph)
        if not rows:
            from ..i18n import gettext as _
            raise ChaingraphError(_("nothing loaded in %(where)s: run `chaingraph --backend %(backend)s load` "
                                    "first") % {"where": self.where(), "backend": self.name})
        return rows[0]

    def _forget_load(self) -> None:
        """Forget what was read of the load that was current (its record and everything kept from
        it: the listings, name indexes, a region's tallies, firms and names), once another is."""
        for cls in type(self).__mro__:
            for name, value in vars(cls).items():
                if isinstance(value, cached_property):
                    self.__dict__.pop(name, None)

    def check(self) -> CypherBackend:
        """Fail now, with a clear message, if no graph is loaded."""
        self._current
        return self

    @property
    def load_id(self) -> str:
        return self._current["load_id"]

    @property
    def data_dir(self) -> str:
        return self._current["data_dir"]

    def _rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.run(query, load=self.load_id, **params)

    def _key(self, id: str) -> str:
        return f"{self.load_id}:{id}"

    # -- the Backend interface ---------------------------------------------------------------------

    def home_region(self) -> Region:
        home = self._current["home_region"]
        return next(r for r in self.regions() if r.id == home)

    @cached_property
    def _listing_texts(self) -> dict[str, str | None]:
        """Every listing's JSON text as the load wrote it (cypher.LISTINGS: in pieces, or one property
        of its record by a load of an older version; None: it wrote none), read in one statement."""
        rows = self._rows(cypher.LISTINGS)
        texts = dict(zip(cypher.LISTED, rows[0]["whole"] if rows else ()))
        pieces = sorted((r["kind"], r["part"], r["text"]) for r in rows if r["kind"] is not None)
        for kind, parts in itertools.groupby(pieces, key=itemgetter(0)):
            texts[kind] = "".join(text for _, _, text in parts)
        return texts

    def _listed_rows(self, kind: str) -> list[list[Any]] | None:
        """A listing's rows as the load wrote them (`_listing_texts`), or None (a load of an older version
        wrote none). Its text is let go: the records made of it are kept instead."""
        text = self._listing_texts.pop(kind, None)
        return None if text is None else json.loads(text)

    def _listing(self, kind: str, cls: type) -> list[Any] | None:
        """A listing's records (`_listed_rows`), or None."""
        rows = self._listed_rows(kind)
        return None if rows is None else _records(cls, rows)

    @cached_property
    def _regions(self) -> list[Region]:
        if (listed := self._listing("regions", Region)) is not None:
            return listed
        return [_record(Region, dict(zip(cypher.REGION_FIELDS, r["row"]))) for r in self._rows(cypher.REGIONS)]

    @cached_property
    def _products(self) -> list[Product]:
        if (listed := self._listing("products", Product)) is not None:
            return listed
        return [_record(Product, dict(zip(cypher.PRODUCT_FIELDS, r["row"]))) for r in self._rows(cypher.PRODUCTS)]

    @cached_property
    def _firms(self) -> list[Firm]:
        return _in_file_order(_record(Firm, r["row"]) for r in self._rows(cypher.FIRMS))

    @cached_property
    def _chains(self) -> list[Chain]:
        rows = self._listed_rows("chains")
        if rows is not None:
            at = [f.name for f in fields(Chain)].index("steps")
            for row in rows:
                row[at] = tuple(Step(order, label, tuple(products)) for order, label, products in row[at])
            return _records(Chain, rows)
        chains = []
        for r in self._rows(cypher.CHAINS):
            steps: dict[int, tuple[str, list[tuple[int, str]]]] = {}
            for s in r["steps"]:
                if s["product"] is not None:  # OPTIONAL MATCH found no step
                    steps.setdefault(s["order"], (s["label"], []))[1].append((s["position"], s["product"]))
            chains.append(_record(Chain, r["row"], steps=tuple(
                Step(order, label, tuple(p for _, p in sorted(products)))
                for order, (label, products) in sorted(steps.items()))))
        return chains

    @cached_property
    def _links(self) -> list[Link]:
        if (listed := self._listing("links", Link)) is not None:
            return listed
        return [_record(Link, r["row"], type=r["type"], from_=r["from_id"], to=r["to_id"])
                for r in self._rows(cypher.LINKS)]

    def regions(self) -> list[Region]:
        return list(self._regions)

    def products(self) -> list[Product]:
        return list(self._products)

    def firms(self) -> list[Firm]:
        return list(self._firms)

    def chains(self) -> list[Chain]:
        return list(self._chains)

    def links(self, type: str | None = None) -> list[Link]:
        return [link for link in self._links if type is None or link.type == type]

    def conversions(self) -> list[Conversion]:
        return [_record(Conversion, r["row"]) for r in self._rows(cypher.CONVERSIONS)]

    def subregions(self, region: str) -> set[str]:
        if region not in self._subregions:  # a load never changes: ask once per region
            self._subregions[region] = {region} | {r["id"] for r in self.run(cypher.SUBREGIONS, key=self._key(region))}
        return set(self._subregions[region])

    @cached_property
    def _subregions(self) -> dict[str, set[str]]:
        return {}

    # A load never changes and a backend keeps to one: a region's statuses and firms' names asked
    # twice are fetched once; its capacity rows too, but only while a copy handed out is alive
    # (`_Rows`), so that they do not outlive the query that asked: a 1M-firm city's rows are
    # ~170 MB, and kept for good they raised `balance`'s peak from 563 to 736 MB (measured).

    @cached_property
    def _asked(self) -> dict[tuple, Any]:
        return {}

    @cached_property
    def _summary(self) -> dict[str, tuple[int | None, tuple[str, ...] | None]]:
        """The regions whose rows the load also summed in Supply nodes (`Region.summed`), each with
        how many rows its Supply nodes name and the statuses of its FirmTally nodes (None: a load
        of an older version wrote neither)."""
        return {r["id"]: (r["named"], None if r["tallied"] is None else tuple(r["tallied"]))
                for r in self._rows(cypher.SUMMED_REGIONS)}

    @cached_property
    def _summed(self) -> set[str]:
        return set(self._summary)

    def _read_sums(self, regions: Iterable[str], rows_query: str, supply_query: str,
                   **params: Any) -> list[dict[str, Any]]:
        """Some regions' aggregate: from the Supply nodes of the summed ones, from the rows of the others."""
        regions = set(regions)
        summed, read = sorted(regions & self._summed), sorted(regions - self._summed)
        return ((self._rows(rows_query, regions=read, **params) if read else [])
                + (self._rows(supply_query, regions=summed, **params) if summed else []))

    def capacity_statuses(self, region: str) -> dict[str, str]:
        key = ("statuses", region)
        if key not in self._asked:
            best: dict[str, str] = {}
            regions = self.subregions(region)
            rows: list[dict[str, Any]] = []
            summed = sorted(regions & self._summed)  # their statuses from their Region nodes
            for r in self.run(cypher.REGION_STATUSES, keys=[self._key(r) for r in summed]) if summed else ():
                if r["statuses"] is not None:
                    regions.discard(r["id"])
                    rows += ({"product": p, "statuses": [s]} for p, s in json.loads(r["statuses"]).items())
            for r in rows + self._read_sums(regions, cypher.CAPACITY_STATUSES, cypher.SUPPLY_STATUSES):
                status = min(r["statuses"], key=STATUSES.index)
                if r["product"] not in best or STATUSES.index(status) < STATUSES.index(best[r["product"]]):
                    best[r["product"]] = status
            self._asked[key] = best
        return dict(self._asked[key])

    def capacities_by_product(self, region: str, statuses: Iterable[str] | None = None,
                              products: Iterable[str] | None = None) -> dict[str, list[Capacity]]:
        statuses = None if statuses is None else sorted(set(statuses))
        products = None if products is None else sorted(set(products))
        key = ("rows", region, None if statuses is None else tuple(statuses),
               None if products is None else tuple(products))
        grouped = self._asked[key]() if key in self._asked else None
        if grouped is None:
            if products is None:  # the region's rows, through the index on MAKES.region
                rows = self._rows(cypher.CAPACITIES_BY_PRODUCT, regions=sorted(self.subregions(region)),
                                  statuses=statuses)
            else:  # the rows of a few products, from them
                rows = self._rows(cypher.CAPACITIES_OF_PRODUCTS, keys=[self._key(p) for p in products],
                                  regions=sorted(self.subregions(region)), statuses=statuses)
            grouped = _Rows()
            for c in sorted(_records(Capacity, (r["row"] for r in rows)), key=attrgetter("line")):
                grouped.setdefault(c.product, []).append(c)
            self._asked[key] = weakref.ref(grouped)
        copy = _Rows((product, list(rows)) for product, rows in grouped.items())
        copy.source = grouped  # the cached rows live as long as a copy does
        return copy

    def capacity_columns(self, region: str, statuses: Iterable[str] | None = None,
                         fields: Iterable[str] = ("firm", "capacity_base"),
                         products: Iterable[str] | None = None) -> dict[str, dict[str, list]]:
        """As Backend.capacity_columns, with only the fields asked for sent (cypher.capacity_columns):
        a few values per row, not whole rows; the rows of a few products come as rows."""
        fields = tuple(fields)
        if products is not None:
            return super().capacity_columns(region, statuses, fields, products)
        statuses = None if statuses is None else sorted(set(statuses))
        # the columns sent last for this region and statuses, kept: a question that asks again for
        # some of them (`bottlenecks` after its `balance`) gets copies without a query
        key = ("columns", region, None if statuses is None else tuple(statuses))
        known = self._asked.get(key)
        if (known is None or not set(fields) <= known[0]) and statuses is not None:
            every = self._asked.get(("columns", region, None))  # the rows of every status, kept
            if every is not None and {*fields, "status", "line"} <= every[0]:
                return _of_statuses(every[1], statuses, fields)
        if known is None or not set(fields) <= known[0]:
            asked = tuple(dict.fromkeys((*fields, *(known[0] if known else ()))))
            rows = [r["row"] for r in self._rows(cypher.capacity_columns(asked),
                                                 regions=sorted(self.subregions(region)), statuses=statuses)]
            rows.sort(key=itemgetter(1))  # file order
            found: dict[str, dict[str, list]] = {}
            for row in rows:
                columns = found.get(row[0])
                if columns is None:
                    columns = found[row[0]] = {f: [] for f in asked}
                for f, value in zip(asked, row[2:]):
                    columns[f].append(value)
            for columns in found.values():
                _feed_as_tuples(columns)
            known = self._asked[key] = (set(asked), found)
        return {product: {f: list(columns[f]) for f in fields} for product, columns in known[1].items()}

    def largest_columns(self, region: str, fields: Iterable[str], most: int,
                        products: Iterable[str] | None = None) -> dict[str, tuple[dict[str, list], int]]:
        """As Backend.largest_columns, picked on the server (cypher.largest_rows): at most `most`
        rows of a product are sent; a product with no more than that gets them in file order."""
        fields = tuple(fields)
        if products is not None:
            return super().largest_columns(region, fields, most, products)
        found: dict[str, tuple[dict[str, list], int]] = {}
        asked = tuple(dict.fromkeys((*fields, "capacity_base")))  # the fields, then the order's figure
        at = asked.index("capacity_base") + 1  # in a row: the line, then the fields asked
        rows = self._picked(cypher.largest_rows(asked), self.subregions(region), most,
                            lambda row: (row[at] is None, -(row[at] or 0), row[0]))
        for r in sorted(rows, key=itemgetter("first")):  # products in the order of their first row
            picked = r["rows"] if r["n"] > most else sorted(r["rows"], key=itemgetter(0))
            columns = _feed_as_tuples({f: [row[i] for row in picked] for i, f in enumerate(fields, 1)})
            found[r["product"]] = (columns, r["n"])
        return found

    def capacity_tallies(self, region: str, statuses: Iterable[str] | None, fields: Iterable[str], most: int,
                         products: Iterable[str] | None = None) -> dict[str, RowsTally]:
        """As Backend.capacity_tallies, summed on the server: per product its sums by base unit
        (from the Supply nodes of a large city, as `capacity_sums`), its `most` largest plain rows
        picked in Cypher (`cypher.largest_stated`) and its first `most` rows without a figure
        (`cypher.first_unstated`, through the index on MAKES.listed_in): a few rows per product,
        not a city's every row. The sum is the server's where it is the file-order sum (whole
        numbers below 2**53: then the rows not named add up to the total less the named ones);
        a product whose rows the server cannot sum so (amounts that are not whole numbers, ranges,
        several base units) comes with every row, fetched for it alone. A few products
        (`products`) are answered from the region's tallies, asked for once."""
        fields = tuple(fields)
        statuses = None if statuses is None else sorted(set(statuses))
        summary = self._summary.get(region)
        if (statuses is not None and summary is not None and summary == (most, tuple(statuses))
                and set(fields) <= _ROWS_FIELDS and self.subregions(region) == {region}):
            # a large city's FirmTally nodes hold the answer (`rows`), a node per product
            return self._of_region(("rows tallies", region, fields), lambda: self._rows_tallies(region, fields), products)
        return self._of_region(("tallies", region, None if statuses is None else tuple(statuses), fields, most),
                               lambda: self._capacity_tallies(region, statuses, fields, most), products)

    def _rows_tallies(self, region: str, fields: tuple[str, ...]) -> dict[str, RowsTally]:
        """`capacity_tallies` of a summed region with no region below it, for the statuses and the
        number of rows its FirmTally nodes were made for, from their `rows` (`_rows_tally`): a text
        per product, not its Supply nodes' rows merged here. A product whose rows do not add up is
        answered from its rows; a load of an older version wrote no `rows`: the Supply nodes then."""
        statuses = list(self._summary[region][1])
        most = self._summary[region][0]
        texts = [r["rows"] for r in self._rows(cypher.ROWS_TALLIES, regions=[region], statuses=statuses, most=most)]
        if None in texts:
            return self._capacity_tallies(region, statuses, fields, most)
        found: dict[str, RowsTally | None] = {}
        wide, names = [], self._names
        for tally in sorted(map(json.loads, texts), key=itemgetter(1)):
            pid = tally[0]
            if len(tally) == 2:  # its rows do not add up: read below (its place kept)
                wide.append(pid)
                found[pid] = None
                continue
            _, _first, n, base_unit, stated, total, named, rest, opens, columns, firm_names = tally
            known = dict(zip(_ROWS_COLUMNS, columns))
            names.update(zip(known["firm"], firm_names))  # (a row with no firm: None, taken out below)
            k = len(columns[0])
            same = {"region": region, "product": pid, "capacity_min": None, "capacity_max": None}
            found[pid] = RowsTally(n, {f: known[f] if f in known else [same[f]] * k for f in fields}, True, base_unit,
                                   stated, total, named, None if rest is None else tuple(rest), opens)
        names.pop(None, None)
        if wide:
            found.update(Backend.capacity_tallies(self, region, statuses, fields, most, products=wide))
        return found

    def _of_region(self, key: tuple, ask: Callable[[], dict[str, Any]],
                   products: Iterable[str] | None) -> dict[str, Any]:
        """A region's answer by product (`ask()`, asked once and kept under `key`), of every product
        or of some (`products`: a query per product would cost more than the region's one)."""
        if key not in self._asked:
            self._asked[key] = ask()
        found = self._asked[key]
        if products is None:
            return dict(found)
        only = set(products)
        return {pid: value for pid, value in found.items() if pid in only}

    def _slices(self, regions: Iterable[str]) -> list[list[str]]:
        """`regions` a few at a time, for a statement that sorts and collects their rows (`_picked`):
        a summed region alone, the others `PICKED_AT_ONCE` at a time (each has fewer than
        `SUMMED_FROM` rows of its own). A sort holds every row it sorts: a city's rows fit a 1 GB
        Neo4j heap, a province's or the country's (2M at a million firms) may not."""
        regions = sorted(regions)
        rest = [r for r in regions if r not in self._summed]
        return [[r] for r in regions if r in self._summed] + [rest[k:k + PICKED_AT_ONCE]
                                                              for k in range(0, len(rest), PICKED_AT_ONCE)]

    def _picked(self, query: str, regions: Iterable[str], most: int, order: Callable[[list], Any],
                **params: Any) -> list[dict[str, Any]]:
        """The rows of a statement that picks the first `most` rows of each product of `$regions`
        in some order (cypher.largest_rows, largest_stated, first_unstated: per product `n`, its
        `rows`, maybe its `first` line), asked a slice of the regions at a time (`_slices`): a
        product's first rows of the whole are the first, by `order`, of its slices' first rows, its
        count their sum, its first line the least."""
        found: dict[str, dict[str, Any]] = {}
        merged = set()
        for part in self._slices(regions):
            for r in self._rows(query, regions=part, most=most, **params):
                was = found.setdefault(r["product"], r)
                if was is not r:
                    was["n"] += r["n"]
                    was["rows"] = was["rows"] + r["rows"]
                    if "first" in r:
                        was["first"] = min(was["first"], r["first"])
                    merged.add(r["product"])
        for pid in merged:
            found[pid]["rows"] = sorted(found[pid]["rows"], key=order)[:most]
        return list(found.values())

    def _capacity_tallies(self, region: str, statuses: list[str] | None, fields: tuple[str, ...],
                          most: int) -> dict[str, RowsTally]:
        regions = self.subregions(region)
        summed = sorted(r for r in regions & self._summed if (self._summary[r][0] or 0) >= most)
        read = sorted(regions - set(summed))  # their rows picked in Cypher
        asked = tuple(dict.fromkeys((*fields, "capacity_base")))
        at = asked.index("capacity_base") + 1  # in a row: the line, then the fields asked
        if not set(asked) <= _NAMED_FIELDS:  # a field a Supply node does not keep: the rows pick them
            summed, read = [], sorted(regions)
        groups: dict[str, list[dict[str, Any]]] = {}
        largest: dict[str, dict[str, Any]] = {}  # per product: how many plain rows, the largest of each part
        unstated: dict[str, dict[str, Any]] = {}  # the same for the rows with no figure, the first of each part
        by_size, by_line = (lambda row: (-row[at], row[0])), itemgetter(0)  # their orders, ties by line
        if read:
            # (the Supply nodes of a summed region that names too few rows are not read: its rows are)
            for r in self._read_sums(read, cypher.CAPACITY_SUMS, cypher.SUPPLY_SUMS, statuses=statuses):
                groups.setdefault(r["product"], []).append(r)
            for found, query, order in ((largest, cypher.largest_stated(asked), by_size),
                                        (unstated, cypher.first_unstated(asked), by_line)):
                for r in self._picked(query, read, most, order, statuses=statuses):
                    found[r["product"]] = {"n": r["n"], "rows": r["rows"]}
        if summed:  # the rows a Supply node names: every field is the node's but the line, firm and figures
            names = self._names
            for tally in map(json.loads, (r["tally"] for r in self._rows(cypher.SUPPLY_TALLIES, regions=summed,
                                                                         statuses=statuses))):
                (pid, status, where, base_unit, unit, plain, n, first, total, size, fractional, ranged,
                 lines, firms, figures, amounts) = tally[:16]
                if len(tally) > 16:  # the names of the firms named (a load of an older version kept none)
                    names.update(zip(firms, tally[16]))  # (a row with no firm: None, taken out below)
                groups.setdefault(pid, []).append({"base_unit": base_unit, "unit": unit, "plain": plain, "rows": n,
                                                   "first": first, "total": total, "size": size,
                                                   "fractional": fractional, "ranged": ranged})
                part = (largest if plain else unstated).setdefault(pid, {"n": 0, "rows": []})
                part["n"] += n - ranged  # (a part with ranges is summed from its rows all the same)
                k = len(lines)
                known = {"line": lines, "firm": firms, "capacity": figures or [None] * k,
                         "capacity_base": amounts or [None] * k}
                same = {"region": where, "product": pid, "status": status, "base_unit": base_unit, "unit": unit,
                        "capacity_min": None, "capacity_max": None}
                part["rows"].extend(zip(lines, *(known[f] if f in known else [same[f]] * k for f in asked)))
            names.pop(None, None)
            for parts, order in ((largest, by_size), (unstated, by_line)):  # the first `most` of the parts' firsts
                for part in parts.values():
                    part["rows"] = sorted(part["rows"], key=order)[:most]
        found: dict[str, RowsTally | None] = {}
        wide = []  # summed here, from every row
        for pid, rows in sorted(groups.items(), key=lambda item: min(r["first"] for r in item[1])):
            plain = [r for r in rows if r["plain"]]
            units = {r["base_unit"] for r in plain}
            stated, every = int(sum(r["rows"] for r in plain)), int(sum(r["rows"] for r in rows))  # (a float's sum)
            none = {"n": 0, "rows": []}
            named, opens = largest.get(pid, none), unstated.get(pid, none)
            if (any(r["ranged"] or r["fractional"] for r in rows) or len(units) > 1
                    or sum(r["size"] for r in plain) >= 2 ** 53 or named["n"] != stated
                    or opens["n"] + stated != every):
                wide.append(pid)
                found[pid] = None  # keeps the product's place
                continue
            total = sum((float(r["total"]) for r in plain), 0.0)
            named, rest = named["rows"], None
            if stated > most:  # whole numbers: the others add up to the total less the named ones, exactly
                rest = (stated - len(named), total - reduce(operator.add, [row[at] for row in named], 0.0))
            else:
                named = sorted(named, key=itemgetter(0))  # every one, in file order
            picked = named + opens["rows"]
            columns = _feed_as_tuples(dict(zip(asked, map(list, list(zip(*picked))[1:] or [()] * len(asked)))))
            found[pid] = RowsTally(every, {f: columns[f] for f in fields}, True,
                                   units.pop() if units else None, stated, total, len(named), rest, opens["n"])
        if wide:
            found.update(Backend.capacity_tallies(self, region, statuses, fields, most, products=wide))
        return found

    def firm_tallies(self, region: str, statuses: Iterable[str] | None, most: int,
                     products: Iterable[str] | None = None) -> dict[str, FirmTally]:
        """As Backend.firm_tallies; for a region whose FirmTally nodes hold the answer (a summed region
        with no region below it, tallied for these statuses and this many firms) read from them, a
        node per product, not from the region's every row."""
        statuses = None if statuses is None else tuple(sorted(set(statuses)))
        summary = self._summary.get(region)
        if (statuses is None or summary is None or summary[1] != statuses or summary[0] != most
                or self.subregions(region) != {region}):
            return super().firm_tallies(region, statuses, most, products)
        return self._of_region(("firm tallies", region, statuses, most),
                               lambda: self._firm_tallies(region, statuses, most), products)

    def _firm_tallies(self, region: str, statuses: tuple[str, ...], most: int) -> dict[str, FirmTally]:
        rows = [json.loads(r["tally"]) for r in self._rows(cypher.FIRM_TALLIES, regions=[region],
                                                           statuses=list(statuses), most=most)]
        found, names = {}, self._names
        for tally in sorted(rows, key=itemgetter(1)):
            pid, _first, n, firms, named, unnamed, unstated, held = tally[:8]
            found[pid] = FirmTally(n, firms, tuple(named), unnamed, unstated, None if held is None else dict(held))
            if len(tally) > 8:  # the names of the firms named (a load of an older version kept none)
                names.update(zip(named, tally[8]))
        return found

    def capacity_sums(self, region: str, statuses: Iterable[str] | None = None,
                      listed: bool = True, products: Iterable[str] | None = None) -> dict[str, CapacitySums]:
        if products is None:
            return self._capacity_sums(region, statuses, listed)
        statuses = None if statuses is None else tuple(sorted(set(statuses)))
        return self._of_region(("sums", region, statuses, listed),
                               lambda: self._capacity_sums(region, statuses, listed), products)

    def _capacity_sums(self, region: str, statuses: Iterable[str] | None = None,
                       listed: bool = True) -> dict[str, CapacitySums]:
        """As Backend.capacity_sums, summed on the server: a few rows per product instead of every
        row, from the Supply nodes of a large city (cypher.SUPPLY_SUMS) and the rows of the other
        regions (CAPACITY_SUMS); the rows that are not plain come whole (CAPACITY_OTHERS). A product whose sum the server cannot give exactly (amounts
        that are not whole numbers, or a total beyond 2**53) or that has ranges beside plain rows
        is summed here from its rows, fetched for it alone."""
        statuses = None if statuses is None else sorted(set(statuses))
        regions = sorted(self.subregions(region))
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in self._read_sums(regions, cypher.CAPACITY_SUMS, cypher.SUPPLY_SUMS, statuses=statuses):
            groups.setdefault(r["product"], []).append(r)
        others: dict[str, list[Capacity]] = {}
        if listed:
            for c in sorted(_records(Capacity, (r["row"] for r in self._rows(
                    cypher.CAPACITY_OTHERS, regions=regions, statuses=statuses))), key=attrgetter("line")):
                others.setdefault(c.product, []).append(c)
        found: dict[str, CapacitySums] = {}
        inexact = []  # summed here from their rows
        for pid, rows in sorted(groups.items(), key=lambda item: min(r["first"] for r in item[1])):
            summed = [r for r in rows if r["plain"]]
            if (summed and (any(r["ranged"] or r["fractional"] for r in rows)
                            or sum(r["size"] for r in summed) >= 2 ** 53)) or (not summed and not listed):
                inexact.append(pid)
                found[pid] = None  # keeps the product's place
                continue
            stated: dict[str, tuple[int, float]] = {}
            for r in summed:
                n, total = stated.get(r["base_unit"], (0, 0.0))
                stated[r["base_unit"]] = (n + r["rows"], total + float(r["total"]))
            found[pid] = CapacitySums(sum(r["rows"] for r in rows), stated, tuple(others.get(pid, ())),
                                      frozenset((r["base_unit"], r["unit"]) for r in rows))
        if inexact:
            for pid, rows in self.capacities_by_product(region, statuses, products=inexact).items():
                found[pid] = sum_rows(rows) if listed else unlisted(sum_rows(rows))
        return found

    def producers_outside(self, region: str, products: Iterable[str] | None = None,
                          firms: Iterable[str] | None = None) -> list[Capacity]:
        products = None if products is None else sorted(set(products))
        firms = None if firms is None else sorted(set(firms))
        by, ids = ("product", products) if products is not None else ("firm", firms) if firms is not None else (None, None)
        rows = self._rows(cypher.producers_outside(by), keys=None if ids is None else [self._key(i) for i in ids],
                          regions=sorted(self.subregions(region)), products=products, firms=firms)
        return _in_file_order(_record(Capacity, r["row"]) for r in rows)

    def capacities(self, product: str | None = None, firm: str | None = None,
                   region: str | None = None) -> list[Capacity]:
        by, id = ("product", product) if product is not None else ("firm", firm) if firm is not None else (None, None)
        regions = sorted(self.subregions(region)) if region is not None else None
        if by is None and regions is not None:
            by = "region"  # through the index on MAKES.region
        rows = self._rows(cypher.capacities(by), key=self._key(id) if id else None, firm=firm, regions=regions)
        return _in_file_order(_record(Capacity, r["row"]) for r in rows)

    def targets(self, region: str | None = None, product: str | None = None) -> list[Target]:
        regions = sorted(self.subregions(region)) if region is not None else None
        return [_record(Target, r["row"]) for r in self._rows(cypher.TARGETS, product=product, regions=regions)]

    # -- firms: fetched by key, name or region, never all to find a few ----------------------------

    @cached_property
    def _firms_by_id(self) -> dict[str, Firm]:
        return {}

    def firms_by_id(self, ids: Iterable[str]) -> dict[str, Firm]:
        known, ids = self._firms_by_id, list(ids)
        # not `set(ids) - known.keys()`: that walks every firm known so far, once per call, and a
        # query resolves each of its rows' firms by id (1M firms: hours)
        wanted = sorted({i for i in ids if i not in known})
        for start in range(0, len(wanted), BATCH):
            for r in self.run(cypher.FIRMS_BY_KEY, keys=[self._key(i) for i in wanted[start:start + BATCH]]):
                firm = _record(Firm, r["row"])
                known[firm.id] = firm
        return {i: known[i] for i in ids if i in known}

    @cached_property
    def _names(self) -> dict[str, Sequence[str | None]]:
        # firm id -> (name_zh, name_en), of the firms named so far; a list as read from a tally node
        return {}

    def firm_names(self, ids: Iterable[str], shown: bool = True) -> dict[str, str]:
        """As Backend.firm_names, fetching only the name columns of firms not named or fetched before."""
        from ..i18n import current
        english = shown and current() == "en"
        known, names, ids = self._firms_by_id, self._names, list(ids)
        wanted = sorted({i for i in ids if i not in names and i not in known})
        for start in range(0, len(wanted), BATCH):
            for r in self.run(cypher.FIRM_NAMES_BY_KEY, keys=[self._key(i) for i in wanted[start:start + BATCH]]):
                names[r["id"]] = (r["name_zh"], r["name_en"])
        found = {}
        for i in ids:
            if i not in found and (pair := names.get(i) or ((known[i].name_zh, known[i].name_en) if i in known else None)):
                found[i] = (english and pair[1]) or pair[0]  # as `i18n.name` shows a firm
        return found

    def resolve_firm(self, name: str) -> Firm:
        if found := self.firms_by_id([name]):  # an exact id wins over any name
            return found[name]
        ids = sorted({r["id"] for r in self.run(cypher.FIRMS_NAMED, name=self._key(name_key(name)))})
        firms = self.firms_by_id(ids)
        if len(firms) > 1:
            raise AmbiguousNameError("firm", name, [name_label(f) for f in sorted(firms.values(), key=lambda f: f.line)])
        if firms:
            return next(iter(firms.values()))
        raise UnknownNameError("firm", name, self._closest_firms(name))

    def _closest_firms(self, name: str) -> list[str]:
        """Firms named like `name`: from every firm when there are few, else from those whose
        Chinese or English name starts with the same two characters (a bounded query)."""
        if self.count("firms") <= CLOSEST_FROM_ALL:
            return NameIndex("firm", self.firms()).closest(name)
        prefix = self._key(name_key(name)[:2])
        candidates = [_record(Firm, r["row"]) for r in self.run(cypher.FIRMS_NAMED_LIKE, prefix=prefix)]
        return NameIndex("firm", sorted(candidates, key=lambda f: f.line)).closest(name)

    def firms_in(self, region: str) -> list[Firm]:
        rows = self.run(cypher.FIRMS_IN, keys=[self._key(r) for r in sorted(self.subregions(region))])
        return sorted((_record(Firm, r["row"]) for r in rows), key=lambda f: f.line)

    def subsidiaries(self, firm: str) -> set[str]:
        return {r["id"] for r in self.run(cypher.SUBSIDIARIES, key=self._key(firm))}

    def count(self, kind: str) -> int:
        if kind in ("firms", "capacities") and self._current.get(kind) is not None:
            return self._current[kind]  # recorded by the load (a load of an older version counts)
        if kind == "firms":
            return self._rows(cypher.COUNT_FIRMS)[0]["n"]
        if kind == "capacities":
            return self._rows(cypher.COUNT_CAPACITIES)[0]["n"]
        return super().count(kind)

    def product_graph(self) -> nx.DiGraph:
        import networkx as nx

        from .memory import _link_properties
        pg = nx.DiGraph()
        for p in self.products():
            pg.add_node(p.id, name_zh=p.name_zh, name_en=p.name_en, sector=p.sector, unit=p.unit)
        for link in self.links():
            pg.add_edge(link.from_, link.to, **_link_properties(link))
        return pg

    # -- loading ------------------------------------------------------------------------------------

    def prepare_rows(self, query: str, rows: list[list[Any]], **params: Any) -> Callable[[], Any]:
        """One batched writer (cypher.create_nodes, create_firms, create_relationships) made ready
        to send: the returned call sends it. A server whose client is slow at turning rows into
        parameters overrides this, to do that work here, while the batch before is written."""
        return lambda: self.run(query, rows=rows, **params)

    def write(self, data: Store | Dataset, progress: Callable[[int, int], None] | None = None,
              batch_size: int = BATCH) -> dict[str, Any]:
        """Load a validated dataset atomically (module docstring); returns rows written and seconds.

        `progress(written, total)` is called before the first batch and after each one. Between
        batches the load checks that its record is still there: a load that another one removed
        stops, deletes what it wrote, and says so. Batches are built here while a writer thread
        sends the one before (`_Writer`), so the client's work and the server's overlap.
        """
        started = time.perf_counter()
        ds = _store(data)  # a validated dataset's compiled form: batches are built from its columns
        for statement in cypher.SCHEMA[self.name]:  # the indexes the writes use exist before them
            self.run_schema(statement)
        load = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        total = load_size(ds)
        if progress:
            progress(0, total)
        stopped = f"load stopped after {{}} of {total} rows, the graph loaded before is unchanged"
        removed = f": another load into {self.where()} removed this one"
        writer = _Writer(self, load, total, progress)
        collecting = gc.isenabled()
        gc.disable()  # a load builds millions of small acyclic lists; scanning the dataset for cycles is waste
        try:
            self.run(cypher.START_LOAD, load=load, graph=self.graph, data_dir=ds.data_dir,
                     home_region=ds.home_region, started=time.time(),
                     firms=len(ds.tables["firms"]), capacities=len(ds.tables["capacities"]))
            for rows in _listing_pieces(_listings(ds), lambda id: f"{load}:{id}"):
                self.run(cypher.create_nodes("Listing", ("kind", "part", "text")), rows=rows, load=load)
            with writer:
                for query, rows, n in load_batches(ds, load, batch_size):
                    if not writer.put(self.prepare_rows(query, rows, load=load), n):
                        break
            if writer.removed:
                self._delete_loads([load])
                raise ServerError(stopped.format(writer.written) + removed)
            switched = self.run(cypher.SWITCH_LOAD, graph=self.graph, load=load)[0]["loads"]
        except ServerError as e:
            if str(e).startswith(stopped.format(writer.written)):
                raise
            raise ServerError(f"{stopped.format(writer.written)}: {e}") from None
        finally:
            if collecting:
                gc.enable()
        if not switched:
            self._delete_loads([load])
            raise ServerError(stopped.format(writer.written) + removed)
        self._forget_load()
        self.delete_old_loads()
        return {"rows": writer.written, "seconds": time.perf_counter() - started, "load": load}

    def delete_old_loads(self) -> int:
        """Delete every load of this graph but the current one (old loads, stopped loads), and the
        nodes of any load that has no record left (a load stopped after its record was removed)."""
        current = self.run(cypher.CURRENT_LOAD, graph=self.graph)
        keep = {r["load_id"] for r in current}
        old = [r["load_id"] for r in self.run(cypher.OLD_LOADS, graph=self.graph)]
        seen = {r["load_id"] for label in cypher.LABELS for r in self.run(cypher.LOADS_OF_NODES[label])}
        unknown = sorted(seen - keep - set(old) - {None})
        recorded = {r["load_id"] for r in self.run(cypher.LOAD_RECORDS, loads=unknown)} if unknown else set()
        return self._delete_loads(old + [load for load in unknown if load not in recorded])

    def drop(self) -> int:
        """Delete the graph: every load of it, the current one too. Returns the nodes deleted."""
        self._forget_load()
        return self._delete_loads([r["load_id"] for r in self.run(cypher.ALL_LOADS, graph=self.graph)])

    def _delete_loads(self, loads: list[str]) -> int:
        """Delete the nodes of some loads in slices (cypher.DELETE_RELATIONSHIPS), then their records."""
        deleted = 0
        for load in loads:
            for label in cypher.LABELS:
                while True:
                    rels = self.run(cypher.DELETE_RELATIONSHIPS[label], load=load, nodes=DELETE_NODES,
                                    limit=DELETE_SLICE)[0]["deleted"]
                    if rels >= DELETE_SLICE:  # the first nodes may have more
                        continue
                    nodes = self.run(cypher.DELETE_NODES[label], load=load, nodes=DELETE_NODES)[0]["deleted"]
                    deleted += nodes
                    if not rels and not nodes:
                        break
        if loads:  # markers last: a delete that stops half-way is finished by the next load
            self.run(cypher.DELETE_LOAD_MARKERS, graph=self.graph, loads=loads)
        return deleted
