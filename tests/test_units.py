"""units.py: the one place quantities are converted."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaingraph.errors import UnitError
from chaingraph.units import (
    UNITS, base_of, convert, convert_ratio, format_number, format_quantity, parse_ratio_unit, to_base,
)

README = Path(__file__).resolve().parents[1] / "data" / "README.md"


@pytest.mark.parametrize("value, unit, expected", [
    (22, "万吨", (220_000, "t")), (500, "kg", (0.5, "t")), (2, "亿吨", (2e8, "t")), (1, "Mt", (1e6, "t")),
    (2.3, "亿标立方", (2.3e8, "m3")), (15, "兆瓦", (15_000, "kW")), (120, "万千瓦", (1.2e6, "kW")),
    (1, "GW", (1e6, "kW")), (5, "度", (5, "kWh")), (3, "亿千瓦时", (3e8, "kWh")),
    (1000, "万重箱", (1e7, "weight_case")), (1.3, "亿块", (1.3e8, "piece")), (15, "万条", (1.5e5, "piece")),
    (5, "万辆", (5e4, "vehicle")), (100, "万平方米", (1e6, "m2")), (320, "亿元", (3.2e10, "CNY")),
    (3.45, "万人", (34_500, "person")), (58, "个", (58, "count")), (25, "%", (25, "%")),
])
def test_to_base(value, unit, expected):
    got, base = to_base(value, unit)
    assert base == expected[1] and got == pytest.approx(expected[0])


def test_units_match_the_readme_table():
    if not README.exists():
        pytest.skip("data/README.md not present")
    table = re.findall(r"^\| (`.*`) \| `([^`]+)`", README.read_text(encoding="utf-8"), re.M)
    listed = {unit: base for units, base in table for unit in re.findall(r"`([^`]+)`", units)}
    assert listed and {u: b for u, (b, _) in UNITS.items()} == listed


def test_base_of_and_convert():
    assert base_of("万千瓦") == "kW"
    assert convert(1, "GW", "万千瓦") == pytest.approx(100)
    with pytest.raises(UnitError, match="cannot convert 't' to 'kW'"):
        convert(1, "t", "kW")
    with pytest.raises(UnitError, match="unknown unit 'tonnes'"):
        to_base(1, "tonnes")


def test_ratio_units():
    assert parse_ratio_unit("kWh/t") == ("kWh", "t")
    value, unit = convert_ratio(47, "kg/t")
    assert (round(value, 9), unit) == (0.047, "t/t")
    value, unit = convert_ratio(90, "kg/MWh", "kg/kWh")
    assert (round(value, 9), unit) == (0.09, "kg/kWh")
    value, unit = convert_ratio(410, "m3/t", "万标立方/万吨")
    assert (round(value, 9), unit) == (410, "万标立方/万吨")
    for bad, message in [("t per t", "expected unit/unit"), ("t/", "expected unit/unit"),
                         ("t/t/t", "expected unit/unit"), ("tonne/t", "unknown unit 'tonne'")]:
        with pytest.raises(UnitError, match=message):
            parse_ratio_unit(bad)


@pytest.mark.parametrize("value, unit, text", [
    (3000.0, "万吨", "3000 万吨"), (1.325, "t/t", "1.325 t/t"), (6.12, "万吨", "6.12 万吨"),
    (25, "%", "25%"), (3e7, "t", "30000000 t"), (1 / 3, "t", "0.333333 t"),
])
def test_format_quantity(value, unit, text):
    assert format_quantity(value, unit) == text


def test_format_number():
    assert format_number(0.047) == "0.047" and format_number(-2.0) == "-2"


def test_the_loaders_conversion_to_base_is_units_to_base_to_the_bit():
    """The loader scales capacities by powers of ten without Decimal (loaders/csvfiles._to_base):
    the same float as units.to_base for every unit and many values."""
    import random

    from chaingraph.loaders.csvfiles import _to_base
    rnd = random.Random(13)
    values = [0.0, -0.0, 1.0, 2.3, 7.7, 0.1, 1e-7, 1e22, 123456789.123, 5e-324, 1.7976931348623157e308 / 1e9]
    values += [round(rnd.paretovariate(1.2) * 5, rnd.randrange(0, 5)) for _ in range(3000)]
    values += [rnd.uniform(0, 1e6) for _ in range(3000)] + [rnd.random() * 10 ** rnd.randrange(-30, 30) for _ in range(3000)]
    for unit in UNITS:
        for value in values:
            expected = to_base(value, unit)[0]
            got = _to_base(value, unit)
            assert got == expected and repr(got) == repr(expected), (value, unit)


def test_figures_to_significant_digits_are_the_rounded_floats_written():
    """units._significant (the figures of `humanize` and `quantity_range`) writes the `g` format's
    own text where it can: the same text as `format_number` of the float rounded to that many
    digits, for every kind of value, and the same error where there is no figure to write."""
    import math
    import random

    from chaingraph.units import _significant
    rnd = random.Random(29)
    values = [1.0, -1.0, 0.5, 555.0, 538.5, 0.0001234, 1e-7, 9999.5, 12345.0, 4.8405, 1 / 3, 2 ** 32, -2 ** 32,
              2 ** 32 - 0.5, 123456789012.345, 1e15, 1e16 + 1, 5e-324, 1.7976931348623157e308]
    values += [round(rnd.paretovariate(1.1) * 10, rnd.randrange(0, 8)) for _ in range(4000)]
    values += [rnd.uniform(-1e4, 1e4) for _ in range(4000)] + [rnd.random() * 10 ** rnd.randrange(-12, 20)
                                                            for _ in range(4000)]
    values += [-v for v in values[:4000]]

    def outcome(write, *args):
        try:
            return write(*args)
        except (OverflowError, ValueError) as e:  # (rounded past the largest float, or not a number)
            return type(e)

    for digits in (1, 4, 6, 15, 17):
        for value in values + [math.inf, -math.inf, math.nan]:
            rounded = float(format(value, f".{digits}g"))
            assert outcome(_significant, value, digits) == outcome(format_number, rounded), (value, digits)
    assert _significant(0.0, 4) == _significant(-0.0, 4) == "0"
    assert outcome(_significant, 1.7976931348623157e308, 1) is OverflowError  # `2e+308`: as `format_number`
    assert outcome(_significant, math.nan, 4) is ValueError

