"""What the store hands back: stored assessments and the outcome of saving one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from pydantic import TypeAdapter

from ..errors import N_
from ..models.answers import AnswerSheet
from ..models.results import Recommendation, ScoreCard
from .schema import AssessmentColumns, AssessmentRow, RevisionRow


class SaveAction(StrEnum):
    """What saving did: see docs/store.md, "Revisions"."""

    # No assessment of this firm and period was stored; now one is, as revision 1.
    CREATED = "created"
    # A different one was stored: it is kept as a revision and the new one is current.
    REPLACED = "replaced"
    # The same answers and result were stored already; nothing new was kept.
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class SaveOutcome:
    """What `Store.save` did with one assessment, and the revision now current."""

    action: SaveAction
    credit_code: str
    period: str
    revision: int


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment of a firm for a period: its summary columns and, parsed on first
    use, the answer sheet and score card exactly as they were saved."""

    credit_code: str
    period: str
    revision: int
    current: bool
    industry: str
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    level_id: str | None
    level_rank: int
    overall: float | None
    coverage: float
    assessor: str
    assessed_on: date
    imported_at: datetime
    source_hash: str | None
    content_hash: str
    superseded_at: datetime | None
    park: str | None
    answers_json: str = field(repr=False)
    result_json: str = field(repr=False)
    recommendations_json: str = field(repr=False)

    @cached_property
    def problem(self) -> str | None:
        """Why the stored answers or result no longer read back, or None when they do."""
        return damage(
            self.answers_json, self.result_json, self.recommendations_json, self.content_hash
        )

    @cached_property
    def sheet(self) -> AnswerSheet:
        return AnswerSheet.model_validate_json(self.answers_json)

    @cached_property
    def card(self) -> ScoreCard:
        return ScoreCard.model_validate_json(self.result_json)

    @cached_property
    def recommendations(self) -> list[Recommendation]:
        """The ranked scenarios recommended when it was saved (empty before schema 2)."""
        return RECOMMENDATIONS.validate_json(self.recommendations_json)


RECOMMENDATIONS = TypeAdapter(list[Recommendation])


CHANGED = N_("its content no longer matches its content hash (changed outside dtm)")


def damage(answers: str, result: str, recommendations: str, stored_hash: str) -> str | None:
    """The first reason a stored row does not read back into its models or no longer matches
    its content hash, or None."""
    for what, text, read in (
        ("answers", answers, AnswerSheet.model_validate_json),
        ("result", result, ScoreCard.model_validate_json),
        ("recommendations", recommendations, RECOMMENDATIONS.validate_json),
    ):
        try:
            read(text)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            first = str(exc).splitlines()
            return f"the stored {what} do not read back ({first[0] if first else exc})"
    return None if hash_matches(answers, result, recommendations, stored_hash) else CHANGED


def hash_matches(answers: str, result: str, recommendations: str, stored_hash: str) -> bool:
    """Whether a row's content is what its hash was computed from when it was saved."""
    if content_hash(answers, result, recommendations) == stored_hash:
        return True
    # Rows saved before schema 2 were hashed without recommendations, which it set to "[]".
    return recommendations == "[]" and content_hash(answers, result) == stored_hash


def content_hash(*parts: str) -> str:
    """Identifies what an import carries, so importing the same thing twice keeps one copy."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def from_row(row: AssessmentColumns) -> StoredAssessment:
    superseded = row.superseded_at if isinstance(row, RevisionRow) else None
    assert isinstance(row, AssessmentRow | RevisionRow)
    return StoredAssessment(
        credit_code=row.credit_code,
        period=row.period,
        revision=row.revision,
        current=isinstance(row, AssessmentRow),
        industry=row.industry,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        questionnaire_hash=row.questionnaire_hash,
        level_id=row.level_id,
        level_rank=row.level_rank,
        overall=row.overall,
        coverage=row.coverage,
        assessor=row.assessor,
        assessed_on=row.assessed_on,
        imported_at=row.imported_at,
        source_hash=row.source_hash,
        content_hash=row.content_hash,
        superseded_at=superseded,
        park=row.park,
        answers_json=row.answers,
        result_json=row.result,
        recommendations_json=row.recommendations,
    )
