"""`dtm db …`: setting up the database of a shared store (PostgreSQL roles)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .common import DbOption, run
from .lang import say

db_app = typer.Typer(
    help="The database of a shared store: the roles the services run as (PostgreSQL).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@db_app.command("roles")
def roles(
    app_role: Annotated[
        str, typer.Argument(help="The existing role dtm serve and dtm worker will connect as.")
    ],
    db: DbOption = None,
) -> None:
    """As the owner of the store's tables, let APP_ROLE read and write them but only read and
    append the audit log; it owns nothing, so it cannot alter a table or disable a trigger.

    Run it again after upgrading dtm. See docs/deploy.md, "Two roles".
    Example: dtm db roles dtm_app --db postgresql+psycopg://dtm_owner@db/park
    """
    from ..store import Store
    from ..store.roles import grant_app_role

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return grant_app_role(store, app_role)

    granted = run(work)
    typer.echo(say(granted.as_text()))
