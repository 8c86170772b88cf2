"""Scores over every stored period: the park's levels and means, and each firm's own scores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models.common import TextValue
from ..models.results import ScoreCard
from ..store.api import EVERY_PARK, Scope
from .compare import level_id, mean

if TYPE_CHECKING:
    from ..store import Store

# Period → that period's current score cards, oldest period first.
History = dict[str, list[ScoreCard]]


@dataclass(frozen=True)
class ParkPoint:
    """One period of the park: how many firms were assessed, at which levels, and their means.

    `means` holds "overall" and every dimension id; `counts` how many firms each mean covers
    (a firm without a score for a dimension is left out of that mean, not counted as zero)."""

    period: str
    firms: int
    levels: dict[str, int]
    means: dict[str, float | None]
    counts: dict[str, int]


@dataclass(frozen=True)
class ParkTrend:
    """The park over its stored periods; levels and dimensions as the latest period names them."""

    points: list[ParkPoint]
    levels: list[tuple[str, TextValue]]
    dimensions: list[tuple[str, TextValue]]

    @property
    def periods(self) -> list[str]:
        return [p.period for p in self.points]


@dataclass(frozen=True)
class FirmPoint:
    """One firm in one period: its level, overall score and dimension scores by id."""

    period: str
    level: TextValue
    overall: float | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class FirmTrend:
    """A firm over its stored periods, oldest first; dimensions as its latest period names them."""

    credit_code: str
    points: list[FirmPoint]
    dimensions: list[tuple[str, TextValue]]

    @property
    def periods(self) -> list[str]:
        return [p.period for p in self.points]


def stored_history(store: Store, until: str, park: Scope = EVERY_PARK) -> History:
    """The current score cards of every stored period up to and including `until` (of one
    park's firms when `park` is given)."""
    return {p: store.cards(p, park=park) for p in store.periods() if p <= until}


def _dimensions(card: ScoreCard) -> list[tuple[str, TextValue]]:
    return [(d.id, d.label) for d in card.dimensions if d.scored]


def _score(card: ScoreCard, dimension: str) -> float | None:
    found = [d.score for d in card.dimensions if d.id == dimension and d.scored]
    return found[0] if found else None


def park_trend(history: Mapping[str, Sequence[ScoreCard]]) -> ParkTrend | None:
    """Level counts and means per period; None when no period has any firm."""
    periods = sorted(p for p, cards in history.items() if cards)
    if not periods:
        return None
    latest = history[periods[-1]][0]
    dims = _dimensions(latest)
    levels: dict[str, TextValue] = {"not_rated": latest.not_rated}
    levels.update((check.id, check.name) for check in latest.levels)
    points = []
    for period in periods:
        cards = history[period]
        for card in cards:  # a level only an older questionnaire had keeps its own name
            levels.setdefault(level_id(card), card.level_name)
        scores = {"overall": [c.overall for c in cards]}
        scores.update({d: [_score(c, d) for c in cards] for d, _ in dims})
        points.append(
            ParkPoint(
                period=period,
                firms=len(cards),
                levels=dict(Counter(level_id(c) for c in cards)),
                means={key: mean(values) for key, values in scores.items()},
                counts={key: sum(v is not None for v in values) for key, values in scores.items()},
            )
        )
    return ParkTrend(points, list(levels.items()), dims)


def firm_trends(history: Mapping[str, Sequence[ScoreCard]]) -> dict[str, FirmTrend]:
    """Each firm's scores over the periods it was assessed in, by credit code."""
    by_firm: dict[str, list[ScoreCard]] = {}
    for period in sorted(history):
        for card in history[period]:
            by_firm.setdefault(card.firm.credit_code, []).append(card)
    trends = {}
    for code, cards in by_firm.items():
        dims = _dimensions(cards[-1])
        points = [
            FirmPoint(c.period, c.level_name, c.overall, {d: _score(c, d) for d, _ in dims})
            for c in cards
        ]
        trends[code] = FirmTrend(code, points, dims)
    return trends
