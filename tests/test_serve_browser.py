"""`dtm serve` in a real browser: Debian's Chromium driven by Playwright, a real server process.

The form is filled by clicking, the server is killed mid-form and started again, and the PDFs
downloaded at the end are compared (as text) with `dtm report` on the answer file written.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assessment import load_questionnaire
from assessment.models.questionnaire import Question, Questionnaire

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]
SETTLED = (
    "document.addEventListener('dtm:saved', "
    "() => { window.__settled = (window.__settled || 0) + 1; });"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`dtm serve` as its own process, which a test can kill outright and start again."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", db: str | None = None) -> None:
        self.folder = folder
        self.host = host
        self.db = db or str(folder / "dtm.db")
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.first_line = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "assessment", "serve", "--db", self.db]
        command += [
            "--out",
            str(self.folder / "out"),
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    running.start()
    yield running
    running.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Form:
    """The page, with each change waited for until the server has saved it and the page's
    outbox is empty: a save that ends may be an earlier change's (one the page sent again as it
    was left), so one more save is not enough to know that this one arrived."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def changed(self, action: Any) -> None:
        before = self.page.evaluate("window.__settled || 0")
        action()
        self.page.wait_for_function(
            f"(window.__settled || 0) > {before} && "
            "document.getElementById('save-state').dataset.count === '0'"
        )

    def pick(self, qid: str, value: str) -> None:
        self.changed(
            lambda: self.page.locator(f"#q-{qid} input[name='a.{qid}'][value='{value}']").check()
        )

    def type(self, qid: str, text: str) -> None:
        field = self.page.locator(f"#q-{qid} [name='a.{qid}']")

        def act() -> None:
            field.fill(text)
            field.press("Tab")

        self.changed(act)

    def attach(self, qid: str, name: str, content: bytes) -> None:
        photo = {"name": name, "mimeType": "image/png", "buffer": content}
        self.changed(lambda: self.page.set_input_files(f"input[name='f.{qid}']", photo))

    def visible(self, qid: str) -> bool:
        return self.page.locator(f"fieldset#q-{qid}:not([hidden])").count() == 1


def number_for(question: Question) -> str:
    if question.type == "percent":
        return "50"
    low = (
        question.min
        if question.min is not None
        else (question.bands[0].min if question.bands else 0)
    )
    high = (
        question.max
        if question.max is not None
        else (question.bands[-1].max if question.bands else None)
    )
    if high is None:
        return str(int(max(low, 20)))
    return str(int(low + (high - low) / 4))


def answer(form: Form, q: Questionnaire, question: Question) -> None:
    qid, kind = question.id, question.type
    if kind == "single":
        choices = q.choices_of(question)
        form.pick(qid, choices[min(1, len(choices) - 1)].id)
    elif kind == "multi":
        first = next(c for c in q.choices_of(question) if not c.exclusive)
        form.pick(qid, first.id)
    elif kind == "yesno":
        form.pick(qid, "yes")
    elif kind == "ordinal":
        form.pick(qid, str(min(2, question.max_level)))
    elif kind == "text":
        form.type(qid, "现场查看，负责人口述")
    else:
        form.type(qid, number_for(question))


def fill_page(form: Form, q: Questionnaire, page_number: int) -> None:
    dimension = q.dimensions[page_number - 1]
    for indicator in dimension.indicators:
        for question in indicator.questions:
            if question.compute or not form.visible(question.id):
                continue
            if form.page.locator(f"#q-{question.id} input:checked").count():
                continue
            answer(form, q, question)


def start(page: Any, server: Server, questionnaire: str, name: str, code: str) -> None:
    page.goto(server.url + "/")
    page.select_option("#f-questionnaire", questionnaire)
    page.fill("#f-name", name)
    page.fill("#f-credit_code", code)
    page.locator("#f-credit_code").press("Tab")
    page.wait_for_selector("#code-check .good")
    page.select_option("#f-industry", "metal_processing")
    page.fill("#f-employees", "38")
    page.fill("#f-revenue", "2300")
    page.fill("#f-period", "2026Q4")
    page.fill("#f-assessor", "王建国")
    page.fill("#f-assessed_on", "2026-11-20")
    page.click("form.start button[type=submit]")
    page.wait_for_url("**/drafts/*/1")


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def finish_and_compare(page: Any, server: Server, tmp_path: Path) -> Path:
    page.click("a.summary-link")
    page.wait_for_selector("#summary-level")
    page.click("#finish")
    page.wait_for_selector("#answer-file")
    answer_file = server.folder / "out" / page.inner_text("#answer-file")
    assert answer_file.is_file()
    # The reports are made in another process: the page says so and updates itself by polling
    # until the links are there (the text is seen at least once, or the links came at once).
    page.wait_for_selector("#reports")
    shown = page.inner_text("#reports")
    assert "报告生成中" in shown or "诊断报告" in shown
    page.wait_for_selector("#download-diagnosis", timeout=240_000)
    page.reload()  # the finished page again, not a 404
    assert (
        page.inner_text("#answer-file") == answer_file.relative_to(server.folder / "out").as_posix()
    )
    downloaded = {}
    for kind in ("diagnosis", "scenarios"):
        with page.expect_download() as info:
            page.click(f"#download-{kind}")
        target = tmp_path / f"served-{kind}.pdf"
        info.value.save_as(target)
        downloaded[kind] = target
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    check = subprocess.run(
        [sys.executable, "-m", "assessment", "validate", str(answer_file)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    out = tmp_path / "cli"
    subprocess.run(
        [sys.executable, "-m", "assessment", "report", str(answer_file), "--out", str(out)],
        env=env,
        check=True,
    )
    # The form's reports are the store's, made with the park's figures as a worker makes them:
    # the bytes served are those `dtm export-reports` writes, and the scenario report reads as
    # `dtm report` makes it from the answer file alone.
    found = re.search(r"\d{4}Q[1-4]", answer_file.as_posix())
    assert found is not None
    period = found.group(0)
    exported = tmp_path / "exported"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "assessment",
            "export-reports",
            "--period",
            period,
            "--out",
            str(exported),
            "--db",
            server.db,
        ],
        env=env,
        check=True,
    )
    for kind, served in downloaded.items():
        (stored,) = (exported / "firms").glob(f"*-{kind}-zh.pdf")
        assert served.read_bytes() == stored.read_bytes()
    (made,) = out.glob("*-scenarios-zh.pdf")
    assert pdf_text(downloaded["scenarios"]) == pdf_text(made)
    return answer_file


def test_park_quick_scan_filled_by_clicking_survives_a_killed_server(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    q = load_questionnaire("park_quick_scan")
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(SETTLED)
    page = context.new_page()
    form = Form(page)
    start(page, server, "park_quick_scan", "苏州恒锐精密金属制品有限公司", "91320594MA1A3K7R2A")

    # A follow-up appears with a written plan and goes when there is none.
    assert not form.visible("plan_review")
    form.pick("digital_plan", "written")
    assert form.visible("plan_review")
    form.pick("digital_plan", "none")
    assert not form.visible("plan_review")
    fill_page(form, q, 1)
    page.click("#next")
    fill_page(form, q, 2)
    page.click("#next")
    fill_page(form, q, 3)

    # The server dies mid-form; started again, nothing answered is lost.
    answered = page.inner_text("#live-progress")
    url = page.url
    server.kill()
    server.start()
    page.goto(url)
    assert page.inner_text("#live-progress") == answered
    for n in range(4, len(q.dimensions) + 1):
        page.goto(url.rsplit("/", 1)[0] + f"/{n}")
        if q.dimensions[n - 1].id == "infrastructure":
            form.type("production_devices", "10")
            form.type("networked_devices", "2")
            assert page.inner_text("#computed-networked_share") == "20"
            form.type("networked_devices", "5")
            assert page.inner_text("#computed-networked_share") == "50"
            form.attach("network_coverage", "机房.png", tiny_png())
            assert page.locator("#q-network_coverage img.thumb").count() == 1
        fill_page(form, q, n)
    assert (
        page.inner_text("#live-progress").split("/")[0]
        == page.inner_text("#live-progress").split("/")[1]
    )

    answer_file = finish_and_compare(page, server, tmp_path)
    text = answer_file.read_text("utf-8")
    assert "evidence/" in text and (answer_file.parent / "evidence").is_dir()
    context.close()


def test_miit_profile_filled_by_clicking(server: Server, browser: Any, tmp_path: Path) -> None:
    q = load_questionnaire("miit_2024_manufacturing")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(SETTLED)
    page = context.new_page()
    form = Form(page)
    start(page, server, "miit_2024_manufacturing", "苏州示例机械有限公司", "91320594MA1A7J2U64")
    base = page.url.rsplit("/", 1)[0]
    for n in range(1, len(q.dimensions) + 1):
        page.goto(f"{base}/{n}")
        fill_page(form, q, n)
    finish_and_compare(page, server, tmp_path)
    context.close()


def test_beyond_localhost_every_page_needs_the_access_code(tmp_path: Path, browser: Any) -> None:
    server = Server(tmp_path, host="0.0.0.0")
    server.start()
    try:
        assert "?token=" in server.first_line
        token = server.first_line.strip().rsplit("?token=", 1)[1]
        page = browser.new_page()
        for path in (
            "/",
            "/assessments",
            "/static/serve.css",
            "/drafts/x/1",
            "/evidence/" + "0" * 64,
        ):
            response = page.goto(server.url + path)
            assert response.status == 403, path
        page.goto(f"{server.url}/?token={token}")
        assert page.locator("form.start").count() == 1
        assert page.goto(server.url + "/assessments").status == 200
        page.close()
    finally:
        server.kill()
