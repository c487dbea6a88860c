"""Table cell widths, with an ASCII fast path and one look-up per character, against the definition."""
from __future__ import annotations

import random
import unicodedata

import pytest

from chaingraph.output import _wrap, text_width


def _by_definition(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


@pytest.mark.parametrize("seed", range(20))
def test_text_width_matches_the_definition(seed):
    rnd = random.Random(seed)
    alphabet = "ab Z9-\x1b\t中文焦炭ＰＶＣ\u0301\u0308é—…“”한글カナ"
    for _ in range(50):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 120)))
        assert text_width(text) == _by_definition(text), text
        assert all(_by_definition(piece) <= 48 or len(piece) == 1 for piece in _wrap(text))


def _wrap_by_definition(text: str, width: int = 48) -> list[str]:
    """The wrapping rule, a character at a time: cut at the last space when the next character would overflow."""
    pieces, current, used = [], "", 0
    for ch in text:
        w = _by_definition(ch)
        if used + w > width:
            cut = current.rfind(" ")
            head, current = (current[:cut], current[cut + 1:]) if cut > 0 else (current, "")
            pieces.append(head)
            used = _by_definition(current)
        current += ch
        used += w
    return pieces + [current] if _by_definition(text) > width else [text]


@pytest.mark.parametrize("seed", range(20))
def test_wrapping_matches_the_rule(seed):
    rnd = random.Random(seed)
    for alphabet in ("ab Z9-", "a  b", "abc 中文焦炭 ＰＶＣ é—…", " "):
        for _ in range(50):
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 200)))
            assert _wrap(text) == _wrap_by_definition(text), text
