"""Quantitative targets of a region."""
from __future__ import annotations

from ..graph.backend import Backend
from ..units import written

__all__ = ["targets"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("id", "region", "product", "product_name", "metric", "subject", "target", "value", "value_max",
           "unit", "bound", "year", "source")

_BOUND_SIGNS = {"min": "≥ ", "max": "≤ ", "approx": "≈ ", "exact": "", "range": ""}


def targets(g: Backend, region: str | None = None, product: str | None = None) -> list[dict]:
    """List targets, optionally of one region (and those below it) and/or one product.

    Returns
    -------
    list of dict
        One row per target, in file order: `id`, `region`, `product` (None for economy-wide
        targets) and `product_name`, `metric`, `subject`, `target` — the figure for reading
        (`≥ 320 亿元`, `1–2 个`), then `value`, `value_max`, `unit`, `bound`, `year`, `source`.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = targets(open_backend())
    >>> all(r["bound"] in ("min", "max", "approx", "exact", "range") for r in rows)
    True
    """
    region_id = g.resolve_region(region).id if region else None
    product_id = g.resolve_product(product).id if product else None
    names = {p.id: p.name_zh for p in g.products()}
    rows = []
    for t in g.targets(region=region_id, product=product_id):
        if t.bound == "range":
            figure = written(t.value, t.unit, t.value_max)
        else:
            figure = _BOUND_SIGNS[t.bound] + written(t.value, t.unit)
        rows.append({
            "id": t.id, "region": t.region, "product": t.product,
            "product_name": names[t.product] if t.product else None, "metric": t.metric,
            "subject": t.subject, "target": figure, "value": t.value, "value_max": t.value_max,
            "unit": t.unit, "bound": t.bound, "year": t.year, "source": t.source,
        })
    return rows
