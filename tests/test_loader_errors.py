"""Bad data: each case breaks one thing in a copy of the fixture dataset and expects one exact
`Error:` line naming file, line and column, exit code 1, and nothing on stdout."""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.loaders import csvfiles, load_dataset

OK = "OK: 8 products, 2 chains, 3 firms, 4 regions, 6 capacities, 2 targets, 7 links in {dir}"


# -- ways to break a dataset -------------------------------------------------------------------

def replace(file: str, old: str, new: str):
    def mutate(d: Path) -> None:
        text = (d / file).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {file}"
        (d / file).write_text(text.replace(old, new), encoding="utf-8")
    return mutate


def replace_bytes(file: str, old: bytes, new: bytes):
    def mutate(d: Path) -> None:
        data = (d / file).read_bytes()
        assert data.count(old) == 1
        (d / file).write_bytes(data.replace(old, new))
    return mutate


def append(file: str, line: str):
    def mutate(d: Path) -> None:
        with open(d / file, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    return mutate


def edit_columns(file: str, drop: str | None = None, add: str | None = None):
    """Drop a column, or add one (an empty cell on every row)."""
    def mutate(d: Path) -> None:
        rows = list(csv.reader(io.StringIO((d / file).read_text(encoding="utf-8"))))
        if drop:
            i = rows[0].index(drop)
            rows = [row[:i] + row[i + 1:] for row in rows]
        if add:
            rows = [rows[0] + [add]] + [row + [""] for row in rows[1:]]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (d / file).write_text(buffer.getvalue(), encoding="utf-8")
    return mutate


def delete(file: str):
    return lambda d: (d / file).unlink()


def encode(file: str, encoding: str, extra: str = ""):
    """Re-save a file in another encoding, optionally with `extra` text appended to it."""
    def mutate(d: Path) -> None:
        (d / file).write_bytes(((d / file).read_text(encoding="utf-8") + extra).encode(encoding))
    return mutate


def write(file: str, data: bytes):
    return lambda d: (d / file).write_bytes(data)


# a producer directory for the fixture: country cn holds province_x; delta makes PVC in othercity
DIRECTORY = ("firm,name_zh,name_en,aliases,region,province,country,product,route,feed,capacity,unit,status,year,"
             "project,publisher,source_kind,url,where,mirror_of,note")
DELTA = ("delta,德尔塔化工,,,othercity,province_x,cn,pvc,carbide acetylene,carbide,10,万吨,operating,2010,,"
         "某化工报,trade_press,https://example.org/pvc,table 1,,")


def directory(*rows: str):
    def mutate(d: Path) -> None:
        replace("regions.csv", "X Province,province,,", "X Province,province,cn,")(d)
        append("regions.csv", "cn,某国,Country,country,,,")(d)
        (d / "directory.csv").write_text("\n".join([DIRECTORY, *rows]) + "\n", encoding="utf-8")
    return mutate


def directory_row(old: str, new: str) -> str:
    assert DELTA.count(old) == 1, old
    return DELTA.replace(old, new)


# (case id, mutation, file, line, column, message)
CASES = [
    ("missing column", edit_columns("products.csv", drop="unit"), "products.csv", 1, "unit",
     "missing column 'unit'"),
    ("unknown column", edit_columns("regions.csv", add="colour"), "regions.csv", 1, "colour",
     "unknown column 'colour'"),
    ("duplicate column", edit_columns("regions.csv", add="note"), "regions.csv", 1, "note",
     "duplicate column 'note'"),
    ("empty required", replace("products.csv", "coke,焦炭,", "coke,,"), "products.csv", 3, "name_zh",
     "empty required field"),
    ("blank required", replace("products.csv", "coke,焦炭,", "coke, ,"), "products.csv", 3, "name_zh",
     "empty required field"),
    ("bad id", replace("products.csv", "coke,焦炭", "Coke,焦炭"), "products.csv", 3, "id",
     "bad id 'Coke' (expected [a-z0-9_]+)"),
    ("duplicate id", append("firms.csv", "alpha,阿尔法二号,,,minicity,,firm,,伽马公司中试基地,"),
     "firms.csv", 5, "id", "duplicate id 'alpha' (first on line 2)"),
    ("unknown product", replace("capacities.csv", ",othercity,pvc,", ",othercity,pvcc,"),
     "capacities.csv", 7, "product",
     "unknown product 'pvcc'; closest: pvc (聚氯乙烯), pvc_pipe (塑料管材)"),
    ("unknown firm", replace("capacities.csv", "beta,,lng", "betta,,lng"), "capacities.csv", 5, "firm",
     "unknown firm 'betta'; closest: beta (贝塔化工)"),
    ("unknown region", replace("firms.csv", "Gamma,,minicity", "Gamma,,mini_city"), "firms.csv", 4,
     "region", "unknown region 'mini_city'; closest: minicity (小城市)"),
    ("unknown region, no match", replace("targets.csv", "value_added,minicity", "value_added,x"),
     "targets.csv", 3, "region", "unknown region 'x'"),
    ("unknown parent region", replace("regions.csv", "park,minicity", "park,minicty"), "regions.csv",
     4, "parent", "unknown region 'minicty'; closest: minicity (小城市)"),
    ("unknown parent firm", replace("firms.csv", "east_park,alpha,", "east_park,alfa,"), "firms.csv", 3,
     "parent", "unknown firm 'alfa'; closest: alpha (阿尔法焦化)"),
    ("parent cycle", replace("regions.csv", "X Province,province,,", "X Province,province,east_park,"),
     "regions.csv", 2, "parent", "parent cycle: province_x -> east_park -> minicity -> province_x"),
    ("unknown product in steps", replace("chains.csv", "焦=coke >", "焦=cokes >"), "chains.csv", 2,
     "steps", "unknown product 'cokes'; closest: coke (焦炭)"),
    ("unknown product in links", replace("links.csv", "coke_oven_gas,lng", "coke_oven_gas,lgn"),
     "links.csv", 4, "to", "unknown product 'lgn'; closest: lng (液化天然气)"),
    ("not a number", replace("capacities.csv", "lng,23,", "lng,abc,"), "capacities.csv", 5, "capacity",
     "not a number: 'abc'"),
    ("nan is not a number", replace("capacities.csv", "lng,23,", "lng,nan,"), "capacities.csv", 5,
     "capacity", "not a number: 'nan'"),
    ("target not a number", replace("targets.csv", "工业增加值,320,", "工业增加值,三百二十,"),
     "targets.csv", 3, "value", "not a number: '三百二十'"),
    ("negative capacity", replace("capacities.csv", "lng,23,", "lng,-5,"), "capacities.csv", 5,
     "capacity", "negative capacity: -5"),
    ("negative ratio", replace("links.csv", "YIELDS,carbide,carbide_slag,1.2,", "YIELDS,carbide,carbide_slag,-1.2,"),
     "links.csv", 7, "ratio", "negative ratio: -1.2"),
    ("unknown product unit", replace("products.csv", "building_materials,t,", "building_materials,tonnes,"),
     "products.csv", 9, "unit", "unknown unit 'tonnes'"),
    ("unknown capacity unit", replace("capacities.csv", "lng,23,万吨", "lng,23,万t"), "capacities.csv", 5,
     "unit", "unknown unit '万t'"),
    ("capacity without unit", replace("capacities.csv", "lng,23,万吨", "lng,23,"), "capacities.csv", 5,
     "unit", "empty unit (required with a capacity)"),
    ("no firm and no region", replace("capacities.csv", ",othercity,pvc", ",,pvc"), "capacities.csv", 7,
     "region", "empty region (required when firm is empty)"),
    ("unknown status", replace("capacities.csv", "planned", "前期"), "capacities.csv", 6, "status",
     "unknown status '前期' (expected operating, building, planned)"),
    ("year not whole", replace("capacities.csv", "operating,2011,", "operating,2011年,"),
     "capacities.csv", 2, "year", "not a whole number: '2011年'"),
    ("unknown bound", replace("targets.csv", "min,2011", "minimum,2011"), "targets.csv", 2, "bound",
     "unknown bound 'minimum' (expected min, max, approx, exact, range)"),
    ("range without value_max", replace("targets.csv", "approx,2011", "range,2011"), "targets.csv", 3,
     "value_max", "empty value_max (required with bound 'range')"),
    ("value_max below value", replace("targets.csv", "200,,万吨", "200,150,万吨"), "targets.csv", 2,
     "value_max", "value_max 150 < value 200"),
    ("unknown level", replace("regions.csv", "park,minicity", "zone,minicity"), "regions.csv", 4, "level",
     "unknown level 'zone' (expected country, province, city, district, park)"),
    ("unknown type", replace("links.csv", "FEEDS,pvc,pvc_pipe", "FEED,pvc,pvc_pipe"), "links.csv", 8,
     "type", "unknown type 'FEED' (expected FEEDS, YIELDS)"),
    ("unknown kind", replace("firms.csv", "plant", "factory"), "firms.csv", 3, "kind",
     "unknown kind 'factory' (expected firm, plant, research, public)"),
    ("yes/no written", replace("chains.csv", "gas,coking,煤=coal > 焦=coke > 煤气=coke_oven_gas|lng,yes,",
                               "gas,coking,煤=coal > 焦=coke > 煤气=coke_oven_gas|lng,Y,"),
     "chains.csv", 2, "written", "unknown written 'Y' (expected yes, no)"),
    ("yes/no estimate", replace("links.csv", "t/t,yes,", "t/t,maybe,"), "links.csv", 5, "estimate",
     "unknown estimate 'maybe' (expected yes, no)"),
    ("empty chain", replace("chains.csv", "carbide > pvc > pvc_pipe", ""), "chains.csv", 3, "steps",
     "empty chain"),
    ("empty step", replace("chains.csv", "carbide > pvc > pvc_pipe", "carbide >  > pvc_pipe"),
     "chains.csv", 3, "steps", "empty step 2"),
    ("labelled empty step", replace("chains.csv", "焦=coke >", "焦= >"), "chains.csv", 2, "steps",
     "empty step 2"),
    ("bad ratio unit", replace("links.csv", "1.2,,,t/t", "1.2,,,t per t"), "links.csv", 7, "ratio_unit",
     "bad ratio unit 't per t' (expected unit/unit, e.g. t/t)"),
    ("unknown unit in ratio unit", replace("links.csv", "m3/t", "m³/t"), "links.csv", 3, "ratio_unit",
     "bad ratio unit 'm³/t': unknown unit 'm³'"),
    ("ratio without unit", replace("links.csv", "0.6,,,t/t,", "0.6,,,,"), "links.csv", 5, "ratio_unit",
     "empty ratio_unit (required with a ratio)"),
    ("ratio_min > ratio_max", replace("links.csv", "1.5,1.4,1.6", "1.5,1.6,1.4"), "links.csv", 6,
     "ratio_min", "ratio_min 1.6 > ratio_max 1.4"),
    ("duplicate link", append("links.csv", "YIELDS,coal,coke,,,,,,,发展电石,"), "links.csv", 9, "to",
     "duplicate link coal -> coke (first on line 2)"),
    ("no home region", replace("regions.csv", ",yes,", ",,"), "regions.csv", 1, "home",
     "no home region (expected home=yes on exactly one row)"),
    ("two home regions", replace("regions.csv", "City,city,province_x,,", "City,city,province_x,yes,"),
     "regions.csv", 5, "home", "more than one home region (first on line 3)"),
    ("name used twice", replace("products.csv", "PVC管材,", "PVC管材;pvc,"), "products.csv", 9, "aliases",
     "name 'pvc' also names product 'pvc' (line 8)"),
    ("name used twice, other case", replace("products.csv", "PVC管材,", "PVC管材;Coal,"), "products.csv", 9,
     "aliases", "name 'Coal' also names product 'coal' (line 2)"),
    ("too few fields", append("targets.csv", "x,minicity,"), "targets.csv", 4, "-", "3 fields, expected 12"),
    ("missing file", delete("targets.csv"), "targets.csv", 1, "-", "file not found"),
    # Excel's "Unicode text" is UTF-16: its byte-order mark FF FE is neither UTF-8 nor GB18030
    ("neither UTF-8 nor GB18030", encode("products.csv", "utf-16"), "products.csv", 1, "-",
     'neither UTF-8 nor GB18030 text; re-save it in Excel as "CSV UTF-8 (逗号分隔)"'),
    ("not UTF-8 nor GB18030 on line 3", replace_bytes("products.csv", "coke,焦炭,".encode(), b"coke,\xff,"),
     "products.csv", 3, "-", 'neither UTF-8 nor GB18030 text; re-save it in Excel as "CSV UTF-8 (逗号分隔)"'),
    ("empty file", write("products.csv", b""), "products.csv", 1, "-", "empty file"),
    ("blank file", write("targets.csv", b"\xef\xbb\xbf\r\n\r\n"), "targets.csv", 1, "-", "empty file"),
    ("unterminated quote", replace("products.csv", "coke,焦炭,coke,", 'coke,焦炭,"coke,'), "products.csv", 3,
     "name_en", "unterminated quote: a quoted field opened here never closes"),
    ("unterminated quote after a quoted newline",
     lambda d: (replace("products.csv", "焦;炼焦,coking,t,", '焦;炼焦,coking,t,"two\nlines"')(d),
                replace("products.csv", "building_materials,t,", 'building_materials,t,"open')(d)),
     "products.csv", 10, "note", "unterminated quote: a quoted field opened here never closes"),
    ("unterminated quote that runs to the next quote",
     lambda d: (replace("products.csv", "coke,焦炭,coke,", 'coke,焦炭,"coke,')(d),
                replace("products.csv", "building_materials,t,", 'building_materials,t,"a note"')(d)),
     "products.csv", 3, "name_en", "unterminated quote: a quoted field opened here never closes"),
    ("unterminated quote in the header", replace("links.csv", "type,from,", '"type,from,'), "links.csv", 1,
     "-", "unterminated quote: a quoted field opened here never closes"),
    ("text after a closing quote", replace("products.csv", "coke,焦炭,coke,", 'coke,焦炭,"coke"s,'), "products.csv",
     3, "-", "bad CSV: ',' expected after '\"'"),
    ("self-link", append("links.csv", "FEEDS,coke,coke,,,,,,,发展电石,"), "links.csv", 9, "to",
     "link from coke to itself"),
    ("self-yield", append("links.csv", "YIELDS,carbide_slag,carbide_slag,,,,,,,发展电石,"), "links.csv", 9, "to",
     "link from carbide_slag to itself"),
    ("cycle", append("links.csv", "FEEDS,pvc_pipe,coke,,,,,,,PVC管材,"), "links.csv", 5, "to",
     "cycle of FEEDS links: coke -> carbide -> pvc -> pvc_pipe -> coke (allowed only when every link of it "
     "is a recycle loop, marked recycle=yes)"),
    ("cycle marked in part", lambda d: (edit_columns("links.csv", add="recycle")(d),
                                        append("links.csv", "FEEDS,pvc_pipe,coke,,,,,,,PVC管材,,yes")(d)),
     "links.csv", 5, "to", "cycle of FEEDS links: coke -> carbide -> pvc -> pvc_pipe -> coke (allowed only "
     "when every link of it is a recycle loop, marked recycle=yes)"),
    ("bad recycle", lambda d: (edit_columns("links.csv", add="recycle")(d),
                               replace("links.csv", "pvc_pipe,,,,,,,PVC管材,,", "pvc_pipe,,,,,,,PVC管材,,maybe")(d)),
     "links.csv", 8, "recycle", "unknown recycle 'maybe' (expected yes, no)"),
    ("quote not found", replace("firms.csv", "伽马公司中试基地", "伽马公司研发中心"), "firms.csv", 4,
     "source", "quote not found in sources/: '伽马公司研发中心'"),
    ("quote fragment not found", replace("chains.csv", "发展电石 … PVC管材", "发展电石 … PVC型材"),
     "chains.csv", 3, "source", "quote not found in sources/: 'PVC型材'"),
    ("long quote shortened", replace("firms.csv", "伽马公司中试基地", "伽马公司中试基地" * 5), "firms.csv", 4,
     "source", "quote not found in sources/: '" + ("伽马公司中试基地" * 4)[:30] + "…'"),
    ("ratio_source not found", replace("links.csv", "1.2 t dry slag per t carbide", "1.3 t dry slag"),
     "links.csv", 7, "ratio_source", "quote not found in sources/: '1.3 t dry slag'"),
    ("sources neither UTF-8 nor GB18030", write("sources/old.txt", "第一行\n第二行".encode("utf-16")),
     "sources/old.txt", 1, "-", 'neither UTF-8 nor GB18030 text; re-save it in Excel as "CSV UTF-8 (逗号分隔)"'),
    ("directory row without source kind", directory(directory_row(",trade_press,", ",,")), "directory.csv", 2,
     "source_kind", "empty source_kind (expected one of annual_report, prospectus, exchange_filing, government, "
     "association, yearbook, trade_press, news, company_site, journal, national_standard, handbook, encyclopedia)"),
    ("directory row of an unknown kind", directory(directory_row(",trade_press,", ",blog,")), "directory.csv", 2,
     "source_kind", "unknown source_kind 'blog' (expected annual_report, prospectus, exchange_filing, government, "
     "association, yearbook, trade_press, news, company_site, journal, national_standard, handbook, encyclopedia)"),
    ("directory row resting on stoichiometry", directory(directory_row(",trade_press,", ",stoichiometry,")),
     "directory.csv", 2, "source_kind", "unknown source_kind 'stoichiometry' (expected annual_report, prospectus, "
     "exchange_filing, government, association, yearbook, trade_press, news, company_site, journal, "
     "national_standard, handbook, encyclopedia)"),
    ("directory row without year", directory(directory_row(",2010,", ",,")), "directory.csv", 2, "year",
     "empty year (the year the figure held)"),
    ("directory row without country", directory(directory_row(",cn,", ",,")), "directory.csv", 2, "country",
     "empty required field"),
    ("directory url on a bare IP", directory(directory_row("example.org", "120.26.169.90")), "directory.csv", 2,
     "url", "bare IP address '120.26.169.90': cite the publisher's named site"),
    ("directory url on an IPv6 literal", directory(directory_row("example.org", "[2001:db8::1]:8080")),
     "directory.csv", 2, "url", "bare IP address '2001:db8::1': cite the publisher's named site"),
    ("directory url not a web address", directory(directory_row("https://example.org/pvc", "example.org")),
     "directory.csv", 2, "url", "not a web address: 'example.org'"),
    ("directory province not the region's", directory(directory_row(",province_x,", ",,")), "directory.csv", 2,
     "province", "province '' does not match region 'othercity': expected 'province_x'"),
    ("directory country not a country", directory(directory_row(",cn,", ",province_x,")), "directory.csv", 2,
     "country", "country 'province_x' is a province, not a country"),
    ("directory firm from firms.csv", directory(directory_row("delta,德尔塔化工", "alpha,")), "directory.csv", 2,
     "firm", "firm 'alpha' is already in firms.csv (line 2); the directory lists firms of its own"),
    ("directory firm renamed", directory(DELTA, directory_row("德尔塔化工", "德尔塔公司")), "directory.csv", 3,
     "name_zh", "name_zh differs from the firm's first row (line 2)"),
    ("directory firm without name", directory(directory_row("德尔塔化工", "")), "directory.csv", 2,
     "name_zh", "empty name_zh (required on a firm's first row)"),
    ("directory feed not a product", directory(directory_row(",carbide,", ",carbyde,")), "directory.csv", 2,
     "feed", "unknown product 'carbyde'; closest: carbide (电石), carbide_slag (电石渣)"),
]


def run(args: list[str]):
    return CliRunner().invoke(cli, args)


@pytest.mark.parametrize("mutate, file, line, column, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command, batch", [("validate", None), ("info", None), ("validate", 2)],
                         ids=["validate", "info", "validate-in-batches-of-2"])
def test_bad_data(mini_copy, monkeypatch, command, batch, mutate, file, line, column, message):
    """`batch`: firms and capacities read 2 rows at a time, so that rows before the bad one are
    read column by column (loaders/csvfiles.py `_batch_columns`) and the bad one's batch row by row."""
    if batch:
        monkeypatch.setattr(csvfiles, "BATCH", batch)
    mutate(mini_copy)
    result = run(["--data", str(mini_copy), command])
    assert result.stderr == f"Error: {mini_copy}/{file}, line {line}, column {column}: {message}\n"
    assert result.stdout == ""
    assert result.exit_code == 1


def test_bad_data_in_a_real_process(mini_copy):
    replace("products.csv", "building_materials,t,", "building_materials,tonnes,")(mini_copy)
    done = subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini_copy), "validate"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.stderr == f"Error: {mini_copy}/products.csv, line 9, column unit: unknown unit 'tonnes'\n"
    assert (done.stdout, done.returncode) == ("", 1)


def test_path_is_shown_as_given(mini_copy, monkeypatch):
    replace("regions.csv", "park,minicity", "zone,minicity")(mini_copy)
    monkeypatch.chdir(mini_copy.parent)
    result = run(["--data", "data/", "validate"])
    assert result.stderr.startswith("Error: data/regions.csv, line 4, column level: ")


def test_line_is_the_physical_line_of_the_record(mini_copy):
    # a quoted note spanning two lines moves every later record down by one
    replace("products.csv", "焦;炼焦,coking,t,", '焦;炼焦,coking,t,"two\nlines"')(mini_copy)
    replace("products.csv", "building_materials,t,", "building_materials,tonnes,")(mini_copy)
    assert run(["--data", str(mini_copy), "validate"]).stderr == (
        f"Error: {mini_copy}/products.csv, line 10, column unit: unknown unit 'tonnes'\n")


def test_missing_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_DATA", str(tmp_path / "nowhere"))
    result = run(["info"])
    assert (result.stderr, result.exit_code) == (f"Error: data folder not found: {tmp_path / 'nowhere'}\n", 1)


# -- valid variations still load ---------------------------------------------------------------

def to_crlf(d: Path) -> None:
    for path in d.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def add_bom(d: Path) -> None:
    for path in d.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def remove_sources(d: Path) -> None:
    for path in (d / "sources").iterdir():
        path.unlink()
    (d / "sources").rmdir()


def mark_recycle_loop(d: Path) -> None:
    """A loop of FEEDS links, every one marked recycle=yes (the rest of the file says nothing)."""
    edit_columns("links.csv", add="recycle")(d)
    append("links.csv", "FEEDS,pvc_pipe,pvc,,,,,,,PVC管材,,yes")(d)
    replace("links.csv", "pvc_pipe,,,,,,,PVC管材,,\n", "pvc_pipe,,,,,,,PVC管材,,yes\n")(d)

# GB18030, as Excel saves "CSV (逗号分隔)" on a Chinese Windows; 𠮷 is outside GBK (four bytes in GB18030)
GB18030_ALIAS = "𠮷焦"


def move_first_column_last(file: str):
    def mutate(d: Path) -> None:
        rows = list(csv.reader(io.StringIO((d / file).read_text(encoding="utf-8"))))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(row[1:] + row[:1] for row in rows)
        (d / file).write_text(buffer.getvalue(), encoding="utf-8")
    return mutate


# (case id, mutation, capacity rows afterwards)
VALID = [
    ("BOM", add_bom, 6),
    ("CRLF", to_crlf, 6),
    ("quoted comma", replace("products.csv", "coke,焦炭,coke,", 'coke,焦炭,"coke, metallurgical",'), 6),
    ("quoted newline and CRLF",
     lambda d: (replace("products.csv", "by-product of coking", '"by-product\nof coking"')(d), to_crlf(d)), 6),
    ("unit without capacity", replace("capacities.csv", "carbide,30,万吨", "carbide,,万吨"), 6),
    ("unit of another base", append("capacities.csv", "beta,,pvc_pipe,5,MW,planned,,,别城PVC产能100万吨,"), 7),
    ("blank lines", lambda d: (append("links.csv", "")(d), append("links.csv", ",,,,,,,,,,")(d)), 6),
    ("GB18030", lambda d: (replace("products.csv", "焦;炼焦,", f"焦;炼焦;{GB18030_ALIAS},")(d),
                           encode("products.csv", "gb18030")(d), encode("capacities.csv", "gb18030")(d)), 6),
    ("GB18030 sources", encode("sources/guide.txt", "gb18030"), 6),
    ("web source", append("capacities.csv", "beta,,pvc_pipe,,,operating,,,https://example.org/pipes — producer list,"), 7),
    ("columns in another order", move_first_column_last("regions.csv"), 6),
]


@pytest.mark.parametrize("mutate, capacities", [v[1:] for v in VALID], ids=[v[0] for v in VALID])
def test_valid_variations_load(mini_copy, mutate, capacities):
    mutate(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert result.stderr == ""
    assert result.stdout == OK.format(dir=mini_copy).replace("6 capacities", f"{capacities} capacities") + "\n"


def test_gb18030_is_read_as_chinese(mini_copy):
    replace("products.csv", "焦;炼焦,", f"焦;炼焦;{GB18030_ALIAS},")(mini_copy)
    encode("products.csv", "gb18030")(mini_copy)
    assert len("𠮷".encode("gb18030")) == 4  # a four-byte GB18030 sequence: not in GBK
    with pytest.raises(UnicodeDecodeError):
        (mini_copy / "products.csv").read_bytes().decode("utf-8")
    coke = next(p for p in load_dataset(mini_copy).products if p.id == "coke")
    assert (coke.name_zh, coke.aliases) == ("焦炭", ("焦", "炼焦", GB18030_ALIAS))
    result = run(["--data", str(mini_copy), "trace", GB18030_ALIAS, "--depth", "1", "--format", "csv"])
    assert result.stdout.splitlines()[1].startswith("1,coke,焦炭,coke_oven_gas,焦炉煤气,YIELDS,")


def test_a_marked_recycle_loop_loads(mini_copy):
    mark_recycle_loop(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert result.stdout == OK.format(dir=mini_copy).replace("7 links", "8 links") + "\n"
    assert {(link.from_, link.to) for link in load_dataset(mini_copy).links if link.recycle} == {
        ("pvc", "pvc_pipe"), ("pvc_pipe", "pvc")}


def test_missing_sources_folder(mini_copy):
    remove_sources(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert result.stderr == (f"Error: {mini_copy}/firms.csv, line 2, column source: quote cannot be checked: "
                             f"folder {mini_copy}/sources not found\n")
    assert (result.stdout, result.exit_code) == ("", 1)


def test_web_sources_need_no_sources_folder(tmp_path):
    from datasets import write_dataset
    folder = write_dataset(tmp_path, products=["ore", "metal"], capacities=[("f1", "ore", 1, "万吨", "operating")])
    shutil.rmtree(folder / "sources")
    for path in folder.glob("*.csv"):  # every quote becomes a web citation
        path.write_text(path.read_text(encoding="utf-8").replace(",test,", ",https://example.org/x — table 1,"),
                        encoding="utf-8")
    assert run(["--data", str(folder), "validate"]).exit_code == 0


def test_directory_rows_become_firms_and_capacities(mini_copy):
    directory(DELTA, directory_row("delta,德尔塔化工", "delta,").replace(",pvc,", ",pvc_pipe,"))(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert result.stdout == OK.format(dir=mini_copy).replace("3 firms, 4 regions, 6 capacities",
                                                             "4 firms, 5 regions, 8 capacities") + "\n"
    ds = load_dataset(mini_copy)
    delta = next(f for f in ds.firms if f.id == "delta")
    assert (delta.name_zh, delta.region, delta.source) == ("德尔塔化工", "othercity", "https://example.org/pvc — table 1")
    rows = [c for c in ds.capacities if c.firm == "delta"]
    assert [(c.product, c.route, c.feed, c.year, c.source_kind, c.capacity_base) for c in rows] == [
        ("pvc", "carbide acetylene", ("carbide",), 2010, "trade_press", 100_000.0),
        ("pvc_pipe", "carbide acetylene", ("carbide",), 2010, "trade_press", 100_000.0)]
    assert min(c.line for c in rows) > max(c.line for c in ds.capacities if c.firm != "delta")


def test_a_host_name_of_hex_letters_and_digits_is_not_an_ip_address(mini_copy):
    directory(directory_row("https://example.org/pvc", "https://cafe1.de:8443/pvc"))(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert (result.stderr, result.exit_code) == ("", 0)


def test_quoted_comma_is_kept(mini_copy):
    replace("products.csv", "coke,焦炭,coke,", 'coke,焦炭,"coke, metallurgical",')(mini_copy)
    coke = next(p for p in load_dataset(mini_copy).products if p.id == "coke")
    assert coke.name_en == "coke, metallurgical"


def test_validate_takes_data_after_the_command(mini):
    result = run(["validate", "--data", str(mini)])
    assert result.stdout == OK.format(dir=mini) + "\n"


def test_default_data_dir_from_environment(mini, monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_DATA", str(mini))
    assert run(["validate"]).stdout == OK.format(dir=mini) + "\n"


def test_sources_are_read_relative_to_the_data_dir(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy)
    assert run(["--data", ".", "validate"]).exit_code == 0
    assert os.path.isdir("sources")


@pytest.mark.parametrize("batch", [None, 2])
def test_an_id_over_two_lines_is_a_bad_id(mini_copy, monkeypatch, batch):
    """The batch reader checks a column of ids with one match over the lines they make when joined:
    an id holding a line break must still fail, and the record's first line is the one named."""
    if batch:
        monkeypatch.setattr(csvfiles, "BATCH", batch)
    replace("firms.csv", "\nbeta,", '\n"be\nta",')(mini_copy)
    result = run(["--data", str(mini_copy), "validate"])
    assert result.stderr == f"Error: {mini_copy}/firms.csv, line 3, column id: bad id 'be\\nta' (expected [a-z0-9_]+)\n"
    assert result.exit_code == 1
