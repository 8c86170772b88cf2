"""Rows as people and scripts read them: a table on a terminal, whole rows everywhere else.

`--json` is one JSON array (what `json.load` and `jq '.[]'` expect), `--nl` one JSON object per
line, `--csv` CSV with a header; without them a terminal gets a table that never cuts a credit
code, and a pipe or file gets tab-separated rows with a header, nothing cut (as sqlite-utils does).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import printable
from .lang import _

if TYPE_CHECKING:
    from ..models.common import Lang
    from ..park.worksummary import WorkSummary


class Format(StrEnum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    nl = "nl"


JsonOption = Annotated[bool, typer.Option("--json", help="One JSON array of objects.")]
NlOption = Annotated[bool, typer.Option("--nl", help="JSON Lines: one object per line.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="CSV with a header row.")]


def chosen(as_json: bool, nl: bool, as_csv: bool) -> Format | None:
    """The format the options ask for, or None for the default (a table or tab-separated rows);
    more than one is a usage error."""
    asked = [f for f, on in ((Format.json, as_json), (Format.nl, nl), (Format.csv, as_csv)) if on]
    if len(asked) > 1:
        flags = [f"--{f.value}" for f in asked]
        names = _("%(some)s and %(last)s", some=", ".join(flags[:-1]), last=flags[-1])
        typer.echo(
            _(
                "Error: %(message)s",
                message=_("%(names)s cannot be used together; choose one", names=names),
            ),
            err=True,
        )
        raise typer.Exit(2)
    return asked[0] if asked else None


def default_format() -> Format:
    """A table on a terminal; tab-separated rows when the output goes to a pipe or a file."""
    return Format.table if sys.stdout.isatty() else Format.tsv


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # A tab or a line break inside a value would split the row: shown as a space instead.
    return printable(" ".join(text.split())) if any(c in text for c in "\t\r\n") else text


def write_rows(rows: Sequence[Mapping[str, Any]], fmt: Format, columns: Sequence[str]) -> None:
    """`rows` to standard output in a machine format (every format but the table)."""
    if fmt is Format.json:
        typer.echo(json.dumps(list(rows), ensure_ascii=False, indent=1))
    elif fmt is Format.nl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
    elif fmt is Format.csv:
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(columns)
        out.writerows([[_cell(row.get(c)) for c in columns] for row in rows])
        typer.echo(buffer.getvalue(), nl=False)
    else:
        typer.echo("\t".join(columns))
        for row in rows:
            typer.echo("\t".join(_cell(row.get(c)) for c in columns))


def work_summary_lines(summary: WorkSummary, lang: Lang) -> list[str]:
    """`dtm park-summary` as text in one language: a heading, one line per figure, support by
    kind, and what to import when a figure is unknown."""
    from ..display import period

    colon = "：" if lang == "zh" else ": "
    quarters = ("、" if lang == "zh" else ", ").join(period(p, lang) for p in summary.periods)
    title = "工作简报" if lang == "zh" else "Work summary"
    scope = summary.scope
    if len(summary.periods) == 1 and scope == summary.periods[0]:
        heading = f"{quarters} {title}" if lang == "zh" else f"{title}, {quarters}"
    elif lang == "zh":
        heading = f"{scope}年 {title}（{quarters}）"
    else:
        heading = f"{title}, {scope} ({quarters})"
    lines = [f"{summary.park} {heading}" if summary.park else heading]
    if summary.district is not None:
        none = "未写园区的企业" if lang == "zh" else "firms naming no park"
        names = [p or none for p in summary.district]
        parks = ("、" if lang == "zh" else ", ").join(names)
        n = len(summary.district)
        lines.append(
            f"全区汇总：{n} 个园区相加（{parks}），每家企业只计一次"
            if lang == "zh"
            else f"District: {n} parks added up ({parks}); each firm counted once"
        )
    for f in summary.figures:
        lines.append(f"{f.label.get(lang)}{colon}{f.shown(lang)} — {f.counts.get(lang)}")
    for k in summary.support:
        amount = f"{k.amount:g}"
        lines.append(
            f"  {k.label.get(lang)}{colon}{k.firms} 家企业，{k.lines} 条记录，{amount} 万元"
            if lang == "zh"
            else f"  {k.label.get(lang)}{colon}{k.firms} firms, {k.lines} lines, {amount} (10k CNY)"
        )
    if summary.figure("registered").missing is not None:
        lines.append(
            "导入园区企业名录后即可统计：dtm park-summary --register 名录.csv"
            "（dtm batch --register 会保存它）"
            if lang == "zh"
            else "Give the park's firm register to count it: dtm park-summary --register firms.csv "
            "(dtm batch --register stores it)"
        )
    if summary.unregistered:
        lines.append(
            "导入服务台账后即可统计服务支持：dtm import 台账.csv --services --period 季度"
            if lang == "zh"
            else "Import the services register to count support: "
            "dtm import register.csv --services --period QUARTER"
        )
    return [printable(line) for line in lines]
