"""`dtm batch --queue`: store a quarter, then queue one job per firm whose reports must be made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..batch.firm import stored_firm_key, stored_record
from ..batch.inputs import period_inputs
from ..batch.intake import BatchResult, take_in
from ..errors import N_, UsageError
from ..models.common import Lang, StrPath
from ..store import Store
from ..store.reports import report_keys
from ..store.schema import QueueRunRow
from . import tasks
from .work import RunOptions


@dataclass
class QueuedRun:
    """What `queue_batch` stored and queued."""

    run_id: int
    result: BatchResult
    queued: list[str] = field(default_factory=list)
    park: str | None = None  # the park the run is for (None: its firms name no park)

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


def queue_batch(
    folder: StrPath,
    *,
    period: str,
    out: StrPath,
    store: Store,
    lang: Lang = "zh",
    force: bool = False,
    register: StrPath | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    template_dir: StrPath | None = None,
    imported_at: datetime | None = None,
    services: StrPath | None = None,
) -> QueuedRun:
    """Check and store every answer file of `folder`, then queue a job per firm for `dtm worker`.

    Firms whose reports in the store were made from the same inputs are skipped (unless
    `force`); the park report is queued by the worker that finishes the last firm. The reports
    stay in the store: `dtm export-reports --period P --out DIR` writes them to `out` (recorded
    with the run).
    """
    tasks.conninfo(store)  # a SQLite store is a usage error before anything is stored
    tasks.require_procrastinate()
    out, folder = Path(out), Path(folder)
    templates = Path(template_dir) if template_dir is not None else None
    if templates is not None and not templates.is_dir():
        raise UsageError(N_("%(path)s: no such folder of templates (--templates)"), path=templates)
    intake = take_in(folder, period, out, store, register, park, services, imported_at)
    result = intake.result
    inputs = period_inputs(store, period, templates)
    done = report_keys(store, period, lang)
    todo = []
    for _, a in intake.good:
        code = a.card.firm.credit_code
        key = stored_firm_key(store, inputs, stored_record(store, code, period), lang)
        if not force and done.get(code, ("", []))[0] == key:
            result.skipped.append(code)
        else:
            todo.append(code)
    first, second, third = (int(n) for n in tiers)
    counts = (first, second, third)
    options = RunOptions(
        period, lang, park, counts, intake.register, templates, intake.park, str(out), force
    )
    run_id = _new_run(store, options, len(todo), len(result.skipped))
    jobs = [tasks.firm_job(run_id, code, period, lang) for code in todo]
    tasks.enqueue(store, jobs or [tasks.park_job(run_id)])
    return QueuedRun(run_id, result, todo, intake.park)


def _new_run(store: Store, options: RunOptions, firms: int, skipped: int) -> int:
    with Session(store.engine) as session, session.begin():
        row = QueueRunRow(
            period=options.period,
            lang=options.lang,
            firms=firms,
            skipped=skipped,
            options=options.to_json(),
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        return row.id
