"""Reads a workbook or CSV of answers: ours from `dtm template --xlsx`, or any table like it.

The header row is the first of the top rows that names the firm columns. Each column is found by
the id in the hidden row under it when there is one, else by its header text, so a sheet that was
re-typed, re-ordered or saved from WPS reads the same. A multiple-choice question's `Y` columns
are joined into one answer; a merged cell or an Excel error value is reported at its cell.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.labels import choice_index, key, status_word
from ..errors import N_, Location, Problem
from ..models.answers import NOT_APPLICABLE, UNKNOWN
from ..models.questionnaire import Question, Questionnaire
from .grid import Grid
from .importer import TableRead
from .table import _NUMBERED as NUMBERED
from .table import ColumnMatcher, Row, header_problems, is_empty
from .xlsx_template import NAME_ID, NAME_VERSION, STATUS_LABELS, choice_header

NAME = "workbook"
HEADER_SCAN = 5
MARKS = {"y", "yes", "是", "√", "✓", "✔", "x", "1", "true", "选中", "●"}
NO_MARKS = {"n", "no", "否", "0", "false", "×"}
ERROR_VALUES = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!"}
# Only the two names we write are read, so a pattern is enough (and parses no entities).
_DEFINED_NAME = re.compile(r'<definedName[^>]*\bname="(?P<name>dtm_\w+)"[^>]*>(?P<value>[^<]*)<')


@dataclass
class Layout:
    """Where the header is and which field or choice each column holds."""

    header: int
    first: int
    fields: dict[int, str] = field(default_factory=dict)
    choices: dict[int, tuple[Question, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def sniff(grids: Sequence[Grid], q: Questionnaire) -> Grid | None:
    """The first sheet with a header row naming the firm and at least one question."""
    matcher = ColumnMatcher(q)
    for grid in grids:
        if _header_row(grid, matcher) is not None:
            return grid
    return None


def _header_row(grid: Grid, matcher: ColumnMatcher) -> int | None:
    for index, row in enumerate(grid.rows[:HEADER_SCAN]):
        found = {matcher.field(v) for v in row}
        has_question = any((f or "").startswith("answers.") for f in found)
        if {"firm.name", "firm.credit_code"} <= found and has_question:
            return index
    return None


def read(path: str, grid: Grid, q: Questionnaire) -> TableRead:
    """Every non-empty row below the header, each field with its cell."""
    matcher = ColumnMatcher(q)
    header = _header_row(grid, matcher)
    if header is None:
        return TableRead(NAME, problems=[Problem(Location(path), "IMP005", N_("no header row"))])
    layout = _layout(path, grid, header, matcher)
    result = TableRead(NAME, problems=list(layout.problems), warnings=_version_warnings(path, q))
    result.problems.extend(_missing_questions(path, layout, q))
    if any(p.code == "IMP001" for p in result.problems):
        return result
    for index in range(layout.first, len(grid.rows)):
        values = grid.rows[index]
        if all(is_empty(v) for v in values):
            continue
        row, problems = _row(path, grid, index, layout, q)
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append(row)
    return result


def _missing_questions(path: str, layout: Layout, q: Questionnaire) -> list[Problem]:
    """One problem for the file per question every firm must answer that has no column, rather
    than a missing answer in every row (a conditional one is left to the rows it is asked in)."""
    present = set(layout.fields.values()) | {f"answers.{c[0].id}" for c in layout.choices.values()}
    return [
        Problem(
            Location(path),
            "IMP001",
            N_(
                "no column for question '%(title)s' (%(qid)s)",
                title=question.text.zh,
                qid=question.id,
            ),
            N_("add the column back (copy it from a new `dtm template --xlsx`)"),
        )
        for question in q.questions()
        if question.required
        and not question.compute
        and not question.when
        and f"answers.{question.id}" not in present
    ]


def _layout(path: str, grid: Grid, header: int, matcher: ColumnMatcher) -> Layout:
    heads = grid.rows[header]
    headers = choice_headers(matcher.q)
    below = grid.rows[header + 1] if header + 1 < len(grid.rows) else []
    has_ids = (
        sum(1 for v in below if _is_id(v, matcher, headers))
        > len([v for v in below if not is_empty(v)]) / 2
    )
    ids = below if has_ids and below else []
    layout = Layout(header, header + 2 if ids else header + 1)
    plain_columns: list[tuple[str, Any]] = []
    for index, text in enumerate(heads):
        named = ids[index] if index < len(ids) and not is_empty(ids[index]) else None
        choice = _choice_column(named, matcher, headers) or _choice_column(text, matcher, headers)
        if choice is not None and matcher.field(named or text) is None:
            layout.choices[index] = choice
        else:
            plain_columns.append((grid.ref(header, index), named if named is not None else text))
    columns, layout.problems = header_problems(path, plain_columns, matcher)
    refs = {grid.ref(header, i): i for i in range(len(heads))}
    layout.fields = {refs[ref]: name for ref, name in columns.items()}
    return layout


def _is_id(value: Any, matcher: ColumnMatcher, headers: dict[str, tuple[Question, str]]) -> bool:
    if not isinstance(value, str) or not value or not value.isascii():
        return False
    return matcher.field(value) is not None or _choice_column(value, matcher, headers) is not None


def _choice_column(
    text: Any, matcher: ColumnMatcher, headers: dict[str, tuple[Question, str]]
) -> tuple[Question, str] | None:
    """The question and choice (or n/a, unknown) of a `qid.choice` or `题目（选项）` column."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    qid, _, rest = text.partition(".")
    question = matcher.q.question_map.get(qid)
    if rest and question is not None and question.type == "multi":
        choice = choice_index(matcher.q, question).match(rest) or status_word(rest)
        if choice is not None:
            return question, choice
    return headers.get(key(text)) or headers.get(key(NUMBERED.sub("", text)))


def choice_headers(q: Questionnaire) -> dict[str, tuple[Question, str]]:
    """Every header a choice column can have, in either language, by `key`."""
    found: dict[str, tuple[Question, str]] = {}
    for question in q.questions():
        if question.type != "multi":
            continue
        named = [(c.id, c.label) for c in q.choices_of(question)]
        named += [(s, STATUS_LABELS[s]) for s in (NOT_APPLICABLE, UNKNOWN)]
        for choice, label in named:
            for lang in ("zh", "en"):
                for lang_text in ("zh", "en"):
                    header = choice_header(question, label.get(lang), lang_text)
                    found.setdefault(key(header), (question, choice))
    return found


def _row(
    path: str, grid: Grid, index: int, layout: Layout, q: Questionnaire
) -> tuple[Row, list[Problem]]:
    values = grid.rows[index]
    row = Row(f"{grid.name}!{index + 1}" if grid.name else f"row {index + 1}")
    problems: list[Problem] = []
    marked: dict[str, list[tuple[str, str]]] = {}
    for column, value in enumerate(values):
        name = layout.fields.get(column)
        choice = layout.choices.get(column)
        if name is None and choice is None:
            continue
        ref = grid.ref(index, column)
        bad = _unreadable(grid, index, column, value)
        if bad:
            problems.append(Problem(Location(f"{path}:{ref}"), "IMP004", bad[0], bad[1]))
        elif name is not None and is_empty(value):
            row.cells[name] = ref  # so a missing required value is located at its cell
        elif name is not None:
            row.put(name, value, ref)
        elif choice is not None and not is_empty(value):
            mark = key(str(value))
            if mark in MARKS:
                marked.setdefault(choice[0].id, []).append((choice[1], ref))
            elif mark not in NO_MARKS:
                problems.append(
                    Problem(
                        Location(f"{path}:{ref}"),
                        "IMP004",
                        N_("'%(value)s' is not a mark for a chosen option", value=value),
                        N_("write Y in the column of each chosen option, leave the others empty"),
                    )
                )
    for qid, picks in marked.items():
        statuses = [c for c, _ in picks if c in (NOT_APPLICABLE, UNKNOWN)]
        order = [c.id for c in q.choices_of(q.question_map[qid])]
        chosen = sorted(
            (c for c, _ in picks if c not in (NOT_APPLICABLE, UNKNOWN)), key=order.index
        )
        joined: Any = statuses[0] if statuses and not chosen else chosen + statuses
        row.put(f"answers.{qid}", joined, picks[0][1])
    return row, problems


def _unreadable(grid: Grid, row: int, column: int, value: Any) -> tuple[str, str] | None:
    if (row, column) in grid.merged:
        return N_("a merged cell"), N_("unmerge the cells and give each firm its own value")
    if isinstance(value, str) and value.strip() in ERROR_VALUES:
        return (
            N_("the Excel error %(value)s", value=value.strip()),
            N_("fix the formula or type the value"),
        )
    return None


def _version_warnings(path: str, q: Questionnaire) -> list[Problem]:
    """A warning when the workbook was made for another questionnaire or version."""
    declared = declared_questionnaire(Path(path))
    if declared is None or declared == (q.id, q.version):
        return []
    qid, version = declared
    what = f"{qid} {version}" if qid != q.id else f"version {version}"
    return [
        Problem(
            Location(path),
            "ANS009",
            N_(
                "the workbook was made for %(what)s; read with %(qid)s %(version)s",
                what=what,
                qid=q.id,
                version=q.version,
            ),
            N_(
                "make a new one with `dtm template %(qid)s --xlsx FILE` when the questions changed",
                qid=q.id,
            ),
            severity="warning",
        )
    ]


def declared_questionnaire(path: Path) -> tuple[str, str] | None:
    """The questionnaire id and version a template workbook names, or None."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            text = archive.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    names = {
        m["name"]: html.unescape(m["value"]).strip().strip('"')
        for m in _DEFINED_NAME.finditer(text)
    }
    if names.get(NAME_ID) and names.get(NAME_VERSION):
        return names[NAME_ID], names[NAME_VERSION]
    return None
