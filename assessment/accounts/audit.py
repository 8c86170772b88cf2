"""The audit log: who changed which answer when, from what to what; appended, never changed.

There is deliberately no call here that updates or deletes a row, and the store's triggers
refuse both (see docs/serve.md, "The audit log").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store import Store, chain
from ..store.chain import answer_changes as answer_changes
from ..store.engine import WRITE
from ..store.schema import AuditRow

# Actions written to the log.
ANSWER = "answer"
DRAFT_START = "draft.start"
FINISH = "assessment.finish"
CONFIRM = "assessment.confirm"
LOGIN = "login"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
USER_ADD = "user.add"
USER_PASSWORD = "user.password"  # noqa: S105 - the name of an action, not a password
USER_DISABLE = "user.disable"
USER_ENABLE = "user.enable"
IMPORT = chain.IMPORT  # an assessment stored by dtm batch or dtm import


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log; `old` and `new` are an answer as JSON, or None when there was none."""

    action: str
    username: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    address: str | None = None
    draft_id: str | None = None
    credit_code: str | None = None
    period: str | None = None
    question: str | None = None
    old: str | None = None
    new: str | None = None


def record(session: Session, entries: Iterable[AuditEntry]) -> None:
    """Append entries inside the caller's transaction, so a change and its log line go together;
    each is chained to the line before (see `store.chain`)."""
    chain.append(
        session,
        (
            AuditRow(
                at=e.at,
                username=e.username,
                address=e.address,
                action=e.action,
                draft_id=e.draft_id,
                credit_code=e.credit_code,
                period=e.period,
                question=e.question,
                old=e.old,
                new=e.new,
            )
            for e in entries
        ),
    )


class AuditLog:
    """Reading and appending to the store's audit log."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._writer = store.engine.execution_options(**{WRITE: True})

    def append(self, *entries: AuditEntry) -> None:
        with Session(self._writer) as session, session.begin():
            record(session, entries)

    def entries(
        self,
        *,
        username: str | None = None,
        credit_code: str | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """The latest entries first, optionally of one account, one firm, or since a time."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if username is not None:
            query = query.where(AuditRow.username == username)
        if credit_code is not None:
            query = query.where(AuditRow.credit_code == credit_code)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        with Session(self.store.engine) as session:
            return [_entry(row) for row in session.scalars(query)]

    def count(self, action: str | None = None) -> int:
        query = select(func.count()).select_from(AuditRow)
        if action is not None:
            query = query.where(AuditRow.action == action)
        with Session(self.store.engine) as session:
            return session.scalar(query) or 0

    def finished(self, draft_id: str) -> AuditEntry | None:
        """The line that says a draft was finished into a stored assessment, if it was."""
        query = select(AuditRow).where(AuditRow.action == FINISH, AuditRow.draft_id == draft_id)
        with Session(self.store.engine) as session:
            row = session.scalars(query.order_by(AuditRow.id.desc()).limit(1)).first()
            return _entry(row) if row is not None else None

    def failures(self, username: str, address: str | None, since: datetime) -> tuple[int, int]:
        """Failed log-ins since a time: for this account, and from this address."""
        with Session(self.store.engine) as session:
            return failures(session, username, address, since)


def failures(
    session: Session, username: str, address: str | None, since: datetime
) -> tuple[int, int]:
    """Failed log-ins since a time, read in the caller's transaction: by account, by address."""
    recent = (AuditRow.action == LOGIN_FAILED, AuditRow.at >= since)
    count = select(func.count()).select_from(AuditRow).where(*recent)
    by_name = session.scalar(count.where(AuditRow.username == username)) or 0
    by_address = 0
    if address is not None:
        by_address = session.scalar(count.where(AuditRow.address == address)) or 0
    return by_name, by_address


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        action=row.action,
        username=row.username,
        at=row.at,
        address=row.address,
        draft_id=row.draft_id,
        credit_code=row.credit_code,
        period=row.period,
        question=row.question,
        old=row.old,
        new=row.new,
    )
