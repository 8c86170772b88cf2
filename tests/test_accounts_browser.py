"""A consultant signs in, fills part of a form and signs out, in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assessment.accounts import Accounts, AuditLog, Role
from assessment.serve.drafts import DraftBook
from assessment.store import Store
from tests.test_serve_browser import SETTLED, Form, Server, browser, start

__all__ = ["browser"]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


def test_sign_in_fill_sign_out(tmp_path: Path, browser: Any) -> None:
    with Store.open(tmp_path / "dtm.db") as store:
        Accounts(store).add("wang", Role.CONSULTANT, password=PASSWORD, by="test")
    server = Server(tmp_path)
    server.start()
    try:
        assert "token=" not in server.first_line
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        context.add_init_script(SETTLED)
        page = context.new_page()
        page.goto(server.url + "/assessments")
        assert "/login?next=" in page.url
        page.fill("#f-username", "wang")
        page.fill("#f-password", "not the password")
        page.click("#sign-in")
        assert page.locator("#login-problem").count() == 1
        page.fill("#f-username", "wang")
        page.fill("#f-password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_url("**/assessments")
        assert page.inner_text("#signed-in").startswith("wang")

        start(page, server, "park_quick_scan", "苏州恒锐精密金属制品有限公司", "91320594MA1A3K7R2A")
        draft_url = page.url
        form = Form(page)
        form.pick("digital_plan", "written")
        form.pick("digital_plan", "none")

        page.click("#sign-out")
        page.wait_for_url("**/login")
        page.goto(draft_url)
        assert "/login?next=" in page.url
        context.close()
    finally:
        server.kill()
    with Store.open(tmp_path / "dtm.db") as store:
        ((draft, _),) = DraftBook(store).all()
        assert draft.owner == "wang" and draft.answers["digital_plan"].value == "none"
        changes = [
            (e.old, e.new)
            for e in AuditLog(store).entries(username="wang")
            if e.question == "digital_plan"
        ]
        assert changes == [
            ('{"value": "written"}', '{"value": "none"}'),
            (None, '{"value": "written"}'),
        ]
        actions = [e.action for e in AuditLog(store).entries(username="wang")]
        assert actions[0] == "logout" and "login.failed" in actions
