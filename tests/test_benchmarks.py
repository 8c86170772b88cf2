"""Every script in `benchmarks/` still runs against the code as it is, at its smallest size.

Their figures are never asserted here (speed is read from the scripts themselves, docs/
performance.md): only that each finishes, prints its one JSON object, and that the counts in it
are the counts asked for, so that a change of an API a benchmark uses cannot go unnoticed until
someone needs the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "scoring": (["--firms", "5"], {"assessments": 5}),
    "import": (["--firms", "5"], {"firms": 5, "imported": 5, "problems": 0}),
    "charts": (["--repeat", "2"], {}),
    "startup": (["--runs", "1"], {"runs": 1}),
    "render": (["--reports", "1", "--renders", "2"], {"reports": 1}),
    "batch": (["--firms", "2", "--store-firms", "3"], {"firms": 2, "store_firms": 3}),
    "serve": (["--fills", "1"], {}),
    "serve_load": (
        ["--seconds", "2", "--users", "2"],
        {"users": 2, "errors": [], "answers_lost": []},
    ),
    "serve_render": (["--renders", "1"], {"renders": 1}),
    "workers": (["--firms", "2", "--workers", "1", "--memory-firms", "2"], {"firms": 2}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_benchmark_runs_and_prints_its_figures(name: str) -> None:
    args, expected = CASES[name]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    first = figures[0] if isinstance(figures, list) else figures
    assert isinstance(first, dict) and first
    for key, value in expected.items():
        assert first[key] == value, (key, first)
    if name == "workers":
        (round_,) = figures["current"]["rounds"]
        assert round_["workers"] == 1 and round_["firms_per_second"] > 0
        assert figures["memory"]["firms"] == 2
