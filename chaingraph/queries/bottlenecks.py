"""Which product or firm does a chain hang on? One ranked list of bottlenecks, each with its reasons."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import i18n
from ..graph.backend import Backend, FirmTally
from ..i18n import gettext as _
from ._common import without_gc, LISTED, local_statuses, PRESENT, SUPPLYING, region_id
from .balance import balance

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["bottlenecks", "WEIGHTS", "HHI_CONCENTRATED"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("rank", "product", "name", "status", "score", "kinds", "reasons", "dependents", "firms")

# How much each kind of reason adds to a product's score; the list is sorted by score.
WEIGHTS = {"shortfall": 4, "single firm": 3, "concentrated": 2, "dominator": 2, "short in part of the range": 2,
           "articulation point": 1}
# Herfindahl-Hirschman index (shares in %, squared, summed) above which a market counts as highly
# concentrated, as in the US DOJ/FTC Horizontal Merger Guidelines (2010).
HHI_CONCENTRATED = 2500


def _dominators_of_ends(pg: nx.DiGraph, ends: set[str]) -> dict[str, set[str]]:
    """For each end product: the products every route from a raw material to it passes through.

    One `immediate_dominators` from a super-root joined to every raw material (a product nothing
    feeds), not one per end: a route to an end runs only through the end's ancestors, so its
    dominators are the same as in the end's own feeding subgraph. The walk runs on the ends and
    their ancestors alone (a node's feeders are all ancestors too, so every route from the root to
    an end lies inside them): the chains' part of a large taxonomy, not all of it. An end nothing
    feeds (or only a cycle feeds) gets none.
    """
    import networkx as nx  # here: importing the queries needs no graph library
    above = {e for e in ends if e in pg}
    todo = list(above)
    while todo:
        for feeder in pg.predecessors(todo.pop()):
            if feeder not in above:
                above.add(feeder)
                todo.append(feeder)
    root = ("root",)  # no product id is a tuple
    sub = nx.DiGraph()
    sub.add_node(root)
    sub.add_nodes_from(above)
    sub.add_edges_from((feeder, n) for n in above for feeder in pg.predecessors(n))
    sub.add_edges_from((root, n) for n in above if pg.in_degree(n) == 0)
    return _dominators_from_tree(pg, ends, nx.immediate_dominators(sub, root), root)


def _dominators_from_tree(pg: nx.DiGraph, ends: set[str], idom: dict, root) -> dict[str, set[str]]:
    """Each end's dominators read up the dominator tree `idom` (rooted at `root`)."""
    found: dict[str, set[str]] = {}
    for end in ends:
        if end not in idom or pg.in_degree(end) == 0:
            continue  # nothing feeds it
        chain, node = set(), end
        while idom[node] != root and idom[node] != node:
            node = idom[node]
            chain.add(node)
        found[end] = chain
    return found


def _articulation_points(pg: nx.DiGraph) -> dict[str, int]:
    """Each articulation point of the product graph (undirected) with the number of parts
    removing it adds: one less than the blocks (biconnected components) it belongs to, counted
    in one pass over the blocks instead of one count of the graph's components per point."""
    import networkx as nx  # here: importing the queries needs no graph library
    undirected = nx.Graph(pg.edges)  # the linked products; self-links split nothing
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    blocks: dict[str, int] = defaultdict(int)
    for block in nx.biconnected_components(undirected):
        for n in block:
            blocks[n] += 1
    return {n: count - 1 for n, count in blocks.items() if count > 1}  # in two blocks or more: a cut


def _present_descendants(pg: nx.DiGraph, status: dict[str, str], products) -> dict[str, int]:
    """How many locally present products each of `products` feeds, directly or further down.

    Walked from whichever side is smaller: down from each product, or up from each present
    product (d is below p exactly when p is above d), so a graph of 100k products with a few
    hundred present ones costs a few hundred walks, not one per product asked about.
    """
    import networkx as nx  # here: importing the queries needs no graph library
    products = list(products)
    present = [d for d in pg if status.get(d) in PRESENT]
    if len(products) <= len(present):
        made = set(present)
        return {p: len(nx.descendants(pg, p) & made) for p in products}
    counts = dict.fromkeys(products, 0)
    for d in present:
        for p in nx.ancestors(pg, d):
            if p in counts:
                counts[p] += 1
    return counts


@without_gc
def bottlenecks(g: Backend, region: str | None = None, chain: str | None = None,
                basis: str = "target", products: Iterable[str] | None = None,
                kinds: Iterable[str] | None = None, balance_rows: list[dict] | None = None) -> list[dict]:
    """Rank the products (and through them the firms) the region's chains hang on.

    Reasons, each kind adding `WEIGHTS[kind]` to the score once:

    - `shortfall`: `balance` (on `basis`, default `target`) finds local supply short of local need at
      every value of the coefficient ranges (verdict `short`); `short in part of the range`: short
      for some values only (verdict `depends`);
    - `single firm`: one named local firm is the only producer of a product other local products
      use; `concentrated`: several firms, but their stated capacities give an HHI above
      `HHI_CONCENTRATED`;
    - `dominator`: every route from raw materials to one of a chain's end products runs through
      it (networkx `immediate_dominators` on the FEEDS/YIELDS graph);
    - `articulation point`: removing it splits its part of the product graph (undirected) in two
      or more; the reason says how many parts that adds.

    `products` keeps only these products' rows; `kinds` runs only these analyses (default: all).
    `balance_rows` hands over what `balance` (same region, basis, chain and products) returned, for
    a caller that has it already (the brief).

    Returns
    -------
    list of dict
        One row per product with at least one reason, ranked by robustness, then size, then
        score: shortfalls at every value of the ranges first, in `balance`'s order (the largest
        certain shortfall against its requirement first, those of unknown amount after), then
        shortfalls in part of the range, then the other bottlenecks by score (ties: more local
        products depending on it first): `rank`,
        `product`, `name`, `status` (local), `score`,
        `kinds`, `reasons` (a sentence each), `dependents` (how many locally present products it
        feeds, directly or further down), `firms` (local producers: all of them by id, or where there are more than `LISTED` the
        `LISTED` largest and how many more).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = bottlenecks(open_backend())
    >>> rows[0]["rank"], "shortfall" in rows[0]["kinds"]
    (1, True)
    """
    import networkx as nx  # here: importing the queries needs no graph library
    only = None if products is None else set(products)
    where = region_id(g, region)
    status = local_statuses(g, where)
    products = {p.id: p for p in g.products()}
    # the product graph, which the analyses below walk (no property of it read), and beside it each
    # linked pair's type: its last link's, as an edge added again keeps its place and takes the new data
    links = g.links()
    pg = nx.DiGraph()
    pg.add_nodes_from(products)
    pg.add_edges_from((link.from_, link.to) for link in links)
    kind = {(link.from_, link.to): link.type for link in links}
    users_of: dict[str, list[str]] = defaultdict(list)  # product -> what it FEEDS, in the graph's order
    for (source, user), type_ in kind.items():
        if type_ == "FEEDS":
            users_of[source].append(user)
    selected = None
    chains = g.chains()
    if chain:
        c = g.resolve_chain(chain)
        chains = [c]
        selected = {p for step in c.steps for p in step.products}
    if only is not None:  # only these products' rows
        selected = only if selected is None else selected & only
    wanted_kinds = set(WEIGHTS if kinds is None else kinds)  # the analyses not asked for are not run

    reasons: dict[str, list[tuple[str, str]]] = defaultdict(list)

    shortage: dict[str, tuple[int, float]] = {}  # product -> (robustness, place in balance's order)
    if not wanted_kinds & {"shortfall", "short in part of the range"}:
        balance_rows = []
    elif balance_rows is None:
        balance_rows = balance(g, region=where, basis=basis, chain=chain, products=only, coefficients=False)
    wanted = {r["product"] for r in balance_rows if r["requirement_value"] or r["supply_value"]}
    for n, row in enumerate(balance_rows):
        if row["verdict"] == "short" and "shortfall" in wanted_kinds:
            if row["short_unknown_amount"]:
                feeds = users_of.get(row["product"], [])
                users = [i18n.name(products[u]) for u in feeds if status[u] in PRESENT]
                if users:
                    why = _("not made locally, yet %(users)s consume it (amount unknown)") % {
                        "users": i18n.join(users)}
                else:  # its users are not made here either, but local targets or products further down need them
                    needed = [i18n.name(products[u]) for u in feeds if u in wanted] or [i18n.name(products[u]) for u in feeds]
                    why = _("not made locally, yet it feeds %(products)s, which local targets or products "
                            "need") % {"products": i18n.join(needed)}
            else:
                words = {"supply": row["supply"], "requirement": row["requirement"], "balance": row["balance"]}
                why = (_("supply %(supply)s against requirement %(requirement)s: %(balance)s at every value of "
                         "the ranges") if row["low"] != row["high"] else
                       _("supply %(supply)s against requirement %(requirement)s: %(balance)s")) % words
            reasons[row["product"]].append(("shortfall", _("%(why)s (%(basis)s basis)") % {
                "why": why, "basis": i18n.value(basis)}))
            shortage[row["product"]] = (0, n)
        elif row["verdict"] == "depends" and "short in part of the range" in wanted_kinds:
            why = _("supply %(supply)s against requirement %(requirement)s: %(balance)s") % {
                "supply": row["supply"], "requirement": row["requirement"], "balance": row["balance"]}
            why = _("%(why)s (%(basis)s basis)") % {
                "why": i18n.clauses([why] + row["break_even"][:1]), "basis": i18n.value(basis)}
            reasons[row["product"]].append(("short in part of the range", why))
            shortage[row["product"]] = (1, n)

    # the rows by firm, one question for every product (for a few products asked about: theirs alone)
    supplying = g.firm_tallies(where, SUPPLYING, LISTED, products=None if only is None else selected)
    named_of: dict[str, FirmTally] = {}
    # (product, kind, the firm it names, its words, the place of its reason): the reason's text is written
    # once the firms' names are read, in its place among the product's reasons
    by_firm: list[tuple[str, str, str, dict, int]] = []
    single_or_concentrated = bool(wanted_kinds & {"single firm", "concentrated"})
    for pid in products:
        if selected is not None and pid not in selected:
            continue
        rows = supplying.get(pid)
        if not rows or not rows.rows:  # not made locally: no local producer to depend on
            continue
        named_of[pid] = rows
        if not single_or_concentrated:
            continue
        users = [u for u in users_of.get(pid, ()) if status[u] in PRESENT]
        if not users:
            continue
        found = None
        if rows.firms == 1 and not rows.unnamed:
            found = ("single firm", rows.named[0], {})
        elif rows.firms > 1 and rows.held is not None:  # every row names a firm and states an amount
            totals = rows.held
            whole = sum(totals.values())
            if whole > 0:
                hhi = sum((100 * v / whole) ** 2 for v in totals.values())
                top_firm, top = max(totals.items(), key=lambda kv: kv[1])
                if hhi > HHI_CONCENTRATED:
                    found = ("concentrated", top_firm, {"hhi": hhi, "share": 100 * top / whole})
        if found is not None:
            kind, firm, words = found
            words["users"] = i18n.join(i18n.name(products[u]) for u in users)
            by_firm.append((pid, kind, firm, words, len(reasons[pid])))
            reasons[pid].append((kind, ""))

    ends = {}
    for c in chains:
        for end in c.steps[-1].products:
            ends.setdefault(end, c)
    dominated: dict[str, list[str]] = defaultdict(list)  # product -> end products it dominates
    for end, dominators in (_dominators_of_ends(pg, set(ends)) if "dominator" in wanted_kinds else {}).items():
        for d in dominators:
            if selected is None or d in selected:
                dominated[d].append(end)
    position = {pid: i for i, pid in enumerate(products)}
    for d, found_ends in dominated.items():
        found_ends.sort(key=position.__getitem__)
        names = i18n.join(i18n.name(products[e]) for e in found_ends[:6])
        if len(found_ends) > 6:
            names = _("%(names)s and %(n)s more") % {"names": names, "n": len(found_ends) - 6}
        reasons[d].append(("dominator", i18n.ngettext(
            "every route from raw materials to %(n)s chain end product runs through it: %(names)s",
            "every route from raw materials to %(n)s chain end products runs through it: %(names)s",
            len(found_ends)) % {"n": len(found_ends), "names": names}))

    for pid, added in (_articulation_points(pg) if "articulation point" in wanted_kinds else {}).items():
        if selected is None or pid in selected:
            reasons[pid].append(("articulation point", i18n.ngettext(
                "removing it splits its part of the product graph into %(parts)s: %(added)s more part",
                "removing it splits its part of the product graph into %(parts)s: %(added)s more parts",
                added) % {"parts": added + 1, "added": added}))

    # the names of the firms shown (those of the products with a reason), in one query on a server
    firm_name = g.firm_names({f for pid, rows in named_of.items() if pid in reasons for f in rows.named}
                             | {firm for _, _, firm, _, _ in by_firm})
    for pid, kind, firm, words, at in by_firm:
        words["firm"] = firm_name[firm]
        reasons[pid][at] = (kind, (
            _("%(firm)s is the only local producer; %(users)s depend on it") if kind == "single firm" else
            _("HHI %(hhi).0f: %(firm)s holds %(share).0f%% of stated capacity; %(users)s depend on it")) % words)

    def firms_of(pid: str) -> list[str]:
        """The product's local producers: all of them by name, or the `LISTED` largest and how many more."""
        rows = named_of.get(pid)
        if rows is None:
            return []
        shown = [firm_name[f] for f in rows.named]
        if rows.firms > LISTED:
            shown.append(i18n.ngettext("and %(n)s more firm", "and %(n)s more firms", rows.firms - LISTED)
                         % {"n": rows.firms - LISTED})
        return shown

    rows = []
    present_below = _present_descendants(pg, status, reasons)
    for pid, found in reasons.items():
        kinds = list(dict.fromkeys(kind for kind, _ in found))
        dependents = present_below[pid]
        rows.append({
            "product": pid, "name": products[pid].name_zh, "status": status[pid],
            "score": sum(WEIGHTS[kind] for kind in kinds), "kinds": kinds,
            "reasons": [why for _, why in found], "dependents": dependents, "firms": firms_of(pid),
        })
    order = {pid: i for i, pid in enumerate(products)}
    rows.sort(key=lambda r: (*shortage.get(r["product"], (2, 0)), -r["score"], -r["dependents"],
                             order[r["product"]]))
    return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]
