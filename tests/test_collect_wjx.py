"""问卷星: the text-import template, and answer downloads read back as the same answers."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from assessment import (
    AnswerSheet,
    Questionnaire,
    compile_questionnaire,
    load_answers,
    load_questionnaire,
    score,
)
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
from assessment.models.answers import NOT_APPLICABLE, UNKNOWN
from assessment.models.industries import INDUSTRIES

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
    shown = {v: str(position[v]) if by_number else text[v] for v in position}
    if isinstance(value, list):
        return "┋".join(shown[v] for v in value)
    return shown[value]


def export_rows(
    q: Questionnaire,
    sheets: Sequence[AnswerSheet],
    *,
    by_number: bool = False,
    split: str | None = None,
    sep: str = "、",
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
            header.append(f"{number}{sep}{titles[number]}")
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
                picked = answer.value if answer is not None else None
                chosen = picked if isinstance(picked, list) else []
                row.extend(int(v in chosen) for _, v in options(q, question))
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
    # A variant of the shipped questionnaire, built anew: the loaded one cannot be changed.
    data = load_questionnaire("park_quick_scan").model_dump(mode="json", exclude_unset=True)
    questions = next(
        i["questions"]
        for d in data["dimensions"]
        for i in d["indicators"]
        if i["questions"][-1].get("when")
    )
    questions[-1]["when"] = "not (digital_plan == 'none')"
    q = compile_questionnaire(Questionnaire.model_validate(data))
    text, notes = wjx_text(q)
    assert "（仅当满足条件 not (digital_plan == 'none') 时回答）" in text
    assert any(n.code == "WJX001" and questions[-1]["id"] in n.message for n in notes)


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
        ("park_quick_scan", {"sep": ". "}),
        ("miit_2024_manufacturing", {"sep": "．"}),
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


def _spoil(rows: list[list[Any]], q: Questionnaire, name: str, value: Any) -> str:
    """Put `value` in the second firm's cell of `name`; returns that cell, like `Sheet1!P3`."""
    column = next(
        i for i, header in enumerate(rows[0]) if str(header).startswith(f"{numbering(q)[name]}、")
    )
    rows[2][column] = value
    return f"Sheet1!{get_column_letter(column + 1)}3"


@pytest.mark.parametrize(
    ("name", "value", "code", "words"),
    [
        (
            "answers.leader_attention",
            "定期列入经营会议议题",
            "ANS004",
            "did you mean '定期列入经营会议议题并跟踪进度'",
        ),
        ("answers.digital_staff", "很多", "ANS002", ""),
        ("answers.paper_processes", "采购（请购单、采购单、对账）┋仓库", "ANS004", ""),
        ("firm.employees", "三十八人", "SCHEMA002", ""),
        ("firm.credit_code", "91320594MA1A3K7R2B", "FIRM001", ""),
    ],
)
def test_a_bad_cell_is_named_and_the_other_rows_go_on(
    name: str, value: str, code: str, words: str, tmp_path: Path
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 4)
    rows = export_rows(q, sheets)
    cell = _spoil(rows, q, name, value)
    path = write_xlsx(rows, tmp_path / "export.xlsx")
    report = read_back(path, q)
    assert [(str(p.location), p.code) for p in report.problems] == [(f"{path}:{cell}", code)]
    assert words in str(report.problems[0])
    assert len(report.imported.sheets) == 3
    assert report.exit_code == 1


def test_a_csv_cell_is_named_without_a_sheet(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 2)
    rows = export_rows(q, sheets)
    cell = _spoil(rows, q, "answers.digital_staff", "很多").removeprefix("Sheet1!")
    report = read_back(write_csv(rows, tmp_path / "export.csv", "gbk"), q)
    assert [str(p.location) for p in report.problems] == [f"{tmp_path / 'export.csv'}:{cell}"]


def test_a_column_that_names_no_question_is_left_out_with_a_warning(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 2)
    rows = export_rows(q, sheets)
    for index, row in enumerate(rows):
        row.insert(6, "总分" if index == 0 else 0)
        row.append("您对本次诊断是否满意？" if index == 0 else "满意")
    path = write_xlsx(rows, tmp_path / "export.xlsx")
    report = read_back(path, q)
    assert report.problems == []
    assert [(str(w.location), w.code) for w in report.imported.warnings] == [
        (f"{path}:Sheet1!{get_column_letter(len(rows[0]))}1", "WJX002")
    ]
    assert len(report.imported.sheets) == 2


def test_a_download_without_the_firm_columns_is_refused_at_once(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 2)
    rows = [row[:6] + row[10:] for row in export_rows(q, sheets)]
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    assert [p.code for p in report.problems] == ["IMP001"]
    assert report.exit_code == 2


def test_full_width_figures_units_other_text_and_the_submission_day_are_read(
    tmp_path: Path,
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 2)
    rows = export_rows(q, sheets)
    rows[2] = ["（跳过）" if v == "(跳过)" else v for v in rows[2]]
    rows[2][1] = "2026/8/5 14:02:11"
    _spoil(rows, q, "firm.employees", "２３０")
    _spoil(rows, q, "assessed_on", "(空)")
    _spoil(rows, q, "answers.month_end_days", "２ 天")
    _spoil(rows, q, "answers.training_coverage", "９２%")
    _spoil(rows, q, "answers.digital_plan", "有书面规划或项目清单〖去年十月定稿〗")
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    assert report.problems == []
    sheet = report.imported.sheets[1][1]
    assert sheet.firm.employees == 230
    assert sheet.assessed_on.isoformat() == "2026-08-05"
    assert _answers(sheet) == _answers(sheets[1])
    assert sheet.answers["digital_plan"].note == "去年十月定稿"


# The shipped sample download


@pytest.fixture
def wjx_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Formats tried on import: 问卷星's alone, so these tests need no other route."""
    monkeypatch.setattr(importer, "FORMAT_MODULES", ("wjx",))


@pytest.mark.usefixtures("wjx_only")
def test_the_shipped_sample_imports_twelve_firms_as_their_answer_files() -> None:
    q, sheets = sample_sheets("park_quick_scan", 12)
    report = importer.import_table(SAMPLE, q)
    assert (report.format, report.problems, report.exit_code) == ("wjx", [], 0)
    got = {s.firm.credit_code: s for _, s in report.imported.sheets}
    assert {code: _answers(s) for code, s in got.items()} == {
        s.firm.credit_code: _answers(s) for s in sheets
    }
    assert all(got[s.firm.credit_code].firm == s.firm for s in sheets)


@pytest.mark.usefixtures("wjx_only")
def test_dtm_import_writes_the_answer_files_of_a_download(tmp_path: Path) -> None:
    from assessment.cli import app

    out = tmp_path / "answers"
    result = CliRunner().invoke(app, ["import", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (out / "2026Q3").iterdir())
    assert written == sorted(
        p.name for p in sorted(PROFILES["park_quick_scan"].glob("*.yaml"))[:12]
    )


@pytest.mark.usefixtures("wjx_only")
def test_dtm_import_names_the_bad_cell_and_exits_1(tmp_path: Path) -> None:
    from assessment.cli import app

    q, sheets = sample_sheets("park_quick_scan", 3)
    rows = export_rows(q, sheets)
    cell = _spoil(rows, q, "answers.digital_staff", "很多")
    path = write_xlsx(rows, tmp_path / "export.xlsx")
    args = ["import", str(path), "--questionnaire", "park_quick_scan", "--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert f"{path}:{cell}: ANS002 'digital_staff' needs a number, not '很多'" in result.output
    assert "Traceback" not in result.output
