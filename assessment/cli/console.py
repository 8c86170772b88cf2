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
from .lang import _, cli_lang, say

if TYPE_CHECKING:
    from ..batch.intake import BatchResult
    from ..models.common import Lang
    from ..models.results import Recommendation
    from ..queue import QueueStatus
    from ..store import StoredAssessment


def _failed() -> str:
    return "[red]" + _("failed") + "[/red] %s"


def _slot(slot: str) -> str:
    return {"now": _("now"), "next": _("next quarter"), "later": _("later")}.get(slot, slot)


def _fmt(value: float | None) -> str:
    return "—" if value is None else one_decimal(value)


def _pct(value: float) -> str:
    return f"{value:.0%}"


def print_assessment(result: Assessment, console: Console | None = None) -> None:
    """The score card in the CLI's language; names and typed answers are shown as given."""
    console = console or Console()
    lang = cli_lang()
    card = result.card
    console.print(f"[bold]{escape(card.firm.name)}[/bold]  {card.firm.credit_code}  {card.period}")
    console.print(
        _(
            "Level: %(level)s   Overall: %(overall)s   Coverage: %(coverage)s",
            level=f"[bold]{card.level_name[lang]}[/bold]",
            overall=f"[bold]{_fmt(card.overall)}[/bold]",
            coverage=_pct(card.coverage),
        )
    )
    table = Table(_("dimension"), _("score"), _("points"), _("coverage"), title=_("Dimensions"))
    for dimension in card.dimensions:
        table.add_row(
            dimension.label[lang],
            _fmt(dimension.score),
            # points towards the overall score; a rated-only dimension carries none
            _fmt(dimension.points if dimension.scored else None),
            _pct(dimension.coverage),
        )
    console.print(table)
    if card.next_level is not None:
        console.print(_("Next level: %(level)s", level=card.next_level.name[lang]))
        if card.next_level_gap is not None:
            gap = card.next_level_gap[lang]
            console.print(_("  missing: %(gap)s", gap=gap), highlight=False)
        for blocker in card.blockers:
            text = blocker.unblock[lang] if blocker.unblock else blocker.description[lang]
            console.print(f"  - {text}")
    for flag in card.flags:
        console.print(_("[yellow]note:[/yellow] %(note)s", note=flag.message[lang]))
    if result.recommendations:
        plan = result.plan
        when = _("plan") if plan is not None else _("when")
        recs = Table(
            "#",
            _("scenario"),
            _("priority"),
            when,
            _("triggered by"),
            title=_("Recommended scenarios"),
        )
        names = {rec.scenario: rec.name[lang] for rec in result.recommendations}
        for rec in result.recommendations:
            recs.add_row(
                str(rec.rank),
                rec.name[lang],
                f"{rec.priority:.2f}",
                _slot(rec.slot) if plan is None else _planned(rec, names, lang),
                ", ".join(t.question for t in rec.triggered_by),
            )
        console.print(recs)
        if plan is not None:
            source = _("from the answers") if plan.budget_known else _("a cautious default")
            console.print(
                _(
                    "Budget: CNY %(budget)s a year (%(source)s); %(capacity)s project(s) at once",
                    budget=f"{plan.budget:,.0f}",
                    source=source,
                    capacity=plan.capacity,
                ),
                highlight=False,
            )
            for year in plan.years:
                console.print(
                    _(
                        "  year %(year)s: %(scenarios)s; cost to the firm CNY %(low)s–%(high)s",
                        year=year.year,
                        scenarios=", ".join(names.get(s, s) for s in year.scenarios),
                        low=f"{year.cost_min:,.0f}",
                        high=f"{year.cost_max:,.0f}",
                    ),
                    highlight=False,
                )


def _planned(rec: Recommendation, names: dict[str, str], lang: Lang) -> str:
    """A scenario's place in the plan: its year, and why it is not in year one (naming the
    scenarios it waits on, as the reports do)."""
    year, deferred = rec.year, rec.deferred
    if year == 1:
        return _("year %(year)s", year=1)
    waiting = ("、" if lang == "zh" else ", ").join(names.get(p, p) for p in rec.waiting_on)
    reasons = {
        "budget": _("within the budget, others first"),
        "capacity": _("as many projects as the firm can run"),
        "prerequisite": _("needs %(names)s first", names=waiting)
        if waiting
        else _("needs another scenario first"),
        "open_cost": _("its cost has no upper limit"),
        "over_budget": _("its cost can exceed a year's budget"),
        "horizon": _("no room within the plan's years"),
    }
    reason = reasons.get(deferred or "horizon", deferred or "")
    if year:
        return _("year %(year)s (%(reason)s)", year=year, reason=reason)
    return _("not planned (%(reason)s)", reason=reason)


def print_park(results: Sequence[Assessment], console: Console | None = None) -> None:
    console = console or Console()
    lang = cli_lang()
    period = results[0].card.period if results else ""
    table = Table(
        _("credit code"),
        _("firm"),
        _("level"),
        _("overall"),
        _("coverage"),
        _("top scenario"),
        title=_("Sample park, %(period)s", period=period) if results else _("Sample park"),
    )
    for result in results:
        card = result.card
        top = result.recommendations[0].name[lang] if result.recommendations else "—"
        table.add_row(
            card.firm.credit_code,
            escape(card.firm.name),
            card.level_name[lang],
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
        TextColumn("[bold]" + _("Rendering")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(_("firms")),
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
        done = _(
            "%(rendered)s rendered, %(skipped)s unchanged",
            rendered=len(result.rendered),
            skipped=len(result.skipped),
        )
    else:
        done = _("not rendered")
    console.print(
        _(
            "%(period)s: %(stored)s stored, %(done)s, %(failed)s failed",
            period=result.period,
            stored=len(result.stored),
            done=done,
            failed=len(result.failures),
        ),
        highlight=False,
    )
    for failure in result.failures:
        console.print(_failed() % escape(str(failure.path)), highlight=False)
        for reason in failure.reasons:
            console.print(f"  {printable(say(reason))}", highlight=False, markup=False)
    if result.services is not None:
        saved = result.services
        action = {"added": _("added"), "revised": _("revised"), "unchanged": _("unchanged")}
        console.print(
            _(
                "services register: %(lines)s lines %(action)s (revision %(revision)s)",
                lines=saved.lines,
                action=action.get(saved.action, saved.action),
                revision=saved.revision,
            ),
            highlight=False,
        )
    for warning in result.warnings:
        console.print(
            _("warning: %(warning)s", warning=say(warning)), highlight=False, markup=False
        )
    for kind, path in result.files.items():
        console.print(f"{file_kind(kind)}: {path}", highlight=False)


def file_kind(kind: str) -> str:
    """The name of a kind of file written (diagnosis, park, xlsx …) in the CLI's language."""
    kinds = {
        "diagnosis": _("diagnosis"),
        "scenarios": _("scenarios"),
        "summary": _("summary"),
        "park": _("park report"),
        "xlsx": _("workbook"),
        "csv": _("table"),
    }
    return kinds.get(kind, kind)


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
        Column(_("credit code"), no_wrap=True, min_width=18),
        Column(_("firm"), overflow="fold", ratio=1),
        Column(_("period"), no_wrap=True),
        Column(_("rev"), no_wrap=True),
        Column(_("level"), overflow="fold"),
        Column(_("overall"), no_wrap=True, justify="right"),
        Column(_("coverage"), no_wrap=True, justify="right"),
        Column(_("imported"), no_wrap=True),
        title=title,
    )
    lang = cli_lang()
    for record in records:
        damaged = record.problem is not None
        old = "" if record.current else _(" (old)")
        table.add_row(
            record.credit_code,
            "[red]" + _("damaged: see dtm check-store") + "[/red]"
            if damaged
            else escape(record.card.firm.name),
            record.period,
            f"{record.revision}{old}",
            record.level_id or "" if damaged else record.card.level_name[lang],
            _fmt(record.overall),
            f"{record.coverage:.0%}",
            record.imported_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


def print_demo(result: BatchResult, out: Path, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    console.print("\n" + _("Everything is in %(out)s/:", out=out), highlight=False)
    console.print(
        "  firms/     "
        + _("every firm's diagnosis and scenario reports for %(period)s", period=result.period),
        highlight=False,
    )
    for path in result.files.values():
        console.print(f"  {path.name}", highlight=False)
    console.print(
        "  demo.db    " + _("the store (try: dtm list --db %(db)s)", db=f"{out}/demo.db"),
        highlight=False,
    )


def print_queue_status(status: QueueStatus, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    s = status
    console.print(
        _(
            "%(park)s, %(period)s (%(lang)s) run %(run)s: %(finished)s of %(firms)s firms "
            "finished (%(done)s rendered, %(failed)s failed), %(running)s rendering now, "
            "%(waiting)s waiting; %(skipped)s unchanged before the run",
            park=s.park or _("firms naming no park"),
            period=s.period,
            lang=s.lang,
            run=s.run_id,
            finished=s.done + len(s.failed),
            firms=s.firms,
            done=s.done,
            failed=len(s.failed),
            running=s.running,
            waiting=s.waiting,
            skipped=s.skipped,
        ),
        highlight=False,
    )
    for problem in s.failed:
        console.print(_failed() % escape(say(problem)), highlight=False)
    if s.park_at is not None:
        when = f"{s.park_at:%Y-%m-%d %H:%M}"
        console.print(_("park report built at %(when)s UTC", when=when), highlight=False)
        if s.out:
            command = f"dtm export-reports --period {s.period} --out {s.out}"
            console.print(
                _("reports are in the store: %(command)s", command=command), highlight=False
            )
    else:
        console.print(_("park report: when the last firm is finished"), highlight=False)
    if s.park_problem:
        console.print(
            _("warning: %(warning)s", warning=say(s.park_problem)), highlight=False, markup=False
        )
