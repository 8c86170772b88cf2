"""Filling in a page: showing it, one change from the page's outbox, one attached file.

The page's script (`static/outbox.js`) keeps every change until a reply says it is saved; the
reply carries `X-Dtm-Saved` so the script knows a redrawn page came from the server and not
from a proxy or an error page.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from ..accounts import audit
from ..accounts.audit import answer_changes
from ..files import evidence
from . import sheet as page_of
from .context import Context
from .drafts import Draft

SAVED = {"x-dtm-saved": "1", "cache-control": "no-store"}


def _draft(ctx: Context, draft_id: str) -> Draft:
    found: Draft = ctx.draft(draft_id)
    return found


def _save(ctx: Context, before: Draft, draft: Draft) -> None:
    log = [
        ctx.entry(audit.ANSWER, draft, question=qid, old=old, new=new)
        for qid, old, new in answer_changes(before.answers, draft.answers)
    ]
    ctx.book.save(draft, log)


async def show(ctx: Context, draft_id: str, page: int) -> Response:
    draft = _draft(ctx, draft_id)
    template = "_sheet.html" if ctx.partial else "dimension.html"
    return ctx.page(template, **page_of.dimension(draft, page, {}, {}))


async def change(ctx: Context, draft_id: str, page: int) -> Response:
    before = _draft(ctx, draft_id)
    posted = await ctx.posted()
    draft, raw, errors = page_of.apply_change(before, page, posted.fields)
    # Without the page's script the whole form is posted, its files with it.
    for key, upload in posted.files.items():
        content = await upload.read(evidence.MAX_BYTES + 1)
        try:
            draft = page_of.attach(draft, page, key.removeprefix("f."), content, ctx.book)
        except page_of.Refused as exc:
            errors.setdefault(key.removeprefix("f."), []).append(_refusal(ctx, exc.reason))
    _save(ctx, before, draft)
    template = "_sheet.html" if ctx.partial else "dimension.html"
    response = ctx.page(template, **page_of.dimension(draft, page, raw, errors))
    response.headers.update(SAVED)
    return response


async def upload(ctx: Context, draft_id: str, page: int) -> Response:
    """One file for one question, in a request of its own."""
    before = _draft(ctx, draft_id)
    posted = await ctx.posted()
    qid = (posted.fields.get("question") or [""])[-1]
    file = posted.files.get("file")
    content = await file.read(evidence.MAX_BYTES + 1) if file is not None else b""
    try:
        draft = page_of.attach(before, page, qid, content, ctx.book)
    except page_of.Refused as exc:
        return ctx.page("_upload_error.html", status=422, reason=exc.reason)
    _save(ctx, before, draft)
    response = ctx.page("_sheet.html", **page_of.dimension(draft, page, {}, {}))
    response.headers.update(SAVED)
    return response


def _refusal(ctx: Context, reason: str) -> str:
    return ctx.text("_upload_error.html", reason=reason)


async def token(ctx: Context) -> Response:
    """This session's CSRF token, for a page whose token a restarted server no longer knows."""
    return JSONResponse({"csrf": ctx.csrf}, headers={"cache-control": "no-store"})
