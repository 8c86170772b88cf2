"""Fits the triggered scenarios into a plan the firm can afford and carry, year by year.

The scenarios are taken in priority order, those free to the firm first, each one's
recommended prerequisites pulled in just before it. Year one starts them in that order while
the firm's budget and its capacity (projects at once) hold, and stops at the first that does
not fit: so a larger budget only ever adds to year one (later years it can reorder: a scenario
alone above a smaller yearly budget stays in the queue with a larger one and may take the room
a lower-priority one had; see docs/methodology.md). Later years go on the same way with
the same yearly budget; a scenario whose cost is open-ended, or alone above the yearly budget,
is left out of the plan, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models.results import DeferReason, Plan, PlanYear, Recommendation, Support
from .afford import Means

YEAR = 12


def _less(cost: float | None, route: Support) -> float | None:
    """A cost bound less what one route pays of it: its share, or the sum the park's services
    register records paid for this scenario under it when that is more (so support given
    never raises the firm's cost)."""
    if cost is None:
        return None
    paid = max(cost * route.covers, min(cost, route.paid or 0.0))
    return round(cost - paid, 2)


def cheapest_route(rec: Recommendation) -> Support | None:
    """The support route that lowers the scenario's cost to the firm most (its highest cost
    first, then its lowest); None when no route lowers it."""
    best: tuple[float, float] | None = None
    chosen = None
    for route in rec.support:
        low, high = _less(rec.cost_min, route), _less(rec.cost_max, route)
        if (low, high) == (rec.cost_min, rec.cost_max):
            continue
        key = (math.inf if high is None else high, math.inf if low is None else low)
        if best is None or key < best:
            best, chosen = key, route
    return chosen


def firm_cost(rec: Recommendation) -> tuple[float | None, float | None]:
    """The scenario's cost band less what the route that lowers it most pays, in CNY."""
    route = cheapest_route(rec)
    if route is None:
        return rec.cost_min, rec.cost_max
    return _less(rec.cost_min, route), _less(rec.cost_max, route)


def in_order(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """What costs the firm nothing first (free support), then the rest, each in priority order
    (rank), each scenario's recommended prerequisites just before it."""
    by_id = {r.scenario: r for r in recs}
    order: list[Recommendation] = []
    seen: set[str] = set()

    def visit(rec: Recommendation) -> None:
        if rec.scenario in seen:
            return
        seen.add(rec.scenario)
        for p in rec.waiting_for:
            if p in by_id:
                visit(by_id[p])
        order.append(rec)

    for rec in sorted(recs, key=lambda r: (firm_cost(r)[1] != 0, r.rank)):
        visit(rec)
    return order


@dataclass
class _Lanes:
    """Capacity as lanes: each lane runs one project at a time."""

    free: list[int]
    start: dict[str, int] = field(default_factory=dict)
    end: dict[str, int] = field(default_factory=dict)

    def earliest(self, rec: Recommendation, not_before: int) -> int:
        after = [self.end[p] + 1 for p in rec.waiting_for if p in self.end]
        return max([min(self.free), not_before, *after])

    def take(self, rec: Recommendation, month: int) -> None:
        lane = min(range(len(self.free)), key=lambda i: (self.free[i] > month, self.free[i]))
        self.start[rec.scenario] = month
        self.end[rec.scenario] = month + rec.duration_months - 1
        self.free[lane] = self.end[rec.scenario] + 1


def fit(
    recs: Sequence[Recommendation], means: Means, years: int
) -> tuple[list[Recommendation], Plan]:
    """The recommendations with their plan year, months and firm cost, and the plan itself."""
    costs = {r.scenario: firm_cost(r) for r in recs}
    reason: dict[str, DeferReason] = {}
    waiting_on: dict[str, list[str]] = {}
    open_ids: set[str] = set()
    order = in_order(recs)
    for rec in order:  # open-ended costs, and whatever needs them, stay out of the plan
        low, high = costs[rec.scenario]
        blocked = [p for p in rec.waiting_for if p in open_ids]
        if low is None or high is None or blocked:
            open_ids.add(rec.scenario)
            reason[rec.scenario] = "prerequisite" if blocked else "open_cost"
            waiting_on[rec.scenario] = blocked
    remaining = [r for r in order if r.scenario not in open_ids]
    lanes = _Lanes([1] * means.capacity)
    year_of: dict[str, int] = {}
    dropped: set[str] = set()
    for year in range(1, years + 1):
        first, last = (year - 1) * YEAR + 1, year * YEAR
        spent_high = 0.0
        stop: DeferReason | None = None
        left: list[Recommendation] = []
        for rec in remaining:
            high = costs[rec.scenario][1] or 0.0
            lost = [p for p in rec.waiting_for if p in dropped]
            if lost or (year > 1 and high > means.budget):
                dropped.add(rec.scenario)
                if lost:
                    reason[rec.scenario], waiting_on[rec.scenario] = "prerequisite", lost
                else:
                    reason[rec.scenario], waiting_on[rec.scenario] = "over_budget", []
                continue
            if stop is None:
                month = lanes.earliest(rec, first)
                if spent_high + high > means.budget:
                    stop = "budget"
                elif month > last:
                    stop = "capacity"
                else:
                    lanes.take(rec, month)
                    year_of[rec.scenario] = year
                    spent_high += high
                    continue
            if year == 1:
                late = [p for p in rec.waiting_for if p not in year_of and p in costs]
                reason[rec.scenario] = "prerequisite" if late else (stop or "budget")
                waiting_on[rec.scenario] = late
            left.append(rec)
        remaining = left
    for rec in remaining:
        if reason.get(rec.scenario) != "prerequisite":
            reason[rec.scenario] = "horizon"
    placed = [_placed(r, year_of, lanes, costs, reason, waiting_on) for r in recs]
    return placed, _plan(placed, means, year_of)


def _placed(
    rec: Recommendation,
    year_of: dict[str, int],
    lanes: _Lanes,
    costs: dict[str, tuple[float | None, float | None]],
    reason: dict[str, DeferReason],
    waiting_on: dict[str, list[str]],
) -> Recommendation:
    low, high = costs[rec.scenario]
    route = cheapest_route(rec)
    year = year_of.get(rec.scenario)
    start = lanes.start.get(rec.scenario)
    update: dict[str, object] = {
        "firm_cost_min": low,
        "firm_cost_max": high,
        "support_applied": route.id if route is not None else None,
        "year": year,
        "deferred": None if year == 1 else reason.get(rec.scenario, "horizon"),
        "waiting_on": [] if year == 1 else waiting_on.get(rec.scenario, []),
    }
    if start is not None:
        update |= {
            "start_month": start,
            "end_month": lanes.end[rec.scenario],
            "slot": "now" if start <= 3 else ("next" if start <= 6 else "later"),
        }
    else:  # not in the plan: no months of its own
        update |= {"slot": "later", "start_month": 0, "end_month": 0}
    return rec.model_copy(update=update)


def _plan(placed: Sequence[Recommendation], means: Means, year_of: dict[str, int]) -> Plan:
    years = []
    for year in sorted(set(year_of.values())):
        recs = [r for r in placed if r.year == year]
        years.append(
            PlanYear(
                year=year,
                scenarios=[r.scenario for r in sorted(recs, key=lambda r: (r.start_month, r.rank))],
                cost_min=round(sum(r.firm_cost_min or 0.0 for r in recs), 2),
                cost_max=round(sum(r.firm_cost_max or 0.0 for r in recs), 2),
            )
        )
    return Plan(
        budget=means.budget,
        budget_known=means.budget_known,
        budget_basis=list(means.budget_basis),
        capacity=means.capacity,
        capacity_known=means.capacity_known,
        capacity_basis=means.capacity_basis,
        years=years,
        unplanned=[r.scenario for r in sorted(placed, key=lambda r: r.rank) if r.year is None],
    )
