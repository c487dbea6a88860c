"""balance with ranges: verdicts known by construction, and bounds checked against every corner."""
from __future__ import annotations

import itertools

import pytest

from chaingraph.queries import balance

from datasets import build, by_product


def _ore_metal(ore: dict | None, ratio: tuple[float, float, float] | None):
    """mine makes ore (capacity given by `ore` columns, or unstated); smelter makes 60万 t of metal;
    ore -> metal takes `ratio` = (low, typical, high) t/t, or has no coefficient."""
    link = (("FEEDS", "ore", "metal", ratio[1], "t/t", False, {"ratio_min": ratio[0], "ratio_max": ratio[2]})
            if ratio else ("FEEDS", "ore", "metal", None, None))
    ore_row = (("mine", "ore", ore.get("capacity"), "万吨", "operating", None, ore) if ore is not None
               else ("mine", "ore", None, None, "operating"))
    return dict(products=["ore", "metal", "part"], chains=[("c", "ore > metal > part")],
                capacities=[ore_row, ("smelter", "metal", 60, "万吨", "operating")],
                links=[link, ("FEEDS", "metal", "part", 1, "t/t")])


@pytest.mark.parametrize("ore, ratio, verdict, low, high", [
    # need 60 × 2.0–2.5 = 120–150万 t of 100万 t: short at every value
    ({"capacity": 100}, (2.0, 2.2, 2.5), "short", -500_000, -200_000),
    # of 200万 t: over at every value
    ({"capacity": 200}, (2.0, 2.2, 2.5), "over", 500_000, 800_000),
    # of 130万 t: -20 to +10万 t, the sign turns inside the ratio's range
    ({"capacity": 130}, (2.0, 2.2, 2.5), "depends", -200_000, 100_000),
    # a capacity range: 110–140万 t against 120–150万 t
    ({"capacity": 125, "capacity_min": 110, "capacity_max": 140}, (2.0, 2.2, 2.5), "depends", -400_000, 200_000),
    # the ore capacity is not stated: unknown, with no bound on supply
    (None, (2.0, 2.2, 2.5), "unknown", -1_500_000, None),
    # no coefficient at all: unknown, with no bound on the requirement
    ({"capacity": 100}, None, "unknown", None, 1_000_000),
])
def test_verdicts(tmp_path, backend, ore, ratio, verdict, low, high):
    row = by_product(balance(build(tmp_path, backend, **_ore_metal(ore, ratio))))["ore"]
    assert row["verdict"] == verdict
    assert (row["low"], row["high"]) == (pytest.approx(low) if low is not None else None,
                                         pytest.approx(high) if high is not None else None)
    if verdict in ("short", "over"):  # the verdict agrees with the signs of both bounds
        assert (row["low"] < 0 and row["high"] < 0) if verdict == "short" else (row["low"] > 0 and row["high"] > 0)
    if verdict == "depends":
        assert row["low"] < 0 < row["high"]
    if ore is None:
        assert row["open_terms"] == ["mine (ore): capacity not stated"] and row["supply_high"] is None


def test_depends_names_the_break_even_of_the_deciding_coefficient(tmp_path, backend):
    row = by_product(balance(build(tmp_path, backend, **_ore_metal({"capacity": 130}, (2.0, 2.2, 2.5)))))["ore"]
    # typical: 130 - 60 × 2.2 = -2万 t; covered while the ratio is at most 2.2 - 2/60 = 2.167
    assert row["break_even"] == ["covered while ore per metal is at most 2.167 t/t (range 2–2.5, within it)"]
    assert row["balance"] == "200 kt short to 100 kt over"


def test_order_is_robustness_then_size(tmp_path, backend):
    data = _ore_metal({"capacity": 130}, (2.0, 2.2, 2.5))  # ore: depends
    data["products"] += ["fuel", "flux"]
    data["capacities"] += [("depot", "fuel", 1, "万吨", "operating"), ("pit", "flux", 5, "万吨", "operating")]
    data["links"] += [("FEEDS", "fuel", "metal", 0.1, "t/t"),  # needs 6万 t of 1万 t: 5 short (83 %)
                      ("FEEDS", "flux", "metal", 0.1, "t/t")]  # needs 6万 t of 5万 t: 1 short (17 %)
    rows = balance(build(tmp_path, backend, **data))
    assert [(r["product"], r["verdict"]) for r in rows] == [
        ("fuel", "short"), ("flux", "short"), ("ore", "depends"), ("metal", "over")]


# Every ranged figure of a small graph: (name, low, high). The model is linear in each and each
# enters once, so the bounds of every product's supply, requirement and balance are corner values.
PARAMETERS = {
    "ore_capacity": (90, 110), "ore_per_metal": (1.8, 2.2), "metal_capacity": (50, 70),
    "slag_per_metal": (0.4, 0.6), "slag_per_brick": (0.9, 1.1), "hours": (4000, 6000),
    "power_per_metal": (8, 12),
}


def _graph_at(values: dict[str, tuple[float, float, float]]) -> dict:
    """The test graph with each parameter given as (low, typical, high)."""
    def ranged(name):
        low, typ, high = values[name]
        return typ, low, high

    c, c_low, c_high = ranged("ore_capacity")
    m, m_low, m_high = ranged("metal_capacity")
    link = []
    for a, b, name, unit in (("ore", "metal", "ore_per_metal", "t/t"), ("slag", "brick", "slag_per_brick", "t/t"),
                             ("power", "metal", "power_per_metal", "kWh/t")):
        r, r_low, r_high = ranged(name)
        link.append(("FEEDS", a, b, r, unit, False, {"ratio_min": r_low, "ratio_max": r_high}))
    y, y_low, y_high = ranged("slag_per_metal")
    link.append(("YIELDS", "metal", "slag", y, "t/t", False, {"ratio_min": y_low, "ratio_max": y_high}))
    h, h_low, h_high = ranged("hours")
    return dict(
        products=["ore", "metal", "slag", "brick", {"id": "power", "unit": "kWh"}],
        capacities=[("mine", "ore", c, "万吨", "operating", None, {"capacity_min": c_low, "capacity_max": c_high}),
                    ("smelter", "metal", m, "万吨", "operating", None, {"capacity_min": m_low, "capacity_max": m_high}),
                    ("kiln", "brick", 30, "万吨", "operating"),
                    ("plant", "power", 0.15, "万千瓦", "operating")],
        links=link + [("FEEDS", "metal", "part", 1, "t/t")],
        conversions=[("power", "kW", "kWh", h, {"factor_min": h_low, "factor_max": h_high})])


@pytest.fixture(scope="module")
def corners(tmp_path_factory) -> dict[str, dict[str, list[float]]]:
    """Supply, requirement and balance of each product at every corner (2^7 point graphs, in memory)."""
    folder = tmp_path_factory.mktemp("corners")
    seen: dict[str, dict[str, list[float]]] = {}
    for n, corner in enumerate(itertools.product(*PARAMETERS.values())):
        point = _graph_at({k: (v, v, v) for k, v in zip(PARAMETERS, corner)})
        point["products"].append("part")
        for r in balance(build(folder / f"c{n}", **point)):
            assert r["supply_low"] == pytest.approx(r["supply_high"])  # a point graph has no range
            found = seen.setdefault(r["product"], {"supply": [], "need": [], "balance": []})
            found["supply"].append(r["supply_low"])
            found["need"].append(r["requirement_low"])
            found["balance"].append(r["low"])
    return seen


def test_bounds_are_the_extremes_over_every_corner(tmp_path, backend, corners):
    typical = {k: (lo, (lo + hi) / 2, hi) for k, (lo, hi) in PARAMETERS.items()}
    ranged = _graph_at(typical)
    ranged["products"].append("part")
    rows = by_product(balance(build(tmp_path, backend, **ranged)))
    assert set(corners) == {"ore", "metal", "slag", "power"} <= set(rows)
    for product, found in corners.items():
        row = rows[product]
        assert row["supply_low"] == pytest.approx(min(found["supply"])), product
        assert row["supply_high"] == pytest.approx(max(found["supply"])), product
        assert row["requirement_low"] == pytest.approx(min(found["need"])), product
        assert row["requirement_high"] == pytest.approx(max(found["need"])), product
        assert row["low"] == pytest.approx(min(found["balance"])), product
        assert row["high"] == pytest.approx(max(found["balance"])), product


def test_a_product_kept_in_the_city_runs_at_what_its_users_need(tmp_path, backend):
    # ore's capacity is not stated; it feeds metal (60万 t × 2.0–2.5) and fuel feeds ore (0.1 t/t)
    data = _ore_metal(None, (2.0, 2.2, 2.5))
    data["products"].append("fuel")
    data["capacities"].append(("depot", "fuel", 20, "万吨", "operating"))
    data["links"].append(("FEEDS", "fuel", "ore", 0.1, "t/t"))
    fuel = by_product(balance(build(tmp_path, backend, **data)))["fuel"]
    assert fuel["verdict"] == "unknown" and fuel["open_terms"] == ["mine (ore): capacity not stated"]
    # a policy that all ore be used in the city (电石产品不再外售): ore runs at 120–150万 t exactly
    data["targets"] = [("ore_local", "ore", "local_use_share", 100, "%", "min")]
    fuel = by_product(balance(build(tmp_path / "2", backend, **data)))["fuel"]
    assert (fuel["verdict"], fuel["open_terms"]) == ("over", [])  # 20万 t against 12–15万 t
    assert (fuel["requirement_low"], fuel["requirement_high"]) == (pytest.approx(120_000), pytest.approx(150_000))
