"""A normal (non-editable) install carries the shipped dataset and runs every command on it.

The wheel is built offline from a copy of the source tree with the test environment's setuptools
and wheel (`--no-build-isolation --no-index`: nothing is fetched), then installed without its
dependencies into a fresh venv that borrows them from the test environment, and run from a
folder outside the repository.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "artifacts",
                                "report", "results", ".pytest_cache", "notebooks", ".chaingraph.store")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source") / "chaingraph"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-q", str(source), "-w", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, f"building the wheel failed (bootstrap.sh test installs `wheel`):\n{done.stderr}"
    (built,) = out.glob("chaingraph-*.whl")
    return built


def test_the_wheel_holds_the_dataset(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {str(p.relative_to(ROOT / "data")) for p in (ROOT / "data").rglob("*")
               if p.is_file() and not p.name.startswith(".")}  # not the compiled store (graph/store.py)
    assert {"regions.csv", "products.csv", "sources/wuhai_2011_guideline.txt", "README.md"} <= shipped
    assert {f"chaingraph/_data/{name}" for name in shipped} <= names  # every file under data/, subfolders too
    assert "chaingraph/graph/style.grass" in names
    # what the package reads at run time besides the dataset: catalogs, templates, reference data
    assert {"chaingraph/locale/zh/LC_MESSAGES/chaingraph.mo", "chaingraph/templates/report.html.j2",
            "chaingraph/templates/report.md.j2", "chaingraph/reference/process_coefficients.csv",
            "chaingraph/extract/lexicon.csv"} <= names
    assert not any(name.startswith(("tests/", "data/", "bench/")) for name in names)


def test_an_installed_wheel_runs_on_the_shipped_dataset(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # the dependencies come from the test environment: a path line in a .pth file (the test
    # environment's own .pth files, among them its editable chaingraph, are not read this way)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CHAINGRAPH_DATA"}
    chaingraph = str(venv / "bin" / "chaingraph")

    where = subprocess.run([str(python), "-c", "import chaingraph.loaders as l; print(l.default_data_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, env=env)
    assert where.stdout.strip() == str(Path(site, "chaingraph", "_data"))

    info = subprocess.run([chaingraph, "info", "--format", "csv"], capture_output=True, text=True, cwd=tmp_path,
                          env=env)
    assert (info.stderr, info.returncode) == ("", 0)
    counts = dict(line.split(",") for line in info.stdout.splitlines()[1:])
    validate = subprocess.run([chaingraph, "validate"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert validate.stdout.startswith(f"OK: {counts['products']} products, {counts['chains']} chains")
    assert validate.stdout.rstrip().endswith(str(Path(site, "chaingraph", "_data")))

    report = subprocess.run([chaingraph, "report", "-o", str(tmp_path / "r")], capture_output=True, text=True,
                            cwd=tmp_path, env=env)
    assert report.returncode == 0, report.stderr
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["report.html", "report.md"]
    zh = subprocess.run([chaingraph, "gaps", "--lang", "zh"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert zh.returncode == 0 and zh.stdout.startswith("排名"), zh.stderr  # the compiled catalog is installed


def test_the_neo4j_extra_brings_the_drivers_rust_packer(wheel):
    # a load's batches are packed 14x faster by the driver's own Rust extension (bench/neo4j_pack.py)
    with zipfile.ZipFile(wheel) as z:
        (metadata,) = [name for name in z.namelist() if name.endswith(".dist-info/METADATA")]
        requires = [line for line in z.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    for extra in ("neo4j", "test"):
        assert any(line.startswith("Requires-Dist: neo4j-rust-ext") and f'extra == "{extra}"' in line
                   for line in requires), requires
    from neo4j._codec.packstream import v1  # the test extras installed it: the driver packs with it
    assert v1._rust_pack is not None
