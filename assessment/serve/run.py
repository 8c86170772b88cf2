"""Starting the web form: check the address, make the access code, run uvicorn."""

from __future__ import annotations

import errno
import io
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..batch.background import FirmRenderer
from ..errors import N_, DtmError
from ..models.common import Lang
from ..store import Store
from .app import Settings, create_app
from .security import Keys, is_loopback, new_access_code, secret_from_env

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ServeError(DtmError):
    """The form cannot be served as asked (a port in use, an address not of this machine)."""


@dataclass(frozen=True)
class Plan:
    host: str
    port: int
    url: str
    access_code: str | None


def check_address(host: str, port: int) -> None:
    """Bind once to tell a busy port or a foreign address now, in one clear sentence."""
    if not 1 <= port <= 65535:
        raise ServeError(N_("--port must be from 1 to 65535, not %(port)s"), port=port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(
            N_("--host %(host)s is not an address of this machine"), host=repr(host)
        ) from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    N_("port %(port)s is in use; choose another with --port"), port=port
                ) from exc
            raise ServeError(
                N_("cannot listen on %(host)s:%(port)s (%(reason)s)"),
                host=host,
                port=port,
                reason=exc.strerror,
            ) from exc


def lan_address() -> str:
    """This machine's address on the local network, as tablets reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent for a UDP connect
            return str(probe.getsockname()[0])
        except OSError:
            return DEFAULT_HOST


def uses_accounts(db: str | Path | None) -> bool:
    """Whether the store has accounts: then everyone signs in, and there is no access code."""
    from ..accounts import Accounts

    with Store.open(db) as store:
        return Accounts(store).any()


def plan(host: str, port: int, *, accounts: bool = False) -> Plan:
    """Where the form will be and the access code it needs (beyond this machine, no accounts)."""
    check_address(host, port)
    if is_loopback(host) or accounts:
        return Plan(host, port, f"http://{host}:{port}/", None)
    shown = lan_address() if host in ("0.0.0.0", "::") else host  # noqa: S104
    if accounts:
        return Plan(host, port, f"http://{shown}:{port}/", None)
    code = new_access_code()
    return Plan(host, port, f"http://{shown}:{port}/?token={code}", code)


def qr_text(url: str) -> str:
    """A QR code of the address, drawn with characters for the terminal."""
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def serve(
    how: Plan,
    *,
    db: str | Path | None,
    out: Path,
    lang: Lang,
    folder: Path | None = None,
    accounts: bool = False,
    renderer: Callable[[Store], FirmRenderer] | None = None,
) -> None:
    """Run the form until interrupted; `renderer` makes what renders its PDFs from the opened
    store (the queue's workers, say), else they are rendered in a pool of this machine."""
    import uvicorn

    from ..store.secrets import shared_secret

    with Store.open(db) as store:
        settings = Settings(store=store, out=out, lang=lang, folder=folder, accounts=accounts)
        settings.renderer = renderer(store) if renderer is not None else None
        secret = secret_from_env() or shared_secret(store)
        app = create_app(settings, Keys(how.access_code, secret))
        uvicorn.run(app, host=how.host, port=how.port, log_level="warning")
