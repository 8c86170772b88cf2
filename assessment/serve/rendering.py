"""The form's reports made without holding up the server: by the store's workers or in a pool.

Every PDF the form hands out is laid out in another process (a queued worker, or this machine's
render pool); the event loop only waits on a future or reads the store, so other consultants'
pages are answered meanwhile.
"""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from ..batch.background import FirmRenderer, RenderState, with_store
from ..batch.firm import current_reports, export_firm
from ..models.common import Lang
from ..report.render import Kind
from ..store import Store
from ..store.reports import StoredReport, firm_reports
from .finish import answer_file

T = TypeVar("T")
POLL = 0.25  # seconds between looks at a render that another process does


@dataclass(frozen=True)
class Progress:
    """What the finished page shows: the reports being made, ready (by file name), or failed."""

    status: str
    problem: str | None = None


def store_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def of_lang(store: Store, code: str, period: str, lang: Lang) -> dict[str, StoredReport]:
    """The firm's current stored reports of the period in `lang`, by kind (`diagnosis`,
    `scenarios`): made from what is stored for it now (see `batch.firm.current_reports`), so
    that a firm stored again since (on another web process, or before a restart) never gets
    its earlier revision's PDFs."""
    return _by_kind(current_reports(store, code, period, lang), lang)


def _by_kind(reports: dict[str, StoredReport], lang: Lang) -> dict[str, StoredReport]:
    found = {}
    for name, report in reports.items():
        for kind in ("diagnosis", "scenarios"):
            if name.endswith(f"-{kind}-{lang}.pdf"):
                found[kind] = report
    return found


def progress(
    store: Store, renderer: FirmRenderer, out: Path, code: str, period: str, lang: Lang
) -> Progress:
    """How far the firm's reports are; ready ones are also written beside its answer file in
    `out` (only when their bytes differ). A firm whose current reports are neither in the store
    nor being made (the server restarted meanwhile, or only an earlier revision's are stored) is
    asked for again."""
    state: RenderState = renderer.state(code, period, lang)
    if state.status == "rendering":
        return Progress("rendering")
    if state.status == "failed":
        return Progress("failed", state.problem)
    if len(of_lang(store, code, period, lang)) < 2:
        renderer.submit(code, period, lang)
        return Progress("rendering")
    export_firm(store, code, period, answer_file(out, code, period).parent)
    return Progress("done")


async def stored_pdf(
    store: Store, renderer: FirmRenderer, code: str, period: str, lang: Lang, kind: str
) -> StoredReport | None:
    """The firm's stored report of `kind`, rendered first when the store holds none made from
    the firm's current assessment; the wait never holds up the event loop. None when rendering
    failed."""
    found = await run_in_threadpool(of_lang, store, code, period, lang)
    if kind in found:
        return found[kind]
    await run_in_threadpool(renderer.submit, code, period, lang)
    while (state := await run_in_threadpool(renderer.state, code, period, lang)).status in (
        "rendering",
        "none",
    ):
        await asyncio.sleep(POLL)
    if state.status == "failed":
        return None
    # What was just made, even if the firm was stored again meanwhile: the next ask renders that.
    made = await run_in_threadpool(firm_reports, store, code, period)
    return _by_kind(made, lang).get(kind)


async def in_process(renderer: FirmRenderer, function: Any, *args: Any) -> Any:
    """`function(*args)` in a render process, awaited without holding up the event loop."""
    future: Future[Any] = renderer.call(function, *args)
    return await asyncio.wrap_future(future)


async def over_store(renderer: FirmRenderer, store: Store, function: Any, *args: Any) -> Any:
    """`function(store, *args)` in a render process, over the same store."""
    return await in_process(renderer, with_store, store_url(store), function, *args)


def draft_pdf_at(
    folder: Path, questionnaire: str, questionnaires: Path | None, kind: Kind, lang: Lang
) -> bytes:
    """In a render process: `finish.draft_pdf` with the questionnaire found by its id (as the
    form finds it), since a loaded questionnaire does not travel between processes."""
    from .finish import draft_pdf
    from .pages import questionnaires_by_id

    return draft_pdf(folder, questionnaires_by_id(questionnaire, questionnaires), kind, lang)


async def draft_report(renderer: FirmRenderer, folder: Path, *args: Any) -> bytes:
    """A draft's PDF (see `draft_pdf_at`) from its temporary folder, which goes after."""
    try:
        pdf: bytes = await in_process(renderer, draft_pdf_at, folder, *args)
        return pdf
    finally:
        await run_in_threadpool(shutil.rmtree, folder, True)
