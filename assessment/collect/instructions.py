"""Writes the workbook's 填写说明 sheet: how to fill it and what each column holds, in words."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.expr import tokenize
from ..models.common import Lang, TextValue
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Question, Questionnaire


@dataclass(frozen=True)
class Column:
    """One column of the answers sheet: the id in the hidden row, the header, what it holds."""

    id: str
    header: str
    width: float
    question: Question | None = None
    choice: str | None = None  # a choice id or n/a / unknown, for a multiple-choice column


T = TextValue
TYPES = {
    "single": T(zh="单选", en="single choice"),
    "multi": T(
        zh="多选：在选中的选项列填 Y", en="multiple choice: Y in each chosen option's column"
    ),
    "number": T(zh="数字", en="number"),
    "percent": T(
        zh="百分数，填 0–100 的数字（如 35 表示 35%）", en="percent, a number 0–100 (35 for 35%)"
    ),
    "yesno": T(zh="是/否", en="yes/no"),
    "ordinal": T(zh="等级", en="level"),
    "text": T(zh="文字", en="text"),
}
FIRM_NOTES = {
    "firm.name": T(zh="必填", en="required"),
    "firm.credit_code": T(zh="必填，18 位，按文本填写", en="required, 18 characters, kept as text"),
    "firm.industry": T(zh="必填，从下拉列表选", en="required, pick from the list"),
    "firm.employees": T(zh="必填，整数", en="required, a whole number"),
    "firm.revenue": T(zh="万元", en="10k CNY"),
    "period": T(
        zh="如 2026Q3；空着则用导入时的 --period",
        en="like 2026Q3; empty: the --period of the import",
    ),
    "assessed_on": T(zh="日期，如 2026-07-13", en="a date like 2026-07-13"),
}
GUIDE = {
    "zh": [
        "在「答卷」表中每家企业填一行，每题一列；第 1 行是题目，请勿删除隐藏的第 2 行（题号）。",
        "单选、是/否、等级题从下拉列表选；也可填选项的中文或英文名称。",
        "多选题每个选项一列：选中的填 Y，未选的空着。",
        "灰色的格子表示按前面的回答此题不用填（跳过），请空着。",
        "「不适用」「不知道」只在该题允许时可选（见下表）。空着的题目视为未答。",
        "填好后运行：dtm import 文件.xlsx --out 答卷目录；每个问题都会指出所在单元格。",
    ],
    "en": [
        "On the Answers sheet, one row per firm and one column per question; row 1 holds the "
        "questions; keep the hidden row 2 (question ids).",
        "Single choice, yes/no and level questions: pick from the list, or type a choice's name.",
        "Multiple choice: one column per option; Y for each chosen one, empty otherwise.",
        "A grey cell is skipped because of an earlier answer: leave it empty.",
        "'Not applicable' and 'Don't know' only where the question allows them (see below). An "
        "empty cell is unanswered.",
        "Then run: dtm import FILE.xlsx --out answers; every problem names its cell.",
    ],
}
TABLE_HEAD = {
    "zh": ["列", "题目", "题号", "类型", "可填的值", "何时填写", "不适用 / 不知道"],
    "en": ["Column", "Question", "Id", "Type", "Values", "When to answer", "N/A / don't know"],
}
_WORDS = {
    "zh": {"and": "且", "or": "或", "not": "非", "in": "属于", "==": "为", "!=": "不为"},
    "en": {"and": "and", "or": "or", "not": "not", "in": "is one of", "==": "is", "!=": "is not"},
}


def write_instructions(
    sheet: Worksheet, q: Questionnaire, cols: list[Column], lang: Lang, *, untranslated: list[str]
) -> None:
    """The help sheet; B2 and B3 hold the questionnaire id and version the import reads."""
    zh = lang == "zh"
    sheet["A1"] = f"{q.title.get(lang)} — {'填写说明' if zh else 'how to fill this workbook'}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["B2"] = ("问卷" if zh else "Questionnaire"), q.id
    sheet["A3"], sheet["B3"] = ("版本" if zh else "Version"), q.version
    row = 5
    for line in GUIDE[lang]:
        sheet.cell(row, 1, line)
        row += 1
    row += 1
    for index, text in enumerate(TABLE_HEAD[lang], start=1):
        sheet.cell(row, index, text).font = Font(bold=True)
    letters = {c.id: get_column_letter(i) for i, c in enumerate(cols, start=1)}
    seen: set[str] = set()
    for index, col in enumerate(cols, start=1):
        question = col.question
        if question is not None and question.id in seen:
            continue
        row += 1
        letter = get_column_letter(index)
        if question is None:
            values = _firm_values(col.id, lang)
            cells = [letter, col.header, col.id, "", values, "", ""]
        else:
            seen.add(question.id)
            cells = [
                letter,
                question.text.get(lang),
                question.id,
                TYPES[question.type].get(lang),
                _values(q, question, lang),
                _when(q, question, letters, lang, question.id in untranslated),
                _statuses(question, lang),
            ]
        for column, text in enumerate(cells, start=1):
            sheet.cell(row, column, text).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (8, 50, 24, 16, 50, 36, 16), strict=True):
        sheet.column_dimensions[letter].width = width


def _firm_values(name: str, lang: Lang) -> str:
    if name == "firm.industry":
        listed = "、".join(t.get(lang) for t in INDUSTRIES.values())
        return (
            f"{FIRM_NOTES[name].get(lang)}：{listed}"
            if lang == "zh"
            else f"{FIRM_NOTES[name].get(lang)}: {listed}"
        )
    note = FIRM_NOTES.get(name)
    return note.get(lang) if note else ""


def _values(q: Questionnaire, question: Question, lang: Lang) -> str:
    if question.type in ("single", "multi"):
        return "；".join(c.label.get(lang) for c in q.choices_of(question))
    if question.type == "ordinal":
        levels = [f"{d.level}：{d.text.get(lang)}" for d in question.descriptors or []]
        return "\n".join(levels) or f"0–{question.max_level}"
    if question.type in ("number", "percent"):
        low = (
            question.min
            if question.min is not None
            else (0 if question.type == "percent" else None)
        )
        high = (
            question.max
            if question.max is not None
            else (100 if question.type == "percent" else None)
        )
        span = f"{'' if low is None else f'{low:g}'}–{'' if high is None else f'{high:g}'}"
        unit = f" {question.unit.get(lang)}" if question.unit else ""
        return (span if span != "–" else "") + unit
    return ""


def _statuses(question: Question, lang: Lang) -> str:
    zh = lang == "zh"
    na = ("可填不适用" if zh else "N/A allowed") if question.allow_na else ""
    unknown = ("可填不知道" if zh else "don't know allowed") if question.allow_unknown else ""
    return "；".join(t for t in (na, unknown) if t)


def _when(
    q: Questionnaire, question: Question, letters: dict[str, str], lang: Lang, untranslated: bool
) -> str:
    """The condition with each question shown by its column and each choice by its label."""
    if question.when is None:
        return ""
    words = _WORDS[lang]
    parts = []
    subject: Question | None = None
    for token in tokenize(question.when)[:-1]:
        text = token.text
        if token.kind == "name" and text in q.question_map:
            subject = q.question_map[text]
            column = letters.get(text) or next(
                (v for k, v in letters.items() if k.startswith(f"{text}.")), ""
            )
            parts.append(f"{text}（{column}列）" if lang == "zh" else f"{text} (column {column})")
        elif token.kind == "str" and subject is not None:
            choice = next((c for c in q.choices_of(subject) if c.id == text[1:-1]), None)
            parts.append(f"「{choice.label.get(lang)}」" if choice else text)
        else:
            parts.append(words.get(text, text))
    sentence = " ".join(parts)
    if untranslated:
        sentence += (
            "（表格中不显示灰色，导入时检查）"
            if lang == "zh"
            else " (not greyed here; checked on import)"
        )
    return sentence
