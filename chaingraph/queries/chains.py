"""The chains as the guideline writes them, step by step, with who makes each step locally."""
from __future__ import annotations

import math
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
           listed: int | None = None) -> list[dict]:
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
        file order; the rows a chain's graph draws, `viz.DRAWN`), largest first, then one entry
        for the others (`and 38 more capacity rows: 1.2 Mt`, their stated capacities added up);
        and each row has `more`, how many rows of its products `firms` does not name. Only the
        named rows' firms are looked up.

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

    # one query for every step, of the fields a step shows (a national city's steps list 146,000 rows)
    by_product = {p: [_Row(*values) for values in zip(*(columns[f] for f in _Row._fields))]
                  for p, columns in g.capacity_columns(where, None, _Row._fields).items()}
    # with `listed`: per product, the rows named and the others
    split = {} if listed is None else {p: _split(rows, listed) for p, rows in by_product.items()}
    named = by_product if listed is None else {p: parts[0] for p, parts in split.items()}
    # the names alone, in one query on a server (a national city's steps list 100,000 firms)
    firm_names = g.firm_names(row.firm for rows in named.values() for row in rows if row.firm)

    rows = []
    for c in selected:
        for step in c.steps:
            local = [row for p in step.products for row in by_product.get(p, ())]
            several = len(step.products) > 1
            status = best_status(statuses[p] for p in step.products)
            if listed is None:
                firms = [who(row, several) for row in local]
            else:
                firms, more = [], 0
                for p in step.products:
                    listing, others = split.get(p, ((), ()))
                    firms += [who(row, several) for row in listing]
                    if others:
                        firms.append(_others(others, products[p] if several else None))
                        more += len(others)
            rows.append({
                "chain": c.id, "chain_name": c.name_zh, "written": c.written, "order": step.order,
                "label": step.label, "products": list(step.products),
                "names": [products[p].name_zh for p in step.products],
                "firms": firms,
                "capacity": total_capacity(row for row in local if row.status == status),
                "status": status, "source": c.source,
            })
            if listed is not None:
                rows[-1]["more"] = more
    return rows


def _split(rows: list[_Row], most: int) -> tuple[list[_Row], list[_Row]]:
    """The rows a listing names and the others (file order): all are named when there are `most` or
    fewer (file order), else the `most` largest by stated capacity, largest first, unstated last,
    ties in file order (as `Backend.largest_columns` picks them)."""
    if len(rows) <= most:
        return rows, []
    order = sorted(range(len(rows)), key=lambda i: -rows[i].capacity_base if rows[i].capacity_base is not None
                   else math.inf)
    picked = set(order[:most])
    return [rows[i] for i in order[:most]], [row for i, row in enumerate(rows) if i not in picked]


def _others(rows: list[_Row], product) -> str:
    """One entry for the rows a step does not name: how many, and their stated capacities added up."""
    amount, n = total_capacity(rows), len(rows)
    values = {"n": n, "amount": amount, "product": i18n.name(product) if product else ""}
    if product is None and amount:
        text = i18n.ngettext("and %(n)s more capacity row: %(amount)s", "and %(n)s more capacity rows: %(amount)s", n)
    elif product is None:
        text = i18n.ngettext("and %(n)s more capacity row (no capacity stated)",
                             "and %(n)s more capacity rows (no capacity stated)", n)
    elif amount:
        text = i18n.ngettext("and %(n)s more capacity row of %(product)s: %(amount)s",
                             "and %(n)s more capacity rows of %(product)s: %(amount)s", n)
    else:
        text = i18n.ngettext("and %(n)s more capacity row of %(product)s (no capacity stated)",
                             "and %(n)s more capacity rows of %(product)s (no capacity stated)", n)
    return text % values
