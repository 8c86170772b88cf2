"""Reads every cell of a table row as the clerk typed it, the same way for every route.

Workbook, CSV, 问卷星 and ODK/Kobo rows all pass through `normalise_row` before they are checked:
figures written with a unit, separators or full-width digits (`１４０人`, `1,200万`), the credit
code in lower case, `其他〖…〗` for a choice with an "other" option, and dates kept by Excel as a
serial number. What is read in another form than it was typed is said in a notice (IMP007); a
unit of another kind than the question's (`35台` for a head-count) is an error naming both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..engine.figures import read_figure
from ..engine.labels import choice_index, expected_units, industry_id, key, plain
from ..errors import Location, Problem
from ..models.common import Lang, TextValue
from ..models.questionnaire import Question, Questionnaire
from .rows import FIRM_FIELDS, Row, is_empty

T = TextValue
# The unit each firm figure is kept in (the first), and its other names.
FIRM_UNITS: dict[str, tuple[str, ...]] = {
    "firm.employees": ("人", "people"),
    "firm.revenue": ("万元", "10k CNY"),
}
# `其他〖纺织机械配件〗`, `其他(…)`, `其他：…`: an option, then the words typed after it.
_OTHER = re.compile(
    r"^(?P<option>[^〖【(（:：]+?)\s*(?:[〖【(（](?P<a>.*)[〗】)）]|[:：](?P<b>.*))$"
)
_OTHER_WORDS = {key(w) for w in ("其他", "其它", "other", "others")}
# Excel counts days from 1899-12-30; a serial in this range is a date of 1954–2119.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(20_000, 80_000)


@dataclass
class Checked:
    """The problems found in a row's cells and the notices of what was read differently."""

    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)


def say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def normalise_row(row: Row, q: Questionnaire, path: str, lang: Lang = "en") -> Checked:
    """Read each field of `row` in place; what cannot be read is left for the answer checks."""
    checked = Checked()
    for name in list(row.fields):
        value = row.fields[name]
        if is_empty(value):
            continue
        where = Location(f"{path}:{row.cells.get(name, row.ref)}")
        if isinstance(value, str) and value != value.strip():
            value = value.strip()
            row.fields[name] = value
        if name == "firm.credit_code":
            _credit_code(row, value, where, lang, checked)
        elif name in FIRM_UNITS:
            label = FIRM_FIELDS[name].get(lang)
            _figure(row, name, value, FIRM_UNITS[name], label, where, lang, checked)
        elif name == "firm.industry":
            _industry(row, value, where, lang, checked)
        elif name == "assessed_on":
            _serial_date(row, value)
        elif name.startswith("answers."):
            question = q.question_map.get(name[8:])
            if question is not None:
                _answer(row, q, question, value, where, lang, checked)
    return checked


def _notice(checked: Checked, where: Location, message: str) -> None:
    checked.notices.append(Problem(where, "IMP007", message, severity="warning"))


def _credit_code(row: Row, value: Any, where: Location, lang: Lang, checked: Checked) -> None:
    if not isinstance(value, str):
        return
    code = re.sub(r"\s+", "", plain(value))
    if code.upper() != code:
        _notice(
            checked,
            where,
            say(
                lang,
                f"统一社会信用代码 '{value}' 按大写读作 {code.upper()}",
                f"the credit code '{value}' is read in capitals as {code.upper()}",
            ),
        )
    row.fields["firm.credit_code"] = code.upper()


def _figure(
    row: Row,
    name: str,
    value: Any,
    units: tuple[str, ...],
    label: str,
    where: Location,
    lang: Lang,
    checked: Checked,
) -> None:
    if not isinstance(value, str):
        return
    figure = read_figure(value, units)
    if figure is None:
        return  # not a figure at all: the answer checks say what to type
    unit = units[0] if units else ""
    if figure.misfit:
        wanted = f"'{unit}'" if unit else say(lang, "不带单位", "no unit")
        checked.problems.append(
            Problem(
                where,
                "IMP006",
                say(
                    lang,
                    f"'{value}' 的单位是 '{figure.unit}'，但「{label}」的单位是{wanted}",
                    f"'{value}' is in '{figure.unit}', but '{label}' is in {wanted}",
                ),
                say(lang, "填写该单位的数值，例如 120", "write the figure in that unit, e.g. 120"),
            )
        )
        return
    if figure.converted:
        _notice(
            checked,
            where,
            say(
                lang,
                f"'{value}' 按「{label}」的单位读作 {figure.value:g}{unit}",
                f"'{value}' is read as {figure.value:g} {unit} for '{label}'",
            ),
        )
    row.fields[name] = figure.value


def _split_other(text: str) -> tuple[str, str] | None:
    """`("其他", "纺织机械配件")` for `其他〖纺织机械配件〗`; None for anything else."""
    match = _OTHER.fullmatch(plain(text).strip()) or _OTHER.fullmatch(text.strip())
    if match is None:
        return None
    words = (match["a"] if match["a"] is not None else match["b"] or "").strip()
    return match["option"].strip(), words


def _industry(row: Row, value: Any, where: Location, lang: Lang, checked: Checked) -> None:
    if not isinstance(value, str) or industry_id(value) != value:
        return
    split = _split_other(value)
    if split is None or industry_id(split[0]) != "other":
        return
    row.fields["firm.industry"] = "other"
    _notice(
        checked,
        where,
        say(
            lang,
            f"行业 '{value}' 读作“其他”；所填文字“{split[1]}”只在此提示中保留",
            f"the industry '{value}' is read as 'other'; the words '{split[1]}' are kept "
            "in this notice only",
        ),
    )


def _other_choice(q: Questionnaire, question: Question) -> str | None:
    for choice in q.choices_of(question):
        names = (choice.id, choice.label.zh, choice.label.en)
        if any(key(n) in _OTHER_WORDS for n in names):
            return choice.id
    return None


def _answer(
    row: Row,
    q: Questionnaire,
    question: Question,
    value: Any,
    where: Location,
    lang: Lang,
    checked: Checked,
) -> None:
    if question.type in ("number", "percent"):
        label = question.text.get(lang)
        units = expected_units(question)
        _figure(row, f"answers.{question.id}", value, units, label, where, lang, checked)
    elif question.type in ("single", "multi") and isinstance(value, str):
        other = _other_choice(q, question)
        if other is None or choice_index(q, question).match(value) is not None:
            return
        split = _split_other(value)
        if split is None or choice_index(q, question).match(split[0]) != other:
            return
        row.fields[f"answers.{question.id}"] = other if question.type == "single" else [other]
        note = f"notes.{question.id}"
        if split[1] and is_empty(row.fields.get(note)):
            row.put(note, split[1], row.cells.get(f"answers.{question.id}", row.ref))


def _serial_date(row: Row, value: Any) -> None:
    """An Excel date serial (a date cell formatted as a number) as the date it counts."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and value == int(value) and int(value) in _SERIALS:
        row.fields["assessed_on"] = (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
