"""Commands over one firm's files: `dtm validate`, `score`, `report`, `schema` and `blank`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    CatalogueOption,
    LangOption,
    QuestionnaireOption,
    ServicesOption,
    app,
    check_lang,
    fail,
    run,
)
from .lang import _, problem_line

if TYPE_CHECKING:
    from ..engine.pipeline import Assessment


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
    from ..engine import loader

    q = run(lambda: loader.load_questionnaire(questionnaire)) if questionnaire else None
    bad = 0
    for path in files:
        if fix:
            from ..collect.fix import fix_answer_file

            fixed = run(lambda path=path: fix_answer_file(path, q))  # type: ignore[misc]
            if fixed.written:
                typer.echo(
                    _("%(path)s: wrote ids for %(ids)s", path=path, ids=", ".join(fixed.changed))
                )
        checked = loader.check_file(path, q)
        for problem in checked.problems:
            typer.echo(problem_line(problem), err=True)
        if checked.problems:
            bad += 1
        elif checked.relabelled:
            typer.echo(
                _(
                    "%(path)s: ok (%(kind)s; %(count)s given as labels or typed loosely: --fix "
                    "writes their ids)",
                    path=path,
                    kind=_kind(checked.kind),
                    count=len(checked.relabelled),
                )
            )
        else:
            typer.echo(_("%(path)s: ok (%(kind)s)", path=path, kind=_kind(checked.kind)))
    if bad:
        raise typer.Exit(2)


def _kind(kind: str | None) -> str:
    """The kind of file checked, in the CLI's language."""
    kinds = {
        "questionnaire": _("questionnaire"),
        "catalogue": _("catalogue"),
        "answers": _("answers"),
    }
    return kinds.get(kind or "", str(kind))


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
    services: ServicesOption = None,
) -> None:
    """Score one firm and show its level, dimension scores and recommended scenarios.

    Example: dtm score examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml --json
    """
    result = run(lambda: _assess(answers, questionnaire, catalogue, services, partial=partial))
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
    services: ServicesOption = None,
) -> None:
    """Write the firm's diagnosis report and demonstration-scenario report as PDFs.

    With --png, the diagnosis report's one-page summary is written as a PNG too.
    Example: dtm report answers.yaml --out reports --lang en --png
    """
    from ..park.from_files import adoption_since, earlier_card, peer_group
    from ..report.render import write_reports, write_summary_png

    code = check_lang(lang)

    def work() -> dict[str, Path]:
        result = _assess(answers, questionnaire, catalogue, services)
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

    from .console import file_kind

    for kind, path in run(work).items():
        typer.echo(f"{file_kind(kind)}: {path}")


def _assess(
    answers: Path,
    questionnaire: str | None,
    catalogue: str | None,
    services: Path | None,
    *,
    partial: bool = False,
) -> Assessment:
    """The firm assessed, with what the services register shows given to it in its period."""
    from ..engine.pipeline import assess

    options: dict[str, Any] = {"questionnaire": questionnaire, "catalogue": catalogue}
    result = assess(answers, partial=partial, **options)
    if services is None:
        return result
    from ..collect.services import given_in

    given = given_in(services, result.card.period)
    return assess(answers, partial=partial, given=given, **options)


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
    from ..models.schema import SCHEMAS, all_schemas, dumps, schema_of

    if kind is not None and kind not in SCHEMAS:
        raise fail(
            _(
                "no schema %(kind)s (use one of %(kinds)s)",
                kind=repr(kind),
                kinds=", ".join(SCHEMAS),
            )
        )
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
    from ..collect.blank import blank_answers
    from ..engine import loader
    from ..files.atomic import write_new

    q = run(lambda: loader.load_questionnaire(questionnaire))
    text = blank_answers(q, check_lang(lang))
    if out is None:
        typer.echo(text, nl=False)
    else:
        run(lambda: write_new(out, text.encode("utf-8")))
        typer.echo(_("wrote %(path)s", path=out))
