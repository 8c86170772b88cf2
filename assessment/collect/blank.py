"""Writes an empty answer file with every question's text and choices as comments."""

from __future__ import annotations

import json
from typing import get_args

from ..models.answers import NOT_APPLICABLE, UNKNOWN, Industry
from ..models.common import Lang
from ..models.questionnaire import Question, Questionnaire

_TYPE_NAMES = {
    "single": ("单选", "one choice"),
    "multi": ("多选，写成 [a, b]", "several choices, as [a, b]"),
    "number": ("数字", "a number"),
    "percent": ("百分比 0–100", "a percentage 0–100"),
    "yesno": ("yes 或 no", "yes or no"),
    "ordinal": ("等级", "a level"),
    "text": ("文字", "free text"),
}


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _question_lines(q: Questionnaire, question: Question, lang: Lang) -> list[str]:
    zh, en = _TYPE_NAMES[question.type]
    kind = zh if lang == "zh" else en
    lines = [f"  # {question.text.get(lang)}"]
    if question.help:
        lines.append(f"  #   {question.help.get(lang)}")
    extras = []
    if question.allow_na:
        extras.append(NOT_APPLICABLE)
    if question.allow_unknown:
        extras.append(UNKNOWN)
    lines.append(f"  #   [{kind}]" + (f" or {' / '.join(extras)}" if extras else ""))
    for choice in q.choices_of(question):
        flag = " (exclusive)" if choice.exclusive else ""
        lines.append(f"  #   {choice.id}: {choice.label.get(lang)}{flag}")
    if question.type == "ordinal":
        for d in question.descriptors or []:
            lines.append(f"  #   {d.level}: {d.text.get(lang)}")
    if question.unit:
        lines.append(f"  #   unit: {question.unit.get(lang)}")
    if question.when:
        lines.append(f"  #   only when: {question.when}")
    if question.compute:
        lines.append(f"  #   computed from: {question.compute} (leave empty)")
    lines.append(f"  {question.id}:")
    return lines


def blank_answers(q: Questionnaire, lang: Lang = "zh") -> str:
    """An answer file to fill in an editor; empty answers are reported until filled."""
    industries = ", ".join(get_args(Industry))
    out = [
        f"# {q.title.get(lang)} ({q.id} {q.version})",
        f"# {NOT_APPLICABLE} = not applicable (where offered); {UNKNOWN} = don't know (scores 0)",
        "# Check it with: dtm validate THIS_FILE",
        f"questionnaire: {{id: {q.id}, version: {_q(q.version)}}}",
        "firm:",
        '  name: ""',
        '  credit_code: ""        # 18-character unified social credit code',
        f'  industry: ""           # one of: {industries}',
        "  employees: 0",
        "  revenue:               # optional: annual revenue in 10k CNY",
        "  park:                  # optional",
        'period: ""               # e.g. 2026Q3',
        'assessor: ""',
        'assessed_on: ""          # YYYY-MM-DD',
        "answers:",
    ]
    for dimension in q.dimensions:
        out.append(f"  # ===== {dimension.label.get(lang)} ({dimension.id}) =====")
        for indicator in dimension.indicators:
            out.append(f"  # --- {indicator.label.get(lang)} ({indicator.id}) ---")
            for question in indicator.questions:
                out.extend(_question_lines(q, question, lang))
    return "\n".join(out) + "\n"
