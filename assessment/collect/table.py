"""Answers laid out as a table (workbook, CSV, survey export): columns matched, rows checked.

Every import route reads its file into `Row`s — one firm each, every field with the cell it came
from — and hands them here. Columns are found by question id or by header text in either
language, so a re-typed, re-ordered or WPS-saved sheet reads the same; each row becomes an answer
sheet checked by the same code as an answer file, and each problem names its cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..engine.labels import key, plain
from ..engine.loader import check_answer_data
from ..errors import N_, Location, Problem, ProblemList
from ..files.locator import KeyPath, Locator
from ..models.answers import AnswerSheet
from ..models.common import Lang, TextValue
from ..models.questionnaire import Question, Questionnaire
from .cells import normalise_row
from .clerk_words import in_language
from .rows import EMPTY as EMPTY
from .rows import FIRM_FIELDS as FIRM_FIELDS
from .rows import Row as Row
from .rows import is_empty as is_empty

T = TextValue
REQUIRED_FIELDS = ("firm.name", "firm.credit_code", "firm.industry", "firm.employees")
NOTE_SUFFIX = T(zh="备注", en="note")
_NUMBERED = re.compile(r"^\s*(?:第?\d+(?:[.．、)）]|\s)+)\s*")


class ColumnMatcher:
    """Finds the field a column header names: an id, a question's text, or a firm field."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self._by_key: dict[str, str] = {}
        for name, label in FIRM_FIELDS.items():
            for text in (name, name.split(".")[-1], label.zh, label.en):
                self._by_key.setdefault(key(text), name)
        for question in q.questions():
            for text in (question.id, question.text.zh, question.text.en):
                self._by_key.setdefault(key(text), f"answers.{question.id}")
            for text in (f"notes.{question.id}", f"{question.id}.note"):
                self._by_key.setdefault(key(text), f"notes.{question.id}")
            for suffix in (NOTE_SUFFIX.zh, NOTE_SUFFIX.en):
                self._by_key.setdefault(key(f"{question.text.zh}{suffix}"), f"notes.{question.id}")

    def field(self, header: Any) -> str | None:
        """The field of a header (`answers.leader_learning`, `firm.name`…), or None."""
        if header is None:
            return None
        text = str(header).strip()
        for candidate in (text, _NUMBERED.sub("", text), text.removeprefix("answers.")):
            found = self._by_key.get(key(candidate))
            if found is not None:
                return found
        return None

    def question(self, name: str) -> Question | None:
        return self.q.question_map.get(name.split(".", 1)[1]) if "." in name else None


class CellLocator(Locator):
    """Locates a key path of a sheet built from a row at the cell its value came from."""

    def __init__(self, path: str, row: Row) -> None:
        super().__init__(path)
        self.row = row

    def __call__(self, loc: KeyPath) -> Location:
        parts = [str(p) for p in loc]
        for end in range(len(parts), 0, -1):
            cell = self.row.cells.get(".".join(parts[:end]))
            if cell is not None:
                return Location(f"{self.path}:{cell}")
        return Location(f"{self.path}:{self.row.ref}")


@dataclass
class Imported:
    """What came out of a table: the good sheets with their rows, and every problem."""

    sheets: list[tuple[Row, AnswerSheet]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed_rows: list[Row] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def row_data(row: Row, q: Questionnaire, *, period: str | None) -> dict[str, Any]:
    """The answer-file data a row stands for (the same keys as an answer file)."""
    values = row.fields
    firm = {
        name.split(".", 1)[1]: _cell_value(values[name])
        for name in FIRM_FIELDS
        if name.startswith("firm.") and name in values and not is_empty(values[name])
    }
    data: dict[str, Any] = {
        "questionnaire": {"id": q.id, "version": q.version},
        "firm": firm,
        "period": _text(values.get("period")) or period,
        "assessor": _text(values.get("assessor")),
        "assessed_on": _date(values.get("assessed_on")),
        "answers": {},
    }
    for name, value in values.items():
        if name.startswith("answers.") and not is_empty(value):
            data["answers"][name[8:]] = {"value": _cell_value(value)}
    for name, value in values.items():
        if name.startswith("notes.") and not is_empty(value):
            entry = data["answers"].setdefault(name[6:], {"value": None})
            entry["note"] = str(value).strip()
    for name, value in values.items():
        if name.startswith("evidence.") and not is_empty(value):
            entry = data["answers"].setdefault(name[9:], {"value": None})
            entry["evidence"] = value
    return {k: v for k, v in data.items() if v is not None}


def import_rows(
    rows: Iterable[Row],
    path: str,
    q: Questionnaire,
    *,
    period: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    lang: Lang = "en",
) -> Imported:
    """Check every row as an answer sheet; a bad row is left out and the others go on.

    Two rows for one firm and period are both left out, whatever else is wrong with either."""
    result = Imported()
    rows = list(rows)
    cell_checks: list[list[Problem]] = []
    for row in rows:
        for name, value in (defaults or {}).items():
            if is_empty(row.fields.get(name)):
                row.fields[name] = value
        checked = normalise_row(row, q, path, lang)
        result.warnings.extend(checked.notices)
        cell_checks.append(checked.problems)
    twins = _twins(rows, period)
    for row, cell_problems in zip(rows, cell_checks, strict=True):
        problems = ProblemList()
        problems.extend(cell_problems)
        locator = CellLocator(path, row)
        data = row_data(row, q, period=period)
        found = ProblemList()
        sheet, _ = check_answer_data(data, locator, found, q)
        # A cell already reported (a unit that does not fit) is not reported again.
        told = {p.location for p in cell_problems}
        problems.extend(p for p in found.problems if p.location not in told)
        others = [r.ref for r in twins.get(id(row), [])]
        if others:
            code, when = _firm_period(row, period) or ("", "")
            problems.add(
                locator(("firm", "credit_code")),
                "IMP003",
                _say(
                    lang,
                    f"{code} 在 {when} 有多行答卷：本行和 {', '.join(others)}",
                    f"{code} is answered for {when} in this row and in {', '.join(others)}",
                ),
                _say(lang, "每家企业每期只保留一行", "keep one row per firm and period"),
            )
        if problems:
            result.problems.extend(in_language(p, lang, q, row) for p in problems.problems)
            result.failed_rows.append(row)
        else:
            assert sheet is not None
            result.sheets.append((row, sheet))
    return result


def _say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _firm_period(row: Row, period: str | None) -> tuple[str, str] | None:
    """The firm's credit code and the period a row is for, as written, or None."""
    code, when = row.fields.get("firm.credit_code"), row.fields.get("period")
    when = _text(when) or period
    if is_empty(code) or when is None:
        return None
    return plain(str(_cell_value(code))).upper(), when.upper()


def _twins(rows: list[Row], period: str | None) -> dict[int, list[Row]]:
    """For each row that shares its firm and period with others, those other rows."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        found = _firm_period(row, period)
        if found is not None:
            groups.setdefault(found, []).append(row)
    return {
        id(row): [other for other in group if other is not row]
        for group in groups.values()
        if len(group) > 1
        for row in group
    }


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return plain(str(value))


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match:
        y, m, d = (int(g) for g in match.groups())
        return f"{y:04d}-{m:02d}-{d:02d}"
    return text


def header_problems(
    path: str, headers: Sequence[tuple[str, Any]], matcher: ColumnMatcher
) -> tuple[dict[str, str], list[Problem]]:
    """Map each column (by its letter or ref) to a field; a field found twice is a problem."""
    columns: dict[str, str] = {}
    problems = ProblemList()
    owner: dict[str, str] = {}
    for ref, header in headers:
        name = matcher.field(header)
        if name is None:
            continue
        if name in owner:
            problems.add(
                Location(f"{path}:{ref}"),
                "IMP002",
                N_(
                    "the column '%(header)s' repeats %(name)s (also in %(other)s)",
                    header=header,
                    name=name,
                    other=owner[name],
                ),
                N_("keep one column per question"),
            )
            continue
        owner[name] = ref
        columns[ref] = name
    missing = [n for n in REQUIRED_FIELDS if n not in owner]
    if missing:
        names = ", ".join(FIRM_FIELDS[n].zh for n in missing)
        problems.add(
            Location(path),
            "IMP001",
            N_("no column for %(names)s", names=names),
            N_("add the firm columns of `dtm template --xlsx` (a header row with their names)"),
        )
    return columns, problems.problems
