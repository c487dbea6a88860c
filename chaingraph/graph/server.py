"""A graph server behind the Backend interface, spoken to in Cypher (cypher.py), and its load.

`CypherBackend` answers every Backend method with a query on the server (the aggregations too:
`capacity_statuses`, `capacities_by_product`, `producers_outside`); a subclass only
connects and runs one query (`run`). Records come back as the model's dataclasses, in file order
(every node and relationship keeps its row's `line`), so queries get the same objects as from
the memory backend.

A load is atomic: it writes the whole dataset under a new load id next to the graph in use,
then makes it current in one statement, then deletes older loads. A load that stops half-way
(server gone, process killed) leaves the previous load current; the next load that succeeds
deletes what it left.
"""
from __future__ import annotations

import math
import time
import uuid
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, asdict, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import ChaingraphError
from . import cypher
from .backend import Backend
from .model import STATUSES, Capacity, Chain, Conversion, Dataset, Firm, Link, Product, Region, Step, Target

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CypherBackend", "ServerError", "load_rows", "reason"]

BATCH = 1000  # rows per UNWIND statement
DELETE_SLICE = 10_000  # nodes per delete statement when old loads are removed


class ServerError(ChaingraphError):
    """The server is down, refused the login, or failed a statement."""


def reason(error: BaseException) -> str:
    """A driver's connection error in a few words (drivers write whole paragraphs)."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timeout" in lowered or "timed out" in lowered:
        return "timed out"
    if "closed" in lowered or "reset" in lowered or "defunct" in lowered:
        return "connection closed"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "unknown host"
    return text or type(error).__name__


def _props(record: Any, *drop: str) -> dict[str, Any]:
    """A record as node or relationship properties: empty lists become null (Neo4j cannot type
    an empty list; FalkorDB and Neo4j both return null for a missing property)."""
    props = asdict(record)
    for name in drop:
        props.pop(name, None)
    return {k: (list(v) if v else None) if isinstance(v, (tuple, list)) else v for k, v in props.items()}


def _record(cls: type, props: dict[str, Any], **given: Any) -> Any:
    """Rebuild a model dataclass from stored properties (the inverse of `_props`)."""
    values = {}
    for f in fields(cls):
        value = given[f.name] if f.name in given else props.get(f.name)
        if value is None:
            if str(f.type).startswith("tuple"):
                value = ()
            elif f.default is not MISSING:
                value = f.default
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


def load_rows(ds: Dataset, load: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every write of a load, as (statement, rows): nodes first, then relationships."""
    from ..queries._common import local_statuses
    from .memory import MemoryBackend

    def key(id: str) -> str:
        return f"{load}:{id}"

    def node(record: Any, id: str | None = None, **extra: Any) -> dict[str, Any]:
        props = {**_props(record, *(("steps",) if isinstance(record, Chain) else ())), **extra, "load": load}
        return {"key": key(id or record.id), "props": props}

    # For browsing: each product's local status in the home region, each firm's capacity in tonnes.
    status = local_statuses(MemoryBackend(dataset=ds))
    tonnes: dict[str, float] = {}
    for c in ds.capacities:
        if c.firm and c.base_unit == "t" and c.capacity_base is not None:
            tonnes[c.firm] = tonnes.get(c.firm, 0.0) + c.capacity_base

    yield cypher.merge_nodes("Region"), [node(r) for r in ds.regions]
    for value, label in cypher.STATUS_LABELS.items():
        yield cypher.merge_nodes("Product", label), [node(p, status=value) for p in ds.products
                                                      if status[p.id] == value]
    yield cypher.merge_nodes("Firm"), [node(f) for f in ds.firms if f.id not in tonnes]
    for i, (label, least) in enumerate(cypher.FIRM_SIZES):  # largest first
        below = cypher.FIRM_SIZES[i - 1][1] if i else math.inf
        yield cypher.merge_nodes("Firm", label), [node(f, capacity_t=tonnes[f.id]) for f in ds.firms
                                                  if least <= tonnes.get(f.id, -1) < below]
    yield cypher.merge_nodes("Chain"), [node(c) for c in ds.chains]
    yield cypher.merge_nodes("Target"), [node(t) for t in ds.targets]
    yield cypher.merge_nodes("Conversion"), [node(c, f"conversion:{c.line}") for c in ds.conversions]

    def rel(start: str, end: str, line: int, props: dict[str, Any] | None = None, **keys: Any) -> dict:
        return {"from_key": key(start), "to_key": key(end), "line": line, "props": props or {}, **keys}

    yield cypher.merge_relationships("Region", "PART_OF", "Region"), [
        rel(r.id, r.parent, r.line) for r in ds.regions if r.parent]
    yield cypher.merge_relationships("Firm", "LOCATED_IN", "Region"), [rel(f.id, f.region, f.line) for f in ds.firms]
    yield cypher.merge_relationships("Firm", "PART_OF", "Firm"), [
        rel(f.id, f.parent, f.line) for f in ds.firms if f.parent]
    yield cypher.merge_relationships("Chain", "HAS_STEP", "Product"), [
        rel(c.id, p, c.line, {"order": s.order, "label": s.label, "position": i}, order=s.order, position=i)
        for c in ds.chains for s in c.steps for i, p in enumerate(s.products)]
    for maker in ("Firm", "Region"):
        yield cypher.merge_relationships(maker, "MAKES", "Product"), [
            rel(c.firm or c.region, c.product, c.line, _props(c, "line"))
            for c in ds.capacities if bool(c.firm) == (maker == "Firm")]
    for goal in ("Product", "Target"):
        yield cypher.merge_relationships("Region", "TARGETS", goal), [
            rel(t.region, t.product or t.id, t.line,
                {"value": t.value, "unit": t.unit, "bound": t.bound, "year": t.year, "source": t.source})
            for t in ds.targets if bool(t.product) == (goal == "Product")]
    for type in ("FEEDS", "YIELDS"):
        yield cypher.merge_relationships("Product", type, "Product"), [
            rel(link.from_, link.to, link.line, _props(link, "from_", "to", "type", "line"))
            for link in ds.links if link.type == type]


class CypherBackend(Backend):
    """The Backend interface over a Cypher server; subclasses connect and implement `run`.

    `graph` names the loaded graph on the server (several can share a Neo4j database). The
    backend reads the load that is current when it is first asked for data, and keeps to it
    (listings are read once): open a new backend to see a later load.
    """

    name: str  # "neo4j" or "falkordb": also the key of cypher.SCHEMA

    def __init__(self, graph: str = "chaingraph"):
        self.graph = graph

    @abstractmethod
    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in its own transaction; rows as dicts. Raises ServerError."""

    @abstractmethod
    def where(self) -> str:
        """Where the graph is, for messages: server, address (never a password) and graph."""

    def run_schema(self, statement: str) -> None:
        """Run a schema statement; a server without `IF NOT EXISTS` overrides this."""
        self.run(statement)

    # -- the current load --------------------------------------------------------------------------

    @cached_property
    def _current(self) -> dict[str, Any]:
        rows = self.run(cypher.CURRENT_LOAD, graph=self.graph)
        if not rows:
            raise ChaingraphError(f"nothing loaded in {self.where()}: run `chaingraph --backend {self.name} "
                                  "load` first")
        return rows[0]

    def check(self) -> CypherBackend:
        """Fail now, with a clear message, if no graph is loaded."""
        self._current
        return self

    @property
    def load_id(self) -> str:
        return self._current["load_id"]

    @property
    def data_dir(self) -> str:
        return self._current["data_dir"]

    def _rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.run(query, load=self.load_id, **params)

    def _key(self, id: str) -> str:
        return f"{self.load_id}:{id}"

    # -- the Backend interface ---------------------------------------------------------------------

    def home_region(self) -> Region:
        home = self._current["home_region"]
        return next(r for r in self.regions() if r.id == home)

    @cached_property
    def _regions(self) -> list[Region]:
        return [_record(Region, r["row"]) for r in self._rows(cypher.REGIONS)]

    @cached_property
    def _products(self) -> list[Product]:
        return [_record(Product, r["row"]) for r in self._rows(cypher.PRODUCTS)]

    @cached_property
    def _firms(self) -> list[Firm]:
        return [_record(Firm, r["row"]) for r in self._rows(cypher.FIRMS)]

    @cached_property
    def _chains(self) -> list[Chain]:
        chains = []
        for r in self._rows(cypher.CHAINS):
            steps: dict[int, tuple[str, list[tuple[int, str]]]] = {}
            for s in r["steps"]:
                if s["product"] is not None:  # OPTIONAL MATCH found no step
                    steps.setdefault(s["order"], (s["label"], []))[1].append((s["position"], s["product"]))
            chains.append(_record(Chain, r["row"], steps=tuple(
                Step(order, label, tuple(p for _, p in sorted(products)))
                for order, (label, products) in sorted(steps.items()))))
        return chains

    @cached_property
    def _links(self) -> list[Link]:
        return [_record(Link, r["row"], type=r["type"], from_=r["from_id"], to=r["to_id"])
                for r in self._rows(cypher.LINKS, types=["FEEDS", "YIELDS"])]

    def regions(self) -> list[Region]:
        return list(self._regions)

    def products(self) -> list[Product]:
        return list(self._products)

    def firms(self) -> list[Firm]:
        return list(self._firms)

    def chains(self) -> list[Chain]:
        return list(self._chains)

    def links(self, type: str | None = None) -> list[Link]:
        return [link for link in self._links if type is None or link.type == type]

    def conversions(self) -> list[Conversion]:
        return [_record(Conversion, r["row"]) for r in self._rows(cypher.CONVERSIONS)]

    def subregions(self, region: str) -> set[str]:
        if region not in self._subregions:  # a load never changes: ask once per region
            self._subregions[region] = {region} | {r["id"] for r in self.run(cypher.SUBREGIONS, key=self._key(region))}
        return set(self._subregions[region])

    @cached_property
    def _subregions(self) -> dict[str, set[str]]:
        return {}

    def capacity_statuses(self, region: str) -> dict[str, str]:
        rows = self._rows(cypher.CAPACITY_STATUSES, key=self._key(region))
        return {r["product"]: min(r["statuses"], key=STATUSES.index) for r in rows}

    def capacities_by_product(self, region: str, statuses: Iterable[str] | None = None) -> dict[str, list[Capacity]]:
        rows = self._rows(cypher.CAPACITIES_BY_PRODUCT, key=self._key(region),
                          statuses=None if statuses is None else list(statuses))
        groups = [sorted((_record(Capacity, props) for props in r["rows"]), key=lambda c: c.line) for r in rows]
        return {group[0].product: group for group in sorted(groups, key=lambda group: group[0].line) if group}

    def producers_outside(self, region: str, products: Iterable[str] | None = None,
                          firms: Iterable[str] | None = None) -> list[Capacity]:
        products = None if products is None else sorted(set(products))
        firms = None if firms is None else sorted(set(firms))
        by, ids = ("product", products) if products is not None else ("firm", firms) if firms is not None else (None, None)
        rows = self._rows(cypher.producers_outside(by), keys=None if ids is None else [self._key(i) for i in ids],
                          regions=sorted(self.subregions(region)), products=products, firms=firms)
        return [_record(Capacity, r["row"]) for r in rows]

    def capacities(self, product: str | None = None, firm: str | None = None,
                   region: str | None = None) -> list[Capacity]:
        by, id = ("product", product) if product is not None else ("firm", firm) if firm is not None else (None, None)
        regions = sorted(self.subregions(region)) if region is not None else None
        rows = self._rows(cypher.capacities(by), key=self._key(id) if id else None, firm=firm, regions=regions)
        return [_record(Capacity, r["row"]) for r in rows]

    def targets(self, region: str | None = None, product: str | None = None) -> list[Target]:
        regions = sorted(self.subregions(region)) if region is not None else None
        return [_record(Target, r["row"]) for r in self._rows(cypher.TARGETS, product=product, regions=regions)]

    def product_graph(self) -> nx.DiGraph:
        import networkx as nx

        from .memory import _link_properties
        pg = nx.DiGraph()
        for p in self.products():
            pg.add_node(p.id, name_zh=p.name_zh, name_en=p.name_en, sector=p.sector, unit=p.unit)
        for link in self.links():
            pg.add_edge(link.from_, link.to, **_link_properties(link))
        return pg

    # -- loading ------------------------------------------------------------------------------------

    def write(self, ds: Dataset, progress: Callable[[int, int], None] | None = None,
              batch_size: int = BATCH) -> dict[str, Any]:
        """Load a validated dataset atomically (module docstring); returns rows written and seconds.

        `progress(written, total)` is called before the first batch and after each one.
        """
        started = time.perf_counter()
        for statement in cypher.SCHEMA[self.name]:
            self.run_schema(statement)
        load = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        plan = [(query, rows) for query, rows in load_rows(ds, load) if rows]
        total = sum(len(rows) for _, rows in plan)
        written = 0
        if progress:
            progress(written, total)
        try:
            self.run(cypher.START_LOAD, load=load, graph=self.graph, data_dir=ds.data_dir,
                     home_region=ds.home_region, started=time.time())
            for query, rows in plan:
                for start in range(0, len(rows), batch_size):
                    batch = rows[start:start + batch_size]
                    self.run(query, rows=batch)
                    written += len(batch)
                    if progress:
                        progress(written, total)
            switched = self.run(cypher.SWITCH_LOAD, graph=self.graph, load=load)[0]["loads"]
        except ServerError as e:
            raise ServerError(f"load stopped after {written} of {total} rows, the graph loaded before is "
                              f"unchanged: {e}") from None
        if not switched:
            raise ServerError(f"load stopped after {written} of {total} rows, the graph loaded before is "
                              f"unchanged: another load into {self.where()} removed this one")
        self.__dict__.pop("_current", None)
        self.delete_old_loads()
        return {"rows": written, "seconds": time.perf_counter() - started, "load": load}

    def delete_old_loads(self) -> int:
        """Delete every load of this graph but the current one (old loads, stopped loads)."""
        return self._delete_loads([r["load_id"] for r in self.run(cypher.OLD_LOADS, graph=self.graph)])

    def drop(self) -> int:
        """Delete the graph: every load of it, the current one too. Returns the nodes deleted."""
        self.__dict__.pop("_current", None)
        return self._delete_loads([r["load_id"] for r in self.run(cypher.ALL_LOADS, graph=self.graph)])

    def _delete_loads(self, old: list[str]) -> int:
        deleted = 0
        for load in old:
            for label in cypher.LABELS:
                while True:
                    n = self.run(cypher.DELETE_LOAD_NODES[label], load=load, limit=DELETE_SLICE)[0]["deleted"]
                    deleted += n
                    if n < DELETE_SLICE:
                        break
        if old:  # markers last: a delete that stops half-way is finished by the next load
            self.run(cypher.DELETE_LOAD_MARKERS, graph=self.graph, loads=old)
        return deleted
