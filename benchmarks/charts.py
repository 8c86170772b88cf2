"""Time the report charts: our SVG module against pygal and matplotlib radars, when installed.

    .venv/bin/python benchmarks/charts.py            # a table
    .venv/bin/python benchmarks/charts.py --json     # one JSON object
    .venv/bin/python benchmarks/charts.py --repeat 500

pygal and matplotlib are not dependencies; install them by hand to compare (see docs/charts.md).
Each chart is built once (the "first" column, which for a library includes its lazy set-up), then
``--repeat`` times for ours and a tenth of that for the libraries; the median is reported.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from assessment.report.charts import Series, Style, bars, radar

AXES = ["Awareness", "Investment", "Talent", "Paper ledgers", "Infrastructure", "Systems"]
SERIES = {
    "This firm": [62.5, 40.0, 35.0, 80.0, 55.0, 70.0],
    "Industry average": [55.0, 50.0, 45.0, 60.0, 50.0, 52.0],
    "Park average": [50.0, 45.0, 50.0, 55.0, 60.0, 48.0],
}
BAR_LABELS = [f"Firm {i:02d} 数字化水平" for i in range(12)]
BAR_VALUES = [float((i * 37) % 100) for i in range(12)]


def dtm_radar() -> str:
    styles: tuple[Style, ...] = ("solid", "dashed", "dotted")
    series = [Series(n, v, s) for (n, v), s in zip(SERIES.items(), styles, strict=True)]
    return radar(AXES, series, title="Maturity by dimension")


def dtm_bars() -> str:
    return bars(
        BAR_LABELS,
        BAR_VALUES,
        title="Overall score",
        value_axis_label="Score (0–100)",
        reference=49.5,
        reference_label="Park average",
    )


def pygal_radar() -> str:
    import pygal  # type: ignore[import-untyped,import-not-found,unused-ignore]

    chart = pygal.Radar(width=360, height=360, fill=True, range=(0, 100))
    chart.title = "Maturity by dimension"
    chart.x_labels = AXES
    for name, values in SERIES.items():
        chart.add(name, values)
    return str(chart.render(is_unicode=True))


def matplotlib_radar() -> str:
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    angles = [2 * math.pi * i / len(AXES) for i in range(len(AXES))]
    fig = plt.figure(figsize=(3.75, 3.75))
    ax = fig.add_subplot(polar=True)
    for name, values in SERIES.items():
        ax.plot([*angles, angles[0]], [*values, values[0]], label=name)
    ax.fill([*angles, angles[0]], [*SERIES["This firm"], SERIES["This firm"][0]], alpha=0.25)
    ax.set_xticks(angles, AXES)
    ax.set_ylim(0, 100)
    ax.legend(loc="lower center", fontsize=7)
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out.getvalue()


CHARTS: list[tuple[str, Callable[[], str], str | None]] = [
    ("dtm radar", dtm_radar, None),
    ("dtm bars", dtm_bars, None),
    ("pygal radar", pygal_radar, "pygal"),
    ("matplotlib radar", matplotlib_radar, "matplotlib"),
]


def measure(build: Callable[[], str], runs: int) -> dict[str, Any]:
    start = time.perf_counter()
    first = build()
    first_ms = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(times), 4),
        "first_ms": round(first_ms, 3),
        "runs": runs,
        "deterministic": build() == build(),
        "bytes": len(first.encode()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000, help="runs of our charts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    skipped = []
    for name, build, module in CHARTS:
        if module and importlib.util.find_spec(module) is None:
            skipped.append(name)
            continue
        runs = args.repeat if module is None else max(20, args.repeat // 10)
        results[name] = measure(build, runs)
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "charts": results,
        "skipped (not installed)": skipped,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{'chart':<18} {'median ms':>10} {'first ms':>9} {'runs':>6} {'same bytes':>10} {'KB':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:<18} {r['median_ms']:>10.3f} {r['first_ms']:>9.1f} {r['runs']:>6}"
            f" {'yes' if r['deterministic'] else 'no':>10} {r['bytes'] / 1024:>6.1f}"
        )
    for name in skipped:
        print(f"{name:<18} skipped: not installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
