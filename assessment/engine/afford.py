"""What a firm can afford and carry, read from its own answers by the catalogue's budget rule."""

from __future__ import annotations

from dataclasses import dataclass

from ..models.catalogue import BudgetRule
from ..models.common import TextValue
from ..models.results import ScoreCard
from . import expr
from .eligibility import card_context

TEN_K = 10_000  # budget rules count in 万元, as the questionnaires ask money; plans in CNY


@dataclass(frozen=True)
class Means:
    """A firm's year-one budget (CNY) and how many projects it can run at once, with the why."""

    budget: float
    budget_known: bool
    budget_basis: tuple[TextValue, ...]
    capacity: int
    capacity_known: bool
    capacity_basis: TextValue


def figure(value: float) -> str:
    """A figure as the reports print it: 4.9, 12, 0.75 (no trailing zeros, at most 2 decimals)."""
    return f"{round(value, 2):g}"


def _fill(text: TextValue, values: dict[str, object]) -> TextValue:
    shown = {k: figure(v) if isinstance(v, float | int) else str(v) for k, v in values.items()}

    def one(s: str) -> str:
        for key, value in shown.items():
            s = s.replace("{" + key + "}", value)
        return s

    return TextValue(zh=one(text.zh), en=one(text.en))


def _number(value: expr.Value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def _size_default(rule: BudgetRule, employees: int) -> float:
    for default in rule.by_size:
        if default.max_employees is None or employees <= default.max_employees:
            return float(default.budget)
    return float(rule.by_size[-1].budget)


def means(card: ScoreCard, rule: BudgetRule) -> Means:
    """The budget: the first source whose answers are known, else the cautious default for the
    firm's size; then every stated-plan limit that holds narrows it. The capacity: the first
    capacity rule that holds, else the default."""
    context = card_context(card)
    budget: float | None = None
    basis: list[TextValue] = []
    for source in rule.sources:
        parsed = expr.parse(source.value)
        value = _number(parsed.evaluate(context))
        if value is None:
            continue
        named = {n: context.values.get(n) for n in parsed.names}
        budget = value
        basis.append(_fill(source.basis, {**named, "value": value}))
        break
    known = budget is not None
    if budget is None:
        budget = _size_default(rule, card.firm.employees)
        basis.append(_fill(rule.default_basis, {"value": budget, "employees": card.firm.employees}))
    for limit in rule.limits:
        if not expr.parse(limit.when).truth(context):
            continue
        low = budget if limit.min is None else max(budget, float(limit.min))
        narrowed = low if limit.max is None else min(low, float(limit.max))
        if narrowed != budget:
            budget = narrowed
            basis.append(_fill(limit.basis, {"value": budget}))
    capacity, capacity_basis, capacity_known = rule.default_capacity, None, False
    for c_rule in rule.capacity:
        if expr.parse(c_rule.when).truth(context):
            capacity, capacity_basis, capacity_known = c_rule.projects, c_rule.basis, True
            break
    shown = _fill(capacity_basis or rule.default_capacity_basis, {"projects": capacity})
    return Means(round(budget * TEN_K, 2), known, tuple(basis), capacity, capacity_known, shown)
