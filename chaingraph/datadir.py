"""Where a dataset lives: the default data folder, and the check that a folder given is one.

Apart from the loaders (chaingraph/loaders/csvfiles.py) so that a command that opens a compiled
store (graph/store.py) does not import the CSV readers and their parsers (0.05 s a command).
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ChaingraphError
from .i18n import gettext as _

__all__ = ["default_data_dir", "check_data_dir"]


def default_data_dir() -> Path:
    """`$CHAINGRAPH_DATA`, else the repository's `data/` next to the package (a checkout or an
    editable install), else the copy installed inside the package (`chaingraph/_data`, setup.cfg)."""
    if os.environ.get("CHAINGRAPH_DATA"):
        return Path(os.environ["CHAINGRAPH_DATA"])
    package = Path(__file__).resolve().parent
    repository = package.parent / "data"
    if (repository / "regions.csv").is_file() and (package.parent / "setup.cfg").is_file():
        return repository
    return package / "_data"


def check_data_dir(data_dir: str) -> None:
    """ChaingraphError unless `data_dir` is a folder: `data folder not found: …` or `not a folder: …`."""
    if not os.path.isdir(data_dir):
        what = _("not a folder: %(path)s") if os.path.exists(data_dir) else _("data folder not found: %(path)s")
        raise ChaingraphError(what % {"path": data_dir})
