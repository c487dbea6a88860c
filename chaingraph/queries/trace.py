"""Follow a product up to its inputs or down to what is made from it."""
from __future__ import annotations

from ..errors import ChaingraphError
from ..graph.backend import Backend
from ._common import local_statuses

__all__ = ["trace"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("depth", "from", "from_name", "to", "to_name", "relation", "ratio", "ratio_unit", "estimate",
           "status")


def trace(g: Backend, product: str, direction: str = "down", depth: int | None = None) -> list[dict]:
    """Walk the FEEDS/YIELDS links from a product, as a tree.

    `down` follows links forwards: what the product feeds and the by-products it yields. `up`
    follows them backwards: the inputs of the product, and for a by-product the main product
    it comes from. `depth` limits the number of links from the start (None: no limit).

    Returns
    -------
    list of dict
        One row per link reached, in tree order (each row is followed by the links below it):
        `depth` (1 for the start's own links), `from`, `from_name`, `to`, `to_name` in the link's
        own direction (`from` feeds or yields `to`), `relation` (FEEDS or YIELDS), `ratio` and
        `ratio_unit` (`from` per unit of `to` for FEEDS, `to` per unit of `from` for YIELDS),
        `estimate`, and `status`, the local status of the product the row reaches (`to` going
        down, `from` going up). A product reached twice is expanded once, at its smallest depth,
        so cycles end.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = trace(open_backend(), "电石", direction="up", depth=1)
    >>> all(r["to"] == "calcium_carbide" and r["depth"] == 1 for r in rows)
    True
    """
    import networkx as nx  # here: importing the queries needs no graph library
    if direction not in ("down", "up"):
        raise ChaingraphError(f"unknown direction {direction!r} (expected down, up)")
    if depth is not None and depth < 0:
        raise ChaingraphError(f"depth must be 0 or more, not {depth}")
    start = g.resolve_product(product).id
    pg = g.product_graph()
    down = direction == "down"
    walk = pg if down else pg.reverse(copy=False)
    dist = nx.single_source_shortest_path_length(walk, start, cutoff=depth)
    status = local_statuses(g)

    rows = []
    expanded = {start}
    stack = [(start, iter(walk.successors(start)))] if depth != 0 else []
    while stack:  # depth-first, so that the rows read as a tree
        node, successors = stack[-1]
        reached = next(successors, None)
        if reached is None:
            stack.pop()
            continue
        source, target = (node, reached) if down else (reached, node)
        edge = pg.edges[source, target]
        rows.append({
            "depth": dist[node] + 1,
            "from": source, "from_name": pg.nodes[source]["name_zh"],
            "to": target, "to_name": pg.nodes[target]["name_zh"],
            "relation": edge["type"], "ratio": edge["ratio"], "ratio_unit": edge["ratio_unit"],
            "estimate": edge["estimate"], "status": status[reached],
        })
        if (reached not in expanded and dist.get(reached) == dist[node] + 1
                and (depth is None or dist[reached] < depth)):
            expanded.add(reached)
            stack.append((reached, iter(walk.successors(reached))))
    return rows
