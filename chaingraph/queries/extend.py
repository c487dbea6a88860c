"""延链 by volume: how much of each local product leaves the city, and what nothing local uses at all."""
from __future__ import annotations

from .. import i18n
from ..graph.backend import Backend
from ..graph.model import Target
from ..units import humanize
from ._common import without_gc, BY_PRODUCT, PRESENT, listed_terms, region_id
from .balance import BASES, LOCAL_USE, _Balancer, range_text
from ..reference import load_prices

__all__ = ["extend", "GROUPS"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("rank", "group", "product", "name", "status", "supply", "local_use", "outflow", "low", "high",
           "supply_low", "supply_high", "use_low", "use_high", "unit", "local_users", "downstream", "open_terms",
           "policy", "reason", "value", "value_low", "value_high", "price")
# rank order of the groups
GROUPS = ("outflow", "outflow unknown", "final products: no local user in the graph")


def _price_text(price) -> str:
    if price.low == price.high:
        return f"{price.low:g} {price.unit}"
    return f"{price.low:g}–{price.high:g} {price.unit}"


def _reason(group: str, by_product: bool, policy: list[Target], local_users: list[str],
            downstream: list[str], outflow: str) -> str:
    _ = i18n.gettext
    if group == GROUPS[2]:
        return (_("a final by-product: nothing in the graph uses it, so it leaves the city as made (%(outflow)s)")
                if by_product else
                _("a final product: nothing in the graph uses it, so it leaves the city as made (%(outflow)s)")
                ) % {"outflow": outflow}
    parts = [_("%(outflow)s a year leaves the city") % {"outflow": outflow} if group == GROUPS[0]
             else _("how much leaves the city is not known")]
    if local_users:
        parts[0] = (_("%(outflow)s a year leaves the city after local use by %(users)s") if group == GROUPS[0]
                    else _("how much leaves the city after local use by %(users)s is not known")) % {
            "outflow": outflow, "users": i18n.join(local_users)}
    if downstream:
        parts.append(_("it could feed %(products)s, not made locally") % {"products": i18n.join(downstream)})
    if policy:
        parts.append(_("policy wants it used in the city"))
    return i18n.clauses(parts)


def _value(amount_low: float, amount_typ: float, amount_high: float, price, base: str, bounded: bool):
    """The value of an amount of a product at its cited price: (text, low, typical, high) in CNY, or
    Nones when the price is per another unit than the product's base."""
    p_low, p_typ, p_high, per = price.per_base()
    if per != base:
        return None, None, None, None
    low, typ, high = amount_low * p_low, amount_typ * p_typ, amount_high * p_high
    return ("" if bounded else "≤ ") + range_text(low, high, "CNY"), low, typ, high


@without_gc
def extend(g: Backend, region: str | None = None, basis: str = "target",
           prices: dict | None = None) -> list[dict]:
    """Rank local products by how much of them leaves the city, as ranges; final products apart.

    A product is local when its local status is `operating`, `building` or `by-product`. Its supply
    and its local use are `balance`'s (on `basis`, default `target`: the guideline's output targets
    where it gives them, capacity elsewhere), so every coefficient range and open term carries over;
    the outflow is supply minus local use. `region` is any name of a region (default: the home
    region); "local" means that region and every region below it.

    Returns
    -------
    list of dict
        One row per product, in three groups (`group`): `outflow` (a known amount leaves the city;
        tonnes first, the largest typical outflow first, then other units), `outflow unknown` (the
        supply is not stated or an open term decides, or a policy wants it used in the city), and
        `final products: no local user in the graph` (nothing in the graph consumes it: it is not a
        surplus but an end product, with its supply). Products the city uses up entirely are left
        out. Within a group, rows whose product has a cited price (`prices`, default the shipped
        `chaingraph/reference/prices.csv`) come first, the largest typical value first.
        Fields: `rank`, `group`, `product`, `name`, `status`, `supply`, `local_use`, `outflow`
        (compact ranges with unit; `≤` where an open use could only lower it), `low` / `high` (the
        outflow's bounds in `unit`, None where unbounded), `supply_low`, `supply_high`, `use_low`,
        `use_high`, `unit`, `local_users` (names of the local products it feeds), `downstream` (the
        products it feeds that are not made locally, as `name (status)`), `open_terms` (as in
        `balance`), `policy` (the target's subject and quote, or None), `reason` (one sentence),
        `value` (the outflow, or
        a final product's supply, at the cited price: a compact range in 元 / 亿元, `≤` like the
        outflow; empty without a price), `value_low` / `value_high` (CNY, None without a price or
        where unbounded) and `price` (the price range with its kind of source, year and source).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = extend(open_backend())
    >>> [r["product"] for r in rows if r["group"] == "outflow"][:1]
    ['coke']
    """
    if basis not in BASES:
        from ..errors import ChaingraphError
        raise ChaingraphError(f"unknown basis {basis!r} (expected {', '.join(BASES)})")
    where = region_id(g, region)
    b = _Balancer(g, where, basis)
    statuses = b.status
    policies: dict[str, list[Target]] = {}
    for t in g.targets(region=where):
        if t.metric == LOCAL_USE and t.product:
            policies.setdefault(t.product, []).append(t)

    prices = load_prices() if prices is None else prices
    rows = []
    for order, p in enumerate(g.products()):
        status = statuses[p.id]
        if status not in PRESENT:
            continue
        users = list(dict.fromkeys(link.to for link in b.feeds[p.id]))
        local_users = [b.name(u) for u in users if statuses[u] in PRESENT]
        elsewhere = [u for u in users if statuses[u] not in PRESENT]  # made elsewhere: what could extend the chain
        elsewhere_names = [b.name(u) for u in elsewhere]
        downstream = [f"{name} ({i18n.value(statuses[u])})" for u, name in zip(elsewhere, elsewhere_names)]
        policy = policies.get(p.id, [])
        supply, use = b.supply(p.id).total, b.need(p.id).total
        base = b.base[p.id]
        low = supply.low - use.high if use.complete and supply.complete else None
        high = supply.high - use.low if supply.complete else None
        counted_low, counted_high = supply.low - use.high, supply.high - use.low  # the open terms left out
        if not users:
            group = GROUPS[2]
        elif supply.complete and counted_low > 0:
            group = GROUPS[0]
        elif supply.complete and counted_high <= 0 and not policy:
            continue  # used up in the city: no lead for 延链
        else:
            group = GROUPS[1]
        supply_text = supply.text(base)
        if group == GROUPS[2]:
            outflow = supply_text if supply.high > 0 else i18n.gettext("not known (supply not stated)")
        elif supply.complete:
            outflow = ("≤ " if use.open else "") + range_text(max(counted_low, 0.0), max(counted_high, 0.0), base)
        else:
            outflow = i18n.gettext("not known (supply not stated)")
        value = value_low = value_typ = value_high = None
        price = prices.get(p.id)
        if price is not None and supply.complete and group != GROUPS[1]:
            if group == GROUPS[2]:
                value, value_low, value_typ, value_high = _value(supply.low, supply.typ, supply.high, price, base, True)
            else:
                value, value_low, value_typ, value_high = _value(
                    max(counted_low, 0.0), max(supply.typ - use.typ, 0.0), max(counted_high, 0.0), price, base,
                    not use.open)
                if use.open:
                    value_low = None  # an open use could lower the outflow: only the upper bound holds
        volume = -(supply.typ - use.typ) if supply.complete else 0.0
        rows.append((GROUPS.index(group), value_typ is None, -(value_typ or 0.0), base != "t", volume, order, {
            "rank": 0, "group": group, "product": p.id, "name": p.name_zh, "status": status,
            "supply": supply_text, "local_use": use.text(base), "outflow": outflow,
            "low": low, "high": high, "supply_low": supply.low, "supply_high": supply.high if supply.complete else None,
            "use_low": use.low, "use_high": use.high if use.complete else None, "unit": base,
            "local_users": local_users, "downstream": downstream,
            "open_terms": listed_terms(list(dict.fromkeys(supply.open + use.open))),
            "policy": "; ".join(f"{t.subject}: {t.source}" for t in policy) or None,
            "reason": _reason(group, status == BY_PRODUCT, policy, local_users, elsewhere_names,
                              outflow if supply.complete else humanize(0, base)),
            "value": value or "", "value_low": value_low, "value_high": value_high,
            "price": (f"{_price_text(price)} ({i18n.value(price.source_kind)}, {price.year}: {price.source})"
                      if value is not None else None),
        }))
    rows.sort(key=lambda r: r[:6])
    for n, (*_, row) in enumerate(rows, 1):
        row["rank"] = n  # (the first key: made with each row)
    return [row for *_, row in rows]
