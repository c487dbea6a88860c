"""The embedded store's own query paths give what the plain ones (built on the listings) give.

The memory backend answers statuses, grouped rows, firm names and subsidiaries from the store's
columns and indexes, and a question about a few products from those products' rows alone; each is
checked here against the generic implementation in `Backend`, on the shipped dataset and on a
small synthetic national one (several cities, statuses, firm groups).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from chaingraph.graph import open_backend
from chaingraph.graph.backend import Backend
from chaingraph.graph.model import SUPPLYING
from chaingraph.i18n import language, name
from chaingraph.queries import balance, bottlenecks
from chaingraph.viz import graph_data

_SPEC = importlib.util.spec_from_file_location("synth", Path(__file__).parents[1] / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synth)


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("national")
    synth.generate(folder, firms=1500, seed=5, n_products=150, n_cities=12)
    return folder


@pytest.fixture(params=["shipped", "national"])
def g(request, national):
    return open_backend() if request.param == "shipped" else open_backend("memory", national)


def _regions(g) -> list[str]:
    return [r.id for r in g.regions()][:8] + [g.home_region().id]


def test_statuses_and_grouped_rows_match_the_listings(g):
    for region in _regions(g):
        assert g.capacity_statuses(region) == Backend.capacity_statuses(g, region)
        for statuses in (None, SUPPLYING, ["planned"]):
            assert g.capacities_by_product(region, statuses) == Backend.capacities_by_product(g, region, statuses)
            # kept per region: a caller changing what it got changes nothing for the next
            g.capacities_by_product(region, statuses).clear()
            assert g.capacities_by_product(region, statuses) == Backend.capacities_by_product(g, region, statuses)
            # a few products: by the product index when the region's rows were not read yet, else from them
            few = [p.id for p in g.products()][::7] + ["no such product"]
            expected = Backend.capacities_by_product(g, region, statuses, products=few)
            assert type(g)(g.data_dir).capacities_by_product(region, statuses, products=few) == expected
            assert g.capacities_by_product(region, statuses, products=few) == expected


def test_rows_of_a_product_in_a_region_match_the_listing(g):
    everything = g.capacities()
    for region in _regions(g):
        local = g.subregions(region)
        for p in [p.id for p in g.products()][:40]:
            assert g.capacities(product=p, region=region) == [
                r for r in everything if r.product == p and r.region in local]


def test_firms_and_names_by_id_take_any_iterable(g):
    ids = [f.id for f in g.firms()][:50]
    firms = g.firms_by_id(iter(ids + ["no such firm"] + ids[:3]))  # a generator, an unknown id, repeats
    assert list(firms) == ids and all(firms[i].id == i for i in ids)
    for lang in ("zh", "en"):
        with language(lang):
            for shown in (True, False):
                expected = {i: name(firms[i]) if shown else firms[i].name_zh for i in ids}
                assert g.firm_names(iter(ids + ["no such firm"]), shown=shown) == expected
                assert Backend.firm_names(g, ids, shown=shown) == expected
                fresh = type(g)(g.data_dir)  # names of firms no record was built for yet
                assert fresh.firm_names(ids, shown=shown) == expected
    with language("en"):  # English names where the data gives them
        assert any(g.firm_names([i])[i] != firms[i].name_zh for i in ids) or not any(firms[i].name_en for i in ids)


def test_subsidiaries_match_the_listing(g):
    for f in g.firms()[:200]:
        assert g.subsidiaries(f.id) == Backend.subsidiaries(g, f.id)


def _region_wide(monkeypatch, cls) -> None:
    """`capacity_tallies` and `capacity_sums` of a few products answered from the region's (as a
    server answers them), not from the products' own rows (the store's product index)."""
    tallies, sums = cls.capacity_tallies, cls.capacity_sums

    def only(found: dict, products) -> dict:
        return found if products is None else {p: v for p, v in found.items() if p in set(products)}
    monkeypatch.setattr(cls, "capacity_tallies", lambda self, region, statuses, fields, most, products=None: only(
        tallies(self, region, statuses, fields, most), products))
    monkeypatch.setattr(cls, "capacity_sums", lambda self, region, statuses=None, listed=True, products=None: only(
        sums(self, region, statuses, listed), products))


def test_a_few_products_read_their_own_rows_with_the_same_answers(g, monkeypatch):
    """balance and bottlenecks for a few products, and a focus page, as with every row of the region."""
    home = g.home_region().id
    products = [p.id for p in g.products()]
    few = [products[i] for i in range(0, len(products), max(1, len(products) // 12))]
    answers = {}
    for cheap in (True, False):
        if not cheap:
            _region_wide(monkeypatch, type(g))
        fresh = type(g)(g.data_dir)
        answers[cheap] = (
            balance(fresh, region=home, basis="target", products=few),
            bottlenecks(fresh, region=home, products=few, kinds=("shortfall", "single firm", "concentrated")),
            graph_data(type(g)(g.data_dir), region=home, focus=few[1], depth=2),
        )
    assert answers[True] == answers[False]
    assert answers[True][0] and answers[True][2]["nodes"]


def test_whatif_reads_the_rows_it_follows_with_the_same_answers(g, monkeypatch):
    from chaingraph.queries import whatif
    home = g.home_region().id
    local = [f.id for f in g.firms_in(home)][:15]
    made = list(g.capacity_statuses(home))[:10]
    answers = {}
    for cheap in (True, False):
        if not cheap:
            _region_wide(monkeypatch, type(g))
        fresh = type(g)(g.data_dir)
        answers[cheap] = [whatif(fresh, name, region=home) for name in local + made]
    assert answers[True] == answers[False]
    assert any(answers[True])


def test_balance_without_coefficient_texts_differs_in_that_column_only(g):
    home = g.home_region().id
    full = balance(g, region=home, basis="target")
    bare = balance(type(g)(g.data_dir), region=home, basis="target", coefficients=False)
    assert [dict(r, coefficients=[]) for r in full] == bare
    assert any(r["coefficients"] for r in full)


def test_rows_read_as_columns_give_the_answers_of_the_records(g, monkeypatch):
    """balance, extend and bottlenecks from the store's columns (`capacity_columns`, a cell decoded
    when read) are those from the region's records grouped by product (`Backend.capacity_columns`)."""
    from chaingraph.queries import extend
    home = g.home_region().id

    def answers() -> tuple:
        fresh = type(g)(g.data_dir)
        with language("en"):
            return (balance(fresh, region=home, basis="target"), balance(fresh, region=home, basis="capacity"),
                    extend(fresh, region=home), bottlenecks(fresh, region=home))
    columns = answers()
    monkeypatch.setattr(type(g), "capacity_columns", Backend.capacity_columns)
    monkeypatch.setattr(type(g), "capacity_tallies", Backend.capacity_tallies)
    assert answers() == columns
    assert all(columns)


def test_tallies_added_up_from_the_columns_are_those_of_the_records(g):
    """`capacity_tallies` and `firm_tallies` from the store's arrays are `Backend.capacity_tallies`
    and `Backend.firm_tallies` built on the region's records, for the region and for a few products."""
    fields = ("firm", "capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit", "unit", "status")
    for region in _regions(g):
        for statuses in (SUPPLYING, None):
            for most in (10, 2):
                found = g.capacity_tallies(region, statuses, fields, most)
                assert found == Backend.capacity_tallies(g, region, statuses, fields, most)
                assert list(found) == list(g.capacity_columns(region, statuses, ("firm",)))
                few = list(found)[::3]
                assert g.capacity_tallies(region, statuses, fields, most, few) == {p: found[p] for p in few}
                firms = g.firm_tallies(region, statuses, most)
                assert firms == Backend.firm_tallies(g, region, statuses, most)
                assert g.firm_tallies(region, statuses, most, few) == {p: firms[p] for p in few}


def test_columns_taken_in_one_pass_are_the_cells_read_one_by_one(g):
    """`_Cells.take` (balance reads the rows it names this way) gives what indexing gives, before
    and after the column was read whole, and notes the firms' rows as reading them one by one does."""
    for region in _regions(g):
        fields = ("firm", "capacity", "unit", "status", "capacity_base")
        taken_by = type(g)(g.data_dir)
        for product, columns in taken_by.capacity_columns(region, SUPPLYING, fields).items():
            plain = Backend.capacity_columns(g, region, SUPPLYING, fields)[product]
            picks = list(range(len(plain["firm"])))[::-2] + [0]  # out of order, repeated
            for f in fields:
                column = columns[f]
                assert column.take(picks) == [plain[f][k] for k in picks]
                assert column.take([]) == []
                list(column)  # read whole: then taken from the list
                assert column.take(picks) == [plain[f][k] for k in picks]
        one_by_one = type(g)(g.data_dir)
        for product, columns in one_by_one.capacity_columns(region, SUPPLYING, fields).items():
            [columns["firm"][k] for k in range(len(columns["firm"]))]
        assert taken_by._firm_rows == one_by_one._firm_rows
