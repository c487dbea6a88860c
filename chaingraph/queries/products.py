"""The products of a dataset, with where the home region stands on each."""
from __future__ import annotations

import difflib

from ..errors import UnknownNameError
from ..graph.backend import Backend
from ._common import local_statuses, total_capacity

__all__ = ["products"]


def products(g: Backend, sector: str | None = None) -> list[dict]:
    """List products, optionally of one sector, with their local status.

    Returns
    -------
    list of dict
        One row per product, in file order: `id`, `name_zh`, `name_en`, `aliases` (list),
        `sector`, `unit`; `status` — the best status of its capacity rows in the home region
        and below (`operating` > `building` > `planned`, else `missing`), or `by-product` when it has
        no producer of its own but an operating or building local product yields it; `firms` — how many
        named local firms make it; `capacity` — the stated local capacities of that best status,
        added up per base unit (e.g. `6000 吨`; empty when none is stated).

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
    rows = []
    for p in items:
        local = by_product.get(p.id, [])
        status = statuses[p.id]
        rows.append({
            "id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "aliases": list(p.aliases),
            "sector": p.sector, "unit": p.unit, "status": status,
            "firms": len({c.firm for c in local if c.firm}),
            "capacity": total_capacity(c for c in local if c.status == status),
        })
    return rows
