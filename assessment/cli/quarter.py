"""A park's quarter: `dtm batch` (at once or queued), `dtm worker` and `dtm demo`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import printable
from ..files.atomic import writable_folder
from .common import (
    DbOption,
    LangOption,
    app,
    check_lang,
    check_period,
    check_tiers,
    check_workers,
    fail,
    run,
)
from .lang import _, say

if TYPE_CHECKING:
    from ..models.common import Lang


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
        typer.Option(
            "--park",
            help="The park's name for the park report (else the register's); with --status, "
            "the park whose run to show (needed when several were queued).",
        ),
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
    from ..batch.run import run_batch
    from ..store import Store
    from .console import batch_progress, print_batch

    if status is not None:
        _batch_status(db, check_period(status, "--status"), park)
        return
    if folder is None or period is None or out is None:
        raise fail(_("dtm batch needs FOLDER, --period and --out (or --status PERIOD)"))
    period = check_period(period, "--period")
    code, counts = check_lang(lang), check_tiers(tiers)
    if queue and png:
        raise fail(_("--png is not made by queued workers; run dtm batch --png without --queue"))
    if queue:
        _queue_batch(
            folder, period, out, db, code, force, register, park, counts, templates, services
        )
        return
    check_workers(workers)
    if not no_render:  # nothing is written to --out when the quarter is only stored
        run(lambda: writable_folder(out))
    if templates is not None and not templates.is_dir():
        raise fail(_("%(path)s: no such folder of templates (--templates)", path=templates))

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

    result = run(work)
    print_batch(result)
    raise typer.Exit(result.exit_code)


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
    from ..queue import queue_batch
    from ..store import Store, resolve_url
    from .console import print_batch

    if resolve_url(db).startswith("sqlite"):  # said before a store is made or changed
        raise fail(
            _(
                "--queue needs a PostgreSQL store (--db postgresql+psycopg://user@host/db, "
                "or $DTM_DB); a SQLite store serves one machine: run dtm batch without --queue"
            )
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

    queued = run(work)
    print_batch(queued.result)
    named = f" --park {queued.park}" if queued.park is not None else ""
    typer.echo(
        _(
            "queued run %(run)s: %(firms)s firms for `dtm worker`; follow it with %(command)s",
            run=queued.run_id,
            firms=len(queued.queued),
            command=f"`dtm batch --status {period}{named}`",
        )
    )
    raise typer.Exit(queued.exit_code)


def _batch_status(db: str | None, period: str, park: str | None) -> None:
    from ..queue import queue_status
    from ..store import Store
    from .console import print_queue_status

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return queue_status(store, period, park)

    found = run(work)
    print_queue_status(found)
    raise typer.Exit(1 if found.failed else 0)


@app.command()
def worker(
    db: DbOption = None,
    heartbeat: Annotated[
        float,
        typer.Option(
            "--heartbeat",
            help="Seconds between heartbeats; a worker silent for four is taken as dead.",
        ),
    ] = 10.0,
) -> None:
    """Render queued firms (from `dtm batch --queue`) into the store until stopped; run one
    per core, on any machine that reaches the database.

    Every worker needs only the PostgreSQL store's URL: the reports are kept in the store and
    written to a folder with `dtm export-reports`. SIGTERM or Ctrl+C stops it after the job in
    hand; a killed worker's job is taken up by another.
    Example: dtm worker --db postgresql+psycopg://dtm@db/park
    """
    import logging
    import signal

    from ..queue import run_worker
    from ..queue.tasks import open_store

    if not 0.1 <= heartbeat <= 600:
        raise fail(_("--heartbeat must be from 0.1 to 600 seconds, not %(value)s", value=heartbeat))
    from ..queue.tasks import OneLineOutages

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLineOutages())

    def waiting(message: str) -> None:
        typer.echo(printable(say(message)), err=True)

    def stop(_signum: int, _frame: object) -> None:
        raise typer.Exit(0)  # nothing in hand yet: a worker waiting for its database just ends

    def work() -> None:
        before = signal.signal(signal.SIGTERM, stop)
        try:
            store = open_store(db, waiting=waiting)
        finally:
            signal.signal(signal.SIGTERM, before)
        with store:
            run_worker(store, heartbeat=heartbeat)

    run(work)


@app.command("export-reports")
def export_reports(
    period: Annotated[str, typer.Option("--period", "-p", help="The quarter, e.g. 2026Q3.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the reports into.")],
    db: DbOption = None,
    park: Annotated[
        str | None, typer.Option("--park", help="Only this park's reports (default: every park).")
    ] = None,
) -> None:
    """Write a quarter's stored reports (firms' PDFs and PNGs, park reports and exports) into a
    folder, each file atomically: firms' into DIR/firms, each park's into DIR (one park) or
    DIR/<park> (several).

    Example: dtm export-reports --period 2026Q3 --out reports/2026Q3 --db postgresql+psycopg://dtm@db/district
    """
    from ..batch.export import export_period
    from ..store import EVERY_PARK, Store

    chosen = check_period(period, "--period")
    run(lambda: writable_folder(out))

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return export_period(store, chosen, out, EVERY_PARK if park is None else park)

    written = run(work)
    typer.echo(
        _(
            "%(period)s: %(count)s files written to %(out)s",
            period=chosen,
            count=len(written),
            out=out,
        )
    )


@app.command("close-quarter")
def close_quarter(
    period: Annotated[str, typer.Argument(help="The quarter to close, e.g. 2026Q3.")],
    db: DbOption = None,
    park: Annotated[
        str | None,
        typer.Option("--park", help="The park whose quarter closes (needed when several)."),
    ] = None,
) -> None:
    """Close a park's quarter: its park and industry averages are frozen as printed today.

    Answers corrected later re-render the corrected firm only, against the frozen figures, and
    its report says so. Closing is for good (a second close is refused).
    Example: dtm close-quarter 2026Q3 --park 苏州吴淞江科技产业园
    """
    from ..batch.export import close_park_quarter
    from ..store import Store

    chosen = check_period(period, "PERIOD")

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return close_park_quarter(store, chosen, park)

    closed, industries = run(work)
    name = closed.park or _("firms naming no park")
    typer.echo(
        _(
            "%(period)s of %(park)s closed: averages of %(count)s industries frozen as printed",
            period=chosen,
            park=name,
            count=industries,
        )
    )


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
    from ..batch.demo import run_demo
    from .console import batch_progress, print_batch, print_demo

    code = check_lang(lang)
    check_workers(workers)
    run(lambda: writable_folder(out))

    def work() -> Any:
        with batch_progress() as progress:
            return run_demo(out, lang=code, workers=workers, progress=progress, png=png)

    results = run(work)
    for result in results:
        print_batch(result)
    print_demo(results[-1], out)
