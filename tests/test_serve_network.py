"""The form on a bad network: every tap is kept until the server has it, whatever happens.

One real `dtm serve` and one Chromium for the whole module; each test starts its own draft,
disturbs the network (offline, 400 ms latency, a killed server, a 30 MB photo), then reads the
store and checks every answer it gave.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assessment.models.answers import Answer
from assessment.serve.drafts import DraftBook
from assessment.store import Store
from tests.test_serve_browser import CHROMIUM, SETTLED, Server, start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
CODES = iter(["91320594MA1A3K7R2A", "91320594MA1A7J2U64"] * 10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("network"))
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


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(SETTLED)
    opened = context.new_page()
    start(opened, server, "park_quick_scan", "苏州恒锐精密金属制品有限公司", next(CODES))
    yield opened
    context.close()


def answers(server: Server, page: Any) -> dict[str, Answer]:
    draft_id = page.url.split("/drafts/", 1)[1].split("/", 1)[0]
    with Store.open(server.folder / "dtm.db") as store:
        draft = DraftBook(store).get(draft_id)
    assert draft is not None
    return dict(draft.answers)


def all_saved(page: Any, timeout: float = 20_000) -> None:
    page.wait_for_function(
        "() => { const s = document.getElementById('save-state');"
        " return s.dataset.state === 'saved' && s.dataset.count === '0'; }",
        timeout=timeout,
    )


def tick(page: Any, qid: str, value: str) -> None:
    page.locator(f"#q-{qid} input[name='a.{qid}'][value='{value}']").check()


def test_fast_taps_at_400_ms_latency_are_all_saved_and_stay_shown(
    page: Any, server: Server
) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 400, "downloadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": -1})
    radios = [("digital_plan", "written"), ("leader_attention", "regular_agenda")]
    radios += [("digital_plan", "none"), ("leader_attention", "personally_leads")]
    for qid, value in radios:
        tick(page, qid, value)
        page.wait_for_timeout(150)
    assert page.locator("#q-leader_attention input[value='personally_leads']").is_checked()
    all_saved(page)
    assert page.locator("#q-digital_plan input[value='none']").is_checked()
    page.goto(page.url.rsplit("/", 1)[0] + "/2")
    boxes = page.locator("#q-subsidies_used input[name='a.subsidies_used']")
    values = [
        boxes.nth(i).get_attribute("value")
        for i in range(boxes.count())
        if boxes.nth(i).get_attribute("value") not in ("none", "n/a", "unknown")
    ]
    for value in values:
        page.locator(f"#q-subsidies_used input[value='{value}']").check()
        page.wait_for_timeout(150)
    for value in values:  # shown while the replies to earlier taps come back
        assert page.locator(f"#q-subsidies_used input[value='{value}']").is_checked()
    all_saved(page)
    for value in values:
        assert page.locator(f"#q-subsidies_used input[value='{value}']").is_checked()
    stored = answers(server, page)
    assert stored["digital_plan"].value == "none"
    assert stored["leader_attention"].value == "personally_leads"
    assert stored["subsidies_used"].value == [v for v in values if v]


def test_taps_while_the_server_is_unreachable_are_kept_and_sent_on_return(
    page: Any, server: Server
) -> None:
    page.context.set_offline(True)
    tick(page, "digital_plan", "written")
    page.wait_for_function("document.getElementById('save-state').dataset.state === 'offline'")
    assert "离线（答案保存在本机）" in page.inner_text("#save-state")
    tick(page, "leader_attention", "regular_agenda")
    field = page.locator("#q-leader_attention textarea[name='n.leader_attention']")
    page.locator("#q-leader_attention details summary").click()
    field.fill("老板亲自抓")
    field.press("Tab")
    assert "2 项待保存" in page.inner_text("#save-state")
    page.context.set_offline(False)
    all_saved(page)
    assert page.inner_text("#save-state") == "已保存"
    stored = answers(server, page)
    assert stored["digital_plan"].value == "written"
    assert stored["leader_attention"].value == "regular_agenda"
    assert stored["leader_attention"].note == "老板亲自抓"
    assert page.locator("#q-plan_review:not([hidden])").count() == 1  # came with the redraw


def test_a_restarted_server_is_invisible_and_nothing_is_lost(page: Any, server: Server) -> None:
    tick(page, "digital_plan", "written")
    all_saved(page)
    server.kill()
    tick(page, "leader_attention", "regular_agenda")
    page.wait_for_function("document.getElementById('save-state').dataset.state === 'offline'")
    server.start()  # a new secret: the page's session and CSRF token are no longer valid
    tick(page, "digital_plan", "none")
    all_saved(page)
    assert page.inner_text("#flash") == ""
    assert "CSRF" not in page.inner_text("body")
    stored = answers(server, page)
    assert stored["digital_plan"].value == "none"
    assert stored["leader_attention"].value == "regular_agenda"


def big_photo() -> bytes:
    from PIL import Image

    image = Image.effect_noise((5200, 3900), 120).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=100)
    return buffer.getvalue()


def test_a_30_mb_photo_is_made_smaller_and_the_next_taps_are_saved(
    page: Any, server: Server
) -> None:
    photo = big_photo()
    assert len(photo) > 12 * 1024 * 1024
    page.locator("#q-digital_plan details summary").click()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 20, "downloadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": 400_000})
    page.set_input_files(
        "input[name='f.digital_plan']",
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo},
    )
    page.wait_for_function(
        "document.getElementById('save-state').textContent.includes('照片上传中')", timeout=30_000
    )  # the upload's progress is shown
    tick(page, "leader_attention", "regular_agenda")
    tick(page, "digital_plan", "written")
    all_saved(page, timeout=60_000)
    assert page.locator("#q-digital_plan img.thumb").count() == 1
    stored = answers(server, page)
    assert stored["leader_attention"].value == "regular_agenda"
    assert stored["digital_plan"].value == "written"
    (entry,) = stored["digital_plan"].evidence
    assert entry.endswith(".jpg")


def test_a_refused_file_says_why_and_leaves_the_page_working(page: Any, server: Server) -> None:
    page.locator("#q-digital_plan details summary").click()
    scan = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7" * 1_500_000}
    page.set_input_files("input[name='f.digital_plan']", scan)  # 12 MB: a PDF is not made smaller
    page.wait_for_selector("#flash p.error")
    assert "不得超过 10 MB" in page.inner_text("#flash")
    tick(page, "demo_willing", "yes")
    tick(page, "leader_learning", "once")
    all_saved(page)
    fake = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90 not a file"}
    page.set_input_files("input[name='f.digital_plan']", fake)
    # The earlier refusal may still be shown: wait for this file's own answer.
    refused = "document.querySelector('#flash').innerText.includes('只能附上')"
    page.wait_for_function(refused)
    assert "只能附上 JPEG、PNG、WebP 照片或 PDF 文件" in page.inner_text("#flash")
    tick(page, "digital_plan", "written")
    tick(page, "leader_attention", "regular_agenda")
    all_saved(page)
    png = {"name": "a.png", "mimeType": "image/png", "buffer": _png()}
    page.set_input_files("input[name='f.digital_plan']", png)
    page.wait_for_selector("#q-digital_plan img.thumb")
    page.wait_for_function("document.querySelector('#flash').innerText.trim() === ''")
    assert page.inner_text("#flash") == ""  # the stale refusal went with the next success
    stored = answers(server, page)
    assert stored["digital_plan"].value == "written"
    assert stored["leader_attention"].value == "regular_agenda"
    assert len(stored["digital_plan"].evidence) == 1
    assert stored["demo_willing"].value == "yes" and stored["leader_learning"].value == "once"


def _png() -> bytes:
    from tests.test_serve_browser import tiny_png

    return tiny_png()


def test_a_whole_page_and_the_next_answered_offline_are_sent_on_return(
    page: Any, server: Server
) -> None:
    page.wait_for_function("sessionStorage.length > 0")  # the next page is kept for offline
    page.context.set_offline(True)
    tick(page, "leader_attention", "regular_agenda")
    tick(page, "leader_learning", "once")
    tick(page, "digital_plan", "written")
    follow_up = page.locator("#q-plan_review")
    assert follow_up.is_visible() and "待联网后判断" in follow_up.inner_text()
    tick(page, "plan_review", "yearly")
    tick(page, "transform_willingness", "planned")
    tick(page, "demo_willing", "yes")
    page.locator("#q-main_pain_point textarea[name='a.main_pain_point']").fill("缺人才")
    page.click("#next")  # offline: the kept page 2
    page.wait_for_selector("#q-annual_budget")
    assert page.url.endswith("/2")
    tick(page, "annual_budget", "annual")
    page.locator("#q-invest_share input[name='a.invest_share']").fill("3")
    page.locator("#q-invest_share input[name='a.invest_share']").press("Tab")
    assert "离线（答案保存在本机）" in page.inner_text("#save-state")
    page.context.set_offline(False)
    all_saved(page)
    stored = answers(server, page)
    given = {
        "leader_attention": "regular_agenda",
        "leader_learning": "once",
        "digital_plan": "written",
        "plan_review": "yearly",
        "transform_willingness": "planned",
        "demo_willing": "yes",
        "main_pain_point": "缺人才",
        "annual_budget": "annual",
        "invest_share": 3,
    }
    assert {qid: stored[qid].value for qid in given} == given


def test_on_a_phone_the_form_fits_its_bars_stay_and_times_are_local(
    browser: Any, server: Server
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id="Asia/Shanghai", has_touch=True
    )
    phone = context.new_page()
    start(phone, server, "park_quick_scan", "苏州恒锐精密金属制品有限公司", next(CODES))
    width = "document.documentElement.scrollWidth"
    assert phone.evaluate(width) <= 390
    for target in ("#q-digital_plan details summary", "#q-digital_plan label.opt"):
        assert phone.locator(target).first.bounding_box()["height"] >= 44, target
    phone.locator("#q-digital_plan details summary").click()
    assert phone.locator("input[name='f.digital_plan']").bounding_box()["height"] >= 44
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = phone.locator("#live-progress").bounding_box()
    assert bar is not None and 0 <= bar["y"] < 844  # the score and progress stay in sight
    for path in ("/assessments", "/"):
        phone.goto(server.url + path)
        assert phone.evaluate(width) <= 390, path
    shown = phone.locator("ul.drafts time").first
    stored = shown.get_attribute("datetime")
    assert stored is not None and "UTC" not in shown.inner_text()
    hour = (int(stored[11:13]) + 8) % 24  # Shanghai is UTC+8
    assert re.search(rf"\b0?{hour}:{stored[14:16]}\b", shown.inner_text())
    context.close()


def slow(page: Any, latency: int) -> None:
    """Chromium's own network emulation: every request of this page takes `latency` ms more."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": latency, "downloadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": -1})


WATCH_FINISH = """
document.addEventListener("submit", (e) => setTimeout(() => {
  const b = e.target.querySelector("#finish");
  if (b) { sessionStorage.setItem("finish-seen", (b.disabled ? "disabled " : "") + b.textContent); }
}, 0));
"""


def test_finishing_waits_for_what_is_not_yet_sent_and_shows_that_it_is_working(
    page: Any, server: Server
) -> None:
    page.context.add_init_script(WATCH_FINISH)
    slow(page, 1500)
    tick(page, "digital_plan", "none")
    page.click("a.summary-link")  # while the change is still on its way: it is sent again
    page.wait_for_function("document.getElementById('save-state').textContent !== ''")
    page.click("#finish")
    page.wait_for_selector("#finish-problems", timeout=30_000)  # incomplete: problems listed
    seen = page.evaluate("sessionStorage.getItem('finish-seen')")
    assert seen.startswith("disabled ") and "正在完成" in seen
    assert "尚未回答" in page.inner_text("#finish-problems")
    assert answers(server, page)["digital_plan"].value == "none"
