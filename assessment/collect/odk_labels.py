"""Reads a KoboToolbox or ODK export made "with labels": headers and answers as the form shows them.

KoboToolbox can export each column headed by its question's label (optionally after its groups'
labels, `企业信息/企业名称`) and each choice as its label. Labels repeat (every note is `备注`),
so columns are matched to the form's fields in the form's own order, each label to the next field
that carries it; a choice label is turned back into the choice's name, so the rest of the import
reads a labels export exactly like a names export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.labels import key
from ..models.questionnaire import Questionnaire
from .xlsform import EN, ZH, build_form

_SKIPPED = ("begin_group", "end_group", "begin_repeat", "end_repeat", "note")


@dataclass(frozen=True)
class FormField:
    """One field of the form: its name, the keys of its labels, and its choices by label."""

    name: str
    labels: tuple[str, ...]
    choices: dict[str, str] = field(default_factory=dict)
    multiple: bool = False


def form_fields(q: Questionnaire) -> list[FormField]:
    """Every field of the form `dtm template --xlsform` makes of `q`, in the form's order."""
    form = build_form(q)
    fields = []
    for row in form.survey:
        kind = row["type"]
        if kind in _SKIPPED:
            continue
        labels = tuple(key(row[c]) for c in (f"label::{ZH}", f"label::{EN}") if row.get(c))
        kind_word, _, list_name = kind.partition(" ")
        choices = {
            key(text): name
            for name, label in form.choices.get(list_name, [])
            for text in (label.zh, label.en)
        }
        fields.append(FormField(row["name"], labels, choices, kind_word == "select_multiple"))
    return fields


@dataclass
class LabelledHeader:
    """The export's header with each label replaced by its field's name, and for each column of
    a single choice, its choices by label."""

    names: list[Any]
    choices: dict[int, dict[str, str]] = field(default_factory=dict)


def named_header(header: Sequence[Any], q: Questionnaire) -> LabelledHeader | None:
    """The header of a labels export put as names; None when the header holds names already."""
    fields = form_fields(q)
    names = {f.name for f in fields}
    if sum(1 for h in header if _last(h) in names) >= len(fields) // 2:
        return None
    result = LabelledHeader(list(header))
    at = 0
    last_multiple: FormField | None = None
    for column, text in enumerate(header):
        if text is None:
            continue
        found = _next_field(fields, at, str(text))
        if found is not None:
            at, matched = found
            result.names[column] = matched.name
            if matched.choices and not matched.multiple:
                result.choices[column] = matched.choices
            last_multiple = matched if matched.multiple else None
            at += 1
            continue
        choice = _choice_column(last_multiple, str(text))
        if choice is not None:
            result.names[column] = choice
    matched_count = sum(1 for n in result.names if n in names)
    return result if matched_count >= len(fields) // 2 else None


def _candidates(text: str) -> list[str]:
    """The header, then the header without one group label after another (`组/题目` → `题目`);
    a label may hold `/` itself, so the whole text is tried first."""
    parts = text.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


def _next_field(fields: list[FormField], at: int, text: str) -> tuple[int, FormField] | None:
    for candidate in _candidates(text):
        wanted = key(candidate)
        for index in range(at, len(fields)):
            if wanted in fields[index].labels:
                return index, fields[index]
    return None


def _choice_column(question: FormField | None, text: str) -> str | None:
    """`systems_in_use/erp` for Kobo's 0/1 column of one choice, headed `题目/选项`."""
    if question is None:
        return None
    name = question.choices.get(key(text.rsplit("/", 1)[-1]))
    return f"{question.name}/{name}" if name is not None else None


def _last(header: Any) -> str:
    return str(header).strip().replace("-", "/").rsplit("/", 1)[-1] if header is not None else ""
