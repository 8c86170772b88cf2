"""The access code for tablets, a session cookie, CSRF tokens and the request size limit."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import N_, UsageError
from ..files.evidence import MAX_BYTES
from ..models.common import LANGS, Lang
from . import pages

ACCESS_COOKIE = "dtm_access"
SESSION_COOKIE = "dtm_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# One evidence file and the rest of the form.
MAX_BODY = MAX_BYTES + 512 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_access_code() -> str:
    return secrets.token_urlsafe(16)


SECRET_ENV = "DTM_SECRET"  # noqa: S105 - the name of a variable, not a secret
MIN_SECRET = 32


def secret_from_env() -> str | None:
    """$DTM_SECRET when it is set: the key every `dtm serve` process of a site shares."""
    given = os.environ.get(SECRET_ENV)
    if given is None:
        return None
    if len(given.strip()) < MIN_SECRET:
        raise UsageError(
            N_(
                "$%(env)s has %(count)s characters; give at least %(min)s random ones "
                "(`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`), or unset it "
                "to use the key kept in the store"
            ),
            env=SECRET_ENV,
            count=len(given.strip()),
            min=MIN_SECRET,
        )
    return given.strip()


class Keys:
    """The secret that signs the session cookie and derives each session's CSRF token.

    Given (from $DTM_SECRET or the store, see `secret_from_env` and `store.secrets`), every
    process with the same secret serves the same browsers; without one, this run's own.
    """

    def __init__(self, access_code: str | None, secret: str | None = None) -> None:
        self.secret = secret.encode("utf-8") if secret else secrets.token_bytes(32)
        self.access_code = access_code

    def sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def session_cookie(self, session: str) -> str:
        return f"{session}.{self.sign('session:' + session)}"

    def session_of(self, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        session, signature = cookie.rsplit(".", 1)
        return session if hmac.compare_digest(signature, self.sign("session:" + session)) else None

    def csrf(self, session: str) -> str:
        return self.sign("csrf:" + session)

    def access_cookie(self) -> str:
        # Bound to this start's code: a secret kept across starts must not keep old tablets in.
        return self.sign(f"access:{self.access_code}")

    def csrf_ok(self, request: Request, fields: Mapping[str, Sequence[Any]]) -> bool:
        session = request.scope.get("state", {}).get("session")
        if not session:
            return False
        given = request.headers.get(CSRF_HEADER) or _text(fields.get(CSRF_FIELD))
        return bool(given) and hmac.compare_digest(given, self.csrf(session))


def _text(values: Sequence[Any] | None) -> str:
    return values[-1] if values and isinstance(values[-1], str) else ""


class Guard:
    """ASGI middleware: the access code (when set), the session cookie, the body size limit."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self._refused(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        cookie = request.cookies.get(SESSION_COOKIE)
        session = self.keys.session_of(cookie)
        fresh = session is None
        if session is None:
            session = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie", self._cookie(SESSION_COOKIE, self.keys.session_cookie(session))
                )
            await send(message)

        await self.app(scope, _limited(receive), send_with_cookie)

    def _refused(self, request: Request) -> Response | None:
        if request.method == "POST":
            length = request.headers.get("content-length", "")
            if not length:
                html = pages.render("_flash.html", _page_lang(request), detail="length")
                return HTMLResponse(html, status_code=411)
            # ASCII digits only: `²` is a digit to `str.isdigit` but no number to `int`.
            if not (length.isascii() and length.isdigit()):
                html = pages.render("_flash.html", _page_lang(request), detail="bad-length")
                return HTMLResponse(html, status_code=400)
            if int(length) > MAX_BODY:
                return too_large(request)
        code = self.keys.access_code
        if code is None:
            return None
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, code):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.headers.append(
                "set-cookie", self._cookie(ACCESS_COOKIE, self.keys.access_cookie())
            )
            return response
        held = request.cookies.get(ACCESS_COOKIE, "")
        if held and hmac.compare_digest(held, self.keys.access_cookie()):
            return None
        html = pages.render("_flash.html", _page_lang(request), detail="access")
        return HTMLResponse(html, status_code=403)

    def _cookie(self, name: str, value: str) -> str:
        return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict"


def _page_lang(request: Request) -> Lang:
    """The language the browser chose on the form (its cookie), else Chinese."""
    cookie = request.cookies.get("dtm_lang", "")
    return cookie if cookie in LANGS else "zh"


def too_large(request: Request) -> Response:
    """Refused before it is read, in the page's language; the form shows it above the questions."""
    text = pages.render("_upload_error.html", _page_lang(request), reason="too-large")
    html = f'<p class="error">{text.strip()}</p>'
    if request.headers.get("hx-request") == "true":
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        return HTMLResponse(html, status_code=413, headers=headers)
    return HTMLResponse(html, status_code=413)


def _limited(receive: Receive) -> Receive:
    """Stop reading a body that turns out longer than its declared limit."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise ValueError("request body larger than the limit")
        return message

    return wrapped
