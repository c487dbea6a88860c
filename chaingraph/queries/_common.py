"""Helpers shared by the queries: local status and capacity totals."""
from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable

from ..graph.backend import Backend
from ..i18n import settled
from ..graph.model import BY_PRODUCT, MISSING, STATUSES, SUPPLYING, Capacity, product_statuses
from ..units import written

__all__ = ["MISSING", "BY_PRODUCT", "SUPPLYING", "PRESENT", "LISTED", "LISTED_TERMS", "listed_terms", "without_gc", "best_status", "region_id", "local_statuses",
           "total_capacity", "describe_capacity", "local_capacity_rows", "local_capacity"]

PRESENT = (*SUPPLYING, BY_PRODUCT)  # the product is made locally
# At most this many capacity rows (or firms) of one product are named one by one in a row's text
# lists (balance's coefficients and open terms, bottlenecks' firms); the others are summed up in one
# item ("and 488 more …"). A city's guideline names a few producers per product; a national
# dataset's city has hundreds, which nobody reads one by one (`firms --product P` lists them all).
LISTED = 10
# At most this many open terms are named in one row (the rest counted): a row's terms gather those of
# every product up and down its chain (26 for Wuhai's raw coal; hundreds in a national dataset's city).
LISTED_TERMS = 30
_RANK = {status: rank for rank, status in enumerate((STATUSES[0], STATUSES[1], BY_PRODUCT, *STATUSES[2:], MISSING))}


def without_gc(query: Callable) -> Callable:
    """`query` run with Python's cyclic garbage collector paused (and resumed after, as it was),
    and in one language throughout (`i18n.settled`: the environment read once, not per text).

    A question over a region's many rows makes many small objects at once; each batch of them
    would start a collection that walks every object alive (at a million firms, a third of the
    time of `balance`). Nothing is lost: what is garbage is collected once the collector runs again.
    """
    @functools.wraps(query)
    def run(*args, **kwargs):
        with settled():
            if not gc.isenabled():
                return query(*args, **kwargs)
            gc.disable()
            try:
                return query(*args, **kwargs)
            finally:
                gc.enable()
    return run


def listed_terms(terms: list[str]) -> list[str]:
    """A row's open terms as it lists them: the first `LISTED_TERMS` by name, then how many more there are.

    >>> listed_terms(["a"] * 3) == ["a"] * 3, len(listed_terms([str(n) for n in range(45)]))
    (True, 31)
    """
    if len(terms) <= LISTED_TERMS:
        return terms
    from ..i18n import ngettext
    more = len(terms) - LISTED_TERMS
    return terms[:LISTED_TERMS] + [ngettext("and %(n)s more open term", "and %(n)s more open terms", more)
                                   % {"n": more}]


def best_status(statuses: Iterable[str]) -> str:
    """operating > building > by-product > planned > missing."""
    return min(statuses, key=_RANK.__getitem__, default=MISSING)


def region_id(g: Backend, region: str | None) -> str:
    """The region a query is about: the one named, else the dataset's home region."""
    return g.resolve_region(region).id if region else g.home_region().id


def local_statuses(g: Backend, region: str | None = None) -> dict[str, str]:
    """Every product's local status in the region (default: home) and below it.

    The best status of its capacity rows; a product with none that an operating or building
    local product YIELDS is `by-product` (carbide slag, fly ash): it arises locally even though
    nobody is said to make it.
    """
    where = region or g.home_region().id
    return product_statuses((p.id for p in g.products()), g.capacity_statuses(where),
                            ((link.from_, link.to) for link in g.links("YIELDS")))


def total_capacity(rows: Iterable[Capacity]) -> str:
    """Stated capacities added up per base unit, e.g. `400 兆瓦; 19000 万片`.

    In Chinese a group written in one unit keeps it (`6000 吨`), mixed units are shown in the base
    unit; English shows each sum in English units (`400 MW; 190 million pieces`, `units.written`).
    """
    groups: dict[str, list[Capacity]] = {}
    for row in rows:
        if row.capacity is not None:
            groups.setdefault(row.base_unit, []).append(row)
    parts = []
    for base, group in groups.items():
        units = {r.unit for r in group}
        if len(units) == 1:
            parts.append(written(sum(r.capacity for r in group), units.pop()))
        else:
            parts.append(written(sum(r.capacity_base for r in group), base))
    return "; ".join(parts)


def local_capacity_rows(g: Backend, region: str) -> dict[str, list[Capacity]]:
    """A product's local capacity is its operating and building rows in the region and below:
    what supplies now or soon (planned capacity does not). `products` and `balance` both count
    these, grouped by product id."""
    return g.capacities_by_product(region, SUPPLYING)


def local_capacity(rows: Iterable[Capacity]) -> str:
    """The local capacity rows of one product as text: stated capacities added up per base unit,
    `≥` when some row's capacity is not stated, empty when none is (`≥ 8 万吨`)."""
    rows = list(rows)
    total = total_capacity(rows)
    return f"≥ {total}" if total and any(r.capacity is None for r in rows) else total


def describe_capacity(row: Capacity) -> str:
    """One capacity row in a few words: `23 万吨`, or "" when not stated."""
    return written(row.capacity, row.unit) if row.capacity is not None else ""

