"""The park report of a stored period, for a park account's own park (or an admin's choice)."""

from __future__ import annotations

from ..models.common import Lang
from ..models.results import ScoreCard
from ..park.summary import summarise
from ..report.park_report import render_park
from ..store import Store


def park_pdf(store: Store, period: str, park: str | None, lang: Lang) -> bytes | None:
    """The park report over the firms of `park` (all stored firms when None), or None if none."""

    def of_park(cards: list[ScoreCard]) -> list[ScoreCard]:
        return [c for c in cards if park is None or c.firm.park == park]

    cards = of_park(store.cards(period))
    if not cards:
        return None
    before = store.previous_period(period)
    previous = of_park(store.cards(before)) if before else []
    codes = {c.firm.credit_code for c in cards}
    recs = {k: v for k, v in store.recommendations(period).items() if k in codes}
    summary = summarise(cards, previous=previous, recommendations=recs, park=park)
    return render_park(summary, lang=lang)
