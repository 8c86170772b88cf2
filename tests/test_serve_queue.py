"""The form's PDFs on a PostgreSQL store: rendered by the queue's workers while one is alive,
in the form's own render pool when none is; either way served exactly as stored."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient
from typer.testing import CliRunner

from assessment.batch.background import PoolRenderer
from assessment.cli import app as cli
from assessment.engine.pipeline import sample_park
from assessment.queue.form import QueueRenderer, form_renderer
from assessment.queue.plan import _new_run
from assessment.queue.status import queue_status
from assessment.queue.tasks import ONE_TASK, enqueue, one_job
from assessment.queue.work import RunOptions
from assessment.serve import Settings, create_app
from assessment.store import Store
from tests.postgres import PostgresServer
from tests.test_queue import DTM, wait_for
from tests.test_serve_browser import free_port
from tests.test_serve_reports import CODE, finish_on_form, stored_pdfs, wait_for_links


@pytest.fixture
def store(postgres_server: PostgresServer) -> Iterator[Store]:
    with Store.open(postgres_server.new_database()) as opened:
        # The firm's park and last quarter, as in test_serve_reports.
        for a in sample_park("2026Q2") + sample_park("2026Q3"):
            if not (a.card.period == "2026Q3" and a.card.firm.credit_code == CODE):
                opened.save(a)
        yield opened


def jobs(store: Store) -> list[tuple[str, str]]:
    """Every job the queue has had: its task and its status."""
    with store.engine.connect() as conn:
        query = "SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id"
        rows = conn.execute(text(query))
        return [(str(task), str(status)) for task, status in rows]


def workers_alive(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar() or 0)


@pytest.fixture
def worker(store: Store, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One `dtm worker` on the store, in a folder of its own, registered before the test runs."""
    url = store.engine.url.render_as_string(hide_password=False)
    home = tmp_path / "worker"
    home.mkdir()
    with (tmp_path / "worker.log").open("ab") as log:
        process = subprocess.Popen(
            [*DTM, "worker", "--db", url, "--heartbeat", "0.5"], stderr=log, cwd=home
        )
        try:
            wait_for(lambda: workers_alive(store) > 0, "the worker to start", 120)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def served_as_stored(client: TestClient, store: Store, out: Path) -> None:
    stored = stored_pdfs(store)
    assert len(stored) == 2
    for kind in ("diagnosis", "scenarios"):
        served = client.get(f"/reports/{CODE}/2026Q3/{kind}.pdf")
        (name,) = [n for n in stored if n.endswith(f"-{kind}-zh.pdf")]
        assert served.status_code == 200 and served.content == stored[name]
        assert (out / "2026Q3" / name).read_bytes() == stored[name]


def test_a_live_worker_renders_the_forms_pdfs(
    store: Store, worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    renderer = form_renderer(store)
    assert isinstance(renderer, QueueRenderer)
    out = tmp_path / "out"
    app = create_app(Settings(store=store, out=out, renderer=renderer))
    with TestClient(app) as client:
        wait_for_links(client, finish_on_form(client))
        served_as_stored(client, store, out)
    # The worker's job made them: one job of the form's task, succeeded, and no park report.
    assert jobs(store) == [(ONE_TASK, "succeeded")]
    assert renderer.fallback.state(CODE, "2026Q3", "zh").status == "none"
    assert worker.poll() is None

    # A quarter's run of the same period counts none of the form's jobs, even waiting ones.
    park = "园区"
    options = RunOptions("2026Q3", "zh", park, (3, 3, 6), None, None, park, None)
    _new_run(store, options, 1, 0)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    enqueue(store, [one_job(CODE, "2026Q3", "zh")])
    assert jobs(store)[-1] == (ONE_TASK, "todo")
    status = queue_status(store, "2026Q3")
    assert (status.waiting, status.running, status.done) == (0, 0, 0)


def test_without_a_live_worker_the_form_renders_in_its_pool(store: Store, tmp_path: Path) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    renderer = QueueRenderer(store, PoolRenderer(url))
    out = tmp_path / "out"
    app = create_app(Settings(store=store, out=out, renderer=renderer))
    with TestClient(app) as client:
        finished = finish_on_form(client)
        assert renderer.fallback.state(CODE, "2026Q3", "zh").status in ("rendering", "done")
        wait_for_links(client, finished)
        served_as_stored(client, store, out)
    assert jobs(store) == []  # nothing was queued


def test_a_job_left_waiting_by_stopped_workers_is_rendered_in_the_pool(
    store: Store, tmp_path: Path
) -> None:
    """The form's job was queued, then every worker stopped: the finished page (after a server
    restart, say) takes it back from the queue and renders the firm on this machine."""
    out = tmp_path / "out"
    first = create_app(Settings(store=store, out=out))  # the firm stored, its PDFs not yet
    with TestClient(first) as client:
        finished = finish_on_form(client)
        wait_for_links(client, finished)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM reports"))
    assert stored_pdfs(store) == {}
    enqueue(store, [one_job(CODE, "2026Q3", "zh")])

    url = store.engine.url.render_as_string(hide_password=False)
    renderer = QueueRenderer(store, PoolRenderer(url))
    assert renderer.state(CODE, "2026Q3", "zh").status in ("rendering", "done")
    assert jobs(store) == [(ONE_TASK, "cancelled")]
    app = create_app(Settings(store=store, out=out, renderer=renderer))
    with TestClient(app) as client:
        wait_for_links(client, finished)
        served_as_stored(client, store, out)


def test_dtm_serve_hands_the_form_the_queues_renderer(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: dict[str, object] = {}
    monkeypatch.setattr("assessment.serve.serve", lambda how, **options: given.update(options))
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["serve", "--db", url, "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert given["renderer"] is form_renderer
    made = form_renderer(store)
    assert isinstance(made, QueueRenderer)
    made.close()
    with Store.open(tmp_path / "dtm.db") as local:  # SQLite: no queue, the pool alone
        pool = form_renderer(local)
        assert isinstance(pool, PoolRenderer)
        pool.close()
