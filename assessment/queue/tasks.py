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
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from ..batch.processes import RECYCLE_MB, RenderProcess
from ..errors import UsageError
from ..store import Store

QUEUE = "dtm"
RENDER_TASK = "dtm.render_firm"
PARK_TASK = "dtm.park_report"
RETRIES = 2  # a firm is tried at most three times, then recorded as failed
HEARTBEAT = 10.0  # seconds between a worker's heartbeats (procrastinate's default)
STALLED_AFTER = 4  # heartbeats missed before a worker is taken for dead and its job retried

log = logging.getLogger(__name__)
T = TypeVar("T")


def require_procrastinate() -> Any:
    """procrastinate itself, or a usage error naming the extra that installs it."""
    try:
        import procrastinate
    except ImportError as exc:
        raise UsageError(
            "the queue needs procrastinate: pip install 'dtm-assessment[postgres]'"
        ) from exc
    return procrastinate


def conninfo(store: Store) -> str:
    """The store's URL as libpq reads it (without SQLAlchemy's driver name)."""
    url = store.engine.url
    if url.get_backend_name() != "postgresql":
        raise UsageError(
            f"{store.url}: the queue needs a PostgreSQL store (--db postgresql+psycopg://"
            "user@host/db); a SQLite store serves one machine: run dtm batch without --queue"
        )
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class _Worker:
    """What a worker process's jobs share: where the store and the folder are, and one render
    process, so that rendering never holds up the heartbeats of the worker's event loop."""

    url: str
    out: Path
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
    """A procrastinate app over `connector` with dtm's two tasks."""
    from . import work

    procrastinate = require_procrastinate()
    app = procrastinate.App(connector=connector)

    @app.task(name=RENDER_TASK, queue=QUEUE, retry=RETRIES, pass_context=True)  # type: ignore[untyped-decorator]
    async def render_firm(context: Any, run_id: int, credit_code: str) -> None:
        state = _worker["current"]
        last = context.job.attempts >= RETRIES
        ended, resident_mb = await state.run(
            work.render_firm_at, state.url, str(state.out), run_id, credit_code, last
        )
        if state.recycle_if_grown(resident_mb):
            log.info("render process replaced: %.0f MB after its last firm", resident_mb)
        if ended:
            await defer_park(app, run_id)

    @app.task(name=PARK_TASK, queue=QUEUE, retry=RETRIES)  # type: ignore[untyped-decorator]
    async def park_report(run_id: int) -> None:
        state = _worker["current"]
        await state.run(work.build_park_at, state.url, str(state.out), run_id)

    return app


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
        lock=f"dtm-firm-{period}-{lang}-{code}",
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


def run_worker(store: Store, out: Path, *, heartbeat: float = HEARTBEAT) -> None:
    """Render queued jobs until stopped (SIGINT or SIGTERM end it after the job in hand)."""
    procrastinate = require_procrastinate()
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(store), min_size=1, max_size=3)
    url = store.engine.url.render_as_string(hide_password=False)
    _worker["current"] = state = _Worker(url, out.resolve(), render_pool())
    app = make_app(connector)
    try:
        asyncio.run(_work(app, heartbeat))
    finally:
        state.pool.shutdown(cancel_futures=True)


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
        except Exception:  # a lost connection: try again on the next beat
            log.exception("looking for stalled jobs failed")
