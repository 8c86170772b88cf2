"""A park's quarter in one run: check every answer file, store, render in parallel, summarise."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.pipeline import assess
from ..errors import DtmError, UsageError, printable
from ..files.atomic import write_atomic
from ..models.common import Lang, StrPath
from ..models.results import Recommendation, ScoreCard
from ..park.peers import PeerAverages
from ..park.trends import FirmTrend, History, stored_history
from ..store import Store
from .inputs import period_inputs, stored_adoption
from .intake import BatchResult, Failure, take_in
from .processes import run_all

RenderJob = tuple[
    Path,
    Path,
    Lang,
    PeerAverages,
    ScoreCard | None,
    Path | None,
    FirmTrend | None,
    list[Recommendation] | None,
    bool,
]


def _render_job(job: RenderJob) -> tuple[str, list[str]]:
    from ..report.render import write_reports, write_summary_png

    path, out, lang, peers, previous, templates, trend, earlier, png = job
    a = assess(path)
    adoption = stored_adoption(a, previous, earlier)
    options: dict[str, Any] = {
        "lang": lang,
        "peers": peers,
        "previous": previous,
        "template_dir": templates,
    }
    written = list(write_reports(a, out, trend=trend, adoption=adoption, **options).values())
    if png:
        written.append(write_summary_png(a, out, **options))
    return a.card.firm.credit_code, [p.name for p in written]


class _Manifest:
    """Which firms' reports in a folder are finished, and from which inputs (for resuming)."""

    def __init__(self, out: Path, period: str, lang: Lang) -> None:
        self.path = out / f".dtm-batch-{period}-{lang}.json"
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def finished(self, code: str, key: str, out: Path) -> bool:
        entry = self.entries.get(code)
        return bool(
            entry and entry["key"] == key and all((out / name).is_file() for name in entry["files"])
        )

    def record(self, code: str, key: str, files: list[str]) -> None:
        self.entries[code] = {"key": key, "files": files}
        text = json.dumps(self.entries, sort_keys=True, indent=1)
        write_atomic(self.path, text.encode("utf-8"))


def _clean_partial_files(folder: Path, period: str, lang: Lang) -> None:
    """Temporary files left by a killed run of this period and language; never a final name,
    and never another run's (another period's or language's) files being written now."""
    for stale in folder.glob(f".*{period}*.part"):
        final = stale.name[1:].rsplit(".", 2)[0]  # `.NAME.XXXX.part` → NAME
        ours = (
            final.endswith((f"-{lang}.pdf", f"-summary-{lang}.png"))  # firm reports, park reports
            or final.startswith(f"results-{period}.")
            or final == f".dtm-batch-{period}-{lang}.json"[1:]
            or (lang == "zh" and final == f"park-{period}.pdf")
        )
        if ours:
            stale.unlink(missing_ok=True)


def run_batch(
    folder: StrPath,
    *,
    period: str,
    out: StrPath,
    store: Store,
    workers: int | None = None,
    lang: Lang = "zh",
    force: bool = False,
    render: bool = True,
    register: StrPath | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    template_dir: StrPath | None = None,
    imported_at: datetime | None = None,
    services: StrPath | None = None,
    progress: Callable[[int, int], None] | None = None,
    png: bool = False,
) -> BatchResult:
    """Check, store and report on every answer file of one period in `folder`.

    Bad files are listed with all their problems and the good ones go on. Reports whose inputs
    are unchanged since a finished earlier run are kept (`force=True` renders them again).
    `png=True` writes each firm's one-page summary as a PNG beside its PDFs.
    """
    out, folder = Path(out), Path(folder)
    template_dir = Path(template_dir) if template_dir is not None else None
    if template_dir is not None and not template_dir.is_dir():
        raise UsageError(f"{template_dir}: no such folder of templates (--templates)")
    if render:
        from ..report.pdf import check_renderer

        check_renderer()
    result, good, hashes, register = take_in(
        folder, period, out, store, register, park, services, imported_at
    )
    if not render:
        return result
    out.mkdir(parents=True, exist_ok=True)
    firms = out / "firms"
    firms.mkdir(exist_ok=True)
    _clean_partial_files(out, period, lang)
    _clean_partial_files(firms, period, lang)
    inputs = period_inputs(store, period)
    manifest = _Manifest(firms, period, lang)
    jobs, keys = [], {}
    extra = ("png",) if png else ()
    for path, a in good:
        code, industry = a.card.firm.credit_code, a.card.firm.industry
        peers, prior, trend, earlier = inputs.firm(code, industry)
        keys[code] = inputs.key(code, industry, hashes[code], template_dir, *extra)
        if not force and manifest.finished(code, keys[code], firms):
            result.skipped.append(code)
            continue
        jobs.append((path, firms, lang, peers, prior, template_dir, trend, earlier, png))
    done = len(result.skipped)
    if progress:
        progress(done, len(good))
    if jobs:
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        for job, outcome in run_all(_render_job, jobs, count):
            if isinstance(outcome, Exception):  # one firm failing late must not stop the quarter
                result.failures.append(Failure(job[0], [_late(job[0], outcome)]))
            else:
                code, names = outcome
                manifest.record(code, keys[code], names)
                result.rendered.append(code)
            done += 1
            if progress:
                progress(done, len(good))
    result.rendered.sort()
    result.files.update(
        write_park_outputs(
            store,
            period,
            out,
            lang=lang,
            register=register,
            park=park,
            tiers=tiers,
            template_dir=template_dir,
            problems=result.warnings,
            history=inputs.history,
        )
    )
    return result


def _late(path: Path, exc: BaseException) -> str:
    """One line for a firm that failed while its reports were rendered."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    if not isinstance(exc, DtmError):  # an unexpected error: its kind helps the one who reports it
        reason = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    return printable(f"{path}: its reports could not be written ({reason})")


def write_park_outputs(
    store: Store,
    period: str,
    out: Path,
    *,
    lang: Lang = "zh",
    register: Path | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    template_dir: Path | None = None,
    problems: list[str] | None = None,
    history: History | None = None,
) -> dict[str, Path]:
    """The park report, the results workbook and CSV of a stored period.

    The park is named by `park`, else by the register's `park` column; never by a firm's answers.
    With `problems` given, a park report that cannot be rendered is a line there and the exports
    are still written; without it, the error is raised. `history` is every stored period's
    cards up to `period` (read from the store when not given), for the trends.
    """
    from ..park import export
    from ..park.export_periods import period_tables
    from ..park.gather import period_summary
    from ..park.summary import read_register, register_park, summarise
    from ..park.worksummary_sheet import work_summary_sheet
    from ..report.park_report import render_park

    cards = store.cards(period)
    before = store.previous_period(period)
    previous = store.cards(before) if before else []
    recs = store.recommendations(period)
    firms = read_register(register) if register else None
    if history is None:
        history = stored_history(store, period)
    summary = summarise(
        cards,
        previous=previous,
        recommendations=recs,
        register=firms,
        tiers=tiers,
        park=park or (register_park(register, firms) if register and firms else None),
        history=history,
    )
    summary.work = period_summary(
        store,
        period,
        register=firms,
        park=summary.park,
        tiers=tiers,
        shortlist=summary.shortlist,
    )
    paths = {
        "park": out / (f"park-{period}.pdf" if lang == "zh" else f"park-{period}-{lang}.pdf"),
    }
    try:
        write_atomic(paths["park"], render_park(summary, lang=lang, template_dir=template_dir))
    except Exception as exc:
        if problems is None:
            raise
        problems.append(_late(paths["park"], exc))
        del paths["park"]
    recommended = {p: recs if p == period else store.recommendations(p) for p in history}
    csv_path, xlsx_path = export.write_results(
        out,
        period,
        summary.cards,
        summary.previous,
        summary.recommendations,
        lang=lang,
        by_industry=summary.by_industry,
        cohorts=summary.cohorts,
        periods=period_tables(history, recommended, lang=lang),
        extra_sheets=[work_summary_sheet(summary.work)],
    )
    paths.update(csv=csv_path, xlsx=xlsx_path)
    return paths
