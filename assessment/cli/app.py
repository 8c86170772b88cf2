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
            hint = f"did you mean '{close[0]}'? " if close else ""
            where = " ".join(path)
            return f"Error: {where}: no such command '{word}' ({hint}{where} --help lists them)"
        group, path = commands[word], [*path, word]
    return None


def main() -> None:
    mistyped = unknown_command(sys.argv[1:])
    if mistyped is not None:
        typer.echo(printable(mistyped), err=True)
        sys.exit(2)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
