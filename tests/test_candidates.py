"""candidates on a hand-built dataset: the score's parts, worked out by hand."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.queries import candidates

from datasets import open_dataset, write_dataset

# The home city makes ore and part; metal (ore -> metal -> part) is the gap. Three firms elsewhere
# make metal: big (same province, operating, 100万 t), small (far away, building, 25万 t, also
# makes alloy which the region lacks), vague (far away, no capacity stated).
DATA = dict(
    products=["ore", "coal", "metal", "part", "alloy"],
    chains=[("c", "ore > metal > part")],
    regions=[("prov", "province", ""), ("far", "province", ""), ("near", "city", "prov")],
    firms=[("big", "near"), ("small", "far"), ("vague", "far")],
    capacities=[
        ("mine", "ore", 10, "万吨", "operating"),
        ("works", "part", 5, "万吨", "operating"),
        ("big", "metal", 100, "万吨", "operating"),
        ("small", "metal", 25, "万吨", "building"),
        ("small", "alloy", 1, "万吨", "operating"),
        ("vague", "metal", None, None, "operating"),
    ],
    links=[("FEEDS", "ore", "metal", 2, "t/t"), ("FEEDS", "coal", "metal", None, None),
           ("FEEDS", "metal", "part", 1, "t/t")],
)


def home_in_province(folder):
    """The home city sits in province `prov` (write_dataset makes it parentless)."""
    path = folder / "regions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("home,本市,,city,,yes", "home,本市,,city,prov,yes"),
                    encoding="utf-8")


@pytest.fixture
def graph(backend_name, tmp_path):
    folder = write_dataset(tmp_path / "d", **DATA)
    home_in_province(folder)
    return open_dataset(backend_name, folder)


def test_score_parts_by_hand(graph):
    rows = candidates(graph, "metal")
    assert [(r["rank"], r["firm"]) for r in rows] == [(1, "big"), (2, "small"), (3, "vague")]
    # inputs: 1 of 2 made locally (ore, not coal) -> 3 x 1/2 = 1.5; users: part -> 2 x 1/3
    common = 1.5 + 2 / 3
    big, small, vague = rows
    assert big["score"] == pytest.approx(round(common + 2 * 1 + 1 + 1, 2))      # capacity 100/100, operating, nearby
    assert small["score"] == pytest.approx(round(common + 2 * 0.25 + 1, 2))    # capacity 25/100, also makes alloy
    assert vague["score"] == pytest.approx(round(common + 1, 2))               # operating only
    assert big["reasons"] == [
        "the region already makes 1 of its 2 inputs: ore",
        "local users of its output: part",
        "capacity 1 Mt",
        "its plant operates",
        "in the same province (prov)",
    ]
    assert small["reasons"][-1] == "also makes alloy, which the region lacks"
    assert big["capacity"] == "1 Mt" and vague["capacity"] == ""


def test_all_gaps_covers_each_gap_product(graph):
    rows = candidates(graph, all_gaps=True)
    assert {r["product"] for r in rows} == {"metal"}  # the only gap of chain c


def test_local_firms_are_never_candidates(graph):
    assert candidates(graph, "ore") == []


def test_cli_formats_and_usage(tmp_path):
    folder = write_dataset(tmp_path / "d", **DATA)
    run = lambda *a: CliRunner().invoke(cli, ["--data", str(folder), "candidates", *a])
    rows = json.loads(run("metal", "--format", "json").stdout)
    assert [r["firm"] for r in rows][0] in {"big", "small"}
    assert len(list(csv.DictReader(io.StringIO(run("metal", "--format", "csv").stdout)))) == 3
    assert "big" in run("metal").stdout
    result = run()
    assert result.exit_code == 2 and "give a PRODUCT or --all-gaps" in result.stderr


# Routes, years and countries: the home city (in province prov of country cn) makes ore and part.
# Four plants make metal: fit (ore route, 2009), other (gas route, 2015), unstated (no route,
# 2010) far away in cn, and overseas (ore route, 2005, twice their size) in country xland.
ROUTES = dict(
    products=["ore", "gas", "metal", "part"],
    chains=[("c", "ore > metal > part")],
    regions=[("cn", "country", ""), ("xland", "country", ""), ("prov", "province", "cn"),
             ("far", "province", "cn"), ("near", "city", "prov")],
    capacities=[("mine", "ore", 10, "万吨", "operating"), ("works", "part", 5, "万吨", "operating")],
    links=[("FEEDS", "ore", "metal", 2, "t/t"), ("FEEDS", "metal", "part", 1, "t/t")],
    directory=[
        {"firm": "fit", "product": "metal", "region": "far", "province": "far", "country": "cn",
         "route": "ore smelting", "feed": "ore", "capacity": 10, "unit": "万吨", "year": 2009},
        {"firm": "other", "product": "metal", "region": "far", "province": "far", "country": "cn",
         "route": "gas reduction", "feed": "gas", "capacity": 10, "unit": "万吨", "year": 2015},
        {"firm": "unstated", "product": "metal", "region": "far", "province": "far", "country": "cn",
         "capacity": 10, "unit": "万吨", "year": 2010, "source_kind": "annual_report"},
        {"firm": "overseas", "product": "metal", "region": "xland", "country": "xland",
         "route": "ore smelting", "feed": "ore", "capacity": 20, "unit": "万吨", "year": 2005},
    ],
)


@pytest.fixture
def routes(backend_name, tmp_path):
    folder = write_dataset(tmp_path / "d", **ROUTES)
    home_in_province(folder)
    return open_dataset(backend_name, folder)


def test_route_decides_the_input_points_and_abroad_ranks_last(routes):
    rows = {r["firm"]: r for r in candidates(routes, "metal")}
    assert [r["firm"] for r in candidates(routes, "metal")] == ["fit", "other", "unstated", "overseas"]
    users, capacity, operating = 2 / 3, 2 * 10 / 20, 1
    assert rows["fit"]["score"] == pytest.approx(round(3 + users + capacity + operating, 2))
    assert rows["other"]["score"] == pytest.approx(round(users + capacity + operating, 2))
    assert rows["unstated"]["score"] == rows["other"]["score"]
    assert rows["overseas"]["score"] == pytest.approx(round(3 + users + 2 + operating, 2))  # best score, yet last
    assert rows["fit"]["reasons"][0] == "route ore smelting: the region already makes 1 of its 1 inputs: ore"
    assert rows["other"]["reasons"][0] == "route gas reduction: the region makes none of its inputs (gas)"
    assert rows["unstated"]["reasons"][0] == "route not stated (other producers name theirs): input fit not scored"
    assert [(r["year"], r["country"], r["abroad"], r["source_kind"]) for r in rows.values()] == [
        (2009, "cn", False, "trade_press"), (2015, "cn", False, "trade_press"),
        (2010, "cn", False, "annual_report"), (2005, "xland", True, "trade_press")]


def test_as_of_keeps_the_figures_that_held_by_then(routes):
    rows = candidates(routes, "metal", as_of=2010)
    assert [(r["rank"], r["firm"], r["year"]) for r in rows] == [(1, "fit", 2009), (2, "unstated", 2010),
                                                                 (3, "overseas", 2005)]
    assert candidates(routes, "metal", as_of=2004) == []


def test_abroad_lists_the_plants_abroad(routes):
    assert [(r["rank"], r["firm"]) for r in candidates(routes, "metal", abroad=True)] == [(1, "overseas")]
    assert candidates(routes, "metal", abroad=True, as_of=2004) == []


def test_cli_as_of_and_abroad(tmp_path):
    folder = write_dataset(tmp_path / "d", **ROUTES)
    home_in_province(folder)
    run = lambda *a: CliRunner().invoke(cli, ["--data", str(folder), "candidates", "metal", "--format", "json", *a])
    assert [r["firm"] for r in json.loads(run("--as-of", "2009").stdout)] == ["fit", "overseas"]
    assert [r["firm"] for r in json.loads(run("--abroad").stdout)] == ["overseas"]
    result = run("--as-of", "soon")
    assert result.exit_code == 2 and "'soon' is not a valid integer" in result.stderr


@pytest.mark.parametrize("lang, shown", [("en", ["1.4 Mt", "1.2 Mt", "0.5 Mt"]), ("zh", ["140 万吨", "120 万吨", "50 万吨"])])
def test_one_unit_per_capacity_column(lang, shown):
    from chaingraph.graph import open_backend
    from chaingraph.i18n import language
    with language(lang):
        rows = candidates(open_backend(), "醋酸")
    capacities = [r["capacity"] for r in rows if r["capacity"]]
    assert capacities[:3] == shown and len({c.split(" ", 1)[1] for c in capacities}) == 1
