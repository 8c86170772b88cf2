"""What a firm's reports are made from besides its own answers, and the key that names them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.pipeline import Assessment, catalogue_for
from ..models.results import Recommendation, ScoreCard, SupportGiven
from ..park.adoption import FirmAdoption, firm_adoption
from ..park.peers import PeerAverages, peer_averages
from ..park.trends import FirmTrend, History, firm_trends, stored_history
from ..store import Store
from ..store.services import services


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def render_key(
    source: str | None,
    peers: PeerAverages,
    prior: ScoreCard | None,
    templates: Path | None,
    trend: FirmTrend | None = None,
    earlier: Sequence[Recommendation] | None = None,
    *extra: str,
) -> str:
    """What a firm's reports are made from: its file, its peers, last quarter, the templates, its
    trend and last quarter's recommendations (plus `extra` outputs such as the PNG); reports made
    from the same key need not be made again."""
    return digest(
        source or "",
        repr(peers),
        prior.model_dump_json() if prior else "",
        str(templates or ""),
        repr(trend),
        json.dumps([r.scenario for r in earlier or []]),
        *extra,
    )


@dataclass(frozen=True)
class PeriodInputs:
    """What a period's firm reports are made from besides each firm's own answers, read from the
    store once per run: the park's averages by industry, last period's cards and recommendations,
    every firm's scores over the stored periods, and the period's services register."""

    peers: dict[str, PeerAverages]
    previous: dict[str, ScoreCard]
    earlier: dict[str, list[Recommendation]]
    history: History
    trends: dict[str, FirmTrend]
    given: list[SupportGiven]

    def given_to(self, code: str) -> list[SupportGiven]:
        """The register's lines for this firm: the support that lowers its costs."""
        return [g for g in self.given if g.credit_code == code]

    def firm(
        self, code: str, industry: str
    ) -> tuple[PeerAverages, ScoreCard | None, FirmTrend | None, list[Recommendation] | None]:
        """A firm's peers, previous card, trend and last period's recommendations to it."""
        prior = self.previous.get(code)
        earlier = self.earlier.get(code) if prior else None
        return self.peers[industry], prior, self.trends.get(code), earlier

    def key(
        self, code: str, industry: str, source: str | None, templates: Path | None, *extra: str
    ) -> str:
        """The firm's render key (see `render_key`), with the support given to it."""
        peers, prior, trend, earlier = self.firm(code, industry)
        support = [g.model_dump_json() for g in self.given_to(code)]
        return render_key(source, peers, prior, templates, trend, earlier, *support, *extra)


def period_inputs(store: Store, period: str) -> PeriodInputs:
    """Read a period's `PeriodInputs` from the store."""
    cards = store.cards(period)
    before = store.previous_period(period)
    history = stored_history(store, period)
    # The park's averages once per industry, not once per firm: a park has thousands of firms.
    return PeriodInputs(
        peers={i: peer_averages(cards, i) for i in {c.firm.industry for c in cards}},
        previous={c.firm.credit_code: c for c in store.cards(before)} if before else {},
        earlier=dict(store.recommendations(before)) if before else {},
        history=history,
        trends=firm_trends(history),
        given=[s.given() for s in services(store, period)],
    )


def stored_adoption(
    a: Assessment, previous: ScoreCard | None, earlier: list[Recommendation] | None
) -> FirmAdoption | None:
    """What the firm adopted of the scenarios recommended to it in the previous period."""
    if previous is None or not earlier:
        return None
    catalogue = catalogue_for(a.questionnaire)
    return firm_adoption(
        earlier, a.card, a.recommendations, before=previous.period, catalogue=catalogue
    )
