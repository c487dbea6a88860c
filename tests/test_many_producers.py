"""A product with more local producers than a row names one by one (`queries._common.LISTED`).

`balance` adds up every row (the total is the one of adding them one after the other, in file
order, as with a few rows), names the `LISTED` largest and sums the rest in one item; the rows
with no capacity are named up to `LISTED`, the rest counted; a row lists at most `LISTED_TERMS`
open terms; `bottlenecks` names the `LISTED` largest firms. Built by hand so that every figure is
known, and run on every backend (the memory store reads the rows as columns, a server by its query).
"""
from __future__ import annotations

from functools import reduce
from operator import add

import pytest

from chaingraph.graph.backend import Backend
from chaingraph.graph.model import SUPPLYING
from chaingraph.i18n import language
from chaingraph.queries import balance, bottlenecks, extend
from chaingraph.queries._common import LISTED, LISTED_TERMS

from datasets import build, by_product

# 13 stated ore producers (capacities 1.1 … 13.1 万吨, written in a shuffled order), 12 with the
# capacity not stated, a metal maker whose 10 万吨 need 2 t of ore per t; two more users of ore
# (alloy, powder), each with 12 makers of no stated capacity
STATED = [(f"s{n:02d}", n + 0.1) for n in (5, 1, 13, 7, 2, 11, 3, 9, 12, 4, 8, 10, 6)]
UNSTATED = {p: [f"{p[0]}{n:02d}" for n in range(12)] for p in ("ore", "alloy", "powder")}
DATA = dict(
    products=["ore", "metal", "alloy", "powder"],
    chains=[("c", "ore > metal|alloy|powder")],
    capacities=[(firm, "ore", amount, "万吨", "operating") for firm, amount in STATED]
    + [(firm, p, None, None, "building") for p, firms in UNSTATED.items() for firm in firms]
    + [("smelter", "metal", 10, "万吨", "operating")],
    links=[("FEEDS", "ore", "metal", 2, "t/t"), ("FEEDS", "ore", "alloy", 1, "t/t"), ("FEEDS", "ore", "powder", 1, "t/t")],
)


@pytest.fixture
def g(backend_name, tmp_path):
    with build(tmp_path / "d", backend_name, **DATA) as graph:
        yield graph


def test_every_row_is_added_up_and_the_largest_are_named(g):
    assert LISTED == 10  # the figures below are written for it
    with language("en"):
        row = by_product(balance(g))["ore"]
    # the total: every stated row, in file order, one addition after another (in tonnes)
    total = reduce(add, [amount * 1e4 for _, amount in STATED], 0.0)
    assert row["supply_low"] == row["supply_value"] == total and row["supply_high"] is None
    largest = sorted(STATED, key=lambda fa: -fa[1])[:LISTED]
    assert row["coefficients"][:LISTED] == [f"{firm} {amount * 10:g} kt (operating)" for firm, amount in largest]
    assert row["coefficients"][LISTED] == "and 3 more capacity rows: 63 kt"  # 1.1 + 2.1 + 3.1 万吨
    assert row["coefficients"][LISTED + 1].startswith("for metal: metal 100 kt (capacity) × 2 t/t = 200 kt")
    # the unstated rows of each product: the first ten named, two counted; ore's row gathers those of
    # ore, alloy and powder (33 terms) and names the first 30
    own = {p: [f"{firm} ({p}): capacity not stated" for firm in firms[:LISTED]]
           + [f"{p}: 2 more capacity rows with no capacity stated"] for p, firms in UNSTATED.items()}
    terms = own["ore"] + own["alloy"] + own["powder"]
    assert LISTED_TERMS == 30 and len(terms) == 33
    assert row["open_terms"] == row["unknown"] == terms[:LISTED_TERMS] + ["and 3 more open terms"]
    assert row["verdict"] == "unknown" and row["supply"] == "≥ 923 kt" and row["requirement"] == "≥ 200 kt"


def test_extend_lists_the_same_open_terms(g):
    with language("en"):
        rows = {r["product"]: r for r in extend(g, basis="capacity")}
        assert rows["ore"]["open_terms"] == by_product(balance(g))["ore"]["open_terms"]


def test_bottlenecks_name_the_largest_firms(g):
    with language("en"):
        rows = by_product(bottlenecks(g, basis="capacity"))
    firms = [firm for firm, _ in sorted(STATED, key=lambda fa: -fa[1])[:LISTED]]
    assert rows["ore"]["firms"] == firms + ["and 15 more firms"]  # 25 firms: 13 stated, 12 not
    assert rows["ore"]["dependents"] == 3


def test_a_chinese_row_says_the_same(g):
    with language("zh"):
        row = by_product(balance(g))["ore"]
    assert row["coefficients"][LISTED] == "另有 3 条产能记录：合计 6.3 万吨"
    assert row["open_terms"][LISTED_TERMS] == "另有 3 项未计入项"


def test_capacity_columns_are_the_grouped_rows(g):
    fields = ("firm", "capacity", "capacity_min", "capacity_base", "unit", "status")
    for statuses in (None, SUPPLYING, ["building"]):
        grouped = g.capacities_by_product("home", statuses)
        columns = g.capacity_columns("home", statuses, fields)
        assert list(columns) == list(grouped)
        for product, rows in grouped.items():
            for f in fields:
                assert list(columns[product][f]) == [getattr(r, f) for r in rows]
                assert columns[product][f][0] == getattr(rows[0], f)  # a cell by its index
        assert columns == Backend.capacity_columns(g, "home", statuses, fields)
    assert g.capacity_columns("home", SUPPLYING, fields, products=["metal"]) == {
        "metal": {"firm": ["smelter"], "capacity": [10.0], "capacity_min": [None], "capacity_base": [1e5],
                  "unit": ["万吨"], "status": ["operating"]}}


def test_a_graph_draws_the_largest_rows_the_same_on_every_backend(g, backend_name, tmp_path):
    """A chain's graph draws a product's `viz.DRAWN` largest rows (a server picks them in Cypher
    from the region's rows when it draws for the brief):
    the 13 stated ore makers, largest first, then the first two of no stated capacity; the other 10
    are counted in the product's hover text. The same nodes and edges as the embedded store's."""
    from chaingraph.viz import DRAWN, graph_data
    assert DRAWN == 15
    data = graph_data(g, chain="c", firms=True)
    assert graph_data(g, chain="c", firms=True, analysis={}) == data  # as the brief draws (the region's rows)
    makers = [e["from"] for e in data["edges"] if e["kind"] == "MAKES" and e["to"] == "p:ore"]
    assert makers == [f"f:{firm}" for firm, _ in sorted(STATED, key=lambda s: -s[1])] + ["f:o00", "f:o01"]
    ore = next(n for n in data["nodes"] if n["id"] == "p:ore")
    assert "and 10 more capacity rows (not drawn)" in ore["title"]
    with build(tmp_path / "memory", "memory", **DATA) as memory:
        assert graph_data(memory, chain="c", firms=True) == data


def test_a_step_names_the_largest_rows_and_counts_the_others(g):
    """The brief's step tables (`chains` with `listed`): of a product with more rows, the `listed`
    largest (unstated last, in file order; picked by the backend, on a server in Cypher), then one
    line counting the others; `more` counts them. Without `listed` every row is named, as before."""
    from chaingraph.queries import chains
    with language("en"):
        every = chains(g)
        steps = chains(g, listed=5)
    ore, rest = steps[0], steps[1]
    largest = sorted(STATED, key=lambda s: -s[1])
    assert ore["firms"] == [f"{firm} {amount * 10:g} kt (operating)" for firm, amount in largest[:5]] + [
        "and 20 more capacity rows"]  # 8 stated, 12 with no capacity stated
    assert ore["more"] == 20 and "more" not in every[0] and len(every[0]["firms"]) == 25
    # a step of several products: each product's rows, the others of each counted after them
    expected = ["smelter metal 100 kt (operating)"]
    for p in ("alloy", "powder"):
        expected += [f"{firm} {p} (building)" for firm in UNSTATED[p][:5]] + [f"and 7 more capacity rows of {p}"]
    assert rest["firms"] == expected and rest["more"] == 14
    # the rest of a row as without `listed`, but for its capacity: not added up from rows not read
    assert ore["capacity"] is None and every[0]["capacity"] == "923 kt"
    assert {k: v for k, v in ore.items() if k not in ("firms", "more", "capacity")} == {
        k: v for k, v in every[0].items() if k not in ("firms", "capacity")}
    # as many rows as a graph draws: 13 stated, largest first, then the first two unstated
    with language("zh"):
        drawn = chains(g, listed=15)[0]
    assert drawn["firms"][13:] == ["o00 (在建)", "o01 (在建)", "另有 10 条产能记录"]


def test_rows_added_up_by_balance_name_the_largest_as_a_backend_does(backend_name, tmp_path):
    """A product whose rows a backend does not sum (a range among them: `RowsTally.summed` False)
    is added up by balance row by row (`_Balancer.tally`), and names the rows a backend would
    (`backend.pick`): the `LISTED` largest, ties in file order, the others in one sum."""
    amounts = [5, 1, 13, 7, 2, 11, 3, 9, 12, 4, 8, 10, 6, 9, 3]  # 万吨; ties: 9, 8 (with the range), 3
    rows = [(f"r{k:02}", "ore", amount, "万吨", "operating") for k, amount in enumerate(amounts)]
    rows.append(("range", "ore", 8, "万吨", "operating", None, {"capacity_min": 7, "capacity_max": 9}))
    data = dict(DATA, capacities=rows + [("smelter", "metal", 10, "万吨", "operating")])
    with build(tmp_path / "d", backend_name, **data) as graph, language("en"):
        row = by_product(balance(graph))["ore"]
    named = sorted([*((f"r{k:02}", a) for k, a in enumerate(amounts)), ("range", 8)], key=lambda fa: -fa[1])
    assert [c.split()[0] for c in row["coefficients"][:LISTED]] == [firm for firm, _ in named[:LISTED]]
    assert row["coefficients"][LISTED] == f"and 6 more capacity rows: {sum(a for _, a in named[LISTED:]) * 10:g} kt"
    every = [amount * 1e4 for amount in amounts]  # in tonnes, file order; the range's low and high last
    assert (row["supply_low"], row["supply_value"], row["supply_high"]) == tuple(
        reduce(add, every + [range_end * 1e4], 0.0) for range_end in (7, 8, 9))
