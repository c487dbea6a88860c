"""The knowledge graph: records (model), the backend interface, and `open_backend`."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import ChaingraphError

if TYPE_CHECKING:
    from .backend import Backend

__all__ = ["open_backend", "BACKENDS"]

BACKENDS = ("memory", "neo4j", "falkordb")


def open_backend(name: str = "memory", data_dir: str | os.PathLike[str] | None = None,
                 **options: Any) -> Backend:
    """A backend by name, holding the dataset in `data_dir` (default: the shipped `data/`).

    Backends are imported here, on demand, so that a light command never loads a driver.
    """
    if name == "memory":
        from .memory import MemoryBackend
        return MemoryBackend(data_dir, **options)
    if name in BACKENDS:
        raise ChaingraphError(f"backend not available yet: {name}")
    raise ChaingraphError(f"unknown backend {name!r} (expected {', '.join(BACKENDS)})")
