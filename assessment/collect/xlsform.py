"""Writes a questionnaire as an XLSForm for ODK Collect and KoboToolbox.

The form has a group for the firm and one per dimension; each question becomes the XLSForm type
that asks it, with both languages, its help and evidence hint, its range as a `constraint`, its
`when:` as `relevant` and its `compute:` as `calculate`. "Not applicable" and "don't know" are
extra choices of a choice question; for a number they are the choices of a companion
`<id>_status` question asked first, and the number is asked only when that is left blank. A
note field and, where the questionnaire names evidence, a photo go with each question.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

from ..engine.expr import ExprError
from ..errors import N_, Location, Message, Problem
from ..models.common import TextValue
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Question, Questionnaire
from .table import FIRM_FIELDS
from .xpath import NA_CHOICE, UNKNOWN_CHOICE, Translator, Untranslatable, extras

ZH, EN = "Chinese (zh)", "English (en)"
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{ZH}",
    f"label::{EN}",
    f"hint::{ZH}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{ZH}",
    f"constraint_message::{EN}",
    "calculate",
    "appearance",
    "parameters",
)
CHOICE_COLUMNS = ("list_name", "name", f"label::{ZH}", f"label::{EN}")
T = TextValue
# Form field name -> answer-sheet field, for the firm group; the reader uses the same table.
FIRM_NAMES: dict[str, str] = {
    "firm_name": "firm.name",
    "credit_code": "firm.credit_code",
    "industry": "firm.industry",
    "employees": "firm.employees",
    "revenue": "firm.revenue",
    "park": "firm.park",
    "period": "period",
    "assessor": "assessor",
    "assessed_on": "assessed_on",
}
NOTE_SUFFIX, EVIDENCE_SUFFIX, STATUS_SUFFIX = "_note", "_evidence", "_status"
EXTRA_LABELS = {
    NA_CHOICE: T(zh="不适用", en="Not applicable"),
    UNKNOWN_CHOICE: T(zh="不知道", en="Don't know"),
}
_CODE = "regex(., '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$')"
_PERIOD = "regex(., '^(19|20)[0-9]{2}Q[1-4]$')"
NUMBER_TYPES = ("number", "percent")


@dataclass
class Form:
    """The rows of the three sheets while they are built, and the notes on what was lost."""

    q: Questionnaire
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: dict[str, list[tuple[str, TextValue]]] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    def row(self, kind: str, name: str, label: TextValue | None = None, **cells: Any) -> None:
        row = {"type": kind, "name": name}
        if label is not None:
            row[f"label::{ZH}"], row[f"label::{EN}"] = label.zh, label.en
        for column, value in cells.items():
            if value:
                row[column.replace("__", "::")] = value
        self.survey.append(row)

    def choice_list(self, name: str, items: Sequence[tuple[str, TextValue]]) -> str:
        self.choices.setdefault(name, list(items))
        return name

    def note(self, message: Message) -> None:
        self.notes.append(
            Problem(
                Location(self.q.source or self.q.id),
                "XLSF001",
                message,
                N_("the form leaves it out; dtm works it out on import"),
                severity="warning",
            )
        )


def _reason(exc: Untranslatable | ExprError) -> str:
    """Why an expression cannot be carried, as marked text when it was raised with one."""
    if isinstance(exc, ExprError):
        return exc.message
    reason = exc.args[0] if exc.args else ""
    return reason if isinstance(reason, Message) else str(reason)


def xlsform_bytes(q: Questionnaire) -> tuple[bytes, list[Problem]]:
    """The XLSForm of `q` as .xlsx bytes, and the expressions that could not be carried."""
    form = build_form(q)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    _fill(sheet, SURVEY_COLUMNS, form.survey)
    choices = book.create_sheet("choices")
    rows = [
        {"list_name": name, "name": cid, f"label::{ZH}": label.zh, f"label::{EN}": label.en}
        for name, items in form.choices.items()
        for cid, label in items
    ]
    _fill(choices, CHOICE_COLUMNS, rows)
    settings = book.create_sheet("settings")
    _fill(settings, tuple(form_settings(q)), [form_settings(q)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), form.notes


def _fill(sheet: Any, columns: Sequence[str], rows: Sequence[dict[str, str]]) -> None:
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") or None for c in columns])


def form_settings(q: Questionnaire) -> dict[str, str]:
    return {
        "form_title": q.title.zh,
        "form_id": f"dtm_{q.id}",
        "version": f"{q.version}-{q.content_hash.removeprefix('sha256:')[:8]}",
        "default_language": ZH,
        "instance_name": "concat(${firm_name}, ' ', ${period})",
    }


def build_form(q: Questionnaire) -> Form:
    """Every row of the survey and choices sheets."""
    form = Form(q)
    translator = Translator(q)
    _firm_group(form)
    for item in q.computed:
        try:
            formula = translator.translate(item.expr)
        except (Untranslatable, ExprError) as exc:
            form.note(
                N_(
                    "question '%(qid)s': the computed value '%(text)s' cannot be written in "
                    "XLSForm (%(reason)s)",
                    qid=item.id,
                    text=item.expr,
                    reason=_reason(exc),
                )
            )
            continue
        form.row("calculate", item.id, item.label, calculate=formula)
    for dimension in q.dimensions:
        form.row("begin_group", f"dim_{dimension.id}", dimension.label)
        for indicator in dimension.indicators:
            for question in indicator.questions:
                _question(form, translator, question)
        form.row("end_group", f"dim_{dimension.id}")
    return form


def _firm_group(form: Form) -> None:
    label = {name: FIRM_FIELDS[target] for name, target in FIRM_NAMES.items()}
    industries = form.choice_list("industry", list(INDUSTRIES.items()))
    form.row("begin_group", "firm", T(zh="企业信息", en="The firm"), appearance="field-list")
    form.row("text", "firm_name", label["firm_name"], required="yes")
    form.row(
        "text",
        "credit_code",
        label["credit_code"],
        required="yes",
        constraint=_CODE,
        **_message(T(zh="应为 18 位统一社会信用代码", en="18 characters of a credit code")),
    )
    form.row(f"select_one {industries}", "industry", label["industry"], required="yes")
    not_negative = _message(T(zh="不应小于 0", en="at least 0"))
    form.row(
        "integer",
        "employees",
        label["employees"],
        required="yes",
        constraint=". >= 0",
        **_hint(T(zh="单位：人", en="people")),
        **not_negative,
    )
    form.row(
        "decimal",
        "revenue",
        label["revenue"],
        constraint=". >= 0",
        **_hint(T(zh="单位：万元", en="10k CNY")),
        **not_negative,
    )
    form.row("text", "park", label["park"])
    form.row(
        "text",
        "period",
        label["period"],
        required="yes",
        constraint=_PERIOD,
        **_hint(T(zh="例如 2026Q3", en="like 2026Q3")),
        **_message(T(zh="写成 2026Q3 这样的年份加季度", en="a year and quarter, like 2026Q3")),
    )
    form.row("text", "assessor", label["assessor"], required="yes")
    form.row("date", "assessed_on", label["assessed_on"], required="yes")
    form.row("end_group", "firm")


def _message(text: TextValue) -> dict[str, str]:
    return {f"constraint_message__{ZH}": text.zh, f"constraint_message__{EN}": text.en}


def _question(form: Form, translator: Translator, question: Question) -> None:
    qid = question.id
    relevant = ""
    if question.when:
        try:
            relevant = translator.truth(question.when)
        except (Untranslatable, ExprError) as exc:
            form.note(
                N_(
                    "question '%(qid)s': the condition '%(text)s' cannot be written in XLSForm "
                    "(%(reason)s); the question is always shown",
                    qid=qid,
                    text=question.when,
                    reason=_reason(exc),
                )
            )
    if question.compute:
        try:
            formula = translator.translate(question.compute)
        except (Untranslatable, ExprError) as exc:
            form.note(
                N_(
                    "question '%(qid)s': the formula '%(text)s' cannot be written in XLSForm "
                    "(%(reason)s)",
                    qid=qid,
                    text=question.compute,
                    reason=_reason(exc),
                )
            )
            return
        form.row("calculate", qid, question.text, calculate=formula, relevant=relevant)
        return
    required = "yes" if question.required and (relevant or not question.when) else ""
    shown = relevant
    if question.type in NUMBER_TYPES and extras(question):
        status = f"{qid}{STATUS_SUFFIX}"
        form.row(
            f"select_one {_status_list(form, question)}",
            status,
            T(
                zh=f"{question.text.zh}（无法填写数值时选择）",
                en=f"{question.text.en} (if no figure)",
            ),
            relevant=relevant,
            **_hint(T(zh="有数值时不选，直接填写下一题", en="Leave blank when there is a figure")),
        )
        blank = f"string-length(${{{status}}}) = 0"
        shown = f"({relevant}) and {blank}" if relevant else blank
    kind, constraint, message = _kind(form, question)
    form.row(
        kind,
        qid,
        question.text,
        required=required,
        relevant=shown,
        constraint=constraint,
        **(_message(message) if message else {}),
        **_hint(_hint_text(question)),
    )
    form.row("text", f"{qid}{NOTE_SUFFIX}", T(zh="备注", en="Note"), relevant=relevant)
    if question.evidence is not None:
        form.row(
            "image",
            f"{qid}{EVIDENCE_SUFFIX}",
            T(zh=f"佐证材料：{question.evidence.zh}", en=f"Evidence: {question.evidence.en}"),
            relevant=relevant,
            parameters="max-pixels=1600",
        )


def _hint(text: TextValue | None) -> dict[str, str]:
    if text is None:
        return {}
    return {f"hint__{ZH}": text.zh, f"hint__{EN}": text.en}


def _hint_text(question: Question) -> TextValue | None:
    zh: list[str] = []
    en: list[str] = []
    if question.help is not None:
        zh.append(question.help.zh)
        en.append(question.help.en)
    if question.unit is not None:
        zh.append(f"单位：{question.unit.zh}")
        en.append(f"Unit: {question.unit.en}")
    if question.evidence is not None:
        zh.append(f"佐证材料：{question.evidence.zh}")
        en.append(f"Evidence: {question.evidence.en}")
    return T(zh="\n".join(zh), en="\n".join(en)) if zh else None


def _extra_items(question: Question) -> list[tuple[str, TextValue]]:
    return [(name, EXTRA_LABELS[name]) for name in extras(question)]


def _suffix(question: Question) -> str:
    return "".join(f"_{name}" for name in extras(question))


def _status_list(form: Form, question: Question) -> str:
    return form.choice_list(f"status{_suffix(question)}", _extra_items(question))


def _kind(form: Form, question: Question) -> tuple[str, str, TextValue | None]:
    """The XLSForm type of a question, its constraint and the constraint's message."""
    kind = question.type
    if kind in NUMBER_TYPES:
        # A count of whole items takes whole numbers on the tablet, as the import does.
        return ("integer" if question.integer else "decimal", *_range(question))
    if kind == "text":
        return "text", "", None
    if kind == "yesno":
        items = [("yes", T(zh="是", en="Yes")), ("no", T(zh="否", en="No"))]
        name = form.choice_list(f"yesno{_suffix(question)}", items + _extra_items(question))
        return f"select_one {name}", "", None
    if kind == "ordinal":
        return f"select_one {_levels(form, question)}", "", None
    base = f"scale_{question.scale}" if question.choices is None else question.id
    choices = [(c.id, c.label) for c in form.q.choices_of(question)]
    name = form.choice_list(base + _suffix(question), choices + _extra_items(question))
    if kind == "single":
        return f"select_one {name}", "", None
    return (f"select_multiple {name}", *_exclusive(form.q, question))


def _levels(form: Form, question: Question) -> str:
    texts = {d.level: d.text for d in question.descriptors or []}
    items = []
    for level in range(question.max_level + 1):
        text = texts.get(level)
        label = T(zh=f"{level} — {text.zh}", en=f"{level} — {text.en}") if text else None
        items.append((str(level), label or T(zh=f"{level} 级", en=f"Level {level}")))
    base = question.id if texts else f"level_{question.max_level}"
    return form.choice_list(base + _suffix(question), items + _extra_items(question))


def _range(question: Question) -> tuple[str, TextValue | None]:
    low, high = question.min, question.max
    if question.type == "percent":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    parts = []
    if low is not None:
        parts.append(f". >= {_num(low)}")
    if high is not None:
        parts.append(f". <= {_num(high)}")
    if not parts:
        return "", None
    zh = f"应在 {_num(low)} 到 {_num(high)} 之间" if low is not None and high is not None else ""
    if not zh:
        zh = f"不应小于 {_num(low)}" if low is not None else f"不应大于 {_num(high)}"
    en = (
        f"between {_num(low)} and {_num(high)}"
        if low is not None and high is not None
        else (f"at least {_num(low)}" if low is not None else f"at most {_num(high)}")
    )
    return " and ".join(parts), T(zh=zh, en=en)


def _num(value: float | None) -> str:
    assert value is not None
    return str(int(value)) if float(value).is_integer() else str(value)


def _exclusive(q: Questionnaire, question: Question) -> tuple[str, TextValue | None]:
    alone = [c.id for c in q.choices_of(question) if c.exclusive] + extras(question)
    if not alone:
        return "", None
    constraint = " and ".join(
        f"not(selected(., '{name}') and count-selected(.) > 1)" for name in alone
    )
    names = [c.label for c in q.choices_of(question) if c.exclusive]
    names += [EXTRA_LABELS[n] for n in extras(question)]
    return constraint, T(
        zh="、".join(f"“{n.zh}”" for n in names) + "不能与其他选项同选",
        en=", ".join(f"'{n.en}'" for n in names) + " cannot be combined with other choices",
    )
