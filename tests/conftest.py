"""Fixtures: the tiny valid dataset in tests/fixtures/mini, a writable copy, a graph on it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chaingraph.graph import open_backend

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini() -> Path:
    """The fixture dataset (read-only: copy it with `mini_copy` to change it)."""
    return MINI


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A copy of the fixture dataset in a temporary folder, to break or change."""
    return Path(shutil.copytree(MINI, tmp_path / "data"))


@pytest.fixture(params=["memory"])
def graph(request, mini):
    """The fixture dataset on every backend (only `memory` so far)."""
    with open_backend(request.param, mini) as g:
        yield g
