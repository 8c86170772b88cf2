"""Reads an answer the way a person types it: choice labels in either language, full-width input.

A consultant or a park officer writes `偶尔过问，遇到问题时才讨论` rather than `occasional`, types
`１２` or `35%` with a Chinese input method, and joins choices with `，` or `、`. Each value is
turned into its canonical form (choice ids, plain numbers, yes/no) before it is checked; a value
that cannot be read is left as it was, so the answer checks report it with their usual message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..models.answers import NOT_APPLICABLE, UNKNOWN, Answer
from ..models.common import MAX_FIGURE
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Choice, Question, Questionnaire
from .figures import read_figure

# Separators a person uses between several choices in one cell or one YAML string. `┋` is how
# 问卷星 joins the options of a multiple-choice answer.
LIST_SEPARATORS = re.compile(r"\s*[,;|┋\n、]\s*")
_SPACES = re.compile(r"\s+")
_STATUS_WORDS: dict[str, str] = {
    "不适用": NOT_APPLICABLE,
    "not applicable": NOT_APPLICABLE,
    "不知道": UNKNOWN,
    "不清楚": UNKNOWN,
    "don't know": UNKNOWN,
    "do not know": UNKNOWN,
}
_YES_NO: dict[str, str] = {
    "yes": "yes",
    "no": "no",
    "是": "yes",
    "有": "yes",
    "对": "yes",
    "√": "yes",
    "✓": "yes",
    "✔": "yes",
    "y": "yes",
    "true": "yes",
    "否": "no",
    "无": "no",
    "没有": "no",
    "不是": "no",
    "×": "no",
    "✗": "no",
    "✘": "no",
    "n": "no",
    "false": "no",
}


def plain(text: str) -> str:
    """Full-width letters, digits and punctuation made half-width; `、` and `：` made ASCII."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("、", ",").replace("。", ".").strip()


# Dashes and tildes people type between two figures (`10%-30%`, `2~3次`, `10至50万元`) are one.
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212~\u301c\uff5e]|(?<=[\d%])至(?=\d)")
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〖": "(", "〗": ")"})
_BRACKETS.update(str.maketrans({"〔": "(", "〕": ")", "「": "(", "」": ")", "{": "(", "}": ")"}))
_QUOTES = re.compile(r"[\"'\u2018\u2019\u201c\u201d]")
_TRAILING = re.compile(r"[.,;:!?]+$")


def key(text: str) -> str:
    """What two spellings of one label have in common: NFKC, no spaces, case folded, every
    dash one, every bracket round, no quotes and no full stop at the end."""
    folded = _SPACES.sub("", plain(text)).translate(_BRACKETS)
    folded = _DASHES.sub("-", _QUOTES.sub("", folded))
    return _TRAILING.sub("", folded).casefold()


@dataclass(frozen=True)
class ChoiceIndex:
    """Every way a question's choices can be named, by `key`: id, Chinese and English label."""

    ids: tuple[str, ...]
    by_key: Mapping[str, tuple[str, ...]]

    def match(self, text: str) -> str | None:
        """The choice id `text` names, or None when it names none or several."""
        if text in self.ids:
            return text
        found = self.by_key.get(key(text), ())
        return found[0] if len(found) == 1 else None

    def candidates(self, text: str) -> tuple[str, ...]:
        return self.by_key.get(key(text), ())

    def names(self) -> list[str]:
        """Every id and label, for did-you-mean hints."""
        return [*self.ids, *(k for k in self.by_key if k not in self.ids)]


def _index(choices: tuple[Choice, ...]) -> ChoiceIndex:
    by_key: dict[str, list[str]] = {}
    for choice in choices:
        for name in (choice.id, choice.label.zh, choice.label.en):
            ids = by_key.setdefault(key(name), [])
            if choice.id not in ids:
                ids.append(choice.id)
    return ChoiceIndex(tuple(c.id for c in choices), {k: tuple(v) for k, v in by_key.items()})


_indexed = cache(_index)


def choice_index(q: Questionnaire, question: Question) -> ChoiceIndex:
    return _indexed(tuple(q.choices_of(question)))


def status_word(value: str) -> str | None:
    """`n/a` or `unknown` when `value` is one of their labels."""
    if value in (NOT_APPLICABLE, UNKNOWN):
        return value
    return _STATUS_WORDS.get(plain(value).casefold())


def canonical_value(q: Questionnaire, question: Question, value: Any) -> Any:
    """The canonical form of one answer value; the value itself when it cannot be read."""
    if isinstance(value, str):
        status = status_word(value)
        if status is not None:
            return status
    kind = question.type
    if kind == "single" and isinstance(value, str):
        return choice_index(q, question).match(value) or value
    if kind == "multi":
        return _multi(choice_index(q, question), value)
    if kind in ("number", "percent", "ordinal") and isinstance(value, str):
        return number(value, question) if number(value, question) is not None else value
    if kind == "yesno" and isinstance(value, str):
        return _YES_NO.get(plain(value).casefold(), value)
    return value


def _multi(index: ChoiceIndex, value: Any) -> Any:
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, list):
        items = value
    else:
        return value
    picked: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            return value
        whole = index.match(item)
        if whole is not None:
            picked.append(whole)
        else:
            parts = [p for p in LIST_SEPARATORS.split(plain(item)) if p]
            picked.extend(_longest_matches(index, parts) if len(parts) > 1 else [item])
    return list(dict.fromkeys(picked))


def _longest_matches(index: ChoiceIndex, parts: list[str]) -> list[str]:
    """Match runs of parts to choices, longest first, since a label may contain a separator."""
    found: list[str] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            match = index.match(",".join(parts[start:end]))
            if match is not None:
                found.append(match)
                start = end
                break
        else:
            found.append(parts[start])
            start += 1
    return found


def number(text: str, question: Question | None = None) -> int | float | None:
    """A number typed as text (`１２`, `1,200`, `35%`, `12 台`, `1.2亿` for 万元); None when it
    is not one, or when its unit does not fit the question's."""
    figure = read_figure(text, expected_units(question))
    if figure is None or figure.misfit or abs(figure.value) > MAX_FIGURE:
        return None
    return figure.value


def expected_units(question: Question | None) -> tuple[str, ...]:
    """The units a question's figures are written in: its own in either language, `%` for a
    percentage."""
    if question is None:
        return ()
    units = [question.unit.zh, question.unit.en] if question.unit is not None else []
    if question.type == "percent":
        units.append("%")
    return tuple(units)


def canonical_answers(
    q: Questionnaire, answers: Mapping[str, Answer]
) -> tuple[dict[str, Answer], list[str]]:
    """Every answer in canonical form, and the ids of the questions whose value changed."""
    result: dict[str, Answer] = {}
    changed: list[str] = []
    for qid, answer in answers.items():
        question = q.question_map.get(qid)
        value = answer.value
        new = canonical_value(q, question, value) if question is not None else value
        if new != value or type(new) is not type(value):
            changed.append(qid)
            answer = answer.model_copy(update={"value": new})
        result[qid] = answer
    return result, changed


_INDUSTRY_KEYS = {
    key(name): industry_id
    for industry_id, text in INDUSTRIES.items()
    for name in (industry_id, text.zh, text.en)
}


def industry_id(value: Any) -> Any:
    """The industry id of an industry given by id or by its name in either language."""
    if not isinstance(value, str):
        return value
    return _INDUSTRY_KEYS.get(key(value), value)
