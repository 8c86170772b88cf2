"""Results as a table, one row per firm: the columns, the rows and the park's aggregates."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..models.common import Lang, TextValue
from ..models.industries import INDUSTRIES
from ..models.results import Recommendation, ScoreCard

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]
T = TextValue

# Size bands by head-count, the lower bound of each: a park's working convention, simpler than
# the statutory classification (which also weighs revenue and differs by sector).
SIZE_BANDS: tuple[tuple[str, int, TextValue], ...] = (
    ("micro", 0, T(zh="微型", en="Micro")),
    ("small", 20, T(zh="小型", en="Small")),
    ("medium", 100, T(zh="中型", en="Medium")),
    ("large", 300, T(zh="大型", en="Large")),
)
TOP_SCENARIOS = 3

# Every column that is not a dimension score, in order, with its header.
COLUMNS: dict[str, TextValue] = {
    "period": T(zh="期间", en="Period"),
    "credit_code": T(zh="统一社会信用代码", en="Credit code"),
    "name": T(zh="企业名称", en="Firm"),
    "industry": T(zh="行业代码", en="Industry id"),
    "industry_name": T(zh="行业", en="Industry"),
    "employees": T(zh="从业人数", en="Employees"),
    "size": T(zh="规模代码", en="Size id"),
    "size_name": T(zh="规模", en="Size"),
    "level": T(zh="等级代码", en="Level id"),
    "level_rank": T(zh="等级序号", en="Level rank"),
    "level_name": T(zh="等级", en="Level"),
    "overall": T(zh="综合得分", en="Overall score"),
    "coverage": T(zh="答题覆盖率", en="Coverage"),
    "previous_level": T(zh="上期等级代码", en="Previous level id"),
    "previous_level_name": T(zh="上期等级", en="Previous level"),
    "change": T(zh="较上期变化", en="Change since last period"),
    "scenario_1": T(zh="推荐场景1", en="Scenario 1"),
    "scenario_2": T(zh="推荐场景2", en="Scenario 2"),
    "scenario_3": T(zh="推荐场景3", en="Scenario 3"),
}
_ALL = T(zh="全部企业", en="All firms")


def size_band(employees: int) -> str:
    """The size band id ('micro', 'small', 'medium' or 'large') for a head-count."""
    return [band for band, lowest, _ in SIZE_BANDS if employees >= lowest][-1]


def size_name(band: str, lang: Lang = "zh") -> str:
    return next(label.get(lang) for band_id, _, label in SIZE_BANDS if band_id == band)


def industry_name(industry: str, lang: Lang = "zh") -> str:
    label = _ALL if industry == "all" else INDUSTRIES.get(industry)
    return label.get(lang) if label else industry


def dimension_key(dimension_id: str) -> str:
    """The column of a dimension's score: its id, unless that names another column."""
    return f"dimension_{dimension_id}" if dimension_id in COLUMNS else dimension_id


# The table


def results_table(
    cards: Sequence[ScoreCard],
    previous: Mapping[str, ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    lang: Lang = "zh",
) -> list[Row]:
    """One row per card, in the order given; `previous` and `recommendations` by credit code."""
    dimensions = list(dimension_labels(cards, lang))
    return [
        _row(c, previous.get(c.firm.credit_code), recommendations, dimensions, lang) for c in cards
    ]


def _row(
    card: ScoreCard,
    before: ScoreCard | None,
    recommendations: Mapping[str, Sequence[Recommendation]],
    dimensions: list[str],
    lang: Lang,
) -> Row:
    firm, band = card.firm, size_band(card.firm.employees)
    scores = {dimension_key(d.id): d.score for d in card.dimensions}
    change = None
    if before is not None and before.overall is not None and card.overall is not None:
        change = round(card.overall - before.overall, 4)
    ranked = sorted(recommendations.get(firm.credit_code, ()), key=lambda r: r.rank)
    top: list[str | None] = [r.name.get(lang) for r in ranked[:TOP_SCENARIOS]]
    top += [None] * (TOP_SCENARIOS - len(top))
    return {
        "period": card.period,
        "credit_code": firm.credit_code,
        "name": firm.name,
        "industry": firm.industry,
        "industry_name": industry_name(firm.industry, lang),
        "employees": firm.employees,
        "size": band,
        "size_name": size_name(band, lang),
        "level": card.level.id if card.level else None,
        "level_rank": card.level.rank if card.level else 0,
        "level_name": card.level_name[lang],
        "overall": card.overall,
        **{key: scores.get(key) for key in dimensions},
        "coverage": card.coverage,
        "previous_level": before.level.id if before and before.level else None,
        "previous_level_name": before.level_name[lang] if before else None,
        "change": change,
        **{f"scenario_{n}": name for n, name in enumerate(top, start=1)},
    }


def dimension_labels(cards: Sequence[ScoreCard], lang: Lang = "zh") -> dict[str, str]:
    """Each dimension column of these cards, in questionnaire order, with its label."""
    labels: dict[str, str] = {}
    for card in cards:
        for dimension in card.dimensions:
            labels.setdefault(dimension_key(dimension.id), dimension.label.get(lang))
    return labels


def column_labels(cards: Sequence[ScoreCard], lang: Lang = "zh") -> dict[str, str]:
    """The header of every column of `results_table(cards, …)`."""
    return {**{k: v.get(lang) for k, v in COLUMNS.items()}, **dimension_labels(cards, lang)}


def columns(rows: Sequence[Row]) -> list[str]:
    """The columns of `rows`: every key, in first-seen order (the fixed ones when no rows)."""
    return list(dict.fromkeys(key for row in rows for key in row)) or list(COLUMNS)


def dimension_columns(rows: Sequence[Row]) -> list[str]:
    return [key for key in columns(rows) if key not in COLUMNS]


def results_dataframe(rows: Sequence[Row]) -> pd.DataFrame:
    """The rows as a pandas DataFrame (needs the `pandas` extra), one column per key."""
    import pandas as pd

    return pd.DataFrame.from_records(list(rows), columns=columns(rows))


# Aggregates shared by the workbook and the park report


# A recommended scenario (as recommended to its first firm) and the firms it was recommended to.
Cohort = tuple[Recommendation, list[ScoreCard]]


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def industry_averages(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """Mean overall and dimension scores per industry (catalogue order), then of "all" firms."""
    dims = dimension_columns(rows)
    order = {industry: n for n, industry in enumerate(INDUSTRIES)}
    present = {r["industry"] for r in rows if r.get("industry") is not None}
    ordered = sorted(present, key=lambda i: (order.get(i, len(order)), i))
    groups = {i: [r for r in rows if r.get("industry") == i] for i in ordered}
    return {
        group: {key: _mean([r.get(key) for r in members]) for key in ["overall", *dims]}
        for group, members in {**groups, "all": list(rows)}.items()
    }


def scenario_cohorts(
    cards: Sequence[ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    slots: Collection[str] | None = None,
) -> list[Cohort]:
    """Each scenario recommended (in `slots`, default any) with its firms by credit code;
    the largest cohort first, then by scenario id."""
    cohorts: dict[str, Cohort] = {}
    for card in sorted(cards, key=lambda c: c.firm.credit_code):
        for rec in recommendations.get(card.firm.credit_code, ()):
            if slots is None or rec.slot in slots:
                cohorts.setdefault(rec.scenario, (rec, []))[1].append(card)
    return sorted(cohorts.values(), key=lambda c: (-len(c[1]), c[0].scenario))


def headers(rows: Sequence[Row], labels: Mapping[str, str] | None, lang: Lang) -> list[str]:
    chosen = {**{k: v.get(lang) for k, v in COLUMNS.items()}, **(labels or {})}
    return [chosen.get(key, key) for key in columns(rows)]
