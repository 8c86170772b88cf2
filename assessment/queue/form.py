"""The web form's reports made by the queue's workers while any is alive, else in a render pool.

`dtm serve` on a PostgreSQL store hands its app a `QueueRenderer` (see `form_renderer`): a firm
finished on the form becomes one queued job (`tasks.ONE_TASK`) that any `dtm worker` renders
into the store with the same call the form's own pool uses; the finished page reads the job's
state from the queue's table and the PDFs from the store. With no worker alive, the firm goes to
this machine's render pool instead, as on a store without a queue.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import text

from ..batch.background import FirmRenderer, PoolRenderer, RenderState
from ..models.common import Lang
from ..store import Store
from ..store.jobs import JOBS_TABLE
from .tasks import HEARTBEAT, ONE_TASK, STALLED_AFTER, conninfo, make_app, one_job

T = TypeVar("T")
ALIVE_WITHIN = STALLED_AFTER * HEARTBEAT  # a worker silent longer is taken for dead, as workers do
FAILED = "the queue's worker could not make the reports (its log says why)"

_LATEST = text(
    f"SELECT id, status::text FROM {JOBS_TABLE} "  # noqa: S608 - a constant
    "WHERE task_name = :task AND args->>'credit_code' = :code "
    "AND args->>'period' = :period AND args->>'lang' = :lang ORDER BY id DESC LIMIT 1"
)
_ALIVE = text(
    "SELECT count(*) FROM procrastinate_workers "
    "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
)


class QueueRenderer:
    """A `FirmRenderer` whose firms are queued jobs while the queue has a live worker.

    What is being rendered is in the database, not in this object: a restarted server still
    shows a queued firm as being made. A firm whose job waits while no worker is alive any more
    is taken back from the queue and rendered by `fallback`."""

    def __init__(
        self, store: Store, fallback: FirmRenderer, *, alive_within: float = ALIVE_WITHIN
    ) -> None:
        self.store = store
        self.fallback = fallback
        self.alive_within = alive_within
        self._app: Any = None
        self._pooled: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def live_workers(self) -> int:
        """How many workers sent a heartbeat lately."""
        with self.store.engine.connect() as conn:
            return int(conn.execute(_ALIVE, {"seconds": self.alive_within}).scalar() or 0)

    def _queue(self) -> Any:
        with self._lock:
            if self._app is None:
                import procrastinate

                connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(self.store))
                self._app = make_app(connector).open()
            return self._app

    def submit(self, code: str, period: str, lang: Lang) -> None:
        """Queue the firm's render if a worker is alive (unless it waits already), else render
        it in the fallback pool."""
        if self.live_workers() == 0:
            self._to_pool(code, period, lang)
            return
        from procrastinate.exceptions import AlreadyEnqueued

        with self._lock:
            self._pooled.discard((code, period, lang))
        with contextlib.suppress(AlreadyEnqueued):  # its job is waiting already
            self._queue().job_manager.defer_job(one_job(code, period, lang))

    def _to_pool(self, code: str, period: str, lang: Lang) -> None:
        with self._lock:
            self._pooled.add((code, period, lang))
        self.fallback.submit(code, period, lang)

    def _latest(self, code: str, period: str, lang: Lang) -> tuple[int, str] | None:
        values = {"task": ONE_TASK, "code": code, "period": period, "lang": lang}
        with self.store.engine.connect() as conn:
            row = conn.execute(_LATEST, values).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def state(self, code: str, period: str, lang: Lang) -> RenderState:
        with self._lock:
            pooled = (code, period, lang) in self._pooled
        if pooled:
            return self.fallback.state(code, period, lang)
        latest = self._latest(code, period, lang)
        if latest is None:
            return RenderState("none")
        job_id, status = latest
        if status == "todo" and self.live_workers() == 0:
            # Every worker stopped before taking it: this machine renders it after all.
            if self._queue().job_manager.cancel_job_by_id(job_id):
                self._to_pool(code, period, lang)
                return self.fallback.state(code, period, lang)
            return RenderState("rendering")  # taken by a worker meanwhile
        if status in ("todo", "doing"):
            return RenderState("rendering")
        if status == "succeeded":
            return RenderState("done")
        if status == "failed":
            return RenderState("failed", FAILED)
        return RenderState("none")  # cancelled or aborted: asked for again

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Draft PDFs and park reports: in the fallback's render processes, awaited at once."""
        return self.fallback.call(function, *args)

    def close(self) -> None:
        with self._lock:
            app, self._app = self._app, None
        try:
            if app is not None:
                app.close()
        finally:
            self.fallback.close()


def form_renderer(store: Store) -> FirmRenderer:
    """What renders the form's PDFs: the queue's workers (a `QueueRenderer`) on a PostgreSQL
    store with procrastinate installed, else this machine's render pool alone."""
    url = store.engine.url.render_as_string(hide_password=False)
    pool = PoolRenderer(url)
    if store.engine.url.get_backend_name() != "postgresql":
        return pool
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        return pool
    return QueueRenderer(store, pool)
