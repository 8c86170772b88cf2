"""Finds the question each column of a 问卷星 download holds, also after its title was edited.

A column is found by the text after its number (`12、企业是否有数字化转型规划？`), with the notes
`dtm template --wjx` adds in brackets dropped one by one; a multiple choice split into one column
per option is found by its options. A title edited in 问卷星 (`如何` for `怎样`, a typo fixed) is
matched to the question whose column is missing when the two are close, with a warning naming
both; a column too far from any title is one error with a suggestion, and a question whose column
is gone is one error for the file, rather than a missing answer in every row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.labels import choice_index, key, plain
from ..errors import N_, Location, Problem
from ..models.questionnaire import Question, Questionnaire
from .table import _NUMBERED, FIRM_FIELDS, ColumnMatcher
from .wjx_text import asked_questions, numbering, options

FIXED_COLUMNS = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
# Other columns 问卷星 may add that name no question.
_KNOWN_EXTRA = {key(c) for c in (*FIXED_COLUMNS, "总分", "IP", "答题时长", "用户ID", "微信昵称")}
_NUMBER_ONLY = re.compile(r"^\s*(?P<n>\d+)\s*[.．、]?\s*$")
_LEVEL = re.compile(r"^\s*(?P<n>\d+)\s*级")
_LEADING_NUMBER = re.compile(r"^\s*第?(?P<n>\d+)")
# How alike an edited title must be to the original to be read as it (difflib's ratio), and how
# alike to be named as a suggestion; a column at the question's own number needs less.
CLOSE = 0.8
CLOSE_AT_ITS_NUMBER = 0.6
SUGGEST = 0.4


@dataclass
class Column:
    """A column of the download: the field it fills, and for a split multi-choice column, the
    option it stands for."""

    index: int
    field: str
    option: str | None = None


def find_columns(
    headers: Sequence[Any], q: Questionnaire, matcher: ColumnMatcher
) -> tuple[list[Column], list[int]]:
    """Each question column with its field, and the indices of columns that name nothing."""
    columns: list[Column] = []
    unknown: list[int] = []
    by_number: dict[str, list[tuple[int, str]]] = {}
    for index, header in enumerate(headers):
        if header is None or not str(header).strip() or key(str(header)) in _KNOWN_EXTRA:
            continue
        text = str(header).strip().rstrip("*")
        found = _whole_or_option(text, matcher, q)
        if found is not None:
            columns.append(Column(index, *found))
            continue
        split = trailing_brackets(text)
        number_only = _NUMBER_ONLY.match(split[0]) if split else None
        if split and number_only:
            by_number.setdefault(number_only.group("n"), []).append((index, split[1]))
        else:
            unknown.append(index)
    for group in by_number.values():
        question = _multi_with_options(q, [option for _, option in group], columns)
        if question is None:
            unknown.extend(index for index, _ in group)
        else:
            columns.extend(Column(i, f"answers.{question.id}", o) for i, o in group)
    return sorted(columns, key=lambda c: c.index), sorted(unknown)


def _whole_or_option(
    text: str, matcher: ColumnMatcher, q: Questionnaire
) -> tuple[str, str | None] | None:
    """The field a header names whole, or a multi-choice question and option it splits off;
    brackets `dtm template --wjx` appended (unit, range, skip note) are dropped one by one."""
    name = matcher.field(text)
    if name is not None:
        return name, None
    while (split := trailing_brackets(text)) is not None:
        head, inner = split
        name = matcher.field(head)
        question = matcher.question(name) if name else None
        if (
            name is not None
            and question is not None
            and question.type == "multi"
            and option_value(q, question, inner) is not None
        ):
            return name, inner
        if name is not None:
            return name, None
        text = head
    return None


def trailing_brackets(text: str) -> tuple[str, str] | None:
    """`("题目", "单位：台（套）")` for `题目（单位：台（套））`: the text before a closing
    bracketed group (nested brackets kept whole) and what is inside it; None without one."""
    text = text.rstrip()
    if not text.endswith((")", "）")):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        depth += char in ")）"
        depth -= char in "(（"
        if depth == 0:
            return text[:index].rstrip(), text[index + 1 : -1]
    return None


def _multi_with_options(q: Questionnaire, names: list[str], taken: list[Column]) -> Question | None:
    used = {c.field for c in taken}
    fits = [
        question
        for question in q.questions()
        if question.type == "multi"
        and f"answers.{question.id}" not in used
        and all(option_value(q, question, name) is not None for name in names)
    ]
    return fits[0] if len(fits) == 1 else None


def first_of_each(columns: list[Column]) -> list[Column]:
    seen: set[str] = set()
    first = []
    for column in columns:
        if column.option is not None:
            if column.field in seen:
                continue
            seen.add(column.field)
        first.append(column)
    return first


def option_value(q: Questionnaire, question: Question, text: str) -> Any:
    """The canonical value an option's text stands for, in either language, or None."""
    wanted = key(text)
    for lang in ("zh", "en"):
        for label, value in options(q, question, lang):
            if key(label) == wanted:
                return value
    if question.type in ("single", "multi"):
        return choice_index(q, question).match(text)
    if question.type == "ordinal":
        level = _LEVEL.match(plain(text))
        return int(level.group("n")) if level else None
    return None


@dataclass
class Titles:
    """What the header's titles add up to: columns read through an edited title, and what is
    wrong with the header as a whole."""

    columns: list[Column]
    problems: list[Problem]
    warnings: list[Problem]


def match_titles(
    path: str,
    refs: Sequence[str],
    headers: Sequence[Any],
    columns: list[Column],
    unknown: list[int],
    q: Questionnaire,
) -> Titles:
    """Read each column that names nothing through the closest missing title; report the rest
    once each, and each required question still without a column once for the file."""
    numbers = numbering(q)
    taken = {c.field for c in columns}
    missing = {name: title for name, title in _titles(q).items() if name not in taken}
    found = Titles(list(columns), [], [])
    suggested: set[str] = set()
    for index in unknown:
        header = str(headers[index])
        text = _bare_title(header)
        number = _LEADING_NUMBER.match(header)
        scored = sorted(
            ((_likeness(text, title), name) for name, title in missing.items()),
            reverse=True,
        )
        if not scored:
            found.warnings.append(_no_question(path, refs[index], header, q))
            continue
        ratio, name = scored[0]
        at_its_number = number is not None and numbers.get(name) == int(number["n"])
        title = missing[name]
        if ratio >= CLOSE or (at_its_number and ratio >= CLOSE_AT_ITS_NUMBER):
            found.columns.append(Column(index, name))
            del missing[name]
            found.warnings.append(
                Problem(
                    Location(f"{path}:{refs[index]}"),
                    "WJX003",
                    N_(
                        "the column '%(header)s' is read as question %(number)s '%(title)s' "
                        "(%(qid)s): its title was edited",
                        header=header,
                        number=numbers.get(name, "?"),
                        title=title,
                        qid=name.removeprefix("answers."),
                    ),
                    N_(
                        "check that the question still asks the same; keep the titles of "
                        "`dtm template %(questionnaire)s --wjx` in 问卷星",
                        questionnaire=q.id,
                    ),
                    severity="warning",
                )
            )
        elif ratio >= SUGGEST:
            suggested.add(name)
            found.problems.append(
                Problem(
                    Location(f"{path}:{refs[index]}"),
                    "WJX002",
                    N_(
                        "the column '%(header)s' names no question of %(questionnaire)s, and "
                        "question %(number)s '%(title)s' has no column",
                        header=header,
                        questionnaire=q.id,
                        number=numbers.get(name, "?"),
                        title=title,
                    ),
                    N_(
                        "if it is that question, give the column its title back: '%(title)s'",
                        title=title,
                    ),
                )
            )
        else:
            found.warnings.append(_no_question(path, refs[index], header, q))
    for name, title in missing.items():
        question = q.question_map.get(name.removeprefix("answers."))
        if name in suggested or question is None or not question.required:
            continue
        found.problems.append(
            Problem(
                Location(path),
                "IMP001",
                N_(
                    "no column for question %(number)s '%(title)s' (%(qid)s)",
                    number=numbers.get(name, "?"),
                    title=title,
                    qid=question.id,
                ),
                N_("download all questions again, or add the question back in 问卷星"),
            )
        )
    found.columns.sort(key=lambda c: c.index)
    return found


def _no_question(path: str, ref: str, header: str, q: Questionnaire) -> Problem:
    return Problem(
        Location(f"{path}:{ref}"),
        "WJX002",
        N_(
            "the column '%(header)s' names no question of %(questionnaire)s; it is left out",
            header=header,
            questionnaire=q.id,
        ),
        N_(
            "keep the question texts of `dtm template %(questionnaire)s --wjx` in 问卷星",
            questionnaire=q.id,
        ),
        severity="warning",
    )


def _titles(q: Questionnaire) -> dict[str, str]:
    """The Chinese title of every field a download has a column for."""
    titles = {name: text.zh for name, text in FIRM_FIELDS.items()}
    titles.update({f"answers.{x.id}": x.text.zh for x in asked_questions(q)})
    return titles


def _bare_title(header: str) -> str:
    text = _NUMBERED.sub("", header.strip().rstrip("*"))
    while (split := trailing_brackets(text)) is not None:
        text = split[0]
    return text


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, key(a), key(_bare_title(b))).ratio()
