"""Cells of the results workbook: number formats, level colours, the same bytes on re-runs."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .table import Row, dimension_columns

SCORE = "0.0"
_FORMATS = {"overall": SCORE, "change": "+0.0;-0.0;0.0", "coverage": "0%", "employees": "0"}
# Level rank → fill: grey for not rated, then warm to green as the level rises.
_LEVEL_FILLS = ("D9D9D9", "F8CBAD", "FCE4D6", "FFF2CC", "E2EFDA", "C6EFCE")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def put(sheet: Worksheet, values: Sequence[Any]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


# Ids for programs, kept in the CSV and the DataFrame; the workbook shows the names beside them.
WORKBOOK_HIDDEN = frozenset({"industry", "size", "level", "previous_level"})


def results_sheet(sheet: Worksheet, rows: Sequence[Row], header: Mapping[str, str]) -> None:
    keys = [k for k in header if k not in WORKBOOK_HIDDEN]
    put(sheet, [header[k] for k in keys])
    for row in rows:
        put(sheet, [row.get(k) for k in keys])
    formats = {**dict.fromkeys(dimension_columns(rows), SCORE), **_FORMATS}
    for n, key in enumerate(keys, start=1):
        if key in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = formats[key]
    finish(sheet, freeze="D2")
    if rows and "level_rank" in keys:
        rank = get_column_letter(keys.index("level_rank") + 1)
        first = get_column_letter(keys.index("level") + 1) if "level" in keys else rank
        last = get_column_letter(keys.index("overall") + 1) if "overall" in keys else rank
        cells = f"{first}2:{last}{len(rows) + 1}"
        for level, colour in enumerate(_LEVEL_FILLS):
            fill = PatternFill("solid", fgColor=colour, bgColor=colour)
            rule = Rule(
                type="expression", formula=[f"${rank}2={level}"], dxf=DifferentialStyle(fill=fill)
            )
            sheet.conditional_formatting.add(cells, rule)


def finish(sheet: Worksheet, *, freeze: str) -> None:
    sheet.freeze_panes = freeze
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for n, column in enumerate(sheet.iter_cols(), start=1):
        widest = max((_width(cell.value) for cell in column), default=8)
        sheet.column_dimensions[get_column_letter(n)].width = min(max(widest + 2, 8), 60)


def _width(value: Any) -> int:
    text = "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def reproducible(data: bytes, stamp: datetime) -> bytes:
    """The workbook with its save time and its zip entries' times set to `stamp`."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    when = (max(stamp.year, 1980), *stamp.timetuple()[1:6])  # zip times start in 1980
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return buffer.getvalue()
