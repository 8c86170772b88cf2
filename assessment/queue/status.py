"""`dtm batch --status P`: how far the latest queued run of a quarter has got."""

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

    @property
    def finished(self) -> bool:
        return self.park_at is not None


def queue_status(store: Store, period: str) -> QueueStatus:
    """The latest queued run of `period`; a UsageError when none was queued."""
    conninfo(store)  # the queue lives in PostgreSQL only
    with Session(store.engine) as session:
        run = session.scalars(
            select(QueueRunRow).where(QueueRunRow.period == period).order_by(QueueRunRow.id.desc())
        ).first()
        if run is None:
            raise UsageError(
                N_(
                    "%(store)s: no quarter %(period)s was queued; queue it with "
                    "`dtm batch FOLDER --period %(period)s --out DIR --queue --db URL`"
                ),
                store=store.url,
                period=period,
            )
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
        )
