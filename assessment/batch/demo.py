"""The shipped sample park, end to end: store both quarters, render the latest, summarise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import resources
from ..models.common import Lang
from ..store import Store
from .intake import BatchResult
from .run import run_batch


def run_demo(
    out: Path,
    *,
    lang: Lang = "zh",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    png: bool = False,
) -> list[BatchResult]:
    """Import every sample quarter (and its services register) into a fresh store
    `out/demo.db`, then render the latest quarter's firm reports (with `png`, their summary PNGs
    too), the park report and the exports into `out`. Returns each quarter's result, oldest
    first: the earlier quarters only stored, the latest rendered."""
    root = resources.sample_park_dir()
    periods = sorted(p.name for p in root.iterdir() if p.is_dir())
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    for stale in (db, db.with_name("demo.db-wal"), db.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)  # the demo's own store, made afresh each run
    with Store.open(f"sqlite:///{db}") as store:
        results = [
            run_batch(
                root / period,
                period=period,
                out=out,
                store=store,
                render=False,
                services=_services(root, period),
            )
            for period in periods[:-1]
        ]
        latest = run_batch(
            root / periods[-1],
            period=periods[-1],
            out=out,
            store=store,
            workers=workers,
            lang=lang,
            register=root / "firms.csv",
            progress=progress,
            png=png,
            services=_services(root, periods[-1]),
        )
    return [*results, latest]


def _services(root: Path, period: str) -> Path | None:
    """The sample quarter's services register (服务台账), when the sample park has one."""
    path = root / f"services-{period}.csv"
    return path if path.is_file() else None
