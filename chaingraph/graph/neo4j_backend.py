"""Neo4j 5 over the official `neo4j` driver (`bolt://`, `neo4j://`, Aura `neo4j+s://`)."""
from __future__ import annotations

import logging
import os
from typing import Any

from ..errors import ChaingraphError
from ..i18n import gettext as _
from .server import CypherBackend, ServerError, reason

__all__ = ["Neo4jBackend", "CONNECT_TIMEOUT"]

CONNECT_TIMEOUT = 5.0  # seconds to connect and get a Bolt answer


class Neo4jBackend(CypherBackend):
    """A Neo4j database holding a loaded dataset.

    Connection from the arguments, else `NEO4J_URI`, `NEO4J_USERNAME` (default `neo4j`),
    `NEO4J_PASSWORD`, `NEO4J_DATABASE` (default: the server's default database). Several
    chaingraph graphs can share one database under different `graph` names.
    """

    name = "neo4j"

    def __init__(self, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None, graph: str = "chaingraph"):
        super().__init__(graph)
        self.uri = uri or os.environ.get("NEO4J_URI")
        if not self.uri:
            raise ChaingraphError(_("no Neo4j server given: use --uri or set NEO4J_URI"))
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        user = user or os.environ.get("NEO4J_USERNAME") or "neo4j"
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        import neo4j
        import neo4j.exceptions as errors
        # the driver logs a failed routing request as a warning; with no handler set, Python would
        # print it on stderr next to our one `Error:` line
        logging.getLogger("neo4j").addHandler(logging.NullHandler())
        self._errors = errors
        try:
            # the driver's defaults wait 30 s for a connection and 60 s for one from its pool; a
            # port that accepts and never answers in Bolt would hang the command that long
            self._driver = neo4j.GraphDatabase.driver(
                self.uri, auth=(user, password), connection_timeout=CONNECT_TIMEOUT,
                connection_acquisition_timeout=CONNECT_TIMEOUT)
            self._driver.verify_connectivity()
        except errors.AuthError:
            raise ServerError(_("%(server)s at %(uri)s refused the user name or password") % {
                "server": "neo4j", "uri": self.uri}) from None
        except (errors.ServiceUnavailable, errors.DriverError, OSError) as e:
            raise ServerError(_("cannot reach %(server)s at %(uri)s: %(why)s") % {
                "server": "neo4j", "uri": self.uri, "why": _why(e)}) from None
        except ValueError as e:  # a malformed address
            raise ServerError(_("not a Neo4j address: %(uri)s (%(why)s)") % {"uri": self.uri, "why": _first_line(e)}) from None

    def where(self) -> str:
        database = f", database {self.database!r}" if self.database else ""
        return f"neo4j at {self.uri}{database}, graph {self.graph!r}"

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        try:
            records, _summary, _keys = self._driver.execute_query(query, params, database_=self.database)
        except self._errors.Neo4jError as e:
            raise ServerError(f"neo4j at {self.uri}: {e.code}: {_first_line(e.message or '')}") from None
        except (self._errors.DriverError, OSError) as e:
            raise ServerError(_("lost %(server)s at %(uri)s: %(why)s") % {"server": "neo4j", "uri": self.uri, "why": reason(e)}) from None
        return [record.data() for record in records]

    def close(self) -> None:
        self._driver.close()


def _why(error: BaseException) -> str:
    """A connection error in a few words; a `neo4j://` address hides the cause in a group."""
    causes, text = [error], ""
    while causes:
        e = causes.pop()
        text += " " + str(e).lower()
        causes += [*getattr(e, "exceptions", ()), *([e.__cause__] if e.__cause__ else [])]
    if "looks like http" in text:
        return _("an HTTP server answered, not Bolt (Neo4j takes Bolt on port 7687 by default; 7474 is its web "
                 "port)")
    if "handshake" in text and "deadline" in text:
        return _("no Bolt answer within %(seconds)s s") % {"seconds": f"{CONNECT_TIMEOUT:g}"}
    return reason(error)


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
