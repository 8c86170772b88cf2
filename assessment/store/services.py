"""The services register in the store: one current set of lines per period, earlier ones kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from ..collect.services import Service
from .api import Store
from .integrity import register_hash
from .schema import ServiceRow


@dataclass(frozen=True)
class ServicesSaved:
    """What saving a period's register did: `added` (first), `revised`, or `unchanged`."""

    period: str
    action: str
    revision: int
    lines: int


def _hash(services: Sequence[Service]) -> str:
    return register_hash(
        (
            s.credit_code,
            s.served_on.isoformat(),
            s.kind,
            s.provider,
            None if s.amount is None else float(s.amount),  # as the column reads it back
            s.note,
        )
        for s in services
    )


def _current_revision(store: Store, period: str) -> tuple[int, str | None]:
    with store._read() as session:
        revision = session.scalar(
            select(func.max(ServiceRow.revision)).where(ServiceRow.period == period)
        )
        if revision is None:
            return 0, None
        digest = session.scalar(
            select(ServiceRow.content_hash)
            .where(ServiceRow.period == period, ServiceRow.revision == revision)
            .limit(1)
        )
    return int(revision), digest


def save_services(
    store: Store, period: str, services: Sequence[Service], *, imported_at: datetime | None = None
) -> ServicesSaved:
    """Make `services` the period's register; the lines it replaces stay as a revision.

    Saving the same lines again (in any order) changes nothing."""
    digest = _hash(services)
    revision, current = _current_revision(store, period)
    if current == digest:
        return ServicesSaved(period, "unchanged", revision, len(services))
    when = imported_at or datetime.now(UTC)
    with store._database_errors(), store._write() as session:
        for line, s in enumerate(services, start=1):
            session.add(
                ServiceRow(
                    period=period,
                    revision=revision + 1,
                    line=line,
                    credit_code=s.credit_code,
                    served_on=s.served_on,
                    kind=s.kind,
                    provider=s.provider,
                    amount=s.amount,
                    note=s.note,
                    imported_at=when,
                    content_hash=digest,
                )
            )
    return ServicesSaved(period, "revised" if revision else "added", revision + 1, len(services))


def services(store: Store, period: str, *, revision: int | None = None) -> list[Service]:
    """The period's register lines (the current revision unless one is named), in line order."""
    if revision is None:
        revision, _ = _current_revision(store, period)
    with store._read() as session:
        rows = session.scalars(
            select(ServiceRow)
            .where(ServiceRow.period == period, ServiceRow.revision == revision)
            .order_by(ServiceRow.line)
        ).all()
        return [
            Service(r.credit_code, r.served_on, r.kind, r.provider, r.amount, r.note) for r in rows
        ]


def service_periods(store: Store) -> list[str]:
    """Every period with a stored register, oldest first."""
    with store._read() as session:
        return sorted(set(session.scalars(select(ServiceRow.period).distinct()).all()))


def service_revisions(store: Store, period: str) -> int:
    """How many registers were stored for the period (the current one included)."""
    return _current_revision(store, period)[0]
