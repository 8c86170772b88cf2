"""The `dtm` application: every command group registered on one Typer app, and `main`."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from typing import Any

import typer

from ..errors import printable

# Each module registers its commands; `dtm --help` lists them in this order.
# isort: off
from . import firm, collect, quarter, stored, serve  # noqa: F401

# isort: on
from .common import app
from .db import db_app
from .lang import _, env_lang_problem
from .users import users

app.add_typer(users, name="user")
app.add_typer(db_app, name="db")

__all__ = ["app", "main"]


def unknown_command(args: Sequence[str]) -> str | None:
    """One line for a mistyped command (`dtm lsit`, `dtm user ad`), with its did-you-mean; None
    when the words name commands (options and arguments are left to the commands themselves)."""
    group: Any = typer.main.get_command(app)
    path = ["dtm"]
    for word in (a for a in args if not a.startswith("-")):
        commands = getattr(group, "commands", None)
        if not commands:
            return None
        if word not in commands:
            close = difflib.get_close_matches(word, list(commands), n=1, cutoff=0.6)
            where = " ".join(path)
            hint = _("did you mean %(name)s? ", name=repr(close[0])) if close else ""
            message = _(
                "%(where)s: no such command %(word)s (%(hint)s%(where)s --help lists them)",
                where=where,
                word=repr(word),
                hint=hint,
            )
            return _("Error: %(message)s", message=message)
        group, path = commands[word], [*path, word]
    return None


def main() -> None:
    wrong_lang = env_lang_problem()
    if wrong_lang is not None:
        typer.echo(printable(wrong_lang), err=True)
        sys.exit(2)
    mistyped = unknown_command(sys.argv[1:])
    if mistyped is not None:
        typer.echo(printable(mistyped), err=True)
        sys.exit(2)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
