"""The planner queries gaps (补链), extend (延链) and whatif on hand-built datasets (tests/datasets.py).

Every dataset here is a few rows whose right answers follow from how they are built.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.errors import ChaingraphError, UnknownNameError
from chaingraph.graph import open_backend
from chaingraph.i18n import language
from chaingraph.queries import extend, gaps, whatif

from datasets import open_dataset, write_dataset

@pytest.fixture
def make(backend_name, tmp_path):
    """make(**tables) writes a dataset (datasets.write_dataset) and opens it on each backend;
    make(folder) opens a dataset already written."""
    opened = []

    def build(folder: Path | None = None, **tables):
        if tables:
            folder = write_dataset(folder or tmp_path / f"data{len(opened)}", **tables)
        opened.append(g := open_dataset(backend_name, folder))
        return g
    yield build
    for g in opened:
        g.close()


def _as_prose(folder: Path, *chain_ids: str) -> None:
    """Mark chains as prose families (written=no); write_dataset writes every chain as written."""
    path = folder / "chains.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["id"] in chain_ids:
            row["written"] = "no"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# -- gaps ----------------------------------------------------------------------------------------

GAPS = dict(
    products=["a", "b", "c", "d", "e", "g", "h", "i"],
    # file order on purpose unlike the ranking, so that the ranking is tested
    chains=[
        ("none", "h > i"),               # nothing present: absent (h missing, i planned)
        ("up", "g > c"),                 # g missing, c present after it: upstream
        ("short", "a > c > 尾=d"),        # the chain stops at c: d is a downstream gap
        ("plan", "a > e > c"),           # e only planned, between two present steps
        ("broken", "起=a > 中=b > 止=c"),  # b missing between a and c
        ("prose_broken", "a > b > c"),   # the same gap in a prose chain ranks after the written one
    ],
    capacities=[
        ("fa", "a", 10, "万吨", "operating"),
        ("fc", "c", None, None, "building"),
        ("fe", "e", 5, "万吨", "planned"),
        ("fe2", "e", None, None, "planned"),
        (None, "i", None, None, "planned"),  # the region's unnamed producers
    ],
)


@pytest.fixture
def gap_graph(make, tmp_path):
    folder = write_dataset(tmp_path / "gaps", **GAPS)
    _as_prose(folder, "prose_broken")
    return make(folder)


def _brief(rows):
    return [(r["rank"], r["chain"], r["order"], r["status"], r["kind"], r["before"], r["after"])
            for r in rows]


def test_gaps_ranking_kinds_and_neighbours(gap_graph):
    rows = gaps(gap_graph)
    assert _brief(rows) == [
        (1, "broken", 2, "missing", "broken", "起", "止"),
        (2, "prose_broken", 2, "missing", "broken", "a", "c"),  # prose after written
        (3, "plan", 2, "planned", "broken", "a", "c"),          # planned after missing
        (4, "short", 3, "missing", "downstream", "c", None),
        (5, "up", 1, "missing", "upstream", None, "c"),
        (6, "none", 1, "missing", "absent", None, None),
        (7, "none", 2, "planned", "absent", None, None),
    ]
    first = rows[0]
    assert (first["label"], first["products"], first["names"]) == ("中", ["b"], ["b"])
    assert first["written"] is True
    assert first["source"] == "chain broken"
    # English reasons name the products; the guideline's word for a step is Chinese
    assert first["reason"] == "missing middle link between a and c"
    with language("zh"):
        assert gaps(gap_graph)[0]["reason"] == "起与止之间缺少中间环节"
    assert rows[1]["written"] is False


def test_gaps_partial_steps_come_after_the_broken_links(make):
    g = make(products=["a", "b", "c", "d", "e"],
             chains=[("p", "a > 中=b|c|d > e"), ("broken", "a > e > b")],
             capacities=[("fa", "a", 1, "万吨", "operating"), ("fb", "b", 1, "万吨", "operating"),
                         ("fd", "d", 1, "万吨", "planned")])
    rows = gaps(g)
    assert [(r["chain"], r["kind"], r["products"], r["status"]) for r in rows] == [
        ("broken", "broken", ["e"], "missing"),
        ("p", "partial", ["c"], "missing"),   # step 中 is present through b, but c is missing
        ("p", "partial", ["d"], "planned"),   # and d only planned
        ("p", "downstream", ["e"], "missing"),
    ]
    assert rows[1]["reason"] == "step b/c/d is present through b, but c is missing"
    assert rows[2]["planned_by"] == ["fd"]


def test_gaps_reasons(gap_graph):
    assert [r["reason"] for r in gaps(gap_graph)[2:]] == [
        "middle link between a and c is only planned",
        "chain stops at c locally: d is missing",
        "nothing local supplies c: g is missing",
        "no step of the chain is made locally",
        "no step of the chain is made locally; i is only planned",
    ]


def test_gaps_planned_by(gap_graph):
    rows = {(r["chain"], r["order"]): r for r in gaps(gap_graph)}
    assert rows["plan", 2]["planned_by"] == ["fe", "fe2"]
    assert rows["none", 2]["planned_by"] == ["(unnamed, 本市)"]
    assert rows["broken", 2]["planned_by"] == []


def test_gaps_of_one_chain_by_any_name(gap_graph):
    assert _brief(gaps(gap_graph, chain="short")) == [(1, "short", 3, "missing", "downstream", "c", None)]
    assert gaps(gap_graph, chain="up")[0]["rank"] == 1
    with pytest.raises(UnknownNameError, match="unknown chain 'shrt'; closest: short"):
        gaps(gap_graph, chain="shrt")


def test_gaps_a_chain_without_gaps_gives_no_rows(make):
    g = make(products=["a", "b"], chains=[("ok", "a > b")],
             capacities=[("f", "a", 1, "t", "operating"), ("f", "b", 1, "t", "building")])
    assert gaps(g) == []


def test_gaps_by_product_counts_as_present_and_region_below_counts_as_local(make):
    g = make(products=["a", "slag", "brick", "x"], chains=[("c", "a > slag > x > brick")],
             regions=[("park", "park", "home")], firms=[("pf", "park")],
             capacities=[("pf", "a", 1, "t", "operating"), ("pf", "brick", 1, "t", "operating")],
             links=[("YIELDS", "a", "slag", None, None)])
    assert _brief(gaps(g)) == [(1, "c", 3, "missing", "broken", "slag", "brick")]
    assert _brief(gaps(g, region="park")) == _brief(gaps(g))


# -- extend --------------------------------------------------------------------------------------

EXTEND = dict(
    products=["ore", "metal", "part", "slag", "coal", "coke", "brick"],
    capacities=[
        ("m1", "ore", 100, "万吨", "operating"),
        ("m2", "ore", 50, "万吨", "building"),
        ("m3", "ore", 70, "万吨", "planned"),  # planned: not local output yet
        ("m4", "metal", 20, "万吨", "operating"),
        ("m5", "coal", None, None, "operating"),
        ("m6", "coke", 3, "万吨", "building"),
        ("m7", "brick", 1, "万块", "planned"),  # a user that is only planned is not a local user
    ],
    links=[
        ("FEEDS", "ore", "metal", 2, "t/t"),
        ("FEEDS", "metal", "part", None, None),   # part is missing: metal has a known use elsewhere
        ("YIELDS", "metal", "slag", 0.5, "t/t"),  # slag arises locally, nothing in the graph uses it
        ("FEEDS", "coal", "coke", None, None),    # coal has a local user: not listed
        ("FEEDS", "coke", "brick", None, None),   # brick is only planned: not a local user
    ],
    targets=[("ore_local", "ore", "local_use_share", 100, "%", "min")],
)


def test_extend_rows_and_ranking(make):
    rows = extend(make(**EXTEND), prices={})  # by volume: no prices (the shipped ones price coke)
    assert [(r["rank"], r["product"], r["group"]) for r in rows] == [
        (1, "ore", "outflow"),    # 150万 t made, metal's 20万 t take 40万 t: 110万 t leave the city
        (2, "metal", "outflow"),  # 20万 t, its known user part is not made locally
        (3, "coke", "outflow"),   # 3万 t; its known user brick is only planned
        (4, "coal", "outflow unknown"),  # capacity not stated
        (5, "slag", "final products: no local user in the graph"),  # nothing uses it: not a surplus
    ]


def test_extend_columns(make):
    rows = {r["product"]: r for r in extend(make(**EXTEND))}
    ore, metal, slag, coke = rows["ore"], rows["metal"], rows["slag"], rows["coke"]
    assert (ore["supply"], ore["local_use"], ore["outflow"]) == ("1.5 Mt", "400 kt", "1.1 Mt")
    assert (ore["low"], ore["high"], ore["unit"]) == (1_100_000, 1_100_000, "t")
    assert (ore["local_users"], ore["downstream"]) == (["metal"], [])
    assert ore["policy"] == "ore_local: test"
    assert ore["reason"] == "1.1 Mt a year leaves the city after local use by metal; policy wants it used in the city"
    assert (metal["local_users"], metal["downstream"], metal["policy"]) == ([], ["part (missing)"], None)
    assert metal["reason"] == "200 kt a year leaves the city; it could feed part, not made locally"
    assert coke["downstream"] == ["brick (planned)"]
    assert (slag["supply"], slag["local_users"], slag["downstream"]) == ("100 kt", [], [])
    assert slag["reason"] == ("a final by-product: nothing in the graph uses it, so it leaves the city as made "
                              "(100 kt)")
    assert rows["coal"]["outflow"] == "not known (supply not stated)"
    assert "part" not in rows and "brick" not in rows


def test_extend_leaves_out_what_the_city_uses_up(make):
    g = make(products=["ore", "metal"], capacities=[("m", "ore", 10, "万吨", "operating"),
                                                     ("s", "metal", 10, "万吨", "operating")],
             links=[("FEEDS", "ore", "metal", 1.5, "t/t")])  # metal takes 15万 t of 10万 t of ore
    assert [r["product"] for r in extend(g)] == ["metal"]


def test_extend_policy_on_a_product_not_made_locally_is_not_listed(make):
    g = make(products=["ore"], targets=[("ore_local", "ore", "local_use_share", 100, "%", "min")])
    assert extend(g) == []


def test_extend_policy_without_local_user(make):
    g = make(products=["ore", "metal"], capacities=[("m", "ore", None, None, "operating")],
             links=[("FEEDS", "ore", "metal", None, None)],
             targets=[("ore_local", "ore", "local_use_share", 100, "%", "min"),
                      ("ore_output", "ore", "capacity", 5, "万吨", "min")])  # the output on the target basis
    [row] = extend(g)
    assert (row["policy"], row["downstream"]) == ("ore_local: test", ["metal (missing)"])
    assert row["reason"] == ("50 kt a year leaves the city; it could feed metal, not made locally; "
                             "policy wants it used in the city")
    [row] = extend(g, basis="capacity")  # on capacity, its output is not stated
    assert row["group"] == "outflow unknown" and row["outflow"] == "not known (supply not stated)"


# -- whatif --------------------------------------------------------------------------------------

WHATIF = dict(
    products=["ore", "metal", "slag", "coal", "coke", "sand", "glass", "lime", "cement", "steel"],
    capacities=[
        ("a", "ore", 100, "万吨", "operating"),   # a: the only supplier of ore
        ("b", "metal", 50, "万吨", "operating"),
        ("c", "coal", 30, "万吨", "operating"),   # c and d share coal: 30 of 100
        ("d", "coal", 70, "万吨", "building"),
        ("e", "coke", 40, "万吨", "operating"),
        ("f", "sand", None, None, "operating"),   # f's share of sand is not stated
        ("g", "sand", 10, "万吨", "operating"),
        ("h", "glass", 5, "万吨", "operating"),
        ("i", "lime", None, None, "operating"),   # i: the only supplier of lime, unstated
        ("c", "cement", 8, "万吨", "planned"),    # planned rows supply nothing yet
    ],
    links=[
        ("FEEDS", "ore", "metal", 2, "t/t"),
        ("YIELDS", "metal", "slag", 0.5, "t/t"),
        ("FEEDS", "coal", "coke", 1.3, "t/t"),
        ("FEEDS", "sand", "glass", None, None),
        ("FEEDS", "coal", "steel", None, None),   # steel is not made locally: no row
    ],
)


def _rows(rows):
    return [(r["product"], r["depth"], r["via"], r["relation"], r["lost_share"], r["effect"],
             r["capacity_affected"], r["capacity_affected_base"]) for r in rows]


def test_whatif_single_supplier_firm(make):
    rows = whatif(make(**WHATIF), "a")
    assert _rows(rows) == [
        ("ore", 0, None, "—", 1.0, "removed", "1 Mt", 1_000_000),
        ("metal", 1, "ore", "FEEDS", 1.0, "cut off", "500 kt", 500_000),
        ("slag", 2, "metal", "YIELDS", 1.0, "cut off", "", None),  # a by-product: no stated capacity
    ]
    assert {r["base_unit"] for r in rows} == {"t"}


def test_whatif_two_suppliers_partial_share(make):
    assert _rows(whatif(make(**WHATIF), "c")) == [
        ("coal", 0, None, "—", 0.3, "partly affected", "300 kt", 300_000),
        ("coke", 1, "coal", "FEEDS", 0.3, "partly affected", "120 kt", 120_000),  # 400 kt × 0.3
    ]


def test_whatif_product_removed_directly(make):
    assert _rows(whatif(make(**WHATIF), "coal")) == [
        ("coal", 0, None, "—", 1.0, "removed", "1 Mt", 1_000_000),
        ("coke", 1, "coal", "FEEDS", 1.0, "cut off", "400 kt", 400_000),
    ]


def test_whatif_unknown_share(make):
    assert _rows(whatif(make(**WHATIF), "f")) == [
        ("sand", 0, None, "—", None, "unknown share", "", None),
        ("glass", 1, "sand", "FEEDS", None, "unknown share", "", None),
    ]


def test_whatif_only_producer_unstated_is_all(make):
    assert _rows(whatif(make(**WHATIF), "i")) == [("lime", 0, None, "—", 1.0, "removed", "", None)]


def test_whatif_nothing_local_is_lost(make):
    g = make(**WHATIF)
    assert whatif(g, "steel") == []  # not made locally
    assert whatif(g, "cement") == []  # only planned


def test_whatif_largest_share_wins(make):
    # x loses 0.25 through p and all through q: it keeps 1.0, reached via q
    g = make(products=["p", "q", "x", "y"],
             capacities=[("f", "p", 1, "t", "operating"), ("k", "p", 3, "t", "operating"),
                         ("f", "q", 2, "t", "operating"), ("m", "x", 4, "t", "operating"),
                         ("n", "y", None, None, "operating")],
             links=[("FEEDS", "p", "x", None, None), ("FEEDS", "q", "x", None, None),
                    ("FEEDS", "x", "y", None, None)])
    assert _rows(whatif(g, "f")) == [
        ("p", 0, None, "—", 0.25, "partly affected", "1 t", 1),
        ("q", 0, None, "—", 1.0, "removed", "2 t", 2),
        ("x", 1, "q", "FEEDS", 1.0, "cut off", "4 t", 4),
        ("y", 2, "x", "FEEDS", 1.0, "cut off", "", None),
    ]


def test_whatif_group_takes_its_plants(make, tmp_path):
    folder = write_dataset(tmp_path / "group", products=["ore"], capacities=[
        ("plant", "ore", 1, "t", "operating"), ("other", "ore", 3, "t", "operating")])
    path = folder / "firms.csv"  # write_dataset gives firms no parent: make `plant` part of `group`
    text = path.read_text(encoding="utf-8").replace("plant,plant,,,home,,", "plant,plant,,,home,group,")
    path.write_text(text + "group,group,,,home,,,,test,\n", encoding="utf-8")
    g = make(folder)
    assert _rows(whatif(g, "group")) == [("ore", 0, None, "—", 0.25, "partly affected", "1 t", 1)]


def _alternative(folder: Path, *pairs: tuple[str, str]) -> None:
    """Mark FEEDS links as alternative inputs (links.csv `alternative`); write_dataset has no such column."""
    path = folder / "links.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["alternative"] = "yes" if (row["from"], row["to"]) in pairs else "no"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def stand_in_graph(make, tmp_path):
    # clinker runs on stone or slag (ash too, but no ash is made locally); fuel it cannot do without
    folder = write_dataset(
        tmp_path / "stand_ins", products=["stone", "slag", "ash", "fuel", "clinker"],
        capacities=[("p", "stone", 5, "t", "operating"), ("q", "stone", 5, "t", "operating"),
                    ("p", "slag", 5, "t", "operating"), ("r", "fuel", 1, "t", "operating"),
                    ("s", "clinker", 20, "t", "operating")],
        links=[("FEEDS", "stone", "clinker", None, None), ("FEEDS", "slag", "clinker", None, None),
               ("FEEDS", "ash", "clinker", None, None), ("FEEDS", "fuel", "clinker", None, None)])
    _alternative(folder, ("stone", "clinker"), ("slag", "clinker"), ("ash", "clinker"))
    return make(folder)


def test_whatif_alternative_inputs_stand_in_for_each_other(stand_in_graph):
    g = stand_in_graph
    assert _rows(whatif(g, "slag")) == [("slag", 0, None, "—", 1.0, "removed", "5 t", 5)]  # stone remains
    # p takes half the stone and all the slag: clinker loses the smaller share, through stone
    assert _rows(whatif(g, "p")) == [
        ("stone", 0, None, "—", 0.5, "partly affected", "5 t", 5),
        ("slag", 0, None, "—", 1.0, "removed", "5 t", 5),
        ("clinker", 1, "stone", "FEEDS", 0.5, "partly affected", "10 t", 10),
    ]
    # a required input cuts clinker off on its own
    assert _rows(whatif(g, "fuel"))[1] == ("clinker", 1, "fuel", "FEEDS", 1.0, "cut off", "20 t", 20)


AMBIGUOUS = dict(products=[{"id": "iron_ore", "name_en": "Ore"}, "metal"],
                 capacities=[("ore", "metal", 1, "t", "operating"), ("x", "iron_ore", 1, "t", "operating")],
                 links=[("FEEDS", "iron_ore", "metal", None, None)])


def test_whatif_ambiguous_name(make):
    g = make(**AMBIGUOUS)
    with pytest.raises(ChaingraphError) as e:
        whatif(g, "ORE")
    assert str(e.value) == "ambiguous 'ORE': firm ore (ore) and product iron_ore (iron_ore); give an id"
    # an exact id of only one of them decides
    assert [r["product"] for r in whatif(g, "ore")] == ["metal"]
    assert [r["product"] for r in whatif(g, "iron_ore")] == ["iron_ore", "metal"]


def test_whatif_unknown_name(make):
    g = make(**AMBIGUOUS)
    with pytest.raises(UnknownNameError) as e:
        whatif(g, "ore2")
    assert str(e.value) == ("unknown firm or product 'ore2'; "
                            "closest: firm ore (ore), product iron_ore (iron_ore)")
    with pytest.raises(UnknownNameError) as e:
        whatif(g, "zzz")
    assert str(e.value) == "unknown firm or product 'zzz'"


def test_whatif_region(make):
    g = make(products=["ore", "metal"], regions=[("park", "park", "home")], firms=[("pf", "park")],
             capacities=[("pf", "ore", 1, "t", "operating"), ("hf", "ore", 1, "t", "operating"),
                         ("hf", "metal", 1, "t", "operating")],
             links=[("FEEDS", "ore", "metal", None, None)])
    assert [(r["product"], r["lost_share"]) for r in whatif(g, "pf")] == [("ore", 0.5), ("metal", 0.5)]
    assert [(r["product"], r["lost_share"]) for r in whatif(g, "pf", region="park")] == [("ore", 1.0)]


# -- the shipped data ------------------------------------------------------------------------------

def test_shipped_data_answers():
    g = open_backend()  # the Wuhai guideline
    rows = gaps(g, chain="煤—电石—醋酸—醋酸乙烯—PVC")
    assert [(r["label"], r["kind"], r["before"], r["after"]) for r in rows] == [
        ("醋酸", "broken", "电石", "PVC"), ("醋酸乙烯", "broken", "电石", "PVC")]
    # the two policies: 电石产品不再外售, 洗煤规模要与炼焦相匹配
    assert {r["product"] for r in extend(g) if r["policy"]} == {"calcium_carbide", "washed_coal"}
    cut = {r["product"] for r in whatif(g, "电石") if r["effect"] == "cut off"}
    assert {"pvc", "acetylene", "carbide_slag"} <= cut


# -- the command line ------------------------------------------------------------------------------

@pytest.fixture
def run(tmp_path):
    _as_prose(write_dataset(tmp_path / "cli", **GAPS), "prose_broken")
    write_dataset(tmp_path / "cli_whatif", **WHATIF)
    write_dataset(tmp_path / "cli_extend", **EXTEND)
    write_dataset(tmp_path / "cli_ambiguous", **AMBIGUOUS)

    def invoke(dataset: str, *args: str):
        return CliRunner().invoke(cli, ["--data", str(tmp_path / dataset), *args])
    return invoke


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_gaps(run):
    rows = _json(run("cli", "gaps", "--format", "json"))
    assert [(r["rank"], r["chain"], r["kind"]) for r in rows][:2] == [(1, "broken", "broken"),
                                                                        (2, "prose_broken", "broken")]
    one = _json(run("cli", "gaps", "--chain", "short", "--format", "json"))
    assert [r["chain"] for r in one] == ["short"]
    assert run("cli", "gaps", "--format", "csv").stdout.startswith("rank,chain,chain_name,written,order,")


def test_cli_extend(run):
    rows = _json(run("cli_extend", "extend", "--format", "json"))
    # coke has a cited price in the shipped price file: it ranks first in its group by value
    assert [r["product"] for r in rows] == ["coke", "ore", "metal", "coal", "slag"]
    assert rows[0]["value"] == "56.85–61.5 million CNY"


def test_cli_extend_takes_the_citys_own_prices(run, tmp_path):
    header = "product,low,typical,high,unit,year,region,source,source_kind,estimate,flag,note\n"
    (tmp_path / "cli_extend" / "prices.csv").write_text(
        header + "coke,1,1,1,万元/t,2011,city,the city's price bureau,government,no,,\n"
        "ore,100,,100,元/t,2011,city,the city's price bureau,government,no,,\n", encoding="utf-8")
    rows = {r["product"]: r for r in _json(run("cli_extend", "extend", "--format", "json"))}
    assert rows["coke"]["value"] == "300 million CNY"  # the city's 1万元/t overrides the shipped price
    assert rows["ore"]["value"] == "110 million CNY" and rows["ore"]["rank"] == 2  # 110万 t × 100 元/t
    (tmp_path / "cli_extend" / "prices.csv").write_text(header + "coke,1,1,1,t/t,2011,,x,government,no,,\n",
                                                        encoding="utf-8")
    bad = run("cli_extend", "extend")
    assert bad.exit_code != 0 and bad.stdout == ""
    assert "prices.csv, line 2, column unit" in bad.stderr and bad.stderr.startswith("Error:")


def test_cli_whatif(run):
    rows = _json(run("cli_whatif", "whatif", "--without", "c", "--format", "json"))
    assert [(r["product"], r["lost_share"], r["capacity_affected"]) for r in rows] == [
        ("coal", 0.3, "300 kt"), ("coke", 0.3, "120 kt")]
    rows = _json(run("cli_whatif", "whatif", "-w", "coal", "-r", "home", "--format", "json"))
    assert rows[0]["effect"] == "removed"


@pytest.mark.parametrize("dataset, args, message", [
    ("cli", ["gaps", "--chain", "shrt"], "unknown chain 'shrt'; closest: short (short)"),
    ("cli", ["gaps", "--region", "hom"], "unknown region 'hom'; closest: home (本市)"),
    ("cli_extend", ["extend", "--region", "nowhere"], "unknown region 'nowhere'"),
    ("cli_ambiguous", ["whatif", "--without", "ORE"],
     "ambiguous 'ORE': firm ore (ore) and product iron_ore (iron_ore); give an id"),
    ("cli_ambiguous", ["whatif", "--without", "zzz"], "unknown firm or product 'zzz'"),
])
def test_cli_errors(run, dataset, args, message):
    result = run(dataset, *args)
    assert (result.stdout, result.stderr, result.exit_code) == ("", f"Error: {message}\n", 1)


def test_cli_whatif_needs_without(run):
    result = run("cli_whatif", "whatif")
    assert result.exit_code == 2 and "--without" in result.stderr


@pytest.mark.parametrize("command", ["gaps", "extend", "whatif"])
def test_cli_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example:\n      chaingraph " in result.stdout


def test_extend_values_at_cited_prices_rank_first_within_a_group(make, tmp_path):
    from chaingraph.reference import load_prices

    path = tmp_path / "prices.csv"
    path.write_text("product,low,typical,high,unit,year,region,source,source_kind,estimate,flag,note\n"
                    "metal,1000,1500,2000,元/t,2011,China,a price list,trade_press,no,,\n"
                    "slag,10,,10,元/t,2011,China,another list,association,no,,\n", encoding="utf-8")
    rows = extend(make(**EXTEND), prices=load_prices(path))
    assert [(r["rank"], r["product"]) for r in rows] == [
        (1, "metal"), (2, "ore"), (3, "coke"), (4, "coal"), (5, "slag")]  # metal has a value: first
    by = {r["product"]: r for r in rows}
    metal, slag = by["metal"], by["slag"]
    # 20万 t leave the city at 1000–2000 元/t: 2–4 亿元
    assert (metal["value"], metal["value_low"], metal["value_high"]) == ("200–400 million CNY", 200_000_000, 400_000_000)
    assert metal["price"] == "1000–2000 元/t (trade_press, 2011: a price list)"
    assert (slag["value"], slag["value_low"], slag["value_high"]) == ("1 million CNY", 1_000_000, 1_000_000)
    assert (by["ore"]["value"], by["ore"]["value_low"], by["ore"]["price"]) == ("", None, None)
    assert [r["product"] for r in extend(make(**EXTEND), prices={})][:3] == ["ore", "metal", "coke"]


def test_extend_uses_the_shipped_prices_by_default(make):
    coke = {r["product"]: r for r in extend(make(**EXTEND))}["coke"]
    # 3万 t at 1895–2050 元/t (MIIT, early 2011): 5685–6150 万元
    assert (coke["value"], coke["value_low"], coke["value_high"]) == ("56.85–61.5 million CNY", 56_850_000, 61_500_000)
    assert "government, 2011" in coke["price"]
