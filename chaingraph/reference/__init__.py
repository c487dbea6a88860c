"""The process coefficient library: city-independent product-level coefficients with their sources.

`process_coefficients.csv` (shipped in the package) holds one row per coefficient, keyed by the
product ids of the shipped vocabulary (`electricity`, `calcium_carbide`, `pvc` …):

- `FEEDS a b`: input `a` per unit of output `b`;  `YIELDS a b`: by-product `b` per unit of `a`;
- `YIELD a b`: output `b` as a % of input `a` (raw -> washed coal), applied as the FEEDS ratio 100/yield;
- `OWN_USE a b`: the % of by-product `b` that making `a` consumes itself (coke-oven gas heating the
  ovens), so only the rest is supply;
- `CONVERSION a a`: what a unit of capacity gives a year (electricity: kWh per kW, utilisation hours).

Each row has `low`, `typical`, `high` (typical may be empty: the midpoint is used), `unit`, the `year`
and `region` the figure holds for, `source` (the publisher and where; a row read through a mirror
names the original publication and says "mirror"), `source_kind` (one of
`graph.model.SOURCE_KINDS`, the vocabulary the producer directory uses too; `stoichiometry` = worked
out with the working shown, `estimate` = no readable source), `estimate` (yes when any part of the range is engineering
knowledge), `flag` (the figure is applied far from its year or region) and `note`.

A dataset's own `links.csv` / `conversions.csv` figure overrides the library's (see `apply`).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

from .. import units
from ..errors import DataError, UnitError
from ..i18n import gettext as _
from ..graph.model import SOURCE_KINDS

__all__ = ["ProcessCoefficient", "load_process_coefficients", "apply", "LIBRARY", "SOURCE_KINDS", "TYPES",
           "Price", "load_prices", "prices_for", "PRICES"]

LIBRARY = Path(__file__).with_name("process_coefficients.csv")
TYPES = ("FEEDS", "YIELDS", "YIELD", "OWN_USE", "CONVERSION")
# the columns every sourced figure has (the coefficient library and the price file)
_SOURCED = ("low", "typical", "high", "unit", "year", "region", "source", "source_kind", "estimate", "flag", "note")
_COLUMNS = ("type", "from", "to") + _SOURCED


@dataclass(frozen=True, kw_only=True)
class _Sourced:
    """A figure as a range with its provenance: `low` ≤ `typical` ≤ `high` in `unit`, the `year`
    and `region` it holds for, `source`, `source_kind` (SOURCE_KINDS), `estimate`, `flag`, `note`."""
    low: float
    typical: float
    high: float
    unit: str
    year: str | None
    region: str | None
    source: str
    source_kind: str
    estimate: bool
    flag: str | None
    note: str | None
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class ProcessCoefficient(_Sourced):
    type: str
    from_: str
    to: str

    @property
    def cited(self) -> bool:
        """The figure rests on a source (a publication or stoichiometry), not on estimate alone."""
        return self.source_kind != "estimate"


def _number(text: str, path: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise DataError(path, line, column, _("not a number ≥ 0: %(value)r") % {"value": text})
    return value


def _read(path: Path, columns: tuple[str, ...]):
    """The rows of a CSV file with `columns`, as (line, row); DataError when a column is missing."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise DataError(str(path), 1, missing[0], _("missing column %(name)r") % {"name": missing[0]})
    for row in reader:
        yield reader.line_num, row


def _sourced(row: dict, shown: str, line: int, required: tuple[str, ...]) -> dict:
    """The checked `_Sourced` fields of a row; DataError naming the first bad cell."""
    for column in required + ("low", "high", "unit", "source", "source_kind"):
        if not (row[column] or "").strip():
            raise DataError(shown, line, column, _("empty required field"))
    if row["source_kind"] not in SOURCE_KINDS:
        raise DataError(shown, line, "source_kind", _("unknown %(column)s %(value)r (expected %(choices)s)") % {
            "column": "source_kind", "value": row["source_kind"], "choices": ", ".join(SOURCE_KINDS)})
    low, high = (_number(row[c], shown, line, c) for c in ("low", "high"))
    typical = _number(row["typical"], shown, line, "typical") if row["typical"].strip() else (low + high) / 2
    if not low <= typical <= high:
        raise DataError(shown, line, "typical", _("expected low ≤ typical ≤ high"))
    estimate = (row["estimate"] or "no").strip()
    if estimate not in ("yes", "no"):
        raise DataError(shown, line, "estimate", _("expected yes or no, not %(value)r") % {"value": estimate})
    return dict(low=low, typical=typical, high=high, unit=row["unit"], year=row["year"] or None,
                region=row["region"] or None, source=row["source"], source_kind=row["source_kind"],
                estimate=estimate == "yes", flag=row["flag"] or None, note=row["note"] or None, line=line)


def load_process_coefficients(path: str | Path | None = None) -> tuple[ProcessCoefficient, ...]:
    """Read and check the library (default: the shipped file). Raises DataError at the first bad cell."""
    path = Path(path or LIBRARY)
    shown = str(path)
    rows, seen = [], {}
    for line, row in _read(path, _COLUMNS):
        if not (row["type"] or "").strip():
            raise DataError(shown, line, "type", _("empty required field"))
        if row["type"] not in TYPES:
            raise DataError(shown, line, "type", _("unknown %(column)s %(value)r (expected %(choices)s)") % {
                "column": "type", "value": row["type"], "choices": ", ".join(TYPES)})
        figure = _sourced(row, shown, line, ("from", "to"))
        low, high = figure["low"], figure["high"]
        if row["type"] in ("YIELD", "OWN_USE"):
            if row["unit"] != "%":
                raise DataError(shown, line, "unit", _("a %(type)s is a share: unit must be '%%'") % {"type": row["type"]})
            if low <= 0 or high > 100:
                raise DataError(shown, line, "high", _("a share must lie in (0, 100] %"))
        else:
            try:
                units.parse_ratio_unit(row["unit"])
            except UnitError as e:
                raise DataError(shown, line, "unit", str(e)) from None
        key = (row["type"], row["from"], row["to"])
        if key in seen:
            raise DataError(shown, line, "to", _("duplicate %(type)s %(from)s -> %(to)s (first on line %(line)s)") % {
                "type": key[0], "from": key[1], "to": key[2], "line": seen[key]})
        seen[key] = line
        rows.append(ProcessCoefficient(type=row["type"], from_=row["from"], to=row["to"], **figure))
    return tuple(rows)


def _inverse(percent: float) -> float:
    """100/yield, to 6 significant digits (a graph server keeps about 15; all should agree)."""
    return float(f"{100 / percent:.6g}")


def _citation(c: ProcessCoefficient) -> str:
    return f"process library ({c.source_kind}): {c.source}"


def apply(links: tuple, conversions: tuple, library: tuple[ProcessCoefficient, ...] | None = None,
          conversion_type: type | None = None, products: set[str] | None = None) -> tuple[tuple, tuple]:
    """Links and conversions with the library's figures filled in where the dataset gives none.

    A link whose dataset row states a ratio keeps it (`origin` "dataset"); a link without one takes
    the library's FEEDS/YIELDS row, or for FEEDS a YIELD row as 100/yield (`origin` "library"). An
    OWN_USE row attaches to its YIELDS link. A product of `products` (default: any) without a
    dataset conversion takes the library's CONVERSION row.
    """
    library = load_process_coefficients() if library is None else library
    by_key = {(c.type, c.from_, c.to): c for c in library}
    out = []
    for link in links:
        if link.ratio is None and link.ratio_min is None and link.ratio_max is None:
            c = by_key.get((link.type, link.from_, link.to))
            if c is not None:
                link = replace(link, ratio=c.typical, ratio_min=c.low, ratio_max=c.high, ratio_unit=c.unit,
                               estimate=c.estimate, ratio_source=_citation(c), source_kind=c.source_kind,
                               ratio_year=c.year, ratio_region=c.region, flag=c.flag, origin="library")
            elif link.type == "FEEDS" and (c := by_key.get(("YIELD", link.from_, link.to))) is not None:
                link = replace(link, ratio=_inverse(c.typical), ratio_min=_inverse(c.high), ratio_max=_inverse(c.low),
                               ratio_unit="t/t", estimate=c.estimate,
                               ratio_source=_citation(c) + f" (yield {units.format_number(c.low)}–"
                                                           f"{units.format_number(c.high)} %, as 100/yield)",
                               source_kind=c.source_kind, ratio_year=c.year, ratio_region=c.region,
                               flag=c.flag, origin="library")
        elif link.ratio is not None:
            link = replace(link, origin=link.origin or "dataset")
        if link.type == "YIELDS" and link.own_use is None and (c := by_key.get(("OWN_USE", link.from_, link.to))):
            link = replace(link, own_use=c.typical, own_use_min=c.low, own_use_max=c.high,
                           own_use_source=_citation(c))
        out.append(link)
    conversions = list(conversions)
    have = {c.product for c in conversions}
    if conversion_type is not None:
        for c in library:
            if c.type == "CONVERSION" and c.from_ not in have and (products is None or c.from_ in products):
                to_unit, from_unit = units.parse_ratio_unit(c.unit)
                conversions.append(conversion_type(
                    product=c.from_, from_unit=from_unit, to_unit=to_unit, factor=c.typical, estimate=c.estimate,
                    source=_citation(c), note=c.note, factor_min=c.low, factor_max=c.high,
                    source_kind=c.source_kind, flag=c.flag))
    return tuple(out), tuple(conversions)


# --- prices: value of the outflows (extend) ---------------------------------------------------

PRICES = Path(__file__).with_name("prices.csv")
_PRICE_COLUMNS = ("product",) + _SOURCED


@dataclass(frozen=True, kw_only=True)
class Price(_Sourced):
    """A product's price range per unit of the product (`unit` is money/quantity, e.g. `元/t`)."""
    product: str

    def per_base(self) -> tuple[float, float, float, str]:
        """(low, typical, high) in CNY per base unit of the product, and that base unit."""
        factor, unit = units.convert_ratio(1.0, self.unit)
        return self.low * factor, self.typical * factor, self.high * factor, unit.split("/")[1]


def load_prices(path: str | Path | None = None) -> dict[str, Price]:
    """Read and check a price file (default: the shipped `prices.csv`), keyed by product id.
    Raises DataError at the first bad cell."""
    path = Path(path or PRICES)
    shown = str(path)
    prices: dict[str, Price] = {}
    for line, row in _read(path, _PRICE_COLUMNS):
        figure = _sourced(row, shown, line, ("product", "year"))
        try:
            num, _den = units.parse_ratio_unit(row["unit"])
        except UnitError as e:
            raise DataError(shown, line, "unit", str(e)) from None
        if units.base_of(num) != "CNY":
            raise DataError(shown, line, "unit", _("a price is money per quantity (元/t, 万元/t …), not %(value)r") % {"value": row["unit"]})
        if row["product"] in prices:
            raise DataError(shown, line, "product",
                            _("duplicate price of %(product)s (first on line %(line)s)") % {
                                "product": row["product"], "line": prices[row["product"]].line})
        prices[row["product"]] = Price(product=row["product"], **figure)
    return prices


def prices_for(data_dir: str | Path | None) -> dict[str, Price]:
    """The shipped prices, overridden product by product by a dataset's own `prices.csv` (same
    columns) when `data_dir` has one."""
    prices = load_prices()
    own = Path(data_dir) / "prices.csv" if data_dir is not None else None
    if own is not None and own.is_file():
        prices.update(load_prices(own))
    return prices
