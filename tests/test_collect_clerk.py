"""A workbook filled the way a park clerk fills it reads the same as xlsx, CSV GBK and CSV UTF-8."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

import assessment
from assessment.cli import app
from assessment.collect.importer import import_table
from tests.test_collect_workbook import fill, samples

ANSWERS = "答卷"


def _columns(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[2] if c.value is not None}


def clerk_workbook(tmp_path: Path) -> Path:
    """Eight sample firms, then typed as people type: percent cells, units, dashes, 其他〖〗,
    lower-case codes, trailing spaces, and one firm twice with the first copy invalid."""
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "clerk.xlsx", q, sheets[:8])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    col = _columns(ws)

    def put(row: int, field: str, value: Any, number_format: str | None = None) -> None:
        cell = ws.cell(row, col[field], value)
        if number_format is not None:
            cell.number_format = number_format

    answered = [r for r in range(3, 8) if ws.cell(r, col["training_coverage"]).value is not None]
    put(answered[0], "training_coverage", 0.6, "0%")  # typed 60% in a percent-formatted cell
    put(4, "invest_share", 0.012, "0.0%")  # typed 1.2%
    put(3, "firm.employees", "１４０人")
    put(4, "firm.employees", "35.0")
    put(5, "firm.revenue", "1,200万")
    put(6, "firm.revenue", "1200万元")
    put(7, "firm.revenue", "0.98亿")
    put(5, "production_devices", "46台")
    put(6, "production_devices", "１２０台")
    put(7, "production_devices", "46台（套）")
    put(3, "operator_skills", "10%-30%")  # ASCII hyphen for the label's en dash
    put(4, "operator_skills", "30%~60%  ")  # a tilde, and trailing spaces
    put(5, "firm.industry", "其他〖纺织机械配件〗")
    put(6, "firm.credit_code", str(ws.cell(6, col["firm.credit_code"]).value).lower())
    # The same firm twice: the first copy has a wrong answer, the second is good.
    for column in range(1, ws.max_column + 1):
        ws.cell(11, column, ws.cell(8, column).value)
        ws.cell(12, column, ws.cell(8, column).value)
    put(11, "leader_attention", "天天开会")
    for row in (8, 9, 10):
        for column in range(1, ws.max_column + 1):
            ws.cell(row, column).value = None
    book.save(path)
    return path


def as_csv(xlsx: Path, out: Path, encoding: str) -> Path:
    """The answers sheet as Excel saves it as CSV: every cell as it is shown."""
    book = openpyxl.load_workbook(xlsx)
    lines = []
    for row in book[ANSWERS].iter_rows():
        line = []
        for cell in row:
            value = cell.value
            if value is None:
                line.append("")
            elif isinstance(value, float | int) and "%" in str(cell.number_format):
                line.append(f"{value * 100:g}%")
            elif isinstance(value, datetime | date):
                line.append(f"{value:%Y/%m/%d}")
            else:
                line.append(str(value))
        lines.append(line)
    with out.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(lines)
    return out


def _files(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text("utf-8") for p in sorted(out.rglob("*.yaml"))}


def test_a_clerks_workbook_reads_the_same_as_xlsx_csv_gbk_and_csv_utf8(tmp_path: Path) -> None:
    xlsx = clerk_workbook(tmp_path)
    files = [
        xlsx,
        as_csv(xlsx, tmp_path / "clerk-gbk.csv", "gbk"),
        as_csv(xlsx, tmp_path / "clerk-utf8.csv", "utf-8-sig"),
    ]
    written = []
    for index, path in enumerate(files):
        out = tmp_path / f"out{index}"
        result = CliRunner().invoke(
            app, ["import", str(path), "--questionnaire", "park_quick_scan", "--out", str(out)]
        )
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        written.append(_files(out))
    assert written[0] == written[1] == written[2]
    assert len(written[0]) == 5


def test_a_clerks_typing_is_read_as_meant(tmp_path: Path) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    report = import_table(clerk_workbook(tmp_path), q)
    got = {row.ref: sheet for row, sheet in report.imported.sheets}
    coverage = [
        s.answers[k].value for s in got.values() for k in s.answers if k == "training_coverage"
    ]
    assert 60 in coverage and 0.6 not in coverage
    assert got["答卷!4"].answers["invest_share"].value == 1.2
    assert (got["答卷!3"].firm.employees, got["答卷!4"].firm.employees) == (140, 35)
    revenues = [got[f"答卷!{r}"].firm.revenue for r in (5, 6, 7)]
    assert revenues == [1200, 1200, 9800]
    assert [got[f"答卷!{r}"].answers["production_devices"].value for r in (5, 6, 7)] == [
        46,
        120,
        46,
    ]
    assert got["答卷!3"].answers["operator_skills"].value == "p10_30"
    assert got["答卷!4"].answers["operator_skills"].value == "p30_60"
    assert got["答卷!5"].firm.industry == "other"
    assert got["答卷!6"].firm.credit_code.isupper()
    notices = [str(w) for w in report.imported.warnings]
    assert any("答卷!B6: IMP007" in n for n in notices), notices
    assert any("纺织机械配件" in n for n in notices), notices
    assert any("0.98亿" in n and "9800" in n for n in notices), notices
    twins = [str(p) for p in report.problems if p.code == "IMP003"]
    assert len(twins) == 2, twins
    assert "答卷!12" in twins[0] and "答卷!11" in twins[1]
    assert "答卷!11" not in got and "答卷!12" not in got


@pytest.mark.parametrize(
    ("field", "typed", "units"),
    [
        pytest.param("firm.employees", "35台", ("台", "人")),
        pytest.param("production_devices", "12人", ("人", "台（套）")),
        pytest.param("invest_share", "30天", ("天", "%")),
    ],
)
def test_a_unit_of_another_kind_is_an_error_naming_both(
    tmp_path: Path, field: str, typed: str, units: tuple[str, str]
) -> None:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "units.xlsx", q, sheets[:1])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    ws.cell(3, _columns(ws)[field], typed)
    book.save(path)
    report = import_table(path, q)
    lines = [str(p) for p in report.problems]
    assert len(lines) == 1 and ": IMP006 " in lines[0], lines
    assert all(f"'{unit}'" in lines[0] for unit in units), lines
    assert report.exit_code == 2


def _mistaken(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "mistakes.xlsx", q, sheets[:4])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    col = _columns(ws)
    ws.cell(3, col["leader_attention"], "定期列入经营会议")
    ws.cell(4, col["digital_staff"], "很多")
    ws.cell(5, col["period"]).value = None
    ws.cell(6, col["demo_willing"], "也许")
    book.save(path)
    return path, col


def test_with_lang_zh_every_problem_is_chinese_with_the_question_and_what_to_type(
    tmp_path: Path,
) -> None:
    path, _ = _mistaken(tmp_path)
    args = ["import", str(path), "--questionnaire", "park_quick_scan", "--lang", "zh"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if ": ANS" in line or ": SCHEMA" in line]
    assert len(lines) == 4, result.output
    for line in lines:
        words = line.split(": ", 1)[1].split(" ", 1)[1]
        english = re.findall(r"[A-Za-z]{4,}", re.sub(r"（[a-z_]+）|`[^`]*`|--\w+", "", words))
        assert english == [], line
    text = "\n".join(lines)
    assert "「企业主要负责人对数字化转型的重视程度如何？」" in text
    assert "是不是“定期列入经营会议议题并跟踪进度”？" in text
    assert "要填数字，不是 '很多'" in text and "例如 " in text
    assert "缺少「评估期」" in text and "--period 2026Q3" in text


def test_the_default_language_is_the_questionnaires_and_en_keeps_english(tmp_path: Path) -> None:
    path, _ = _mistaken(tmp_path)
    q = assessment.load_questionnaire("park_quick_scan")
    chinese = [str(p) for p in import_table(path, q).problems]
    english = [str(p) for p in import_table(path, q, lang="en").problems]
    assert len(chinese) == len(english) == 4
    assert any("没有答案" in p or "缺少" in p for p in chinese)
    assert any("is empty" in p for p in english)
    assert [p.split(" ", 2)[:2] for p in chinese] == [p.split(" ", 2)[:2] for p in english]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "its check character is 'B' but should be 'A'"), ("zh", "校验位是 'B'，应为 'A'")],
)
def test_a_lower_case_code_with_a_wrong_check_character_keeps_its_precise_reason(
    tmp_path: Path, lang: str, words: str
) -> None:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "code.xlsx", q, sheets[:1])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    cell = ws.cell(3, _columns(ws)["firm.credit_code"])
    assert cell.value == "91320594MA1A3K7R2A"
    cell.value = "91320594ma1a3k7r2b"
    book.save(path)
    report = import_table(path, q, lang=lang)  # type: ignore[arg-type]
    lines = [str(p) for p in report.problems]
    assert len(lines) == 1 and ": FIRM001 " in lines[0] and words in lines[0], lines
    assert [w.code for w in report.imported.warnings] == ["IMP007"]


def test_a_deleted_question_column_is_one_line_for_the_file(tmp_path: Path) -> None:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "deleted.xlsx", q, sheets[:6])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    ws.delete_cols(_columns(ws)["leader_attention"])
    book.save(path)
    report = import_table(path, q, lang="en")
    lines = [str(p) for p in report.problems]
    assert lines == [
        f"{path}: IMP001 no column for question '{q.question_map['leader_attention'].text.zh}' "
        "(leader_attention) (add the column back (copy it from a new `dtm template --xlsx`))"
    ]
    assert report.exit_code == 2


def test_a_date_kept_as_an_excel_serial_and_figures_typed_as_text_are_read(
    tmp_path: Path,
) -> None:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "serial.xlsx", q, sheets[:1])
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS]
    col = _columns(ws)
    when = ws.cell(3, col["assessed_on"])
    when.value, when.number_format = 46280, "General"  # a date cell reformatted as a number
    ws.cell(3, col["production_devices"]).value = " ４６ "
    book.save(path)
    report = import_table(path, q)
    assert report.problems == []
    sheet = report.imported.sheets[0][1]
    assert sheet.assessed_on == date(2026, 9, 15)
    assert sheet.answers["production_devices"].value == 46


def test_in_english_a_missing_period_is_said_in_a_tables_terms(tmp_path: Path) -> None:
    path, col = _mistaken(tmp_path)
    q = assessment.load_questionnaire("park_quick_scan")
    lines = [str(p) for p in import_table(path, q, lang="en").problems if p.code == "SCHEMA003"]
    letter = openpyxl.utils.get_column_letter(col["period"])
    assert lines == [
        f"{path}:答卷!{letter}5: SCHEMA003 the column 'Period' is empty "
        "(fill it in like 2026Q3, or give --period 2026Q3 on import)"
    ]
