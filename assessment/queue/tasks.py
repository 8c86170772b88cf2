"""The queue's jobs as procrastinate tasks, and the worker that runs them with stalled-job recovery.

The queue lives in the store's PostgreSQL database (procrastinate's tables, made with the store's
own). A worker killed without warning (SIGKILL, a machine lost) stops sending heartbeats; any
other worker then puts its job back in the queue, and the job's second run finds what the first
one finished in the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from ..batch.processes import RECYCLE_MB, RenderProcess, slot_count
from ..errors import N_, Message, UsageError
from ..store import Store
from ..store.errors import StoreError

QUEUE = "dtm"
RENDER_TASK = "dtm.render_firm"
PARK_TASK = "dtm.park_report"
ONE_TASK = "dtm.render_one"  # one firm finished on the form: no run, no park report
RETRIES = 2  # a firm is tried at most three times, then recorded as failed
HEARTBEAT = 10.0  # seconds between a worker's heartbeats (procrastinate's default)
STALLED_AFTER = 4  # heartbeats missed before a worker is taken for dead and its job retried
POOL_TIMEOUT = 10.0  # seconds a connection is waited for before the worker starts over
MAX_BACKOFF = 30.0  # the longest wait between tries to reach a lost database

log = logging.getLogger(__name__)
T = TypeVar("T")


def require_procrastinate() -> Any:
    """procrastinate itself, or a usage error naming the extra that installs it."""
    try:
        import procrastinate
    except ImportError as exc:
        raise UsageError(
            N_("the queue needs procrastinate: pip install 'dtm-assessment[postgres]'")
        ) from exc
    return procrastinate


def conninfo(store: Store) -> str:
    """The store's URL as libpq reads it (without SQLAlchemy's driver name)."""
    url = store.engine.url
    if url.get_backend_name() != "postgresql":
        raise UsageError(
            N_(
                "%(store)s: the queue needs a PostgreSQL store (--db postgresql+psycopg://"
                "user@host/db); a SQLite store serves one machine: run dtm batch without --queue"
            ),
            store=store.url,
        )
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class _Worker:
    """What a worker process's jobs share: where the store is, and one render process, so that
    rendering never holds up the heartbeats of the worker's event loop."""

    url: str
    pool: RenderProcess

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.wrap_future(self.pool.submit(function, *args))
        except BrokenProcessPool:
            self.pool.replace()  # the render process died: the job is retried in a new one
            raise

    def recycle_if_grown(self, resident_mb: float, limit: float = RECYCLE_MB) -> bool:
        """Replace the render process once its job is done if it holds more than `limit` MB."""
        return self.pool.recycle_if_grown(resident_mb, limit)


def render_pool() -> RenderProcess:
    """The worker's render process (see `batch.processes`): many firms, then a fresh one."""
    return RenderProcess()


_worker: dict[str, _Worker] = {}


def make_app(connector: Any) -> Any:
    """A procrastinate app over `connector` with dtm's three tasks."""
    from . import work

    procrastinate = require_procrastinate()
    app = procrastinate.App(connector=connector)

    @app.task(name=RENDER_TASK, queue=QUEUE, retry=RETRIES, pass_context=True)  # type: ignore[untyped-decorator]
    async def render_firm(context: Any, run_id: int, credit_code: str) -> None:
        state = _worker["current"]
        last = context.job.attempts >= RETRIES
        ended, resident_mb = await state.run(
            work.render_firm_at, state.url, run_id, credit_code, last
        )
        if state.recycle_if_grown(resident_mb):
            log.info("render process replaced: %.0f MB after its last firm", resident_mb)
        if ended:
            await defer_park(app, run_id)

    @app.task(name=PARK_TASK, queue=QUEUE, retry=RETRIES)  # type: ignore[untyped-decorator]
    async def park_report(run_id: int) -> None:
        state = _worker["current"]
        await state.run(work.build_park_at, state.url, run_id)

    @app.task(name=ONE_TASK, queue=QUEUE)  # type: ignore[untyped-decorator]
    async def render_one(credit_code: str, period: str, lang: str) -> None:
        # Outside any run: `dtm batch --status` counts none of these, and no park report follows.
        state = _worker["current"]
        resident_mb = await state.run(work.render_one_at, state.url, credit_code, period, lang)
        if state.recycle_if_grown(resident_mb):
            log.info("render process replaced: %.0f MB after its last firm", resident_mb)

    return app


def one_job(code: str, period: str, lang: str) -> Any:
    """A firm finished on the form: one waiting per firm at most (its queueing lock), never at
    once with a quarter's job for the same firm's reports (their common lock)."""
    from procrastinate.jobs import Job

    return Job(
        queue=QUEUE,
        task_name=ONE_TASK,
        lock=firm_lock(code, period, lang),
        queueing_lock=f"dtm-one-{period}-{lang}-{code}",
        task_kwargs={"credit_code": code, "period": period, "lang": lang},
    )


def firm_lock(code: str, period: str, lang: str) -> str:
    return f"dtm-firm-{period}-{lang}-{code}"


def park_job(run_id: int) -> Any:
    """The park report's job: one waiting per run at most (its queueing lock)."""
    from procrastinate.jobs import Job

    return Job(
        queue=QUEUE,
        task_name=PARK_TASK,
        lock=f"dtm-park-{run_id}",
        queueing_lock=f"dtm-park-{run_id}",
        task_kwargs={"run_id": run_id},
    )


def firm_job(run_id: int, code: str, period: str, lang: str) -> Any:
    """A firm's job; two jobs of the same firm's reports never run at once (its lock)."""
    from procrastinate.jobs import Job

    return Job(
        queue=QUEUE,
        task_name=RENDER_TASK,
        lock=firm_lock(code, period, lang),
        queueing_lock=None,
        task_kwargs={"run_id": run_id, "credit_code": code},
    )


async def defer_park(app: Any, run_id: int) -> None:
    from procrastinate.exceptions import AlreadyEnqueued

    # Another worker may have finished a firm at the same moment and queued it already.
    with contextlib.suppress(AlreadyEnqueued):
        await app.job_manager.defer_job_async(park_job(run_id))


def enqueue(store: Store, jobs: list[Any]) -> None:
    """Put jobs in the queue in one round trip."""
    procrastinate = require_procrastinate()
    from procrastinate.exceptions import AlreadyEnqueued

    app = make_app(procrastinate.SyncPsycopgConnector(conninfo=conninfo(store)))
    with app.open(), contextlib.suppress(AlreadyEnqueued):  # a park report already waiting
        app.job_manager.batch_defer_jobs(jobs)


def run_worker(store: Store, *, heartbeat: float = HEARTBEAT) -> None:
    """Render queued jobs into the store until stopped (SIGINT or SIGTERM end it after the job
    in hand). A worker needs the store's URL and nothing else: no shared folder.

    A lost database never ends it: it says so in one line and connects again, waiting 1, 2, 4 …
    up to `MAX_BACKOFF` seconds between tries; the job it held is taken up again once the
    database is back (its heartbeat stopped, so any worker retries it).
    """
    procrastinate = require_procrastinate()
    slot_count()  # a `$DTM_RENDER_SLOTS` that is not a count is said before any job is taken
    url = store.engine.url.render_as_string(hide_password=False)
    _worker["current"] = state = _Worker(url, render_pool())
    delay = 1.0
    try:
        # Ready before it takes a job: a worker started ahead of a quarter renders its first
        # firm as fast as its next ones, and one that cannot render stops here, not on a job.
        started = time.monotonic()
        state.pool.warm().result()
        log.info("render process ready in %.1f s", time.monotonic() - started)
        while True:
            connector = procrastinate.PsycopgConnector(
                conninfo=conninfo(store), min_size=1, max_size=3, timeout=POOL_TIMEOUT
            )
            started = time.monotonic()
            try:
                asyncio.run(_work(make_app(connector), heartbeat))
                return  # stopped by a signal
            except Exception as exc:
                if not database_lost(exc):
                    raise
                if time.monotonic() - started > 2 * MAX_BACKOFF:
                    delay = 1.0  # it had been working: a new outage starts from a short wait
                log.warning(
                    "the database is unreachable (%s); trying again in %g s", one_line(exc), delay
                )
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
    finally:
        state.pool.shutdown(cancel_futures=True)


def open_store(url: str | None, *, waiting: Callable[[Message], None]) -> Store:
    """The store at `url` once its database can be reached: a worker started while the database
    is down waits for it as it does after losing it, 1, 2, 4 … up to `MAX_BACKOFF` seconds
    between tries, and calls `waiting` once with what it is waiting for.

    A URL that is not one, a missing driver, or a server that answers but refuses (no such
    database or role, a wrong password) is the store's error at once, not waited for.
    """
    delay, said = 1.0, False
    while True:
        try:
            return Store.open(url, create=False)
        except StoreError as exc:
            if not database_unreachable(exc):
                raise
            if not said:
                waiting(
                    N_(
                        "the database is unreachable (%(reason)s); waiting for it, trying again "
                        "every %(most)s seconds at most",
                        reason=one_line(exc),
                        most=f"{MAX_BACKOFF:g}",
                    )
                )
                said = True
            time.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)


# What a PostgreSQL server says when it answers but cannot take connections yet, or any more:
# worth waiting for, unlike its other refusals (no such database or role, a wrong password).
_BUSY_SERVER = ("starting up", "shutting down", "in recovery", "too many clients")


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot be reached now (down, starting, unreachable),
    rather than that the server turned this connection down."""
    if not database_lost(exc):
        return False
    said = one_line(exc)
    return "FATAL:" not in said or any(busy in said for busy in _BUSY_SERVER)


def database_lost(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) means the database could not be reached."""
    import psycopg
    from procrastinate.exceptions import ConnectorException
    from psycopg_pool import PoolTimeout

    lost = (ConnectorException, psycopg.OperationalError, PoolTimeout, OSError)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, lost):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def one_line(exc: BaseException) -> str:
    """The first line that says something of `exc` or its causes, for a log line."""
    seen: BaseException | None = exc
    while seen is not None:
        text = next((t.strip() for t in str(seen).splitlines() if t.strip()), "")
        if text and text != "Database error.":
            return text
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


class OneLineOutages(logging.Filter):
    """Log a lost database as one line, without its traceback; anything else is left whole.

    procrastinate and psycopg's pool log every failed try with a traceback; during an outage
    that is hundreds of lines saying the same thing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and database_lost(record.exc_info[1]):
            record.msg = f"{record.getMessage()}: {one_line(record.exc_info[1])}"
            record.args, record.exc_info, record.exc_text = None, None, None
        elif record.name.startswith("psycopg.pool") and record.levelno < logging.ERROR:
            record.msg = record.getMessage().splitlines()[0]
            record.args = None
        return True


async def _work(app: Any, heartbeat: float) -> None:
    stalled_after = STALLED_AFTER * heartbeat
    async with app.open_async():
        reaper = asyncio.create_task(_retry_stalled(app, heartbeat, stalled_after))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=1,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after,
            )
        finally:
            reaper.cancel()


async def _retry_stalled(app: Any, every: float, stalled_after: float) -> None:
    """Put back the jobs of workers whose heartbeat stopped: procrastinate's stalled-jobs recipe,
    run by every worker instead of a periodic task so that recovery takes seconds, not minutes."""
    while True:
        await asyncio.sleep(every)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stalled_after
            )
            for job in stalled:
                log.warning("retrying job %s of a worker that stopped", job.id)
                await app.job_manager.retry_job(job)
        except Exception as exc:  # a lost connection, or a job another worker took: next beat
            log.warning("looking for stalled jobs failed (%s); trying again", one_line(exc))
