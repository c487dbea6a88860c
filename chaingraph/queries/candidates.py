"""Who elsewhere makes a product the region lacks, and who fits best? (产业链招商)"""
from __future__ import annotations

from ..graph.backend import Backend
from .. import i18n
from ..i18n import gettext as _
from ..units import humanize
from ._common import local_statuses, PRESENT, region_id
from .gaps import gaps

__all__ = ["candidates", "SCORE"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("product", "name", "rank", "firm", "firm_name", "region", "region_name", "country", "abroad", "capacity",
           "status", "year", "route", "score", "reasons", "source_kind", "source")

# The score: points per criterion, each between 0 and its weight (out of 10). The one place it is
# defined; `candidates`' docstring explains each criterion and README.md points here.
SCORE = {
    "inputs": 3,      # share of the inputs of the firm's route that the region already makes
    "users": 2,       # local products that would use its output (full points at 3 or more)
    "capacity": 2,    # the firm's capacity of the product against the largest candidate's
    "operating": 1,   # the firm's plant runs (rather than is built or planned)
    "breadth": 1,     # the firm also makes another product the region lacks
    "nearby": 1,      # the firm is in the same province as the region
}


class _Regions:
    """Province and country of each region, looked up once per region."""

    def __init__(self, g: Backend):
        self.by_id = {r.id: r for r in g.regions()}
        self._above: dict[str, list[str]] = {}

    def above(self, region: str) -> list[str]:
        """The region and its ancestors, nearest first."""
        if region not in self._above:
            chain, current = [], region
            while current is not None and current not in chain:
                chain.append(current)
                current = self.by_id[current].parent
            self._above[region] = chain
        return self._above[region]

    def province(self, region: str) -> str:
        """The top-most ancestor below the country level (a province, for a city)."""
        chain = [r for r in self.above(region) if self.by_id[r].level != "country"]
        return chain[-1] if chain else region

    def country(self, region: str) -> str | None:
        return next((r for r in self.above(region) if self.by_id[r].level == "country"), None)


def candidates(g: Backend, product: str | None = None, region: str | None = None,
               all_gaps: bool = False, as_of: int | None = None, abroad: bool = False) -> list[dict]:
    """Firms outside the region that make `product` (or, with `all_gaps`, every gap's products),
    ranked by a score out of 10 (`SCORE`):

    - inputs (3): the share of the inputs the firm's route consumes that the region already makes.
      A directory row names its route and the route's feed (`route`, `feed`): a firm whose route
      uses what the region makes scores, a firm on another route does not. Where no producer of the
      product states a route, the product's required inputs (its `FEEDS` links) are used; where
      some do, a firm whose route is not stated gets no input points (its fit is not known).
    - users (2): local products that would use its output (full points at 3 or more).
    - capacity (2): the firm's capacity of the product against the largest candidate's.
    - operating (1): its plant runs (rather than is being built or planned).
    - breadth (1): it also makes another product the region lacks.
    - nearby (1): it is in the same province as the region.

    Plants in the region's own country come first and plants abroad after them (foreign direct
    investment is a different list); `abroad=True` returns only the plants abroad. `as_of` keeps
    only rows whose figure held by that year (rows without a year are left out).

    Returns
    -------
    list of dict
        One row per firm × product, best first within each product: `product`, `name`, `rank`
        (within the product), `firm`, `firm_name`, `region` (the plant's), `region_name`,
        `country` (name), `abroad`, `capacity` (as its source states it), `status`, `year` (the
        year the figure held), `route`, `score`, `reasons` (one per criterion that scored, or why
        the input fit did not), `source_kind`, `source` (the public material that says it).

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
    order = {pid: i for i, pid in enumerate(products)}
    regions = _Regions(g)
    home_province = regions.province(where)
    home_country = regions.country(where)

    if all_gaps:
        wanted = list(dict.fromkeys(p for row in gaps(g, region=where) for p in row["products"]))
    elif product is not None:
        wanted = [g.resolve_product(product).id]
    else:
        raise ValueError("give a product or all_gaps=True")
    lacking = {pid for pid, s in status.items() if s not in PRESENT}

    # one pass over the graph's links and the offers elsewhere, grouped by product
    required: dict[str, list[str]] = {}
    users: dict[str, list[str]] = {}
    for link in g.links():
        if link.type != "FEEDS":
            continue
        if not link.alternative:
            required.setdefault(link.to, []).append(link.from_)
        if status[link.to] in PRESENT:
            users.setdefault(link.from_, []).append(link.to)
    outside_rows = g.producers_outside(where, products=wanted)
    offers: dict[str, list] = {}
    for c in outside_rows:
        offers.setdefault(c.product, []).append(c)
    makes: dict[str, set[str]] = {}
    for c in g.producers_outside(where, firms={c.firm for c in outside_rows}) if outside_rows else ():
        makes.setdefault(c.firm, set()).add(c.product)
    firm_names = g.firm_names(makes, shown=False)  # the offering firms' names, in one query on a server

    def names(ids) -> str:
        return i18n.join(i18n.name(products[i]) for i in ids)

    rows = []
    for pid in wanted:
        product_offers = offers.get(pid, [])
        routes_matter = any(c.route for c in product_offers)
        if as_of is not None:
            product_offers = [c for c in product_offers if c.year is not None and c.year <= as_of]
        product_offers = [c for c in product_offers
                          if not abroad or regions.country(c.region) != home_country]
        largest = max((c.capacity_base for c in product_offers if c.capacity_base), default=None)
        column_scale: dict[str, float] = {}  # one display unit per base unit for the product's rows
        for c in product_offers:
            if c.capacity_base:
                column_scale[c.base_unit] = max(column_scale.get(c.base_unit, 0.0), c.capacity_base)
        product_users = users.get(pid, [])
        product_rows = []
        for c in product_offers:
            points, reasons = 0.0, []
            if c.route:
                inputs = list(c.feed)
                if not inputs:
                    reasons.append(_("route %(route)s uses none of the products in the graph") % {"route": c.route})
            elif routes_matter:
                inputs = []
                reasons.append(_("route not stated (other producers name theirs): input fit not scored"))
            else:
                inputs = required.get(pid, [])
            made = [i for i in inputs if status[i] in PRESENT]
            if inputs:
                points += SCORE["inputs"] * len(made) / len(inputs)
                fit = {"route": c.route, "made": len(made), "total": len(inputs), "names": names(made or inputs)}
                if made and c.route:
                    reasons.append(_("route %(route)s: the region already makes %(made)s of its %(total)s "
                                     "inputs: %(names)s") % fit)
                elif made:
                    reasons.append(_("the region already makes %(made)s of its %(total)s inputs: %(names)s") % fit)
                elif c.route:
                    reasons.append(_("route %(route)s: the region makes none of its inputs (%(names)s)") % fit)
            if product_users:
                points += SCORE["users"] * min(len(product_users), 3) / 3
                reasons.append(_("local users of its output: %(names)s") % {"names": names(product_users)})
            if largest and c.capacity_base:
                points += SCORE["capacity"] * c.capacity_base / largest
                amount = humanize(c.capacity_base, c.base_unit, like=column_scale.get(c.base_unit))
                reasons.append(_("capacity %(amount)s (%(year)s)") % {"amount": amount, "year": c.year} if c.year
                               else _("capacity %(amount)s") % {"amount": amount})
            if c.status == "operating":
                points += SCORE["operating"]
                reasons.append(_("its plant operates"))
            also = sorted((makes.get(c.firm, set()) & lacking) - {pid}, key=order.__getitem__)
            if also:
                points += SCORE["breadth"]
                reasons.append(_("also makes %(names)s, which the region lacks") % {"names": names(also)})
            if regions.province(c.region) == home_province:
                points += SCORE["nearby"]
                reasons.append(_("in the same province (%(province)s)")
                               % {"province": i18n.name(regions.by_id[home_province])})
            country = regions.country(c.region)
            product_rows.append({
                "product": pid, "name": products[pid].name_zh, "rank": 0,
                "firm": c.firm, "firm_name": firm_names[c.firm],
                "region": c.region, "region_name": regions.by_id[c.region].name_zh,
                "country": regions.by_id[country].name_zh if country else "",
                "abroad": country != home_country,
                "capacity": "" if c.capacity_base is None else humanize(c.capacity_base, c.base_unit,
                                                                        like=column_scale.get(c.base_unit)),
                "status": c.status, "year": c.year, "route": c.route or "", "score": round(points, 2),
                "reasons": reasons, "source_kind": c.source_kind or "", "source": c.source,
            })
        product_rows.sort(key=lambda r: (r["abroad"], -r["score"]))
        for rank, row in enumerate(product_rows, start=1):
            row["rank"] = rank
        rows += product_rows
    return rows
