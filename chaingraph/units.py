"""Units: the one place where quantities are converted (table in data/README.md).

Numbers keep the unit their source writes (`22 万吨`); code that adds or compares them converts to
the base unit of that unit's dimension first.

>>> to_base(22, "万吨")
(220000.0, 't')
>>> convert_ratio(47, "kg/t")
(0.047, 't/t')
>>> format_quantity(3000.0, "万吨")
'3000 万吨'
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal

from .errors import UnitError


def _(message: str) -> str:
    from .i18n import gettext  # i18n is imported late: it is not needed to convert units
    return gettext(message)

__all__ = [
    "UNITS", "base_of", "to_base", "convert", "parse_ratio_unit", "convert_ratio",
    "format_number", "format_quantity", "humanize", "unit_name", "display_unit", "written", "written_all",
    "quantity_range",
]

_WAN, _YI = 1e4, 1e8  # 万 and 亿

# unit -> (base unit, how many base units one unit is)
UNITS: dict[str, tuple[str, float]] = {
    "t": ("t", 1), "kg": ("t", 1e-3), "吨": ("t", 1), "万吨": ("t", _WAN), "亿吨": ("t", _YI),
    "kt": ("t", 1e3), "Mt": ("t", 1e6),
    "m3": ("m3", 1), "立方米": ("m3", 1), "标立方": ("m3", 1), "万标立方": ("m3", _WAN),
    "亿标立方": ("m3", _YI),
    "kW": ("kW", 1), "MW": ("kW", 1e3), "GW": ("kW", 1e6), "千瓦": ("kW", 1), "万千瓦": ("kW", _WAN),
    "兆瓦": ("kW", 1e3),
    "kWh": ("kWh", 1), "MWh": ("kWh", 1e3), "GWh": ("kWh", 1e6), "度": ("kWh", 1), "千瓦时": ("kWh", 1),
    "万千瓦时": ("kWh", _WAN), "亿千瓦时": ("kWh", _YI),
    "weight_case": ("weight_case", 1), "重箱": ("weight_case", 1), "万重箱": ("weight_case", _WAN),
    "piece": ("piece", 1), "件": ("piece", 1), "万件": ("piece", _WAN), "亿件": ("piece", _YI),
    "片": ("piece", 1), "万片": ("piece", _WAN), "块": ("piece", 1),
    "万块": ("piece", _WAN), "亿块": ("piece", _YI), "条": ("piece", 1), "万条": ("piece", _WAN),
    "台": ("piece", 1), "套": ("piece", 1),
    "vehicle": ("vehicle", 1), "辆": ("vehicle", 1), "万辆": ("vehicle", _WAN),
    "m2": ("m2", 1), "平方米": ("m2", 1), "万平方米": ("m2", _WAN),
    "km": ("km", 1), "公里": ("km", 1),
    "CNY": ("CNY", 1), "元": ("CNY", 1), "万元": ("CNY", _WAN), "亿元": ("CNY", _YI),
    "count": ("count", 1), "个": ("count", 1), "户": ("count", 1), "处": ("count", 1),
    "项": ("count", 1), "家": ("count", 1),
    "person": ("person", 1), "人": ("person", 1), "万人": ("person", _WAN),
    "%": ("%", 1),
}


def _lookup(unit: str) -> tuple[str, float]:
    try:
        return UNITS[unit]
    except KeyError:
        raise UnitError(_("unknown unit %(value)r") % {"value": unit}) from None


def base_of(unit: str) -> str:
    """The base unit of `unit`: `base_of("万千瓦") == "kW"`."""
    return _lookup(unit)[0]


def to_base(value: float, unit: str) -> tuple[float, str]:
    """`value` in `unit` as (value in the base unit, base unit)."""
    base, factor = _lookup(unit)
    return _scale(value, factor), base


def _scale(value: float, factor: float) -> float:
    # through decimal, so that 2.3 亿标立方 is 230000000 m3 and not 229999999.99999997
    return float(Decimal(repr(value)) * Decimal(repr(factor)))


def convert(value: float, unit: str, to_unit: str) -> float:
    """`value` in `unit` expressed in `to_unit`, which must share its base unit.

    >>> convert(1, "GW", "万千瓦")
    100.0
    """
    (base, factor), (to_base_unit, to_factor) = _lookup(unit), _lookup(to_unit)
    if base != to_base_unit:
        raise UnitError(_("cannot convert %(from)r to %(to)r") % {"from": unit, "to": to_unit})
    return float(Decimal(repr(value)) * Decimal(repr(factor)) / Decimal(repr(to_factor)))


def parse_ratio_unit(ratio_unit: str) -> tuple[str, str]:
    """Split a ratio unit `numerator/denominator` into its two known units: `("kWh", "t")`."""
    num, sep, den = ratio_unit.partition("/")
    if not sep or not num or not den or "/" in den:
        raise UnitError(_("bad ratio unit %(unit)r (expected unit/unit, e.g. t/t)") % {"unit": ratio_unit})
    for unit in (num, den):
        if unit not in UNITS:
            raise UnitError(_("bad ratio unit %(unit)r: unknown unit %(part)r") % {"unit": ratio_unit, "part": unit})
    return num, den


def convert_ratio(ratio: float, ratio_unit: str, to_unit: str | None = None) -> tuple[float, str]:
    """A ratio in `ratio_unit` expressed in `to_unit` (default: base/base), as (value, unit).

    >>> convert_ratio(90, "kg/MWh", "kg/kWh")
    (0.09, 'kg/kWh')
    """
    num, den = parse_ratio_unit(ratio_unit)
    if to_unit is None:
        to_unit = f"{base_of(num)}/{base_of(den)}"
    to_num, to_den = parse_ratio_unit(to_unit)
    return convert(ratio, num, to_num) / convert(1, den, to_den), to_unit


def format_number(value: float) -> str:
    """A number without a trailing `.0` or exponent: `3000`, `1.325`, `0.047`."""
    if value.__class__ is float and value.is_integer() and -1e15 < value < 1e15:  # (the common case, at once)
        return str(int(value))
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_quantity(value: float, unit: str) -> str:
    """A quantity for display: `3000 万吨`, `25%`."""
    return f"{format_number(value)}{_gap(unit)}{unit}"


def _gap(unit: str) -> str:
    """What stands between a figure and its unit: nothing before `%`, else a space."""
    return "" if unit == "%" else " "


# display units for quantities, largest first, as (unit, base units in one of it). Chinese planners
# read the field's scale words (万吨, 亿千瓦时) and write small amounts in words too (吨, 件); English
# uses SI prefixes where they exist (kt, Mt, GWh) and thousand / million / billion elsewhere.
_DISPLAY_ZH = {
    "t": ("亿吨", "万吨"), "m3": ("亿标立方", "万标立方"), "kWh": ("亿千瓦时", "万千瓦时"), "kW": ("万千瓦",),
    "weight_case": ("万重箱",), "m2": ("万平方米",), "vehicle": ("万辆",), "CNY": ("亿元", "万元"),
    "person": ("万人",), "piece": ("亿件", "万件"),
}
_DISPLAY_ZH = {base: tuple((unit, UNITS[unit][1]) for unit in units) for base, units in _DISPLAY_ZH.items()}
_BASE_ZH = {"t": "吨", "m3": "立方米", "kWh": "千瓦时", "kW": "千瓦", "weight_case": "重箱", "m2": "平方米",
            "vehicle": "辆", "CNY": "元", "person": "人", "piece": "件", "km": "公里", "count": "个"}
_K, _M, _G = 1e3, 1e6, 1e9
_DISPLAY_EN = {
    "t": (("Mt", _M), ("kt", _K)), "kWh": (("TWh", _G), ("GWh", _M), ("MWh", _K)),
    "kW": (("GW", _M), ("MW", _K)), "m3": (("billion m³", _G), ("million m³", _M)),
    "m2": (("million m²", _M),), "piece": (("million pieces", _M), ("thousand pieces", _K)),
    "vehicle": (("million vehicles", _M), ("thousand vehicles", _K)),
    "weight_case": (("million weight cases", _M), ("thousand weight cases", _K)),
    "CNY": (("billion CNY", _G), ("million CNY", _M)), "person": (("million people", _M), ("thousand people", _K)),
}
_BASE_EN = {"m3": "m³", "m2": "m²", "piece": "pieces", "vehicle": "vehicles", "weight_case": "weight cases",
            "person": "people"}


_current = None  # i18n.current, imported at first use: it is not needed to convert units


def _language() -> str:
    global _current
    if _current is None:
        from .i18n import current
        _current = current
    return _current()


def unit_name(base: str) -> str:
    """A base unit as the current language writes it on its own: `吨` in Chinese, `t` in English."""
    return _unit_name(base, _language() == "zh")


def _unit_name(base: str, zh: bool) -> str:
    return (_BASE_ZH if zh else _BASE_EN).get(base, base)


def display_unit(value: float, base: str) -> tuple[str, float]:
    """The unit a quantity of `value` base units is shown in, and how many base units one of it is:
    the largest unit of the current language that the quantity fills (one table for both languages).

    >>> display_unit(2.385e7, "t")
    ('Mt', 1000000.0)
    >>> from chaingraph.i18n import language
    >>> with language("zh"):
    ...     display_unit(2.385e7, "t")
    ('万吨', 10000.0)
    """
    return _display_unit(value, base, _language() == "zh")


def _display_unit(value: float, base: str, zh: bool) -> tuple[str, float]:
    for unit, factor in (_DISPLAY_ZH if zh else _DISPLAY_EN).get(base, ()):
        if abs(value) >= factor:
            return unit, factor
    return _unit_name(base, zh), 1.0


def written(value: float, unit: str, high: float | None = None) -> str:
    """A figure as its source writes it (`8 万吨`, `2–3 万吨`) in Chinese; in English the same amount
    in English units (`80 kt`), all digits kept. Units without a base are shown as written.

    >>> from chaingraph.i18n import language
    >>> with language("en"):
    ...     written(8, "万吨"), written(2, "万吨", 3), written(400, "兆瓦")
    ('80 kt', '20–30 kt', '400 MW')
    """
    return _written(value, unit, high, _language())


def written_all(figures: Iterable[tuple[float, str, float | None]]) -> list[str]:
    """`written(value, unit, high)` of each figure in turn (the language read once: a region's
    capacity rows write thousands)."""
    language = _language()
    return [_written(value, unit, high, language) for value, unit, high in figures]


@functools.lru_cache(maxsize=1 << 16)
def _written(value: float, unit: str, high: float | None, language: str) -> str:
    # kept per language: a region's many capacity rows repeat the same figures (a listing of 146k
    # rows writes about a quarter as many distinct ones)
    if language == "zh" or unit not in UNITS:
        shown = format_number(value) if high is None or high == value else f"{format_number(value)}–{format_number(high)}"
        return f"{shown}{'' if unit == '%' else ' '}{unit}"
    low, base = to_base(value, unit)
    top = low if high is None else to_base(high, unit)[0]
    return _range(low, top, base, 15, language == "zh")


def quantity_range(low: float, high: float, base: str, digits: int = 4) -> str:
    """A range in one display unit, compactly: `146–186 亿千瓦时`; one value when the ends agree."""
    return _range(low, high, base, digits, _language() == "zh")


def _range(low: float, high: float, base: str, digits: int, zh: bool) -> str:
    if abs(high - low) <= 1e-9 * max(abs(low), abs(high), 1):
        return _humanize(high, base, digits, high, zh)
    unit, factor = _display_unit(max(abs(low), abs(high)), base, zh)
    return f"{_significant(low / factor, digits)}–{_significant(high / factor, digits)}{_gap(unit)}{unit}"


_SPECS = {4: ".4g", 15: ".15g"}  # the format of `digits` significant digits, for the usual `digits`
_EXACT = 2.0 ** 32  # below it a double is within 5e-7 of the decimal it was read from: its 6th decimal holds


def _significant(shown: float, digits: int) -> str:
    """`shown` rounded to `digits` significant digits, as `format_number` writes the rounded float:
    the `g` format's own text where that is the same (no exponent, at most six decimals, a value
    whose double keeps the sixth), else through the float (a table writes thousands of figures)."""
    if not shown:
        return "0"
    text = format(shown, _SPECS.get(digits) or f".{digits}g")
    if "e" in text or not -_EXACT < shown < _EXACT:  # (infinity and NaN too: as `format_number` does)
        return format_number(float(text))
    dot = text.find(".")
    return text if dot < 0 or len(text) - dot <= 7 else format_number(float(text))


def humanize(value: float, base: str, digits: int = 4, like: float | None = None) -> str:
    """A base quantity in the largest display unit it fills (`display_unit`), rounded to `digits`
    significant digits; with `like`, in the unit `like` would be shown in (one unit for a column:
    `humanize(5000, "t", like=1.4e6)` is `0.005 Mt`).

    >>> from chaingraph.i18n import language
    >>> with language("en"):
    ...     humanize(23850000, "t"), humanize(1.7e10, "kWh"), humanize(-5500, "t"), humanize(1.9e8, "piece")
    ('23.85 Mt', '17 TWh', '-5.5 kt', '190 million pieces')

    Chinese text writes the field's own words:

    >>> with language("zh"):
    ...     humanize(23850000, "t"), humanize(1.7e10, "kWh"), humanize(-5500, "t"), humanize(1.9e8, "piece")
    ('2385 万吨', '170 亿千瓦时', '-5500 吨', '1.9 亿件')
    """
    return _humanize(value, base, digits, value if like is None else like, _language() == "zh")


def _humanize(value: float, base: str, digits: int, like: float, zh: bool) -> str:
    unit, factor = _display_unit(like, base, zh)
    return f"{_significant(value / factor, digits)}{_gap(unit)}{unit}"
