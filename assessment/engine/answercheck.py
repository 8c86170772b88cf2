"""Checks an answer sheet against its questionnaire: every problem, each with its place."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ProblemList, did_you_mean
from ..files.locator import Reporter
from ..files.yamlio import locate, read_yaml
from ..models.answers import (
    EARLIEST_BEFORE,
    LATEST_AFTER,
    MAX_TEXT,
    NOT_APPLICABLE,
    UNKNOWN,
    Answer,
    AnswerSheet,
    quarter_bounds,
)
from ..models.common import MAX_FIGURE
from ..models.questionnaire import Question, Questionnaire
from .labels import choice_index
from .plan import Plan, Values, work_out

# Control characters other than tab and line breaks: no workbook or report can hold them.
_ID_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEAR_MISSES = {
    "na": NOT_APPLICABLE,
    "n.a.": NOT_APPLICABLE,
    "not applicable": NOT_APPLICABLE,
    "不适用": NOT_APPLICABLE,
    "dont know": UNKNOWN,
    "don't know": UNKNOWN,
    "dk": UNKNOWN,
    "不知道": UNKNOWN,
    "不清楚": UNKNOWN,
    "unknow": UNKNOWN,
}


def firm_facts(sheet: AnswerSheet) -> dict[str, Any]:
    firm = sheet.firm
    return {"industry": firm.industry, "employees": float(firm.employees), "revenue": firm.revenue}


def check_answers(
    q: Questionnaire,
    plan: Plan,
    sheet: AnswerSheet,
    report: Reporter,
    *,
    partial: bool = False,
    unreadable: Collection[str] = (),
) -> Values:
    """Report every problem with the answers; return the worked-out values either way.

    `unreadable` names answers already reported as holding no readable value: they are not
    reported again as missing."""
    ref = sheet.questionnaire
    if ref.id is not None and ref.id != q.id:
        report(
            ("questionnaire",),
            "ANS009",
            f"the answers are for questionnaire '{ref.id}', not '{q.id}'",
            "name the questionnaire they were answered against",
        )
    elif ref.version is not None and ref.version != q.version:
        report(
            ("questionnaire", "version"),
            "ANS009",
            f"the answers are for version "
            f"{ref.version} but the questionnaire is version {q.version}",
            "score them with that version, or check every answer and update 'version'",
        )
    _check_date(sheet, report)
    valid: dict[str, Answer] = {}
    for qid, answer in sheet.answers.items():
        question = q.question_map.get(qid)
        if question is None:
            report(
                ("answers", qid),
                "ANS001",
                f"there is no question '{qid}'",
                did_you_mean(qid, q.question_map) or f"see `dtm blank {q.id}`",
            )
        elif _check_value(q, question, answer.value, report, ("answers", qid)):
            valid[qid] = answer
    values = work_out(q, plan, valid, firm_facts(sheet))
    for question in q.questions():
        qid = question.id
        answered = qid in sheet.answers and sheet.answers[qid].value is not None
        if not values.shown.get(qid, True):
            if answered and sheet.answers[qid].value != NOT_APPLICABLE:
                report(
                    ("answers", qid),
                    "ANS005",
                    f"question '{qid}' is skipped for this firm "
                    f"(it is asked only when {question.when}) but was answered",
                    "remove the answer, or check the answers it depends on",
                )
        elif qid in plan.compute:
            if qid in values.computed_by_hand:
                _check_by_hand(question, values, report)
            _check_computed_range(question, values.values.get(qid), report)
        elif question.required and not answered and not partial and qid not in unreadable:
            report(
                ("answers", qid),
                "ANS006",
                f"question '{qid}' has no answer" + _asked_at(q, qid),
                f"answer it, or write '{UNKNOWN}'"
                + (f" or '{NOT_APPLICABLE}'" if question.allow_na else ""),
            )
    return values


def _check_date(sheet: AnswerSheet, report: Reporter) -> None:
    start, end = quarter_bounds(sheet.period)
    earliest, latest = start - EARLIEST_BEFORE, end + LATEST_AFTER
    if not earliest <= sheet.assessed_on <= latest:
        report(
            ("assessed_on",),
            "FIRM003",
            f"the assessment date {sheet.assessed_on} does not fit the period {sheet.period}",
            f"give the date of the visit, from {earliest} to {latest}, or correct 'period:'",
        )


def _check_computed_range(question: Question, value: Any, report: Reporter) -> None:
    """A share worked out above 100% (500 networked machines of 10) is a contradiction."""
    if not isinstance(value, float) or question.type != "percent":
        return
    if -1e-9 <= value <= 100 + 1e-9:
        return
    report(
        ("answers", question.id),
        "ANS010",
        f"'{question.id}' works out at {value:.4g}% from its figures ({question.compute}), "
        "outside 0–100%",
        "check the figures it is computed from",
    )


def _asked_at(q: Questionnaire, qid: str) -> str:
    """' (asked at FILE:LINE:COL)': where the questionnaire asks the question, when it is a file."""
    try:
        stamp = Path(q.source).stat().st_mtime_ns if q.source else None
    except OSError:
        stamp = None
    place = question_places(q.source, stamp).get(qid) if stamp is not None else None
    return f" (asked at {place})" if place else ""


@lru_cache(maxsize=8)
def question_places(source: str, stamp: int) -> dict[str, str]:
    """Each question id of the questionnaire file `source` (as of `stamp`) with its place."""
    data = read_yaml(Path(source), ProblemList())
    found: dict[str, str] = {}
    dimensions = data.get("dimensions") if isinstance(data, dict) else None
    for d_i, dimension in enumerate(dimensions if isinstance(dimensions, list) else []):
        for i_i, indicator in enumerate(_items(dimension, "indicators")):
            for q_i, question in enumerate(_items(indicator, "questions")):
                if isinstance(question, dict) and isinstance(question.get("id"), str):
                    key = ("dimensions", d_i, "indicators", i_i, "questions", q_i)
                    found[question["id"]] = str(locate(data, source, key))
    return found


def _items(node: Any, key: str) -> list[Any]:
    items = node.get(key) if isinstance(node, dict) else None
    return items if isinstance(items, list) else []


def _check_by_hand(question: Question, values: Values, report: Reporter) -> None:
    typed, derived = values.computed_by_hand[question.id], values.values[question.id]
    if typed is None or derived is None:
        return
    if (
        isinstance(typed, float)
        and isinstance(derived, float)
        and math.isclose(typed, derived, rel_tol=1e-6, abs_tol=0.05)
    ):
        return
    if typed == derived:
        return
    shown = f"{derived:.4g}" if isinstance(derived, float) else str(derived)
    report(
        ("answers", question.id),
        "ANS010",
        f"'{question.id}' was typed as {typed!r} but its figures give {shown}",
        f"remove the typed value or correct the figures ({question.compute})",
    )


def _check_value(
    q: Questionnaire, question: Question, value: Any, report: Reporter, loc: tuple[str, str]
) -> bool:
    """Report a problem with one value; True when it can be used."""
    if value is None:
        return True
    if value in (NOT_APPLICABLE, UNKNOWN):
        allowed = question.allow_na if value == NOT_APPLICABLE else question.allow_unknown
        if not allowed:
            report(
                loc,
                "ANS007",
                f"'{value}' is not allowed for question '{question.id}'",
                "give a real answer"
                + ("" if question.allow_na else "; this question has no 'not applicable'"),
            )
        return allowed
    if isinstance(value, str) and value.strip().lower() in _NEAR_MISSES:
        report(
            loc,
            "ANS002",
            f"'{value}' is not an answer to question '{question.id}'",
            f"write '{_NEAR_MISSES[value.strip().lower()]}'",
        )
        return False
    if isinstance(value, str) and value.strip().upper() == "N/A":
        report(loc, "ANS002", f"'{value}' is not an answer", f"write '{NOT_APPLICABLE}'")
        return False
    message, hint, code = _type_problem(q, question, value)
    if message:
        report(loc, code, message, hint)
        return False
    return True


def _number(value: Any) -> float | None:
    """A finite figure within the limit, or None (bools, NaN, infinities, 400-digit integers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) > MAX_FIGURE:
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) <= MAX_FIGURE else None


def _type_problem(q: Questionnaire, question: Question, value: Any) -> tuple[str, str, str]:
    kind, qid = question.type, question.id
    if kind in ("single", "multi"):
        return _choice_problem(q, question, value)
    if kind in ("number", "percent"):
        number = _number(value)
        if number is None:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            return (
                f"'{qid}' needs a number, not {_short(value)}",
                f"write a finite figure within ±{MAX_FIGURE:.0e}"
                if numeric
                else "write digits only, e.g. 120",
                "ANS002",
            )
        if question.integer and not number.is_integer():
            return f"'{qid}' counts whole items, not {number:g}", "write a whole number", "ANS002"
        low, high = (0.0, 100.0) if kind == "percent" else (question.min, question.max)
        if question.bands:
            low = question.bands[0].min if low is None else max(low, question.bands[0].min)
            top = question.bands[-1].max
            high = top if high is None else min(high, top)
        if (low is not None and number < low) or (high is not None and number > high):
            return f"{number:g} is out of range for '{qid}'", _range_hint(low, high), "ANS003"
        return "", "", ""
    if kind == "yesno":
        if value in ("yes", "no", True, False):
            return "", "", ""
        return f"'{qid}' is answered yes or no, not {value!r}", "write yes or no", "ANS002"
    if kind == "ordinal":
        number = _number(value)
        if number is None or number != int(number):
            return (
                f"'{qid}' needs a whole level number, not {value!r}",
                f"write 0–{question.max_level}",
                "ANS002",
            )
        if not 0 <= number <= question.max_level:
            return (
                f"level {number:g} is out of range for '{qid}'",
                f"levels run from 0 to {question.max_level}",
                "ANS003",
            )
        return "", "", ""
    if isinstance(value, list | dict):
        return f"'{qid}' takes text, not a list", "write the text on one line", "ANS002"
    if isinstance(value, str) and _CONTROL.search(value):
        return (
            f"the answer to '{qid}' holds a control character",
            "retype it; it often comes with text copied out of another program",
            "ANS002",
        )
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return (
            f"the answer to '{qid}' is {len(value)} characters long",
            f"keep it to {MAX_TEXT} characters; attach longer material as evidence",
            "ANS003",
        )
    return "", "", ""


def _range_hint(low: float | None, high: float | None) -> str:
    if low is None:
        return f"give a value of at most {high:g}"
    if high is None:
        return f"give a value of at least {low:g}"
    return f"give a value from {low:g} to {high:g}"


def _choice_problem(q: Questionnaire, question: Question, value: Any) -> tuple[str, str, str]:
    choices = q.choices_of(question)
    ids = [c.id for c in choices]
    qid = question.id
    if question.type == "single":
        if not isinstance(value, str):
            return (
                f"'{qid}' takes one choice, not {value!r}",
                "choices: " + ", ".join(ids),
                "ANS002",
            )
        picked = [value]
    else:
        picked = [value] if isinstance(value, str) else value
        if not isinstance(picked, list) or not all(isinstance(v, str) for v in picked):
            return (
                f"'{qid}' takes a list of choices, not {value!r}",
                "write [a, b] with choice ids",
                "ANS002",
            )
    for item in picked:
        if item not in ids:
            return _unknown_choice(q, question, item)
    exclusive = {c.id for c in choices if c.exclusive}
    if len(picked) > 1 and exclusive & set(picked):
        none = sorted(exclusive & set(picked))[0]
        return (
            f"'{none}' cannot be combined with other choices in '{qid}'",
            f"choose '{none}' alone, or remove it",
            "ANS008",
        )
    return "", "", ""


def _unknown_choice(q: Questionnaire, question: Question, item: str) -> tuple[str, str, str]:
    index = choice_index(q, question)
    meant = index.candidates(item)
    if len(meant) > 1:
        return (
            f"'{item}' could mean any of {', '.join(meant)} in '{question.id}'",
            "write the choice id",
            "ANS004",
        )
    # A hint in the words the person used: Chinese labels for Chinese typing, ids for ids.
    choices = q.choices_of(question)
    zh, en = [c.label.zh for c in choices], [c.label.en for c in choices]
    ids = list(index.ids)
    typed_zh = not item.isascii()
    if typed_zh:
        tried = (zh, en, ids)
    elif _ID_LIKE.fullmatch(item):
        tried = (ids, en, zh)
    else:  # typed like a label (`10%-35%`): name the label, not the id
        tried = (en, zh, ids)
    listed = "、".join(zh) if typed_zh else ", ".join(ids)
    hint = next((h for names in tried if (h := did_you_mean(item, names))), "")
    return (
        f"'{item}' is not a choice of '{question.id}'",
        hint or "choices: " + listed,
        "ANS004",
    )


def _short(value: Any) -> str:
    """A value as it can be shown in one line: long ones cut, never thousands of digits."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
