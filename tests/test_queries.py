"""Queries on the fixture dataset, whose answers are known by construction (tests/fixtures/mini)."""
from __future__ import annotations

import pytest

from chaingraph.errors import ChaingraphError, UnknownNameError
from chaingraph.graph import open_backend
from chaingraph.i18n import language
from chaingraph.queries import chains, firms, info, products, targets, trace


def test_info_counts(graph):
    assert {r["kind"]: r["count"] for r in info(graph)} == {
        "products": 8, "chains": 2, "written chains": 1, "prose chains": 1, "firms": 3,
        "regions": 4, "capacities": 6, "targets": 2, "FEEDS links": 5, "YIELDS links": 2,
        "coefficients": 7, "estimates": 3,  # two from the process library
    }


def test_product_status_and_capacity(graph):
    rows = {r["id"]: r for r in products(graph)}
    # coal: unnamed city producers; coke: alpha operating + beta (in a park below the city) building
    assert {k: (r["status"], r["firms"], r["capacity"]) for k, r in rows.items()} == {
        "coal": ("operating", 0, "30 Mt"),
        "coke": ("operating", 2, "1.5 Mt"),  # local capacity as balance counts it: operating + building
        "coke_oven_gas": ("by-product", 0, ""),  # yielded by operating coke
        "lng": ("building", 1, "230 kt"),
        "carbide": ("planned", 1, ""),  # planned capacity supplies nothing yet
        "carbide_slag": ("missing", 0, ""),
        "pvc": ("missing", 0, ""),  # made in othercity only, which is not home
        "pvc_pipe": ("missing", 0, ""),
    }
    assert [r["id"] for r in products(graph, sector="chlor_alkali")] == ["carbide", "carbide_slag", "pvc"]


def test_unknown_sector(graph):
    with pytest.raises(UnknownNameError, match="unknown sector 'coke'; closest: coking"):
        products(graph, sector="coke")


def test_chain_steps(graph):
    rows = chains(graph, chain="煤—焦—煤气")
    assert [(r["order"], r["label"], r["products"], r["status"]) for r in rows] == [
        (1, "煤", ["coal"], "operating"),
        (2, "焦", ["coke"], "operating"),
        (3, "煤气", ["coke_oven_gas", "lng"], "building"),
    ]
    assert rows[1]["firms"] == ["Alpha Coking 1 Mt (operating)", "Beta Chemicals 500 kt (building)"]
    assert rows[0]["firms"] == ["(unnamed, Mini City) 30 Mt (operating)"]
    assert rows[2]["firms"] == ["Beta Chemicals liquefied natural gas 230 kt (building)"]  # several products: named
    with language("zh"):
        rows = chains(graph, chain="煤—焦—煤气")
    assert rows[1]["firms"] == ["阿尔法焦化 100 万吨 (运营)", "贝塔化工 50 万吨 (在建)"]
    assert rows[0]["firms"] == ["（未具名，小城市） 3000 万吨 (运营)"]
    assert {r["chain"] for r in chains(graph)} == {"coal_coke_gas", "carbide_pvc"}


def test_chain_seen_from_another_region(graph):
    rows = chains(graph, chain="carbide_pvc", region="othercity")
    assert [r["status"] for r in rows] == ["missing", "operating", "missing"]


def test_firms_include_firms_without_rows_and_unnamed_producers(graph):
    rows = firms(graph)
    assert [(r["firm"], r["product"]) for r in rows] == [
        ("alpha", "coke"), ("alpha", "carbide"), ("beta", "coke"), ("beta", "lng"), ("gamma", None),
        (None, "coal"), (None, "pvc"),
    ]
    assert rows[0]["capacity_base"] == 1_000_000 and rows[0]["base_unit"] == "t"
    assert rows[4]["source"] == "伽马公司中试基地"


def test_firms_region_includes_regions_below(graph):
    assert {r["firm"] for r in firms(graph, region="minicity")} == {"alpha", "beta", "gamma", None}
    assert {r["firm"] for r in firms(graph, region="east_park")} == {"beta"}
    assert [r["product"] for r in firms(graph, region="别城")] == ["pvc"]
    assert [r["firm"] for r in firms(graph, product="焦", region="east_park")] == ["beta"]


def test_targets(graph):
    assert [r["target"] for r in targets(graph)] == ["≥ 2 Mt", "≈ 32 billion CNY"]
    assert [r["id"] for r in targets(graph, product="coke")] == ["coke_capacity"]
    assert targets(graph, region="othercity") == []


def test_trace_down_is_a_tree(graph):
    rows = trace(graph, "coal")
    assert [(r["depth"], r["from"], r["to"], r["relation"]) for r in rows] == [
        (1, "coal", "coke", "FEEDS"),
        (2, "coke", "coke_oven_gas", "YIELDS"),
        (3, "coke_oven_gas", "lng", "FEEDS"),
        (2, "coke", "carbide", "FEEDS"),
        (3, "carbide", "pvc", "FEEDS"),
        (4, "pvc", "pvc_pipe", "FEEDS"),
        (3, "carbide", "carbide_slag", "YIELDS"),
    ]
    assert rows[0]["ratio"] == 1.3 and rows[0]["ratio_unit"] == "t/t" and rows[0]["status"] == "operating"
    assert rows[3]["estimate"] is True and rows[3]["status"] == "planned"
    assert max(r["depth"] for r in trace(graph, "coal", depth=2)) == 2
    assert trace(graph, "coal", depth=0) == []


def test_trace_up_follows_inputs_and_main_products(graph):
    # lng <- coke-oven gas (input) <- coke (the main product it is a by-product of) <- coal
    rows = trace(graph, "lng", direction="up")
    assert [(r["depth"], r["from"], r["to"]) for r in rows] == [
        (1, "coke_oven_gas", "lng"), (2, "coke", "coke_oven_gas"), (3, "coal", "coke"),
    ]
    assert [r["status"] for r in rows] == ["by-product", "operating", "operating"]  # of `from`, reached going up


def test_trace_ends_on_cycles(mini_copy):
    with open(mini_copy / "links.csv", "a", encoding="utf-8") as f:
        f.write("FEEDS,carbide_slag,coke,,,,,,,发展电石,\n")  # slag -> coke closes a cycle
    g = open_backend("memory", mini_copy)
    down = trace(g, "coal")
    assert len(down) == 8 and ("carbide_slag", "coke") in {(r["from"], r["to"]) for r in down}
    assert len(trace(g, "coke", direction="up")) == 4


def test_trace_bad_direction(graph):
    with pytest.raises(ChaingraphError, match="unknown direction 'sideways'"):
        trace(graph, "coal", direction="sideways")


def test_backend_filters_and_graph(graph):
    assert [c.firm for c in graph.capacities(product="coke")] == ["alpha", "beta"]
    assert [c.product for c in graph.capacities(firm="beta")] == ["coke", "lng"]
    assert graph.capacities(product="nothing") == []
    assert graph.subregions("minicity") == {"minicity", "east_park"}
    assert graph.capacity_statuses("minicity") == {
        "coal": "operating", "coke": "operating", "lng": "building", "carbide": "planned"}
    assert graph.capacity_statuses("east_park") == {"coke": "building", "lng": "building"}
    assert graph.home_region().id == "minicity"
    assert len(graph.links("YIELDS")) == 2
    pg = graph.product_graph()
    assert pg.number_of_nodes() == 8 and pg.edges["coke", "coke_oven_gas"]["type"] == "YIELDS"


def test_memory_graph_relationships(mini):
    g = open_backend("memory", mini).graph
    types = sorted(d["type"] for _, _, d in g.edges(data=True))
    assert {t: types.count(t) for t in set(types)} == {
        "FEEDS": 5, "YIELDS": 2, "HAS_STEP": 7, "MAKES": 6, "LOCATED_IN": 3, "TARGETS": 2, "PART_OF": 4,
    }
    assert g.has_edge(("Region", "minicity"), ("Product", "coal"))  # unnamed producers MAKES from the region
    assert g.has_edge(("Region", "minicity"), ("Target", "value_added"))  # economy-wide target
    assert g.has_edge(("Firm", "beta"), ("Firm", "alpha"))  # PART_OF parent firm


def test_open_backend_names(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(ChaingraphError, match="no Neo4j server given: use --uri or set NEO4J_URI"):
        open_backend("neo4j")
    with pytest.raises(ChaingraphError, match="unknown backend 'sqlite'"):
        open_backend("sqlite")
