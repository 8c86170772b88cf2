"""`dtm user …`: accounts of a shared form and its audit log, for whoever runs the server."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..errors import printable
from .common import DbOption, fail, run
from .lang import _

users = typer.Typer(
    help="Accounts of a shared `dtm serve` (consultant, park, admin) and the audit log.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (one line)."),
]


def _by() -> str:
    """Who made an account change from the command line, as the audit log names them."""
    from ..store.chain import local_user

    return local_user()


def _role(role: str) -> str:
    """A role's name in the CLI's language, as the web form names it."""
    names = {"admin": _("administrator"), "park": _("park"), "consultant": _("consultant")}
    return names.get(role, role)


def _password(from_stdin: bool) -> str:
    """Never an argument (it would show in the process list and the shell's history)."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise fail(_("--password-stdin: no password on standard input"))
        return line.rstrip("\r\n")
    text: str = typer.prompt(
        _("Password"),
        hide_input=True,
        confirmation_prompt=_("Repeat for confirmation"),
    )
    return text


def _accounts(db: str | None) -> Any:
    from ..accounts import Accounts
    from ..store import Store

    return Accounts(Store.open(db, create=False))


@users.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The account name people sign in with.")],
    role: Annotated[str, typer.Option("--role", help="consultant, park or admin.")],
    park: Annotated[
        str | None, typer.Option("--park", help="A park account's park, as firms' records name it.")
    ] = None,
    db: DbOption = None,
    password_stdin: StdinOption = False,
) -> None:
    """Add an account; the password is asked for twice (or read from standard input).

    With at least one account in the store, `dtm serve` asks everyone to sign in.
    Example: dtm user add wang --role consultant --db postgresql+psycopg://dtm@db/district
    """
    from ..accounts.users import check_new_account

    run(lambda: check_new_account(name, role, park))  # before anyone types a password
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        secret = _password(password_stdin)
        user = run(lambda: accounts.add(name, role, password=secret, park=park, by=_by()))
    role = _role(str(user.role))
    where = _("%(role)s, %(park)s", role=role, park=park) if park else role
    typer.echo(printable(_("added %(name)s (%(role)s)", name=user.name, role=where)))


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """List the accounts: name, role, park and whether disabled.

    Example: dtm user list
    """
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        found = run(accounts.list)
    for user in found:
        state = _(" (disabled)") if user.disabled else ""
        fields = (user.name, _role(user.role.value), (user.park or "") + state)
        typer.echo("\t".join(printable(f) for f in fields))


@users.command("password")
def password(
    name: Annotated[str, typer.Argument(help="The account.")],
    db: DbOption = None,
    password_stdin: StdinOption = False,
) -> None:
    """Set a new password for an account (a reset); its open sessions end.

    Example: dtm user password wang
    """
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        if accounts.get(name) is None:
            raise fail(_("there is no account %(name)s; see `dtm user list`", name=repr(name)))
        secret = _password(password_stdin)
        run(lambda: accounts.set_password(name, secret, by=_by()))
    typer.echo(printable(_("new password set for %(name)s", name=name)))


@users.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The account.")], db: DbOption = None) -> None:
    """Disable an account: it cannot sign in, and its open sessions end at once.

    Example: dtm user disable wang
    """
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        run(lambda: accounts.set_disabled(name, True, by=_by()))
    typer.echo(printable(_("disabled %(name)s", name=name)))


@users.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The account.")], db: DbOption = None) -> None:
    """Enable a disabled account again.

    Example: dtm user enable wang
    """
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        run(lambda: accounts.set_disabled(name, False, by=_by()))
    typer.echo(printable(_("enabled %(name)s", name=name)))


@users.command("log")
def log(
    db: DbOption = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this account's.")] = None,
    firm: Annotated[str | None, typer.Option("--firm", help="Only this credit code's.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, latest first.")] = 50,
) -> None:
    """Print the audit log, the latest first: when, who, what, firm, question, old → new.

    Example: dtm user log --firm 91320594MA1A3K7R2A
    """
    accounts = run(lambda: _accounts(db))
    with accounts.store:
        entries = run(lambda: accounts.log.entries(username=user, credit_code=firm, limit=limit))
    for e in entries:
        where = " ".join(x for x in (e.credit_code, e.period, e.question) if x)
        change = f" {e.old or '—'} → {e.new or '—'}" if e.question or e.new else ""
        line = f"{e.at:%Y-%m-%d %H:%M:%S} {e.username or '—'} {e.action} {where}{change}"
        typer.echo(printable(line.replace("  ", " ")))
