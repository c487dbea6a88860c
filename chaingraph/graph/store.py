"""The compiled form of a dataset: read and validated once, then opened in a moment.

The first command on a dataset folder reads and validates its CSV files (`read_store` in
loaders/csvfiles.py) into a compact columnar form: per column one `array` of numbers, one
dictionary of the distinct values with an array of codes, or one string with an array of
offsets, never one Python object per record. The large files (firms, capacities) go into it as
they are read, a batch of rows at a time (`TableBuilder`, `ColumnBuilder`); the small ones are
read as records and encoded (`Table.encode`). Every later command reads that one file back
(arrays and blobs come back as single objects, so this takes a fraction of a second at a million
firms) and builds a record only when a query asks for it (`Table.row`); the tables of a few
thousand rows (regions, products, chains, targets, links) are decoded whole.

Where the file goes: `.chaingraph.store` in the dataset folder when it is writable, else
`$XDG_CACHE_HOME/chaingraph/` (default `~/.cache/chaingraph/`) under a name made from the
folder's path; `CHAINGRAPH_CACHE=0` turns the store off (every command reads the CSVs).

When it is used: the file records, for every input (the dataset's CSV files and everything under
`sources/`, which the quotes are checked against), its size, modification time and content hash,
and the hash of the code that reads and encodes it (loader, model, units, this module) and
`FORMAT`. A later command compares sizes and times (a `stat` per file); where one differs it
hashes that file's content, and rebuilds unless the content is the same; when it is (a copied
or touched folder), the new sizes and times are written into the file, so the hashing happens
once. A file that cannot be
read, is cut short, is of another format or holds anything but this module's data is ignored
and rebuilt, never trusted: it is unpickled with a loader that admits only arrays and the
model's record classes.

Two commands starting at once both build, each into its own temporary file in the same folder,
then rename it into place (atomic on POSIX and Windows): a reader sees an old file, a new file,
or none, never half of one.
"""
from __future__ import annotations

import bisect
import dataclasses
import gc
import hashlib
import io
import itertools
import mmap
import math
import operator
import os
import pickle
import re
import shutil
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import model
from .model import Dataset

__all__ = ["FORMAT", "Table", "TableBuilder", "ColumnBuilder", "Store", "open_store", "store_path",
           "compile_dataset"]

FORMAT = 4  # bump when the layout below changes
_MAGIC = b"chaingraph-store\n"
_NAME = ".chaingraph.store"
_NO_INT = -(2 ** 63)  # an empty integer cell
_NUL = "\0"  # separates the values of a text column
_SEP = "\x1f"  # joins the items of a list cell (`_list` never yields an item holding it)
# the code (and the process-coefficient library the loader applies) that decides what a dataset reads as
_CODE = ("loaders", "reference", "graph/model.py", "units.py", "names.py", "graph/store.py")
_TABLES = ("regions", "products", "firms", "chains", "capacities", "targets", "links", "conversions")
_LAZY = ("firms", "capacities")  # decoded a row at a time; the other tables are decoded whole


# -- columns ----------------------------------------------------------------------------------

def _encode(values: Sequence[Any]) -> tuple:
    """One column as a compact tuple (kind, ...); `_decoder` turns it back into values."""
    n = len(values)
    kinds = {type(v) for v in values} - {type(None)}
    if not kinds:
        return ("none", n)
    if kinds == {bool}:
        return ("bool", bytes(values))
    if kinds == {float}:
        return ("float", array("d", (math.nan if v is None else v for v in values)))
    if kinds == {int} and all(v is None or _NO_INT < v < 2 ** 63 for v in values):
        return ("int", array("q", (_NO_INT if v is None else v for v in values)))
    if kinds == {tuple} and all(isinstance(x, str) and _SEP not in x for v in values if v for x in v):
        values, kinds = [_SEP.join(v) if v is not None else None for v in values], {str}
        wrap = "list"
    else:
        wrap = ""
    if kinds == {str}:
        distinct: dict[str, int] = {}
        for v in values:
            if v is not None and v not in distinct:
                distinct[v] = len(distinct)
                if len(distinct) * 8 > n:
                    break
        # few distinct values: a dictionary and a code per row (many: one string, opened as one object)
        if len(distinct) * 8 <= n:
            codes = array("i", (-1 if v is None else distinct[v] for v in values))
            return ("codes", wrap, list(distinct), codes)
        if not any(_NUL in v for v in values if v is not None):
            # one string of every value, NUL-separated: split at once, or sliced at a row's offsets
            offsets = array("q", [0]) * (n + 1)
            total = 0
            for i, v in enumerate(values):
                total += len(v or "") + 1
                offsets[i + 1] = total
            nones = bytes(v is None for v in values) if None in values else b""
            return ("text", wrap, _NUL.join(v or "" for v in values), offsets, nones)
    return ("objects", list(values))


class ColumnBuilder:
    """One column written a batch of values at a time, into the form `_encode` gives the whole list:
    no Python object kept per value (numbers go into arrays; text into a dictionary of the
    distinct values and an array of codes, or, once most values differ, into joined text and
    offsets). `column()` is the column as `_encode` writes it.

    >>> b = ColumnBuilder()
    >>> b.extend(["a", None, "a"]); b.extend(["b"])
    >>> _decode_all(b.column(), 4)
    ['a', None, 'a', 'b']
    """

    SWITCH = 1 << 16  # distinct values a text column may have before, if nearly all differ, it becomes joined text
    _KINDS = {bool: "bool", float: "float", int: "int", str: "str", tuple: "list"}

    def __init__(self) -> None:
        self.n = 0
        self.kind = "none"  # none, bool, float, int, str, list (str with items joined by _SEP), objects
        self.data: Any = None  # bool: bytearray; float, int: array; str, list: codes (array); objects: list
        self.index: dict[Any, int] = {}  # str, list: value -> code (None -> -1)
        self.values: list[str] = []  # str, list: the distinct values by code
        self.text = False  # str, list: joined text (chunks, offsets, nones) instead of codes
        self.chunks: list[str] = []
        self.offsets = array("q", [0])
        self.nones = bytearray()

    def extend(self, values: list) -> None:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        kind = "none" if not kinds else self._KINDS.get(kinds.pop(), "objects") if len(kinds) == 1 else "objects"
        if kind == "int":
            numbers = values if None not in values else [v for v in values if v is not None]
            if not _NO_INT < min(numbers) <= max(numbers) < 2 ** 63:
                kind = "objects"
        if kind == "str" and _NUL in "".join(values if None not in values else filter(None, values)):
            kind = "objects"  # as text the values are NUL-separated
        empty_lists = kind == "list" and values.count(()) == len(values)  # a column seldom filled in
        if kind == "list" and not empty_lists:
            items = "".join([x for v in values if v for x in v])
            if _SEP in items or _NUL in items:
                kind = "objects"
        if kind == "bool" and None in values:
            kind = "objects"
        if self.kind == "none" and kind != "none":
            self._start(kind)
        elif kind not in ("none", self.kind) or (self.kind == "bool" and kind == "none"):
            self._to_objects()
        if self.kind == "list":
            values = [""] * len(values) if empty_lists else [None if v is None else _SEP.join(v) for v in values]
        self._add(values)

    def _start(self, kind: str) -> None:
        n, self.n, self.kind = self.n, 0, kind
        self.data = {"bool": bytearray, "float": lambda: array("d"), "int": lambda: array("q"),
                     "str": lambda: array("i"), "list": lambda: array("i"), "objects": list}[kind]()
        self.index = {None: -1}
        if n:
            self._add([None] * n)

    def _add(self, values: list) -> None:
        kind = self.kind
        if kind == "none":
            pass
        elif kind in ("bool", "objects"):
            self.data.extend(values)
        elif kind == "float":
            self.data.extend(values if None not in values else [math.nan if v is None else v for v in values])
        elif kind == "int":
            self.data.extend(values if None not in values else [_NO_INT if v is None else v for v in values])
        elif self.text:
            self._add_text(values)
        else:
            codes = list(map(self.index.get, values, itertools.repeat(-2, len(values))))
            if -2 in codes:  # values not seen before: the next codes, in order of appearance
                new = dict.fromkeys(v for v, code in zip(values, codes) if code == -2)
                self.index.update(zip(new, range(len(self.values), len(self.values) + len(new))))
                self.values.extend(new)
                codes = list(map(self.index.__getitem__, values))
            self.data.extend(codes)
            self.n += len(values)
            if len(self.values) > self.SWITCH and len(self.values) * 10 > self.n * 9:  # ids, names
                self._to_text()
            return
        self.n += len(values)

    def _to_text(self) -> None:
        """Most values differ: a dictionary would only cost memory; keep them as joined text."""
        distinct = [*self.values, None]  # code -1: None
        codes, self.data, self.index, self.values, self.text = self.data, None, {}, [], True
        for start in range(0, len(codes), 8192):
            self._add_text([distinct[c] for c in codes[start:start + 8192]])

    def _add_text(self, values: list) -> None:
        """Append `values` (str without NUL, or None) to the joined text."""
        texts = values if None not in values else ["" if v is None else v for v in values]
        self.nones.extend(bytes(len(values)) if texts is values else bytes(v is None for v in values))
        ends = itertools.accumulate(map(operator.add, map(len, texts), itertools.repeat(1)), initial=self.offsets[-1])
        next(ends)  # the initial value: the end of the text so far, already there
        self.offsets.extend(ends)
        self.chunks.append(_NUL.join(texts))

    def _to_objects(self) -> None:
        if self.kind != "objects":
            values = _decode_all(self.column(), self.n)
            self.__init__()
            self.n, self.kind, self.data = len(values), "objects", values

    def column(self, narrow: bool = False) -> tuple:
        """The column as `_encode` writes it (more values may be added after); `narrow`: its
        numbers in the narrowest array that holds them (for the store: smaller, read faster)."""
        kind = self.kind
        if narrow and kind == "int" and _NO_INT not in self.data:  # no empty cell: any width will do
            return ("int", _narrow(self.data, min(self.data, default=0), max(self.data, default=0)))
        if kind in ("none", "bool", "float", "int", "objects"):
            return (kind, self.n) if kind == "none" else (kind, bytes(self.data) if kind == "bool" else self.data)
        wrap = "list" if kind == "list" else ""
        if not self.text:
            return ("codes", wrap, list(self.values), _narrow(self.data, -1, len(self.values)) if narrow else self.data)
        self.chunks = [_NUL.join(self.chunks)]  # one string from now on (joining one string is free)
        offsets = _narrow(self.offsets, 0, self.offsets[-1]) if narrow else self.offsets
        return ("text", wrap, self.chunks[0], offsets, bytes(self.nones) if any(self.nones) else b"")


def _narrow(numbers: array, low: int, high: int) -> array:
    """`numbers` (all within low..high) in the narrowest array that holds them."""
    for code in "bhi":
        bits = array(code).itemsize * 8
        if -(1 << (bits - 1)) <= low and high < 1 << (bits - 1):
            return numbers if code == numbers.typecode else array(code, numbers)
    return numbers


def _unwrap(wrap: str) -> Callable[[Any], Any]:
    if wrap == "list":
        return lambda s: None if s is None else tuple(s.split(_SEP)) if s else ()
    return lambda s: s


def _decoder(column: tuple) -> Callable[[int], Any]:
    """A function from a row number to the column's value in that row."""
    kind = column[0]
    if kind == "none":
        return lambda i: None
    if kind == "bool":
        data = column[1]
        return lambda i: data[i] == 1
    if kind == "float":
        data = column[1]
        return lambda i: None if data[i] != data[i] else data[i]
    if kind == "int":
        data = column[1]
        return lambda i: None if data[i] == _NO_INT else data[i]
    if kind == "codes":
        _, wrap, values, codes = column
        values = [*(map(_unwrap(wrap), values) if wrap else values), None]  # code -1: None
        return lambda i: values[codes[i]]
    if kind == "text":
        _, wrap, text, offsets, nones = column
        unwrap = _unwrap(wrap)
        if nones:
            return lambda i: None if nones[i] else unwrap(text[offsets[i]:offsets[i + 1] - 1])
        if wrap:
            return lambda i: unwrap(text[offsets[i]:offsets[i + 1] - 1])
        return lambda i: text[offsets[i]:offsets[i + 1] - 1]
    if kind == "objects":
        return column[1].__getitem__
    raise ValueError(f"unknown column kind {kind!r}")


def _decode_all(column: tuple, n: int) -> list:
    """The whole column as a list (faster than a row at a time)."""
    kind = column[0]
    if kind == "float":
        return [None if x != x else x for x in column[1]]
    if kind == "int":
        return [None if x == _NO_INT else x for x in column[1]]
    if kind == "codes":
        _, wrap, values, codes = column
        values = [*(map(_unwrap(wrap), values) if wrap else values), None]
        return [values[c] for c in codes]
    if kind == "text":
        _, wrap, text, _, nones = column
        values = text.split(_NUL) if n else []
        if wrap:
            values = list(map(_unwrap(wrap), values))
        if nones:
            values = [None if none else v for v, none in zip(values, nones)]
        return values
    get = _decoder(column)
    return [get(i) for i in range(n)]


class Table:
    """The records of one file, column by column; `row(i)` builds record i (and keeps it)."""

    def __init__(self, cls: type, n: int, columns: dict[str, tuple]):
        self.cls, self.n, self.columns = cls, n, columns
        self._getters: list | None = None  # (field, row -> value), made when first needed
        self._id: Callable[[int], Any] | None = None
        self._rows: dict[int, Any] = {}
        self._all: tuple | None = None
        self._codes: dict[str, tuple[list, Sequence[int]]] = {}
        # records are frozen dataclasses: fill their __dict__ at once instead of calling __init__
        self._fast = hasattr(cls, "__dict__") and not hasattr(cls, "__slots__")

    @classmethod
    def encode(cls, model_cls: type, records: Sequence[Any], skip: Iterable[str] = ()) -> Table:
        """The records as columns; columns named in `skip` are left for the caller to fill."""
        return cls(model_cls, len(records), {name: ("none", len(records)) if name in skip
                                             else _encode([getattr(r, name) for r in records])
                                             for name in model_cls.__dataclass_fields__})

    def __len__(self) -> int:
        return self.n

    def _make(self, values: dict[str, Any]) -> Any:
        if self._fast:
            record = self.cls.__new__(self.cls)
            record.__dict__.update(values)
            return record
        return self.cls(**values)

    def row(self, i: int) -> Any:
        if self._all is not None:
            return self._all[i]
        record = self._rows.get(i)
        if record is None:
            if self._getters is None:
                self._getters = [(name, self.getter(name)) for name in self.columns]
            record = self._rows[i] = self._make({name: get(i) for name, get in self._getters})
        return record

    def rows(self, numbers: Iterable[int]) -> list:
        """Records by row number; those not built yet are built column by column, in one pass each."""
        numbers = list(numbers)
        if self._all is not None:
            return [self._all[i] for i in numbers]
        known = self._rows
        missing = [i for i in dict.fromkeys(numbers) if i not in known]
        if len(missing) > 16:
            names = list(self.columns)
            columns = [self._cells(name, missing) for name in names]
            make = self._make
            for i, values in zip(missing, zip(*columns)):
                known[i] = make(dict(zip(names, values)))
        return [known[i] if i in known else self.row(i) for i in numbers]

    def cells(self, name: str, numbers: Sequence[int]) -> list:
        """The cells of some rows in one column, without building or keeping records (a load
        streams a national table this way, a batch at a time)."""
        return self._cells(name, numbers)

    def _cells(self, name: str, numbers: list[int]) -> list:
        """The cells of `numbers` in column `name` (a list comprehension per column: no call per cell)."""
        col = self.columns[name]
        kind = col[0]
        if kind == "codes":
            _, wrap, values, codes = col
            values = [*(map(_unwrap(wrap), values) if wrap else values), None]
            return [values[c] for c in map(codes.__getitem__, numbers)]
        if kind == "float":
            return [None if x != x else x for x in map(col[1].__getitem__, numbers)]
        if kind == "int":
            return [None if x == _NO_INT else x for x in map(col[1].__getitem__, numbers)]
        if kind == "text":
            _, wrap, text, offsets, nones = col
            values = text_slices(text, map(offsets.__getitem__, numbers), [offsets[i + 1] - 1 for i in numbers])
            if wrap:
                values = list(map(_unwrap(wrap), values))
            return [None if nones[i] else v for i, v in zip(numbers, values)] if nones else values
        if kind == "none":
            return [None] * len(numbers)
        if kind == "ref":
            target, codes = col[1], col[2]
            ids = target.columns["id"]
            if ids[0] == "text" and not ids[1] and not ids[4]:  # the ids sliced out of their text at once
                _, _, text, offsets, _ = ids
                refs = [codes[i] for i in numbers]
                found = text_slices(text, [offsets[c] if c >= 0 else 0 for c in refs],
                                [offsets[c + 1] - 1 if c >= 0 else 0 for c in refs])
                return found if min(refs, default=0) >= 0 else [None if c < 0 else v for c, v in zip(refs, found)]
            return [None if (c := codes[i]) < 0 else target.row_id(c) for i in numbers]
        get = self.getter(name)
        return [get(i) for i in numbers]

    def row_id(self, i: int) -> str:
        """The id of record i, without building it."""
        if self._id is None:
            self._id = self.getter("id")
        return self._id(i)

    def getter(self, column: str) -> Callable[[int], Any]:
        """A function from a row number to its cell in `column`, without building the record."""
        col = self.columns[column]
        if col[0] == "ref":  # row numbers of another table's records: their ids
            target = col[1]
            codes, ids = col[2], target.getter("id")
            return lambda i: None if codes[i] < 0 else ids(codes[i])
        return _decoder(col)

    def codes(self, name: str) -> tuple[list, Sequence[int]]:
        """A column as (its distinct values, each row's index into them): the store's own
        dictionary coding, or one made here (once) for a column stored otherwise."""
        found = self._codes.get(name)
        if found is None:
            col = self.columns[name]
            if col[0] == "codes" and not col[1]:
                found = [*col[2], None], col[3]  # code -1 (an empty cell): the last value, None
            else:  # a small table keeps a column of mostly distinct values as text
                values = self.column(name)
                distinct = {v: n for n, v in enumerate(dict.fromkeys(values))}
                found = list(distinct), [distinct[v] for v in values]
            self._codes[name] = found
        return found

    def column(self, name: str) -> list:
        if self.columns[name][0] == "ref":
            get = self.getter(name)
            return [get(i) for i in range(self.n)]
        return _decode_all(self.columns[name], self.n)

    def all(self) -> tuple:
        """Every record, in file order (built once)."""
        if self._all is None:
            names = list(self.columns)
            columns = [self.column(name) for name in names]
            known = self._rows
            make, cls = self._make, self.cls
            if self._fast and not known:
                new = cls.__new__
                records = []
                for values in zip(*columns):
                    record = new(cls)
                    record.__dict__.update(zip(names, values))
                    records.append(record)
                self._all = tuple(records)
            else:
                self._all = tuple(known[i] if i in known else make(dict(zip(names, values)))
                                  for i, values in enumerate(zip(*columns)))
        return self._all

    def __getstate__(self) -> dict:
        columns = {name: _stored_text(col) if col[0] == "text" else col for name, col in self.columns.items()}
        return {"cls": self.cls.__name__, "n": self.n, "columns": _raw(columns)}

    def __setstate__(self, state: dict) -> None:
        if state["cls"] not in model.__all__:
            raise pickle.UnpicklingError(f"not a record class: {state['cls']!r}")
        self.__init__(getattr(model, state["cls"]), state["n"], state["columns"])


_RAW = 1 << 16  # arrays of more bytes are stored raw after the pickle and read back as views of the file


class _Raw:
    """A large array in a pickle: written out of band (raw, after the pickle) and read back as a
    `memoryview` of the mapped file (`_mapped`), which indexes, slices and iterates like the array,
    so that opening the store copies nothing and only the pages a command touches are read."""

    def __init__(self, data: array):
        self.data = data

    def __reduce_ex__(self, protocol: int) -> tuple:
        return _mapped, (self.data.typecode, pickle.PickleBuffer(self.data))


def _mapped(typecode: str, buffer: Any) -> memoryview:
    return memoryview(buffer).cast("B").cast(typecode)


class _Text:
    """A large text column's joined values as a store file holds them: UTF-8 bytes, mapped, neither
    copied nor decoded when the store opens (at a million firms their ids and names are 52 MB, 0.1 s
    of every command), with the column's offsets counted in bytes. A slice decodes the values asked
    for (`text[offsets[i]:offsets[i + 1] - 1]`, as of a str); `split` decodes the whole."""

    __slots__ = ("data",)

    def __init__(self, data: Any):
        self.data = data

    def __reduce_ex__(self, protocol: int) -> tuple:
        return _Text, (pickle.PickleBuffer(self.data),)

    def __getitem__(self, where: slice) -> str:
        return str(self.data[where], "utf-8")

    def split(self, separator: str) -> list[str]:
        return str(self.data, "utf-8").split(separator)

    def slices(self, starts: Iterable[int], ends: Iterable[int]) -> list[str]:
        """`[self[a:b] for a, b in zip(starts, ends)]`, decoded together (NUL separates no value's parts)."""
        data = self.data
        parts = [data[a:b] for a, b in zip(starts, ends)]
        return str(b"\0".join(parts), "utf-8").split(_NUL) if parts else []


def text_slices(text: str | _Text, starts: Iterable[int], ends: Iterable[int]) -> list[str]:
    """The values of a joined text column between these offsets (each start, end - 1)."""
    if type(text) is str:
        return [text[a:b] for a, b in zip(starts, ends)]
    return text.slices(starts, ends)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # (no UTF-8 for it: such a text stays a str)


def _stored_text(column: tuple) -> tuple:
    """A text column as the store file keeps it: its joined text as `_Text` (bytes offsets) when large."""
    kind, wrap, text, offsets, nones = column
    if isinstance(text, _Text) or len(text) <= _RAW or not text.isascii() and _LONE_SURROGATE.search(text):
        return column
    data = text.encode("utf-8")
    if len(data) != len(text):  # not all ASCII: the values' offsets in bytes
        sizes = (len(value.encode("utf-8")) + 1 for value in text.split(_NUL))
        offsets = _narrow(array("q", itertools.accumulate(sizes, initial=0)), 0, len(data) + 1)
    return kind, wrap, _Text(data), offsets, nones


def _raw(value: Any) -> Any:
    """`value` with its large arrays (in dicts and tuples) wrapped for out-of-band pickling."""
    if isinstance(value, array):
        return _Raw(value) if len(value) * value.itemsize > _RAW else value
    if isinstance(value, tuple):
        return tuple(_raw(v) for v in value)
    if isinstance(value, dict) and len(value) < 64:
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, dict) and value and all(type(v) is array for v in value.values()) \
            and len({v.typecode for v in value.values()}) == 1:  # many groups of rows (an index): one array
        return _Groups(value)
    return value


class _Groups:
    """A dict of many arrays of one type (an index's groups of row numbers, a region's or a
    product's) in a pickle: its keys, and the arrays joined into one, written out of band like a
    large array (`_Raw`); read back as views of the mapped file, one per key, none copied."""

    def __init__(self, groups: dict[Any, array]):
        self.groups = groups

    def __reduce_ex__(self, protocol: int) -> tuple:
        lengths = array("q", map(len, self.groups.values()))
        joined = array(next(iter(self.groups.values())).typecode)
        for group in self.groups.values():
            joined.extend(group)
        return _grouped, (list(self.groups), _raw(lengths), _Raw(joined))


def _grouped(keys: list, lengths: Sequence[int], joined: Any) -> dict[Any, Any]:
    """`_Groups` read back: each key's group a slice of the joined array."""
    ends = itertools.accumulate(lengths)
    return {key: joined[end - n:end] for key, n, end in zip(keys, lengths, ends)}


class TableBuilder:
    """The records of one file as columns, appended a row at a time (a dict of every field, `line`
    included, or a record): rows wait in a small batch, then each column takes the batch at once.

    Columns named in `refs` hold the row numbers of another table's records: `refs[name]` maps
    the ids to them (it may grow as records are appended to that table).
    """

    BATCH = 4096

    def __init__(self, cls: type, refs: dict[str, dict[str, int]] | None = None):
        self.cls, self.refs, self.n = cls, refs or {}, 0
        self.fields = list(cls.__dataclass_fields__)
        self.defaults = {f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING
                                  else None if f.default is dataclasses.MISSING else f.default)
                         for f in dataclasses.fields(cls)}
        self.columns = {name: ColumnBuilder() for name in self.fields if name not in self.refs}
        self.codes = {name: array("i") for name in self.refs}
        self._cells = operator.itemgetter(*self.columns, *self.codes)  # a row's values, column by column
        self.pending: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return self.n + len(self.pending)

    def append(self, values: dict[str, Any]) -> None:
        self.pending.append(values)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def extend(self, columns: dict[str, Sequence[Any]], n: int) -> None:
        """`n` rows given column by column (every field)."""
        self.flush()
        for name, builder in self.columns.items():
            builder.extend(columns[name])
        for name, codes in self.codes.items():
            codes.extend(map(self.refs[name].get, columns[name], itertools.repeat(-1)))  # None: -1
        self.n += n

    def append_record(self, record: Any) -> None:
        self.append({name: getattr(record, name) for name in self.fields})

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        columns = zip(*map(self._cells, rows))
        for builder, values in zip(self.columns.values(), columns):
            builder.extend(values)
        for name, values in zip(self.codes, columns):
            self.codes[name].extend(map(self.refs[name].get, values, itertools.repeat(-1)))  # None: -1
        self.n += len(rows)

    def table(self, refs: dict[str, Table] | None = None, narrow: bool = False) -> Table:
        """The rows so far as a Table (`refs`: the table each ref column points into, when asked
        for; `narrow`: see `ColumnBuilder.column`)."""
        self.flush()
        return Table(self.cls, self.n, {name: ("ref", (refs or {}).get(name), self.codes[name]) if name in self.codes
                                        else self.columns[name].column(narrow) for name in self.fields})


# -- the store ----------------------------------------------------------------------------------

def _groups(keys: Iterable[Any]) -> dict[Any, array]:
    """Row numbers by key, each group in row order."""
    groups: dict[Any, array] = {}
    for i, key in enumerate(keys):
        if key is not None:
            group = groups.get(key)
            if group is None:
                group = groups[key] = array("i")
            group.append(i)
    return groups


class Store:
    """A compiled dataset: its tables and the row indexes the memory backend walks.

    `capacity_rows[by][key]`: the capacity row numbers (file order) of each product, firm and
    region (the row's own region); `target_rows["product"]`: the same for targets.
    """

    def __init__(self, data_dir: str, home_region: str, tables: dict[str, Table],
                 indexes: dict[str, dict[str, dict[Any, array]]]):
        self.data_dir, self.home_region, self.tables, self.indexes = data_dir, home_region, tables, indexes

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Store:
        tables = {name: Table.encode(_model_of(name), getattr(ds, name)) for name in _TABLES if name != "capacities"}
        firm_row = {f.id: i for i, f in enumerate(ds.firms)}
        caps = ds.capacities
        capacities = Table.encode(model.Capacity, caps, skip=("firm",))
        firm_codes = array("i", (-1 if c.firm is None else firm_row[c.firm] for c in caps))
        capacities.columns = {name: ("ref", tables["firms"], firm_codes) if name == "firm" else col
                              for name, col in capacities.columns.items()}
        tables["capacities"] = capacities
        return cls.from_tables(ds.data_dir, ds.home_region, tables)

    @classmethod
    def from_tables(cls, data_dir: str, home_region: str, tables: dict[str, Table]) -> Store:
        """The store of these tables (the capacities' `firm` column a ref into the firms): makes
        the row indexes."""
        firms, capacities = tables["firms"], tables["capacities"]
        firm_codes = capacities.columns["firm"][2]
        # the capacity rows of each firm: firm i's are by_firm[start[i]:start[i + 1]] (counting sort)
        start = array("q", [0]) * (len(firms) + 1)
        for code in firm_codes:
            if code >= 0:
                start[code + 1] += 1
        for i in range(len(firms)):
            start[i + 1] += start[i]
        by_firm, fill = array("i", [0]) * start[-1], array("q", start)
        for row, code in enumerate(firm_codes):
            if code >= 0:
                by_firm[fill[code]] = row
                fill[code] += 1
        ids = firms.column("id")
        indexes = {"capacities": {"product": _groups(capacities.column("product")),
                                  "region": _groups(capacities.column("region"))},
                   "targets": {"product": _groups(tables["targets"].column("product"))},
                   "firm_capacities": (start, by_firm),
                   "firm_ids": array("i", sorted(range(len(ids)), key=ids.__getitem__))}
        return cls(data_dir, home_region, tables, indexes)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "indexes": _raw(self.indexes)}

    def records(self, table: str) -> tuple:
        return self.tables[table].all()

    def rows(self, table: str, by: str, key: Any) -> Sequence[int]:
        if table == "capacities" and by == "firm":
            row = self.firm_row(key)
            if row is None:
                return _EMPTY
            start, by_firm = self.indexes["firm_capacities"]
            return by_firm[start[row]:start[row + 1]]
        return self.indexes[table][by].get(key, _EMPTY)

    def best_statuses(self, regions: Iterable[str]) -> dict[str, str]:
        """Each product's best status (`model.STATUSES`, best first) among the capacity rows of
        these regions (each one's own rows), products in the order of their first row; products
        without rows are left out. Read from the product and status columns' codes: no record
        built, no cell decoded but a product's id."""
        groups = [self.rows("capacities", "region", r) for r in regions]
        numbers = groups[0] if len(groups) == 1 else sorted(itertools.chain.from_iterable(groups))
        caps = self.tables["capacities"]
        products, product = caps.codes("product")
        statuses, status = caps.codes("status")
        worst = len(model.STATUSES)
        # by the status column's code; no status (code -1: never, the loader requires one) counts for none
        ranks = [model.STATUSES.index(s) if s in model.STATUSES else worst for s in statuses]
        best: dict[int, int] = {}  # product code -> the best rank so far
        for i in numbers:  # (a step per row measured faster than a pass per status with compress)
            p, r = product[i], ranks[status[i]]
            if r < best.get(p, worst):
                best[p] = r
        return {products[p]: model.STATUSES[r] for p, r in best.items()}

    def firm_row(self, firm_id: str) -> int | None:
        """The row number of the firm with this id (a binary search over the sorted ids)."""
        order, ids = self.indexes["firm_ids"], self.tables["firms"].getter("id")
        at = bisect.bisect_left(order, firm_id, key=lambda i: ids(i))
        return order[at] if at < len(order) and ids(order[at]) == firm_id else None

    def dataset(self) -> Dataset:
        """Every record as a `Dataset` (builds them all)."""
        return Dataset(data_dir=self.data_dir, home_region=self.home_region,
                       **{name: self.records(name) for name in _TABLES})


_EMPTY = array("i")


def _model_of(table: str) -> type:
    return {"regions": model.Region, "products": model.Product, "firms": model.Firm, "chains": model.Chain,
            "capacities": model.Capacity, "targets": model.Target, "links": model.Link,
            "conversions": model.Conversion}[table]


def compile_dataset(ds: Dataset) -> Store:
    return Store.from_dataset(ds)


# -- the file -----------------------------------------------------------------------------------

def _inputs(data_dir: str, files: Iterable[str] | None = None) -> list[str]:
    """The files a dataset's validation reads: its CSV files (`files`, default: those the loader
    reads) and everything under sources/."""
    if files is None:
        from ..loaders.csvfiles import FILES
        files = [spec.file + ".csv" for spec in FILES]
    found = [os.path.join(data_dir, name) for name in files]
    sources = Path(data_dir, "sources")
    if sources.is_dir():
        found += sorted(str(p) for p in sources.rglob("*") if p.is_file())
    return found


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "blake2b").hexdigest() if hasattr(hashlib, "file_digest") \
                else hashlib.blake2b(f.read()).hexdigest()
    except OSError:
        return None


def _code_version() -> str:
    from .. import __version__
    root = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(f"{FORMAT}:{__version__}:{sys.version_info[:2]}".encode())
    for rel in _CODE:
        path = root / rel
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".py", ".csv")) \
            if path.is_dir() else [path]
        for file in files:
            h.update(str(file.relative_to(root)).encode())
            try:
                h.update(file.read_bytes())
            except OSError:
                pass
    return h.hexdigest()


def _fingerprint(data_dir: str, known: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """{relative path: (size, mtime_ns, inode, content hash)} of every input. A file whose size
    and times match `known` keeps its known hash; only the others are read and hashed. The CSV
    files are those `known` names, when given: a store's header, written by this code (`_read`
    checks), names the files its loader reads, so opening a store imports no loader."""
    found = {}
    files = None if known is None else [rel for rel in known if not os.path.dirname(rel)]
    for path in _inputs(data_dir, files):
        rel = os.path.relpath(path, data_dir)
        st = _stat(path)
        if st is None:
            found[rel] = None
            continue
        old = (known or {}).get(rel)
        digest = old[3] if old is not None and tuple(old[:3]) == st else _digest(path)
        found[rel] = (*st, digest)
    return found


def _same_content(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all((a[k] is None) == (b[k] is None) and (a[k] is None or a[k][3] == b[k][3])
                                        for k in a)


def _writable(folder: str) -> bool:
    return os.access(folder, os.W_OK)


def store_path(data_dir: str) -> Path:
    """Where the compiled form of `data_dir` lives: in the folder when writable, else the user cache."""
    if _writable(data_dir):
        return Path(data_dir, _NAME)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.blake2b(os.path.realpath(data_dir).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
    return Path(base, "chaingraph", f"{Path(data_dir).resolve().name}-{key}.store")


class _Loader(pickle.Unpickler):
    """Admits arrays, our Table and the model's records; anything else means a foreign file."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("array", "_array_reconstructor") or (module, name) == ("array", "array"):
            return getattr(__import__("array"), name)
        if module == __name__ and name in ("Table", "Store", "_mapped", "_Text", "_grouped"):
            return globals()[name]
        if module == model.__name__ and name in model.__all__ and isinstance(getattr(model, name), type):
            return getattr(model, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a store")


def _read(path: Path) -> tuple[dict, Store, int] | None:
    """The header, the store in `path` and where the store's part of the file starts, or None
    when it is missing, foreign, short or corrupt.

    The file: `_MAGIC`, the header's pickle, then the body: the store's pickle (protocol 5, its
    large arrays out of band), those arrays raw (each at a multiple of 8 from the body's start),
    the list of their (offset, size) pickled, and `_END`: that list's offset (8 bytes,
    little-endian) and `_MAGIC`. Offsets count from the body's start, so a new header (the
    inputs' new sizes and times) is written in front of the same body (`_rewrite_header`).
    """
    try:
        with open(path, "rb") as f:
            if f.read(len(_MAGIC)) != _MAGIC:
                return None
            header = _Loader(f).load()  # a new unpickler per object: each dump has its own memo
            if not isinstance(header, dict) or header.get("code") != _code_version() \
                    or not isinstance(header.get("inputs"), dict) \
                    or not all(v is None or (isinstance(v, tuple) and len(v) == 4) for v in header["inputs"].values()):
                return None
            start = f.tell()
            start += -start % 8  # `_head`'s padding
            f.seek(start)
            whole = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
            if bytes(whole[-len(_MAGIC):]) != _MAGIC:
                return None
            mapped = whole[start:]
            at = int.from_bytes(mapped[-len(_MAGIC) - 8:-len(_MAGIC)], "little")
            layout = _Loader(io.BytesIO(mapped[at:-len(_MAGIC) - 8])).load()
            if not (isinstance(layout, list) and all(isinstance(o, int) and isinstance(n, int)
                                                     and 0 <= o and o + n <= at for o, n in layout)):
                return None
            store = _Loader(f, buffers=[mapped[o:o + n] for o, n in layout]).load()
            if not isinstance(store, Store):
                return None
            return header, store, start
    except Exception:  # noqa: BLE001 - any damage means: rebuild
        return None


def _head(header: dict) -> bytes:
    """`_MAGIC` and the header's pickle, padded with zeros to a multiple of 8 (the body's arrays
    are aligned from there; `_read` skips the padding)."""
    head = _MAGIC + pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    return head + bytes(-len(head) % 8)


def _write(path: Path, header: dict, store: Store) -> None:
    """Write atomically: a temporary file next to `path`, renamed over it."""
    def body(f: Any) -> None:  # the layout: `_read`
        start = f.tell()
        raw: list[pickle.PickleBuffer] = []
        pickle.dump(store, f, protocol=5, buffer_callback=raw.append)
        layout = []
        for buffer in raw:
            f.write(bytes(-(f.tell() - start) % 8))
            layout.append((f.tell() - start, buffer.raw().nbytes))
            f.write(buffer.raw())
        at = f.tell() - start
        pickle.dump(layout, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.write(at.to_bytes(8, "little") + _MAGIC)
    _replace(path, header, body)


def _rewrite_header(path: Path, header: dict, start: int) -> None:
    """`path` with a new header in front of its body (from byte `start`), written atomically like
    `_write`: a copied or touched dataset whose content is the same is then recognised by a
    `stat` per file again, not re-hashed on every command. Readers that mapped the old file keep it."""
    def body(f: Any) -> None:
        with open(path, "rb") as old:
            old.seek(start)
            shutil.copyfileobj(old, f, 1 << 20)
    _replace(path, header, body)


def _replace(path: Path, header: dict, body: Callable[[Any], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # as any file the user writes, not mkstemp's 0600
        with os.fdopen(fd, "wb") as f:
            f.write(_head(header))
            body(f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def enabled() -> bool:
    return os.environ.get("CHAINGRAPH_CACHE", "1").strip().lower() not in ("0", "no", "off", "false")


def open_store(data_dir: str | os.PathLike[str] | None = None) -> Store:
    """The compiled dataset of `data_dir` (default: `default_data_dir()`): from the store file
    when it matches the inputs, else read and validated from the CSVs (raising DataError as
    `load_dataset` does) and written to the store for the next command."""
    from ..datadir import check_data_dir, default_data_dir
    data_dir = os.fspath(default_data_dir() if data_dir is None else data_dir)
    if not enabled():
        return _build(data_dir)
    check_data_dir(data_dir)
    path = store_path(data_dir)
    collecting = gc.isenabled()  # (a command may have paused the collector already: it stays paused)
    gc.disable()  # no cyclic garbage in here; the collector would only rescan what we build
    try:
        found = _read(path)
        if found is not None:
            header, store, start = found
            now = _fingerprint(data_dir, header["inputs"])
            if _same_content(now, header["inputs"]):
                store.data_dir = data_dir  # as the user gave it, for messages
                if now != header["inputs"]:  # same content, new sizes or times: remember them
                    try:
                        _rewrite_header(path, {**header, "inputs": now}, start)
                    except OSError:
                        pass  # a read-only place: next time hashes again
                return store
        before = _fingerprint(data_dir)
        store = _build(data_dir)
        after = _fingerprint(data_dir, before)
        if _same_content(before, after):  # not changed while we read it
            try:
                _write(path, {"code": _code_version(), "inputs": after}, store)
            except OSError:
                pass  # a read-only place: next time reads the CSVs again
        return store
    finally:
        if collecting:
            gc.enable()


def _build(data_dir: str) -> Store:
    from ..loaders import read_store
    return read_store(data_dir)
