"""What a dataset holds: counts of each kind of record."""
from __future__ import annotations

from ..graph.backend import Backend

__all__ = ["info"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("kind", "count")


def info(g: Backend) -> list[dict]:
    """Count the records of the dataset behind `g`.

    Returns
    -------
    list of dict
        One row per kind: `kind` (products, chains, written chains, prose chains, firms,
        regions, capacities, targets, FEEDS links, YIELDS links, coefficients = links with a
        ratio, estimates = links flagged estimate=yes) and `count`.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = info(open_backend())
    >>> {r["kind"]: r["count"] for r in rows}["products"] > 0
    True
    """
    chains, links = g.chains(), g.links()
    counts = {
        "products": len(g.products()),
        "chains": len(chains),
        "written chains": sum(c.written for c in chains),
        "prose chains": sum(not c.written for c in chains),
        "firms": g.count("firms"),
        "regions": len(g.regions()),
        "capacities": g.count("capacities"),
        "targets": len(g.targets()),
        "FEEDS links": sum(link.type == "FEEDS" for link in links),
        "YIELDS links": sum(link.type == "YIELDS" for link in links),
        "coefficients": sum(link.ratio is not None for link in links),
        "estimates": sum(link.estimate for link in links),
    }
    return [{"kind": kind, "count": count} for kind, count in counts.items()]
