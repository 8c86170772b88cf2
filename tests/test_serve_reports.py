"""The form's PDFs: made in another process while pages are served, the same bytes a worker
makes, kept in the store and served exactly as stored."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from assessment import load_questionnaire
from assessment.batch.background import PoolRenderer, render_firm_into_store
from assessment.engine import loader
from assessment.engine.pipeline import sample_park
from assessment.models.answers import AnswerSheet
from assessment.models.common import Lang
from assessment.queue.plan import _new_run
from assessment.queue.work import RunOptions, render_firm
from assessment.serve import Settings, create_app
from assessment.store import Store
from assessment.store.reports import StoredReport, firm_reports, save_reports
from tests.test_serve import FIRM, SAMPLE, csrf_of, fill_from
from tests.test_serve_browser import CHROMIUM, free_port

CODE = FIRM["credit_code"]
RENDERING = "报告生成中…"


def gated_render(gate: str, url: str, code: str, period: str, lang: Lang) -> list[str]:
    """In the render process: wait until the test opens the gate, then render as the form does."""
    while not Path(gate).exists():
        time.sleep(0.05)
    return render_firm_into_store(url, code, period, lang)


class GatedRenderer(PoolRenderer):
    """The form's own render pool, whose renders wait for the test's word before they start."""

    def __init__(self, url: str, gate: Path) -> None:
        super().__init__(url)
        self.gate = gate

    def submit(self, code: str, period: str, lang: Lang) -> None:
        future = self.pool.submit(gated_render, str(self.gate), self.url, code, period, lang)
        self._jobs[code, period, lang] = future


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "dtm.db") as opened:
        # The firm's park and last quarter: its report carries peers, a change and a trend.
        for a in sample_park("2026Q2") + sample_park("2026Q3"):
            if not (a.card.period == "2026Q3" and a.card.firm.credit_code == CODE):
                opened.save(a)
        yield opened


def finish_on_form(client: TestClient, **confirmation: str) -> str:
    """Fill the sample firm's answers on the form and finish; the finished page's address."""
    started = client.post("/drafts", data={**FIRM, "csrf": csrf_of(client)}, follow_redirects=False)
    base = started.headers["location"].rsplit("/", 1)[0]
    sample = loader.check_file(SAMPLE).model
    assert isinstance(sample, AnswerSheet)
    fill_from(client, base, load_questionnaire("park_quick_scan"), sample)
    done = client.post(f"{base}/finish", data={"csrf": csrf_of(client), **confirmation})
    assert done.status_code == 200, done.text
    return f"{base}/finished"


def wait_for_links(client: TestClient, finished: str) -> str:
    """The finished page's reports part, asked for as the page does until the links are there."""
    for _ in range(2400):
        part = client.get(f"{finished}/reports", headers={"hx-request": "true"}).text
        if "download-diagnosis" in part:
            return part
        assert RENDERING in part, part
        time.sleep(0.1)
    raise AssertionError("the reports were never made")


def stored_pdfs(store: Store) -> dict[str, bytes]:
    return {n: r.content for n, r in firm_reports(store, CODE, "2026Q3").items()}


def test_pages_are_served_while_the_forms_reports_are_rendered(
    store: Store, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    url = store.engine.url.render_as_string(hide_password=False)
    renderer = GatedRenderer(url, gate)
    app = create_app(Settings(store=store, out=tmp_path / "out", renderer=renderer))
    try:
        client = TestClient(app)
        finished = finish_on_form(client)
        # The render has begun and cannot end before the gate opens: every page is served now.
        page = client.get(finished)
        assert page.status_code == 200 and RENDERING in page.text
        assert 'hx-get="' + finished + '/reports"' in page.text
        assert 'id="download-diagnosis"' not in page.text
        assert client.get("/assessments").status_code == 200
        assert client.get("/").status_code == 200
        assert renderer.state(CODE, "2026Q3", "zh").status == "rendering"
        assert stored_pdfs(store) == {}

        gate.touch()
        part = wait_for_links(client, finished)
        assert f'href="/reports/{CODE}/2026Q3/diagnosis.pdf"' in part
        stored = stored_pdfs(store)
        assert len(stored) == 2
        for kind in ("diagnosis", "scenarios"):
            served = client.get(f"/reports/{CODE}/2026Q3/{kind}.pdf")
            (name,) = [n for n in stored if n.endswith(f"-{kind}-zh.pdf")]
            assert served.content == stored[name]
            # ... and beside the answer file in --out, the same bytes.
            assert (tmp_path / "out" / "2026Q3" / name).read_bytes() == stored[name]
    finally:
        renderer.close()


def test_the_forms_pdfs_equal_a_workers_byte_for_byte(store: Store, tmp_path: Path) -> None:
    app = create_app(Settings(store=store, out=tmp_path / "out"))
    with TestClient(app, raise_server_exceptions=False) as client:
        confirmed = {"confirmed_by": "张伟", "confirmed_on": "2026-07-14"}
        wait_for_links(client, finish_on_form(client, **confirmed))
    from_form = stored_pdfs(store)
    keys = {r.key for r in firm_reports(store, CODE, "2026Q3").values()}
    (diagnosis,) = [n for n in from_form if n.endswith("-diagnosis-zh.pdf")]
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(from_form[diagnosis])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "张伟" in text.decode("utf-8")  # the confirmation is on the cover, as on a worker's

    # A queued worker's job for the same firm (forced, so it renders again into the store).
    park = FIRM["park"]
    options = RunOptions("2026Q3", "zh", park, (3, 3, 6), None, None, park, None, force=True)
    run_id = _new_run(store, options, 1, 0)
    render_firm(store, run_id, CODE, last_try=True)
    by_worker = stored_pdfs(store)
    assert by_worker == from_form
    assert {r.key for r in firm_reports(store, CODE, "2026Q3").values()} == keys


def current_key(store: Store, code: str) -> str:
    """The render key the firm's reports have when made from what is stored for it now."""
    from assessment.batch.firm import stored_firm_key
    from assessment.batch.inputs import period_inputs

    record = store.get(code, "2026Q3")
    assert record is not None
    return stored_firm_key(store, period_inputs(store, "2026Q3"), record, "zh")


def test_serve_returns_exactly_the_stored_bytes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "dtm.db") as store:
        home = sample_park("2026Q3")[0]
        store.save(home)
        code = home.card.firm.credit_code
        # Bytes no renderer would make: only the store can be where they came from.
        content = b"%PDF-1.7\n" + bytes(range(256)) + b"\n%%EOF\n"
        name = f"{code}-stored-2026Q3-diagnosis-zh.pdf"
        key = current_key(store, code)  # made from what is stored: served as it is
        save_reports(store, [StoredReport("2026Q3", "园区", name, "zh", key, content, code)])
        app = create_app(Settings(store=store, out=tmp_path / "out"))
        with TestClient(app, raise_server_exceptions=False) as client:
            served = client.get(f"/reports/{code}/2026Q3/diagnosis.pdf")
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"] == "application/pdf"
    assert re.search(rf'filename="{re.escape(name)}"', served.headers["content-disposition"])


def test_reports_of_an_earlier_revision_are_never_served(store: Store, tmp_path: Path) -> None:
    """A firm stored again (finished on another web process, or before a restart) has its
    reports made anew: the bytes stored for its earlier revision are not served."""
    from assessment.engine.pipeline import assess

    store.save(assess(SAMPLE))
    old = {kind: b"%PDF-1.7\n%" + kind.encode() + b" of the earlier revision\n%%EOF\n"
           for kind in ("diagnosis", "scenarios")}  # fmt: skip
    key = current_key(store, CODE)
    save_reports(
        store,
        [
            StoredReport(
                "2026Q3", FIRM["park"], f"{CODE}-x-2026Q3-{kind}-zh.pdf", "zh", key, pdf, CODE
            )
            for kind, pdf in old.items()
        ],
    )
    with TestClient(create_app(Settings(store=store, out=tmp_path / "out"))) as client:
        assert client.get(f"/reports/{CODE}/2026Q3/diagnosis.pdf").content == old["diagnosis"]
    # The firm's answers change and it is stored again; a server started afresh is asked.
    changed = tmp_path / SAMPLE.name
    changed.write_text(
        SAMPLE.read_text("utf-8").replace(
            "leader_attention: not_considered", "leader_attention: personally_leads"
        ),
        "utf-8",
    )
    store.save(assess(changed))
    assert current_key(store, CODE) != key
    with TestClient(create_app(Settings(store=store, out=tmp_path / "out"))) as client:
        served = {k: client.get(f"/reports/{CODE}/2026Q3/{k}.pdf") for k in old}
    now = firm_reports(store, CODE, "2026Q3")
    assert {r.key for r in now.values()} == {current_key(store, CODE)}
    for kind, response in served.items():
        assert response.status_code == 200
        assert response.content != old[kind] and response.content.startswith(b"%PDF")
        (name,) = [n for n in now if n.endswith(f"-{kind}-zh.pdf")]
        assert response.content == now[name].content


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_the_finished_page_shows_the_reports_being_made_then_their_links(
    store: Store, tmp_path: Path
) -> None:
    """In Chromium: the page says the reports are being made, and turns into the links by
    itself (the vendored htmx asks again every second), with no reload and no internet."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    gate = tmp_path / "gate"
    url = store.engine.url.render_as_string(hide_password=False)
    renderer = GatedRenderer(url, gate)
    app = create_app(Settings(store=store, out=tmp_path / "out", renderer=renderer))
    finished = finish_on_form(TestClient(app))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context()
            # Nothing but this server: a page that needed the internet would fail here.
            allowed = re.escape(f"http://127.0.0.1:{port}/")
            context.route(re.compile(f"^(?!{allowed}).*"), lambda r: r.abort())
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}{finished}")
            assert RENDERING in page.inner_text("#reports")
            assert page.locator("#download-diagnosis").count() == 0
            gate.touch()
            page.wait_for_selector("#download-diagnosis", timeout=240_000)
            assert RENDERING not in page.inner_text("#finished")
            with page.expect_download() as info:
                page.click("#download-diagnosis")
            saved = tmp_path / "downloaded.pdf"
            info.value.save_as(saved)
            (stored,) = [c for n, c in stored_pdfs(store).items() if "-diagnosis-" in n]
            assert saved.read_bytes() == stored
            browser.close()
    finally:
        server.should_exit = True
        thread.join()
        renderer.close()
