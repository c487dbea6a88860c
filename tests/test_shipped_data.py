"""The shipped Wuhai 2011 dataset against the guideline it was read from.

These tests read the CSV files directly where they can, so that they check the data and not
only what the loader makes of it.
"""
from __future__ import annotations

import csv
import re

import pytest

from chaingraph.graph import open_backend
from chaingraph.loaders import default_data_dir, load_dataset
from chaingraph.queries import chains, firms, targets
from chaingraph.units import to_base

DATA = default_data_dir()
GUIDELINE = (DATA / "sources" / "wuhai_2011_guideline.txt").read_text(encoding="utf-8")
REFERENCE = (DATA / "sources" / "coefficients.md").read_text(encoding="utf-8")


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graph():
    return open_backend()


@pytest.mark.parametrize("name", ["firms.csv", "chains.csv", "capacities.csv",
                                  "targets.csv", "links.csv"])
def test_every_source_quote_occurs_verbatim(name):
    text = GUIDELINE + "\0" + REFERENCE
    checked = 0
    for line, row in enumerate(rows(name), start=2):
        for column in ("source", "ratio_source"):
            for fragment in filter(None, (row.get(column) or "").split(" … ")):
                if fragment.startswith(("http://", "https://")):
                    continue  # a web citation (producer directory), not a quote
                assert fragment in text, f"{name} line {line} {column}: {fragment!r}"
                checked += 1
    assert checked > 0


def test_every_chain_the_guideline_writes_with_dashes_is_a_written_chain():
    written_in_text = set(re.findall(r"[\u4e00-\u9fffA-Za-z]+(?:—[\u4e00-\u9fffA-Za-z]+)+", GUIDELINE))
    written_in_data = {r["name_zh"] for r in rows("chains.csv") if r["written"] == "yes"}
    assert written_in_text == written_in_data
    assert len(written_in_data) == 8


def test_loose_written_chain_is_kept_but_links_are_chemically_right(graph):
    steps = chains(graph, chain="煤—电石—醋酸—醋酸乙烯—PVC")
    assert [s["label"] for s in steps] == ["煤", "电石", "醋酸", "醋酸乙烯", "PVC"]
    feeds = {(l.from_, l.to) for l in graph.links("FEEDS")}
    assert ("vinyl_acetate", "pva") in feeds and ("vinyl_acetate", "pvc") not in feeds
    note = next(r["note"] for r in rows("chains.csv") if r["id"] == "coal_carbide_pvc")
    assert "vinyl acetate -> PVA" in note


def test_every_firm_name_occurs_in_the_guideline():
    local = [r for r in rows("firms.csv") if not r["source"].startswith("http")]
    assert len(local) == 54
    for r in local:
        assert r["name_zh"] in GUIDELINE, r["id"]


# Capacity figures whose source writes the number another way.
WRITTEN_OTHERWISE = {("xinyu", "polysilicon"): "2×1500吨/年"}


def test_every_capacity_figure_is_written_in_its_quote():
    for line, r in enumerate(rows("capacities.csv"), start=2):
        if not r["capacity"] or r["source"].startswith("http"):
            continue
        written = WRITTEN_OTHERWISE.get((r["firm"], r["product"]), r["capacity"] + r["unit"])
        assert written in r["source"], f"capacities.csv line {line}"


def test_every_target_figure_is_written_in_its_quote():
    for line, r in enumerate(rows("targets.csv"), start=2):
        if r["id"] == "auto_capacity_share":
            assert r["value"] == "10" and "1/10" in r["source"]
            continue
        if r["metric"] == "local_use_share":  # a policy read as a share; the note says so
            assert r["value"] == "100" and "policy" in r["note"]
            continue
        written = (r["value_max"] or r["value"]) + r["unit"]
        assert written in r["source"], f"targets.csv line {line}"
        assert r["value"] in r["source"], f"targets.csv line {line}"


@pytest.mark.parametrize("product, value, unit", [
    ("pvc", 2_000_000, "t"), ("coke", 18_000_000, "t"), ("cement", 10_000_000, "t"),
    ("clinker", 14_000_000, "t"), ("flat_glass", 10_000_000, "weight_case"),
    ("raw_coal", 30_000_000, "t"), ("washed_coal", 80_000_000, "t"),
    ("electricity", 3_500_000, "kW"),
])
def test_capacity_targets_in_base_units(graph, product, value, unit):
    found = [t for t in targets(graph, product=product) if t["metric"] == "capacity"
             or t["metric"] == "installed_capacity"]
    assert len(found) == 1
    assert to_base(found[0]["value"], found[0]["unit"]) == pytest.approx((value, unit))


def test_washing_cap_is_a_maximum_and_utilisation_rates_are_there(graph):
    by_id = {t["id"]: t for t in targets(graph)}
    assert by_id["washing_capacity_cap"]["bound"] == "max"
    assert {k: by_id[k]["value"] for k in ("solid_waste_utilisation", "fly_ash_utilisation",
                                           "gangue_utilisation")} == {
        "solid_waste_utilisation": 60, "fly_ash_utilisation": 40, "gangue_utilisation": 70}


# Links whose coefficient is engineering knowledge only (no readable source): they ship as estimates.
ESTIMATE_ONLY = {
    ("electricity", "magnesium"), ("pvc", "pvc_pipe"), ("pvc", "pvc_profile"), ("coke", "steel"),
    ("steel", "rolled_steel"), ("ferroalloy", "steel"),
}


def test_coefficients_come_from_the_library_with_a_source_kind(graph):
    from chaingraph.reference import SOURCE_KINDS, load_process_coefficients
    assert not [r for r in rows("links.csv") if r["ratio"]]  # the city states no coefficient of its own
    library = load_process_coefficients()
    for c in library:
        assert c.source_kind in SOURCE_KINDS and c.source
        assert c.low <= c.typical <= c.high
        if c.source_kind == "estimate":
            assert c.estimate, (c.from_, c.to)
        if "mirror" in c.source or "flipbook" in c.source:
            assert "mirror" in c.source  # a mirror names the original and says so
    feeds = graph.links("FEEDS")
    with_ratio = [l for l in feeds if l.ratio is not None]
    for link in with_ratio:
        assert link.origin == "library" and link.ratio_source.startswith("process library (")
        assert link.ratio_min <= link.ratio <= link.ratio_max
    cited = [l for l in with_ratio if l.source_kind != "estimate"]
    assert {(l.from_, l.to) for l in with_ratio if l.source_kind == "estimate"} == ESTIMATE_ONLY
    assert len(cited) / len(feeds) >= 0.70
    for r in rows("links.csv"):
        if not r["ratio"]:
            assert not r["ratio_unit"] and not r["ratio_source"]  # no figure, no pretence of one


def test_power_hours_are_the_guideline_years(graph):
    (conv,) = graph.conversions()
    # the floor: NEA's Jan–Nov 2011 thermal hours plus December's all-plant hours (2011 full year less Jan–Nov)
    assert (conv.product, conv.factor_min, conv.factor_max) == ("electricity", 4822 + (4572 + 158 - 4353), 5305)
    assert "Jan–Nov 2011" in conv.source and "4,572 h in 2012" in conv.source and conv.estimate and conv.flag


def test_named_projects_with_figures(graph):
    def capacity(firm, product):
        (row,) = [r for r in firms(graph, product=product) if r["firm"] == firm]
        return row["capacity_base"], row["base_unit"], row["status"]

    assert capacity("shenhua_wuhai_energy", "porous_ammonium_nitrate") == (220_000, "t", "building")
    assert capacity("huaqing", "natural_gas") == (230_000_000, "m3", "building")
    assert capacity("xinshiji", "silicon_wafer") == (190_000_000, "piece", "building")
    assert capacity("heshun", "fly_ash_brick") == (130_000_000, "piece", "operating")
    assert capacity("lanxing_glass", "thin_film_cell") == (15_000, "kW", "building")


def test_every_product_has_a_name_in_each_language_and_chains_use_known_products():
    ds = load_dataset(DATA)
    assert all(p.name_zh and p.name_en for p in ds.products)
    known = {p.id for p in ds.products}
    assert {p for c in ds.chains for s in c.steps for p in s.products} <= known


# hosts a directory row must not rest on: content farms, spam hosts, mirrors and aggregators found
# in earlier versions of the directory (issue 9), and other kinds of host that are never a publisher
DENIED_HOSTS = ("huxiedy03.cn", "qddianticj.com", "fa9988.cn", "dmp-30.vip", "lwstw.com", "nextvapk.com",
                "oriental-cherry.com", "n1958.cn", "xnz360.com", "86079.cn", "mychemicalscent.com",
                "eluxequipment.com", "newsbreak.com", "sto.net.cn", "dzsnc.cn", "blogspot.com",
                "silicone-product.com", "ziboxinyan.com", "kimeery.com", "sunshine-oled.com", "rosinvest.com",
                "0356sh.com", "frankiemachinery.com", "fdocuments.us", "idenewmat.com", "wwwleb.com",
                "scribd.com", "vdocuments.net", "doc88.com", "docin.com")
BARE_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}\Z|\[?[0-9a-f]*:[0-9a-f:]*\]?\Z")


def host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].lower()


def test_directory_rows_have_kind_year_country_and_a_publisher_not_a_farm():
    directory = rows("directory.csv")
    assert len(directory) >= 90
    for line, r in enumerate(directory, start=2):
        where = f"directory.csv line {line}"
        assert r["source_kind"] and r["year"] and r["country"] and r["publisher"] and r["where"], where
        assert 1990 <= int(r["year"]) <= 2026, where
        name = host(r["url"])
        assert not BARE_IP.match(name), where
        assert not any(name == d or name.endswith("." + d) for d in DENIED_HOSTS), where
        assert not any(d in (r["note"] + r["where"] + r["mirror_of"]) for d in DENIED_HOSTS), where


def test_deny_list_check_catches_the_hosts_of_the_issue():
    assert host("http://m.huxiedy03.cn/news/show-3542.html") == "m.huxiedy03.cn"
    assert BARE_IP.match(host("http://120.26.169.90/show.aspx?cid=75&id=5001"))
    assert not BARE_IP.match(host("https://www.ccr.com.cn/c/2019-11-07/641087.shtml"))


def test_producer_directory_is_outside_the_city(graph):
    wuhai = graph.subregions("wuhai")
    directory = rows("directory.csv")
    assert all(r["region"] not in wuhai for r in directory)
    assert not [f for f in rows("firms.csv") if f["source"].startswith("http")]  # moved to directory.csv
    directory_firms = {r["firm"] for r in directory}
    assert directory_firms <= {f.id for f in graph.firms()}
    assert len(directory_firms) >= 75


def test_plants_abroad_are_marked_and_rank_after_domestic_ones(graph):
    from chaingraph.queries import candidates
    rows_ = candidates(graph, all_gaps=True)
    for product in {r["product"] for r in rows_}:
        flags = [r["abroad"] for r in rows_ if r["product"] == product]
        assert flags == sorted(flags), product  # domestic (False) first
    abroad = candidates(graph, all_gaps=True, abroad=True)
    assert abroad and all(r["abroad"] and r["country"] != "中国" for r in abroad)


def test_candidates_as_of_2011_use_figures_that_held_by_then(graph):
    from chaingraph.queries import candidates
    rows_ = candidates(graph, all_gaps=True, as_of=2011)
    assert rows_ and all(r["year"] <= 2011 for r in rows_)
    assert len(rows_) < len(candidates(graph, all_gaps=True))


def test_candidates_for_every_gap_come_from_the_directory(graph):
    from chaingraph.queries import candidates
    rows = candidates(graph, all_gaps=True)
    assert len({r["product"] for r in rows}) >= 25
    assert all(r["region"] not in graph.subregions("wuhai") for r in rows)


def test_seed_reading_corrections(graph):
    """The independent reading of issue 9: C1 chain, operating plants, chlor-alkali, 力争 bounds, synergies."""
    steps = chains(graph, chain="碳—化工")
    assert [p for s in steps for p in s["products"]][:3] == ["coke_oven_gas", "methanol", "hydrogen"]
    assert {"formaldehyde", "formic_acid", "acetic_acid", "urea"} <= {p for s in steps for p in s["products"]}
    note = next(r["note"] for r in rows("chains.csv") if r["id"] == "carbon_chemicals")
    assert "implied" in note and "methanol" in note
    for plant in ("haibowan_power", "wuhai_thermal_power", "huadian_wuda_power"):
        statuses = {r.status for r in graph.capacities(firm=plant, product="electricity")}
        assert statuses == {"operating", "planned"}, plant
    status = {r.product: r.status for r in graph.capacities(region="wuhai") if r.firm is None}
    assert status["caustic_soda"] == status["chlorine"] == "operating"
    assert ("chlorine", "caustic_soda") in {(l.from_, l.to) for l in graph.links("YIELDS")}
    by_id = {t["id"]: t for t in targets(graph)}
    assert by_id["above_scale_value_added"]["bound"] == by_id["industry_value_added"]["bound"] == "min"
    feeds = {(l.from_, l.to) for l in graph.links("FEEDS")}
    assert {("lng", "lng_heavy_truck"), ("pvc", "cable"), ("ferroalloy", "magnesium"),
            ("ferroalloy", "steel"), ("methanol", "acetic_acid"), ("methanol", "formaldehyde")} <= feeds
    implied = {r["id"]: r["note"] for r in rows("products.csv")}
    assert "implied" in implied["methanol"] and "implied" in implied["caustic_soda"]


def test_route_decides_the_input_fit_of_shipped_vinyl_acetate_producers(graph):
    from chaingraph.queries import candidates
    rows_ = candidates(graph, "醋酸乙烯")
    carbide = [r for r in rows_ if r["route"] == "carbide acetylene"]
    ethylene = [r for r in rows_ if r["route"] == "ethylene"]
    assert carbide and ethylene
    assert all(r["reasons"][0].endswith("already makes 1 of its 2 inputs: acetylene") for r in carbide)
    assert all("acetylene" not in " ".join(r["reasons"]) for r in ethylene)
