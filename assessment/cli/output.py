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
from typing import Annotated, Any

import typer

from ..errors import printable


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
        names = " and ".join(f"--{f.value}" for f in asked)
        typer.echo(f"Error: {names} cannot be used together; choose one", err=True)
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
