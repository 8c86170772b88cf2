"""Two holes closed: the language switch redirects only within this server, and parallel log-ins
cannot get past the throttle."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from assessment.accounts import Accounts, AuditLog, LoginRefused, Role, Throttled
from assessment.serve import Settings, create_app
from assessment.store import Store
from tests.test_accounts import PASSWORD, backend_url


@pytest.mark.parametrize(
    ("referer", "location"),
    [
        ("http://testserver/assessments?period=2026Q3", "/assessments?period=2026Q3"),
        ("http://testserver//evil.example/login", "/"),
        ("http://testserver/\\evil.example", "/"),
        ("https://evil.example/steal", "/"),
        ("http://evil.example//testserver/", "/"),
        ("javascript:alert(1)", "/"),
        (None, "/"),
    ],
)
def test_the_language_switch_goes_back_only_to_a_page_of_this_server(
    tmp_path: Path, referer: str | None, location: str
) -> None:
    with Store.open(tmp_path / "dtm.db") as store:
        client = TestClient(create_app(Settings(store=store, out=tmp_path / "out")))
        headers = {"referer": referer} if referer is not None else {}
        response = client.get("/lang/en", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == location
    assert "dtm_lang=en" in response.headers["set-cookie"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with Store.open(backend_url(request, tmp_path)) as opened:
        yield opened


def attempt_all(accounts: Accounts, tries: list[tuple[str, str, str]]) -> list[str]:
    """Every attempt at once, from its own thread; what each got."""
    gate = threading.Barrier(len(tries))
    got: list[str] = []

    def one(name: str, password: str, address: str) -> None:
        gate.wait()
        try:
            accounts.log_in(name, password, address)
            got.append("in")
        except LoginRefused:
            got.append("refused")
        except Throttled:
            got.append("throttled")

    threads = [threading.Thread(target=one, args=t) for t in tries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_thirty_parallel_guesses_at_one_account_are_held_to_five(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    got = attempt_all(accounts, [("wang", f"wrong guess {n}", f"10.1.0.{n}") for n in range(30)])
    assert got.count("refused") == 5 and got.count("throttled") == 25
    with pytest.raises(Throttled):
        accounts.log_in("wang", PASSWORD, "10.2.0.1")
    assert AuditLog(store).count("login.failed") == 5


def test_thirty_parallel_guesses_from_one_address_are_held_to_twenty(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    got = attempt_all(accounts, [(f"guess{n}", PASSWORD, "10.9.9.9") for n in range(30)])
    assert got.count("refused") == 20 and got.count("throttled") == 10
    with pytest.raises(Throttled):
        accounts.log_in("wang", PASSWORD, "10.9.9.9")
    assert AuditLog(store).count("login.failed") == 20
