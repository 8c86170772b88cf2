"""The shipped sample park, run end to end: score both quarters, write every firm's reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .models.common import Lang
from .models.results import ScoreCard
from .peers import PeerAverages, peer_averages
from .pipeline import Assessment, assess


@dataclass
class DemoResult:
    """What the demo made: the assessments of the latest quarter and the files written."""

    period: str
    assessments: list[Assessment]
    files: list[Path] = field(default_factory=list)


def _render(job: tuple[Path, Path, Lang, PeerAverages, ScoreCard | None]) -> list[Path]:
    from .report.render import write_reports

    answers, out, lang, peers, previous = job
    return list(
        write_reports(assess(answers), out, lang=lang, peers=peers, previous=previous).values()
    )


def run_demo(
    out: Path,
    *,
    langs: tuple[Lang, ...] = ("zh",),
    workers: int | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> DemoResult:
    """Score the sample park's quarters and render the latest quarter's reports into `out`."""
    from .report.pdf import check_renderer

    check_renderer()
    root = resources.sample_park_dir()
    periods = sorted(p.name for p in root.iterdir() if p.is_dir())
    latest, earlier = periods[-1], periods[:-1]
    previous: dict[str, ScoreCard] = {}
    for period in earlier:
        for path in sorted((root / period).glob("*.yaml")):
            card = assess(path).card
            previous[card.firm.credit_code] = card
    paths = sorted((root / latest).glob("*.yaml"))
    current = [assess(p) for p in paths]
    cards = [a.card for a in current]
    jobs = [
        (
            path,
            out / "firms",
            lang,
            peer_averages(cards, a.card.firm.industry),
            previous.get(a.card.firm.credit_code),
        )
        for lang in langs
        for path, a in zip(paths, current, strict=True)
    ]
    result = DemoResult(latest, current)
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for written in pool.map(_render, jobs):
            result.files.extend(written)
            for path in written:
                if on_file is not None:
                    on_file(path)
    return result
