"""The records of a dataset: one frozen dataclass per CSV file (data/README.md).

Field names are the CSV column names (`from` becomes `from_`, a Python keyword). Empty cells are
None (or `()` for lists, False for yes/no). `line` is the row's physical CSV line, for messages.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "Region", "Product", "Firm", "Step", "Chain", "Capacity", "CapacitySums", "plain", "sum_rows", "unlisted", "Target", "Link", "Conversion", "Dataset",
    "LEVELS", "KINDS", "STATUSES", "BOUNDS", "LINK_TYPES", "MISSING", "BY_PRODUCT", "SUPPLYING", "product_statuses",
    "SOURCE_KINDS", "DERIVED_SOURCE_KINDS", "DIRECTORY_SOURCE_KINDS",
]

LEVELS = ("country", "province", "city", "district", "park")
KINDS = ("firm", "plant", "research", "public")
STATUSES = ("operating", "building", "planned")  # best first
BOUNDS = ("min", "max", "approx", "exact", "range")
LINK_TYPES = ("FEEDS", "YIELDS")
MISSING = "missing"  # no local capacity row at all
BY_PRODUCT = "by-product"  # no producer of its own, but a local product yields it
SUPPLYING = STATUSES[:2]  # operating, building: capacity that supplies now or soon


def product_statuses(products: Iterable[str], best: dict[str, str],
                     yields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every product's local status from the best status of its local capacity rows (`best`,
    products without rows left out) and the YIELDS links (from, to): a product with no row that
    an operating or building local product yields is `by-product`, else `missing`.

    >>> product_statuses(["coke", "gas", "tar"], {"coke": "operating"}, [("coke", "gas")])
    {'coke': 'operating', 'gas': 'by-product', 'tar': 'missing'}
    """
    status = {p: MISSING for p in products}
    status.update(best)
    for source, product in yields:
        if product not in best and status.get(source) in SUPPLYING:
            status[product] = BY_PRODUCT
    return status


# The one vocabulary of kinds of source, for the producer directory (data/README.md, "The producer
# directory") and for coefficients (the process coefficient library, a city's links.csv). The last
# two are not publications: `stoichiometry` (worked out from the chemistry or the geometry, the
# working shown) and `estimate` (no readable source); a directory row, a fact about a firm, may not
# rest on either (DIRECTORY_SOURCE_KINDS).
SOURCE_KINDS = ("annual_report", "prospectus", "exchange_filing", "government", "association",
                "yearbook", "trade_press", "news", "company_site", "journal", "national_standard",
                "handbook", "encyclopedia", "stoichiometry", "estimate")
DERIVED_SOURCE_KINDS = ("stoichiometry", "estimate")
DIRECTORY_SOURCE_KINDS = tuple(k for k in SOURCE_KINDS if k not in DERIVED_SOURCE_KINDS)


def _line():
    """The `line` field: kept for messages, left out of equality and repr."""
    return field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Region:
    id: str
    name_zh: str
    name_en: str | None
    level: str
    parent: str | None
    home: bool
    note: str | None
    line: int = _line()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.id, self.name_zh, self.name_en) if n)


@dataclass(frozen=True)
class Product:
    id: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    sector: str
    unit: str
    note: str | None
    line: int = _line()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.name_zh, self.name_en, *self.aliases)


@dataclass(frozen=True)
class Firm:
    id: str
    name_zh: str
    name_en: str | None
    aliases: tuple[str, ...]
    region: str
    parent: str | None
    kind: str
    home: str | None  # free text: where a firm from elsewhere comes from
    source: str
    note: str | None
    line: int = _line()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.id, self.name_zh, self.name_en, *self.aliases) if n)


@dataclass(frozen=True)
class Step:
    order: int  # 1-based
    label: str  # the guideline's word for the step; "" when the chain gives none
    products: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    id: str
    name_zh: str
    name_en: str | None
    sector: str
    steps: tuple[Step, ...]
    written: bool
    source: str
    note: str | None
    line: int = _line()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.id, self.name_zh, self.name_en) if n)


@dataclass(frozen=True)
class Capacity:
    firm: str | None  # None: the region's unnamed producers
    region: str  # the row's region, or the firm's when the row leaves it empty
    product: str
    capacity: float | None
    unit: str | None
    status: str
    year: int | None
    project: str | None
    source: str
    note: str | None
    capacity_base: float | None  # capacity in base_unit (units.py)
    base_unit: str | None
    capacity_min: float | None = None  # a range the capacity may lie in, in `unit` (optional columns)
    capacity_max: float | None = None
    # rows of the producer directory (directory.csv) also say how the firm makes it and who says so
    route: str | None = None  # the production route, as the source names it
    feed: tuple[str, ...] = ()  # products the route consumes (product ids); () = none in the graph
    source_kind: str | None = None  # one of DIRECTORY_SOURCE_KINDS
    publisher: str | None = None  # who published the figure
    line: int = _line()


def plain(row: Capacity) -> bool:
    """A row whose capacity is one stated figure (no range) with its amount in a base unit."""
    return (row.capacity is not None and row.capacity_min is None and row.capacity_max is None
            and row.capacity_base is not None)


def _unstated(row: Capacity) -> bool:
    return row.capacity is None and row.capacity_min is None and row.capacity_max is None and row.capacity_base is None


@dataclass(frozen=True)
class CapacitySums:
    """One product's capacity rows (in a region, of some statuses) summed where a sum says all,
    so that a server sends a few numbers instead of every row (`Backend.capacity_sums`).

    `stated`: base unit -> (how many, their `capacity_base` added up in file order) of the `plain`
    rows; `others`: every other row, as records in file order. When a product has plain rows and
    also rows with a range (or an amount without a figure), the order of the additions would
    matter: then nothing is summed and every row is in `others`. So beside a sum, `others` holds
    only rows whose capacity is not stated at all (or none: `unlisted`, they stay counted in
    `rows`). `units`: (base unit, unit) of every row.
    """

    rows: int
    stated: dict[str, tuple[int, float]]
    others: tuple[Capacity, ...]
    units: frozenset[tuple[str | None, str | None]]


def sum_rows(rows: Iterable[Capacity]) -> CapacitySums:
    """The `CapacitySums` of one product's rows (in file order).

    >>> rows = [Capacity("a", "c", "coke", 10.0, "万吨", "operating", None, None, "s", None, 100000.0, "t"),
    ...         Capacity("b", "c", "coke", None, None, "operating", None, None, "s", None, None, None)]
    >>> s = sum_rows(rows)
    >>> s.rows, s.stated, [r.firm for r in s.others]
    (2, {'t': (1, 100000.0)}, ['b'])
    """
    rows = list(rows)
    stated: dict[str, tuple[int, float]] = {}
    others = [r for r in rows if not plain(r)]
    if len(others) < len(rows) and not all(map(_unstated, others)):
        others = rows  # ranges beside plain figures: no sum
    else:
        for r in rows:
            if plain(r):
                n, total = stated.get(r.base_unit, (0, 0.0))
                stated[r.base_unit] = (n + 1, total + r.capacity_base)
    return CapacitySums(len(rows), stated, tuple(others), frozenset((r.base_unit, r.unit) for r in rows))


def unlisted(sums: CapacitySums) -> CapacitySums:
    """`sums` without the rows listed beside a sum (they stay counted in `rows`)."""
    return CapacitySums(sums.rows, sums.stated, (), sums.units) if sums.stated else sums


@dataclass(frozen=True)
class Target:
    id: str
    region: str
    product: str | None  # None: an economy-wide target
    metric: str
    subject: str
    value: float
    value_max: float | None
    unit: str
    bound: str
    year: int | None
    source: str
    note: str | None
    line: int = _line()


@dataclass(frozen=True)
class Link:
    type: str  # FEEDS or YIELDS
    from_: str
    to: str
    ratio: float | None
    ratio_min: float | None
    ratio_max: float | None
    ratio_unit: str | None
    estimate: bool
    ratio_source: str | None
    source: str
    note: str | None
    includes: str | None = None  # the ratio already covers this product's own use of the input
    alternative: bool = False  # one of several inputs that stand in for each other: not required
    source_kind: str | None = None  # the kind of source of the ratio (SOURCE_KINDS)
    ratio_year: str | None = None  # the year and region the ratio holds for (library rows)
    ratio_region: str | None = None
    flag: str | None = None  # the ratio is applied far from its year or region
    origin: str | None = None  # "dataset" (links.csv) or "library" (chaingraph/reference)
    own_use: float | None = None  # YIELDS: % of the by-product the making of `from` consumes itself
    own_use_min: float | None = None
    own_use_max: float | None = None
    own_use_source: str | None = None
    recycle: bool = False  # part of a recycle loop: a cycle of FEEDS links is allowed only through these
    line: int = _line()


@dataclass(frozen=True)
class Conversion:
    """How much output a unit of a product's capacity gives a year, where the units differ.

    electricity: 1 kW of installed capacity gives `factor` kWh a year (its utilisation hours).
    """

    product: str
    from_unit: str
    to_unit: str
    factor: float
    estimate: bool
    source: str
    note: str | None
    factor_min: float | None = None  # the range the factor was read from (optional columns)
    factor_max: float | None = None
    source_kind: str | None = None
    flag: str | None = None
    line: int = _line()


@dataclass(frozen=True)
class Dataset:
    """A whole validated dataset folder."""

    data_dir: str
    home_region: str  # id of the region with home=yes
    regions: tuple[Region, ...]
    products: tuple[Product, ...]
    firms: tuple[Firm, ...]
    chains: tuple[Chain, ...]
    capacities: tuple[Capacity, ...]
    targets: tuple[Target, ...]
    links: tuple[Link, ...]
    conversions: tuple[Conversion, ...] = ()
