"""Find records by any of their names: id, Chinese name, English name or alias."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .errors import AmbiguousNameError, UnknownNameError

__all__ = ["NameIndex", "name_key"]


def name_key(name: str) -> str:
    """The form names are compared in: case-insensitive for Latin letters, outer spaces ignored."""
    return name.strip().casefold()


def label(record: Any) -> str:
    """How a record is shown in messages: `pvc (聚氯乙烯)`."""
    return f"{record.id} ({record.name_zh})"


class NameIndex:
    """Records of one kind (`product`, `firm` ...) by id and by every name they have.

    A record needs `id`, `name_zh` and `names` (all the names it answers to).
    """

    def __init__(self, kind: str, records: Iterable[Any]):
        self.kind = kind
        self.by_id: dict[str, Any] = {}
        self._ids_by_key: dict[str, list[str]] = {}
        for record in records:
            self.by_id[record.id] = record
            for name in record.names:
                ids = self._ids_by_key.setdefault(name_key(name), [])
                if record.id not in ids:
                    ids.append(record.id)

    def resolve(self, name: str) -> Any:
        """The record called `name`; UnknownNameError (with close matches) or AmbiguousNameError."""
        if name in self.by_id:  # an exact id wins over any name
            return self.by_id[name]
        ids = self._ids_by_key.get(name_key(name), [])
        if len(ids) > 1:
            raise AmbiguousNameError(self.kind, name, [label(self.by_id[i]) for i in ids])
        if not ids:
            raise UnknownNameError(self.kind, name, self.closest(name))
        return self.by_id[ids[0]]

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Labels of up to `n` records with a name close to `name` (difflib ratio >= 0.6), else
        with a name that contains it (`化肥` finds `化肥产业链`; two characters at least)."""
        found: list[str] = []
        key = name_key(name)
        keys = difflib.get_close_matches(key, self._ids_by_key, n=4 * n)
        if len(key) >= 2 and len(keys) < n:
            containing = [k for k in self._ids_by_key if key in k and k not in keys]
            containing.sort(key=lambda k: (len(k), k))  # the shortest names are the closest
            keys += containing[:4 * n]
        for key in keys:
            for record_id in self._ids_by_key[key]:
                if (text := label(self.by_id[record_id])) not in found:
                    found.append(text)
        return found[:n]
