"""The firm's confirmation of its data ("data confirmed by the firm"), as the report prints it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from ..store import Store
from ..store.engine import WRITE
from ..store.schema import AttestationRow
from . import audit
from .audit import AuditEntry


@dataclass(frozen=True)
class Attestation:
    """Who at the firm confirmed the answers, and on which day."""

    name: str
    on: date


def attestation_of(store: Store, credit_code: str, period: str) -> Attestation | None:
    with Session(store.engine) as session:
        row = session.get(AttestationRow, (credit_code, period))
        return Attestation(row.confirmed_by, row.confirmed_on) if row is not None else None


def attest(
    store: Store, credit_code: str, period: str, given: Attestation, entry: AuditEntry
) -> None:
    """Keep the confirmation (a later one replaces it) and its line in the audit log."""
    writer = store.engine.execution_options(**{WRITE: True})
    with Session(writer) as session, session.begin():
        row = session.get(AttestationRow, (credit_code, period), with_for_update=True)
        old = f"{row.confirmed_by} {row.confirmed_on}" if row is not None else None
        if row is None:
            row = AttestationRow(credit_code=credit_code, period=period)
            session.add(row)
        row.confirmed_by = given.name
        row.confirmed_on = given.on
        row.recorded_by = entry.username
        row.recorded_at = datetime.now(UTC)
        new = f"{given.name} {given.on}"
        audit.record(session, [AuditEntry(**{**entry.__dict__, "old": old, "new": new})])
