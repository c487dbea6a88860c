"""The process coefficient library: its checks, and how a dataset's own figures override it."""
from __future__ import annotations

import pytest

from chaingraph.errors import DataError
from chaingraph.loaders import load_dataset
from chaingraph.reference import LIBRARY, load_process_coefficients

from datasets import write_dataset

HEADER = "type,from,to,low,typical,high,unit,year,region,source,source_kind,estimate,flag,note\n"
PRICE_HEADER = "product,low,typical,high,unit,year,region,source,source_kind,estimate,flag,note\n"


def test_the_shipped_library_loads_and_every_row_is_sourced():
    rows = load_process_coefficients()
    assert len(rows) >= 80
    assert all(r.source and r.source_kind for r in rows)
    assert LIBRARY.name == "process_coefficients.csv"


@pytest.mark.parametrize("row, column, message", [
    ("FEEDS,a,b,1,2,3,t/t,,,src,rumour,no,,", "source_kind", "unknown source_kind"),
    # one vocabulary with the directory's, underscores: the library's old spelling is refused
    ("FEEDS,a,b,1,2,3,t/t,,,src,trade press,no,,", "source_kind", "unknown source_kind 'trade press' (expected "
     "annual_report"),
    ("FEEDS,a,b,1,5,3,t/t,,,src,stoichiometry,no,,", "typical", "low ≤ typical ≤ high"),
    ("YIELD,a,b,40,50,60,t/t,,,src,stoichiometry,no,,", "unit", "unit must be '%'"),
    ("FEEDS,a,b,1,2,3,tonnes/t,,,src,stoichiometry,no,,", "unit", "unknown unit"),
    ("FEEDS,a,b,,2,3,t/t,,,src,stoichiometry,no,,", "low", "empty required field"),
    # the price file (prices.csv): the same checks, plus money per quantity and a year
    ("metal,1,2,3,t/t,2011,,src,trade_press,no,,", "unit", "money per quantity"),
    ("metal,3,2,1,元/t,2011,,src,trade_press,no,,", "typical", "low ≤ typical ≤ high"),
    ("metal,1,2,3,元/t,2011,,src,trade press,no,,", "source_kind", "unknown source_kind"),
    ("metal,1,2,3,元/t,,,src,trade_press,no,,", "year", "empty required field"),
    ("metal,1,2,3,元/t,2011,,src,trade_press,maybe,,", "estimate", "expected yes or no"),
])
def test_a_bad_library_or_price_row_names_file_line_and_column(tmp_path, row, column, message):
    from chaingraph.reference import load_prices

    price = not row.split(",")[0].isupper()  # a price row starts with a product, not a type
    path = tmp_path / ("prices.csv" if price else "lib.csv")
    path.write_text((PRICE_HEADER if price else HEADER) + row + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        (load_prices if price else load_process_coefficients)(path)
    assert f"line 2, column {column}" in str(e.value) and message in str(e.value)


@pytest.mark.parametrize("name, header, row, column, message", [
    ("lib.csv", HEADER, "FEEDS,a,b,1,5,3,t/t,,,src,stoichiometry,no,,", "typical", "应满足 low ≤ typical ≤ high"),
    ("lib.csv", HEADER, "YIELD,a,b,40,50,60,t/t,,,src,stoichiometry,no,,", "unit", "单位必须是 '%'"),
    ("prices.csv", PRICE_HEADER, "metal,1,2,3,t/t,2011,,src,trade_press,no,,", "unit", "价格是每单位数量的金额"),
    ("prices.csv", PRICE_HEADER, "metal,1,2,3,元/t,2011,,src,trade_press,maybe,,", "estimate", "应为 yes 或 no"),
])
def test_library_and_price_errors_speak_chinese_under_zh(tmp_path, name, header, row, column, message):
    from chaingraph import i18n
    from chaingraph.reference import load_prices

    path = tmp_path / name
    path.write_text(header + row + "\n", encoding="utf-8")
    with i18n.language("zh"), pytest.raises(DataError) as e:
        (load_prices if name == "prices.csv" else load_process_coefficients)(path)
    assert f"第 2 行" in str(e.value) and column in str(e.value) and message in str(e.value)


def test_library_fills_in_and_a_city_figure_overrides_it(tmp_path):
    write_dataset(tmp_path, products=["electricity", "calcium_carbide", "pvc", "raw_coal", "washed_coal"],
                  links=[("FEEDS", "electricity", "calcium_carbide", None, None),
                         ("FEEDS", "calcium_carbide", "pvc", 1.7, "t/t"),
                         ("FEEDS", "raw_coal", "washed_coal", None, None)])
    links = {(l.from_, l.to): l for l in load_dataset(tmp_path).links}
    power = links["electricity", "calcium_carbide"]
    # GB 21343-2023 grade 1 (3,000 kWh/t) to an estimated 3,400 for 2011 furnaces
    assert (power.origin, power.ratio_min, power.ratio_max, power.source_kind) == ("library", 3000, 3400,
                                                                                    "national_standard")
    assert power.estimate and "GB 21343-2023" in power.ratio_source
    carbide = links["calcium_carbide", "pvc"]
    assert (carbide.origin, carbide.ratio, carbide.ratio_min) == ("dataset", 1.7, None)  # the city's own figure
    washing = links["raw_coal", "washed_coal"]  # a YIELD of 45–48.7–75 % becomes 100/yield t per t
    assert washing.ratio_min == pytest.approx(100 / 75, rel=1e-5) and washing.ratio_max == pytest.approx(100 / 45, rel=1e-5)
    # the typical is Wuhai's own 2020 ratio of washed clean coal to raw coal output, 1,741/3,576 万吨
    assert washing.ratio == pytest.approx(100 / 48.7, rel=1e-5) and washing.source_kind == "news"
    assert "1,741/3,576" in washing.ratio_source and washing.flag


def test_one_vocabulary_of_source_kinds_for_the_directory_and_the_library():
    from chaingraph.graph.model import DIRECTORY_SOURCE_KINDS, SOURCE_KINDS
    from chaingraph.labels import VALUES
    from chaingraph.loaders import csvfiles
    from chaingraph import reference

    assert reference.SOURCE_KINDS is SOURCE_KINDS  # the library validates against the model's list
    assert all(" " not in k for k in SOURCE_KINDS)  # one spelling, underscores
    assert set(DIRECTORY_SOURCE_KINDS) == set(SOURCE_KINDS) - {"stoichiometry", "estimate"}
    assert {c.source_kind for c in load_process_coefficients()} <= set(SOURCE_KINDS)
    assert set(SOURCE_KINDS) <= set(VALUES)  # every kind has a label for people (and a zh translation)
    links_spec = next(f for f in csvfiles.FILES if f.file == "links")
    assert "source_kind" in [c.name for c in links_spec.columns]


def test_every_figure_taken_from_a_publisher_names_it_with_kind_year_and_address():
    """A row that is not an estimate rests either on a publication (then it names the publisher
    and where, the kind, the year the figure held and an address) or on a working shown
    (stoichiometry, derived, geometry, mass balance)."""
    from chaingraph.graph.model import DERIVED_SOURCE_KINDS

    checked = 0
    for c in load_process_coefficients():
        if c.estimate:
            continue
        where = (c.type, c.from_, c.to)
        assert c.source and c.source_kind, where
        if c.source_kind in DERIVED_SOURCE_KINDS:
            assert c.source_kind == "stoichiometry", where  # "estimate" is never estimate=no
            assert c.source.split(":")[0].split(" ")[0] in ("stoichiometry", "derived", "geometry", "mass"), where
        else:
            checked += 1
            assert c.year, where
            assert "http://" in c.source or "https://" in c.source, where
            publisher = c.source.split("http")[0]
            assert len(publisher.strip(" ,;:(")) >= 10, where  # a publisher named before the address
    assert checked >= 1
