"""What the store holds: `dtm list`, `history`, `park-summary`, `check-store`; backups."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import printable
from .common import (
    DbOption,
    LangOption,
    app,
    check_lang,
    check_period,
    check_tiers,
    fail,
    run,
)
from .lang import _, say
from .output import (
    CsvOption,
    Format,
    JsonOption,
    NlOption,
    chosen,
    default_format,
    work_summary_lines,
    write_rows,
)

if TYPE_CHECKING:
    from ..store import StoredAssessment

SERVICE_COLUMNS = ("period", "credit_code", "date", "kind", "provider", "amount", "note")


@app.command("list")
def list_command(
    period: Annotated[str | None, typer.Option("--period", "-p", help="Only this quarter.")] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Only this industry id, e.g. machinery.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    nl: NlOption = False,
    as_csv: CsvOption = False,
    services: Annotated[
        bool, typer.Option("--services", help="List the stored services registers instead.")
    ] = False,
) -> None:
    """List the stored assessments (current revisions), or with --services the support given.

    On a terminal a table; piped or redirected, tab-separated rows with a header, nothing cut.
    Example: dtm list --period 2026Q3 --industry machinery --csv > firms.csv
    """
    from ..store import Store

    fmt = chosen(as_json, nl, as_csv)
    if period is not None:
        check_period(period, "--period")
    if services:
        _list_services(period, db, fmt)
        return
    if industry is not None:
        _known_industry(industry)

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return store.list(period=period, industry=industry)

    records = run(work)
    _show_stored(records, fmt, _("Stored assessments"))
    damaged = sum(1 for record in records if record.problem is not None)
    if damaged:
        typer.echo(
            _(
                "%(count)s stored assessments do not read back: see dtm check-store",
                count=damaged,
            ),
            err=True,
        )


def _show_stored(records: Sequence[StoredAssessment], fmt: Format | None, title: str) -> None:
    from .console import STORED_COLUMNS, print_stored, stored_summary

    fmt = fmt or default_format()
    if fmt is Format.table:
        print_stored(records, title=title)
    else:
        write_rows([stored_summary(r) for r in records], fmt, STORED_COLUMNS)


def _list_services(period: str | None, db: str | None, fmt: Format | None) -> None:
    from ..engine.service_kinds import load_kinds
    from ..store import Store
    from ..store.services import service_periods, services

    def work() -> list[Any]:
        with Store.open(db, create=False) as store:
            periods = [period] if period else service_periods(store)
            return [(p, line) for p in periods for line in services(store, p)]

    lines = run(work)
    labels = {k.id: k.label.zh for k in run(load_kinds)}
    shown = fmt or default_format()
    rows: list[dict[str, Any]] = []
    for p, line in lines:
        row = {
            "period": p,
            "credit_code": line.credit_code,
            "date": line.served_on.isoformat(),
            "kind": line.kind,
            "provider": line.provider,
            "amount": line.amount,
            "note": line.note,
        }
        rows.append(row)
        if shown is Format.table:
            amount = "" if line.amount is None else f"{line.amount:g} 万元"
            typer.echo(
                printable(
                    f"{p}  {line.credit_code}  {row['date']}  {labels.get(line.kind, line.kind)}"
                    f"  {line.provider}  {amount}  {line.note}".rstrip()
                )
            )
    if shown is not Format.table:
        write_rows(rows, shown, SERVICE_COLUMNS)
    if shown in (Format.table, Format.tsv):
        typer.echo(_("%(count)s services lines", count=len(lines)), err=True)


@app.command("park-summary")
def park_summary(
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="The quarter, e.g. 2026Q3.")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="A year: its stored quarters added up.")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    register: Annotated[
        Path | None, typer.Option("--register", help="The park's firm register (CSV).")
    ] = None,
    park: Annotated[
        str | None, typer.Option("--park", help="The park (needed when the store has several).")
    ] = None,
    tiers: Annotated[
        str, typer.Option("--tiers", help="Shortlist sizes: leading,showcase,demonstration.")
    ] = "3,3,6",
    lang: LangOption = "zh",
    district: Annotated[
        bool,
        typer.Option("--district", help="Add every park of the store up, each firm once."),
    ] = False,
) -> None:
    """The park's work summary (工作简报) of a stored quarter or year: visited, assessed,
    willing, support by kind, scenarios adopted, level migrations, tiers, recognition candidates.

    One park's: the one named by --park, or the store's only one. --district adds the parks up.
    Example: dtm park-summary --period 2026Q3 --json
    """
    from ..park.gather import period_summary, year_summary
    from ..park.summary import read_register
    from ..store import Store

    if (period is None) == (year is None):
        raise fail(_("give either --period (like 2026Q3) or --year (like 2026)"))
    if period is not None:
        check_period(period, "--period")
    if year is not None and not 1900 <= year <= 2099:
        raise fail(_("--year must be a year like 2026, not %(value)s", value=year))
    code, counts = check_lang(lang), check_tiers(tiers)
    if district and park is not None:
        raise fail(_("give either --park NAME or --district, not both"))

    def work() -> Any:
        firms = read_register(register) if register is not None else None
        with Store.open(db, create=False) as store:
            if period is not None:
                return period_summary(
                    store, period, register=firms, park=park, tiers=counts, district=district
                )
            assert year is not None
            return year_summary(
                store, year, register=firms, park=park, tiers=counts, district=district
            )

    summary = run(work)
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in work_summary_lines(summary, code):
        typer.echo(line)


@app.command()
def history(
    firm: Annotated[
        str, typer.Argument(help="The firm's unified social credit code, or part of its name.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
    nl: NlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Show every stored assessment of one firm, with earlier revisions.

    On a terminal a table; piped or redirected, tab-separated rows with a header, nothing cut.
    Example: dtm history 91320594MA1A3K7R2A, or dtm history 恒锐
    """
    from ..store import Store

    fmt = chosen(as_json, nl, as_csv)

    def work() -> Any:
        with Store.open(db, create=False) as store:
            records = store.history(firm)
            named = [] if records else store.find_firms(firm)
            if len(named) == 1:
                records = store.history(named[0][0])
            return records, named

    records, named = run(work)
    if not records:
        if named:
            found = "; ".join(f"{code} {name}" for code, name in named)
            raise fail(
                _(
                    "%(count)s stored firms match %(words)s: %(found)s; give one code",
                    count=len(named),
                    words=repr(firm),
                    found=found,
                )
            )
        raise fail(_("no assessment of %(firm)s is stored (by credit code or name)", firm=firm))
    first = records[0]
    title = _("History of %(code)s %(name)s", code=first.credit_code, name=first.card.firm.name)
    _show_stored(records, fmt, title)


def _known_industry(industry: str) -> None:
    from ..errors import did_you_mean
    from ..models.industries import INDUSTRIES

    if industry in INDUSTRIES:
        return
    starts = [i for i in INDUSTRIES if industry.lower() in i]
    hint = did_you_mean(industry, INDUSTRIES)
    if len(starts) == 1:
        hint = f"did you mean '{starts[0]}'?"
    raise fail(
        _("--industry %(value)s is not an industry id", value=repr(industry))
        + "; "
        + (hint or _("industries: %(ids)s", ids=", ".join(INDUSTRIES)))
    )


AUDIT_HEAD = re.compile(r"([0-9]{1,18}):([0-9a-f]{64})")


@app.command("check-store")
def check_store(
    db: DbOption = None,
    audit_head: Annotated[
        str | None,
        typer.Option(
            "--audit-head",
            help="ID:HASH of the audit log's last line as an earlier check-store printed it: "
            "that line must still be there with that chain hash.",
        ),
    ] = None,
) -> None:
    """Check every stored row: assessments whose answers or result no longer read back or no
    longer match their content hash, services registers changed after they were saved, and the
    audit log's chain (the first line that breaks it). Prints the audit log's number of lines
    and its last line's id and chain hash: kept where the store's owner cannot write, they show
    later (--audit-head) whether lines were removed from its end or its chain recomputed.

    Exit 0 when nothing is damaged, 1 when something is (one line each).
    Example: dtm check-store --db dtm.db --audit-head 1157:3f2a…(64 hex digits)
    """
    from ..store import Store

    kept = None
    if audit_head is not None:
        matched = AUDIT_HEAD.fullmatch(audit_head.strip().lower())
        if matched is None:
            raise fail(
                _(
                    "--audit-head %(value)s is not ID:HASH; give it as an earlier check-store "
                    "printed it: the last line's id, a colon and its 64 hex digits of chain",
                    value=repr(audit_head),
                )
            )
        kept = (int(matched[1]), matched[2])

    def work() -> tuple[int, list[Any], list[str], Any]:
        with Store.open(db, create=False) as store:
            rows = store.check_rows(audit_head=kept)
            return store.count(), store.check(), rows, store.audit_head()

    total, damaged, other, head = run(work)
    for record in damaged:
        state = _("current") if record.current else _("superseded")
        typer.echo(
            printable(
                _(
                    "%(code)s %(period)s revision %(revision)s (%(state)s): %(problem)s",
                    code=record.credit_code,
                    period=record.period,
                    revision=record.revision,
                    state=state,
                    problem=say(record.problem),
                )
            ),
            err=True,
        )
    for line in other:
        typer.echo(printable(say(line)), err=True)
    typer.echo(printable(say(head.message())))
    counts = {"total": total, "damaged": len(damaged), "other": len(other)}
    if other:
        typer.echo(
            _(
                "%(total)s assessments stored, %(damaged)s damaged; %(other)s other problems "
                "(above)",
                **counts,
            )
        )
    else:
        typer.echo(_("%(total)s assessments stored, %(damaged)s damaged", **counts))
    raise typer.Exit(1 if damaged or other else 0)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy a SQLite store, in use or not, into one file: assessments, revisions, evidence.

    A PostgreSQL store is backed up with pg_dump (docs/deploy.md).
    Example: dtm backup backups/park-2026-12-01.db --db park.db
    """
    from ..store.backup import backup as copy_store

    summary = run(lambda: copy_store(db, file, force=force))
    typer.echo(_("backed up %(summary)s", summary=say(summary.as_text())))


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup file made by dtm backup.")],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that holds assessments.")
    ] = False,
) -> None:
    """Put a backup in place of a SQLite store; a store with data is replaced only with --force,
    and is kept beside it first.

    Stop `dtm serve` and any batch using the store before restoring.
    Example: dtm restore backups/park-2026-12-01.db --db park.db --force
    """
    from ..store.backup import restore as put_back

    summary, kept = run(lambda: put_back(file, db, force=force))
    typer.echo(_("restored %(summary)s", summary=say(summary.as_text())))
    if kept is not None:
        typer.echo(_("the store it replaced is kept as %(path)s", path=kept))
