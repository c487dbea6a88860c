"""Quantities in a text: a number (or range, product 2×1500, fraction 1/10) with a unit.

Units are those of `chaingraph.units`; `万`/`亿` in front of a unit the table lacks scale the number
(`5亿立方米` is 500000000 `立方米`). `/年` after the unit is noted (`30万吨/年`).

>>> [(q.value, q.unit, q.per_year) for q in find_quantities("鑫宇公司2×1500吨/年多晶硅")]
[(3000.0, '吨', True)]
>>> [(q.value, q.value_max, q.unit) for q in find_quantities("选择3—5户企业，占到1/10；年产1,200万吨")]
[(3.0, 5.0, '户'), (10.0, None, '%'), (1200.0, None, '万吨')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import units
from .lexicon import normalise

__all__ = ["Quantity", "find_quantities"]

_UNIT_KEYS = {u.lower(): u for u in units.UNITS}
_LONGEST_UNIT = max(len(u) for u in _UNIT_KEYS)
_NUMBER = re.compile(
    r"(?<![\d.a-z])(?<!\d,)(\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?:(?P<times>[×x*])|(?P<range>[-至到])|(?P<frac>/))\s*(\d+(?:\.\d+)?))?")


@dataclass(frozen=True)
class Quantity:
    start: int  # the number
    end: int  # after the unit (and `/年`)
    value: float
    value_max: float | None
    unit: str
    per_year: bool
    note: str = ""

    @property
    def unit_start(self) -> int:
        return self.end - len(self.unit) - (2 if self.per_year else 0)


def _unit_at(norm: str, i: int) -> str | None:
    for length in range(min(_LONGEST_UNIT, len(norm) - i), 0, -1):
        unit = _UNIT_KEYS.get(norm[i:i + length])
        if unit is None:
            continue
        after = norm[i + length] if i + length < len(norm) else " "
        if unit.isascii() and unit[-1].isalpha() and after.isascii() and after.isalpha():
            continue  # `t` in `ton`, `km` in `kmh`
        return unit
    return None


def find_quantities(text: str, blocked: set[int] = frozenset()) -> list[Quantity]:
    """Every quantity with a known unit in `text` (simplified), left to right, skipping `blocked` starts."""
    norm = normalise(text)
    out = []
    for m in _NUMBER.finditer(norm):
        if m.start() in blocked:
            continue
        first = float(m.group(1).replace(",", ""))
        second = float(m.group(5)) if m.group(5) else None
        if m.group("frac"):
            if second and second > first and not _unit_at(norm, m.end()):
                out.append(Quantity(m.start(), m.end(), round(100 * first / second, 4), None, "%", False,
                                    f"{m.group(0)} read as a share"))
            continue
        i = m.end()
        while i < len(norm) and norm[i] == " ":
            i += 1
        unit, scale, note = _unit_at(norm, i), 1.0, ""
        if unit is None and i < len(norm) and norm[i] in "万亿":
            unit = _unit_at(norm, i + 1)
            if unit is not None:
                scale, note = (1e4 if norm[i] == "万" else 1e8), f"written {norm[m.start():i + 1 + len(unit)]}"
                i += 1
        if unit is None and m.group("range") and second is not None:
            continue
        if unit is None:
            continue
        end = i + len(unit)
        per_year = norm.startswith("/年", end)
        if per_year:
            end += 2
        value, value_max = first, None
        if m.group("times") and second is not None:
            value = first * second
            note = note or f"{m.group(0)} multiplied out"
        elif m.group("range") and second is not None and second > first:
            value_max = second
        value, value_max = value * scale, (value_max * scale if value_max is not None else None)
        out.append(Quantity(m.start(), end, _tidy(value), _tidy(value_max), unit, per_year, note))
    return out


def _tidy(x: float | None) -> float | None:
    return None if x is None else round(x, 6)
