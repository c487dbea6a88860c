"""The backend's aggregations (`capacities_by_product`, `capacity_columns`, `capacity_sums`,
`producers_outside`) on every backend, on
a hand-built dataset whose answers are known by construction: the server answers each with one
Cypher query (graph/cypher.py), memory walks its graph; both must give the same records."""
from __future__ import annotations

from dataclasses import fields

import pytest

from chaingraph.graph.model import Capacity, CapacitySums, sum_rows
from datasets import MANY_PRODUCERS, ROW_FIELDS, build

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


# For `capacity_sums`: a product whose rows mix every kind. Lines (header = 1): 2-4 plain rows of
# `bar` in 万吨 and 吨 (summed in one base unit), 5 a `bar` row without a figure; 6-7 `rod`: a plain
# row beside a ranged one (nothing summed: both listed); 8-9 `wire`: amounts that are not whole
# tonnes (0.00001 万吨 = 0.1 t), summed in file order; 10 `coil` in another base unit (pieces).
SUMS = dict(
    products=["bar", "rod", "wire", "coil"],
    capacities=[
        ("a", "bar", 100, "万吨", "operating"),
        ("b", "bar", 2.5, "万吨", "operating"),
        ("c", "bar", 7, "吨", "building"),
        ("d", "bar", None, None, "operating"),
        ("a", "rod", 3, "万吨", "operating"),
        ("b", "rod", 4, "万吨", "building", None, {"capacity_min": 3, "capacity_max": 5}),
        ("a", "wire", 0.00001, "万吨", "operating"),
        ("b", "wire", 0.00002, "万吨", "operating"),
        ("c", "coil", 12, "万片", "planned"),
    ],
)


@pytest.mark.parametrize("summed_from", [20_000, 1], ids=["rows", "supply nodes"])
def test_capacity_sums(backend_name, tmp_path, monkeypatch, summed_from):
    """Per product: plain rows summed by base unit (exactly the file-order sum, even of amounts
    that are not whole numbers), the other rows listed; ranges beside plain rows: all listed. On
    a server, from the rows or from the Supply nodes a load writes for a region with many rows."""
    from chaingraph.graph import server
    monkeypatch.setattr(server, "SUMMED_FROM", summed_from)
    with build(tmp_path / "d", backend_name, **SUMS) as g:
        if backend_name != "memory":
            assert g._summed == ({"home"} if summed_from == 1 else set())
        sums = g.capacity_sums("home")
        assert list(sums) == ["bar", "rod", "wire", "coil"]
        bar = sums["bar"]
        assert (bar.rows, bar.stated, lines(bar.others)) == (4, {"t": (3, 1025007.0)}, [5])
        assert bar.units == {("t", "万吨"), ("t", "吨"), (None, None)}
        rod = sums["rod"]
        assert (rod.rows, rod.stated, lines(rod.others)) == (2, {}, [6, 7])
        wire = sums["wire"]
        assert wire.stated == {"t": (2, 0.1 + 0.2)} and wire.others == ()  # 0.30000000000000004, as added in order
        assert sums["coil"].stated == {"piece": (1, 120000.0)}
        assert g.capacity_sums("home", ["building"]) == {
            "bar": sum_rows(g.capacities_by_product("home", ["building"])["bar"]),
            "rod": sum_rows(g.capacities_by_product("home", ["building"])["rod"])}
        assert g.capacity_sums("home", []) == {}
        unlisted = g.capacity_sums("home", listed=False)  # rows without a figure beside a sum: counted only
        assert list(unlisted) == list(sums) and unlisted["bar"] == CapacitySums(4, bar.stated, (), bar.units)
        assert all(unlisted[p] == sums[p] for p in ("rod", "wire", "coil"))
        for statuses in (None, ["operating"], ["operating", "building"]):
            assert g.capacity_sums("home", statuses) == {
                p: sum_rows(rows) for p, rows in g.capacities_by_product("home", statuses).items()}


def test_capacity_columns(g):
    """The fields asked for of each product's rows, as columns, in file order (a server sends
    only those fields)."""
    assert g.capacity_columns("far") == {"ore": {"firm": ["f_far"], "capacity_base": [500_000.0]},
                                         "metal": {"firm": ["f_far", "f_home"], "capacity_base": [200_000.0, 300_000.0]},
                                         "part": {"firm": ["f_far2", None], "capacity_base": [None, 30_000.0]}}
    assert g.capacity_columns("home", ["building"], ("line", "status")) == {"metal": {"line": [9], "status": ["building"]}}
    every = tuple(f.name for f in fields(Capacity))
    for region in ("home", "home_d", "far"):
        for statuses in (None, ["operating"], ["operating", "building"]):
            assert g.capacity_columns(region, statuses, every) == {
                p: {f: [getattr(r, f) for r in rows] for f in every}
                for p, rows in g.capacities_by_product(region, statuses).items()}
    assert g.capacity_columns("far", products=["part"]) == {"part": {"firm": ["f_far2", None],
                                                                     "capacity_base": [None, 30_000.0]}}


def test_capacity_columns_asked_again_come_without_a_query(backend_name, tmp_path):
    """A server keeps the columns it sent last for a region: some of them asked again (bottlenecks
    after its balance) come as copies, without a query; another field asked for is fetched."""
    with build(tmp_path / "d", backend_name, **DATA) as g:
        every = g.capacity_columns("far", None, ("firm", "capacity_base", "status"))
        sent = []
        if backend_name != "memory":
            run = g.run
            g.run = lambda query, **params: sent.append(query) or run(query, **params)
        again = g.capacity_columns("far", None, ("capacity_base", "firm"))
        assert again == {p: {"capacity_base": c["capacity_base"], "firm": c["firm"]} for p, c in every.items()}
        if backend_name != "memory":  # (memory hands out read-only columns of its store)
            again["metal"]["firm"].append("changed")  # a copy: what is kept does not change
        assert g.capacity_columns("far", None, ("firm",))["metal"] == {"firm": ["f_far", "f_home"]}
        assert sent == []
        assert g.capacity_columns("far", None, ("line",)) == {"ore": {"line": [3]}, "metal": {"line": [5, 6]},
                                                              "part": {"line": [7, 8]}}
        assert len(sent) == (0 if backend_name == "memory" else 1)


@pytest.mark.parametrize("at_once", [8, 1], ids=["one statement", "a region a statement"])
def test_largest_columns_picks_the_largest_rows_of_a_product(g, monkeypatch, at_once):
    """A product with more rows than asked for gives its largest (unstated last), largest first, and
    its count; one with no more gives every row in file order (a server picks them in Cypher, a
    few regions at a time: `home` and its district also one region a statement, merged)."""
    from chaingraph.graph import server
    monkeypatch.setattr(server, "PICKED_AT_ONCE", at_once)
    assert g.largest_columns("far", ("line", "firm"), 1) == {
        "ore": ({"line": [3], "firm": ["f_far"]}, 1),
        "metal": ({"line": [6], "firm": ["f_home"]}, 2),  # 30万吨 before 20万吨
        "part": ({"line": [8], "firm": [None]}, 2)}  # 3万吨 before the row with no capacity stated
    assert g.largest_columns("far", ("line",), 2) == {"ore": ({"line": [3]}, 1), "metal": ({"line": [5, 6]}, 2),
                                                       "part": ({"line": [7, 8]}, 2)}
    every = tuple(f.name for f in fields(Capacity))
    for region in ("home", "home_d", "far"):
        for most in (1, 2, 3):
            found = g.largest_columns(region, every, most)
            assert list(found) == list(g.capacity_columns(region))  # products in the order of their first row
            for p, rows in g.capacities_by_product(region).items():
                picked = sorted(rows, key=lambda r: (r.capacity_base is None, -(r.capacity_base or 0), r.line))
                picked = rows if len(rows) <= most else picked[:most]
                assert found[p] == ({f: [getattr(r, f) for r in picked] for f in every}, len(rows))
    assert g.largest_columns("home", ("line",), 1, products=["metal"]) == {"metal": ({"line": [4]}, 2)}


def test_columns_of_every_status_serve_some_statuses_without_a_query(backend_name, tmp_path):
    """Once a region's columns of every status were asked for with `status` and `line` (the step
    tables), the columns of any statuses are the same as without, in the same product order,
    and a server sends no query for them."""
    with build(tmp_path / "d", backend_name, **DATA) as g:
        asked = [(region, statuses, fields) for region in ("home", "far", "home_d")
                 for statuses in (None, ["operating"], ["building", "operating"], ["planned"], ["building"])
                 for fields in (("firm", "capacity_base"), ("capacity", "unit", "status"))]
        before = [list(g.capacity_columns(*a).items()) for a in asked]
        g.__dict__.pop("_asked", None)  # a server forgets what it sent: the columns of every status serve each
        for region in ("home", "far", "home_d"):
            g.capacity_columns(region, None, ("firm", "capacity_base", "capacity", "unit", "status", "line"))
        sent = []
        if backend_name != "memory":
            run = g.run
            g.run = lambda query, **params: sent.append(query) or run(query, **params)
        assert [list(g.capacity_columns(*a).items()) for a in asked] == before
        assert sent == []


def test_columns_of_some_statuses_keep_the_order_of_their_first_rows():
    """Cut from the columns of every status, products come in the order of their first row of the
    statuses asked for (as the server sends them), not of their first row of any status."""
    from chaingraph.graph.server import _of_statuses
    every = {"a": {"line": [2, 9], "status": ["planned", "operating"], "firm": ["x", "y"]},
             "b": {"line": [5], "status": ["operating"], "firm": ["z"]},
             "c": {"line": [7], "status": ["planned"], "firm": ["w"]}}
    assert list(_of_statuses(every, ["operating"], ("firm",)).items()) == [("b", {"firm": ["z"]}),
                                                                          ("a", {"firm": ["y"]})]


# For `capacity_tallies`: `bar` has plain rows in 万吨 and 吨 (one base unit), two rows without a
# figure, a tie between its two largest (lines 2 and 6) and rows in the district `home_d`; `rod` a
# range beside a plain row; `wire` amounts that are not whole tonnes; `coil` another base unit;
# `mix` two base units; `gap` no figure at all. Lines (header = 1) in the comments.
TALLY = dict(
    products=["bar", "rod", "wire", "coil", "mix", "gap"],
    regions=[("home_d", "district", "home")],
    capacities=[
        ("a", "bar", 100, "万吨", "operating"),  # 2
        ("b", "bar", 2.5, "万吨", "operating", "home_d"),  # 3
        ("c", "bar", 7, "吨", "building"),  # 4
        ("d", "bar", None, None, "operating"),  # 5
        ("e", "bar", 100, "万吨", "building", "home_d"),  # 6
        ("f", "bar", 50, "万吨", "planned"),  # 7: not operating or building
        (None, "bar", None, None, "building"),  # 8
        ("a", "rod", 3, "万吨", "operating"),  # 9
        ("b", "rod", 4, "万吨", "building", None, {"capacity_min": 3, "capacity_max": 5}),  # 10
        ("a", "wire", 0.00001, "万吨", "operating"),  # 11
        ("b", "wire", 0.00002, "万吨", "operating"),  # 12
        ("c", "wire", 0.00004, "万吨", "building"),  # 13
        ("c", "coil", 12, "万片", "operating"),  # 14
        ("a", "mix", 1, "万吨", "operating"),  # 15
        ("b", "mix", 2, "万片", "operating"),  # 16
        ("d", "gap", None, None, "operating"),  # 17
    ],
)


@pytest.mark.parametrize("at_once", [8, 1], ids=["regions at once", "a region a statement"])
@pytest.mark.parametrize("summed_from", [20_000, 1, 5], ids=["rows", "supply nodes", "city summed, district not"])
def test_capacity_tallies(backend_name, tmp_path, monkeypatch, summed_from, at_once):
    """Per product, where no row has a range and the stated rows share a base unit: their sum in
    file order, the `most` largest rows (ties in file order; every stated row in file order when
    there are no more), the others' count and sum, and the first rows without a figure; else every
    row. The same as adding up the rows (`Backend.capacity_tallies`) on every backend, for a city
    with a district, from the rows or from a server's Supply nodes (of the city, or of the city and
    the district), the rows picked for all regions in one statement or a region at a time."""
    from chaingraph.graph import server
    from chaingraph.graph.backend import Backend, RowsTally
    from chaingraph.graph.model import SUPPLYING
    monkeypatch.setattr(server, "SUMMED_FROM", summed_from)
    monkeypatch.setattr(server, "PICKED_AT_ONCE", at_once)
    with build(tmp_path / "d", backend_name, **TALLY) as g:
        found = g.capacity_tallies("home", SUPPLYING, ("line", "firm", "capacity_base"), 2)
        assert list(found) == ["bar", "rod", "wire", "coil", "mix", "gap"]
        assert found["bar"] == RowsTally(6, {"line": [2, 6, 5, 8], "firm": ["a", "e", "d", None],
                                             "capacity_base": [1e6, 1e6, None, None]},
                                         True, "t", 4, 2025007.0, 2, (2, 25007.0), 2)
        assert found["rod"] == RowsTally(2, {"line": [9, 10], "firm": ["a", "b"], "capacity_base": [30000.0, 40000.0]})
        assert found["wire"].summed and found["wire"].total == 0.1 + 0.2 + 0.4  # as added in file order
        assert (found["coil"].summed, found["coil"].base_unit) == (True, "piece")
        assert not found["mix"].summed and found["mix"].columns["line"] == [15, 16]
        assert found["gap"] == RowsTally(1, {"line": [17], "firm": ["d"], "capacity_base": [None]}, True, opens=1)
        assert g.capacity_tallies("home", SUPPLYING, ("line",), 10)["bar"] == RowsTally(
            6, {"line": [2, 3, 4, 6, 5, 8]}, True, "t", 4, 2025007.0, 4, None, 2)
        assert g.capacity_tallies("home_d", None, ("line",), 1)["bar"] == RowsTally(
            2, {"line": [6]}, True, "t", 2, 1025000.0, 1, (1, 25000.0), 0)
        every = tuple(f.name for f in fields(Capacity))
        for region in ("home", "home_d"):
            for statuses in (None, SUPPLYING, ["planned"]):
                for most in (1, 2, 3, 10, 20):
                    assert g.capacity_tallies(region, statuses, ROW_FIELDS, most) == Backend.capacity_tallies(
                        g, region, statuses, ROW_FIELDS, most)  # (a server: from the nodes where it has them)
                    tallies = g.capacity_tallies(region, statuses, every, most)
                    assert tallies == Backend.capacity_tallies(g, region, statuses, every, most)
                    assert list(tallies) == list(g.capacity_columns(region, statuses))
                    assert g.capacity_tallies(region, statuses, every, most, products=["gap", "bar", "none"]) == {
                        p: tallies[p] for p in tallies if p in ("bar", "gap")}


@pytest.mark.parametrize("summed_from", [20_000, 1, 5], ids=["rows", "nodes", "city summed, district not"])
def test_firm_tallies(backend_name, tmp_path, monkeypatch, summed_from):
    """Per product: its rows by firm, the firms of the largest amounts named first (ties by id; every
    firm by id when there are no more), rows without a firm or an amount counted, and each firm's
    amount where every row has both; the same as from the rows (`Backend.firm_tallies`), for a city
    with a district, from the rows or from a server's FirmTally nodes (of the district alone: the
    city's rows are not those of the city's nodes)."""
    from chaingraph.graph import server
    from chaingraph.graph.backend import Backend, FirmTally
    from chaingraph.graph.model import SUPPLYING
    monkeypatch.setattr(server, "SUMMED_FROM", summed_from)
    with build(tmp_path / "d", backend_name, **TALLY) as g:
        found = g.firm_tallies("home", SUPPLYING, 2)
        assert list(found) == ["bar", "rod", "wire", "coil", "mix", "gap"]
        # bar: a and e hold 100万吨 each (a before e by id), b 2.5万吨, c 7 t, d nothing stated
        assert found["bar"] == FirmTally(6, 5, ("a", "e"), 1, 2, None)
        assert g.firm_tallies("home", SUPPLYING, 10)["bar"] == FirmTally(6, 5, ("a", "b", "c", "d", "e"), 1, 2)
        assert found["mix"] == FirmTally(2, 2, ("a", "b"), held={"a": 10000.0, "b": 20000.0})
        assert found["gap"] == FirmTally(1, 1, ("d",), 0, 1)
        assert g.firm_tallies("home", ["operating"], 1)["wire"] == FirmTally(
            2, 2, ("b",), held={"a": 0.1, "b": 0.2})
        for region in ("home", "home_d"):
            for statuses in (None, SUPPLYING, ["planned"]):
                for most in (1, 2, 3, 10):
                    tallies = g.firm_tallies(region, statuses, most)
                    assert tallies == Backend.firm_tallies(g, region, statuses, most)
                    assert list(tallies) == list(g.capacity_columns(region, statuses))
                    assert g.firm_tallies(region, statuses, most, products=["gap", "bar"]) == {
                        p: tallies[p] for p in tallies if p in ("bar", "gap")}


# the fields a Supply node knows besides those `balance` asks for (datasets.ROW_FIELDS)
_KNOWN = (*ROW_FIELDS, "line", "region", "product")


def _sent(g, backend_name):
    """The statements a server backend runs from now on (a list that stays empty in memory)."""
    sent = []
    if backend_name != "memory":
        run = g.run
        g.run = lambda query, **params: sent.append(query) or run(query, **params)
    return sent


@pytest.mark.parametrize("summed_from", [20_000, 1], ids=["rows", "nodes"])
def test_tallies_of_a_large_city_from_its_nodes(backend_name, tmp_path, monkeypatch, summed_from):
    """`capacity_tallies` and `firm_tallies` of a city whose rows a server summed (Supply and
    FirmTally nodes) are those of its rows: the largest rows merged from each status's and unit's
    node (ties by line), the first rows without a figure, the firms named first (ties by id) and
    each firm's amount; and on a server they come from the nodes: no row of the city is read."""
    from chaingraph.graph import cypher, server
    from chaingraph.graph.backend import Backend, FirmTally
    from chaingraph.graph.model import SUPPLYING
    monkeypatch.setattr(server, "SUMMED_FROM", summed_from)
    with build(tmp_path / "d", backend_name, **MANY_PRODUCERS) as g:
        nodes = backend_name != "memory" and summed_from == 1
        sent = _sent(g, backend_name)
        firms = g.firm_tallies("home", SUPPLYING, 10)
        tallies = g.capacity_tallies("home", SUPPLYING, ROW_FIELDS, 10)
        if nodes:  # read from the nodes: no statement reads the city's MAKES rows but those of `slab` (a range)
            # (the capacity tallies of the FirmTally nodes' statuses and `most`: from their `rows`)
            assert cypher.FIRM_TALLIES in sent and cypher.ROWS_TALLIES in sent and cypher.SUPPLY_TALLIES not in sent
            assert [query for query in sent if "MAKES" in query] == [cypher.CAPACITIES_OF_PRODUCTS]
        assert list(firms) == list(tallies) == ["steel", "ore", "slab", "gap"]
        # steel: s00 holds 50+5万吨, then s01/s02 40, s03-s05 30, then s06-s10 and s12 tied at 20
        assert firms["steel"] == FirmTally(17, 15, ("s00", "s01", "s02", "s03", "s04", "s05", "s06", "s07",
                                                    "s08", "s09"), 1, 2)
        assert firms["ore"].held == {f"o{k:02}": 10000.0 * (10 + k % 3) for k in range(12)}
        steel = tallies["steel"]
        assert (steel.rows, steel.stated, steel.named, steel.opens, steel.total) == (17, 15, 10, 2, 3_850_000.0)
        assert steel.rest == (5, 750_000.0)  # 20 (lines 11, 12 and 15: tied with line 10), 10 and 5万吨
        assert steel.columns["firm"] == ["s00", "s01", "s02", "s03", "s04", "s05", None, "s06", "s07", "s08",
                                         "s13", "s14"]
        assert steel.columns["unit"][-2:] == [None, None] and steel.columns["capacity"][:4] == [50, 40, 40, 30]
        assert not tallies["slab"].summed and tallies["gap"].opens == 12 and len(tallies["gap"].columns["firm"]) == 10
        for statuses in (None, SUPPLYING, ["operating"], ["building"], ["planned"]):
            for most in (1, 2, 3, 10, 11, 12):
                assert g.firm_tallies("home", statuses, most) == Backend.firm_tallies(g, "home", statuses, most)
                for asked in (ROW_FIELDS, _KNOWN, ("line",), ("source", "line")):
                    assert g.capacity_tallies("home", statuses, asked, most) == Backend.capacity_tallies(
                        g, "home", statuses, asked, most), (statuses, most, asked)
            assert g.firm_tallies("home", statuses, 10, products=["gap", "steel"]) == {
                p: t for p, t in g.firm_tallies("home", statuses, 10).items() if p in ("steel", "gap")}
