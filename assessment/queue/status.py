"""`dtm batch --status P [--park NAME]`: how far a park's latest queued run of a quarter has
got."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..errors import N_, UsageError
from ..store import Store
from ..store.jobs import JOBS_TABLE
from ..store.schema import QueueRunRow, RenderRow
from .tasks import conninfo
from .work import DONE, FAILED


@dataclass
class QueueStatus:
    """Counts of one run's firm jobs, its failures and whether its park report is built."""

    run_id: int
    period: str
    lang: str
    firms: int
    skipped: int
    done: int
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    running: int = 0
    park_at: datetime | None = None
    park_problem: str | None = None
    out: str | None = None  # the --out given when the quarter was queued
    park: str | None = None  # the park the run is for (None: its firms name no park)

    @property
    def finished(self) -> bool:
        return self.park_at is not None


def queue_status(store: Store, period: str, park: str | None = None) -> QueueStatus:
    """The latest queued run of `period` for `park` (the only park queued for the period when
    not named); a UsageError when none was queued, or when several parks were and none is
    named."""
    conninfo(store)  # the queue lives in PostgreSQL only
    with Session(store.engine) as session:
        runs = session.scalars(
            select(QueueRunRow).where(QueueRunRow.period == period).order_by(QueueRunRow.id.desc())
        ).all()
        if not runs:
            raise UsageError(
                N_(
                    "%(store)s: no quarter %(period)s was queued; queue it with "
                    "`dtm batch FOLDER --period %(period)s --out DIR --queue --db URL`"
                ),
                store=store.url,
                period=period,
            )
        latest: dict[str | None, QueueRunRow] = {}
        for row in runs:  # newest first: each park's latest run
            latest.setdefault(run_park(row), row)
        parks = sorted(latest, key=lambda p: p or "")
        if park is None and len(parks) > 1:
            raise UsageError(
                N_("%(period)s has %(count)s parks (%(names)s); name one with --park"),
                period=period,
                count=len(parks),
                names=_names(parks),
            )
        if park is not None and park not in latest:
            raise UsageError(
                N_(
                    "%(store)s: no quarter %(period)s of park %(park)s was queued "
                    "(queued: %(names)s)"
                ),
                store=store.url,
                period=period,
                park=park,
                names=_names(parks),
            )
        run = latest[park if park is not None else parks[0]]
        outcomes: dict[str, int] = dict(
            session.execute(
                select(RenderRow.outcome, func.count())
                .where(RenderRow.run_id == run.id)
                .group_by(RenderRow.outcome)
            ).all()
        )
        failed = list(
            session.scalars(
                select(RenderRow.problem)
                .where(RenderRow.run_id == run.id, RenderRow.outcome == FAILED)
                .order_by(RenderRow.credit_code)
            )
        )
        jobs: dict[str, int] = dict(
            session.execute(
                text(
                    f"SELECT status::text, count(*) FROM {JOBS_TABLE} "  # noqa: S608 - a constant
                    "WHERE (args->>'run_id')::int = :run GROUP BY status"
                ),
                {"run": run.id},
            ).all()
        )
        return QueueStatus(
            run_id=run.id,
            period=run.period,
            lang=run.lang,
            firms=run.firms,
            skipped=run.skipped,
            done=int(outcomes.get(DONE, 0)),
            failed=[p or "" for p in failed],
            waiting=int(jobs.get("todo", 0)),
            running=int(jobs.get("doing", 0)),
            park_at=run.park_at,
            park_problem=run.park_problem,
            out=json.loads(run.options).get("out"),
            park=run_park(run),
        )


def run_park(run: QueueRunRow) -> str | None:
    """The park a queued run is for, as recorded with its options."""
    data = json.loads(run.options)
    found = data.get("scope", data.get("park"))
    return str(found) if found is not None else None


def _names(parks: list[str | None]) -> str:
    """The parks of a period; firms that name none are shown as —."""
    return ", ".join(p or "—" for p in parks)
