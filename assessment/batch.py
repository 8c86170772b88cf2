"""A park's quarter in one run: check every answer file, store, render in parallel, summarise."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .collect.grid import TABLE_SUFFIXES
from .errors import DtmError, UsageError, ValidationFailed, printable
from .models.common import Lang, StrPath
from .models.results import Recommendation, ScoreCard
from .peers import PeerAverages, peer_averages
from .pipeline import Assessment, answer_files, assess, catalogue_for
from .programme.adoption import FirmAdoption, firm_adoption
from .programme.services import read_services
from .store import Store
from .store.services import ServicesSaved, save_services
from .trends import FirmTrend, History, firm_trends, stored_history

RECYCLE_AFTER = 40  # renders per worker process: WeasyPrint's memory creeps up slowly


@dataclass(frozen=True)
class Failure:
    """An input that could not be used, and every reason why."""

    path: Path
    reasons: list[str]


@dataclass
class BatchResult:
    period: str
    out: Path
    stored: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    services: ServicesSaved | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def table_answer_files(table: Path, out: Path, period: str) -> tuple[list[Path], list[Failure]]:
    """The good rows of a workbook or CSV, each written as a canonical answer file under
    `out/.rows-<period>/` (so a row's hash is its answers', and reports are redone only when they
    change); each bad row is a Failure listing its problems with their cells."""
    from .collect.answerfile import dump_answers
    from .collect.importer import answer_file_path, guess_questionnaire, import_table

    report = import_table(table, guess_questionnaire(table), period=period)
    failures = [Failure(table, [str(p)]) for p in report.sheet_problems]
    for row in report.imported.failed_rows:
        number = re.sub(r"\D", "", row.ref.rpartition("!")[2])
        at_row = re.compile(rf"[:!][A-Z]*{number}$")
        reasons = [str(p) for p in report.imported.problems if at_row.search(p.location.path)]
        failures.append(Failure(Path(f"{table}:{row.ref}"), reasons))
    rows = out / f".rows-{period}"
    files = []
    for _, sheet in report.imported.sheets:
        path = answer_file_path(rows, sheet)
        data = dump_answers(sheet).encode("utf-8")
        if not (path.exists() and path.read_bytes() == data):
            write_atomic(path, data)
        files.append(path)
    return files, failures


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def render_key(
    source: str | None,
    peers: PeerAverages,
    prior: ScoreCard | None,
    templates: Path | None,
    trend: FirmTrend | None = None,
    earlier: Sequence[Recommendation] | None = None,
    *extra: str,
) -> str:
    """What a firm's reports are made from: its file, its peers, last quarter, the templates, its
    trend and last quarter's recommendations (plus `extra` outputs such as the PNG); reports made
    from the same key need not be made again."""
    return _digest(
        source or "",
        repr(peers),
        prior.model_dump_json() if prior else "",
        str(templates or ""),
        repr(trend),
        json.dumps([r.scenario for r in earlier or []]),
        *extra,
    )


@dataclass(frozen=True)
class PeriodInputs:
    """What a period's firm reports are made from besides each firm's own answers, read from the
    store once per run: the park's averages by industry, last period's cards and recommendations,
    and every firm's scores over the stored periods."""

    peers: dict[str, PeerAverages]
    previous: dict[str, ScoreCard]
    earlier: dict[str, list[Recommendation]]
    history: History
    trends: dict[str, FirmTrend]

    def firm(
        self, code: str, industry: str
    ) -> tuple[PeerAverages, ScoreCard | None, FirmTrend | None, list[Recommendation] | None]:
        """A firm's peers, previous card, trend and last period's recommendations to it."""
        prior = self.previous.get(code)
        earlier = self.earlier.get(code) if prior else None
        return self.peers[industry], prior, self.trends.get(code), earlier

    def key(
        self, code: str, industry: str, source: str | None, templates: Path | None, *extra: str
    ) -> str:
        """The firm's render key (see `render_key`)."""
        peers, prior, trend, earlier = self.firm(code, industry)
        return render_key(source, peers, prior, templates, trend, earlier, *extra)


def period_inputs(store: Store, period: str) -> PeriodInputs:
    """Read a period's `PeriodInputs` from the store."""
    cards = store.cards(period)
    before = store.previous_period(period)
    history = stored_history(store, period)
    # The park's averages once per industry, not once per firm: a park has thousands of firms.
    return PeriodInputs(
        peers={i: peer_averages(cards, i) for i in {c.firm.industry for c in cards}},
        previous={c.firm.credit_code: c for c in store.cards(before)} if before else {},
        earlier=dict(store.recommendations(before)) if before else {},
        history=history,
        trends=firm_trends(history),
    )


def source_hash(path: Path, a: Assessment) -> str:
    """What a stored result depends on: the file's bytes and the questionnaire's content."""
    return _digest(path.read_bytes(), a.questionnaire.content_hash)


def load_all(
    files: Sequence[Path], period: str
) -> tuple[list[tuple[Path, Assessment]], list[Failure]]:
    """Assess every file; each bad one becomes a Failure and the good ones go on."""
    good: list[tuple[Path, Assessment]] = []
    failures: list[Failure] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            a = assess(path)
        except ValidationFailed as exc:
            failures.append(Failure(path, [str(p) for p in exc.problems]))
            continue
        except DtmError as exc:
            failures.append(Failure(path, [f"{path}: {exc}"]))
            continue
        code = a.card.firm.credit_code
        if a.card.period != period:
            failures.append(
                Failure(
                    path,
                    [
                        f"{path}: the file is for {a.card.period}, not "
                        f"{period} (check 'period:' or --period)"
                    ],
                )
            )
        elif code in seen:
            failures.append(
                Failure(
                    path,
                    [
                        f"{path}: {code} is already assessed in "
                        f"{seen[code]} for {period}; keep one file"
                    ],
                )
            )
        else:
            seen[code] = path
            good.append((path, a))
    return good, failures


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


def stored_adoption(
    a: Assessment, previous: ScoreCard | None, earlier: list[Recommendation] | None
) -> FirmAdoption | None:
    """What the firm adopted of the scenarios recommended to it in the previous period."""
    if previous is None or not earlier:
        return None
    catalogue = catalogue_for(a.questionnaire)
    return firm_adoption(
        earlier, a.card, a.recommendations, before=previous.period, catalogue=catalogue
    )


def _render_job(job: RenderJob) -> tuple[str, list[str]]:
    from .report.render import write_reports, write_summary_png

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
        from .report.pdf import check_renderer

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
        context = multiprocessing.get_context("spawn")
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        with ProcessPoolExecutor(
            count, mp_context=context, max_tasks_per_child=RECYCLE_AFTER
        ) as pool:
            futures = {pool.submit(_render_job, job): job[0] for job in jobs}
            for future in as_completed(futures):
                try:
                    code, names = future.result()
                except Exception as exc:  # one firm failing late must not stop the quarter
                    result.failures.append(Failure(futures[future], [_late(futures[future], exc)]))
                else:
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


def take_in(
    folder: Path,
    period: str,
    out: Path,
    store: Store,
    register: StrPath | None,
    park: str | None,
    services: StrPath | None,
    imported_at: datetime | None = None,
) -> tuple[BatchResult, list[tuple[Path, Assessment]], dict[str, str], Path | None]:
    """Read the optional inputs first, so a bad one is known now and not after an hour, then
    check and store the quarter (see `store_quarter`) and its services register. Returns the
    result so far, the good files with their source hashes, and the register when it reads."""
    registered, register_problem = checked_register(register, park)
    # A services register with mistakes stops the run here: stored support must be all of it.
    support = read_services(Path(services), period=period) if services is not None else None
    result = BatchResult(period, out)
    if register_problem:
        result.warnings.append(register_problem)
    good, hashes = store_quarter(folder, period, out, store, result, imported_at)
    if support is not None:
        result.services = save_services(store, period, support, imported_at=imported_at)
    return result, good, hashes, registered


def store_quarter(
    folder: Path,
    period: str,
    out: Path,
    store: Store,
    result: BatchResult,
    imported_at: datetime | None = None,
) -> tuple[list[tuple[Path, Assessment]], dict[str, str]]:
    """Check every answer file (or table row) and store the good ones; the bad ones become
    failures in `result`. Returns the good ones and their source hashes by credit code."""
    if folder.is_file() and folder.suffix.lower() in TABLE_SUFFIXES:
        files, failures = table_answer_files(folder, out, period)
        good, more = load_all(files, period)
        failures += more
    else:
        good, failures = load_all(answer_files(folder), period)
    result.failures.extend(failures)
    hashes = {a.card.firm.credit_code: source_hash(path, a) for path, a in good}
    for _, a in good:
        code = a.card.firm.credit_code
        store.save(a, source_hash=hashes[code], imported_at=imported_at)
        result.stored.append(code)
    return good, hashes


def _late(path: Path, exc: BaseException) -> str:
    """One line for a firm that failed while its reports were rendered."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    if not isinstance(exc, DtmError):  # an unexpected error: its kind helps the one who reports it
        reason = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    return printable(f"{path}: its reports could not be written ({reason})")


def checked_register(register: StrPath | None, park: str | None) -> tuple[Path | None, str]:
    """The register when it reads; otherwise None and the one line that says why."""
    from .park import read_register, register_park

    if register is None:
        return None, ""
    path = Path(register)
    try:
        firms = read_register(path)
        if park is None:
            register_park(path, firms)
    except DtmError as exc:
        return None, f"{exc} (the register is left out of this run)"
    return path, ""


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
    from . import export
    from .export_periods import period_tables
    from .park import read_register, register_park, summarise
    from .programme.gather import period_summary
    from .programme.sheet import work_summary_sheet
    from .report.park_report import render_park

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
