"""A database outage (PostgreSQL stopped as a crash would, then started again): `dtm worker`
waits it out and finishes its jobs; the web form answers 503, says so in the page's language and
keeps the change in the page's outbox until the database is back. Nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessment.serve.drafts import DraftBook
from assessment.store import Store
from tests.postgres import PostgresServer
from tests.test_queue import DTM, TEMPLATES, generate_quarter, queue, registered, scalar, wait_for
from tests.test_serve_browser import CHROMIUM, SETTLED, Server, start
from tests.test_serve_network import all_saved, tick

FIRMS = 8
CODE = "91320594MA1A3K7R2A"
# Seconds the database is down: 90, long enough that procrastinate gives up its own retries and
# the worker's reconnect with back-off is what brings it back (DTM_OUTAGE=12 for a quick run).
OUTAGE = float(os.environ.get("DTM_OUTAGE", "90"))


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server of this module's own, which the tests stop and start."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


def test_a_worker_survives_a_database_outage_and_finishes_its_jobs(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, body in TEMPLATES.items():
        (templates / name).write_text(body, "utf-8")
    q = {
        "db": own_server.new_database(),
        "answers": tmp_path / "answers",
        "out": tmp_path / "out",
        "templates": templates,
    }
    codes = generate_quarter(q["answers"], FIRMS)
    Store.open(q["db"]).close()
    log_path = tmp_path / "worker.log"
    command = [*DTM, "worker", "--db", q["db"], "--heartbeat", "0.5"]
    with log_path.open("ab") as log:
        worker = subprocess.Popen(command, stderr=log)
        try:
            wait_for(lambda: registered(q["db"]) == 1, "the worker to start", 120)
            done = queue(q)
            assert done.returncode == 0, done.stderr
            wait_for(lambda: scalar(q["db"], "SELECT count(*) FROM renders") >= 1, "a firm")
            own_server.halt()
            time.sleep(OUTAGE)
            assert worker.poll() is None, log_path.read_text()
            own_server.resume()
            wait_for(
                lambda: scalar(q["db"], "SELECT park_at IS NOT NULL FROM queue_runs") is True,
                "the park report after the outage",
                180,
            )
            assert worker.poll() is None
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
    rendered = scalar(q["db"], "SELECT count(*) FROM renders WHERE outcome = 'done'")
    assert rendered == FIRMS
    # every firm's reports are in the store (a worker needs no folder)
    stored = "SELECT count(DISTINCT credit_code) FROM reports WHERE credit_code IS NOT NULL"
    assert scalar(q["db"], stored) == len(codes) == FIRMS
    assert scalar(q["db"], "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 0
    text = log_path.read_text()
    assert "Traceback" not in text, text
    if OUTAGE >= 60:  # procrastinate rides out a short outage itself; a long one ends its run
        assert "the database is unreachable" in text, text


def test_a_worker_started_while_the_database_is_down_waits_for_it(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, body in TEMPLATES.items():
        (templates / name).write_text(body, "utf-8")
    q = {
        "db": own_server.new_database(),
        "answers": tmp_path / "answers",
        "out": tmp_path / "out",
        "templates": templates,
    }
    generate_quarter(q["answers"], 2)
    Store.open(q["db"]).close()
    log_path = tmp_path / "worker.log"
    command = [*DTM, "worker", "--db", q["db"], "--heartbeat", "0.5"]
    own_server.halt()
    with log_path.open("ab") as log:
        try:
            worker = subprocess.Popen(command, stderr=log, env={**os.environ, "DTM_LANG": "en"})
            try:
                wait_for(lambda: "unreachable" in log_path.read_text(), "the worker to wait", 60)
                time.sleep(8)  # a few tries with back-off
                assert worker.poll() is None, log_path.read_text()
            finally:
                own_server.resume()
            wait_for(lambda: registered(q["db"]) == 1, "the worker to start", 120)
            done = queue(q)
            assert done.returncode == 0, done.stderr
            wait_for(
                lambda: scalar(q["db"], "SELECT park_at IS NOT NULL FROM queue_runs") is True,
                "the park report",
                180,
            )
            assert scalar(q["db"], "SELECT count(*) FROM renders WHERE outcome = 'done'") == 2
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
    text = log_path.read_text()
    assert "Traceback" not in text, text
    waiting = [line for line in text.splitlines() if "unreachable" in line]
    assert len(waiting) == 1, text  # said once, however many tries
    assert waiting[0].startswith("the database is unreachable ("), text
    assert "waiting for it" in waiting[0]


def test_a_worker_waiting_for_the_database_says_so_in_chinese(tmp_path: Path) -> None:
    command = [*DTM, "worker", "--db", "postgresql+psycopg://dtm@127.0.0.1:1/district"]
    env = {**os.environ, "DTM_LANG": "zh"}
    worker = subprocess.Popen(command, stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert worker.stderr is not None
        line = worker.stderr.readline()
        time.sleep(4)
        assert worker.poll() is None  # still waiting
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert line.startswith("数据库无法连接（"), line
    assert worker.returncode == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+nodriver://dtm@127.0.0.1:1/district", "nodriver"),
        ("postgresql+psycopg://dtm@127.0.0.1:port/district", "not a database URL"),
    ],
)
def test_a_worker_given_a_wrong_url_still_stops_with_one_line(url: str, message: str) -> None:
    from typer.testing import CliRunner

    from assessment.cli import app

    result = CliRunner().invoke(app, ["worker", "--db", url], env={"DTM_LANG": "en"})
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and message in line, line


def test_a_worker_refused_by_the_server_is_not_kept_waiting(own_server: PostgresServer) -> None:
    from typer.testing import CliRunner

    from assessment.cli import app

    url = own_server.url("no_such_database")
    result = CliRunner().invoke(app, ["worker", "--db", url], env={"DTM_LANG": "en"})
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and 'database "no_such_database" does not exist' in line


DOWN = "服务器暂时无法保存，答案保存在本机，恢复后自动提交"


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_the_form_during_an_outage_keeps_the_change_and_says_so_in_chinese(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    db = own_server.new_database()
    server = Server(tmp_path, db=db)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1024, "height": 768})
            context.add_init_script(SETTLED)
            page = context.new_page()
            start(page, server, "park_quick_scan", "苏州恒锐精密金属制品有限公司", CODE)
            tick(page, "digital_plan", "written")
            all_saved(page)
            own_server.halt()
            try:
                tick(page, "leader_attention", "regular_agenda")
                page.wait_for_function(
                    "document.getElementById('save-state').dataset.state === 'down'"
                )
                assert DOWN in page.inner_text("#save-state")
                assert "1 项待保存" in page.inner_text("#save-state")
                reload = page.request.get(page.url)
                assert reload.status == 503 and reload.headers["retry-after"] == "5"
                assert DOWN in reload.text() and "Internal Server Error" not in reload.text()
                kept = page.evaluate(
                    "Object.keys(localStorage).filter(k => k.startsWith('dtm-outbox:'))"
                    ".map(k => localStorage.getItem(k)).join()"
                )
                assert "regular_agenda" in kept
            finally:
                own_server.resume()
            all_saved(page, timeout=60_000)
            assert page.inner_text("#save-state") == "已保存"
            draft_id = page.url.split("/drafts/", 1)[1].split("/", 1)[0]
            with Store.open(db, create=False) as store:
                draft = DraftBook(store).get(draft_id)
            assert draft is not None
            assert draft.answers["digital_plan"].value == "written"
            assert draft.answers["leader_attention"].value == "regular_agenda"
            browser.close()
    finally:
        server.kill()
    assert server.process is None
