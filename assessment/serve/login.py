"""Accounts mode: every page but the log-in page needs a signed-in account."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..accounts import Accounts
from ..models.common import LANGS, Lang
from . import pages

LOGIN_COOKIE = "dtm_login"
# Open without an account: the log-in page itself, its style sheet, the language switch.
OPEN_PATHS = ("/login", "/lang/")
OPEN_PREFIXES = ("/static/",)


def login_cookie(token: str, max_age: int | None) -> str:
    age = f"; Max-Age={max_age}" if max_age is not None else ""
    return f"{LOGIN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{age}"


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


class SignIn:
    """ASGI middleware: finds the account of the log-in cookie; without one, to the log-in page.

    A post without one (the session ended while the page was open) is refused with 401, said
    in the page's language: the log-in page, or for htmx the line above the questions."""

    def __init__(self, app: ASGIApp, accounts: Accounts, csrf: Any, lang: Lang = "zh") -> None:
        self.app = app
        self.accounts = accounts
        self.csrf = csrf  # the session's CSRF token, for the log-in page's form
        self.lang = lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        user = self.accounts.user_of(request.cookies.get(LOGIN_COOKIE))
        scope.setdefault("state", {})["user"] = user
        path = request.url.path
        open_ = path == "/login" or path.startswith(OPEN_PATHS[1]) or path.startswith(OPEN_PREFIXES)
        if user is None and not open_:
            response: Response
            if request.method in ("GET", "HEAD"):
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            else:
                response = self._signed_out(request)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _signed_out(self, request: Request) -> Response:
        cookie = request.cookies.get("dtm_lang", "")
        lang: Lang = cookie if cookie in LANGS else self.lang
        if request.headers.get("hx-request") == "true":
            html = pages.render("_flash.html", lang, detail="signed-out")
            headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
            return HTMLResponse(html, status_code=401, headers=headers)
        session = request.scope.get("state", {}).get("session", "")
        csrf = self.csrf(session) if session else ""
        html = pages.render(
            "login.html", lang, csrf=csrf, path="/login", next="/", problem="signed-out"
        )
        return HTMLResponse(html, status_code=401)
