"""Times the queue: firms per second with 1, 2 and 4 `dtm worker` processes on this machine.

    python benchmarks/workers.py [--firms 24] [--workers 1,2,4] [--memory-firms 200] [--json]
    python benchmarks/workers.py --against REV [--firms 8] [--workers 1,2,4] [--json]
    (either with --cold: the workers' start-up counted)

Each round gets a fresh database on a throw-away PostgreSQL server (as the tests start one), the
same generated quarter (the park quick scan, both real reports per firm). As deployed, N
workers are started and left to get ready (register, warm their render process), then the
quarter is queued (`dtm batch --queue`); the clock starts with the queueing. With `--cold` the
quarter is queued first and the clock starts with the workers, so their start-up is counted.
Figures per round: seconds to the last firm finished, firms per second and the ratio to one
worker (aims: 2 workers at least 1.8x one on a 2-core machine, 4 no slower than 2), seconds to
the park report after it, and the database's own work in a firm job measured apart from
rendering.

The memory figure: a worker's render process (the code `dtm worker` runs for a firm, with
its recycling after 40 firms turned off) renders `--memory-firms` firms one after another;
printed is its resident memory after the first and after the last, and the growth (aim: under
15% over 200 firms).

With `--against REV` the revision REV is checked out in a temporary `git worktree` and every
round is run twice, once with each tree's code (`PYTHONPATH`, for `dtm batch --queue` and the
workers alike), in alternating order; each side gets a database of its own, created by its own
code, on the same server. Needs PostgreSQL installed (`make setup`); runs as root through the
`postgres` user like the tests.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import against  # (the worktree and subprocess helpers shared with render.py)

PERIOD = "2026Q3"


def _scalar(url: str, sql: str) -> Any:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def round_of(
    url: str, answers: Path, out: Path, count: int, firms: int, cold: bool = False
) -> dict[str, Any]:
    """One round in a fresh database `url`, with whichever `assessment` this process imports
    (and its workers, which inherit `PYTHONPATH`).

    As deployed, workers run before a quarter is queued: they are started, and the clock starts
    once every one has registered and the quarter is queued. With `cold`, the quarter is queued
    first and the clock starts with the workers, so their start-up is counted too."""
    from assessment.queue import queue_batch
    from assessment.store import Store

    command = [sys.executable, "-m", "assessment", "worker", "--db", url]
    if _writes_to_folder():
        command += ["--out", str(out)]  # a revision whose workers wrote PDFs to a shared folder
    workers: list[subprocess.Popen[bytes]] = []

    def start_workers() -> None:
        workers.extend(subprocess.Popen(command, stderr=subprocess.DEVNULL) for _ in range(count))

    def stopped() -> None:
        if all(w.poll() is not None for w in workers):
            codes = sorted({w.returncode for w in workers})
            raise SystemExit(f"every worker stopped (exit codes {codes}) before the last firm")

    try:
        with Store.open(url) as store:
            if not cold:
                start_workers()
                while _scalar(url, "SELECT count(*) FROM procrastinate_workers") < count:
                    stopped()
                    time.sleep(0.1)
            start = time.perf_counter()
            queue_batch(answers, period=PERIOD, out=out, store=store)
            queued = time.perf_counter() - start
        if cold:
            start_workers()
        started = time.perf_counter() if cold else start
        while _scalar(url, "SELECT count(*) FROM renders") < firms:
            stopped()
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
        "cold": cold,
        "url": url,
    }


def _writes_to_folder() -> bool:
    """Whether this process's `assessment` is a revision whose workers took `--out` (before the
    reports were kept in the store)."""
    import inspect

    from assessment.queue import work

    return "out" in inspect.signature(work.render_firm_at).parameters


def store_ms_per_job(url: str) -> float:
    """Milliseconds of store work in a firm job with rendering taken out: each firm of the first
    run again, as a retried job is (read the run, the assessment and the outcome, check files)."""
    from assessment.queue import work
    from assessment.store import Store

    with Store.open(url) as store:
        codes = [r.credit_code for r in store.list(period=PERIOD)]
        start = time.perf_counter()
        for code in codes:
            work.render_firm(store, 1, code, last_try=True)
        return (time.perf_counter() - start) / len(codes) * 1000


def memory(url: str, answers: Path, out: Path) -> dict[str, Any]:
    """A worker's render process rendering every firm of `answers` in turn, never replaced:
    its resident memory (MB) after each firm."""
    from assessment.batch.processes import RenderProcess
    from assessment.queue import queue_batch, work
    from assessment.store import Store

    with Store.open(url) as store:
        queue_batch(answers, period=PERIOD, out=out, store=store)
        codes = sorted(r.credit_code for r in store.list(period=PERIOD))
    process = RenderProcess(after=2 * len(codes) + 1, limit_mb=float("inf"))  # 2 tasks a firm
    started = time.perf_counter()
    try:
        pids, after = set(), []
        for code in codes:
            pids.add(process.submit(_pid_of_render_process).result())
            _, mb = process.submit(work.render_firm_at, url, 1, code, True).result()
            after.append(mb)
    finally:
        process.shutdown()
    assert len(pids) == 1, "the render process was replaced during the memory run"
    tenth = after[min(9, len(after) - 1)]
    return {
        "firms": len(codes),
        "seconds": round(time.perf_counter() - started, 1),
        "rss_mb_after_1": round(after[0], 1),
        "rss_mb_after_10": round(tenth, 1),
        f"rss_mb_after_{len(after)}": round(after[-1], 1),
        "rss_growth_percent": round((after[-1] / after[0] - 1) * 100, 1),
        "rss_growth_percent_from_10": round(
            (after[-1] / after[min(9, len(after) - 1)] - 1) * 100, 1
        ),
    }


def _pid_of_render_process() -> int:
    import os

    return os.getpid()


def run(
    firms: int, counts: list[int], memory_firms: int, rev: str | None = None, cold: bool = False
) -> dict[str, Any]:
    sys.path.insert(0, str(against.ROOT))
    from batch import generate  # the generator of valid random answer files

    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root / "answers", firms)
            name = None
            if rev is None:
                rounds = {"current": [_round(None, server, root, n, firms, cold) for n in counts]}
            else:
                rounds, name = _alternating(rev, server, root, counts, firms, cold)
            last = rounds["current"][-1]
            per_job = store_ms_per_job(last["url"])
            held = None
            if memory_firms:
                generate(root / "memory", memory_firms, seed=13)
                held = memory(server.new_database(), root / "memory", root / "out-memory")
    finally:
        server.stop()
    figures: dict[str, Any] = {"firms": firms, "cold": cold}
    for side, found in rounds.items():
        for r in found:
            r.pop("url", None)
        one = found[0]["firms_per_second"]
        figures[side] = {
            "rounds": found,
            "speedup": {str(r["workers"]): round(r["firms_per_second"] / one, 2) for r in found},
        }
    if name is not None:
        figures["against"] = name
        figures["current_over_past"] = {
            str(a["workers"]): round(a["firms_per_second"] / b["firms_per_second"], 2)
            for a, b in zip(figures["current"]["rounds"], figures["past"]["rounds"], strict=True)
        }
    figures["store_ms_per_retried_job"] = round(per_job, 1)
    figures["memory"] = held
    figures.update(against.machine())
    return figures


def _round(
    tree: Path | None, server: Any, root: Path, count: int, firms: int, cold: bool
) -> dict[str, Any]:
    """A round with the current code in this process, or with `tree`'s in a child process."""
    side = "current" if tree is None or tree == against.ROOT else "past"
    url, out = server.new_database(), root / f"out-{side}-{count}"
    if tree is None:
        return round_of(url, root / "answers", out, count, firms, cold)
    args = ["--url", url, "--answers", str(root / "answers"), "--out", str(out)]
    args += ["--cold"] if cold else []
    return against.run_in(
        tree, Path(__file__).resolve(), *args, "--workers", str(count), "--firms", str(firms)
    )


def _alternating(
    rev: str, server: Any, root: Path, counts: list[int], firms: int, cold: bool
) -> tuple[dict[str, list[dict[str, Any]]], str]:
    found: dict[str, list[dict[str, Any]]] = {"current": [], "past": []}
    with against.checkout(rev) as past:
        trees = {"current": against.ROOT, "past": past}
        for i, n in enumerate(counts):
            order = ("current", "past") if i % 2 == 0 else ("past", "current")
            for side in order:
                found[side].append(_round(trees[side], server, root, n, firms, cold))
        name = against.revision(past)
    return found, name


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--firms", type=int, default=24)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--memory-firms", type=int, default=200, help="0: no memory figure")
    parser.add_argument("--against", metavar="REV", help="compare with this git revision")
    parser.add_argument(
        "--cold", action="store_true", help="start the workers after queueing, counting start-up"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        found = round_of(args.url, args.answers, args.out, int(args.workers), args.firms, args.cold)
        print(json.dumps(found))
        return
    counts = [int(n) for n in args.workers.split(",")]
    figures = run(args.firms, counts, args.memory_firms, args.against, args.cold)
    if args.json:
        print(json.dumps(figures))
        return
    _print(figures)


def _print(figures: dict[str, Any]) -> None:
    for side in ("current", "past"):
        if side not in figures:
            continue
        name = "current code" if side == "current" else figures["against"]
        start = "workers started after queueing" if figures["cold"] else "workers ready first"
        print(f"{name}, {figures['firms']} firms, {start}:")
        for r in figures[side]["rounds"]:
            print(
                f"  {r['workers']} workers: {r['firms_per_second']} firms/s, "
                f"{figures[side]['speedup'][str(r['workers'])]}x one worker "
                f"({r['seconds_to_last_firm']} s to the last firm, park report "
                f"{r['park_report_seconds']} s more)"
            )
    if "current_over_past" in figures:
        print(f"firms/s, current / {figures['against']}: {figures['current_over_past']}")
    print(f"store work per (retried) firm job: {figures['store_ms_per_retried_job']} ms")
    held = figures["memory"]
    if held:
        n = held["firms"]
        print(
            f"one render process over {n} firms ({held['seconds']} s): "
            f"{held['rss_mb_after_1']} MB after the first, {held[f'rss_mb_after_{n}']} after "
            f"the last: {held['rss_growth_percent']:+}%"
            + (
                f" ({held['rss_mb_after_10']} MB after the 10th: "
                f"{held['rss_growth_percent_from_10']:+}% from there)"
                if n > 10
                else ""
            )
        )
    print(f"cores {figures['cores']}, load average {figures['load_average']}")


if __name__ == "__main__":
    main()
