"""A region's capacity rows added up on the store's arrays with numpy (`MemoryBackend`'s
`capacity_tallies`, `firm_tallies` and `largest_columns`): the same answers as the pure-Python
paths, to the last bit.

Imported only where a question adds up or picks the rows of a region of `memory.NUMPY_FROM` rows
or more per product (`balance`, `extend`, `bottlenecks`, a brief's graphs): importing numpy costs
0.11-0.15 s of CPU here, which `info`, `gaps`, `whatif` and a smaller region do not pay. Every
array here is a view of the store's own (`np.frombuffer` on the mapped file or the `array`), never
a copy of a column; only the region's rows are gathered.

Sums: a product's amounts are added one after another in file order from 0.0, as `add_up`
(`functools.reduce(operator.add, ...)`) does. `np.sum`, `np.add.reduce` and `np.add.reduceat`
do not: along a contiguous axis they use pairwise summation (numpy/numpy#3685; also `reduceat`,
pandas-dev/pandas#65103), whose last bits differ from a sequential sum once there are 8 or more
values. `segment_sums` adds elementwise, position by position over every group at once (each
group's sum one addition per step, in order), and finishes a long group with `np.add.accumulate`,
which is sequential (numpy/numpy#9329: "pairwise summation ... not for cumsum");
tests/test_arrays.py checks it against `reduce` on random data.
"""
from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np

from .store import text_slices

__all__ = ["view", "region_rows", "group", "starts_of", "leading", "segment_sums", "cells", "STEPS"]

STEPS = 64  # positions added for every group at once; a longer group's remaining rows: np.add.accumulate


def view(data: Any) -> np.ndarray:
    """An `array` or a typed `memoryview` (a column of the mapped store) as a numpy array, not copied."""
    code = data.typecode if isinstance(data, array) else data.format
    return np.frombuffer(data, dtype=np.dtype(code)) if len(data) else np.empty(0, np.dtype(code))


def region_rows(groups: Sequence[Any]) -> np.ndarray:
    """The row numbers of some regions' row indexes (each in file order) merged in file order."""
    parts = [view(g) for g in groups if len(g)]
    if not parts:
        return np.empty(0, np.int64)
    if len(parts) == 1:
        return parts[0].astype(np.int64)
    rows = np.concatenate(parts).astype(np.int64)
    rows.sort()
    return rows


def group(rows: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows (file order) grouped by their key: (the rows regrouped, each group's start and
    length, each group's key), groups in the order of their first row, rows of a group in file
    order (as a dict of lists filled in file order has them)."""
    n = len(rows)
    if not n:
        empty = np.empty(0, np.int64)
        return rows, empty, empty, empty
    order = np.argsort(keys, kind="stable")  # stable: a key's rows stay in file order
    sorted_keys = keys[order]
    starts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate(([0], starts))
    lengths = np.diff(np.append(starts, n))
    first = order[starts]  # each key's first row (stable sort: the smallest position)
    by_first = np.argsort(first)
    lengths, old = lengths[by_first], starts[by_first]
    new = starts_of(lengths)
    regrouped = order[np.arange(n) + np.repeat(old - new, lengths)]
    return rows[regrouped], new, lengths, sorted_keys[old]


def starts_of(counts: np.ndarray) -> np.ndarray:
    """Where each group starts in a sequence of groups of these sizes, one after another."""
    return np.cumsum(counts) - counts


def leading(items: np.ndarray, groups: np.ndarray, starts: np.ndarray, most: int) -> np.ndarray:
    """The first `most` of each group's `items`: `items` in group order (each group's together,
    group g's first at `starts[g]`), `groups` each item's group."""
    return items[np.arange(len(items)) - starts[groups] < most]


def segment_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, steps: int | None = None) -> np.ndarray:
    """The sum of each group `values[start:start + length]`, added one after another from 0.0
    (`reduce(operator.add, group, 0.0)`, bit for bit): a running sum per group, one position of
    every group at a time (an elementwise addition, not a reduction), then `np.add.accumulate`
    (sequential) over the rest of a group longer than `steps`."""
    steps = STEPS if steps is None else steps
    found = np.zeros(len(starts))
    if not len(starts):
        return found
    order = np.argsort(-lengths, kind="stable")  # the longest first: step j adds to a prefix of them
    starts, lengths = starts[order], lengths[order]
    upto = min(int(lengths[0]), steps)
    counts = np.searchsorted(-lengths, -np.arange(1, upto + 1), side="right")  # groups longer than j
    sums = np.zeros(len(starts))
    for j, m in enumerate(counts.tolist()):
        sums[:m] += values[starts[:m] + j]
    for k in range(int(np.searchsorted(-lengths, -steps - 1, side="right"))):  # longer than `steps`
        s, n = int(starts[k]), int(lengths[k])
        # the running sum so far, then the group's remaining values: one addition after another
        sums[k] = np.add.accumulate(np.concatenate(([sums[k]], values[s + steps:s + n])))[-1]
    found[order] = sums
    return found


def cells(table: Any, name: str, rows: np.ndarray) -> list:
    """`table._cells(name, rows)`: the cells of these rows in one column, gathered by numpy
    (numbers, dictionary codes, text and the ids of a reference) and turned into Python values at once."""
    col = table.columns[name]
    kind = col[0]
    if kind == "float":
        found = view(col[1])[rows]
        values = found.tolist()
        for k in np.flatnonzero(found != found).tolist():
            values[k] = None
        return values
    if kind == "codes" and not col[1]:
        decoded = np.empty(len(col[2]) + 1, dtype=object)
        decoded[:-1] = col[2]  # code -1 (an empty cell): the last, None
        return decoded[view(col[3])[rows]].tolist()
    if kind == "text" and not col[1] and not col[4]:
        return _texts(col, rows)
    if kind == "none":
        return [None] * len(rows)
    if kind == "ref":
        target, codes = col[1], view(col[2])[rows]
        ids = target.columns["id"]
        if ids[0] == "text" and not ids[1] and not ids[4]:
            found = _texts(ids, np.maximum(codes, 0))
        else:
            found = [target.row_id(c) for c in np.maximum(codes, 0).tolist()]
        for k in np.flatnonzero(codes < 0).tolist():
            found[k] = None
        return found
    return table._cells(name, rows.tolist())


def _texts(col: tuple, rows: np.ndarray) -> list[str]:
    """The values of a text column (one string, NUL-separated; no list, no empty cell) in these rows,
    each sliced out at its offsets."""
    offsets = view(col[3])
    return text_slices(col[2], offsets[rows].tolist(), (offsets[rows + 1] - 1).tolist())
