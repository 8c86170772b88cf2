"""What the park's services register shows given to a firm, set against its scenarios' costs.

A support route of the catalogue may name the register's kind that records it given
(`service_kind`). The register's lines of that kind for this firm are copied onto the route
beside every scenario it helps with, and the amounts they record (万元) are money the park has
already spent on the firm under that route: it pays for the route's scenarios best-ranked first,
each up to its highest cost, so that one sum is counted once however many scenarios the route
helps with. A route then pays its share or the sum, whichever is more (see `fit.firm_cost`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models.catalogue import Catalogue
from ..models.results import Recommendation, SupportGiven
from .afford import TEN_K


def apply_given(
    recs: Sequence[Recommendation],
    catalogue: Catalogue,
    credit_code: str,
    given: Sequence[SupportGiven],
) -> list[Recommendation]:
    """The recommendations (in rank order) with each route's register lines and paid sums."""
    ours = [g for g in given if g.credit_code == credit_code]
    lines = {
        route.id: [g for g in ours if g.kind == route.service_kind]
        for route in catalogue.support
        if route.service_kind is not None
    }
    left: dict[str, float | None] = {}
    for route_id, found in lines.items():
        amounts = [g.amount for g in found if g.amount is not None]
        left[route_id] = round(sum(amounts) * TEN_K, 2) if amounts else None
    placed = []
    for rec in sorted(recs, key=lambda r: r.rank):
        support = []
        for s in rec.support:
            if not lines.get(s.id):
                support.append(s)
                continue
            paid = None
            money = left[s.id]
            if money and rec.cost_min is not None:
                take = money if rec.cost_max is None else min(money, rec.cost_max)
                left[s.id] = round(money - take, 2)
                paid = take or None
            support.append(s.model_copy(update={"given": lines[s.id], "paid": paid}))
        placed.append(rec.model_copy(update={"support": support}))
    return placed
