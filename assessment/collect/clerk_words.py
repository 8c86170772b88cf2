"""Says each import problem in the clerk's language: the cell, the question's text, what to type.

The checks word their problems in English for answer files; a park clerk importing a workbook or
a survey download in Chinese reads each line in Chinese instead: a row's problem is built from
what the row holds (the question, the value typed, the firm column) rather than from the English
sentence; a header's, a cell's or a register's is marked (`N_`) and read from the catalogues.
The code and the place stay as they are; the question's id is kept where it helps to find the
column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import Problem
from ..models.common import Lang
from ..models.questionnaire import Question, Questionnaire
from ..resources import translate
from .rows import FIRM_FIELDS, Row

_DID_YOU_MEAN = re.compile(r"did you mean '(?P<word>.+)'\?")
_QUOTED = re.compile(r"'([^']*)'")
_FIELD_HINTS = {
    "firm.name": "填写企业全称",
    "firm.credit_code": "从营业执照上照抄 18 位代码",
    "firm.industry": "从下拉列表中选择行业，或写“其他〖具体行业〗”",
    "firm.employees": "填整数人数，例如 120（可带“人”）",
    "firm.revenue": "填万元数，例如 1200（可写 1200万元、0.12亿）",
    "period": "写成 2026Q3 这样的年份加季度；或导入时加 --period 2026Q3",
    "assessor": "填写评估人姓名",
    "assessed_on": "写成 2026-07-13",
}


def clerk_lang(q: Questionnaire) -> Lang:
    """Chinese when the questionnaire is written in Chinese first, else English."""
    return "zh" if re.search(r"[\u4e00-\u9fff]", q.title.zh) else "en"


def in_language(problem: Problem, lang: Lang, q: Questionnaire, row: Row | None = None) -> Problem:
    """The problem worded in `lang`; English problems pass unchanged but for the hints written
    for answer files (`add 'period:'`), which a table says in its own terms."""
    if lang != "zh":
        return _table_english(problem, _field_at(problem, row))
    if _is_chinese(problem.message):
        return problem
    name = _field_at(problem, row)
    typed = row.fields.get(name) if row is not None and name else None
    question = q.question_map.get(name[8:]) if name and name.startswith("answers.") else None
    words = _ROW_WORDS.get(problem.code) if name else None
    found = words(problem, name or "", question, typed) if words else None
    if found is None:
        if not hasattr(problem.message, "msgid"):
            return problem
        # a header's or a register's problem: its words are in the catalogues, as every
        # other marked message's
        found = translate(problem.message, lang), translate(problem.hint, lang)
    message, hint = found
    if problem.code == "ANS004" and not hint and question is not None:
        hint = "可选：" + "、".join(c.label.zh for c in q.choices_of(question))
    return Problem(problem.location, problem.code, message, hint, problem.severity)


_ENGLISH_HINTS = {
    "period": "fill it in like 2026Q3, or give --period 2026Q3 on import",
    "assessed_on": "fill it in like 2026-07-13",
}


def _table_english(problem: Problem, name: str | None) -> Problem:
    if problem.code != "SCHEMA003" or name is None:
        return problem
    label = FIRM_FIELDS[name].en if name in FIRM_FIELDS else name
    return Problem(
        problem.location,
        problem.code,
        f"the column '{label}' is empty",
        _ENGLISH_HINTS.get(name, "fill it in"),
        problem.severity,
    )


def _is_chinese(text: str) -> bool:
    """Whether a message is worded in Chinese already: no English words outside the quoted
    values and ids it names."""
    bare = re.sub(r"'[^']*'|（[\w.]+）|`[^`]*`", "", text)
    return not re.search(r"[A-Za-z]{3,}", bare)


def _field_at(problem: Problem, row: Row | None) -> str | None:
    if row is None:
        return None
    for name, cell in row.cells.items():
        if str(problem.location).endswith(f":{cell}"):
            return name
    return None


def _subject(name: str, question: Question | None) -> str:
    if question is not None:
        return f"「{question.text.zh}」（{question.id}）"
    label = FIRM_FIELDS.get(name)
    return f"「{label.zh}」" if label is not None else f"「{name}」"


def _status_hint(question: Question | None) -> str:
    if question is None:
        return ""
    allowed = (["“不知道”"] if question.allow_unknown else []) + (
        ["“不适用”"] if question.allow_na else []
    )
    return "；不清楚可填" + "或".join(allowed) if allowed else ""


def _shown(value: Any) -> str:
    text = str(value) if value is not None else ""
    return f"'{text if len(text) <= 30 else text[:27] + '...'}'"


def _range(question: Question) -> str:
    low, high = question.min, question.max
    if question.type == "percent":
        low, high = (0.0 if low is None else low), (100.0 if high is None else high)
    unit = question.unit.zh if question.unit is not None else ""
    if low is not None and high is not None:
        return f"应在 {low:g}–{high:g}{unit} 之间"
    if low is not None:
        return f"不应小于 {low:g}{unit}"
    return f"不应大于 {high:g}{unit}" if high is not None else "检查数值和单位"


Words = Callable[[Problem, str, Question | None, Any], tuple[str, str] | None]


def _ans002(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    subject = _subject(name, question)
    if question is None:
        return f"{subject}的值 {_shown(typed)} 不对", _FIELD_HINTS.get(name, "")
    if "whole" in p.message:
        return f"{subject}要填整数，不是 {_shown(typed)}", "填整数，例如 12"
    if question.type in ("number", "percent"):
        unit = question.unit.zh if question.unit is not None else ""
        example = f"只填数字，例如 {'35' if question.type == 'percent' else '120'}{unit}"
        return f"{subject}要填数字，不是 {_shown(typed)}", example + _status_hint(question)
    if question.type == "yesno":
        return f"{subject}填“是”或“否”，不是 {_shown(typed)}", "填“是”或“否”" + _status_hint(
            question
        )
    if question.type == "multi":
        return f"{subject}的选项写法不对：{_shown(typed)}", "多个选项用“┋”或“、”分隔"
    return f"{subject}的答案写法不对：{_shown(typed)}", "写在一行之内"


def _ans003(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    hint = _range(question) if question is not None else "检查数值和单位"
    return f"{_subject(name, question)}的 {_shown(typed)} 超出范围", hint


def _ans004(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    meant = _DID_YOU_MEAN.search(p.hint)
    # Without a close label the choices are listed by `in_language`, which knows the questionnaire.
    hint = f"是不是“{meant['word']}”？" if meant is not None else ""
    item = _QUOTED.search(p.message)
    what = f"'{item.group(1)}'" if item else _shown(typed)
    return f"{what} 不是{_subject(name, question)}的选项", hint


def _ans005(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    condition = question.when if question is not None else ""
    return (
        f"{_subject(name, question)}对本企业不用回答（仅当 {condition} 时回答），但填了答案",
        "清空此格，或检查它所依据的答案",
    )


def _ans006(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    return f"{_subject(name, question)}没有答案", "请作答" + _status_hint(question)


def _ans007(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    return f"{_subject(name, question)}不能填 {_shown(typed)}", "填写实际答案"


def _ans008(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    return (
        f"{_subject(name, question)}中互斥的选项不能与其他选项同选",
        "只选互斥的选项，或去掉它",
    )


def _schema(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    subject = _subject(name, question)
    if p.code == "SCHEMA003":
        return f"缺少{subject}", f"在{subject}一栏填写；" + _FIELD_HINTS.get(name, "")
    return f"{subject}的值 {_shown(typed)} 不对", _FIELD_HINTS.get(name, "检查此格")


_REASONS = (
    (re.compile(r"it has (\d+) characters, not 18"), "有 {0} 位，应为 18 位"),
    (re.compile(r"it contains (.+), which a credit code never uses"), "含有信用代码不用的字符 {0}"),
    (re.compile(r"its check character is (.+) but should be (.+)$"), "校验位是 {0}，应为 {1}"),
)


def _firm001(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    reason = ""
    for pattern, words in _REASONS:
        match = pattern.search(p.message)
        if match is not None:
            reason = "：" + words.format(*match.groups())
            break
    return f"统一社会信用代码 {_shown(typed)} 无效{reason}", _FIELD_HINTS["firm.credit_code"]


def _firm002(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    return f"评估期 {_shown(typed)} 写法不对", _FIELD_HINTS["period"]


def _firm003(p: Problem, name: str, question: Question | None, typed: Any) -> tuple[str, str]:
    return f"评估日期 {_shown(typed)} 不在评估期之内", "检查评估日期或评估期"


_ROW_WORDS: dict[str, Words] = {
    "ANS002": _ans002,
    "ANS003": _ans003,
    "ANS004": _ans004,
    "ANS005": _ans005,
    "ANS006": _ans006,
    "ANS007": _ans007,
    "ANS008": _ans008,
    "SCHEMA002": _schema,
    "SCHEMA003": _schema,
    "FIRM001": _firm001,
    "FIRM002": _firm002,
    "FIRM003": _firm003,
}
