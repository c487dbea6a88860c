"""The chains as the guideline writes them, step by step, with who makes each step locally."""
from __future__ import annotations

from typing import NamedTuple

from .. import i18n
from ..graph.backend import Backend
from ._common import best_status, describe_capacity, local_statuses, region_id, total_capacity

__all__ = ["chains"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("chain", "chain_name", "written", "order", "label", "products", "names", "firms", "capacity",
           "status", "source")


class _Row(NamedTuple):
    """The fields of a capacity row a step shows (who, how much, status) and adds up."""

    firm: str | None
    region: str
    product: str
    status: str
    capacity: float | None
    unit: str | None
    base_unit: str | None
    capacity_base: float | None


def chains(g: Backend, chain: str | None = None, region: str | None = None,
           listed: int | None = None, picked: dict | None = None) -> list[dict]:
    """List the steps of every chain, or of one chain, with the local firms and status.

    `chain` is any name of a chain; `region` any name of a region (default: the home region);
    "local" means that region and every region below it.

    Returns
    -------
    list of dict
        One row per step: `chain` (id), `chain_name`, `written` (the guideline writes the chain
        with dashes, rather than describing it in prose), `order` (1-based), `label` (the
        guideline's word for the step), `products` (ids) and `names` (Chinese names), `firms` —
        one entry per local capacity row of the step's products (`firm [product] capacity
        (status)`; unnamed producers show as `(unnamed, <region>)`), `capacity` — the stated
        capacities of the step's best status added up per unit, `status` — the best local
        status over the step's products (`operating` > `building` > `by-product` > `planned` >
        `missing`; see `local_statuses`),
        and `source`, the chain's quote.

        With `listed` (the brief's step tables), `firms` names at most `listed` rows of a product:
        of a product with more, the `listed` largest by stated capacity (unstated last, ties in
        file order), largest first, then one entry `and 38 more capacity rows`; each row has
        `more`, how many rows of its products `firms` does not name, and `capacity` is None (not
        added up: only the rows named are read, picked by the backend, `Backend.largest_columns`).
        `picked`: that pick, `largest_columns(region, fields, listed)` with at least `_Row`'s
        fields, when the caller has it (the brief: the rows its chain graphs draw, `viz.DRAWN`).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = chains(open_backend())
    >>> rows[0]["order"], rows[0]["status"] in ("operating", "building", "planned", "missing")
    (1, True)
    """
    where = region_id(g, region)
    selected = [g.resolve_chain(chain)] if chain else g.chains()
    products = {p.id: p for p in g.products()}
    regions = {r.id: r for r in g.regions()}
    statuses = local_statuses(g, where)

    def who(row: _Row, several: bool) -> str:
        name = firm_names[row.firm] if row.firm else i18n.gettext("(unnamed, %(region)s)") % {
            "region": i18n.name(regions[row.region])}
        parts = [name, i18n.name(products[row.product]) if several else "", describe_capacity(row),
                 f"({i18n.value(row.status)})"]
        return " ".join(p for p in parts if p)

    if listed is None:  # one query for every step, of the fields a step shows (a national city: 146,000 rows)
        by_product = {p: [_Row(*values) for values in zip(*(columns[f] for f in _Row._fields))]
                      for p, columns in g.capacity_columns(where, None, _Row._fields).items()}
        counts = {p: len(rows) for p, rows in by_product.items()}
    else:  # the rows named, picked by the backend (a server sends a few rows per product, not all)
        if picked is None:
            picked = g.largest_columns(where, _Row._fields, listed)
        by_product = {p: [_Row(*values) for values in zip(*(columns[f] for f in _Row._fields))]
                      for p, (columns, _) in picked.items()}
        counts = {p: n for p, (_, n) in picked.items()}
    # the names alone, in one query on a server (a national city's steps list 100,000 firms)
    firm_names = g.firm_names(row.firm for rows in by_product.values() for row in rows if row.firm)

    rows = []
    for c in selected:
        for step in c.steps:
            local = [row for p in step.products for row in by_product.get(p, ())]
            several = len(step.products) > 1
            firms, more = [], 0
            for p in step.products:
                firms += [who(row, several) for row in by_product.get(p, ())]
                if (others := counts.get(p, 0) - len(by_product.get(p, ()))) > 0:
                    firms.append(_others(others, products[p] if several else None))
                    more += others
            status = best_status(statuses[p] for p in step.products)
            rows.append({
                "chain": c.id, "chain_name": c.name_zh, "written": c.written, "order": step.order,
                "label": step.label, "products": list(step.products),
                "names": [products[p].name_zh for p in step.products],
                "firms": firms,
                "capacity": total_capacity(row for row in local if row.status == status) if listed is None else None,
                "status": status, "source": c.source,
            })
            if listed is not None:
                rows[-1]["more"] = more
    return rows


def _others(n: int, product) -> str:
    """One entry for the rows of a product a step does not name: how many (of which product, in a
    step of several)."""
    if product is None:
        return i18n.ngettext("and %(n)s more capacity row", "and %(n)s more capacity rows", n) % {"n": n}
    return i18n.ngettext("and %(n)s more capacity row of %(product)s", "and %(n)s more capacity rows of %(product)s",
                         n) % {"n": n, "product": i18n.name(product)}
