"""What breaks downstream if a firm or a product stops making anything locally."""
from __future__ import annotations

import heapq

from .. import i18n
from ..errors import ChaingraphError, UnknownNameError
from ..graph.backend import Backend
from ..graph.model import Capacity, CapacitySums, Firm, Link, Product
from ..units import base_of, convert, written
from ._common import PRESENT, SUPPLYING, local_statuses, region_id

__all__ = ["whatif"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("product", "name", "depth", "via", "relation", "lost_share", "effect", "capacity_affected",
           "capacity_affected_base", "base_unit")



def _resolve(g: Backend, name: str) -> Firm | Product:
    """The firm or the product called `name`; an exact id of only one of them wins."""
    found, closest = {}, []
    for kind, resolve in (("firm", g.resolve_firm), ("product", g.resolve_product)):
        try:
            found[kind] = resolve(name)
        except UnknownNameError as e:
            closest += [f"{kind} {c}" for c in e.closest]
    if not found:
        raise UnknownNameError("firm or product", name, closest)
    if len(found) == 2:
        firm, product = found["firm"], found["product"]
        if (name == firm.id) != (name == product.id):
            return firm if name == firm.id else product
        raise ChaingraphError(i18n.gettext("ambiguous %(name)r: firm %(firm)s and product %(product)s; give an id")
                              % {"name": name, "firm": f"{firm.id} ({firm.name_zh})",
                                 "product": f"{product.id} ({product.name_zh})"})
    return next(iter(found.values()))


class _Supply(dict):
    """A region's operating and building rows by product, summed (`capacity_sums`), those of
    `first` asked for at once and any other product's when first needed (a backend reads a few
    products' rows alone, or answers from the region's sums, as suits it)."""

    def __init__(self, g: Backend, region: str, first: set[str]):
        super().__init__(dict.fromkeys(first))
        self.update(g.capacity_sums(region, SUPPLYING, listed=False, products=first))
        self.g, self.region = g, region

    def __missing__(self, pid: str) -> CapacitySums | None:
        self[pid] = None
        self.update(self.g.capacity_sums(self.region, SUPPLYING, listed=False, products=[pid]))
        return self[pid]


def _with_subsidiaries(g: Backend, firm: str) -> set[str]:
    """The firm and every firm or plant below it (PART_OF): a group stops with its plants."""
    return g.subsidiaries(firm)


def _stated(rows: list[Capacity], base: str) -> float | None:
    """The rows' capacities added up in `base`, or None when any is unstated or in another dimension."""
    if any(r.capacity_base is None or r.base_unit != base for r in rows):
        return None
    return sum(r.capacity_base for r in rows)


def _stated_sum(rows: CapacitySums, base: str) -> float | None:
    """`_stated` of the rows a `CapacitySums` stands for."""
    if any(unit != base for unit in rows.stated):
        return None
    if not rows.stated:
        return _stated(list(rows.others), base)  # every row is listed
    count, total = rows.stated[base]
    return total if count == rows.rows else None  # the other rows have no figure


def _lost_share(rows: CapacitySums, removed: list[Capacity], base: str) -> float | None:
    """Share of the local supply `rows` that `removed` takes away; None when it cannot be told."""
    if len(removed) == rows.rows:
        return 1.0  # the only local producer(s): everything goes, stated or not
    total, lost = _stated_sum(rows, base), _stated(removed, base)
    if total is None or lost is None or total <= 0:
        return None
    return lost / total


def _strength(share: float | None) -> tuple[int, float]:
    """Sort key, strongest first: all supply lost, then an unknown share, then larger shares.

    An unknown share outranks a known partial one: the loss may be anything up to all of it, and
    showing the partial figure would claim the loss is known.
    """
    if share == 1:
        return (0, 0.0)
    return (1, 0.0) if share is None else (2, -share)


def whatif(g: Backend, without: str, region: str | None = None) -> list[dict]:
    """Remove a firm or a product from the region and follow what it leaves short downstream.

    `without` is any name of a firm or a product; a name that is both raises ChaingraphError
    (an exact id of only one of them wins). Removing a firm removes the local operating and
    building capacity rows of that firm and of the firms and plants below it; removing a product
    removes all its local supply. A product loses the removed share of its local supply: removed
    stated capacity / total stated local capacity (in its base unit), 1 when its only local
    producers go, None (unknown) when a capacity involved is not stated. The loss then follows
    FEEDS and YIELDS links through the local products: every input counts as required, so a
    product passes on the largest share its inputs lost, and a by-product loses the share its
    main product lost. Inputs marked `alternative` in links.csv stand in for each other (carbide
    slag, limestone and gangue for clinker): a product loses supply through them only when every
    local one of them loses some, and then the smallest of their shares. A product reached on
    several paths keeps the largest share (all, then unknown, then the larger part), at the
    smallest depth that gives it. `region` is any name of a region (default: the home region);
    "local" means that region and every region below it.

    Returns
    -------
    list of dict
        One row per local product affected, by depth, then product file order: `product` (id),
        `name`, `depth` (0: removed directly), `via` (the product the loss comes from; None at
        depth 0), `relation` (FEEDS, YIELDS, or `—` at depth 0), `lost_share` (0..1, or None when
        unknown), `effect` (`removed`: all local supply gone at depth 0; `cut off`: all local
        supply of an input gone; `partly affected`; `unknown share`), `capacity_affected` (the
        product's stated local capacity times the share, with its unit; at depth 0 after a firm,
        the firm's stated capacity; "" when unknown), `capacity_affected_base` (the same number in
        the base unit, or None) and `base_unit`. Empty when nothing local is lost.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = whatif(open_backend(), "电石")
    >>> rows[0]["product"], rows[0]["effect"]
    ('calcium_carbide', 'removed')
    >>> "pvc" in {r["product"] for r in rows if r["effect"] == "cut off"}
    True
    """
    where = region_id(g, region)
    removed = _resolve(g, without)
    products = {p.id: p for p in g.products()}
    file_order = {pid: i for i, pid in enumerate(products)}
    statuses = local_statuses(g, where)
    present = {pid for pid, s in statuses.items() if s in PRESENT}
    base = {pid: base_of(p.unit) for pid, p in products.items()}
    firms = _with_subsidiaries(g, removed.id) if isinstance(removed, Firm) else set()
    # the firm's (and its plants') local operating and building rows, by product in file order
    taken: dict[str, list[Capacity]] = {}
    for r in sorted((r for f in firms for r in g.capacities(firm=f, region=where) if r.status in SUPPLYING),
                    key=lambda r: r.line):
        taken.setdefault(r.product, []).append(r)
    # the sums of the products the firm makes, then of those the loss reaches
    supplied = _Supply(g, where, set(taken)).__getitem__

    # depth 0: what goes directly, and the capacity it takes with it (known for a firm's own rows)
    seeds: dict[str, tuple[float | None, float | None]] = {}
    if isinstance(removed, Firm):
        for pid, lost in taken.items():
            seeds[pid] = (_lost_share(supplied(pid), lost, base[pid]), _stated(lost, base[pid]))
    elif removed.id in present:
        seeds[removed.id] = (1.0, None)

    links: dict[str, list[Link]] = {}  # the links out of each product
    stand_ins: dict[str, int] = {}  # product -> how many of its alternative inputs are made locally
    for link in g.links():
        links.setdefault(link.from_, []).append(link)
        if link.type == "FEEDS" and link.alternative and link.from_ in present:
            stand_ins[link.to] = stand_ins.get(link.to, 0) + 1

    # best-first on (strength of share, depth): shares pass on unchanged, so the first time a
    # product is taken off the heap is with its largest share, at the smallest depth for it
    heap = [(_strength(s), 0, file_order[pid], -1, pid, None, "—", s)
            for pid, (s, _) in seeds.items() if s != 0]
    heapq.heapify(heap)
    reached: dict[str, tuple[int, str | None, str, float | None]] = {}
    stand_ins_lost: dict[str, int] = {}
    while heap:
        _, depth, _, _, pid, via, relation, share = heapq.heappop(heap)
        if pid in reached:
            continue
        reached[pid] = (depth, via, relation, share)
        for link in links.get(pid, ()):
            user = link.to
            if user not in present or user in reached:
                continue
            if link.type == "FEEDS" and link.alternative:
                # inputs that stand in for each other: the user loses supply only once every local
                # one has lost some, and then the share of the last (least affected) of them
                stand_ins_lost[user] = stand_ins_lost.get(user, 0) + 1
                if stand_ins_lost[user] < stand_ins[user]:
                    continue
            heapq.heappush(heap, (_strength(share), depth + 1, file_order[user], file_order[pid],
                                  user, pid, link.type, share))

    rows = []
    by_depth = sorted(reached.items(), key=lambda item: (item[1][0], file_order[item[0]]))
    for pid, (depth, via, relation, share) in by_depth:
        unit = base[pid]
        local = supplied(pid)
        affected = None
        if depth == 0 and seeds[pid][1] is not None:
            affected = seeds[pid][1]
        elif share is not None and local and (stated := _stated_sum(local, unit)) is not None:
            affected = stated * share
        if affected is not None:
            affected = round(affected, 6)
        # shown in the unit the sources write, when they agree
        shown_units = {shown for base_unit, shown in (local.units if local else ()) if shown and base_unit == unit}
        shown = shown_units.pop() if len(shown_units) == 1 else unit
        rows.append({
            "product": pid, "name": products[pid].name_zh, "depth": depth, "via": via,
            "relation": relation,
            "lost_share": None if share is None else round(share, 6),
            "effect": ("unknown share" if share is None else "partly affected" if share < 1
                       else "removed" if depth == 0 else "cut off"),
            "capacity_affected": ("" if affected is None
                                  else written(convert(affected, unit, shown), shown)),
            "capacity_affected_base": affected, "base_unit": unit,
        })
    return rows
