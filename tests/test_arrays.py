"""The embedded store's numpy paths (graph/arrays.py: `capacity_tallies`, `firm_tallies`,
`largest_columns` of a large region) give the answers of its pure-Python paths to the last bit:
sums in file order one addition after another (not numpy's pairwise sums), the same rows named in
the same order, the same firms; and the commands that do not add up a large region's rows do not
import numpy."""
from __future__ import annotations

import operator
import random
import subprocess
import sys
from functools import reduce
from pathlib import Path

import numpy as np
import pytest

from chaingraph.graph import arrays, memory, open_backend
from chaingraph.graph.backend import Backend
from chaingraph.graph.model import SUPPLYING
from datasets import build, write_dataset

ROOT = Path(__file__).resolve().parents[1]


def _sequential(values) -> float:
    return reduce(operator.add, values, 0.0)


def test_segment_sums_add_one_value_after_another():
    """Each group's sum is `reduce(operator.add, group, 0.0)` bit for bit, however many of a
    group's values are added position by position and however many by `np.add.accumulate`; on
    the same values numpy's own `np.add.reduce` and `np.add.reduceat` (pairwise) give other last
    bits, which is why they are not used."""
    rng = random.Random(13)
    lengths = [0, 1, 2, 7, 8, 9, 63, 64, 65, 200, 1000, 3] + [rng.randrange(0, 300) for _ in range(60)]
    pool = [rng.uniform(0.001, 1e6) for _ in range(50)]
    values, starts = [], []
    for n in lengths:
        starts.append(len(values))
        values.extend(rng.choice(pool) if rng.random() < 0.3 else  # ties
                      rng.choice([0.0, -0.0, 1e-9, -2.5]) if rng.random() < 0.05 else
                      round(rng.uniform(0.0001, 1e5), rng.randrange(1, 8)) for _ in range(n))
    data = np.array(values)
    want = [_sequential(values[s:s + n]) for s, n in zip(starts, lengths)]
    for steps in (0, 1, 3, 64, 10 ** 9):
        found = arrays.segment_sums(data, np.array(starts), np.array(lengths), steps).tolist()
        assert [repr(x) for x in found] == [repr(x) for x in want]
    # why: numpy's pairwise sums differ from the sequential sum on many of these groups
    pairwise = np.add.reduceat(data, [s for s, n in zip(starts, lengths) if n])
    sequential = [w for w, n in zip(want, lengths) if n]
    assert sum(a != b for a, b in zip(pairwise.tolist(), sequential)) >= 10
    assert any(np.add.reduce(data[s:s + n]) != w for s, n, w in zip(starts, lengths, want))


def test_group_keeps_file_order_and_first_rows():
    rows = np.array([3, 5, 8, 9, 12, 20, 21, 30], dtype=np.int64)
    keys = np.array([7, 2, 7, 5, 2, 7, 9, 5], dtype=np.int16)
    regrouped, starts, lengths, found = arrays.group(rows, keys)
    assert found.tolist() == [7, 2, 5, 9]  # in the order of their first row
    assert [regrouped[s:s + n].tolist() for s, n in zip(starts, lengths)] == [[3, 8, 20], [5, 12], [9, 30], [21]]


def _random_rows(seed: int, n: int) -> dict:
    """A city `home` with a district `home_d`, a city `far`; products with many rows, ties, rows
    without a figure, amounts with fractions, in 万吨 and 吨 (one base unit) or 万片 (another);
    some products with a range or two base units; rows of every status, some without a firm."""
    rng = random.Random(seed)
    products = [f"p{i:02d}" for i in range(40)]
    firms = [f"f{i:03d}" for i in range(150)]
    pool = [round(rng.uniform(0.01, 500), 2) for _ in range(20)]
    rows = []
    for _ in range(n):
        product = rng.choice(products[:5] * 6 + products)  # a few products with many rows (> 64)
        number = int(product[1:])
        roll = rng.random()
        capacity = None if roll < 0.08 else rng.choice(pool) if roll < 0.35 else round(rng.uniform(0.001, 900), rng.randrange(0, 6))
        unit = None if capacity is None else "万片" if number % 10 == 7 else \
            rng.choice(["万片", "万吨"]) if number % 10 == 8 else rng.choice(["万吨", "万吨", "吨"])
        firm = None if rng.random() < 0.05 else rng.choice(firms)
        status = rng.choice(["operating", "operating", "building", "planned"])
        region = rng.choice(["home", "home", "home_d", "far"])
        extra = {}
        if number % 10 == 9 and capacity is not None and rng.random() < 0.2:
            extra = {"capacity_min": round(capacity * 0.9, 3), "capacity_max": round(capacity * 1.1, 3)}
        rows.append((firm, product, capacity, unit, status, None if firm is None and region == "home" else region,
                     extra))
    firm_regions = [(f, rng.choice(["home", "home_d", "far"])) for f in firms]
    return dict(products=products, firms=firm_regions, regions=[("home_d", "district", "home"), ("far", "city", "")],
                capacities=rows)


@pytest.mark.parametrize("rows", [2_000, 12_000])  # arrays in the store's pickle; views of the mapped file
def test_numpy_paths_answer_as_the_pure_paths(tmp_path, monkeypatch, rows):
    """`capacity_tallies`, `firm_tallies` and `largest_columns` with numpy are, to the last bit
    (their reprs), those of the pure-Python paths on the same store and those built on the
    records (`Backend.capacity_tallies`, ...), for a city with a district, the district, every
    status or some, several `most`, no field asked; `capacity_statuses` as from the records."""
    monkeypatch.setattr(memory, "NUMPY_FROM", 0)  # numpy for a region of any size
    fields = ("line", "firm", "capacity", "capacity_base", "base_unit", "unit", "status")
    folder = write_dataset(tmp_path / "d", **_random_rows(rows, rows))
    open_backend("memory", folder).close()  # the first open compiles the store; the next maps it
    with open_backend("memory", folder) as g:
        columns = g._capacities.columns
        assert columns["product"][0] == "codes" and columns["capacity"][0] == "float"
        assert (type(columns["capacity"][1]).__name__ == "memoryview") == (rows > 10_000)
        cases = [(region, statuses, most) for region in ("home", "home_d", "far")
                 for statuses in (None, tuple(SUPPLYING), ("planned",)) for most in (1, 3, 10)]
        found = {case: (g.capacity_tallies(case[0], case[1], fields, case[2]),
                        g.firm_tallies(*case)) for case in cases}
        largest = {(region, most): g.largest_columns(region, fields, most)
                   for region in ("home", "home_d", "far") for most in (1, 3, 10, 15)}
        bare = g.capacity_tallies("home", None, (), 3)
        assert "numpy" in sys.modules and any(key[0] == "grouped" for key in g._by_region)
        summed = [t for tallies, _ in found.values() for t in tallies.values() if t.summed]
        assert any(t.rest is not None and t.stated > 64 for t in summed)  # long groups, sums of the rest
        assert any(not t.summed for tallies, _ in found.values() for t in tallies.values())  # ranges, two units
        assert any(t.held for _, firms in found.values() for t in firms.values())
        for region in ("home", "home_d", "far"):
            assert g.capacity_statuses(region) == Backend.capacity_statuses(g, region)
    monkeypatch.setattr(memory, "_kernels", lambda: None)
    with open_backend("memory", folder) as pure:
        for (region, statuses, most), (tallies, firms) in found.items():
            want = pure.capacity_tallies(region, statuses, fields, most)
            assert repr(tallies) == repr(want)
            assert repr(tallies) == repr(Backend.capacity_tallies(pure, region, statuses, fields, most))
            assert repr(firms) == repr(pure.firm_tallies(region, statuses, most))
            assert repr(firms) == repr(Backend.firm_tallies(pure, region, statuses, most))
        for (region, most), columns in largest.items():
            assert repr(columns) == repr(pure.largest_columns(region, fields, most))
            assert repr(columns) == repr(Backend.largest_columns(pure, region, fields, most))
        assert repr(bare) == repr(pure.capacity_tallies("home", None, (), 3))
        assert not any(key[0] == "grouped" for key in pure._by_region)


def test_numpy_paths_on_the_hand_built_tallies(tmp_path, monkeypatch):
    """The hand-built dataset of tests/test_backend_aggregations.py (a range beside a plain row,
    two base units, amounts that are not whole, a tie, rows without a figure or a firm, a
    district) with numpy: the tallies and the largest rows built on the records, to the last bit."""
    from test_backend_aggregations import TALLY
    monkeypatch.setattr(memory, "NUMPY_FROM", 0)
    fields = ("line", "firm", "capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit", "unit")
    with build(tmp_path / "d", "memory", **TALLY) as g:
        for region in ("home", "home_d"):
            for statuses in (None, tuple(SUPPLYING), ("planned",)):
                for most in (1, 2, 3, 10):
                    assert repr(g.capacity_tallies(region, statuses, fields, most)) == repr(
                        Backend.capacity_tallies(g, region, statuses, fields, most))
                    assert repr(g.firm_tallies(region, statuses, most)) == repr(
                        Backend.firm_tallies(g, region, statuses, most))
            for most in (1, 2, 3, 10):
                assert repr(g.largest_columns(region, fields, most)) == repr(
                    Backend.largest_columns(g, region, fields, most))
        assert any(key[0] == "grouped" for key in g._by_region)


def test_a_small_region_is_added_up_without_numpy(tmp_path, monkeypatch):
    """Below `NUMPY_FROM` rows, in a process without numpy, the pure paths answer (importing
    numpy would cost more than it saves); at `NUMPY_FROM` rows numpy does."""
    monkeypatch.delitem(sys.modules, "numpy")
    with build(tmp_path / "d", "memory", **_random_rows(1, 300)) as g:
        monkeypatch.setattr(memory, "NUMPY_FROM", len(g.store.rows("capacities", "region", "home")) + 1)
        assert g._kernels("home_d") is None and g._kernels("far") is None
        assert g._kernels("home") is arrays  # the city and its district
        monkeypatch.setitem(sys.modules, "numpy", np)
        assert g._kernels("far") is arrays  # imported already: no cost


@pytest.mark.parametrize("command, imported", [("info", False), ("gaps", False), ("balance", False),
                                               ("bottlenecks", False), ("balance", True)])
def test_numpy_is_imported_only_to_add_up_a_large_region(command, imported):
    """numpy costs about 0.17 s to import: `info`, `gaps`, and `balance` and `bottlenecks` for the
    shipped dataset's city (a few rows) do not pay it; `balance` adds up a city of `NUMPY_FROM`
    rows or more with it (here made 0)."""
    code = ("import sys\nfrom click.testing import CliRunner\nfrom chaingraph.cli import cli\n"
            f"from chaingraph.graph import memory\nmemory.NUMPY_FROM = {0 if imported else 50_000}\n"
            f"r = CliRunner().invoke(cli, ['--data', {str(ROOT / 'data')!r}, {command!r}])\n"
            "assert r.exit_code == 0, r.output\nprint('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split()[-1] == str(imported)
