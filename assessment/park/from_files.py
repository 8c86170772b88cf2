"""A firm set against its peers and its own past, from answer files (`dtm report --peers`)."""

from __future__ import annotations

from pathlib import Path

from ..engine.pipeline import Assessment, assess, catalogue_for
from ..errors import N_, UsageError
from ..models.common import StrPath
from ..models.results import ScoreCard
from .adoption import FirmAdoption, firm_adoption
from .peers import PeerAverages, peer_averages


def peer_group(result: Assessment, folder: StrPath) -> PeerAverages:
    """Averages over the answer files in `folder` scored with the same questionnaire and period."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(N_("%(path)s: no such folder of peer answer files"), path=folder)
    cards = [result.card]
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.json")]):
        peer = assess(path, questionnaire=result.questionnaire).card
        same = peer.period == result.card.period
        if same and peer.firm.credit_code != result.card.firm.credit_code:
            cards.append(peer)
    return peer_averages(cards, result.card.firm.industry)


def earlier_card(result: Assessment, previous: str | Path) -> ScoreCard:
    """The same firm's score card from an earlier period, to show its progress.

    Another firm's file, or one of the same or a later period, is refused: it would be
    reported as this firm's progress.
    """
    before = assess(previous, questionnaire=result.questionnaire).card
    firm, now = result.card.firm.credit_code, result.card.period
    if before.firm.credit_code != firm:
        raise UsageError(
            N_("%(path)s: is for %(other)s, not %(firm)s; give this firm's earlier file"),
            path=previous,
            other=before.firm.credit_code,
            firm=firm,
        )
    if before.period >= now:
        raise UsageError(
            N_("%(path)s: is for %(period)s, not a period before %(now)s; give an earlier file"),
            path=previous,
            period=before.period,
            now=now,
        )
    return before


def adoption_since(
    result: Assessment, previous: str | Path, catalogue: StrPath | None = None
) -> FirmAdoption:
    """Which scenarios recommended in the firm's earlier answer file it has adopted by now."""

    before = earlier_card(result, previous)
    found = catalogue_for(result.questionnaire, catalogue)
    earlier = assess(previous, questionnaire=result.questionnaire, catalogue=found)
    return firm_adoption(
        earlier.recommendations,
        result.card,
        result.recommendations,
        before=before.period,
        catalogue=found,
    )
