"""Times the web form from an answer change to the updated page, and its memory over many fills.

    python benchmarks/serve.py [--fills 200] [--json]

Each change is one htmx post of a dimension page (save the draft, check, score, render), timed
in process through the ASGI app against a SQLite store in a temporary folder. Aims: p95 < 50 ms
per change; resident memory after the fills within 10% of after the first ones.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from assessment import load_questionnaire
from assessment.models import credit_code
from assessment.models.questionnaire import Question, Questionnaire
from assessment.serve import Settings, create_app
from assessment.store import Store

NO_FILE = {"f.none": ("", b"", "application/octet-stream")}


def value_for(q: Questionnaire, question: Question, turn: int) -> dict[str, Any]:
    qid = question.id
    if question.type in ("single", "multi"):
        choices = [c.id for c in q.choices_of(question) if not c.exclusive]
        return {f"a.{qid}": choices[turn % len(choices)]}
    if question.type == "yesno":
        return {f"a.{qid}": "yes" if turn % 2 else "no"}
    if question.type == "ordinal":
        return {f"a.{qid}": str(turn % (question.max_level + 1))}
    if question.type == "text":
        return {f"a.{qid}": f"note {turn}"}
    return {f"a.{qid}": str(10 + turn % 5)}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(client: TestClient, csrf: str, q: Questionnaire, n: int, times: list[float]) -> None:
    code = credit_code.make(f"91320594MA{n:07d}")
    firm = {
        "questionnaire": q.id, "name": f"Firm {n}", "credit_code": code, "industry": "machinery",
        "employees": "50", "period": "2026Q4", "assessor": "bench", "assessed_on": "2026-11-20",
        "csrf": csrf,
    }  # fmt: skip
    url = client.post("/drafts", data=firm, follow_redirects=False).headers["location"]
    base = url.rsplit("/", 1)[0]
    for page, dimension in enumerate(q.dimensions, start=1):
        fields: dict[str, Any] = {"csrf": csrf, "shown": []}
        for indicator in dimension.indicators:
            for question in indicator.questions:
                if question.compute:
                    continue
                fields["shown"].append(question.id)
                fields.update(value_for(q, question, n))
                start = time.perf_counter()
                response = client.post(
                    f"{base}/{page}", data=fields, files=NO_FILE, headers={"hx-request": "true"}
                )
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200


def run(questionnaire: str, fills: int) -> dict[str, Any]:
    q = load_questionnaire(questionnaire)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "b.db") as store:
        client = TestClient(create_app(Settings(store=store, out=Path(folder) / "out")))
        found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
        assert found is not None
        times: list[float] = []
        warm: list[float] = []
        for n in range(5):
            fill(client, found.group(1), q, n, warm)
        before = rss_mb()
        for n in range(5, 5 + fills):
            fill(client, found.group(1), q, n, times)
        after = rss_mb()
    ordered = sorted(times)
    return {
        "questionnaire": questionnaire,
        "changes": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_pct": round(100 * (after - before) / before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fills", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [run(q, args.fills) for q in ("park_quick_scan", "miit_2024_manufacturing")]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(
                f"{r['questionnaire']}: {r['changes']} changes, median {r['median_ms']} ms, "
                f"p95 {r['p95_ms']} ms; memory {r['rss_before_mb']} → {r['rss_after_mb']} MB "
                f"({r['rss_growth_pct']:+}%)"
            )


if __name__ == "__main__":
    main()
