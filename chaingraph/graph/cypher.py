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

from dataclasses import fields

from .model import Capacity, Product, Region

__all__ = [
    "LABELS", "SCHEMA", "STATUS_LABELS", "FIRM_SIZES", "create_nodes", "create_relationships", "create_firms", "START_LOAD", "LISTED", "LISTINGS",
    "LOAD_ALIVE", "SWITCH_LOAD", "CURRENT_LOAD", "ALL_LOADS", "OLD_LOADS", "LOADS_OF_NODES", "LOAD_RECORDS",
    "DELETE_RELATIONSHIPS", "DELETE_NODES", "DELETE_LOAD_MARKERS",
    "CAPACITY_STATUSES", "REGION_FIELDS", "PRODUCT_FIELDS", "REGIONS", "PRODUCTS", "FIRMS", "CHAINS", "TARGETS", "LINKS", "CONVERSIONS", "SUBREGIONS",
    "CAPACITY_FIELDS", "CAPACITIES_BY_PRODUCT", "CAPACITIES_OF_PRODUCTS", "CAPACITY_SUMS", "CAPACITY_OTHERS", "SUPPLY_FIELDS", "SUPPLY_STATUSES", "SUPPLY_SUMS", "SUPPLY_TALLIES", "FIRM_TALLY_FIELDS", "FIRM_TALLIES", "ROWS_TALLIES", "SUMMED_REGIONS", "REGION_STATUSES", "FIRMS_BY_KEY", "FIRM_NAMES_BY_KEY", "FIRMS_NAMED", "FIRMS_NAMED_LIKE", "FIRMS_IN", "SUBSIDIARIES",
    "COUNT_FIRMS", "COUNT_CAPACITIES", "capacities", "capacity_columns", "largest_rows", "largest_stated", "first_unstated",
    "producers_outside",
]

# Labels of the data nodes, in the order a load writes them. A FirmAlias node holds the firms one
# alias names (`ids`), so that a firm is found by any of its names with an indexed lookup. A Supply
# node sums the capacity rows of one region, product, status, base unit and unit (SUPPLY_FIELDS);
# a load writes them for the regions with many rows (`Region.summed`), so that a large city's
# totals are read from a few thousand nodes, not from its 146,000 rows at 1M firms.
# A FirmTally node holds what `Backend.firm_tallies` gives for one region and product (of the
# statuses in `statuses`, naming at most `most` firms), for the same regions. A Listing node holds
# a piece of a listing (LISTINGS).
LABELS = ("Listing", "Region", "Product", "Firm", "FirmAlias", "Chain", "Target", "Conversion", "Supply", "FirmTally")
LOAD_LABEL = "ChaingraphLoad"
RELATIONSHIPS = {  # (from label, type, to label) a load may write
    ("Region", "PART_OF", "Region"), ("Firm", "PART_OF", "Firm"), ("Firm", "LOCATED_IN", "Region"),
    ("Chain", "HAS_STEP", "Product"), ("Firm", "MAKES", "Product"), ("Region", "MAKES", "Product"),
    ("Region", "TARGETS", "Product"), ("Region", "TARGETS", "Target"),
    ("Product", "FEEDS", "Product"), ("Product", "YIELDS", "Product"),
}
# Indexed properties beyond `key` and `load`: a firm's names (`<load>:<name key>`, see names.py) and
# the region of a MAKES row, so that a name or a region's capacity rows are found without a scan.
NODE_INDEXES = {"Firm": ("zh_key", "en_key"), "Supply": ("region",), "FirmTally": ("region",)}
# `listed_in`: the row's region, set only on a row that a Supply node cannot sum (a range, no figure),
# so that those few are found by the index without reading the others
RELATIONSHIP_INDEXES = {"MAKES": ("region", "listed_in")}
# A Supply node's properties: which rows (region, product, status, base unit, unit, plain: one stated
# figure in a base unit, model.plain), how many, the sum of their `capacity_base` (plain rows),
# of its sizes, how many of those are not whole numbers, how many rows have a range or an amount
# without a figure, and the first row's line; then `tally`: what `capacity_tallies` reads of the node,
# as one JSON text (a reply's every value costs the client a few microseconds: a 1M-firm city's
# 10,000 nodes came in 0.9 s as 16 values and lists each, in 0.1 s as one text): the product,
# status, region, base unit, unit, plain, rows, first, total, size, fractional, ranged, and the rows
# it names (at most `Region.named`; of plain rows the largest, by `capacity_base` then line; else
# the first rows with no figure at all): their lines, firms (null: none), of plain rows their
# `capacity` and `capacity_base` (else null), and their firms' [name_zh, name_en] (null: no firm;
# left out by a load of an older version). Every other field of such a row is the node's, or null
# (`capacity_min`, `capacity_max`), so a product's largest rows, and their firms' names, are read
# from a few nodes.
SUPPLY_FIELDS = ("region", "product", "status", "base_unit", "unit", "plain", "rows", "total", "size",
                 "fractional", "ranged", "first", "tally")
# A FirmTally node's properties: the region, product, the statuses tallied (sorted) and the most
# firms named (the `Backend.firm_tallies` arguments), then `tally`, one JSON text: the product, its
# first row's line, the FirmTally's fields (rows, firms, named, unnamed, unstated, held as a
# list of [firm, amount] or null), and the [name_zh, name_en] of each firm named (left out by a
# load of an older version).
# `rows`: what `Backend.capacity_tallies` gives for the node's region, statuses and `most` rows (a
# `RowsTally`), as one JSON text: the product, its first line, then, if the rows add up, the
# tally's rows, base unit, stated, total, named, rest (null or [count, sum]), opens, the columns
# (line, firm, capacity, capacity_base, status, base_unit, unit) of the rows it names, and their
# firms' [name_zh, name_en]; a product whose rows do not add up has the first two alone (left out
# by a load of an older version), so that a large city's tallies are read as a text per product.
FIRM_TALLY_FIELDS = ("region", "product", "statuses", "most", "tally", "rows")


def _schema_neo4j() -> list[str]:
    statements = []
    for label in (*LABELS, LOAD_LABEL):
        name = label.lower()
        statements.append(f"CREATE CONSTRAINT chaingraph_{name}_key IF NOT EXISTS "
                          f"FOR (n:{label}) REQUIRE n.key IS UNIQUE")
        statements.append(f"CREATE INDEX chaingraph_{name}_load IF NOT EXISTS FOR (n:{label}) ON (n.load)")
        for prop in NODE_INDEXES.get(label, ()):
            statements.append(f"CREATE INDEX chaingraph_{name}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
    for type, props in RELATIONSHIP_INDEXES.items():
        for prop in props:
            statements.append(f"CREATE INDEX chaingraph_{type.lower()}_{prop} IF NOT EXISTS "
                              f"FOR ()-[r:{type}]-() ON (r.{prop})")
    statements.append(f"CREATE INDEX chaingraph_load_graph IF NOT EXISTS FOR (n:{LOAD_LABEL}) ON (n.graph)")
    return statements


def _schema_falkordb() -> list[str]:
    # FalkorDB has no IF NOT EXISTS: the backend ignores "already indexed". Its unique constraints
    # are a separate command (GRAPH.CONSTRAINT), not Cypher; load ids make keys unique.
    statements = []
    for label in (*LABELS, LOAD_LABEL):
        for prop in ("key", "load", *NODE_INDEXES.get(label, ())):
            statements.append(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
    for type, props in RELATIONSHIP_INDEXES.items():
        for prop in props:
            statements.append(f"CREATE INDEX FOR ()-[r:{type}]-() ON (r.{prop})")
    statements.append(f"CREATE INDEX FOR (n:{LOAD_LABEL}) ON (n.graph)")
    return statements


SCHEMA = {"neo4j": _schema_neo4j(), "falkordb": _schema_falkordb()}
"""Constraints and indexes per server, run before every load (before its first write)."""


# Neo4j Browser styles (style.grass) go by label only, so a load also labels each product by its
# local status and each firm by the size of its capacity in tonnes (set as the node is written:
# adding labels afterwards is slow on FalkorDB).
STATUS_LABELS = {"operating": "Operating", "building": "Building", "by-product": "ByProduct",
                 "planned": "Planned", "missing": "Missing"}
FIRM_SIZES = (("LargeFirm", 1_000_000), ("MediumFirm", 100_000), ("SmallFirm", 0))  # t a year, at least
_STYLE_LABELS = {"Product": set(STATUS_LABELS.values()), "Firm": {label for label, _ in FIRM_SIZES}}


def _names(props: tuple[str, ...]) -> None:
    for prop in props:
        if not prop.isidentifier():
            raise ValueError(f"not a property name: {prop!r}")


def create_nodes(label: str, props: tuple[str, ...], style: str | None = None) -> str:
    """The batched writer of new nodes of one label (and a style label, see STATUS_LABELS): each
    row is a list, the node key first, then the values of `props` in order. A load writes every
    node under its own new load id, so no node can exist yet: CREATE, not MERGE.

    Examples
    --------
    >>> print(create_nodes("Region", ("id", "name_zh"), ))
    UNWIND $rows AS row CREATE (:Region {key: row[0], load: $load, id: row[1], name_zh: row[2]})
    """
    if label not in LABELS:
        raise ValueError(f"not a chaingraph label: {label!r}")
    if style is not None and style not in _STYLE_LABELS.get(label, ()):
        raise ValueError(f"not a style label of {label}: {style!r}")
    _names(props)
    labels = f"{label}:{style}" if style else label
    values = "".join(f", {prop}: row[{i}]" for i, prop in enumerate(props, 1))
    return f"UNWIND $rows AS row CREATE (:{labels} {{key: row[0], load: $load{values}}})"


def create_relationships(start: str, type: str, end: str, props: tuple[str, ...]) -> str:
    """The batched writer of one relationship type between two labels: each row is a list, the
    start and end node keys first, then the values of `props` in order.

    Examples
    --------
    >>> print(create_relationships("Firm", "LOCATED_IN", "Region", ("line",)))
    UNWIND $rows AS row MATCH (a:Firm {key: row[0]}) MATCH (b:Region {key: row[1]}) CREATE (a)-[:LOCATED_IN {line: row[2]}]->(b)
    """
    if (start, type, end) not in RELATIONSHIPS:
        raise ValueError(f"not a chaingraph relationship: {start}-{type}->{end}")
    _names(props)
    values = ", ".join(f"{prop}: row[{i}]" for i, prop in enumerate(props, 2))
    return (f"UNWIND $rows AS row MATCH (a:{start} {{key: row[0]}}) MATCH (b:{end} {{key: row[1]}}) "
            f"CREATE (a)-[:{type} {{{values}}}]->(b)")


def create_firms(props: tuple[str, ...], makes: tuple[str, ...], style: str | None = None) -> str:
    """The batched writer of new firms (and a style label, see FIRM_SIZES) with their LOCATED_IN
    and MAKES relationships: one statement, so the server never looks up a firm it has just
    written. Each row is a list: the firm's key, its region's key, the values of `props`, the
    LOCATED_IN line, then a list of MAKES rows, each the product's key and the values of `makes`.
    A firm without MAKES rows is written all the same (the UNWIND after its CREATE is empty).

    Examples
    --------
    >>> print(create_firms(("id",), ("line", "status")))
    UNWIND $rows AS row MATCH (r:Region {key: row[1]}) CREATE (f:Firm {key: row[0], load: $load, id: row[2]})-[:LOCATED_IN {line: row[3]}]->(r) WITH f, row UNWIND row[4] AS m MATCH (p:Product {key: m[0]}) CREATE (f)-[:MAKES {line: m[1], status: m[2]}]->(p)
    """
    if style is not None and style not in _STYLE_LABELS["Firm"]:
        raise ValueError(f"not a style label of Firm: {style!r}")
    _names(props)
    _names(makes)
    labels = f"Firm:{style}" if style else "Firm"
    values = "".join(f", {prop}: row[{i}]" for i, prop in enumerate(props, 2))
    made = ", ".join(f"{prop}: m[{i}]" for i, prop in enumerate(makes, 1))
    n = len(props) + 2
    return (f"UNWIND $rows AS row MATCH (r:Region {{key: row[1]}}) "
            f"CREATE (f:{labels} {{key: row[0], load: $load{values}}})-[:LOCATED_IN {{line: row[{n}]}}]->(r) "
            f"WITH f, row UNWIND row[{n + 1}] AS m MATCH (p:Product {{key: m[0]}}) CREATE (f)-[:MAKES {{{made}}}]->(p)")


# -- the life of a load -------------------------------------------------------------------------

# The marker also records how many firms and capacity rows the load writes, so that `info` reads
# two numbers instead of counting a million nodes and two million relationships.
START_LOAD = (f"CREATE (l:{LOAD_LABEL} {{key: $load, load: $load, graph: $graph, current: false, "
              "data_dir: $data_dir, home_region: $home_region, started: $started, "
              "firms: $firms, capacities: $capacities})")
# The listings most questions read (LISTED: regions, products, links, chains), each one JSON text
# (a list of the records, each its fields in the model's order, tuples as lists, empty ones null, a
# chain's steps as [order, label, [products]]; in file order), read with one value instead of a row
# a record: a national dataset's 2,900 links came as 32,000 property values in 0.2 s on FalkorDB.
# A text is cut into pieces, each a Listing node of the load (`kind`, `part`: its place, `text`),
# and a statement writes a bounded text (server.LISTING_PIECE): a national taxonomy's 95,000
# products are a text of 20-30 MB, which as one parameter a Neo4j with a 1 GB heap would hold as a
# Bolt message and as a UTF-16 string at once. LISTINGS reads every listing in one statement, a
# piece a row; `whole`: the texts a load of an older version wrote on its record (`listed_<kind>`,
# or null: it wrote none, and the caller asks the nodes).
LISTED = ("regions", "products", "links", "chains")
LISTINGS = (f"MATCH (l:{LOAD_LABEL} {{key: $load}}) OPTIONAL MATCH (p:Listing {{load: $load}}) RETURN ["
            + ", ".join(f"l.listed_{kind}" for kind in LISTED) + "] AS whole, p.kind AS kind, p.part AS part, "
            "p.text AS text")
# Asked between batches: a load whose record another load removed stops writing.
LOAD_ALIVE = f"MATCH (l:{LOAD_LABEL} {{key: $load}}) RETURN count(l) AS n"
# One statement, so one transaction on both servers: readers see the old load or the new one.
# It changes nothing when the new load's marker is gone (a load running at the same time removed it).
SWITCH_LOAD = (f"MATCH (:{LOAD_LABEL} {{graph: $graph, load: $load}}) MATCH (l:{LOAD_LABEL} {{graph: $graph}}) "
               "SET l.current = (l.load = $load) RETURN count(l) AS loads")
CURRENT_LOAD = (f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.current = true "
                "RETURN l.load AS load_id, l.data_dir AS data_dir, l.home_region AS home_region, "
                "l.firms AS firms, l.capacities AS capacities")
ALL_LOADS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) RETURN l.load AS load_id"
OLD_LOADS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.current <> true RETURN l.load AS load_id"
# The loads that have nodes of a label, record or not (a load stopped after its record was removed
# leaves nodes that no record names), and which of them have a record, of any graph.
LOADS_OF_NODES = {label: f"MATCH (n:{label}) RETURN DISTINCT n.load AS load_id" for label in LABELS}
LOAD_RECORDS = f"MATCH (l:{LOAD_LABEL}) WHERE l.load IN $loads RETURN l.load AS load_id, l.graph AS graph"
# Deleted in slices, so that no transaction holds more than `$limit` relationships or `$nodes`
# nodes, whatever a node's degree: the relationships of the first `$nodes` nodes of the load go
# first, `$limit` at a time; then those of the nodes that have none left. Nodes come back in the
# same (index) order each time, so the two statements see the same nodes.
DELETE_RELATIONSHIPS = {label: f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $nodes MATCH (n)-[r]-() "
                               "WITH DISTINCT r LIMIT $limit DELETE r RETURN count(r) AS deleted" for label in LABELS}
DELETE_NODES = {label: f"MATCH (n:{label} {{load: $load}}) WITH n LIMIT $nodes OPTIONAL MATCH (n)-[r]-() "
                       "WITH n, count(r) AS degree WHERE degree = 0 DELETE n RETURN count(n) AS deleted"
                for label in LABELS}
DELETE_LOAD_MARKERS = f"MATCH (l:{LOAD_LABEL} {{graph: $graph}}) WHERE l.load IN $loads DELETE l"
DELETE_LOAD_MARKER = f"MATCH (l:{LOAD_LABEL} {{key: $load}}) DELETE l"

# -- reads: every one takes the current `$load` -------------------------------------------------

# The listings every question reads (regions, products, links) come as lists of the model's
# fields in order (REGION_FIELDS ...), not as property maps: a map repeats every property name in
# every row, and FalkorDB makes and sends the 3,000 products of a national dataset as lists in
# about half the time (0.11 -> 0.065 s). (A load writes them on its record too: LISTED; these
# read a load of an older version.)
REGION_FIELDS = tuple(f.name for f in fields(Region))
PRODUCT_FIELDS = tuple(f.name for f in fields(Product))


def _listed(var: str, names: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"{var}.{name}" for name in names) + "]"


REGIONS = f"MATCH (n:Region {{load: $load}}) RETURN {_listed('n', REGION_FIELDS)} AS row ORDER BY n.line"
PRODUCTS = f"MATCH (n:Product {{load: $load}}) RETURN {_listed('n', PRODUCT_FIELDS)} AS row ORDER BY n.line"
# Every firm (a million nationally) and the MAKES rows of `capacities` and `producers_outside`
# (two million for every product) come unsorted and are put in file order by the caller: an
# ORDER BY makes the server hold every row at once (on Neo4j a sort of a million property maps
# needs more than a 1 GB heap), while unsorted rows are streamed.
FIRMS = "MATCH (n:Firm {load: $load}) RETURN properties(n) AS row"
TARGETS = ("MATCH (n:Target {load: $load}) "
           "WHERE ($product IS NULL OR n.product = $product) AND ($regions IS NULL OR n.region IN $regions) "
           "RETURN properties(n) AS row ORDER BY n.line")
CONVERSIONS = "MATCH (n:Conversion {load: $load}) RETURN properties(n) AS row ORDER BY n.line"
CHAINS = ("MATCH (c:Chain {load: $load}) OPTIONAL MATCH (c)-[s:HAS_STEP]->(p:Product) "
          "RETURN properties(c) AS row, c.line AS line, "
          "collect({order: s.order, label: s.label, position: s.position, product: p.id}) AS steps "
          "ORDER BY line")
# Typed: an untyped pattern walks every relationship of a product (millions of MAKES nationally).
LINKS = ("MATCH (a:Product {load: $load})-[r:FEEDS|YIELDS]->(b:Product) "
         "RETURN a.id AS from_id, b.id AS to_id, type(r) AS type, properties(r) AS row ORDER BY r.line")
# The MAKES rows of a region are found through the index on MAKES.region (`$regions`: the region
# and those below it); the product's `load` then keeps the current load's rows.
_REGION_ROWS = "MATCH ()-[m:MAKES]->(p) WHERE m.region IN $regions WITH m, p WHERE p.load = $load "
# The best status per product is picked from these in Python (model.STATUSES gives the order): from
# the rows of regions without Supply nodes, and from the Supply nodes of those with (`$regions`
# holds the summed ones then), which hold every row's status.
CAPACITY_STATUSES = _REGION_ROWS + "RETURN p.id AS product, collect(DISTINCT m.status) AS statuses"
_SUPPLY_NODES = "MATCH (s:Supply) WHERE s.region IN $regions WITH s WHERE s.load = $load "
SUPPLY_STATUSES = _SUPPLY_NODES + "RETURN s.product AS product, collect(DISTINCT s.status) AS statuses"
# `named`: how many rows a Supply node names (null: a load of an older version, whose Supply nodes name
# none and which wrote no FirmTally nodes); `tallied`: the statuses of its FirmTally nodes.
# A summed region's `statuses`: each product's best status among the region's own rows, as one JSON
# text (product id -> status), so that `capacity_statuses` reads a value, not a collect over the
# region's Supply nodes (0.09 s for a 1M-firm city's 15,000 on FalkorDB); null: a load of an older
# version (SUPPLY_STATUSES then).
REGION_STATUSES = "MATCH (r:Region) WHERE r.key IN $keys RETURN r.id AS id, r.statuses AS statuses"
SUMMED_REGIONS = ("MATCH (r:Region {load: $load}) WHERE r.summed = true "
                  "RETURN r.id AS id, r.named AS named, r.tallied AS tallied")
# Every MAKES row of the region and below it (of some statuses, or all when `$statuses` is null), in
# one statement for all products; the caller groups them by product in file order (rows carry `line`).
# A city's rows are many (146,000 at 1M firms): each comes as a list of the Capacity fields in order
# (CAPACITY_FIELDS), not a map that repeats every property name in every row.
CAPACITY_FIELDS = tuple(f.name for f in fields(Capacity))
_CAPACITY_VALUES = "[" + ", ".join(f"m.{name}" for name in CAPACITY_FIELDS) + "] AS row"
CAPACITIES_BY_PRODUCT = _REGION_ROWS + "AND ($statuses IS NULL OR m.status IN $statuses) RETURN " + _CAPACITY_VALUES
# The same for a few products (`$keys`: their node keys), starting from them.
CAPACITIES_OF_PRODUCTS = ("MATCH (p:Product) WHERE p.key IN $keys MATCH (p)<-[m:MAKES]-() WHERE m.region IN $regions "
                          "AND ($statuses IS NULL OR m.status IN $statuses) RETURN " + _CAPACITY_VALUES)
# Per product, the region's rows summed (model.CapacitySums), by base unit, unit and whether the
# rows are plain (one stated figure in a base unit, model.plain): how many, the first line, the
# plain rows' sum, the sum of their sizes and how many are not whole numbers (a sum of whole
# numbers below 2**53 is the same in any order, so the server's sum is the file-order sum), and
# how many rows have a range or an amount without a figure (beside plain rows, the caller then
# lists every row). From the rows (CAPACITY_SUMS) or, for the regions that have them, from the
# Supply nodes (SUPPLY_SUMS: the same columns, summed again). The rows that are not plain come
# whole from CAPACITY_OTHERS, through the index on MAKES.listed_in.
_PLAIN = ("m.capacity IS NOT NULL AND m.capacity_min IS NULL AND m.capacity_max IS NULL "
          "AND m.capacity_base IS NOT NULL")
_UNSTATED = ("m.capacity IS NULL AND m.capacity_min IS NULL AND m.capacity_max IS NULL "
             "AND m.capacity_base IS NULL")
CAPACITY_SUMS = (_REGION_ROWS + "AND ($statuses IS NULL OR m.status IN $statuses) "
                 f"WITH m.product AS product, m, ({_PLAIN}) AS plain, ({_UNSTATED}) AS unstated "
                 "RETURN product, m.base_unit AS base_unit, m.unit AS unit, plain, count(m) AS rows, "
                 "min(m.line) AS first, sum(CASE WHEN plain THEN m.capacity_base ELSE 0.0 END) AS total, "
                 "sum(CASE WHEN plain THEN abs(m.capacity_base) ELSE 0.0 END) AS size, "
                 "sum(CASE WHEN plain AND m.capacity_base <> floor(m.capacity_base) THEN 1 ELSE 0 END) AS fractional, "
                 "sum(CASE WHEN plain OR unstated THEN 0 ELSE 1 END) AS ranged")
SUPPLY_SUMS = (_SUPPLY_NODES + "AND ($statuses IS NULL OR s.status IN $statuses) "
               "RETURN s.product AS product, s.base_unit AS base_unit, s.unit AS unit, s.plain AS plain, "
               "sum(s.rows) AS rows, min(s.first) AS first, sum(s.total) AS total, sum(s.size) AS size, "
               "sum(s.fractional) AS fractional, sum(s.ranged) AS ranged")
# Each Supply node of some statuses with the rows it names (capacity_tallies merges them per product).
SUPPLY_TALLIES = _SUPPLY_NODES + "AND ($statuses IS NULL OR s.status IN $statuses) RETURN s.tally AS tally"
# The FirmTally nodes of some regions, of exactly these statuses and naming at most `$most` firms.
_FIRM_TALLY_NODES = ("MATCH (t:FirmTally) WHERE t.region IN $regions WITH t WHERE t.load = $load "
                     "AND t.statuses = $statuses AND t.most = $most ")
FIRM_TALLIES = _FIRM_TALLY_NODES + "RETURN t.tally AS tally"
# The same nodes' `rows`: their products' capacity tallies (FIRM_TALLY_FIELDS).
ROWS_TALLIES = _FIRM_TALLY_NODES + "RETURN t.rows AS rows"
CAPACITY_OTHERS = ("MATCH ()-[m:MAKES]->(p) WHERE m.listed_in IN $regions WITH m, p WHERE p.load = $load "
                   "AND ($statuses IS NULL OR m.status IN $statuses) RETURN " + _CAPACITY_VALUES)
SUBREGIONS = "MATCH (:Region {key: $key})<-[:PART_OF*0..]-(r:Region) RETURN DISTINCT r.id AS id"

_CAPACITY_HEADS = {
    "product": "MATCH (p:Product {key: $key})<-[m:MAKES]-() WHERE ",
    "firm": "MATCH (:Firm {key: $key})-[m:MAKES]->(p:Product) WHERE ",
    "region": _REGION_ROWS + "AND ",
    None: "MATCH (p:Product {load: $load})<-[m:MAKES]-() WHERE ",
}

# Firms by key, by any name (`$name` is `<load>:<name key>`: a firm's key, zh_key, en_key or an
# alias node's key), located in some regions, below a firm; counts.
FIRMS_BY_KEY = "UNWIND $keys AS k MATCH (n:Firm {key: k}) RETURN properties(n) AS row"
# Only the names, for listings that show many firms (a city's capacity rows: tens of thousands).
FIRM_NAMES_BY_KEY = "UNWIND $keys AS k MATCH (n:Firm {key: k}) RETURN n.id AS id, n.name_zh AS name_zh, n.name_en AS name_en"
FIRMS_NAMED = ("MATCH (n:Firm {key: $name}) RETURN n.id AS id UNION MATCH (n:Firm {zh_key: $name}) RETURN n.id AS id "
               "UNION MATCH (n:Firm {en_key: $name}) RETURN n.id AS id "
               "UNION MATCH (a:FirmAlias {key: $name}) UNWIND a.ids AS id RETURN id")
# Suggestions for a name that names no firm: firms whose Chinese or English name starts alike.
FIRMS_NAMED_LIKE = ("MATCH (n:Firm) WHERE n.zh_key STARTS WITH $prefix RETURN properties(n) AS row LIMIT 200 "
                    "UNION MATCH (n:Firm) WHERE n.en_key STARTS WITH $prefix RETURN properties(n) AS row LIMIT 200")
FIRMS_IN = "MATCH (r:Region) WHERE r.key IN $keys MATCH (r)<-[:LOCATED_IN]-(n:Firm) RETURN properties(n) AS row"
SUBSIDIARIES = "MATCH (:Firm {key: $key})<-[:PART_OF*0..]-(n:Firm) RETURN DISTINCT n.id AS id"
COUNT_FIRMS = "MATCH (n:Firm {load: $load}) RETURN count(n) AS n"
COUNT_CAPACITIES = "MATCH (p:Product {load: $load})<-[m:MAKES]-() RETURN count(m) AS n"


def capacity_columns(fields: tuple[str, ...]) -> str:
    """Some fields of every MAKES row of the region and below it (of some statuses): each row a list,
    the product and the line first, then the fields (CAPACITY_FIELDS only), not the whole row.

    Examples
    --------
    >>> print(capacity_columns(("firm", "capacity_base")))
    MATCH ()-[m:MAKES]->(p) WHERE m.region IN $regions WITH m, p WHERE p.load = $load AND ($statuses IS NULL OR m.status IN $statuses) RETURN [m.product, m.line, m.firm, m.capacity_base] AS row
    """
    unknown = [f for f in fields if f not in CAPACITY_FIELDS]
    if unknown:
        raise ValueError(f"not a capacity field: {unknown[0]!r}")
    values = "".join(f", m.{f}" for f in fields)
    return _REGION_ROWS + f"AND ($statuses IS NULL OR m.status IN $statuses) RETURN [m.product, m.line{values}] AS row"


def largest_rows(fields: tuple[str, ...]) -> str:
    """Per product of the region and below it (every status): how many MAKES rows it has (`n`) and
    its first line (`first`), and the first `$most` of its rows (`rows`, each the line, then the fields) by `capacity_base`,
    largest first, unstated last, ties by line; ordered before they are collected, so a product's
    rows come in that order (`Backend.largest_columns`; Neo4j lets the clause right after `WITH ...
    ORDER BY` rely on that order, an aggregation included). The sort holds every row of the region:
    a city's (171,668 at 1M firms) fits a 1 GB Neo4j heap, the whole country's 2M may not.

    Examples
    --------
    >>> print(largest_rows(("firm",)))
    MATCH ()-[m:MAKES]->(p) WHERE m.region IN $regions WITH m, p WHERE p.load = $load WITH m ORDER BY m.product, CASE WHEN m.capacity_base IS NULL THEN 1 ELSE 0 END, m.capacity_base DESC, m.line WITH m.product AS product, collect([m.line, m.firm]) AS rows, min(m.line) AS first RETURN product, first, size(rows) AS n, rows[..$most] AS rows
    """
    unknown = [f for f in fields if f not in CAPACITY_FIELDS]
    if unknown:
        raise ValueError(f"not a capacity field: {unknown[0]!r}")
    values = "".join(f", m.{f}" for f in fields)
    return (_REGION_ROWS + "WITH m ORDER BY m.product, CASE WHEN m.capacity_base IS NULL THEN 1 ELSE 0 END, "
            f"m.capacity_base DESC, m.line WITH m.product AS product, collect([m.line{values}]) AS rows, "
            "min(m.line) AS first RETURN product, first, size(rows) AS n, rows[..$most] AS rows")


def _values(fields: tuple[str, ...]) -> str:
    unknown = [f for f in fields if f not in CAPACITY_FIELDS]
    if unknown:
        raise ValueError(f"not a capacity field: {unknown[0]!r}")
    return "".join(f", m.{f}" for f in fields)


def largest_stated(fields: tuple[str, ...]) -> str:
    """Per product of the region and below it (of some statuses): the first `$most` of its plain
    rows (one stated figure in a base unit, model.plain) by `capacity_base`, largest first, ties by
    line (`rows`, each the line, then the fields), and how many plain rows it has (`n`); ordered
    before they are collected, so a product's rows come in that order (`capacity_tallies`).

    Examples
    --------
    >>> print(largest_stated(("firm",)))  # doctest: +NORMALIZE_WHITESPACE
    MATCH ()-[m:MAKES]->(p) WHERE m.region IN $regions WITH m, p WHERE p.load = $load AND ($statuses IS NULL OR
    m.status IN $statuses) AND m.capacity IS NOT NULL AND m.capacity_min IS NULL AND m.capacity_max IS NULL AND
    m.capacity_base IS NOT NULL WITH m ORDER BY m.product, m.capacity_base DESC, m.line WITH m.product AS product,
    collect([m.line, m.firm]) AS rows RETURN product, size(rows) AS n, rows[..$most] AS rows
    """
    return (_REGION_ROWS + f"AND ($statuses IS NULL OR m.status IN $statuses) AND {_PLAIN} "
            "WITH m ORDER BY m.product, m.capacity_base DESC, m.line "
            f"WITH m.product AS product, collect([m.line{_values(fields)}]) AS rows "
            "RETURN product, size(rows) AS n, rows[..$most] AS rows")


def first_unstated(fields: tuple[str, ...]) -> str:
    """Per product of the region and below it (of some statuses): its first `$most` rows without
    any capacity figure (`rows`, each the line, then the fields; file order) and how many it has
    (`n`), found through the index on MAKES.listed_in (`capacity_tallies`).

    Examples
    --------
    >>> print(first_unstated(("firm",)))  # doctest: +NORMALIZE_WHITESPACE
    MATCH ()-[m:MAKES]->(p) WHERE m.listed_in IN $regions WITH m, p WHERE p.load = $load AND ($statuses IS NULL OR
    m.status IN $statuses) AND m.capacity IS NULL AND m.capacity_min IS NULL AND m.capacity_max IS NULL AND
    m.capacity_base IS NULL WITH m ORDER BY m.line WITH m.product AS product, collect([m.line, m.firm]) AS rows
    RETURN product, size(rows) AS n, rows[..$most] AS rows
    """
    return ("MATCH ()-[m:MAKES]->(p) WHERE m.listed_in IN $regions WITH m, p WHERE p.load = $load "
            f"AND ($statuses IS NULL OR m.status IN $statuses) AND {_UNSTATED} WITH m ORDER BY m.line "
            f"WITH m.product AS product, collect([m.line{_values(fields)}]) AS rows "
            "RETURN product, size(rows) AS n, rows[..$most] AS rows")


def capacities(by: str | None) -> str:
    """MAKES rows, starting from one product (`by="product"`), one firm, the rows of some regions
    (`by="region"`, through the index), or every product; the region filter (`$regions`, ids, or
    null) and the firm filter (`$firm`) apply on the server. Unsorted (see FIRMS): the caller puts
    them in file order.

    Examples
    --------
    >>> print(capacities("firm"))
    MATCH (:Firm {key: $key})-[m:MAKES]->(p:Product) WHERE ($firm IS NULL OR m.firm = $firm) AND ($regions IS NULL OR m.region IN $regions) RETURN properties(m) AS row
    """
    return (_CAPACITY_HEADS[by] + "($firm IS NULL OR m.firm = $firm) AND "
            "($regions IS NULL OR m.region IN $regions) RETURN properties(m) AS row")


_OUTSIDE_HEADS = {
    "product": "MATCH (p:Product)<-[m:MAKES]-(:Firm) WHERE p.key IN $keys AND ",
    "firm": "MATCH (f:Firm)-[m:MAKES]->(p:Product) WHERE f.key IN $keys AND ",
    None: "MATCH (p:Product {load: $load})<-[m:MAKES]-(:Firm) WHERE ",
}


def producers_outside(by: str | None) -> str:
    """MAKES rows of named firms whose row region is not in `$regions` (the region and below it),
    starting from some products (`by="product"`, `$keys` their node keys), some firms, or every
    product; the product filter (`$products`, ids, or null) and the firm filter (`$firms`) apply
    on the server. Unsorted (see FIRMS): the caller puts them in file order.

    Examples
    --------
    >>> print(producers_outside("product"))
    MATCH (p:Product)<-[m:MAKES]-(:Firm) WHERE p.key IN $keys AND NOT (m.region IN $regions) AND ($products IS NULL OR p.id IN $products) AND ($firms IS NULL OR m.firm IN $firms) RETURN properties(m) AS row
    """
    return (_OUTSIDE_HEADS[by] + "NOT (m.region IN $regions) AND ($products IS NULL OR p.id IN $products) AND "
            "($firms IS NULL OR m.firm IN $firms) RETURN properties(m) AS row")
