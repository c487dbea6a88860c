"""Who elsewhere makes a product the region lacks, and who fits best? (产业链招商)"""
from __future__ import annotations

from ..graph.backend import Backend
from ..units import humanize
from ._common import local_statuses, PRESENT, region_id
from .gaps import gaps

__all__ = ["candidates", "SCORE"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("product", "name", "rank", "firm", "firm_name", "region", "region_name", "capacity", "status",
           "year", "score", "reasons", "source")

# The score: points per criterion, each between 0 and its weight. Documented in the README.
SCORE = {
    "inputs": 3,      # share of the product's required inputs the region already makes
    "users": 2,       # local products that would use its output (full points at 3 or more)
    "capacity": 2,    # the firm's capacity of the product against the largest candidate's
    "operating": 1,   # the firm's plant runs (rather than is built or planned)
    "breadth": 1,     # the firm also makes another product the region lacks
    "nearby": 1,      # the firm is in the same province as the region
}


def _province(g: Backend, region: str) -> str:
    """The region's top-most ancestor below the country level (a province, for a city)."""
    parents = {r.id: r for r in g.regions()}
    current = parents[region]
    while current.parent and parents[current.parent].level != "country":
        current = parents[current.parent]
    return current.id


def candidates(g: Backend, product: str | None = None, region: str | None = None,
               all_gaps: bool = False) -> list[dict]:
    """Firms outside the region that make `product` (or, with `all_gaps`, every gap's products),
    ranked by a score out of 10 (`SCORE`): how many of the product's required inputs the region
    already makes (3), how many local products would use its output (2), the firm's capacity
    against the largest candidate's (2), whether its plant operates (1), whether it also makes
    another product the region lacks (1), and whether it is in the same province (1).

    Returns
    -------
    list of dict
        One row per firm × product, best first within each product: `product`, `name`, `rank`
        (within the product), `firm`, `firm_name`, `region` (the firm's), `capacity` (as its
        source states it), `status`, `year`, `score`, `reasons` (one per criterion that scored),
        `source` (the public material that says the firm makes it).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = candidates(open_backend(), "醋酸乙烯")
    >>> rows[0]["rank"], rows[0]["product"], rows[0]["region"] != "wuhai"
    (1, 'vinyl_acetate', True)
    """
    where = region_id(g, region)
    status = local_statuses(g, where)
    products = {p.id: p for p in g.products()}
    regions = {r.id: r for r in g.regions()}
    home_province = _province(g, where)
    links = g.links()

    if all_gaps:
        wanted = list(dict.fromkeys(p for row in gaps(g, region=where) for p in row["products"]))
    elif product is not None:
        wanted = [g.resolve_product(product).id]
    else:
        raise ValueError("give a product or all_gaps=True")
    lacking = {pid for pid, s in status.items() if s not in PRESENT}

    # the store finds the offers elsewhere, then the other products of the firms that offer
    outside_rows = g.producers_outside(where, products=wanted)
    makes: dict[str, set[str]] = {}
    for c in g.producers_outside(where, firms={c.firm for c in outside_rows}) if outside_rows else ():
        makes.setdefault(c.firm, set()).add(c.product)

    rows = []
    for pid in wanted:
        required = [l.from_ for l in links if l.type == "FEEDS" and l.to == pid and not l.alternative]
        made_inputs = [i for i in required if status[i] in PRESENT]
        users = [l.to for l in links if l.type == "FEEDS" and l.from_ == pid and status[l.to] in PRESENT]
        offers = [c for c in outside_rows if c.product == pid]
        largest = max((c.capacity_base for c in offers if c.capacity_base), default=None)
        product_rows = []
        for c in offers:
            firm = g.resolve_firm(c.firm)
            points, reasons = 0.0, []
            if required:
                share = len(made_inputs) / len(required)
                points += SCORE["inputs"] * share
                if made_inputs:
                    reasons.append(f"the region already makes {len(made_inputs)} of its {len(required)} "
                                   f"inputs: {'、'.join(products[i].name_zh for i in made_inputs)}")
            if users:
                points += SCORE["users"] * min(len(users), 3) / 3
                reasons.append(f"local users of its output: {'、'.join(products[u].name_zh for u in users)}")
            if largest and c.capacity_base:
                points += SCORE["capacity"] * c.capacity_base / largest
                reasons.append(f"capacity {humanize(c.capacity_base, c.base_unit)}"
                               + (f" ({c.year})" if c.year else ""))
            if c.status == "operating":
                points += SCORE["operating"]
                reasons.append("its plant operates")
            also = sorted((makes.get(c.firm, set()) & lacking) - {pid}, key=list(products).index)
            if also:
                points += SCORE["breadth"]
                reasons.append(f"also makes {'、'.join(products[a].name_zh for a in also)}, "
                               f"which the region lacks")
            if _province(g, c.region) == home_province:
                points += SCORE["nearby"]
                reasons.append(f"in the same province ({regions[home_province].name_zh})")
            product_rows.append({
                "product": pid, "name": products[pid].name_zh, "firm": firm.id, "firm_name": firm.name_zh,
                "region": c.region, "region_name": regions[c.region].name_zh,
                "capacity": "" if c.capacity is None else f"{c.capacity:g} {c.unit}",
                "status": c.status, "year": c.year, "score": round(points, 2), "reasons": reasons,
                "source": c.source,
            })
        product_rows.sort(key=lambda r: -r["score"])
        rows += [{"rank": i, **r} for i, r in enumerate(product_rows, start=1)]
    return [{k: r[k] for k in ("product", "name", "rank", *[k for k in r if k not in ("product", "name", "rank")])}
            for r in rows]
