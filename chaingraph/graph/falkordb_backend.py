"""FalkorDB in the Redis protocol (hiredis reads the replies): `--uri falkordb://host:port`, the graph name in
`--database`."""
from __future__ import annotations

import json
import socket
import threading
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

    The backend speaks the Redis protocol itself (`_Connection`: commands written here, replies
    read by hiredis), not through the `falkordb` client: importing that client imports `redis`,
    whose package imports `redis.asyncio` and asyncio (0.15-0.2 s of every command), and the
    client asks the server more on connecting (whether it is a sentinel). The client is imported
    only for a value no chaingraph statement returns (a node, an edge, a path ...: `_value`).
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
        self._address = {"host": parts.hostname or "127.0.0.1", "port": port, "username": user or parts.username,
                         "password": password or parts.password}
        try:
            self._connection = _Connection(**self._address)
        except _ReplyError as e:
            if "auth" in str(e).lower() or "password" in str(e).lower():
                raise ServerError(_("%(server)s at %(uri)s refused the user name or password") % {
                    "server": "falkordb", "uri": self.shown_uri}) from None
            raise ServerError(f"falkordb at {self.shown_uri}: {_error_text(e)}") from None
        except TimeoutError:  # (an OSError: asked first)
            raise ServerError(_("cannot reach %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri,
                "why": _("no answer within %(seconds)s s") % {"seconds": f"{CONNECT_TIMEOUT:g}"}}) from None
        except _NotRedis as e:  # something answered, but not in the Redis protocol
            raise ServerError(_("no FalkorDB at %(uri)s: %(why)s") % {
                "uri": self.shown_uri, "why": _answered(e.answer)}) from None
        except OSError as e:
            raise ServerError(_("cannot reach %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri, "why": _reason(e)}) from None

    @property
    def shown_uri(self) -> str:
        """The address without user name or password."""
        parts = urlsplit(self.uri if "://" in self.uri else f"falkordb://{self.uri}")
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()

    def where(self) -> str:
        return f"falkordb at {self.shown_uri}, graph {self.database!r}"

    def _command(self, *args: str) -> Any:
        """One command's reply; an error reply or a lost server raises ServerError."""
        try:
            reply = self._connection.command(*args)
        except _NotRedis as e:
            raise ServerError(f"falkordb at {self.shown_uri}: {_answered(e.answer)}") from None
        except OSError as e:
            raise ServerError(_("lost %(server)s at %(uri)s: %(why)s") % {
                "server": "falkordb", "uri": self.shown_uri, "why": _reason(e)}) from None
        if isinstance(reply, _ReplyError):
            raise ServerError(f"falkordb at {self.shown_uri}: {_error_text(reply)}")
        return reply

    def _query(self, text: str) -> list[Any]:
        """GRAPH.QUERY of a statement with its parameters written in front (`CYPHER name=value ...`):
        the compact reply (header, rows, statistics; statistics only for a statement that returns
        nothing)."""
        reply = self._command("GRAPH.QUERY", self.database, text, "--compact")
        if isinstance(reply[-1], _ReplyError):  # an error while the query ran
            raise ServerError(f"falkordb at {self.shown_uri}: {_error_text(reply[-1])}")
        return reply

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Rows as dicts. The values a chaingraph query returns (nulls, strings, numbers, booleans,
        lists and maps of them) are read from the compact reply here, in one pass (`_value`)."""
        reply = self._query(_parameters(params) + query)
        if len(reply) < 3:  # statistics only: a statement that returns nothing
            return []
        names = [name for _, name in reply[0]]
        value = self._value
        return [dict(zip(names, [value(cell) for cell in row])) for row in reply[1]]

    def explain(self, query: str, **params: Any) -> str:
        """The server's plan of a statement (GRAPH.EXPLAIN), an operation a line."""
        return "\n".join(self._command("GRAPH.EXPLAIN", self.database, _parameters(params) + query))

    def _value(self, cell: list[Any]) -> Any:
        # replies are decoded: strings come as str, integers as int
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
        # a node, an edge, a path, a point ...: the client's parser (which asks the server for the
        # names of labels, types and properties through a connection of its own)
        from falkordb import FalkorDB
        from falkordb.query_result import parse_scalar
        if self._client is None:
            db = FalkorDB(**self._address, socket_connect_timeout=CONNECT_TIMEOUT)
            self._client = (db, db.select_graph(self.database))
        return parse_scalar(cell, self._client[1])

    _client = None  # the falkordb client and its graph, made for a value only its parser reads

    def prepare_rows(self, query: str, rows: list[list[Any]], **params: Any) -> Callable[[], Any]:
        """Parameters written as Cypher text in C (json, `_parameters`) here, while the batch before
        is written."""
        text = _parameters({"rows": rows, **params}) + query
        return lambda: self._query(text)

    def run_schema(self, statement: str) -> None:
        try:
            self.run(statement)
        except ServerError as e:
            if "already indexed" not in str(e):
                raise

    def close(self) -> None:
        self._connection.close()
        if self._client is not None:
            self._client[0].connection.close()


def _parameters(params: dict[str, Any]) -> str:
    """`CYPHER name=value ... ` for a query: values of strings, numbers, booleans, nulls and lists
    and maps of them are JSON (written in C), which FalkorDB reads as Cypher literals; where JSON
    would write what FalkorDB reads otherwise (a map's keys), a `\\uXXXX` escape (control
    characters), a number beyond what a float holds, another type, Cypher literals are written
    instead (`_cypher_parameters`)."""
    if not params:
        return ""
    if any(_has_map(value) for name, value in params.items() if name != "rows"):  # a load's rows hold no map
        return _cypher_parameters(params)  # Cypher map keys are not JSON strings
    try:
        text = "CYPHER " + " ".join(f"{name}={json.dumps(value, ensure_ascii=False, allow_nan=False)}"
                                    for name, value in params.items()) + " "
    except (TypeError, ValueError):
        return _cypher_parameters(params)
    return _cypher_parameters(params) if "\\u" in text else text


def _has_map(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(_has_map(v) for v in value))


def _cypher_parameters(params: dict[str, Any]) -> str:
    """`CYPHER name=value ... ` written as Cypher literals (as the falkordb client writes them):
    strings in double quotes with `\\` and `"` escaped and every other character as it is, map
    keys in backticks."""
    return "CYPHER " + " ".join(f"{name}={_literal(value)}" for name, value in params.items()) + " "


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(_literal, value)) + "]"
    if isinstance(value, dict):
        for key in value:
            if not str(key) or "`" in str(key):
                raise ServerError(f"not a Cypher map key: {key!r}")
        return "{" + ",".join(f"`{key}`:{_literal(item)}" for key, item in value.items()) + "}"
    return repr(value) if isinstance(value, float) else str(value)


def _answered(answer: bytes) -> str:
    """What a server that does not speak the Redis protocol answered, from the first line of what
    it sent (`HTTP/1.1 400 Bad Request`, `SSH-2.0-...`)."""
    answer = answer.split(b"\n")[0].decode("utf-8", "replace").strip()
    if answer.startswith("HTTP/"):
        return _("an HTTP server answered (%(answer)r); FalkorDB speaks the Redis protocol, on port 6379 by "
                 "default") % {"answer": answer}
    return _("the server answered %(answer)r, not in the Redis protocol") % {"answer": answer}


# Error replies come with a code first; these are left out of the text shown, as the redis client
# leaves them out (`ERR unknown command ...` is shown `unknown command ...`).
_ERROR_CODES = frozenset(("ERR", "OOM", "WRONGPASS", "NOAUTH", "NOPERM", "LOADING", "READONLY", "EXECABORT",
                          "NOSCRIPT", "BUSY", "MASTERDOWN", "TRYAGAIN"))


def _error_text(error: Exception) -> str:
    text = str(error)
    code, _space, rest = text.partition(" ")
    return rest if code in _ERROR_CODES else text


class _NotRedis(Exception):
    """The server sent what is not the Redis protocol (`answer`: the bytes it sent)."""

    def __init__(self, answer: bytes):
        super().__init__(answer)
        self.answer = answer


class _ReplyError(Exception):
    """An error reply (hiredis makes one of these of each, at the top of a reply or in it)."""


class _Connection:
    """One connection in the Redis protocol (RESP2): a command is written here as an array of
    bulk strings, its reply read by hiredis (C; strings decoded as UTF-8). Connecting, logging
    in (`AUTH`) and a `PING` give up after CONNECT_TIMEOUT (a port that accepts and never answers
    would hang the command); a query then waits as long as the server takes. One command at a
    time (a load's writer thread and its caller share the connection)."""

    def __init__(self, host: str, port: int, username: str | None = None, password: str | None = None):
        import hiredis
        self._reader = hiredis.Reader(encoding="utf-8", replyError=_ReplyError)
        self._protocol = hiredis.ProtocolError
        self._lock = threading.Lock()
        self._sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        try:
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if username or password:
                reply = self.command("AUTH", *((username, password or "") if username else (password,)))
                if isinstance(reply, _ReplyError):
                    raise reply
            reply = self.command("PING")
            if isinstance(reply, _ReplyError):
                raise reply
            self._sock.settimeout(None)
        except BaseException:
            self._sock.close()
            raise

    def command(self, *args: str) -> Any:
        """The reply to one command (an error reply as a `_ReplyError`, not raised)."""
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg.encode()
            out.append(b"$%d\r\n%b\r\n" % (len(data), data))
        with self._lock:
            self._sock.sendall(b"".join(out))
            reader, first = self._reader, None
            while True:
                try:
                    reply = reader.gets()
                except self._protocol:
                    raise _NotRedis(first or b"") from None
                if reply is not False:
                    return reply
                data = self._sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("connection closed by the server")
                if first is None:
                    first = data
                reader.feed(data)

    def close(self) -> None:
        self._sock.close()
