"""Reads an ODK Central or KoboToolbox submissions export of a `dtm template --xlsform` form.

Both servers export one row per submission (CSV or XLSX). Column names carry the group path
(`dim_awareness-leader_attention` or `dim_awareness/leader_attention`), the servers add their own
columns (`meta/instanceID`, `KEY`, `SubmissionDate`, `_uuid`, `_submission_time`, …), a multiple
choice is its choice names joined by spaces, and KoboToolbox may add one 0/1 column per choice
(`…/systems_in_use/erp`). Every name is the one the form gave, so a column is found by its last
part; an export "with labels" is read through the labels instead. Computed fields are left out:
the engine works them out again from the figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from ..engine.labels import choice_index, key, status_word
from ..models.answers import NOT_APPLICABLE, UNKNOWN
from ..models.questionnaire import Question, Questionnaire
from .grid import Grid
from .importer import TableRead
from .odk_labels import named_header
from .table import ColumnMatcher, Row, header_problems, is_empty
from .xlsform import EVIDENCE_SUFFIX, FIRM_NAMES, NOTE_SUFFIX, STATUS_SUFFIX
from .xpath import NA_CHOICE, UNKNOWN_CHOICE

NAME = "odk"
# Columns only a submissions export has: ODK Central's and KoboToolbox's own.
META_COLUMNS = {
    key(name)
    for name in (
        "instanceID",
        "KEY",
        "SubmissionDate",
        "SubmitterID",
        "ReviewState",
        "_uuid",
        "_id",
        "_index",
        "_submission_time",
        "__version__",
        "_validation_status",
        "_submitted_by",
    )
}
_PATH = re.compile(r"[/-]")
_EXTRAS = {NA_CHOICE: NOT_APPLICABLE, UNKNOWN_CHOICE: UNKNOWN}
_TICKED = {"1", "1.0", "true", "yes"}


def _parts(header: Any) -> list[str]:
    return [p for p in _PATH.split(str(header).strip()) if p]


class FormColumns(ColumnMatcher):
    """Finds the field of an export column by the form's field names, then by label."""

    def __init__(self, q: Questionnaire) -> None:
        super().__init__(q)
        names: dict[str, str] = dict(FIRM_NAMES)
        for item in q.computed:
            names[item.id] = f"ignored.{item.id}"
        for question in q.questions():
            qid = question.id
            names[qid] = f"ignored.{qid}" if question.compute else f"answers.{qid}"
            names[f"{qid}{NOTE_SUFFIX}"] = f"notes.{qid}"
            names[f"{qid}{EVIDENCE_SUFFIX}"] = f"evidence.{qid}"
            names[f"{qid}{STATUS_SUFFIX}"] = f"status.{qid}"
        self.names = names

    def field(self, header: Any) -> str | None:
        if header is None:
            return None
        parts = _parts(header)
        if not parts:
            return None
        found = self.names.get(str(header).strip()) or self.names.get(parts[-1])
        if found is not None:
            return found
        if len(parts) >= 2:
            question = self.q.question_map.get(parts[-2])
            if question is not None and question.type == "multi":
                return f"choice.{question.id}.{parts[-1]}"
        if key(parts[-1]) in META_COLUMNS or str(header).strip().endswith("_URL"):
            return None
        return super().field(header) or super().field(parts[-1])


def _by_names(grid: Grid, q: Questionnaire) -> tuple[Grid, dict[int, dict[str, str]]]:
    """The sheet with a labels export's header put as names, and each single choice column's
    choices by label (nothing to change for a names export)."""
    labelled = named_header(grid.rows[0], q) if grid.rows else None
    if labelled is None:
        return grid, {}
    named = Grid(grid.name, [labelled.names, *grid.rows[1:]], grid.merged, grid.hidden_columns)
    return named, labelled.choices


def sniff(grids: Sequence[Grid], q: Questionnaire) -> Grid | None:
    """The first sheet whose header has a server's own columns and names the form's fields,
    by their names or by their labels."""
    matcher = FormColumns(q)
    for grid in grids:
        if not grid.rows:
            continue
        header = [h for h in _by_names(grid, q)[0].rows[0] if not is_empty(h)]
        meta = any(key(_parts(h)[-1]) in META_COLUMNS for h in header if _parts(h))
        named = sum(1 for h in header if (matcher.field(h) or "").startswith("answers."))
        if meta and named >= 2:
            return grid
    return None


def read(path: str, grid: Grid, q: Questionnaire) -> TableRead:
    """Every submission of the export as a row, each value with its cell."""
    matcher = FormColumns(q)
    grid, labels = _by_names(grid, q)
    headers = [(grid.ref(0, c), h) for c, h in enumerate(grid.rows[0]) if not is_empty(h)]
    columns, problems = header_problems(path, headers, matcher)
    if any(p.code == "IMP001" for p in problems):
        return TableRead(NAME, problems=problems)
    fields = {
        c: columns[grid.ref(0, c)] for c in range(len(grid.rows[0])) if grid.ref(0, c) in columns
    }
    rows = [
        _row(q, grid, r, fields, labels)
        for r in range(1, len(grid.rows))
        if not all(is_empty(v) for v in grid.rows[r])
    ]
    return TableRead(NAME, rows=rows, problems=problems)


def _row(
    q: Questionnaire,
    grid: Grid,
    r: int,
    fields: dict[int, str],
    labels: dict[int, dict[str, str]],
) -> Row:
    row = Row(grid.ref(r, 0))
    cells = [
        labels[c].get(key(str(v)), v) if c in labels and isinstance(v, str) else v
        for c, v in enumerate(grid.rows[r])
    ]
    ticked: dict[str, tuple[list[str], str]] = {}
    statuses: dict[str, tuple[Any, str]] = {}
    for c, name in fields.items():
        value = cells[c] if c < len(cells) else None
        cell = grid.ref(r, c)
        kind, _, rest = name.partition(".")
        if kind == "ignored" or is_empty(value):
            if kind in ("answers", "firm") or name in ("period", "assessor", "assessed_on"):
                row.cells.setdefault(name, cell)  # a missing answer is located at its cell
            continue
        if kind == "choice":
            qid, choice = rest.split(".", 1)
            if str(value).strip().casefold() in _TICKED:
                ticked.setdefault(qid, ([], cell))[0].append(choice)
        elif kind == "status":
            statuses[rest] = (value, cell)
        elif kind == "evidence":
            row.put(name, [file_name(value)], cell)
        elif kind == "answers":
            row.put(name, answer_value(q, q.question_map[rest], value), cell)
        else:
            row.put(name, value, cell)
    for qid, (choices, cell) in ticked.items():
        if is_empty(row.fields.get(f"answers.{qid}")):
            row.put(f"answers.{qid}", _picked(choices), cell)
    for qid, (value, cell) in statuses.items():
        if is_empty(row.fields.get(f"answers.{qid}")):
            row.put(f"answers.{qid}", _status(value), cell)
    return row


def file_name(value: Any) -> str:
    """Only the file name of an attachment, whatever path the server wrote before it."""
    return PurePosixPath(str(value).strip().replace("\\", "/")).name


def _status(value: Any) -> Any:
    text = str(value).strip()
    return _EXTRAS.get(text) or status_word(text) or text


def _picked(choices: list[str]) -> Any:
    if len(choices) == 1 and choices[0] in _EXTRAS:
        return _EXTRAS[choices[0]]
    return choices


def answer_value(q: Questionnaire, question: Question, value: Any) -> Any:
    """An exported value as an answer: choice names, space-joined choices, status choices."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in _EXTRAS and question.type not in ("text",):
        return _EXTRAS[text]
    if question.type != "multi":
        return text
    index = choice_index(q, question)
    tokens = text.split()
    if all(t in index.ids or t in _EXTRAS for t in tokens):
        return _picked(tokens)
    labels = _labels(q, question, tokens)
    return labels if labels is not None else text


def _labels(q: Questionnaire, question: Question, tokens: list[str]) -> list[str] | None:
    """Choices exported by label and joined by spaces; labels may hold spaces themselves."""
    index = choice_index(q, question)
    found: list[str] = []
    start = 0
    while start < len(tokens):
        for end in range(len(tokens), start, -1):
            text = " ".join(tokens[start:end])
            match = index.match(text) or status_word(text)
            if match is not None:
                found.append(match)
                start = end
                break
        else:
            return None
    return found
