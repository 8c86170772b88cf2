"""The web form's routes: start, fill in (one dimension a page), finish, list, history."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..accounts import Accounts, LoginRefused, Role, Throttled, audit
from ..accounts.attestation import Attestation, attest
from ..accounts.audit import answer_changes
from ..batch.background import FirmRenderer, PoolRenderer
from ..models.common import LANGS
from ..store import EVERY_PARK, Scope
from . import fill, pages, rendering
from .context import LANG_COOKIE, Context, Moved, Posted, Settings, handler
from .finish import draft_folder
from .forms import assessed_on, code_problem
from .login import LOGIN_COOKIE, SignIn, client_address, login_cookie
from .outage import DatabaseDown
from .park_pdf import park_pdf
from .security import CSRF_FIELD, Guard, Keys

STATIC = Path(__file__).parent / "static"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(r"^[0-9A-Z]{18}$")
_PERIOD = re.compile(r"^(19|20)\d\dQ[1-4]$")


async def home(ctx: Context) -> Response:
    if not ctx.may_fill():
        return RedirectResponse("/assessments", status_code=303)
    params = dict(ctx.request.query_params)
    if "firm" in params and not ctx.may_read_firm(params["firm"]):
        del params["firm"]
    return ctx.page("home.html", **pages.home(ctx.book, ctx.settings, params, ctx.user))


async def check_code(ctx: Context) -> Response:
    ctx.allow(ctx.may_fill())
    posted = await ctx.posted()
    code = (posted.fields.get("credit_code") or [""])[-1].strip().upper()
    return ctx.page("_code_check.html", code=code, reason=code_problem(code) if code else None)


async def start(ctx: Context) -> Response:
    ctx.allow(ctx.may_fill())
    posted = await ctx.posted()
    code = (posted.fields.get("credit_code") or [""])[-1].strip().upper()
    if not ctx.may_read_firm(code):
        posted.fields.pop("prefill", None)  # another account's answers are not copied
    draft, problems, form = pages.start_draft(posted.fields, ctx.settings)
    if draft is None:
        context = pages.home(ctx.book, ctx.settings, {}, ctx.user)
        context.update(form=form, problems=problems)
        return ctx.page("home.html", status=422, **context)
    draft = draft.model_copy(update={"owner": ctx.name})
    log = [ctx.entry(audit.DRAFT_START, draft)] + [
        ctx.entry(audit.ANSWER, draft, question=qid, old=old, new=new)
        for qid, old, new in answer_changes({}, draft.answers)
    ]
    ctx.book.save(draft, log)
    return RedirectResponse(f"/drafts/{draft.id}/1", status_code=303)


async def summary(ctx: Context, draft_id: str) -> Response:
    draft = _draft(ctx, draft_id)
    return ctx.page("summary.html", **pages.summary(draft, ctx.lang))


async def finish(ctx: Context, draft_id: str) -> Response:
    draft = _draft(ctx, draft_id)
    posted = await ctx.posted()
    confirmed, problem = _confirmation(posted)
    if problem:
        problems = [{"question": None, "page": 1, "code": problem, "message": ""}]
        return ctx.page("summary.html", status=422, **pages.summary(draft, ctx.lang, problems))
    context, done = await run_in_threadpool(
        pages.finish_draft, draft, ctx.book, ctx.settings, ctx.lang
    )
    if done is None:
        return ctx.page("summary.html", status=422, **context)
    code, period = draft.firm.credit_code, draft.period
    ctx.accounts.finished(ctx.user, code, period, draft.id)
    if confirmed is not None:
        attest(ctx.settings.store, code, period, confirmed, ctx.entry(audit.CONFIRM, draft))
    # Stored first, confirmation included: the reports are made from the store, as a worker's.
    await run_in_threadpool(ctx.renderer.submit, code, period, ctx.lang)
    return RedirectResponse(f"/drafts/{draft.id}/finished", status_code=303)


def _finished_firm(ctx: Context, draft_id: str) -> tuple[str, str]:
    """The firm and period a finished draft stored, if this account may see them."""
    line = ctx.accounts.log.finished(draft_id[:32])
    if line is None or line.credit_code is None or line.period is None:
        raise HTTPException(404, "no such draft: it was finished or never started")
    code, period = line.credit_code, line.period
    ctx.allow(ctx.may_read_firm(code))
    if ctx.user is not None and ctx.user.role == Role.CONSULTANT:
        ctx.allow((code, period) in ctx.accounts.authored(ctx.user.name))
    return code, period


async def finished(ctx: Context, draft_id: str) -> Response:
    """The end page of a finished draft, again and again: what was stored and its PDFs, or
    that they are being made (the page then asks again until they are there)."""
    code, period = _finished_firm(ctx, draft_id)
    record = ctx.settings.store.get(code, period)
    if record is None:
        raise HTTPException(404, "no such report")
    answer_file = f"{period}/{code}.yaml"
    made = await _progress(ctx, code, period)
    return ctx.page(
        "finished.html",
        record=record,
        code=code,
        period=period,
        file=answer_file,
        draft_id=draft_id,
        progress=made,
    )


async def finished_reports(ctx: Context, draft_id: str) -> Response:
    """The finished page's part that shows the PDFs, or that they are still being made."""
    code, period = _finished_firm(ctx, draft_id)
    made = await _progress(ctx, code, period)
    return ctx.page("_reports.html", code=code, period=period, draft_id=draft_id, progress=made)


async def _progress(ctx: Context, code: str, period: str) -> rendering.Progress:
    settings = ctx.settings
    return await run_in_threadpool(
        rendering.progress, settings.store, ctx.renderer, settings.out, code, period, ctx.lang
    )


async def draft_report(ctx: Context, draft_id: str, kind: str) -> Response:
    draft = _draft(ctx, draft_id)
    if kind not in ("diagnosis", "scenarios"):
        raise HTTPException(404, "no such report")
    sheet_ = pages.scorable_sheet(draft)
    folder = await run_in_threadpool(draft_folder, sheet_, ctx.book)
    found = ctx.settings.folder
    pdf = await rendering.draft_report(
        ctx.renderer, folder, draft.questionnaire, found, kind, ctx.lang
    )
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
    ctx.allow(ctx.may_read_firm(code))
    if ctx.user is not None and ctx.user.role == Role.CONSULTANT:
        ctx.allow((code, period) in ctx.accounts.authored(ctx.user.name))
    if ctx.settings.store.get(code, period) is None:
        raise HTTPException(404, "no such report")
    settings = ctx.settings
    # The stored bytes (the park's batch, a worker or the form made them), else made now.
    report = await rendering.stored_pdf(settings.store, ctx.renderer, code, period, ctx.lang, kind)
    if report is None:
        raise HTTPException(404, "no such report")
    headers = {"content-disposition": _attachment(report.name)}
    return Response(report.content, media_type=report.media_type, headers=headers)


def _attachment(name: str) -> str:
    """A download's header; a firm's Chinese name is sent as RFC 5987 UTF-8."""
    if name.isascii():
        return f'attachment; filename="{name}"'
    return f"attachment; filename*=utf-8''{quote(name)}"


async def park_report(ctx: Context, period: str) -> Response:
    """A park's report: a park account's own park, always; for others the park chosen with
    `?park=NAME` (`?none=1`: the firms naming no park), the district roll-up with
    `?district=1`, the period's only park, or else a page to choose among the parks."""
    if not _PERIOD.match(period):
        raise HTTPException(404, "no such period")
    user = ctx.user
    ctx.allow(user is None or user.role in (Role.PARK, Role.ADMIN))
    params = ctx.request.query_params
    scope: Scope
    if user is not None and user.role == Role.PARK:
        scope = user.park
    elif params.get("district") == "1":
        scope = EVERY_PARK
    elif params.get("park") or params.get("none") == "1":
        scope = params.get("park") or None
    else:
        parks = await run_in_threadpool(ctx.settings.store.parks, period)
        if len(parks) > 1:
            return ctx.page("park_choice.html", period=period, parks=parks)
        scope = parks[0] if parks else None
    settings = ctx.settings
    pdf = await rendering.over_store(
        ctx.renderer, settings.store, park_pdf, period, scope, ctx.lang
    )
    if pdf is None:
        raise HTTPException(404, "no stored assessments of this park for this period")
    name = f"district-{period}.pdf" if scope is EVERY_PARK else f"park-{period}.pdf"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def assessments(ctx: Context) -> Response:
    params = ctx.request.query_params
    context = pages.stored_list(ctx.settings.store, params, ctx.book)
    if ctx.user is not None:
        context = pages.visible_to(ctx.user, context, ctx.accounts)
    return ctx.page("list.html", **context)


async def history(ctx: Context, code: str) -> Response:
    if not _CODE.match(code):
        raise HTTPException(404, "no such firm")
    ctx.allow(ctx.may_read_firm(code))
    context = pages.firm_history(ctx.settings.store, code)
    if ctx.user is not None and ctx.user.role == Role.CONSULTANT:
        own = ctx.accounts.authored(ctx.user.name)
        context["records"] = [r for r in context["records"] if (code, r.period) in own]
    return ctx.page("history.html", **context)


async def login_page(ctx: Context) -> Response:
    return ctx.page("login.html", next=_next(ctx.request.query_params.get("next")), problem=None)


async def login(ctx: Context) -> Response:
    posted = await ctx.posted()
    name = (posted.fields.get("username") or [""])[-1].strip()
    password = (posted.fields.get("password") or [""])[-1]
    target = _next((posted.fields.get("next") or ["/"])[-1])
    try:
        # argon2 takes a good fraction of a second on purpose: not on the event loop.
        address = client_address(ctx.request)
        token = await run_in_threadpool(ctx.accounts.log_in, name, password, address)
    except (LoginRefused, Throttled) as exc:
        problem = "throttled" if isinstance(exc, Throttled) else "refused"
        status = 429 if isinstance(exc, Throttled) else 401
        return ctx.page("login.html", status=status, next=target, problem=problem)
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", login_cookie(token, None))
    return response


async def logout(ctx: Context) -> Response:
    await ctx.posted()
    token = ctx.request.cookies.get(LOGIN_COOKIE)
    if token and ctx.user is not None:
        ctx.accounts.log_out(token, ctx.user, client_address(ctx.request))
    response = RedirectResponse("/login", status_code=303)
    response.headers.append("set-cookie", login_cookie("", 0))
    return response


async def audit_log(ctx: Context) -> Response:
    ctx.allow(ctx.user is None or ctx.user.role == Role.ADMIN)
    return ctx.page("audit.html", entries=ctx.accounts.log.entries(limit=500))


def _confirmation(posted: Posted) -> tuple[Attestation | None, str | None]:
    """The firm's confirmation from the finish form: none, or a name and a day."""
    name = (posted.fields.get("confirmed_by") or [""])[-1].strip()
    if not name:
        return None, None
    when = assessed_on((posted.fields.get("confirmed_on") or [""])[-1])
    if len(name) > 200 or when is None:
        return None, "confirmation"
    return Attestation(name, when), None


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def language(ctx: Context, lang: str) -> Response:
    """Switch the language and go back to the page it was switched on, on this server only."""
    back = urlsplit(ctx.request.headers.get("referer", ""))
    same = back.netloc == ctx.request.headers.get("host") and back.scheme in ("http", "https")
    target = _next(back.path + (f"?{back.query}" if back.query else "")) if same else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict")
    return response


def _draft(ctx: Context, draft_id: str) -> Any:
    return ctx.draft(draft_id)


def create_app(settings: Settings, keys: Keys | None = None) -> Starlette:
    """The web form as an ASGI app (uvicorn runs it; tests call it directly)."""
    keys = keys or Keys(None)
    accounts = Accounts(settings.store)
    if settings.renderer is None:
        settings.renderer = PoolRenderer(rendering.store_url(settings.store))

    def route(path: str, action: Any, methods: list[str] | None = None) -> Route:
        return Route(path, handler(settings, keys, accounts, action), methods=methods or ["GET"])

    async def moved(request: Request, exc: Exception) -> Response:
        return RedirectResponse(exc.location if isinstance(exc, Moved) else "/", status_code=303)

    async def error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "unexpected error"
        return pages.error_response(request, settings, keys, status, str(detail))

    routes = [
        route("/", home),
        route("/check/credit-code", check_code, ["POST"]),
        route("/drafts", start, ["POST"]),
        route("/drafts/{draft_id}/{page:int}", fill.show),
        route("/drafts/{draft_id}/{page:int}", fill.change, ["POST"]),
        route("/drafts/{draft_id}/{page:int}/evidence", fill.upload, ["POST"]),
        route("/session/csrf", fill.token),
        route("/drafts/{draft_id}/summary", summary),
        route("/drafts/{draft_id}/finish", finish, ["POST"]),
        route("/drafts/{draft_id}/finished", finished),
        route("/drafts/{draft_id}/finished/reports", finished_reports),
        route("/drafts/{draft_id}/draft-{kind}.pdf", draft_report),
        route("/evidence/{sha256}", evidence_file),
        route("/reports/{code}/{period}/{kind}.pdf", report_file),
        route("/assessments", assessments),
        route("/park/{period}.pdf", park_report),
        route("/firms/{code}", history),
        route("/lang/{lang}", language),
        route("/audit", audit_log),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(DatabaseDown, settings=settings, keys=keys),
        Middleware(Guard, keys=keys),
    ]
    if settings.accounts:
        routes += [
            route("/login", login_page),
            route("/login", login, ["POST"]),
            route("/logout", logout, ["POST"]),
        ]
        middleware.append(Middleware(SignIn, accounts=accounts, csrf=keys.csrf, lang=settings.lang))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: error, Moved: moved},
        lifespan=_closing(settings.renderer),
    )


def _closing(renderer: FirmRenderer) -> Any:
    """The app's lifespan: the render processes end with the server."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            renderer.close()

    return lifespan


__all__ = ["CSRF_FIELD", "Settings", "create_app", "date"]
