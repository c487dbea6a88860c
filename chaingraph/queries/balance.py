"""Can upstream capacity feed what is built or targeted downstream? Shortfalls and surpluses as ranges.

Every product gets a local supply (its own capacity, or the guideline's target for it, plus what
local products yield of it as a by-product, net of what their making consumes itself) and a local
requirement (what every local user of it consumes at its level, through the FEEDS coefficients).
Every coefficient, capacity and conversion may be a range, so each amount is a range `[low, high]`
(with a typical value): the model is linear with non-negative coefficients, hence monotone in each,
and the bounds are the corner values. A figure the data does not give is never taken as zero: it is
an *open term*, named in the row, and the amount is then only a lower bound (`≥`).
"""
from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import ChaingraphError
from .. import i18n
from ..i18n import gettext as _
from ..graph.backend import Backend, RowsTally, pick, take
from ..graph.model import Link
from ..units import (base_of, convert, convert_ratio, format_number, humanize, quantity_range, unit_name, written,
                     written_all)
from ._common import without_gc, BY_PRODUCT, LISTED, MISSING, SUPPLYING, listed_terms, local_statuses, region_id

__all__ = ["balance", "BASES", "VERDICTS", "Amount", "range_text"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("product", "name", "verdict", "status", "supply", "requirement", "balance", "low", "high",
           "supply_low", "supply_high", "requirement_low", "requirement_high", "supply_basis", "coefficients",
           "open_terms", "unknown", "break_even", "use_target", "estimate", "supply_value", "requirement_value",
           "balance_value", "unit", "short_unknown_amount")

BASES = ("capacity", "target")
# short: short at every value in range; over: covered at every value; depends: the sign turns inside
# the ranges (see `break_even`); unknown: a needed figure has no range at all (an open term)
VERDICTS = ("short", "depends", "unknown", "over")
_STATUS = {"short": "shortfall", "over": "surplus", "depends": "unknown", "unknown": "unknown"}  # older names
_LEVEL_METRICS = ("capacity", "installed_capacity")  # targets that set a product's output
LOCAL_USE = "local_use_share"  # a policy target: the product is to be used in the city
_LEVEL_BOUNDS = ("min", "approx", "exact", "range")  # a cap (`max`) is a ceiling, not an output level
_EPSILON = 1e-9


def range_text(low: float, high: float, base: str, digits: int = 4) -> str:
    """A range in one display unit, compactly: `146–186 亿千瓦时`; one value when the ends agree."""
    return quantity_range(low, high, base, digits)


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not a and not b:
        return ()
    return tuple(dict.fromkeys(a + b))


class Amount(NamedTuple):
    """A quantity in a product's base unit as a range; `open` names terms not counted (it may be more).
    (A named tuple: immutable as a frozen dataclass, made in half the time: a region's walk makes
    tens of thousands.)"""

    low: float = 0.0
    typ: float = 0.0
    high: float = 0.0
    open: tuple[str, ...] = ()
    estimate: bool = False

    @property
    def complete(self) -> bool:
        return not self.open

    @property
    def value(self) -> float:
        return self.typ

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.low + other.low, self.typ + other.typ, self.high + other.high,
                      _merge(self.open, other.open), self.estimate or other.estimate)

    def text(self, base: str) -> str:
        return ("≥ " if self.open else "") + quantity_range(self.low, self.high, base)


_ZERO = Amount()  # nothing (frozen: shared)
_MADE = (*SUPPLYING, BY_PRODUCT)


@dataclass
class _Level:
    amount: Amount
    how: str  # target / capacity / by-product / needed downstream / not made locally
    less: str = ""  # text for people: what an including link already counts (`, less 2.8–3.2 Mt into PVC …`)


@dataclass
class _Part:
    """One contribution to a supply or a requirement, for the row's explanation and break-evens."""

    amount: Amount
    text: str
    unknown: str | None = None  # why this part could not be counted
    # the coefficient it scales with: (name, low, typical, high, unit) and the typical amount per unit of it
    coefficient: tuple[str, float, float, float, str] | None = None
    per_unit: float = 0.0

    def says(self) -> bool:
        """Whether the part has a text (without writing it, for a part that writes it when read)."""
        return bool(self.text)

    def texts(self) -> tuple[str, ...] | list[str]:
        """The part's lines in the row's `coefficients` (none where it has no text)."""
        text = self.text
        return (text,) if text else ()


class _LazyPart(_Part):
    """A part whose text is written when first read: `words()` writes it."""

    def __init__(self, amount: Amount, words, coefficient: tuple | None = None, per_unit: float = 0.0):
        self.amount, self.unknown, self.coefficient, self.per_unit = amount, None, coefficient, per_unit
        self._words, self._text = words, None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._words()
        return self._text

    def says(self) -> bool:
        return True


class _RowsPart(_Part):
    """A product's own capacity rows as one part: a line for each row named (`who 23 万吨 (operating)`),
    then one for the others (`and 18 more capacity rows: 1.46 Mt`). The lines are written when first
    read (`_Balancer.row_lines`), so that a question that shows no texts (extend, bottlenecks) writes
    none for a region's many rows, nor reads their firms' names."""

    def __init__(self, balancer: _Balancer, pid: str, tally: _Tally):
        # the amount: the rows' total (the account counts it already, as its `start`)
        self.amount, self.unknown, self.coefficient, self.per_unit = tally.total, None, None, 0.0
        self._balancer, self._pid, self._tally, self._lines = balancer, pid, tally, None

    def says(self) -> bool:
        return True

    def texts(self) -> list[str]:
        if self._lines is None:
            self._lines = self._balancer.row_lines(self._pid, self._tally)
        return self._lines


@dataclass
class _Account:
    parts: list[_Part] = field(default_factory=list)
    # the total of the first `counted` parts, added up already (a product's own rows, `_Balancer.own`)
    start: Amount = _ZERO
    counted: int = 0

    @property
    def total(self) -> Amount:
        # kept once asked for: an account is complete when first asked, its parts do not change after
        total = self.__dict__.get("_total")
        if total is None:
            # (x + 0.0 is x: the total is never -0.0, as it starts at 0.0)
            added = [part.amount for part in self.parts[self.counted:] if part.amount is not _ZERO]
            total = self._total = _added(self.start, added) if added else self.start
        return total


def _added(start: Amount, amounts: list[Amount]) -> Amount:
    """`start + a + b + …` in one: the bounds added in that order, the open terms merged once (the
    first of each, in order, as the pairwise merges keep them)."""
    low, typ, high, estimate = start.low, start.typ, start.high, start.estimate
    for a in amounts:
        low, typ, high, estimate = low + a.low, typ + a.typ, high + a.high, estimate or a.estimate
    opens = tuple(dict.fromkeys(itertools.chain.from_iterable(a.open for a in (start, *amounts))))
    return Amount(low, typ, high, opens, estimate)


# the fields of a capacity row `own` reads (`Backend.capacity_columns`)
_ROW_FIELDS = ("firm", "capacity", "capacity_min", "capacity_max", "capacity_base", "base_unit", "unit", "status")


@dataclass
class _Tally:
    """A product's local rows added up in file order (`_Balancer.tally`), and the rows its text names."""

    columns: dict[str, list]
    total: Amount
    rows: list[tuple[int, str]]  # the rows named: (row, how its amount was converted: `× 1.2 t/t` or "")
    more: tuple[int, Amount] | None  # the other counted rows: how many, their amount
    opens: list[tuple[int, float | None]]  # rows of no countable amount: (row, typical capacity if stated)
    more_open: tuple[int, int]  # open rows not named: capacity not stated, not comparable

    def __post_init__(self) -> None:
        # the firms of the open rows, which the account's open terms name (all in one pass where the column can)
        opens = [i for i, _ in self.opens]
        self.open_firm = dict(zip(opens, take(self.columns["firm"], opens))) if opens else {}

    @functools.cached_property
    def row_firms(self) -> list[str | None]:
        """The firms of the rows named, in turn: read only for a question that writes the rows' lines."""
        return take(self.columns["firm"], [i for i, _ in self.rows])


@functools.lru_cache(maxsize=None)
def _scale(ratio_unit: str, base: str, per: str) -> float:
    """What 1 `ratio_unit` is in `base` per `per` (`units.convert_ratio`), worked out once per units:
    a region's links share a few (a failure, UnitError, is raised again each time: not kept)."""
    return convert_ratio(1.0, ratio_unit, f"{base}/{per}")[0]


def _ratio_range(link: Link) -> tuple[float, float, float]:
    low = link.ratio_min if link.ratio_min is not None else link.ratio
    high = link.ratio_max if link.ratio_max is not None else link.ratio
    return min(low, link.ratio), link.ratio, max(high, link.ratio)


class _Balancer:
    def __init__(self, g: Backend, region: str, basis: str, few: bool = False):
        self.g, self.region, self.basis = g, region, basis
        self.products = {p.id: p for p in g.products()}
        self.base = {pid: base_of(p.unit) for pid, p in self.products.items()}
        self.status = local_statuses(g, region)
        self.conversion = {c.product: c for c in g.conversions()}
        self.feeds: dict[str, list[Link]] = defaultdict(list)  # input -> FEEDS links out of it
        self.yields: dict[str, list[Link]] = defaultdict(list)  # by-product -> YIELDS links into it
        self.link: dict[tuple[str, str], Link] = {}
        for link in g.links():
            self.link[link.from_, link.to] = link
            (self.feeds[link.from_] if link.type == "FEEDS" else self.yields[link.to]).append(link)
        self.level_targets = {}
        for t in g.targets(region=region):
            if t.product and t.metric in _LEVEL_METRICS and t.bound in _LEVEL_BOUNDS:
                self.level_targets.setdefault(t.product, t)
        # a policy that all of a product be used in the city (电石产品不再外售): it runs at what local users need
        self.used_locally = {t.product for t in g.targets(region=region)
                             if t.product and t.metric == LOCAL_USE and t.value >= 100 and t.bound != "max"}
        self.few = few  # a few products asked about: the rows of those the walk reaches, when it reaches them
        self.tallies: dict[str, _Tally | None] = {}
        self.firm_names: dict[str, str] = {}
        self._unnamed: list[_Tally] = []  # tallies whose named rows' firms are not looked up yet (`row_lines`)
        if not few:  # a product's local operating and building rows (`local_capacity_rows`), every product at once
            self._read_tallies(None)
        self._own: dict[str, _Account] = {}
        self._supply: dict[str, _Account] = {}
        self._need: dict[str, _Account] = {}
        self._level: dict[str, _Level] = {}
        self._visiting: set[str] = set()

    # -- quantities ----------------------------------------------------------------------------

    def name(self, pid: str) -> str:
        return i18n.name(self.products[pid])

    def tally_of(self, pid: str) -> _Tally | None:
        """The product's local operating and building rows, added up (None: it has none)."""
        if self.few and pid not in self.tallies:
            self._read_tallies([pid])
        return self.tallies.get(pid)

    def _read_tallies(self, products: list[str] | None) -> None:
        """The tallies of these products' rows (None: of every product), in one question to the
        backend (`capacity_tallies`: summed there where a sum says all), then the firms of the
        open rows (the open terms name them), in one more: the firms of the rows named are looked
        up when their lines are first written (`row_lines`)."""
        tallies, wide = {}, []
        for pid, rows in self.g.capacity_tallies(self.region, SUPPLYING, _ROW_FIELDS, LISTED, products).items():
            if pid not in self.base:
                continue
            if not rows.summed:
                tallies[pid] = self.tally(pid, rows.columns)
            elif rows.base_unit == self.base[pid] or not rows.stated:
                tallies[pid] = self._summed_tally(rows)
            else:  # summed in another base unit: converted row by row (`tally`), from every row
                wide.append(pid)
        if wide:
            for pid, columns in self.g.capacity_columns(self.region, SUPPLYING, _ROW_FIELDS, products=wide).items():
                tallies[pid] = self.tally(pid, columns)
        for pid in products or ():
            tallies.setdefault(pid, None)
        self.tallies.update(tallies)
        self._unnamed += [t for t in tallies.values() if t is not None and t.rows]
        self._look_up({f for t in tallies.values() if t is not None for f in t.open_firm.values()})

    def _look_up(self, firms: Iterable[str | None]) -> None:
        """The names of these firms (None: no firm), in one question, where not known yet."""
        known = self.firm_names
        wanted = {f for f in firms if f and f not in known}
        if wanted:
            known.update(self.g.firm_names(wanted))

    @staticmethod
    def _summed_tally(rows: RowsTally) -> _Tally:
        """The tally of rows the backend added up (`RowsTally.summed`, in the product's base unit):
        its columns hold the rows named, the largest first, then the first rows of no capacity."""
        n = len(rows.columns["capacity_base"])
        named = [(k, "") for k in range(rows.named)]  # in the base unit already: no conversion to say
        more = None if rows.rest is None else (rows.rest[0], Amount(rows.rest[1], rows.rest[1], rows.rest[1]))
        opens = [(k, None) for k in range(rows.named, n)]
        return _Tally(rows.columns, Amount(rows.total, rows.total, rows.total), named, more, opens,
                      (rows.opens - len(opens), 0))

    def tally(self, pid: str, columns: dict[str, list]) -> _Tally:
        """Rows of the product (`_ROW_FIELDS` as columns) added up in file order, in its base unit;
        the rows to name picked: every one when there are `LISTED` or fewer, else the `LISTED`
        largest, and the first `LISTED` rows of no countable amount."""
        base = self.base[pid]
        # the columns read for every row, whole (a store may hand out columns read a cell at a time)
        caps, mins, maxs = list(columns["capacity"]), list(columns["capacity_min"]), list(columns["capacity_max"])
        bases, base_units, units = list(columns["capacity_base"]), list(columns["base_unit"]), columns["unit"]
        columns = dict(columns, capacity=caps, capacity_min=mins, capacity_max=maxs, capacity_base=bases)
        counted: list[tuple[int, float, float, float, str]] = []
        opens: list[tuple[int, float | None]] = []
        low_sum = typ_sum = high_sum = 0.0
        estimate = False
        for i, cap in enumerate(caps):
            cap_min = mins[i]
            if cap is None and cap_min is None:
                opens.append((i, None))
                continue
            typ = cap if cap is not None else cap_min
            low = cap_min if cap_min is not None else typ
            high = maxs[i] if maxs[i] is not None else typ
            in_base = bases[i]
            if in_base is not None and low is typ is high and base_units[i] == base:
                # in the product's own base unit: `units.convert` to it is the loader's `capacity_base`
                # (`units.to_base`: the same decimal product, then divided by the base unit's factor 1)
                row = (i, in_base, in_base, in_base, "")
            else:
                converted = self.to_product_base(pid, low, typ, high, units[i])
                if converted is None:
                    opens.append((i, typ))
                    continue
                amount, how = converted
                row = (i, amount.low, amount.typ, amount.high, how)
                estimate = estimate or amount.estimate
            # added in file order, as the rows' amounts one after the other
            low_sum, typ_sum, high_sum = low_sum + row[1], typ_sum + row[2], high_sum + row[3]
            counted.append(row)
        more = None
        named, skipped = pick([row[2] for row in counted], LISTED)  # as a backend picks the rows it names
        if skipped is not None:  # the largest named, the others in one sum
            low = typ = high = 0.0
            for k in skipped:
                row = counted[k]
                low, typ, high = low + row[1], typ + row[2], high + row[3]
            more = (len(skipped), Amount(low, typ, high))
            counted = [counted[k] for k in named]
        unstated = sum(1 for _, typ in opens[LISTED:] if typ is None)
        return _Tally(columns, Amount(low_sum, typ_sum, high_sum, estimate=estimate),
                      [(row[0], row[4]) for row in counted], more, opens[:LISTED],
                      (unstated, len(opens[LISTED:]) - unstated))

    def to_product_base(self, pid: str, low: float, typ: float, high: float,
                        unit: str) -> tuple[Amount, str] | None:
        """A quantity range in `unit` as the product's base unit, through its conversion."""
        base = base_of(unit)
        if base == self.base[pid]:
            return Amount(*(convert(v, unit, base) for v in (low, typ, high))), ""
        conv = self.conversion.get(pid)
        if conv and base_of(conv.from_unit) == base and base_of(conv.to_unit) == self.base[pid]:
            f_low = conv.factor_min if conv.factor_min is not None else conv.factor
            f_high = conv.factor_max if conv.factor_max is not None else conv.factor
            values = [convert(convert(v, unit, conv.from_unit) * f, conv.to_unit, self.base[pid])
                      for v, f in ((low, f_low), (typ, conv.factor), (high, f_high))]
            factor = (format_number(conv.factor) if f_low == f_high else
                      f"{format_number(f_low)}–{format_number(f_high)}")
            return (Amount(*values, estimate=conv.estimate),
                    f" × {factor} {conv.to_unit}/{conv.from_unit}" + (_(" (estimate)") if conv.estimate else ""))
        return None

    def own(self, pid: str) -> _Account:
        """The product's own output on the chosen basis."""
        if pid in self._own:
            return self._own[pid]
        account = _Account()
        target = self.level_targets.get(pid) if self.basis == "target" else None
        if target is not None:
            high = target.value_max if target.bound == "range" and target.value_max is not None else target.value
            converted = self.to_product_base(pid, target.value, target.value, high, target.unit)
            if converted is None:
                why = _("target %(target)s in %(unit)s cannot be compared with %(base)s") % {
                    "target": target.id, "unit": target.unit, "base": unit_name(self.base[pid])}
                account.parts.append(_Part(Amount(open=(why,)), "", why))
            else:
                amount, how = converted
                shown = written(target.value, target.unit, high)
                account.parts.append(_Part(amount, _("target %(amount)s") % {"amount": f"{shown}{how}"}))
        elif (tally := self.tally_of(pid)) is not None:
            account = self._rows_account(pid, tally)
        self._own[pid] = account
        return account

    def _rows_account(self, pid: str, tally: _Tally) -> _Account:
        """The product's own output from its rows: the tally's total, its rows in one part (their
        lines written when read), the rows of no countable amount as open terms."""
        base, product, names, unnamed = self.base[pid], self.name(pid), self.firm_names, _("unnamed producers")
        parts: list[_Part] = [_RowsPart(self, pid, tally)] if tally.rows or tally.more is not None else []
        whys = []
        unstated_text = _("%(who)s (%(product)s): capacity not stated")
        units = tally.columns["unit"]
        for i, typ in tally.opens:
            firm = tally.open_firm[i]
            who = names[firm] if firm else unnamed
            if typ is None:
                whys.append(unstated_text % {"who": who, "product": product})
            else:
                whys.append(_("%(who)s: %(amount)s cannot be compared with %(base)s") % {
                    "who": who, "amount": written(typ, units[i]), "base": unit_name(base)})
        unstated, incomparable = tally.more_open
        if unstated:
            whys.append(i18n.ngettext("%(product)s: %(n)s more capacity row with no capacity stated",
                                      "%(product)s: %(n)s more capacity rows with no capacity stated",
                                      unstated) % {"product": product, "n": unstated})
        if incomparable:
            whys.append(i18n.ngettext("%(product)s: %(n)s more capacity row in a unit not comparable with %(base)s",
                                      "%(product)s: %(n)s more capacity rows in units not comparable with %(base)s",
                                      incomparable) % {"product": product, "n": incomparable, "base": unit_name(base)})
        total = tally.total
        if whys:  # one part for them all: the account's total is counted already
            whys = tuple(dict.fromkeys(whys))
            parts.append(_Part(Amount(open=whys), "", whys[0]))
            total = Amount(total.low, total.typ, total.high, whys, total.estimate)
        return _Account(parts, start=total, counted=len(parts))

    def row_lines(self, pid: str, tally: _Tally) -> list[str]:
        """The lines of the product's own capacity rows (`_RowsPart`): each row named as its source
        writes it (`who 23 万吨 (operating)`, in the language of the moment), then the others
        summed. The first call looks up the firms of every tally's named rows, in one question."""
        if self._unnamed:
            self._look_up(f for t in self._unnamed for f in t.row_firms)
            self._unnamed = []
        columns, names, unnamed = tally.columns, self.firm_names, _("unnamed producers")
        caps, mins, maxs = columns["capacity"], columns["capacity_min"], columns["capacity_max"]
        named = [i for i, _how in tally.rows]
        figures = []  # each row's figure as `written` takes it: (typical, unit, None) or (low, unit, high)
        for i, unit in zip(named, take(columns["unit"], named)):
            typ = caps[i] if caps[i] is not None else mins[i]
            low = mins[i] if mins[i] is not None else typ
            high = maxs[i] if maxs[i] is not None else typ
            figures.append((typ, unit, None) if low == high else (low, unit, high))
        statuses = {}  # each status as people read it, looked up once
        lines = []
        for (_i, how), firm, shown, status in zip(tally.rows, tally.row_firms, written_all(figures),
                                                  take(columns["status"], named)):
            if status not in statuses:
                statuses[status] = i18n.value(status)
            lines.append(f"{names[firm] if firm else unnamed} {shown} ({statuses[status]}){how}")
        if tally.more is not None:
            n, amount = tally.more
            lines.append(i18n.ngettext("and %(n)s more capacity row: %(amount)s",
                                       "and %(n)s more capacity rows: %(amount)s", n) % {
                "n": n, "amount": amount.text(self.base[pid])})
        return lines

    def supply(self, pid: str) -> _Account:
        """Own output plus what local products yield of it, net of their own use."""
        if pid in self._supply:
            return self._supply[pid]
        own = self.own(pid)
        account = _Account(list(own.parts), start=own.total, counted=len(own.parts))
        for link in self.yields[pid]:
            level = self.level(link.from_)
            account.parts.append(self.flow(link, level, pid, _("by-product of %(product)s") % {
                "product": self.name(link.from_)}))
        self._supply[pid] = account
        return account

    def flow(self, link: Link, level: _Level, measured: str, label: str) -> _Part:
        """`link`'s ratio times the level of the product it is per unit of, in `measured`'s unit.

        An `alternative` input may be replaced by others, so its use runs from 0 to the full amount.
        """
        per = link.to if link.type == "FEEDS" else link.from_  # the ratio is per unit of this product
        amount = level.amount
        if amount.high == 0 and amount.complete:
            return _Part(_ZERO, "")
        if link.ratio is None:
            shown = f"{self.name(per)} {amount.text(self.base[per])} ({i18n.value(level.how)}{level.less})"
            why = _("%(label)s: no coefficient for %(from)s → %(to)s (%(shown)s)") % {
                "label": label, "from": self.name(link.from_), "to": self.name(link.to), "shown": shown}
            return _Part(Amount(open=(why,) + amount.open), "", why)
        try:
            scale = _scale(link.ratio_unit, self.base[measured], self.base[per])
        except Exception:  # units of the ratio do not fit the two products: say so, count nothing
            why = _("%(label)s: ratio unit %(unit)s does not fit %(measured)s per %(per)s") % {
                "label": label, "unit": link.ratio_unit, "measured": self.base[measured], "per": self.base[per]}
            return _Part(Amount(open=(why,)), "", why)
        r_low, r_typ, r_high = _ratio_range(link)
        low, typ, high = amount.low * r_low * scale, amount.typ * r_typ * scale, amount.high * r_high * scale
        own_use = ""
        if link.type == "YIELDS" and link.own_use is not None:
            u_low = link.own_use_min if link.own_use_min is not None else link.own_use
            u_high = link.own_use_max if link.own_use_max is not None else link.own_use
            low, typ, high = low * (1 - u_high / 100), typ * (1 - link.own_use / 100), high * (1 - u_low / 100)
            own_use = _(", less %(low)s–%(high)s %% used by the making of %(product)s itself") % {
                "low": format_number(u_low), "high": format_number(u_high), "product": self.name(link.from_)}
        alternative = link.type == "FEEDS" and link.alternative
        if alternative:
            low, typ = 0.0, 0.0
        result = Amount(low, typ, high, amount.open, amount.estimate or link.estimate)

        def text() -> str:  # written when read: a question that shows no coefficient writes none
            shown = f"{self.name(per)} {amount.text(self.base[per])} ({i18n.value(level.how)}{level.less})"
            ratio = (format_number(r_typ) if r_low == r_high else f"{format_number(r_low)}–{format_number(r_high)}")
            kinds = (link.source_kind, "estimate" if link.estimate and link.source_kind != "estimate" else None)
            notes = [i18n.value(k) for k in kinds if k] + ([link.ratio_source] if link.ratio_source else [])
            cite = f" ({'; '.join(notes)})" if notes else ""
            return (f"{label}: {shown} × {ratio} {link.ratio_unit}{own_use} = {result.text(self.base[measured])}"
                    + (_(" (one of several alternative inputs: from 0)") if alternative else "") + cite)
        coefficient = None
        if r_low != r_high and not alternative:
            what, per_what = (link.from_, link.to) if link.type == "FEEDS" else (link.to, link.from_)
            coefficient = (_("%(what)s per %(per)s") % {"what": self.name(what), "per": self.name(per_what)},
                           r_low, r_typ, r_high, link.ratio_unit)
        return _LazyPart(result, text, coefficient=coefficient, per_unit=amount.typ * scale)

    def need(self, pid: str) -> _Account:
        """What the local users of the product consume at their level."""
        if pid in self._need:
            return self._need[pid]
        account = _Account()
        for link in self.feeds[pid]:
            level = self.less_included(pid, link.to, self.level(link.to))
            if level.amount.high == 0 and level.amount.complete:  # as `flow` would: nothing flows (no label needed)
                account.parts.append(_Part(_ZERO, ""))
                continue
            account.parts.append(self.flow(link, level, pid, _("for %(product)s") % {"product": self.name(link.to)}))
        self._need[pid] = account
        return account

    def less_included(self, pid: str, user: str, level: _Level) -> _Level:
        """`user`'s level, less what goes into products whose `pid` figure already covers `user`."""
        for covering in self.feeds[pid]:
            if covering.includes != user:
                continue
            into = self.link.get((user, covering.to))
            covered = self.level(covering.to).amount
            if into is None or into.ratio is None:
                why = _("share of %(user)s going into %(product)s not known") % {
                    "user": self.name(user), "product": self.name(covering.to)}
                return _Level(Amount(0, 0, level.amount.high, _merge(level.amount.open, (why,)),
                                     level.amount.estimate), level.how)
            scale = _scale(into.ratio_unit, self.base[user], self.base[covering.to])
            i_low, i_typ, i_high = _ratio_range(into)
            s_low, s_typ, s_high = covered.low * i_low * scale, covered.typ * i_typ * scale, covered.high * i_high * scale
            a = level.amount
            level = _Level(Amount(max(a.low - s_high, 0.0), max(a.typ - s_typ, 0.0), max(a.high - s_low, 0.0),
                                  _merge(a.open, covered.open), a.estimate or into.estimate),
                           level.how, level.less + _(", less %(amount)s into %(product)s counted there") % {
                               "amount": range_text(s_low, s_high, self.base[user]),
                               "product": self.name(covering.to)})
        return level

    def level(self, pid: str) -> _Level:
        """The output the product runs at locally: stated supply, else what local users need."""
        if pid in self._level:
            return self._level[pid]
        if pid in self._visiting:  # a cycle of links: count nothing more, but say it is not known
            return _Level(Amount(open=(_("%(product)s: a cycle of links") % {"product": self.name(pid)},)), "cycle")
        self._visiting.add(pid)
        supply = self.supply(pid).total
        present = self.status[pid] in _MADE or (
            self.basis == "target" and pid in self.level_targets)
        if not present:
            result = _Level(_ZERO, "not made locally")
        elif supply.complete:
            how = "target" if self.basis == "target" and pid in self.level_targets else (
                "by-product" if not self.own(pid).parts else "capacity")
            result = _Level(supply, how)
        else:
            need = self.need(pid).total
            if need.typ > supply.typ or need.high > supply.high:
                how = "needed downstream"
            else:
                how = "stated capacity, part unstated"
            # an unstated capacity may run above what local users need, unless policy keeps it all in the city
            extra = () if pid in self.used_locally and need.high >= supply.high else supply.open
            result = _Level(Amount(max(supply.low, need.low), max(supply.typ, need.typ), max(supply.high, need.high),
                                   _merge(extra, need.open), supply.estimate or need.estimate), how)
        self._visiting.discard(pid)
        self._level[pid] = result
        return result


def _verdict(supply: Amount, need: Amount, short_anyway: bool) -> tuple[str, float | None, float | None]:
    """(verdict, lowest balance, highest balance); a bound is None where an open term leaves it unbounded."""
    low = supply.low - need.high if need.complete else None
    high = supply.high - need.low if supply.complete else None
    if high is not None and high < -_EPSILON * max(need.low, 1):
        return "short", low, high
    if short_anyway:
        return "short", low, min(high, 0.0) if high is not None else 0.0
    if low is not None and low >= -_EPSILON * max(need.high, 1):
        return "over", low, high
    if low is not None and high is not None:
        return "depends", low, high
    return "unknown", low, high


def _balance_text(verdict: str, low: float | None, high: float | None, base: str) -> str:
    if verdict == "short":
        if high is not None and abs(high) <= _EPSILON and low is None:
            return _("amount unknown")
        least = -high if high is not None else 0.0
        return (_("%(amount)s short") % {"amount": range_text(least, -low, base)} if low is not None
                else _("≥ %(amount)s short") % {"amount": humanize(least, base)})
    if verdict == "over":
        return (_("%(amount)s over") % {"amount": range_text(low, high, base)} if high is not None
                else _("≥ %(amount)s over") % {"amount": humanize(low, base)})
    if verdict == "depends":
        return _("%(short)s short to %(over)s over") % {"short": humanize(-low, base), "over": humanize(high, base)}
    return ""


def _break_evens(parts: list[tuple[int, _Part]], bal_typ: float, verdict: str) -> list[str]:
    """For each ranged coefficient: the value at which the typical balance turns, the others typical."""
    found = []
    for sign, part in parts:
        if part.coefficient is None or part.per_unit <= 0:
            continue
        name, low, typ, high, unit = part.coefficient
        value = typ - sign * bal_typ / part.per_unit  # balance(value) = 0
        if value < 0:
            continue
        inside = low <= value <= high
        if not inside and (verdict == "depends" or value <= 0 or abs(value - typ) > 2 * (high - low)):
            continue  # only the coefficients that decide, or that come near to deciding
        words = {"name": name, "value": f"{value:.4g}", "unit": unit, "low": format_number(low),
                 "high": format_number(high)}
        if sign < 0:
            text = (_("covered while %(name)s is at most %(value)s %(unit)s (range %(low)s–%(high)s, within it)")
                    if inside else _("covered while %(name)s is at most %(value)s %(unit)s (range %(low)s–%(high)s)"))
        else:
            text = (_("covered while %(name)s is at least %(value)s %(unit)s (range %(low)s–%(high)s, within it)")
                    if inside else _("covered while %(name)s is at least %(value)s %(unit)s (range %(low)s–%(high)s)"))
        found.append((not inside, abs(value - typ) / max(high - low, _EPSILON), text % words))
    found.sort()
    return [text for *_rest, text in found[:3]]


@without_gc
def balance(g: Backend, region: str | None = None, basis: str = "capacity",
            chain: str | None = None, products: Iterable[str] | None = None,
            coefficients: bool = True) -> list[dict]:
    """Local supply against local requirement, product by product, as ranges with a verdict.

    `basis` is `capacity` (operating and building capacity) or `target` (the guideline's output
    targets where it gives them — PVC 200万吨, coke 1800万吨, cement 1000万吨 … — capacity elsewhere).
    A product's requirement is what every local user consumes at its level, through the FEEDS
    coefficients (from the dataset, else the process coefficient library); its supply is its own
    output plus what local products YIELD of it, net of what their making uses itself. A user runs
    at its stated supply; when that is not stated, at least at what its own users need ("needed
    downstream"), so a target propagates up the chain (PVC → carbide → lime → limestone); where a
    `local_use_share` policy of 100 % keeps a product in the city (carbide is no longer sold out), it
    runs at exactly that. An alternative input (one of several) counts from 0 to its full use.
    `coefficients=False` leaves that column empty, for a caller that shows none of it (`bottlenecks`):
    a region's capacity rows are then not written out one by one.

    Returns
    -------
    list of dict
        One row per product that is made locally or needed locally and that something in the graph
        uses or yields (final products are left to `extend`), ranked: `short` first (short at
        every value in range; the largest certain shortfall first, then those of unknown amount),
        then `depends` (the sign turns inside the ranges), `unknown` (an open term could change the
        sign), `over` last. Fields: `product`, `name`, `verdict`, `status` (the older name:
        `shortfall`, `surplus` or `unknown`), `supply`, `requirement`, `balance` (compact ranges
        with unit, `≥` where an open term makes it a lower bound), `low` / `high` (the balance's
        bounds in `unit`, None where unbounded), `supply_low` / `supply_high`, `requirement_low` /
        `requirement_high` (None where unbounded), `supply_value`, `requirement_value`,
        `balance_value` (typical values; the balance None unless the verdict is short or over),
        `supply_basis`, `coefficients` (each counted contribution with its coefficient, kind of
        source and source; of a product's own capacity rows at most `LISTED`, the largest, and the
        others summed in one item), `open_terms` (each figure that is missing, by name: at most
        `LISTED_TERMS`, then how many more), `unknown` (the same), `break_even` (the value of a deciding coefficient at which the sign turns; for a
        missing coefficient, the largest value the supply still covers), `use_target`, `estimate`,
        `unit` (the product's base unit).

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = {r["product"]: r for r in balance(open_backend(), basis="target")}
    >>> rows["raw_coal"]["verdict"], rows["raw_coal"]["high"] < 0   # the coke target needs more coal
    ('short', True)
    >>> rows["clinker"]["verdict"]
    'over'
    """
    if basis not in BASES:
        raise ChaingraphError(f"unknown basis {basis!r} (expected {', '.join(BASES)})")
    where = region_id(g, region)
    b = _Balancer(g, where, basis, few=products is not None)
    selected = None
    if chain:
        c = g.resolve_chain(chain)
        selected = {p for step in c.steps for p in step.products}
    if products is not None:  # only these rows (a page drawing a few products)
        selected = set(products) if selected is None else selected & set(products)

    utilisation = {t.product: t for t in g.targets(region=where)
                   if t.product and t.metric == "utilisation_rate"}
    rows = []
    for p in g.products():
        if selected is not None and p.id not in selected:
            continue
        if not b.feeds[p.id] and not b.yields[p.id]:
            # a final product: nothing in the graph uses it (see `extend`), so nothing to balance (its
            # supply and need walk no other product, so leaving them out changes no other row)
            continue
        supply_account, need_account = b.supply(p.id), b.need(p.id)
        supply, need = supply_account.total, need_account.total
        parts = supply_account.parts + need_account.parts
        if not any(part.unknown or part.says() for part in parts) and b.status[p.id] == MISSING:
            continue  # neither made nor needed locally: nothing to balance
        if not parts or (supply.complete and need.complete and supply.high == 0 and need.high == 0):
            continue
        if not supply.complete and supply.high == 0 and need.complete and need.high == 0:
            continue  # capacity unstated and nothing local uses it: nothing to balance
        if supply.complete and supply.high == 0 and need.low == 0 and all(link.alternative for link in b.feeds[p.id]):
            continue  # not made locally and only ever one of several alternative inputs: not needed
        base = b.base[p.id]
        open_terms = list(dict.fromkeys(supply.open + need.open))
        # not made locally, yet a local product needs it (no stand-in): short, even of unknown amount
        short_anyway = supply.complete and supply.high == 0 and any(
            not link.alternative and (b.level(link.to).amount.high > 0 or not b.level(link.to).amount.complete)
            for link in b.feeds[p.id])
        verdict, low, high = _verdict(supply, need, short_anyway)
        short_unknown_amount = short_anyway and need.high == 0
        signed = [(1, part) for part in supply_account.parts] + [(-1, part) for part in need_account.parts]
        break_even = _break_evens(signed, supply.typ - need.typ, verdict) if verdict != "unknown" else []
        if supply.complete and supply.high > 0 and verdict == "unknown":
            spare = supply.high - need.low
            if need.high > 0:
                low_spare = supply.low - need.high
                break_even.append(_("the counted uses leave between %(low)s and %(high)s for the open terms "
                                    "(%(n)s)") % {"low": humanize(low_spare, base), "high": humanize(spare, base),
                                                  "n": len(open_terms)})
            for link in b.feeds[p.id]:
                level = b.less_included(p.id, link.to, b.level(link.to))
                if link.ratio is None and not link.alternative and level.amount.typ > 0:
                    words = {"unit": unit_name(b.base[link.to]), "user": b.name(link.to),
                             "most": f"{spare / level.amount.typ:.4g}", "base": unit_name(base), "product": b.name(p.id)}
                    break_even.append(
                        (_("covered while 1 %(unit)s of %(user)s takes at most %(most)s %(base)s of %(product)s")
                         if len(open_terms) == 1 else
                         _("covered while 1 %(unit)s of %(user)s takes at most %(most)s %(base)s of %(product)s "
                           "(the other open terms at zero)")) % words)
        terms = listed_terms(open_terms)
        use_target = None
        if p.id in utilisation and supply.high > 0:
            t = utilisation[p.id]
            used = Amount(supply.low * t.value / 100, supply.typ * t.value / 100, supply.high * t.value / 100,
                          supply.open).text(base)
            use_target = _("%(share)s%% to be used (%(source)s): %(amount)s") % {
                "share": format_number(t.value), "source": t.source, "amount": used}
        rows.append({
            "product": p.id, "name": p.name_zh, "verdict": verdict, "status": _STATUS[verdict],
            "supply": supply.text(base),
            "requirement": _("> 0 (no coefficient)") if short_unknown_amount else need.text(base),
            "balance": _balance_text(verdict, low, high, base),
            "low": low, "high": high,
            "supply_low": supply.low, "supply_high": supply.high if supply.complete else None,
            "requirement_low": need.low, "requirement_high": need.high if need.complete else None,
            "supply_basis": b.level(p.id).how,
            "coefficients": [text for part in parts for text in part.texts()] if coefficients else [],
            "open_terms": terms, "unknown": terms, "break_even": break_even, "use_target": use_target,
            "estimate": supply.estimate or need.estimate,
            "supply_value": supply.typ, "requirement_value": need.typ,
            "balance_value": supply.typ - need.typ if verdict in ("short", "over") and supply.complete
            and need.complete else None,
            "unit": base, "short_unknown_amount": short_unknown_amount,
        })
    order = {p.id: i for i, p in enumerate(g.products())}

    def rank(r: dict) -> tuple:
        """Robustness (the verdict), then size relative to the requirement (units differ by product)."""
        scale = max(r["requirement_low"], r["supply_low"], _EPSILON)
        certain = -r["high"] if r["verdict"] == "short" and r["high"] is not None else 0.0
        size = {"short": -certain, "depends": r["low"] or 0.0, "over": -(r["low"] or 0.0)}.get(r["verdict"], 0.0)
        return (VERDICTS.index(r["verdict"]), r["verdict"] == "short" and certain <= 0, size / scale,
                order[r["product"]])

    rows.sort(key=rank)
    return rows
