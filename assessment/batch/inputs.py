"""What a firm's reports are made from besides its own answers, and the key that names them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._version import __version__
from ..display import rounded
from ..engine.pipeline import Assessment, catalogue_for
from ..models.results import Recommendation, ScoreCard, SupportGiven
from ..park.adoption import FirmAdoption, firm_adoption
from ..park.peers import PeerAverages, peer_averages
from ..park.trends import FirmTrend, History, firm_trends, stored_history
from ..resources import shipped_file, templates_dir
from ..store import EVERY_PARK, Store
from ..store.reports import Closing, closing
from ..store.services import services


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def folder_digest(*folders: Path | None) -> str:
    """The content of every file in `folders` (names and bytes), not where they are."""
    parts: list[str | bytes] = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            parts.append("")
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def layout_digest(templates: Path | None, questionnaires: Sequence[str] = ()) -> str:
    """What shapes every page besides the data: this dtm, the shipped templates, the user's
    `--templates` and the scenario catalogues of the questionnaires used, by content."""
    catalogues = []
    for qid in sorted(set(questionnaires)):
        found = shipped_file(f"{qid}_scenarios")
        catalogues.append(found.read_bytes() if found is not None else b"")
    return digest(__version__, folder_digest(templates_dir(), templates), *catalogues)


def printed(peers: PeerAverages) -> PeerAverages:
    """Peer figures as the reports print them (one decimal): what a render key may hold."""

    def one(values: dict[str, float]) -> dict[str, float]:
        return {k: float(rounded(v, 1)) for k, v in sorted(values.items())}

    def maybe(value: float | None) -> float | None:
        return None if value is None else float(rounded(value, 1))

    return dataclasses.replace(
        peers,
        park=one(peers.park),
        industry=one(peers.industry),
        park_overall=maybe(peers.park_overall),
        industry_overall=maybe(peers.industry_overall),
    )


def peers_to_json(peers: PeerAverages) -> dict[str, Any]:
    return dataclasses.asdict(peers)


def peers_from_json(data: dict[str, Any]) -> PeerAverages:
    known = {f.name for f in dataclasses.fields(PeerAverages)} - {"closed_period", "closed_on"}
    return PeerAverages(**{k: v for k, v in data.items() if k in known})


def render_key(
    content: str,
    peers: PeerAverages,
    prior: ScoreCard | None,
    layout: str,
    trend: FirmTrend | None = None,
    earlier: Sequence[Recommendation] | None = None,
    *extra: str,
) -> str:
    """What shows on a firm's pages: its stored answers and result (`content`), its peers as
    printed, last quarter's card, the layout (templates, catalogue, dtm; see `layout_digest`),
    its trend and last quarter's recommendations, plus `extra` (the language, the PNG). Reports
    made from the same key are the same reports."""
    return digest(
        content,
        repr(printed(peers)),
        prior.model_dump_json() if prior else "",
        layout,
        repr(trend),
        json.dumps([r.scenario for r in earlier or []]),
        *extra,
    )


@dataclass(frozen=True)
class PeriodInputs:
    """What a period's firm reports are made from besides each firm's own answers, read from the
    store once per run: each park's averages by industry (frozen at the quarter's closing when
    the park closed it), last period's cards and recommendations, every firm's scores over the
    stored periods, and the period's services register."""

    peers: dict[tuple[str | None, str], PeerAverages]
    previous: dict[str, ScoreCard]
    earlier: dict[str, list[Recommendation]]
    history: History
    trends: dict[str, FirmTrend]
    given: list[SupportGiven] = field(default_factory=list)
    layout: str = ""
    closed: dict[str | None, Closing] = field(default_factory=dict)

    def given_to(self, code: str) -> list[SupportGiven]:
        """The register's lines for this firm: the support that lowers its costs."""
        return [g for g in self.given if g.credit_code == code]

    def firm(
        self, code: str, industry: str, park: str | None, stored_at: datetime | None = None
    ) -> tuple[PeerAverages, ScoreCard | None, FirmTrend | None, list[Recommendation] | None]:
        """A firm's peers (of its own park), previous card, trend and last period's
        recommendations to it. A firm stored again after its park closed the quarter (a
        correction) gets the frozen figures with the closing named, so its report says so;
        the others' pages stay as they were at closing."""
        prior = self.previous.get(code)
        earlier = self.earlier.get(code) if prior else None
        peers = printed(self.peers.get((park, industry)) or PeerAverages())
        closed = self.closed.get(park)
        if closed is not None and stored_at is not None and stored_at > closed.closed_at:
            peers = dataclasses.replace(
                peers, closed_period=closed.period, closed_on=closed.closed_at.date()
            )
        return peers, prior, self.trends.get(code), earlier

    def key(
        self, card: ScoreCard, content: str, *extra: str, stored_at: datetime | None = None
    ) -> str:
        """The firm's render key (see `render_key`), with the support given to it."""
        firm = card.firm
        peers, prior, trend, earlier = self.firm(
            firm.credit_code, firm.industry, firm.park, stored_at
        )
        support = [g.model_dump_json() for g in self.given_to(firm.credit_code)]
        return render_key(content, peers, prior, self.layout, trend, earlier, *support, *extra)


def park_peers(cards: Sequence[ScoreCard]) -> dict[str, PeerAverages]:
    """One park's averages for each industry it has, as printed."""
    return {i: printed(peer_averages(cards, i)) for i in sorted({c.firm.industry for c in cards})}


def period_inputs(store: Store, period: str, templates: Path | None = None) -> PeriodInputs:
    """Read a period's `PeriodInputs` from the store."""
    before = store.previous_period(period)
    history = stored_history(store, period)
    peers: dict[tuple[str | None, str], PeerAverages] = {}
    closed: dict[str | None, Closing] = {}
    for park in store.parks(period):
        found = closing(store, period, park)
        if found is not None:
            closed[park] = found
            for industry, data in found.peers.items():
                peers[park, industry] = peers_from_json(data)
            continue
        # The park's averages once per industry, not once per firm: a park has thousands.
        for industry, averages in park_peers(store.cards(period, park=park)).items():
            peers[park, industry] = averages
    questionnaires = [c.questionnaire.id for c in history.get(period, [])]
    return PeriodInputs(
        peers=peers,
        previous={c.firm.credit_code: c for c in store.cards(before)} if before else {},
        earlier=dict(store.recommendations(before, park=EVERY_PARK)) if before else {},
        history=history,
        trends=firm_trends(history),
        given=[s.given() for s in services(store, period)],
        layout=layout_digest(templates, questionnaires),
        closed=closed,
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
