"""延链: local products whose output has no local user, or that policy says must be used in the city."""
from __future__ import annotations

from ..graph.backend import Backend
from ..graph.model import Target
from ._common import BY_PRODUCT, PRESENT, SUPPLYING, local_statuses, region_id, total_capacity

__all__ = ["extend"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("rank", "product", "name", "status", "capacity", "local_users", "downstream", "policy", "reason")

LOCAL_USE = "local_use_share"  # the target metric of a policy that the product be used in the city


def _reason(by_product: bool, policy: list[Target], local_users: list[str], downstream: list[str]) -> str:
    if policy:
        if local_users:
            return f"policy wants it used in the city; used locally by {', '.join(local_users)}"
        return "policy wants it used in the city, but no local product uses it"
    if downstream:
        return f"no local user; it could feed {', '.join(downstream)}, not made locally"
    what = "by-product" if by_product else "product"
    return f"no local user and no known use: the {what} leaves the city as it is, or is wasted"


def extend(g: Backend, region: str | None = None) -> list[dict]:
    """List the local products whose output leaves the city raw, and those policy wants used locally.

    A product is local when its local status is `operating`, `building` or `by-product` (see
    `local_statuses`); its local users are the local products it FEEDS. A local product is listed
    when it has no local user, or when the region has a `local_use_share` target for it (a policy
    that it be used in the city: carbide is no longer sold out, washing must match coking) even
    if it has local users. `region` is any name of a region (default: the home region); "local"
    means that region and every region below it.

    Returns
    -------
    list of dict
        One row per product, best lead first: `rank` (1..n), `product` (id), `name`, `status`,
        `capacity` (the stated local operating and building capacities added up per unit; "" when
        none is stated), `local_users` (Chinese names of the local products it feeds),
        `downstream` (the products the graph knows it feeds that are not made locally, as
        `name (status)`: what a planner could bring in to extend the chain), `policy` (the
        target's subject and quote, `subject: quote`, or None) and `reason` (one sentence).
        Rows with a policy come first, then products with known downstream products not made
        locally, then products nothing in the graph uses (sold out of the city as they are, or
        wasted); within each group, product file order.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = extend(open_backend())
    >>> rows[0]["rank"], rows[0]["policy"] is not None
    (1, True)
    >>> "calcium_carbide" in {r["product"] for r in rows}
    True
    """
    where = region_id(g, region)
    statuses = local_statuses(g, where)
    names = {p.id: p.name_zh for p in g.products()}
    uses: dict[str, list[str]] = {}
    for link in g.links("FEEDS"):
        uses.setdefault(link.from_, []).append(link.to)
    policies: dict[str, list[Target]] = {}
    for t in g.targets(region=where):
        if t.metric == LOCAL_USE and t.product:
            policies.setdefault(t.product, []).append(t)
    supply: dict[str, list] = {}
    for row in g.capacities(region=where):
        if row.status in SUPPLYING:
            supply.setdefault(row.product, []).append(row)

    rows = []
    for order, p in enumerate(g.products()):
        status = statuses[p.id]
        if status not in PRESENT:
            continue
        users = list(dict.fromkeys(uses.get(p.id, ())))
        local_users = [names[u] for u in users if statuses[u] in PRESENT]
        policy = policies.get(p.id, [])
        if local_users and not policy:
            continue
        downstream = [f"{names[u]} ({statuses[u]})" for u in users if statuses[u] not in PRESENT]
        group = 0 if policy else 1 if downstream else 2
        rows.append((group, order, {
            "product": p.id, "name": p.name_zh, "status": status,
            "capacity": total_capacity(supply.get(p.id, ())),
            "local_users": local_users, "downstream": downstream,
            "policy": "; ".join(f"{t.subject}: {t.source}" for t in policy) or None,
            "reason": _reason(status == BY_PRODUCT, policy, local_users,
                              [names[u] for u in users if statuses[u] not in PRESENT]),
        }))
    rows.sort(key=lambda r: r[:2])
    return [{"rank": n, **row} for n, (_, _, row) in enumerate(rows, 1)]
