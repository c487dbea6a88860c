"""Structural analyses that scale: one pass for articulation points, one dominator tree for every
chain end, checked against the one-by-one definitions; and their reason texts."""
from __future__ import annotations

import importlib
import random

import networkx as nx
import pytest

from chaingraph.queries import bottlenecks

from datasets import build, by_product

analysis = importlib.import_module("chaingraph.queries.bottlenecks")


def _parts_added_by_definition(pg: nx.DiGraph) -> dict:
    undirected = pg.to_undirected()
    undirected.remove_nodes_from([n for n in list(undirected) if undirected.degree(n) == 0])
    before = nx.number_connected_components(undirected)
    return {n: nx.number_connected_components(undirected.subgraph(set(undirected) - {n})) - before
            for n in undirected if nx.number_connected_components(undirected.subgraph(set(undirected) - {n})) > before}


def _dominators_by_definition(pg: nx.DiGraph, end) -> set:
    """Products on every route from a raw material to `end`: remove each and see if `end` is cut off."""
    sources = {n for n in nx.ancestors(pg, end) if pg.in_degree(n) == 0}
    if not sources:
        return set()
    found = set()
    for n in nx.ancestors(pg, end) - sources:
        rest = pg.subgraph(set(pg) - {n})
        if not any(nx.has_path(rest, s, end) for s in sources):
            found.add(n)
    # a raw material dominates when it is the only one and the end is reached from nothing else
    if len(sources) == 1:
        found |= sources
    return found


def _random_graph(seed: int) -> nx.DiGraph:
    rnd = random.Random(seed)
    n = rnd.randrange(4, 60)
    pg = nx.DiGraph()
    pg.add_nodes_from(f"p{i}" for i in range(n))
    for _ in range(rnd.randrange(0, 2 * n)):
        a, b = sorted(rnd.sample(range(n), 2))
        pg.add_edge(f"p{a}", f"p{b}")  # upstream to downstream, as products feed each other
    return pg


@pytest.mark.parametrize("seed", range(40))
def test_articulation_points_and_parts_added_match_the_definition(seed):
    pg = _random_graph(seed)
    assert analysis._articulation_points(pg) == _parts_added_by_definition(pg)


@pytest.mark.parametrize("seed", range(40))
def test_dominators_of_every_end_match_the_definition(seed):
    pg = _random_graph(seed)
    ends = {n for n in pg if pg.out_degree(n) == 0}
    found = analysis._dominators_of_ends(pg, ends)
    for end in ends:
        assert found.get(end, set()) == _dominators_by_definition(pg, end), end


def test_reason_counts_the_parts_a_product_adds(tmp_path):
    # two parts to begin with (ore -> metal -> part, and resin -> paint): removing metal adds one
    g = build(tmp_path, products=["ore", "metal", "part", "resin", "paint"],
              chains=[("c", "ore > metal > part")],
              capacities=[("smelter", "metal", 80, "万吨", "operating"), ("works", "part", 10, "万吨", "operating")],
              links=[("FEEDS", "ore", "metal", None, None), ("FEEDS", "metal", "part", None, None),
                     ("FEEDS", "resin", "paint", None, None)])
    reasons = by_product(bottlenecks(g, basis="capacity"))["metal"]["reasons"]
    assert "removing it splits its part of the product graph into 2: 1 more part" in reasons


def test_shortfall_names_the_users_when_only_targets_need_them(tmp_path):
    # nothing is made locally; a target for metal needs ore, which nobody makes
    g = build(tmp_path, products=["ore", "metal"], chains=[("c", "ore > metal")],
              links=[("FEEDS", "ore", "metal", None, None)],
              targets=[("metal_output", "metal", "capacity", 100, "万吨", "min")])
    ore = by_product(bottlenecks(g, basis="target"))["ore"]
    assert ore["kinds"][0] == "shortfall"
    assert ore["reasons"][0] == "not made locally, yet it feeds metal, which local targets or products need (target basis)"


def test_report_graphs_share_the_region_rows(monkeypatch):
    from chaingraph.graph import open_backend
    from chaingraph.queries import gaps
    from chaingraph.viz import chain_data
    g = open_backend()
    analysis = {"gaps": gaps(g), "bottlenecks": bottlenecks(g), "product_graph": g.product_graph()}
    first, *rest = g.chains()
    chain_data(g, first.id, analysis=analysis)
    calls = []
    monkeypatch.setattr(g, "capacities", lambda *a, **k: calls.append(("capacities", k)) or type(g).capacities(g, *a, **k))
    monkeypatch.setattr(g, "firms", lambda: calls.append("firms") or type(g).firms(g))
    for chain in rest:
        assert chain_data(g, chain.id, analysis=analysis)["nodes"]
    assert rest and calls == []  # no chain after the first rescans the region's rows or lists every firm


def test_a_focus_page_runs_no_structural_analysis(monkeypatch):
    from chaingraph.graph import open_backend
    from chaingraph.viz import graph_data

    def refuse(*args):
        raise AssertionError("a structural analysis of the whole graph ran")
    monkeypatch.setattr(analysis, "_articulation_points", refuse)
    monkeypatch.setattr(analysis, "_dominators_of_ends", refuse)
    g = open_backend()
    data = graph_data(g, focus="pvc", depth=1)
    assert {n["id"] for n in data["nodes"] if n["kind"] == "product"} >= {"p:pvc"}
    assert len([n for n in data["nodes"] if n["kind"] == "product"]) < len(g.products())


@pytest.mark.parametrize("seed", range(20))
def test_present_descendants_either_way(seed):
    pg = _random_graph(seed)
    rnd = random.Random(seed)
    status = {n: rnd.choice(["operating", "missing", "planned", "by-product"]) for n in pg}
    for asked in (list(pg)[:2], list(pg)):  # fewer products than present ones, and more
        expected = {p: sum(1 for d in nx.descendants(pg, p) if status[d] in ("operating", "building", "by-product"))
                    for p in asked}
        assert analysis._present_descendants(pg, status, asked) == expected


def _dominators_on_the_whole_graph(pg: nx.DiGraph, ends: set) -> dict:
    """The earlier walk: one dominator tree from a super-root over every product of the graph."""
    root = ("root",)
    whole = pg.copy()
    whole.add_edges_from((root, n) for n in pg if pg.in_degree(n) == 0)
    return analysis._dominators_from_tree(pg, ends, nx.immediate_dominators(whole, root), root)


@pytest.mark.parametrize("seed", range(60))
def test_dominators_on_the_ends_ancestors_match_the_whole_graph(seed):
    # links both ways (cycles, parts only a cycle feeds) and a few ends anywhere in the graph
    rnd = random.Random(seed)
    n = rnd.randrange(3, 50)
    pg = nx.DiGraph()
    pg.add_nodes_from(f"p{i}" for i in range(n))
    for _ in range(rnd.randrange(0, 2 * n)):
        a, b = rnd.sample(range(n), 2)
        pg.add_edge(f"p{a}", f"p{b}")
    ends = set(rnd.sample(sorted(pg), rnd.randrange(1, n + 1)))
    before = nx.to_dict_of_lists(pg)
    assert analysis._dominators_of_ends(pg, ends) == _dominators_on_the_whole_graph(pg, ends)
    assert nx.to_dict_of_lists(pg) == before  # the graph is left as it was
