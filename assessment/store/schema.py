"""The store's tables as they are at the current schema version (migrations.py builds them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as naive UTC, read back as aware UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store times must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class FirmRow(Base):
    """A firm as of the latest period stored for it."""

    __tablename__ = "firms"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    employees: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[float | None]
    park: Mapped[str | None] = mapped_column(String(200))
    as_of_period: Mapped[str] = mapped_column(String(6))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AssessmentColumns:
    """What every stored assessment has, current or superseded."""

    credit_code: Mapped[str] = mapped_column(
        String(18), ForeignKey("firms.credit_code"), primary_key=True, sort_order=-3
    )
    period: Mapped[str] = mapped_column(String(6), primary_key=True, sort_order=-2)
    industry: Mapped[str] = mapped_column(String(40))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[str] = mapped_column(Text, server_default="[]")
    level_id: Mapped[str | None] = mapped_column(String(64))
    level_rank: Mapped[int] = mapped_column(Integer)
    overall: Mapped[float | None]
    coverage: Mapped[float]
    assessor: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[date]
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    park: Mapped[str | None] = mapped_column(String(200))  # the firm's park in this period


class AssessmentRow(AssessmentColumns, Base):
    """The current assessment of a firm for a period: at most one per (credit code, period)."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_period", "period"),
        Index("ix_assessments_period_park", "period", "park"),
    )

    revision: Mapped[int] = mapped_column(Integer, sort_order=-1)


class RevisionRow(AssessmentColumns, Base):
    """An assessment that a later import of the same firm and period replaced."""

    __tablename__ = "assessment_revisions"

    revision: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    superseded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DraftRow(Base):
    """An assessment still being filled in on the web form: never counted in park figures."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_firm", "credit_code", "period"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    period: Mapped[str] = mapped_column(String(6))
    firm_name: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EvidenceRow(Base):
    """A photo or PDF backing an answer, kept once however many answers name it."""

    __tablename__ = "evidence"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    """An account of the shared form: a consultant, a park officer or an administrator."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    park: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginSessionRow(Base):
    """A signed-in browser: only the sha256 of its cookie is kept."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), ForeignKey("users.username"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuthorRow(Base):
    """An account that finished (stored) an assessment of a firm for a period."""

    __tablename__ = "assessment_authors"
    __table_args__ = (Index("ix_assessment_authors_user", "username"),)

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)


class AuditRow(Base):
    """One change, log-in or account change: appended, never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    username: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    draft_id: Mapped[str | None] = mapped_column(String(32))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    period: Mapped[str | None] = mapped_column(String(6))
    question: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    # sha256 of the line before's chain and this line (chain.py); verified by `dtm check-store`.
    chain: Mapped[str | None] = mapped_column(String(64))


class AttestationRow(Base):
    """The firm's confirmation of the data of its assessment for a period: who, on what day."""

    __tablename__ = "attestations"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    confirmed_by: Mapped[str] = mapped_column(String(200))
    confirmed_on: Mapped[date]
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ServiceRow(Base):
    """One line of a period's services register; a re-import adds a revision, keeping the old."""

    __tablename__ = "services"
    __table_args__ = (Index("ix_services_firm", "credit_code"),)

    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    credit_code: Mapped[str] = mapped_column(String(18))
    served_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(200))
    amount: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))


class FirmRegisterRow(Base):
    """The park's firm register as `dtm batch --register` last read it for a period (JSON rows)."""

    __tablename__ = "firm_registers"

    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    source: Mapped[str] = mapped_column(Text)  # the file's name, for the reader
    firms: Mapped[str] = mapped_column(Text)  # JSON: [{credit_code, name, industry, ...}]
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SecretRow(Base):
    """A secret made once per store and shared by every process using it, e.g. the key that
    signs the web form's session cookies."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The columns a superseded assessment copies from the current one.
ASSESSMENT_FIELDS = tuple(c.key for c in AssessmentRow.__table__.columns)


class QueueRunRow(Base):
    """A quarter handed to workers by `dtm batch --queue`: how many firm jobs, and the park
    report's options and outcome."""

    __tablename__ = "queue_runs"
    __table_args__ = (Index("ix_queue_runs_period", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(6))
    lang: Mapped[str] = mapped_column(String(8))
    firms: Mapped[int] = mapped_column(Integer)  # firm jobs enqueued
    skipped: Mapped[int] = mapped_column(Integer)  # firms unchanged since their last rendering
    options: Mapped[str] = mapped_column(Text)  # JSON: park, tiers, register, templates, out
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    park_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    park_problem: Mapped[str | None] = mapped_column(Text)


class RenderRow(Base):
    """A firm's reports for a period and language as last finished (or failed) by a worker."""

    __tablename__ = "renders"
    __table_args__ = (Index("ix_renders_run", "run_id"),)

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))  # what the reports were made from
    files: Mapped[str] = mapped_column(Text)  # JSON list of file names in the firms folder
    outcome: Mapped[str] = mapped_column(String(10))  # "done" or "failed"
    problem: Mapped[str | None] = mapped_column(Text)
    renders: Mapped[int] = mapped_column(Integer)  # times written in this run
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportRow(Base):
    """A rendered report (PDF, summary PNG, park report) kept in the store with its render key,
    so that every worker and the web form hand out exactly the same bytes."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_firm", "credit_code", "period"),)

    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    park: Mapped[str] = mapped_column(String(200), primary_key=True)  # "" when none is named
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # its file name
    credit_code: Mapped[str | None] = mapped_column(String(18))  # None for a park's report
    lang: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # sha256 of `content`, checked by `dtm check-store` and `dtm restore` (schema 10)
    sha256: Mapped[str | None] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ClosingRow(Base):
    """A park's closed quarter: the peer figures as printed at closing, frozen for corrections."""

    __tablename__ = "quarter_closings"

    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    park: Mapped[str] = mapped_column(String(200), primary_key=True)  # "" when none is named
    peers: Mapped[str] = mapped_column(Text)  # JSON: industry → the figures as printed
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
