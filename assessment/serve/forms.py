"""Turns what the browser posts into answer values and a firm's header; nothing else trusted.

Field names: `a.<question>` the value (several for a multiple choice), `x.<question>` n/a or
unknown beside a number or text, `n.<question>` the note. Values that do not fit their question
are kept as typed, so the engine's own checks name the problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, get_args

from pydantic import ValidationError

from ..errors import N_
from ..models import credit_code
from ..models.answers import NOT_APPLICABLE, UNKNOWN, Answer, Firm, Industry
from ..models.questionnaire import Question, Questionnaire

MAX_FIELD = 4000
MAX_NUMBER_CHARS = 40
SPECIAL = (NOT_APPLICABLE, UNKNOWN)
INDUSTRY_IDS: tuple[str, ...] = get_args(Industry)
Fields = Mapping[str, Sequence[str]]
_INTEGER = re.compile(r"^[+-]?\d+$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


class FormError(ValueError):
    """A posted field that cannot be used as it is; its one argument is marked text (`N_`)."""


def one(fields: Fields, name: str) -> str:
    values = fields.get(name) or [""]
    text = values[-1]
    if len(text) > MAX_FIELD:
        raise FormError(N_("%(name)s: more than %(count)s characters", name=name, count=MAX_FIELD))
    return text.strip()


def number(text: str) -> int | float | str:
    """A typed number as int or float; anything else is returned as typed for the checks."""
    if len(text) > MAX_NUMBER_CHARS:
        return text[:MAX_NUMBER_CHARS] + "…"
    plain = text.translate(_FULL_WIDTH).replace(",", "")
    if _INTEGER.match(plain):
        return int(plain)
    try:
        value = float(plain)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _multi(q: Questionnaire, question: Question, picked: list[str], before: Any) -> list[str]:
    """Picking an exclusive choice (none, n/a, unknown) drops the others, and the reverse."""
    exclusive = {c.id for c in q.choices_of(question) if c.exclusive} | set(SPECIAL)
    previous = set(before) if isinstance(before, list) else {before}
    fresh = [p for p in picked if p in exclusive and p not in previous]
    if fresh:
        return [fresh[-1]]
    if len(picked) > 1:
        return [p for p in picked if p not in exclusive]
    return picked


def value_from(q: Questionnaire, question: Question, fields: Fields, before: Any) -> Any:
    """The answer value posted for one question: None when left empty."""
    key = f"a.{question.id}"
    kind = question.type
    if kind == "multi":
        picked = [v for v in fields.get(key, []) if v]
        if any(len(v) > 200 for v in picked):
            raise FormError(N_("%(name)s: a choice id is too long", name=key))
        chosen = _multi(q, question, picked, before)
        if chosen in ([NOT_APPLICABLE], [UNKNOWN]):
            return chosen[0]
        return chosen or None
    special = [v for v in fields.get(f"x.{question.id}", []) if v in SPECIAL]
    if special:
        fresh = [v for v in special if v != before]
        return (fresh or special)[-1]
    text = one(fields, key)
    if not text:
        return None
    if text in SPECIAL:
        return text
    if kind in ("number", "percent", "ordinal") or question.compute:
        return number(text)
    return text


def answer_from(
    q: Questionnaire, question: Question, fields: Fields, before: Answer | None
) -> Answer:
    """The question's answer after the post: its value and note, its evidence unchanged."""
    value = value_from(q, question, fields, before.value if before else None)
    note = one(fields, f"n.{question.id}") or None
    return Answer(value=value, note=note, evidence=list(before.evidence) if before else [])


def firm_from(fields: Fields) -> tuple[Firm | None, dict[str, str]]:
    """The firm's header, or the problem with each field that is wrong."""
    raw = {
        name: one(fields, name)
        for name in ("name", "credit_code", "industry", "employees", "revenue", "park")
    }
    problems: dict[str, str] = {}
    data: dict[str, Any] = {
        "name": raw["name"],
        "credit_code": raw["credit_code"].upper(),
        "industry": raw["industry"],
        "park": raw["park"] or None,
    }
    for name in ("employees", "revenue"):
        if raw[name]:
            data[name] = number(raw[name])
    if "employees" not in data:
        problems["employees"] = "give the number of employees"
    try:
        return Firm.model_validate(data), problems
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "name"
            problems.setdefault(field, str(error["msg"]).replace("Value error, ", ""))
        return None, problems


def code_problem(code: str) -> dict[str, Any] | None:
    """Why a credit code is not valid, as data the page words in its own language."""
    if credit_code.problem(code) is None:
        return None
    if len(code) != 18:
        return {"kind": "length", "n": len(code)}
    bad = sorted({c for c in code if c not in credit_code.ALPHABET})
    if bad:
        return {"kind": "characters", "chars": " ".join(bad)}
    return {"kind": "check", "given": code[17], "expected": credit_code.check_character(code[:17])}


def assessed_on(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
