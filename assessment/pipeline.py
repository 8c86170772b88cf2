"""The whole pipeline in one place: load → validate → score → recommend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import loader, resources
from .errors import UsageError
from .models.answers import AnswerSheet
from .models.catalogue import Catalogue
from .models.questionnaire import Questionnaire
from .models.results import Recommendation, ScoreCard
from .peers import PeerAverages, peer_averages
from .recommend import recommend
from .scoring import score


@dataclass(frozen=True)
class Assessment:
    """One firm, one period: its answers, its score card and its recommended scenarios."""

    source: Path | None
    questionnaire: Questionnaire
    sheet: AnswerSheet
    card: ScoreCard
    recommendations: list[Recommendation]


def catalogue_for(q: Questionnaire, source: str | Path | None = None) -> Catalogue | None:
    """The named catalogue, or the shipped `<questionnaire id>_scenarios` one if there is one."""
    if source is not None:
        return loader.load_catalogue(source, q)
    default = f"{q.id}_scenarios"
    if resources.shipped_file(default) is None:
        return None
    return loader.load_catalogue(default, q)


def assess(
    answers: str | Path,
    *,
    questionnaire: str | Path | Questionnaire | None = None,
    catalogue: str | Path | Catalogue | None = None,
    partial: bool = False,
) -> Assessment:
    """Load, check, score and recommend for one answer file.

    The questionnaire defaults to the one the file names; the catalogue to the shipped one for
    that questionnaire. Raises `ValidationFailed` listing every problem in the file.
    """
    path = Path(answers)
    q = (
        loader.load_questionnaire(questionnaire)
        if isinstance(questionnaire, str | Path)
        else questionnaire
    )
    sheet = loader.load_answers(path, q, partial=partial)
    q = q or loader.questionnaire_for(sheet, path)
    return assess_sheet(sheet, q, catalogue=catalogue, partial=partial, source=path)


def assess_sheet(
    sheet: AnswerSheet,
    questionnaire: Questionnaire,
    *,
    catalogue: str | Path | Catalogue | None = None,
    partial: bool = False,
    source: Path | None = None,
) -> Assessment:
    """Score and recommend for an answer sheet already read and checked (a workbook row, a form)."""
    card = score(questionnaire, sheet, partial=partial)
    cat = catalogue if isinstance(catalogue, Catalogue) else catalogue_for(questionnaire, catalogue)
    recs = recommend(card, cat, questionnaire) if cat is not None else []
    return Assessment(source, questionnaire, sheet, card, recs)


def sample_park(period: str | None = None) -> list[Assessment]:
    """Every shipped sample firm for `period` (all periods when None), scored and recommended."""
    root = resources.sample_park_dir()
    folders = [root / period] if period else sorted(p for p in root.iterdir() if p.is_dir())
    files = sorted(f for folder in folders for f in folder.glob("*.yaml"))
    return [assess(f) for f in files]


def peer_group(result: Assessment, folder: Path) -> PeerAverages:
    """Averages over the answer files in `folder` scored with the same questionnaire and period."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of peer answer files")
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
            f"{previous}: is for {before.firm.credit_code}, not {firm}; "
            "give this firm's earlier file"
        )
    if before.period >= now:
        raise UsageError(
            f"{previous}: is for {before.period}, not a period before {now}; give an earlier file"
        )
    return before
