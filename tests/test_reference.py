"""The process coefficient library: its checks, and how a dataset's own figures override it."""
from __future__ import annotations

import pytest

from chaingraph.errors import DataError
from chaingraph.loaders import load_dataset
from chaingraph.reference import LIBRARY, load_process_coefficients

from datasets import write_dataset

HEADER = "type,from,to,low,typical,high,unit,year,region,source,source_kind,estimate,flag,note\n"


def test_the_shipped_library_loads_and_every_row_is_sourced():
    rows = load_process_coefficients()
    assert len(rows) >= 80
    assert all(r.source and r.source_kind for r in rows)
    assert LIBRARY.name == "process_coefficients.csv"


@pytest.mark.parametrize("row, column, message", [
    ("FEEDS,a,b,1,2,3,t/t,,,src,rumour,no,,", "source_kind", "unknown source_kind"),
    ("FEEDS,a,b,1,5,3,t/t,,,src,stoichiometry,no,,", "typical", "low ≤ typical ≤ high"),
    ("YIELD,a,b,40,50,60,t/t,,,src,stoichiometry,no,,", "unit", "unit must be '%'"),
    ("FEEDS,a,b,1,2,3,tonnes/t,,,src,stoichiometry,no,,", "unit", "unknown unit"),
    ("FEEDS,a,b,,2,3,t/t,,,src,stoichiometry,no,,", "low", "empty required field"),
])
def test_a_bad_library_row_names_file_line_and_column(tmp_path, row, column, message):
    path = tmp_path / "lib.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_process_coefficients(path)
    assert f"line 2, column {column}" in str(e.value) and message in str(e.value)


def test_library_fills_in_and_a_city_figure_overrides_it(tmp_path):
    write_dataset(tmp_path, products=["electricity", "calcium_carbide", "pvc", "raw_coal", "washed_coal"],
                  links=[("FEEDS", "electricity", "calcium_carbide", None, None),
                         ("FEEDS", "calcium_carbide", "pvc", 1.7, "t/t"),
                         ("FEEDS", "raw_coal", "washed_coal", None, None)])
    links = {(l.from_, l.to): l for l in load_dataset(tmp_path).links}
    power = links["electricity", "calcium_carbide"]
    assert (power.origin, power.ratio_min, power.ratio_max, power.source_kind) == ("library", 3050, 3400, "estimate")
    carbide = links["calcium_carbide", "pvc"]
    assert (carbide.origin, carbide.ratio, carbide.ratio_min) == ("dataset", 1.7, None)  # the city's own figure
    washing = links["raw_coal", "washed_coal"]  # a YIELD of 45–75 % becomes 100/yield t per t
    assert washing.ratio_min == pytest.approx(100 / 75, rel=1e-5) and washing.ratio_max == pytest.approx(100 / 45, rel=1e-5)
