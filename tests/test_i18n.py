"""Two languages: the catalogs are complete and compiled, the language follows --lang and the
locale, tables speak it, and JSON/CSV stay the same in both."""
from __future__ import annotations

import gettext
from html.parser import HTMLParser
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from chaingraph import i18n, labels
from chaingraph.cli import cli
from chaingraph.errors import ChaingraphError

PACKAGE = Path(i18n.__file__).parent
ROOT = PACKAGE.parent
KEYWORDS = {"_": None, "N_": None, "Np_": ((1, "c"), 2), "gettext": None, "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2)}  # the keywords scripts/catalog.sh gives pybabel


def _catalog(lang: str):
    with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as f:
        return read_po(f)


def _extracted() -> set[tuple[str | None, str]]:
    method_map = [("cli.py", "chaingraph.i18n:extract_help"), ("**.py", "python"),
                  ("templates/**.j2", "jinja2")]  # as babel.cfg says
    options_map = {"templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            PACKAGE, method_map, options_map, keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))  # a plural: its singular
    return found


def test_babel_config_matches_the_catalog_script():
    script = (ROOT / "scripts" / "catalog.sh").read_text()
    for keyword in ("-k N_", "-k Np_:1c,2", "-k gettext", "-k ngettext:1,2", "-k pgettext:1c,2"):
        assert keyword in script
    config = (ROOT / "babel.cfg").read_text()
    assert "cli_help = chaingraph.i18n:extract_help" in config and "[cli_help: cli.py]" in config
    assert config.index("[cli_help: cli.py]") < config.index("[python: **.py]")


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_message_in_the_code_has_a_translation(lang):
    catalog = _catalog(lang)
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    extracted = _extracted()
    assert len(extracted) > 100
    missing = sorted((c or "", m) for c, m in extracted if (c, m) not in translated)
    assert not missing, f"run bash scripts/catalog.sh and translate: {missing[:10]}"
    untranslated = sorted(m.id for m in translated.values()
                          if not m.string or (isinstance(m.string, tuple) and not all(m.string))
                          or m.fuzzy)
    assert not untranslated, f"untranslated or fuzzy in {lang}: {untranslated[:10]}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_the_shipped_mo_is_compiled_from_the_po(lang):
    mo = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    with open(mo, "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in _catalog(lang):
        if not m.id or isinstance(m.id, tuple):
            continue
        got = compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)
        assert got == m.string, f"{mo} is stale: bash scripts/catalog.sh compile"


@pytest.mark.parametrize("environ, expected", [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),
    ({"CHAINGRAPH_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"CHAINGRAPH_LANG": "zh"}, "zh"),
])
def test_language_follows_chaingraph_lang_then_the_locale(environ, expected):
    assert i18n.detect(environ) == expected


def test_an_unknown_language_is_an_error():
    with pytest.raises(ChaingraphError, match="unknown language 'fr' in \\$CHAINGRAPH_LANG"):
        i18n.detect({"CHAINGRAPH_LANG": "fr"})


def _run(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CHAINGRAPH_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    if lang_env:
        env["LANG"] = lang_env
    return subprocess.run([sys.executable, "-m", "chaingraph", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_gaps_under_a_chinese_locale_prints_chinese_headers_and_statuses():
    zh = _run("gaps", lang_env="zh_CN.UTF-8")
    assert zh.returncode == 0, zh.stderr
    header = zh.stdout.splitlines()[0].split()
    assert header[:3] == ["排名", "产业链编号", "产业链"]
    assert "状态" in header and "类型" in header
    first = zh.stdout.splitlines()[2]
    assert "缺失" in first and "断链" in first
    en = _run("gaps", lang_env="en_US.UTF-8")
    assert en.stdout.splitlines()[0].split()[:3] == ["rank", "chain", "chain_name"]
    assert "missing" in en.stdout.splitlines()[2] and "broken" in en.stdout.splitlines()[2]


def test_lang_option_wins_over_the_locale_and_holds_for_one_run():
    out = _run("--lang", "en", "gaps", lang_env="zh_CN.UTF-8")
    assert out.stdout.startswith("rank")
    out = _run("gaps", "--lang", "zh", lang_env="en_US.UTF-8")
    assert out.stdout.startswith("排名")
    runner = CliRunner()
    assert runner.invoke(cli, ["gaps", "--lang", "zh"]).output.startswith("排名")
    assert runner.invoke(cli, ["gaps", "--lang", "en"]).output.startswith("rank")
    assert i18n.current() == i18n.detect()  # nothing left behind in the process


@pytest.mark.parametrize("args", [["gaps", "--format", "json"], ["balance", "--format", "csv"],
                                  ["trace", "焦炭", "--format", "csv"], ["chains", "--format", "json"],
                                  ["candidates", "醋酸", "--format", "json"]])
def test_json_and_csv_keep_english_keys_and_machine_values_in_both_languages(args):
    zh, en = _run(*args, lang_env="zh_CN.UTF-8"), _run(*args, lang_env="en_US.UTF-8")
    assert zh.returncode == en.returncode == 0
    if args[-1] == "json":
        zh_rows, en_rows = json.loads(zh.stdout), json.loads(en.stdout)
        assert [list(r) for r in zh_rows] == [list(r) for r in en_rows]
        strip = [[{k: v for k, v in r.items() if k not in labels.HUMAN_TEXT | labels.AMOUNT_TEXT} for r in rows]
                 for rows in (zh_rows, en_rows)]
        assert strip[0] == strip[1]
    else:
        assert zh.stdout.splitlines()[0] == en.stdout.splitlines()[0]


def _every_listing() -> list[list[dict]]:
    from chaingraph.graph import open_backend
    from chaingraph import queries as q
    g = open_backend()
    return [q.info(g), q.chains(g), q.products(g), q.firms(g), q.targets(g),
            q.trace(g, "电石", direction="up"), q.trace(g, "电石"), q.gaps(g), q.extend(g),
            q.balance(g), q.balance(g, basis="target"), q.bottlenecks(g), q.whatif(g, "电石"),
            q.whatif(g, "华清公司"), q.candidates(g, None, all_gaps=True)]


def test_every_column_and_machine_value_of_the_shipped_data_is_in_the_catalog():
    rows = [row for listing in _every_listing() for row in listing]
    keys = {key for row in rows for key in row}
    assert sorted(keys - set(labels.COLUMNS)) == [], "add to labels.COLUMNS and the catalogs"
    values = set()
    for row in rows:
        for key in set(row) & labels.VALUE_COLUMNS:
            cell = row[key]
            values.update(v for v in (cell if isinstance(cell, list) else [cell]) if isinstance(v, str) and any(ch.isalpha() for ch in v))
    assert sorted(values - set(labels.VALUES)) == [], "add to labels.VALUES and the catalogs"
    with i18n.language("zh"):
        assert all(i18n.column(k) != k for k in keys)
        assert all(i18n.value(v) != v for v in values)


def test_help_of_every_command_is_in_chinese_under_zh():
    runner = CliRunner()
    top = runner.invoke(cli, ["--lang", "zh", "--help"]).output
    assert "把一个城市的产业链做成知识图谱" in top and "缺口" in top
    for name in cli.commands:
        out = runner.invoke(cli, [name, "--lang", "zh", "--help"]).output
        first = out.split("\n\n")[1].strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in first), f"{name}: {first!r}"
        assert "示例" in out or name in ("info",) or "Example" not in out
    en = runner.invoke(cli, ["gaps", "--lang", "en", "--help"]).output
    assert "List the links of each chain" in en


class _Visible(HTMLParser):
    """The text a reader sees, less scripts, styles and citation cells (class `source` / `cite`:
    quotes and sources stay in the language they were written in)."""
    VOID = {"meta", "br", "link", "input", "img", "hr", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.text, self.hidden = [], [False]

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            classes = (dict(attrs).get("class") or "").split()
            self.hidden.append(self.hidden[-1] or tag in ("script", "style", "title")
                               or bool({"source", "cite"} & set(classes)))

    def handle_endtag(self, tag):
        if tag not in self.VOID and len(self.hidden) > 1:
            self.hidden.pop()

    def handle_data(self, data):
        if not self.hidden[-1]:
            self.text.append(data)


# English words of the brief's own prose (headings, labels, reasons, verdicts), none of them a name
ENGLISH_PROSE = {"the", "of", "missing", "planned", "only", "short", "over", "supply", "requirement", "chain",
                 "chains", "step", "steps", "local", "gap", "gaps", "bottleneck", "bottlenecks", "firm", "firms",
                 "unknown", "leaves", "city", "capacity", "target", "basis", "score", "region", "product",
                 "products", "coverage", "written", "described", "balance", "shortfall", "surplus", "contents",
                 "why", "status", "kind", "broken", "downstream", "upstream", "partial", "operating", "building",
                 "estimate", "none", "every", "route", "inputs", "makes", "link", "links", "stops", "nothing"}


def test_the_chinese_brief_has_no_english_prose(tmp_path):
    import csv
    import re
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    page = _Visible()
    page.feed((tmp_path / "report.html").read_text(encoding="utf-8"))
    text = re.sub(r"https?://\S+", " ", " ".join(page.text))
    data = ROOT / "data"
    for name in ("directory.csv", "products.csv", "firms.csv"):  # names and routes as the data writes them
        for row in csv.DictReader(open(data / name, encoding="utf-8")):
            for key in ("route", "name_en", "name_zh", "aliases"):
                for value in (row.get(key) or "").split(";"):
                    if value.strip():
                        text = text.replace(value.strip(), " ")
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    assert sorted(words & ENGLISH_PROSE) == []
    assert "产业链规划简报" in text and "主要缺口（补链）" in text


@pytest.mark.parametrize("args", [["--help"], ["gaps", "--help"], ["gaps"]])
def test_a_bad_chaingraph_lang_is_one_error_line(args, monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_LANG", "fr")
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: unknown language 'fr' in $CHAINGRAPH_LANG (expected zh or en)\n"


# columns whose cells are names or quotes as the data writes them (never units: an English brief
# that wrote 万吨 must fail)
_DATA_TEXT = ("name_zh", "name_en", "aliases", "source", "ratio_source", "subject", "publisher", "where",
              "project", "route", "mirror_of", "note")
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _without_data_text(text: str) -> str:
    import csv
    found = set()
    for path in (ROOT / "data").glob("*.csv"):
        for row in csv.DictReader(open(path, encoding="utf-8")):
            for key in _DATA_TEXT:
                found.update(v.strip() for v in (row.get(key) or "").split(";") if v.strip())
            if path.name == "chains.csv":  # the guideline's word for each step: `开采=raw_coal > …`
                found.update(step.split("=")[0].strip() for step in row["steps"].split(">") if "=" in step)
    for value in sorted(found, key=len, reverse=True):  # longest first: a name inside a quote goes with it
        text = text.replace(value, " ")
    return text


def test_the_english_brief_has_no_chinese_but_the_data(tmp_path):
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = _Visible()
    page.feed((tmp_path / "report.html").read_text(encoding="utf-8"))
    for name, text in (("report.html", " ".join(page.text)),
                       ("report.md", (tmp_path / "report.md").read_text(encoding="utf-8"))):
        left = _without_data_text(text)
        assert sorted(set(re.findall(r"\S*[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+\S*", left))) == [], name
        assert "Wuhai industrial chains: planner's brief" in text and "Top gaps" in text
    # the same check finds the Chinese brief's own words
    zh = tmp_path / "zh"
    assert CliRunner().invoke(cli, ["report", "-o", str(zh), "--lang", "zh"]).exit_code == 0
    assert "主要缺口" in _without_data_text((zh / "report.md").read_text(encoding="utf-8"))


def test_tables_show_english_names_in_english_and_json_keeps_name_zh():
    runner = CliRunner()
    en = runner.invoke(cli, ["balance", "--lang", "en"]).output
    zh = runner.invoke(cli, ["balance", "--lang", "zh"]).output
    assert "synthetic ammonia" in en and "合成氨" not in en.split("\n")[2]
    assert "合成氨" in zh and "synthetic ammonia" not in zh
    for lang in ("en", "zh"):
        rows = json.loads(runner.invoke(cli, ["balance", "--lang", lang, "--format", "json"]).output)
        assert next(r for r in rows if r["product"] == "ammonia")["name"] == "合成氨"
    gaps_en = runner.invoke(cli, ["gaps", "--lang", "en"]).output
    assert "coal - carbide - acetic acid - vinyl acetate" in gaps_en
    first = json.loads(runner.invoke(cli, ["gaps", "--lang", "en", "--format", "json"]).output)[0]
    assert (first["chain_name"], first["reason"]) == ("煤—电石—醋酸—醋酸乙烯—PVC",
                                                      "missing middle link between calcium carbide and PVC")


def test_clicks_own_words_are_chinese_under_zh():
    runner = CliRunner()
    top = runner.invoke(cli, ["--lang", "zh", "--help"]).output
    assert top.startswith("用法: cli [OPTIONS] COMMAND") and "选项:" in top and "命令:" in top
    assert "显示本帮助并退出。" in top and "Show this message" not in top
    sub = runner.invoke(cli, ["gaps", "--lang", "zh", "--help"]).output
    assert sub.startswith("用法: cli gaps") and "显示本帮助并退出。" in sub
    bad = runner.invoke(cli, ["--lang", "zh", "gaps", "--bogus"])
    assert bad.exit_code == 2 and bad.stderr.endswith("Error: 没有选项 '--bogus'。\n")
    assert "运行 'cli gaps --help' 查看帮助。" in bad.stderr
    for args in (["gaps", "--lang", "zh", "--bogus"], ["gaps", "--bogus", "--lang=zh"]):  # --lang after the command
        bad = runner.invoke(cli, args)
        assert bad.exit_code == 2 and bad.stderr.endswith("Error: 没有选项 '--bogus'。\n"), args
    missing = runner.invoke(cli, ["--lang", "zh", "trace"])
    assert "Error: 缺少参数 'PRODUCT'." in missing.stderr
    en = runner.invoke(cli, ["gaps", "--bogus"])  # English stays click's own
    assert en.stderr.startswith("Usage: cli gaps") and en.stderr.endswith("Error: No such option '--bogus'.\n")


def test_every_click_message_is_listed_for_the_catalog():
    import click

    from chaingraph import click_words
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            Path(click.__file__).parent, [("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else message[0])
    listed = set(click_words.MESSAGES) | {singular for singular, _plural in click_words.PLURALS}
    assert found - click_words.NOT_SHOWN == listed


# -- Error: messages in Chinese under zh (the `Error:` prefix stays; tests elsewhere read English) --

def test_a_bad_csv_cell_is_reported_in_chinese(tmp_path):
    import shutil
    folder = tmp_path / "d"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", folder)
    capacities = folder / "capacities.csv"
    capacities.write_text(capacities.read_text(encoding="utf-8").replace("lng,23,", "lng,abc,"), encoding="utf-8")
    zh = CliRunner().invoke(cli, ["--lang", "zh", "--data", str(folder), "validate"])
    assert (zh.exit_code, zh.stderr) == (1, f"Error: {capacities}，第 5 行，capacity 列：不是数字：'abc'\n")
    en = CliRunner().invoke(cli, ["--lang", "en", "--data", str(folder), "validate"])
    assert en.stderr == f"Error: {capacities}, line 5, column capacity: not a number: 'abc'\n"


def test_a_missing_data_folder_is_reported_in_chinese(tmp_path):
    missing = tmp_path / "我的城市"
    result = CliRunner().invoke(cli, ["--lang", "zh", "--data", str(missing), "gaps"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: 找不到数据文件夹：{missing}\n")


def test_an_unreachable_server_is_reported_in_chinese():
    import socket
    with socket.socket() as s:  # a port nothing listens on: bound, then closed again
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"falkordb://127.0.0.1:{port}"
    result = CliRunner().invoke(cli, ["--lang", "zh", "--backend", "falkordb", "--uri", uri, "info"])
    assert (result.exit_code, result.stderr) == (1, f"Error: 无法连接 {uri} 上的 falkordb：连接被拒绝\n")
    unknown = CliRunner().invoke(cli, ["--lang", "zh", "trace", "电石渣x"])
    assert unknown.stderr.startswith("Error: 未知的产品 '电石渣x'；最接近的：carbide_slag (电石渣)")


def test_what_an_including_link_already_counts_is_written_in_each_language():
    from chaingraph.graph import open_backend
    from chaingraph.queries import balance
    g = open_backend()
    found = {}
    for lang in ("en", "zh"):
        with i18n.language(lang):
            row = next(r for r in balance(g, basis="target") if r["product"] == "electricity")
        found[lang] = " ".join(row["coefficients"])
        assert row["supply_basis"] == "target"  # the machine value stays clean
    assert "(needed downstream, less 2.8–3.2 Mt into PVC counted there)" in found["en"]
    assert "(按下游需求，减去已计入聚氯乙烯的 280–320 万吨)" in found["zh"] and "counted there" not in found["zh"]


def test_a_query_reads_the_environment_once_and_a_later_one_follows_it(monkeypatch):
    """`settled` (every query runs in it): the language the environment asks for when the query
    starts holds throughout it; the next query follows a changed environment; `set_language` wins."""
    from chaingraph.graph import open_backend
    from chaingraph.queries.gaps import gaps
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CHAINGRAPH_LANG", "zh")
    with i18n.settled():
        monkeypatch.setenv("CHAINGRAPH_LANG", "en")
        assert i18n.current() == "zh" and i18n.gettext("no rows") != "no rows"
    assert i18n.current() == "en"
    with i18n.settled():
        i18n.set_language("zh")
        assert i18n.current() == "zh"
    assert i18n.current() == "en"
    g = open_backend()
    english = gaps(g)
    monkeypatch.setenv("CHAINGRAPH_LANG", "zh")
    assert gaps(g) != english  # the reasons in Chinese
    with i18n.language("en"):
        assert gaps(g) == english


def test_a_bad_chaingraph_lang_in_a_settled_block_is_reported_where_first_used(monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_LANG", "fr")
    with i18n.settled():
        with pytest.raises(ChaingraphError, match="CHAINGRAPH_LANG"):
            i18n.current()
