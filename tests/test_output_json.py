"""JSON output: the rows as `json.dumps(rows, ensure_ascii=False, indent=2)` writes them, byte for byte."""
from __future__ import annotations

import enum
import json
import random

import pytest

from chaingraph.output import render


class _Kind(enum.IntEnum):
    A = 3


def _value(rnd: random.Random, depth: int = 0):
    kind = rnd.randrange(13 if depth < 2 else 9)
    text = "".join(rnd.choice('ab 中文"\\\n\t\x1b\u2028é/') for _ in range(rnd.randrange(0, 12)))
    return [lambda: text, lambda: None, lambda: True, lambda: False, lambda: rnd.randrange(-10**20, 10**20),
            lambda: rnd.uniform(-1e6, 1e6),
            lambda: rnd.choice((float("nan"), float("inf"), -float("inf"), 0.1, -0.0, 1e300, 5e-324)),
            lambda: _Kind.A, lambda: [text, text[::-1]],
            lambda: [], lambda: [_value(rnd, depth + 1) for _ in range(rnd.randrange(0, 3))],
            lambda: {"k": _value(rnd, depth + 1), text: None}, lambda: (text, 1)][kind]()


@pytest.mark.parametrize("seed", range(30))
def test_json_is_what_json_dumps_writes(seed):
    rnd = random.Random(seed)
    rows = [{f"f{i}" if rnd.random() < 0.9 else rnd.choice((1, 2.5, None, True)): _value(rnd)
             for i in range(rnd.randrange(0, 6))} for _ in range(rnd.randrange(0, 6))]
    if rnd.random() < 0.2:
        rows.append(_value(rnd))  # not a dict
    assert render(rows, "json") == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def test_json_of_no_rows_and_of_a_non_list():
    assert render([], "json") == "[]\n"
    assert render(({"a": 1},), "json") == json.dumps(({"a": 1},), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("part", [1, 2, 3, 7])
def test_json_and_a_table_written_in_parts_are_the_whole_text(monkeypatch, part):
    """`render_parts` (what the CLI writes, a part at a time) joined is `render`'s text: JSON as
    `json.dumps` writes it, a table as when written whole, whatever the rows a part holds."""
    from chaingraph import output
    rnd = random.Random(part)
    rows = [{"f0": rnd.choice((None, True, 3, 2.5, "a b", ["c", "d"])), "f1": "中文 " * rnd.randrange(0, 30), "f2": [f"x{k}" for k in range(rnd.randrange(0, 4))]}
            for _ in range(rnd.randrange(8, 20))]
    whole = render(rows, "table")
    monkeypatch.setattr(output, "JSON_PART", part)
    monkeypatch.setattr(output, "TABLE_PART", part)
    parts = list(output.render_parts(rows, "json"))
    assert len(parts) > 1 and "".join(parts) == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    parts = list(output.render_parts(rows, "table"))
    assert len(parts) > 1 and all(p.endswith("\n") for p in parts) and "".join(parts) == whole
    assert list(output.render_parts([], "json")) == ["[]\n"] and list(output.render_parts([], "table")) == []
