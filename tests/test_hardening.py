"""Failure paths and options that used to end in a traceback, a usage text or a wrong "OK"
(issue 11): each gets one exact `Error:` line and exit code, and writes nothing."""
from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.graph import open_backend
from chaingraph.i18n import language
from chaingraph.queries import balance, products

from datasets import open_dataset, write_dataset
from terminal import run_with_terminal_stderr
from test_cli import LISTINGS


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# -- the dataset folder ---------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["group", "command"])
def test_missing_data_folder_is_one_error_line(tmp_path, where):
    missing = str(tmp_path / "my_city")
    args = ["--data", missing, "validate"] if where == "group" else ["validate", "--data", missing]
    result = run(*args)
    assert (result.stderr, result.stdout, result.exit_code) == (f"Error: data folder not found: {missing}\n", "", 1)


def test_data_folder_that_is_a_file(tmp_path):
    (tmp_path / "city.csv").write_text("x", encoding="utf-8")
    result = run("--data", str(tmp_path / "city.csv"), "info")
    assert (result.stderr, result.exit_code) == (f"Error: not a folder: {tmp_path / 'city.csv'}\n", 1)


# -- output files that cannot be written -------------------------------------------------------

def test_report_into_proc(mini):
    result = run("--data", str(mini), "report", "-o", "/proc/x")
    assert (result.stderr, result.stdout, result.exit_code) == (
        "Error: cannot create folder /proc/x: No such file or directory\n", "", 1)
    assert not os.path.exists("/proc/x")


def test_viz_below_a_file(mini, tmp_path):
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    result = run("--data", str(mini), "viz", "-o", str(tmp_path / "afile" / "x.html"))
    assert (result.stderr, result.stdout, result.exit_code) == (
        f"Error: cannot create folder {tmp_path / 'afile'}: a file of that name exists\n", "", 1)
    assert files_under(tmp_path) == ["afile"] and (tmp_path / "afile").read_text() == "keep"


def test_report_into_a_read_only_folder_leaves_nothing(mini, tmp_path):
    if os.geteuid() == 0:  # root writes anywhere: make report.html a folder instead, so it cannot be replaced
        (tmp_path / "report.html").mkdir()
        expected = f"Error: cannot write {tmp_path / 'report.html'}: a folder of that name exists\n"
    else:
        tmp_path.chmod(0o500)
        expected = f"Error: cannot write {tmp_path / 'report.md'}: Permission denied\n"
    result = run("--data", str(mini), "report", "-o", str(tmp_path))
    tmp_path.chmod(0o700)
    assert (result.stderr, result.stdout, result.exit_code) == (expected, "", 1)
    assert files_under(tmp_path) in ([], ["report.html"])  # neither report.md nor a temporary file


def test_viz_to_stdout(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("--data", str(mini), "viz", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")
    assert '"label": "\\u7126\\u70ad"' in result.stdout or "焦炭" in result.stdout
    assert files_under(tmp_path) == []  # no file called "-"


# -- options that exclude or need each other -----------------------------------------------------

def test_trace_up_and_down_together(mini):
    result = run("--data", str(mini), "trace", "coke", "--up", "--down")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith("\nError: give --up or --down, not both\n")


def test_trace_down_is_the_default(mini):
    down = run("--data", str(mini), "trace", "coke", "--down", "--format", "json").stdout
    assert down == run("--data", str(mini), "trace", "coke", "--format", "json").stdout and "carbide" in down


def test_viz_depth_needs_focus(mini, tmp_path):
    result = run("--data", str(mini), "viz", "--depth", "3", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 2 and result.stderr.endswith("\nError: --depth needs --focus\n")
    assert files_under(tmp_path) == []


# -- names ------------------------------------------------------------------------------------------

def test_a_partial_chain_name_gets_suggestions():
    result = run("chains", "化肥")  # the shipped dataset
    assert (result.stderr, result.exit_code) == ("Error: unknown chain '化肥'; closest: fertiliser (化肥产业链)\n", 1)


def test_a_partial_name_in_the_fixture(mini):
    result = run("--data", str(mini), "trace", "聚氯")
    assert (result.stderr, result.exit_code) == ("Error: unknown product '聚氯'; closest: pvc (聚氯乙烯)\n", 1)


# -- terminal escapes ----------------------------------------------------------------------------

ESCAPES = "红\x1b[31m色\x1b]0;title\x07"


def evil_dataset(folder: Path) -> Path:
    return write_dataset(folder, products=[{"id": "ore", "name_zh": ESCAPES}, "metal"],
                         capacities=[("f1", "ore", 1, "万吨", "operating")],
                         links=[("FEEDS", "ore", "metal", 2, "t/t")])


def test_table_shows_control_characters_escaped(tmp_path):
    folder = evil_dataset(tmp_path)
    table = run("--data", str(folder), "products").stdout
    assert "红\\x1b[31m色\\x1b]0;title\\x07" in table
    assert not any(ch in table for ch in "\x1b\x07")
    # JSON escapes them itself; CSV keeps the data as it is
    as_json = run("--data", str(folder), "products", "--format", "json").stdout
    assert "\\u001b" in as_json and json.loads(as_json)[0]["name_zh"] == ESCAPES
    as_csv = run("--data", str(folder), "products", "--format", "csv").stdout
    assert next(csv.DictReader(io.StringIO(as_csv)))["name_zh"] == ESCAPES


def test_error_messages_show_control_characters_escaped(tmp_path):
    folder = evil_dataset(tmp_path)
    result = run("--data", str(folder), "trace", "红\x1b[31m")
    assert result.stderr == "Error: unknown product '红\\x1b[31m'; closest: ore (红\\x1b[31m色\\x1b]0;title\\x07)\n"


# -- empty results ---------------------------------------------------------------------------------

def test_empty_result_as_csv_prints_the_header(mini):
    from chaingraph.queries.trace import COLUMNS
    result = run("--data", str(mini), "trace", "pvc_pipe", "--format", "csv")  # nothing is made from pipes
    assert (result.stdout, result.stderr, result.exit_code) == (",".join(COLUMNS) + "\n", "", 0)
    assert COLUMNS[:3] == ("depth", "from", "from_name")


def test_empty_result_as_table_says_no_rows_on_stderr(mini):
    result = run("--data", str(mini), "firms", "--product", "pvc_pipe")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "no rows\n", 0)


def test_empty_result_as_json(mini):
    result = run("--data", str(mini), "firms", "--product", "pvc_pipe", "--format", "json")
    assert (result.stdout, result.stderr) == ("[]\n", "")


@pytest.mark.parametrize("command", sorted(LISTINGS))
def test_declared_columns_are_the_columns_of_the_rows(mini, command):
    import importlib
    columns = importlib.import_module(f"chaingraph.queries.{command}").COLUMNS
    rows = json.loads(run("--data", str(mini), command, *LISTINGS[command], "--format", "json").stdout)
    assert rows and all(tuple(row) == columns for row in rows)


def test_candidates_columns():
    from chaingraph.queries.candidates import COLUMNS, candidates
    rows = candidates(open_backend(), "聚乙烯醇")
    assert rows and all(tuple(row) == COLUMNS for row in rows)


# -- one local capacity for products and balance ---------------------------------------------

def test_products_and_balance_agree_on_local_capacity(backend, tmp_path):
    folder = write_dataset(tmp_path, products=["si", "poly"],
                           capacities=[(None, "si", None, None, "operating"), ("f1", "si", 8, "万吨", "building"),
                                       ("f2", "si", 50, "万吨", "planned")],
                           links=[("FEEDS", "si", "poly", 1.2, "t/t")])
    with open_dataset(backend, folder) as g:
        for lang, shown in (("en", "≥ 80 kt"), ("zh", "≥ 8 万吨")):
            with language(lang):
                row = next(r for r in products(g) if r["id"] == "si")
                supply = next(r for r in balance(g) if r["product"] == "si")["supply"]
            assert (row["status"], row["capacity"], supply) == ("operating", shown, shown)


@pytest.mark.parametrize("lang, shown", [("en", "≥ 80 kt"), ("zh", "≥ 8 万吨")])
def test_shipped_industrial_silicon(lang, shown):
    g = open_backend()
    with language(lang):
        assert next(r for r in products(g) if r["id"] == "industrial_silicon")["capacity"] == shown
        assert next(r for r in balance(g) if r["product"] == "industrial_silicon")["supply"] == shown


# -- graph servers at the wrong kind of port ---------------------------------------------------

class Listener:
    """A loopback port that answers every connection like a web server (`http`), greets it like an SSH
    server (`ssh`), or never answers (`silent`)."""

    def __init__(self, mode: str):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.mode, self.open = mode, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.open.append(conn)
            if self.mode == "http":
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                conn.close()
            elif self.mode == "ssh":  # speaks first, then waits
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n")

    def close(self) -> None:
        self.sock.close()
        for conn in self.open:
            conn.close()


@pytest.fixture
def listener(request):
    server = Listener(request.param)
    yield server
    server.close()


def timed(*args: str) -> tuple[object, float]:
    start = time.monotonic()
    result = run(*args)
    return result, time.monotonic() - start


@pytest.mark.parametrize("listener", ["http"], indirect=True)
def test_falkordb_uri_at_a_web_port(listener):
    uri = f"falkordb://127.0.0.1:{listener.port}"
    result, _ = timed("--backend", "falkordb", "--uri", uri, "info")
    assert (result.stderr, result.stdout, result.exit_code) == (
        f"Error: no FalkorDB at {uri}: an HTTP server answered ('HTTP/1.1 400 Bad Request'); FalkorDB speaks "
        "the Redis protocol, on port 6379 by default\n", "", 1)


@pytest.mark.parametrize("listener", ["ssh"], indirect=True)
def test_falkordb_uri_at_another_protocol(listener):
    uri = f"falkordb://127.0.0.1:{listener.port}"
    result, _ = timed("--backend", "falkordb", "--uri", uri, "info")
    assert (result.stderr, result.exit_code) == (
        f"Error: no FalkorDB at {uri}: the server answered 'SSH-2.0-OpenSSH_9.2p1', not in the Redis protocol\n", 1)


@pytest.mark.parametrize("listener", ["silent"], indirect=True)
def test_falkordb_uri_at_a_silent_port(listener):
    uri = f"falkordb://127.0.0.1:{listener.port}"
    result, seconds = timed("--backend", "falkordb", "--uri", uri, "info")
    assert (result.stderr, result.exit_code) == (f"Error: cannot reach falkordb at {uri}: no answer within 5 s\n", 1)
    assert seconds < 8


@pytest.mark.parametrize("backend, module", [("neo4j", "neo4j"), ("falkordb", "hiredis")])
@pytest.mark.parametrize("command", [["info"], ["load"]])
def test_a_server_backend_without_its_driver_is_one_error_line(backend, module, command, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    result = CliRunner().invoke(cli, ["--backend", backend, "--uri", "x://127.0.0.1:1", *command])
    assert (result.stderr, result.stdout, result.exit_code) == (
        f"Error: the {backend} backend needs the {module} package, which is not installed: "
        f'pip install "chaingraph[{backend}]" (in a checkout: pip install -e ".[{backend}]")\n', "", 1)


NEO4J_ANSWERS = {
    "http": "an HTTP server answered, not Bolt (Neo4j takes Bolt on port 7687 by default; 7474 is its web port)",
    "silent": "no Bolt answer within 5 s",  # the driver's defaults waited 61 s
}


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
@pytest.mark.parametrize("listener", ["http", "silent"], indirect=True)
def test_neo4j_uri_at_a_port_that_is_not_bolt(listener, scheme):
    uri = f"{scheme}://127.0.0.1:{listener.port}"
    result, seconds = timed("--backend", "neo4j", "--uri", uri, "info")
    assert (result.stderr, result.stdout, result.exit_code) == (
        f"Error: cannot reach neo4j at {uri}: {NEO4J_ANSWERS[listener.mode]}\n", "", 1)
    assert seconds < 8


# -- progress on a terminal only -------------------------------------------------------------------

def test_validate_shows_progress_on_a_terminal(mini):
    out, err, code = run_with_terminal_stderr([sys.executable, "-m", "chaingraph", "--data", str(mini), "validate"])
    assert code == 0 and out.startswith("OK: 8 products")
    assert "validating" in err and "100%" in err


def test_validate_shows_no_progress_in_a_pipe(mini):
    done = subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini), "validate"],
                          capture_output=True, text=True)
    assert (done.stderr, done.returncode) == ("", 0)
