"""The in-process backend: the dataset as one networkx MultiDiGraph, built at start-up."""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict

import networkx as nx

from ..loaders import load_dataset
from .backend import Backend
from .model import Capacity, Chain, Conversion, Dataset, Firm, Link, Product, Region, Target

__all__ = ["MemoryBackend", "build_graph"]


def build_graph(ds: Dataset) -> nx.MultiDiGraph:
    """The knowledge graph of DESIGN.md. Nodes are `(label, id)` with attributes `label`, `id`
    and `record`; edges carry `type` (FEEDS, YIELDS, HAS_STEP, MAKES, LOCATED_IN, TARGETS,
    PART_OF), the relationship's properties, and `record` where one row made them.
    """
    g = nx.MultiDiGraph()
    for label, records in (("Region", ds.regions), ("Product", ds.products), ("Firm", ds.firms),
                           ("Chain", ds.chains), ("Target", ds.targets)):
        for r in records:
            g.add_node((label, r.id), label=label, id=r.id, record=r)
    for region in ds.regions:
        if region.parent:
            g.add_edge(("Region", region.id), ("Region", region.parent), type="PART_OF")
    for firm in ds.firms:
        g.add_edge(("Firm", firm.id), ("Region", firm.region), type="LOCATED_IN")
        if firm.parent:
            g.add_edge(("Firm", firm.id), ("Firm", firm.parent), type="PART_OF")
    for chain in ds.chains:
        for step in chain.steps:
            for product in step.products:
                g.add_edge(("Chain", chain.id), ("Product", product), type="HAS_STEP",
                           order=step.order, label=step.label)
    for c in ds.capacities:
        maker = ("Firm", c.firm) if c.firm else ("Region", c.region)  # unnamed producers: the region
        g.add_edge(maker, ("Product", c.product), type="MAKES", capacity=c.capacity, unit=c.unit,
                   status=c.status, year=c.year, source=c.source, project=c.project, record=c)
    for t in ds.targets:
        # DESIGN: (Region)-[:TARGETS]->(Product); economy-wide targets point at their Target node
        goal = ("Product", t.product) if t.product else ("Target", t.id)
        g.add_edge(("Region", t.region), goal, type="TARGETS", value=t.value, unit=t.unit,
                   year=t.year, source=t.source, record=t)
    for link in ds.links:
        g.add_edge(("Product", link.from_), ("Product", link.to), **_link_properties(link), record=link)
    for conv in ds.conversions:  # a property of the product: what its capacity yields a year
        g.nodes["Product", conv.product]["conversion"] = conv
    return g


def _link_properties(link: Link) -> dict:
    props = asdict(link)
    del props["from_"], props["to"], props["line"]
    return props


class MemoryBackend(Backend):
    """The default backend: no server, the whole graph in memory.

    Examples
    --------
    >>> g = MemoryBackend()
    >>> g.resolve_product("PVC").id
    'pvc'
    """

    name = "memory"

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, dataset: Dataset | None = None):
        self.dataset = dataset if dataset is not None else load_dataset(data_dir)
        self.graph = build_graph(self.dataset)

    @property
    def data_dir(self) -> str:
        return self.dataset.data_dir

    def home_region(self) -> Region:
        return self.graph.nodes["Region", self.dataset.home_region]["record"]

    def regions(self) -> list[Region]:
        return list(self.dataset.regions)

    def products(self) -> list[Product]:
        return list(self.dataset.products)

    def firms(self) -> list[Firm]:
        return list(self.dataset.firms)

    def chains(self) -> list[Chain]:
        return list(self.dataset.chains)

    def _records(self, node: tuple[str, str], type: str, incoming: bool = False) -> list:
        """Records on the `type` edges at `node`, in file order: a walk of its edges, not a scan."""
        if node not in self.graph:
            return []
        edges = self.graph.in_edges(node, data=True) if incoming else self.graph.out_edges(node, data=True)
        return sorted((d["record"] for _, _, d in edges if d["type"] == type), key=lambda r: r.line)

    def capacities(self, product: str | None = None, firm: str | None = None,
                   region: str | None = None) -> list[Capacity]:
        if product is not None:
            rows = self._records(("Product", product), "MAKES", incoming=True)
        elif firm is not None:
            rows = self._records(("Firm", firm), "MAKES")
        else:
            rows = list(self.dataset.capacities)
        if firm is not None:
            rows = [r for r in rows if r.firm == firm]
        if region is not None:
            regions = self.subregions(region)
            rows = [r for r in rows if r.region in regions]
        return rows

    def producers_outside(self, region: str, products: Iterable[str] | None = None,
                          firms: Iterable[str] | None = None) -> list[Capacity]:
        # walk the MAKES edges of the products (or firms) asked about; a full scan only for neither
        products = None if products is None else set(products)
        firms = None if firms is None else set(firms)
        if products is not None:
            rows = [r for p in products for r in self._records(("Product", p), "MAKES", incoming=True)]
        elif firms is not None:
            rows = [r for f in firms for r in self._records(("Firm", f), "MAKES")]
        else:
            rows = list(self.dataset.capacities)
        local = self.subregions(region)
        return sorted((r for r in rows if r.firm and r.region not in local
                       and (products is None or r.product in products) and (firms is None or r.firm in firms)),
                      key=lambda r: r.line)

    def targets(self, region: str | None = None, product: str | None = None) -> list[Target]:
        rows = (self._records(("Product", product), "TARGETS", incoming=True) if product is not None
                else list(self.dataset.targets))
        if region is not None:
            regions = self.subregions(region)
            rows = [r for r in rows if r.region in regions]
        return rows

    def links(self, type: str | None = None) -> list[Link]:
        return [link for link in self.dataset.links if type is None or link.type == type]

    def conversions(self) -> list[Conversion]:
        return list(self.dataset.conversions)

    def product_graph(self) -> nx.DiGraph:
        pg = nx.DiGraph()
        for p in self.dataset.products:
            pg.add_node(p.id, name_zh=p.name_zh, name_en=p.name_en, sector=p.sector, unit=p.unit)
        for link in self.dataset.links:
            pg.add_edge(link.from_, link.to, **_link_properties(link))
        return pg
