"""Renders the sample firms' reports and prints how fast and how lean rendering is.

    python benchmarks/render.py [--reports 20] [--renders 200] [--json]

Figures: median seconds per report (our whole path: load, score, recommend, HTML, PDF), pages
per second, the ratio of that time to a bare WeasyPrint render of the identical HTML (aim: at
most 1.10), and resident memory after 1 and after N consecutive renders in one process (aim:
growth under 15%).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from assessment.engine.pipeline import assess
from assessment.report.render import render_diagnosis, render_html, render_scenarios
from assessment.resources import sample_park_dir, templates_dir


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), falling back to the peak."""
    status = Path("/proc/self/status")
    if status.exists():
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
        if match:
            return int(match.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(pdf: bytes) -> int:
    """Page count read by poppler's pdfinfo (installed by `make setup`)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    match = re.search(r"Pages:\s+(\d+)", info)
    return int(match.group(1)) if match else 0


def ours(path: Path, kind: str) -> bytes:
    a = assess(path)
    return render_diagnosis(a) if kind == "diagnosis" else render_scenarios(a)


def bare(html: str) -> bytes:
    import weasyprint

    base = templates_dir().resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base).write_pdf()  # type: ignore[no-any-return]


def run(reports: int, renders: int) -> dict[str, Any]:
    files = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))
    jobs = list(islice(cycle([(f, k) for f in files for k in ("diagnosis", "scenarios")]), reports))
    ours(*jobs[0])  # warm up: imports, fonts, stylesheet
    bare(render_html("scenarios", assess(files[0])))
    our_times, bare_times, page_counts = [], [], []
    for path, kind in jobs:
        start = time.perf_counter()
        pdf = ours(path, kind)
        our_times.append(time.perf_counter() - start)
        page_counts.append(pages(pdf))
        html = render_html(kind, assess(path))  # type: ignore[arg-type]
        start = time.perf_counter()
        bare(html)
        bare_times.append(time.perf_counter() - start)
    gc.collect()
    after_one = rss_mb()
    for path, kind in islice(cycle(jobs), renders):
        ours(path, kind)
    gc.collect()
    after_many = rss_mb()
    median = statistics.median(our_times)
    return {
        "reports": len(jobs),
        "median_seconds_per_report": round(median, 3),
        "median_pages_per_report": statistics.median(page_counts),
        "pages_per_second": round(sum(page_counts) / sum(our_times), 2),
        "ratio_to_bare_weasyprint": round(median / statistics.median(bare_times), 3),
        "rss_mb_after_1": round(after_one, 1),
        f"rss_mb_after_{renders}": round(after_many, 1),
        "rss_growth_percent": round((after_many / after_one - 1) * 100, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=20, help="reports timed against bare")
    parser.add_argument("--renders", type=int, default=200, help="renders for the memory figure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = run(args.reports, args.renders)
    if args.json:
        print(json.dumps(figures))
        return
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
