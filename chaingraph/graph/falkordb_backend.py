"""FalkorDB over the `falkordb` client: `--uri falkordb://host:port`, the graph name in `--database`."""
from __future__ import annotations

import ast
import re
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..i18n import gettext as _
from .server import CypherBackend, ServerError, reason as _reason

__all__ = ["FalkorDBBackend", "DEFAULT_URI", "CONNECT_TIMEOUT"]

DEFAULT_URI = "falkordb://127.0.0.1:6379"
CONNECT_TIMEOUT = 5.0  # seconds to connect and get an answer to a ping
SCHEMES = ("falkordb", "falkor", "redis")


class FalkorDBBackend(CypherBackend):
    """A FalkorDB graph (a Redis key) holding a loaded dataset.

    The address is `falkordb://[user:password@]host:port`; `user` and `password` may also be given
    apart. The graph name (`database`, default `chaingraph`) is the FalkorDB graph key.
    """

    name = "falkordb"

    def __init__(self, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None, graph: str = "chaingraph"):
        super().__init__(graph)
        self.uri = uri or DEFAULT_URI
        parts = urlsplit(self.uri if "://" in self.uri else f"falkordb://{self.uri}")
        if parts.scheme not in SCHEMES:
            raise ServerError(_("not a FalkorDB address: %(uri)s (expected falkordb://host:port)") % {"uri": self.shown_uri})
        self.database = database or "chaingraph"
        try:
            port = parts.port or 6379
        except ValueError:
            raise ServerError(_("not a FalkorDB address: %(uri)s (bad port)") % {"uri": self.shown_uri}) from None
        import redis
        import redis.exceptions
        from falkordb import FalkorDB
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        self._errors = redis.exceptions
        address = {"host": parts.hostname or "127.0.0.1", "port": port, "username": user or parts.username,
                   "password": password or parts.password, "socket_connect_timeout": CONNECT_TIMEOUT}
        try:
            # first a ping that gives up after CONNECT_TIMEOUT: a port that accepts and never
            # answers would otherwise hang the client, which waits on queries without a limit
            with redis.Redis(**address, socket_timeout=CONNECT_TIMEOUT, retry=Retry(NoBackoff(), 0)) as probe:
                probe.ping()
            # the client connects at once (it asks whether the server is a sentinel)
            self._db = FalkorDB(**address)
        except redis.exceptions.AuthenticationError:
            raise ServerError(_("%(server)s at %(uri)s refused the user name or password") % {
                "server": "falkordb", "uri": self.shown_uri}) from None
        except redis.exceptions.ResponseError as e:
            if "auth" in str(e).lower() or "password" in str(e).lower():
                raise ServerError(_("%(server)s at %(uri)s refused the user name or password") % {
                "server": "falkordb", "uri": self.shown_uri}) from None
            raise ServerError(f"falkordb at {self.shown_uri}: {e}") from None
        except redis.exceptions.TimeoutError:
            raise ServerError(_("cannot reach %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri,
                "why": _("no answer within %(seconds)s s") % {"seconds": f"{CONNECT_TIMEOUT:g}"}}) from None
        except (redis.exceptions.ConnectionError, OSError) as e:
            raise ServerError(_("cannot reach %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri, "why": _reason(e)}) from None
        except redis.exceptions.RedisError as e:  # something answered, but not in the Redis protocol
            raise ServerError(_("no FalkorDB at %(uri)s: %(why)s") % {
                "uri": self.shown_uri, "why": _answered(e, address["host"], port)}) from None
        self._graph = self._db.select_graph(self.database)

    @property
    def shown_uri(self) -> str:
        """The address without user name or password."""
        parts = urlsplit(self.uri if "://" in self.uri else f"falkordb://{self.uri}")
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()

    def where(self) -> str:
        return f"falkordb at {self.shown_uri}, graph {self.database!r}"

    def _query(self, query: str, params: dict[str, Any] | None) -> Any:
        try:
            return self._graph.query(query, params)
        except (self._errors.ConnectionError, self._errors.TimeoutError, OSError) as e:
            raise ServerError(_("lost %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri, "why": _reason(e)}) from None
        except self._errors.ResponseError as e:
            raise ServerError(f"falkordb at {self.shown_uri}: {e}") from None
        except self._errors.RedisError as e:
            raise ServerError(f"falkordb at {self.shown_uri}: {_answered(e)}") from None

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Rows as dicts. The client's parser turns each value of the compact reply into Python
        one call at a time (seconds for a few ten thousand rows); the values a chaingraph query
        returns (nulls, strings, numbers, booleans, lists and maps of them) are read here in one
        pass instead, and anything else (a node, a path ...) by the client's parser."""
        text = _parameters(params)
        if text is None:  # a value JSON would not write as FalkorDB reads it: the client's way
            result = self._query(query, params)
            names = [name for _, name in result.header]
            return [dict(zip(names, row)) for row in result.result_set]
        try:
            reply = self._graph.execute_command("GRAPH.QUERY", self._graph.name, text + query, "--compact")
        except (self._errors.ConnectionError, self._errors.TimeoutError, OSError) as e:
            raise ServerError(f"lost falkordb at {self.shown_uri}: {_reason(e)}") from None
        except self._errors.ResponseError as e:
            raise ServerError(f"falkordb at {self.shown_uri}: {e}") from None
        except self._errors.RedisError as e:
            raise ServerError(f"falkordb at {self.shown_uri}: {_answered(e)}") from None
        if isinstance(reply[-1], self._errors.ResponseError):  # an error while the query ran
            raise ServerError(f"falkordb at {self.shown_uri}: {reply[-1]}")
        if len(reply) < 3:  # statistics only: a statement that returns nothing
            return []
        names = [name for _, name in reply[0]]
        value = self._value
        return [dict(zip(names, [value(cell) for cell in row])) for row in reply[1]]

    def _value(self, cell: list[Any]) -> Any:
        # the client asks for decoded replies: strings come as str, integers as int
        kind, value = cell
        if kind == 2 or kind == 3:  # string, integer
            return value
        if kind == 1:
            return None
        if kind == 10:  # map: key, value, key, value ... (a record's properties: mostly scalars)
            found = {}
            pairs = iter(value)
            for key, (inner, item) in zip(pairs, pairs):
                if inner == 2 or inner == 3:
                    found[key] = item
                elif inner == 1:
                    found[key] = None
                elif inner == 5:
                    found[key] = float(item)
                else:
                    found[key] = self._value([inner, item])
            return found
        if kind == 5:
            return float(value)
        if kind == 6:  # a list: of scalars mostly (a capacity row's values), read without a call each
            found = []
            for inner, item in value:
                if inner == 2 or inner == 3:
                    found.append(item)
                elif inner == 1:
                    found.append(None)
                elif inner == 5:
                    found.append(float(item))
                else:
                    found.append(self._value([inner, item]))
            return found
        if kind == 4:
            return value == "true"
        from falkordb.query_result import parse_scalar
        return parse_scalar(cell, self._graph)

    def prepare_rows(self, query: str, rows: list[list[Any]], **params: Any) -> Callable[[], Any]:
        """The client writes parameters as Cypher text in Python, value by value (most of a load's
        time); here json (in C) writes them (`_parameters`), while the batch before is written."""
        text = _parameters({"rows": rows, **params})
        if text is None:
            return super().prepare_rows(query, rows, **params)
        text += query
        return lambda: self._query(text, None)

    def run_schema(self, statement: str) -> None:
        try:
            self.run(statement)
        except ServerError as e:
            if "already indexed" not in str(e):
                raise

    def close(self) -> None:
        self._db.connection.close()


def _parameters(params: dict[str, Any]) -> str | None:
    """`CYPHER name=value ... ` for a query: values of strings, numbers, booleans, nulls and lists
    and maps of them are JSON, which FalkorDB reads as Cypher literals. None when JSON would write
    what FalkorDB reads otherwise (a map's keys), a `\\uXXXX` escape (control characters), a number beyond
    what a float holds, another type; the client's own quoting is used then."""
    if not params:
        return ""
    if any(_has_map(value) for name, value in params.items() if name != "rows"):  # a load's rows hold no map
        return None  # Cypher map keys are not JSON strings
    try:
        text = "CYPHER " + " ".join(f"{name}={json.dumps(value, ensure_ascii=False, allow_nan=False)}"
                                    for name, value in params.items()) + " "
    except (TypeError, ValueError):
        return None
    return None if "\\u" in text else text


def _has_map(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(_has_map(v) for v in value))


def _answered(error: Exception, host: str | None = None, port: int | None = None) -> str:
    """What a server that does not speak the Redis protocol answered: from the client's error
    (`Protocol Error: b'HTTP/1.1 400 Bad Request'`), or, where the client (hiredis) only names the
    first byte, from the first line the server sends back to a plain `PING`."""
    text = str(error)
    match = re.search(r"""b(['"]).*\1""", text)
    if match:
        answer = ast.literal_eval(match.group()).decode("utf-8", "replace").strip()
    elif host and port:
        answer = _first_line(host, port) or text
    else:
        return text or type(error).__name__
    if answer.startswith("HTTP/"):
        return _("an HTTP server answered (%(answer)r); FalkorDB speaks the Redis protocol, on port 6379 by "
                 "default") % {"answer": answer}
    return _("the server answered %(answer)r, not in the Redis protocol") % {"answer": answer}


def _first_line(host: str, port: int) -> str:
    import socket
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as sock:
            sock.sendall(b"PING\r\n")
            data = sock.recv(256)
    except OSError:
        return ""
    return data.split(b"\n")[0].decode("utf-8", "replace").strip()
