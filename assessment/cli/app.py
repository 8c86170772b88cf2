"""The `dtm` application: every command group registered on one Typer app, and `main`."""

from __future__ import annotations

import sys

# Each module registers its commands; `dtm --help` lists them in this order.
# isort: off
from . import firm, collect, quarter, stored, serve  # noqa: F401

# isort: on
from .common import app
from .users import users

app.add_typer(users, name="user")

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
