"""Every Cypher statement chaingraph sends to a server (Neo4j 5 or FalkorDB).

Values are always `$parameters`; labels and relationship types, which Cypher cannot take as
parameters, come only from the fixed tables below. The statements use what both servers accept:
no `EXISTS {}` / `COUNT {}` subqueries, no `elementId()`, no `CALL {} IN TRANSACTIONS`.

How a load is kept apart from the one before it (see `CypherBackend.write` in server.py): every node
carries `load`, the id of the load that wrote it, and `key` = `<load>:<id>`, unique per label; a
`ChaingraphLoad` node per load records it, and the one with `current = true` is what readers see.
Relationships only join nodes of one load, so deleting a load's nodes deletes its relationships.
"""
from __future__ import annotations

__all__ = [
    "LABELS", "SCHEMA", "STATUS_LABELS", "FIRM_SIZES", "merge_nodes", "merge_relationships", "START_LOAD", "SWITCH_LOAD",
    "CURRENT_LOAD", "ALL_LOADS", "OLD_LOADS", "DELETE_LOAD_NODES", "DELETE_LOAD_MARKERS",
    "CAPACITY_STATUSES", "REGIONS", "PRODUCTS", "FIRMS", "CHAINS", "TARGETS", "LINKS", "CONVERSIONS", "SUBREGIONS",
    "CAPACITIES_BY_PRODUCT", "capacities", "producers_outside",
]

# Labels of the data nodes, in the order a load writes them.
LABELS = ("Region", "Product", "Firm", "Chain", "Target", "Conversion")
LOAD_LABEL = "ChaingraphLoad"
RELATIONSHIPS = {  # (from label, type, to label) a load may write
    ("Region", "PART_OF", "Region"), ("Firm", "PART_OF", "Firm"), ("Firm", "LOCATED_IN", "Region"),
    ("Chain", "HAS_STEP", "Product"), ("Firm", "MAKES", "Product"), ("Region", "MAKES", "Product"),
    ("Region", "TARGETS", "Product"), ("Region", "TARGETS", "Target"),
    ("Product", "FEEDS", "Product"), ("Product", "YIELDS", "Product"),
}


def _schema_neo4j() -> list[str]:
    statements = []
    for label in (*LABELS, LOAD_LABEL):
        name = label.lower()
        statements.append(f"CREATE CONSTRAINT chaingraph_{name}_key IF NOT EXISTS "
                          f"FOR (n:{label}) REQUIRE n.key IS UNIQUE")
        statements.append(f"CREATE INDEX chaingraph_{name}_load IF NOT EXISTS FOR (n:{label}) ON (n.load)")
    statements.append(f"CREATE INDEX chaingraph_load_graph IF NOT EXISTS FOR (n:{LOAD_LABEL}) ON (n.graph)")
    return statements


def _schema_falkordb() -> list[str]:
    # FalkorDB has no IF NOT EXISTS: the backend ignores "already indexed". Its unique constraints
    # are a separate command (GRAPH.CONSTRAINT), not Cypher; MERGE on `key` keeps keys unique.
    statements = []
    for label in (*LABELS, LOAD_LABEL):
        statements.append(f"CREATE INDEX FOR (n:{label}) ON (n.key)")
        statements.append(f"CREATE INDEX FOR (n:{label}) ON (n.load)")
    statements.append(f"CREATE INDEX FOR (n:{LOAD_LABEL}) ON (n.graph)")
    return statements


SCHEMA = {"neo4j": _schema_neo4j(), "falkordb": _schema_falkordb()}
"""Constraints and indexes per server, run before every load."""


# Neo4j Browser styles (style.grass) go by label only, so a load also labels each product by its
# local status and each firm by the size of its capacity in tonnes (set as the node is written:
# adding labels afterwards is slow on FalkorDB).
STATUS_LABELS = {"operating": "Operating", "building": "Building", "by-product": "ByProduct",
                 "planned": "Planned", "missing": "Missing"}
FIRM_SIZES = (("LargeFirm", 1_000_000), ("MediumFirm", 100_000), ("SmallFirm", 0))  # t a year, at least
_STYLE_LABELS = {"Product": set(STATUS_LABELS.values()), "Firm": {label for label, _ in FIRM_SIZES}}


def merge_nodes(label: str, style: str | None = None) -> str:
    """The batched writer of one label (and a style label, see STATUS_LABELS): rows are `{key, props}`.

    Examples
    --------
    >>> print(merge_nodes("Product", "Missing"))
    UNWIND $rows AS row MERGE (n:Product:Missing {key: row.key}) SET n += row.props
    """
    if label not in LABELS:
        raise ValueError(f"not a chaingraph label: {label!r}")
    if style is not None and style not in _STYLE_LABELS.get(label, ()):
        raise ValueError(f"not a style label of {label}: {style!r}")
    labels = f"{label}:{style}" if style else label
    return f"UNWIND $rows AS row MERGE (n:{labels} {{key: row.key}}) SET n += row.props"


# What tells two relationships of a type between the same two nodes apart: the CSV line of the
# row that made it (two MAKES rows of one firm and product), or a chain step's order and position.
RELATIONSHIP_KEYS = {"HAS_STEP": ("order", "position")}


def merge_relationships(start: str, type: str, end: str) -> str:
    """The batched writer of one relationship type between two labels: rows are `{from_key, to_key,
    props}` plus the key properties (`line`; `order` and `position` for HAS_STEP); `from_key` and
    `to_key` are node keys.

    Examples
    --------
    >>> print(merge_relationships("Firm", "MAKES", "Product"))
    UNWIND $rows AS row MATCH (a:Firm {key: row.from_key}) MATCH (b:Product {key: row.to_key}) MERGE (a)-[r:MAKES {line: row.line}]->(b) SET r += row.props
    """
    if (start, type, end) not in RELATIONSHIPS:
        raise ValueError(f"not a chaingraph relationship: {start}-{type}->{end}")
    key = ", ".join(f"{name}: row.{name}" for name in RELATIONSHIP_KEYS.get(type, ("line",)))
    return (f"UNWIND $rows AS row MATCH (a:{start} {{key: row.from_key}}) MATCH (b:{end} {{key: row.to_key}}) "
            f"MERGE (a)-[r:{type} {{{key}}}]->(b) SET r += row.props")


# -- the life of a load -------------------------------------------------------------------------

START_LOAD = (f"CREATE (l:{LOAD_LABEL} {{key: $load, load: $load, graph: $graph, current: false, "
              "data_dir: $data_dir, home_region: $home_region, started: $started})")
# One statement, so one transaction on both servers: readers see the old load or the new one.
# It changes nothing when the new load's marker is gone (a load running at the same time removed it).
SWITCH_LOAD = (f"MATCH (:{LOAD_LABEL} {{graph: $graph, load: $load}}) MATCH (l:{LOAD_LABEL} {{graph: $graph}}) "
               "SET l.current = (l.load = $load) RETURN count(l) AS loads")
CURRENT_LOAD = (f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.current = true "
                "RETURN l.load AS load_id, l.data_dir AS data_dir, l.home_region AS home_region")
ALL_LOADS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) RETURN l.load AS load_id"
OLD_LOADS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.current <> true RETURN l.load AS load_id"
# Deleted in slices, so that a national graph never needs one huge transaction.
DELETE_LOAD_NODES = {label: f"MATCH (n:{label}) WHERE n.load = $load WITH n LIMIT $limit "
                            "DETACH DELETE n RETURN count(n) AS deleted" for label in LABELS}
DELETE_LOAD_MARKERS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.load IN $loads DELETE l"

# -- reads: every one takes the current `$load` -------------------------------------------------

REGIONS = "MATCH (n:Region {load: $load}) RETURN properties(n) AS row ORDER BY n.line"
PRODUCTS = "MATCH (n:Product {load: $load}) RETURN properties(n) AS row ORDER BY n.line"
FIRMS = "MATCH (n:Firm {load: $load}) RETURN properties(n) AS row ORDER BY n.line"
TARGETS = ("MATCH (n:Target {load: $load}) "
           "WHERE ($product IS NULL OR n.product = $product) AND ($regions IS NULL OR n.region IN $regions) "
           "RETURN properties(n) AS row ORDER BY n.line")
CONVERSIONS = "MATCH (n:Conversion {load: $load}) RETURN properties(n) AS row ORDER BY n.line"
CHAINS = ("MATCH (c:Chain {load: $load}) OPTIONAL MATCH (c)-[s:HAS_STEP]->(p:Product) "
          "RETURN properties(c) AS row, c.line AS line, "
          "collect({order: s.order, label: s.label, position: s.position, product: p.id}) AS steps "
          "ORDER BY line")
LINKS = ("MATCH (a:Product {load: $load})-[r]->(b:Product) WHERE type(r) IN $types "
         "RETURN a.id AS from_id, b.id AS to_id, type(r) AS type, properties(r) AS row ORDER BY r.line")
# The best status per product is picked from these in Python (model.STATUSES gives the order).
CAPACITY_STATUSES = ("MATCH (:Region {key: $key})<-[:PART_OF*0..]-(r:Region) WITH collect(r.id) AS regions "
                     "MATCH (p:Product {load: $load})<-[m:MAKES]-() WHERE m.region IN regions "
                     "RETURN p.id AS product, collect(DISTINCT m.status) AS statuses")
# Every MAKES row of the region and below it (of some statuses, or all when `$statuses` is null),
# grouped by product on the server: one statement for all products. Rows carry `line`, so the
# caller restores file order within each group and among the groups.
CAPACITIES_BY_PRODUCT = ("MATCH (:Region {key: $key})<-[:PART_OF*0..]-(r:Region) WITH collect(r.id) AS regions "
                         "MATCH (p:Product {load: $load})<-[m:MAKES]-() WHERE m.region IN regions "
                         "AND ($statuses IS NULL OR m.status IN $statuses) "
                         "RETURN p.id AS product, collect(properties(m)) AS rows")
SUBREGIONS = "MATCH (:Region {key: $key})<-[:PART_OF*0..]-(r:Region) RETURN DISTINCT r.id AS id"

_CAPACITY_HEADS = {
    "product": "MATCH (p:Product {key: $key})<-[m:MAKES]-() ",
    "firm": "MATCH (:Firm {key: $key})-[m:MAKES]->(p:Product) ",
    None: "MATCH (p:Product {load: $load})<-[m:MAKES]-() ",
}


def capacities(by: str | None) -> str:
    """MAKES rows, starting from one product (`by="product"`), one firm, or every product; the
    region filter (`$regions`, ids, or null) and the firm filter (`$firm`) apply on the server.

    Examples
    --------
    >>> print(capacities("firm"))
    MATCH (:Firm {key: $key})-[m:MAKES]->(p:Product) WHERE ($firm IS NULL OR m.firm = $firm) AND ($regions IS NULL OR m.region IN $regions) RETURN properties(m) AS row ORDER BY m.line
    """
    return (_CAPACITY_HEADS[by] + "WHERE ($firm IS NULL OR m.firm = $firm) AND "
            "($regions IS NULL OR m.region IN $regions) RETURN properties(m) AS row ORDER BY m.line")


_OUTSIDE_HEADS = {
    "product": "MATCH (p:Product)<-[m:MAKES]-(:Firm) WHERE p.key IN $keys AND ",
    "firm": "MATCH (f:Firm)-[m:MAKES]->(p:Product) WHERE f.key IN $keys AND ",
    None: "MATCH (p:Product {load: $load})<-[m:MAKES]-(:Firm) WHERE ",
}


def producers_outside(by: str | None) -> str:
    """MAKES rows of named firms whose row region is not in `$regions` (the region and below it),
    starting from some products (`by="product"`, `$keys` their node keys), some firms, or every
    product; the product filter (`$products`, ids, or null) and the firm filter (`$firms`) apply
    on the server.

    Examples
    --------
    >>> print(producers_outside("product"))
    MATCH (p:Product)<-[m:MAKES]-(:Firm) WHERE p.key IN $keys AND NOT (m.region IN $regions) AND ($products IS NULL OR p.id IN $products) AND ($firms IS NULL OR m.firm IN $firms) RETURN properties(m) AS row ORDER BY m.line
    """
    return (_OUTSIDE_HEADS[by] + "NOT (m.region IN $regions) AND ($products IS NULL OR p.id IN $products) AND "
            "($firms IS NULL OR m.firm IN $firms) RETURN properties(m) AS row ORDER BY m.line")
