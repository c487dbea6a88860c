"""report: both files written, self-contained HTML, names escaped, nothing half-written."""
from __future__ import annotations

import re

from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.i18n import language
from chaingraph.report import balance_chart, build_report, to_html, to_markdown

from datasets import write_dataset

EVIL = "<script>alert(1)</script>"

DATA = dict(
    products=["ore", "metal", "part", {"id": "slag", "name_zh": "渣|<b>x</b>", "name_en": "slag|<b>x</b>"}],
    chains=[("c", "ore > metal > part")],
    capacities=[("mine", "ore", 100, "万吨", "operating"), ("works", "part", 30, "万吨", "building")],
    links=[("FEEDS", "ore", "metal", 2, "t/t"), ("FEEDS", "metal", "part", 1.5, "t/t"),
           ("YIELDS", "ore", "slag", 0.1, "t/t")],
)


def assert_self_contained(page: str) -> None:
    """Scripts and styles inline only: nothing to fetch from anywhere."""
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page)
    assert not re.search(r"<(link|img|iframe)\b", page)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:|//)""", page)
    assert not re.search(r"""url\(\s*["']?\s*(https?:|//)""", page)


def test_report_files_and_summary(tmp_path):
    folder = write_dataset(tmp_path / "d", **DATA)
    result = CliRunner().invoke(cli, ["--data", str(folder), "report", "-o", str(tmp_path / "out"),
                                      "--basis", "capacity"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        f"wrote {tmp_path / 'out' / 'report.md'}", f"wrote {tmp_path / 'out' / 'report.html'}",
        "1 chains, 1 gaps (1 broken links), 1 shortfalls, 2 bottlenecks (capacity basis)"]
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "missing middle link between ore and part" in md
    assert "Local coverage: 2 of 3 steps." in md


def test_html_is_self_contained_and_escapes_names(tmp_path):
    data = dict(DATA, capacities=[(EVIL.replace("<", "").replace(">", "").replace("(", "").replace(")", "")
                                   .replace("/", ""), "ore", 100, "万吨", "operating")] + DATA["capacities"][1:])
    write_dataset(tmp_path, **data)
    # a firm name with markup: write it into firms.csv by hand (ids cannot hold it, names can)
    firms = tmp_path / "firms.csv"
    firms.write_text(firms.read_text(encoding="utf-8").replace(",scriptalert1script,,", f',"{EVIL}",,', 1),
                     encoding="utf-8")
    from chaingraph.graph import open_backend
    for lang, name in (("en", "slag"), ("zh", "渣")):  # each language shows its own name, escaped
        with language(lang):
            page = to_html(build_report(open_backend("memory", tmp_path), basis="capacity"))
            md = to_markdown(build_report(open_backend("memory", tmp_path), basis="capacity"))
        assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>x</b>" not in page and f"{name}|&lt;b&gt;x&lt;/b&gt;" in page
        assert_self_contained(page)
        assert "<svg" in page and "<rect" in page  # the shortfall / surplus chart
        assert f"{name}\\|\\<b\\>x\\</b\\>" in md and "<b>x</b>" not in md  # no markup, no broken table
    assert "&lt;" not in md and "&gt;" not in md  # Markdown escapes with backslashes, not entities


def _row(name, verdict, low, high, need, supply, balance="", open_terms=()):
    return {"name": name, "verdict": verdict, "low": low, "high": high, "requirement_value": need,
            "requirement_low": need, "requirement_high": need, "supply_value": supply, "supply": f"{supply} t",
            "requirement": f"{need} t", "balance": balance, "open_terms": list(open_terms)}


def test_chart_draws_ranges_and_lists_what_has_no_bar():
    rows = [_row("a", "short", -80.0, -50.0, 200.0, 150.0, "50–80 t short"),
            _row("b", "depends", -20.0, 10.0, 100.0, 95.0, "20 t short to 10 t over"),
            _row("c", "short", None, 0.0, 0.0, 0.0, "amount unknown"),  # not made, no coefficient
            _row("d", "unknown", -5.0, None, 1.0, 3.0, open_terms=["e: capacity not stated"]),
            _row("f", "over", 30.0, 30.0, 0.0, 30.0, "30 t over"),  # nothing local uses it: no +100 % bar
            _row("g", "short", None, -30.0, 100.0, 70.0, "≥ 30 t short")]  # at least 30 short: bar to -100 %
    svg = balance_chart(rows)
    assert svg.count("<rect") == 3 and "≥ 30 t short (-100% … -30%)" in svg
    assert "50–80 t short (-40% … -25%)" in svg and "20 t short to 10 t over (-20% … +10%)" in svg
    assert "Short, amount unknown" in svg and "<li>c:" in svg
    assert "Undecided" in svg and "e: capacity not stated" in svg
    assert "not used locally" in svg and "<li>f:" in svg and "+100%" not in svg


def test_nothing_half_written_on_bad_data(tmp_path):
    folder = write_dataset(tmp_path / "d", **DATA)
    (folder / "links.csv").write_text("type,from\nFEEDS,ore\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data", str(folder), "report", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "out").exists()


def test_report_on_shipped_data(tmp_path):
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "煤—电石—醋酸—醋酸乙烯—PVC" in page and "<svg" in page
    assert_self_contained(page)
    assert page.count('class=cg-graph id="chain-') == 39  # a graph per chain


def test_markdown_brief_reads_cleanly(tmp_path):
    from chaingraph.graph import open_backend
    report = build_report(open_backend())
    md = to_markdown(report)
    assert not re.search(r"&(gt|lt|amp|quot);", md)
    assert not re.search(r"[“\"]{2}|[”\"]{2}", md)  # no doubled quotation marks
    assert "of 1 steps" not in md and "Local coverage: 1 of 1 step." in md
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    links = re.findall(r"\]\(#([^)]+)\)", md)
    assert len(links) == 4 + len(report["sections"]) and set(links) <= anchors


def test_a_step_with_many_producers_names_the_largest_and_points_to_every_row(tmp_path):
    """At national size a step table names a product's `viz.DRAWN` largest rows (those its graph
    draws) and counts the others in one line, escaped like every name; below the table, the
    command that lists every row. A brief whose steps name every row has no such line (Wuhai)."""
    from chaingraph.graph import open_backend
    from chaingraph.viz import DRAWN
    makers = [(f"f{n:02d}", "slag", n + 1, "万吨", "operating") for n in range(DRAWN + 5)]
    write_dataset(tmp_path / "d", **dict(DATA, chains=[("c", "ore|slag > metal")], capacities=makers))
    with language("en"):
        report = build_report(open_backend("memory", tmp_path / "d"), basis="capacity")
        page, md = to_html(report), to_markdown(report)
    step = report["sections"][0]["steps"][0]
    assert step["more"] == 5 and report["sections"][0]["cut"]
    # the largest first; the five smallest counted in one line
    assert step["firms"][0] == "f19 slag|<b>x</b> 200 kt (operating)" and len(step["firms"]) == DRAWN + 1
    assert step["firms"][-1] == "and 5 more capacity rows of slag|<b>x</b>"
    assert "and 5 more capacity rows of slag|&lt;b&gt;x&lt;/b&gt;<" in page and "<b>x</b>" not in page
    assert "and 5 more capacity rows of slag\\|\\<b\\>x\\</b\\> |" in md and "<b>x</b>" not in md
    command = "chaingraph firms --product PRODUCT --region home --format csv"
    assert f"<code>{command}</code>" in page and f"`{command}`" in md
    assert "f00 " not in page and "f05 slag" in page
    shipped = to_html(build_report(open_backend()))
    assert "chaingraph firms --product" not in shipped and "more capacity rows of" not in shipped


def test_a_page_written_in_parts_is_written_whole_or_not_at_all(tmp_path):
    """`write_report` writes the page as it is rendered (`html_parts`): the same bytes as `to_html`;
    a failure while rendering leaves neither file nor a temporary one."""
    import pytest

    from chaingraph.files import write_texts
    from chaingraph.graph import open_backend
    from chaingraph.report import write_report
    with language("en"):
        report = build_report(open_backend())
        write_report(report, tmp_path / "out")
        assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8") == to_html(report)

    def failing():
        yield "<p>half"
        raise RuntimeError("rendering failed")
    with pytest.raises(RuntimeError):
        write_texts({tmp_path / "new" / "a.md": "whole", tmp_path / "new" / "b.html": failing()})
    assert list((tmp_path / "new").iterdir()) == []
