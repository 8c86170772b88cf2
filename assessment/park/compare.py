"""Like-for-like change between two periods: only firms assessed in both are compared."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models.results import ScoreCard


def level_id(card: ScoreCard) -> str:
    return card.level.id if card.level else "not_rated"


def mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 2) if known else None


def averages(cards: Sequence[ScoreCard], dims: Sequence[str]) -> dict[str, float | None]:
    row = {d: mean([c.node(d).score for c in cards]) for d in dims}
    row["overall"] = mean([c.overall for c in cards])
    return row


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 2)


@dataclass(frozen=True)
class Comparison:
    """Two periods compared on the firms assessed in both; the others are listed apart.

    `before` and `now` are the averages of the matched firms only; `change` is their difference,
    so a quarter with fewer (or other) firms never reads as a fall or a rise of the park.
    """

    matched: list[tuple[ScoreCard, ScoreCard]]
    new: list[ScoreCard]
    gone: list[ScoreCard]
    before: dict[str, float | None]
    now: dict[str, float | None]
    change: dict[str, float | None]
    levels_before: dict[str, int]
    levels_now: dict[str, int]
    industry_change: dict[str, dict[str, float | None]]
    industry_matched: dict[str, int]

    @property
    def count(self) -> int:
        return len(self.matched)

    def share_before(self, level: str) -> float | None:
        return self.levels_before.get(level, 0) / self.count if self.count else None

    def share_now(self, level: str) -> float | None:
        return self.levels_now.get(level, 0) / self.count if self.count else None


def compare(
    cards: Sequence[ScoreCard], previous: Mapping[str, ScoreCard], dims: Sequence[str]
) -> Comparison:
    """Compare `cards` with `previous` (by credit code) on the firms present in both."""
    codes = {c.firm.credit_code for c in cards}
    matched = [(previous[c.firm.credit_code], c) for c in cards if c.firm.credit_code in previous]
    before = averages([a for a, _ in matched], dims)
    now = averages([b for _, b in matched], dims)
    groups: dict[str, list[tuple[ScoreCard, ScoreCard]]] = defaultdict(list)
    for pair in matched:
        groups[pair[1].firm.industry].append(pair)
    industry_change = {}
    for industry, pairs in sorted(groups.items()):
        then = averages([a for a, _ in pairs], dims)
        later = averages([b for _, b in pairs], dims)
        industry_change[industry] = {k: _change(later[k], then[k]) for k in later}
    return Comparison(
        matched=matched,
        new=[c for c in cards if c.firm.credit_code not in previous],
        gone=sorted(
            (c for code, c in previous.items() if code not in codes),
            key=lambda c: c.firm.credit_code,
        ),
        before=before,
        now=now,
        change={k: _change(now[k], before[k]) for k in now},
        levels_before=dict(Counter(level_id(a) for a, _ in matched)),
        levels_now=dict(Counter(level_id(b) for _, b in matched)),
        industry_change=industry_change,
        industry_matched={k: len(v) for k, v in groups.items()},
    )
