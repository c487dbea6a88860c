"""The one exception tree of chaingraph; the CLI turns any of these into `Error: <message>`."""
from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ChaingraphError", "DataError", "UnknownNameError", "AmbiguousNameError", "UnitError"]


class ChaingraphError(Exception):
    """Base class of every error chaingraph raises on purpose."""


class DataError(ChaingraphError):
    """A dataset file is wrong at one place: `{path}, line {line}, column {column}: {message}`."""

    def __init__(self, path: str, line: int, column: str, message: str):
        from .i18n import gettext as _
        self.path, self.line, self.column, self.message = path, line, column, message
        super().__init__(_("%(path)s, line %(line)s, column %(column)s: %(message)s") % {
            "path": path, "line": line, "column": column, "message": message})


class UnknownNameError(ChaingraphError, LookupError):
    """A product, chain, firm or region name that the dataset does not know, with close matches."""

    def __init__(self, kind: str, name: str, closest: Sequence[str] = ()):
        from .i18n import gettext as _
        from .i18n import join, pgettext
        self.kind, self.name, self.closest = kind, name, tuple(closest)
        hint = _("; closest: %(names)s") % {"names": join(self.closest)} if self.closest else ""
        super().__init__(_("unknown %(kind)s %(name)r%(hint)s") % {
            "kind": pgettext("kind", kind), "name": name, "hint": hint})


class AmbiguousNameError(ChaingraphError, LookupError):
    """A name shared by several records (two firms called alike); the user must give an id."""

    def __init__(self, kind: str, name: str, matches: Sequence[str]):
        from .i18n import gettext as _
        from .i18n import join, pgettext
        self.kind, self.name, self.matches = kind, name, tuple(matches)
        super().__init__(_("ambiguous %(kind)s %(name)r: %(matches)s; give an id") % {
            "kind": pgettext("kind", kind), "name": name, "matches": join(self.matches)})


class UnitError(ChaingraphError, ValueError):
    """A unit or ratio unit that is not in the table of known units."""
