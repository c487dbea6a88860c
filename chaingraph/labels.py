"""Column names and machine values as people read them: the list the message catalog covers.

Queries return rows whose keys and machine values (statuses, kinds, verdicts) stay the same in every
language, so that JSON and CSV do not change with the locale. A table for people shows each key and
each value listed here through the catalog (`i18n.column`, `i18n.value`). A test runs every command
on the shipped data and fails when a key or a value is missing here or in a catalog.
"""
from __future__ import annotations

from .i18n import Np_

__all__ = ["COLUMNS", "VALUES", "VALUE_COLUMNS", "HUMAN_TEXT", "AMOUNT_TEXT", "KINDS"]

# fields whose text is written for people, in the current language, in JSON and CSV too; every other
# field of a row is the same whatever the language (README, "Languages")
HUMAN_TEXT = frozenset({"reason", "reasons", "firms", "planned_by", "coefficients", "unknown", "open_terms",
                        "break_even", "policy", "use_target", "local_users", "downstream"})
# amounts written as text (`23 万吨` in Chinese, `230 kt` in English): the numbers behind them are in
# machine fields that do not change (`low`/`high`, `*_value`, `capacity_base`, `value_low`/`value_high`,
# `unit`); `value` is such a text in `extend` (a sum of money) and a number in `targets`
AMOUNT_TEXT = frozenset({"capacity", "supply", "requirement", "balance", "local_use", "outflow",
                         "capacity_affected", "target", "value", "price"})

COLUMNS = (
    Np_("column", "abroad"), Np_("column", "after"), Np_("column", "aliases"), Np_("column", "balance"),
    Np_("column", "balance_value"), Np_("column", "base_unit"), Np_("column", "before"),
    Np_("column", "bound"), Np_("column", "break_even"), Np_("column", "capacity"),
    Np_("column", "capacity_affected"), Np_("column", "capacity_affected_base"),
    Np_("column", "capacity_base"), Np_("column", "chain"), Np_("column", "chain_name"),
    Np_("column", "coefficients"), Np_("column", "count"), Np_("column", "country"), Np_("column", "dependents"),
    Np_("column", "depth"), Np_("column", "downstream"), Np_("column", "effect"),
    Np_("column", "estimate"), Np_("column", "firm"), Np_("column", "firm_name"),
    Np_("column", "firms"), Np_("column", "from"), Np_("column", "from_name"), Np_("column", "id"),
    Np_("column", "kind"), Np_("column", "kinds"), Np_("column", "label"),
    Np_("column", "local_users"), Np_("column", "lost_share"), Np_("column", "metric"),
    Np_("column", "name"), Np_("column", "name_en"), Np_("column", "name_zh"),
    Np_("column", "names"), Np_("column", "order"), Np_("column", "planned_by"),
    Np_("column", "policy"), Np_("column", "product"), Np_("column", "product_name"),
    Np_("column", "products"), Np_("column", "project"), Np_("column", "rank"),
    Np_("column", "ratio"), Np_("column", "ratio_unit"), Np_("column", "reason"),
    Np_("column", "reasons"), Np_("column", "region"), Np_("column", "route"), Np_("column", "region_name"),
    Np_("column", "relation"), Np_("column", "requirement"), Np_("column", "requirement_value"),
    Np_("column", "score"), Np_("column", "sector"), Np_("column", "source"), Np_("column", "source_kind"),
    Np_("column", "status"), Np_("column", "subject"), Np_("column", "supply"),
    Np_("column", "supply_basis"), Np_("column", "supply_value"), Np_("column", "target"),
    Np_("column", "to"), Np_("column", "to_name"), Np_("column", "unit"), Np_("column", "unknown"),
    Np_("column", "use_target"), Np_("column", "value"), Np_("column", "value_max"),
    Np_("column", "via"), Np_("column", "written"), Np_("column", "year"),
    # balance and extend as ranges
    Np_("column", "verdict"), Np_("column", "low"), Np_("column", "high"), Np_("column", "supply_low"),
    Np_("column", "supply_high"), Np_("column", "requirement_low"), Np_("column", "requirement_high"),
    Np_("column", "open_terms"), Np_("column", "group"), Np_("column", "local_use"), Np_("column", "outflow"),
    Np_("column", "use_low"), Np_("column", "use_high"), Np_("column", "short_unknown_amount"),
    Np_("column", "value_low"), Np_("column", "value_high"), Np_("column", "price"),
)

# columns whose cells are machine values from VALUES (a cell may hold a list of them)
VALUE_COLUMNS = frozenset({"status", "kind", "kinds", "effect", "bound", "supply_basis", "relation",
                           "sector", "verdict", "source_kind"})

VALUES = (
    # local status of a product or a capacity row
    Np_("value", "operating"), Np_("value", "building"), Np_("value", "planned"),
    Np_("value", "by-product"), Np_("value", "missing"),
    # balance
    Np_("value", "shortfall"), Np_("value", "surplus"), Np_("value", "unknown"),
    Np_("value", "balanced"), Np_("value", "capacity"), Np_("value", "target"),
    Np_("value", "not made locally"), Np_("value", "needed downstream"),
    Np_("value", "stated capacity, part unstated"),
    # verdicts of balance
    Np_("value", "short"), Np_("value", "depends"), Np_("value", "over"),
    # kinds of gap
    Np_("value", "broken"), Np_("value", "downstream"), Np_("value", "upstream"),
    Np_("value", "absent"), Np_("value", "partial"),
    # bottlenecks
    Np_("value", "single firm"), Np_("value", "concentrated"), Np_("value", "dominator"),
    Np_("value", "articulation point"), Np_("value", "short in part of the range"),
    # whatif
    Np_("value", "removed"), Np_("value", "cut off"), Np_("value", "partly affected"),
    Np_("value", "unknown share"),
    # target bounds
    Np_("value", "min"), Np_("value", "max"), Np_("value", "approx"), Np_("value", "exact"),
    Np_("value", "range"),
    # links
    Np_("value", "FEEDS"), Np_("value", "YIELDS"),
    # what `info` counts
    Np_("value", "products"), Np_("value", "chains"), Np_("value", "written chains"),
    Np_("value", "prose chains"), Np_("value", "firms"), Np_("value", "regions"),
    Np_("value", "capacities"), Np_("value", "targets"), Np_("value", "FEEDS links"),
    Np_("value", "YIELDS links"), Np_("value", "coefficients"), Np_("value", "estimates"),
    Np_("value", "conversions"),
    # kinds of source of a directory row or a coefficient (graph.model.SOURCE_KINDS)
    Np_("value", "annual_report"), Np_("value", "prospectus"), Np_("value", "exchange_filing"),
    Np_("value", "government"), Np_("value", "association"), Np_("value", "yearbook"),
    Np_("value", "trade_press"), Np_("value", "news"), Np_("value", "company_site"),
    Np_("value", "journal"), Np_("value", "national_standard"), Np_("value", "handbook"),
    Np_("value", "encyclopedia"), Np_("value", "stoichiometry"), Np_("value", "estimate"),
    # sectors of the shipped data
    Np_("value", "coal"), Np_("value", "coking"), Np_("value", "coal_chemicals"),
    Np_("value", "chlor_alkali"), Np_("value", "fine_chemicals"), Np_("value", "silicon"),
    Np_("value", "building_materials"), Np_("value", "metallurgy"), Np_("value", "power"),
    Np_("value", "equipment"), Np_("value", "light_industry"),
)

# the kinds of record that messages name (`unknown product 'x'`, `ambiguous firm 'y'`)
KINDS = (
    Np_("kind", "product"), Np_("kind", "chain"), Np_("kind", "firm"), Np_("kind", "region"),
    Np_("kind", "sector"), Np_("kind", "firm or product"), Np_("kind", "capacity"), Np_("kind", "target"),
    Np_("kind", "link"), Np_("kind", "conversion"), Np_("kind", "directory row"),
)
