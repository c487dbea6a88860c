"""The command line on the fixture dataset: help, formats, names, errors, start-up imports."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from chaingraph import __version__
from chaingraph.cli import cli
from chaingraph.output import text_width

COMMANDS = sorted(cli.commands)
LISTINGS = {  # command -> arguments that give some rows on the fixture
    "info": [],
    "chains": ["coal_coke_gas"],
    "products": ["--sector", "coking"],
    "firms": ["--product", "coke"],
    "targets": ["--region", "minicity"],
    "trace": ["coal"],
    "balance": ["--basis", "target"],
    "bottlenecks": [],
    "gaps": [],
    "extend": [],
    "whatif": ["--without", "coke"],
}


@pytest.fixture
def run(mini):
    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--data", str(mini), *args])
    return invoke


def test_every_command_is_covered():
    # candidates needs firms outside the region: tests/test_candidates.py covers its formats
    # report: tests/test_report.py; viz: tests/test_viz.py; load: tests/test_server.py;
    # extract: tests/test_extract.py
    assert set(COMMANDS) == {"validate", "candidates", "report", "viz", "load", "extract", *LISTINGS}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:\n      chaingraph " in result.stdout  # \b keeps the example on its own line


def test_group_help_and_version():
    assert "Example:" in CliRunner().invoke(cli, ["--help"]).stdout
    assert CliRunner().invoke(cli, ["--version"]).stdout == f"chaingraph, version {__version__}\n"


@pytest.mark.parametrize("command", sorted(LISTINGS))
def test_formats(run, command):
    args = [command, *LISTINGS[command]]
    as_json = run(*args, "--format", "json")
    assert as_json.exit_code == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert rows and isinstance(rows[0], dict)

    as_csv = run(*args, "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(parsed) == len(rows) and list(parsed[0]) == list(rows[0])

    table = run(*args).stdout.splitlines()
    from chaingraph.cli import _TABLE_HIDE  # the numbers behind a table's text columns stay in json/csv
    rows = [{k: v for k, v in row.items() if k not in _TABLE_HIDE.get(command, ())} for row in rows]
    assert table[0].split() == list(rows[0])
    # a row takes as many lines as its tallest cell (list items one a line, long text wrapped)
    from chaingraph.output import _cell_lines
    tallest = [max(len(_cell_lines(v)) for v in row.values()) for row in rows]
    assert len(table) == sum(tallest) + 2
    assert sum(1 for line in table[2:] if not line.startswith(" ")) == len(rows)


def test_table_wraps_long_text_and_puts_list_items_on_lines():
    from chaingraph.output import render
    lines = render([{"a": "x" * 60, "b": ["one", "two"]}], "table").splitlines()
    assert lines[2] == "x" * 48 + "  one"
    assert lines[3] == "x" * 12 + " " * 36 + "  two"
    assert len(lines) == 4


def test_json_is_utf8_not_escaped(run):
    out = run("products", "--format", "json").stdout
    assert "焦炭" in out and "\\u" not in out


def test_csv_lists_use_semicolons(run):
    rows = list(csv.DictReader(io.StringIO(run("products", "--format", "csv").stdout)))
    assert rows[0]["aliases"] == "煤;煤炭"


def test_table_aligns_wide_characters(run):
    header, _, *rows = run("targets").stdout.splitlines()
    # the `target` column starts at the same screen column on every line, after Chinese subjects
    cells = ["target", "≥ 2 Mt", "≈ 32 billion CNY"]
    starts = {text_width(line[:line.index(cell)]) for line, cell in zip([header, *rows], cells)}
    assert len(starts) == 1


@pytest.mark.parametrize("name", ["carbide", "电石", "calcium carbide", "Calcium Carbide", "CaC2", "碳化钙"])
def test_any_name_of_a_product(run, name):
    assert run("trace", name, "--up", "--format", "json").stdout == \
        run("trace", "carbide", "--up", "--format", "json").stdout
    assert run("firms", "--product", name).stdout == run("firms", "--product", "carbide").stdout


def test_unknown_product(run):
    result = run("trace", "pvcc")
    assert result.stderr == "Error: unknown product 'pvcc'; closest: pvc (聚氯乙烯), pvc_pipe (塑料管材)\n"
    assert (result.stdout, result.exit_code) == ("", 1)


@pytest.mark.parametrize("args, message", [
    (["chains", "煤焦"], "unknown chain '煤焦'"),
    (["firms", "--region", "minicty"], "unknown region 'minicty'; closest: minicity (小城市)"),
    (["products", "--sector", "cokin"], "unknown sector 'cokin'; closest: coking"),
])
def test_unknown_names(run, args, message):
    result = run(*args)
    assert (result.stderr, result.exit_code) == (f"Error: {message}\n", 1)


def test_trace_depth_must_be_positive(run):
    assert run("trace", "coal", "--depth", "0").exit_code == 2


def test_trace_up_and_down(run):
    down = json.loads(run("trace", "coke", "--depth", "1", "--format", "json").stdout)
    up = json.loads(run("trace", "coke", "--up", "--format", "json").stdout)
    assert {r["to"] for r in down} == {"coke_oven_gas", "carbide"}
    assert [(r["from"], r["to"]) for r in up] == [("coal", "coke")]


def test_validate(run, mini):
    assert run("validate").stdout == (
        f"OK: 8 products, 2 chains, 3 firms, 4 regions, 6 capacities, 2 targets, 7 links in {mini}\n")


def test_console_script_and_module_agree(mini):
    done = subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini), "info", "--format", "csv"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and done.stdout.startswith("kind,count\nproducts,8\n")


LIGHT = """
import sys
from chaingraph.cli import cli
from chaingraph.output import text_width
for args in (["--help"], ["trace", "--help"], ["load", "--help"], ["viz", "--help"], ["--version"]):
    try:
        cli(args, prog_name="chaingraph")
    except SystemExit:
        pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"neo4j", "falkordb", "redis", "pyvis", "networkx"})
print("HEAVY", heavy, file=sys.stderr)
"""


def test_help_imports_no_heavy_modules():
    done = subprocess.run([sys.executable, "-c", LIGHT], capture_output=True, text=True)
    assert "HEAVY []" in done.stderr


def test_cli_constants_match_the_library():
    # repeated in cli.py so that --help imports no query module
    from chaingraph import cli as cli_module
    from chaingraph.output import FORMATS
    from chaingraph.queries.balance import BASES
    assert cli_module.BASES == BASES and cli_module.FORMATS == FORMATS


def test_console_process_ends_with_the_command_its_output_whole(mini, tmp_path):
    """`main` ends the process without the interpreter's tear-down: the output is still flushed
    whole (to a pipe and to a file), and the exit codes are click's and ours."""
    def chaingraph(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini), *args],
                              capture_output=True, text=True, encoding="utf-8", **kwargs)
    shown = chaingraph("balance", "--format", "json")
    assert shown.returncode == 0 and shown.stdout.endswith("]\n") and json.loads(shown.stdout)
    with open(tmp_path / "out.json", "w", encoding="utf-8") as out:
        assert subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini), "balance", "--format", "json"],
                              stdout=out).returncode == 0
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == shown.stdout
    bad = chaingraph("no-such-command")
    assert bad.returncode == 2 and "No such command" in bad.stderr
    unknown = chaingraph("candidates", "no such product")
    assert unknown.returncode == 1 and unknown.stderr.startswith("Error: ")
