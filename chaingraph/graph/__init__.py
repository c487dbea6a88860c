"""The knowledge graph: records (model), the backend interface, `open_backend` and `load`."""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ChaingraphError
from ..i18n import gettext as _

if TYPE_CHECKING:
    from .backend import Backend
    from .server import CypherBackend

__all__ = ["open_backend", "load", "connect", "BACKENDS", "SERVERS", "DRIVERS"]

BACKENDS = ("memory", "neo4j", "falkordb")
SERVERS = BACKENDS[1:]


def open_backend(name: str = "memory", data_dir: str | os.PathLike[str] | None = None,
                 **options: Any) -> Backend:
    """A backend by name. `memory` holds the dataset in `data_dir` (default: the shipped `data/`);
    a server backend opens the graph loaded there before (`load`), and `options` are its
    connection: `uri`, `user`, `password`, `database` (see `connect`).

    Backends are imported here, on demand, so that a light command never loads a driver.
    """
    if name == "memory":
        from .memory import MemoryBackend
        return MemoryBackend(data_dir, **options)
    return connect(name, **options).check()


# the module each server backend cannot work without, and the extra of the package that installs it
DRIVERS = {"neo4j": "neo4j", "falkordb": "hiredis"}


def connect(name: str, **options: Any) -> CypherBackend:
    """A connection to a graph server by backend name, whether or not a graph is loaded there."""
    try:
        if name in DRIVERS:
            importlib.import_module(DRIVERS[name])
    except ModuleNotFoundError as e:
        if e.name != DRIVERS[name]:
            raise
        raise ChaingraphError(_("the %(backend)s backend needs the %(module)s package, which is not installed: "
                                "pip install \"chaingraph[%(backend)s]\" (in a checkout: pip install -e \".[%(backend)s]\")")
                              % {"backend": name, "module": DRIVERS[name]}) from None
    if name == "neo4j":
        from .neo4j_backend import Neo4jBackend
        return Neo4jBackend(**options)
    if name == "falkordb":
        from .falkordb_backend import FalkorDBBackend
        return FalkorDBBackend(**options)
    raise ChaingraphError(_("unknown backend %(name)r (expected %(choices)s)") % {"name": name, "choices": ", ".join(BACKENDS)})


def load(name: str, data_dir: str | os.PathLike[str] | None = None, *,
         progress: Callable[[int, int], None] | None = None, **options: Any) -> dict[str, Any]:
    """Validate the dataset in `data_dir`, then load it into a server, replacing what was there.

    Bad data raises before the server is contacted. The dataset's compiled store is used (and
    written when there is none yet, as any command's first open does), so a national dataset
    goes to the server in batches from its columns, never all at once as records. The load is atomic (graph/server.py): if it
    stops half-way, the graph loaded before stays current. Returns `{"rows", "seconds", "load"}`.
    """
    if name not in SERVERS:
        raise ChaingraphError(_("load needs a server backend (%(choices)s), not %(name)r") % {"name": name, "choices": ", ".join(SERVERS)})
    from .store import open_store
    store = open_store(data_dir)  # validated once and compiled (store.py); a load streams its columns
    with connect(name, **options) as server:
        return server.write(store, progress=progress)
