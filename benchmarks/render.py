"""Renders the sample firms' reports and prints how fast and how lean rendering is.

    python benchmarks/render.py [--reports 20] [--renders 200] [--json]
    python benchmarks/render.py --against REV [--firms 6] [--rounds 3] [--json]

Figures: median seconds per report (our whole path: load, score, recommend, HTML, PDF), pages
per second, the ratio of that time to a bare WeasyPrint render of the identical HTML (aim: at
most 1.10), and resident memory after 1 and after N consecutive renders in one process (aim:
growth under 15%).

With `--against REV` it compares with the past in one run: the revision REV is checked out in a
temporary `git worktree`, and the current code and REV's take turns (a fresh process each,
`PYTHONPATH` pointing at its tree) rendering the same sample firms' two reports each. Printed:
the median seconds for a firm's two reports in a warm process, the seconds of a fresh process
for its first firm (import, font setup and the first render), pages per firm, and the ratios
current ÷ REV (aim for a firm's two reports: at most 0.5 against 1c0d380).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import against  # (the worktree and subprocess helpers shared with workers.py)


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
    from assessment.engine.pipeline import assess
    from assessment.report.render import render_diagnosis, render_scenarios

    a = assess(path)
    return render_diagnosis(a) if kind == "diagnosis" else render_scenarios(a)


def bare(html: str) -> bytes:
    import weasyprint

    from assessment.resources import templates_dir

    base = templates_dir().resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base).write_pdf()  # type: ignore[no-any-return]


def run(reports: int, renders: int) -> dict[str, Any]:
    from assessment.engine.pipeline import assess
    from assessment.report.render import render_html
    from assessment.resources import sample_park_dir

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


def child(firms: int) -> dict[str, Any]:
    """In a fresh process, with whichever tree PYTHONPATH names: a firm's two reports, timed."""
    start = time.perf_counter()
    from assessment import assess  # the public name: modules have moved between revisions
    from assessment.report.render import render_diagnosis, render_scenarios
    from assessment.resources import sample_park_dir

    imported = time.perf_counter() - start
    files = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))[:firms]

    def two_reports(path: Path) -> tuple[float, int]:
        begin = time.perf_counter()
        a = assess(path)
        pdfs = render_diagnosis(a), render_scenarios(a)
        return time.perf_counter() - begin, sum(pages(p) for p in pdfs)

    first, _ = two_reports(files[0])
    timed = [two_reports(f) for f in files]
    return {
        "fresh_process": round(imported + first, 3),
        "seconds": [round(t, 3) for t, _ in timed],
        "pages": [n for _, n in timed],
    }


def compare(rev: str, firms: int, rounds: int) -> dict[str, Any]:
    """The current code and `rev` in alternation, a fresh process each per round."""
    script = Path(__file__).resolve()
    found: dict[str, dict[str, list[float]]] = {
        side: {"seconds": [], "fresh": [], "pages": []} for side in ("current", "past")
    }
    with against.checkout(rev) as past:
        trees = {"current": against.ROOT, "past": past}
        name = against.revision(past)
        for i in range(rounds):
            order = ("current", "past") if i % 2 == 0 else ("past", "current")
            for side in order:
                result = against.run_in(trees[side], script, "--firms", str(firms))
                found[side]["seconds"] += result["seconds"]
                found[side]["fresh"].append(result["fresh_process"])
                found[side]["pages"] += result["pages"]
    med = {side: {k: statistics.median(v) for k, v in f.items()} for side, f in found.items()}
    return {
        "against": name,
        "firms": firms,
        "rounds": rounds,
        "median_seconds_per_firm_current": round(med["current"]["seconds"], 3),
        f"median_seconds_per_firm_{name}": round(med["past"]["seconds"], 3),
        "ratio_per_firm": round(med["current"]["seconds"] / med["past"]["seconds"], 3),
        "fresh_process_first_firm_current": round(med["current"]["fresh"], 3),
        f"fresh_process_first_firm_{name}": round(med["past"]["fresh"], 3),
        "ratio_fresh_process": round(med["current"]["fresh"] / med["past"]["fresh"], 3),
        "median_pages_per_firm_current": med["current"]["pages"],
        f"median_pages_per_firm_{name}": med["past"]["pages"],
        **against.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=20, help="reports timed against bare")
    parser.add_argument("--renders", type=int, default=200, help="renders for the memory figure")
    parser.add_argument("--against", metavar="REV", help="compare with this git revision")
    parser.add_argument("--firms", type=int, default=6, help="firms per process (--against)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each tree (--against)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.firms)))
        return
    if args.against:
        figures = compare(args.against, args.firms, args.rounds)
    else:
        figures = run(args.reports, args.renders)
    if args.json:
        print(json.dumps(figures))
        return
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
