"""Loading into a graph server and querying it: the FalkorDB server of the test session, and
Neo4j where NEO4J_URI names one (tests taking `server`).

Parity: every query command gives the same rows on the server as in memory. Loads: idempotent,
follow a changed dataset, reject bad data before writing, survive being killed half-way.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.errors import ChaingraphError, DataError
from chaingraph.graph import connect, cypher, load, open_backend
from chaingraph.graph import server as server_module
from chaingraph.loaders import load_dataset
from chaingraph.queries import (
    balance, bottlenecks, candidates, chains, extend, firms, gaps, info, products, targets, trace, whatif,
)

from datasets import CONNECTIONS, GRAPHS, MANY_PRODUCERS, ROW_FIELDS, write_dataset

ROOT = Path(__file__).resolve().parents[1]

# every query command, with arguments that give rows on the shipped dataset
COMMANDS = [
    ["info"], ["chains"], ["chains", "石灰石—白灰—电石—PVC—新材料"], ["products"], ["products", "--sector", "silicon"],
    ["firms"], ["firms", "--product", "聚氯乙烯"], ["firms", "--region", "wuhai"], ["targets"],
    ["targets", "--product", "焦炭"], ["trace", "电石", "--up"], ["trace", "coke"], ["gaps"],
    ["gaps", "--chain", "化肥产业链"], ["extend"], ["balance"], ["balance", "--basis", "target"],
    ["bottlenecks"], ["bottlenecks", "--basis", "capacity"], ["whatif", "--without", "电石"],
    ["candidates", "聚乙烯醇"], ["candidates", "--all-gaps"],
]


class Server:
    """One server of the session (`falkordb`, or `neo4j` when NEO4J_URI is set), and the graphs
    a test loads into it: each its own FalkorDB graph, or its own graph name in the Neo4j database."""

    def __init__(self, backend: str):
        self.backend = backend

    def graph(self) -> dict:
        """Connection options of a new, empty graph (deleted at the end of the session on Neo4j)."""
        options = {**CONNECTIONS[self.backend], ("database" if self.backend == "falkordb" else "graph"): fresh()}
        GRAPHS.append((self.backend, options))
        return options

    def counts(self, options: dict) -> dict[str, int]:
        """Nodes per label and relationships per type of every load of the graph, current or not."""
        counts = {}
        with connect(self.backend, **options) as server:
            loads = [r["load_id"] for r in server.run(cypher.ALL_LOADS, graph=server.graph)]
            counts["ChaingraphLoad"] = len(loads)
            for label in cypher.LABELS:
                n = server.run(f"MATCH (n:{label}) WHERE n.load IN $loads RETURN count(n) AS n", loads=loads)[0]["n"]
                if n:
                    counts[label] = n
            for r in server.run("MATCH (n)-[r]->() WHERE n.load IN $loads RETURN type(r) AS type, count(r) AS n",
                                loads=loads):
                counts[r["type"]] = r["n"]
        return counts

    def current_load(self, options: dict) -> str:
        with open_backend(self.backend, **options) as g:
            return g.load_id


@pytest.fixture(params=["falkordb", "neo4j"])
def server(request) -> Server:
    """Each server backend (the neo4j one is skipped, saying why, when NEO4J_URI is not set)."""
    request.getfixturevalue(f"{request.param}_server")
    return Server(request.param)


def server_args(uri: str, graph: str) -> list[str]:
    return ["--backend", "falkordb", "--uri", uri, "--database", graph]


def fresh() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def shipped(falkordb_server):
    """The shipped dataset loaded once into FalkorDB; yields the CLI arguments that reach it."""
    graph = fresh()
    load("falkordb", uri=falkordb_server, database=graph)
    return server_args(falkordb_server, graph)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_every_command_gives_the_rows_of_memory(shipped, args):
    memory = CliRunner().invoke(cli, [*args, "--format", "json"])
    server = CliRunner().invoke(cli, [*shipped, *args, "--format", "json"])
    assert memory.exit_code == 0 and server.exit_code == 0, server.output
    assert json.loads(server.stdout) == json.loads(memory.stdout) and json.loads(memory.stdout)


def test_the_report_is_the_same_on_the_server(shipped, tmp_path):
    for name, args in (("memory", []), ("server", shipped)):
        result = CliRunner().invoke(cli, [*args, "report", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert ((tmp_path / "server" / "report.md").read_text(encoding="utf-8")
            == (tmp_path / "memory" / "report.md").read_text(encoding="utf-8"))


QUERIES = {  # every query function, on the shipped dataset
    "info": lambda g: info(g), "chains": lambda g: chains(g), "products": lambda g: products(g),
    "firms": lambda g: firms(g), "targets": lambda g: targets(g), "trace": lambda g: trace(g, "电石", direction="up"),
    "gaps": lambda g: gaps(g), "extend": lambda g: extend(g), "balance": lambda g: balance(g, basis="target"),
    "bottlenecks": lambda g: bottlenecks(g), "whatif": lambda g: whatif(g, "电石"),
    "candidates": lambda g: candidates(g, None, all_gaps=True),
}


def test_every_query_gives_the_rows_of_memory_on_each_server(server):
    options = server.graph()
    load(server.backend, **options)
    with open_backend(server.backend, **options) as g:
        memory = open_backend("memory")
        for name, query in QUERIES.items():
            assert query(g) == query(memory), name


@pytest.mark.parametrize("summed_from", [1, 10])
def test_summed_regions_give_the_rows_of_memory(server, monkeypatch, summed_from):
    """A load sums the rows of regions with many (server.SUMMED_FROM) in Supply nodes, read
    instead of the rows: here every region with a row (1), or only some (10), of the shipped
    dataset; every query gives the same rows as in memory."""
    monkeypatch.setattr(server_module, "SUMMED_FROM", summed_from)
    options = server.graph()
    load(server.backend, **options)
    counts = server.counts(options)
    memory = open_backend("memory")
    with open_backend(server.backend, **options) as g:
        own = {r.id: len(memory.capacities(region=r.id)) - sum(len(memory.capacities(region=c))
                                                                for c in memory._children.get(r.id, ()))
               for r in memory.regions()}
        assert g._summed == {r for r, n in own.items() if n >= summed_from} and g._summed
        assert counts["Supply"] >= len(g._summed)
        assert 0 < len(g._summed) < len(own) if summed_from == 10 else True
        for name, query in QUERIES.items():
            assert query(g) == query(memory), name
        for firm in ("huayou_gas", "xinshiji", "shenhua_wuhai_energy"):
            assert whatif(g, firm) == whatif(memory, firm)
        for region in [r.id for r in memory.regions()]:
            assert g.capacity_sums(region) == memory.capacity_sums(region)
            assert g.capacity_statuses(region) == memory.capacity_statuses(region)
        # a summed region's statuses come from its Region node; a load of an older version wrote
        # none there, and they are collected from its Supply nodes
        assert all(r["statuses"] for r in g.run(cypher.REGION_STATUSES, keys=[g._key(r) for r in g._summed]))
    monkeypatch.setattr(cypher, "REGION_STATUSES", cypher.REGION_STATUSES.replace("r.statuses AS", "null AS"))
    with open_backend(server.backend, **options) as g:
        for region in [r.id for r in memory.regions()]:
            assert g.capacity_statuses(region) == memory.capacity_statuses(region)


def test_records_come_back_equal_and_in_file_order(server, mini):
    options = server.graph()
    load(server.backend, mini, **options)
    g, memory = open_backend(server.backend, **options), open_backend("memory", mini)
    for listing in ("regions", "products", "firms", "chains", "links", "conversions", "capacities", "targets"):
        assert getattr(g, listing)() == getattr(memory, listing)(), listing
    assert [c.line for c in g.capacities()] == [c.line for c in memory.capacities()]
    assert g.capacities(region="east_park") == memory.capacities(region="east_park")
    assert g.data_dir == str(mini) and g.home_region() == memory.home_region()


def test_load_command_prints_rows_and_time(falkordb_server, mini):
    result = CliRunner().invoke(cli, ["--data", str(mini), *server_args(falkordb_server, fresh()), "load"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loaded 50 rows into falkordb in ") and result.stdout.endswith(" rows/s)\n")


def test_progress_reports_every_batch(server, mini):
    seen = []
    with connect(server.backend, **server.graph()) as g:
        result = g.write(load_dataset(mini), progress=lambda done, total: seen.append((done, total)), batch_size=4)
    assert seen[0] == (0, 50) and seen[-1] == (50, 50) and result["rows"] == 50
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_loading_twice_gives_the_same_graph(server, mini):
    options = server.graph()
    load(server.backend, mini, **options)
    first, first_load = server.counts(options), server.current_load(options)
    load(server.backend, mini, **options)
    assert server.counts(options) == first and server.current_load(options) != first_load
    assert first == {"Region": 4, "Product": 8, "Firm": 3, "FirmAlias": 2, "Chain": 2, "Target": 2, "ChaingraphLoad": 1,
                     "Listing": len(cypher.LISTED), "FEEDS": 5, "YIELDS": 2, "HAS_STEP": 7, "MAKES": 6, "LOCATED_IN": 3, "TARGETS": 2,
                     "PART_OF": 4}  # the memory graph's relationships (test_queries.py)


def test_a_changed_dataset_replaces_the_graph_removed_rows_included(server, mini_copy):
    options = server.graph()
    load(server.backend, mini_copy, **options)
    path = mini_copy / "capacities.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("beta,")), encoding="utf-8")
    load(server.backend, mini_copy, **options)
    g = open_backend(server.backend, **options)
    assert [c.firm for c in g.capacities(product="coke")] == ["alpha"]
    assert [c.product for c in g.capacities(firm="beta")] == []
    assert chains(g) == chains(open_backend("memory", mini_copy))
    assert server.counts(options)["MAKES"] == 4


def test_bad_data_writes_nothing(server, mini_copy):
    options = server.graph()
    load(server.backend, mini_copy, **options)
    before, before_load = server.counts(options), server.current_load(options)
    with open(mini_copy / "capacities.csv", "a", encoding="utf-8") as f:
        f.write("alpha,,coke,lots,万吨,operating,,,发展电石,\n")
    with pytest.raises(DataError, match="capacities.csv, line 8, column capacity: not a number: 'lots'"):
        load(server.backend, mini_copy, **options)
    assert server.counts(options) == before and server.current_load(options) == before_load


def test_bad_data_on_the_command_line(falkordb_server, mini_copy):
    with open(mini_copy / "capacities.csv", "a", encoding="utf-8") as f:
        f.write("alpha,,coke,lots,万吨,operating,,,发展电石,\n")
    result = CliRunner().invoke(cli, ["--data", str(mini_copy), *server_args(falkordb_server, fresh()), "load"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {mini_copy / 'capacities.csv'}, line 8, column capacity: "
                             "not a number: 'lots'\n")


def counts(uri: str, graph: str) -> dict[str, int]:
    return Server("falkordb").counts({"uri": uri, "database": graph})


def current_load(uri: str, graph: str) -> str:
    return Server("falkordb").current_load({"uri": uri, "database": graph})


def big_dataset(folder: Path, n: int) -> Path:
    """A valid dataset of n products in one long FEEDS line, each made by its own firm."""
    products = [f"p{i}" for i in range(n)]
    return write_dataset(folder, products=products, chains=[("c", "p0 > p1 > p2")],
                         capacities=[(f"f{i}", p, 1, "万吨", "operating") for i, p in enumerate(products)],
                         links=[("FEEDS", a, b, 1, "t/t") for a, b in zip(products, products[1:])])


def test_a_killed_load_leaves_the_previous_graph(falkordb_server, mini, tmp_path):
    graph = fresh()
    args = server_args(falkordb_server, graph)
    load("falkordb", mini, uri=falkordb_server, database=graph)
    before, before_load = counts(falkordb_server, graph), current_load(falkordb_server, graph)
    expected = {command: CliRunner().invoke(cli, ["--data", str(mini), command, "--format", "json"]).stdout
                for command in ("info", "chains", "products", "firms", "gaps", "balance", "bottlenecks")}

    big = big_dataset(tmp_path / "big", 8000)  # about 40 000 rows: several seconds of writing
    loader = subprocess.Popen([sys.executable, "-m", "chaingraph", "--data", str(big), *args, "load"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    with connect("falkordb", uri=falkordb_server, database=graph) as server:
        # kill it once it has written products of the new load, well before it finishes
        while not server.run("MATCH (n:Product) WHERE n.load <> $load RETURN count(n) AS n",
                             load=before_load)[0]["n"]:
            assert loader.poll() is None, loader.communicate()
            assert time.monotonic() < deadline, "the load did not start writing"
            time.sleep(0.02)
        loader.send_signal(signal.SIGKILL)
        loader.wait()
        left = server.run("MATCH (n) WHERE n.load <> $load RETURN count(n) AS n", load=before_load)[0]["n"]
    assert loader.returncode == -signal.SIGKILL
    assert 0 < left < 16_000 + 2  # the stopped load wrote part of its nodes, not all

    # the previous graph is current and answers every query as before
    assert current_load(falkordb_server, graph) == before_load
    for command, rows in expected.items():
        result = CliRunner().invoke(cli, [*args, command, "--format", "json"])
        assert result.exit_code == 0 and result.stdout == rows, command

    # the next load succeeds and removes what the killed one left
    done = subprocess.run([sys.executable, "-m", "chaingraph", "--data", str(mini), *args, "load"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert counts(falkordb_server, graph) == before and current_load(falkordb_server, graph) != before_load


def test_a_server_that_is_down_gives_one_error_line():
    result = CliRunner().invoke(cli, ["--backend", "falkordb", "--uri", "falkordb://127.0.0.1:1",
                                      "--password", "s3cret-pw", "info"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: cannot reach falkordb at falkordb://127.0.0.1:1: connection refused\n"


def test_a_password_in_the_address_is_never_printed():
    result = CliRunner().invoke(cli, ["--backend", "falkordb", "--uri", "falkordb://me:s3cret-pw@127.0.0.1:1",
                                      "load"])
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot reach falkordb at falkordb://127.0.0.1:1: connection refused\n"


def test_a_refused_password_gives_one_error_line(falkordb_server):
    # the session's server has no password set, so any password is refused
    done = subprocess.run([sys.executable, "-m", "chaingraph", "--backend", "falkordb", "--uri", falkordb_server,
                           "--user", "nobody", "--password", "s3cret-pw", "info"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"Error: falkordb at {falkordb_server} refused the user name or password\n"


def test_neo4j_down_gives_one_error_line():
    result = CliRunner().invoke(cli, ["--backend", "neo4j", "--uri", "bolt://127.0.0.1:1", "--password",
                                      "s3cret-pw", "gaps"])
    assert (result.exit_code, result.stderr) == (1, "Error: cannot reach neo4j at bolt://127.0.0.1:1: "
                                                    "connection refused\n")


def test_nothing_loaded(falkordb_server):
    result = CliRunner().invoke(cli, [*server_args(falkordb_server, "empty_graph"), "info"])
    assert result.stderr == (f"Error: nothing loaded in falkordb at {falkordb_server}, graph 'empty_graph': "
                             "run `chaingraph --backend falkordb load` first\n")


def test_load_needs_a_server():
    result = CliRunner().invoke(cli, ["load"])
    assert result.exit_code == 2 and "load needs a server: --backend neo4j or --backend falkordb" in result.stderr


def test_writer_cypher_is_pinned():
    assert cypher.create_nodes("Firm", ("id", "name_zh")) == (
        "UNWIND $rows AS row CREATE (:Firm {key: row[0], load: $load, id: row[1], name_zh: row[2]})")
    assert cypher.create_relationships("Firm", "MAKES", "Product", ("line", "status")) == (
        "UNWIND $rows AS row MATCH (a:Firm {key: row[0]}) MATCH (b:Product {key: row[1]}) "
        "CREATE (a)-[:MAKES {line: row[2], status: row[3]}]->(b)")
    assert cypher.SWITCH_LOAD == (
        "MATCH (:ChaingraphLoad {graph: $graph, load: $load}) MATCH (l:ChaingraphLoad {graph: $graph}) "
        "SET l.current = (l.load = $load) RETURN count(l) AS loads")
    with pytest.raises(ValueError, match="not a chaingraph label"):
        cypher.create_nodes("Product) DETACH DELETE (n", ())
    with pytest.raises(ValueError, match="not a property name"):
        cypher.create_nodes("Product", ("id: 1}) DETACH DELETE (n",))


def test_firm_writer_cypher_is_pinned():
    """A firm is written with its LOCATED_IN and MAKES relationships in one statement, from a row
    that holds its MAKES rows; style labels come only from the fixed table."""
    assert cypher.create_firms(("id", "name_zh"), ("line", "status"), "LargeFirm") == (
        "UNWIND $rows AS row MATCH (r:Region {key: row[1]}) "
        "CREATE (f:Firm:LargeFirm {key: row[0], load: $load, id: row[2], name_zh: row[3]})"
        "-[:LOCATED_IN {line: row[4]}]->(r) "
        "WITH f, row UNWIND row[5] AS m MATCH (p:Product {key: m[0]}) CREATE (f)-[:MAKES {line: m[1], status: m[2]}]->(p)")
    with pytest.raises(ValueError, match="not a style label"):
        cypher.create_firms(("id",), ("line",), "Product")
    with pytest.raises(ValueError, match="not a property name"):
        cypher.create_firms(("id",), ("line}]->(p) DETACH DELETE (p",))


def test_firms_without_capacity_rows_are_written(server, tmp_path):
    """A firm that makes nothing is written all the same (its MAKES list is empty), once."""
    folder = write_dataset(tmp_path / "idle", products=["p0", "p1"], chains=[("c", "p0 > p1")],
                           firms=[("idle1", "home"), ("idle2", "home")],
                           capacities=[("f0", "p0", 1, "万吨", "operating"), ("f0", "p1", 2, "万吨", "planned")],
                           links=[("FEEDS", "p0", "p1", 1, "t/t")])
    options = server.graph()
    for batch_size in (1, 4, 1000):  # a batch ends inside, after and well beyond a firm's rows
        with connect(server.backend, **options) as g:
            g.write(load_dataset(folder), batch_size=batch_size)
        counts = server.counts(options)
        assert (counts["Firm"], counts["LOCATED_IN"], counts["MAKES"]) == (3, 3, 2), batch_size
        g = open_backend(server.backend, **options)
        assert g.firms() == open_backend("memory", folder).firms()
        assert g.capacities() == open_backend("memory", folder).capacities()


def test_a_backend_that_loads_forgets_the_load_it_had_read(server, mini, national):
    """A backend that answered from one load and then writes another answers from the new one:
    nothing read of the old load (listings, name indexes, tallies, names) is kept."""
    options = server.graph()
    load(server.backend, mini, **options)
    with open_backend(server.backend, **options) as g:
        old = g.load_id
        assert info(g) == info(open_backend("memory", mini)) and gaps(g)
        assert g.resolve_product(g.products()[0].id) and balance(g)
        g.write(load_dataset(national))
        memory = open_backend("memory", national)
        assert g.load_id != old
        assert info(g) == info(memory) and g.products() == memory.products()
        assert gaps(g) == gaps(memory) and balance(g) == balance(memory)


def test_a_reload_at_size_keeps_one_copy(server, tmp_path):
    """A second load of the same national-style dataset replaces the first: one copy is left,
    the answers are the same, and no delete statement removed more than a slice. On Neo4j
    (outside this machine's CI; a 1 GB heap there) with 25,000 firms, about 100,000 graph
    rows; on the suite's FalkorDB with 2,000 firms, to keep the suite's time."""
    import importlib.util
    from chaingraph.graph import server as server_module
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    firms = 25_000 if server.backend == "neo4j" else 2_000
    folder = tmp_path / "national"
    synth.generate(folder, firms=firms, seed=5, n_products=600, n_cities=40)
    options = server.graph()
    first = load(server.backend, folder, **options)
    assert first["rows"] >= (100_000 if server.backend == "neo4j" else 8_000)
    before = server.counts(options)
    deleted = []
    with connect(server.backend, **options) as g:
        _count_deletes(g, lambda nodes, n: deleted.append(n))
        second = g.write(load_dataset(folder))
    assert second["rows"] == first["rows"] and server.counts(options) == before
    assert max(deleted) <= server_module.DELETE_SLICE and sum(deleted) >= first["rows"]
    g, memory = open_backend(server.backend, **options), open_backend("memory", folder)
    assert g.load_id == second["load"]
    assert gaps(g, region="syn_c001") == gaps(memory, region="syn_c001")
    assert info(g) == info(memory)


def _count_deletes(g, record) -> None:
    """Wrap the backend's `run` so every delete statement reports (is it a node delete, how many
    it removed) to `record`."""
    run = g.run

    def counting(query: str, **params):
        rows = run(query, **params)
        if query in cypher.DELETE_RELATIONSHIPS.values() or query in cypher.DELETE_NODES.values():
            record(query in cypher.DELETE_NODES.values(), rows[0]["deleted"])
        return rows
    g.run = counting


def test_deletes_are_sliced():
    """No delete statement holds more than `$limit` relationships or `$nodes` nodes: each starts
    from a LIMITed set of one load's nodes, and nodes go only once they have no relationship."""
    for label in cypher.LABELS:
        assert cypher.DELETE_RELATIONSHIPS[label] == (
            f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $nodes MATCH (n)-[r]-() "
            "WITH DISTINCT r LIMIT $limit DELETE r RETURN count(r) AS deleted")
        assert cypher.DELETE_NODES[label] == (
            f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $nodes OPTIONAL MATCH (n)-[r]-() "
            "WITH n, count(r) AS degree WHERE degree = 0 DELETE n RETURN count(n) AS deleted")
    every = [value for name, value in vars(cypher).items() if isinstance(value, str) and name.isupper()]
    every += [*cypher.DELETE_RELATIONSHIPS.values(), *cypher.DELETE_NODES.values()]
    assert not [s for s in every if "DETACH DELETE" in s]  # a node's relationships never go unbounded


def test_a_delete_never_holds_more_than_a_slice(server, tmp_path, monkeypatch):
    """A product made by 300 firms, deleted with slices of 40 relationships and 25 nodes: every
    statement removes at most that many, and the old load goes completely."""
    from chaingraph.graph import server as server_module
    products = ["p0", "p1"]
    folder = write_dataset(tmp_path / "hub", products=products, chains=[("c", "p0 > p1")],
                           capacities=[(f"f{i}", "p0", 1, "万吨", "operating") for i in range(300)],
                           links=[("FEEDS", "p0", "p1", 1, "t/t")])
    options = server.graph()
    load(server.backend, folder, **options)
    first = server.current_load(options)
    monkeypatch.setattr(server_module, "DELETE_SLICE", 40)
    monkeypatch.setattr(server_module, "DELETE_NODES", 25)
    deleted = []
    with connect(server.backend, **options) as g:
        _count_deletes(g, lambda nodes, n: deleted.append((nodes, n)))
        g.write(load_dataset(folder))
        assert g.run("MATCH (n) WHERE n.load = $load RETURN count(n) AS n", load=first)[0]["n"] == 0
    assert max(n for is_node, n in deleted if not is_node) == 40 and max(n for is_node, n in deleted if is_node) <= 25
    assert sum(n for is_node, n in deleted if not is_node) == 300 * 2 + 2 + 1  # MAKES, LOCATED_IN, HAS_STEP, FEEDS
    assert server.counts(options)["MAKES"] == 300


def test_clean_up_removes_nodes_of_loads_without_a_record(server, mini):
    """Nodes of a load that is not current go at the next load, with or without a record; nodes
    of a load that another graph records stay."""
    options = server.graph()
    load(server.backend, mini, **options)
    with connect(server.backend, **options) as g:
        g.run("CREATE (:Firm {key: 'gone:x', load: 'gone', id: 'x'})-[:MAKES {line: 1}]->"
              "(:Product {key: 'gone:p', load: 'gone', id: 'p'})")
        g.run("CREATE (:ChaingraphLoad {key: 'elsewhere', load: 'elsewhere', graph: 'another', current: true})")
        g.run("CREATE (:Region {key: 'elsewhere:r', load: 'elsewhere', id: 'r'})")
    load(server.backend, mini, **options)
    with connect(server.backend, **options) as g:
        loads = {r["load"] for r in g.run("MATCH (n) RETURN DISTINCT n.load AS load")}
        assert loads == {g.load_id, "elsewhere"}
        g.run("MATCH (n) WHERE n.load = 'elsewhere' DELETE n")


def test_firms_are_fetched_not_listed(server, mini):
    """On a server, naming a firm, labelling rows and counting never list every firm."""
    options = server.graph()
    load(server.backend, mini, **options)
    g, memory = open_backend(server.backend, **options), open_backend("memory", mini)
    g.firms = lambda: pytest.fail("listed every firm")  # type: ignore[method-assign]
    for name in ("alpha", "阿尔法焦化", "ALPHA COKING", "阿尔法", " beta ", "贝塔"):
        assert g.resolve_firm(name) == memory.resolve_firm(name)
    assert g.firms_by_id(["beta", "nobody", "alpha"]) == memory.firms_by_id(["beta", "nobody", "alpha"])
    assert g.firms_in("minicity") == memory.firms_in("minicity")
    assert g.subsidiaries("alpha") == memory.subsidiaries("alpha") == {"alpha", "beta"}
    assert g.count("firms") == 3 and g.count("capacities") == memory.count("capacities")
    assert info(g) == info(memory)
    for region in (None, "minicity"):
        assert firms(g, product="coke", region=region) == firms(memory, product="coke", region=region)
    assert firms(g, region="minicity") == firms(memory, region="minicity")
    assert chains(g) == chains(memory) and gaps(g) == gaps(memory)


def test_firm_names_fetch_only_names_on_the_server(server, mini):
    """firm_names gives memory's names (shown in either language, or name_zh) from one query of the
    name columns, for firms fetched whole before or not; never whole records or every firm."""
    from chaingraph.i18n import language
    options = server.graph()
    load(server.backend, mini, **options)
    memory = open_backend("memory", mini)
    ids = ["gamma", "alpha", "nobody", "beta", "alpha"]
    for lang in ("zh", "en"):
        with language(lang):
            for shown in (True, False):
                g = open_backend(server.backend, **options)
                g.firms = lambda: pytest.fail("listed every firm")  # type: ignore[method-assign]
                sent = []
                run = g.run
                g.run = lambda query, **params: sent.append(query) or run(query, **params)
                assert g.firm_names(iter(ids), shown=shown) == memory.firm_names(ids, shown=shown)
                assert sent == [cypher.FIRM_NAMES_BY_KEY]
                g.firms_by_id(["beta"])  # a firm fetched whole is named from its record
                assert g.firm_names(["beta", "gamma"], shown=shown) == memory.firm_names(["beta", "gamma"], shown=shown)
    with language("en"):
        assert memory.firm_names(["alpha"]) != memory.firm_names(["alpha"], shown=False)  # the test tells them apart


def test_counts_are_read_from_the_load_record(server, mini):
    """`info` reads the firm and capacity counts the load recorded, and counts on the server only
    for a load that recorded none (written by an older version)."""
    options = server.graph()
    load(server.backend, mini, **options)
    memory = open_backend("memory", mini)
    g = open_backend(server.backend, **options)
    sent = []
    run = g.run
    g.run = lambda query, **params: sent.append(query) or run(query, **params)
    assert info(g) == info(memory)
    assert g.count("firms") == memory.count("firms") and g.count("capacities") == memory.count("capacities")
    assert cypher.COUNT_FIRMS not in sent and cypher.COUNT_CAPACITIES not in sent
    g.run(f"MATCH (l:{cypher.LOAD_LABEL} {{graph: $graph}}) REMOVE l.firms, l.capacities", graph=g.graph)
    older = open_backend(server.backend, **options)
    sent.clear()
    older.run = lambda query, **params: sent.append(query) or run(query, **params)
    assert older.count("firms") == memory.count("firms") and older.count("capacities") == memory.count("capacities")
    assert cypher.COUNT_FIRMS in sent and cypher.COUNT_CAPACITIES in sent


def test_rows_asked_twice_are_fetched_once_while_held(server, mini):
    """A server backend keeps to one load: a region's rows asked again while a copy handed out is
    alive are not fetched again (each caller gets its own copy); once none is, they are not kept
    (a 1M-firm city's rows are ~170 MB). Firm names are fetched once."""
    options = server.graph()
    load(server.backend, mini, **options)
    g = open_backend(server.backend, **options)
    sent = []
    run = g.run
    g.run = lambda query, **params: sent.append(query) or run(query, **params)
    assert bottlenecks(g) == bottlenecks(open_backend("memory", mini))
    assert sent.count(cypher.FIRM_NAMES_BY_KEY) <= 1
    sent.clear()
    rows = g.capacities_by_product("minicity", ["building", "operating"])
    rows.popitem()
    assert g.capacities_by_product("minicity", ["operating", "building"]) != rows  # a copy was changed
    assert sent.count(cypher.CAPACITIES_BY_PRODUCT) == 1
    del rows  # no copy left: the rows are not kept, and are fetched again when asked
    import gc
    gc.collect()
    g.capacities_by_product("minicity", ["operating", "building"])
    assert sent.count(cypher.CAPACITIES_BY_PRODUCT) == 2


def test_an_unknown_firm_name_gets_suggestions_on_the_server(server, mini, monkeypatch):
    from chaingraph.errors import UnknownNameError
    from chaingraph.graph import server as server_module
    options = server.graph()
    load(server.backend, mini, **options)
    g, memory = open_backend(server.backend, **options), open_backend("memory", mini)
    with pytest.raises(UnknownNameError) as expected:
        memory.resolve_firm("阿尔法焦")
    for few in (20_000, 0):  # suggestions from every firm, and from those named alike
        monkeypatch.setattr(server_module, "CLOSEST_FROM_ALL", few)
        with pytest.raises(UnknownNameError) as error:
            g.resolve_firm("阿尔法焦")
        assert str(error.value) == str(expected.value) and "alpha" in str(error.value)


def test_aggregation_cypher_is_pinned():
    rows = "MATCH ()-[m:MAKES]->(p) WHERE m.region IN $regions WITH m, p WHERE p.load = $load "
    supply = "MATCH (s:Supply) WHERE s.region IN $regions WITH s WHERE s.load = $load "
    assert cypher.CAPACITY_STATUSES == rows + "RETURN p.id AS product, collect(DISTINCT m.status) AS statuses"
    assert cypher.SUPPLY_STATUSES == supply + "RETURN s.product AS product, collect(DISTINCT s.status) AS statuses"
    assert cypher.CAPACITY_SUMS.startswith(rows + "AND ($statuses IS NULL OR m.status IN $statuses) WITH ")
    assert cypher.SUPPLY_SUMS.startswith(supply + "AND ($statuses IS NULL OR s.status IN $statuses) RETURN ")
    assert cypher.CAPACITY_OTHERS.startswith("MATCH ()-[m:MAKES]->(p) WHERE m.listed_in IN $regions ")
    assert "CREATE INDEX FOR (n:Supply) ON (n.region)" in cypher.SCHEMA["falkordb"]
    assert "CREATE INDEX FOR ()-[r:MAKES]-() ON (r.listed_in)" in cypher.SCHEMA["falkordb"]
    values = "[" + ", ".join(f"m.{f}" for f in cypher.CAPACITY_FIELDS) + "] AS row"
    assert cypher.CAPACITY_FIELDS[:3] == ("firm", "region", "product") and "line" in cypher.CAPACITY_FIELDS
    assert cypher.CAPACITIES_BY_PRODUCT == (
        rows + "AND ($statuses IS NULL OR m.status IN $statuses) RETURN " + values)
    assert "MAKES" in cypher.RELATIONSHIP_INDEXES and "region" in cypher.RELATIONSHIP_INDEXES["MAKES"]
    assert "CREATE INDEX FOR ()-[r:MAKES]-() ON (r.region)" in cypher.SCHEMA["falkordb"]
    assert ("CREATE INDEX chaingraph_makes_region IF NOT EXISTS FOR ()-[r:MAKES]-() ON (r.region)"
            in cypher.SCHEMA["neo4j"])
    tail = ("NOT (m.region IN $regions) AND ($products IS NULL OR p.id IN $products) AND "
            "($firms IS NULL OR m.firm IN $firms) RETURN properties(m) AS row")
    assert cypher.producers_outside("product") == (
        "MATCH (p:Product)<-[m:MAKES]-(:Firm) WHERE p.key IN $keys AND " + tail)
    assert cypher.producers_outside("firm") == (
        "MATCH (f:Firm)-[m:MAKES]->(p:Product) WHERE f.key IN $keys AND " + tail)
    assert cypher.producers_outside(None) == (
        "MATCH (p:Product {load: $load})<-[m:MAKES]-(:Firm) WHERE " + tail)


def test_the_region_rows_use_the_index_on_falkordb(falkordb_server, mini):
    graph = fresh()
    load("falkordb", mini, uri=falkordb_server, database=graph)
    with connect("falkordb", uri=falkordb_server, database=graph) as g:
        for statement in (cypher.CAPACITY_STATUSES, cypher.CAPACITIES_BY_PRODUCT, cypher.capacities("region"),
                          cypher.CAPACITY_SUMS, cypher.CAPACITY_OTHERS):
            plan = g.explain(statement, regions=["minicity"], load=g.load_id, statuses=None, firm=None)
            assert "Edge By Index Scan | [m:MAKES]" in str(plan), statement
        for statement in (cypher.SUPPLY_STATUSES, cypher.SUPPLY_SUMS):
            plan = g.explain(statement, regions=["minicity"], load=g.load_id, statuses=None)
            assert "Node By Index Scan | (s:Supply)" in str(plan), statement


def test_unbounded_listings_are_sorted_by_the_client(server, mini):
    """Every firm and the MAKES rows of `capacities` and `producers_outside` (millions nationally)
    are streamed unsorted: a server-side ORDER BY holds them all at once (more than a 1 GB Neo4j
    heap); the backend puts them in file order itself, whatever order the server sends."""
    for statement in (cypher.FIRMS, *(cypher.capacities(by) for by in ("product", "firm", "region", None)),
                      *(cypher.producers_outside(by) for by in ("product", "firm", None))):
        assert "ORDER BY" not in statement
    options = server.graph()
    load(server.backend, mini, **options)
    g, memory = open_backend(server.backend, **options), open_backend("memory", mini)
    run = g.run
    g.run = lambda query, **params: run(query, **params)[::-1]  # the rows in the reverse of the file's order
    assert g.firms() == memory.firms() and [f.line for f in g.firms()] == [f.line for f in memory.firms()]
    for asked in ({}, {"product": "coke"}, {"firm": "alpha"}, {"region": "minicity"}):
        rows, expected = g.capacities(**asked), memory.capacities(**asked)
        assert len(expected) > 1 and rows == expected and [c.line for c in rows] == [c.line for c in expected]
    for asked in ({"products": ["coke", "lng"]}, {"firms": ["alpha", "beta"]}, {}):
        rows, expected = g.producers_outside("othercity", **asked), memory.producers_outside("othercity", **asked)
        assert len(expected) > 1 and rows == expected and [c.line for c in rows] == [c.line for c in expected]


def test_the_region_rows_can_use_the_indexes_on_neo4j(neo4j_server, mini):
    """On Neo4j each statement that finds a region's rows, Supply or FirmTally nodes through an
    index is sent with a hint naming that index: Neo4j refuses a hint (an error) when the index
    cannot serve the pattern and predicate as written, so this passes only if it can."""
    options = Server("neo4j").graph()
    load("neo4j", mini, **options)
    hints = {"MATCH ()-[m:MAKES]->(p) WHERE m.region ": "MATCH ()-[m:MAKES]->(p) USING INDEX m:MAKES(region) WHERE m.region ",
             "MATCH ()-[m:MAKES]->(p) WHERE m.listed_in ":
                 "MATCH ()-[m:MAKES]->(p) USING INDEX m:MAKES(listed_in) WHERE m.listed_in ",
             "MATCH (s:Supply) WHERE ": "MATCH (s:Supply) USING INDEX s:Supply(region) WHERE ",
             "MATCH (t:FirmTally) WHERE ": "MATCH (t:FirmTally) USING INDEX t:FirmTally(region) WHERE "}
    statements = [cypher.CAPACITY_STATUSES, cypher.CAPACITIES_BY_PRODUCT, cypher.CAPACITY_SUMS, cypher.CAPACITY_OTHERS,
                  cypher.capacities("region"), cypher.capacity_columns(("firm",)), cypher.largest_rows(("firm",)),
                  cypher.largest_stated(("firm",)), cypher.first_unstated(("firm",)), cypher.SUPPLY_STATUSES,
                  cypher.SUPPLY_SUMS, cypher.SUPPLY_TALLIES, cypher.FIRM_TALLIES]
    with open_backend("neo4j", **options) as g:
        for statement in statements:
            head = next(h for h in hints if statement.startswith(h))
            hinted = hints[head] + statement[len(head):]
            g.run("EXPLAIN " + hinted, load=g.load_id, regions=["minicity"], statuses=None, firm=None, most=10,
                  key=None)


def test_each_aggregation_is_one_query(server, mini):
    """capacities_by_product and producers_outside send one statement each (the subregions of a
    region are asked once per backend, then kept)."""
    options = server.graph()
    load(server.backend, mini, **options)
    g = open_backend(server.backend, **options)
    g.subregions("minicity"), g.regions(), g.load_id
    sent = []
    run = g.run
    g.run = lambda query, **params: sent.append(query) or run(query, **params)
    g.capacities_by_product("minicity", ["operating"])
    g.producers_outside("minicity", products=["coke", "lng"])
    g.producers_outside("minicity", firms=["beta"])
    assert sent == [cypher.CAPACITIES_BY_PRODUCT, cypher.producers_outside("product"),
                    cypher.producers_outside("firm")]


def test_cypher_avoids_what_one_server_lacks():
    statements = [value for name, value in vars(cypher).items() if isinstance(value, str) and name.isupper()]
    statements += [*cypher.SCHEMA["neo4j"], *cypher.SCHEMA["falkordb"]]
    statements += [*cypher.DELETE_RELATIONSHIPS.values(), *cypher.DELETE_NODES.values()]
    statements += [*(cypher.capacities(by) for by in ("product", "firm", "region", None))]
    statements += [cypher.create_nodes("Firm", ("id",)), cypher.create_relationships("Firm", "MAKES", "Product", ("line",)),
                   cypher.create_firms(("id",), ("line",), "SmallFirm")]
    statements += [cypher.producers_outside(by) for by in ("product", "firm", None)]
    for statement in statements:
        for banned in ("EXISTS {", "COUNT {", "elementId(", "IN TRANSACTIONS"):
            assert banned not in statement


def test_browser_style_and_status(falkordb_server, mini):
    graph = fresh()
    load("falkordb", mini, uri=falkordb_server, database=graph)
    with connect("falkordb", uri=falkordb_server, database=graph) as server:
        status = {r["id"]: r["status"] for r in server.run("MATCH (p:Product) RETURN p.id AS id, p.status AS status")}
        tonnes = {r["id"]: r["t"] for r in server.run("MATCH (f:Firm) RETURN f.id AS id, f.capacity_t AS t")}
    assert status == {r["id"]: r["status"] for r in products(open_backend("memory", mini))}
    assert tonnes["alpha"] == 1_000_000 + 300_000 and tonnes["gamma"] is None
    style = (ROOT / "chaingraph" / "graph" / "style.grass").read_text(encoding="utf-8")
    for label in ("Product", "Firm", *cypher.STATUS_LABELS.values(), *(size for size, _ in cypher.FIRM_SIZES)):
        assert f"node.{label} {{" in style  # every label a load sets has a style


def test_query_functions_match_on_the_server(falkordb_server, mini):
    graph = fresh()
    load("falkordb", mini, uri=falkordb_server, database=graph)
    g, m = open_backend("falkordb", uri=falkordb_server, database=graph), open_backend("memory", mini)
    assert info(g) == info(m) and firms(g, region="minicity") == firms(m, region="minicity")


def test_a_server_lost_mid_load_says_so(tmp_path, mini):
    import servers
    process, uri = servers.start(tmp_path)
    try:
        with connect("falkordb", uri=uri, database="g") as server:
            def stop_the_server(done: int, total: int) -> None:
                if done:  # after the first batch
                    servers.stop(process)
            with pytest.raises(ChaingraphError) as error:
                server.write(load_dataset(mini), progress=stop_the_server, batch_size=4)
    finally:
        servers.stop(process)
    assert str(error.value) in {f"load stopped after 4 of 50 rows, the graph loaded before is unchanged: "
                                f"lost falkordb at {uri}: connection {how}" for how in ("refused", "closed")}


def test_a_load_removed_by_another_one_does_not_switch(server, mini):
    options = server.graph()
    load(server.backend, mini, **options)
    before = server.current_load(options)
    other = connect(server.backend, **options)

    def meanwhile(done: int, total: int) -> None:
        if done == 4:  # another load finishing now deletes every load but the current one
            other.delete_old_loads()
    with connect(server.backend, **options) as g:
        # it stops at its next batch, and deletes what it wrote
        with pytest.raises(ChaingraphError, match="load stopped after 4 of 50 rows, the graph loaded before is "
                                                  f"unchanged: another load into {server.backend} at .* removed "
                                                  "this one"):
            g.write(load_dataset(mini), progress=meanwhile, batch_size=4)
        assert g.run("MATCH (n) WHERE n.load <> $load RETURN count(n) AS n", load=before)[0]["n"] == 0
    other.close()
    assert server.current_load(options) == before
    assert info(open_backend(server.backend, **options)) == info(open_backend("memory", mini))


def test_readme_cypher_runs_and_answers(falkordb_server):
    graph = fresh()
    load("falkordb", uri=falkordb_server, database=graph)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```cypher\n", 1)[1].split("```", 1)[0]
    queries = [q for q in block.split("\n\n") if q.strip()]
    assert len(queries) == 4
    with connect("falkordb", uri=falkordb_server, database=graph) as server:
        for query in queries:
            assert server.run(query), query.splitlines()[0]


def test_a_load_builds_no_networkx_graph(falkordb_server, mini, monkeypatch):
    """The product statuses a load labels come from the rows, not from a whole graph built first."""
    import chaingraph.graph.memory as memory
    monkeypatch.setattr(memory, "build_graph", lambda ds: pytest.fail("built a networkx graph to load"))
    load("falkordb", mini, uri=falkordb_server, database=fresh())


def test_text_that_json_would_escape_is_written_as_it_is(falkordb_server, tmp_path):
    """Rows go to FalkorDB as JSON unless JSON would write a \\uXXXX escape (control characters),
    which FalkorDB does not read: then the client's own quoting is used. Both give the text back."""
    notes = ["tab\\there \"quoted\" 中文 back\\slash", "control \x01 character", "line\nbreak"]
    folder = write_dataset(tmp_path / "odd", products=[{"id": f"p{i}", "note": n} for i, n in enumerate(notes)])
    graph = fresh()
    load("falkordb", folder, uri=falkordb_server, database=graph)
    g = open_backend("falkordb", uri=falkordb_server, database=graph)
    assert [p.note for p in g.products()] == notes == [p.note for p in open_backend("memory", folder).products()]


def test_a_load_streams_the_compiled_store(falkordb_server, mini_copy, monkeypatch):
    """`load` checks the dataset through its compiled store (written by the first open, reused
    after) and builds its batches from the store's columns: never every firm or capacity row as
    records at once, never the whole dataset."""
    import chaingraph.loaders
    from chaingraph.graph.store import Store, Table

    def refuse(*args, **kwargs):
        raise AssertionError("the whole dataset was built")

    monkeypatch.setattr(Store, "dataset", refuse)
    monkeypatch.setattr(chaingraph.loaders, "load_dataset", refuse)
    whole, every = [], Table.all
    monkeypatch.setattr(Table, "all", lambda self: whole.append(self.cls.__name__) or every(self))
    options = {"uri": falkordb_server, "database": fresh()}
    first = load("falkordb", mini_copy, **options)
    assert "Firm" not in whole and "Capacity" not in whole and "Product" in whole
    monkeypatch.setattr(chaingraph.loaders, "read_store", refuse)  # the second load reuses the store
    assert load("falkordb", mini_copy, **options)["rows"] == first["rows"] == 50
    monkeypatch.undo()
    with open_backend("falkordb", **options) as g:
        memory = open_backend("memory", mini_copy)
        assert g.firms() == memory.firms() and g.capacities() == memory.capacities()


def _same_tallies(g, data: Path) -> None:
    """The home city's capacity and firm tallies on a server are those of memory."""
    from chaingraph.graph.model import SUPPLYING
    memory = open_backend("memory", data)
    for most in (2, 10):
        assert g.firm_tallies("home", SUPPLYING, most) == memory.firm_tallies("home", SUPPLYING, most)
        assert (g.capacity_tallies("home", SUPPLYING, ROW_FIELDS, most)
                == memory.capacity_tallies("home", SUPPLYING, ROW_FIELDS, most))


def test_a_load_over_an_older_one_leaves_only_its_own_tallies(server, tmp_path, monkeypatch):
    """The Supply and FirmTally nodes of a load go with it: a changed dataset loaded over the graph
    leaves those of the new load alone, and its tallies are those of memory."""
    from chaingraph.graph.store import Store
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    options = server.graph()
    load(server.backend, write_dataset(tmp_path / "first", **MANY_PRODUCERS), **options)
    second = write_dataset(tmp_path / "second", **{**MANY_PRODUCERS, "capacities": MANY_PRODUCERS["capacities"][1:-3]})
    load(server.backend, second, **options)
    store = Store.from_dataset(load_dataset(second))
    counts = server.counts(options)
    assert counts["ChaingraphLoad"] == 1
    made = [label for label, _ in server_module._summaries(store)]
    assert (counts["Supply"], counts["FirmTally"]) == (made.count("Supply"), made.count("FirmTally"))
    assert (counts["Supply"], counts["FirmTally"]) == server_module._node_counts(store)
    with open_backend(server.backend, **options) as g:
        assert g._summary == {"home": (server_module.NAMED, server_module.TALLIED)}
        _same_tallies(g, second)


def test_summary_nodes_are_batched_by_count_and_by_text(tmp_path, monkeypatch):
    """The Supply and FirmTally nodes come in batches of at most `batch_size` nodes and about
    `SUMMARY_TEXT` characters of text (a batch ends at the node that passes it), numbered in the
    order they are made, the same nodes however they are cut."""
    from chaingraph.graph.store import Store
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    store = Store.from_dataset(load_dataset(write_dataset(tmp_path / "d", **MANY_PRODUCERS)))
    made = list(server_module._summaries(store))
    labels = [label for label, _ in made]
    assert labels == sorted(labels, key=["Supply", "FirmTally"].index) and len(set(labels)) == 2
    key = "x:{}".format

    def nodes(batches):
        return [(query, row) for query, rows, _ in batches for row in rows]

    whole = list(server_module._summary_batches(store, key, 10_000))
    assert [len(rows) for _, rows, _ in whole] == [labels.count("Supply"), labels.count("FirmTally")]
    assert [row[1:] for _, row in nodes(whole)] == [values for _, values in made]
    assert [row[0] for _, row in nodes(whole)] == [
        key(f"{'supply' if label == 'Supply' else 'firm_tally'}:{labels[:k].count(label)}") for k, label in enumerate(labels)]
    assert {len(rows) for _, rows, _ in server_module._summary_batches(store, key, 3)} <= {1, 2, 3}
    monkeypatch.setattr(server_module, "SUMMARY_TEXT", 1)
    one = list(server_module._summary_batches(store, key, 10_000))
    assert {len(rows) for _, rows, _ in one} == {1} and nodes(one) == nodes(whole)


def test_summaries_made_ahead_come_in_order_and_raise_in_the_caller():
    """`_Ahead` gives an iterator's items in order, those made so far (`ready`) then the rest;
    what the iterator raises is raised by the caller; once closed, its thread stops."""
    ahead = server_module._Ahead(iter(range(5)))
    time.sleep(0.2)
    first = list(ahead.ready())
    assert first == list(range(len(first))) and first + list(ahead.rest()) == list(range(5))
    assert list(ahead.ready()) == [] and list(ahead.rest()) == []

    def failing():
        yield 1
        raise ValueError("broken")
    with pytest.raises(ValueError, match="broken"):
        list(server_module._Ahead(failing()).rest())
    made = []

    def endless():
        while True:
            made.append(len(made))
            yield made[-1]
    ahead = server_module._Ahead(endless())
    time.sleep(0.2)
    ahead.close()
    time.sleep(0.3)
    n = len(made)
    time.sleep(0.2)
    assert n == len(made) <= server_module._Ahead.AHEAD + 2


def test_summaries_written_between_small_batches_give_the_tallies_of_memory(server, tmp_path, monkeypatch):
    """A load in batches of a few rows writes its Supply and FirmTally nodes between the firms'
    batches, as they are made: the counts and the tallies are those of a load in whole batches."""
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    monkeypatch.setattr(server_module, "SUMMARY_TEXT", 500)
    folder = write_dataset(tmp_path / "d", **MANY_PRODUCERS)
    options = server.graph()
    load(server.backend, folder, **options)
    whole = server.counts(options)
    queries = []
    with connect(server.backend, **options) as g:
        prepare = g.prepare_rows
        g.prepare_rows = lambda query, rows, **params: queries.append(query) or prepare(query, rows, **params)
        g.write(load_dataset(folder), batch_size=2)
    assert server.counts(options) == whole and whole["Supply"] and whole["FirmTally"]
    assert sum("CREATE (:Supply" in q for q in queries) > 1 and sum("CREATE (:FirmTally" in q for q in queries) > 1
    with open_backend(server.backend, **options) as g:
        _same_tallies(g, folder)


def test_a_load_of_an_older_version_is_read_from_its_rows(server, tmp_path, monkeypatch):
    """A graph loaded by a version whose Supply nodes name no rows (and that wrote no FirmTally
    nodes: `Region.named` is null) gives the same tallies, from its rows."""
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    options = server.graph()
    folder = write_dataset(tmp_path / "d", **MANY_PRODUCERS)
    load(server.backend, folder, **options)
    with connect(server.backend, **options) as g:
        load_id = g.load_id
        g.run("MATCH (r:Region {load: $load}) SET r.named = null, r.tallied = null", load=load_id)
        g.run("MATCH (s:Supply {load: $load}) SET s.tally = null", load=load_id)
        g.run("MATCH (t:FirmTally {load: $load}) DELETE t", load=load_id)
    with open_backend(server.backend, **options) as g:
        assert set(g._summary) == {"home", "far"} and set(g._summary.values()) == {(None, None)}
        _same_tallies(g, folder)


def test_the_nodes_name_what_the_queries_list():
    """A large city's Supply nodes name as many rows, and its FirmTally nodes as many firms, as
    `balance` and `bottlenecks` list (else those read the city's rows), of the statuses they add up."""
    from chaingraph.graph.model import SUPPLYING
    from chaingraph.queries._common import LISTED
    assert server_module.NAMED == LISTED and set(server_module.TALLIED) == set(SUPPLYING)


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    """A small national-style dataset (bench/synth.py): its home city, a region with no region below
    it, is the kind whose Supply and FirmTally nodes a load writes (at 1M firms: the cities)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    folder = tmp_path_factory.mktemp("names") / "national"
    synth.generate(folder, firms=3_000, seed=7, n_products=300, n_cities=4)
    return folder


def _tally_queries(g) -> list[tuple[str, object]]:
    """`balance` (both bases) and `bottlenecks` of the home city, in either language (firm names are
    shown as the language shows them), as (name, rows)."""
    from chaingraph.i18n import language
    found = []
    for lang in ("zh", "en"):
        with language(lang):
            found += [(f"balance {lang}", balance(g, basis="target")), (f"balance capacity {lang}", balance(g)),
                      (f"bottlenecks {lang}", bottlenecks(g))]
    return found


def _recorded(g) -> list[str]:
    """The statements `g` runs from now on, recorded as they are sent."""
    sent: list[str] = []
    run = g.run
    g.run = lambda query, **params: sent.append(query) or run(query, **params)
    return sent


def test_the_tally_nodes_name_their_firms(server, national, monkeypatch):
    """A large city's Supply and FirmTally nodes keep the names of the firms they name: `balance` and
    `bottlenecks` read them with the tallies and ask the server for no firm's names, in either
    language, and give memory's rows."""
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    options = server.graph()
    load(server.backend, national, **options)
    memory = open_backend("memory", national)
    with open_backend(server.backend, **options) as g:
        sent = _recorded(g)
        queries = _tally_queries(g)
        assert queries == _tally_queries(memory)
        assert any(row["firms"] for name, rows in queries if name.startswith("bottlenecks") for row in rows)
        # the nodes were read: the city's capacity tallies from its FirmTally nodes' `rows`
        assert cypher.ROWS_TALLIES in sent and cypher.FIRM_TALLIES in sent and cypher.SUPPLY_TALLIES not in sent
        assert cypher.FIRM_NAMES_BY_KEY not in sent and cypher.FIRMS_BY_KEY not in sent
        known = memory.firms_by_id(g._names)
        assert len(known) == len(g._names) > 0
        assert all(tuple(g._names[f]) == (firm.name_zh, firm.name_en) for f, firm in known.items())
    # a load of an older version wrote no `rows`: the Supply nodes are merged instead, the same rows
    with monkeypatch.context() as patch, open_backend(server.backend, **options) as g:
        patch.setattr(cypher, "ROWS_TALLIES", cypher.ROWS_TALLIES.replace("t.rows AS", "null AS"))
        sent = _recorded(g)
        assert _tally_queries(g) == queries
        assert cypher.SUPPLY_TALLIES in sent and cypher.FIRM_NAMES_BY_KEY not in sent
    from chaingraph.graph.model import SUPPLYING
    from chaingraph.i18n import language
    from chaingraph.queries._common import LISTED
    home = memory.home_region().id
    with open_backend(server.backend, **options) as g, language("en"):  # the FirmTally nodes alone
        sent = _recorded(g)
        tallies = g.firm_tallies(home, SUPPLYING, LISTED)
        named = [f for t in tallies.values() for f in t.named]
        assert tallies == memory.firm_tallies(home, SUPPLYING, LISTED) and named
        assert g.firm_names(named) == memory.firm_names(named) and cypher.FIRM_NAMES_BY_KEY not in sent


def _drop_names(g, label: str, keep: int) -> int:
    """Rewrite the `tally` of the current load's `label` nodes as a load of an older version wrote it:
    its first `keep` values, no firm names. Returns the nodes rewritten."""
    rows = [[r["key"], json.loads(r["tally"])] for r in g.run(
        f"MATCH (n:{label} {{load: $load}}) RETURN n.key AS key, n.tally AS tally", load=g.load_id)]
    assert rows and all(len(tally) == keep + 1 for _, tally in rows)
    g.run(f"UNWIND $rows AS row MATCH (n:{label} {{key: row[0]}}) SET n.tally = row[1]",
          rows=[[key, json.dumps(tally[:keep], ensure_ascii=False)] for key, tally in rows])
    return len(rows)


def test_tally_nodes_without_names_are_named_from_the_firms(server, national, monkeypatch):
    """The tally nodes of a load of an older version keep no names: the same rows, the names then
    asked of the server."""
    monkeypatch.setattr(server_module, "SUMMED_FROM", 1)
    options = server.graph()
    load(server.backend, national, **options)
    with connect(server.backend, **options) as g:
        assert _drop_names(g, "Supply", 16) and _drop_names(g, "FirmTally", 8)
        g.run("MATCH (n:FirmTally {load: $load}) SET n.rows = null", load=g.load_id)  # (nor any `rows`)
    memory = open_backend("memory", national)
    with open_backend(server.backend, **options) as g:
        sent = _recorded(g)
        assert _tally_queries(g) == _tally_queries(memory)
        assert cypher.SUPPLY_TALLIES in sent and cypher.FIRM_TALLIES in sent and cypher.FIRM_NAMES_BY_KEY in sent


@pytest.mark.parametrize("data", ["mini", "shipped"])
def test_the_listings_of_a_load_are_the_nodes(server, data, request):
    """A load writes the regions, products, links and chains as JSON texts in Listing nodes
    (cypher.LISTINGS), all four read in one statement; they are the records the nodes give, in the
    same order, and the embedded store's. A load of an older version, which wrote each text on its
    record or none at all (then the nodes are read), gives the same."""
    options = server.graph()
    load(server.backend, request.getfixturevalue("mini") if data == "mini" else None, **options)
    memory = open_backend("memory", request.getfixturevalue("mini") if data == "mini" else None)
    from_nodes = {cypher.REGIONS, cypher.PRODUCTS, cypher.LINKS, cypher.CHAINS}
    with connect(server.backend, **options) as g:
        sent = _recorded(g)
        listed = (g.regions(), g.products(), g.links(), g.chains())
        texts = {kind: g.run("MATCH (p:Listing {load: $load, kind: $kind}) RETURN p.text AS text", load=g.load_id,
                             kind=kind) for kind in cypher.LISTED}
    assert sent.count(cypher.LISTINGS) == 1 and not from_nodes & set(sent)
    assert listed == (memory.regions(), memory.products(), memory.links(), memory.chains()) and all(listed)
    assert any(step.products for chain in listed[3] for step in chain.steps)
    assert all(len(rows) == 1 for rows in texts.values())
    with connect(server.backend, **options) as g:  # as a load of an older version wrote them: on its record
        for kind, rows in texts.items():
            g.run(f"MATCH (l:ChaingraphLoad {{key: $load}}) SET l.listed_{kind} = $text", load=g.load_id,
                  text=rows[0]["text"])
        g.run("MATCH (p:Listing {load: $load}) DELETE p", load=g.load_id)
    with connect(server.backend, **options) as g:
        sent = _recorded(g)
        assert (g.regions(), g.products(), g.links(), g.chains()) == listed
        assert cypher.LISTINGS in sent and not from_nodes & set(sent)
    with connect(server.backend, **options) as g:  # older still: none
        g.run("MATCH (l:ChaingraphLoad {key: $load}) SET " + ", ".join(f"l.listed_{kind} = null" for kind in cypher.LISTED),
              load=g.load_id)
    with connect(server.backend, **options) as g:
        sent = _recorded(g)
        assert (g.regions(), g.products(), g.links(), g.chains()) == listed and from_nodes <= set(sent)


def test_a_long_listing_is_written_in_bounded_pieces(server, mini, monkeypatch):
    """A listing longer than `LISTING_PIECE` characters is cut into Listing nodes of at most that
    many, and no statement writes more than that many characters of them; read back whole."""
    monkeypatch.setattr(server_module, "LISTING_PIECE", 40)
    options = server.graph()
    with connect(server.backend, **options) as g:
        sent = []
        run = g.run
        g.run = lambda query, **params: (sent.append(params["rows"]) if "CREATE (:Listing" in query else None,
                                         run(query, **params))[1]
        g.write(load_dataset(mini))
        pieces = g.run("MATCH (p:Listing {load: $load}) RETURN p.kind AS kind, p.part AS part, p.text AS text",
                       load=g.load_id)
    assert len(pieces) > 2 * len(cypher.LISTED) and max(len(p["text"]) for p in pieces) == 40
    assert max(sum(len(row[3]) for row in rows) for rows in sent) <= 40 and sum(map(len, sent)) == len(pieces)
    memory = open_backend("memory", mini)
    with open_backend(server.backend, **options) as g:
        assert (g.regions(), g.products(), g.links(), g.chains()) == (
            memory.regions(), memory.products(), memory.links(), memory.chains())
