"""The web form without a browser: bad input, CSRF, the access code, form → YAML → form."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from assessment import load_questionnaire
from assessment.accounts import AuditLog
from assessment.cli import app as cli
from assessment.engine import loader
from assessment.models.answers import Answer, AnswerSheet
from assessment.models.questionnaire import Question, Questionnaire
from assessment.serve import Settings, create_app
from assessment.serve.drafts import DraftBook
from assessment.serve.security import Keys
from assessment.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_park" / "2026Q3" / "91320594MA1A3K7R2A.yaml"
FIRM = {
    "questionnaire": "park_quick_scan",
    "name": "苏州恒锐精密金属制品有限公司",
    "credit_code": "91320594MA1A3K7R2A",
    "industry": "metal_processing",
    "employees": "38",
    "revenue": "2300",
    "park": "苏州吴淞江科技产业园",
    "period": "2026Q3",
    "assessor": "王建国",
    "assessed_on": "2026-07-13",
}
# An empty file part makes every post multipart, as the browser's form is.
NO_FILE = {"f.none": ("", b"", "application/octet-stream")}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "dtm.db") as opened:
        yield opened


@pytest.fixture
def client(store: Store, tmp_path: Path) -> TestClient:
    """A client of the form on this machine, holding a session cookie."""
    app = create_app(Settings(store=store, out=tmp_path / "out"))
    return TestClient(app, raise_server_exceptions=False)


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def draft_url(client: TestClient) -> str:
    """The first page of a new park quick scan draft for the sample firm."""
    response = client.post(
        "/drafts", data={**FIRM, "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def post(client: TestClient, url: str, fields: dict[str, Any], files: Any = None) -> Any:
    data = {"csrf": csrf_of(client), **fields}
    return client.post(url, data=data, files=files or NO_FILE, headers={"hx-request": "true"})


def draft_answers(store: Store) -> dict[str, Answer]:
    ((draft, _),) = DraftBook(store).all()
    return dict(draft.answers)


def test_a_forged_choice_is_named_on_the_page_and_not_kept(
    client: TestClient, store: Store, draft_url: str
) -> None:
    response = post(client, draft_url, {"shown": "leader_attention", "a.leader_attention": "evil"})
    assert response.status_code == 200
    assert "ANS004 &#39;evil&#39; 不是 &#39;leader_attention&#39; 的选项" in response.text
    assert draft_answers(store) == {}
    client.cookies.set("dtm_lang", "en")  # the page's language is the problem's
    response = post(client, draft_url, {"shown": "leader_attention", "a.leader_attention": "evil"})
    assert "ANS004 &#39;evil&#39; is not a choice of &#39;leader_attention&#39;" in response.text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12abc", "ANS002 &#39;digital_staff&#39; 需要填数字"),
        ("-5", "ANS003 -5 超出 &#39;digital_staff&#39; 的取值范围"),
        ("9" * 500, "ANS002 &#39;digital_staff&#39; 需要填数字"),
        ("9" * 5000, "a.digital_staff：超过 4000 个字符"),
        ("1e999", "ANS002 &#39;digital_staff&#39; 需要填数字"),
    ],
)
def test_a_number_that_does_not_fit_is_shown_with_its_problem(
    client: TestClient, store: Store, draft_url: str, value: str, message: str
) -> None:
    page = draft_url.rsplit("/", 1)[0] + "/3"
    response = post(client, page, {"shown": "digital_staff", "a.digital_staff": value})
    assert response.status_code == 200
    assert message in response.text
    assert draft_answers(store) == {}


def test_a_ten_megabyte_field_is_refused_with_a_message(
    client: TestClient, store: Store, draft_url: str
) -> None:
    page = draft_url.rsplit("/", 1)[0] + "/3"
    response = post(client, page, {"shown": "digital_staff", "a.digital_staff": "9" * 10_000_000})
    assert response.status_code in (400, 413)
    assert "Internal Server Error" not in response.text
    assert draft_answers(store) == {}


def test_script_in_a_firm_name_and_a_note_is_kept_as_text(client: TestClient, store: Store) -> None:
    script = "<script>alert(1)</script>"
    fields = {**FIRM, "name": f"恒锐{script}", "csrf": csrf_of(client)}
    url = client.post("/drafts", data=fields, follow_redirects=False).headers["location"]
    response = post(
        client, url, {"shown": "digital_plan", "a.digital_plan": "none", "n.digital_plan": script}
    )
    assert script not in response.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert script not in client.get("/").text
    assert draft_answers(store)["digital_plan"].note == script


def test_a_bad_credit_code_is_named_and_nothing_is_started(
    client: TestClient, store: Store
) -> None:
    fields = {**FIRM, "credit_code": "91320594MA1A3K7R2B", "csrf": csrf_of(client)}
    response = client.post("/drafts", data=fields)
    assert response.status_code == 422
    assert "不是有效的统一社会信用代码" in response.text or "校验码是 B，应为 A" in response.text
    assert "校验码是 B，应为 A" in response.text and "should be" not in response.text
    assert DraftBook(store).all() == []
    check = client.post(
        "/check/credit-code", data={"credit_code": "91320594MA1A3K7R2B", "csrf": csrf_of(client)}
    )
    assert "✗" in check.text and "校验码是 B，应为 A" in check.text
    client.cookies.set("dtm_lang", "en")
    check = client.post(
        "/check/credit-code", data={"credit_code": "91320594MA1A3K7R2B", "csrf": csrf_of(client)}
    )
    assert "its check character is B but should be A" in check.text


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, store: Store, draft_url: str
) -> None:
    big = {
        "f.digital_plan": ("photo.jpg", b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024), "image/jpeg")
    }
    response = post(client, draft_url, {"shown": "digital_plan"}, big)
    assert response.status_code == 413
    assert "不得超过 10 MB" in response.text
    assert DraftBook(store).evidence_count() == 0


def test_a_file_that_only_claims_to_be_a_photo_is_not_attached(
    client: TestClient, store: Store, draft_url: str
) -> None:
    fake = {"f.digital_plan": ("photo.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")}
    response = post(client, draft_url, {"shown": "digital_plan"}, fake)
    assert response.status_code == 200
    assert "只能附上 JPEG、PNG、WebP 照片或 PDF 文件" in response.text
    assert DraftBook(store).evidence_count() == 0


def test_a_real_photo_is_kept_once_by_its_sha256_and_served_by_it(
    client: TestClient, store: Store, draft_url: str
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    for _ in range(2):
        post(
            client,
            draft_url,
            {"shown": "digital_plan"},
            {"f.digital_plan": ("a.png", png, "image/png")},
        )
    (entry,) = draft_answers(store)["digital_plan"].evidence
    sha = entry.removeprefix("evidence/").removesuffix(".png")
    assert DraftBook(store).evidence_count() == 1
    assert client.get(f"/evidence/{sha}").content == png
    assert client.get("/evidence/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_post_without_the_sessions_csrf_token_is_refused(
    client: TestClient, store: Store, draft_url: str, token: str | None
) -> None:
    fields = {"shown": "digital_plan", "a.digital_plan": "none"}
    if token:
        fields["csrf"] = token
    response = client.post(draft_url, data=fields, files=NO_FILE)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert draft_answers(store) == {}


def test_the_csrf_token_may_come_in_the_htmx_header(
    client: TestClient, store: Store, draft_url: str
) -> None:
    headers = {"x-csrf-token": csrf_of(client), "hx-request": "true"}
    fields = {"shown": "digital_plan", "a.digital_plan": "none"}
    assert client.post(draft_url, data=fields, files=NO_FILE, headers=headers).status_code == 200
    assert draft_answers(store)["digital_plan"].value == "none"


def test_with_an_access_code_every_page_needs_it_once(store: Store, tmp_path: Path) -> None:
    app = create_app(Settings(store=store, out=tmp_path), Keys("s3cret-code"))
    client = TestClient(app)
    for path in ("/", "/assessments", "/static/serve.css", "/firms/91320594MA1A3K7R2A"):
        assert client.get(path).status_code == 403, path
    assert client.get("/?token=wrong").status_code == 403
    assert "访问码" in client.get("/").text
    entry = client.get("/assessments?token=s3cret-code&period=2026Q3", follow_redirects=False)
    assert entry.status_code == 303 and entry.headers["location"] == "/assessments?period=2026Q3"
    assert "HttpOnly" in entry.headers["set-cookie"]
    assert client.get("/").status_code == 200


def fields_for(q: Questionnaire, question: Question, answer: Answer) -> dict[str, Any]:
    """What a browser posts for an answer, as the form's controls name it."""
    qid, value = question.id, answer.value
    found: dict[str, Any] = {"n." + qid: answer.note or ""}
    if question.type == "multi":
        found["a." + qid] = value if isinstance(value, list) else [value]
    elif value in ("n/a", "unknown") and question.type not in ("single", "yesno", "ordinal"):
        found["x." + qid] = value
    elif isinstance(value, bool):
        found["a." + qid] = "yes" if value else "no"
    else:
        found["a." + qid] = str(value)
    return found


def fill_from(client: TestClient, base: str, q: Questionnaire, sheet: AnswerSheet) -> None:
    for n, dimension in enumerate(q.dimensions, start=1):
        questions = [x for i in dimension.indicators for x in i.questions]
        fields: dict[str, Any] = {"shown": [x.id for x in questions if x.id in sheet.answers]}
        for question in questions:
            if question.id in sheet.answers:
                fields.update(fields_for(q, question, sheet.answers[question.id]))
        response = post(client, f"{base}/{n}", fields)
        assert 'class="problems"' not in response.text, response.text


def test_form_to_yaml_to_form_gives_the_same_answers(
    client: TestClient, store: Store, draft_url: str, tmp_path: Path
) -> None:
    q = load_questionnaire("park_quick_scan")
    sample = loader.check_file(SAMPLE).model
    assert isinstance(sample, AnswerSheet)
    base = draft_url.rsplit("/", 1)[0]
    fill_from(client, base, q, sample)
    assert DraftBook(store).all()[0][0].sheet() == sample
    assert store.list() == []  # a draft is never a stored assessment

    done = client.post(f"{base}/finish", data={"csrf": csrf_of(client)})
    assert done.status_code == 200, done.text
    assert done.url.path == f"{base}/finished" and str(tmp_path) not in done.text
    again = client.get(f"{base}/1")  # a reload, or a page of the finished draft
    assert again.url.path == f"{base}/finished" and again.status_code == 200
    assert 'id="answer-file">2026Q3/91320594MA1A3K7R2A.yaml<' in again.text
    written = tmp_path / "out" / "2026Q3" / "91320594MA1A3K7R2A.yaml"
    checked = loader.check_file(written)
    assert not checked.problems and checked.model == sample
    assert [r.credit_code for r in store.list()] == ["91320594MA1A3K7R2A"]
    assert DraftBook(store).all() == []

    # Back into the form: the stored answers pre-fill next quarter's draft, marked unconfirmed.
    fields = {**FIRM, "period": "2026Q4", "prefill": "1", "csrf": csrf_of(client)}
    assert client.post("/drafts", data=fields, follow_redirects=False).status_code == 303
    ((again, _),) = DraftBook(store).all()
    assert again.answers == sample.answers
    assert set(again.prefilled) == set(sample.answers)


def test_finishing_an_incomplete_sheet_lists_every_problem_with_a_link(
    client: TestClient, store: Store, draft_url: str
) -> None:
    base = draft_url.rsplit("/", 1)[0]
    post(client, draft_url, {"shown": "digital_plan", "a.digital_plan": "none"})
    response = client.post(f"{base}/finish", data={"csrf": csrf_of(client)})
    assert response.status_code == 422
    assert f'href="{base}/3#q-digital_staff"' in response.text
    assert "ANS006 题目 &#39;digital_staff&#39; 没有答案" in response.text
    # Where the questionnaire asks it is named by the file alone: no path of the server.
    assert "park_quick_scan.yaml:" in response.text
    assert str(Path(load_questionnaire("park_quick_scan").source).parent) not in response.text
    link = f'<a href="{base}/3#q-digital_staff">企业有几名专职的信息化/数字化人员？</a>：尚未回答'
    assert link in response.text
    assert store.list() == []


def test_a_draft_report_is_marked_as_a_draft_on_every_page(
    client: TestClient, draft_url: str, tmp_path: Path
) -> None:
    post(client, draft_url, {"shown": "digital_plan", "a.digital_plan": "none"})
    response = client.get(draft_url.rsplit("/", 1)[0] + "/draft-diagnosis.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = [p for p in text.decode("utf-8").split("\f") if p.strip()]
    assert len(pages) > 3 and all("稿" in page for page in pages)


@pytest.mark.parametrize("path", ["/drafts/nope/1", "/drafts/nope/summary", "/firms/x", "/nothing"])
def test_unknown_pages_answer_404_with_a_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Internal Server Error" not in response.text


def test_serve_refuses_a_busy_port_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: port {port} is in use; choose another with --port"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "fr"], "Error: --lang must be zh or en, not 'fr'"),
        (["--port", "70000"], "Error: --port must be from 1 to 65535, not 70000"),
        (["--host", "no-such-host.invalid"], "Error: --host 'no-such-host.invalid' is not"),
        (["--host", "192.0.2.77"], "Error: cannot listen on 192.0.2.77"),
    ],
)
def test_serve_names_a_usage_mistake_in_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and "Traceback" not in result.output


def test_the_firms_confirmation_is_printed_on_the_diagnosis_report_and_logged(
    client: TestClient, store: Store, draft_url: str, tmp_path: Path
) -> None:
    q = load_questionnaire("park_quick_scan")
    sample = loader.check_file(SAMPLE).model
    assert isinstance(sample, AnswerSheet)
    base = draft_url.rsplit("/", 1)[0]
    fill_from(client, base, q, sample)
    bad = {"csrf": csrf_of(client), "confirmed_by": "张伟", "confirmed_on": "14/07/2026"}
    refused = client.post(f"{base}/finish", data=bad)
    assert refused.status_code == 422 and "企业确认需要填写确认人姓名" in refused.text
    assert store.list() == []
    fields = {**bad, "confirmed_on": "2026-07-14"}
    assert client.post(f"{base}/finish", data=fields).status_code == 200
    for _ in range(2400):  # the reports are made in another process; the page asks until then
        if "download-diagnosis" in client.get(f"{base}/finished/reports").text:
            break
        time.sleep(0.1)
    (pdf,) = (tmp_path / "out" / "2026Q3").glob("*-diagnosis-zh.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    cover = text.decode("utf-8").split("\f")[1]  # after the one-page summary
    assert "数据经企业确认" in cover and "张伟" in cover and "2026年7月14日" in cover
    (line,) = [e for e in AuditLog(store).entries() if e.action == "assessment.confirm"]
    assert line.credit_code == "91320594MA1A3K7R2A" and line.new == "张伟 2026-07-14"


def test_a_change_sent_again_is_applied_once_and_an_older_one_never_overwrites(
    client: TestClient, store: Store, draft_url: str
) -> None:
    first = {"shown": "digital_plan", "a.digital_plan": "written", "seq.digital_plan": "10"}
    later = {"shown": "digital_plan", "a.digital_plan": "none", "seq.digital_plan": "11"}
    for fields in (first, later, first):  # the first one's reply was lost: it comes again
        assert post(client, draft_url, fields).status_code == 200
    assert draft_answers(store)["digital_plan"].value == "none"
    lines = [e for e in AuditLog(store).entries() if e.question == "digital_plan"]
    assert len(lines) == 2  # written, then none: the retry changed nothing


@pytest.mark.parametrize("path", ["/drafts/nope/1", "/no-such-page"])
def test_error_pages_speak_the_pages_language(client: TestClient, path: str) -> None:
    assert "没有" in client.get(path).text
    client.cookies.set("dtm_lang", "en")
    page = client.get(path).text
    assert "No such" in page and "没有" not in page


@pytest.mark.parametrize("seq", ["²", "1²", "-3", "x"])
def test_a_sequence_number_that_is_no_number_is_refused_not_a_crash(
    client: TestClient, store: Store, draft_url: str, seq: str
) -> None:
    fields = {"shown": "digital_plan", "a.digital_plan": "written", "seq.digital_plan": seq}
    response = post(client, draft_url, fields)
    assert response.status_code == 400
    assert "这次修改无法读取" in response.text
    assert draft_answers(store) == {}
    client.cookies.set("dtm_lang", "en")
    response = post(client, draft_url, fields)
    assert response.status_code == 400
    assert "This change could not be read" in response.text


@pytest.mark.parametrize("length", [b"\xb2", b"1\xb2", b"-1", b"ten"])
def test_a_content_length_that_is_no_number_is_a_bad_request(
    client: TestClient, store: Store, draft_url: str, length: bytes
) -> None:
    """`²` (latin-1 byte B2) passes `str.isdigit` but `int` cannot read it."""
    data = {"csrf": csrf_of(client), "shown": "digital_plan", "a.digital_plan": "written"}
    response = client.post(
        draft_url, data=data, headers={"content-length": length, "hx-request": "true"}
    )
    assert response.status_code == 400
    assert "Internal Server Error" not in response.text
    assert "表单的长度无法读取" in response.text
    assert draft_answers(store) == {}
