"""The products of a dataset, with where the home region stands on each."""
from __future__ import annotations

import difflib

from ..errors import UnknownNameError
from ..graph.backend import Backend
from ._common import local_capacity, local_capacity_rows, local_statuses

__all__ = ["products"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("id", "name_zh", "name_en", "aliases", "sector", "unit", "status", "firms", "capacity")


def products(g: Backend, sector: str | None = None) -> list[dict]:
    """List products, optionally of one sector, with their local status.

    Returns
    -------
    list of dict
        One row per product, in file order: `id`, `name_zh`, `name_en`, `aliases` (list),
        `sector`, `unit`; `status` — the best status of its capacity rows in the home region
        and below (`operating` > `building` > `planned`, else `missing`), or `by-product` when it has
        no producer of its own but an operating or building local product yields it; `firms` — how many
        named local firms make it (any status); `capacity` — its local capacity, as `balance`
        counts it: the stated operating and building capacities added up per base unit (e.g.
        `6000 吨`), `≥` when a row's capacity is not stated, empty when none is
        (`_common.local_capacity`).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = products(open_backend())
    >>> {"id", "status", "capacity"} <= set(rows[0])
    True
    """
    items = g.products()
    if sector is not None:
        sectors = list(dict.fromkeys(p.sector for p in items))
        if sector not in sectors:
            # few sectors: show them all when none is close
            raise UnknownNameError("sector", sector, difflib.get_close_matches(sector, sectors) or sectors)
        items = [p for p in items if p.sector == sector]
    home = g.home_region().id
    statuses = local_statuses(g, home)
    by_product = g.capacities_by_product(home)  # one query for every product
    capacity_rows = local_capacity_rows(g, home)
    rows = []
    for p in items:
        local = by_product.get(p.id, [])
        status = statuses[p.id]
        rows.append({
            "id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "aliases": list(p.aliases),
            "sector": p.sector, "unit": p.unit, "status": status,
            "firms": len({c.firm for c in local if c.firm}),
            "capacity": local_capacity(capacity_rows.get(p.id, ())),
        })
    return rows
