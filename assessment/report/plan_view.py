"""How the reports word a firm's plan: its means, what starts each year, and what waits and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.common import Lang, TextValue
from ..models.results import Plan, Recommendation

T = TextValue

REASONS: dict[str, TextValue] = {
    "budget": T(
        zh="预算内优先：第一年预算先用于排在前面的场景",
        en="Within budget, first things first: year one's budget goes to the scenarios ahead of it",
    ),
    "capacity": T(
        zh="实施力量有限：第一年可同时推进的项目已排满",
        en="Limited hands: year one already holds as many projects as the firm can run",
    ),
    "prerequisite": T(zh="需先完成 {names}", en="Needs {names} first"),
    "open_cost": T(
        zh="投入上不封顶，需在前期项目完成后单独论证",
        en="Its cost has no upper limit; weigh it on its own once the earlier projects are done",
    ),
    "over_budget": T(
        zh="投入上限超过每年预算，需另筹资金或申请补贴",
        en="Its cost can exceed a year's budget; it needs other funds or a subsidy",
    ),
    "horizon": T(
        zh="规划期内排不下，待前期项目见效后再定",
        en="No room within the plan's years; decide once the earlier projects pay off",
    ),
}


def money(value: float, lang: Lang) -> str:
    """A sum of CNY as a manager says it: 4.9 (万元) / 49k."""
    if lang == "zh":
        return f"{round(value / 10_000, 2):g}"
    return f"{round(value / 1_000, 1):g}k" if value else "0"


def range_text(low: float, high: float, lang: Lang) -> str:
    if lang == "zh":
        if low == high:
            return f"{money(low, lang)} 万元"
        return f"{money(low, lang)}–{money(high, lang)} 万元"
    return (
        f"CNY {money(low, lang)}" if low == high else f"CNY {money(low, lang)}–{money(high, lang)}"
    )


def reason_text(rec: Recommendation, names: dict[str, TextValue], lang: Lang) -> str:
    text = REASONS[rec.deferred or "horizon"].get(lang)
    sep = "、" if lang == "zh" else ", "
    waiting = sep.join(names[p].get(lang) if p in names else p for p in rec.waiting_on)
    return text.replace("{names}", waiting)


def covering(rec: Recommendation) -> list[Any]:
    """The support routes that pay part of this scenario's cost."""
    return [s for s in rec.support if s.covers > 0]


def plan_context(plan: Plan | None, recs: Sequence[Recommendation], lang: Lang) -> dict[str, Any]:
    """Everything the scenario report and the summary page say about the plan."""
    if plan is None:
        return {"plan": None}
    names = {r.scenario: r.name for r in recs}
    by_id = {r.scenario: r for r in recs}
    years = [
        {
            "year": y.year,
            "cost": range_text(y.cost_min, y.cost_max, lang),
            "recs": [by_id[s] for s in y.scenarios],
        }
        for y in plan.years
    ]
    first = next((y for y in plan.years if y.year == 1), None)
    waiting = [r for r in recs if r.year != 1]
    return {
        "plan": plan,
        "budget_text": f"{money(plan.budget, lang)} 万元"
        if lang == "zh"
        else f"CNY {money(plan.budget, lang)}",
        "years": years,
        "first_cost": range_text(first.cost_min, first.cost_max, lang) if first else None,
        "first_count": len(first.scenarios) if first else 0,
        "waiting": [
            {
                "rec": r,
                "year": r.year,
                "reason": reason_text(r, names, lang),
            }
            for r in sorted(waiting, key=lambda r: (r.year or 99, r.rank))
        ],
        "firm_cost": {
            r.scenario: range_text(r.firm_cost_min, r.firm_cost_max, lang)
            for r in recs
            if r.firm_cost_min is not None and r.firm_cost_max is not None
        },
        "covering": {r.scenario: covering(r) for r in recs},
    }


def planned_in_order(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """The scenarios the plan takes up, by start month then rank."""
    return sorted((r for r in recs if r.year is not None), key=lambda r: (r.start_month, r.rank))
