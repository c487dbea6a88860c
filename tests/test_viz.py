"""viz: the graph data (colours, firms, gaps, bottlenecks, filters) and the self-contained page."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.errors import ChaingraphError
from chaingraph.graph import open_backend
from chaingraph.queries import bottlenecks
from chaingraph.viz import STATUS_COLOURS, chain_data, graph_data, to_html

from datasets import write_dataset
from test_report import assert_self_contained

EVIL = "<script>alert(1)</script>"


def by_id(data: dict) -> dict:
    return {n["id"]: n for n in data["nodes"]}


def test_nodes_are_coloured_by_local_status(graph):
    nodes = by_id(graph_data(graph))
    assert {k: n["status"] for k, n in nodes.items() if n["kind"] == "product"} == {
        "p:coal": "operating", "p:coke": "operating", "p:coke_oven_gas": "by-product", "p:lng": "building",
        "p:carbide": "planned", "p:carbide_slag": "missing", "p:pvc": "missing", "p:pvc_pipe": "missing"}
    assert all(n["color"] == STATUS_COLOURS[n["status"]][0] for n in nodes.values() if n["kind"] == "product")
    assert nodes["p:pvc"]["group"] == "chlor_alkali" and "polyvinyl chloride" in nodes["p:pvc"]["names"]


def test_firms_hang_off_what_they_make_sized_by_capacity(graph):
    data = graph_data(graph)
    nodes = by_id(data)
    firms = {k: n for k, n in nodes.items() if n["kind"] == "firm"}
    assert set(firms) == {"f:alpha", "f:beta"}  # the unnamed coal producers are no firm node
    assert firms["f:alpha"]["size"] == 24.0  # the largest stated capacity in tonnes (100 万吨 coke)
    assert 6 < firms["f:beta"]["size"] < 24  # 50 万吨 coke
    makes = sorted((e["from"], e["to"], e["label"]) for e in data["edges"] if e["kind"] == "MAKES")
    assert makes == [("f:alpha", "p:carbide", "300 kt"), ("f:alpha", "p:coke", "1 Mt"),
                     ("f:beta", "p:coke", "500 kt"), ("f:beta", "p:lng", "230 kt")]
    assert "阿尔法焦化年产焦炭100万吨" in nodes["p:coke"]["title"] and "1 Mt (operating)" in nodes["p:coke"]["title"]
    assert not any(n["kind"] == "firm" for n in graph_data(graph, firms=False)["nodes"])


def test_edges_show_coefficients_gaps_and_bottlenecks(graph):
    data = graph_data(graph)
    links = {(e["from"], e["to"]): e for e in data["edges"] if e["kind"] != "MAKES"}
    assert len(links) == 7
    assert links["p:carbide", "p:pvc"]["label"] == "1.5 t/t"
    assert links["p:coke", "p:carbide"]["label"] == "0.6 t/t" and "(estimate)" in links["p:coke", "p:carbide"]["title"]
    # the fixture states no figure for pvc -> pvc_pipe: the process coefficient library's estimate fills it in
    assert links["p:pvc", "p:pvc_pipe"]["label"] == "0.85 t/t" and "(estimate)" in links["p:pvc", "p:pvc_pipe"]["title"]
    assert {n["id"] for n in data["nodes"] if n["gap"]} == {"p:carbide", "p:pvc", "p:pvc_pipe"}
    risky = {r["product"] for r in bottlenecks(graph)
             if {"shortfall", "single firm", "concentrated"} & set(r["kinds"])}
    assert {e["from"][2:] for e in data["edges"] if e["bottleneck"]} <= risky
    assert all(e["kind"] == "FEEDS" for e in data["edges"] if e["bottleneck"])


def test_chain_and_focus_filters(graph):
    chain = graph_data(graph, chain="电石—PVC—管材")
    assert [n["id"] for n in chain["nodes"]] == ["p:carbide", "p:pvc", "p:pvc_pipe", "f:alpha"]
    around = graph_data(graph, focus="焦炭", depth=1, firms=False)
    assert [n["id"] for n in around["nodes"]] == ["p:coal", "p:coke", "p:coke_oven_gas", "p:carbide"]
    assert [n["id"] for n in graph_data(graph, focus="coke", depth=0, firms=False)["nodes"]] == ["p:coke"]
    assert chain["chains"] == [{"id": "carbide_pvc", "name": "carbide - PVC - pipes",  # for the chain menu
                                "nodes": ["p:carbide", "p:pvc", "p:pvc_pipe"]}]
    assert [c["id"] for c in graph_data(graph)["chains"]] == ["coal_coke_gas", "carbide_pvc"]
    levels = {n["id"]: n["level"] for n in chain_data(graph, "carbide_pvc")["nodes"]}
    assert levels == {"p:carbide": 0, "p:pvc": 1, "p:pvc_pipe": 2, "f:alpha": 0}
    with pytest.raises(ChaingraphError):
        graph_data(graph, chain="no such chain")


def test_page_is_self_contained_and_escapes_names(tmp_path):
    folder = write_dataset(tmp_path / "d", products=["ore", {"id": "metal", "name_zh": "金属</script><b>x"}],
                           chains=[("c", "ore > metal")], capacities=[("evil", "ore", 5, "万吨", "operating")],
                           links=[("FEEDS", "ore", "metal", 2, "t/t")])
    firms = folder / "firms.csv"
    firms.write_text(firms.read_text(encoding="utf-8").replace("evil,evil,", f'evil,"{EVIL}",', 1), encoding="utf-8")
    data = graph_data(open_backend("memory", folder))
    page = to_html(data)
    assert_self_contained(page)
    assert EVIL not in page and "</script><b>" not in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page  # in the JSON, as data
    assert "vis-network" in page and "Noto Sans CJK SC" in page
    # one inline copy of vis-network, our drawing code, and the data: every <script> has no src
    assert all("src" not in tag for tag in re.findall(r"<script\b[^>]*>", page))


def test_cli_writes_the_page(tmp_path, mini):
    out = tmp_path / "sub" / "g.html"
    result = CliRunner().invoke(cli, ["--data", str(mini), "viz", "-o", str(out), "--chain", "carbide_pvc"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: 4 nodes, 3 links\n"
    assert "电石" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--data", str(mini), "viz", "-o", str(tmp_path / "x.html"), "--focus", "nope"])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ") and not (tmp_path / "x.html").exists()


def test_chain_graph_joins_written_steps_without_a_direct_link(tmp_path, backend):
    from datasets import build
    # the chain is written a > c > d; the graph has a -> b -> c (b is not a step) and no c -> d
    g = build(tmp_path, backend, products=["a", "b", "c", "d"], chains=[("w", "a > c > d")],
              capacities=[("f", "a", 1, "万吨", "operating")],
              links=[("FEEDS", "a", "b", None, None), ("FEEDS", "b", "c", None, None)])
    steps = [(e["from"], e["to"], e["label"]) for e in chain_data(g, "w")["edges"] if e["kind"] == "STEP"]
    assert steps == [("p:a", "p:c", "via b"), ("p:c", "p:d", "chain step")]
