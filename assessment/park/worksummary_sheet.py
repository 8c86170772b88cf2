"""The work summary (工作简报) as a sheet of the results workbook: the same figures as the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ..models.common import Lang, TextValue
from .worksummary import WorkSummary

T = TextValue
SHEET = T(zh="工作简报", en="Work summary")
HEADER = (
    T(zh="指标", en="Figure"),
    T(zh="数值", en="Value"),
    T(zh="涉及企业数", en="Of firms"),
    T(zh="占比", en="Share"),
    T(zh="统计口径", en="What it counts"),
)
NOT_IMPORTED = T(zh="未导入", en="not imported")
IMPORT_IT = T(zh="；导入{what}后即可统计", en="; import {what} to count it")
SUPPORT_HEADER = (
    T(zh="服务类型", en="Kind of support"),
    T(zh="企业数", en="Firms"),
    T(zh="记录数", en="Lines"),
    T(zh="金额（万元）", en="Amount (10k CNY)"),
)
ADOPTION_HEADER = (
    T(zh="场景", en="Scenario"),
    T(zh="上期推荐企业数", en="Recommended to"),
    T(zh="已落地企业数", en="Adopted by"),
    T(zh="因其他原因不再推荐", en="No longer recommended for another reason"),
)


def _row(sheet: Any, values: list[Any], bold: bool = False) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if bold:
            cell.font = Font(bold=True)


def work_summary_sheet(work: WorkSummary) -> Callable[[Workbook, Lang], None]:
    """A function that adds the work summary sheet to a workbook, headed in its language."""

    def add(book: Workbook, lang: Lang) -> None:
        sheet = book.create_sheet(SHEET.get(lang))
        _row(sheet, [h.get(lang) for h in HEADER], bold=True)
        for f in work.figures:
            counts = f.counts.get(lang)
            value: Any = f.value
            if f.missing is not None:  # unknown, not zero: the cell says what to import
                value = NOT_IMPORTED.get(lang)
                counts += IMPORT_IT.get(lang).format(what=f.missing.get(lang))
            _row(sheet, [f.label.get(lang), value, f.of, f.share, counts])
            if f.share is not None:
                sheet.cell(sheet.max_row, 4).number_format = "0.0%"
        _row(sheet, [])
        _row(sheet, [h.get(lang) for h in SUPPORT_HEADER], bold=True)
        for k in work.support:
            _row(sheet, [k.label.get(lang), k.firms, k.lines, k.amount])
        _row(sheet, [])
        _row(sheet, [h.get(lang) for h in ADOPTION_HEADER], bold=True)
        for a in work.adoption:
            _row(sheet, [a.name.get(lang), a.recommended, a.adopted, a.dropped])
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDE", (30, 12, 12, 10, 80), strict=True):
            sheet.column_dimensions[letter].width = width

    return add
