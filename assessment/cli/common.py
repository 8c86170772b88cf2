"""What every `dtm` command shares: the app, its options, and one clear line per user mistake."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ..errors import DtmError, ValidationFailed, printable
from .lang import _, problem_line, remember_lang, say
from .usage import Group

if TYPE_CHECKING:
    from ..models.common import Lang


app = typer.Typer(
    cls=Group,
    help="Diagnose small manufacturers' digital transformation: validate, score, recommend.\n\n"
    "The store is --db URL, else $DTM_DB, else dtm.db in the working folder; only dtm batch "
    "makes one.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help formatter alone takes longer to import than the rest of `dtm --help`.
    rich_markup_mode=None,
)
STATE = {"debug": False}
T = TypeVar("T")

LangOption = Annotated[
    str, typer.Option("--lang", help="Report language: zh or en.", callback=remember_lang)
]


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


ServicesOption = Annotated[
    Path | None,
    typer.Option(
        "--services",
        help="The park's services register (CSV or workbook): the support it shows given to "
        "the firm in the period lowers the firm's costs.",
    ),
]


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (SQLAlchemy); default: $DTM_DB, else dtm.db in this folder."
    ),
]


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    STATE["debug"] = debug


def check_lang(lang: str) -> Lang:
    from ..models.common import LANGS  # pydantic is not needed for `dtm --help`

    if lang not in LANGS:
        raise fail(_("--lang must be zh or en, not %(value)s", value=repr(lang)))
    return lang


def check_workers(workers: int | None) -> None:
    if workers is not None and not 1 <= workers <= 256:
        raise fail(
            _(
                "--workers must be from 1 to 256, not %(value)s (omit it: one per CPU)",
                value=workers,
            )
        )


def check_period(text: str, option: str) -> str:
    if not re.fullmatch(r"(19|20)\d\dQ[1-4]", text):
        raise fail(
            _("%(option)s must look like 2026Q3, not %(value)s", option=option, value=repr(text))
        )
    return text


def check_tiers(text: str) -> tuple[int, int, int]:
    parts = [p.strip() for p in text.split(",")]
    # Decimal digits of any script (`３`) are read as their numbers; `²` is a digit to
    # `str.isdigit` but no number `int` reads, so it is refused like any other mark.
    if len(parts) != 3 or not all(p.isdecimal() for p in parts):
        raise fail(_("--tiers must be three counts like 3,3,6, not %(value)s", value=repr(text)))
    a, b, c = (int(p) for p in parts)
    return a, b, c


def fail(message: str) -> typer.Exit:
    """Print `message` (already in the CLI's language) as the one `Error: …` line; exit code 2."""
    typer.echo(printable(_("Error: %(message)s", message=message)), err=True)
    return typer.Exit(2)


def run(action: Callable[[], T]) -> T:
    """Run library code; a user-facing error becomes its lines on stderr and exit code 2."""
    try:
        return action()
    except ValidationFailed as exc:
        if STATE["debug"]:
            raise
        for problem in exc.problems:
            typer.echo(problem_line(problem), err=True)
        raise typer.Exit(2) from None
    except DtmError as exc:
        if STATE["debug"]:
            raise
        raise fail(user_message(exc)) from None


def user_message(exc: DtmError) -> str:
    """A library error in the CLI's language: translated when it carries its message id, with
    any value that is a marked text itself (a hint inside the message)."""
    return say(exc.args[0]) if exc.args else str(exc)
