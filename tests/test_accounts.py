"""Accounts of a shared form, on SQLite and a real PostgreSQL: roles, sign-in, the audit log.

Every refusal goes through the real ASGI app and is checked against the store afterwards: a 403
and nothing changed.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from starlette.testclient import TestClient
from typer.testing import CliRunner

from assessment.accounts import (
    AccountError,
    Accounts,
    AuditEntry,
    AuditLog,
    LoginRefused,
    Role,
    Throttled,
)
from assessment.cli import app as cli
from assessment.engine.pipeline import Assessment, sample_park
from assessment.serve import Settings, create_app
from assessment.serve.drafts import DraftBook
from assessment.store import Store
from tests.postgres import PostgresServer

PASSWORD = "correct horse battery"
HOME_PARK = "苏州吴淞江科技产业园"
OTHER_PARK = "常熟高新区"
FIRM = {
    "questionnaire": "park_quick_scan",
    "name": "苏州恒锐精密金属制品有限公司",
    "credit_code": "91320594MA1A3K7R2A",
    "industry": "metal_processing",
    "employees": "38",
    "park": HOME_PARK,
    "period": "2026Q4",
    "assessor": "王建国",
    "assessed_on": "2026-11-20",
}
NO_FILE = {"f.none": ("", b"", "application/octet-stream")}


def backend_url(request: pytest.FixtureRequest, folder: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{folder / 'dtm.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each backend."""
    with Store.open(backend_url(request, tmp_path)) as opened:
        yield opened


def test_an_account_is_checked_before_it_is_added(store: Store) -> None:
    accounts = Accounts(store)
    with pytest.raises(AccountError, match="at least 10 characters"):
        accounts.add("wang", Role.CONSULTANT, password="short", by="t")
    with pytest.raises(AccountError, match="--role must be consultant, park or admin"):
        accounts.add("wang", "boss", password=PASSWORD, by="t")
    with pytest.raises(AccountError, match="needs its park"):
        accounts.add("li", Role.PARK, password=PASSWORD, by="t")
    with pytest.raises(AccountError, match="cannot be an account name"):
        accounts.add("../x", Role.ADMIN, password=PASSWORD, by="t")
    assert not accounts.any()
    accounts.add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    with pytest.raises(AccountError, match="already an account 'wang'"):
        accounts.add("wang", Role.ADMIN, password=PASSWORD, by="t")
    assert [(u.name, u.role) for u in accounts.list()] == [("wang", Role.CONSULTANT)]
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_signing_in_throttled_after_five_failures_and_disabling_ends_sessions(
    store: Store,
) -> None:
    accounts = Accounts(store)
    accounts.add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    token = accounts.log_in("wang", PASSWORD, "10.0.0.5")
    assert accounts.user_of(token) == accounts.get("wang")
    with pytest.raises(LoginRefused):
        accounts.log_in("nobody", PASSWORD, "10.0.0.6")
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.log_in("wang", "wrong password!", "10.0.0.7")
    with pytest.raises(Throttled):
        accounts.log_in("wang", PASSWORD, "10.0.0.8")  # right, but too soon after the failures
    assert accounts.user_of(token) is not None
    accounts.set_disabled("wang", True, by="admin")
    assert accounts.user_of(token) is None
    actions = [e.action for e in AuditLog(store).entries()]
    assert actions.count("login.failed") == 6 and actions[0] == "user.disable"


def test_one_address_is_throttled_after_twenty_failures_whatever_the_names(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    for n in range(20):
        with pytest.raises(LoginRefused):
            accounts.log_in(f"guess{n}", PASSWORD, "10.9.9.9")
    with pytest.raises(Throttled):
        accounts.log_in("wang", PASSWORD, "10.9.9.9")
    assert accounts.user_of(accounts.log_in("wang", PASSWORD, "10.9.9.10")) is not None


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET new = 'x'", "DELETE FROM audit_log"])
def test_no_one_can_change_or_delete_an_audit_entry(store: Store, statement: str) -> None:
    Accounts(store).add("wang", Role.CONSULTANT, password=PASSWORD, by="t")
    before = AuditLog(store).entries()
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert AuditLog(store).entries() == before
    assert not any(hasattr(AuditLog, n) for n in ("update", "delete", "remove", "clear"))


def test_on_postgresql_the_audit_log_cannot_be_truncated_either(
    postgres_server: PostgresServer,
) -> None:
    with Store.open(postgres_server.new_database()) as store:
        AuditLog(store).append(AuditEntry("login", "wang"))
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
        assert AuditLog(store).count() == 1


# The form with accounts: one store per backend for the module, one signed-in client per account.


@dataclasses.dataclass
class Site:
    store: Store
    app: Any
    clients: dict[str, TestClient]
    draft_a: str  # a draft consultant `a` started
    code_other: str  # a firm of the other park


def csrf_of(client: TestClient, path: str = "/assessments") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(app: Any, name: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf": csrf_of(client, "/login")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def elsewhere(assessment: Assessment, park: str) -> Assessment:
    firm = assessment.card.firm.model_copy(update={"park": park})
    return dataclasses.replace(assessment, card=assessment.card.model_copy(update={"firm": firm}))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    with Store.open(backend_url(request, folder)) as store:
        accounts = Accounts(store)
        for name, role, park in [
            ("admin", Role.ADMIN, None),
            ("a", Role.CONSULTANT, None),
            ("b", Role.CONSULTANT, None),
            ("park_home", Role.PARK, HOME_PARK),
            ("park_other", Role.PARK, OTHER_PARK),
        ]:
            accounts.add(name, role, password=PASSWORD, park=park, by="test")
        home, other = sample_park("2026Q3")[:2]
        store.save(home)
        store.save(elsewhere(other, OTHER_PARK))
        code = home.card.firm.credit_code
        accounts.finished(accounts.get("a"), code, "2026Q3", "seed")
        app = create_app(Settings(store=store, out=folder / "out", accounts=True))
        clients = {n: sign_in(app, n) for n in ("admin", "a", "b", "park_home", "park_other")}
        a = clients["a"]
        started = a.post("/drafts", data={**FIRM, "csrf": csrf_of(a)}, follow_redirects=False)
        assert started.status_code == 303
        draft_a = started.headers["location"].split("/")[2]
        yield Site(store, app, clients, draft_a, other.card.firm.credit_code)


def snapshot(store: Store) -> tuple[Any, ...]:
    """Everything a refused request might have changed."""
    drafts = [(d.model_dump_json(), at) for d, at in DraftBook(store).all()]
    log = [e for e in AuditLog(store).entries() if not e.action.startswith("login")]
    return drafts, store.count(), [r.content_hash for r in store.list()], log


CODE = FIRM["credit_code"]
REFUSED = [
    ("b", "GET", "/drafts/{draft}/1"),
    ("b", "POST", "/drafts/{draft}/1"),
    ("b", "GET", "/drafts/{draft}/summary"),
    ("b", "POST", "/drafts/{draft}/finish"),
    ("b", "GET", "/drafts/{draft}/draft-diagnosis.pdf"),
    ("b", "GET", f"/firms/{CODE}"),
    ("b", "GET", f"/reports/{CODE}/2026Q3/diagnosis.pdf"),
    ("b", "GET", "/audit"),
    ("b", "GET", "/park/2026Q3.pdf"),
    ("a", "GET", "/firms/{other}"),
    ("park_home", "POST", "/drafts"),
    ("park_home", "POST", "/check/credit-code"),
    ("park_home", "GET", "/drafts/{draft}/1"),
    ("park_home", "POST", "/drafts/{draft}/1"),
    ("park_home", "POST", "/drafts/{draft}/finish"),
    ("park_home", "GET", "/firms/{other}"),
    ("park_home", "GET", "/reports/{other}/2026Q3/diagnosis.pdf"),
    ("park_home", "GET", "/audit"),
    ("park_other", "GET", f"/firms/{CODE}"),
    ("park_other", "GET", f"/reports/{CODE}/2026Q3/scenarios.pdf"),
]


@pytest.mark.parametrize(("who", "method", "path"), REFUSED)
def test_each_role_is_refused_what_it_may_not_do_and_nothing_changes(
    site: Site, who: str, method: str, path: str
) -> None:
    client = site.clients[who]
    url = path.format(draft=site.draft_a, other=site.code_other)
    before = snapshot(site.store)
    if method == "GET":
        response = client.get(url)
    else:
        fields = {**FIRM, "shown": "digital_plan", "a.digital_plan": "none", "prefill": "1"}
        response = client.post(url, data={**fields, "csrf": csrf_of(client)}, files=NO_FILE)
    assert response.status_code == 403, response.text
    assert "无权查看或执行此操作" in response.text
    assert snapshot(site.store) == before


def test_each_role_sees_what_it_may(site: Site) -> None:
    a, b, admin = site.clients["a"], site.clients["b"], site.clients["admin"]
    home, other = site.clients["park_home"], site.clients["park_other"]
    assert site.draft_a in a.get("/").text and site.draft_a not in b.get("/").text
    assert site.draft_a in admin.get("/").text
    assert admin.get(f"/drafts/{site.draft_a}/1").status_code == 200
    assert home.get("/", follow_redirects=False).headers["location"] == "/assessments"
    listed = {n: c.get("/assessments").text for n, c in site.clients.items()}
    assert CODE in listed["a"] and site.code_other not in listed["a"]
    assert CODE not in listed["b"] and site.code_other not in listed["b"]
    assert CODE in listed["park_home"] and site.code_other not in listed["park_home"]
    assert site.code_other in listed["park_other"] and CODE not in listed["park_other"]
    assert CODE in listed["admin"] and site.code_other in listed["admin"]
    assert home.get(f"/firms/{CODE}").status_code == 200
    assert other.get(f"/firms/{site.code_other}").status_code == 200
    assert a.get(f"/firms/{CODE}").status_code == 200
    assert admin.get("/audit").status_code == 200


def test_a_park_account_gets_the_park_report_of_its_own_park_only(
    site: Site, tmp_path: Path
) -> None:
    names = {}
    for who in ("park_home", "park_other"):
        response = site.clients[who].get("/park/2026Q3.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        pdf = tmp_path / f"{who}.pdf"
        pdf.write_bytes(response.content)
        names[who] = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
    assert HOME_PARK in names["park_home"] and OTHER_PARK not in names["park_home"]
    assert OTHER_PARK in names["park_other"] and HOME_PARK not in names["park_other"]
    assert site.clients["park_home"].get("/park/2031Q1.pdf").status_code == 404


def pdf_words(content: bytes, folder: Path) -> str:
    pdf = folder / "report.pdf"
    pdf.write_bytes(content)
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_an_admins_park_report_never_mixes_parks(site: Site, tmp_path: Path) -> None:
    admin = site.clients["admin"]
    asked = admin.get("/park/2026Q3.pdf")  # two parks stored: which one?
    assert asked.status_code == 200 and asked.headers["content-type"].startswith("text/html")
    assert "本期企业分属多个园区" in asked.text
    for park in (HOME_PARK, OTHER_PARK):
        assert f'href="/park/2026Q3.pdf?park={quote(park)}"' in asked.text
    assert 'href="/park/2026Q3.pdf?district=1"' in asked.text

    one = pdf_words(admin.get("/park/2026Q3.pdf", params={"park": OTHER_PARK}).content, tmp_path)
    assert OTHER_PARK in one and HOME_PARK not in one and "全区汇总" not in one
    rolled = admin.get("/park/2026Q3.pdf?district=1")
    assert rolled.headers["content-disposition"] == 'attachment; filename="district-2026Q3.pdf"'
    words = pdf_words(rolled.content, tmp_path)
    assert "全区汇总：2 个园区相加" in words and HOME_PARK in words and OTHER_PARK in words

    # A park account gets its own park whatever it asks for.
    home = site.clients["park_home"]
    for params in ({"park": OTHER_PARK}, {"district": "1"}, {"none": "1"}):
        own = pdf_words(home.get("/park/2026Q3.pdf", params=params).content, tmp_path)
        assert HOME_PARK in own and OTHER_PARK not in own and "全区汇总" not in own


def test_without_signing_in_every_page_leads_to_the_log_in(site: Site) -> None:
    client = TestClient(site.app, raise_server_exceptions=False)
    before = snapshot(site.store)
    for path in ("/", "/assessments", f"/drafts/{site.draft_a}/1", "/audit", f"/firms/{CODE}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    csrf = csrf_of(client, "/login")
    url = f"/drafts/{site.draft_a}/1"
    posted = client.post(
        url, data={"csrf": csrf, "shown": "digital_plan", "a.digital_plan": "none"}
    )
    assert posted.status_code == 401
    assert client.get("/static/serve.css").status_code == 200
    assert snapshot(site.store) == before


def test_every_answer_change_is_in_the_audit_log_with_who_and_old_and_new(site: Site) -> None:
    a = site.clients["a"]
    url = f"/drafts/{site.draft_a}/1"
    for value in ("none", "written"):
        fields = {"shown": "digital_plan", "a.digital_plan": value, "csrf": csrf_of(a)}
        assert a.post(url, data=fields, files=NO_FILE).status_code == 200
    found = [
        e
        for e in AuditLog(site.store).entries(username="a")
        if e.question == "digital_plan" and e.draft_id == site.draft_a
    ]
    assert [(e.old, e.new) for e in found[:2]] == [
        ('{"value": "none"}', '{"value": "written"}'),
        (None, '{"value": "none"}'),
    ]
    assert found[0].credit_code == CODE and found[0].period == "2026Q4"
    assert found[0].at <= datetime.now(UTC)


def test_signing_out_ends_the_session(site: Site) -> None:
    client = sign_in(site.app, "b")
    assert client.get("/assessments").status_code == 200
    out = client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/assessments", follow_redirects=False).status_code == 303


def test_the_web_log_in_is_throttled(site: Site) -> None:
    client = TestClient(site.app, raise_server_exceptions=False)
    csrf = csrf_of(client, "/login")
    wrong = {"username": "admin", "password": "not the password", "csrf": csrf}
    for _ in range(5):
        assert client.post("/login", data=wrong).status_code == 401
    right = {**wrong, "password": PASSWORD}
    refused = client.post("/login", data=right)
    assert refused.status_code == 429 and 'id="login-problem"' in refused.text


# The command line


def test_user_commands_ask_for_the_password_and_name_mistakes_in_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "dtm.db")
    Store.open(db).close()
    runner = CliRunner()
    added = runner.invoke(
        cli, ["user", "add", "wang", "--role", "consultant", "--db", db], input=f"{PASSWORD}\n" * 2
    )
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output and "added wang (consultant)" in added.output
    piped = ["user", "add", "li", "--role", "park", "--park", HOME_PARK, "--db", db]
    assert runner.invoke(cli, [*piped, "--password-stdin"], input=PASSWORD + "\n").exit_code == 0
    listed = runner.invoke(cli, ["user", "list", "--db", db])
    assert listed.output.splitlines() == ["li\tpark\t" + HOME_PARK, "wang\tconsultant\t"]
    bad = runner.invoke(cli, ["user", "add", "x", "--role", "boss", "--db", db], input="p\np\n")
    assert bad.exit_code == 2
    # told before any password is asked for: the only line is the error
    assert bad.output.strip().splitlines() == [
        "Error: --role must be consultant, park or admin, not 'boss'"
    ]
    short = runner.invoke(
        cli, ["user", "password", "wang", "--db", db, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert runner.invoke(cli, ["user", "disable", "wang", "--db", db]).exit_code == 0
    assert "(disabled)" in runner.invoke(cli, ["user", "list", "--db", db]).output
    log = runner.invoke(cli, ["user", "log", "--db", db]).output.splitlines()
    assert " user.disable " in log[0] and "wang" in log[0] and len(log) == 3
    missing = runner.invoke(cli, ["user", "list", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no store at" in missing.output
