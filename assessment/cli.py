"""The `dtm` command line: thin commands over the library, one clear line per user mistake."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .atomic import writable_folder
from .errors import DtmError, ValidationFailed, printable

if TYPE_CHECKING:
    from .models.common import Lang

app = typer.Typer(
    help="Diagnose small manufacturers' digital transformation: validate, score, recommend.\n\n"
    "The store is --db URL, else $DTM_DB, else dtm.db in the working folder; only dtm batch "
    "makes one.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help formatter alone takes longer to import than the rest of `dtm --help`.
    rich_markup_mode=None,
)
_state = {"debug": False}
T = TypeVar("T")

LangOption = Annotated[str, typer.Option("--lang", help="Report language: zh or en.")]
QuestionnaireOption = Annotated[
    str | None,
    typer.Option(
        "--questionnaire", "-q", help="A path or shipped id; default: the one the file names."
    ),
]
CatalogueOption = Annotated[
    str | None,
    typer.Option("--catalogue", "-c", help="Scenario catalogue (path or shipped id)."),
]


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _state["debug"] = debug


def _lang(lang: str) -> Lang:
    from .models.common import LANGS  # pydantic is not needed for `dtm --help`

    if lang not in LANGS:
        raise _fail(f"Error: --lang must be zh or en, not {lang!r}")
    return lang


def _check_workers(workers: int | None) -> None:
    if workers is not None and not 1 <= workers <= 256:
        raise _fail(f"Error: --workers must be from 1 to 256, not {workers} (omit it: one per CPU)")


def _fail(message: str) -> typer.Exit:
    typer.echo(printable(message), err=True)
    return typer.Exit(2)


def _run(action: Callable[[], T]) -> T:
    """Run library code; a user-facing error becomes its lines on stderr and exit code 2."""
    try:
        return action()
    except ValidationFailed as exc:
        if _state["debug"]:
            raise
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    except DtmError as exc:
        if _state["debug"]:
            raise
        raise _fail(f"Error: {exc}") from None


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Questionnaires, catalogues or answer files.")
    ],
    questionnaire: Annotated[
        str | None,
        typer.Option(
            "--questionnaire",
            "-q",
            help="Check answers and catalogues against this questionnaire (a path or shipped id).",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix", help="Rewrite answers given as labels with their ids, keeping comments."
        ),
    ] = False,
) -> None:
    """Check files and list every problem as FILE:LINE:COL: CODE message (hint).

    Answers may name a choice by its label in either language, and numbers may be typed with
    full-width digits; `--fix` rewrites such answers in place with canonical ids.
    Example: dtm validate questionnaires/park_quick_scan.yaml answers.yaml --fix
    """
    from . import loader

    q = _run(lambda: loader.load_questionnaire(questionnaire)) if questionnaire else None
    bad = 0
    for path in files:
        if fix:
            from .collect.fix import fix_answer_file

            fixed = _run(lambda path=path: fix_answer_file(path, q))  # type: ignore[misc]
            if fixed.written:
                typer.echo(f"{path}: wrote ids for {', '.join(fixed.changed)}")
        checked = loader.check_file(path, q)
        for problem in checked.problems.problems:
            typer.echo(str(problem), err=True)
        if checked.problems:
            bad += 1
        elif checked.relabelled:
            typer.echo(
                f"{path}: ok ({checked.kind}; {len(checked.relabelled)} given as labels or "
                "typed loosely: --fix writes their ids)"
            )
        else:
            typer.echo(f"{path}: ok ({checked.kind})")
    if bad:
        raise typer.Exit(2)


@app.command("score")
def score_command(
    answers: Annotated[Path, typer.Argument(help="An answer file (YAML or JSON).")],
    questionnaire: QuestionnaireOption = None,
    catalogue: CatalogueOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    partial: Annotated[
        bool,
        typer.Option("--partial", help="Allow missing answers (a draft); they lower coverage."),
    ] = False,
) -> None:
    """Score one firm and show its level, dimension scores and recommended scenarios.

    Example: dtm score examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml --json
    """
    from .pipeline import assess

    result = _run(
        lambda: assess(answers, questionnaire=questionnaire, catalogue=catalogue, partial=partial)
    )
    if as_json:
        document = result.to_document().model_dump(mode="json")
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        from .console import print_assessment

        print_assessment(result)


@app.command()
def report(
    answers: Annotated[Path, typer.Argument(help="An answer file (YAML or JSON).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the two PDFs.")],
    lang: LangOption = "zh",
    questionnaire: QuestionnaireOption = None,
    catalogue: CatalogueOption = None,
    peers: Annotated[
        Path | None,
        typer.Option(
            "--peers",
            help="A folder of answer files of the same period: draws park and industry averages.",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous", help="The firm's answer file from an earlier period: shows the change."
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", help="A folder of templates that override the shipped ones by name."
        ),
    ] = None,
    png: Annotated[
        bool,
        typer.Option("--png", help="Also the one-page summary as a PNG for phones (1080 px wide)."),
    ] = False,
) -> None:
    """Write the firm's diagnosis report and demonstration-scenario report as PDFs.

    With --png, the diagnosis report's one-page summary is written as a PNG too.
    Example: dtm report answers.yaml --out reports --lang en --png
    """
    from .pipeline import adoption_since, assess, earlier_card, peer_group
    from .report.render import write_reports, write_summary_png

    code = _lang(lang)

    def work() -> dict[str, Path]:
        result = assess(answers, questionnaire=questionnaire, catalogue=catalogue)
        before = earlier_card(result, previous) if previous else None
        adopted = adoption_since(result, previous, catalogue) if previous else None
        group = peer_group(result, peers) if peers is not None else None
        options: dict[str, Any] = {
            "lang": code,
            "peers": group,
            "previous": before,
            "template_dir": templates,
        }
        reports = write_reports(result, out, adoption=adopted, **options)
        written = {str(k): p for k, p in reports.items()}
        if png:
            written["summary"] = write_summary_png(result, out, **options)
        return written

    for kind, path in _run(work).items():
        typer.echo(f"{kind}: {path}")


@app.command()
def schema(
    kind: Annotated[
        str | None,
        typer.Argument(help="questionnaire, catalogue, answers or result; all when omitted."),
    ] = None,
) -> None:
    """Print the JSON Schema of the questionnaire, catalogue and answer formats, or of the
    JSON result (`dtm score --json`).

    Example: dtm schema questionnaire > questionnaire.schema.json
    """
    from .schema import SCHEMAS, all_schemas, dumps, schema_of

    if kind is not None and kind not in SCHEMAS:
        raise _fail(f"Error: no schema '{kind}' (use one of {', '.join(SCHEMAS)})")
    typer.echo(dumps(schema_of(kind) if kind else all_schemas()), nl=False)


@app.command()
def blank(
    questionnaire: Annotated[str, typer.Argument(help="A path or shipped id.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here, not stdout.")] = None,
    lang: LangOption = "zh",
) -> None:
    """Write an empty answer file, every question's text and choices in comments.

    Example: dtm blank park_quick_scan --out answers.yaml
    """
    from . import loader
    from .atomic import write_new
    from .blank import blank_answers

    q = _run(lambda: loader.load_questionnaire(questionnaire))
    text = blank_answers(q, _lang(lang))
    if out is None:
        typer.echo(text, nl=False)
    else:
        _run(lambda: write_new(out, text.encode("utf-8")))
        typer.echo(f"wrote {out}")


@app.command()
def template(
    questionnaire: Annotated[str, typer.Argument(help="A path or shipped id.")],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write an Excel/WPS workbook to fill in.")
    ] = None,
    wjx: Annotated[
        Path | None, typer.Option("--wjx", help="Write the text that 问卷星's 文本导入 reads.")
    ] = None,
    xlsform: Annotated[
        Path | None, typer.Option("--xlsform", help="Write an XLSForm for ODK Collect / Kobo.")
    ] = None,
    lang: LangOption = "zh",
    firms: Annotated[
        int, typer.Option("--firms", help="Rows made ready for this many firms (workbook).")
    ] = 50,
) -> None:
    """Write the questionnaire as a workbook, 问卷星 text or an XLSForm to collect answers.

    An existing file is never replaced. Example: dtm template park_quick_scan --xlsx park.xlsx
    """
    chosen = [p for p in (xlsx, wjx, xlsform) if p is not None]
    if len(chosen) != 1:
        raise _fail("Error: give exactly one of --xlsx FILE, --wjx FILE, --xlsform FILE")
    if not 1 <= firms <= 10_000:
        raise _fail(f"Error: --firms must be from 1 to 10000, not {firms}")
    from . import loader
    from .collect.templates import TemplateKind, write_template

    code = _lang(lang)
    q = _run(lambda: loader.load_questionnaire(questionnaire))

    kind: TemplateKind = "xlsx" if xlsx else "wjx" if wjx else "xlsform"
    notes = _run(lambda: write_template(q, kind, chosen[0], lang=code, firms=firms))
    for note in notes:
        typer.echo(str(note), err=True)
    typer.echo(f"wrote {chosen[0]}")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A workbook or CSV: ours, 问卷星's or ODK/Kobo's.")],
    questionnaire: QuestionnaireOption = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="The quarter for rows that name none.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write OUT/<period>/<credit code>.yaml.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Also store the assessments (a store URL).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace answer files that differ.")
    ] = False,
    services: Annotated[
        bool,
        typer.Option(
            "--services", help="The table is a services register (服务台账), not answers."
        ),
    ] = False,
) -> None:
    """Read answers from a table, check every row, write answer files and/or store them.

    With --services the table is a quarter's services register: checked, and stored with --db.

    Every problem is listed as FILE:SHEET!CELL: CODE message (hint). Rows without problems are
    written even when others have some: exit 0 all good, 1 some rows left out, 2 none imported.
    Without --out or --db the table is only checked.
    Example: dtm import park.xlsx --out answers --db dtm.db
    """
    from . import loader
    from .collect.importer import (
        guess_questionnaire,
        import_table,
        store_sheets,
        write_answer_files,
    )
    from .store import Store

    if period is not None and not re.fullmatch(r"(19|20)\d\dQ[1-4]", period):
        raise _fail(f"Error: --period must look like 2026Q3, not {period!r}")
    if services:
        _import_services(file, period, db)
        return
    q = _run(
        lambda: (
            loader.load_questionnaire(questionnaire) if questionnaire else guess_questionnaire(file)
        )
    )
    report = _run(lambda: import_table(file, q, period=period))
    for problem in [*report.imported.warnings, *report.problems]:
        typer.echo(str(problem), err=True)
    sheets = [sheet for _, sheet in report.imported.sheets]
    if sheets and out is not None:
        written = _run(lambda: write_answer_files(sheets, out, force=force))
        typer.echo(f"wrote {len(written)} answer files under {out}")
    if sheets and db is not None:

        def save() -> list[str]:
            with Store.open(db) as store:
                return store_sheets(sheets, q, store)

        typer.echo(f"stored {len(_run(save))} assessments")
    failed = len(report.imported.failed_rows)
    typer.echo(
        f"{file}: {len(sheets)} firms read ({report.format}, {q.id}), {failed} rows with problems"
        + ("" if out or db else "; checked only (give --out or --db to keep them)")
    )
    raise typer.Exit(report.exit_code)


def _import_services(file: Path, period: str | None, db: str | None) -> None:
    from .programme.services import read_services
    from .store import Store
    from .store.services import save_services

    lines = _run(lambda: read_services(file, period=period))
    quarters = sorted({line.period for line in lines})
    if period is None and len(quarters) > 1:
        raise _fail(
            f"Error: {file}: the lines span {', '.join(quarters)}; a register is one quarter's "
            "(give --period, or split the file)"
        )
    quarter = period or quarters[0]
    if db is None:
        typer.echo(f"{file}: {len(lines)} lines for {quarter}; checked only (give --db to store)")
        return

    def save() -> Any:
        with Store.open(db) as store:
            return save_services(store, quarter, lines)

    saved = _run(save)
    typer.echo(
        f"{file}: {len(lines)} lines for {quarter} {saved.action} (revision {saved.revision})"
    )


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (SQLAlchemy); default: $DTM_DB, else dtm.db in this folder."
    ),
]


def _tiers(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise _fail(f"Error: --tiers must be three counts like 3,3,6, not {text!r}")
    a, b, c = (int(p) for p in parts)
    return a, b, c


@app.command()
def batch(
    folder: Annotated[
        Path | None,
        typer.Argument(help="A folder of answer files (YAML or JSON), or a workbook or CSV."),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="The quarter, e.g. 2026Q3.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for the reports and exports.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Processes rendering PDFs; default: one per CPU."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "zh",
    force: Annotated[bool, typer.Option("--force", help="Render again even if unchanged.")] = False,
    no_render: Annotated[
        bool,
        typer.Option("--no-render", help="Check and store only: for a past quarter, no PDFs."),
    ] = False,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register", help="The park's firm register (CSV) for coverage and the park's name."
        ),
    ] = None,
    park: Annotated[
        str | None,
        typer.Option("--park", help="The park's name for the park report (else the register's)."),
    ] = None,
    tiers: Annotated[
        str, typer.Option("--tiers", help="Shortlist sizes: leading,showcase,demonstration.")
    ] = "3,3,6",
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="A folder of templates that override the shipped ones."),
    ] = None,
    png: Annotated[
        bool,
        typer.Option("--png", help="Also the one-page summary as a PNG for phones (1080 px wide)."),
    ] = False,
    queue: Annotated[
        bool,
        typer.Option("--queue", help="Store, then queue one job per firm for `dtm worker`."),
    ] = False,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Show how far the queued quarter P has got, and stop."),
    ] = None,
    services: Annotated[
        Path | None,
        typer.Option("--services", help="The quarter's services register (CSV or XLSX) to store."),
    ] = None,
) -> None:
    """Check, store and report on a quarter: every firm's PDFs, the park report, XLSX and CSV.

    Exit 0 when every file succeeded, 1 when some failed (listed), 2 for bad usage. With --queue
    (PostgreSQL store) the firms are rendered by `dtm worker` on any number of machines.
    Example: dtm batch answers/2026Q3 --period 2026Q3 --out reports/2026Q3
    """
    from .batch import run_batch
    from .console import batch_progress, print_batch
    from .store import Store

    if status is not None:
        _batch_status(db, _period(status, "--status"))
        return
    if folder is None or period is None or out is None:
        raise _fail("Error: dtm batch needs FOLDER, --period and --out (or --status PERIOD)")
    period = _period(period, "--period")
    code, counts = _lang(lang), _tiers(tiers)
    if queue and png:
        raise _fail(
            "Error: --png is not made by queued workers; run dtm batch --png without --queue"
        )
    if queue:
        _queue_batch(
            folder, period, out, db, code, force, register, park, counts, templates, services
        )
        return
    _check_workers(workers)
    if not no_render:  # nothing is written to --out when the quarter is only stored
        _run(lambda: writable_folder(out))
    if templates is not None and not templates.is_dir():
        raise _fail(f"Error: {templates}: no such folder of templates (--templates)")

    def work() -> Any:
        with Store.open(db) as store, batch_progress() as progress:
            return run_batch(
                folder,
                period=period,
                out=out,
                store=store,
                workers=workers,
                lang=code,
                force=force,
                render=not no_render,
                register=register,
                park=park,
                tiers=counts,
                template_dir=templates,
                progress=progress,
                png=png,
                services=services,
            )

    result = _run(work)
    print_batch(result)
    raise typer.Exit(result.exit_code)


def _period(text: str, option: str) -> str:
    if not re.fullmatch(r"(19|20)\d\dQ[1-4]", text):
        raise _fail(f"Error: {option} must look like 2026Q3, not {text!r}")
    return text


def _queue_batch(
    folder: Path,
    period: str,
    out: Path,
    db: str | None,
    lang: Lang,
    force: bool,
    register: Path | None,
    park: str | None,
    tiers: tuple[int, int, int],
    templates: Path | None,
    services: Path | None,
) -> None:
    from .console import print_batch
    from .queue import queue_batch
    from .store import Store, resolve_url

    if resolve_url(db).startswith("sqlite"):  # said before a store is made or changed
        raise _fail(
            "Error: --queue needs a PostgreSQL store (--db postgresql+psycopg://user@host/db, "
            "or $DTM_DB); a SQLite store serves one machine: run dtm batch without --queue"
        )

    def work() -> Any:
        with Store.open(db) as store:
            return queue_batch(
                folder,
                period=period,
                out=out,
                store=store,
                lang=lang,
                force=force,
                register=register,
                park=park,
                tiers=tiers,
                template_dir=templates,
                services=services,
            )

    queued = _run(work)
    print_batch(queued.result)
    typer.echo(
        f"queued run {queued.run_id}: {len(queued.queued)} firms for `dtm worker`; "
        f"follow it with `dtm batch --status {period}`"
    )
    raise typer.Exit(queued.exit_code)


def _batch_status(db: str | None, period: str) -> None:
    from .console import print_queue_status
    from .queue import queue_status
    from .store import Store

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return queue_status(store, period)

    found = _run(work)
    print_queue_status(found)
    raise typer.Exit(1 if found.failed else 0)


@app.command()
def worker(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The shared folder for the reports and exports.")
    ],
    db: DbOption = None,
    heartbeat: Annotated[
        float,
        typer.Option(
            "--heartbeat",
            help="Seconds between heartbeats; a worker silent for four is taken as dead.",
        ),
    ] = 10.0,
) -> None:
    """Render queued firms (from `dtm batch --queue`) until stopped; run one per core, anywhere.

    Every worker points at the same PostgreSQL store and the same shared folder. SIGTERM or
    Ctrl+C stops it after the job in hand; a killed worker's job is taken up by another.
    Example: dtm worker --db postgresql+psycopg://dtm@db/park --out /srv/dtm/reports
    """
    import logging

    from .queue import run_worker
    from .store import Store

    if not 0.1 <= heartbeat <= 600:
        raise _fail(f"Error: --heartbeat must be from 0.1 to 600 seconds, not {heartbeat}")
    _run(lambda: writable_folder(out / "firms"))
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")

    def work() -> None:
        with Store.open(db, create=False) as store:
            run_worker(store, out, heartbeat=heartbeat)

    _run(work)


@app.command("list")
def list_command(
    period: Annotated[str | None, typer.Option("--period", "-p", help="Only this quarter.")] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Only this industry id, e.g. machinery.")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    services: Annotated[
        bool, typer.Option("--services", help="List the stored services registers instead.")
    ] = False,
) -> None:
    """List the stored assessments (current revisions), or with --services the support given.

    Example: dtm list --period 2026Q3 --industry machinery
    """
    from .console import print_stored
    from .store import Store

    if services:
        _list_services(period, db, as_json)
        return
    if industry is not None:
        _known_industry(industry)

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return store.list(period=period, industry=industry)

    records = _run(work)
    if as_json:
        from .console import stored_summary

        for record in records:
            typer.echo(json.dumps(stored_summary(record), ensure_ascii=False))
    else:
        print_stored(records, title="Stored assessments")
    damaged = sum(1 for record in records if record.problem is not None)
    if damaged:
        typer.echo(f"{damaged} stored assessments do not read back: see dtm check-store", err=True)


def _list_services(period: str | None, db: str | None, as_json: bool) -> None:
    from .programme.services import load_kinds
    from .store import Store
    from .store.services import service_periods, services

    def work() -> list[Any]:
        with Store.open(db, create=False) as store:
            periods = [period] if period else service_periods(store)
            return [(p, line) for p in periods for line in services(store, p)]

    lines = _run(work)
    labels = {k.id: k.label.zh for k in _run(load_kinds)}
    for p, line in lines:
        row = {
            "period": p,
            "credit_code": line.credit_code,
            "date": line.served_on.isoformat(),
            "kind": line.kind,
            "provider": line.provider,
            "amount": line.amount,
            "note": line.note,
        }
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            amount = "" if line.amount is None else f"{line.amount:g} 万元"
            typer.echo(
                printable(
                    f"{p}  {line.credit_code}  {row['date']}  {labels.get(line.kind, line.kind)}"
                    f"  {line.provider}  {amount}  {line.note}".rstrip()
                )
            )
    if not as_json:
        typer.echo(f"{len(lines)} services lines", err=True)


@app.command("park-summary")
def park_summary(
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="The quarter, e.g. 2026Q3.")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="A year: its stored quarters added up.")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    register: Annotated[
        Path | None, typer.Option("--register", help="The park's firm register (CSV).")
    ] = None,
    park: Annotated[str | None, typer.Option("--park", help="The park's name.")] = None,
    tiers: Annotated[
        str, typer.Option("--tiers", help="Shortlist sizes: leading,showcase,demonstration.")
    ] = "3,3,6",
    lang: LangOption = "zh",
) -> None:
    """The park's work summary (工作简报) of a stored quarter or year: visited, assessed,
    willing, support by kind, scenarios adopted, level migrations, tiers, recognition candidates.

    Example: dtm park-summary --period 2026Q3 --json
    """
    from .park import read_register
    from .programme.gather import period_summary, year_summary
    from .store import Store

    if (period is None) == (year is None):
        raise _fail("Error: give either --period (like 2026Q3) or --year (like 2026)")
    if period is not None and not re.fullmatch(r"(19|20)\d\dQ[1-4]", period):
        raise _fail(f"Error: --period must look like 2026Q3, not {period!r}")
    if year is not None and not 1900 <= year <= 2099:
        raise _fail(f"Error: --year must be a year like 2026, not {year}")
    code, counts = _lang(lang), _tiers(tiers)

    def work() -> Any:
        firms = read_register(register) if register is not None else None
        with Store.open(db, create=False) as store:
            if period is not None:
                return period_summary(store, period, register=firms, park=park, tiers=counts)
            assert year is not None
            return year_summary(store, year, register=firms, park=park, tiers=counts)

    summary = _run(work)
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{summary.scope} ({', '.join(summary.periods)})")
    for f in summary.figures:
        value = "—" if f.value is None else f"{f.value:g}"
        of = "" if f.of is None else f" / {f.of}"
        share = "" if f.share is None else f" ({f.share:.1%})"
        typer.echo(printable(f"{f.label.get(code)}: {value}{of}{share} — {f.counts.get(code)}"))
    for k in summary.support:
        typer.echo(
            printable(f"  {k.label.get(code)}: {k.firms} firms, {k.lines} lines, {k.amount:g} 万元")
        )


@app.command()
def history(
    firm: Annotated[
        str, typer.Argument(help="The firm's unified social credit code, or part of its name.")
    ],
    db: DbOption = None,
) -> None:
    """Show every stored assessment of one firm, with earlier revisions.

    Example: dtm history 91320594MA1A3K7R2A, or dtm history 恒锐
    """
    from .console import print_stored
    from .store import Store

    def work() -> Any:
        with Store.open(db, create=False) as store:
            records = store.history(firm)
            named = [] if records else store.find_firms(firm)
            if len(named) == 1:
                records = store.history(named[0][0])
            return records, named

    records, named = _run(work)
    if not records:
        if named:
            found = "; ".join(f"{code} {name}" for code, name in named)
            raise _fail(f"Error: {len(named)} stored firms match {firm!r}: {found}; give one code")
        raise _fail(f"Error: no assessment of {firm} is stored (by credit code or name)")
    first = records[0]
    print_stored(records, title=f"History of {first.credit_code} {first.card.firm.name}")


def _known_industry(industry: str) -> None:
    from .errors import did_you_mean
    from .industries import INDUSTRIES

    if industry in INDUSTRIES:
        return
    starts = [i for i in INDUSTRIES if industry.lower() in i]
    hint = did_you_mean(industry, INDUSTRIES)
    if len(starts) == 1:
        hint = f"did you mean '{starts[0]}'?"
    raise _fail(
        f"Error: --industry {industry!r} is not an industry id; "
        + (hint or "industries: " + ", ".join(INDUSTRIES))
    )


@app.command("check-store")
def check_store(db: DbOption = None) -> None:
    """List stored assessments whose saved answers or result no longer read back.

    Exit 0 when none is damaged, 1 when some are (one line each).
    Example: dtm check-store --db dtm.db
    """
    from .store import Store

    def work() -> tuple[int, list[Any]]:
        with Store.open(db) as store:
            return store.count(), store.check()

    total, damaged = _run(work)
    for record in damaged:
        state = "current" if record.current else "superseded"
        typer.echo(
            printable(
                f"{record.credit_code} {record.period} revision {record.revision} ({state}): "
                f"{record.problem}"
            ),
            err=True,
        )
    typer.echo(f"{total} assessments stored, {len(damaged)} damaged")
    raise typer.Exit(1 if damaged else 0)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy a SQLite store, in use or not, into one file: assessments, revisions, evidence.

    A PostgreSQL store is backed up with pg_dump (docs/deploy.md).
    Example: dtm backup backups/park-2026-12-01.db --db park.db
    """
    from .store.backup import backup as copy_store

    summary = _run(lambda: copy_store(db, file, force=force))
    typer.echo(f"backed up {summary}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup file made by dtm backup.")],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that holds assessments.")
    ] = False,
) -> None:
    """Put a backup in place of a SQLite store; a store with data is replaced only with --force,
    and is kept beside it first.

    Stop `dtm serve` and any batch using the store before restoring.
    Example: dtm restore backups/park-2026-12-01.db --db park.db --force
    """
    from .store.backup import restore as put_back

    summary, kept = _run(lambda: put_back(file, db, force=force))
    typer.echo(f"restored {summary}")
    if kept is not None:
        typer.echo(f"the store it replaced is kept as {kept}")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond this machine needs a code.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    lang: Annotated[str, typer.Option("--lang", help="Interface language: zh or en.")] = "zh",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for finished answer files and PDFs.")
    ] = Path("assessments"),
) -> None:
    """Serve the web form for site visits, and the list of stored assessments.

    Any host other than this machine's (e.g. 0.0.0.0 for tablets on the same Wi-Fi) needs the
    access code printed here, also as a QR code. Once the store has accounts (`dtm user add`),
    everyone signs in instead and sees what their role allows.
    Example: dtm serve --host 0.0.0.0 --port 8765
    """
    from .serve import plan, qr_text, uses_accounts
    from .serve import serve as run_form
    from .store import resolve_url

    code = _lang(lang)
    accounts = _run(lambda: uses_accounts(db))
    how = _run(lambda: plan(host, port, accounts=accounts))
    url = resolve_url(db)
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else None
    typer.echo(f"dtm serve: open {how.url}")
    if how.access_code:
        typer.echo("Tablets on the same network: scan this code, or type the address above.")
        typer.echo(qr_text(how.url), nl=False)
    if accounts:
        typer.echo("Accounts: everyone signs in (manage them with `dtm user`).")
    typer.echo("Stop with Ctrl+C. Every change is saved as a draft in the store.")
    _run(lambda: run_form(how, db=db, out=out, lang=code, folder=folder, accounts=accounts))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the results.")] = Path("out"),
    lang: LangOption = "zh",
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Processes rendering PDFs; default: one per CPU."),
    ] = None,
    png: Annotated[
        bool,
        typer.Option("--png", help="Also each firm's one-page summary as a PNG for phones."),
    ] = False,
) -> None:
    """Run the whole pipeline on the shipped sample park: store both quarters, write every report.

    The demo keeps its own store, DIR/demo.db, made afresh on each run.
    Example: dtm demo --out out
    """
    from .console import batch_progress, print_batch, print_demo
    from .demo import run_demo

    code = _lang(lang)
    _check_workers(workers)
    _run(lambda: writable_folder(out))

    def work() -> Any:
        with batch_progress() as progress:
            return run_demo(out, lang=code, workers=workers, progress=progress, png=png)

    result = _run(work)
    print_batch(result)
    print_demo(result, out)


def _add_groups() -> None:
    from .cli_users import users

    app.add_typer(users, name="user")


_add_groups()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
