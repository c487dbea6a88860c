"""The planner's brief: per chain, coverage, gaps, balance, bottlenecks and candidate firms.

`build_report` gathers the rows once from the query functions; `to_markdown` and `to_html`
render them. The HTML page is one self-contained file: inline CSS, an inline SVG chart, and per
chain an interactive graph (`viz.network_block`, vis-network inlined once); nothing is fetched,
and every name from the data is escaped.
"""
from __future__ import annotations

import html
from collections import Counter
from datetime import date
from pathlib import Path

from .files import write_texts
from .graph.backend import Backend
from .queries import balance, bottlenecks, candidates, chains, extend, gaps
from .queries._common import region_id
from .viz import chain_data, legend_html, network_block, page_assets

__all__ = ["build_report", "to_markdown", "to_html", "write_report"]

_PRESENT = ("operating", "building", "by-product")
CANDIDATES_PER_PRODUCT = 3


def build_report(g: Backend, region: str | None = None, basis: str = "target") -> dict:
    """Everything the brief shows, as plain data (a dict of rows), for one region."""
    where = region_id(g, region)
    all_gaps = gaps(g, region=where)
    all_balance = balance(g, region=where, basis=basis)
    all_bottlenecks = bottlenecks(g, region=where, basis=basis)
    wanted = list(dict.fromkeys(p for row in all_gaps for p in row["products"]))
    offers: dict[str, list[dict]] = {}
    for row in candidates(g, region=where, all_gaps=True) if wanted else []:
        offers.setdefault(row["product"], []).append(row)

    # computed once for the region and handed to each chain's graph
    analysis = {"gaps": all_gaps, "bottlenecks": all_bottlenecks, "product_graph": g.product_graph()}
    steps_of: dict[str, list[dict]] = {}
    for step in chains(g, region=where):
        steps_of.setdefault(step["chain"], []).append(step)
    sections = []
    for chain in g.chains():
        steps = steps_of[chain.id]
        members = {p for step in chain.steps for p in step.products}
        chain_gaps = [r for r in all_gaps if r["chain"] == chain.id]
        sections.append({
            "chain": chain, "steps": steps,
            "present": sum(1 for s in steps if s["status"] in _PRESENT),
            "gaps": chain_gaps,
            "balance": [r for r in all_balance if r["product"] in members],
            "bottlenecks": [r for r in all_bottlenecks if r["product"] in members][:5],
            "candidates": {p: offers[p][:CANDIDATES_PER_PRODUCT] for r in chain_gaps for p in r["products"]
                           if p in offers},
            "graph": chain_data(g, chain.id, region=where, analysis=analysis),
        })
    sections.sort(key=lambda s: (not s["chain"].written, -len([r for r in s["gaps"] if r["kind"] == "broken"])))
    return {
        "region": g.resolve_region(where), "basis": basis, "date": date.today().isoformat(),
        "data_dir": g.data_dir, "gaps": all_gaps, "balance": all_balance,
        "bottlenecks": all_bottlenecks, "extend": extend(g, region=where), "sections": sections,
    }


# -- Markdown ---------------------------------------------------------------------------------

def _md(text) -> str:
    # Markdown passes HTML through: escape it, and pipes that would split a table cell
    return html.escape(str(text if text is not None else ""), quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def to_markdown(report: dict) -> str:
    region = report["region"]
    out = [f"# {_md(region.name_zh)} industrial chains: planner's brief", "",
           f"Region {_md(region.name_zh)} ({region.id}); balance on the **{report['basis']}** basis; "
           f"data `{report['data_dir']}`; made {report['date']} by chaingraph.", ""]
    out += ["## Top gaps (补链)", ""]
    out += _md_table(["#", "chain", "step", "status", "kind", "why"],
                     [[r["rank"], r["chain_name"], r["label"] or "、".join(r["names"]), r["status"], r["kind"],
                       r["reason"]] for r in report["gaps"][:10]])
    out += ["## Shortfalls and surpluses", ""]
    out += _md_table(["product", "status", "supply", "requirement", "balance", "estimate"],
                     [[r["name"], r["status"], r["supply"], r["requirement"], r["balance"],
                       "yes" if r["estimate"] else ""] for r in report["balance"]
                      if r["status"] in ("shortfall", "surplus") and r["balance"]])
    out += ["## Bottlenecks", ""]
    out += _md_table(["#", "product", "score", "why"],
                     [[r["rank"], r["name"], r["score"], "; ".join(r["reasons"])] for r in report["bottlenecks"][:10]])
    out += ["## Products that leave the city raw (延链)", ""]
    out += _md_table(["#", "product", "status", "why"],
                     [[r["rank"], r["name"], r["status"], r["reason"]] for r in report["extend"][:10]])
    for s in report["sections"]:
        c = s["chain"]
        out += [f"## {_md(c.name_zh)}", "",
                f"{'Written in the guideline' if c.written else 'Described in prose'}: “{_md(c.source)}”. "
                f"Local coverage: {s['present']} of {len(s['steps'])} steps.", ""]
        out += _md_table(["step", "label", "products", "status", "local firms"],
                         [[st["order"], st["label"] or "", "、".join(st["names"]), st["status"], "; ".join(st["firms"])]
                          for st in s["steps"]])
        if s["gaps"]:
            out += ["Gaps:", ""] + [f"- {_md(g['label'] or '、'.join(g['names']))}: {_md(g['reason'])} ({g['status']})"
                                    for g in s["gaps"]] + [""]
        rows = [r for r in s["balance"] if r["status"] != "unknown" or r["requirement_value"]]
        if rows:
            out += ["Balance:", ""]
            out += _md_table(["product", "status", "supply", "requirement", "balance"],
                             [[r["name"], r["status"], r["supply"], r["requirement"], r["balance"]] for r in rows])
        if s["bottlenecks"]:
            out += ["Bottlenecks:", ""] + [f"- {_md(b['name'])} (score {b['score']}): {_md('; '.join(b['reasons']))}"
                                           for b in s["bottlenecks"]] + [""]
        for product, offers in s["candidates"].items():
            out += [f"Candidate firms for {_md(offers[0]['name'])}:", ""]
            out += _md_table(["firm", "region", "capacity", "score", "why", "source"],
                             [[o["firm_name"], o["region_name"], o["capacity"], o["score"], "; ".join(o["reasons"]),
                               o["source"]] for o in offers])
    return "\n".join(out)


# -- HTML -------------------------------------------------------------------------------------

def _e(text) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def _html_table(header: list[str], rows: list[list], raw: set[int] = frozenset()) -> str:
    if not rows:
        return "<p class=none>(none)</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c if i in raw else _e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def balance_chart(rows: list[dict]) -> str:
    """An inline SVG bar chart: each known shortfall or surplus as a share of the requirement
    (or of the supply, where nothing is required locally), labelled with the amount and unit."""
    items = []
    for r in rows:
        if r["status"] not in ("shortfall", "surplus") or r["balance_value"] is None:
            continue
        scale = r["requirement_value"] or r["supply_value"]
        if not scale:
            continue
        items.append((r, max(-100.0, min(100.0, 100 * r["balance_value"] / scale))))
    if not items:
        return "<p class=none>(no shortfall or surplus with known figures)</p>"
    items.sort(key=lambda item: item[1])  # worst shortfall first; output nothing local uses (+100%) last
    bar, left, mid, height = 22, 150, 330, 26
    width = mid + 460
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height * len(items) + 40}" aria-label="shortfalls and surpluses">',
             f'<line x1="{mid}" y1="0" x2="{mid}" y2="{height * len(items) + 10}" stroke="#555"/>']
    for i, (r, pct) in enumerate(items):
        y = i * height + 5
        length = abs(pct) * 1.6
        x = mid - length if pct < 0 else mid
        colour = "#c0392b" if pct < 0 else "#27ae60"
        label = ("short " if pct < 0 else "over ") + r["balance"]
        parts.append(f'<text x="{left - 10}" y="{y + 15}" text-anchor="end">{_e(r["name"])}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="{bar - 4}" fill="{colour}">'
                     f'<title>{_e(r["name"])}: {_e(label)} ({pct:.0f}%)</title></rect>')
        tx = mid + 8 if pct < 0 else mid + length + 6
        parts.append(f'<text x="{tx:.1f}" y="{y + 15}">{_e(label)} ({pct:+.0f}%)</text>')
    parts.append(f'<text x="{mid}" y="{height * len(items) + 30}" text-anchor="middle" class=axis>'
                 f'shortfall ← 0 → surplus, as % of the local requirement</text></svg>')
    return "".join(parts)


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.45}h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}.none{color:#888}.missing{color:#c0392b;font-weight:bold}
.planned{color:#d68910}.operating,.building,.by-product{color:#1e8449}svg text{font-size:12px}.axis{fill:#555}"""


def _status(value: str) -> str:
    return f'<span class="{_e(value)}">{_e(value)}</span>'


def to_html(report: dict) -> str:
    region = report["region"]
    out = [f"<!DOCTYPE html><html lang=zh><head><meta charset=utf-8>"
           f"<title>{_e(region.name_zh)} industrial chains: planner's brief</title><style>{_CSS}</style>"
           f"{page_assets()}</head><body>",
           f"<h1>{_e(region.name_zh)} industrial chains: planner's brief</h1>",
           f"<p>Balance on the <b>{_e(report['basis'])}</b> basis; made {_e(report['date'])} by chaingraph "
           f"from <code>{_e(report['data_dir'])}</code>.</p>",
           "<h2>Shortfalls and surpluses</h2>", balance_chart(report["balance"]),
           "<h2>How to read the chain graphs</h2>",
           "<p>Each chain below is drawn left to right as the guideline writes it: products coloured by local "
           "status, local firms beside what they make (size: capacity); hover for firms, capacities and sources, "
           "drag to pan, scroll to zoom.</p>", legend_html(),
           "<h2>Top gaps (补链)</h2>",
           _html_table(["#", "chain", "step", "status", "kind", "why"],
                       [[r["rank"], _e(r["chain_name"]), _e(r["label"] or "、".join(r["names"])), _status(r["status"]),
                         _e(r["kind"]), _e(r["reason"])] for r in report["gaps"][:10]], raw={0, 1, 2, 3, 4, 5}),
           "<h2>Bottlenecks</h2>",
           _html_table(["#", "product", "score", "why"],
                       [[r["rank"], r["name"], r["score"], "; ".join(r["reasons"])] for r in report["bottlenecks"][:10]]),
           "<h2>Products that leave the city raw (延链)</h2>",
           _html_table(["#", "product", "status", "why"],
                       [[r["rank"], r["name"], r["status"], r["reason"]] for r in report["extend"][:10]])]
    for s in report["sections"]:
        c = s["chain"]
        out.append(f"<h2>{_e(c.name_zh)}</h2><p>{'Written in the guideline' if c.written else 'Described in prose'}: "
                   f"“{_e(c.source)}”. Local coverage: <b>{s['present']} of {len(s['steps'])}</b> steps.</p>")
        height = 120 + 55 * max(Counter(n["level"] for n in s["graph"]["nodes"]).values())
        out.append(network_block(s["graph"], f"chain-{c.id}", height=f"{min(height, 520)}px", layout="chain",
                                 search=False, legend=False))
        out.append(_html_table(["step", "label", "products", "status", "local firms"],
                               [[st["order"], _e(st["label"] or ""), _e("、".join(st["names"])), _status(st["status"]),
                                 "<br>".join(_e(f) for f in st["firms"])] for st in s["steps"]], raw={0, 1, 2, 3, 4}))
        if s["gaps"]:
            out.append("<p><b>Gaps</b></p><ul>" + "".join(
                f"<li>{_e(g['label'] or '、'.join(g['names']))}: {_e(g['reason'])} ({_status(g['status'])})</li>"
                for g in s["gaps"]) + "</ul>")
        rows = [r for r in s["balance"] if r["status"] != "unknown" or r["requirement_value"]]
        if rows:
            out.append("<p><b>Balance</b></p>" + _html_table(
                ["product", "status", "supply", "requirement", "balance", "coefficients and sources"],
                [[r["name"], r["status"], r["supply"], r["requirement"], r["balance"],
                  "; ".join(r["coefficients"] + r["unknown"])] for r in rows]))
        if s["bottlenecks"]:
            out.append("<p><b>Bottlenecks</b></p><ul>" + "".join(
                f"<li>{_e(b['name'])} (score {_e(b['score'])}): {_e('; '.join(b['reasons']))}</li>"
                for b in s["bottlenecks"]) + "</ul>")
        for offers in s["candidates"].values():
            out.append(f"<p><b>Candidate firms for {_e(offers[0]['name'])}</b></p>" + _html_table(
                ["firm", "region", "capacity", "score", "why", "source"],
                [[o["firm_name"], o["region_name"], o["capacity"], o["score"], "; ".join(o["reasons"]), o["source"]]
                 for o in offers]))
    out.append("</body></html>")
    return "\n".join(out)


def write_report(report: dict, folder: str | Path) -> list[Path]:
    """Write report.md and report.html into `folder` (made if needed); both or neither."""
    folder = Path(folder)
    # rendered first, then written all or nothing
    return write_texts({folder / "report.md": to_markdown(report), folder / "report.html": to_html(report)})
