"""Averages over peer firms (the park, the same industry) to set one firm's scores against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ..models.results import ScoreCard


@dataclass(frozen=True)
class PeerAverages:
    """Mean dimension scores of the park's firms and of the firm's industry, by dimension id;
    always of one park (a district's parks are never averaged together)."""

    park: dict[str, float] = field(default_factory=dict)
    industry: dict[str, float] = field(default_factory=dict)
    park_count: int = 0
    industry_count: int = 0
    park_overall: float | None = None
    industry_overall: float | None = None
    # Set when the park closed the quarter: the figures are those of that day, not of today.
    closed_period: str | None = None
    closed_on: date | None = None


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def _by_dimension(cards: Sequence[ScoreCard]) -> dict[str, float]:
    ids = [d.id for d in cards[0].dimensions] if cards else []
    means = {i: _mean([c.node(i).score for c in cards]) for i in ids}
    return {k: v for k, v in means.items() if v is not None}


def peer_averages(cards: Sequence[ScoreCard], industry: str) -> PeerAverages:
    """Averages over `cards` (one period, one questionnaire) and over those in `industry`."""
    same = [c for c in cards if c.firm.industry == industry]
    return PeerAverages(
        park=_by_dimension(cards),
        industry=_by_dimension(same),
        park_count=len(cards),
        industry_count=len(same),
        park_overall=_mean([c.overall for c in cards]),
        industry_overall=_mean([c.overall for c in same]),
    )
