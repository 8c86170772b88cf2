"""The `dtm` command line: thin commands over the library, one clear line per user mistake."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import loader
from .errors import DtmError, ValidationFailed
from .models.common import LANGS, Lang

app = typer.Typer(
    help="Diagnose small manufacturers' digital transformation: validate, score, recommend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
    if lang not in LANGS:
        raise _fail(f"Error: --lang must be zh or en, not {lang!r}")
    return lang


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
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
) -> None:
    """Check files and list every problem as FILE:LINE:COL: CODE message (hint).

    Example: dtm validate questionnaires/park_quick_scan.yaml answers.yaml
    """
    q = _run(lambda: loader.load_questionnaire(questionnaire)) if questionnaire else None
    bad = 0
    for path in files:
        checked = loader.check_file(path, q)
        for problem in checked.problems.problems:
            typer.echo(str(problem), err=True)
        if checked.problems:
            bad += 1
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
        document = result.card.model_dump(mode="json")
        document["recommendations"] = [r.model_dump(mode="json") for r in result.recommendations]
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
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
) -> None:
    """Write the firm's diagnosis report and demonstration-scenario report as PDFs.

    Example: dtm report answers.yaml --out reports --lang en
    """
    from .pipeline import assess, peer_group
    from .report.render import write_reports

    code = _lang(lang)

    def work() -> dict[Any, Path]:
        result = assess(answers, questionnaire=questionnaire, catalogue=catalogue)
        group = peer_group(result, peers) if peers is not None else None
        before = assess(previous, questionnaire=result.questionnaire).card if previous else None
        return dict(
            write_reports(
                result, out, lang=code, peers=group, previous=before, template_dir=templates
            )
        )

    for kind, path in _run(work).items():
        typer.echo(f"{kind}: {path}")


@app.command()
def schema(
    kind: Annotated[
        str | None,
        typer.Argument(help="questionnaire, catalogue or answers; all three when omitted."),
    ] = None,
) -> None:
    """Print the JSON Schema of the questionnaire, catalogue and answer formats.

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
    from .atomic import write_new
    from .blank import blank_answers

    q = _run(lambda: loader.load_questionnaire(questionnaire))
    text = blank_answers(q, _lang(lang))
    if out is None:
        typer.echo(text, nl=False)
    else:
        _run(lambda: write_new(out, text.encode("utf-8")))
        typer.echo(f"wrote {out}")


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
    folder: Annotated[Path, typer.Argument(help="A folder of answer files (YAML or JSON).")],
    period: Annotated[str, typer.Option("--period", "-p", help="The quarter, e.g. 2026Q3.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the reports and exports.")],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Processes rendering PDFs; default: one per CPU."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "zh",
    force: Annotated[bool, typer.Option("--force", help="Render again even if unchanged.")] = False,
    register: Annotated[
        Path | None, typer.Option("--register", help="The park's firm register (CSV) for coverage.")
    ] = None,
    tiers: Annotated[
        str, typer.Option("--tiers", help="Shortlist sizes: leading,showcase,demonstration.")
    ] = "3,3,6",
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="A folder of templates that override the shipped ones."),
    ] = None,
) -> None:
    """Check, store and report on a quarter: every firm's PDFs, the park report, XLSX and CSV.

    Exit 0 when every file succeeded, 1 when some failed (listed), 2 for bad usage.
    Example: dtm batch answers/2026Q3 --period 2026Q3 --out reports/2026Q3
    """
    import re

    from .batch import run_batch
    from .console import batch_progress, print_batch
    from .store import Store

    if not re.fullmatch(r"(19|20)\d\dQ[1-4]", period):
        raise _fail(f"Error: --period must look like 2026Q3, not {period!r}")
    code, counts = _lang(lang), _tiers(tiers)

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
                register=register,
                tiers=counts,
                template_dir=templates,
                progress=progress,
            )

    result = _run(work)
    print_batch(result)
    raise typer.Exit(result.exit_code)


@app.command("list")
def list_command(
    period: Annotated[str | None, typer.Option("--period", "-p", help="Only this quarter.")] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Only this industry id.")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the stored assessments (current revisions).

    Example: dtm list --period 2026Q3 --industry machinery
    """
    from .console import print_stored
    from .store import Store

    def work() -> Any:
        with Store.open(db) as store:
            return store.list(period=period, industry=industry)

    records = _run(work)
    if as_json:
        from .console import stored_summary

        for record in records:
            typer.echo(json.dumps(stored_summary(record), ensure_ascii=False))
    else:
        print_stored(records, title="Stored assessments")


@app.command()
def history(
    credit_code: Annotated[str, typer.Argument(help="The firm's unified social credit code.")],
    db: DbOption = None,
) -> None:
    """Show every stored assessment of one firm, with earlier revisions.

    Example: dtm history 91320594MA1A3K7R2A
    """
    from .console import print_stored
    from .store import Store

    def work() -> Any:
        with Store.open(db) as store:
            return store.history(credit_code)

    records = _run(work)
    if not records:
        raise _fail(f"Error: no assessment of {credit_code} is stored")
    print_stored(records, title=f"History of {credit_code}")


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
    access code printed here, also as a QR code.
    Example: dtm serve --host 0.0.0.0 --port 8765
    """
    from .serve import plan, qr_text
    from .serve import serve as run_form
    from .store import resolve_url

    code = _lang(lang)
    how = _run(lambda: plan(host, port))
    url = resolve_url(db)
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else None
    typer.echo(f"dtm serve: open {how.url}")
    if how.access_code:
        typer.echo("Tablets on the same network: scan this code, or type the address above.")
        typer.echo(qr_text(how.url), nl=False)
    typer.echo("Stop with Ctrl+C. Every change is saved as a draft in the store.")
    _run(lambda: run_form(how, db=db, out=out, lang=code, folder=folder))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the results.")] = Path("out"),
    lang: LangOption = "zh",
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Processes rendering PDFs; default: one per CPU."),
    ] = None,
) -> None:
    """Run the whole pipeline on the shipped sample park: store both quarters, write every report.

    The demo keeps its own store, DIR/demo.db, made afresh on each run.
    Example: dtm demo --out out
    """
    from .console import batch_progress, print_batch, print_demo
    from .demo import run_demo

    code = _lang(lang)

    def work() -> Any:
        with batch_progress() as progress:
            return run_demo(out, lang=code, workers=workers, progress=progress)

    result = _run(work)
    print_batch(result)
    print_demo(result, out)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
