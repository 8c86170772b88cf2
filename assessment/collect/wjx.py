"""Reads 问卷星's answer download (按选项文本 or 按选项序号, .xlsx or .csv) into located rows.

A download starts with fixed columns (序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP), then
one column per question headed by its number and text (`12、企业是否有数字化转型规划？`); the text
after the number names the question, with the notes `dtm template --wjx` added in brackets
ignored. A multiple-choice answer is joined with `┋`, or split into one column per option
(`22(免费数字化诊断)` holding 1/0); `(跳过)` marks a question hidden by skip logic; `其他〖…〗`
keeps the words typed after an option, which become the answer's note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from ..engine.labels import key, plain
from ..models.answers import NOT_APPLICABLE, UNKNOWN
from ..models.questionnaire import Question, Questionnaire
from .grid import Grid
from .importer import TableRead
from .table import ColumnMatcher, Row, header_problems, is_empty
from .wjx_columns import (
    FIXED_COLUMNS,
    Column,
    find_columns,
    first_of_each,
    match_titles,
    option_value,
    trailing_brackets,
)

__all__ = ["FIXED_COLUMNS", "find_columns", "read", "sniff", "trailing_brackets"]
from .wjx_text import industry_options, options

NAME = "wjx"
SUBMITTED = "提交答卷时间"
_MULTI_SEPARATOR = "┋"
_OTHER_TEXT = re.compile(r"〖(.*?)〗")
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_FIXED_KEYS = {key(c) for c in FIXED_COLUMNS}
_INDEX = re.compile(r"\d+(?:\.0)?")


def header_row(grid: Grid) -> int | None:
    """The index of the row of fixed 问卷星 headers among the first rows, or None."""
    for index, row in enumerate(grid.rows[:5]):
        texts = {key(str(v)) for v in row if v is not None}
        if key(SUBMITTED) in texts and len(texts & _FIXED_KEYS) >= 4:
            return index
    return None


def sniff(grids: Sequence[Grid], q: Questionnaire) -> Grid | None:
    """The first sheet that starts with 问卷星's fixed columns."""
    return next((g for g in grids if header_row(g) is not None), None)


def read(path: str, grid: Grid, q: Questionnaire) -> TableRead:
    """Every respondent's row, each value read back through the questionnaire's labels."""
    top = header_row(grid)
    result = TableRead(NAME)
    if top is None:
        return result
    headers = grid.rows[top]
    matcher = ColumnMatcher(q)
    columns, unknown = find_columns(headers, q, matcher)
    refs = [grid.ref(top, index) for index in range(len(headers))]
    titles = match_titles(path, refs, headers, columns, unknown, q)
    columns = titles.columns
    fields = [(grid.ref(top, c.index), c.field) for c in first_of_each(columns)]
    _, result.problems = header_problems(path, fields, matcher)
    result.problems.extend(titles.problems)
    result.warnings.extend(titles.warnings)
    if result.problems:
        return result
    by_number = answers_by_number(grid, top, columns, matcher)
    submitted = _submitted_column(headers)
    for r in range(top + 1, len(grid.rows)):
        values = grid.rows[r]
        if all(is_empty(v) for v in values):
            continue
        row = _row(grid, r, columns, matcher, by_number)
        if submitted is not None and is_empty(row.fields.get("assessed_on")):
            day = _day(_cell(values, submitted))
            if day is not None:
                row.put("assessed_on", day, grid.ref(r, submitted))
        result.rows.append(row)
    return result


def answers_by_number(grid: Grid, top: int, columns: list[Column], matcher: ColumnMatcher) -> bool:
    """True for the 按选项序号 download: most filled choice cells hold option numbers (`7` or
    `7〖纺织机械配件〗` with the words typed after an option), judged over the whole file, so one
    odd cell does not make it a text download.

    Questions whose options are numbers themselves read the same either way, so they do not count.
    """
    numeric = total = 0
    for column in columns:
        question = matcher.question(column.field)
        if column.option is not None or not _telling(column.field, question, matcher.q):
            continue
        for values in grid.rows[top + 1 :]:
            value = _cell(values, column.index)
            if is_empty(value):
                continue
            parts = _OTHER_TEXT.sub("", plain(str(value))).split(_MULTI_SEPARATOR)
            total += 1
            numeric += all(_INDEX.fullmatch(p.strip()) for p in parts)
    return total > 0 and numeric * 2 > total


def _telling(name: str, question: Question | None, q: Questionnaire) -> bool:
    """Whether a column's answers tell option numbers from option texts."""
    if name == "firm.industry":
        return True
    if question is None or question.type not in ("single", "multi", "yesno", "ordinal"):
        return False
    own = [label for label, value in options(q, question) if value not in (NOT_APPLICABLE, UNKNOWN)]
    return not all(_INDEX.fullmatch(plain(label)) for label in own)


def _row(grid: Grid, r: int, columns: list[Column], matcher: ColumnMatcher, by_number: bool) -> Row:
    q = matcher.q
    row = Row(grid.ref(r, 0))
    chosen: dict[str, list[Any]] = {}
    for column in columns:
        raw = _cell(grid.rows[r], column.index)
        ref = grid.ref(r, column.index)
        question = matcher.question(column.field)
        if column.option is not None and question is not None:
            picked = chosen.setdefault(column.field, [])
            if column.field not in row.cells:
                row.cells[column.field] = ref
            if _ticked(raw):
                picked.append(option_value(q, question, column.option))
            continue
        if is_empty(raw):
            row.cells.setdefault(column.field, ref)  # a missing answer is located at its cell
            continue
        value, other = _value(q, column.field, question, raw, by_number)
        row.put(column.field, value, ref)
        if other and question is not None and f"notes.{question.id}" not in row.fields:
            row.put(f"notes.{question.id}", other, ref)
    for name, picked in chosen.items():
        if picked:
            row.fields[name] = picked
    return row


def _ticked(raw: Any) -> bool:
    if is_empty(raw):
        return False
    # A split column holds 1/0, or the option's own text when it was picked.
    return plain(str(raw)) not in ("0", "0.0")


def _value(
    q: Questionnaire, name: str, question: Question | None, raw: Any, by_number: bool
) -> tuple[Any, str | None]:
    """The value of one cell as the answer checks expect it, and any text typed in 〖〗."""
    if question is None:
        return _firm_value(name, raw, by_number), None
    if question.type not in ("single", "multi", "yesno", "ordinal"):
        is_number = isinstance(raw, int | float) and not isinstance(raw, bool)
        return (raw if is_number else str(raw).strip()), None
    text = plain(str(raw)) if not isinstance(raw, str) else raw.strip()
    others = [o.strip() for o in _OTHER_TEXT.findall(text) if o.strip()]
    text = _OTHER_TEXT.sub("", text).strip()
    other = "；".join(others) or None
    if question.type != "multi":
        return _choice(q, question, text, by_number), other
    items = [i.strip() for i in text.split(_MULTI_SEPARATOR) if i.strip()]
    values = [_choice(q, question, item, by_number) for item in items]
    if len(values) == 1 and values[0] in (NOT_APPLICABLE, UNKNOWN):
        return values[0], other
    return values, other


def _choice(q: Questionnaire, question: Question, text: str, by_number: bool) -> Any:
    """A choice named by its option text (or number, in the 按选项序号 download)."""
    if by_number and _INDEX.fullmatch(plain(text)):
        opts = options(q, question)
        index = int(float(plain(text))) - 1
        return opts[index][1] if 0 <= index < len(opts) else text
    found = option_value(q, question, text)
    return found if found is not None else text


def _firm_value(name: str, raw: Any, by_number: bool) -> Any:
    text = plain(str(raw))
    bare = _OTHER_TEXT.sub("", text).strip()
    if name == "firm.industry" and by_number and _INDEX.fullmatch(bare):
        industries = industry_options()
        index = int(float(bare)) - 1
        if not 0 <= index < len(industries):
            return raw
        # The words typed after 其他 stay with it, for the notice that shows them.
        return industries[index][0] + "".join(f"〖{o}〗" for o in _OTHER_TEXT.findall(text))
    return raw


def _submitted_column(headers: Sequence[Any]) -> int | None:
    for index, header in enumerate(headers):
        if header is not None and key(str(header)) == key(SUBMITTED):
            return index
    return None


def _day(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = _DATE.match(plain(str(value))) if value is not None else None
    if match is None:
        return None
    y, m, d = (int(g) for g in match.groups())
    return f"{y:04d}-{m:02d}-{d:02d}"


def _cell(values: Sequence[Any], index: int) -> Any:
    return values[index] if index < len(values) else None
