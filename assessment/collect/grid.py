"""Reads a workbook or CSV file into plain grids of cells, each value with its cell reference."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..errors import N_, UsageError

MAX_TABLE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")


@dataclass
class Grid:
    """One sheet: its name, its rows of values, its merged cells and its hidden columns."""

    name: str
    rows: list[list[Any]]
    merged: set[tuple[int, int]] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)

    def ref(self, row: int, column: int) -> str:
        """`答卷!F12` for 0-based row and column indices."""
        cell = f"{get_column_letter(column + 1)}{row + 1}"
        return f"{self.name}!{cell}" if self.name else cell


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook (values, not formulas), or the one table of a CSV file."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UsageError(N_("%(path)s: not a workbook or CSV file (use .xlsx or .csv)"), path=path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot be read (%(reason)s)"), path=path, reason=exc.strerror
        ) from exc
    if size > MAX_TABLE_BYTES:
        raise UsageError(
            N_("%(path)s: over the %(size)s MiB limit; split it"),
            path=path,
            size=MAX_TABLE_BYTES // 2**20,
        )
    if suffix == ".csv":
        return [Grid("", _csv_rows(path))]
    return _workbook_grids(path)


def _csv_rows(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise UsageError(
            N_("%(path)s: the CSV is neither UTF-8 nor GBK text; save it as UTF-8"), path=path
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(list(record))
    except csv.Error:  # a cell over the csv module's limit, a stray NUL…
        # The row that failed is the one after the last one read, as the spreadsheet counts.
        raise UsageError(
            N_(
                "%(path)s: row %(row)s cannot be read (is a cell longer than %(limit)s "
                "characters?); shorten it, or save the table again as CSV from the spreadsheet"
            ),
            path=path,
            row=len(rows) + 1,
            limit=csv.field_size_limit(),
        ) from None
    return _limited(path, rows)


def _workbook_grids(path: Path) -> list[Grid]:
    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UsageError(
            N_("%(path)s: not a readable .xlsx workbook; save it again as .xlsx"), path=path
        ) from exc
    grids = []
    for sheet in book.worksheets:
        rows = [[_shown(c.value, c.number_format) for c in r] for r in sheet.iter_rows()]
        merged: set[tuple[int, int]] = set()
        for span in sheet.merged_cells.ranges:
            for r in range(span.min_row, span.max_row + 1):
                for c in range(span.min_col, span.max_col + 1):
                    merged.add((r - 1, c - 1))
        hidden = {
            index
            for dim in sheet.column_dimensions.values()
            if dim.hidden and dim.min is not None and dim.max is not None
            for index in range(dim.min - 1, dim.max)
        }
        grids.append(Grid(sheet.title, _limited(path, rows), merged, hidden))
    book.close()
    return grids


def _shown(value: Any, number_format: Any) -> Any:
    """A cell's value as the sheet shows it where that differs from what Excel stores: a
    percent-formatted 0.6 is the `60%` the clerk typed and sees (a CSV saved from it holds
    `60%` too), so the same typing reads the same from either file."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and isinstance(number_format, str)
        and "%" in number_format.replace('"%"', "").replace("\\%", "")
    ):
        shown = (Decimal(str(value)) * 100).normalize()
        return f"{shown:f}%"
    return value


def _limited(path: Path, rows: list[list[Any]]) -> list[list[Any]]:
    if len(rows) > MAX_ROWS or any(len(r) > MAX_COLUMNS for r in rows[:10]):
        raise UsageError(
            N_("%(path)s: more than %(rows)s rows or %(columns)s columns; split the table"),
            path=path,
            rows=MAX_ROWS,
            columns=MAX_COLUMNS,
        )
    return rows
