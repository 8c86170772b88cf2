"""Load test of a shared form: simulated consultants filling forms at once against PostgreSQL.

    python benchmarks/serve_load.py [--seconds 120] [--users 20] [--think 1.0] [--json]

Starts a throw-away PostgreSQL server (as the tests do, socket only), makes one consultant
account per simulated user, runs `dtm serve` on 127.0.0.1 and lets each consultant sign in,
start a draft of its own firm and change one answer at a time (an htmx post of a dimension
page, as the browser sends it), waiting a random 0.5-1.5 x --think seconds between changes,
until --seconds have passed. Afterwards every consultant's draft is read back from the store:
the last value sent for each question must be there (no answer lost), and each change must
have its line in the audit log. Reports p50/p95 of the change requests. Loopback only,
bounded in users (at most 50) and time (at most 600 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessment import load_questionnaire  # noqa: E402
from assessment.accounts import Accounts, AuditLog, Role  # noqa: E402
from assessment.models import credit_code  # noqa: E402
from assessment.models.questionnaire import Question, Questionnaire  # noqa: E402
from assessment.serve.drafts import DraftBook  # noqa: E402
from assessment.store import Store  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

PASSWORD = "load-test-password"
QUESTIONNAIRE = "park_quick_scan"
NO_FILE = {"f.none": ("", b"", "application/octet-stream")}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def askable(q: Questionnaire) -> list[tuple[int, Question]]:
    """(page, question) for every question a consultant types or picks (not computed ones)."""
    return [
        (page, question)
        for page, dimension in enumerate(q.dimensions, start=1)
        for indicator in dimension.indicators
        for question in indicator.questions
        if not question.compute
    ]


def value_for(q: Questionnaire, question: Question, rng: random.Random) -> tuple[str, Any]:
    """A value that fits the question, as posted and as the store should then hold it."""
    kind = question.type
    if kind == "single":
        choice = rng.choice([c.id for c in q.choices_of(question)])
        return choice, choice
    if kind == "multi":
        choice = rng.choice([c.id for c in q.choices_of(question) if not c.exclusive])
        return choice, [choice]
    if kind == "yesno":
        word = rng.choice(["yes", "no"])
        return word, word
    if kind == "ordinal":
        level = rng.randint(0, question.max_level)
        return str(level), level
    if kind == "text":
        note = f"现场记录 {rng.randint(1, 10_000)}"
        return note, note
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else (100 if kind == "percent" else low + 500)
    number = rng.randint(int(low), int(high))
    return str(number), number


def same(stored: Any, expected: Any) -> bool:
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(stored, int | float) and float(stored) == float(expected)
    return bool(stored == expected)


class Consultant:
    """One simulated consultant: signs in, starts a draft, changes answers until the deadline."""

    def __init__(self, n: int, base: str, q: Questionnaire, seed: int) -> None:
        self.n = n
        self.name = f"consultant{n:02d}"
        self.base = base
        self.q = q
        self.rng = random.Random(seed)
        self.sent: dict[str, Any] = {}  # question → the last value the server answered 200 to
        self.times: list[float] = []
        self.errors: list[str] = []
        self.draft = ""
        self.span = (0.0, 0.0)  # when this consultant's timed changes began and ended

    async def csrf(self, client: httpx.AsyncClient, path: str) -> str:
        found = _CSRF.search((await client.get(path)).text)
        if found is None:
            raise RuntimeError(f"{self.name}: no CSRF token on {path}")
        return found.group(1)

    async def run(self, ready: asyncio.Barrier, seconds: float, think: float) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            token = await self.csrf(client, "/login")
            login = {"username": self.name, "password": PASSWORD, "csrf": token, "next": "/"}
            await client.post("/login", data=login)
            token = await self.csrf(client, "/")
            firm = {
                "questionnaire": QUESTIONNAIRE, "name": f"负载测试企业 {self.n}",
                "credit_code": credit_code.make(f"91320594MA{self.n:07d}"),
                "industry": "machinery", "employees": "60", "period": "2026Q4",
                "assessor": self.name, "assessed_on": "2026-11-20", "csrf": token,
            }  # fmt: skip
            started = await client.post("/drafts", data=firm)
            if started.status_code != 303:
                raise RuntimeError(f"{self.name}: starting a draft gave {started.status_code}")
            self.draft = started.headers["location"].split("/")[2]
            questions = askable(self.q)
            headers = {"hx-request": "true", "x-csrf-token": token}
            await ready.wait()  # signing in (argon2) is not part of the timed changes
            began = time.monotonic()
            deadline = began + seconds
            while time.monotonic() < deadline:
                await asyncio.sleep(self.rng.uniform(0.5, 1.5) * think)
                page, question = self.rng.choice(questions)
                posted, expected = value_for(self.q, question, self.rng)
                fields = {"shown": question.id, f"a.{question.id}": posted}
                sent_at = time.perf_counter()
                response = await client.post(
                    f"/drafts/{self.draft}/{page}", data=fields, files=NO_FILE, headers=headers
                )
                self.times.append((time.perf_counter() - sent_at) * 1000)
                if response.status_code == 200:
                    self.sent[question.id] = expected
                else:
                    self.errors.append(f"{question.id}: HTTP {response.status_code}")
            self.span = (began, time.monotonic())


def start_server(url: str, folder: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "assessment", "serve", "--db", url, "--port", str(port)]
    command += ["--out", str(folder / "out")]
    server = subprocess.Popen(
        command, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("dtm serve did not start")


def check(url: str, consultants: list[Consultant]) -> dict[str, Any]:
    """Every last value sent is in the store, and every change has its audit line."""
    lost: list[str] = []
    with Store.open(url) as store:
        book = DraftBook(store)
        audit = AuditLog(store)
        for c in consultants:
            draft = book.get(c.draft)
            answers = draft.answers if draft is not None else {}
            for qid, expected in c.sent.items():
                found = answers.get(qid)
                if found is None or not same(found.value, expected):
                    lost.append(f"{c.name} {qid}: sent {expected!r}, stored {found!r}")
        answer_lines = audit.count("answer")
    return {"lost": lost, "audit_answer_lines": answer_lines}


async def drive(base: str, q: Questionnaire, users: int, seconds: float, think: float) -> Any:
    consultants = [Consultant(n, base, q, seed=n) for n in range(1, users + 1)]
    ready = asyncio.Barrier(users)
    await asyncio.gather(*(c.run(ready, seconds, think) for c in consultants))
    return consultants


def run(users: int, seconds: float, think: float) -> dict[str, Any]:
    q = load_questionnaire(QUESTIONNAIRE)
    postgres = PostgresServer().start()
    try:
        url = postgres.new_database()
        with Store.open(url) as store:
            accounts = Accounts(store)
            for n in range(1, users + 1):
                accounts.add(f"consultant{n:02d}", Role.CONSULTANT, password=PASSWORD, by="bench")
        with tempfile.TemporaryDirectory(prefix="dtm-load-") as folder:
            port = free_port()
            server = start_server(url, Path(folder), port)
            try:
                began = time.monotonic()
                base = f"http://127.0.0.1:{port}"
                consultants = asyncio.run(drive(base, q, users, seconds, think))
                total = time.monotonic() - began
            finally:
                server.terminate()
                server.wait(timeout=30)
        # The timed changes only: from the first consultant's start to the last one's end.
        elapsed = max(c.span[1] for c in consultants) - min(c.span[0] for c in consultants)
        found = check(url, consultants)
    finally:
        postgres.stop()
    times = sorted(t for c in consultants for t in c.times)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "signing_in_s": round(total - elapsed, 1),
        "think_s": think,
        "changes": len(times),
        "changes_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1) if times else None,
        "max_ms": round(times[-1], 1) if times else None,
        "errors": [e for c in consultants for e in c.errors],
        "answers_checked": sum(len(c.sent) for c in consultants),
        "answers_lost": found["lost"],
        "audit_answer_lines": found["audit_answer_lines"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between changes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.users <= 50 and 1 <= args.seconds <= 600 and 0 <= args.think <= 60):
        parser.error("--users 1-50, --seconds 1-600, --think 0-60")
    result = run(args.users, args.seconds, args.think)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(
            f"{result['users']} consultants for {result['seconds']} s: {result['changes']} changes "
            f"({result['changes_per_s']}/s), p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"max {result['max_ms']} ms; {result['answers_checked']} answers checked, "
            f"{len(result['answers_lost'])} lost, {len(result['errors'])} errors, "
            f"{result['audit_answer_lines']} audit lines"
        )
    if result["answers_lost"] or result["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
