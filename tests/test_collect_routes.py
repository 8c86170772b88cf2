"""The import routes together: `dtm import` tells every format apart with all of them known."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import assessment
from assessment.cli import app
from assessment.collect.importer import import_table, read_table
from assessment.collect.xlsform import xlsform_bytes
from assessment.collect.xlsx_template import workbook_bytes

ROOT = Path(__file__).parent.parent
runner = CliRunner()


def test_the_shipped_wjx_sample_is_told_apart_from_the_other_formats(tmp_path: Path) -> None:
    sample = ROOT / "examples" / "wjx" / "park_quick_scan_answers.xlsx"
    q = assessment.load_questionnaire("park_quick_scan")
    assert read_table(sample, q).format == "wjx"
    result = runner.invoke(app, ["import", str(sample), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "12 firms read (问卷星 download, park_quick_scan)" in result.output
    assert len(list(tmp_path.rglob("*.yaml"))) == 12


def test_a_filled_template_is_read_as_our_workbook(tmp_path: Path) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    path = tmp_path / "blank.xlsx"
    path.write_bytes(workbook_bytes(q, firms=3))
    assert read_table(path, q).format == "workbook"


def test_an_xlsform_is_not_taken_for_answers(tmp_path: Path) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    path = tmp_path / "form.xlsx"
    path.write_bytes(xlsform_bytes(q)[0])
    report = import_table(path, q)
    assert [p.code for p in report.problems] == ["IMP005"]
    assert report.exit_code == 2


def test_a_table_naming_no_firm_or_question_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "事项"])
    sheet.append(["2026-07-01", "走访"])
    book.save(path)
    args = ["import", str(path), "--questionnaire", "park_quick_scan", "--lang", "en"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}: IMP005 no sheet has a header row")


def test_two_columns_for_one_question_are_named(tmp_path: Path) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    path = tmp_path / "twice.xlsx"
    path.write_bytes(workbook_bytes(q, firms=2))
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[1]
    column = sheet.max_column + 1
    sheet.cell(1, column, q.question_map["leader_attention"].text.zh)
    book.save(path)
    problems = [str(p) for p in import_table(path, q, lang="en").problems]
    letter = openpyxl.utils.get_column_letter(column)
    assert any(
        f"!{letter}1: IMP002" in p and "repeats answers.leader_attention" in p for p in problems
    ), problems


def test_import_guesses_the_questionnaire_of_each_route(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "wjx" / "park_quick_scan_answers.xlsx", tmp_path / "a.xlsx")
    result = runner.invoke(app, ["import", str(tmp_path / "a.xlsx")])
    assert "park_quick_scan" in result.output


@pytest.mark.parametrize("code", ["IMP002", "IMP005"])
def test_these_codes_are_documented_with_an_example(code: str) -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text.split(f"## {code}\n", 1)[1].split("\n## ", 1)[0]
    assert f": {code} " in section


@pytest.mark.parametrize("services", [False, True])
def test_a_csv_cell_over_the_csv_limit_is_one_located_line(tmp_path: Path, services: bool) -> None:
    """A cell longer than the csv module reads (131,072 characters) names its file and row on
    every table route, in either language, instead of a traceback."""
    path = tmp_path / ("svc.csv" if services else "answers.csv")
    long_note = "甲" * 140_000
    path.write_text(
        "credit_code,date,kind,provider,amount,note\n"
        "91320500MA1XXXXX0X,2026-07-01,training,苏州大学,2,\n"
        f'91320500MA1XXXXX0X,2026-07-02,training,苏州大学,2,"{long_note}"\n',
        encoding="utf-8",
    )
    route = ["--services", "--period", "2026Q3"] if services else []
    outputs = {}
    for lang in ("en", "zh"):
        result = runner.invoke(app, ["import", str(path), *route, "--lang", lang])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert len(result.output.strip().splitlines()) == 1, result.output
        outputs[lang] = result.output.strip()
    assert f"{path}: row 3 cannot be read" in outputs["en"], outputs["en"]
    assert "131072" in outputs["en"]
    assert f"{path}：第 3 行无法读取" in outputs["zh"], outputs["zh"]
    assert "131072" in outputs["zh"]
