"""Puts the roadmap in time: each recommended scenario's start and end month, and the first
year's cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..models.results import Recommendation

# A slot is a quarter: now starts in month 1, next quarter in month 4, later from month 7.
SLOT_START = {"now": 1, "next": 4, "later": 7}
DEFAULT_DURATION = 3  # months, for a scenario whose catalogue entry gives none
FIRST_YEAR = 12


def schedule(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """Each scenario starts at its slot's first month, or the month after the last of its
    recommended prerequisites ends, whichever is later; it runs for its duration."""
    by_id = {r.scenario: r for r in recs}
    end: dict[str, int] = {}
    start: dict[str, int] = {}

    def place(name: str) -> int:
        if name not in end:
            rec = by_id[name]
            after = [place(p) + 1 for p in rec.waiting_for if p in by_id]
            start[name] = max([SLOT_START[rec.slot], *after])
            end[name] = start[name] + rec.duration_months - 1
        return end[name]

    for r in recs:
        place(r.scenario)
    return [
        r.model_copy(update={"start_month": start[r.scenario], "end_month": end[r.scenario]})
        for r in recs
    ]


def in_roadmap_order(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """The scenarios by start month, then rank: the order in which a firm takes them up."""
    return sorted(recs, key=lambda r: (r.start_month, r.rank))


@dataclass(frozen=True)
class YearCost:
    """The summed cost bands of the scenarios that start in months 1–12, in CNY.

    `high` is None when one of them has an open-ended band ("over CNY 500k")."""

    scenarios: tuple[Recommendation, ...]
    low: float
    high: float | None


def first_year_cost(recs: Sequence[Recommendation]) -> YearCost | None:
    """The cost of every scenario starting within the first year (its whole band, even when it
    runs on past month 12); None if a band has no range in the catalogue or nothing starts."""
    starting = tuple(r for r in in_roadmap_order(recs) if r.start_month <= FIRST_YEAR)
    if not starting or any(r.cost_min is None for r in starting):
        return None
    low = sum(r.cost_min or 0.0 for r in starting)
    highs = [r.cost_max for r in starting]
    high = None if any(h is None for h in highs) else sum(h or 0.0 for h in highs)
    return YearCost(starting, low, high)
