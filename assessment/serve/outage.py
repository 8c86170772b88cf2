"""A database that cannot be reached: every request gets 503 and one line in its language.

The page's outbox (static/outbox.js) reads 503 as "the server is there but cannot save": it keeps
the change on the device, says so, and sends it again with back-off until the database is back.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import pages

DATABASE_DOWN = "database"  # the detail `_messages.html` words for the page's language
RETRY_AFTER = "5"  # seconds; the outbox keeps its own back-off
log = logging.getLogger(__name__)


def database_down(exc: BaseException) -> bool:
    """Whether `exc`, or what caused it, says the database could not be reached or used."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OperationalError | InterfaceError):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class DatabaseDown:
    """ASGI middleware, outermost: a lost database becomes 503 with `Retry-After`, never the
    framework's English 500 page; the change that asked stays in the page's outbox."""

    def __init__(self, app: ASGIApp, settings: Any, keys: Any) -> None:
        self.app = app
        self.settings = settings
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not database_down(exc):
                raise
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            log.warning(
                "%s %s: the database is unreachable (%s)", scope["method"], scope["path"], first
            )
            response = pages.error_response(
                Request(scope), self.settings, self.keys, 503, DATABASE_DOWN
            )
            response.headers["Retry-After"] = RETRY_AFTER
            await response(scope, receive, send)
