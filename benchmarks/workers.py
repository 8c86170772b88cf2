"""Times the queue: firms per second with 1, 2 and 4 `dtm worker` processes on this machine.

    python benchmarks/workers.py [--firms 24] [--workers 1,2,4] [--json]

Each round gets a fresh database on a throw-away PostgreSQL server (as the tests start one), the
same generated quarter (the park quick scan, both real reports per firm), `dtm batch --queue`,
then N workers started together. Figures per round: seconds from the workers' start to the last
firm finished, firms per second, seconds to the park report after it, and the database's own
work in a firm job measured apart from rendering. Needs
PostgreSQL installed (`make setup`); runs as root through the `postgres` user like the tests.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from batch import generate  # noqa: E402  (the generator of valid random answer files)
from sqlalchemy import create_engine, text  # noqa: E402

from assessment.queue import queue_batch  # noqa: E402
from assessment.store import Store  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

PERIOD = "2026Q3"


def _scalar(url: str, sql: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def round_of(server: PostgresServer, answers: Path, root: Path, count: int, firms: int) -> dict:
    url = server.new_database()
    out = root / f"out-{count}"
    with Store.open(url) as store:
        start = time.perf_counter()
        queue_batch(answers, period=PERIOD, out=out, store=store)
        queued = time.perf_counter() - start
    command = [sys.executable, "-m", "assessment", "worker", "--db", url, "--out", str(out)]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, stderr=subprocess.DEVNULL) for _ in range(count)]
    try:
        while _scalar(url, "SELECT count(*) FROM renders") < firms:
            time.sleep(0.2)
        last = time.perf_counter() - started
        while not _scalar(url, "SELECT park_at IS NOT NULL FROM queue_runs WHERE id = 1"):
            time.sleep(0.2)
        park = time.perf_counter() - started - last
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=120)
    failed = _scalar(url, "SELECT count(*) FROM renders WHERE outcome <> 'done'")
    assert failed == 0, f"{failed} firms failed"
    return {
        "workers": count,
        "seconds_to_last_firm": round(last, 1),
        "firms_per_second": round(firms / last, 3),
        "park_report_seconds": round(park, 1),
        "queue_batch_seconds": round(queued, 2),
        "url": url,
    }


def store_ms_per_job(url: str, out: Path) -> float:
    """Milliseconds of store work in a firm job with rendering taken out: each firm of the first
    run again, as a retried job is (read the run, the assessment and the outcome, check files)."""
    from assessment.queue import work

    with Store.open(url) as store:
        codes = [r.credit_code for r in store.list(period=PERIOD)]
        start = time.perf_counter()
        for code in codes:
            work.render_firm(store, out, 1, code, last_try=True)
        return (time.perf_counter() - start) / len(codes) * 1000


def run(firms: int, counts: list[int]) -> dict[str, Any]:
    server = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root / "answers", firms)
            rounds = [round_of(server, root / "answers", root, n, firms) for n in counts]
            last = rounds[-1]
            per_job = store_ms_per_job(last.pop("url"), root / f"out-{last['workers']}")
    finally:
        server.stop()
    for r in rounds:
        r.pop("url", None)
    one = rounds[0]["firms_per_second"]
    return {
        "firms": firms,
        "cores": _cores(),
        "rounds": rounds,
        "speedup": {str(r["workers"]): round(r["firms_per_second"] / one, 2) for r in rounds},
        "store_ms_per_retried_job": round(per_job, 1),
    }


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--firms", type=int, default=24)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = run(args.firms, [int(n) for n in args.workers.split(",")])
    if args.json:
        print(json.dumps(figures))
        return
    for r in figures["rounds"]:
        print(
            f"{r['workers']} workers: {r['firms_per_second']} firms/s "
            f"({r['seconds_to_last_firm']} s to the last firm, park report "
            f"{r['park_report_seconds']} s more)"
        )
    print(f"store work per (retried) firm job: {figures['store_ms_per_retried_job']} ms")


if __name__ == "__main__":
    main()
