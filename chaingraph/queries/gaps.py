"""补链: the links of each chain that have no local producer, or only a planned one."""
from __future__ import annotations

from .. import i18n
from ..graph.backend import Backend
from ..graph.model import Capacity, Product, Step
from ._common import best_status, local_statuses, MISSING, PRESENT, region_id

__all__ = ["gaps"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("rank", "chain", "chain_name", "written", "order", "label", "products", "names", "status",
           "kind", "before", "after", "planned_by", "source", "reason")

# rank order: a broken chain matters most, then a product missing inside a step that is present
KINDS = ("broken", "partial", "downstream", "upstream", "absent")


def _step_name(step: Step, products: dict[str, Product]) -> str:
    """The guideline's word for a step, else its products' Chinese names (prose chains have no labels)."""
    return step.label or "/".join(products[p].name_zh for p in step.products)


def _shown_step(step: Step | None, products: dict[str, Product]) -> str | None:
    """A step as a reason names it: `_step_name` in Chinese; in English its products' English names
    (the guideline's labels are Chinese words)."""
    if step is None:
        return None
    if i18n.current() == "zh":
        return _step_name(step, products)
    return "/".join(i18n.name(products[p]) for p in step.products)


def _reason(kind: str, status: str, name: str, before: str | None, after: str | None) -> str:
    _ = i18n.gettext
    words = {"name": name, "before": before, "after": after}
    planned = status != MISSING
    if kind == "broken":
        return (_("middle link between %(before)s and %(after)s is only planned") if planned
                else _("missing middle link between %(before)s and %(after)s")) % words
    if kind == "downstream":
        return (_("chain stops at %(before)s locally: %(name)s is only planned") if planned
                else _("chain stops at %(before)s locally: %(name)s is missing")) % words
    if kind == "upstream":
        return (_("nothing local supplies %(after)s: %(name)s is only planned") if planned
                else _("nothing local supplies %(after)s: %(name)s is missing")) % words
    if kind == "partial":
        return (_("step %(before)s is present through %(after)s, but %(name)s is only planned") if planned
                else _("step %(before)s is present through %(after)s, but %(name)s is missing")) % words
    return (_("no step of the chain is made locally; %(name)s is only planned") % words if planned
            else _("no step of the chain is made locally"))


def gaps(g: Backend, region: str | None = None, chain: str | None = None) -> list[dict]:
    """List the steps of every chain, or of one chain, that are missing or only planned locally.

    A step's status is the best local status over its products (see `local_statuses`); a step is
    present when that is `operating`, `building` or `by-product`, and a gap when it is `missing`
    or `planned`. `region` is any name of a region (default: the home region); "local" means that
    region and every region below it. `chain` is any name of a chain.

    Returns
    -------
    list of dict
        One row per gap step, most urgent first: `rank` (1..n), `chain` (id), `chain_name`,
        `written` (the guideline writes the chain with dashes), `order` (the step's 1-based place
        in the chain), `label` (the guideline's word for the step; "" in prose chains), `products`
        (ids), `names` (Chinese names), `status` (`missing` or `planned`), `kind`, `before` and
        `after` (the name of the nearest present step before and after it, or None), `planned_by`
        (the local firms, or the region's unnamed producers, with planned capacity for the step's
        products), `source` (the chain's quote) and `reason` (one sentence).

        `kind` says where the gap sits: `broken` (present steps on both sides: a missing middle
        link breaks the chain), `partial` (the step is present through some of its products, but
        this product of it is missing or only planned: the row's `products` is that one product,
        `before` the step's name and `after` the present products), `downstream` (present steps
        only before it: the chain stops short locally), `upstream` (present steps only after it)
        or `absent` (no step of the chain is present). Rows are ranked by kind in that order, then
        `missing` before `planned`, written chains before prose ones, then chain file order and
        step order.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = gaps(open_backend())
    >>> rows[0]["rank"], rows[0]["kind"], rows[0]["status"] in ("missing", "planned")
    (1, 'broken', True)
    >>> any("醋酸" in r["names"] for r in rows)
    True
    """
    where = region_id(g, region)
    selected = [g.resolve_chain(chain)] if chain else g.chains()
    file_order = {c.id: i for i, c in enumerate(g.chains())}
    products = {p.id: p for p in g.products()}
    regions = {r.id: r for r in g.regions()}
    statuses = local_statuses(g, where)
    # only a product whose best local status is planned has planned rows a gap row shows
    planned = g.capacities_by_product(where, ["planned"], products=[p for p, s in statuses.items() if s == "planned"])
    firm_name = g.firm_names(row.firm for rows in planned.values() for row in rows if row.firm)  # one query on a server

    def producer(row: Capacity) -> str:
        return firm_name[row.firm] if row.firm else i18n.gettext("(unnamed, %(region)s)") % {
            "region": i18n.name(regions[row.region])}

    rows = []
    for c in selected:
        status = [best_status(statuses[p] for p in step.products) for step in c.steps]
        present = [i for i, s in enumerate(status) if s in PRESENT]
        for i, step in enumerate(c.steps):
            if status[i] in PRESENT:
                made = [products[p].name_zh for p in step.products if statuses[p] in PRESENT]
                for p in step.products:
                    if statuses[p] in PRESENT:
                        continue
                    step_name = _step_name(step, products)
                    rows.append({
                        "chain": c.id, "chain_name": c.name_zh, "written": c.written, "order": step.order,
                        "label": step.label, "products": [p], "names": [products[p].name_zh],
                        "status": statuses[p], "kind": "partial", "before": step_name, "after": "、".join(made),
                        "planned_by": list(dict.fromkeys(producer(r) for r in planned.get(p, ()))),
                        "source": c.source,
                        "reason": _reason("partial", statuses[p], i18n.name(products[p]), _shown_step(step, products),
                                          i18n.join(i18n.name(products[m]) for m in step.products
                                                    if statuses[m] in PRESENT)),
                    })
                continue
            before = max((j for j in present if j < i), default=None)
            after = min((j for j in present if j > i), default=None)
            kind = ("broken", "downstream", "upstream", "absent")[(before is None) * 2 + (after is None)]  # both, before only, after only, none
            before_name = _step_name(c.steps[before], products) if before is not None else None
            after_name = _step_name(c.steps[after], products) if after is not None else None
            rows.append({
                "chain": c.id, "chain_name": c.name_zh, "written": c.written, "order": step.order,
                "label": step.label, "products": list(step.products),
                "names": [products[p].name_zh for p in step.products], "status": status[i],
                "kind": kind, "before": before_name, "after": after_name,
                "planned_by": list(dict.fromkeys(
                    producer(r) for p in step.products for r in planned.get(p, ()))),
                "source": c.source,
                "reason": _reason(kind, status[i], _shown_step(step, products),
                                  _shown_step(c.steps[before] if before is not None else None, products),
                                  _shown_step(c.steps[after] if after is not None else None, products)),
            })
    rows.sort(key=lambda r: (KINDS.index(r["kind"]), r["status"] != MISSING, not r["written"],
                             file_order[r["chain"]], r["order"]))
    return [{"rank": n, **row} for n, row in enumerate(rows, 1)]
