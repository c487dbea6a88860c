"""The brief's Markdown escaper, one translate per value, against the character-by-character definition."""
from __future__ import annotations

import random

import pytest

from chaingraph.report import _md


def _by_character(value) -> str:
    text = str(value if value is not None else "").replace("\n", " ")
    return "".join("\\" + ch if ch in "\\`*[]<>|" else ch for ch in text)


@pytest.mark.parametrize("seed", range(20))
def test_markdown_escaping_matches_the_definition(seed):
    rnd = random.Random(seed)
    values = [None, 3, 2.5, "", "a*b", "<b>|[c]`", "line\nnext", "\\"]
    values += ["".join(rnd.choice("ab \\`*[]<>|\n中_#") for _ in range(rnd.randrange(0, 40))) for _ in range(30)]
    for value in values:
        assert _md(value) == _by_character(value), value
