"""问卷星 downloads as they come back from a real survey: 序号 with typed words, edited titles,
a deleted column, lower-case credit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils import get_column_letter

from assessment.collect.wjx_text import industry_options, numbering
from tests.test_collect_wjx import (
    WRITERS,
    export_rows,
    read_back,
    sample_sheets,
    write_xlsx,
)

LEADER = "answers.leader_attention"


def _column(rows: list[list[Any]], number: int) -> int:
    return next(i for i, h in enumerate(rows[0]) if str(h).startswith(f"{number}、"))


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_number_download_with_words_after_an_option_is_read_whole(
    writer: str, tmp_path: Path
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 8)
    rows = export_rows(q, sheets, by_number=True)
    industry = _column(rows, numbering(q)["firm.industry"])
    other = [v for _, v in industry_options()].index("other") + 1
    rows[2][industry] = f"{other}〖纺织机械配件〗"
    name, write = WRITERS[writer]
    report = read_back(write(rows, tmp_path / name), q)
    assert report.problems == []
    assert len(report.imported.sheets) == 8
    assert report.imported.sheets[1][1].firm.industry == "other"
    notices = [str(w) for w in report.imported.warnings if w.code == "IMP007"]
    assert any("纺织机械配件" in n for n in notices), notices


@pytest.mark.parametrize("by_number", [False, True])
def test_an_edited_title_is_matched_with_a_warning_naming_both(
    by_number: bool, tmp_path: Path
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 8)
    rows = export_rows(q, sheets, by_number=by_number)
    column = _column(rows, numbering(q)[LEADER])
    original = str(rows[0][column])
    rows[0][column] = original.replace("如何", "怎样")
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    assert report.problems == []
    assert len(report.imported.sheets) == 8
    warnings = [str(w) for w in report.imported.warnings if w.code == "WJX003"]
    assert len(warnings) == 1
    assert "怎样" in warnings[0] and "重视程度如何" in warnings[0]


def test_a_title_rewritten_beyond_recognition_is_one_header_line_with_a_suggestion(
    tmp_path: Path,
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 8)
    rows = export_rows(q, sheets)
    column = _column(rows, numbering(q)[LEADER])
    rows[0][column] = "10、企业老板对数字化转型怎么看？"
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    lines = [str(p) for p in report.problems]
    assert len(lines) == 1, lines
    assert ":Sheet1!" in lines[0] and lines[0].split("!")[1].split(":")[0].endswith("1")
    assert "企业主要负责人对数字化转型的重视程度如何" in lines[0]
    assert report.exit_code == 2


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_deleted_column_is_one_file_level_error_naming_the_question(
    writer: str, tmp_path: Path
) -> None:
    q, sheets = sample_sheets("park_quick_scan", 8)
    rows = export_rows(q, sheets)
    column = _column(rows, numbering(q)[LEADER])
    for row in rows:
        del row[column]
    name, write = WRITERS[writer]
    path = write(rows, tmp_path / name)
    report = read_back(path, q)
    lines = [str(p) for p in report.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: IMP001 ")
    assert "leader_attention" in lines[0] and "重视程度" in lines[0]


def test_other_with_words_for_the_industry_in_the_text_download(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 3)
    rows = export_rows(q, sheets)
    rows[1][_column(rows, numbering(q)["firm.industry"])] = "其他〖纺织机械配件〗"
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    assert report.problems == []
    assert report.imported.sheets[0][1].firm.industry == "other"
    assert any("纺织机械配件" in str(w) for w in report.imported.warnings)


def test_a_lower_case_credit_code_is_read_in_capitals_with_a_notice(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 2)
    rows = export_rows(q, sheets)
    column = _column(rows, numbering(q)["firm.credit_code"])
    rows[1][column] = str(rows[1][column]).lower()
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    assert report.problems == []
    assert report.imported.sheets[0][1].firm.credit_code == sheets[0].firm.credit_code
    assert [w.code for w in report.imported.warnings] == ["IMP007"]


def test_a_blank_required_answer_is_located_at_its_own_cell(tmp_path: Path) -> None:
    q, sheets = sample_sheets("park_quick_scan", 3)
    rows = export_rows(q, sheets)
    column = _column(rows, numbering(q)[LEADER])
    rows[2][column] = "(空)"
    report = read_back(write_xlsx(rows, tmp_path / "export.xlsx"), q)
    letter = get_column_letter(column + 1)
    assert [(str(p.location).split(":")[-1], p.code) for p in report.problems] == [
        (f"Sheet1!{letter}3", "ANS006")
    ]
