"""bench/synth.py: the synthetic national dataset validates, is the same for the same seed, and
says on every row that it is synthetic."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from chaingraph.loaders import load_dataset

_SPEC = importlib.util.spec_from_file_location("synth", Path(__file__).parents[1] / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synth)


def test_synthetic_dataset_validates_and_has_the_asked_shape(tmp_path):
    counts = synth.generate(tmp_path, firms=500, seed=3, n_products=200, n_cities=20)
    ds = load_dataset(tmp_path)
    assert len(ds.firms) == counts["firms"] == 500
    assert len(ds.capacities) == counts["capacities"] == 1000  # 2 rows per firm
    assert sum(r.level == "city" for r in ds.regions) == 20
    assert len(ds.products) == 200 and len(ds.chains) == 20
    assert {link.type for link in ds.links} == {"FEEDS", "YIELDS"}
    assert any(link.ratio is not None for link in ds.links)
    assert {c.status for c in ds.capacities} == {"operating", "building", "planned"}
    assert ds.home_region == "syn_c001"
    # every row is marked synthetic, and the source text says so first
    for name in ("regions", "products", "firms", "chains", "capacities", "targets", "links"):
        with open(tmp_path / f"{name}.csv", encoding="utf-8", newline="") as f:
            assert all(row["note"] == "synthetic" for row in csv.DictReader(f)), name
    assert (tmp_path / "sources" / "synthetic_dataset.txt").read_text(encoding="utf-8").startswith(synth.NOTICE)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.rglob("*.*"))}

    synth.generate(tmp_path / "a", firms=300, seed=7, n_products=100, n_cities=10)
    synth.generate(tmp_path / "b", firms=300, seed=7, n_products=100, n_cities=10)
    synth.generate(tmp_path / "c", firms=300, seed=8, n_products=100, n_cities=10)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a")["firms.csv"] != files(tmp_path / "c")["firms.csv"]
