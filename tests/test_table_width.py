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


def test_the_wide_blocks_are_wide():
    """Every character of the blocks `text_width` counts two columns each without a look-up is
    two columns wide by the definition (checked against this Python's Unicode tables)."""
    from chaingraph.output import _WIDE
    ranges = _WIDE.pattern.strip("[]+").split("\\u")[1:]
    for low, high in zip(ranges[::2], ranges[1::2]):
        for cp in range(int(low.rstrip("-"), 16), int(high, 16) + 1):
            assert _by_definition(chr(cp)) == 2, hex(cp)


@pytest.mark.parametrize("seed", range(10))
def test_a_table_is_the_cells_padded_by_the_definition(seed):
    """Tables of mixed cells (wide, combining, ASCII, lists, wrapped, escaped, yes/no, empty) against
    the table built a line at a time from `_cell_lines` and the definition's widths."""
    from chaingraph.output import _cell_lines, render
    rnd = random.Random(seed)
    alphabet = "ab Z9-\x1b\n\t中文焦炭ＰＶＣ\u0301é—…“”한글カナ\u3000"

    def text():
        return "".join(rnd.choice(alphabet) for _ in range(rnd.choice((0, 3, 20, 60, 130))))

    def value():
        kind = rnd.randrange(8)
        return (text() if kind < 3 else [text() for _ in range(rnd.randrange(0, 4))] if kind == 3 else
                ["x" * rnd.randrange(40, 100), "short"] if kind == 4 else
                [text(), 7, None, False, 2.5][:rnd.randrange(1, 6)] if kind == 5 else rnd.choice((None, True, 2.5, 7)))

    rows = [{f"c{i}": value() for i in range(rnd.randrange(1, 5))} for _ in range(rnd.randrange(1, 8))]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = [[[c] for c in columns], [["-" * len(c)] for c in columns]]
    cells += [[_cell_lines(row.get(c)) for c in columns] for row in rows]
    widths = [max(_by_definition(line) for record in cells for line in record[i]) for i in range(len(columns))]
    expected = ""
    for record in cells:
        for k in range(max(map(len, record))):
            expected += "  ".join((cell[k] if k < len(cell) else "") + " " * (width - _by_definition(
                cell[k] if k < len(cell) else "")) for cell, width in zip(record, widths)).rstrip() + "\n"
    assert render(rows, "table") == expected


def test_yes_no_and_machine_values_are_shown_in_the_language_of_each_table():
    """A table measures yes/no and its translated machine values once, for the table: the same rows
    shown in English, then Chinese, then English again are each in their own language, and each
    the cells (`_cell_lines`, a cell at a time) padded by the definition's widths."""
    from chaingraph import i18n
    from chaingraph.labels import VALUE_COLUMNS
    from chaingraph.output import _cell_lines, render
    rows = [{"product": f"p{k}", "verdict": verdict, "status": status, "estimate": estimate, "note": None}
            for k, (verdict, status, estimate) in enumerate([("short", "operating", True), ("over", "building", False)] * 3)]
    tables = []
    for lang in ("en", "zh", "en"):
        with i18n.language(lang):
            cells = [[[i18n.column(c)] for c in rows[0]], [["-" * _by_definition(i18n.column(c))] for c in rows[0]]]
            cells += [[_cell_lines(v, c in VALUE_COLUMNS) for c, v in row.items()] for row in rows]
            widths = [max(_by_definition(cell[0]) for cell in column) for column in zip(*cells)]
            expected = "".join("  ".join(cell[0] + " " * (width - _by_definition(cell[0]))
                                         for cell, width in zip(record, widths)).rstrip() + "\n" for record in cells)
            tables.append(render(rows, "table"))
            assert tables[-1] == expected
    assert tables[0] == tables[2] != tables[1]
    with i18n.language("zh"):
        shown = {i18n.value("short"), i18n.value("operating"), i18n.gettext("yes"), i18n.gettext("no")}
    assert all(text in tables[1] for text in shown) and not any(text in tables[0] for text in shown)
    assert {"short", "operating", "yes", "no"} <= set(tables[0].split())
