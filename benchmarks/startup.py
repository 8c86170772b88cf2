"""Start-up time of `import assessment` and `dtm --help`, against pydantic and typer alone.

    .venv/bin/python benchmarks/startup.py            # a table
    .venv/bin/python benchmarks/startup.py --json     # one JSON object
    .venv/bin/python benchmarks/startup.py --runs 21

Each command runs in a fresh interpreter, alternating with the baseline
(`python -c "import pydantic, typer"`) so a busy machine slows both alike; medians are reported.
The aim: both ratios at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "baseline": [sys.executable, "-c", "import pydantic, typer"],
    "import assessment": [sys.executable, "-c", "import assessment"],
    "dtm --help": [sys.executable, "-m", "assessment", "--help"],
}


def _once(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    for command in COMMANDS.values():  # warm the file cache and the bytecode
        _once(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(_once(command))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    base = medians["baseline"]
    return {
        "runs": runs,
        "baseline_s": round(base, 4),
        "import_s": round(medians["import assessment"], 4),
        "help_s": round(medians["dtm --help"], 4),
        "import_ratio": round(medians["import assessment"] / base, 3),
        "help_ratio": round(medians["dtm --help"] / base, 3),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.runs)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"median of {figures['runs']} runs")
    print(f"python -c 'import pydantic, typer'  {figures['baseline_s']:.3f} s")
    print(
        f"python -c 'import assessment'       {figures['import_s']:.3f} s"
        f"  ratio {figures['import_ratio']:.2f} (aim <= 1.5)"
    )
    print(
        f"dtm --help                          {figures['help_s']:.3f} s"
        f"  ratio {figures['help_ratio']:.2f} (aim <= 1.5)"
    )


if __name__ == "__main__":
    main()
