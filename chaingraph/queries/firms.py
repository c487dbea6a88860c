"""Who makes what: firms with their capacity rows."""
from __future__ import annotations

from ..graph.backend import Backend
from ..graph.model import Capacity, Firm

__all__ = ["firms"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("firm", "name_zh", "region", "product", "product_name", "capacity", "unit", "capacity_base",
           "base_unit", "status", "year", "project", "source")


def firms(g: Backend, product: str | None = None, region: str | None = None) -> list[dict]:
    """List firms with what they make, optionally for one product and/or region.

    `product` and `region` are any of their names; a region includes every region below it.

    Returns
    -------
    list of dict
        One row per capacity row (a firm, or a region's unnamed producers, making one product),
        plus — when no product is asked for — one row for each firm without capacity rows.
        Columns: `firm` (id; None for unnamed producers), `name_zh` (the firm's name, empty for
        unnamed producers), `region` (id), `product` and `product_name` (None for a firm without
        rows), `capacity` and `unit` as the source writes them, `capacity_base` in `base_unit`,
        `status`, `year`, `project`, and `source` (the capacity row's quote, or the firm's).
        Firms come in file order, each with its rows; unnamed producers come last.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = firms(open_backend(), product="PVC")
    >>> all(r["product"] == "pvc" for r in rows)
    True
    """
    product_id = g.resolve_product(product).id if product else None
    region_id = g.resolve_region(region).id if region else None
    names = {p.id: p.name_zh for p in g.products()}
    rows_by_firm: dict[str | None, list[Capacity]] = {}
    for row in g.capacities(product=product_id, region=region_id):
        rows_by_firm.setdefault(row.firm, []).append(row)
    regions = g.subregions(region_id) if region_id else None

    def row(firm: Firm | None, c: Capacity | None) -> dict:
        return {
            "firm": firm.id if firm else None, "name_zh": firm.name_zh if firm else "",
            "region": c.region if c else firm.region,
            "product": c.product if c else None, "product_name": names[c.product] if c else None,
            "capacity": c.capacity if c else None, "unit": c.unit if c else None,
            "capacity_base": c.capacity_base if c else None, "base_unit": c.base_unit if c else None,
            "status": c.status if c else None, "year": c.year if c else None,
            "project": c.project if c else None, "source": c.source if c else firm.source,
        }

    if product_id is None and region_id is None:
        listed = g.firms()
    else:  # only the firms with rows, and the firms located in the region: fetched, not all listed
        found = g.firms_by_id(f for f in rows_by_firm if f)
        if product_id is None:
            found.update((f.id, f) for f in g.firms_in(region_id))
        listed = sorted(found.values(), key=lambda f: f.line)
    rows = []
    for firm in listed:
        if firm.id in rows_by_firm:
            rows.extend(row(firm, c) for c in rows_by_firm[firm.id])
        elif product_id is None and (regions is None or firm.region in regions):
            rows.append(row(firm, None))
    rows.extend(row(None, c) for c in rows_by_firm.get(None, ()))
    return rows
