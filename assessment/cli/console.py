"""Terminal output for the CLI: score cards and park tables drawn with Rich."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table

from ..display import one_decimal
from ..engine.pipeline import Assessment
from ..errors import printable
from .lang import say

if TYPE_CHECKING:
    from ..batch.intake import BatchResult
    from ..queue import QueueStatus
    from ..store import StoredAssessment

_SLOT = {"now": "now", "next": "next quarter", "later": "later"}


def _fmt(value: float | None) -> str:
    return "—" if value is None else one_decimal(value)


def print_assessment(result: Assessment, console: Console | None = None) -> None:
    console = console or Console()
    card = result.card
    console.print(f"[bold]{card.firm.name}[/bold]  {card.firm.credit_code}  {card.period}")
    console.print(
        f"Level: [bold]{card.level_name.zh} / {card.level_name.en}[/bold]   "
        f"Overall: [bold]{_fmt(card.overall)}[/bold]   "
        f"Coverage: {card.coverage:.0%}"
    )
    table = Table("dimension", "score", "points", "coverage", title="Dimensions")
    for dimension in card.dimensions:
        table.add_row(
            f"{dimension.label.zh} {dimension.label.en}",
            _fmt(dimension.score),
            # points towards the overall score; a rated-only dimension carries none
            _fmt(dimension.points if dimension.scored else None),
            f"{dimension.coverage:.0%}",
        )
    console.print(table)
    if card.next_level is not None:
        console.print(f"Next level: {card.next_level.name.zh} / {card.next_level.name.en}")
        if card.next_level_gap is not None:
            console.print(f"  missing: {card.next_level_gap.en}", highlight=False)
        for blocker in card.blockers:
            text = blocker.unblock.en if blocker.unblock else blocker.description.en
            console.print(f"  - {text}")
    for flag in card.flags:
        console.print(f"[yellow]note:[/yellow] {flag.message.en}")
    if result.recommendations:
        plan = result.plan
        when = "plan" if plan is not None else "slot"
        recs = Table(
            "#", "scenario", "priority", when, "triggered by", title="Recommended scenarios"
        )
        for rec in result.recommendations:
            recs.add_row(
                str(rec.rank),
                f"{rec.name.zh} {rec.name.en}",
                f"{rec.priority:.2f}",
                _SLOT[rec.slot] if plan is None else _planned(rec.year, rec.deferred),
                ", ".join(t.question for t in rec.triggered_by),
            )
        console.print(recs)
        if plan is not None:
            source = "from the answers" if plan.budget_known else "a cautious default"
            console.print(
                f"Budget: CNY {plan.budget:,.0f} a year ({source}); "
                f"{plan.capacity} project(s) at once",
                highlight=False,
            )
            for year in plan.years:
                console.print(
                    f"  year {year.year}: {', '.join(year.scenarios)}; cost to the firm "
                    f"CNY {year.cost_min:,.0f}–{year.cost_max:,.0f}",
                    highlight=False,
                )


def _planned(year: int | None, deferred: str | None) -> str:
    """A scenario's place in the plan: its year, and why it is not in year one."""
    if year == 1:
        return "year 1"
    return f"year {year} ({deferred})" if year else f"not planned ({deferred})"


def print_park(results: Sequence[Assessment], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(
        "credit code",
        "firm",
        "level",
        "overall",
        "coverage",
        "top scenario",
        title=f"Sample park, {results[0].card.period}" if results else "Sample park",
    )
    for result in results:
        card = result.card
        top = result.recommendations[0].name.zh if result.recommendations else "—"
        table.add_row(
            card.firm.credit_code,
            card.firm.name,
            card.level_name.zh,
            _fmt(card.overall),
            f"{card.coverage:.0%}",
            top,
        )
    console.print(table)


@contextmanager
def batch_progress(console: Console | None = None) -> Iterator[Callable[[int, int], None]]:
    """A progress bar (firms done / total, rate, time left) on a terminal; silence otherwise."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    columns = (
        TextColumn("[bold]Rendering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("firms"),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("firms", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_batch(result: BatchResult, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    if result.rendered or result.skipped or result.files:
        done = f"{len(result.rendered)} rendered, {len(result.skipped)} unchanged"
    else:
        done = "not rendered"
    console.print(
        f"{result.period}: {len(result.stored)} stored, {done}, {len(result.failures)} failed"
    )
    for failure in result.failures:
        console.print(f"[red]failed[/red] {escape(str(failure.path))}", highlight=False)
        for reason in failure.reasons:
            console.print(f"  {printable(say(reason))}", highlight=False, markup=False)
    if result.services is not None:
        saved = result.services
        console.print(
            f"services register: {saved.lines} lines {saved.action} (revision {saved.revision})"
        )
    for warning in result.warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False)
    for kind, path in result.files.items():
        console.print(f"{kind}: {path}", highlight=False)


STORED_COLUMNS = (
    "credit_code",
    "period",
    "revision",
    "current",
    "name",
    "damaged",
    "industry",
    "level",
    "overall",
    "coverage",
    "questionnaire",
    "assessor",
    "assessed_on",
    "imported_at",
)


def stored_summary(record: StoredAssessment) -> dict[str, object]:
    return {
        "credit_code": record.credit_code,
        "period": record.period,
        "revision": record.revision,
        "current": record.current,
        "name": None if record.problem else record.card.firm.name,
        "damaged": record.problem,
        "industry": record.industry,
        "level": record.level_id,
        "overall": record.overall,
        "coverage": record.coverage,
        "questionnaire": f"{record.questionnaire_id} {record.questionnaire_version}",
        "assessor": record.assessor,
        "assessed_on": record.assessed_on.isoformat(),
        "imported_at": record.imported_at.isoformat(),
    }


def print_stored(
    records: Sequence[StoredAssessment], *, title: str, console: Console | None = None
) -> None:
    console = console or Console()
    table = Table(
        # The credit code is what people copy into `dtm history`: never cut; long names wrap.
        Column("credit code", no_wrap=True, min_width=18),
        Column("firm", overflow="fold", ratio=1),
        Column("period", no_wrap=True),
        Column("rev", no_wrap=True),
        Column("level", overflow="fold"),
        Column("overall", no_wrap=True, justify="right"),
        Column("coverage", no_wrap=True, justify="right"),
        Column("imported", no_wrap=True),
        title=title,
    )
    for record in records:
        damaged = record.problem is not None
        table.add_row(
            record.credit_code,
            "[red]damaged: see dtm check-store[/red]" if damaged else escape(record.card.firm.name),
            record.period,
            f"{record.revision}{'' if record.current else ' (old)'}",
            record.level_id or "" if damaged else record.card.level_name.zh,
            _fmt(record.overall),
            f"{record.coverage:.0%}",
            record.imported_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


def print_demo(result: BatchResult, out: Path, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    console.print(f"\nEverything is in {out}/:")
    console.print(f"  firms/     every firm's diagnosis and scenario reports for {result.period}")
    for path in result.files.values():
        console.print(f"  {path.name}", highlight=False)
    console.print(f"  demo.db    the store (try: dtm list --db {out}/demo.db)")


def print_queue_status(status: QueueStatus, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    s = status
    console.print(
        f"{s.period} ({s.lang}) run {s.run_id}: {s.done + len(s.failed)} of {s.firms} firms "
        f"finished ({s.done} rendered, {len(s.failed)} failed), {s.running} rendering now, "
        f"{s.waiting} waiting; {s.skipped} unchanged before the run",
        highlight=False,
    )
    for problem in s.failed:
        console.print(f"[red]failed[/red] {escape(problem)}", highlight=False)
    if s.park_at is not None:
        console.print(f"park report built at {s.park_at:%Y-%m-%d %H:%M} UTC", highlight=False)
        if s.out:
            console.print(
                f"reports are in the store: dtm export-reports --period {s.period} --out {s.out}",
                highlight=False,
            )
    else:
        console.print("park report: when the last firm is finished", highlight=False)
    if s.park_problem:
        console.print(f"warning: {s.park_problem}", highlight=False, markup=False)
