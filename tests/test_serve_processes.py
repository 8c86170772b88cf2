"""Several `dtm serve` processes on one store, as behind a proxy: a browser signed in on one is
served by the other, with the same session and CSRF token; the key comes from the store or
$DTM_SECRET."""

from __future__ import annotations

import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from assessment.accounts import Accounts
from assessment.cli import app
from assessment.store import Store
from assessment.store.secrets import shared_secret
from tests.postgres import PostgresServer
from tests.test_serve_browser import Server

PASSWORD = "a long enough password"
runner = CliRunner()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


class Browser:
    """Requests with one cookie jar, to any of the servers, redirects not followed."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, server: Server, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8")
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def test_a_session_started_on_one_process_works_on_the_other(tmp_path: Path) -> None:
    db = tmp_path / "dtm.db"
    with Store.open(db) as store:
        Accounts(store).add("admin", "admin", password=PASSWORD, by="setup")
    one, two = Server(tmp_path), Server(tmp_path)
    one.start()
    two.start()
    try:
        browser = Browser()
        _, _, page = browser.request(one, "GET", "/login")
        form = {"username": "admin", "password": PASSWORD, "csrf": csrf_of(page)}
        status, _, text = browser.request(one, "POST", "/login", form)
        assert status == 303, text
        status, _, page = browser.request(one, "GET", "/assessments")
        assert status == 200
        token = csrf_of(page)
        status, _, _ = browser.request(two, "GET", "/assessments")
        assert status == 200  # signed in on the other process too
        status, _, _ = browser.request(two, "POST", "/logout", {"csrf": "x" * len(token)})
        assert status == 403
        status, headers, _ = browser.request(two, "POST", "/logout", {"csrf": token})
        assert status == 303 and headers["location"].startswith("/login")
        status, headers, _ = browser.request(one, "GET", "/assessments")
        assert status == 303 and headers["location"].startswith("/login")  # signed out on both
    finally:
        one.kill()
        two.kill()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "dtm.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def test_the_store_makes_its_secret_once_however_many_ask_at_once(url: str) -> None:
    Store.open(url).close()

    def ask(_: int) -> str:
        with Store.open(url, create=False) as store:
            return shared_secret(store)

    with ThreadPoolExecutor(6) as pool:
        keys = set(pool.map(ask, range(12)))
    assert len(keys) == 1 and len(keys.pop()) >= 43


def test_a_short_dtm_secret_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTM_SECRET", "short")
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "dtm.db")])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: $DTM_SECRET has 5 characters; give at least 32")
