"""Firms, plants and institutions, and the project statements that say what they make.

Three ways a name is found, tried in this order over the whole text:

1. a name ending in an organisation suffix (公司, 集团, 电厂, 研究院, 中试基地 …); the name starts
   after the last verb or function word in front of it (重点支持, 包括, 和 …);
2. the items of a list that ends in 等企业 / 等公司 / 等单位 (`确定神华乌海能源、海化、君正等企业`);
3. the head of an item of a project list (`重点支持陕汽5万辆液化气重型卡车、唐山神州200台/年洗煤机`):
   a short name followed by a figure or a product, in a sentence that supports or builds projects.

Short forms are the name without its company suffix (`华清公司` -> `华清`). A project statement is a
firm followed by quantities paired with products (`年产23万吨液化天然气、6.12万吨轻质燃油`, or
product first: `年产氯氧化锆10万吨`), or by a product alone (`赛马公司二期水泥`); firms listed before
a product share it (`京海、黄河工贸和赛马的水泥`). The status comes from the sentence's verbs
(`common.status_of`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import units
from .common import Evidence, status_of, year_of
from .lexicon import Lexicon, Match
from .quantities import Quantity, find_quantities
from .text import Span, Text, between, clauses

__all__ = ["Firm", "Fact", "find_firms"]

# longest first; (suffix, kind, is a company suffix whose removal gives a short form)
SUFFIXES = (
    ("股份有限公司", "firm", True), ("有限责任公司", "firm", True), ("集团有限公司", "firm", True),
    ("有限公司", "firm", True), ("集团公司", "firm", True), ("集团", "firm", True), ("公司", "firm", True),
    ("自备电厂", "plant", False), ("热电厂", "plant", False), ("发电厂", "plant", False),
    ("电厂", "plant", False), ("总厂", "plant", False), ("分厂", "plant", False),
    ("研究院", "research", False), ("研究所", "research", False), ("研究中心", "research", False),
    ("中试基地", "research", False), ("中试平台", "research", False), ("实验室", "research", False),
    ("工程技术中心", "research", False), ("大学", "research", False), ("学院", "research", False),
)
_SUFFIX_RE = re.compile("|".join(re.escape(s) for s, _, _ in SUFFIXES))
_SUFFIX = {s: (kind, short) for s, kind, short in SUFFIXES}
# a plant suffix says what the plant makes when the text does not
IMPLIED_PRODUCT = {"自备电厂": "电力", "热电厂": "电力", "发电厂": "电力", "电厂": "电力"}

# words a name never starts with; cut the name after the last of them
STOP_WORDS = sorted((
    "重点支持", "支持", "扶持", "推进", "促进", "鼓励", "引进", "引导", "确定", "包括", "依托", "加快", "确保",
    "推动", "配合", "做好", "积极为", "积极", "进一步", "重点", "以及", "同时", "组建", "成立", "落户",
    "入驻", "投资", "合作", "联合", "其中", "建设", "建成", "新建", "扩建", "实施", "发挥", "围绕", "依靠",
    "为", "对", "和", "与", "及", "同", "由", "把", "将", "使", "让", "在", "是", "的", "了", "等", "以",
    "向", "从", "如", "即", "并", "或", "给", "开工", "新开工", "竣工", "投产", "签约", "重点推进", "帮助", "服务", "督促", "要求", "争取", "使用", "利用",
), key=len, reverse=True)
_STOP_RE = re.compile("|".join(re.escape(w) for w in STOP_WORDS))
GENERIC_START = (
    "多个", "一批", "各", "大型", "中小", "微型", "单独", "现有", "新建", "重点", "骨干", "优势", "国有", "民营",
    "外资", "地方", "全市", "全区", "全县", "全省", "我市", "我县", "我区", "本地", "相关", "有关", "上述", "这些",
    "其他", "其它", "下游", "上游", "龙头", "配套", "关联", "规模以上", "规上", "一", "两", "二", "三", "几",
    "若干", "部分", "新型", "传统", "高新", "科技型", "成长型", "示范", "试点", "产业", "企业", "省级", "市级",
    "国家", "自治区", "区域", "该", "本", "每", "所有", "全部", "有实力", "有条件",
)
GENERIC_WORDS = ("企业", "产业", "行业", "项目", "工程", "基地", "园区", "集群", "平台", "中心", "体系", "机制",
                 "能力", "水平", "规模", "产能", "总量", "市场", "发展", "建设", "利用", "管理", "服务", "生产",
                 "政策", "资金", "技术", "信息", "财务", "结算", "资源", "能源", "工业", "经济", "节能")
# verbs and words that make a piece of text a phrase, not a name (for bare names only)
PHRASE_CHARS = set("的了是在对把被将使让从向按以为于而并或与及")
PHRASE_WORDS = ("筛选", "年内", "当年", "全年", "每年", "完善", "延伸", "增加", "调整", "落实", "改善", "监督", "引导", "建立", "选择", "发挥", "实施",
                "加强", "扩大", "继续", "不断", "严格", "全面", "积极", "大力", "努力", "进一步", "做大", "做强",
                "结构", "基础", "设施", "重大", "经验", "质量", "投资", "税收", "用地", "信贷", "运输", "保护",
                "外包", "协作", "升级", "转换", "设备", "门类", "品种", "能耗", "环保", "循环", "清洁", "高效",
                "单独", "不再", "全国", "重要", "国家", "自治区", "做法", "额", "市场", "流程", "业务", "平衡",
                "发展", "建设", "鼓励", "推进", "加快", "提高", "实现", "形成", "利用", "开发", "生产", "引进",
                "培育", "打造", "围绕", "依托", "支持", "扶持", "确保", "完成", "达到", "争取", "力争", "加大",
                "推广", "淘汰", "控制", "提升", "优化", "配合", "做好", "抓好", "带动", "新增", "重点", "项目",
                "产业", "企业", "工程", "利用", "系列", "产品", "装置", "工作", "改造", "整合", "要求", "推动")
NOT_CAPACITY = {"count", "person", "CNY", "%"}  # base units that are never a production capacity
SUPPORT_WORDS = ("支持", "扶持", "项目", "引进", "建设", "投产", "建成", "达产", "开工", "在建", "签约", "落户")
# filler between a firm and what it makes
FILLER = re.compile(r"(年产|年产能|年生产|规模|一期|二期|三期|四期|扩能|新建|扩建|建设|技改|配套|的|等|公司|各)*")
# what a proposed product name really is (`1000万吨矿井`: a mine's capacity is coal)
MADE_BY = {"矿井": "原煤", "煤矿": "原煤", "露天矿": "原煤", "机组": "电力", "电站": "电力", "电厂": "电力",
           "风电": "电力", "光伏发电": "电力", "水电": "电力", "火电": "电力", "热电": "电力"}
_ITEM_SPLIT = re.compile(r"[、和及与]|(?<!\d)[，,]|[，,](?!\d)")
# industry words a firm's short name often ends in: what stays in front must be a proper name
INDUSTRY_TAILS = sorted(("精细化工", "氯碱化工", "煤化工", "化工", "新材料", "材料", "新能源", "能源", "新医药",
                         "医药", "建材", "冶金", "装备", "物流", "钢铁", "电力", "煤业", "矿业", "实业", "科技",
                         "工贸", "商贸", "制造", "机械", "电子", "电器", "纺织", "食品"), key=len, reverse=True)
PLACE_WORDS = ("园区", "开发区", "工业园", "产业园", "基地", "示范区", "集中区", "工业区")
SUPPORT_LEAD = re.compile(r"\s*(重点支持|重点扶持|支持|扶持|引进|重点引进|加快建设|重点建设)")
ITEM_LEAD = re.compile(r"(投资\d+(?:\.\d+)?(?:亿|万)?元的|总投资\d+(?:\.\d+)?(?:亿|万)?元的|其中|争取|扎实抓好|扎实推进|全力推进|大力推进|积极推进|着力|重点推进|重点支持|重点扶持|重点抓好|抓好|协调落实|落实|要确保|确保|力争|加快推进|加快|推进|支持|扶持|"
                       r"引进|重点|同时|以及|并|和|及|与)+")
PROJECT_MARK = re.compile(r"项目|系列|一期|二期|三期|扩能|技改|年产")
NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z·]+\Z")
_NAME_OR_BRACKET = re.compile(r"[\u4e00-\u9fffA-Za-z·（）()]")


@dataclass
class Firm:
    name: str  # as written (original script)
    key: str  # simplified
    kind: str
    start: int
    end: int
    text: str
    aliases: set[str] = field(default_factory=set)  # simplified short forms
    parent: str | None = None  # key of the parent
    evidence: Evidence = field(default_factory=Evidence)
    how: str = ""


@dataclass
class Fact:
    firm: str  # firm key
    product: Match | None  # None: a proposed product, in `proposed`
    proposed: tuple[int, int] | None  # span of a proposed product name
    quantity: Quantity | None
    status: str
    status_word: str | None
    year: int | None
    project: str
    source: tuple[int, int]  # span of the quote
    text: str
    evidence: Evidence = field(default_factory=Evidence)


def _name_start(simp: str, end: int, floor: int, suffix_len: int, hard: set[int]) -> int | None:
    """Where the name ending at `end` starts: after the last stop word leaving >= 2 characters."""
    start = end - suffix_len
    while (start > floor and _NAME_OR_BRACKET.match(simp[start - 1]) and start - 1 not in hard
           and end - start < 24):
        start -= 1
    # brackets only inside a name (`江苏索普(集团)有限公司`), balanced
    while start < end and simp[start] in "（()）":
        start += 1
    piece = simp[start:end - suffix_len]
    cuts = [m.end() for m in _STOP_RE.finditer(piece)]
    for cut in sorted(set(cuts), reverse=True):
        # `泰和化工公司` after 建设: a cut after 和 would leave only an industry word
        if len(_core(piece[cut:])) >= 2:
            return start + cut
    if cuts and len(piece) - max(cuts) < 2 and not any(len(piece) - c >= 2 for c in cuts):
        return start + max(cuts)  # too short: rejected by the caller
    return start


def _core(name: str) -> str:
    """`name` without the industry word it ends in (`东信精细化工` -> `东信`)."""
    for tail in INDUSTRY_TAILS:
        if name.endswith(tail):
            return name[:-len(tail)]
    return name


def _generic(prefix: str, lexicon: Lexicon) -> str | None:
    """Why `prefix` (the name without its suffix) is not a proper name, or None."""
    if len(prefix) < 2:
        return "too short"
    if prefix.startswith(GENERIC_START):
        return "generic word"
    if any(w in prefix for w in GENERIC_WORDS) and not prefix.endswith(("能源", "工贸")):
        return "generic word"
    if any(w in prefix for w in ("我市", "我县", "我区", "本市", "本县", "全市")):
        return "generic word"
    if lexicon.get(prefix) is not None:
        return "a product"
    return None


def _bare_ok(head: str, lexicon: Lexicon) -> bool:
    if not (2 <= len(head) <= 8) or not NAME_CHARS.match(head):
        return False
    if any(c in PHRASE_CHARS for c in head) or any(w in head for w in PHRASE_WORDS):
        return False
    core = head
    for tail in INDUSTRY_TAILS:
        if core.endswith(tail):
            core = core[:-len(tail)]
            break
    if len(core) < 2 or len(core) > 6 or lexicon.get(core) is not None:
        return False
    return _generic(head, lexicon) is None


class _Registry:
    def __init__(self, text: Text, lexicon: Lexicon, home: str):
        self.text, self.lexicon, self.home = text, lexicon, home
        self.firms: dict[str, Firm] = {}
        self.names: dict[str, str] = {}  # simplified name or alias -> firm key

    def add(self, start: int, end: int, kind: str, how: str, evidence: Evidence,
            short: str | None = None) -> Firm:
        key = self.text.simp[start:end]
        firm = self.firms.get(self.names.get(key, key))
        if firm is None:
            firm = Firm(self.text.orig[start:end], key, kind, start, end, self._sentence(start, end),
                        evidence=evidence, how=how)
            self.firms[key] = firm
            self.names[key] = key
        for alias in (short, short and self.home and short.startswith(self.home) and short[len(self.home):]):
            if (alias and len(_core(alias)) >= 2 and not re.fullmatch(r".业", alias) and alias not in self.names
                    and self.lexicon.get(alias) is None):
                firm.aliases.add(alias)
                self.names[alias] = firm.key
        return firm

    def _sentence(self, start: int, end: int) -> str:
        return self.text.orig[start:end]

    def mentions(self) -> list[tuple[int, int, str]]:
        """Every occurrence of every name and short form, longest first, not overlapping."""
        simp, taken, out = self.text.simp, set(), []
        for name in sorted(self.names, key=len, reverse=True):
            for m in re.finditer(re.escape(name), simp):
                span = range(m.start(), m.end())
                if any(p in taken for p in span):
                    continue
                taken.update(span)
                out.append((m.start(), m.end(), self.names[name]))
        return sorted(out)


def find_firms(text: Text, lexicon: Lexicon, home: str = "") -> tuple[list[Firm], list[Fact]]:
    """All firms the text names and every project statement about them."""
    reg = _Registry(text, lexicon, home)
    simp = text.simp
    _suffix_names(reg, simp)
    _listed_names(reg, simp)
    facts: list[Fact] = []
    for _ in range(2):  # once to find bare names, once more so every mention of them counts
        facts = _statements(reg)
    facts += _table_rows(reg, {f.quantity.start for f in facts if f.quantity})
    return list(reg.firms.values()), facts


_CELL = re.compile(r"\s*[|｜\t]\s*")


def _table_rows(reg: _Registry, taken: set[int]) -> list[Fact]:
    """Rows of a table of projects (cells split by `|` or tabs): a firm named in the row, the row's
    first capacity figure, and the product named in the row (`内蒙古XX化工有限公司 | 甲醇项目 |
    年产60万吨 | 在建`)."""
    simp, lexicon = reg.text.simp, reg.lexicon
    out, pos = [], 0
    mentions = reg.mentions()
    for line in simp.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if len(_CELL.findall(line)) < 2:
            continue
        firms = [m for m in mentions if start <= m[0] < end]
        blocked = {p for m in firms for p in range(m[0], m[1])}
        qty = [q for q in find_quantities(simp[:end], blocked) if q.start >= start and q.start not in taken
               and units.base_of(q.unit) not in NOT_CAPACITY]
        products = lexicon.scan(simp, start, end, blocked=blocked)
        if len(firms) != 1 or not products:
            continue
        status, word = status_of(line)
        ev = Evidence(0.6, ["a row of a table: firm, figure and product in separate cells"])
        q = qty[0] if qty else None
        if q is None:
            ev.lower(0.1, "no figure")
        row = Span(start, end)
        out.append(_fact(reg, firms[0][2], q, [products[0]], row, status, word, year_of(line), ev))
    return out


def _suffix_names(reg: _Registry, simp: str) -> None:
    floor = 0
    hard = {p for q in find_quantities(simp) for p in range(q.start, q.end)}
    for m in _SUFFIX_RE.finditer(simp):
        suffix = m.group(0)
        kind, has_short = _SUFFIX[suffix]
        start = _name_start(simp, m.end(), floor, len(suffix), hard)
        prefix = simp[start:m.start()]
        plain = re.sub(r"[（(][^（()）]*[)）]", "", prefix)
        if (start is None or not NAME_CHARS.match(plain) or prefix.count("（") + prefix.count("(") != prefix.count(
                "）") + prefix.count(")")):
            continue
        why_not = _generic(plain, reg.lexicon)
        if why_not and not (kind == "research" and why_not == "generic word" and not plain.startswith(GENERIC_START)):
            continue  # institutions have long descriptive names: `中矿大煤基碳高附加值项目中试基地`
        ev = Evidence(0.9 if not why_not else 0.6, [f"name ends in {suffix}"] + (
            [f"a long name with a {why_not}"] if why_not else []))
        firm = reg.add(start, m.end(), kind, "suffix", ev, plain if has_short and plain == prefix else None)
        # `黄河工贸集团千里山钢铁公司`: a firm written right after another belongs to it
        for other in list(reg.firms.values()):
            if other.end == start and other is not firm and firm.parent is None:
                firm.parent = other.key
        floor = m.end()
    # `宜化自备电厂`: a plant named after a firm the text names belongs to it
    for firm in reg.firms.values():
        if firm.kind == "plant" and firm.parent is None:
            for other in reg.firms.values():
                owner_names = {other.key, *other.aliases}
                if other is not firm and any(firm.key.startswith(n) and len(n) < len(firm.key) - 1
                                             for n in owner_names):
                    firm.parent = other.key


def _listed_names(reg: _Registry, simp: str) -> None:
    for m in re.finditer(r"等(企业|公司|单位|厂家|龙头企业)", simp):
        left = m.start()
        begin = left
        while begin > 0 and (NAME_CHARS.match(simp[begin - 1]) or simp[begin - 1] in "、"):
            begin -= 1
        piece = simp[begin:left]
        cut = max((s.end() for s in _STOP_RE.finditer(piece.split("、")[0])), default=0)
        begin += cut
        pos = begin
        for item in simp[begin:left].split("、"):
            known = item in reg.names or any(item.endswith(n) for n in reg.names) or _SUFFIX_RE.search(item)
            if item and not known and _bare_ok(item, reg.lexicon):
                reg.add(pos, pos + len(item), "firm", "list", Evidence(0.7, [f"listed before {m.group(0)}"]))
            pos += len(item) + 1


def _statements(reg: _Registry) -> list[Fact]:
    text, lexicon, simp = reg.text, reg.lexicon, reg.text.simp
    mentions = reg.mentions()
    blocked = {p for s, e, _ in mentions for p in range(s, e)}
    products = lexicon.scan(simp, blocked=blocked)
    in_products = {i for p in products for i in range(p.start, p.end)}
    quantities = [q for q in find_quantities(simp) if q.start not in in_products and q.start not in blocked]
    p_starts, q_starts, m_starts = [p.start for p in products], [q.start for q in quantities], [m[0] for m in mentions]
    facts: list[Fact] = []
    for seg in text.segments:
        seg_text = simp[seg.start:seg.end]
        # outside a sentence about projects only `firm + figure + product` counts (a table row
        # `伊泰200万吨煤制油` under a heading, a statement of what a firm already makes)
        strict = not any(w in seg_text for w in SUPPORT_WORDS)
        status, word = status_of(seg_text)
        year = year_of(seg_text) or (None if "年内" not in seg_text else -1)
        seg_products = between(products, p_starts, seg.start, seg.end)
        seg_qty = between(quantities, q_starts, seg.start, seg.end)
        seg_mentions = between(mentions, m_starts, seg.start, seg.end)
        carry = None
        for clause in clauses(simp, seg):
            # `华北能源集团：年产120万吨焦炭`: a firm before a colon owns the clause after it
            if not (clause.start > 0 and simp[clause.start - 1] in "：:"):
                carry = None
            made, carry = _clause_facts(reg, clause, seg, seg_text, seg_products, seg_qty, seg_mentions,
                                        status, word, year, blocked, carry, strict)
            facts += made
    return facts


def _items(simp: str, clause: Span, protected: set[int]) -> list[Span]:
    out, start = [], clause.start
    for m in _ITEM_SPLIT.finditer(simp, clause.start, clause.end):
        if m.start() in protected:
            continue
        out.append(Span(start, m.start()))
        start = m.end()
    out.append(Span(start, clause.end))
    return [s for s in out if s.end > s.start]


def _clause_facts(reg, clause, seg, seg_text, products, quantities, mentions, status, word, year, blocked,
                  carry=None, strict=False):
    simp, lexicon = reg.text.simp, reg.lexicon
    protected = blocked | {p for m in products for p in range(m.start, m.end)}
    facts: list[Fact] = []
    pending: list[tuple[str, Evidence]] = []  # firms listed before the product they share
    current: str | None = carry
    support = bool(SUPPORT_LEAD.match(simp, clause.start))
    group_start = None  # where the list of firms sharing a product starts
    own_status, own_word = status_of(simp[clause.start:clause.end])
    if own_word is not None:  # `…项目建成投产，…项目竣工`: the clause's own verb first
        status, word = own_status, own_word
    for item in _items(simp, clause, protected):
        firm, head_end, ev = _item_firm(reg, item, products, quantities, mentions, support and not strict, strict)
        if strict and firm is not None and firm.startswith("?"):
            firm = None
        closes = simp.startswith("等", head_end)  # `A、B、C等焦化项目`: the list ends here
        if firm is None and current is None:
            pending = []
            continue
        if firm is not None and firm.startswith("?"):
            if simp.startswith("等", head_end) and support:  # `大连重工、海晨等制造项目`
                for other, other_ev in pending + [(firm, ev)]:
                    _resolve(reg, other, other_ev)
                pending = []
            else:
                group_start = item.start if not pending else group_start
                pending.append((firm, ev))
            continue
        if firm is not None:
            current = firm
        made = _item_facts(reg, item, current, head_end, products, quantities, seg, status, word, year,
                           ev if firm else Evidence(0.8, ["firm named earlier in the sentence"]), mentions)
        if firm is None and not _continues(simp, item, products, quantities):
            made = []  # `伊泰200万吨煤制油、神华二期300万吨…`: an unknown name is not the previous firm
        if strict:
            made = [f for f in made if f.quantity is not None]
            for f in made:
                f.evidence.lower(0.1, "not in a sentence about projects")
        if firm is not None and not made and head_end >= item.end - 1:
            group_start = item.start if not pending else group_start
            pending.append((firm, ev))  # a bare list item: `中润镁业、家景公司金属镁`
            continue
        if firm is not None and not made and closes:
            pending = []  # `大连重工、海晨等制造项目`: firms, but nothing they make is named
            continue
        if firm is not None and not made:
            tail = simp[head_end:item.end]
            implied = [s for s in IMPLIED_PRODUCT if reg.firms[firm].key.endswith(s)]
            if implied and not _items_rest_has_product(tail, lexicon):
                facts += [_fact(reg, _resolve(reg, f, e), None, lexicon.scan(IMPLIED_PRODUCT[implied[0]]), item,
                                status, word, year, e, implied=implied[0]) for f, e in pending + [(firm, ev)]]
                pending = []
            continue
        if made and pending:
            each = simp.startswith("各", head_end)  # `佳昌和盛华各10万吨精密铸件`: the same for each
            shared = [f for f in made if f.quantity is None or each]
            for other, other_ev in pending:
                other = _resolve(reg, other, other_ev)
                for f in shared:
                    span = (min(group_start, f.source[0]), f.source[1])
                    copy = Fact(other, f.product, f.proposed, f.quantity if each else None, f.status, f.status_word,
                                f.year, f.project,
                                span, reg.text.orig[span[0]:span[1]], Evidence(other_ev.confidence - 0.1,
                                                           other_ev.why + ["shares the product of the next item"]))
                    facts.append(copy)
            pending = []
        facts += made
    # a list that ends without a product (`大连重工、海晨等制造项目`): the firms stand, facts none
    return facts, current


def _continues(simp: str, item: Span, products, quantities) -> bool:
    """An item without a name of its own goes on with the firm before it when it starts with a
    figure (`、6.12万吨轻质燃油`) or with a product and its figure (`、氢气1.2亿标立方`)."""
    lead = re.compile(r"\s*(规划|计划|拟|新建|扩建|续建|建设|开工|建成|配套|以及|和|及)*(年产能|年产|年生产)?")
    start = lead.match(simp, item.start).end()
    if re.match(r"\d", simp[start:start + 1]):
        return True
    first = next((p for p in products if p.start == start), None)
    return first is not None and any(q.start == first.end for q in quantities)


def _quantity_end(quantities, pos: int) -> int:
    return next((q.end for q in quantities if q.start == pos), pos)


def _resolve(reg, firm: str, ev: Evidence) -> str:
    """The key of a firm, registering a name that was only a candidate (`?start:end`)."""
    if not firm.startswith("?"):
        return firm
    start, end = (int(x) for x in firm[1:].split(":"))
    reg.add(start, end, "firm", "list", ev)
    return reg.names[reg.text.simp[start:end]]


def _implied(reg, firm: str, q: Quantity) -> Match | None:
    name = reg.firms[firm].key if firm in reg.firms else ""
    for suffix, product in IMPLIED_PRODUCT.items():
        entry = reg.lexicon.get(product)
        if name.endswith(suffix) and entry is not None and units.base_of(q.unit) == "kW":
            return Match(-1, -1, entry, product)
    return None


def _figure_at(pos: int, products, quantities) -> bool:
    return any(q.start == pos for q in quantities) or any(p.start == pos for p in products)


def _items_rest_has_product(tail: str, lexicon: Lexicon) -> bool:
    return bool(lexicon.scan(tail))


def _item_firm(reg, item, products, quantities, mentions, support, strict=False):
    """(firm key, end of the name, evidence) for an item, or (None, item.start, None)."""
    simp, lexicon = reg.text.simp, reg.lexicon
    inside = [m for m in mentions if item.start <= m[0] < item.end]
    first_token = min([p.start for p in products if item.start <= p.start < item.end]
                      + [q.start for q in quantities if item.start <= q.start < item.end] + [item.end])
    if inside and inside[0][0] <= first_token:
        # the last of adjacent names is the firm (`黄河工贸集团千里山钢铁公司`)
        chosen = inside[0]
        for m in inside[1:]:
            if m[0] == chosen[1] and m[0] <= first_token:
                chosen = m
        firm = reg.firms[chosen[2]]
        end = chosen[1]
        following = [p for p in products if p.start == end]
        name = simp[chosen[0]:end]
        if name != firm.key and len(name) <= 2 and following and _figure_at(following[0].end, products, quantities):
            # `蓝星玻璃15兆瓦…` after `蓝星集团`: the short form and a trade name a member firm
            sub = reg.add(chosen[0], following[0].end, "firm", "item",
                          Evidence(0.6, [f"short form of {firm.name} with a trade: a member firm"]))
            sub.parent = sub.parent or firm.key
            return sub.key, following[0].end, Evidence(0.6, list(sub.evidence.why))
        return firm.key, end, Evidence(firm.evidence.confidence, list(firm.evidence.why))
    # a bare name: the text before the first product or figure, after the leading verb
    start = item.start
    lead = ITEM_LEAD.match(simp, start, item.end)
    if lead:
        start = lead.end()
    first_token = min([p.start for p in products if start <= p.start < item.end]
                      + [q.start for q in quantities if start <= q.start < item.end] + [item.end])
    head = simp[start:first_token]
    head = re.split(r"年产|年产能|规模|一期|二期|三期|扩能|等|的|项目|各$", head)[0]
    item_text = simp[item.start:item.end]
    if not _bare_ok(head, lexicon) or any(w in item_text for w in PLACE_WORDS):
        return None, item.start, None
    end = start + len(head)
    following = [p for p in products if p.start == end]
    if len(head) <= 2 and following and _figure_at(following[0].end, products, quantities):
        end = following[0].end  # `蓝星玻璃15兆瓦…`: a two-character brand and its trade are the name
    rest = simp[end:item.end]
    figure_pos = FILLER.match(simp, end).end()  # `神华二期300万吨…`, `伊泰年产…`
    figure = _figure_at(figure_pos, [], [q for q in quantities if units.base_of(q.unit) not in NOT_CAPACITY])
    if strict and not (figure and (_run_after(_quantity_end(quantities, figure_pos), products, simp)
                                   or _proposed_name(simp, _quantity_end(quantities, figure_pos), item.end))):
        return None, item.start, None
    if figure:
        ev = Evidence(0.7, ["short name followed by a figure"])
    elif any(end <= p.start < item.end for p in products) and (support or PROJECT_MARK.search(item_text)):
        ev = Evidence(0.6, ["short name followed by a product in a project list"])
    elif first_token >= item.end and (rest.startswith("等") or rest == ""):
        # only a name: kept if the list it stands in ends with something the firms make
        return f"?{start}:{end}", end, Evidence(0.55, ["short name in a list of firms"])
    else:
        return None, item.start, None
    reg.add(start, end, "firm", "item", ev)
    return reg.names[simp[start:end]], end, ev


def _item_facts(reg, item, firm, head_end, products, quantities, seg, status, word, year, ev,
                mentions) -> list[Fact]:
    simp, lexicon = reg.text.simp, reg.lexicon
    facts = []
    own = firm
    item_qty = [q for q in quantities if head_end <= q.start < item.end]
    item_products = [p for p in products if head_end <= p.start < item.end]
    used: set[int] = set()
    for q in item_qty:
        if units.base_of(q.unit) in NOT_CAPACITY:
            continue  # `筛选3—5户`, `投资50亿元`: counts, money and shares are not what a plant makes
        # `和顺公司1.3亿块双清公司3亿块`: a figure belongs to the last firm named before it
        before_q = [m for m in mentions if head_end <= m[0] and m[1] <= q.start]
        firm = before_q[-1][2] if before_q else own
        after = _run_after(q.end, item_products, simp)
        before = [p for p in item_products if p.end == q.start and id(p) not in used]
        e = Evidence(ev.confidence, list(ev.why))
        single = lexicon.get(simp[q.end]) if q.end < item.end and (
            q.end + 1 >= item.end or not NAME_CHARS.match(simp[q.end + 1])) else None
        whole = _longer_name(simp, after[-1].end, item.end) if after else None
        if after and whole is not None:
            # `10万吨陶瓷粉体材料`: the name goes on past the product it starts with
            e.lower(0.35, "product not in the lexicon: proposed")
            facts.append(_fact(reg, firm, q, None, item, status, word, year, e, proposed=(q.end, whole)))
            continue
        if after:
            product = after[-1]
            used.update(id(p) for p in after)
        elif single is not None:
            product = Match(q.end, q.end + 1, single, simp[q.end])
        elif (modified := _after_modifier(simp, q.end, item, item_products)) is not None:
            product = modified  # `10万吨精密铸件`: a product with a word in front
            e.lower(0.1, f"{simp[q.end:modified.end]} read as {modified.entry.name_zh}")
        elif before:
            product = before[-1]
            used.add(id(product))
        elif (implied := _implied(reg, firm, q)) is not None:
            product = implied  # `京海电厂2×30万千瓦机组`: a power plant's figure is power
            e.lower(0.15, "product read from the plant's name")
        else:
            product = _borrow(q, quantities, products, seg, simp)
            if product is not None:
                e.lower(0.2, f"figure without a product; product of the next figure ({product.name})")
            else:
                proposed = _proposed_name(simp, q.end, item.end)
                if proposed is None:
                    continue
                made_by = next((lexicon.get(p) for w, p in MADE_BY.items()
                                if simp[proposed[0]:proposed[1]].endswith(w)), None)
                if made_by is not None:
                    e.lower(0.15, f"{simp[proposed[0]:proposed[1]]} read as {made_by.name_zh}")
                    facts.append(_fact(reg, firm, q, [Match(-1, -1, made_by, made_by.name_zh)], item, status,
                                       word, year, e))
                    continue
                e.lower(0.35, "product not in the lexicon: proposed")
                facts.append(_fact(reg, firm, q, None, item, status, word, year, e, proposed=proposed))
                continue
        facts.append(_fact(reg, firm, q, [product], item, status, word, year, e))
    if facts:
        return facts
    run = _run_after(head_end, item_products, simp, slack=True)
    if run:
        e = Evidence(ev.confidence - 0.1, list(ev.why) + ["no figure"])
        facts.append(_fact(reg, firm, None, [run[-1]], item, status, word, year, e))
    return facts


def _run_after(pos: int, products: list[Match], simp: str, slack: bool = False) -> list[Match]:
    """Products that start right at `pos` (after `/` or filler when `slack`), each next one at most two
    characters after the previous: `太阳能电池用直拉硅棒切片` -> the last is what is made."""
    if simp.startswith("/", pos):
        pos += 1
    if slack:
        pos += FILLER.match(simp, pos).end() - pos
    run = []
    for p in sorted(products, key=lambda p: p.start):
        if p.start < pos:
            continue
        if p.start - pos > (0 if not run else 2):
            break
        if run and re.search(r"[、，,和及与等]", simp[pos:p.start]):
            break
        run.append(p)
        pos = p.end
    return run


_TAIL_OK = re.compile(r"系列|产品|装置|生产线|扩能|技改|改造|节能|环保|项目|工程|基地|生产|制品|深加工|二期|一期|三期")


def _longer_name(simp: str, pos: int, end: int) -> int | None:
    """Where a product name that goes on after a known product ends, or None (`陶瓷|粉体材料`)."""
    m = _PROPOSED_STOP.search(simp, pos, end)
    stop = m.start() if m else end
    tail = simp[pos:stop]
    if len(tail) >= 2 and NAME_CHARS.match(tail) and not _TAIL_OK.match(tail) and not _NOT_A_PRODUCT.search(tail):
        return stop
    return None


def _after_modifier(simp: str, pos: int, item: Span, products: list[Match]) -> Match | None:
    """A product one to three characters after `pos` that ends the name (`精密铸件`, `高纯多晶硅`)."""
    for p in products:
        if 1 <= p.start - pos <= 3 and NAME_CHARS.match(simp[pos:p.start]) and _PROPOSED_STOP.match(simp, p.end):
            return p
    return None


def _borrow(q: Quantity, quantities, products, seg, simp) -> Match | None:
    base = units.base_of(q.unit)
    for other in quantities:
        if other.start > q.start and units.base_of(other.unit) == base and seg.start <= other.start < seg.end:
            run = _run_after(other.end, products, simp)
            if run:
                return run[-1]
    return None


_NOT_A_PRODUCT = re.compile(r"机组|能力|规模|产能|左右|以上|以内|以下|目标|总量|发展|建设|推进|加快|实施|改造|扩能|"
                            r"技改|利用|达到|完成|实现|提高|新增|企业|产业|园区|基地|工作|的")
_PROPOSED_STOP = re.compile(r"项目|生产线|装置|工程|系列|等|及|和|、|，|,|。|；|\d|配套|年内|年底|尽快|要|将|在|于|$")


def _proposed_name(simp: str, start: int, end: int) -> tuple[int, int] | None:
    m = _PROPOSED_STOP.search(simp, start, end)
    stop = m.start() if m else end
    name = simp[start:stop]
    if (2 <= len(name) <= 10 and NAME_CHARS.match(name) and not _NOT_A_PRODUCT.search(name)):
        return start, stop
    return None


def _fact(reg, firm, q, run, item, status, word, year, ev, proposed=None, implied=None) -> Fact:
    text = reg.text
    product = run[-1] if run else None
    if implied:
        ev = Evidence(ev.confidence - 0.2, list(ev.why) + [f"product read from the plant's name ({implied})"])
        product = Match(-1, -1, product.entry, product.name) if product else None
    start, end = item.start, item.end
    lead = re.match(r"(重点支持|支持|扶持|确保|加快|推进|引进|进一步|重点)+", text.simp[start:end])
    if lead:
        start += lead.end()
    if word is None:
        ev = Evidence(ev.confidence - 0.15, list(ev.why) + ["no status verb: building assumed"])
    else:
        ev.note(f"status from {word}")
    if year == -1:  # 年内: the caller fills in the document's year
        ev.note("年内: this year")
    phase = re.search(r"[一二三四五]期", text.simp[item.start:item.end])
    project = text.orig[item.start + phase.start():item.start + phase.end()] if phase else ""
    return Fact(firm, product, proposed, q, status, word, year, project, (start, end), text.orig[start:end], ev)
