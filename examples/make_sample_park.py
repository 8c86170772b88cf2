"""Generate the shipped sample park: two quarters of answer files for fictional firms.

    python examples/make_sample_park.py [--questionnaire questionnaires/park_quick_scan.yaml]
                                        [--out examples/sample_park]

The firms below are fictional. Each has a latent digital maturity in [0, 1] for 2026Q2, a profile
that moves some dimensions away from it (aware but without talent, heavily paper-dependent, ...)
and a change to 2026Q3 (most improve a little, a cloud ERP rollout lifts a few a lot, a couple fall
back, a few stay put). Every answer is derived from the firm's maturity in the question's dimension
plus small noise, for ANY questionnaire in the dtm format: the script walks `q.questions()` and the
choices, bands and maps it finds there, leaves computed questions to the engine and drops answers
to questions that skip logic hides.

All randomness comes from `random.Random` seeded by strings built from SEED, the firm and the
question, so a re-run writes byte-identical files, and a firm's answer to a question only changes
between quarters when its maturity does.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import math
import os
import random
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from assessment import load_questionnaire, resources
from assessment.engine import expr
from assessment.engine.loader import check_file, plan_of
from assessment.engine.plan import raw_value, work_out
from assessment.engine.scoring import earned_points, max_points
from assessment.files.atomic import write_atomic
from assessment.models.answers import NOT_APPLICABLE, UNKNOWN, Answer
from assessment.models.credit_code import ALPHABET, make
from assessment.models.questionnaire import Band, Choice, Dimension, Question, Questionnaire

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260401
PARK = "苏州吴淞江科技产业园"
CODE_PREFIX = "91320594MA1"
PERIODS = ("2026Q2", "2026Q3")
QUARTER_START = {"2026Q2": date(2026, 4, 1), "2026Q3": date(2026, 7, 1)}
ASSESSORS = ("王建国", "李慧敏", "张晓峰", "陈思远", "刘婷")

# Dimension families the profiles and changes talk about, found by words in a dimension's id or
# English label; a dimension matching none of them is "other".
FAMILIES: dict[str, tuple[str, ...]] = {
    "awareness": ("aware", "strategy", "leadership", "mindset", "cognition"),
    "investment": ("invest", "fund", "budget", "spend"),
    "talent": ("talent", "skill", "people", "staff", "human", "training"),
    "paper": ("paper", "ledger", "manual"),
    "infrastructure": ("infra", "device", "equipment", "network", "hardware", "connect"),
    "systems": ("system", "business", "application", "software", "operation", "process"),
}

# How a profile moves a family away from the firm's latent maturity.
PROFILES: dict[str, dict[str, float]] = {
    "balanced": {},
    "paper_heavy": {"paper": -0.25, "systems": -0.1},
    "aware_no_talent": {"awareness": 0.25, "talent": -0.3},
    "invest_no_talent": {"investment": 0.2, "talent": -0.25},
    "hardware_first": {"infrastructure": 0.2, "systems": -0.1, "paper": -0.05},
    "systems_first": {"systems": 0.15, "paper": 0.15, "infrastructure": -0.15},
    "cautious_owner": {"awareness": -0.2, "investment": -0.2},
}

# How a change of kind K with size d moves each family from 2026Q2 to 2026Q3 (times d).
CHANGES: dict[str, dict[str, float]] = {
    "steady": {},
    "small": {"*": 1.0},
    "cloud_erp": {
        "paper": 1.0,
        "systems": 1.0,
        "investment": 0.6,
        "awareness": 0.4,
        "talent": 0.3,
        "infrastructure": 0.3,
        "other": 0.5,
    },
    "connectivity": {"infrastructure": 1.0, "systems": 0.5, "investment": 0.5, "*": 0.2},
    "fallback": {"talent": 1.5, "*": 1.0},
}


@dataclass(frozen=True)
class FirmSpec:
    """One fictional firm: who it is, how mature it is, and how that changes."""

    name: str
    industry: str
    employees: int
    revenue: float  # 万元 a year
    code6: str  # the six characters after CODE_PREFIX
    maturity: float  # latent, 2026Q2
    profile: str = "balanced"
    change: str = "small"
    delta: float = 0.05
    quirks: tuple[str, ...] = ()

    @property
    def credit_code(self) -> str:
        return make(CODE_PREFIX + self.code6)


# fmt: off
FIRMS: tuple[FirmSpec, ...] = (
    # metal processing: hand-kept books are common
    FirmSpec("苏州恒锐精密金属制品有限公司", "metal_processing", 38, 2300, "A3K7R2", 0.18,
             "paper_heavy", "small", 0.02),
    FirmSpec("苏州吴淞五金冲压有限公司", "metal_processing", 15, 780, "B8N2P5", 0.12,
             "paper_heavy", "steady", 0.0, ("na",)),
    FirmSpec("苏州鑫泰钣金加工有限公司", "metal_processing", 62, 4100, "C4M9T1", 0.34,
             "cautious_owner", "small", 0.03, ("unknown_q2",)),
    FirmSpec("苏州联拓铝业科技有限公司", "metal_processing", 210, 21500, "D6H3W8", 0.48,
             "hardware_first", "small", 0.04),
    FirmSpec("苏州博川精工紧固件有限公司", "metal_processing", 95, 7600, "E2Q5X7", 0.24,
             "paper_heavy", "cloud_erp", 0.3),
    # electronic information
    FirmSpec("苏州芯睿微电子科技有限公司", "electronic_information", 320, 52000, "F7L4U3",
             0.80, "balanced", "small", 0.02),
    FirmSpec("苏州云翎智能电子有限公司", "electronic_information", 140, 16800, "G5J8Y2", 0.50,
             "aware_no_talent", "small", 0.04, ("unknown",)),
    FirmSpec("苏州启衡电路板有限公司", "electronic_information", 480, 61000, "H3R6K9", 0.66,
             "hardware_first", "connectivity", 0.12),
    FirmSpec("苏州澜拓通信器件有限公司", "electronic_information", 75, 9200, "J9T2N4", 0.42,
             "systems_first", "steady", 0.0),
    FirmSpec("苏州鼎微电子元件有限公司", "electronic_information", 28, 1900, "K4W7M6", 0.20,
             "invest_no_talent", "small", 0.02),
    # new-energy vehicle parts
    FirmSpec("苏州驰远新能源汽车零部件有限公司", "nev_parts", 900, 138000, "L2X5H8", 0.86,
             "balanced", "small", 0.02),
    FirmSpec("苏州凯捷汽车电子有限公司", "nev_parts", 260, 34500, "M8U3Q1", 0.70,
             "systems_first", "small", 0.03),
    FirmSpec("苏州锐驰电机部件有限公司", "nev_parts", 130, 14200, "N6Y9D4", 0.45,
             "invest_no_talent", "small", 0.03),
    FirmSpec("苏州恒动精密压铸有限公司", "nev_parts", 380, 41000, "P3C7F2", 0.52,
             "paper_heavy", "cloud_erp", 0.25),
    FirmSpec("苏州华骋线束科技有限公司", "nev_parts", 55, 3800, "Q7E4G9", 0.33,
             "balanced", "small", 0.04, ("na",)),
    # energy storage
    FirmSpec("苏州蓝储能源科技有限公司", "energy_storage", 170, 26000, "R5G2J7", 0.55,
             "aware_no_talent", "fallback", 0.07),
    FirmSpec("苏州晟能电池系统有限公司", "energy_storage", 560, 88000, "T4A8L3", 0.78,
             "hardware_first", "small", 0.02, ("new_assessor",)),
    FirmSpec("苏州科锂储能设备有限公司", "energy_storage", 48, 5200, "U9B6N2", 0.33,
             "aware_no_talent", "cloud_erp", 0.22),
    FirmSpec("苏州安澜电力储能有限公司", "energy_storage", 22, 1600, "W2D5P8", 0.15,
             "cautious_owner", "small", 0.03, ("unknown",)),
    # optoelectronics
    FirmSpec("苏州光驰光电科技有限公司", "optoelectronics", 110, 12500, "X8F3R5", 0.47,
             "balanced", "small", 0.03),
    FirmSpec("苏州明晶光学元件有限公司", "optoelectronics", 66, 5600, "Y3H7T9", 0.32,
             "paper_heavy", "fallback", 0.03),
    FirmSpec("苏州耀芯激光技术有限公司", "optoelectronics", 230, 31000, "A7J2U6", 0.74,
             "systems_first", "small", 0.04, ("new_assessor",)),
    FirmSpec("苏州辉映显示材料有限公司", "optoelectronics", 34, 2600, "B5K9W3", 0.22,
             "balanced", "steady", 0.0),
    # general machinery
    FirmSpec("苏州永固通用机械有限公司", "machinery", 18, 950, "C9L4X7", 0.13,
             "paper_heavy", "small", 0.02, ("na",)),
    FirmSpec("苏州德钧自动化装备有限公司", "machinery", 150, 19000, "D4M8Y2", 0.63,
             "invest_no_talent", "connectivity", 0.15),
    FirmSpec("苏州振华泵阀制造有限公司", "machinery", 85, 6900, "E8N3A5", 0.26,
             "paper_heavy", "small", 0.03, ("unknown_q2",)),
    FirmSpec("苏州精诚传动机械有限公司", "machinery", 290, 27500, "F3P7B9", 0.57,
             "balanced", "small", 0.04),
    FirmSpec("苏州汇力液压设备有限公司", "machinery", 44, 3300, "G7Q2C4", 0.42,
             "cautious_owner", "steady", 0.0),
)

# Registered in the park but not yet assessed (for coverage against the register).
UNASSESSED: tuple[tuple[str, str, int, str], ...] = (
    ("苏州森岚包装材料有限公司", "other", 40, "H2R8D6"),
    ("苏州旭川精密模具有限公司", "machinery", 72, "J6T4E9"),
)
# fmt: on

# Assessor's notes by the family of the question's dimension and the firm's maturity tier.
NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "awareness": {
        "low": ("由老板亲自把关，尚无专人负责", "负责人口头说明，暂无书面材料"),
        "mid": ("已有初步想法，尚未形成书面规划", "管理层意见不一，正在评估"),
        "high": ("已形成制度并每季度复盘", "总经理亲自牵头，年度目标写入经营计划"),
    },
    "investment": {
        "low": ("近两年无信息化专项投入", "资金优先用于设备更新"),
        "mid": ("今年已列入预算，服务商正在报价", "申请了园区数字化补贴"),
        "high": ("信息化投入单列预算，逐年增加", "已完成上一期项目验收"),
    },
    "talent": {
        "low": ("没有懂信息化的员工", "电脑和网络出问题找外面的人修"),
        "mid": ("有兼职 IT 人员，运维靠外包", "骨干员工参加过园区培训"),
        "high": ("设有信息部，并与高校合作培训", "关键岗位都有系统操作考核"),
    },
    "paper": {
        "low": ("主要靠手工台账和 Excel 登记", "车间记录仍写在纸质单据上，月底人工汇总"),
        "mid": ("财务已用软件，生产和仓库仍以表格为主", "部分单据电子化，签字仍走纸质"),
        "high": ("纸质单据已基本取消，仅保留签字件归档", "台账全部在系统中，现场可查"),
    },
    "infrastructure": {
        "low": ("设备以老旧单机为主，无联网接口", "办公网络与车间未连通"),
        "mid": ("部分关键设备已联网，数据人工导出", "车间已覆盖无线网络"),
        "high": ("主要设备已联网，数据实时上传平台", "机房与云平台有备份"),
    },
    "systems": {
        "low": ("仅用财务软件记账", "订单靠微信和电话传达"),
        "mid": ("部分车间已试点，尚未全面推广", "数据需人工导出后再汇总"),
        "high": ("系统数据已与财务打通", "现场演示了系统操作，数据实时可查"),
    },
    "other": {
        "low": ("负责人口头说明，暂无书面材料",),
        "mid": ("部分做到，尚未全面推广",),
        "high": ("现场查看，情况属实",),
    },
}
NUMBER_NOTES: dict[str, tuple[str, ...]] = {
    "money": ("按财务账目估算", "含软件订阅费，不含设备采购"),
    "devices": ("数据来自设备台账", "按车间现场清点"),
    "people": ("按花名册统计", "含兼职人员"),
    "other": ("估算值，待核实", "按上月报表填写"),
}

TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "pain": {
        "low": ("仓库账实不符，月底盘点要停工两天", "月底对账太慢，老板看不到当月利润"),
        "mid": ("交期说不准，客户经常催货", "订单变更多，车间计划跟不上"),
        "high": ("设备停机原因说不清，OEE 提不上去", "能耗成本高，想按产品核算单耗"),
    },
    "obstacle": {
        "low": (
            "老师傅习惯纸质记录，推行新系统阻力大；缺少懂信息化的人员",
            "订单波动大，资金优先用于设备更新，担心软件投入收不回来",
        ),
        "mid": (
            "各系统数据不通，需要人工重复录入",
            "懂生产又懂信息化的人才招不到、留不住",
        ),
        "high": (
            "设备品牌多、协议不统一，联网改造成本高",
            "数据已采集但分析应用不足，缺少数据分析人员",
        ),
    },
    "plan": {
        "low": ("先把财务和库存从手工账改为软件记账", "计划明年参加园区组织的数字化培训"),
        "mid": ("计划下半年上线扫码报工，打通生产与仓库", "准备试点关键设备联网与能耗采集"),
        "high": ("建设数字化车间，推进 MES 与 ERP 集成", "申报园区智能工厂示范项目"),
    },
    "need": {
        "low": ("希望园区组织云 ERP 团购并提供实施补贴", "需要服务商上门培训基础软件操作"),
        "mid": ("需要 MES 实施顾问驻场指导", "希望对接设备联网改造的服务商"),
        "high": ("希望参与园区示范场景评选，分享经验", "需要数据分析方面的专业人才培养"),
    },
    "other": {
        "low": ("现场访谈总经理，企业数字化基础薄弱",),
        "mid": ("现场访谈总经理和生产主管，企业有一定信息化基础",),
        "high": ("现场访谈信息化负责人，企业数字化水平在园区领先",),
    },
}
TEXT_KINDS: dict[str, tuple[str, ...]] = {
    "pain": ("pain", "urgent", "solve"),
    "obstacle": ("obstacle", "barrier", "difficult", "challenge", "problem", "pain", "issue"),
    "plan": ("plan", "next", "goal", "intend", "roadmap"),
    "need": ("need", "support", "help", "expect", "request", "wish"),
}

NUMBER_KINDS: dict[str, tuple[str, ...]] = {
    "money": ("invest", "budget", "spend", "cost", "revenue", "fund", "subsid", "万元", "cny"),
    "devices": ("device", "equipment", "machine", "cnc", "robot", "plc", "sensor", "台"),
    "people": (
        "staff",
        "employee",
        "people",
        "person",
        "headcount",
        "engineer",
        "worker",
        "user",
        "talent",
        "operator",
        "人",
    ),
    "stations": ("station", "工位"),
    "lines": ("line", "产线"),
    "hours": ("hour", "training", "小时"),
    "days": ("day", "天"),
    "systems": ("system", "software", "app", "module", "套", "个"),
}


def rng_for(*parts: object) -> random.Random:
    """A generator seeded by SEED and the parts, the same in every run and every process."""
    return random.Random(":".join([str(SEED), *(str(p) for p in parts)]))  # noqa: S311


def clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def family_of(dimension: Dimension) -> str:
    words = f"{dimension.id} {dimension.label.en}".lower()
    for family, keys in FAMILIES.items():
        if any(key in words for key in keys):
            return family
    return "other"


def tier(m: float) -> str:
    return "low" if m < 0.35 else "mid" if m < 0.65 else "high"


@dataclass
class Layout:
    """What the generator needs to know about a questionnaire, worked out once."""

    q: Questionnaire
    dimension_of: dict[str, str] = field(default_factory=dict)  # question -> dimension id
    family: dict[str, str] = field(default_factory=dict)  # dimension id -> family
    referenced: set[str] = field(default_factory=set)  # ids any expression reads
    part_of: dict[str, str] = field(default_factory=dict)  # raw part -> its raw total
    consumer: dict[str, str] = field(default_factory=dict)  # raw part -> scored computed q
    siblings: dict[str, int] = field(default_factory=dict)  # raw part -> parts sharing a total

    @classmethod
    def of(cls, q: Questionnaire) -> Layout:
        layout = cls(q)
        for dimension in q.dimensions:
            layout.family[dimension.id] = family_of(dimension)
            for indicator in dimension.indicators:
                for question in indicator.questions:
                    layout.dimension_of[question.id] = dimension.id
        plan = plan_of(q)
        raw = {x.id for x in q.questions() if is_raw_number(x)}
        expressions: list[tuple[str | None, expr.Expression]] = [
            *plan.compute.items(),
            *((None, e) for e in plan.computed.values()),
        ]
        expressions += [(None, e) for e in plan.when.values()]
        for qid, parsed in expressions:
            layout.referenced |= parsed.names | parsed.references
            scored_consumer = qid is not None and q.question_map[qid].scored
            for node in parsed.tree.walk():
                if node.kind != "arith" or node.value != "/":
                    continue
                left, right = node.children
                tops = [n.value for n in right.walk() if n.kind == "name" and n.value in raw]
                parts = [n.value for n in left.walk() if n.kind == "name" and n.value in raw]
                if len(tops) != 1:
                    continue
                for part in parts:
                    if part == tops[0]:
                        continue
                    layout.part_of.setdefault(part, tops[0])
                    layout.siblings[part] = max(layout.siblings.get(part, 1), len(parts))
                    if scored_consumer and qid is not None and part not in layout.consumer:
                        layout.consumer[part] = qid
        totals = [x for x in sorted(raw) if "total" in x.split("_")]
        for qid in sorted(raw - set(layout.part_of) - set(totals)):
            tokens = set(qid.split("_")) - {"count", "num", "number", "n"}
            for total in totals:
                if tokens & (set(total.split("_")) - {"total"}):
                    layout.part_of[qid] = total
                    break
        return layout

    def family_of_question(self, qid: str) -> str:
        return self.family[self.dimension_of[qid]]


def is_raw_number(question: Question) -> bool:
    return question.type == "number" and question.compute is None and not question.scored


@dataclass
class FirmState:
    """A firm in one period and its maturity in each dimension (by dimension id)."""

    spec: FirmSpec
    period: str
    dims: dict[str, float]


def dimension_maturity(layout: Layout, spec: FirmSpec, period: str) -> dict[str, float]:
    profile = PROFILES[spec.profile]
    change = CHANGES[spec.change]
    result: dict[str, float] = {}
    for dim_id, family in layout.family.items():
        noise = rng_for(spec.code6, dim_id, "dim").gauss(0.0, 0.06)
        m = spec.maturity + profile.get(family, 0.0) + noise
        if period == PERIODS[1]:
            factor = change.get(family, change.get("*", 0.0))
            m += spec.delta * factor * (-1.0 if spec.change == "fallback" else 1.0)
        result[dim_id] = clip(m, 0.04, 0.97)
    return result


def question_maturity(layout: Layout, state: FirmState, question: Question) -> float:
    qid = question.id
    m = state.dims[layout.dimension_of[qid]]
    m += rng_for(state.spec.code6, qid, "q").gauss(0.0, 0.1)
    return clip(m, 0.01, 0.99)


def pick_index(m: float, n: int) -> int:
    return min(n - 1, max(0, math.floor(m * n)))


def ranked_levels(items: Iterable[Any], points: Any, reverse: bool) -> list[list[Any]]:
    """Items grouped by points, worst first (for a reverse question, most points is worst)."""
    groups: dict[float, list[Any]] = {}
    for item in items:
        groups.setdefault(float(points(item)), []).append(item)
    return [groups[p] for p in sorted(groups, reverse=reverse)]


def answer_single(q: Questionnaire, question: Question, m: float, key: tuple[str, str]) -> str:
    levels = ranked_levels(q.choices_of(question), lambda c: c.points, question.reverse)
    level = levels[pick_index(m, len(levels))]
    return str(rng_for(*key, "single").choice(level).id)


def answer_multi(q: Questionnaire, question: Question, m: float, key: tuple[str, str]) -> list[str]:
    choices = q.choices_of(question)
    exclusive = [c for c in choices if c.exclusive]
    scored = [c for c in choices if not c.exclusive and c.points > 0]
    spare = [c for c in choices if not c.exclusive and c.points <= 0]
    top = max((c.points for c in scored), default=1.0)
    low = min((c.points for c in scored), default=0.0)
    # a capability's difficulty: listed later (lists usually run from basic to advanced), or
    # worth more points, is harder to reach
    mix = {c.id: 0.25 * (c.points - low) / (top - low if top > low else 1.0) for c in scored}
    for position, choice in enumerate(scored):
        mix[choice.id] += 0.75 * position / max(1, len(scored) - 1)
    ordered = sorted(scored, key=lambda c: mix[c.id])
    difficulty = {c.id: i / max(1, len(ordered) - 1) for i, c in enumerate(ordered)}
    picked: list[Choice] = []
    for choice in scored:
        u = rng_for(*key, choice.id, "u").random()
        if question.reverse:
            # a "still on paper" item: the weightiest ones are the first to be digitised
            by_points = (choice.points - low) / (top - low) if top > low else 0.5
            jitter = rng_for(*key, choice.id, "d").uniform(-0.12, 0.12)
            threshold = 0.3 + 0.4 * (1.0 - by_points) + jitter
            p = clip(0.5 + (threshold - m) * 2.5)
        else:
            jitter = rng_for(*key, choice.id, "d").uniform(-0.08, 0.08)
            threshold = 0.2 + 0.8 * difficulty[choice.id] + jitter
            p = clip(0.5 + (m - threshold) * 2.5)
        if u < p:
            picked.append(choice)
    for choice in spare:
        if rng_for(*key, choice.id, "u").random() < 0.08:
            picked.append(choice)
    if not picked:
        if exclusive:
            picked = [exclusive[0]]
        elif choices:
            best = ranked_levels(choices, lambda c: c.points, question.reverse)[-1]
            picked = [rng_for(*key, "fallback").choice(best)]
    order = {c.id: i for i, c in enumerate(choices)}
    return sorted((c.id for c in picked), key=order.__getitem__)


def answer_yesno(question: Question, m: float, key: tuple[str, str]) -> str:
    points = question.points or {"yes": 1.0, "no": 0.0}
    good = "yes" if points.get("yes", 0.0) >= points.get("no", 0.0) else "no"
    if question.reverse:
        good = "no" if good == "yes" else "yes"
    bad = "no" if good == "yes" else "yes"
    return good if rng_for(*key, "yesno").random() < m else bad


def answer_ordinal(question: Question, m: float, key: tuple[str, str]) -> int:
    noise = rng_for(*key, "ordinal").gauss(0.0, 0.35)
    level = round(clip(m * question.max_level + noise, 0, question.max_level))
    return question.max_level - level if question.reverse else level


def bounds(question: Question) -> tuple[float, float]:
    low = 0.0 if question.type == "percent" else -math.inf
    high = 100.0 if question.type == "percent" else math.inf
    if question.min is not None:
        low = max(low, question.min)
    if question.max is not None:
        high = min(high, question.max)
    return low, high


def tidy(value: float, question: Question, whole: bool) -> int | float:
    low, high = bounds(question)
    value = clip(value, low, high)
    return round(value) if whole else round(value, 1)


def scored_target(question: Question, m: float, key: tuple[str, str]) -> tuple[float, Band | None]:
    """A value for a scored number or percent that fits maturity m, and the band it is in."""
    u = rng_for(*key, "within").random()
    if question.bands:
        levels = ranked_levels(question.bands, lambda b: b.points, question.reverse)
        band = rng_for(*key, "band").choice(levels[pick_index(m, len(levels))])
        low, high = bounds(question)
        low, high = max(low, band.min), min(high, band.max)
        widths = [b.max - b.min for b in question.bands if b is not band]
        usual = max(abs(low), max(widths, default=0.0), 1.0)
        if high - low > 3 * usual:  # an open-ended band such as "over 2 %": stay near its start
            high = low + 1.5 * usual
        first = band is question.bands[0]
        return low + (high - low) * (u if first else 0.05 + 0.95 * u), band
    if question.map:
        top = max(y for _, y in question.map)
        want = (1.0 - m if question.reverse else m) * top
        return inverse_map(question.map, want) * (0.97 + 0.06 * u), None
    share = 1.0 - m if question.reverse else m
    return 100.0 * clip(share + (u - 0.5) * 0.06), None


def fits(question: Question, band: Band | None, value: float) -> bool:
    """Whether a value is in range for the question and inside the band it was meant for."""
    low, high = bounds(question)
    if not low <= value <= high:
        return False
    if band is None:
        return True
    first = band is question.bands[0] if question.bands else False
    return (band.min <= value if first else band.min < value) and value <= band.max


def inverse_map(points: list[tuple[float, float]], want: float) -> float:
    """The smallest raw value whose mapped points reach `want` (or the best raw value)."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if min(y0, y1) <= want <= max(y0, y1) and y1 != y0:
            return x0 + (x1 - x0) * (want - y0) / (y1 - y0)
    return max(points, key=lambda p: p[1])[0]


def number_kind(question: Question) -> str:
    """What a raw figure counts (money, devices, people, ...), from its id, then unit and text."""
    unit = f"{question.unit.en} {question.unit.zh}" if question.unit else ""
    sources = [
        question.id.split("_"),
        re.findall(r"[a-z]+|[^a-z\s]+", f"{unit} {question.text.en} {question.text.zh}".lower()),
    ]
    for words in sources:
        for kind, keys in NUMBER_KINDS.items():
            if any(
                word.startswith(key) or (not key.isascii() and key in word)
                for key in keys
                for word in words
            ):
                return kind
    return "count"


def raw_total(question: Question, spec: FirmSpec, m: float, key: tuple[str, str]) -> float:
    """A plausible raw figure for a total or a stand-alone count."""
    r = rng_for(*key, "raw")
    kind = number_kind(question)
    is_total = "total" in question.id.split("_")
    if kind == "money":
        if "revenue" in question.id:
            return spec.revenue
        return spec.revenue * (0.002 + 0.02 * m) * r.uniform(0.8, 1.2)
    if kind == "devices":
        return max(3.0, spec.employees * r.uniform(0.25, 0.6))
    if kind == "people":
        if is_total or "employee" in question.id:
            return float(spec.employees)
        return spec.employees * (0.003 + 0.03 * m) * r.uniform(0.8, 1.2)
    if kind == "stations":
        return max(4.0, spec.employees * r.uniform(0.15, 0.4))
    if kind == "lines":
        return 1 + spec.employees / 60 * r.uniform(0.7, 1.3)
    if kind == "hours":
        return 2 + 36 * m * r.uniform(0.8, 1.2)
    if kind == "days":
        return 3 + 12 * (1 - m) * r.uniform(0.8, 1.2)
    if kind == "systems":
        return 1 + 6 * m * r.uniform(0.7, 1.3) if not is_total else 3 + 8 * r.random()
    return 5 + 10 * r.random() if is_total else 1 + 8 * m * r.uniform(0.7, 1.3)


def part_fraction(layout: Layout, state: FirmState, part: Question) -> float:
    """The share of its total that a raw part should be, to fit the firm's maturity."""
    consumer_id = layout.consumer.get(part.id)
    siblings = layout.siblings.get(part.id, 1)
    if consumer_id is None:
        return clip(question_maturity(layout, state, part)) / siblings
    consumer = layout.q.question_map[consumer_id]
    m = question_maturity(layout, state, consumer)
    target, _ = scored_target(consumer, m, (state.spec.code6, consumer_id))
    parsed = plan_of(layout.q).compute[consumer_id]
    scale_values: dict[str, Any] = {}
    for name in parsed.names:
        if name in layout.part_of and layout.part_of[name] == layout.part_of.get(part.id):
            scale_values[name] = 1.0 / siblings
        else:
            scale_values[name] = 1.0
    scale = parsed.evaluate(expr.Context(scale_values))
    if not isinstance(scale, float) or scale == 0:
        return clip(m)
    return clip(target / scale) / siblings


def answer_number(
    layout: Layout, state: FirmState, question: Question, m: float, raw: dict[str, float]
) -> int | float:
    key = (state.spec.code6, question.id)
    whole = question.type == "number" and number_kind(question) != "money"
    if question.bands or question.map or question.type == "percent":
        target, band = scored_target(question, m, key)
        for digits in (0, 1, 2) if whole or target >= 5 else (1, 2):
            scale = 10.0**digits
            for candidate in (round(target, digits), math.ceil(target * scale) / scale):
                if fits(question, band, candidate):
                    return int(candidate) if digits == 0 else candidate
        return round(target, 3)
    total_id = layout.part_of.get(question.id)
    if total_id is not None and total_id in raw:
        total = raw[total_id]
        share = part_fraction(layout, state, question)
        return tidy(math.floor(total * share) if whole else total * share, question, whole)
    value = raw_total(question, state.spec, m, key)
    if question.id in set(layout.part_of.values()):
        value = max(value, 1.0)
    return tidy(value, question, whole)


def answer_text(question: Question, m: float, key: tuple[str, str]) -> str | None:
    if not question.required and rng_for(*key, "optional").random() > 0.45:
        return None
    words = f"{question.id} {question.text.en}".lower()
    kind = next((k for k, keys in TEXT_KINDS.items() if any(w in words for w in keys)), "other")
    return str(rng_for(*key, "text").choice(TEXTS[kind][tier(m)]))


def answer_firm(layout: Layout, spec: FirmSpec, period: str) -> dict[str, Any]:
    """The `answers:` mapping of one firm in one period, skip logic applied."""
    q = layout.q
    state = FirmState(spec, period, dimension_maturity(layout, spec, period))
    values: dict[str, Any] = {}
    maturity: dict[str, float] = {}
    raw: dict[str, float] = {}
    questions = [x for x in q.questions() if x.compute is None]
    # totals before their parts, so a part can be kept below its total
    order = sorted(questions, key=lambda x: 0 if x.id in layout.part_of.values() else 1)
    for question in order:
        key = (spec.code6, question.id)
        m = question_maturity(layout, state, question)
        maturity[question.id] = m
        kind = question.type
        value: Any
        if kind == "single":
            value = answer_single(q, question, m, key)
        elif kind == "multi":
            value = answer_multi(q, question, m, key)
        elif kind == "yesno":
            value = answer_yesno(question, m, key)
        elif kind == "ordinal":
            value = answer_ordinal(question, m, key)
        elif kind in ("number", "percent"):
            value = answer_number(layout, state, question, m, raw)
            raw[question.id] = float(value)
        else:
            value = answer_text(question, m, key)
        if value is not None:
            values[question.id] = value
    shown = work_out(q, plan_of(q), {k: Answer(value=v) for k, v in values.items()}, facts(spec))
    answers: dict[str, Any] = {}
    for question in questions:
        if question.id in values and shown.shown.get(question.id, True):
            answers[question.id] = values[question.id]
    apply_quirks(layout, spec, period, answers)
    day = assessed_on(spec, period)
    for qid in list(answers):
        answers[qid] = with_note(
            layout, q.question_map[qid], answers[qid], maturity[qid], spec, day
        )
    return answers


def facts(spec: FirmSpec) -> Mapping[str, Any]:
    return {"industry": spec.industry, "employees": float(spec.employees), "revenue": spec.revenue}


def apply_quirks(layout: Layout, spec: FirmSpec, period: str, answers: dict[str, Any]) -> None:
    """A few `unknown` and `n/a` answers, on questions no other value depends on."""
    q = layout.q

    def eligible(allowed: str) -> list[str]:
        return [
            x.id
            for x in q.questions()
            if x.id in answers
            and x.scored
            and getattr(x, allowed)
            and not x.mandatory
            and x.id not in layout.referenced
        ]

    if "na" in spec.quirks:
        candidates = eligible("allow_na")
        count = min(len(candidates), 1 + rng_for(spec.code6, "na").randrange(2))
        for qid in rng_for(spec.code6, "na-pick").sample(candidates, count):
            answers[qid] = NOT_APPLICABLE
    if "unknown" in spec.quirks or ("unknown_q2" in spec.quirks and period == PERIODS[0]):
        candidates = [x for x in eligible("allow_unknown") if answers[x] != NOT_APPLICABLE]
        if candidates:
            answers[rng_for(spec.code6, "unknown").choice(candidates)] = UNKNOWN


def score_fraction(questionnaire: Questionnaire, question: Question, value: Any) -> float:
    """How good an answer is, 0 to 1, as the engine scores it."""
    top = max_points(questionnaire, question)
    typed = raw_value(question, Answer(value=value))
    fraction = earned_points(questionnaire, question, typed) / top if top > 0 else 0.0
    return 1.0 - fraction if question.reverse else fraction


def with_note(
    layout: Layout, question: Question, value: Any, m: float, spec: FirmSpec, day: date
) -> Any:
    """Now and then, the value with the assessor's note or the evidence seen on site."""
    if value in (NOT_APPLICABLE, UNKNOWN):
        if value == UNKNOWN and rng_for(spec.code6, question.id, "why").random() < 0.6:
            return {"value": value, "note": "受访人不掌握该数据，需会后向财务或车间核实"}
        return value
    if question.type == "text":
        return value
    r = rng_for(spec.code6, question.id, day, "note")
    good = score_fraction(layout.q, question, value) if question.scored else m
    family = layout.family_of_question(question.id)
    note: str | None = None
    evidence: list[str] = []
    if r.random() < 0.08:
        numeric = question.type in ("number", "percent")
        if numeric:
            note = r.choice(NUMBER_NOTES.get(number_kind(question), NUMBER_NOTES["other"]))
        else:
            note = r.choice(NOTES[family][tier((good + m) / 2)])
    if question.evidence is not None and good >= 0.5 and r.random() < 0.12:
        # the first thing the question names as evidence, e.g. "排产表" of "排产表、工单或 MES 截图"
        shown = re.split(r"[、，,；;]|或", question.evidence.zh)[0].strip()
        evidence = [f"{shown}（{day.isoformat()} 现场查看）"]
    if note is None and not evidence:
        return value
    entry: dict[str, Any] = {"value": value}
    if note is not None:
        entry["note"] = note
    if evidence:
        entry["evidence"] = evidence
    return entry


def assessed_on(spec: FirmSpec, period: str) -> date:
    start = QUARTER_START[period]
    r = rng_for(spec.code6, period, "date")
    day = start + timedelta(days=r.randrange(5, 84))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def assessor_of(spec: FirmSpec, index: int, period: str) -> str:
    shift = 1 if "new_assessor" in spec.quirks and period == PERIODS[1] else 0
    return ASSESSORS[(index // 6 + shift) % len(ASSESSORS)]


def questionnaire_ref(q: Questionnaire, path: Path, folder: Path) -> dict[str, str]:
    """Name a shipped questionnaire by id; any other one also by its path from the answers."""
    ref = {"id": q.id, "version": q.version}
    shipped = resources.shipped_file(q.id)
    if shipped is None or shipped.resolve() != path.resolve():
        target, here = path.resolve(), folder.resolve()
        related = Path(os.path.commonpath([target, here])) != Path(here.anchor)
        ref["path"] = Path(os.path.relpath(target, here)).as_posix() if related else str(target)
    return ref


def sheet_for(
    layout: Layout, ref: Mapping[str, str], spec: FirmSpec, index: int, period: str
) -> dict[str, Any]:
    firm = {
        "name": spec.name,
        "credit_code": spec.credit_code,
        "industry": spec.industry,
        "employees": spec.employees,
        "revenue": spec.revenue,
        "park": PARK,
    }
    return {
        "questionnaire": dict(ref),
        "firm": firm,
        "period": period,
        "assessor": assessor_of(spec, index, period),
        "assessed_on": assessed_on(spec, period),
        "answers": answer_firm(layout, spec, period),
    }


class _Dumper(yaml.SafeDumper):
    """Block mappings, but a list of plain values on one line: `paper: [inventory, finance]`."""


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_Dumper.add_representer(list, _list)


def dump(document: Mapping[str, Any]) -> bytes:
    text = yaml.dump(
        dict(document),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return text.encode("utf-8")


def register_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["credit_code", "name", "industry", "employees", "park"])
    rows = [(f.credit_code, f.name, f.industry, f.employees, PARK) for f in FIRMS]
    rows += [(make(CODE_PREFIX + c), n, i, e, PARK) for n, i, e, c in UNASSESSED]
    for row in sorted(rows):
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def check_specs() -> None:
    """Catch mistakes in the firm table above before anything is written."""
    bodies = [f.code6 for f in FIRMS] + [u[3] for u in UNASSESSED]
    if len(set(bodies)) != len(bodies):
        raise ValueError("two firms share a credit code")
    for body in bodies:
        if len(body) != 6 or any(c not in ALPHABET for c in body):
            raise ValueError(f"{body!r} is not six credit-code characters")
    for spec in FIRMS:
        if spec.profile not in PROFILES or spec.change not in CHANGES:
            raise ValueError(f"{spec.name}: unknown profile or change")


def generate(questionnaire: Path, out: Path) -> int:
    """Write every file; return how many answer files failed the engine's own checks."""
    check_specs()
    q = load_questionnaire(questionnaire)
    layout = Layout.of(q)
    bad = 0
    for period in PERIODS:
        folder = out / period
        folder.mkdir(parents=True, exist_ok=True)
        for stale in sorted(folder.glob("*.yaml")):
            stale.unlink()
        ref = questionnaire_ref(q, questionnaire, folder)
        for index, spec in enumerate(FIRMS):
            path = folder / f"{spec.credit_code}.yaml"
            write_atomic(path, dump(sheet_for(layout, ref, spec, index, period)))
            checked = check_file(path, q)
            for problem in checked.problems:
                print(problem, file=sys.stderr)
            bad += bool(checked.problems)
    write_atomic(out / "firms.csv", register_csv())
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questionnaire",
        type=Path,
        default=ROOT / "questionnaires" / "park_quick_scan.yaml",
        help="the questionnaire to answer (default: the park quick scan)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "examples" / "sample_park",
        help="folder for <period>/<credit code>.yaml and firms.csv (default: the shipped one)",
    )
    args = parser.parse_args(argv)
    bad = generate(args.questionnaire, args.out)
    total = len(FIRMS) * len(PERIODS)
    print(
        f"wrote {total} answer files and firms.csv to {args.out}"
        + (f"; {bad} failed" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
