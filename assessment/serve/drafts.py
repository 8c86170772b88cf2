"""Drafts and evidence in the store: every change of the web form is kept at once."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts import audit
from ..accounts.audit import AuditEntry
from ..models.answers import Answer, AnswerSheet, Firm
from ..models.common import Id, Model, Period
from ..store import Store
from ..store.engine import WRITE
from ..store.schema import DraftRow, EvidenceRow, FirmRow


class Draft(Model):
    """An assessment being filled in: the header as entered and the answers so far."""

    id: str
    questionnaire: Id
    version: str
    firm: Firm
    period: Period
    assessor: str = Field(min_length=1, max_length=200)
    assessed_on: date
    answers: dict[str, Answer] = Field(default_factory=dict)
    prefilled: list[str] = Field(
        default_factory=list, description="Answers copied from last quarter, not yet confirmed."
    )
    seqs: dict[str, int] = Field(
        default_factory=dict,
        description="Each question's last change applied, by the page's sequence number.",
    )
    owner: str | None = Field(
        default=None, max_length=64, description="The account that started it (accounts mode)."
    )

    def sheet(self, keep: set[str] | None = None) -> AnswerSheet:
        """The answer sheet as it stands; `keep` limits it to those questions."""
        answers = {
            qid: a.model_dump()
            for qid, a in self.answers.items()
            if (keep is None or qid in keep) and (a.value is not None or a.note or a.evidence)
        }
        return AnswerSheet(
            questionnaire={"id": self.questionnaire, "version": self.version},
            firm=self.firm,
            period=self.period,
            assessor=self.assessor,
            assessed_on=self.assessed_on,
            answers=answers,
        )


def new_id() -> str:
    return secrets.token_urlsafe(12)


class DraftBook:
    """Drafts and evidence files kept in a store, apart from its finished assessments."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._writer = store.engine.execution_options(**{WRITE: True})

    def save(self, draft: Draft, log: Iterable[AuditEntry] = ()) -> None:
        """Keep the draft and, in the same transaction, the audit log's lines for the change."""
        now = datetime.now(UTC)
        with Session(self._writer) as session, session.begin():
            audit.record(session, log)
            row = session.get(DraftRow, draft.id)
            if row is None:
                row = DraftRow(id=draft.id, created_at=now)
                session.add(row)
            row.credit_code = draft.firm.credit_code
            row.period = draft.period
            row.firm_name = draft.firm.name
            row.questionnaire_id = draft.questionnaire
            row.data = draft.model_dump_json()
            row.updated_at = now

    def get(self, draft_id: str) -> Draft | None:
        with Session(self.store.engine) as session:
            row = session.get(DraftRow, draft_id)
            return Draft.model_validate_json(row.data) if row is not None else None

    def all(self) -> list[tuple[Draft, datetime]]:
        """Every draft, the most recently changed first."""
        query = select(DraftRow).order_by(DraftRow.updated_at.desc())
        with Session(self.store.engine) as session:
            return [
                (Draft.model_validate_json(r.data), r.updated_at) for r in session.scalars(query)
            ]

    def delete(self, draft_id: str) -> None:
        with Session(self._writer) as session, session.begin():
            row = session.get(DraftRow, draft_id)
            if row is not None:
                session.delete(row)

    def firms(self) -> list[tuple[str, str]]:
        """Every stored firm as (credit code, name), by name."""
        query = select(FirmRow.credit_code, FirmRow.name).order_by(FirmRow.name)
        with Session(self.store.engine) as session:
            return [(code, name) for code, name in session.execute(query)]

    def add_evidence(self, sha256: str, media_type: str, content: bytes) -> None:
        with Session(self._writer) as session, session.begin():
            if session.get(EvidenceRow, sha256) is None:
                session.add(
                    EvidenceRow(
                        sha256=sha256,
                        media_type=media_type,
                        size=len(content),
                        content=content,
                        added_at=datetime.now(UTC),
                    )
                )

    def evidence_count(self) -> int:
        with Session(self.store.engine) as session:
            return session.scalar(select(func.count()).select_from(EvidenceRow)) or 0

    def evidence(self, sha256: str) -> tuple[str, bytes] | None:
        with Session(self.store.engine) as session:
            row = session.get(EvidenceRow, sha256)
            return (row.media_type, row.content) if row is not None else None
