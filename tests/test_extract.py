"""`chaingraph extract`: texts in other styles with their expected rows, the Wuhai text end to end
(extract -> validate -> gaps), and bad input (missing, undecodable, output folder exists)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.extract import ExtractError, extract
from chaingraph.loaders.csvfiles import load_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
WUHAI = Path(__file__).resolve().parents[1] / "data" / "sources" / "wuhai_2011_guideline.txt"


def read(folder: Path, name: str) -> list[dict]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def facts(folder: Path) -> set[tuple]:
    names = {r["id"]: r["name_zh"] for r in read(folder, "firms")}
    return {(names[r["firm"]], r["product"], r["capacity"], r["unit"], r["status"]) for r in read(folder, "capacities")}


def targets(folder: Path) -> set[tuple]:
    return {(r["subject"], r["value"], r["value_max"], r["unit"], r["bound"], r["year"]) for r in read(folder, "targets")}


def test_county_report_in_traditional_characters(tmp_path):
    out = tmp_path / "draft"
    summary = extract([FIXTURES / "county_traditional.txt"], out)
    assert summary["region"] == "清河縣" and summary["year"] == 2013
    chains = read(out, "chains")
    assert [(c["name_zh"], c["steps"], c["written"]) for c in chains] == [
        ("原煤—焦炭—甲醇—二甲醚", "原煤=raw_coal > 焦炭=coke > 甲醇=methanol > 二甲醚=dimethyl_ether", "yes")]
    # names and quotes stay in the original script
    assert {r["name_zh"] for r in read(out, "firms")} == {"鑫源焦化有限公司", "泰和化工公司", "宏達集團"}
    assert facts(out) == {
        ("鑫源焦化有限公司", "coke", "60", "万吨", "building"),
        ("鑫源焦化有限公司", "methanol", "20", "万吨", "building"),
        ("泰和化工公司", "dimethyl_ether", "10", "万吨", "building"),
        ("宏達集團", "polypropylene", "5", "万吨", "planned"),  # 引進 … 前期工作
    }
    assert targets(out) == {
        ("全縣地區生產總值", "120", "", "亿元", "min", "2013"),
        ("增長", "12", "", "%", "approx", "2013"),
        ("規模以上工業增加值", "45", "", "亿元", "min", "2013"),
        ("焦炭產能", "300", "", "万吨", "max", "2013"),
    }
    text = (out / "sources" / "county_traditional.txt").read_text(encoding="utf-8")
    for name in ("firms", "capacities", "targets", "chains"):
        for row in read(out, name):
            assert row["source"] in text
    assert [r["from"] + ">" + r["to"] for r in read(out, "links")] == [
        "raw_coal>coke", "coke>methanol", "methanol>dimethyl_ether"]


def test_park_plan_with_a_table_like_list(tmp_path):
    out = tmp_path / "draft"
    extract([FIXTURES / "park_plan.txt"], out, year=2015)
    regions = read(out, "regions")
    assert [(r["name_zh"], r["level"], r["home"]) for r in regions] == [("金山化工园区", "park", "yes")]
    assert [(c["name_zh"], c["written"]) for c in read(out, "chains")] == [
        ("煤炭→焦炭→焦炉煤气→甲醇", "yes"), ("原盐→烧碱→聚氯乙烯", "yes")]
    assert facts(out) == {
        ("华北能源集团", "coke", "120", "万吨", "building"),  # 在建
        ("金石化工有限公司", "caustic_soda", "30", "万吨", "operating"),  # 已建成投产
        ("远景新材料公司", "pvc", "10", "万吨", "planned"),  # 规划建设
    }
    assert targets(out) == {
        ("园区工业总产值", "200", "", "亿元", "min", "2017"),
        ("固体废物综合利用率", "85", "", "%", "min", "2017"),
    }
    proposed = [p for p in read(out, "products") if p["note"] == "proposed"]
    assert [p["name_zh"] for p in proposed] == ["原盐"]  # not in any lexicon
    review = read(out, "review")
    assert review[0]["kind"] == "product" and "原盐" in review[0]["item"]
    confidences = [float(r["confidence"]) for r in review]
    assert confidences == sorted(confidences)  # lowest first
    assert len(review) == sum(len(read(out, n)) for n in ("products", "firms", "capacities", "targets", "chains",
                                                          "links"))  # one row per item
    for row in review:
        assert row["why"] and row["source"]


def test_work_report_skips_the_review_of_last_year(tmp_path):
    out = tmp_path / "draft"
    summary = extract([FIXTURES / "work_report.txt"], out)
    assert summary["region"] == "东川市" and summary["year"] == 2014
    # 2013's results (完成了, 过去一年) are not targets; 亿元以上项目 is a class of projects, not a goal
    assert targets(out) == {
        ("全市地区生产总值预期增长", "9", "", "%", "approx", "2014"),
        ("固定资产投资增长", "15", "", "%", "min", "2014"),
        ("万元GDP能耗下降", "3.5", "", "%", "min", "2014"),
        ("城镇登记失业率", "4", "", "%", "max", "2014"),
        ("引进亿元以上项目", "50", "", "个", "min", "2014"),
    }
    # a dash in prose (做强化工产业——延伸) is not a chain
    assert [c["name_zh"] for c in read(out, "chains")] == ["原盐—烧碱—PVC—PVC型材"]
    assert facts(out) == {
        ("万华化学集团", "mdi", "60", "万吨", "operating"),  # 建成投产: the clause's own verb
        ("东川钢铁有限公司", "reya_bancai", "300", "万吨", "operating"),  # 竣工
        ("中盐东川化工有限公司", "caustic_soda", "40", "万吨", "building"),
        ("中盐东川化工有限公司", "pvc", "30", "万吨", "building"),
        ("宏远塑业公司", "pvc_profile", "15", "万吨", "building"),
        ("东川热电厂", "electricity", "70", "万千瓦", "building"),  # 2×35万千瓦 机组 of a power plant
    }
    proposed = {p["name_zh"] for p in read(out, "products") if p["note"] == "proposed"}
    assert proposed == {"MDI", "热轧板材", "原盐"}
    aliases = {r["name_zh"]: r["aliases"] for r in read(out, "firms")}
    assert aliases["万华化学集团"] == "万华化学"  # so 支持东川钢铁、万华化学等企业 adds no new firm
    assert len(aliases) == 5


def test_five_year_plan_with_a_project_box(tmp_path):
    out = tmp_path / "draft"
    summary = extract([FIXTURES / "five_year_plan.txt"], out)
    assert summary["year"] == 2011  # （2011—2015年）: the plan starts in 2011
    # rows of a project box: short name, figure, product; no verb, so the status is a guess for review
    assert facts(out) == {
        ("伊泰", "coal_to_liquids", "200", "万吨", "building"),
        ("神华", "coal_to_liquids", "300", "万吨", "building"),  # 神华二期: not 伊泰's
        ("汇能", "meizhi_qi", "1600000000", "立方米", "building"),  # 16亿立方米, 煤制气 proposed
        ("久泰", "methanol", "100", "万吨", "building"),
        ("博源", "methanol", "60", "万吨", "building"),
    }
    caps = read(out, "capacities")
    assert next(r for r in caps if r["firm"] == "huineng")["note"] == "written 16亿立方米"
    assert targets(out) == {
        ("全市煤炭产量", "6.5", "", "亿吨", "approx", "2015"),
        ("煤化工产值", "2000", "", "亿元", "min", "2015"),
    }
    review = {r["item"]: r for r in read(out, "review")}
    assert "no status verb" in review["yitai makes coal_to_liquids 200 万吨"]["why"]
    assert read(out, "chains") == []  # （2011—2015年） is not a chain


def test_gb18030_input_is_read_and_copied_as_utf8(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_bytes((FIXTURES / "park_plan.txt").read_text(encoding="utf-8").encode("gb18030"))
    out = tmp_path / "draft"
    extract([source], out)
    assert (out / "sources" / "plan.txt").read_text(encoding="utf-8") == (FIXTURES / "park_plan.txt").read_text(
        encoding="utf-8")
    load_dataset(out)


def test_wuhai_end_to_end_extract_validate_gaps(tmp_path):
    out = tmp_path / "d"
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", str(WUHAI), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "region 乌海市, year 2011" in result.output
    result = runner.invoke(cli, ["validate", "--data", str(out)])
    assert result.exit_code == 0 and result.output.startswith("OK:"), result.output
    result = runner.invoke(cli, ["--data", str(out), "gaps", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert any(r["chain_name"] == "煤—电石—醋酸—醋酸乙烯—PVC" for r in rows)
    for command in (["balance"], ["chains"], ["firms", "--product", "多孔硝铵"], ["targets"]):
        result = runner.invoke(cli, ["--data", str(out), *command])
        assert result.exit_code == 0, (command, result.output)
    written = {r["name_zh"] for r in read(out, "chains") if r["written"] == "yes"}
    assert written == {"开采—洗煤—炼焦—深加工", "采煤—洗煤—焦化", "煤—焦—煤气及加工利用", "煤—电石—醋酸—醋酸乙烯—PVC",
                       "采煤—洗煤—焦化—精细化工", "石灰石—白灰—电石—PVC—新材料", "石灰石—白灰—电石—精细化工", "碳—化工"}
    links = {(r["type"], r["from"], r["to"]) for r in read(out, "links")}
    assert ("FEEDS", "calcium_carbide", "pvc") in links  # a step of 石灰石—白灰—电石—PVC—新材料
    assert ("YIELDS", "coke", "coke_oven_gas") in links  # known to the process coefficient library
    assert ("神华乌海能源公司", "porous_ammonium_nitrate", "22", "万吨", "building") in facts(out)
    assert ("腾龙公司", "chloroacetic_acid", "6000", "吨", "building") in facts(out)
    # past figures (2010年…258亿元) are not targets; 1，4—丁二醇 and 3—5户 are not chains
    assert not any(r["value"] == "258" for r in read(out, "targets"))
    assert not any("丁二醇" in r["name_zh"] for r in read(out, "chains"))


def test_project_list_phrasings(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text(
        "某县2016年工业工作要点\n"
        "扎实抓好金川铸造和东兴机械各10万吨精密铸件项目。争取宏发二期60万吨氧化铝尽快投产。"
        "确保南山煤业300万吨矿井年内建成。整合200—300万吨级焦化企业5户，建设4个10万吨铸造项目。"
        "力争全县焦炭产能达到400万吨。投资5亿元的凯迪三期5万千瓦风电项目9月开工建设。"
        "新建武胜公司10万吨陶瓷粉体材料项目。", encoding="utf-8")
    out = tmp_path / "draft"
    extract([text], out)
    assert facts(out) == {
        ("金川铸造", "castings", "10", "万吨", "building"),  # 各: the same for each firm of the list
        ("东兴机械", "castings", "10", "万吨", "building"),
        ("宏发", "alumina", "60", "万吨", "building"),  # 争取…尽快投产 is not built yet
        ("南山煤业", "raw_coal", "300", "万吨", "building"),  # a mine's figure is coal
        ("凯迪", "electricity", "5", "万千瓦", "building"),  # 风电 is power; 投资5亿元的 is not the name
        ("武胜公司", "taoci_fenti_cailiao", "10", "万吨", "building"),  # 陶瓷粉体材料, not 陶瓷
    }
    assert {r["project"] for r in read(out, "capacities") if r["firm"] == "kaidi"} == {"三期"}
    assert "陶瓷粉体材料" in {p["name_zh"] for p in read(out, "products") if p["note"] == "proposed"}
    # 200—300万吨级 is a size class and 4个10万吨 a number of plants (and 整合 sets no goal)
    assert {(r["value"], r["unit"], r["bound"]) for r in read(out, "targets")} == {("400", "万吨", "min")}


def test_a_table_of_projects(tmp_path):
    text = tmp_path / "table.txt"
    text.write_text(
        "金岭工业园区2018年重点项目表\n"
        "序号 | 企业名称 | 项目名称 | 建设规模 | 进度\n"
        "1 | 内蒙古金岭化工有限公司 | 甲醇项目 | 年产60万吨 | 在建\n"
        "2 | 金岭新材料科技有限公司 | 聚丙烯项目 | 年产30万吨 | 前期\n"
        "3\t北方硅业有限公司\t工业硅\t12万吨\t已投产\n", encoding="utf-8")
    out = tmp_path / "draft"
    summary = extract([text], out)
    assert summary["region"] == "金岭工业园区" and summary["year"] == 2018
    assert facts(out) == {
        ("内蒙古金岭化工有限公司", "methanol", "60", "万吨", "building"),
        ("金岭新材料科技有限公司", "polypropylene", "30", "万吨", "planned"),
        ("北方硅业有限公司", "industrial_silicon", "12", "万吨", "operating"),
    }
    assert [r["source"] for r in read(out, "capacities")][2] == "3\t北方硅业有限公司\t工业硅\t12万吨\t已投产"


def test_lexicon_region_and_year_options(tmp_path):
    lexicon = tmp_path / "lexicon"
    lexicon.mkdir()
    (lexicon / "products.csv").write_text(
        "id,name_zh,name_en,aliases,sector,unit,note\n"
        "blue_coke,兰炭,semi-coke (local name),半焦;蓝炭,coking,t,\n", encoding="utf-8")
    text = tmp_path / "plan.txt"
    text.write_text("重点支持金鑫公司年产60万吨蓝炭项目建设。力争2020年兰炭产能达到300万吨。", encoding="utf-8")
    out = tmp_path / "draft"
    result = CliRunner().invoke(cli, ["extract", str(text), "-o", str(out), "--lexicon", str(lexicon),
                                      "--region", "府谷县", "--year", "2019"])
    assert result.exit_code == 0, result.output
    # the lexicon folder is matched before the package's own 兰炭 (semi_coke)
    assert facts(out) == {("金鑫公司", "blue_coke", "60", "万吨", "building")}
    assert targets(out) == {("兰炭产能", "300", "", "万吨", "min", "2020")}
    assert [(r["name_zh"], r["level"]) for r in read(out, "regions")] == [("府谷县", "district")]
    assert "year 2019" in result.output
    result = CliRunner().invoke(cli, ["extract", str(text), "-o", str(tmp_path / "x"), "--lexicon", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: not a dataset folder (no products.csv)\n"


def test_a_draft_that_would_not_validate_leaves_nothing(tmp_path):
    from chaingraph.extract.writer import write_draft
    tables = {"regions": [{"id": "home", "name_zh": "某市", "level": "city", "home": "yes"}],
              "products": [], "firms": [], "chains": [], "targets": [], "links": [], "review": [],
              "capacities": [{"product": "coke", "region": "home", "status": "building", "source": "某市"}]}
    with pytest.raises(ExtractError, match=r"the draft does not validate \(.*unknown product 'coke'"):
        write_draft(tmp_path / "draft", tables, {"plan.txt": "某市"}, {})
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its hidden temporary copy


def test_bad_input(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["extract", str(tmp_path / "missing.txt"), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'missing.txt'}: file not found\n"
    bad = tmp_path / "bad.txt"
    bad.write_bytes("第一行\n".encode() + b"\xff\xfe\x81")
    result = runner.invoke(cli, ["extract", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}, line 2: not UTF-8 or GB18030 text (byte 10)\n"
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]  # nothing half-written
    out.mkdir()
    result = runner.invoke(cli, ["extract", str(FIXTURES / "park_plan.txt"), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: already exists; give a new folder for the draft\n"
    assert list(out.iterdir()) == []
    with pytest.raises(ExtractError, match="no input text"):
        extract([], tmp_path / "x")
    result = runner.invoke(cli, ["extract", "-o", str(tmp_path / "y")])
    assert result.exit_code == 2 and "Missing argument 'TEXT...'" in result.stderr
