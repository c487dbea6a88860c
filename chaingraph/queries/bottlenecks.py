"""Which product or firm does a chain hang on? One ranked list of bottlenecks, each with its reasons."""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from ..graph.backend import Backend
from ._common import local_statuses, PRESENT, SUPPLYING, region_id
from .balance import balance

__all__ = ["bottlenecks", "WEIGHTS", "HHI_CONCENTRATED"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("rank", "product", "name", "status", "score", "kinds", "reasons", "dependents", "firms")

# How much each kind of reason adds to a product's score; the list is sorted by score.
WEIGHTS = {"shortfall": 4, "single firm": 3, "concentrated": 2, "dominator": 2, "articulation point": 1}
# Herfindahl-Hirschman index (shares in %, squared, summed) above which a market counts as highly
# concentrated, as in the US DOJ/FTC Horizontal Merger Guidelines (2010).
HHI_CONCENTRATED = 2500


def _dominators_of_ends(pg: nx.DiGraph, ends: set[str]) -> dict[str, set[str]]:
    """For each end product: the products every route from a raw material to it passes through."""
    found: dict[str, set[str]] = {}
    for end in ends:
        feeding = nx.ancestors(pg, end) | {end}
        sub = pg.subgraph(feeding).copy()
        root = ("root",)
        sub.add_edges_from((root, n) for n in feeding if sub.in_degree(n) == 0 and n != end)
        if root not in sub:
            continue  # nothing feeds it
        idom = nx.immediate_dominators(sub, root)
        chain, node = set(), end
        while idom.get(node, root) != root and idom[node] != node:
            node = idom[node]
            chain.add(node)
        found[end] = chain
    return found


def bottlenecks(g: Backend, region: str | None = None, chain: str | None = None,
                basis: str = "target") -> list[dict]:
    """Rank the products (and through them the firms) the region's chains hang on.

    Reasons, each kind adding `WEIGHTS[kind]` to the score once:

    - `shortfall`: `balance` (on `basis`, default `target`) finds local supply short of local need;
    - `single firm`: one named local firm is the only producer of a product other local products
      use; `concentrated`: several firms, but their stated capacities give an HHI above
      `HHI_CONCENTRATED`;
    - `dominator`: every route from raw materials to one of a chain's end products runs through
      it (networkx `immediate_dominators` on the FEEDS/YIELDS graph);
    - `articulation point`: removing it splits the product graph (undirected) into more parts.

    Returns
    -------
    list of dict
        One row per product with at least one reason, highest score first (ties: more local
        products depending on it first): `rank`, `product`, `name`, `status` (local), `score`,
        `kinds`, `reasons` (a sentence each), `dependents` (how many locally present products it
        feeds, directly or further down), `firms` (local producers).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = bottlenecks(open_backend())
    >>> rows[0]["rank"], "shortfall" in rows[0]["kinds"]
    (1, True)
    """
    where = region_id(g, region)
    status = local_statuses(g, where)
    products = {p.id: p for p in g.products()}
    pg = g.product_graph()
    selected = None
    chains = g.chains()
    if chain:
        c = g.resolve_chain(chain)
        chains = [c]
        selected = {p for step in c.steps for p in step.products}

    reasons: dict[str, list[tuple[str, str]]] = defaultdict(list)

    for row in balance(g, region=where, basis=basis, chain=chain):
        if row["status"] == "shortfall":
            if row["balance_value"] is not None:
                why = f"supply {row['supply']} against requirement {row['requirement']}: short by {row['balance']}"
            else:
                users = [products[u].name_zh for u in pg.successors(row["product"])
                         if pg.edges[row["product"], u]["type"] == "FEEDS" and status[u] in PRESENT]
                why = f"not made locally, yet {', '.join(users)} consume it"
            reasons[row["product"]].append(("shortfall", why + f" ({basis} basis)"))

    firms_of: dict[str, list[str]] = defaultdict(list)
    supplying = g.capacities_by_product(where, SUPPLYING)  # one query for every product
    for pid in products:
        if selected is not None and pid not in selected:
            continue
        rows = supplying.get(pid, [])
        named = sorted({r.firm for r in rows if r.firm})
        firms_of[pid] = [g.resolve_firm(f).name_zh for f in named]
        users = [u for u in pg.successors(pid) if pg.edges[pid, u]["type"] == "FEEDS" and status[u] in PRESENT]
        if not users or not rows:
            continue
        user_names = ", ".join(products[u].name_zh for u in users)
        if len(named) == 1 and all(r.firm for r in rows):
            reasons[pid].append(("single firm", f"{firms_of[pid][0]} is the only local producer; "
                                                f"{user_names} depend on it"))
        elif len(named) > 1 and all(r.firm and r.capacity_base is not None for r in rows):
            totals: dict[str, float] = defaultdict(float)
            for r in rows:
                totals[r.firm] += r.capacity_base
            whole = sum(totals.values())
            if whole > 0:
                hhi = sum((100 * v / whole) ** 2 for v in totals.values())
                top_firm, top = max(totals.items(), key=lambda kv: kv[1])
                if hhi > HHI_CONCENTRATED:
                    reasons[pid].append(("concentrated", f"HHI {hhi:.0f}: {g.resolve_firm(top_firm).name_zh} "
                                                         f"holds {100 * top / whole:.0f}% of stated capacity; "
                                                         f"{user_names} depend on it"))

    ends = {}
    for c in chains:
        for end in c.steps[-1].products:
            ends.setdefault(end, c)
    dominated: dict[str, list[str]] = defaultdict(list)  # product -> end products it dominates
    for end, dominators in _dominators_of_ends(pg, set(ends)).items():
        for d in dominators:
            if selected is None or d in selected:
                dominated[d].append(end)
    for d, found_ends in dominated.items():
        found_ends.sort(key=list(products).index)
        names = "、".join(products[e].name_zh for e in found_ends[:6])
        more = f" and {len(found_ends) - 6} more" if len(found_ends) > 6 else ""
        reasons[d].append(("dominator", f"every route from raw materials to {len(found_ends)} chain end "
                                        f"product(s) runs through it: {names}{more}"))

    undirected = pg.to_undirected()
    undirected.remove_nodes_from([n for n in list(undirected) if undirected.degree(n) == 0])
    for pid in nx.articulation_points(undirected):
        if selected is None or pid in selected:
            parts = nx.number_connected_components(undirected.subgraph(set(undirected) - {pid}))
            reasons[pid].append(("articulation point", f"removing it splits the product graph into {parts} parts"))

    rows = []
    for pid, found in reasons.items():
        kinds = list(dict.fromkeys(kind for kind, _ in found))
        dependents = sum(1 for d in nx.descendants(pg, pid) if status[d] in PRESENT)
        rows.append({
            "product": pid, "name": products[pid].name_zh, "status": status[pid],
            "score": sum(WEIGHTS[kind] for kind in kinds), "kinds": kinds,
            "reasons": [why for _, why in found], "dependents": dependents, "firms": firms_of.get(pid, []),
        })
    order = {pid: i for i, pid in enumerate(products)}
    rows.sort(key=lambda r: (-r["score"], -r["dependents"], order[r["product"]]))
    return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]
