"""问卷星: the text-import template, and answer downloads read back as the same answers."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from assessment import AnswerSheet, Questionnaire, load_answers, load_questionnaire, score
from assessment.collect import importer, wjx
from assessment.collect.grid import read_grids
from assessment.collect.table import FIRM_FIELDS, import_rows
from assessment.collect.wjx_text import (
    HEADER_FIELDS,
    asked_questions,
    industry_options,
    numbering,
    options,
    wjx_text,
)
from assessment.industries import INDUSTRIES
from assessment.models.answers import NOT_APPLICABLE, UNKNOWN

ROOT = Path(__file__).parent.parent
PROFILES = {
    "park_quick_scan": ROOT / "examples" / "sample_park" / "2026Q3",
    "miit_2024_manufacturing": ROOT / "examples" / "miit_2024" / "2026Q3",
}
SAMPLE = ROOT / "examples" / "wjx" / "park_quick_scan_answers.xlsx"
FIXED = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
_TITLE = re.compile(r"^(\d+)\. (.*?)\*?\[(单选题|多选题|填空题)\]$")


def sample_sheets(qid: str, count: int = 28) -> tuple[Questionnaire, list[AnswerSheet]]:
    q = load_questionnaire(qid)
    paths = sorted(PROFILES[qid].glob("*.yaml"))[:count]
    return q, [load_answers(p, q) for p in paths]


def _titles(q: Questionnaire) -> dict[int, str]:
    text, _ = wjx_text(q)
    found = (_TITLE.match(line) for line in text.splitlines())
    return {int(m.group(1)): m.group(2) for m in found if m}


def _label(q: Questionnaire, qid: str, value: Any, by_number: bool) -> Any:
    question = q.question_map[qid]
    opts = options(q, question)
    if not opts:
        return {NOT_APPLICABLE: "不适用", UNKNOWN: "不知道"}.get(value, value)
    position = {v: i for i, (_, v) in enumerate(opts, start=1)}
    text = {v: label for label, v in opts}
    pick = (lambda v: str(position[v])) if by_number else (lambda v: text[v])
    if isinstance(value, list):
        return "┋".join(pick(v) for v in value)
    return pick(value)


def export_rows(
    q: Questionnaire,
    sheets: Sequence[AnswerSheet],
    *,
    by_number: bool = False,
    split: str | None = None,
) -> list[list[Any]]:
    """What 问卷星 downloads for these answers, headed by the survey `wjx_text` made.

    `split` names a multi-choice question downloaded as one column per option (1/0).
    """
    titles = _titles(q)
    numbers = numbering(q)
    header: list[Any] = list(FIXED)
    for name, number in numbers.items():
        question = q.question_map.get(name.removeprefix("answers."))
        if question is not None and question.id == split:
            header.extend(f"{number}({label})" for label, _ in options(q, question))
        else:
            header.append(f"{number}、{titles[number]}")
    rows = [header]
    for index, sheet in enumerate(sheets, start=1):
        row: list[Any] = [index, f"2026-07-{index:02d} 09:30:00", "612秒", "微信", "N/A", "1.2.3.4"]
        firm = sheet.firm.model_dump()
        industries = [v for _, v in industry_options()]
        header_values = {
            "firm.industry": (
                str(industries.index(firm["industry"]) + 1)
                if by_number
                else INDUSTRIES[firm["industry"]].zh
            ),
            "period": sheet.period,
            "assessor": sheet.assessor,
            "assessed_on": sheet.assessed_on.isoformat(),
        }
        for name, _ in HEADER_FIELDS:
            value = header_values.get(name, firm.get(name.removeprefix("firm.")))
            row.append("(空)" if value is None else value)
        for question in asked_questions(q):
            answer = sheet.answers.get(question.id)
            if question.id == split:
                picked = answer.value if answer is not None else []
                row.extend(int(v in (picked or [])) for _, v in options(q, question))
            elif answer is None or answer.value is None:
                row.append("(跳过)" if question.when else "(空)")
            else:
                row.append(_label(q, question.id, answer.value, by_number))
        rows.append(row)
    return rows


def write_xlsx(rows: list[list[Any]], path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(rows: list[list[Any]], path: Path, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read_back(path: Path, q: Questionnaire) -> importer.ImportReport:
    grids = read_grids(path)
    grid = wjx.sniff(grids, q)
    assert grid is not None, "the download is not recognised"
    read = wjx.read(str(path), grid, q)
    imported = import_rows(read.rows, str(path), q)
    imported.warnings.extend(read.warnings)
    return importer.ImportReport(read.format, imported, read.problems)


def _answers(sheet: AnswerSheet) -> dict[str, Any]:
    return {qid: a.value for qid, a in sheet.answers.items() if a.value is not None}


def _scores(q: Questionnaire, sheet: AnswerSheet) -> Any:
    """The score card without notes and evidence: a 问卷星 survey asks for neither."""

    def drop_notes(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: drop_notes(v) for k, v in value.items() if k not in ("note", "evidence")}
        if isinstance(value, list):
            return [drop_notes(v) for v in value]
        return value

    return drop_notes(score(q, sheet).model_dump())


Writer = Callable[[list[list[Any]], Path], Path]
WRITERS: dict[str, tuple[str, Writer]] = {
    "xlsx": ("export.xlsx", write_xlsx),
    "csv-utf8-bom": ("export.csv", lambda rows, p: write_csv(rows, p, "utf-8-sig")),
    "csv-gbk": ("export.csv", lambda rows, p: write_csv(rows, p, "gbk")),
}


# The text template


@pytest.mark.parametrize("qid", sorted(PROFILES))
def test_text_numbers_every_question_with_its_marker_and_options(qid: str) -> None:
    q = load_questionnaire(qid)
    text, notes = wjx_text(q)
    blocks = [b.splitlines() for b in text.strip().split("\n\n")]
    assert blocks[0] == [q.title.zh]
    expected = [FIRM_FIELDS[name].zh for name, _ in HEADER_FIELDS]
    expected += [x.text.zh for x in asked_questions(q)]
    assert len(blocks) - 1 == len(expected)
    for number, (block, title) in enumerate(zip(blocks[1:], expected, strict=True), start=1):
        match = _TITLE.match(block[0])
        assert match is not None, block[0]
        assert int(match.group(1)) == number
        assert match.group(2).startswith(title)
    for question in asked_questions(q):
        block = blocks[numbering(q)[f"answers.{question.id}"]]
        marker = {"multi": "[多选题]", "number": "[填空题]", "percent": "[填空题]"}
        assert block[0].endswith(
            marker.get(question.type, "[单选题]" if options(q, question) else "[填空题]")
        )
        assert block[1:] == [label for label, _ in options(q, question)]
    computed = [x.id for x in q.questions() if x.compute]
    noted = [n.message.split(":")[0] for n in notes if "computed" in n.message]
    assert noted == computed


@pytest.mark.parametrize(
    ("qid", "question", "words"),
    [
        ("park_quick_scan", "plan_review", "（仅当第12题选择“有书面规划或项目清单”或“经管理层批准"),
        ("park_quick_scan", "training_coverage", "（仅当第25题未选择“没有”时回答）"),
        ("park_quick_scan", "system_integration", "（仅当第41题所选项数不少于2时回答）"),
    ],
)
def test_conditions_are_put_in_words(qid: str, question: str, words: str) -> None:
    q = load_questionnaire(qid)
    text, notes = wjx_text(q)
    line = next(
        x for x in text.splitlines() if x.startswith(f"{numbering(q)['answers.' + question]}. ")
    )
    assert words in line
    assert not [n for n in notes if "cannot be put in words" in n.message]


def test_a_condition_without_words_is_kept_verbatim_with_a_note() -> None:
    q = load_questionnaire("park_quick_scan")
    indicator = next(i for d in q.dimensions for i in d.indicators if i.questions[-1].when)
    target = indicator.questions[-1].model_copy(update={"when": "not (digital_plan == 'none')"})
    indicator.questions[-1] = target
    text, notes = wjx_text(q)
    assert "（仅当满足条件 not (digital_plan == 'none') 时回答）" in text
    assert any(n.code == "WJX001" and target.id in n.message for n in notes)


def test_the_english_text_keeps_the_markers() -> None:
    text, _ = wjx_text(load_questionnaire("park_quick_scan"), lang="en")
    assert "1. Firm name*[填空题]" in text
    assert "(answer only if Q25 is not “None”)" in text


# Downloads read back


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("qid", sorted(PROFILES))
def test_a_download_reads_back_as_the_same_answers_and_scores(
    qid: str, kind: str, tmp_path: Path
) -> None:
    q, sheets = sample_sheets(qid)
    name, write = WRITERS[kind]
    path = write(export_rows(q, sheets), tmp_path / name)
    report = read_back(path, q)
    assert report.problems == []
    assert report.format == "wjx"
    got = {s.firm.credit_code: s for _, s in report.imported.sheets}
    assert len(got) == len(sheets)
    for sheet in sheets:
        back = got[sheet.firm.credit_code]
        assert _answers(back) == _answers(sheet)
        assert back.firm == sheet.firm
        assert (back.period, back.assessor, back.assessed_on) == (
            sheet.period,
            sheet.assessor,
            sheet.assessed_on,
        )
        assert _scores(q, back) == _scores(q, sheet)


@pytest.mark.parametrize(
    ("qid", "options"),
    [
        ("park_quick_scan", {"by_number": True}),
        ("park_quick_scan", {"split": "paper_processes"}),
        ("miit_2024_manufacturing", {"by_number": True}),
        ("miit_2024_manufacturing", {"split": "network_security"}),
    ],
)
def test_option_numbers_and_split_columns_read_back(
    qid: str, options: dict[str, Any], tmp_path: Path
) -> None:
    q, sheets = sample_sheets(qid, 8)
    path = write_xlsx(export_rows(q, sheets, **options), tmp_path / "export.xlsx")
    report = read_back(path, q)
    assert report.problems == []
    got = {s.firm.credit_code: _answers(s) for _, s in report.imported.sheets}
    assert got == {s.firm.credit_code: _answers(s) for s in sheets}
