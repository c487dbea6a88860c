"""Quantitative targets: a figure with a unit in a sentence that sets a goal.

A figure is a target when its clause, or an earlier clause of the same `；`/`。` segment, carries a
goal word (力争, 争取, 达到, 控制在, 计划, 培育 …). The bound comes from the words nearest the figure:
`以上`, `达到`, `突破`, `超过`, `不低于` -> min; `控制在`, `以内`, `不超过` -> max; `约`, `左右` -> approx;
`保持在`, `计划` -> exact; a range `3—5户` -> range; else the segment's goal word (力争 -> min).

Skipped: sentences about past years (`2010年全部工业增加值完成258亿元` in a 2011 text), figures in
parentheses, figures that qualify a noun (`60个重点的…`, `过10亿元企业`) and the figures of firm
projects (those are capacities).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .common import Evidence
from .lexicon import Lexicon, Match
from .quantities import Quantity, find_quantities
from .text import Span, Text, between, clauses, sentences, to_simplified

__all__ = ["Target", "find_targets"]

MIN_BEFORE = ("达到", "突破", "超过", "不低于", "占到", "增长到", "提高到", "上升到")
MAX_BEFORE = ("控制在", "不超过", "不高于", "压减到", "下降到", "降低到", "降至", "压缩到")
EXACT_BEFORE = ("保持在", "稳定在")
GOALS = (  # (word, bound it gives to the figures after it in its segment)
    ("力争", "min"), ("争取", "min"), ("确保", "min"), ("努力", "min"), ("目标", "min"), ("要达到", "min"),
    ("达到", "min"), ("突破", "min"), ("实现", "min"), ("占到", "min"), ("不低于", "min"),
    ("控制在", "max"), ("不超过", "max"), ("保持在", "exact"), ("计划", "exact"), ("培育", "exact"),
    ("扶持", "exact"), ("选择", "exact"), ("筛选", "exact"), ("抓好", "exact"), ("支持", "exact"),
    ("完成", "min"), ("下降", "min"), ("提高", "min"), ("提升", "min"), ("增长", "min"), ("降低", "min"), ("带动", "min"),
)
_GOAL_RE = re.compile("|".join(w for w, _ in GOALS))
# words that set the goal of the clauses after them too; the others (达到, 增长, 提升 …) only their own
CARRIED = {"力争", "争取", "确保", "努力", "目标", "要达到", "计划", "控制在", "保持在", "培育", "扶持", "选择",
           "筛选", "抓好", "支持"}
_GOAL = dict(GOALS)
LEAD = re.compile(r"(其中|全年|年内|同时|并|要求|力争|争取|确保|计划|突出抓好|抓好|重点培育|培育|扶持发展|扶持|"
                  r"选择|筛选|每年重点支持|每年|重点支持|支持|实施|带动|使|到\d{4}年底?|在?两年之内|"
                  r"\d{4}年|要)+")
TRAIL = re.compile(r"(必须达到|必须|应当|分别达到|分别实现|要达到|都要实现|要实现|达到|完成|控制在|保持在|实现|突破|超过|为|约|"
                   r"占到|年产|的|分别|要|都|近|约)+$")
METRICS = (  # (word in the subject, metric), first match wins
    ("能耗", "energy_intensity"), ("增加值", "value_added"), ("生产总值", "gdp"), ("销售收入", "sales"), ("营业收入", "sales"), ("产值", "output_value"),
    ("就业", "jobs"), ("投资", "investment"), ("利用率", "utilisation_rate"), ("回收率", "rate"),
    ("开工率", "rate"), ("装机", "installed_capacity"), ("产能", "capacity"), ("生产能力", "capacity"),
    ("降低", "reduction"), ("产量", "output"), ("企业生产规模", "capacity_per_firm"),
    ("起始规模", "plant_scale"), ("单个", "plant_scale"), ("装置", "plant_scale"), ("生产线", "plant_scale"),
    ("单线", "plant_scale"), ("规模", "capacity"), ("增长", "growth"), ("率", "rate"), ("比重", "share"),
    ("水平", "rate"),
)
COUNT_UNITS = {"个", "户", "处", "项", "家", "count"}


@dataclass
class Target:
    quantity: Quantity
    bound: str
    subject: str  # as written
    metric: str
    product: Match | None
    year: int | None
    source: tuple[int, int]
    evidence: Evidence = field(default_factory=Evidence)


PAST_WORDS = re.compile(r"同比|过去一年|过去五年|过去的一年|(?<![比较同])(?:去年|上年)|一年来|两年来|三年来|五年来|回顾|总结")
PAST_VERB = re.compile(r"(完成|达到|实现|增长|突破|下降|提高|超过|新增|累计)了")


_PERFECTIVE = re.compile(r"(?<!为)(?<!除)(?<!不)(?<!得)[\u4e00-\u9fff]了(?![解结])")
_STRONG_GOAL = re.compile(r"(力争|争取|确保|目标|计划|要|将)[^。；;，,\d]{0,12}\d")


def _past(simp: str, sentence: Span, year: int | None) -> bool:
    """A sentence about what was done: a past year only, 过去一年 / 去年 / 回顾, or a verb with 了
    (`出台了…，确定15户重点工业企业`) and no goal word."""
    piece = simp[sentence.start:sentence.end]
    if PAST_WORDS.search(piece):
        return True
    if _PERFECTIVE.search(piece) and not _STRONG_GOAL.search(piece):
        return True
    if year is None:
        return False
    years = [int(m.group(1)) for m in re.finditer(r"(?<![比较与同])((?:19|20)\d\d)\s*年", piece)]
    return bool(years) and max(years) < year


def _past_sections(simp: str, year: int | None) -> list[Span]:
    """Parts of the text under a short heading line about a past year or a review (`一、2013年工作回顾`)."""
    out, start, past, pos = [], 0, False, 0
    for line in simp.split("\n"):
        heading = 0 < len(line.strip()) <= 30 and "。" not in line
        if heading:
            if past:
                out.append(Span(start, pos))
            years = [int(y) for y in re.findall(r"((?:19|20)\d\d)\s*年", line)]
            past = bool(PAST_WORDS.search(line)) or bool(year and years and max(years) < year)
            start = pos
        pos += len(line) + 1
    if past:
        out.append(Span(start, len(simp)))
    return out


def _in_parentheses(simp: str, seg: Span, pos: int) -> bool:
    piece = simp[seg.start:pos]
    return piece.count("（") + piece.count("(") > piece.count("）") + piece.count(")")


def find_targets(text: Text, lexicon: Lexicon, year: int | None, taken: set[int],
                 blocked: set[int] = frozenset(), projects: set[int] = frozenset()) -> list[Target]:
    """Targets in `text`; `taken` are the starts of figures already read as firm capacities and
    `projects` positions inside firm project statements (their 总投资 is the project's, not a goal)."""
    simp = text.simp
    products = lexicon.scan(simp, blocked=blocked)
    in_products = {i for p in products for i in range(p.start, p.end)}
    quantities = [q for q in find_quantities(simp) if q.start not in taken and q.start not in in_products]
    projects = sorted(projects)
    q_starts, p_starts = [q.start for q in quantities], [p.start for p in products]
    out: list[Target] = []
    past_sections = _past_sections(simp, year)
    all_segments = text.segments
    i, previous_past = 0, False
    for sentence in sentences(simp):
        own = []  # the segments of this sentence (both lists run left to right)
        while i < len(all_segments) and all_segments[i].start < sentence.end:
            if all_segments[i].start >= sentence.start:
                own.append(all_segments[i])
            i += 1
        past = _past(simp, sentence, year) or any(p.start <= sentence.start < p.end for p in past_sections) or (
            previous_past and simp[sentence.start:sentence.end].strip().startswith(("其中", "同时", "此外")))
        previous_past = past  # `其中，15户重点工业企业完成…` goes on about the year before
        if past:
            continue
        for seg in own:
            seg_quantities = between(quantities, q_starts, seg.start, seg.end)
            if between(projects, projects, seg.start, seg.end):
                seg_quantities = [q for q in seg_quantities if not (
                    q.unit in ("亿元", "万元", "元") and "投资" in simp[max(seg.start, q.start - 6):q.start])]
            seg_products = between(products, p_starts, seg.start, seg.end)
            out += _segment_targets(text, seg, seg_quantities, seg_products, year)
    return out


def _segment_targets(text, seg, quantities, products, year) -> list[Target]:
    simp = text.simp
    products_at = {p.start for p in products}
    seg_text = simp[seg.start:seg.end]
    carried: list[str] = []  # goal words of earlier clauses
    out = []
    for clause in clauses(simp, seg):
        piece = simp[clause.start:clause.end]
        goals = [(m.start() + clause.start, m.group(0)) for m in _GOAL_RE.finditer(piece)]
        previous: tuple[Quantity, str, int, str, Match | None] | None = None
        for q in [q for q in quantities if clause.start <= q.start < clause.end]:
            if _in_parentheses(simp, seg, q.start) or _qualifier(simp, q, clause) or PAST_VERB.search(
                    simp, clause.start, q.start) or _project_figure(simp, q, products_at, seg_text):
                continue
            local = [w for pos, w in goals if pos < q.start] or [w for _, w in goals[:1]]
            words = local or carried
            if not words:
                continue
            # a goal of reaching (力争, 达到) outweighs a plain action word (培育, 计划) before the figure
            mins = [w for w in words if _GOAL[w] == "min"]
            goal = (mins[-1], "min") if mins else (words[-1], _GOAL[words[-1]])
            bound, word = _bound(simp, q, clause, goal)
            ev = Evidence(0.85, [f"goal word {goal[0]}", f"bound from {word}"])
            if not local:
                ev.lower(0.1, "goal word in an earlier clause")
            if previous and re.fullmatch(r"[、和及与]", simp[previous[0].end:q.start]):
                # `470亿元、700亿元`: a list of figures shares its subject
                subject, s_start, metric, product = previous[1:]
                ev.note("listed after a figure with the same subject")
            else:
                subject, s_start = _subject(text, clause, q)
                if not subject:
                    ev.lower(0.3, "no subject found")
                    subject = text.orig[clause.start:clause.end]
                plain = to_simplified(subject).replace("规模以上", "").replace("规上", "")
                after = simp[q.end:clause.end]  # `100万平方米以上的高档墙地砖生产线`
                metric = next((m for w, m in METRICS if w in plain), None) or next(
                    (m for w, m in METRICS if m == "plant_scale" and w in after), None)
                if metric is None:
                    metric = "count" if q.unit in COUNT_UNITS else "value"
                product = _product(products, s_start, q, clause)
            previous = (q, subject, s_start, metric, product)
            y = _year(simp, seg, q) or year
            out.append(Target(q, bound, subject, metric, product, y, (clause.start, clause.end), ev))
        carried += [w for _, w in goals if w in CARRIED]
    return out


def _project_figure(simp: str, q: Quantity, products_at: set[int], seg_text: str) -> bool:
    """`2.3万吨阴极碳素`, `15万吨pvc`: a figure right before what is made is a project's capacity;
    `等20个重点工业项目`: a count closing a list of projects sums it up."""
    after = q.end + (1 if simp.startswith("/", q.end) else 0)
    if after in products_at:
        return True
    if "项目" in seg_text and re.match(r"[\u4e00-\u9fffA-Za-z]{2,}", simp[after:after + 2]) and not re.match(
            r"(以上|以下|以内|左右|的|和|及|、|，|标准|目标)", simp[after:after + 2]) and q.unit not in COUNT_UNITS:
        return True
    if q.unit in COUNT_UNITS and re.match(r"\d", simp[q.end:q.end + 1]):
        return True  # `4个10万吨冶炼铸造项目`: how many plants of a size
    return q.unit in COUNT_UNITS and simp[max(0, q.start - 1):q.start] == "等"


def _qualifier(simp: str, q: Quantity, clause: Span) -> bool:
    after = simp[q.end:min(clause.end, q.end + 6)]
    if after.startswith("级"):
        return True  # `200—300万吨级焦化企业`: a size class
    if re.match(r"(以上|以下)的?(重点)?(项目|企业|工业|产业|规模)", after):
        return True  # `亿元以上项目`, `5000吨以上的企业`: a class of things, not a goal
    if re.match(r"(以上|以下|以内|左右)", after):
        return False
    if "的" in after[:3] and not re.match(r"[、和及与]", after):
        return True  # `60个重点的乌海精细化工…`
    before = simp[max(clause.start, q.start - 2):q.start]
    return before.endswith(("过", "超过")) and re.match(r"[\u4e00-\u9fff]", after or " ") is not None


def _bound(simp: str, q: Quantity, clause: Span, goal: tuple[str, str]) -> tuple[str, str]:
    if q.value_max is not None:
        return "range", "a range"
    after = simp[q.end:min(clause.end, q.end + 6)]
    m = re.match(r"[\u4e00-\u9fff]{0,2}?(以上|以下|以内|左右)", after)
    if m:
        return {"以上": "min", "以下": "max", "以内": "max", "左右": "approx"}[m.group(1)], m.group(1)
    before = simp[clause.start:q.start]
    if before.endswith(("约", "大约", "近")):
        return "approx", "约"
    for words, bound in ((MAX_BEFORE, "max"), (EXACT_BEFORE, "exact"), (MIN_BEFORE, "min")):
        for w in words:
            if w in before:
                return bound, w
    return goal[1], goal[0]


def _subject(text: Text, clause: Span, q: Quantity) -> tuple[str, int]:
    simp = text.simp
    start, end = clause.start, q.start
    lead = LEAD.match(simp, start, end)
    if lead:
        start = lead.end()
    trail = TRAIL.search(simp, start, end)
    if trail and trail.start() >= start:
        end = trail.start()
    # list figures (`470亿元、700亿元`) and previous figures in the clause are not part of the subject
    cut = max([m.end() for m in re.finditer(r"\d[^\u4e00-\u9fff]*[\u4e00-\u9fff%]?[、和]", simp[start:end])], default=0)
    start += cut
    subject = text.orig[start:end].strip("，,、：: ")
    if not subject:
        after = re.match(r"[^，,。；;、]*", simp[q.end:clause.end]).group(0)
        subject = text.orig[q.end:q.end + len(after)].strip()
        return subject, q.end
    return subject, start


def _product(products: list[Match], s_start: int, q: Quantity, clause: Span) -> Match | None:
    inside = [p for p in products if s_start <= p.start and p.end <= q.start]
    if inside:
        return inside[-1]
    after = [p for p in products if q.end <= p.start <= q.end + 4 and p.end <= clause.end]
    return after[0] if after else None


def _year(simp: str, seg: Span, q: Quantity) -> int | None:
    years = [int(m.group(1)) for m in re.finditer(r"(?<![比较与同])((?:19|20)\d\d)\s*年", simp[seg.start:q.start])]
    return years[-1] if years else None
