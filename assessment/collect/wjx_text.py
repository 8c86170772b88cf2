"""Writes a questionnaire as the text 问卷星's 文本导入 (text import) turns into a survey.

The text is a title line, then numbered questions (`3. 题目*[单选题]`) with one option a line
and a blank line between questions. The firm's particulars come first, then every question that is
asked (computed ones are worked out by dtm and left out). 问卷星 cannot read skip logic from
text, so each conditional question says in words when it is asked, for the park officer to set
by hand; what cannot be put in words is returned as a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine.expr import Node, parse
from ..errors import N_, Location, Problem
from ..models.answers import NOT_APPLICABLE, UNKNOWN
from ..models.common import Lang
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Question, Questionnaire
from .table import FIRM_FIELDS

# The firm fields asked first, each with its 问卷星 type; `*` marks a required question.
HEADER_FIELDS: tuple[tuple[str, bool], ...] = (
    ("firm.name", True),
    ("firm.credit_code", True),
    ("firm.industry", True),
    ("firm.employees", True),
    ("firm.revenue", False),
    ("firm.park", False),
    ("period", False),
    ("assessor", True),
    ("assessed_on", False),
)
MARKERS = {"single": "[单选题]", "multi": "[多选题]", "text": "[填空题]"}
_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "yes": "是",
        "no": "否",
        NOT_APPLICABLE: "不适用",
        UNKNOWN: "不知道",
        "question": "第{n}题",
        "chose": "{q}选择{labels}",
        "not_chose": "{q}未选择{labels}",
        "has": "{q}选中{labels}",
        "has_not": "{q}未选中{labels}",
        "count": "{q}所选项数{op}{value}",
        "value": "{q}填写的数值{op}{value}",
        "answered": "{q}已作答",
        "or": "或",
        "join_or": "，或",
        "join_and": "，且",
        "when": "（仅当{text}时回答）",
        "verbatim": "（仅当满足条件 {text} 时回答）",
        "unit": "单位：{unit}",
        "range": "{low}–{high}",
        "min": "不小于{low}",
        "max": "不大于{high}",
        "unknown_hint": "不清楚请填“不知道”",
        "na_hint": "不适用请填“不适用”",
        "period_hint": "如 2026Q3",
        "date_hint": "如 2026-07-13",
        "sep": "；",
        "paren": "（{text}）",
    },
    "en": {
        "yes": "Yes",
        "no": "No",
        NOT_APPLICABLE: "Not applicable",
        UNKNOWN: "Don't know",
        "question": "Q{n}",
        "chose": "{q} is {labels}",
        "not_chose": "{q} is not {labels}",
        "has": "{q} includes {labels}",
        "has_not": "{q} does not include {labels}",
        "count": "the number of choices in {q} {op} {value}",
        "value": "{q} {op} {value}",
        "answered": "{q} is answered",
        "or": " or ",
        "join_or": "; or ",
        "join_and": "; and ",
        "when": " (answer only if {text})",
        "verbatim": " (answer only if {text})",
        "unit": "unit: {unit}",
        "range": "{low}–{high}",
        "min": "at least {low}",
        "max": "at most {high}",
        "unknown_hint": "write “don't know” if unknown",
        "na_hint": "write “not applicable” if it does not apply",
        "period_hint": "e.g. 2026Q3",
        "date_hint": "e.g. 2026-07-13",
        "sep": "; ",
        "paren": " ({text})",
    },
}
_OPS: dict[Lang, dict[str, str]] = {
    "zh": {">": "大于", ">=": "不少于", "<": "小于", "<=": "不超过", "==": "等于", "!=": "不等于"},
    "en": {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "=", "!=": "≠"},
}
_SWAPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}


def options(q: Questionnaire, question: Question, lang: Lang = "zh") -> list[tuple[str, Any]]:
    """The options of a choice question in 问卷星 order, each as (label, canonical value).

    Ordinal levels are offered by their descriptors; `不适用` and `不知道` come last where
    allowed. The reader of the 按选项序号 download counts on this order.
    """
    words = _WORDS[lang]
    found: list[tuple[str, Any]]
    if question.type in ("single", "multi"):
        found = [(c.label.get(lang), c.id) for c in q.choices_of(question)]
    elif question.type == "ordinal":
        texts = {d.level: d.text.get(lang) for d in question.descriptors or []}
        found = [(texts.get(n, str(n)), n) for n in range(question.max_level + 1)]
    elif question.type == "yesno":
        found = [(words["yes"], "yes"), (words["no"], "no")]
    else:
        return []
    if question.allow_na:
        found.append((words[NOT_APPLICABLE], NOT_APPLICABLE))
    if question.allow_unknown:
        found.append((words[UNKNOWN], UNKNOWN))
    return found


def industry_options(lang: Lang = "zh") -> list[tuple[str, str]]:
    return [(text.get(lang), industry_id) for industry_id, text in INDUSTRIES.items()]


def asked_questions(q: Questionnaire) -> list[Question]:
    """The questions a person answers: every one but the computed."""
    return [question for question in q.questions() if question.compute is None]


def numbering(q: Questionnaire) -> dict[str, int]:
    """The number each field and asked question has in the text (firm fields first)."""
    names = [name for name, _ in HEADER_FIELDS] + [f"answers.{x.id}" for x in asked_questions(q)]
    return {name: index for index, name in enumerate(names, start=1)}


@dataclass
class _Writer:
    q: Questionnaire
    lang: Lang
    numbers: dict[str, int]
    lines: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def note(self, number: int | None, question: Question, message: str, hint: str) -> None:
        where = Location(self.q.source or self.q.id)
        if number is None:
            text = N_("%(qid)s: %(message)s", qid=question.id, message=message)
        else:
            text = N_(
                "question %(number)s (%(qid)s): %(message)s",
                number=number,
                qid=question.id,
                message=message,
            )
        self.notes.append(Problem(where, "WJX001", text, hint, severity="warning"))

    def block(self, title: str, marker: str, opts: list[str]) -> None:
        self.lines.extend([f"{title}{marker}", *opts, ""])


def wjx_text(q: Questionnaire, *, lang: Lang = "zh") -> tuple[str, list[Problem]]:
    """The questionnaire as 问卷星 text-import text, and notes on what it could not carry."""
    writer = _Writer(q, lang, numbering(q))
    writer.lines.extend([q.title.get(lang), ""])
    _header(writer)
    for question in q.questions():
        if question.compute is not None:
            continue
        _question(writer, question)
    for question in q.questions():
        if question.compute is not None:
            writer.note(
                None,
                question,
                N_("computed from other answers, so not asked in 问卷星"),
                N_("dtm works it out when the answers are imported"),
            )
    return "\n".join(writer.lines).rstrip() + "\n", writer.notes


def _header(writer: _Writer) -> None:
    words = _WORDS[writer.lang]
    for name, required in HEADER_FIELDS:
        number = writer.numbers[name]
        title = f"{number}. {FIRM_FIELDS[name].get(writer.lang)}"
        if name == "period":
            title += words["paren"].format(text=words["period_hint"])
        elif name == "assessed_on":
            title += words["paren"].format(text=words["date_hint"])
        title += "*" if required else ""
        if name == "firm.industry":
            writer.block(title, MARKERS["single"], [t for t, _ in industry_options(writer.lang)])
        else:
            writer.block(title, MARKERS["text"], [])


def _question(writer: _Writer, question: Question) -> None:
    words = _WORDS[writer.lang]
    number = writer.numbers[f"answers.{question.id}"]
    title = f"{number}. {question.text.get(writer.lang)}"
    if question.type in ("number", "percent", "text"):
        parts = _blank_parts(question, writer.lang)
        if parts:
            title += words["paren"].format(text=words["sep"].join(parts))
    if question.when is not None:
        title += _when(writer, number, question, question.when)
    title += "*" if question.required else ""
    opts = options(writer.q, question, writer.lang)
    if question.type == "multi":
        marker = MARKERS["multi"]
        for choice in writer.q.choices_of(question):
            if choice.exclusive:
                writer.note(
                    number,
                    question,
                    N_(
                        "the option “%(label)s” excludes the others",
                        label=choice.label.get(writer.lang),
                    ),
                    N_("in 问卷星 open the question and set this option 互斥"),
                )
    else:
        marker = MARKERS["single"] if opts else MARKERS["text"]
    writer.block(title, marker, [label for label, _ in opts])


def _blank_parts(question: Question, lang: Lang) -> list[str]:
    words = _WORDS[lang]
    parts = []
    if question.unit is not None:
        parts.append(words["unit"].format(unit=question.unit.get(lang)))
    low, high = _shown(question.min), _shown(question.max)
    if low is not None and high is not None:
        parts.append(words["range"].format(low=low, high=high))
    elif low is not None:
        parts.append(words["min"].format(low=low))
    elif high is not None:
        parts.append(words["max"].format(high=high))
    if question.allow_na:
        parts.append(words["na_hint"])
    if question.allow_unknown and question.type != "text":
        parts.append(words["unknown_hint"])
    return parts


def _shown(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def _when(writer: _Writer, number: int, question: Question, condition: str) -> str:
    words = _WORDS[writer.lang]
    text = _Describer(writer.q, writer.lang, writer.numbers).describe(parse(condition).tree)
    if text is not None:
        return words["when"].format(text=text)
    writer.note(
        number,
        question,
        N_(
            "its condition `%(condition)s` cannot be put in words, so it is shown as written",
            condition=condition,
        ),
        N_("set the skip logic (跳题逻辑/显示逻辑) in 问卷星 by hand"),
    )
    return words["verbatim"].format(text=condition)


@dataclass
class _Describer:
    """Puts a condition in words naming question numbers and option texts, or gives None."""

    q: Questionnaire
    lang: Lang
    numbers: dict[str, int]

    def describe(self, node: Node) -> str | None:
        words = _WORDS[self.lang]
        if node.kind in ("and", "or"):
            parts = [self.describe(child) for child in node.children]
            if any(part is None for part in parts):
                return None
            return words[f"join_{node.kind}"].join(p for p in parts if p is not None)
        handlers: dict[str, Callable[[Node], str | None]] = {
            "compare": self._compare,
            "call": self._answered,
            "name": self._truthy,
        }
        handler = handlers.get(node.kind)
        return handler(node) if handler is not None else None

    def _question(self, node: Node) -> tuple[str, Question] | None:
        if node.kind != "name":
            return None
        number = self.numbers.get(f"answers.{node.value}")
        question = self.q.question_map.get(node.value)
        if number is None or question is None:
            return None
        return _WORDS[self.lang]["question"].format(n=number), question

    def _labels(self, question: Question, node: Node) -> str | None:
        values = [node] if node.kind != "list" else list(node.children)
        labels = dict((v, t) for t, v in options(self.q, question, self.lang))
        found = []
        for item in values:
            if item.kind not in ("str", "num") or _key(item) not in labels:
                return None
            found.append(labels[_key(item)])
        if not found:
            return None
        return _WORDS[self.lang]["or"].join(f"“{label}”" for label in found)

    def _compare(self, node: Node) -> str | None:
        left, right = node.children
        op = node.value
        words = _WORDS[self.lang]
        named, other = self._question(left), right
        if named is None:
            named, other, op = self._question(right), left, _SWAPPED.get(op, op)
        if named is not None and op in ("==", "!=", "in", "not in") and other.kind != "num":
            ref, question = named
            labels = self._labels(question, other)
            if labels is None:
                return None
            inside = question.type == "multi" and left.kind != "name"
            key_ = {
                ("==", False): "chose",
                ("in", False): "chose",
                ("!=", False): "not_chose",
                ("not in", False): "not_chose",
                ("in", True): "has",
                ("not in", True): "has_not",
            }.get((op, inside))
            return words[key_].format(q=ref, labels=labels) if key_ else None
        return self._numeric(node.children[0], node.value, node.children[1])

    def _numeric(self, left: Node, op: str, right: Node) -> str | None:
        words = _WORDS[self.lang]
        if op not in _OPS[self.lang] or right.kind != "num":
            return None
        value = _shown(right.value)
        if left.kind == "call" and left.value == "count" and len(left.children) == 1:
            named = self._question(left.children[0])
            if named is None:
                return None
            return words["count"].format(q=named[0], op=_OPS[self.lang][op], value=value)
        named = self._question(left)
        if named is None or named[1].type not in ("number", "percent", "ordinal"):
            return None
        return words["value"].format(q=named[0], op=_OPS[self.lang][op], value=value)

    def _answered(self, node: Node) -> str | None:
        if node.value != "answered":
            return None
        named = self._question(node.children[0])
        return _WORDS[self.lang]["answered"].format(q=named[0]) if named else None

    def _truthy(self, node: Node) -> str | None:
        named = self._question(node)
        if named is None or named[1].type != "yesno":
            return None
        return _WORDS[self.lang]["chose"].format(q=named[0], labels=f"“{_WORDS[self.lang]['yes']}”")


def _key(node: Node) -> Any:
    value = node.value
    if node.kind == "num" and float(value).is_integer():
        return int(value)
    return value
