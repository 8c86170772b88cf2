"""What one queued job does: render a firm's reports once, or the park report of a finished run.

Plain functions over the store and the shared output folder; `tasks.py` runs them as
procrastinate jobs. Each is safe to run again: a retried job whose work is already recorded as
done does nothing, and files only ever appear whole (written beside their final name, renamed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..batch.inputs import PeriodInputs, period_inputs, stored_adoption
from ..batch.processes import resident_mb
from ..batch.run import write_park_outputs
from ..errors import DtmError, UsageError, printable
from ..models.common import Lang
from ..models.results import RecommendationList, ScoreCard
from ..store import Store
from ..store.schema import QueueRunRow, RenderRow

DONE, FAILED = "done", "failed"


@dataclass(frozen=True)
class RunOptions:
    """What every job of a run needs besides the firm: read from the store, not the job."""

    period: str
    lang: Lang
    park: str | None
    tiers: tuple[int, int, int]
    register: Path | None
    templates: Path | None

    def to_json(self) -> str:
        data = {
            "park": self.park,
            "tiers": list(self.tiers),
            "register": str(self.register) if self.register else None,
            "templates": str(self.templates) if self.templates else None,
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def of(cls, row: QueueRunRow) -> RunOptions:
        data: dict[str, Any] = json.loads(row.options)
        a, b, c = (int(n) for n in data["tiers"])
        lang: Lang = "en" if row.lang == "en" else "zh"
        return cls(
            period=row.period,
            lang=lang,
            park=data["park"],
            tiers=(a, b, c),
            register=Path(data["register"]) if data["register"] else None,
            templates=Path(data["templates"]) if data["templates"] else None,
        )


def run_options(store: Store, run_id: int) -> RunOptions:
    with Session(store.engine) as session:
        row = session.get(QueueRunRow, run_id)
        if row is None:
            raise UsageError(f"{store.url}: no queued run {run_id} (was the store replaced?)")
        return RunOptions.of(row)


@lru_cache(maxsize=8)
def _period_context(url: str, period: str, _run_id: int) -> PeriodInputs:
    """The period's inputs (see `batch.period_inputs`): once per run, not once per firm."""
    with Store.open(url, create=False) as store:
        return period_inputs(store, period)


def firm_key(store: Store, run: RunOptions, run_id: int, code: str) -> tuple[str, ScoreCard | None]:
    """The render key of a firm (see `batch.render_key`) and its previous card, from the store."""
    context = _period_context(_full_url(store), run.period, run_id)
    record = store.get(code, run.period)
    if record is None:
        raise UsageError(f"{code}: no assessment stored for {run.period}")
    key = context.key(code, record.industry, record.source_hash, run.templates)
    prior = context.previous.get(code)
    return key, prior


def _full_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def render_firm(store: Store, out: Path, run_id: int, code: str, *, last_try: bool) -> bool:
    """Render one firm's reports into `out/firms` unless already done; record the outcome.

    Returns True when this was the run's last firm outstanding (the caller then queues the park
    report). A firm that fails on its last try is recorded as failed, with its reason.
    """
    run = run_options(store, run_id)
    firms = out / "firms"
    try:
        key, prior = firm_key(store, run, run_id, code)
        done = _finished(store, code, run, key, firms)
        if done is not None and done.run_id == run_id:
            return _complete(store, run_id)  # a retried job whose firm was finished
        if done is not None:  # unchanged since an earlier run: keep its files
            return _record(store, run_id, run, code, key, json.loads(done.files), DONE, 0)
        names = _write(store, run, run_id, code, prior, firms)
    except Exception as exc:
        if not last_try and not isinstance(exc, DtmError):
            raise  # the queue retries it
        return _record(store, run_id, run, code, "", [], FAILED, 0, _reason(code, exc))
    return _record(store, run_id, run, code, key, names, DONE, 1)


def _finished(store: Store, code: str, run: RunOptions, key: str, firms: Path) -> RenderRow | None:
    with Session(store.engine) as session:
        row = session.get(RenderRow, (code, run.period, run.lang))
        if row is None or row.outcome != DONE or row.key != key:
            return None
        if not all((firms / name).is_file() for name in json.loads(row.files)):
            return None
        session.expunge(row)
        return row


def _write(
    store: Store, run: RunOptions, run_id: int, code: str, prior: ScoreCard | None, firms: Path
) -> list[str]:
    from ..engine import loader
    from ..engine.pipeline import Assessment, plan_for
    from ..report.render import report_paths, write_reports

    record = store.get(code, run.period)
    if record is None:
        raise UsageError(f"{code}: no assessment stored for {run.period}")
    q = loader.load_questionnaire(record.questionnaire_id)
    if q.content_hash != record.questionnaire_hash:
        raise UsageError(
            f"{code}: stored with another version of questionnaire {record.questionnaire_id} "
            "than this worker has; install the same dtm on every worker machine"
        )
    recs = RecommendationList(record.recommendations)
    a = Assessment(None, q, record.sheet, record.card, recs, plan_for(q, record.card))
    for path in report_paths(a.card, firms, run.lang).values():
        remove_partial(path)  # left by a worker killed while writing this very file
    context = _period_context(_full_url(store), run.period, run_id)
    peers, _, trend, earlier = context.firm(code, a.card.firm.industry)
    written = write_reports(
        a,
        firms,
        lang=run.lang,
        peers=peers,
        previous=prior,
        template_dir=run.templates,
        trend=trend,
        adoption=stored_adoption(a, prior, earlier),
    )
    return [p.name for p in written.values()]


def remove_partial(path: Path) -> None:
    """Delete the temporary files of `path` (see `atomic.write_atomic`): only this file's."""
    for stale in path.parent.glob(f".{path.name}.*.part"):
        stale.unlink(missing_ok=True)


def _reason(code: str, exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    if not isinstance(exc, DtmError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return printable(f"{code}: its reports could not be written ({text})")


def _record(
    store: Store,
    run_id: int,
    run: RunOptions,
    code: str,
    key: str,
    files: list[str],
    outcome: str,
    renders: int,
    problem: str | None = None,
) -> bool:
    """Record a firm's outcome and tell whether it was the run's last; the run's row is locked
    first, so of two workers finishing the last two firms at once exactly one sees the end."""
    now = datetime.now(UTC)
    with Session(store.engine) as session, session.begin():
        session.get(QueueRunRow, run_id, with_for_update=True)
        row = session.get(RenderRow, (code, run.period, run.lang), with_for_update=True)
        if row is None:
            row = RenderRow(credit_code=code, period=run.period, lang=run.lang, renders=0)
            session.add(row)
        elif row.run_id != run_id:
            row.renders = 0
        row.run_id, row.key, row.files = run_id, key, json.dumps(files)
        row.outcome, row.problem, row.finished_at = outcome, problem, now
        row.renders += renders
        session.flush()
        return _all_finished(session, run_id)


def _complete(store: Store, run_id: int) -> bool:
    with Session(store.engine) as session:
        return _all_finished(session, run_id)


def _all_finished(session: Session, run_id: int) -> bool:
    run = session.get(QueueRunRow, run_id)
    finished = session.scalar(
        select(func.count()).select_from(RenderRow).where(RenderRow.run_id == run_id)
    )
    return run is not None and (finished or 0) >= run.firms


_stores: dict[str, Store] = {}


def _store(url: str) -> Store:
    if url not in _stores:
        _stores[url] = Store.open(url, create=False)
    return _stores[url]


def render_firm_at(
    url: str, out: str, run_id: int, code: str, last_try: bool
) -> tuple[bool, float]:
    """`render_firm` in a render process, which keeps its own connection to the store; with the
    process's resident memory afterwards (MB), so that the worker can replace a grown one."""
    ended = render_firm(_store(url), Path(out), run_id, code, last_try=last_try)
    return ended, resident_mb()


def build_park_at(url: str, out: str, run_id: int) -> None:
    build_park(_store(url), Path(out), run_id)


def build_park(store: Store, out: Path, run_id: int) -> dict[str, Path]:
    """The park report and exports of a run whose firms are all finished; once per run."""
    run = run_options(store, run_id)
    with Session(store.engine) as session:
        row = session.get(QueueRunRow, run_id)
        if row is not None and row.park_at is not None:
            return {}
    problems: list[str] = []
    park_pdf = out / (
        f"park-{run.period}.pdf" if run.lang == "zh" else f"park-{run.period}-{run.lang}.pdf"
    )
    remove_partial(park_pdf)
    paths = write_park_outputs(
        store,
        run.period,
        out,
        lang=run.lang,
        register=run.register,
        park=run.park,
        tiers=run.tiers,
        template_dir=run.templates,
        problems=problems,
    )
    with Session(store.engine) as session, session.begin():
        row = session.get(QueueRunRow, run_id, with_for_update=True)
        if row is not None:
            row.park_at = datetime.now(UTC)
            row.park_problem = "\n".join(problems) or None
    return paths
