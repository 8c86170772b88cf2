"""What the one-page summary and the roadmap in time say: first actions, help, months and money."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.pipeline import Assessment
from ..engine.schedule import FIRST_YEAR, first_year_cost, in_roadmap_order
from ..models.common import Lang, TextValue
from ..models.results import Recommendation, Support
from . import content
from .gantt import GanttBar, gantt, horizon
from .plan_view import plan_context, planned_in_order, range_text

T = TextValue
FIRST_ACTIONS = 3


def money(value: float, lang: Lang) -> str:
    """A sum of CNY as a manager says it: 40 万 / 400k, 1.5m."""
    if lang == "zh":
        return f"{value / 10_000:g}"
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}m"
    return f"{value / 1_000:g}k" if value else "0"


def cost_range(low: float, high: float | None, lang: Lang) -> str:
    """'40–320 万元' / 'CNY 400k–3.2m'; open-ended: '40 万元以上' / 'CNY 400k or more'."""
    if high is None:
        return f"{money(low, lang)} 万元以上" if lang == "zh" else f"CNY {money(low, lang)} or more"
    if lang == "zh":
        return f"{money(low, lang)}–{money(high, lang)} 万元"
    return f"CNY {money(low, lang)}–{money(high, lang)}"


def first_actions(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """The scenarios a firm takes up first: the roadmap's order by start month, then rank."""
    return in_roadmap_order(recs)[:FIRST_ACTIONS]


def help_routes(actions: Sequence[Recommendation]) -> list[Support]:
    """Each route to help with the first actions, once, in the order they are first named."""
    seen: dict[str, Support] = {}
    for r in actions:
        for s in r.support:
            seen.setdefault(s.id, s)
    return list(seen.values())


def year_cost(recs: Sequence[Recommendation], lang: Lang) -> dict[str, Any] | None:
    """The first year's cost as the reports state it, with the scenarios it covers."""
    cost = first_year_cost(recs)
    if cost is None:
        return None
    return {
        "text": cost_range(cost.low, cost.high, lang),
        "count": len(cost.scenarios),
        "names": [r.name for r in cost.scenarios],
        "open": cost.high is None,
        "low": cost.low,
        "high": cost.high,
    }


def _action_cost(r: Recommendation, planned: bool) -> TextValue:
    """With a plan, what the scenario costs the firm after support; else its cost band."""
    if planned and r.firm_cost_min is not None and r.firm_cost_max is not None:
        low, high = r.firm_cost_min, r.firm_cost_max
        return T(zh=range_text(low, high, "zh"), en=range_text(low, high, "en"))
    if r.cost_band in content.COST_BANDS:
        return content.COST_BANDS[r.cost_band]
    return T(zh=r.cost_band, en=r.cost_band)


def months_text(r: Recommendation, lang: Lang) -> str:
    if lang == "zh":
        span = f"第 {r.start_month} 月" if r.start_month == r.end_month else None
        return span or f"第 {r.start_month}–{r.end_month} 月"
    if r.start_month == r.end_month:
        return f"month {r.start_month}"
    return f"months {r.start_month}–{r.end_month}"


def summary_context(a: Assessment, lang: Lang) -> dict[str, Any]:
    """Everything the summary page shows, already worded for `lang` where the words are ours.

    With a plan, the first actions are what year one starts and the year's cost is the plan's."""
    strengths, gaps = content.strengths_and_gaps(a.card)
    plan = plan_context(a.plan, a.recommendations, lang)
    if a.plan is not None:
        actions = [r for r in planned_in_order(a.recommendations) if r.year == 1][:FIRST_ACTIONS]
    else:
        actions = first_actions(a.recommendations)
    return {
        "strengths": strengths,
        "gaps": gaps,
        "actions": [
            {
                "rec": r,
                "cost": _action_cost(r, a.plan is not None),
                "months": months_text(r, lang),
                "benefit": r.benefits[0] if r.benefits else None,
            }
            for r in actions
        ],
        "help": help_routes(actions),
        "year_cost": None if a.plan is not None else year_cost(a.recommendations, lang),
        "scenario_count": len(a.recommendations),
        **plan,
    }


def gantt_svg(recs: Sequence[Recommendation], lang: Lang, *, planned: bool = False) -> str:
    """The roadmap on a month axis, in the order the scenarios start (only the planned ones
    when `planned`)."""
    ordered = planned_in_order(recs) if planned else in_roadmap_order(recs)
    bars = [GanttBar(f"{r.rank}. {r.name.get(lang)}", r.start_month, r.end_month) for r in ordered]
    zh = lang == "zh"
    planned = planned and horizon(bars) > FIRST_YEAR  # a plan within one year keeps the months
    return gantt(
        bars,
        title=("实施时间表" if planned else "实施时间表（按月）")
        if zh
        else ("Roadmap" if planned else "Roadmap by month"),
        axis_label=("季度（自启动当月起算）" if planned else "月份（自启动当月起算）")
        if zh
        else ("Quarter (counted from the start)" if planned else "Month (counted from the start)"),
        span_label="{start}–{end} 月" if zh else "M{start}–{end}",
        single_label="{start} 月" if zh else "M{start}",
        year_label=f"第一年（1–{FIRST_YEAR} 月）" if zh else f"Year 1 (months 1–{FIRST_YEAR})",
        years=[f"第 {y} 年" if zh else f"Year {y}" for y in range(1, 11)] if planned else (),
        quarters=("一", "二", "三", "四") if zh else ("Q1", "Q2", "Q3", "Q4"),
    )
