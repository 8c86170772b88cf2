"""Terminal output for the CLI: score cards and park tables drawn with Rich."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from .pipeline import Assessment

_SLOT = {"now": "now", "next": "next quarter", "later": "later"}


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_assessment(result: Assessment, console: Console | None = None) -> None:
    console = console or Console()
    card = result.card
    console.print(f"[bold]{card.firm.name}[/bold]  {card.firm.credit_code}  {card.period}")
    console.print(
        f"Level: [bold]{card.level_name('zh')} / {card.level_name('en')}[/bold]   "
        f"Overall: [bold]{_fmt(card.overall)}[/bold]   "
        f"Coverage: {card.coverage:.0%}"
    )
    table = Table("dimension", "score", "coverage", title="Dimensions")
    for dimension in card.dimensions:
        table.add_row(
            f"{dimension.label.zh} {dimension.label.en}",
            _fmt(dimension.score),
            f"{dimension.coverage:.0%}",
        )
    console.print(table)
    if card.next_level is not None:
        console.print(f"Next level: {card.next_level.name.zh} / {card.next_level.name.en}")
        for blocker in card.blockers:
            text = blocker.unblock.en if blocker.unblock else blocker.description.en
            console.print(f"  - {text}")
    for flag in card.flags:
        console.print(f"[yellow]note:[/yellow] {flag.message.en}")
    if result.recommendations:
        recs = Table(
            "#", "scenario", "priority", "slot", "triggered by", title="Recommended scenarios"
        )
        for rec in result.recommendations:
            recs.add_row(
                str(rec.rank),
                f"{rec.name.zh} {rec.name.en}",
                f"{rec.priority:.2f}",
                _SLOT[rec.slot],
                ", ".join(t.question for t in rec.triggered_by),
            )
        console.print(recs)


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
            card.level_name("zh"),
            _fmt(card.overall),
            f"{card.coverage:.0%}",
            top,
        )
    console.print(table)
