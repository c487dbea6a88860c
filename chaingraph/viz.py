"""See the chains: the product graph with local status, firms, gaps and bottlenecks, as a page.

`graph_data` gathers nodes and edges (colours, sizes, groups, hover text) from a backend through
the query functions and returns plain data; `to_html` renders it as one self-contained page that
works with no network: vis-network's script and style (the copy pyvis ships in its package,
vis-network 9.1.2, dual Apache-2.0 / MIT licensed) are inlined, nothing is fetched. pyvis builds
the network (nodes, edges, options); the page template is our own, because pyvis's template
links bootstrap and tom-select from a CDN in every `cdn_resources` mode.

Names from the data never become markup: vis-network draws labels on a canvas, hover text is
put into the page as DOM text (`textContent`), and the embedded JSON escapes `<`, `>` and `&`.
"""
from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from pathlib import Path

from . import i18n
from .files import write_texts
from .graph.backend import Backend
from .i18n import N_
from .queries import bottlenecks, gaps
from .queries._common import describe_capacity, local_statuses, region_id

__all__ = ["graph_data", "chain_data", "drawn_rows", "to_html", "write_html", "page_assets", "network_block", "legend_html",
           "STATUS_COLOURS", "FONT_FACE"]

# status -> (fill, label); the legend shows them in this order
STATUS_COLOURS = {  # labels are msgids: shown through the catalog (legend_html)
    "operating": ("#2e7d32", N_("made locally (operating)")),
    "building": ("#1e88e5", N_("being built")),
    "planned": ("#f9a825", N_("planned only")),
    "missing": ("#e53935", N_("missing locally")),
    "by-product": ("#8e24aa", N_("by-product of a local plant")),
}
FIRM_COLOUR = "#78909c"
GAP_BORDER = "#b71c1c"
BOTTLENECK_EDGE = "#e65100"  # deep orange: not to be taken for the red of a missing product
# a CJK-capable family first, so Chinese labels render; then the platform's, then any sans-serif
FONT_FACE = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
# bottleneck kinds that are about supply (the rest are about the graph's shape)
SUPPLY_RISKS = ("shortfall", "single firm", "concentrated")
_QUOTE_CHARS = 160
VIS_NETWORK = "vis-9.1.2"  # the folder under pyvis/lib/ (pyvis 0.3.x) with vis-network's build


def _clip(text: str | None, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _selected_products(g: Backend, chain: str | None, focus: str | None, depth: int | None,
                       position: dict[str, int] | None = None) -> list[str]:
    """Product ids to draw, in file order: a chain's, or the neighbourhood of a focus product.
    `position`: each product's place in the file, when the caller has it."""
    if position is None:
        position = {p.id: i for i, p in enumerate(g.products())}
    chosen = set(position)
    if chain:
        c = g.resolve_chain(chain)
        chosen = {p for step in c.steps for p in step.products}
    if focus:
        start = g.resolve_product(focus).id
        neighbours: dict[str, set[str]] = defaultdict(set)
        for link in g.links():
            if link.from_ in chosen and link.to in chosen:
                neighbours[link.from_].add(link.to)
                neighbours[link.to].add(link.from_)
        found, frontier, limit = {start}, {start}, 2 if depth is None else depth
        for _ in range(limit):
            frontier = {n for p in frontier for n in neighbours[p]} - found
            found |= frontier
        chosen = found
    return sorted((p for p in chosen if p in position), key=position.__getitem__)


def graph_data(g: Backend, region: str | None = None, chain: str | None = None,
               focus: str | None = None, depth: int | None = None, firms: bool = True,
               analysis: dict | None = None) -> dict:
    """The graph to draw, as plain data: nodes, edges and the legend.

    Products are coloured by local status (`local_statuses`), products of a chain step that
    `gaps` reports get a thick dashed border, FEEDS edges out of a product with a supply risk
    (`bottlenecks`: shortfall, single firm, concentrated) are drawn thick and red. With `firms`,
    every local firm hangs off the products it makes, sized by its stated capacity (of a product
    with more than `DRAWN` local capacity rows, the firms of the `DRAWN` largest; its hover text
    counts the others). `chain`
    keeps one chain's products; `focus` keeps the products within `depth` links (default 2) of
    one product. `region` is the region whose firms count as local (default: home).
    `analysis` may hand over what a caller drawing many graphs has computed once for the region:
    `gaps` and `bottlenecks` rows, the `product_graph` and the rows `drawn` (`drawn_rows`); the first graph drawn adds the local
    statuses and the region's capacity rows to it, so the next ones do not compute them again.
    Without it, only the supply risks of the products drawn are computed (`bottlenecks` with
    `products` and `kinds`), not the whole graph's structure.

    Returns
    -------
    dict
        `nodes` (dicts: `id`, `label`, `kind` product/firm, `status`, `group` (the product's
        sector, or `firm`), `color`, `title` (plain text shown on hover), `names` (every name the
        search box accepts), `gap`, and `size` for firms), `edges` (`from`, `to`, `kind`
        FEEDS/YIELDS/MAKES, `label` (coefficient or capacity), `title`, `bottleneck`), `legend`
        (label, colour), `chains` (`id`, `name` and the drawn `nodes` of every chain with any,
        for the page's chain menu), `region` and `title`.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> data = graph_data(open_backend(), chain="石灰石—白灰—电石—PVC—新材料", firms=False)
    >>> sorted({n["kind"] for n in data["nodes"]}), any(e["label"] == "1.5 t/t" for e in data["edges"])
    (['product'], True)
    """
    where = region_id(g, region)
    alone = analysis is None  # no other graph of the region drawn with this one
    if analysis is None:
        analysis = {}

    def once(key: str, compute):
        """What every graph of the region shares, computed for the first and kept in `analysis`."""
        if (key, where) not in analysis:
            analysis[key, where] = compute()
        return analysis[key, where]

    products = once("products", lambda: {p.id: p for p in g.products()})
    regions = once("regions", lambda: {r.id: r for r in g.regions()})
    selected = _selected_products(g, chain, focus, depth,
                                  once("product places", lambda: {pid: i for i, pid in enumerate(products)}))
    keep = set(selected)
    status = once("statuses", lambda: local_statuses(g, where))
    if "gaps" in analysis:
        chain_id = g.resolve_chain(chain).id if chain else None
        gap_rows = [r for r in analysis["gaps"] if chain_id is None or r["chain"] == chain_id]
    else:
        gap_rows = gaps(g, region=where, chain=chain)
    gap_reasons: dict[str, list[str]] = defaultdict(list)
    chain_names = {c.id: i18n.name(c) for c in g.chains()} if gap_rows else {}
    for row in gap_rows:
        for p in row["products"]:
            gap_reasons[p].append(f"{chain_names[row['chain']]}: {row['reason']}")
    def supply_risks(rows) -> dict[str, list[str]]:
        return {row["product"]: row["reasons"] for row in rows if set(row["kinds"]) & set(SUPPLY_RISKS)}

    if analysis.get("bottlenecks"):  # the region's, sorted out once for every graph drawn
        risky = once("risks", lambda: supply_risks(analysis["bottlenecks"]))
    else:  # without the region's rows handed over: only the supply risks of the products drawn
        risky = supply_risks(bottlenecks(g, region=where, products=keep, kinds=SUPPLY_RISKS))
    risks = {p: risky[p] for p in selected if p in risky}

    if alone:  # one page: the rows of the products drawn, not the region's
        columns = g.largest_columns(where, _DRAWN_FIELDS, DRAWN, products=selected)
    else:  # every status, by product: read once for the region, each graph draws its products'
        columns = once("capacity columns", lambda: analysis.get("drawn") or drawn_rows(g, where))
    more: dict[str, int] = {}  # rows of a product not drawn (beyond DRAWN)
    rows_of: dict[str, list] = defaultdict(list)
    for pid in selected:
        if pid in columns:
            drawn, n = columns[pid]
            rows_of[pid] = [_Row(values) for values in zip(*(drawn[f] for f in _DRAWN_FIELDS))]
            more[pid] = n - len(rows_of[pid])
    # only the firms drawn, in one query on a server: of this graph's rows, or of the rows every
    # graph of the region draws (one query for them all)
    firm_records = (g.firms_by_id(r.firm for rows in rows_of.values() for r in rows if r.firm) if alone else
                    once("firms", lambda: g.firms_by_id(f for drawn, _ in columns.values() for f in drawn["firm"] if f)))

    def firm(fid: str):
        if fid not in firm_records:
            firm_records[fid] = g.resolve_firm(fid)  # an exact id: no scan of every firm
        return firm_records[fid]

    def producer(row) -> str:
        return i18n.name(firm(row.firm)) if row.firm else i18n.gettext("(unnamed, %(region)s)") % {
            "region": i18n.name(regions[row.region])}

    amounts: dict[int, str] = {}  # each row's capacity in words, worked out once for its several lines

    def described(row) -> str:
        if id(row) not in amounts:
            amounts[id(row)] = describe_capacity(row)
        return amounts[id(row)]

    quotes: dict[str | None, str] = {}  # each source clipped once (a row's is on three lines)

    def quote(text: str | None) -> str:
        if text not in quotes:
            quotes[text] = _clip(text)
        return quotes[text]

    nodes, edges = [], []
    for pid in selected:
        p = products[pid]
        lines = [f"{p.name_zh} — {p.name_en}", i18n.gettext("local status: %(status)s; sector %(sector)s; unit "
                                                           "%(unit)s") % {"status": i18n.value(status[pid]),
                                                                          "sector": i18n.value(p.sector),
                                                                          "unit": p.unit}]
        if rows_of[pid]:
            lines.append(i18n.gettext("made by:"))
            for row in rows_of[pid]:
                amount = described(row) or i18n.gettext("capacity not stated")
                lines.append(f"  {producer(row)}: {amount} ({i18n.value(row.status)}) — “{quote(row.source)}”")
            if more.get(pid):
                lines.append("  " + i18n.ngettext("and %(n)s more capacity row (not drawn)",
                                                  "and %(n)s more capacity rows (not drawn)", more[pid])
                             % {"n": more[pid]})
        for reason in gap_reasons.get(pid, ()):
            lines.append(i18n.gettext("gap: %(reason)s") % {"reason": reason})
        for reason in risks.get(pid, ()):
            lines.append(i18n.gettext("bottleneck: %(reason)s") % {"reason": reason})
        nodes.append({
            "id": f"p:{pid}", "label": i18n.name(p), "kind": "product", "status": status[pid],
            "group": p.sector, "color": STATUS_COLOURS[status[pid]][0], "title": "\n".join(lines),
            "names": list(dict.fromkeys([p.name_zh, p.name_en, pid, *p.aliases])), "gap": pid in gap_reasons,
        })

    links_from, place = once("links", lambda: _links_by_product(g))  # (links drawn in file order)
    for link in sorted((link for p in selected for link in links_from.get(p, ())), key=lambda link: place[id(link)]):
        if link.to not in keep:
            continue
        ratio = f"{link.ratio:g} {link.ratio_unit}" if link.ratio is not None else ""
        lines = [f"{i18n.name(products[link.from_])} → {i18n.name(products[link.to])}: {i18n.value(link.type)}"
                 + (f" {ratio}" + (i18n.gettext(" (estimate)") if link.estimate else "") if ratio
                    else i18n.gettext(" (no coefficient)")),
                 f"“{_clip(link.source)}”"]
        if link.ratio_source:
            lines.append(i18n.gettext("coefficient: “%(source)s”") % {"source": _clip(link.ratio_source)})
        risky = link.type == "FEEDS" and link.from_ in risks
        if risky:
            lines += [i18n.gettext("bottleneck: %(reason)s") % {"reason": reason} for reason in risks[link.from_]]
        edges.append({"from": f"p:{link.from_}", "to": f"p:{link.to}", "kind": link.type, "label": ratio,
                      "title": "\n".join(lines), "bottleneck": risky})

    if firms:
        made: dict[str, list] = defaultdict(list)
        for pid in selected:
            for row in rows_of[pid]:
                if row.firm:
                    made[row.firm].append(row)
        # size by capacity: the share of the largest stated capacity in the same base unit
        largest: dict[str, float] = defaultdict(float)
        for rows in made.values():
            for row in rows:
                if row.capacity_base:
                    largest[row.base_unit] = max(largest[row.base_unit], row.capacity_base)
        for fid, rows in made.items():
            f = firm(fid)
            share = max((row.capacity_base / largest[row.base_unit] for row in rows if row.capacity_base), default=0)
            lines = [f.name_zh + (f" — {f.name_en}" if f.name_en else ""),
                     i18n.gettext("in %(region)s") % {"region": i18n.name(regions[f.region])}]
            for row in rows:
                amount = described(row) or i18n.gettext("capacity not stated")
                lines.append(f"  {i18n.name(products[row.product])}: {amount} ({i18n.value(row.status)}) — "
                             f"“{quote(row.source)}”")
            nodes.append({
                "id": f"f:{fid}", "label": i18n.name(f), "kind": "firm", "status": "firm", "group": "firm",
                "color": FIRM_COLOUR, "title": "\n".join(lines), "size": round(6 + 18 * math.sqrt(share), 1),
                "names": list(dict.fromkeys([f.name_zh, *([f.name_en] if f.name_en else []), fid, *f.aliases])),
                "gap": False,
            })
            for row in rows:
                amount = described(row)
                edges.append({"from": f"f:{fid}", "to": f"p:{row.product}", "kind": "MAKES",
                              "label": amount, "title": i18n.gettext("%(firm)s makes %(product)s: %(amount)s "
                                                                     "(%(status)s)") % {
                                  "firm": i18n.name(f), "product": i18n.name(products[row.product]),
                                  "amount": amount or i18n.gettext("capacity not stated"),
                                  "status": i18n.value(row.status)} + f"\n“{quote(row.source)}”",
                              "bottleneck": False})

    what = i18n.name(g.resolve_chain(chain)) if chain else i18n.gettext("all chains")
    if focus:
        what = i18n.gettext("%(what)s, around %(product)s") % {"what": what,
                                                              "product": i18n.name(g.resolve_product(focus))}
    legend = [(label, colour) for colour, label in STATUS_COLOURS.values()]
    chains, chains_of = once("chain members", lambda: _chain_members(g))
    menu = [{"id": c.id, "name": i18n.name(c), "nodes": [f"p:{p}" for p in members if p in keep]}
            for c, members in (chains[i] for i in sorted({i for p in keep for i in chains_of.get(p, ())}))]
    return {"nodes": nodes, "edges": edges, "legend": legend, "region": i18n.name(regions[where]),
            "title": f"{i18n.name(regions[where])}: {what}", "chains": [c for c in menu if c["nodes"]]}


# At most this many capacity rows of one product are drawn (firms, their links, the product's "made
# by" lines): the largest; the others are counted in the product's hover text. A city's guideline
# names a dozen at most (Wuhai: 12 for one product, all drawn); a national dataset's city hundreds.
DRAWN = 15
_DRAWN_FIELDS = ("firm", "region", "product", "capacity", "unit", "status", "source", "capacity_base", "base_unit")


def drawn_rows(g: Backend, region: str) -> dict[str, tuple[dict[str, list], int]]:
    """What the graphs of a region draw of its capacity rows: per product, the `DRAWN` largest
    (`Backend.largest_columns`) and how many it has. A caller drawing every graph of the region
    (the brief) may hand it over in `analysis["drawn"]`."""
    return g.largest_columns(region, _DRAWN_FIELDS, DRAWN)


class _Row:
    """The fields of a capacity row a graph draws (`_DRAWN_FIELDS`)."""

    __slots__ = _DRAWN_FIELDS

    def __init__(self, values):
        for name, value in zip(_DRAWN_FIELDS, values):
            setattr(self, name, value)


def _chain_members(g: Backend) -> tuple[list, dict[str, list[int]]]:
    """Each chain with its products (in step order, once each), and the chains (by place) of each product."""
    chains = [(c, list(dict.fromkeys(p for s in c.steps for p in s.products))) for c in g.chains()]
    chains_of: dict[str, list[int]] = {}
    for i, (_, members) in enumerate(chains):
        for p in members:
            chains_of.setdefault(p, []).append(i)
    return chains, chains_of


def _links_by_product(g: Backend) -> tuple[dict[str, list], dict[int, int]]:
    """The links out of each product, and each link's place in the file (by the link's id())."""
    found: dict[str, list] = {}
    place: dict[int, int] = {}
    for n, link in enumerate(g.links()):
        found.setdefault(link.from_, []).append(link)
        place[id(link)] = n
    return found, place


def chain_data(g: Backend, chain: str, region: str | None = None, analysis: dict | None = None) -> dict:
    """One chain's graph for the report: its products, their links and local firms.

    Each node gets a `level`, its column: the chain reads left to right as the guideline writes it,
    step by step, and a product made from another product of the same step stands one column to
    the right of it (a firm: in its first product's column). `analysis` as in `graph_data`.
    """
    data = graph_data(g, region=region, chain=chain, firms=True, analysis=analysis)
    links = [(e["from"], e["to"]) for e in data["edges"] if e["kind"] in ("FEEDS", "YIELDS")]
    level: dict[str, int] = {}
    shift = 0  # columns that steps before this one added
    for step in g.resolve_chain(chain).steps:
        # a product made from another product of its own step stands a column to the right of it
        # (醋酸 → 醋酸乙烯 → 聚乙烯醇 in one step): a link down one column hides its label under the boxes
        depth = {f"p:{p}": 0 for p in step.products if f"p:{p}" not in level}
        for _round in range(len(depth)):  # longest path along the step's own links; a cycle stops here
            for a, b in links:
                if a in depth and b in depth and depth[b] < depth[a] + 1 < len(depth):
                    depth[b] = depth[a] + 1
        for node, d in depth.items():
            level[node] = step.order - 1 + shift + d
        shift += max(depth.values(), default=0)
    for e in data["edges"]:
        if e["kind"] == "MAKES":
            level[e["from"]] = min(level.get(e["from"], level[e["to"]]), level[e["to"]])
    for n in data["nodes"]:
        n["level"] = level[n["id"]]
    for e in data["edges"]:  # a link that skips steps arcs over them instead of hiding behind them
        e["skips"] = abs(level[e["to"]] - level[e["from"]]) > 1
        # a link within one column would run down the column, its label under the boxes: it bows out
        e["same_column"] = level[e["to"]] == level[e["from"]]
    _join_steps(g, chain, data, (analysis or {}).get("product_graph") or g.product_graph())
    return data


def _join_steps(g: Backend, chain: str, data: dict, pg) -> None:
    """Draw the chain as written: where two neighbouring steps share no link, a dashed `STEP`
    edge joins them, labelled with the products a two-link route runs through (`via 乙炔`)."""
    linked = {(e["from"], e["to"]) for e in data["edges"]}
    steps = g.resolve_chain(chain).steps
    for before, after in zip(steps, steps[1:]):
        if any((f"p:{a}", f"p:{b}") in linked for a in before.products for b in after.products):
            continue
        a, b = before.products[0], after.products[0]
        via = [m for m in pg.successors(a) if pg.has_edge(m, b)] if a in pg and b in pg else []
        label = (i18n.gettext("via %(products)s") % {"products": i18n.join(i18n.name(g.resolve_product(m)) for m in via)}
                 if via else i18n.gettext("chain step"))
        data["edges"].append({"from": f"p:{a}", "to": f"p:{b}", "kind": "STEP", "label": label,
                              "title": i18n.gettext("the chain as the guideline writes it: %(label)s") % {
                                  "label": label}, "bottleneck": False})


# -- rendering ----------------------------------------------------------------------------------

def _vis_assets() -> tuple[str, str]:
    """vis-network's minified script and its style sheet, from the copy inside pyvis."""
    import pyvis
    lib = Path(pyvis.__file__).parent / "lib" / VIS_NETWORK
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def _options(layout: str) -> dict:
    font = {"face": FONT_FACE, "size": 20, "color": "#212121", "strokeWidth": 3, "strokeColor": "#ffffff"}
    options: dict = {
        "nodes": {"font": font, "borderWidth": 1},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": {"type": "continuous"},
                  "font": {"face": FONT_FACE, "size": 12, "color": "#555555", "strokeWidth": 3,
                           "strokeColor": "#ffffff", "align": "middle"}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": True},
    }
    if layout == "chain":  # a chain reads left to right; no physics, drawn at once
        options["layout"] = {"hierarchical": {"enabled": True, "direction": "LR", "levelSeparation": 190,
                                              "nodeSpacing": 55, "treeSpacing": 90,
                                              "parentCentralization": False}}
        options["edges"]["smooth"] = {"type": "cubicBezier", "forceDirection": "horizontal", "roundness": 0.4}
        options["nodes"]["font"] = dict(font, size=16)
        # legible at the 0.75 zoom floor, and level: a label along a vertical link reads sideways
        options["edges"]["font"] = dict(options["edges"]["font"], size=15, align="horizontal")
        options["physics"] = {"enabled": False}
    else:
        options["layout"] = {"randomSeed": 7, "improvedLayout": True}  # the same picture every time
        options["physics"] = {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "centralGravity": 0.015, "springLength": 80,
                                 "springConstant": 0.08, "avoidOverlap": 1},
            "stabilization": {"enabled": True, "iterations": 600, "updateInterval": 50, "fit": True},
        }
    return options


def _build_network(data: dict, layout: str) -> dict:
    """The vis-network data (nodes, edges, options) for `data`, assembled with pyvis."""
    from pyvis.network import Network
    net = Network(directed=True)
    for n in data["nodes"]:
        style: dict = {"shape": "box", "font": {"color": "#ffffff", "strokeWidth": 0}, "margin": 6}
        if n["kind"] == "firm":
            style = {"shape": "dot", "size": n["size"], "font": {"size": 15, "color": "#37474f"}}
        colour = {"background": n["color"], "border": GAP_BORDER if n["gap"] else "#263238",
                  "highlight": {"background": n["color"], "border": "#000000"}}
        extra: dict = {"borderWidth": 4, "shapeProperties": {"borderDashes": [6, 3]}} if n["gap"] else {}
        if "level" in n:
            extra["level"] = n["level"]
        net.add_node(n["id"], label=n["label"], color=colour, title=n["title"],
                     names=n["names"], kind=n["kind"], status=n["status"], **style, **extra)
        # no `group` for vis-network: its group styles (one per sector, cycling through its palette)
        # would override the status colour; the sector stays in our data and in the hover text
    for e in data["edges"]:
        style = {"color": {"color": "#9e9e9e"}, "width": 1.5}
        if e["kind"] == "YIELDS":
            style = {"color": {"color": STATUS_COLOURS["by-product"][0]}, "width": 1.5, "dashes": True}
        elif e["kind"] == "STEP":  # the written chain where the graph has no direct link
            style = {"color": {"color": "#90a4ae"}, "width": 1.5, "dashes": [2, 4]}
        elif e["kind"] == "MAKES":
            style = {"color": {"color": "#cfd8dc"}, "width": 1, "arrows": {"to": {"enabled": False}},
                     "font": {"size": 9}}
        if e["bottleneck"]:
            style = {"color": {"color": BOTTLENECK_EDGE}, "width": 4}
        if e.get("skips"):
            style["smooth"] = {"type": "curvedCCW", "roundness": 0.3}
        elif e.get("same_column"):
            style["smooth"] = {"type": "curvedCW", "roundness": 1.0}
        net.add_edge(e["from"], e["to"], label=e["label"], title=e["title"], kind=e["kind"], **style)
    if layout == "force":
        # hidden edges take part in the physics but are not drawn: they pull each sector together
        by_sector: dict[str, list[str]] = defaultdict(list)
        for n in data["nodes"]:
            if n["kind"] == "product":
                by_sector[n["group"]].append(n["id"])
        for members in by_sector.values():
            for a in members[1:]:  # a star around the sector's first product
                net.edges.append({"from": members[0], "to": a, "hidden": True, "length": 220, "kind": "sector"})
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": _options(layout), "chains": data.get("chains", [])}


def _json_for_script(value) -> str:
    # inside <script> nothing may close the element or open a comment: escape <, > and &
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


_CSS = """.cg-graph{width:100%;border:1px solid #ccc;background:#fff;position:relative}
.cg-bar{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center;margin:.3em 0;font-size:14px}
.cg-legend span.sw{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:4px}
.cg-legend span.item{margin-right:.9em;white-space:nowrap}
.cg-legend .gap{border:3px dashed #b71c1c;background:#fff}.cg-legend .firm{border-radius:50%}
.cg-legend .edge{height:4px;border-radius:0}
.cg-search input{font:inherit;padding:2px 6px;width:16em}.cg-search .msg{color:#b71c1c;margin-left:.5em}
div.vis-tooltip{white-space:pre-wrap;max-width:44em;font-family:FONT;font-size:13px;line-height:1.35;
background:#fffde7;border:1px solid #999;padding:6px 8px;box-shadow:2px 2px 6px rgba(0,0,0,.2)}
""".replace("FONT", FONT_FACE.replace("'", '"'))

_JS = r"""
window.chaingraph = window.chaingraph || {networks: {}, counts: {}};
function stretch(network, box) {
  // a force layout comes out round; widen it to the canvas's shape so that fit() zooms in further
  var pos = network.getPositions(), ids = Object.keys(pos);
  if (ids.length < 3) return;
  var xs = ids.map(function (k) { return pos[k].x; }), ys = ids.map(function (k) { return pos[k].y; });
  var w = Math.max.apply(null, xs) - Math.min.apply(null, xs), h = Math.max.apply(null, ys) - Math.min.apply(null, ys);
  var f = Math.min(2, (box.clientWidth / box.clientHeight) / ((w || 1) / (h || 1)));
  if (f > 1.05) ids.forEach(function (k) { network.moveNode(k, pos[k].x * f, pos[k].y); });
}
function legible(network, box, minScale) {
  // a chain with a long column would be shrunk to fit its box: make the box as tall as the column
  // needs at a legible zoom (up to a limit), and never draw it smaller than that zoom
  network.fit({animation: false});
  if (network.getScale() >= minScale) return;
  var pos = network.getPositions(), ys = Object.keys(pos).map(function (k) { return pos[k].y; });
  var extent = Math.max.apply(null, ys) - Math.min.apply(null, ys);
  var height = Math.min(2400, Math.ceil(extent * minScale + 140));
  box.style.height = height + 'px';
  network.setSize('100%', height + 'px'); network.redraw(); network.fit({animation: false});
  if (network.getScale() < minScale) {
    var top = Math.min.apply(null, ys), view = network.getViewPosition();
    network.moveTo({scale: minScale, position: {x: view.x, y: top + box.clientHeight / (2 * minScale) - 40},
                    animation: false});
  }
}
function overlaps(a, b) {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0 &&
         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0;
}
function clearLabels(network, edges) {
  // a link label drawn over a box is unreadable: move each such label along its link's normal
  // (vadjust, in steps up or down) to the nearest place where it covers no box and no label
  // placed before it; the layout is fixed (no physics), so this holds at every zoom
  // measured at zoom 1, where every label is drawn (vis-network skips labels drawn below 5 px and
  // does not size them), then the view goes back to where it was
  var scale = network.getScale(), view = network.getViewPosition();
  network.moveTo({scale: 1, position: view, animation: false});
  network.redraw();
  var boxes = network.body.data.nodes.getIds().map(function (n) { return network.getBoundingBox(n); });
  var placed = [], updates = [];
  edges.get().forEach(function (e) {
    var edge = network.body.edges[e.id], size = edge && edge.labelModule && edge.labelModule.size;
    if (!e.label || !size || !size.width) return;
    // with a margin: text is measured a little differently at other zooms
    var box = {left: size.left - 3, right: size.left + size.width + 3, top: size.top - 3,
               bottom: size.top + size.height + 3};
    var best = null;
    for (var i = 0; i <= 60 && best === null; i++) {  // the nearest clear place within 120 px
      var dy = (i % 2 ? 1 : -1) * Math.ceil(i / 2) * 4;
      var moved = {left: box.left, right: box.right, top: box.top + dy, bottom: box.bottom + dy};
      var clear = !boxes.some(function (b) { return overlaps(moved, b); }) &&
                  !placed.some(function (b) { return overlaps(moved, b); });
      if (clear) best = [dy, moved];
    }
    if (best === null) return;
    placed.push(best[1]);
    if (best[0]) updates.push({id: e.id, font: Object.assign({}, e.font || {}, {vadjust: best[0]})});
  });
  if (updates.length) edges.update(updates);
  network.moveTo({scale: scale, position: view, animation: false});
  network.redraw();
}
function chaingraphDraw(id) {
  var data = JSON.parse(document.getElementById(id + '-data').textContent);
  function tip(text) { var d = document.createElement('div'); d.textContent = text; return d; }
  // hover text goes in as DOM text, never as markup
  var nodes = new vis.DataSet(data.nodes.map(function (n) { n.title = tip(n.title); return n; }));
  var edges = new vis.DataSet(data.edges.map(function (e) { e.title = tip(e.title); return e; }));
  var network = new vis.Network(document.getElementById(id), {nodes: nodes, edges: edges}, data.options);
  if (data.options.physics && data.options.physics.enabled !== false) {
    // let the layout settle once, then keep it still so the page does not drift
    network.once('stabilizationIterationsDone', function () {
      network.setOptions({physics: {enabled: false}});
      stretch(network, document.getElementById(id)); network.fit();
      document.getElementById(id).setAttribute('data-settled', 'yes');
    });
  } else {
    var minScale = parseFloat(document.getElementById(id).getAttribute('data-min-scale') || '0');
    if (minScale) legible(network, document.getElementById(id), minScale);
    clearLabels(network, edges);
    document.getElementById(id).setAttribute('data-settled', 'yes');
  }
  window.chaingraph.networks[id] = network;
  window.chaingraph.counts[id] = data.nodes.length;
  var box = document.getElementById(id + '-search');
  if (box) {
    var input = box.querySelector('input'), msg = box.querySelector('.msg'), list = box.querySelector('datalist');
    data.nodes.forEach(function (n) { n.names.forEach(function (name) {
      var o = document.createElement('option'); o.value = name; list.appendChild(o); }); });
    function find() {
      var q = input.value.trim().toLowerCase(); if (!q) return;
      var hit = data.nodes.find(function (n) { return n.names.some(function (s) { return s.toLowerCase() === q; }); })
             || data.nodes.find(function (n) { return n.names.some(function (s) { return s.toLowerCase().indexOf(q) >= 0; }); });
      msg.textContent = hit ? '' : msg.getAttribute('data-not-found');
      if (hit) { network.selectNodes([hit.id]); network.focus(hit.id, {scale: 1.3, animation: false}); }
    }
    input.addEventListener('change', find);
    input.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') find(); });
  }
  var menu = document.getElementById(id + '-chain');
  if (menu) {
    data.chains.forEach(function (c) {
      var o = document.createElement('option'); o.value = c.id; o.textContent = c.name; menu.appendChild(o); });
    menu.addEventListener('change', function () {
      var c = data.chains.find(function (c) { return c.id === menu.value; });
      if (!c) { network.unselectAll(); network.fit(); return; }
      network.selectNodes(c.nodes); network.fit({nodes: c.nodes, animation: false});
    });
  }
}
"""


def legend_html() -> str:
    """The legend of the colours and marks, as inline HTML."""
    _ = i18n.gettext
    gap, bottleneck, firm = _("gap in a chain"), _("bottleneck supply"), _("firm (size: capacity)")
    arrows = _("grey arrow: feeds (label: input per unit); purple dashes: yields a by-product")
    items = [f'<span class=item><span class=sw style="background:{colour}"></span>{html.escape(_(label))}</span>'
             for colour, label in STATUS_COLOURS.values()]
    items += [f'<span class=item><span class="sw gap"></span>{html.escape(gap)}</span>',
              f'<span class=item><span class="sw edge" style="background:{BOTTLENECK_EDGE}"></span>'
              f'{html.escape(bottleneck)}</span>',
              f'<span class=item><span class="sw firm" style="background:{FIRM_COLOUR}"></span>'
              f'{html.escape(firm)}</span>',
              f'<span class=item>{html.escape(arrows)}</span>']
    return "<div class=\"cg-bar cg-legend\">" + "".join(items) + "</div>"


def page_assets() -> str:
    """The <style> and <script> a page needs once, before any `network_block`."""
    js, css = _vis_assets()
    return f"<style>{css}</style><style>{_CSS}</style><script>{js}</script><script>{_JS}</script>"


def network_block(data: dict, element_id: str, height: str = "80vh", layout: str = "force",
                  search: bool = True, legend: bool = True) -> str:
    """One network as an HTML fragment: search box, legend, canvas and its data; needs `page_assets`."""
    network = _build_network(data, layout)
    parts = ["<div class=cg-bar>"]
    if search:
        _ = i18n.gettext
        find, not_found, show, every = _("find a product or firm:"), _("not found"), _("show a chain:"), _("(all chains)")
        parts.append(f'<label class=cg-search id="{element_id}-search">{html.escape(find)} '
                     f'<input list="{element_id}-names" placeholder="电石, PVC, 神华…">'
                     f'<datalist id="{element_id}-names"></datalist>'
                     f'<span class=msg data-not-found="{html.escape(not_found)}"></span></label>')
        if len(data.get("chains", ())) > 1:
            parts.append(f'<label class=cg-search>{html.escape(show)} <select id="{element_id}-chain">'
                         f'<option value="">{html.escape(every)}</option></select></label>')
    if legend:
        parts.append(legend_html())
    parts.append("</div>")
    # a chain's labels (16 px) must not be drawn below 12 px: legible() in _JS keeps that zoom
    min_scale = ' data-min-scale="0.75"' if layout == "chain" else ""
    parts.append(f'<div class=cg-graph id="{element_id}" style="height:{height}"{min_scale}></div>')
    parts.append(f'<script type="application/json" id="{element_id}-data">{_json_for_script(network)}</script>')
    parts.append(f"<script>chaingraphDraw({json.dumps(element_id)});</script>")
    return "".join(parts)


def to_html(data: dict) -> str:
    """A self-contained interactive page for `graph_data(...)`: pan, zoom, drag, hover, search."""
    title = html.escape(data["title"])
    counts = i18n.gettext("%(nodes)s nodes, %(links)s links") % {"nodes": len(data["nodes"]), "links": len(data["edges"])}
    return (f"<!DOCTYPE html><html lang={i18n.current()}><head><meta charset=utf-8><title>{title}</title>{page_assets()}"
            f"<style>body{{font-family:{FONT_FACE.replace(chr(39), chr(34))};margin:.5em 1em;color:#222}}"
            f"h1{{font-size:1.2em;margin:.2em 0}}</style></head><body>"
            f"<h1>{title} — {html.escape(counts)}</h1>"
            f"{network_block(data, 'graph', height='calc(100vh - 7em)')}</body></html>")


def write_html(data: dict, path: str | Path) -> Path:
    """Render and write the page; rendered first, so a failure leaves no half-written file."""
    return write_texts({path: to_html(data)})[0]
