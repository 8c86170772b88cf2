"""What every route is handed: the running form's settings and one request's helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..accounts import Accounts, Role, User
from ..accounts.audit import AuditEntry
from ..batch.background import FirmRenderer
from ..models.common import LANGS, Lang
from ..store import Store
from . import pages
from .drafts import DraftBook
from .login import client_address
from .security import Keys

LANG_COOKIE = "dtm_lang"


@dataclass
class Settings:
    """What one running form needs: the store, where finished files go, the default language."""

    store: Store
    out: Path
    lang: Lang = "zh"
    folder: Path | None = None
    # Accounts mode: everyone signs in and sees what their role allows (docs/serve.md).
    accounts: bool = False
    # Who makes the PDFs, never this process: the queue's workers or a render pool (made by
    # `create_app` when not given).
    renderer: FirmRenderer | None = None


@dataclass
class Posted:
    fields: dict[str, list[str]]
    files: dict[str, UploadFile]


class Moved(Exception):
    """A page that is now somewhere else: a finished draft's pages show the finished page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class Context:
    """Per-request helpers handed to the page builders."""

    def __init__(
        self, request: Request, settings: Settings, keys: Keys, accounts: Accounts
    ) -> None:
        self.request = request
        self.settings = settings
        self.keys = keys
        self.accounts = accounts
        self.book = DraftBook(settings.store)
        # None in token mode, where whoever holds the access code may do everything.
        self.user: User | None = request.scope.get("state", {}).get("user")
        chosen = request.cookies.get(LANG_COOKIE, settings.lang)
        self.lang: Lang = chosen if chosen in LANGS else settings.lang

    @property
    def csrf(self) -> str:
        return self.keys.csrf(self.request.scope["state"]["session"])

    @property
    def renderer(self) -> FirmRenderer:
        if self.settings.renderer is None:
            raise RuntimeError("the app was made without a renderer (see create_app)")
        return self.settings.renderer

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
            raise HTTPException(403, "csrf")
        return Posted(fields, files)

    @property
    def partial(self) -> bool:
        """A request from the page's own script, answered with the part it redraws."""
        return self.htmx or self.request.headers.get("x-dtm-outbox") == "1"

    def text(self, template: str, **context: Any) -> str:
        return pages.render(template, self.lang, **context).strip()

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = pages.render(
            template,
            self.lang,
            csrf=self.csrf,
            path=self.request.url.path,
            user=self.user,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    @property
    def name(self) -> str | None:
        return self.user.name if self.user is not None else None

    def entry(self, action: str, draft: Any, **fields: Any) -> AuditEntry:
        return AuditEntry(
            action,
            self.name,
            address=client_address(self.request),
            draft_id=draft.id,
            credit_code=draft.firm.credit_code,
            period=draft.period,
            **fields,
        )

    def draft(self, draft_id: str) -> Any:
        """The draft, if this account may fill it; a finished one's pages move to its end page."""
        found = self.book.get(draft_id) if len(draft_id) <= 32 else None
        if found is None:
            if self.request.method == "GET" and self.accounts.log.finished(draft_id[:32]):
                raise Moved(f"/drafts/{draft_id}/finished")
            raise HTTPException(404, "no such draft: it was finished or never started")
        self.allow(self.user is None or self.user.may_edit(found.owner))
        return found

    def allow(self, allowed: bool) -> None:
        if not allowed:
            raise HTTPException(403, "your account may not see or do this")

    def may_fill(self) -> bool:
        return self.user is None or self.user.fills_forms

    def may_read_firm(self, code: str) -> bool:
        if self.user is None or self.user.role == Role.ADMIN:
            return True
        firm = self.settings.store.firm(code)
        return self.user.may_read(firm.park if firm else None, self.accounts.authors(code))


def handler(settings: Settings, keys: Keys, accounts: Accounts, action: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        ctx = Context(request, settings, keys, accounts)
        response: Response = await action(ctx, **request.path_params)
        return response

    return endpoint
