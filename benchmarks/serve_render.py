"""Another user's page latency on `dtm serve` while PDFs are being rendered.

    python benchmarks/serve_render.py [--renders 4] [--json]

The form runs under uvicorn on 127.0.0.1 (one server process, as `dtm serve` runs it) over a
SQLite store holding the sample park. One client asks for firms' diagnosis PDFs that are not
rendered yet, one after another (each is made in the form's render process, then served from the
store); meanwhile a second client opens a dimension page of its draft again and again. The same
page is timed first with no render running. Aim: the page's p95 during renders stays within a
few times its p95 at rest (rendering in the server's own process held every page for seconds).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn

from assessment.engine.pipeline import sample_park
from assessment.serve import Settings, create_app
from assessment.store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def figures(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "pages": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as response:
        body: bytes = response.read()
        return body


def time_page(url: str, until: threading.Event, least: int) -> list[float]:
    times: list[float] = []
    while not until.is_set() or len(times) < least:
        start = time.perf_counter()
        get(url)
        times.append(time.perf_counter() - start)
        time.sleep(0.05)
    return times


def run(renders: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="dtm-bench-") as folder,
        Store.open(Path(folder) / "dtm.db") as store,
    ):
        firms = sample_park("2026Q3")
        for a in firms:
            store.save(a)
        app = create_app(Settings(store=store, out=Path(folder) / "out"))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            page = "/assessments"  # another user's page: reads the store, draws the list
            quiet = threading.Event()
            quiet.set()
            at_rest = time_page(base + page, quiet, 60)
            busy = threading.Event()
            during: list[float] = []
            timer = threading.Thread(target=lambda: during.extend(time_page(base + page, busy, 1)))
            timer.start()
            render_times = []
            for a in firms[:renders]:
                code = a.card.firm.credit_code
                start = time.perf_counter()
                pdf = get(f"{base}/reports/{code}/2026Q3/diagnosis.pdf")
                if not pdf.startswith(b"%PDF"):
                    raise SystemExit(f"{code}: no PDF")
                render_times.append(time.perf_counter() - start)
            busy.set()
            timer.join()
        finally:
            server.should_exit = True
            thread.join()
    return {
        "at_rest": figures(at_rest),
        "during_renders": figures(during),
        "renders": len(render_times),
        "seconds_per_render": round(statistics.median(render_times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.renders)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'':16} {'pages':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label in ("at_rest", "during_renders"):
        f = result[label]
        print(f"{label:16} {f['pages']:>6} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['max_ms']:>8}")
    print(f"{result['renders']} renders, median {result['seconds_per_render']} s each")


if __name__ == "__main__":
    main()
