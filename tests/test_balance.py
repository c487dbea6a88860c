"""balance on hand-built datasets whose answers are worked out by hand in the comments."""
from __future__ import annotations

import json

import pytest

from chaingraph.cli import cli
from chaingraph.errors import ChaingraphError
from chaingraph.queries import balance

from datasets import build, by_product

# ore -(2 t/t)-> metal -(1.5 t/t)-> part; metal yields slag 0.5 t/t; slag -(1 t/t)-> brick
CHAIN = dict(
    products=["ore", "metal", "part", "slag", "brick"],
    chains=[("c", "ore > metal > part")],
    capacities=[
        ("mine", "ore", 100, "万吨", "operating"),
        ("smelter", "metal", 60, "万吨", "operating"),
        ("works", "part", 30, "万吨", "building"),
        ("kiln", "brick", 10, "万吨", "operating"),
        ("plan", "part", 500, "万吨", "planned"),  # planned capacity never counts
    ],
    links=[
        ("FEEDS", "ore", "metal", 2, "t/t"),
        ("FEEDS", "metal", "part", 1.5, "t/t"),
        ("YIELDS", "metal", "slag", 0.5, "t/t"),
        ("FEEDS", "slag", "brick", 1, "t/t"),
    ],
    targets=[("part_target", "part", "capacity", 50, "万吨", "min")],
)


def test_three_step_chain_on_capacity(tmp_path, backend):
    rows = by_product(balance(build(tmp_path, backend, **CHAIN)))
    # part runs at 30万 t (building) -> metal needed 30 x 1.5 = 45万 t of 60万 t: surplus 15万 t
    assert (rows["metal"]["status"], rows["metal"]["balance_value"]) == ("surplus", pytest.approx(150_000))
    # metal runs at 60万 t -> ore needed 60 x 2 = 120万 t of 100万 t: shortfall 20万 t
    assert (rows["ore"]["status"], rows["ore"]["balance_value"]) == ("shortfall", pytest.approx(-200_000))
    assert rows["ore"]["requirement"] == "1.2 Mt" and rows["ore"]["balance"] == "200 kt short"
    assert (rows["ore"]["verdict"], rows["ore"]["low"], rows["ore"]["high"]) == ("short", -200_000, -200_000)
    assert rows["ore"]["coefficients"] == ["mine 1 Mt (operating)",
                                           "for metal: metal 600 kt (capacity) × 2 t/t = 1.2 Mt"]
    assert rows["ore"]["unit"] == "t"
    assert list(rows)[0] == "ore"  # shortfalls come first
    assert "part" not in rows  # a final product: nothing uses it, so nothing to balance (see extend)


def test_three_step_chain_on_targets(tmp_path, backend):
    rows = by_product(balance(build(tmp_path, backend, **CHAIN), basis="target"))
    # part at its target 50万 t -> metal needed 75万 t of 60万 t: shortfall 15万 t
    assert "part" not in rows and rows["metal"]["balance"] == "150 kt short"
    assert rows["metal"]["coefficients"][-1] == "for part: part 500 kt (target) × 1.5 t/t = 750 kt"
    assert (rows["metal"]["status"], rows["metal"]["balance_value"]) == ("shortfall", pytest.approx(-150_000))
    # metal still runs at its own 60万 t: ore is 20万 t short either way
    assert rows["ore"]["balance_value"] == pytest.approx(-200_000)


def test_by_product_surplus(tmp_path, backend):
    rows = by_product(balance(build(tmp_path, backend, **CHAIN)))
    # slag arises at 60 x 0.5 = 30万 t; the kiln takes 10 x 1 = 10万 t: surplus 20万 t
    slag = rows["slag"]
    assert slag["supply"] == "300 kt" and slag["requirement"] == "100 kt"
    assert (slag["status"], slag["balance_value"]) == ("surplus", pytest.approx(200_000))
    assert slag["supply_basis"] == "by-product"


def test_unknown_coefficient_is_unknown_not_zero(tmp_path, backend):
    data = dict(CHAIN, products=CHAIN["products"] + ["fuel"],
                capacities=CHAIN["capacities"] + [("depot", "fuel", 5, "万吨", "operating")],
                links=CHAIN["links"] + [("FEEDS", "fuel", "metal", None, None)])
    fuel = by_product(balance(build(tmp_path, backend, **data)))["fuel"]
    assert fuel["status"] == "unknown" and fuel["balance_value"] is None and fuel["balance"] == ""
    assert fuel["unknown"] == ["for metal: no coefficient for fuel → metal (metal 600 kt (capacity))"]
    # 5万 t covers 60万 t of metal while each t takes at most 50000 / 600000 = 0.08333 t
    assert fuel["break_even"] == ["covered while 1 t of metal takes at most 0.08333 t of fuel"]


def test_unstated_capacity_takes_the_level_downstream_needs(tmp_path, backend):
    data = dict(CHAIN, capacities=[("mine", "ore", None, None, "operating")] + CHAIN["capacities"][1:])
    ore = by_product(balance(build(tmp_path, backend, **data)))["ore"]
    assert (ore["status"], ore["supply"], ore["requirement"]) == ("unknown", "≥ 0 t", "1.2 Mt")
    assert ore["unknown"] == ["mine (ore): capacity not stated"]
    # the product ore comes from runs at least at what metal needs
    data = dict(data, products=data["products"] + ["rock"], links=data["links"] + [("FEEDS", "rock", "ore", 3, "t/t")],
                capacities=data["capacities"] + [("quarry", "rock", 100, "万吨", "operating")])
    rock = by_product(balance(build(tmp_path / "2", backend, **data)))["rock"]
    assert rock["requirement"] == "≥ 3.6 Mt" and rock["status"] == "shortfall"
    assert rock["balance"] == "≥ 2.6 Mt short" and rock["high"] == -2_600_000 and rock["low"] is None


def test_missing_required_input_is_a_shortfall_and_an_alternative_is_not(tmp_path, backend):
    data = dict(CHAIN, products=CHAIN["products"] + ["flux", "gas"],
                links=CHAIN["links"] + [("FEEDS", "flux", "metal", None, None),
                                        ("FEEDS", "gas", "metal", None, None, False, {"alternative": "yes"})])
    rows = by_product(balance(build(tmp_path, backend, **data)))
    assert rows["flux"]["status"] == "shortfall" and rows["flux"]["supply_basis"] == "not made locally"
    assert "gas" not in rows  # one of several alternative inputs, not made: nothing needs it


def test_included_use_is_counted_once_and_conversions_apply(tmp_path, backend):
    # power per t of metal (10 kWh) already covers the ore that goes into metal (includes=ore)
    data = dict(CHAIN, products=CHAIN["products"] + [{"id": "power", "unit": "kWh"}],
                capacities=CHAIN["capacities"] + [("plant", "power", 0.2, "万千瓦", "operating")],
                links=CHAIN["links"] + [("FEEDS", "power", "metal", 10, "kWh/t", False, {"includes": "ore"}),
                                        ("FEEDS", "power", "ore", 2, "kWh/t")],
                conversions=[("power", "kW", "kWh", 5000)])
    power = by_product(balance(build(tmp_path, backend, **data)))["power"]
    # metal 60万 t x 10 = 600万 kWh; ore 100万 t less the 120万 t into metal -> 0 x 2 = 0
    assert power["requirement_value"] == pytest.approx(6_000_000)
    # 2000 kW x 5000 h = 1000万 kWh (an estimate): surplus 400万 kWh
    assert power["supply"] == "10 GWh" and power["estimate"] is True
    assert (power["status"], power["balance_value"]) == ("surplus", pytest.approx(4_000_000))


def test_chain_filter_and_bad_basis(tmp_path, backend):
    g = build(tmp_path, backend, **CHAIN)
    assert {r["product"] for r in balance(g, chain="c")} == {"ore", "metal"}
    with pytest.raises(ChaingraphError, match="unknown basis 'plan'"):
        balance(g, basis="plan")


def test_cli_balance_json(tmp_path):
    from click.testing import CliRunner
    folder = tmp_path / "d"
    build(folder, **CHAIN)
    result = CliRunner().invoke(cli, ["--data", str(folder), "balance", "--basis", "target", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # metal is 15 of 75万 t short (20 %), ore 20 of 120万 t (17 %): the larger share first
    assert [(r["product"], r["verdict"]) for r in rows[:2]] == [("metal", "short"), ("ore", "short")]
    assert rows[0]["low"] == rows[0]["high"] == -150_000 and rows[0]["requirement_high"] == 750_000
