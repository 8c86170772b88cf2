"""Times the quarterly batch: rendering with 1 and 2 workers, and importing many firms.

    python benchmarks/batch.py [--firms 200] [--store-firms 10000] [--json]

Figures: firms per second for a batch of generated firms with 1 and with 2 workers and their
ratio (aim: 2 workers at least 1.7x one on a 2-core machine); the time to import and score
10,000 firms into a fresh SQLite store, per firm, against the rendering time per firm (aim:
scoring and storing under 1/100 of rendering).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from scoring import firm_document  # the generator of valid random answer files

from assessment import load_answers, load_questionnaire
from assessment.batch import load_all, run_batch, source_hash
from assessment.engine.pipeline import answer_files
from assessment.errors import DtmError
from assessment.store import Store


def generate(folder: Path, firms: int, seed: int = 11) -> None:
    """`firms` valid answer files; a drawn firm the checks refuse (say, more networked devices
    than production devices) is drawn again, so that every firm is stored and rendered."""
    q = load_questionnaire("park_quick_scan")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    while written < firms:
        doc = firm_document(q, written, rng)
        path = folder / f"{doc['firm']['credit_code']}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        try:
            load_answers(path, q)
        except DtmError:
            path.unlink()
        else:
            written += 1


def timed_batch(folder: Path, root: Path, workers: int) -> float:
    out = root / f"out-{workers}"
    with Store.open(f"sqlite:///{root / f'batch-{workers}.db'}") as store:
        start = time.perf_counter()
        result = run_batch(folder, period="2026Q3", out=out, store=store, workers=workers)
        elapsed = time.perf_counter() - start
    assert not result.failures, result.failures[:1]
    return elapsed


def timed_import(folder: Path, root: Path) -> float:
    with Store.open(f"sqlite:///{root / 'import.db'}") as store:
        start = time.perf_counter()
        good, failures = load_all(answer_files(folder), "2026Q3")
        for path, a in good:
            store.save(a, source_hash=source_hash(path, a))
        elapsed = time.perf_counter() - start
    assert not failures
    return elapsed


def run(firms: int, store_firms: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "batch", firms)
        one = timed_batch(root / "batch", root, 1)
        two = timed_batch(root / "batch", root, 2)
        generate(root / "many", store_firms, seed=12)
        imported = timed_import(root / "many", root)
    render_per_firm = one / firms
    store_per_firm = imported / store_firms
    return {
        "firms": firms,
        "firms_per_second_1_worker": round(firms / one, 3),
        "firms_per_second_2_workers": round(firms / two, 3),
        "speedup_2_workers": round(one / two, 3),
        "store_firms": store_firms,
        "import_and_score_seconds": round(imported, 2),
        "ms_per_firm_import_and_score": round(store_per_firm * 1000, 3),
        "ms_per_firm_rendering_1_worker": round(render_per_firm * 1000, 1),
        "import_share_of_rendering": round(store_per_firm / render_per_firm, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--firms", type=int, default=200)
    parser.add_argument("--store-firms", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = run(args.firms, args.store_firms)
    if args.json:
        print(json.dumps(figures))
        return
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
