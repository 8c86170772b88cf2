"""What the trend pages show: charts and table rows over stored periods, for the templates."""

from __future__ import annotations

from typing import Any

from ..display import period as period_label
from ..models.common import Lang, TextValue
from ..park.trends import FirmPoint, FirmTrend, ParkTrend
from . import trend_charts
from .html import trusted_svg

T = TextValue
OVERALL = T(zh="综合得分", en="Overall score")
MEAN_AXIS = T(zh="平均分（0–100，分数越高越好）", en="Average score (0–100, higher is better)")
SCORE_AXIS = T(zh="得分（0–100，分数越高越好）", en="Score (0–100, higher is better)")
# Trends need at least two periods to show anything a single period's pages do not.
MIN_PERIODS = 2


def firms(count: int, lang: Lang) -> str:
    return T(zh=f"{count} 家企业", en=f"{count} firm" + ("" if count == 1 else "s")).get(lang)


def park_trend_context(trend: ParkTrend | None, lang: Lang) -> dict[str, Any] | None:
    """The park's trend page: levels and means per period, each period's firm count named."""
    if trend is None or len(trend.points) < MIN_PERIODS:
        return None
    labels = [period_label(p, lang) for p in trend.periods]
    notes = [firms(p.firms, lang) for p in trend.points]
    level_ids = [lid for lid, _ in trend.levels]
    levels_chart = trend_charts.levels_over_time(
        labels,
        [name.get(lang) for _, name in trend.levels],
        [[p.levels.get(lid, 0) for lid in level_ids] for p in trend.points],
        title=T(zh="各期成熟度等级分布", en="Maturity levels by period").get(lang),
        axis_label=T(
            zh="企业占比（柱内数字为企业数）", en="Share of firms (numbers are firm counts)"
        ).get(lang),
        notes=notes,
    )
    keys = [("overall", OVERALL), *trend.dimensions]
    means_chart = trend_charts.lines(
        labels,
        [(label.get(lang), [p.means.get(key) for p in trend.points]) for key, label in keys],
        title=T(zh="各期综合得分与维度平均分", en="Overall and dimension means by period").get(
            lang
        ),
        axis_label=MEAN_AXIS.get(lang),
        notes=notes,
        direct=True,
    )
    return {
        "points": trend.points,
        "levels": trend.levels,
        "series": keys,
        "levels_chart": trusted_svg(levels_chart),
        "means_chart": trusted_svg(means_chart),
    }


def firm_trend_context(trend: FirmTrend | None, lang: Lang) -> dict[str, Any] | None:
    """A firm's scores over its stored periods, or None with fewer than two of them."""
    if trend is None or len(trend.points) < MIN_PERIODS:
        return None
    keys = [("overall", OVERALL), *trend.dimensions]

    def value(point: FirmPoint, key: str) -> float | None:
        return point.overall if key == "overall" else point.scores.get(key)

    chart = trend_charts.lines(
        [period_label(p, lang) for p in trend.periods],
        [(label.get(lang), [value(p, key) for p in trend.points]) for key, label in keys],
        title=T(zh="各期得分", en="Scores by period").get(lang),
        axis_label=SCORE_AXIS.get(lang),
        notes=[p.level.get(lang) for p in trend.points],
    )
    rows = [{"point": p, "scores": [value(p, key) for key, _ in keys]} for p in trend.points]
    return {"series": keys, "rows": rows, "chart": trusted_svg(chart)}
