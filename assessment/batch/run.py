"""A park's quarter in one run: check every answer file, store, render in parallel, summarise."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from ..accounts.attestation import Attestation, attestation_of
from ..errors import N_, DtmError, UsageError, printable
from ..files.atomic import write_atomic
from ..models.common import Lang, StrPath
from ..models.results import Recommendation, ScoreCard, SupportGiven
from ..park.peers import PeerAverages
from ..park.trends import FirmTrend, History, stored_history
from ..store import EVERY_PARK, Scope, Store, StoredAssessment
from ..store.reports import StoredReport, report_keys, save_reports
from .firm import export_firm, firm_key, rebuilt, stored_record
from .inputs import digest, period_inputs, stored_adoption
from .intake import BatchResult, Failure, take_in
from .processes import run_all, slot_count

RenderJob = tuple[
    StoredAssessment,
    Path,
    Lang,
    PeerAverages,
    ScoreCard | None,
    Path | None,
    FirmTrend | None,
    list[Recommendation] | None,
    bool,
    Attestation | None,
    list[SupportGiven],
]


def _render_job(job: RenderJob) -> tuple[str, dict[str, bytes]]:
    from ..report.render import render_files

    record, path, lang, peers, previous, templates, trend, earlier, png, confirmed, given = job
    a = rebuilt(
        record, source=path, given=given
    )  # as stored; its evidence files beside the answer file
    files = render_files(
        a,
        lang=lang,
        peers=peers,
        previous=previous,
        template_dir=templates,
        trend=trend,
        adoption=stored_adoption(a, previous, earlier),
        png=png,
        confirmed=confirmed,
    )
    return a.card.firm.credit_code, files


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
        raise UsageError(
            N_("%(path)s: no such folder of templates (--templates)"), path=template_dir
        )
    if render:
        from ..report.pdf import check_renderer

        check_renderer()
        slot_count()  # a `$DTM_RENDER_SLOTS` that is not a count is said before any work
    intake = take_in(folder, period, out, store, register, park, services, imported_at)
    result = intake.result
    if not render:
        return result
    out.mkdir(parents=True, exist_ok=True)
    firms = out / "firms"
    firms.mkdir(exist_ok=True)
    _clean_partial_files(out, period, lang)
    _clean_partial_files(firms, period, lang)
    inputs = period_inputs(store, period, template_dir)
    done = report_keys(store, period, lang)
    jobs: list[RenderJob] = []
    keys, parks = {}, {}
    for path, a in intake.good:
        card = a.card
        code = card.firm.credit_code
        record = stored_record(store, code, period)
        confirmed = attestation_of(store, code, period)
        keys[code], parks[code] = firm_key(inputs, record, lang, png, confirmed), card.firm.park
        if not force and done.get(code, ("", []))[0] == keys[code]:
            export_firm(store, code, period, firms)  # back in the folder if it was removed
            result.skipped.append(code)
            continue
        peers, prior, trend, earlier = inputs.firm(
            code, card.firm.industry, card.firm.park, record.imported_at
        )
        given = inputs.given_to(code)
        jobs.append(
            (record, path, lang, peers, prior, template_dir, trend, earlier, png, confirmed, given)
        )
    finished = len(result.skipped)
    if progress:
        progress(finished, len(intake.good))
    if jobs:
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        for job, outcome in run_all(_render_job, jobs, count):
            if isinstance(outcome, Exception):  # one firm failing late must not stop the quarter
                result.failures.append(Failure(job[1], [_late(job[1], outcome)]))
            else:
                code, files = outcome
                reports = [
                    StoredReport(period, parks[code], name, lang, keys[code], data, code)
                    for name, data in files.items()
                ]
                save_reports(store, reports)
                export_firm(store, code, period, firms)
                result.rendered.append(code)
            finished += 1
            if progress:
                progress(finished, len(intake.good))
    result.rendered.sort()
    result.files.update(
        write_park_outputs(
            store,
            period,
            out,
            lang=lang,
            register=intake.register,
            park=park,
            scope=intake.park,
            tiers=tiers,
            template_dir=template_dir,
            problems=result.warnings,
            history=stored_history(store, period, intake.park),
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
    scope: Scope = EVERY_PARK,
    tiers: Sequence[int] = (3, 3, 6),
    template_dir: Path | None = None,
    problems: list[str] | None = None,
    history: History | None = None,
) -> dict[str, Path]:
    """The park report, the results workbook and CSV of a stored period, written into `out` and
    kept in the store.

    They cover the firms of one park: `scope` (the park the firms name; None for firms naming
    none), else `park`; every park's firms only when neither is given. The report's title is
    `park`, else the register's `park` column; never a firm's answers.
    With `problems` given, a park report that cannot be rendered is a line there and the exports
    are still written; without it, the error is raised. `history` is every stored period's
    cards up to `period` (read from the store when not given), for the trends.
    """
    from ..park import export
    from ..park.export_periods import period_tables
    from ..park.gather import period_summary, stored_firms
    from ..park.summary import read_register, register_park, summarise
    from ..park.worksummary_sheet import work_summary_sheet
    from ..report.park_report import render_park

    if scope is EVERY_PARK and park is not None:
        scope = park
    cards = store.cards(period, park=scope)
    before = store.previous_period(period, park=scope)
    previous = store.cards(before, park=scope) if before else []
    recs = store.recommendations(period, park=scope)
    firms = read_register(register) if register else None
    named = register_park(register, firms) if register and firms else None
    if firms is None and (stored := stored_firms(store, period)) is not None:
        firms, named = stored  # the register an earlier batch stored
    if history is None:
        history = stored_history(store, period, scope)
    summary = summarise(
        cards,
        previous=previous,
        recommendations=recs,
        register=firms,
        tiers=tiers,
        park=park or named,
        history=history,
    )
    summary.work = period_summary(
        store,
        period,
        register=firms,
        park=summary.park,
        scope=scope,
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
    recommended = {
        p: recs if p == period else store.recommendations(p, park=scope) for p in history
    }
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
    if scope is not EVERY_PARK:
        kept = [
            StoredReport(period, scope, p.name, lang, digest(p.read_bytes()), p.read_bytes())
            for p in paths.values()
        ]
        save_reports(store, kept)
    return paths
