"""The web form's routes: start, fill in (one dimension a page), finish, list, history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import credit_code, evidence
from ..models.common import LANGS, Lang
from ..store import Store
from . import pages
from .drafts import DraftBook
from .finish import draft_pdf, stored_reports
from .security import CSRF_FIELD, Guard, Keys

STATIC = Path(__file__).parent / "static"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(r"^[0-9A-Z]{18}$")
_PERIOD = re.compile(r"^(19|20)\d\dQ[1-4]$")
LANG_COOKIE = "dtm_lang"


@dataclass
class Settings:
    """What one running form needs: the store, where finished files go, the default language."""

    store: Store
    out: Path
    lang: Lang = "zh"
    folder: Path | None = None


@dataclass
class Posted:
    fields: dict[str, list[str]]
    files: dict[str, UploadFile]


class Context:
    """Per-request helpers handed to the page builders."""

    def __init__(self, request: Request, settings: Settings, keys: Keys) -> None:
        self.request = request
        self.settings = settings
        self.keys = keys
        self.book = DraftBook(settings.store)
        chosen = request.cookies.get(LANG_COOKIE, settings.lang)
        self.lang: Lang = chosen if chosen in LANGS else settings.lang

    @property
    def csrf(self) -> str:
        return self.keys.csrf(self.request.scope["state"]["session"])

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    async def posted(self) -> Posted:
        """The form, after the CSRF check; a form the browser cannot have sent is refused."""
        form = await self.request.form(max_files=20, max_fields=2000, max_part_size=64 * 1024)
        fields: dict[str, list[str]] = {}
        files: dict[str, UploadFile] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
            elif value.filename:
                files[key] = value
        if not self.keys.csrf_ok(self.request, fields):
            raise HTTPException(403, "the form has expired (CSRF check failed); reload the page")
        return Posted(fields, files)

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = pages.render(
            template, self.lang, csrf=self.csrf, path=self.request.url.path, **context
        )
        return HTMLResponse(html, status_code=status)


def _handler(settings: Settings, keys: Keys, action: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        ctx = Context(request, settings, keys)
        response: Response = await action(ctx, **request.path_params)
        return response

    return endpoint


async def home(ctx: Context) -> Response:
    return ctx.page("home.html", **pages.home(ctx.book, ctx.settings, ctx.request.query_params))


async def check_code(ctx: Context) -> Response:
    posted = await ctx.posted()
    code = (posted.fields.get("credit_code") or [""])[-1].strip().upper()
    reason = credit_code.problem(code) if code else None
    return ctx.page("_code_check.html", code=code, reason=reason)


async def start(ctx: Context) -> Response:
    posted = await ctx.posted()
    draft, problems, form = pages.start_draft(posted.fields, ctx.settings)
    if draft is None:
        context = pages.home(ctx.book, ctx.settings, {})
        context.update(form=form, problems=problems)
        return ctx.page("home.html", status=422, **context)
    ctx.book.save(draft)
    return RedirectResponse(f"/drafts/{draft.id}/1", status_code=303)


async def sheet(ctx: Context, draft_id: str, page: int) -> Response:
    draft = _draft(ctx, draft_id)
    return ctx.page("dimension.html", **pages.dimension(draft, page, {}, {}))


async def change(ctx: Context, draft_id: str, page: int) -> Response:
    draft = _draft(ctx, draft_id)
    posted = await ctx.posted()
    uploads = {k: await f.read(evidence.MAX_BYTES + 1) for k, f in posted.files.items()}
    draft, raw, errors = pages.apply_change(draft, page, posted.fields, uploads, ctx.book)
    ctx.book.save(draft)
    template = "_sheet.html" if ctx.htmx else "dimension.html"
    return ctx.page(template, **pages.dimension(draft, page, raw, errors))


async def summary(ctx: Context, draft_id: str) -> Response:
    draft = _draft(ctx, draft_id)
    return ctx.page("summary.html", **pages.summary(draft, ctx.lang))


async def finish(ctx: Context, draft_id: str) -> Response:
    draft = _draft(ctx, draft_id)
    await ctx.posted()
    context, done = pages.finish_draft(draft, ctx.book, ctx.settings, ctx.lang)
    if done is None:
        return ctx.page("summary.html", status=422, **context)
    return ctx.page("finished.html", **context)


async def draft_report(ctx: Context, draft_id: str, kind: str) -> Response:
    draft = _draft(ctx, draft_id)
    if kind not in ("diagnosis", "scenarios"):
        raise HTTPException(404, "no such report")
    q = pages.questionnaire_of(draft)
    sheet_ = pages.scorable_sheet(draft)
    pdf = draft_pdf(sheet_, q, ctx.book, kind, ctx.lang)  # type: ignore[arg-type]
    name = f"draft-{draft.firm.credit_code}-{draft.period}-{kind}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def evidence_file(ctx: Context, sha256: str) -> Response:
    if not _SHA.match(sha256):
        raise HTTPException(404, "no such file")
    found = ctx.book.evidence(sha256)
    if found is None:
        raise HTTPException(404, "no such file")
    return Response(found[1], media_type=found[0], headers={"x-content-type-options": "nosniff"})


async def report_file(ctx: Context, code: str, period: str, kind: str) -> Response:
    if not (_CODE.match(code) and _PERIOD.match(period)) or kind not in ("diagnosis", "scenarios"):
        raise HTTPException(404, "no such report")
    path = stored_reports(ctx.settings.out, code, period, ctx.lang)[kind]  # type: ignore[index]
    if not path.is_file():
        pages.render_stored(ctx.settings, code, period, ctx.lang)
    if not path.is_file():
        raise HTTPException(404, "no such report")
    return FileResponse(path, media_type="application/pdf", filename=path.name)


async def assessments(ctx: Context) -> Response:
    params = ctx.request.query_params
    return ctx.page("list.html", **pages.stored_list(ctx.settings.store, params, ctx.book))


async def history(ctx: Context, code: str) -> Response:
    if not _CODE.match(code):
        raise HTTPException(404, "no such firm")
    return ctx.page("history.html", **pages.firm_history(ctx.settings.store, code))


async def language(ctx: Context, lang: str) -> Response:
    back = ctx.request.headers.get("referer", "/")
    path = "/" + back.split("://", 1)[-1].split("/", 1)[-1] if "://" in back else "/"
    response = RedirectResponse(path if path.startswith("/") else "/", status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict")
    return response


def _draft(ctx: Context, draft_id: str) -> Any:
    found = ctx.book.get(draft_id) if len(draft_id) <= 32 else None
    if found is None:
        raise HTTPException(404, "no such draft: it was finished or never started")
    return found


def create_app(settings: Settings, keys: Keys | None = None) -> Starlette:
    """The web form as an ASGI app (uvicorn runs it; tests call it directly)."""
    keys = keys or Keys(None)

    def route(path: str, action: Any, methods: list[str] | None = None) -> Route:
        return Route(path, _handler(settings, keys, action), methods=methods or ["GET"])

    async def error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "unexpected error"
        return pages.error_response(request, settings, keys, status, str(detail))

    routes = [
        route("/", home),
        route("/check/credit-code", check_code, ["POST"]),
        route("/drafts", start, ["POST"]),
        route("/drafts/{draft_id}/{page:int}", sheet),
        route("/drafts/{draft_id}/{page:int}", change, ["POST"]),
        route("/drafts/{draft_id}/summary", summary),
        route("/drafts/{draft_id}/finish", finish, ["POST"]),
        route("/drafts/{draft_id}/draft-{kind}.pdf", draft_report),
        route("/evidence/{sha256}", evidence_file),
        route("/reports/{code}/{period}/{kind}.pdf", report_file),
        route("/assessments", assessments),
        route("/firms/{code}", history),
        route("/lang/{lang}", language),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, keys=keys)],
        exception_handlers={HTTPException: error},
    )


__all__ = ["CSRF_FIELD", "Settings", "create_app", "date"]
