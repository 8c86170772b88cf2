"""Writes the workbook a park office fills in: one row per firm, one column per question.

Made from the questionnaire file, so there is never a second copy of the questions. The answers
sheet has the question text as its header (row 1) and the field ids in a hidden row 2, so the
import finds each column by id even when someone re-types the headers. A multiple-choice question
has one column per choice, marked `Y`. Drop-downs, number ranges and greyed skipped cells help
the person filling it; the import checks everything again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Literal

from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..models.answers import NOT_APPLICABLE, UNKNOWN
from ..models.common import Lang, TextValue
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Question, Questionnaire
from .instructions import Column, write_instructions
from .table import FIRM_FIELDS
from .when_excel import MARK, YES_NO_LABELS, RowCells, grey_formula

T = TextValue
SHEET_NAMES = {
    "answers": T(zh="答卷", en="Answers"),
    "help": T(zh="填写说明", en="How to fill"),
}
LISTS_SHEET = "lists"
STATUS_LABELS = {
    NOT_APPLICABLE: T(zh="不适用", en="Not applicable"),
    UNKNOWN: T(zh="不知道", en="Don't know"),
}
# Defined names that carry the questionnaire a workbook was made for.
NAME_ID = "dtm_questionnaire"
NAME_VERSION = "dtm_version"
HEADER_ROW, ID_ROW, FIRST_ROW = 1, 2, 3
GREY = PatternFill(start_color="D9D9D9", end_color="D9D9D9", fill_type="solid")
HEADER_FILL = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")


def choice_column_id(qid: str, choice: str) -> str:
    return f"{qid}.{choice}"


def choice_header(question: Question, label: str, lang: Lang) -> str:
    text = question.text.get(lang)
    return f"{text}（{label}）" if lang == "zh" else f"{text} ({label})"


def status_words(question: Question) -> list[str]:
    return [
        s
        for s, allowed in ((NOT_APPLICABLE, question.allow_na), (UNKNOWN, question.allow_unknown))
        if allowed
    ]


def asked(q: Questionnaire) -> Iterator[Question]:
    """The questions a person answers (a computed question is worked out, never typed)."""
    return (question for question in q.questions() if question.compute is None)


def columns(q: Questionnaire, lang: Lang) -> list[Column]:
    """Every column of the answers sheet, in order: the firm fields, then the questions."""
    found = [
        Column(
            name,
            label.get(lang),
            28 if name == "firm.name" else 20 if name == "firm.credit_code" else 13,
        )
        for name, label in FIRM_FIELDS.items()
    ]
    for question in asked(q):
        if question.type != "multi":
            found.append(Column(question.id, question.text.get(lang), 20, question))
            continue
        for choice in q.choices_of(question):
            header = choice_header(question, choice.label.get(lang), lang)
            found.append(
                Column(choice_column_id(question.id, choice.id), header, 11, question, choice.id)
            )
        for status in status_words(question):
            header = choice_header(question, STATUS_LABELS[status].get(lang), lang)
            found.append(Column(choice_column_id(question.id, status), header, 9, question, status))
    return found


def row_cells(cols: list[Column], row: int) -> RowCells:
    """Where each question sits in `row`, for the greying formulas."""
    single: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for index, col in enumerate(cols, start=1):
        letter = get_column_letter(index)
        if col.question is None:
            continue
        if col.choice is None:
            single[col.question.id] = letter
        elif col.choice not in (NOT_APPLICABLE, UNKNOWN):
            choices.setdefault(col.question.id, {})[col.choice] = letter
    return RowCells(row, single, choices)


def workbook_bytes(q: Questionnaire, *, lang: Lang = "zh", firms: int = 50) -> bytes:
    """The template workbook for `firms` firms, as .xlsx bytes."""
    book = Workbook()
    help_sheet = book.active
    assert help_sheet is not None
    help_sheet.title = SHEET_NAMES["help"].get(lang)
    answers = book.create_sheet(SHEET_NAMES["answers"].get(lang))
    lists = _Lists(book.create_sheet(LISTS_SHEET))
    cols = columns(q, lang)
    last = FIRST_ROW + firms - 1
    _write_header(answers, cols)
    _add_validations(answers, cols, q, lists, lang, last)
    untranslated = _add_greying(answers, cols, q, lang, last)
    write_instructions(help_sheet, q, cols, lang, untranslated=untranslated)
    # Constants rather than cell references, so editing the help sheet cannot lose them.
    for name, value in ((NAME_ID, q.id), (NAME_VERSION, q.version)):
        book.defined_names[name] = DefinedName(name, attr_text=f'"{value}"')
    lists.sheet.sheet_state = "hidden"
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_header(sheet: Worksheet, cols: list[Column]) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, col in enumerate(cols, start=1):
        cell = sheet.cell(HEADER_ROW, index, col.header)
        cell.font, cell.alignment, cell.fill = bold, wrap, HEADER_FILL
        sheet.cell(ID_ROW, index, col.id)
        sheet.column_dimensions[get_column_letter(index)].width = col.width
    sheet.row_dimensions[HEADER_ROW].height = 96
    sheet.row_dimensions[ID_ROW].hidden = True
    sheet.freeze_panes = f"B{FIRST_ROW}"


class _Lists:
    """The hidden sheet of drop-down label lists (an inline list is limited to 255 characters)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.known: dict[tuple[str, ...], str] = {}

    def range_of(self, labels: list[str]) -> str:
        key = tuple(labels)
        if key not in self.known:
            column = get_column_letter(len(self.known) + 1)
            for row, label in enumerate(labels, start=1):
                self.sheet[f"{column}{row}"] = label
            self.known[key] = f"{LISTS_SHEET}!${column}$1:${column}${len(labels)}"
        return self.known[key]


def _add_validations(
    sheet: Worksheet, cols: list[Column], q: Questionnaire, lists: _Lists, lang: Lang, last: int
) -> None:
    for index, col in enumerate(cols, start=1):
        letter = get_column_letter(index)
        area = f"{letter}{FIRST_ROW}:{letter}{last}"
        rule = _validation(col, q, lists, lang, f"{letter}{FIRST_ROW}")
        if rule is not None:
            rule.add(area)
            sheet.add_data_validation(rule)
        if col.id == "firm.credit_code":
            for row in range(FIRST_ROW, last + 1):
                sheet[f"{letter}{row}"].number_format = "@"
        elif col.id == "assessed_on":
            for row in range(FIRST_ROW, last + 1):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"


def _validation(
    col: Column, q: Questionnaire, lists: _Lists, lang: Lang, anchor: str
) -> DataValidation | None:
    question = col.question
    if col.id == "firm.industry":
        return _list(lists.range_of([t.get(lang) for t in INDUSTRIES.values()]))
    if col.id == "firm.employees":
        return _number("whole", 0, None, [], anchor)
    if col.id == "firm.revenue":
        return _number("decimal", 0, None, [], anchor)
    if col.id == "firm.credit_code":
        return DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
    if question is None:
        return None
    statuses = [STATUS_LABELS[s].get(lang) for s in status_words(question)]
    if col.choice is not None:
        return _list(f'"{MARK}"')
    if question.type == "single":
        labels = [c.label.get(lang) for c in q.choices_of(question)]
        return _list(lists.range_of(labels + statuses))
    if question.type == "yesno":
        return _list(lists.range_of([YES_NO_LABELS[w].get(lang) for w in ("yes", "no")] + statuses))
    if question.type == "ordinal":
        return _list(lists.range_of([str(n) for n in range(question.max_level + 1)] + statuses))
    if question.type in ("number", "percent"):
        low = (
            question.min
            if question.min is not None
            else (0 if question.type == "percent" else None)
        )
        high = (
            question.max
            if question.max is not None
            else (100 if question.type == "percent" else None)
        )
        return _number("decimal", low, high, statuses, anchor)
    return None


def _list(source: str) -> DataValidation:
    rule = DataValidation(
        type="list", formula1=source if source.startswith('"') else f"={source}", allow_blank=True
    )
    rule.error = "请从下拉列表中选择 / pick a value from the list"
    rule.showErrorMessage = True
    return rule


def _number(
    kind: Literal["whole", "decimal"],
    low: float | None,
    high: float | None,
    statuses: list[str],
    anchor: str,
) -> DataValidation:
    """A number range; where 不适用/不知道 are allowed too, a formula that also takes them."""
    if statuses:
        checks = [f"ISNUMBER({anchor})"]
        checks += [f"{anchor}>={low:g}"] if low is not None else []
        checks += [f"{anchor}<={high:g}"] if high is not None else []
        words = ",".join(f'{anchor}="{s}"' for s in statuses)
        rule = DataValidation(
            type="custom", formula1=f"OR(AND({','.join(checks)}),{words})", allow_blank=True
        )
    elif low is not None and high is not None:
        rule = DataValidation(
            type=kind,
            operator="between",
            formula1=f"{low:g}",
            formula2=f"{high:g}",
            allow_blank=True,
        )
    elif low is not None:
        rule = DataValidation(
            type=kind, operator="greaterThanOrEqual", formula1=f"{low:g}", allow_blank=True
        )
    elif high is not None:
        rule = DataValidation(
            type=kind, operator="lessThanOrEqual", formula1=f"{high:g}", allow_blank=True
        )
    else:
        rule = DataValidation(
            type=kind, operator="between", formula1="-1E+12", formula2="1E+12", allow_blank=True
        )
    rule.error = "请填数字（范围见填写说明） / enter a number in the range shown on the help sheet"
    rule.showErrorMessage = True
    return rule


def _add_greying(
    sheet: Worksheet, cols: list[Column], q: Questionnaire, lang: Lang, last: int
) -> list[str]:
    """Grey a question's cells while its `when:` is false; the ids whose condition stays white."""
    cells = row_cells(cols, FIRST_ROW)
    untranslated = []
    for question in asked(q):
        if question.when is None:
            continue
        formula = grey_formula(q, question, cells, lang)
        if formula is None:
            untranslated.append(question.id)
            continue
        letters = [
            get_column_letter(i) for i, c in enumerate(cols, start=1) if c.question is question
        ]
        area = f"{letters[0]}{FIRST_ROW}:{letters[-1]}{last}"
        sheet.conditional_formatting.add(
            area, Rule(type="expression", formula=[formula], dxf=DifferentialStyle(fill=GREY))
        )
    return untranslated
