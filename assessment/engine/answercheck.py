"""Checks an answer sheet against its questionnaire: every problem, each with its place."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import N_, Message, ProblemList, did_you_mean
from ..files.locator import KeyPath, Reporter
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
            N_(
                "the answers are for questionnaire '%(got)s', not '%(want)s'", got=ref.id, want=q.id
            ),
            N_("name the questionnaire they were answered against"),
        )
    elif ref.version is not None and ref.version != q.version:
        report(
            ("questionnaire", "version"),
            "ANS009",
            N_(
                "the answers are for version %(got)s but the questionnaire is version %(want)s",
                got=ref.version,
                want=q.version,
            ),
            N_("score them with that version, or check every answer and update 'version'"),
        )
    _check_date(sheet, report)
    valid: dict[str, Answer] = {}
    for qid, answer in sheet.answers.items():
        question = q.question_map.get(qid)
        if question is None:
            report(
                ("answers", qid),
                "ANS001",
                N_("there is no question '%(qid)s'", qid=qid),
                did_you_mean(qid, q.question_map) or N_("see `dtm blank %(id)s`", id=q.id),
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
                    N_(
                        "question '%(qid)s' is skipped for this firm "
                        "(it is asked only when %(when)s) but was answered",
                        qid=qid,
                        when=question.when,
                    ),
                    N_("remove the answer, or check the answers it depends on"),
                )
        elif qid in plan.compute:
            if qid in values.computed_by_hand:
                _check_by_hand(question, values, report)
            _check_computed_range(
                question, values.values.get(qid), report, _figure_place(plan, qid, sheet)
            )
        elif question.required and not answered and not partial and qid not in unreadable:
            report(
                ("answers", qid),
                "ANS006",
                _no_answer(q, qid),
                N_(
                    "answer it, or write '%(unknown)s' or '%(na)s'",
                    unknown=UNKNOWN,
                    na=NOT_APPLICABLE,
                )
                if question.allow_na
                else N_("answer it, or write '%(unknown)s'", unknown=UNKNOWN),
            )
    return values


def _check_date(sheet: AnswerSheet, report: Reporter) -> None:
    start, end = quarter_bounds(sheet.period)
    earliest, latest = start - EARLIEST_BEFORE, end + LATEST_AFTER
    if not earliest <= sheet.assessed_on <= latest:
        report(
            ("assessed_on",),
            "FIRM003",
            N_(
                "the assessment date %(date)s does not fit the period %(period)s",
                date=str(sheet.assessed_on),
                period=sheet.period,
            ),
            N_(
                "give the date of the visit, from %(earliest)s to %(latest)s, or correct 'period:'",
                earliest=str(earliest),
                latest=str(latest),
            ),
        )


def _figure_place(plan: Plan, qid: str, sheet: AnswerSheet) -> KeyPath:
    """Where a share worked out from figures is to be corrected: the first figure its
    formula reads that the file answers (`networked_devices` of `networked_devices /
    production_devices * 100`), else the computed answer typed by hand, else `answers:`."""
    for name in plan.compute[qid].names_in_order:
        if name in sheet.answers:
            return ("answers", name)
    return ("answers", qid) if qid in sheet.answers else ("answers",)


def _check_computed_range(question: Question, value: Any, report: Reporter, place: KeyPath) -> None:
    """A share worked out above 100% (500 networked machines of 10) is a contradiction,
    reported at `place`, the figure to correct."""
    if not isinstance(value, float) or question.type != "percent":
        return
    if -1e-9 <= value <= 100 + 1e-9:
        return
    report(
        place,
        "ANS010",
        N_(
            "'%(qid)s' works out at %(value)s%% from its figures (%(compute)s), outside 0–100%%",
            qid=question.id,
            value=f"{value:.4g}",
            compute=question.compute,
        ),
        N_("check the figures it is computed from"),
    )


def _no_answer(q: Questionnaire, qid: str) -> Message:
    """'question … has no answer', with where the questionnaire asks it when it is a file."""
    try:
        stamp = Path(q.source).stat().st_mtime_ns if q.source else None
    except OSError:
        stamp = None
    place = question_places(q.source, stamp).get(qid) if stamp is not None else None
    if place:
        return N_("question '%(qid)s' has no answer (asked at %(place)s)", qid=qid, place=place)
    return N_("question '%(qid)s' has no answer", qid=qid)


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
        N_(
            "'%(qid)s' was typed as %(typed)s but its figures give %(shown)s",
            qid=question.id,
            typed=repr(typed),
            shown=shown,
        ),
        N_("remove the typed value or correct the figures (%(compute)s)", compute=question.compute),
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
                N_(
                    "'%(value)s' is not allowed for question '%(qid)s'",
                    value=value,
                    qid=question.id,
                ),
                N_("give a real answer")
                if question.allow_na
                else N_("give a real answer; this question has no 'not applicable'"),
            )
        return allowed
    if isinstance(value, str) and value.strip().lower() in _NEAR_MISSES:
        report(
            loc,
            "ANS002",
            N_("'%(value)s' is not an answer to question '%(qid)s'", value=value, qid=question.id),
            N_("write '%(word)s'", word=_NEAR_MISSES[value.strip().lower()]),
        )
        return False
    if isinstance(value, str) and value.strip().upper() == "N/A":
        report(
            loc,
            "ANS002",
            N_("'%(value)s' is not an answer", value=value),
            N_("write '%(word)s'", word=NOT_APPLICABLE),
        )
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
                N_("'%(qid)s' needs a number, not %(value)s", qid=qid, value=_short(value)),
                N_("write a finite figure within ±%(limit)s", limit=f"{MAX_FIGURE:.0e}")
                if numeric
                else N_("write digits only, e.g. 120"),
                "ANS002",
            )
        if question.integer and not number.is_integer():
            return (
                N_("'%(qid)s' counts whole items, not %(number)s", qid=qid, number=f"{number:g}"),
                N_("write a whole number"),
                "ANS002",
            )
        low, high = (0.0, 100.0) if kind == "percent" else (question.min, question.max)
        if question.bands:
            low = question.bands[0].min if low is None else max(low, question.bands[0].min)
            top = question.bands[-1].max
            high = top if high is None else min(high, top)
        if (low is not None and number < low) or (high is not None and number > high):
            return (
                N_("%(number)s is out of range for '%(qid)s'", number=f"{number:g}", qid=qid),
                _range_hint(low, high),
                "ANS003",
            )
        return "", "", ""
    if kind == "yesno":
        if value in ("yes", "no", True, False):
            return "", "", ""
        return (
            N_("'%(qid)s' is answered yes or no, not %(value)s", qid=qid, value=repr(value)),
            N_("write yes or no"),
            "ANS002",
        )
    if kind == "ordinal":
        number = _number(value)
        if number is None or number != int(number):
            return (
                N_(
                    "'%(qid)s' needs a whole level number, not %(value)s",
                    qid=qid,
                    value=repr(value),
                ),
                N_("write 0–%(top)s", top=question.max_level),
                "ANS002",
            )
        if not 0 <= number <= question.max_level:
            return (
                N_("level %(number)s is out of range for '%(qid)s'", number=f"{number:g}", qid=qid),
                N_("levels run from 0 to %(top)s", top=question.max_level),
                "ANS003",
            )
        return "", "", ""
    if isinstance(value, list | dict):
        return (
            N_("'%(qid)s' takes text, not a list", qid=qid),
            N_("write the text on one line"),
            "ANS002",
        )
    if isinstance(value, str) and _CONTROL.search(value):
        return (
            N_("the answer to '%(qid)s' holds a control character", qid=qid),
            N_("retype it; it often comes with text copied out of another program"),
            "ANS002",
        )
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return (
            N_("the answer to '%(qid)s' is %(length)s characters long", qid=qid, length=len(value)),
            N_(
                "keep it to %(limit)s characters; attach longer material as evidence",
                limit=MAX_TEXT,
            ),
            "ANS003",
        )
    return "", "", ""


def _range_hint(low: float | None, high: float | None) -> Message:
    if low is None:
        return N_("give a value of at most %(high)s", high=f"{high:g}")
    if high is None:
        return N_("give a value of at least %(low)s", low=f"{low:g}")
    return N_("give a value from %(low)s to %(high)s", low=f"{low:g}", high=f"{high:g}")


def _choice_problem(q: Questionnaire, question: Question, value: Any) -> tuple[str, str, str]:
    choices = q.choices_of(question)
    ids = [c.id for c in choices]
    qid = question.id
    if question.type == "single":
        if not isinstance(value, str):
            return (
                N_("'%(qid)s' takes one choice, not %(value)s", qid=qid, value=repr(value)),
                _choices_hint(q, question, ", ".join(ids)),
                "ANS002",
            )
        picked = [value]
    else:
        picked = [value] if isinstance(value, str) else value
        if not isinstance(picked, list) or not all(isinstance(v, str) for v in picked):
            return (
                N_("'%(qid)s' takes a list of choices, not %(value)s", qid=qid, value=repr(value)),
                N_("write [a, b] with choice ids"),
                "ANS002",
            )
    for item in picked:
        if item not in ids:
            return _unknown_choice(q, question, item)
    exclusive = {c.id for c in choices if c.exclusive}
    if len(picked) > 1 and exclusive & set(picked):
        none = sorted(exclusive & set(picked))[0]
        return (
            N_("'%(none)s' cannot be combined with other choices in '%(qid)s'", none=none, qid=qid),
            N_("choose '%(none)s' alone, or remove it", none=none),
            "ANS008",
        )
    return "", "", ""


def _unknown_choice(q: Questionnaire, question: Question, item: str) -> tuple[str, str, str]:
    index = choice_index(q, question)
    meant = index.candidates(item)
    if len(meant) > 1:
        return (
            N_(
                "'%(item)s' could mean any of %(meant)s in '%(qid)s'",
                item=item,
                meant=", ".join(meant),
                qid=question.id,
            ),
            N_("write the choice id"),
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
        N_("'%(item)s' is not a choice of '%(qid)s'", item=item, qid=question.id),
        hint or _choices_hint(q, question, listed),
        "ANS004",
    )


def _choices_hint(q: Questionnaire, question: Question, listed: str) -> Message:
    """'choices: …' as listed; said in Chinese with the choices' Chinese labels, which are
    answers too."""
    labels = "、".join(c.label.zh for c in q.choices_of(question))
    return N_("choices: %(choices)s", choices=listed, labels=labels)


def _short(value: Any) -> str:
    """A value as it can be shown in one line: long ones cut, never thousands of digits."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
