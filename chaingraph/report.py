"""The planner's brief: per chain, coverage, gaps, balance, bottlenecks and candidate firms.

`build_report` gathers the rows once from the query functions; `to_markdown` and `to_html`
render them from the Jinja2 templates in `chaingraph/templates` (`report.md.j2`, `report.html.j2`),
whose text goes through the message catalog (jinja2's i18n extension), so the brief is written in
the current language (`chaingraph.i18n`). The HTML page is one self-contained file: inline CSS, an
inline SVG chart, and per chain an interactive graph (`viz.network_block`, vis-network inlined
once); nothing is fetched. Names from the data are escaped by the templates: autoescaping in HTML,
a Markdown escaper on every value in Markdown.
"""
from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import i18n
from .files import write_texts
from .graph.backend import Backend
from .names import shown_names
from .queries import balance, bottlenecks, candidates, chains, extend, gaps
from .queries._common import region_id
from .viz import DRAWN, chain_data, drawn_rows, legend_html, network_block, page_assets

__all__ = ["build_report", "to_markdown", "to_html", "html_parts", "write_report", "balance_chart", "chart_items", "step_label"]

_PRESENT = ("operating", "building", "by-product")
CANDIDATES_PER_PRODUCT = 3


@i18n.settled()
def build_report(g: Backend, region: str | None = None, basis: str = "target") -> dict:
    """Everything the brief shows, as plain data (a dict of rows), for one region.

    A step table names at most `viz.DRAWN` capacity rows of a product, the ones its chain's graph
    draws (`chains` with `listed`); the others are counted in one line, and the section's `cut`
    says whether any step has such a line. A section's `graph` is a function that returns its
    chain's graph (`viz.chain_data`), called as the page is written.
    """
    where = region_id(g, region)
    all_gaps = gaps(g, region=where)
    all_balance = balance(g, region=where, basis=basis)
    all_bottlenecks = bottlenecks(g, region=where, basis=basis, balance_rows=all_balance)
    wanted = list(dict.fromkeys(p for row in all_gaps for p in row["products"]))
    # names as the current language shows them (English names in English); analysis keeps the rows as queried
    shown = functools.partial(shown_names, g)
    offers: dict[str, list[dict]] = {}
    for row in shown(candidates(g, region=where, all_gaps=True)) if wanted else []:
        offers.setdefault(row["product"], []).append(row)

    # computed once for the region and handed to each chain's graph; the step tables name the rows
    # the graphs draw (on a server picked there: a few rows per product, not the city's every row)
    drawn = drawn_rows(g, where)
    analysis = {"gaps": all_gaps, "bottlenecks": all_bottlenecks, "product_graph": g.product_graph(), "drawn": drawn}
    steps_of: dict[str, list[dict]] = {}
    for step in shown(chains(g, region=where, listed=DRAWN, picked=drawn)):
        steps_of.setdefault(step["chain"], []).append(step)
    all_gaps, all_balance, all_bottlenecks = shown(all_gaps), shown(all_balance), shown(all_bottlenecks)
    balance_at = {r["product"]: i for i, r in enumerate(all_balance)}  # (one row per product in each)
    bottleneck_at = {r["product"]: i for i, r in enumerate(all_bottlenecks)}
    gaps_of: dict[str, list[dict]] = {}
    for r in all_gaps:
        gaps_of.setdefault(r["chain"], []).append(r)
    sections = []
    for chain in g.chains():
        steps = steps_of[chain.id]
        members = {p for step in chain.steps for p in step.products}
        chain_gaps = gaps_of.get(chain.id, [])
        sections.append({
            "chain": chain, "steps": steps, "cut": any(s["more"] for s in steps),
            "present": sum(1 for s in steps if s["status"] in _PRESENT),
            "gaps": chain_gaps,
            "balance": _rows_of(all_balance, balance_at, members),
            "bottlenecks": _rows_of(all_bottlenecks, bottleneck_at, members)[:5],
            "candidates": {p: offers[p][:CANDIDATES_PER_PRODUCT] for r in chain_gaps for p in r["products"]
                           if p in offers},
            # drawn when the page is written, one at a time: not a national city's 300 graphs held at once
            "graph": functools.partial(chain_data, g, chain.id, region=where, analysis=analysis),
        })
    sections.sort(key=lambda s: (not s["chain"].written, -len([r for r in s["gaps"] if r["kind"] == "broken"])))
    return {
        "region": g.resolve_region(where), "basis": basis, "date": date.today().isoformat(),
        "data_dir": g.data_dir, "gaps": all_gaps, "balance": all_balance,
        "bottlenecks": all_bottlenecks, "extend": shown(extend(g, region=where, basis=basis)), "sections": sections,
    }


def _rows_of(rows: list[dict], place: dict[str, int], products: set[str]) -> list[dict]:
    """The rows of these products in the rows' order (one row per product: looked up by `place`)."""
    return [rows[i] for i in sorted(place[p] for p in products if p in place)]


# -- rendering: Jinja2 templates in chaingraph/templates, text through the message catalog ----

_QUOTES = "“”\"「」『』‘’'"


def _md(value) -> str:
    """A value as Markdown text: characters that would make markup, links or table cells are
    backslash-escaped (CommonMark), so a name shows as written and cannot add HTML."""
    return str(value if value is not None else "").replace("\n", " ").translate(_MD_ESCAPES)


_MD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\`*[]<>|"})


@functools.lru_cache(maxsize=None)
def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("chaingraph", "templates"), extensions=["jinja2.ext.i18n"],
        autoescape=not markdown, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        # Markdown: every {{ value }} is escaped for Markdown, as autoescape does for HTML
        finalize=(lambda v: v if isinstance(v, Markup) else _md(v)) if markdown else None)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters["value"] = i18n.value
    env.filters["listing"] = i18n.join
    env.filters["name"] = i18n.name
    env.filters["step"] = step_label
    return env


def _unquoted(text: str) -> str:
    return text.strip().strip(_QUOTES)


def step_label(row: dict) -> str:
    """A step as the brief names it: the guideline's word in Chinese, its products' names in English."""
    return (i18n.current() == "zh" and row["label"]) or i18n.join(row["names"])


def _intro(section: dict) -> str:
    chain, present, total = section["chain"], section["present"], len(section["steps"])
    how = (i18n.gettext("Written in the guideline: “%(quote)s”.") if chain.written
           else i18n.gettext("Described in prose: “%(quote)s”.")) % {"quote": _unquoted(chain.source)}
    coverage = i18n.ngettext("Local coverage: %(present)s of %(total)s step.",
                             "Local coverage: %(present)s of %(total)s steps.", total)
    return f"{how} {coverage % {'present': present, 'total': total}}"


def _toc(report: dict) -> list[tuple[str, str]]:
    _ = i18n.gettext
    return [("balance", _("Shortfalls and surpluses")), ("gaps", _("Top gaps")),
            ("bottlenecks", _("Bottlenecks")), ("extend", _("Products that leave the city raw"))] + [
        (f"c-{s['chain'].id}", i18n.name(s["chain"])) for s in report["sections"]]


def _context(report: dict) -> dict:
    region = report["region"]
    # where a step table adds up rows it does not name: every row of a product is one command away
    every_row = "chaingraph firms --product %s --region %s --format csv" % (i18n.gettext("PRODUCT"), region.id)
    return {"region": region, "basis_label": i18n.value(report["basis"]), "date": report["date"],
            "data_dir": str(report["data_dir"]), "lang": i18n.current(), "toc": _toc(report),
            "listed": DRAWN, "every_row": every_row}


def _shown_balance(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["verdict"] != "unknown" or r["requirement_value"]]


@i18n.settled()
def to_markdown(report: dict) -> str:
    """The brief as Markdown (GitHub / CommonMark), in the current language."""
    v = i18n.value
    sections = []
    for s in report["sections"]:
        sections.append({
            "chain": s["chain"], "anchor": f"c-{s['chain'].id}", "intro": _intro(s),
            "step_rows": [[st["order"], st["label"] or "", i18n.join(st["names"]), v(st["status"]),
                           "; ".join(st["firms"])] for st in s["steps"]],
            "cut": s["cut"],
            "gaps": [dict(g, status_label=v(g["status"])) for g in s["gaps"]],
            "balance_rows": [[r["name"], v(r["verdict"]), r["supply"], r["requirement"], r["balance"]]
                             for r in _shown_balance(s["balance"])],
            "bottlenecks": s["bottlenecks"],
            "candidates": [{"name": offers[0]["name"], "rows": [
                [o["firm_name"], o["region_name"], o["country"], o["year"], o["capacity"], o["score"],
                 "; ".join(o["reasons"]), f"{i18n.value(o['source_kind'])}: {o['source']}"]
                for o in offers]} for offers in s["candidates"].values()],
        })
    return _environment(True).get_template("report.md.j2").render(
        _context(report), sections=sections,
        top_gaps=[[r["rank"], r["chain_name"], step_label(r), v(r["status"]), v(r["kind"]), r["reason"]]
                  for r in report["gaps"][:10]],
        balance_rows=[[r["name"], v(r["verdict"]), r["supply"], r["requirement"],
                       r["balance"] or "; ".join(r["open_terms"][:2]),
                       i18n.gettext("yes") if r["estimate"] else ""] for r in report["balance"]],
        bottleneck_rows=[[r["rank"], r["name"], r["score"], "; ".join(r["reasons"])]
                         for r in report["bottlenecks"][:10]],
        extend_rows=[[r["rank"], r["name"], r["outflow"], r["reason"]] for r in report["extend"][:10]],
    ).rstrip("\n") + "\n"


def chart_items(rows: list[dict]) -> dict:
    """The shortfall / surplus chart: each balance range as a share of the local requirement.

    A bar spans the balance from its low to its high end (red: short at every value, amber: depends,
    green: over at every value), labelled with the amounts. What has no bar is listed beside the
    chart: shortfalls of unknown amount, rows an open term leaves undecided, and products made but
    not used locally (nothing local requires them, so a share of the requirement means nothing:
    see 延链 — never a "+100 %" bar).
    """
    items, unknown_short, undecided, unused = [], [], [], []
    for r in rows:
        need = r["requirement_value"] or r["requirement_low"]
        if r["verdict"] == "short" and r["high"] is not None and r["low"] is None and need:
            items.append((r, -100.0, max(-100.0, 100 * r["high"] / need)))  # at least this short
        elif r["verdict"] == "short" and (r["low"] is None or r["high"] is None or not need):
            unknown_short.append(r)
        elif r["verdict"] == "unknown":
            undecided.append(r)
        elif r["verdict"] == "over" and not r["requirement_high"]:
            unused.append(r)
        elif need and r["low"] is not None and r["high"] is not None:
            low, high = (max(-100.0, min(100.0, 100 * v / need)) for v in (r["low"], r["high"]))
            items.append((r, low, high))
    items.sort(key=lambda item: (item[2], item[1]))  # worst shortfall first
    bar, left, mid = 26, 150, 330
    colours = {"short": "#c0392b", "depends": "#d68910", "over": "#27ae60"}
    bars = []
    for i, (r, low, high) in enumerate(items):
        x0, x1 = mid + low * 1.6, mid + high * 1.6
        bars.append({"name": r["name"], "y": i * bar + 5, "x": f"{x0:.1f}", "length": f"{max(x1 - x0, 1):.1f}",
                     "colour": colours[r["verdict"]], "label": r["balance"], "pct": f"{low:+.0f}% … {high:+.0f}%",
                     "name_x": left - 10, "text_x": f"{max(x1, mid) + 6:.1f}"})
    lists = []
    def amounts(r: dict) -> str:
        return i18n.gettext("supply %(supply)s, requirement %(requirement)s") % {
            "supply": r["supply"], "requirement": r["requirement"]}

    for title, found, what in (
            (i18n.gettext("Short, amount unknown"), unknown_short, amounts),
            (i18n.gettext("Undecided: a figure is missing"), undecided,
             lambda r: amounts(r) + "; " + "; ".join(r["open_terms"][:3]) + (" …" if len(r["open_terms"]) > 3 else "")),
            (i18n.gettext("Made here, not used locally (see products that leave the city)"), unused, lambda r: r["supply"])):
        if found:
            lists.append({"title": title, "rows": [{"name": r["name"], "text": what(r)} for r in found]})
    return {"items": bars, "width": mid + 460, "height": bar * len(bars), "mid": mid, "lists": lists}


def balance_chart(rows: list[dict]) -> str:
    """The chart as inline SVG markup (autoescaped: names are text)."""
    macros = _environment(False).get_template("macros.html.j2").module
    return str(macros.chart(**chart_items(rows)))


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.45;overflow-wrap:break-word}h1{font-size:1.6em}
h2{border-bottom:2px solid #ddd;margin-top:2em}table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em;
max-width:100%}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left;
overflow-wrap:break-word}th{background:#f3f3f3}td.source{max-width:26em;overflow-wrap:anywhere}.none{color:#888}
.missing{color:#c0392b;font-weight:bold}.planned{color:#d68910}.operating,.building,.by-product{color:#1e8449}
svg{max-width:100%;height:auto}svg text{font-size:12px}.axis{fill:#555}nav.toc ol{columns:2;column-gap:2em}
nav.toc h2{margin-top:1em}section{scroll-margin-top:1em}"""


def to_html(report: dict) -> str:
    """The brief as one self-contained HTML page, in the current language."""
    return "".join(html_parts(report))


def html_parts(report: dict) -> Iterator[str]:
    """The page of `to_html` in parts, as written: each chain's graph is drawn when its section is
    reached and let go after, so a national city's page is never held whole, nor its graphs."""
    with i18n.settled():  # the language fixed for as long as the parts are read
        yield from _environment(False).get_template("report.html.j2").generate(
            _context(report), sections=_html_sections(report), css=Markup(_CSS), assets=Markup(page_assets()),
            legend=Markup(legend_html()), chart=Markup(balance_chart(report["balance"])),
            gaps=[dict(r, step=step_label(r), kind=i18n.value(r["kind"])) for r in report["gaps"][:10]],
            bottlenecks=report["bottlenecks"][:10], extend=report["extend"][:10])


def _html_sections(report: dict) -> Iterator[dict]:
    for s in report["sections"]:
        c, graph = s["chain"], s["graph"]()
        # tall enough for the fullest column at full size, so that labels are not shrunk to fit
        height = 110 + 64 * max(Counter(n["level"] for n in graph["nodes"]).values())
        yield {
            "chain": c, "anchor": f"c-{c.id}", "intro": _intro(s),
            "graph": Markup(network_block(graph, f"chain-{c.id}", height=f"{min(height, 1600)}px",
                                          layout="chain", search=False, legend=False)),
            "steps": s["steps"], "cut": s["cut"], "gaps": s["gaps"],
            "balance": [dict(r, status_label=i18n.value(r["verdict"])) for r in _shown_balance(s["balance"])],
            "bottlenecks": s["bottlenecks"],
            "candidates": [{"name": offers[0]["name"], "rows": offers} for offers in s["candidates"].values()],
        }


def write_report(report: dict, folder: str | Path) -> list[Path]:
    """Write report.md and report.html into `folder` (made if needed); both or neither."""
    folder = Path(folder)
    # written all or nothing; the page as it is rendered, part by part
    return write_texts({folder / "report.md": to_markdown(report), folder / "report.html": html_parts(report)})
