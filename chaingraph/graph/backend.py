"""The backend interface every graph store implements; queries use nothing else."""
from __future__ import annotations

import heapq
import math
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, reduce
from typing import TYPE_CHECKING, Any

from ..names import NameIndex
from .model import (
    STATUSES, Capacity, CapacitySums, Chain, Conversion, Firm, Link, Product, Region, Target, sum_rows, unlisted,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Backend", "RowsTally", "tally_rows", "add_up", "pick", "TALLIED", "FirmTally", "firm_tally", "take"]

def take(column: Sequence, ks: Iterable[int]) -> list:
    """`[column[k] for k in ks]`, in one pass where the column reads cells that way (the embedded
    store's columns, `capacity_columns`, decode the cells picked together: `take`)."""
    picked = getattr(column, "take", None)
    return picked(ks) if picked is not None else [column[k] for k in ks]


# the fields of a capacity row that decide how a product's rows add up (`tally_rows`)
TALLIED = ("capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit")


@dataclass(frozen=True)
class RowsTally:
    """One product's capacity rows (in a region, of some statuses) as a question adding them up
    reads them (`Backend.capacity_tallies`), without every row where a sum says all.

    `summed`: no row has a range, and every row with a stated capacity (`stated` of the `rows`)
    has its amount (`capacity_base`) in one base unit (`base_unit`; None when none is stated).
    Then `total` is their amounts added up in file order; `columns` holds the asked fields of the
    rows named: first the `named` largest stated rows (every stated row, in file order, when there
    are `most` or fewer; else the `most` largest, largest first, ties in file order), then the
    first `most` rows without a capacity (file order), of the `opens` there are; `rest`: how many
    stated rows are not named and their amounts added up in file order (None: every one is named).
    Otherwise (`summed` False) `columns` holds every row, in file order, to be added up by the
    caller."""

    rows: int
    columns: dict[str, list]
    summed: bool = False
    base_unit: str | None = None
    stated: int = 0
    total: float = 0.0
    named: int = 0
    rest: tuple[int, float] | None = None
    opens: int = 0


def tally_rows(caps: Sequence, mins: Sequence, maxs: Sequence, amounts: Sequence, units: Sequence,
               take: Callable[[list[int]], dict[str, list]], most: int) -> RowsTally:
    """The `RowsTally` of one product's rows, from their `TALLIED` columns (file order); `take`
    gives the asked fields of some rows (by position), for the rows named or, when the rows
    cannot be summed, for every row."""
    n = len(caps)
    if mins.count(None) == n and maxs.count(None) == n:
        stated = [i for i, cap in enumerate(caps) if cap is not None] if None in caps else range(n)
        values = [amounts[i] for i in stated] if len(stated) < n else list(amounts)
        kinds = {units[i] for i in stated} if len(stated) < n else set(units)
        if None not in values and len(kinds) <= 1:
            total, named, rest = add_up(values, most)
            opens = [i for i, cap in enumerate(caps) if cap is None] if len(stated) < n else []
            picked = [stated[j] for j in named]
            return RowsTally(n, take(picked + opens[:most]), True, kinds.pop() if kinds else None, len(values),
                             total, len(picked), rest, len(opens))
    return RowsTally(n, take(list(range(n))))


def add_up(values: list[float], most: int) -> tuple[float, Iterable[int], tuple[int, float] | None]:
    """Amounts (file order) added up one after another, as `RowsTally` does: the total, the
    positions of those to name (`pick`) and the others' count and sum (None: none left)."""
    named, skipped = pick(values, most)
    total = reduce(operator.add, values, 0.0)
    rest = None if skipped is None else (len(skipped), reduce(operator.add, [values[j] for j in skipped], 0.0))
    return total, named, rest


def pick(values: Sequence[float], most: int) -> tuple[Sequence[int], list[int] | None]:
    """The positions of the amounts to name: every one when there are `most` or fewer, else the
    `most` largest, largest first, ties in file order; and of the others, in file order (None:
    none left).

    >>> pick([3.0, 5.0, 3.0, 1.0], 2)
    ([1, 0], [2, 3])
    """
    k = len(values)
    if k <= most:
        return range(k), None
    named = heapq.nlargest(most, range(k), key=values.__getitem__)
    return named, sorted(set(range(k)).difference(named))


class _Indexes(dict):
    """Name indexes by kind, each built from its listing when first used."""

    def __init__(self, listings: dict[str, Callable[[], list]]):
        super().__init__()
        self.listings = listings

    def __missing__(self, kind: str) -> NameIndex:
        index = self[kind] = NameIndex(kind, self.listings[kind]())
        return index


@dataclass(frozen=True)
class FirmTally:
    """One product's capacity rows (in a region, of some statuses) by firm (`Backend.firm_tallies`):
    how many rows; how many firms they name (`firms`); the firms named first (`named`): every one,
    by id, when there are `most` or fewer, else the `most` whose rows' amounts (`capacity_base`)
    add up to the most (ties by id); how many rows name no firm (`unnamed`) and how many state no
    amount (`unstated`); and, when every row names a firm and states an amount, each firm's
    amounts added up in file order, firms in the order of their first row (`held`; else None)."""

    rows: int
    firms: int
    named: tuple[str, ...]
    unnamed: int = 0
    unstated: int = 0
    held: dict[str, float] | None = None


def firm_tally(firms: Sequence, amounts: Sequence[float | None], most: int,
               name: Callable[[Any], str] | None = None) -> FirmTally:
    """The `FirmTally` of one product's rows from their firms and amounts (file order). A row's
    firm is its id, or any key `name` turns into the id (the embedded store: the firm's row), None
    for none; an amount None or NaN for none. Only the firms that can be named get their ids."""
    held: dict = {}  # firm -> its amounts added up, in the order of its first row
    unnamed = unstated = 0
    for firm, amount in zip(firms, amounts):
        stated = amount is not None and amount == amount
        unstated += not stated
        if firm is None or firm == "":
            unnamed += 1
        else:
            held[firm] = held.get(firm, 0.0) + amount if stated else held.get(firm, 0.0)
    candidates = list(held)
    if len(held) > most:  # the firms of the `most` largest amounts, and any tied with the last of them
        least = sorted(held.values(), reverse=True)[most - 1]
        candidates = [f for f in candidates if held[f] >= least]
    ids = {(name(f) if name else f): f for f in candidates}
    named = sorted(ids)
    if len(held) > most:
        named.sort(key=lambda i: -held[ids[i]])  # stable: ties stay by id
    every = None
    if not unnamed and not unstated:
        every = {(name(f) if name else f): amount for f, amount in held.items()}
    return FirmTally(len(firms), len(held), tuple(named[:most]), unnamed, unstated, every)


class Backend(ABC):
    """A dataset loaded into a graph store.

    Listings return records (graph/model.py) in file order. Filters take ids; turn user input into
    ids with the `resolve_*` methods, which accept an id, Chinese or English name or alias.
    The aggregations (`capacity_statuses`, `capacities_by_product`, `capacity_columns`, `capacity_sums`,
    `producers_outside`) have
    plain implementations here, built on the listings; a server answers each with one query.
    """

    name: str

    @property
    @abstractmethod
    def data_dir(self) -> str:
        """The dataset folder the graph was built from."""

    @abstractmethod
    def home_region(self) -> Region:
        """The dataset's own region (home=yes)."""

    @abstractmethod
    def regions(self) -> list[Region]: ...

    @abstractmethod
    def products(self) -> list[Product]: ...

    @abstractmethod
    def firms(self) -> list[Firm]: ...

    @abstractmethod
    def chains(self) -> list[Chain]: ...

    @abstractmethod
    def capacities(self, product: str | None = None, firm: str | None = None,
                   region: str | None = None) -> list[Capacity]:
        """MAKES rows, filtered by product id, firm id, and region id (the region or any below it)."""

    @abstractmethod
    def targets(self, region: str | None = None, product: str | None = None) -> list[Target]:
        """Targets, filtered by region id (the region or any below it) and product id."""

    @abstractmethod
    def links(self, type: str | None = None) -> list[Link]:
        """FEEDS and YIELDS links, or those of one type."""

    @abstractmethod
    def conversions(self) -> list[Conversion]:
        """Capacity-to-output conversions (electricity: kW installed -> kWh a year)."""

    @abstractmethod
    def product_graph(self) -> nx.DiGraph:
        """A new DiGraph: products as nodes, FEEDS/YIELDS links as edges with attribute `type`."""

    def capacity_statuses(self, region: str) -> dict[str, str]:
        """The best status (operating > building > planned) of each product's MAKES rows in the
        region id and below it; products without rows are left out. A server aggregates this itself.
        """
        best: dict[str, str] = {}
        for row in self.capacities(region=region):
            if row.product not in best or STATUSES.index(row.status) < STATUSES.index(best[row.product]):
                best[row.product] = row.status
        return best

    def capacities_by_product(self, region: str, statuses: Iterable[str] | None = None,
                              products: Iterable[str] | None = None) -> dict[str, list[Capacity]]:
        """The MAKES rows of the region id and below it, of the given statuses (default: all) and
        of the given product ids (default: all), grouped by product id: rows in file order,
        products in the order of their first row; products without rows are left out. One call
        for every product (a server groups them in one query) instead of
        `capacities(product=..., region=...)` per product.
        """
        wanted = None if statuses is None else set(statuses)
        only = None if products is None else set(products)
        grouped: dict[str, list[Capacity]] = {}
        for row in self.capacities(region=region):
            if (wanted is None or row.status in wanted) and (only is None or row.product in only):
                grouped.setdefault(row.product, []).append(row)
        return grouped

    def capacity_columns(self, region: str, statuses: Iterable[str] | None = None,
                         fields: Iterable[str] = ("firm", "capacity_base"),
                         products: Iterable[str] | None = None) -> dict[str, dict[str, list]]:
        """`capacities_by_product(region, statuses, products)` as columns: per product id (same
        order), for each of `fields` (Capacity's field names) the list of its rows' values (same
        order). What a question adding up a region's many rows per product reads, without a record
        per row.
        """
        fields = tuple(fields)
        return {product: {f: [getattr(r, f) for r in rows] for f in fields}
                for product, rows in self.capacities_by_product(region, statuses, products).items()}

    def capacity_tallies(self, region: str, statuses: Iterable[str] | None, fields: Iterable[str], most: int,
                         products: Iterable[str] | None = None) -> dict[str, RowsTally]:
        """Per product of `capacity_columns(region, statuses, fields, products)` (same order): its
        rows as `tally_rows` sums them: where a sum says all, the sum and the fields of the
        `most` largest rows and of the first `most` rows without a capacity, not of every row.
        What a question adding up a city's rows per product reads (`balance`): a server sums
        on its side and sends a few rows per product; the embedded store adds up its columns. For
        a few products (`products`) a backend reads their rows alone, or answers from the
        region's, as suits it."""
        fields = tuple(fields)
        found = {}
        for pid, columns in self.capacity_columns(region, statuses, dict.fromkeys((*fields, *TALLIED)), products).items():
            found[pid] = tally_rows(*(list(columns[f]) for f in TALLIED),
                                    lambda ks, c=columns: {f: [c[f][k] for k in ks] for f in fields}, most)
        return found

    def firm_tallies(self, region: str, statuses: Iterable[str] | None, most: int,
                     products: Iterable[str] | None = None) -> dict[str, FirmTally]:
        """Per product of `capacity_columns(region, statuses, products=products)` (same order): its
        rows by firm (`FirmTally`), what a question about who a product depends on reads
        (`bottlenecks`). Here from the rows' firm and amount columns (a server sends those two
        fields a row: adding them up per firm on the server cost more than sending them); the
        embedded store adds up on its arrays."""
        return {pid: firm_tally(list(columns["firm"]), list(columns["capacity_base"]), most) for pid, columns in
                self.capacity_columns(region, statuses, ("firm", "capacity_base"), products).items()}

    def largest_columns(self, region: str, fields: Iterable[str], most: int,
                        products: Iterable[str] | None = None) -> dict[str, tuple[dict[str, list], int]]:
        """Per product of `capacity_columns(region, None, fields, products)`: the columns of its
        rows when it has `most` rows or fewer (file order), else of its `most` largest by
        `capacity_base` (unstated last, ties in file order), largest first; and how many rows it
        has. What a drawing of a region's many rows shows (a server picks them: `most` rows of a
        product are sent, not all)."""
        fields = tuple(fields)
        found = {}
        asked = tuple(dict.fromkeys((*fields, "capacity_base")))
        for pid, columns in self.capacity_columns(region, None, asked, products).items():
            sizes = columns["capacity_base"]
            numbers: Iterable[int] = range(len(sizes))
            if len(sizes) > most:
                sizes = list(sizes)  # (a column at a time, not a cell)
                numbers = sorted(numbers, key=lambda i: -sizes[i] if sizes[i] is not None else math.inf)[:most]
            found[pid] = ({f: take(columns[f], numbers) for f in fields}, len(columns["capacity_base"]))
        return found

    def capacity_sums(self, region: str, statuses: Iterable[str] | None = None,
                      listed: bool = True, products: Iterable[str] | None = None) -> dict[str, CapacitySums]:
        """`capacities_by_product(region, statuses)` with each product's rows summed (`CapacitySums`:
        the plain rows' amounts added up, the others listed), for a question that needs totals and
        not every row (`whatif`): a server sends per-product sums instead
        of a city's rows (146,000 at a million firms). Products in the order of their first row.
        `listed=False`: beside a sum, the rows without any figure are only counted (in `rows`),
        not listed, for a question that does not name them (`whatif`). `products`: of these products
        only (a backend reads their rows alone, or answers from the region's sums, as suits it).
        """
        found = {pid: sum_rows(rows) for pid, rows in self.capacities_by_product(region, statuses, products).items()}
        return found if listed else {pid: unlisted(s) for pid, s in found.items()}

    def producers_outside(self, region: str, products: Iterable[str] | None = None,
                          firms: Iterable[str] | None = None) -> list[Capacity]:
        """MAKES rows of named firms whose row's region is neither the region id nor below it, in
        file order; only of some product ids and only of some firm ids when given. The offers
        elsewhere (`candidates`), found by the store rather than by scanning every capacity row.
        """
        local = self.subregions(region)
        products = None if products is None else set(products)
        firms = None if firms is None else set(firms)
        return [row for row in self.capacities() if row.firm and row.region not in local
                and (products is None or row.product in products) and (firms is None or row.firm in firms)]

    def close(self) -> None:
        """Release connections; nothing to do for in-process backends."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- names and regions, built on the listings --------------------------------------------

    @cached_property
    def _indexes(self) -> dict[str, NameIndex]:
        # each kind's names indexed when first looked up: resolving a product indexes no firm
        return _Indexes({"product": self.products, "chain": self.chains, "firm": self.firms,
                         "region": self.regions})

    def resolve_product(self, name: str) -> Product:
        """The product called `name` (id, 中文名, English name or alias; Latin case ignored)."""
        return self._indexes["product"].resolve(name)

    def resolve_chain(self, name: str) -> Chain:
        return self._indexes["chain"].resolve(name)

    def resolve_firm(self, name: str) -> Firm:
        """The firm called `name`; a server looks it up in its indexes instead of listing firms."""
        return self._indexes["firm"].resolve(name)

    def resolve_region(self, name: str) -> Region:
        return self._indexes["region"].resolve(name)

    # -- firms by id, region, group; counts: a server answers each with an indexed query ----------

    def firms_by_id(self, ids: Iterable[str]) -> dict[str, Firm]:
        """The firms with these ids (unknown ids left out), by id."""
        by_id = self._indexes["firm"].by_id
        return {i: by_id[i] for i in ids if i in by_id}

    def firm_names(self, ids: Iterable[str], shown: bool = True) -> dict[str, str]:
        """The names of the firms with these ids as the current language shows them (`i18n.name`),
        or with `shown=False` their `name_zh` (what JSON name fields keep), by id; unknown ids left
        out. What a listing of many capacity rows shows of their firms."""
        from ..i18n import name
        return {i: name(firm) if shown else firm.name_zh for i, firm in self.firms_by_id(ids).items()}

    def firms_in(self, region: str) -> list[Firm]:
        """The firms located in the region id or below it, in file order."""
        regions = self.subregions(region)
        return [f for f in self.firms() if f.region in regions]

    def subsidiaries(self, firm: str) -> set[str]:
        """The firm id and the ids of every firm or plant below it (PART_OF)."""
        children: dict[str, list[str]] = {}
        for fid, parent in self._firm_parents():
            if parent:
                children.setdefault(parent, []).append(fid)
        found, todo = set(), [firm]
        while todo:
            if (current := todo.pop()) not in found:
                found.add(current)
                todo.extend(children.get(current, ()))
        return found

    def _firm_parents(self) -> Iterable[tuple[str, str | None]]:
        """(id, parent id) of every firm."""
        return ((f.id, f.parent) for f in self.firms())

    def count(self, kind: str) -> int:
        """How many records of a kind (`firms`, `capacities`, or any other listing) there are."""
        return len(getattr(self, kind)())

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for region in self.regions():
            if region.parent:
                children.setdefault(region.parent, []).append(region.id)
        return children

    def subregions(self, region: str) -> set[str]:
        """The region id and the ids of every region below it (district, park ...)."""
        found, todo = set(), [region]
        while todo:
            if (current := todo.pop()) not in found:  # the loader rejects cycles; this guards anyway
                found.add(current)
                todo.extend(self._children.get(current, ()))
        return found
