"""The one exception tree of chaingraph; the CLI turns any of these into `Error: <message>`."""
from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ChaingraphError", "DataError", "UnknownNameError", "AmbiguousNameError", "UnitError"]


class ChaingraphError(Exception):
    """Base class of every error chaingraph raises on purpose."""


class DataError(ChaingraphError):
    """A dataset file is wrong at one place: `{path}, line {line}, column {column}: {message}`."""

    def __init__(self, path: str, line: int, column: str, message: str):
        self.path, self.line, self.column, self.message = path, line, column, message
        super().__init__(f"{path}, line {line}, column {column}: {message}")


class UnknownNameError(ChaingraphError, LookupError):
    """A product, chain, firm or region name that the dataset does not know, with close matches."""

    def __init__(self, kind: str, name: str, closest: Sequence[str] = ()):
        self.kind, self.name, self.closest = kind, name, tuple(closest)
        hint = f"; closest: {', '.join(self.closest)}" if self.closest else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


class AmbiguousNameError(ChaingraphError, LookupError):
    """A name shared by several records (two firms called alike); the user must give an id."""

    def __init__(self, kind: str, name: str, matches: Sequence[str]):
        self.kind, self.name, self.matches = kind, name, tuple(matches)
        super().__init__(f"ambiguous {kind} {name!r}: {', '.join(self.matches)}; give an id")


class UnitError(ChaingraphError, ValueError):
    """A unit or ratio unit that is not in the table of known units."""
