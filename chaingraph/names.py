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


# name fields of query rows, each with the field that holds the id (or ids) it names and its kind;
# `country` holds a region's Chinese name and no id
NAME_FIELDS = {"name": ("product", "product"), "product_name": ("product", "product"),
               "names": ("products", "product"), "from_name": ("from", "product"), "to_name": ("to", "product"),
               "chain_name": ("chain", "chain"), "firm_name": ("firm", "firm"), "region_name": ("region", "region"),
               "country": (None, "region")}


def shown_names(g: Any, rows: list[dict]) -> list[dict]:
    """`rows` with their name fields (`NAME_FIELDS`) as the current language shows names
    (`i18n.name`): English names in English, the rows unchanged in Chinese. Queries write `name_zh`
    in these fields in every language, so that JSON and CSV do not change with the locale; tables
    and the brief show names through this.

    >>> from chaingraph.graph import open_backend
    >>> from chaingraph.i18n import language
    >>> row = {"product": "calcium_carbide", "name": "电石", "region": "wuhai", "region_name": "乌海市"}
    >>> with language("en"):
    ...     shown_names(open_backend(), [row])
    [{'product': 'calcium_carbide', 'name': 'calcium carbide', 'region': 'wuhai', 'region_name': 'Wuhai'}]
    """
    from .i18n import current, name
    present = {f for row in rows for f in row if f in NAME_FIELDS}
    if current() == "zh" or not present:
        return rows
    kinds = {NAME_FIELDS[f][1] for f in present}
    records: dict[str, dict[str, Any]] = {}
    if "product" in kinds:
        records["product"] = {p.id: p for p in g.products()}
    if "chain" in kinds:
        records["chain"] = {c.id: c for c in g.chains()}
    if "region" in kinds:
        records["region"] = {r.id: r for r in g.regions()}
    if "firm" in kinds:  # only the firms the rows name: a national dataset has a million
        records["firm"] = g.firms_by_id({row["firm"] for row in rows if row.get("firm")})
    by_zh = {r.name_zh: r for r in records.get("region", {}).values()}

    def shown(field: str, row: dict) -> Any:
        id_field, kind = NAME_FIELDS[field]
        if id_field is None:
            record = by_zh.get(row[field])
            return name(record) if record else row[field]
        ids, found = row.get(id_field), records[kind]
        if isinstance(ids, (list, tuple)):
            return [name(found[i]) if i in found else old for i, old in zip(ids, row[field])]
        return name(found[ids]) if ids in found else row[field]

    return [{f: (shown(f, row) if f in NAME_FIELDS and row[f] else row[f]) for f in row} for row in rows]
