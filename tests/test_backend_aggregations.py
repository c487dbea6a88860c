"""The backend's aggregations (`capacities_by_product`, `producers_outside`) on every backend, on
a hand-built dataset whose answers are known by construction: the server answers each with one
Cypher query (graph/cypher.py), memory walks its graph; both must give the same records."""
from __future__ import annotations

import pytest

from datasets import build

# home (city) has a district `home_d`; `far` is elsewhere. capacities.csv lines (header = line 1):
#   2 f_home ore  operating (home)       6 f_home metal operating, row in far
#   3 f_far  ore  operating (far)        7 f_far2 part  planned, capacity unstated (far)
#   4 (unnamed home producers) metal     8 (unnamed far producers) part building
#   5 f_far  metal planned (far)         9 f_dist metal building (home_d)
DATA = dict(
    products=["ore", "metal", "part"],
    regions=[("home_d", "district", "home"), ("far", "city", "")],
    firms=[("f_home", "home"), ("f_dist", "home_d"), ("f_far", "far"), ("f_far2", "far")],
    capacities=[
        ("f_home", "ore", 100, "万吨", "operating"),
        ("f_far", "ore", 50, "万吨", "operating"),
        (None, "metal", 10, "万吨", "operating"),
        ("f_far", "metal", 20, "万吨", "planned"),
        ("f_home", "metal", 30, "万吨", "operating", "far"),
        ("f_far2", "part", None, None, "planned"),
        (None, "part", 3, "万吨", "building", "far"),
        ("f_dist", "metal", 5, "万吨", "building"),
    ],
)


@pytest.fixture
def g(backend_name, tmp_path):
    with build(tmp_path / "d", backend_name, **DATA) as graph:
        yield graph


def lines(rows):
    return [r.line for r in rows]


def test_capacities_by_product_groups_the_local_rows(g):
    home = g.capacities_by_product("home")
    assert {p: lines(rows) for p, rows in home.items()} == {"ore": [2], "metal": [4, 9]}
    assert list(home) == ["ore", "metal"]  # products in the order of their first row
    assert home["metal"][1] == g.capacities(firm="f_dist")[0]  # the same records as the listing
    far = g.capacities_by_product("far")
    assert [(p, lines(rows)) for p, rows in far.items()] == [("ore", [3]), ("metal", [5, 6]), ("part", [7, 8])]
    assert {p: lines(rows) for p, rows in g.capacities_by_product("home_d").items()} == {"metal": [9]}


def test_capacities_by_product_by_status(g):
    assert {p: lines(rows) for p, rows in g.capacities_by_product("home", ("operating",)).items()} == {
        "ore": [2], "metal": [4]}
    assert {p: lines(rows) for p, rows in g.capacities_by_product("far", ["operating", "building"]).items()} == {
        "ore": [3], "metal": [6], "part": [8]}
    assert g.capacities_by_product("home", []) == {}


def test_capacities_by_product_of_some_products(g):
    """Only the rows of the products asked for (a server starts from them), in the same order."""
    assert {p: lines(rows) for p, rows in g.capacities_by_product("far", products=["part", "metal"]).items()} == {
        "metal": [5, 6], "part": [7, 8]}
    assert list(g.capacities_by_product("far", products=["part", "metal"])) == ["metal", "part"]
    assert {p: lines(rows) for p, rows in g.capacities_by_product("home", ["building"], products=["metal"]).items()} == {
        "metal": [9]}
    assert g.capacities_by_product("home", products=[]) == {} == g.capacities_by_product("home", products=["part"])
    for region in ("home", "home_d", "far"):
        every = g.capacities_by_product(region)
        assert g.capacities_by_product(region, products=["ore", "metal", "part"]) == every


def test_capacities_by_product_is_the_listing_grouped(g):
    for region in ("home", "home_d", "far"):
        grouped = {}
        for row in g.capacities(region=region):
            grouped.setdefault(row.product, []).append(row)
        assert g.capacities_by_product(region) == grouped


def test_producers_outside(g):
    # named firms only (not the unnamed rows 4 and 8); the row's region counts (line 6: a home firm's
    # plant in far is outside home); the district is inside home
    assert lines(g.producers_outside("home")) == [3, 5, 6, 7]
    assert lines(g.producers_outside("home", products=["metal"])) == [5, 6]
    assert lines(g.producers_outside("home", products=["part", "ore"])) == [3, 7]
    assert lines(g.producers_outside("home", firms=["f_far"])) == [3, 5]
    assert lines(g.producers_outside("home", products={"metal", "ore"}, firms={"f_home"})) == [6]
    assert lines(g.producers_outside("home_d")) == [2, 3, 5, 6, 7]
    assert lines(g.producers_outside("far")) == [2, 9]
    assert g.producers_outside("home", products=[]) == [] and g.producers_outside("home", firms=[]) == []
    assert g.producers_outside("home", products=["nothing"]) == []
    assert g.producers_outside("home", products=["ore"]) == [c for c in g.capacities(product="ore")
                                                           if c.region == "far"]
