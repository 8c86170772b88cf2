"""Ranks the demonstration scenarios a scored firm needs, and slots them into a roadmap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.catalogue import Catalogue, Scenario
from ..models.questionnaire import Questionnaire
from ..models.results import (
    Plan,
    Recommendation,
    RecommendationList,
    ScoreCard,
    Slot,
    Support,
    SupportGiven,
    TriggerAnswer,
)
from . import expr
from .afford import means
from .eligibility import card_context
from .fit import fit
from .given import apply_given
from .schedule import DEFAULT_DURATION, schedule

SLOTS: tuple[Slot, ...] = ("now", "next", "later")


def _gap(card: ScoreCard, scenario: Scenario, scores: dict[str, float | None]) -> float:
    known = [scores[a] for a in scenario.addresses if scores.get(a) is not None]
    if not known:
        return 0.0
    return sum(100 - (s or 0.0) for s in known) / len(known) / 100


def _triggers(
    parsed: expr.Expression, card: ScoreCard, context: expr.Context
) -> list[TriggerAnswer]:
    ids = {q.id for q in card.questions()} | set(card.computed)
    names = sorted((parsed.names | parsed.references) & ids)
    return [
        TriggerAnswer(question=n, value=context.values.get(n))
        for n in names
        if context.values.get(n) is not None or n in parsed.references
    ]


def recommend(
    card: ScoreCard,
    catalogue: Catalogue,
    questionnaire: Questionnaire | None = None,
    *,
    given: Sequence[SupportGiven] = (),
) -> RecommendationList:
    """The scenarios whose triggers fire for this firm, best first, each with its place in the
    roadmap (see `recommend_with_plan`)."""
    return RecommendationList(recommend_with_plan(card, catalogue, questionnaire, given=given)[0])


def recommend_with_plan(
    card: ScoreCard,
    catalogue: Catalogue,
    questionnaire: Questionnaire | None = None,
    *,
    given: Sequence[SupportGiven] = (),
) -> tuple[list[Recommendation], Plan | None]:
    """The scenarios whose triggers fire for this firm, best first, and the plan that fits the
    firm's budget and capacity when the catalogue has a budget rule (otherwise the roadmap
    slots them by rank and the plan is None).

    priority = gap × impact × (mandatory factor if mandatory, else 1) ÷ effort, where gap is the
    mean shortfall (0–1) of the scores the scenario addresses. `given` is the park's services
    register for the period (the lines of other firms are passed over): what it shows given to
    this firm lowers its cost where a support route names the register's kind (see `given`).
    """
    if questionnaire is not None:
        from .loader import plan_of  # the loader is heavy; `import assessment` stays quick

        plan_of(questionnaire)  # the questionnaire must be sound before its ids are trusted
    context = card_context(card)
    scores = dict(context.scores or {})
    chosen: list[tuple[float, int, Scenario, list[TriggerAnswer], float]] = []
    for order, scenario in enumerate(catalogue.scenarios):
        if "all" not in scenario.industries and card.firm.industry not in scenario.industries:
            continue
        parsed = _parse(scenario, catalogue)
        if not parsed.truth(context):
            continue
        gap = _gap(card, scenario, scores)
        factor = catalogue.priority.mandatory_factor if scenario.mandatory else 1.0
        priority = round(gap * scenario.impact * factor / scenario.effort, 6)
        chosen.append((priority, order, scenario, _triggers(parsed, card, context), gap))
    chosen.sort(key=lambda item: (-item[0], item[1]))
    picked = {item[2].id for item in chosen}
    result: list[Recommendation] = []
    for rank, (priority, _, scenario, triggers, gap) in enumerate(chosen, start=1):
        slot = (
            0
            if rank <= catalogue.roadmap.now
            else (1 if rank <= catalogue.roadmap.now + catalogue.roadmap.next else 2)
        )
        waiting = [p for p in scenario.prerequisites if p in picked]
        result.append(
            Recommendation(
                scenario=scenario.id,
                name=scenario.name,
                summary=scenario.summary,
                rank=rank,
                priority=priority,
                gap=round(gap, 4),
                impact=scenario.impact,
                effort=scenario.effort,
                mandatory=scenario.mandatory,
                mandatory_factor=catalogue.priority.mandatory_factor if scenario.mandatory else 1.0,
                slot=SLOTS[slot],
                triggered_by=triggers,
                prerequisites=list(scenario.prerequisites),
                waiting_for=waiting,
                benefits=list(scenario.benefits),
                cost_band=scenario.cost_band,
                **_money_and_time(scenario, catalogue),
            )
        )
    result = apply_given(result, catalogue, card.firm.credit_code, given)
    if catalogue.budget is None:
        return schedule(_settle(result)), None
    return fit(result, means(card, catalogue.budget), catalogue.budget.years)


def _money_and_time(scenario: Scenario, catalogue: Catalogue) -> dict[str, Any]:
    money = catalogue.cost_ranges.get(scenario.cost_band)
    return {
        "cost_min": money.min if money else None,
        "cost_max": money.max if money else None,
        "duration_months": scenario.duration_months or DEFAULT_DURATION,
        "support": [
            Support(
                id=s.id,
                kind=s.kind,
                name=s.name,
                detail=s.detail,
                covers=s.covers,
                service_kind=s.service_kind,
            )
            for s in catalogue.support
            if not s.scenarios or scenario.id in s.scenarios
        ],
    }


def _settle(result: list[Recommendation]) -> list[Recommendation]:
    """Prerequisites come first: each is pulled forward to the slot before its dependant, then
    every dependant moves to at least the slot after its prerequisites (a chain longer than the
    three slots shares the last one, in rank order)."""
    slot = {r.scenario: SLOTS.index(r.slot) for r in result}
    needs = {r.scenario: r.waiting_for for r in result}
    order: list[str] = []  # prerequisites before dependants (catalogues have no cycles)

    def visit(name: str) -> None:
        if name not in order:
            for prereq in needs[name]:
                visit(prereq)
            order.append(name)

    for r in result:
        visit(r.scenario)

    last = len(SLOTS) - 1

    def push() -> None:
        for name in order:
            earliest = max((slot[p] + 1 for p in needs[name]), default=0)
            slot[name] = min(max(slot[name], earliest), last)

    for name in reversed(order):
        for prereq in needs[name]:
            if slot[name] < last:  # both later: rank order within the slot shows the sequence
                slot[prereq] = min(slot[prereq], max(slot[name] - 1, 0))
    push()
    return [r.model_copy(update={"slot": SLOTS[slot[r.scenario]]}) for r in result]


_parsed: dict[tuple[str, str, str], expr.Expression] = {}


def _parse(scenario: Scenario, catalogue: Catalogue) -> expr.Expression:
    key = (catalogue.id, scenario.id, scenario.trigger)
    if key not in _parsed:
        _parsed[key] = expr.parse(scenario.trigger)
    return _parsed[key]
