"""Rendering off a server's event loop: a stored firm's reports, or any report, in a process pool.

A web server that lays out pages in its own process (or in a thread, which holds the GIL most
of the time WeasyPrint works) answers nobody else meanwhile. Here rendering runs in separate
processes; the server awaits a future and keeps answering.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from ..errors import DtmError, printable
from ..models.common import Lang
from ..store import Store
from .processes import RECYCLE_AFTER

T = TypeVar("T")
Status = Literal["none", "rendering", "done", "failed"]


@dataclass(frozen=True)
class RenderState:
    """How far a firm's reports are: never asked for, being rendered, in the store, or failed."""

    status: Status
    problem: str | None = None


class FirmRenderer(Protocol):
    """Renders a stored firm's reports into the store's `reports` table, in the background."""

    def submit(self, code: str, period: str, lang: Lang) -> None: ...

    def state(self, code: str, period: str, lang: Lang) -> RenderState: ...

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]: ...

    def close(self) -> None: ...


_stores: dict[str, Store] = {}


def _store(url: str) -> Store:
    """One open store per URL in a render process (it renders many reports in its life)."""
    if url not in _stores:
        _stores[url] = Store.open(url, create=False)
    return _stores[url]


def render_firm_into_store(url: str, code: str, period: str, lang: Lang) -> list[str]:
    """In a render process: the firm's reports made as a queued worker makes them (the same
    inputs, the same function), kept in the store. Returns the file names."""
    from .firm import render_stored_firm
    from .inputs import period_inputs

    store = _store(url)
    reports = render_stored_firm(
        store, code, period, lang=lang, inputs=period_inputs(store, period)
    )
    return [r.name for r in reports]


def with_store(url: str, function: Callable[..., T], *args: Any) -> T:
    """In a render process: `function(store, *args)` over the store at `url`."""
    return function(_store(url), *args)


class PoolRenderer:
    """Firms' reports rendered by a pool of processes of this machine, into the store.

    What is being rendered is known to this object only: after a restart, a firm whose reports
    are not in the store is simply asked for again."""

    def __init__(self, url: str, processes: int = 1) -> None:
        self.url = url
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: dict[tuple[str, str, str], Future[list[str]]] = {}
        self._lock = threading.Lock()

    @property
    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # Not `processes.RenderProcess`: its processes die with the thread that started
                # them (PR_SET_PDEATHSIG), and here that is one of the server's short-lived
                # request threads, so the pool would break under a later request.
                self._pool = ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=RECYCLE_AFTER,
                )
            return self._pool

    def submit(self, code: str, period: str, lang: Lang) -> None:
        """Render the firm's reports unless they are being rendered already."""
        key = (code, period, lang)
        with self._lock:
            running = self._jobs.get(key)
            if running is not None and not running.done():
                return
        future = self.pool.submit(render_firm_into_store, self.url, code, period, lang)
        with self._lock:
            self._jobs[key] = future

    def state(self, code: str, period: str, lang: Lang) -> RenderState:
        with self._lock:
            future = self._jobs.get((code, period, lang))
        if future is None:
            return RenderState("none")
        if not future.done():
            return RenderState("rendering")
        problem = future.exception()
        if problem is None:
            return RenderState("done")
        text = str(problem).splitlines()[0] if str(problem) else ""
        if not isinstance(problem, DtmError):
            text = f"{type(problem).__name__}: {text}" if text else type(problem).__name__
        return RenderState("failed", printable(text))

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """`function(*args)` in a render process (it must be importable there)."""
        return self.pool.submit(function, *args)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
