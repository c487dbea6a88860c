"""bottlenecks on hand-built datasets: each kind of reason, and the ranking."""
from __future__ import annotations


from chaingraph.queries import bottlenecks

from datasets import build, by_product

def test_kinds_and_ranking(tmp_path, backend):
    g = build(
        tmp_path, backend,
        # ore -> metal -> part; metal also from scrap (an alternative route); part also needs paint
        products=["ore", "scrap", "metal", "part", "paint", "resin"],
        chains=[("c", "ore > metal > part")],
        capacities=[
            ("mine", "ore", 100, "万吨", "operating"),
            ("smelter", "metal", 80, "万吨", "operating"),
            ("big", "part", 90, "万吨", "operating"),
            ("small", "part", 10, "万吨", "operating"),
        ],
        links=[("FEEDS", "ore", "metal", 2, "t/t"), ("FEEDS", "scrap", "metal", None, None),
               ("FEEDS", "metal", "part", 1, "t/t"), ("FEEDS", "resin", "paint", None, None)],
    )
    rows = by_product(bottlenecks(g, basis="capacity"))
    # ore: 100万 t against 80 x 2 = 160万 t -> shortfall (4), and one firm (mine) feeds metal (3);
    # metal: 80万 t against part's 100 x 1 = 100万 t -> shortfall (4); one firm, part uses it (3);
    # metal is on every route from the raw materials (ore, scrap) to part: a dominator (2),
    # and removing it cuts ore and scrap off from part: an articulation point (1)
    assert rows["ore"]["kinds"] == ["shortfall", "single firm"] and rows["ore"]["score"] == 7
    assert rows["ore"]["reasons"][0] == "supply 1 Mt against requirement 1.6 Mt: 600 kt short (capacity basis)"
    assert rows["metal"]["kinds"] == ["shortfall", "single firm", "dominator", "articulation point"]
    assert rows["metal"]["score"] == 4 + 3 + 2 + 1 and rows["metal"]["firms"] == ["smelter"]
    assert rows["metal"]["reasons"][1] == "smelter is the only local producer; part depend on it"
    # both short at every value: the larger share of its requirement first (ore 60/160, metal 20/100)
    assert [(r["rank"], r["product"]) for r in bottlenecks(g, basis="capacity")][:2] == [(1, "ore"), (2, "metal")]
    # part has two firms; 90/10 gives HHI 8200 (> 2500) but nothing local uses part: no reason
    assert "part" not in rows
    # resin -> paint is a separate component: resin is no articulation point of the main graph
    assert "resin" not in rows


def test_concentration_needs_users_and_stated_capacities(tmp_path, backend):
    g = build(
        tmp_path, backend, products=["a", "b"], chains=[("c", "a > b")],
        capacities=[("f1", "a", 90, "万吨", "operating"), ("f2", "a", 10, "万吨", "operating"),
                    ("f3", "b", None, None, "operating")],
        links=[("FEEDS", "a", "b", None, None)],
    )
    a = by_product(bottlenecks(g, basis="capacity"))["a"]
    assert a["kinds"] == ["concentrated", "dominator"]  # a is also the only raw material of b
    assert a["reasons"][0] == "HHI 8200: f1 holds 90% of stated capacity; b depend on it"


def test_short_of_unknown_amount_is_a_machine_field_in_every_language(tmp_path, backend):
    from chaingraph import i18n
    from chaingraph.queries import balance

    # metal is made; ore is not made locally and feeds metal without a coefficient: short, amount
    # unknown. flux is not made either but has a coefficient: short by a known amount.
    g = build(tmp_path, backend, products=["ore", "flux", "metal"], chains=[("c", "ore > metal")],
              capacities=[("smelter", "metal", 10, "万吨", "operating")],
              links=[("FEEDS", "ore", "metal", None, None), ("FEEDS", "flux", "metal", 0.1, "t/t")])
    for lang in ("en", "zh"):
        with i18n.language(lang):
            rows = by_product(balance(g))
            assert (rows["ore"]["verdict"], rows["ore"]["short_unknown_amount"]) == ("short", True)
            assert (rows["flux"]["verdict"], rows["flux"]["short_unknown_amount"]) == ("short", False)
            reasons = by_product(bottlenecks(g))
            (ore_reason,) = reasons["ore"]["reasons"]
            (flux_reason,) = reasons["flux"]["reasons"]
            if lang == "en":
                assert ore_reason == "not made locally, yet metal consume it (amount unknown) (target basis)"
                assert flux_reason == "supply 0 t against requirement 10 kt: 10 kt short (target basis)"
            else:  # the same decision, whatever the requirement's text says in this language
                assert "metal" in ore_reason and ore_reason != flux_reason and "1 万吨" in flux_reason


def test_reads_the_names_of_the_firms_it_shows_only(tmp_path, backend):
    """The firms' names are read for the products that get a row: `glass`, made locally but with
    no reason (nothing uses it, it ends no chain, no link), has its firms left unread."""
    from chaingraph.queries import balance

    g = build(
        tmp_path, backend, products=["sand", "glass", "metal", "part"], chains=[("c", "metal > part")],
        capacities=[("smelter", "metal", 80, "万吨", "operating"), ("works", "part", 90, "万吨", "operating"),
                    ("glassworks", "glass", 5, "万吨", "operating")],
        links=[("FEEDS", "metal", "part", 1, "t/t")],
    )
    shown = balance(g, basis="capacity", coefficients=False)
    asked: list[set[str]] = []
    read = g.firm_names

    def firm_names(ids, shown=True):
        ids = set(ids)
        asked.append(ids)
        return read(ids, shown)
    g.firm_names = firm_names
    rows = by_product(bottlenecks(g, basis="capacity", balance_rows=shown))
    assert "glass" not in rows and rows["metal"]["firms"] == ["smelter"]
    assert rows["metal"]["reasons"][1] == "smelter is the only local producer; part depend on it"
    assert asked == [{"smelter"} | {f for row in rows.values() for f in row["firms"]}]
