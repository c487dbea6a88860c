"""Can upstream capacity feed what is built or targeted downstream? Shortfalls and surpluses in tonnes.

Every product gets a local supply (its own capacity, or the guideline's target for it, plus what
local products yield of it as a by-product) and a local requirement (what the local users of it
consume at their level, through the FEEDS coefficients). A figure the data does not give is never
taken as zero: an unstated capacity or a link without a coefficient makes the amount a lower bound
(`≥`), and the row says which link or capacity is missing.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import ChaingraphError
from ..graph.backend import Backend
from ..graph.model import Link
from ..units import base_of, convert, convert_ratio, format_number, humanize
from ._common import BY_PRODUCT, MISSING, SUPPLYING, local_capacity_rows, local_statuses, region_id

__all__ = ["balance", "BASES"]

# the columns of the rows, in order (the CLI prints them as the CSV header when there are no rows)
COLUMNS = ("product", "name", "status", "supply", "requirement", "balance", "supply_basis", "coefficients",
           "unknown", "break_even", "use_target", "estimate", "supply_value",
           "requirement_value", "balance_value", "unit")

BASES = ("capacity", "target")
_LEVEL_METRICS = ("capacity", "installed_capacity")  # targets that set a product's output
_LEVEL_BOUNDS = ("min", "approx", "exact")  # a cap (`max`) is a ceiling, not an output level
_EPSILON = 1e-9


@dataclass
class Amount:
    """A quantity in a product's base unit; when not `complete` it is a lower bound."""

    value: float = 0.0
    complete: bool = True
    estimate: bool = False

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.value + other.value, self.complete and other.complete,
                      self.estimate or other.estimate)

    def text(self, base: str) -> str:
        return ("" if self.complete else "≥ ") + humanize(self.value, base)


@dataclass
class _Level:
    amount: Amount
    how: str  # target / capacity / by-product / needed downstream / not made locally


@dataclass
class _Part:
    """One contribution to a supply or a requirement, for the row's explanation."""

    amount: Amount
    text: str
    unknown: str | None = None  # why this part could not be counted


@dataclass
class _Account:
    parts: list[_Part] = field(default_factory=list)

    @property
    def total(self) -> Amount:
        total = Amount()
        for part in self.parts:
            total = total + part.amount
        return total


class _Balancer:
    def __init__(self, g: Backend, region: str, basis: str):
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
        self.capacity_rows = local_capacity_rows(g, region)  # one query for every product
        g.firms_by_id(r.firm for rows in self.capacity_rows.values() for r in rows if r.firm)  # one query on a server
        self._own: dict[str, _Account] = {}
        self._supply: dict[str, _Account] = {}
        self._need: dict[str, _Account] = {}
        self._level: dict[str, _Level] = {}
        self._visiting: set[str] = set()

    # -- quantities ----------------------------------------------------------------------------

    def name(self, pid: str) -> str:
        return self.products[pid].name_zh

    def to_product_base(self, pid: str, value_base: float, base: str) -> tuple[float, bool] | None:
        """A base quantity of `base` in the product's own base unit, through its conversion."""
        if base == self.base[pid]:
            return value_base, False
        conv = self.conversion.get(pid)
        if conv and base_of(conv.from_unit) == base and base_of(conv.to_unit) == self.base[pid]:
            output = convert(value_base, base, conv.from_unit) * conv.factor
            return convert(output, conv.to_unit, self.base[pid]), conv.estimate
        return None

    def own(self, pid: str) -> _Account:
        """The product's own output on the chosen basis."""
        if pid in self._own:
            return self._own[pid]
        account = _Account()
        target = self.level_targets.get(pid) if self.basis == "target" else None
        if target is not None:
            converted = self.to_product_base(pid, convert(target.value, target.unit, base_of(target.unit)),
                                             base_of(target.unit))
            if converted is None:
                account.parts.append(_Part(Amount(0, False), "", f"target {target.id} in {target.unit} "
                                           f"cannot be compared with {self.base[pid]}"))
            else:
                value, estimate = converted
                text = f"target {format_number(target.value)} {target.unit}"
                if estimate:
                    conv = self.conversion[pid]
                    text += f" × {format_number(conv.factor)} {conv.to_unit}/{conv.from_unit} (estimate)"
                account.parts.append(_Part(Amount(value, True, estimate), text))
        else:
            for row in self.capacity_rows.get(pid, ()):
                who = self.g.resolve_firm(row.firm).name_zh if row.firm else "unnamed producers"
                if row.capacity is None:
                    account.parts.append(_Part(Amount(0, False), "", f"{who}: capacity not stated"))
                    continue
                converted = self.to_product_base(pid, row.capacity_base, row.base_unit)
                if converted is None:
                    account.parts.append(_Part(Amount(0, False), "", f"{who}: {format_number(row.capacity)} "
                                               f"{row.unit} cannot be compared with {self.base[pid]}"))
                    continue
                value, estimate = converted
                account.parts.append(_Part(Amount(value, True, estimate),
                                           f"{who} {format_number(row.capacity)} {row.unit} ({row.status})"
                                           + (" (converted, estimate)" if estimate else "")))
        self._own[pid] = account
        return account

    def supply(self, pid: str) -> _Account:
        """Own output plus what local products yield of it."""
        if pid in self._supply:
            return self._supply[pid]
        account = _Account(list(self.own(pid).parts))
        for link in self.yields[pid]:
            level = self.level(link.from_)
            account.parts.append(self.flow(link, level, pid, f"by-product of {self.name(link.from_)}"))
        self._supply[pid] = account
        return account

    def flow(self, link: Link, level: _Level, measured: str, label: str) -> _Part:
        """`link`'s ratio times the level of the product it is per unit of, in `measured`'s unit."""
        per = link.to if link.type == "FEEDS" else link.from_  # the ratio is per unit of this product
        if level.amount.value == 0 and level.amount.complete:
            return _Part(Amount(), "")
        shown = f"{self.name(per)} {level.amount.text(self.base[per])} ({level.how})"
        if link.ratio is None:
            return _Part(Amount(0, False), "", f"{label}: no coefficient for {self.name(link.from_)} → "
                                                f"{self.name(link.to)} ({shown})")
        try:
            ratio, _ = convert_ratio(link.ratio, link.ratio_unit, f"{self.base[measured]}/{self.base[per]}")
        except Exception:  # units of the ratio do not fit the two products: say so, count nothing
            return _Part(Amount(0, False), "", f"{label}: ratio unit {link.ratio_unit} does not fit "
                                                f"{self.base[measured]} per {self.base[per]}")
        value = level.amount.value * ratio
        amount = Amount(value, level.amount.complete, level.amount.estimate or link.estimate)
        source = f"; {link.ratio_source}" if link.ratio_source else ""
        text = (f"{label}: {shown} × {format_number(link.ratio)} {link.ratio_unit} = "
                f"{amount.text(self.base[measured])}"
                f"{' (estimate' + source + ')' if link.estimate else (' (' + source[2:] + ')' if source else '')}")
        return _Part(amount, text)

    def need(self, pid: str) -> _Account:
        """What the local users of the product consume at their level."""
        if pid in self._need:
            return self._need[pid]
        account = _Account()
        for link in self.feeds[pid]:
            level = self.level(link.to)
            level = self.less_included(pid, link.to, level)
            account.parts.append(self.flow(link, level, pid, f"for {self.name(link.to)}"))
        self._need[pid] = account
        return account

    def less_included(self, pid: str, user: str, level: _Level) -> _Level:
        """`user`'s level, less what goes into products whose `pid` figure already covers `user`."""
        for covering in self.feeds[pid]:
            if covering.includes != user:
                continue
            into = self.link.get((user, covering.to))
            covered_level = self.level(covering.to)
            if into is None or into.ratio is None:
                return _Level(Amount(0, False, level.amount.estimate), level.how)  # share into it unknown
            share = covered_level.amount.value * convert_ratio(
                into.ratio, into.ratio_unit, f"{self.base[user]}/{self.base[covering.to]}")[0]
            rest = max(level.amount.value - share, 0.0)
            complete = level.amount.complete and covered_level.amount.complete
            level = _Level(Amount(rest, complete, level.amount.estimate or into.estimate),
                           f"{level.how}, less {humanize(share, self.base[user])} into "
                           f"{self.name(covering.to)} counted there")
        return level

    def level(self, pid: str) -> _Level:
        """The output the product runs at locally: stated supply, else what local users need."""
        if pid in self._level:
            return self._level[pid]
        if pid in self._visiting:  # a cycle of links: count nothing more, but say it is not known
            return _Level(Amount(0, False), "cycle")
        self._visiting.add(pid)
        supply = self.supply(pid).total
        present = self.status[pid] in (*SUPPLYING, BY_PRODUCT) or (
            self.basis == "target" and pid in self.level_targets)
        if not present:
            result = _Level(Amount(), "not made locally")
        elif supply.complete:
            how = "target" if self.basis == "target" and pid in self.level_targets else (
                "by-product" if not self.own(pid).parts else "capacity")
            result = _Level(supply, how)
        else:
            need = self.need(pid).total
            if need.value > supply.value:
                result = _Level(Amount(need.value, False, need.estimate), "needed downstream")
            else:
                result = _Level(supply, "stated capacity, part unstated")
        self._visiting.discard(pid)
        self._level[pid] = result
        return result


def _status(supply: Amount, need: Amount) -> tuple[str, float | None]:
    """(status, balance): the balance is exact, a bound, or None when the sign is not known."""
    diff = supply.value - need.value
    if supply.complete and need.complete:
        if abs(diff) <= _EPSILON * max(supply.value, need.value, 1):
            return "balanced", 0.0
        return ("surplus" if diff > 0 else "shortfall"), diff
    if supply.complete and diff < 0:
        return "shortfall", diff  # at least this short: the requirement can only grow
    if need.complete and not supply.complete and diff > 0:
        return "surplus", diff  # at least this much over: the supply can only grow
    return "unknown", None


_RANK = {"shortfall": 0, "unknown": 1, "surplus": 2, "balanced": 3}


def balance(g: Backend, region: str | None = None, basis: str = "capacity",
            chain: str | None = None, products: Iterable[str] | None = None) -> list[dict]:
    """Local supply against local requirement, product by product.

    `basis` is `capacity` (operating and building capacity) or `target` (the guideline's output
    targets where it gives them — PVC 200万吨, coke 1800万吨, cement 1000万吨 … — capacity elsewhere).
    A product's requirement is what its local users consume at their level, through the FEEDS
    coefficients; its supply is its own output plus what local products YIELD of it. A user runs at
    its stated supply; when that is not stated, at least at what its own users need ("needed
    downstream"), so a target propagates up the chain (PVC → carbide → lime → limestone).

    Returns
    -------
    list of dict
        One row per product that is made locally or needed locally, shortfalls first:
        `product`, `name`, `status` (`shortfall`, `surplus`, `balanced`, or `unknown` when a
        missing figure could change the sign; a product not made locally that a local product
        consumes is a `shortfall` even when the amount is unknown), `supply`, `requirement`, `balance` (as text with
        unit; `≥` marks a lower bound), `supply_basis` (how the supply is counted), `coefficients`
        (each counted contribution with its coefficient and source), `unknown` (each figure that
        is missing), `break_even` (for each missing coefficient: the largest value at which the
        supply would still cover the requirement), `use_target` (a utilisation-rate target and
        what it asks), `estimate` (an estimated coefficient or conversion was used), and the
        numbers `supply_value`, `requirement_value`, `balance_value` (None when unknown) in
        `unit`, the product's base unit.

    Examples
    --------
    >>> from chaingraph.graph import open_backend
    >>> rows = {r["product"]: r for r in balance(open_backend(), basis="target")}
    >>> rows["calcium_carbide"]["requirement"]   # what 200万吨 of PVC needs, at least
    '≥ 305.8 万吨'
    >>> rows["clinker"]["status"], rows["clinker"]["balance"]
    ('surplus', '690 万吨')
    """
    if basis not in BASES:
        raise ChaingraphError(f"unknown basis {basis!r} (expected {', '.join(BASES)})")
    where = region_id(g, region)
    b = _Balancer(g, where, basis)
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
        supply_account, need_account = b.supply(p.id), b.need(p.id)
        supply, need = supply_account.total, need_account.total
        parts = supply_account.parts + need_account.parts
        if not any(part.text or part.unknown for part in parts) and b.status[p.id] == MISSING:
            continue  # neither made nor needed locally: nothing to balance
        if not parts or (supply.complete and need.complete and supply.value == 0 and need.value == 0):
            continue
        base = b.base[p.id]
        unknown = [part.unknown for part in parts if part.unknown]
        if not supply.complete and supply.value == 0 and need.complete and need.value == 0:
            continue  # capacity unstated and nothing local uses it: nothing to balance
        status, diff = _status(supply, need)
        if status == "unknown" and supply.complete and supply.value == 0 and any(
                link.ratio is None and not link.alternative and b.level(link.to).amount.value > 0
                for link in b.feeds[p.id]):
            status = "shortfall"  # not made locally, yet a local product consumes it: short by an unknown amount
        break_even = []
        if supply.complete and supply.value > 0:
            spare = supply.value - need.value
            for link in b.feeds[p.id]:
                level = b.less_included(p.id, link.to, b.level(link.to))
                if link.ratio is None and level.amount.value > 0:
                    limit = spare / level.amount.value
                    break_even.append(
                        f"covered while 1 {b.base[link.to]} of {b.name(link.to)} takes at most "
                        f"{limit:.4g} {base} of {b.name(p.id)}"
                        + ("" if len(unknown) == 1 else " (the other unknown uses at zero)"))
        use_target = None
        if p.id in utilisation and supply.value > 0:
            t = utilisation[p.id]
            use_target = (f"{format_number(t.value)}% to be used ({t.source}): "
                          f"{Amount(supply.value * t.value / 100, supply.complete).text(base)}")
        rows.append({
            "product": p.id, "name": p.name_zh, "status": status,
            "supply": supply.text(base),
            "requirement": ("> 0 (no coefficient)" if status == "shortfall" and diff is None else need.text(base)),
            "balance": ("amount unknown" if status == "shortfall" and diff is None else "" if diff is None else
                        ("" if supply.complete and need.complete else "≥ ") + humanize(abs(diff), base)),
            "supply_basis": b.level(p.id).how,
            "coefficients": [part.text for part in parts if part.text],
            "unknown": unknown, "break_even": break_even, "use_target": use_target,
            "estimate": supply.estimate or need.estimate,
            "supply_value": supply.value, "requirement_value": need.value, "balance_value": diff,
            "unit": base,
        })
    order = {p.id: i for i, p in enumerate(g.products())}
    rows.sort(key=lambda r: (_RANK[r["status"]], r["balance_value"] is None, order[r["product"]]))
    return rows
