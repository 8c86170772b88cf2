"""Commands that move answers in and out: `dtm template` and `dtm import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    LangOption,
    QuestionnaireOption,
    app,
    check_lang,
    check_period,
    fail,
    run,
)
from .lang import _, cli_lang, problem_line, remember_lang


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
        raise fail(_("give exactly one of --xlsx FILE, --wjx FILE, --xlsform FILE"))
    if not 1 <= firms <= 10_000:
        raise fail(_("--firms must be from 1 to 10000, not %(value)s", value=firms))
    from ..collect.templates import TemplateKind, write_template
    from ..engine import loader

    code = check_lang(lang)
    q = run(lambda: loader.load_questionnaire(questionnaire))

    kind: TemplateKind = "xlsx" if xlsx else "wjx" if wjx else "xlsform"
    notes = run(lambda: write_template(q, kind, chosen[0], lang=code, firms=firms))
    for note in notes:
        typer.echo(problem_line(note), err=True)
    typer.echo(_("wrote %(path)s", path=chosen[0]))


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
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of the problems: zh or en (default: $DTM_LANG, else the locale).",
            callback=remember_lang,
        ),
    ] = None,
) -> None:
    """Read answers from a table, check every row, write answer files and/or store them.

    With --services the table is a quarter's services register: checked, and stored with --db.

    Every problem is listed as FILE:SHEET!CELL: CODE message (hint). Rows without problems are
    written even when others have some: exit 0 all good, 1 some rows left out, 2 none imported.
    Without --out or --db the table is only checked.
    Problems are worded in the command's language: --lang, else $DTM_LANG, else the locale.
    Example: dtm import park.xlsx --out answers --db dtm.db
    """
    from ..batch.intake import store_sheets
    from ..collect.importer import guess_questionnaire, import_table, write_answer_files
    from ..engine import loader
    from ..store import Store

    if period is not None:
        check_period(period, "--period")
    words = check_lang(lang) if lang is not None else cli_lang()
    if services:
        _import_services(file, period, db)
        return
    q = run(
        lambda: (
            loader.load_questionnaire(questionnaire) if questionnaire else guess_questionnaire(file)
        )
    )
    report = run(lambda: import_table(file, q, period=period, lang=words))
    for problem in [*report.imported.warnings, *report.problems]:
        typer.echo(problem_line(problem), err=True)
    sheets = [sheet for _name, sheet in report.imported.sheets]
    if sheets and out is not None:
        written = run(lambda: write_answer_files(sheets, out, force=force))
        typer.echo(_("wrote %(count)s answer files under %(out)s", count=len(written), out=out))
    if sheets and db is not None:

        def save() -> list[str]:
            with Store.open(db) as store:
                return store_sheets(sheets, q, store, source=f"dtm import {file.name}")

        typer.echo(_("stored %(count)s assessments", count=len(run(save))))
    failed = len(report.imported.failed_rows)
    summary = _(
        "%(file)s: %(firms)s firms read (%(format)s, %(questionnaire)s), %(failed)s rows with "
        "problems",
        file=file,
        firms=len(sheets),
        format={
            "workbook": _("workbook"),
            "wjx": _("问卷星 download"),
            "odk": _("ODK/Kobo download"),
        }.get(report.format, report.format),
        questionnaire=q.id,
        failed=failed,
    )
    if not (out or db):
        summary += _("; checked only (give --out or --db to keep them)")
    typer.echo(summary)
    raise typer.Exit(report.exit_code)


def _import_services(file: Path, period: str | None, db: str | None) -> None:
    from ..collect.services import read_services
    from ..store import Store
    from ..store.services import save_services

    lines = run(lambda: read_services(file, period=period))
    quarters = sorted({line.period for line in lines})
    if period is None and len(quarters) > 1:
        raise fail(
            _(
                "%(file)s: the lines span %(periods)s; a register is one quarter's "
                "(give --period, or split the file)",
                file=file,
                periods=", ".join(quarters),
            )
        )
    quarter = period or quarters[0]
    if db is None:
        typer.echo(
            _(
                "%(file)s: %(lines)s lines for %(period)s; checked only (give --db to store)",
                file=file,
                lines=len(lines),
                period=quarter,
            )
        )
        return

    def save() -> Any:
        with Store.open(db) as store:
            return save_services(store, quarter, lines)

    saved = run(save)
    action = {"added": _("added"), "revised": _("revised"), "unchanged": _("unchanged")}
    typer.echo(
        _(
            "%(file)s: %(lines)s lines for %(period)s %(action)s (revision %(revision)s)",
            file=file,
            lines=len(lines),
            period=quarter,
            action=action.get(saved.action, saved.action),
            revision=saved.revision,
        )
    )
