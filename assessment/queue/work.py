"""What one queued job does: render a firm's reports once, or the park report of a finished run.

Plain functions over the store; `tasks.py` runs them as procrastinate jobs. The reports are kept
in the store (nothing is written to a shared folder), each firm's in one transaction. Each job is
safe to run again: a retried job whose work is already recorded as done does nothing.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..batch.firm import (
    is_current,
    render_stored_firm,
    stored_firm_key,
    stored_firm_reports,
    stored_record,
)
from ..batch.inputs import PeriodInputs, digest, period_inputs
from ..batch.processes import render_slot, resident_mb
from ..batch.run import write_park_outputs
from ..errors import N_, DtmError, UsageError, printable
from ..files.atomic import write_atomic
from ..models.common import Lang
from ..store import Store, StoreError
from ..store.reports import StoredReport, firm_reports, keep_reports
from ..store.schema import QueueRunRow, RenderRow

DONE, FAILED = "done", "failed"


@dataclass(frozen=True)
class RunOptions:
    """What every job of a run needs besides the firm: read from the store, not the job. The
    templates and the register travel as their content, so a worker needs no shared folder."""

    period: str
    lang: Lang
    park: str | None
    tiers: tuple[int, int, int]
    register: Path | None
    templates: Path | None
    scope: str | None = None
    out: str | None = None
    force: bool = False

    def to_json(self) -> str:
        data = {
            "park": self.park,
            "scope": self.scope,
            "tiers": list(self.tiers),
            "register": _pack_file(self.register),
            "templates": _pack_folder(self.templates),
            "out": self.out,
            "force": self.force,
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
            register=_unpack_file(data.get("register")),
            templates=_unpack_folder(data.get("templates")),
            scope=data.get("scope", data["park"]),
            out=data.get("out"),
            force=bool(data.get("force")),
        )


def _pack_file(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    return {"name": path.name, "content": base64.b64encode(path.read_bytes()).decode("ascii")}


def _pack_folder(folder: Path | None) -> dict[str, str] | None:
    if folder is None:
        return None
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {
        p.relative_to(folder).as_posix(): base64.b64encode(p.read_bytes()).decode("ascii")
        for p in files
    }


def _unpacked(kind: str, files: dict[str, bytes]) -> Path:
    """A private folder on this machine holding `files`, the same folder for the same content."""
    key = digest(*(part for name in sorted(files) for part in (name, files[name])))
    folder = Path(tempfile.gettempdir()) / f"dtm-{kind}-{key[:24]}"
    for name, data in files.items():
        target = folder / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise UsageError(N_("%(name)s: not a file name a queued run may carry"), name=name)
        if not (target.is_file() and target.read_bytes() == data):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
    return folder


def _unpack_folder(data: dict[str, str] | str | None) -> Path | None:
    if data is None or isinstance(data, str):  # a run queued before the content travelled
        return Path(data) if data else None
    return _unpacked("templates", {k: base64.b64decode(v) for k, v in data.items()})


def _unpack_file(data: dict[str, str] | str | None) -> Path | None:
    if data is None or isinstance(data, str):
        return Path(data) if data else None
    folder = _unpacked("register", {data["name"]: base64.b64decode(data["content"])})
    return folder / data["name"]


def run_options(store: Store, run_id: int) -> RunOptions:
    with Session(store.engine) as session:
        row = session.get(QueueRunRow, run_id)
        if row is None:
            raise UsageError(
                N_("%(store)s: no queued run %(run)s (was the store replaced?)"),
                store=store.url,
                run=run_id,
            )
        return RunOptions.of(row)


@lru_cache(maxsize=8)
def _period_context(url: str, period: str, _run_id: int, templates: Path | None) -> PeriodInputs:
    """The period's inputs (see `batch.period_inputs`): once per run, not once per firm."""
    with Store.open(url, create=False) as store:
        return period_inputs(store, period, templates)


def _full_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def render_firm(store: Store, run_id: int, code: str, *, last_try: bool) -> bool:
    """Render one firm's reports into the store unless already done; record the outcome.

    Returns True when this was the run's last firm outstanding (the caller then queues the park
    report). A firm that fails on its last try is recorded as failed, with its reason.
    """
    run = run_options(store, run_id)
    try:
        context = _period_context(_full_url(store), run.period, run_id, run.templates)
        record = stored_record(store, code, run.period)
        key = stored_firm_key(store, context, record, run.lang)
        done = _finished(store, code, run, key)
        if done is not None and done.run_id == run_id:
            return _complete(store, run_id)  # a retried job whose firm was finished
        if not run.force and is_current(store, record, key, run.lang):
            names = sorted(firm_reports(store, code, run.period))
            return _record(store, run_id, run, code, key, names, DONE, 0)
        reports = stored_firm_reports(
            store, code, run.period, lang=run.lang, inputs=context, templates=run.templates
        )
        # The reports and the firm's outcome in one transaction: a worker killed at any moment
        # leaves both or neither, so the job taken over renders the firm once, or not again.
        return _record(store, run_id, run, code, key, [r.name for r in reports], DONE, 1, reports)
    except Exception as exc:
        if not last_try and (not isinstance(exc, DtmError) or isinstance(exc, StoreError)):
            raise  # the queue retries it: a lost database is not the firm's fault
        return _record(store, run_id, run, code, "", [], FAILED, 0, problem=_reason(code, exc))


def _finished(store: Store, code: str, run: RunOptions, key: str) -> RenderRow | None:
    with Session(store.engine) as session:
        row = session.get(RenderRow, (code, run.period, run.lang))
        if row is None or row.outcome != DONE or row.key != key:
            return None
        session.expunge(row)
        return row


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
    reports: Sequence[StoredReport] = (),
    *,
    problem: str | None = None,
) -> bool:
    """Record a firm's outcome, keeping its newly rendered `reports` in the same transaction,
    and tell whether it was the run's last; the run's row is locked after the reports are
    written and before the outcome, so of two workers finishing the last two firms at once
    exactly one sees the end."""
    now = datetime.now(UTC)
    with Session(store.engine) as session, session.begin():
        keep_reports(session, reports)
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


def render_firm_at(url: str, run_id: int, code: str, last_try: bool) -> tuple[bool, float]:
    """`render_firm` in a render process, which keeps its own connection to the store; with the
    process's resident memory afterwards (MB), so that the worker can replace a grown one."""
    with render_slot():
        ended = render_firm(_store(url), run_id, code, last_try=last_try)
    return ended, resident_mb()


def render_one_at(url: str, code: str, period: str, lang: str) -> float:
    """In a render process: a firm finished on the form, rendered into the store as the form's
    own render pool renders it (the same call, the same inputs); the process's resident memory
    afterwards (MB)."""
    store = _store(url)
    chosen: Lang = "en" if lang == "en" else "zh"
    with render_slot():
        render_stored_firm(store, code, period, lang=chosen, inputs=period_inputs(store, period))
    return resident_mb()


def build_park_at(url: str, run_id: int) -> None:
    with render_slot():
        build_park(_store(url), run_id)


def build_park(store: Store, run_id: int) -> list[str]:
    """The park report and exports of a run whose firms are all finished, kept in the store;
    once per run. Returns their file names."""
    run = run_options(store, run_id)
    with Session(store.engine) as session:
        row = session.get(QueueRunRow, run_id)
        if row is not None and row.park_at is not None:
            return []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dtm-park-") as folder:
        paths = write_park_outputs(
            store,
            run.period,
            Path(folder),
            lang=run.lang,
            register=run.register,
            park=run.park,
            scope=run.scope,
            tiers=run.tiers,
            template_dir=run.templates,
            problems=problems,
        )
    with Session(store.engine) as session, session.begin():
        row = session.get(QueueRunRow, run_id, with_for_update=True)
        if row is not None:
            row.park_at = datetime.now(UTC)
            row.park_problem = "\n".join(problems) or None
    return sorted(p.name for p in paths.values())
