"""A quarter rendered by several `dtm worker` processes over a real PostgreSQL queue, one of them
killed mid-job: every firm ends rendered exactly once, whole, and the park report follows."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from assessment.cli import app
from assessment.models.credit_code import make
from assessment.resources import sample_park_dir
from assessment.store import Store
from tests.postgres import PostgresServer

runner = CliRunner()
FIRMS = 60
SAMPLE = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))
DTM = [sys.executable, "-m", "assessment"]
# Small reports: the test is about the queue, not the layout (tests/test_reports.py is).
TEMPLATES = {
    "diagnosis.html": "<html><body><h1>{{ card.firm.name }}</h1><p>{{ card.firm.credit_code }}"
    "</p></body></html>",
    "scenarios.html": "<html><body><p>{{ recommendations|length }} scenarios</p></body></html>",
    "park.html": "<html><body><p>{{ s.cards|length }} firms</p></body></html>",
}


def generate_quarter(folder: Path, firms: int) -> list[str]:
    """`firms` answer files, made from the sample park's with new credit codes and names."""
    folder.mkdir()
    codes = []
    for i in range(firms):
        doc = yaml.safe_load(SAMPLE[i % len(SAMPLE)].read_text("utf-8"))
        code = make(f"91320594MA1Q{i:05d}")
        doc["firm"].update(credit_code=code, name=f"生成企业{i:02d}有限公司")
        (folder / f"{code}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        codes.append(code)
    return codes


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> dict:
    root = tmp_path_factory.mktemp("queue")
    templates = root / "templates"
    templates.mkdir()
    for name, body in TEMPLATES.items():
        (templates / name).write_text(body, "utf-8")
    codes = generate_quarter(root / "answers", FIRMS)
    return {
        "db": postgres_server.new_database(),
        "answers": root / "answers",
        "out": root / "out",
        "templates": templates,
        "codes": codes,
    }


def queue(q: dict) -> subprocess.CompletedProcess[str]:
    """`dtm batch --queue` of the generated quarter, in this process."""
    args = ["batch", str(q["answers"]), "--period", "2026Q3", "--out", str(q["out"]), "--queue",
            "--db", q["db"], "--templates", str(q["templates"])]  # fmt: skip
    result = runner.invoke(app, args)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def scalar(db: str, sql: str) -> object:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def wait_for(condition: object, what: str, limit: float = 240) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def park_built(db: str, run: int) -> bool:
    return scalar(db, f"SELECT park_at IS NOT NULL FROM queue_runs WHERE id = {run}") is True


def latest_run(db: str) -> int:
    """The run just queued (the module's tests may run in any order, or on two test workers
    each with its own quarter, so a run's number is not known in advance)."""
    return int(scalar(db, "SELECT max(id) FROM queue_runs"))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def workers(quarter: dict) -> Iterator[dict[int, subprocess.Popen[bytes]]]:
    """Three workers by their id in procrastinate's table: started one after another, so the
    n-th to register is the n-th started."""
    Store.open(quarter["db"]).close()  # the tables, the queue's too, before any worker looks
    # Workers need the database's URL only: each runs in a folder of its own, none shared.
    command = [*DTM, "worker", "--db", quarter["db"]]
    started: dict[int, subprocess.Popen[bytes]] = {}
    log = (quarter["out"].parent / "workers.log").open("ab")
    try:
        for n in range(3):
            home = quarter["out"].parent / f"worker-{n}"
            home.mkdir()
            process = subprocess.Popen([*command, "--heartbeat", "0.5"], stderr=log, cwd=home)
            wait_for(lambda: registered(quarter["db"]) > n, "the worker to start", 120)  # noqa: B023
            started[int(scalar(quarter["db"], "SELECT max(id) FROM procrastinate_workers"))] = (  # type: ignore[arg-type]
                process
            )
        yield started
    finally:
        for process in started.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def registered(db: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM procrastinate_workers"))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rendered(quarter: dict, workers: dict[int, subprocess.Popen[bytes]]) -> dict:
    done = queue(quarter)
    assert done.returncode == 0, done.stderr
    assert f"{FIRMS} stored" in done.stdout and f"{FIRMS} firms for `dtm worker`" in done.stdout
    db = quarter["db"]
    # Kill a worker in the middle of a job, after a few firms are finished.
    wait_for(lambda: scalar(db, "SELECT count(*) FROM renders") >= 3, "three firms")  # type: ignore[operator]
    busy = "SELECT min(worker_id) FROM procrastinate_jobs WHERE status = 'doing'"
    held = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND worker_id = {}"
    for _ in range(2):  # a job may end in the instant between the look and the kill: once more
        wait_for(lambda: scalar(db, busy) is not None, "a worker holding a job")
        victim = int(scalar(db, busy))  # type: ignore[arg-type]
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(timeout=10)
        if scalar(db, held.format(victim)) == 1:
            break
    else:
        raise AssertionError("no worker could be killed in the middle of a job")
    quarter["victim"] = victim
    wait_for(lambda: park_built(db, 1), "the park report")
    assert not quarter["out"].exists()  # nothing written to the --out given to --queue
    export(quarter)
    return quarter


def export(q: dict) -> None:
    args = ["export-reports", "--period", "2026Q3", "--out", str(q["out"]), "--db", q["db"]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


def made_at(db: str) -> object:
    return scalar(
        db, "SELECT json_agg(made_at ORDER BY name) FROM reports WHERE credit_code IS NOT NULL"
    )


def test_every_firm_is_rendered_exactly_once_though_a_worker_was_killed(rendered: dict) -> None:
    db, out = rendered["db"], rendered["out"]
    rows = scalar(
        db,
        "SELECT json_agg(json_build_array(credit_code, outcome, renders)) "
        "FROM renders WHERE run_id = 1",
    )
    assert isinstance(rows, list)
    assert sorted(r[0] for r in rows) == sorted(rendered["codes"])
    assert {(r[1], r[2]) for r in rows} == {("done", 1)}
    # The killed worker's job was taken over: put back once, then finished (each counts).
    retried = "SELECT count(*) FROM procrastinate_jobs WHERE attempts >= 2 AND status = 'succeeded'"
    assert scalar(db, retried) >= 1  # type: ignore[operator]
    assert scalar(db, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 0
    pdfs = sorted((out / "firms").glob("*.pdf"))
    assert len(pdfs) == 2 * FIRMS
    for code in rendered["codes"]:
        assert len([p for p in pdfs if p.name.startswith(code)]) == 2
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        assert info.returncode == 0 and "Pages:" in info.stdout, pdf
    first = next(p for p in pdfs if "diagnosis" in p.name)
    words = subprocess.run(["pdftotext", str(first), "-"], capture_output=True, text=True).stdout
    assert first.name[:18] in words
    assert not list(out.rglob("*.part"))


def test_the_park_report_is_built_once_the_last_firm_is_done(rendered: dict) -> None:
    out = rendered["out"]
    park = out / "park-2026Q3.pdf"
    words = subprocess.run(["pdftotext", str(park), "-"], capture_output=True, text=True).stdout
    assert f"{FIRMS} firms" in words
    assert (out / "results-2026Q3.xlsx").is_file() and (out / "results-2026Q3.csv").is_file()
    status = runner.invoke(app, ["batch", "--status", "2026Q3", "--db", rendered["db"]])
    assert status.exit_code == 0, status.output
    assert f"{FIRMS} of {FIRMS} firms finished ({FIRMS} rendered, 0 failed)" in status.output
    assert "park report built at" in status.output
    # The --out given to --queue, recorded with the run, is where the status says to export.
    command = f"dtm export-reports --period 2026Q3 --out {rendered['out']}"
    assert f"reports are in the store: {command}" in status.output


def test_queueing_again_skips_the_unchanged_firms(rendered: dict) -> None:
    before = made_at(rendered["db"])
    again = queue(rendered)
    assert again.returncode == 0, again.stderr
    assert f"{FIRMS} unchanged" in again.stdout and "0 firms for `dtm worker`" in again.stdout
    run = latest_run(rendered["db"])
    wait_for(lambda: park_built(rendered["db"], run), "the new run's park report", 60)
    assert made_at(rendered["db"]) == before


def test_a_changed_firm_is_queued_alone(rendered: dict) -> None:
    code = rendered["codes"][0]
    answers = rendered["answers"] / f"{code}.yaml"
    doc = yaml.safe_load(answers.read_text("utf-8"))
    doc["assessor"] = "另一位顾问"
    answers.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    again = queue(rendered)
    assert again.returncode == 0, again.stderr
    assert f"{FIRMS - 1} unchanged" in again.stdout and "1 firms for `dtm worker`" in again.stdout
    run = latest_run(rendered["db"])
    wait_for(lambda: park_built(rendered["db"], run), "the new run's park report", 120)
    assert scalar(rendered["db"], f"SELECT run_id FROM renders WHERE credit_code = '{code}'") == run
    changed = (
        "SELECT count(*) FROM reports WHERE credit_code IS NOT NULL "
        f"AND made_at > (SELECT created_at FROM queue_runs WHERE id = {run})"
    )
    assert scalar(rendered["db"], changed) == 2  # that firm's two PDFs, and nothing else


def test_a_real_change_in_a_closed_quarter_queues_that_firm_alone(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """Once the park's quarter is closed, an answer that moves the park's printed averages
    re-renders the corrected firm only: the others keep the figures frozen at closing."""
    from assessment.batch.inputs import park_peers
    from assessment.store.reports import closing

    db = postgres_server.new_database()
    q = {"answers": tmp_path / "answers", "out": tmp_path / "out", "templates": tmp_path / "t",
         "db": db}  # fmt: skip
    q["templates"].mkdir()
    for name, body in TEMPLATES.items():
        (q["templates"] / name).write_text(body, "utf-8")
    codes = generate_quarter(q["answers"], 6)
    Store.open(db).close()
    home = tmp_path / "worker"
    home.mkdir()
    log = (tmp_path / "worker.log").open("ab")
    command = [*DTM, "worker", "--db", db, "--heartbeat", "0.5"]
    worker = subprocess.Popen(command, stderr=log, cwd=home)
    try:
        wait_for(lambda: registered(db) > 0, "the worker to start", 120)
        first = queue(q)
        assert first.returncode == 0, first.stderr
        wait_for(lambda: park_built(db, latest_run(db)), "the first run's park report", 180)
        closed = runner.invoke(app, ["close-quarter", "2026Q3", "--db", db])
        assert closed.exit_code == 0, closed.output

        code = codes[0]
        answers = q["answers"] / f"{code}.yaml"
        doc = yaml.safe_load(answers.read_text("utf-8"))
        assert doc["answers"]["leader_attention"] != "personally_leads"
        doc["answers"]["leader_attention"] = "personally_leads"  # a higher score
        answers.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        again = queue(q)
        assert again.returncode == 0, again.stderr
        assert "5 unchanged" in again.stdout and "1 firms for `dtm worker`" in again.stdout
        run = latest_run(db)
        wait_for(lambda: park_built(db, run), "the correction's park report", 180)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    with Store.open(db, create=False) as store:
        card = store.get(code, "2026Q3")
        assert card is not None
        park, industry = card.card.firm.park, card.card.firm.industry
        frozen = closing(store, "2026Q3", park)
        assert frozen is not None
        live = park_peers(store.cards("2026Q3", park=park))[industry]
        # The change moved a printed average: in an open quarter the others would change too.
        assert live.park_overall != frozen.peers[industry]["park_overall"]
    assert scalar(db, f"SELECT run_id FROM renders WHERE credit_code = '{code}'") == run
    changed = (
        "SELECT json_agg(DISTINCT credit_code) FROM reports WHERE credit_code IS NOT NULL "
        f"AND made_at > (SELECT created_at FROM queue_runs WHERE id = {run})"
    )
    assert scalar(db, changed) == [code]


def test_the_queue_needs_postgresql(tmp_path: Path) -> None:
    store = tmp_path / "park.db"
    result = runner.invoke(
        app,
        ["batch", str(tmp_path), "--period", "2026Q3", "--out", str(tmp_path / "out"),
         "--queue", "--db", str(store)],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--queue needs a PostgreSQL store" in lines[0]
    assert not store.exists()


def test_status_of_a_quarter_never_queued_is_one_line(quarter: dict) -> None:
    result = runner.invoke(app, ["batch", "--status", "2025Q1", "--db", quarter["db"]])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: postgresql+psycopg://dtm@")
    assert lines[0].endswith(
        ": no quarter 2025Q1 was queued; queue it with "
        "`dtm batch FOLDER --period 2025Q1 --out DIR --queue --db URL`"
    )


def park_quarter(folder: Path, park: str, start: int, firms: int) -> list[str]:
    """`firms` answer files of `park` (see `generate_quarter`), credit codes from `start`."""
    folder.mkdir(parents=True)
    codes = []
    for i in range(start, start + firms):
        doc = yaml.safe_load(SAMPLE[i % len(SAMPLE)].read_text("utf-8"))
        code = make(f"91320594MA1P{i:05d}")
        doc["firm"].update(credit_code=code, name=f"园区企业{i:02d}有限公司", park=park)
        (folder / f"{code}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        codes.append(code)
    return codes


def test_status_is_per_park_when_two_parks_are_queued(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """Park B queued after park A does not hide A's run: `--status` names the park it shows,
    and with two parks queued it needs `--park` (one line, exit 2)."""
    db = postgres_server.new_database()
    Store.open(db).close()
    for park, start, firms in (("甲园", 0, 2), ("乙园", 2, 1)):
        answers = tmp_path / park
        park_quarter(answers, park, start, firms)
        args = ["batch", str(answers), "--period", "2026Q3", "--out", str(tmp_path / "out" / park),
                "--queue", "--db", db]  # fmt: skip
        queued = runner.invoke(app, args)
        assert queued.exit_code == 0, queued.output
        assert f"follow it with `dtm batch --status 2026Q3 --park {park}`" in queued.output
    status = ["batch", "--status", "2026Q3", "--db", db]
    both = runner.invoke(app, status)
    assert both.exit_code == 2
    lines = both.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("2026Q3 has 2 parks (乙园, 甲园); name one with --park")
    for park, firms in (("甲园", 2), ("乙园", 1)):
        shown = runner.invoke(app, [*status, "--park", park])
        assert shown.exit_code == 0, shown.output
        first = shown.output.splitlines()[0]
        assert first.startswith(f"{park}, 2026Q3 (zh) run ")
        assert f": 0 of {firms} firms finished" in first and f"{firms} waiting" in first
    unknown = runner.invoke(app, [*status, "--park", "丙园"])
    assert unknown.exit_code == 2
    lines = unknown.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(": no quarter 2026Q3 of park 丙园 was queued (queued: 乙园, 甲园)")


def test_batch_without_folder_or_status_is_one_line() -> None:
    result = runner.invoke(app, ["batch", "--period", "2026Q3"])
    assert result.exit_code == 2
    assert "needs FOLDER, --period and --out (or --status PERIOD)" in result.output


@pytest.mark.parametrize("args", [["worker"], ["batch", "--status", "2026Q3"]], ids=str)
def test_workers_and_status_need_postgresql(tmp_path: Path, args: list[str]) -> None:
    Store.open(tmp_path / "park.db").close()
    filled = [a.format(tmp=tmp_path) for a in args]
    result = runner.invoke(app, [*filled, "--db", str(tmp_path / "park.db")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "the queue needs a PostgreSQL store" in lines[0]


def test_a_worker_renders_many_firms_in_one_process_and_replaces_one_that_grew(
    tmp_path: Path,
) -> None:
    import asyncio
    import os

    from assessment.queue.tasks import _Worker, render_pool

    worker = _Worker("sqlite://", render_pool())

    async def jobs() -> list[int]:
        pids = [await worker.run(os.getpid), await worker.run(os.getpid)]
        assert not worker.recycle_if_grown(300.0, limit=600.0)
        pids.append(await worker.run(os.getpid))
        assert worker.recycle_if_grown(700.0, limit=600.0)
        pids.append(await worker.run(os.getpid))
        return pids

    try:
        first, second, third, after = asyncio.run(jobs())
    finally:
        worker.pool.shutdown()
    assert first == second == third != after
    assert os.getpid() not in (first, after)


def test_a_job_stopped_before_its_outcome_is_recorded_leaves_no_reports(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reports and the firm's outcome are kept in one transaction: a job stopped between the
    two (here by an error where a killed worker would simply vanish) leaves neither, and the job
    taken over renders the firm once."""
    from assessment.queue import work

    db = postgres_server.new_database()
    q = {"answers": tmp_path / "answers", "out": tmp_path / "out", "templates": tmp_path / "t",
         "db": db}  # fmt: skip
    q["templates"].mkdir()
    for name, body in TEMPLATES.items():
        (q["templates"] / name).write_text(body, "utf-8")
    (code,) = generate_quarter(q["answers"], 1)
    queued = queue(q)
    assert queued.returncode == 0, queued.stderr
    run_id = int(scalar(db, "SELECT max(id) FROM queue_runs"))  # type: ignore[arg-type]

    def stopped(session: object, run: int) -> bool:
        raise KeyboardInterrupt  # not an Exception: nothing in the job may catch it

    store = Store.open(db, create=False)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(work, "_all_finished", stopped)
            with pytest.raises(KeyboardInterrupt):
                work.render_firm(store, run_id, code, last_try=False)
        assert scalar(db, "SELECT count(*) FROM reports WHERE credit_code IS NOT NULL") == 0
        assert scalar(db, "SELECT count(*) FROM renders") == 0
        assert work.render_firm(store, run_id, code, last_try=False) is True
    finally:
        store.close()
    assert scalar(db, "SELECT json_agg(json_build_array(outcome, renders)) FROM renders") == [
        ["done", 1]
    ]
    assert scalar(db, "SELECT count(*) FROM reports WHERE credit_code IS NOT NULL") == 2


def _set_up_here() -> tuple[int, list[str]]:
    import os

    from assessment.report import pdf

    return os.getpid(), sorted(k if isinstance(k, str) else k[0] for k in pdf._built)


def test_a_render_process_warms_up_before_its_first_job() -> None:
    """`dtm worker` warms its render process before it takes a job: the process's fonts and
    parsed stylesheet are there for the first firm, in the same process."""
    from assessment.batch.processes import RenderProcess

    cold, warm = RenderProcess(), RenderProcess()
    try:
        _, built_cold = cold.submit(_set_up_here).result()
        assert warm.warm().result() is None
        pid, built = warm.submit(_set_up_here).result()
        assert warm.submit(_set_up_here).result()[0] == pid  # the same process, still
    finally:
        cold.shutdown()
        warm.shutdown()
    assert built_cold == []  # a process not warmed has built nothing
    assert built == ["css", "fonts", "html"]


def _hold_a_slot(folder: str, held: Any, release: Any) -> None:
    from assessment.batch.processes import render_slot

    with render_slot(1, folder=Path(folder)):
        held.set()
        release.wait(120)


def test_a_machine_renders_one_firm_per_slot_and_a_killed_holder_frees_its_slot(
    tmp_path: Path,
) -> None:
    """`render_slot`: with one slot, a second renderer waits while the first holds it, enters
    when it lets go, and a holder killed outright (SIGKILL) does not keep its slot."""
    import multiprocessing
    import threading

    from assessment.batch.processes import render_slot

    spawn = multiprocessing.get_context("spawn")
    folder = tmp_path / "slots"

    def second(entered: threading.Event) -> None:
        with render_slot(1, folder=folder, poll=0.01):
            entered.set()

    for ends in ("lets go", "killed"):
        held, release = spawn.Event(), spawn.Event()
        holder = spawn.Process(target=_hold_a_slot, args=(str(folder), held, release))
        holder.start()
        assert held.wait(60)
        entered = threading.Event()
        waiting = threading.Thread(target=second, args=(entered,))
        waiting.start()
        assert not entered.wait(1.0)  # the one slot is held
        if ends == "lets go":
            release.set()
        else:
            holder.kill()
        assert entered.wait(60), ends
        waiting.join(60)
        holder.join(60)
    with render_slot(0, folder=folder):  # 0: no limit, nothing to wait for
        pass
