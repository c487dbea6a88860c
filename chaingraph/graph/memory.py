"""The in-process backend: the dataset's compiled store (graph/store.py), walked by its row indexes."""
from __future__ import annotations

import dataclasses
import itertools
import operator
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from .backend import TALLIED, Backend, FirmTally, RowsTally, add_up, firm_tally, tally_rows
from .store import Store, Table, open_store
from .model import Capacity, Chain, Conversion, Dataset, Firm, Link, Product, Region, Target

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["MemoryBackend", "build_graph"]


class _Cells(Sequence):
    """One column of some capacity rows (`MemoryBackend.capacity_columns`): a cell read by its
    index is decoded alone; the whole column (iterated, searched, counted) is decoded once, column
    at a time. A question that adds up every row's capacity but names a few firms decodes the
    capacity column of every row and the firm column of those few."""

    __slots__ = ("_table", "_field", "_numbers", "_get", "_list", "_noted")

    def __init__(self, table: Table, field: str, numbers: list[int], get: Callable[[int], Any],
                 noted: dict[str, int] | None = None):
        self._table, self._field, self._numbers, self._get, self._list = table, field, numbers, get, None
        self._noted = noted  # for a column of firms: firm id -> its row, filled as they are read

    def _all(self) -> list:
        if self._list is None:
            self._list = self._table._cells(self._field, self._numbers)
            if self._noted is not None:
                codes = self._table.columns[self._field][2]
                self._noted.update({f: codes[i] for f, i in zip(self._list, self._numbers) if f is not None})
        return self._list

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, k):
        if self._list is not None or isinstance(k, slice):
            return self._all()[k]
        return self._get(self._numbers[k])

    def take(self, ks: Iterable[int]) -> list:
        """The cells at positions `ks`, decoded in one pass over the column (a few rows of many
        named, without a call per cell); `[self[k] for k in ks]`."""
        if self._list is not None:
            return [self._list[k] for k in ks]
        picked = [self._numbers[k] for k in ks]
        values = self._table._cells(self._field, picked)
        if self._noted is not None:
            codes = self._table.columns[self._field][2]
            self._noted.update({f: codes[i] for f, i in zip(values, picked) if f is not None})
        return values

    def __iter__(self) -> Iterator:
        return iter(self._all())

    def __contains__(self, value: object) -> bool:
        return value in self._all()

    def count(self, value: object) -> int:
        return self._all().count(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(self._all())


def build_graph(ds: Dataset) -> nx.MultiDiGraph:
    """The knowledge graph of DESIGN.md. Nodes are `(label, id)` with attributes `label`, `id`
    and `record`; edges carry `type` (FEEDS, YIELDS, HAS_STEP, MAKES, LOCATED_IN, TARGETS,
    PART_OF), the relationship's properties, and `record` where one row made them.
    """
    import networkx as nx  # here: opening the store needs no graph library
    g = nx.MultiDiGraph()
    for label, records in (("Region", ds.regions), ("Product", ds.products), ("Firm", ds.firms),
                           ("Chain", ds.chains), ("Target", ds.targets)):
        for r in records:
            g.add_node((label, r.id), label=label, id=r.id, record=r)
    for region in ds.regions:
        if region.parent:
            g.add_edge(("Region", region.id), ("Region", region.parent), type="PART_OF")
    for firm in ds.firms:
        g.add_edge(("Firm", firm.id), ("Region", firm.region), type="LOCATED_IN")
        if firm.parent:
            g.add_edge(("Firm", firm.id), ("Firm", firm.parent), type="PART_OF")
    for chain in ds.chains:
        for step in chain.steps:
            for product in step.products:
                g.add_edge(("Chain", chain.id), ("Product", product), type="HAS_STEP",
                           order=step.order, label=step.label)
    for c in ds.capacities:
        maker = ("Firm", c.firm) if c.firm else ("Region", c.region)  # unnamed producers: the region
        g.add_edge(maker, ("Product", c.product), type="MAKES", capacity=c.capacity, unit=c.unit,
                   status=c.status, year=c.year, source=c.source, project=c.project, record=c)
    for t in ds.targets:
        # DESIGN: (Region)-[:TARGETS]->(Product); economy-wide targets point at their Target node
        goal = ("Product", t.product) if t.product else ("Target", t.id)
        g.add_edge(("Region", t.region), goal, type="TARGETS", value=t.value, unit=t.unit,
                   year=t.year, source=t.source, record=t)
    for link in ds.links:
        g.add_edge(("Product", link.from_), ("Product", link.to), **_link_properties(link), record=link)
    for conv in ds.conversions:  # a property of the product: what its capacity yields a year
        g.nodes["Product", conv.product]["conversion"] = conv
    return g


_LINK_PROPERTIES = tuple(f.name for f in fields(Link) if f.name not in ("from_", "to", "line"))
_link_values = attrgetter(*_LINK_PROPERTIES)


def _link_properties(link: Link) -> dict:
    # the fields are plain values: no deep copy (dataclasses.asdict) needed
    return dict(zip(_LINK_PROPERTIES, _link_values(link)))


# A region of this many capacity rows or more is added up with numpy (graph/arrays.py) in a
# process that has not imported it yet: its import (about 0.17 s of CPU here) costs more than the
# pure-Python paths take on fewer rows (they take about 2.5 µs a row more for `capacity_tallies`,
# 4 µs with `firm_tallies`; at 100k firms, 14,600 rows in the largest city, numpy was 0.04-0.16 s slower)
NUMPY_FROM = 50_000


def _kernels() -> Any:
    """The numpy paths (graph/arrays.py); None where numpy is not installed (the pure-Python
    paths answer the same)."""
    try:
        from . import arrays
    except ImportError:
        return None
    return arrays


def _as_array(kernels: Any, codes: Sequence[int]) -> Any:
    """A column's codes (`MemoryBackend._codes`) as a numpy array: a view of the store's own, or
    of a list made for a column stored otherwise."""
    import numpy as np
    return np.asarray(codes, dtype=np.int64) if isinstance(codes, list) else kernels.view(codes)


class MemoryBackend(Backend):
    """The default backend: no server, the dataset in this process.

    The records come from the dataset's compiled store (graph/store.py): read and validated from
    the CSVs by the first command, opened in a moment by every later one. Queries walk the
    store's row indexes (capacity rows by product, firm and region; targets by product), so a
    question about one region builds the records of that region's rows and not the others.

    Examples
    --------
    >>> g = MemoryBackend()
    >>> g.resolve_product("PVC").id
    'pvc'
    """

    name = "memory"

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, dataset: Dataset | None = None):
        self.store = Store.from_dataset(dataset) if dataset is not None else open_store(data_dir)
        self._firms = self.store.tables["firms"]
        self._capacities = self.store.tables["capacities"]

    @property
    def data_dir(self) -> str:
        return self.store.data_dir

    @cached_property
    def dataset(self) -> Dataset:
        """Every record (builds them all: for tools, not for queries)."""
        return self.store.dataset()

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The whole knowledge graph of DESIGN.md (`build_graph`), built when first asked for."""
        return build_graph(self.dataset)

    def home_region(self) -> Region:
        return next(r for r in self.store.records("regions") if r.id == self.store.home_region)

    def regions(self) -> list[Region]:
        return list(self.store.records("regions"))

    def products(self) -> list[Product]:
        return list(self.store.records("products"))

    def firms(self) -> list[Firm]:
        return list(self._firms.all())

    def chains(self) -> list[Chain]:
        return list(self.store.records("chains"))

    @cached_property
    def _products_by_id(self) -> dict[str, Product]:
        return {p.id: p for p in self.store.records("products")}

    def resolve_product(self, name: str) -> Product:
        # an exact id wins over any name (NameIndex.resolve): no index of every name needed
        if "product" not in self._indexes and name in self._products_by_id:
            return self._products_by_id[name]
        return super().resolve_product(name)

    @cached_property
    def _firm_ids(self) -> dict[str, Firm]:
        return {}  # the firms looked up by id so far

    def resolve_firm(self, name: str) -> Firm:
        # an exact id wins over any name (NameIndex.resolve): look it up without indexing every name
        if name in self._firm_ids:
            return self._firm_ids[name]
        if "firm" not in self._indexes and (row := self._firm_row(name)) is not None:
            firm = self._firm_ids[name] = self._firms.row(row)
            return firm
        return super().resolve_firm(name)

    def firms_by_id(self, ids: Iterable[str]) -> dict[str, Firm]:
        known, ids = self._firm_ids, list(dict.fromkeys(ids))
        wanted = [i for i in ids if i not in known]
        # the firms of capacity rows built so far: their row numbers are known (no search by id)
        numbers = {i: self._firm_row(i) for i in wanted}
        numbers = {i: n for i, n in numbers.items() if n is not None}
        known.update(zip(numbers, self._firms.rows(numbers.values())))  # built column by column
        return {i: known[i] for i in ids if i in known}

    def firm_names(self, ids: Iterable[str], shown: bool = True) -> dict[str, str]:
        # the name columns alone, for the firms not built yet: no record of every firm of a large region
        from ..i18n import current, name
        known, noted = self._firm_ids, self._firm_rows
        found: dict = {}
        rows: dict[str, int] = {}  # the firms not built: their rows, named below a column at a time
        for i in ids:
            if i not in found:
                if i in known:
                    found[i] = name(known[i]) if shown else known[i].name_zh
                elif (row := noted.get(i)) is not None or (row := self.store.firm_row(i)) is not None:
                    found[i] = rows[i] = row
        if rows:
            numbers = list(rows.values())
            english = shown and current() == "en"
            names = self._firms.cells("name_en" if english else "name_zh", numbers)
            if english and not all(names):  # no English name: the Chinese one, as `i18n.name` shows a firm
                missing = [k for k, en in enumerate(names) if not en]
                for k, zh in zip(missing, self._firms.cells("name_zh", [numbers[k] for k in missing])):
                    names[k] = zh
            found.update(zip(rows, names))
        return found

    @cached_property
    def _firm_rows(self) -> dict[str, int]:
        return {}  # firm id -> its row, for the firms of the capacity rows built so far

    def _firm_row(self, firm_id: str) -> int | None:
        row = self._firm_rows.get(firm_id)
        return self.store.firm_row(firm_id) if row is None else row

    def _capacity_records(self, numbers: list[int]) -> list[Capacity]:
        """The capacity rows `numbers`, noting the row of each one's firm (the table's reference)."""
        records = self._capacities.rows(numbers)
        column = self._capacities.columns.get("firm")
        if column is not None and column[0] == "ref":  # the firm column holds the firms' row numbers
            codes, rows = column[2], self._firm_rows
            for i, record in zip(numbers, records):
                if record.firm is not None and record.firm not in rows:
                    rows[record.firm] = codes[i]
        return records

    def _firm_parents(self) -> Iterable[tuple[str, str | None]]:
        # from the id and parent columns: no record of every firm
        return zip(self._firms.column("id"), self._firms.column("parent"))

    def count(self, kind: str) -> int:
        if kind in ("firms", "capacities"):
            return len(self.store.tables[kind])
        return super().count(kind)

    def _capacity_rows(self, product: str | None = None, firm: str | None = None,
                       region: str | None = None) -> list[int]:
        """Row numbers of the capacity rows asked for, in file order."""
        rows = None
        for by, key in (("product", product), ("firm", firm)):
            if key is not None:
                found = self.store.rows("capacities", by, key)
                rows = found if rows is None else sorted(set(rows) & set(found))
        if region is not None and rows is not None:  # a product's or firm's rows: their own region column
            local, region_of = self.subregions(region), self._capacities.getter("region")
            rows = [i for i in rows if region_of(i) in local]
        elif region is not None:
            local = [self.store.rows("capacities", "region", r) for r in self.subregions(region)]
            rows = sorted(i for group in local for i in group) if len(local) > 1 else (local or [[]])[0]
        return list(range(len(self._capacities))) if rows is None else list(rows)

    def capacities(self, product: str | None = None, firm: str | None = None,
                   region: str | None = None) -> list[Capacity]:
        if product is None and firm is None and region is None:
            return list(self._capacities.all())
        return self._capacity_records(self._capacity_rows(product, firm, region))

    @cached_property
    def _by_region(self) -> dict[tuple, dict]:
        return {}  # per region (and statuses): what the two methods below found, as the store does not change

    def capacity_statuses(self, region: str) -> dict[str, str]:
        if ("statuses", region) not in self._by_region:
            self._by_region["statuses", region] = self.store.best_statuses(self.subregions(region))
        return dict(self._by_region["statuses", region])

    def _numbers_by_product(self, region: str, statuses: Iterable[str] | None) -> dict[str, list[int]]:
        """The region's capacity row numbers of the statuses asked for (default: all), by product
        id: rows in file order, products in the order of their first row (`capacities_by_product`)."""
        key = ("numbers", region, None if statuses is None else frozenset(statuses))
        found = self._by_region.get(key)
        if found is None:
            products, product = self._capacities.codes("product")
            groups: dict[int, list[int]] = {}
            numbers = self._capacity_rows(region=region)
            if statuses is not None:
                names, status = self._capacities.codes("status")
                keep = {n for n, s in enumerate(names) if s in key[2]}
                numbers = [i for i in numbers if status[i] in keep]
            for i in numbers:
                group = groups.get(product[i])
                if group is None:
                    groups[product[i]] = [i]
                else:
                    group.append(i)
            found = self._by_region[key] = {products[p]: group for p, group in groups.items()}
        return found

    def capacity_columns(self, region: str, statuses: Iterable[str] | None = None,
                         fields: Iterable[str] = ("firm", "capacity_base"),
                         products: Iterable[str] | None = None) -> dict[str, dict[str, list]]:
        # cut from the store's columns: no record built for the region's rows
        fields, table = tuple(fields), self._capacities
        if products is not None:  # a few products: their rows by the product index (`capacities_by_product`)
            return super().capacity_columns(region, statuses, fields, products)
        grouped = self._numbers_by_product(region, statuses)
        getters = {f: self._cell(f) for f in fields}
        firms = self._firm_rows if table.columns["firm"][0] == "ref" else None
        return {product: {f: _Cells(table, f, numbers, getters[f], firms if f == "firm" else None) for f in fields}
                for product, numbers in grouped.items()}

    def capacity_tallies(self, region: str, statuses: Iterable[str] | None, fields: Iterable[str], most: int,
                         products: Iterable[str] | None = None) -> dict[str, RowsTally]:
        # added up on the store's arrays (`_sum_rows`): no value decoded but the amounts summed and
        # the asked fields of the rows named, read for every product at once. A few products: their
        # rows by the product index, not the region's
        fields, table = tuple(fields), self._capacities
        columns = table.columns
        arrays = all(columns[f][0] in ("float", "none") for f in TALLIED[:4]) and columns["base_unit"][0] == "codes" \
            and not columns["base_unit"][1]
        if arrays and products is None and (kernels := self._kernels(region)) is not None:
            return self._tallies_of_arrays(kernels, region, statuses, fields, most)
        grouped = (self._numbers_by_product(region, statuses) if products is None
                   else self._numbers_of_products(region, statuses, products))
        found: dict[str, RowsTally | None] = {}
        picked: list[int] = []  # the rows named, of every product, in turn
        for pid, numbers in grouped.items():
            summed = self._sum_rows(numbers, most) if arrays else None
            if summed is None:  # a range, or an amount not stated: the product's rows decoded (`tally_rows`)
                found[pid] = tally_rows(*(table._cells(f, numbers) for f in TALLIED),
                                        lambda ks, numbers=numbers: self._cells_of([numbers[k] for k in ks], fields),
                                        most)
            else:
                rows, named = summed
                found[pid] = (rows, len(picked), len(named))
                picked.extend(named)
        cells = self._cells_of(picked, fields)
        for pid, tally in found.items():
            if isinstance(tally, tuple):
                rows, at, k = tally
                found[pid] = dataclasses.replace(rows, columns={f: cells[f][at:at + k] for f in fields})
        return found

    def _kernels(self, region: str) -> Any:
        """The numpy paths for a question adding up the region's rows per product: where numpy is
        imported already, or the region has `NUMPY_FROM` rows or more (else None: the pure paths)."""
        if "numpy" not in sys.modules and sum(len(self.store.rows("capacities", "region", r))
                                              for r in self.subregions(region)) < NUMPY_FROM:
            return None
        return _kernels()

    def _grouped(self, kernels: Any, region: str, statuses: Iterable[str] | None) -> tuple:
        """`_numbers_by_product` as numpy arrays: the region's rows of these statuses regrouped by
        product (rows in file order, products in the order of their first row), each group's start
        and length, the products' ids, and each row's group (its product's place in them)."""
        key = ("grouped", region, None if statuses is None else frozenset(statuses))
        found = self._by_region.get(key)
        if found is None:
            import numpy as np
            rows = kernels.region_rows([self.store.rows("capacities", "region", r) for r in self.subregions(region)])
            products, product = self._capacities.codes("product")
            of_rows = _as_array(kernels, product)[rows]
            if statuses is not None:
                names, status = self._capacities.codes("status")
                kept = np.isin(_as_array(kernels, status)[rows], [n for n, s in enumerate(names) if s in key[2]])
                rows, of_rows = rows[kept], of_rows[kept]
            rows, starts, lengths, codes = kernels.group(rows, of_rows)
            of_row = np.repeat(np.arange(len(starts)), lengths)
            found = self._by_region[key] = (rows, starts, lengths, [products[c] for c in codes.tolist()], of_row)
        return found

    def _tallies_of_arrays(self, kernels: Any, region: str, statuses: Iterable[str] | None, fields: tuple[str, ...],
                           most: int) -> dict[str, RowsTally]:
        """`capacity_tallies` of every product of the region, with numpy on the store's arrays
        (graph/arrays.py): what `_sum_rows` finds per product, for every product at once; a
        product whose rows cannot be summed (a range, an amount not stated, several base units)
        is tallied row by row (`tally_rows`), as there."""
        import numpy as np
        table, columns = self._capacities, self._capacities.columns
        rows, starts, lengths, pids, of_row = self._grouped(kernels, region, statuses)
        n, groups = len(rows), len(starts)

        def floats(f: str) -> np.ndarray:
            return kernels.view(columns[f][1])[rows] if columns[f][0] == "float" else np.full(n, np.nan)

        def per_group(mask: np.ndarray) -> np.ndarray:  # how many rows of each group the mask holds
            return np.bincount(of_row[mask], minlength=groups)
        caps = floats("capacity")
        stated = caps == caps  # not NaN: a capacity stated
        k = per_group(stated)
        rowwise = np.zeros(groups, dtype=bool)  # a range, an amount not stated, several base units
        for f in ("capacity_min", "capacity_max"):
            if columns[f][0] == "float":
                bounds = floats(f)
                rowwise |= per_group(bounds == bounds) > 0
        amounts = floats("capacity_base")
        rowwise |= per_group(stated & (amounts != amounts)) > 0
        units = kernels.view(columns["base_unit"][3])[rows].astype(np.int64)
        if groups:
            low = np.minimum.reduceat(np.where(stated, units, len(columns["base_unit"][2])), starts)
            rowwise |= (k > 0) & (low != np.maximum.reduceat(np.where(stated, units, -2), starts))
        else:
            low = k
        summed = ~rowwise
        # the stated rows of the summed products: their amounts in file order, group by group
        at = np.flatnonzero(stated & summed[of_row])
        group_of, values = of_row[at], amounts[at]
        counts = np.where(summed, k, 0)
        first = kernels.starts_of(counts)
        totals = kernels.segment_sums(values, first, counts)
        many = counts > most  # the `most` largest named, largest first (ties in file order); else all, in file order
        order = np.lexsort((np.where(many[group_of], -values, 0.0), group_of))
        named = kernels.leading(order, group_of[order], first, most)
        rest = values.copy()
        rest[named] = 0.0  # x + 0.0 is x for any running sum from 0.0 (never -0.0): the others' sum
        rests = np.zeros(groups)
        rests[many] = kernels.segment_sums(rest, first[many], counts[many])
        # the first `most` rows of no capacity
        blank = np.flatnonzero(~stated & summed[of_row])
        opens = np.where(summed, lengths - k, 0)
        blank = kernels.leading(blank, of_row[blank], kernels.starts_of(opens), most)
        # the rows named, product by product: the largest, then those of no capacity
        picked_of = np.concatenate((of_row[at[named]], of_row[blank]))
        order = np.lexsort((np.repeat([0, 1], [len(named), len(blank)]), picked_of))
        picked = np.concatenate((rows[at[named]], rows[blank]))[order]
        parts = self._cells_by_group(kernels, picked, np.bincount(picked_of, minlength=groups), fields)
        found: dict[str, RowsTally] = {}
        unit_names = columns["base_unit"][2]
        lists = (starts.tolist(), lengths.tolist(), k.tolist(), rowwise.tolist(), low.tolist(), totals.tolist(),
                 rests.tolist())
        for pid, start, length, stated_rows, odd, unit, total, others, part in zip(pids, *lists, parts):
            if odd:  # the product's rows decoded (`tally_rows`)
                numbers = rows[start:start + length].tolist()
                found[pid] = tally_rows(*(table._cells(f, numbers) for f in TALLIED),
                                        lambda ks, numbers=numbers: self._cells_of([numbers[j] for j in ks], fields),
                                        most)
                continue
            found[pid] = RowsTally(length, part, True,
                                   unit_names[unit] if stated_rows and unit >= 0 else None, stated_rows, total,
                                   min(stated_rows, most), (stated_rows - most, others) if stated_rows > most else None,
                                   length - stated_rows)
        return found

    def _cells_by_group(self, kernels: Any, picked: Any, counts: Any, fields: tuple[str, ...]) -> list[dict[str, list]]:
        """The cells in `fields` of the capacity rows `picked` (numpy, group after group; `counts`:
        how many of each group), read a column at a time: a dict of columns per group. The firms'
        rows noted (naming them later needs no search by id)."""
        import numpy as np
        columns = self._capacities.columns
        cells = {f: kernels.cells(self._capacities, f, picked) for f in fields}
        if "firm" in cells and columns["firm"][0] == "ref":
            self._firm_rows.update(zip(cells["firm"], kernels.view(columns["firm"][2])[picked].tolist()))
            self._firm_rows.pop(None, None)
        ends = np.cumsum(counts)
        bounds = list(zip((ends - counts).tolist(), ends.tolist()))
        if not fields:
            return [{} for _ in bounds]
        return [dict(zip(fields, part)) for part in zip(*([column[a:b] for a, b in bounds] for column in cells.values()))]

    def largest_columns(self, region: str, fields: Iterable[str], most: int,
                        products: Iterable[str] | None = None) -> dict[str, tuple[dict[str, list], int]]:
        # a large region: the rows picked with numpy for every product at once, their cells read together
        fields = tuple(fields)
        if products is not None or (kernels := self._kernels(region)) is None \
                or self._capacities.columns["capacity_base"][0] != "float":
            return super().largest_columns(region, fields, most, products)
        import numpy as np
        rows, starts, lengths, pids, of_row = self._grouped(kernels, region, None)
        sizes = kernels.view(self._capacities.columns["capacity_base"][1])[rows]
        # more than `most` rows: the largest first, none stated last, ties in file order; else file order
        key = np.where(lengths[of_row] > most, np.where(sizes == sizes, -sizes, np.inf), 0.0)
        order = np.lexsort((key, of_row))
        order = kernels.leading(order, of_row[order], starts, most)
        parts = self._cells_by_group(kernels, rows[order], np.minimum(lengths, most), fields)
        return {pid: (part, n) for pid, part, n in zip(pids, parts, lengths.tolist())}

    def _sum_rows(self, numbers: list[int], most: int) -> tuple[RowsTally, list[int]] | None:
        """`tally_rows` of the rows `numbers` on the store's arrays (amounts as `array('d')`, NaN
        for none; the base unit coded), without a value decoded but the amounts added up: the
        tally (its columns empty) and the rows to name; None when the rows cannot be summed."""
        columns = self._capacities.columns
        same = float.__eq__  # x == x: a number, not NaN (an empty cell)
        for f in ("capacity_min", "capacity_max"):
            if columns[f][0] == "float" and any(map(same, found := list(map(columns[f][1].__getitem__, numbers)),
                                                    found)):
                return None  # a range
        n = len(numbers)
        if columns["capacity"][0] == "float":
            caps = list(map(columns["capacity"][1].__getitem__, numbers))
            flags = list(map(same, caps, caps))
            stated = numbers if all(flags) else list(itertools.compress(numbers, flags))
        else:
            flags, stated = [False] * n, []
        if stated and columns["capacity_base"][0] != "float":
            return None
        values = list(map(columns["capacity_base"][1].__getitem__, stated)) if stated else []
        codes = set(map(columns["base_unit"][3].__getitem__, stated))
        if not all(map(same, values, values)) or len(codes) > 1:
            return None
        total, named, rest = add_up(values, most)
        k = len(values)
        opens = list(itertools.islice(itertools.compress(numbers, map(operator.not_, flags)), most))
        code = codes.pop() if codes else -1
        return (RowsTally(n, {}, True, columns["base_unit"][2][code] if code >= 0 else None, k, total, len(named), rest,
                          n - k), [stated[j] for j in named] + opens)

    def _cells_of(self, numbers: list[int], fields: tuple[str, ...]) -> dict[str, list]:
        """The cells of these capacity rows in `fields`, a column at a time; the firms' rows noted
        (naming them later needs no search by id)."""
        table = self._capacities
        values = {f: table._cells(f, numbers) for f in fields}
        firms = table.columns["firm"]
        if "firm" in values and firms[0] == "ref":
            codes, noted = firms[2], self._firm_rows
            noted.update({f: codes[i] for f, i in zip(values["firm"], numbers) if f is not None})
        return values

    def firm_tallies(self, region: str, statuses: Iterable[str] | None, most: int,
                     products: Iterable[str] | None = None) -> dict[str, FirmTally]:
        # added up by the firms' row numbers (the capacity table's firm column) and the amounts'
        # array: the ids read only of the firms named
        table = self._capacities
        firms, amounts = table.columns["firm"], table.columns["capacity_base"]
        if firms[0] != "ref" or amounts[0] != "float":
            return super().firm_tallies(region, statuses, most, products)
        if products is None and most > 0 and (kernels := self._kernels(region)) is not None:
            return self._firm_tallies_of_arrays(kernels, region, statuses, most)
        grouped = (self._numbers_by_product(region, statuses) if products is None
                   else self._numbers_of_products(region, statuses, products))
        codes, data, ids, noted = firms[2], amounts[1], self._firms.row_id, self._firm_rows

        def name(code: int) -> str:  # a firm's id from its row, the row noted (naming it needs no search)
            noted[fid := ids(code)] = code
            return fid
        found = {}
        for pid, numbers in grouped.items():
            keys = [code if code >= 0 else None for code in map(codes.__getitem__, numbers)]
            found[pid] = firm_tally(keys, list(map(data.__getitem__, numbers)), most, name)
        return found

    def _firm_tallies_of_arrays(self, kernels: Any, region: str, statuses: Iterable[str] | None,
                                most: int) -> dict[str, FirmTally]:
        """`firm_tallies` of every product of the region, with numpy on the store's arrays: what
        `firm_tally` finds per product, for every product at once (each firm's amounts added up
        in file order, `segment_sums`); the ids read only of the firms a tally names."""
        import numpy as np
        columns = self._capacities.columns
        rows, starts, lengths, pids, of_row = self._grouped(kernels, region, statuses)
        groups = len(starts)
        firms = kernels.view(columns["firm"][2])[rows].astype(np.int64)  # the firm's row, -1 for none
        amounts = kernels.view(columns["capacity_base"][1])[rows]
        stated = amounts == amounts
        unnamed = np.bincount(of_row[firms < 0], minlength=groups)
        unstated = np.bincount(of_row[~stated], minlength=groups)
        # (product, firm) pairs: their rows together, in file order
        at = np.flatnonzero(firms >= 0)
        at = at[np.argsort(of_row[at] * (1 << 32) + firms[at], kind="stable")]  # by product, then firm
        pair_of, firm_of = of_row[at], firms[at]
        if len(at):
            pairs = np.concatenate(([0], np.flatnonzero((pair_of[1:] != pair_of[:-1]) | (firm_of[1:] != firm_of[:-1])) + 1))
        else:
            pairs = np.empty(0, np.int64)
        sizes = np.diff(np.append(pairs, len(at)))
        # a firm's amounts added up from 0.0 in file order; an amount not stated adds nothing (+ 0.0)
        held = kernels.segment_sums(np.where(stated[at], amounts[at], 0.0), pairs, sizes)
        # the firms of a product in the order of their first row
        order = np.lexsort((at[pairs], pair_of[pairs]))
        held, group_of, firm_of = held[order], pair_of[pairs][order], firm_of[pairs][order]
        count = np.bincount(group_of, minlength=groups)
        first = kernels.starts_of(count)
        # the firms named: every one by id when there are `most` or fewer, else the `most` holding
        # the most (ties by id): one sort of every product's firms, ids compared by their rank
        key = np.where(count[group_of] > most, -held, 0.0)
        order = np.lexsort((self._id_ranks(kernels)[firm_of], key, group_of))
        order = kernels.leading(order, group_of[order], first, most)
        shown = np.minimum(count, most)
        # the firms' ids: of those named, and of every firm of a product whose every row names one
        # and states an amount (they key its amounts), in turn; each firm's id read once
        every = (unnamed == 0) & (unstated == 0)
        keyed = every[group_of]  # the firms of those products, product after product
        distinct, at = np.unique(np.concatenate((firm_of[order], firm_of[keyed])), return_inverse=True)
        ids = np.array(kernels.cells(self._firms, "id", distinct), dtype=object)[at].tolist()
        named, keys = ids[:len(order)], ids[len(order):]
        self._firm_rows.update(zip(named, firm_of[order].tolist()))
        amounts_of = held[keyed].tolist()
        found = {}
        ends = np.cumsum(shown).tolist()
        start = 0  # where the next keyed product's firms start in `keys`
        for pid, size, n, no_firm, no_amount, whole, end, k in zip(
                pids, count.tolist(), lengths.tolist(), unnamed.tolist(), unstated.tolist(),
                every.tolist(), ends, shown.tolist()):
            held_by = None
            if whole:
                held_by = dict(zip(keys[start:start + size], amounts_of[start:start + size]))
                start += size
            found[pid] = FirmTally(n, size, tuple(named[end - k:end]), no_firm, no_amount, held_by)
        return found

    def _id_ranks(self, kernels: Any) -> Any:
        """Each firm's place in the order of the firms' ids (the store's sorted index of them)."""
        found = self._by_region.get(("id ranks",))
        if found is None:
            import numpy as np
            order = kernels.view(self.store.indexes["firm_ids"])
            found = self._by_region["id ranks",] = np.empty(len(order), np.int32)
            found[order] = np.arange(len(order))
        return found

    def _numbers_of_products(self, region: str, statuses: Iterable[str] | None,
                             products: Iterable[str]) -> dict[str, list[int]]:
        """`_numbers_by_product` for a few products: each one's rows by the product index."""
        wanted, status = None if statuses is None else set(statuses), self._capacities.getter("status")
        found = []
        for p in dict.fromkeys(products):
            numbers = self._capacity_rows(product=p, region=region)
            if wanted is not None:
                numbers = [i for i in numbers if status(i) in wanted]
            if numbers:
                found.append((numbers[0], p, numbers))
        found.sort()  # products in the order of their first row
        return {p: numbers for _, p, numbers in found}

    def _cell(self, field: str) -> Callable[[int], Any]:
        """A capacity row's cell in `field`; for `firm`, the firm's row is noted (naming it later
        needs no search by id)."""
        column = self._capacities.columns[field]
        if field != "firm" or column[0] != "ref":
            return self._capacities.getter(field)
        codes, ids, rows = column[2], column[1].getter("id"), self._firm_rows

        def firm(i: int) -> str | None:
            if (code := codes[i]) < 0:
                return None
            rows[found := ids(code)] = code
            return found
        return firm

    def capacities_by_product(self, region: str, statuses: Iterable[str] | None = None,
                              products: Iterable[str] | None = None) -> dict[str, list[Capacity]]:
        key = ("rows", region, None if statuses is None else frozenset(statuses))
        if products is not None and key not in self._by_region:
            return self._rows_of_products(region, statuses, products)
        if key not in self._by_region:
            self._by_region[key] = self._capacities_by_product(region, statuses)
        only = None if products is None else set(products)
        return {product: list(rows) for product, rows in self._by_region[key].items()
                if only is None or product in only}

    def _rows_of_products(self, region: str, statuses: Iterable[str] | None,
                          products: Iterable[str]) -> dict[str, list[Capacity]]:
        """`capacities_by_product` for a few products: each one's rows by the product index, no other row."""
        return {p: self._capacity_records(numbers)
                for p, numbers in self._numbers_of_products(region, statuses, products).items()}

    def _capacities_by_product(self, region: str, statuses: Iterable[str] | None) -> dict[str, list[Capacity]]:
        # the rows of the statuses asked for, chosen by the status column before any record is built
        numbers = self._capacity_rows(region=region)
        if statuses is not None:
            wanted, status = set(statuses), self._capacities.getter("status")
            numbers = [i for i in numbers if status(i) in wanted]
        grouped: dict[str, list[Capacity]] = {}
        for row in self._capacity_records(numbers):
            grouped.setdefault(row.product, []).append(row)
        return grouped

    def producers_outside(self, region: str, products: Iterable[str] | None = None,
                          firms: Iterable[str] | None = None) -> list[Capacity]:
        # walk the rows of the products (or firms) asked about; a full scan only for neither
        products = None if products is None else set(products)
        firms = None if firms is None else set(firms)
        if products is not None:
            numbers = {i for p in products for i in self.store.rows("capacities", "product", p)}
        elif firms is not None:
            numbers = {i for f in firms for i in self.store.rows("capacities", "firm", f)}
        else:
            numbers = range(len(self._capacities))
        local = self.subregions(region)
        rows = self._capacity_records(sorted(numbers))
        return [r for r in rows if r.firm and r.region not in local
                and (products is None or r.product in products) and (firms is None or r.firm in firms)]

    def targets(self, region: str | None = None, product: str | None = None) -> list[Target]:
        table = self.store.tables["targets"]
        rows = (table.rows(self.store.rows("targets", "product", product)) if product is not None
                else list(table.all()))
        if region is not None:
            regions = self.subregions(region)
            rows = [r for r in rows if r.region in regions]
        return rows

    def links(self, type: str | None = None) -> list[Link]:
        return [link for link in self.store.records("links") if type is None or link.type == type]

    def conversions(self) -> list[Conversion]:
        return list(self.store.records("conversions"))

    def product_graph(self) -> nx.DiGraph:
        import networkx as nx
        pg = nx.DiGraph()
        pg.add_nodes_from((p.id, {"name_zh": p.name_zh, "name_en": p.name_en, "sector": p.sector, "unit": p.unit})
                          for p in self.store.records("products"))
        pg.add_edges_from((link.from_, link.to, _link_properties(link)) for link in self.store.records("links"))
        return pg
