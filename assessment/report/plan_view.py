"""How the reports word a firm's plan: its means, what starts each year, and what waits and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.afford import TEN_K, figure
from ..models.common import Lang, TextValue
from ..models.results import Plan, Recommendation, Support
from .i18n import long_date

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


def _given_text(route: Support, lang: Lang) -> str:
    """What the park's services register shows given to the firm under a route."""
    dates = ("、" if lang == "zh" else ", ").join(
        long_date(d, lang) for d in sorted({g.served_on for g in route.given})
    )
    amounts = [g.amount for g in route.given if g.amount is not None]
    if lang == "zh":
        worth = f"，计 {figure(sum(amounts))} 万元" if amounts else ""
        return f"园区服务台账记录{dates}已获得{worth}"
    worth = f", worth CNY {money(sum(amounts) * TEN_K, lang)}" if amounts else ""
    return f"the park's services register: given on {dates}{worth}"


def _saving(rec: Recommendation, lang: Lang) -> str:
    """How much less the scenario costs the firm than its cost band."""
    low = round((rec.cost_min or 0.0) - (rec.firm_cost_min or 0.0), 2)
    if rec.cost_max is None or rec.firm_cost_max is None:
        at_least = money(low, lang)
        return f"至少 {at_least} 万元" if lang == "zh" else f"at least CNY {at_least}"
    return range_text(low, round(rec.cost_max - rec.firm_cost_max, 2), lang)


def _how(route: Support, lang: Lang) -> str:
    share = figure(route.covers * 100)
    if route.paid is None:
        return f"按其承担 {share}% 计" if lang == "zh" else f"as it pays {share}%"
    paid = money(route.paid, lang)
    if lang == "zh":
        return f"按其承担 {share}% 与已获得的 {paid} 万元中较多者计"
    return f"as it pays {share}% or the CNY {paid} given, whichever is more"


def support_lines(rec: Recommendation, lang: Lang, *, full: bool = False) -> list[str]:
    """The support route that lowers the scenario's cost to the firm, with how much it takes
    off, and every route the park's services register shows given to the firm for it. `full`
    adds the register's dates and sums and how the saving is counted."""
    lines = []
    for route in rec.support:
        applied = route.id == rec.support_applied and rec.firm_cost_min is not None
        if not applied and not route.given:
            continue
        text = route.name.get(lang)
        if route.given:
            given = _given_text(route, lang) if full else ("已获得" if lang == "zh" else "given")
            text += f"（{given}）" if lang == "zh" else f" ({given})"
        if applied:
            saved = _saving(rec, lang)
            if lang == "zh":
                text += f"：企业少付 {saved}" + (f"，{_how(route, lang)}" if full else "")
            else:
                text += f": {saved} less for the firm" + (f", {_how(route, lang)}" if full else "")
        lines.append(text)
    return lines


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
        "support_lines": {r.scenario: support_lines(r, lang) for r in recs},
        "support_full": {r.scenario: support_lines(r, lang, full=True) for r in recs},
    }


def planned_in_order(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """The scenarios the plan takes up, by start month then rank."""
    return sorted((r for r in recs if r.year is not None), key=lambda r: (r.start_month, r.rank))
