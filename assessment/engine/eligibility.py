"""Which demonstration tiers a scored firm may be shortlisted in, by the questionnaire's rules."""

from __future__ import annotations

from typing import Any

from ..models.questionnaire import Questionnaire
from ..models.results import Eligibility, ScoreCard
from . import expr
from .plan import Plan


def card_context(card: ScoreCard) -> expr.Context:
    """The values, scores and level of a scored firm, as conditions over it see them."""
    values: dict[str, Any] = {
        "industry": card.firm.industry,
        "employees": float(card.firm.employees),
        "revenue": card.firm.revenue,
        "level": float(card.level.rank if card.level else 0),
        "next_level": float(card.next_level.rank) if card.next_level else None,
    }
    scores: dict[str, float | None] = {}
    answered: set[str] = set()
    for q in card.questions():
        value: Any = q.value if q.status in ("answered", "computed") else None
        if q.type == "multi" and isinstance(value, list):
            value = tuple(value)
        elif q.type == "yesno" and value is not None:
            value = value in ("yes", True)
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        values[q.id] = value
        scores[q.id] = q.score
        if q.status in ("answered", "computed"):
            answered.add(q.id)
    values.update(card.computed)
    for dimension in card.dimensions:
        scores[dimension.id] = dimension.score
        for indicator in dimension.indicators:
            scores[indicator.id] = indicator.score
    return expr.Context(values, scores, frozenset(answered))


def eligibility(q: Questionnaire, plan: Plan, card: ScoreCard) -> list[Eligibility]:
    """Each tier the questionnaire restricts, with the labels of the rules the firm misses."""
    context = card_context(card)
    found = []
    for t_i, tier in enumerate(q.demonstration):
        unmet = [
            rule.label
            for r_i, rule in enumerate(tier.rules)
            if not ((parsed := plan.eligibility.get((t_i, r_i))) and parsed.truth(context))
        ]
        found.append(Eligibility(tier=tier.tier, eligible=not unmet, unmet=unmet))
    return found
