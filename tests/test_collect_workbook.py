"""The Excel/WPS workbook route: the template, filled by openpyxl, read back to the same answers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

import assessment
from assessment import Questionnaire
from assessment.cli import app
from assessment.collect import importer
from assessment.collect.importer import import_table
from assessment.collect.when_excel import YES_NO_LABELS
from assessment.collect.xlsx_template import STATUS_LABELS, workbook_bytes
from assessment.engine.loader import load_answers
from assessment.models.answers import AnswerSheet

ROOT = Path(__file__).parent.parent
SAMPLES = {
    "park_quick_scan": ROOT / "examples/sample_park/2026Q3",
    "miit_2024_manufacturing": ROOT / "examples/miit_2024/2026Q3",
}
ANSWERS_SHEET = {"zh": "答卷", "en": "Answers"}


@pytest.fixture(autouse=True)
def workbook_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read with this route's reader alone, whatever other routes are installed."""
    monkeypatch.setattr(importer, "FORMAT_MODULES", ("workbook",))


def samples(qid: str) -> tuple[Questionnaire, list[AnswerSheet]]:
    q = assessment.load_questionnaire(qid)
    return q, [load_answers(f, q) for f in sorted(SAMPLES[qid].glob("*.yaml"))]


def cell_value(q: Questionnaire, sheet: AnswerSheet, field: str, lang: str = "zh") -> Any:
    """What a person types in the column whose hidden id is `field`, for this firm."""
    data = sheet.model_dump(mode="json")
    if field.startswith("firm."):
        return data["firm"].get(field[5:])
    if field in ("period", "assessor", "assessed_on"):
        return data.get(field)
    qid, _, choice = field.partition(".")
    answer = sheet.answers.get(qid)
    if answer is None:
        return None
    value, question = answer.value, q.question_map[qid]
    if choice:
        return "Y" if value == choice or (isinstance(value, list) and choice in value) else None
    if isinstance(value, str) and value in STATUS_LABELS:
        return STATUS_LABELS[value].get(lang)  # type: ignore[arg-type]
    if question.type == "single":
        return next(c.label.get(lang) for c in q.choices_of(question) if c.id == value)  # type: ignore[arg-type]
    if question.type == "yesno":
        return YES_NO_LABELS[value].get(lang)  # type: ignore[arg-type]
    return value


def fill(path: Path, q: Questionnaire, sheets: list[AnswerSheet], lang: str = "zh") -> Path:
    path.write_bytes(workbook_bytes(q, lang=lang, firms=len(sheets)))  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    ws = book[ANSWERS_SHEET[lang]]
    ids = [c.value for c in ws[2]]
    for row, sheet in enumerate(sheets, start=3):
        for column, field in enumerate(ids, start=1):
            value = cell_value(q, sheet, str(field), lang)
            if value is not None:
                ws.cell(row, column, value)
    # The template has no note columns; a `<question>备注` column added by hand is read too.
    noted = sorted({k for s in sheets for k, a in s.answers.items() if a.note})
    for column, qid in enumerate(noted, start=len(ids) + 1):
        ws.cell(1, column, f"{q.question_map[qid].text.zh}备注")
        ws.cell(2, column, f"notes.{qid}")
        for row, sheet in enumerate(sheets, start=3):
            answer = sheet.answers.get(qid)
            ws.cell(row, column, answer.note if answer else None)
    book.save(path)
    return path


def same(q: Questionnaire, got: list[AnswerSheet], want: list[AnswerSheet]) -> None:
    assert [s.firm for s in got] == [s.firm for s in want]
    for g, w in zip(got, want, strict=True):
        assert {k: (a.value, a.note) for k, a in g.answers.items()} == {
            k: (a.value, a.note) for k, a in w.answers.items()
        }
        # Evidence lists are not a workbook column; everything else scores the same.
        bare = {k: a.model_copy(update={"evidence": []}) for k, a in w.answers.items()}
        want_card = assessment.score(q, w.model_copy(update={"answers": bare}))
        assert assessment.score(q, g).model_dump() == want_card.model_dump()


# --- the template -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("qid", list(SAMPLES))
def test_template_has_lists_ranges_ids_and_frozen_header(
    qid: str, lang: str, tmp_path: Path
) -> None:
    q = assessment.load_questionnaire(qid)
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes(q, lang=lang, firms=10))  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    help_name = "填写说明" if lang == "zh" else "How to fill"
    assert book.sheetnames == [help_name, ANSWERS_SHEET[lang], "lists"]
    assert book["lists"].sheet_state == "hidden"
    assert (book[help_name]["B2"].value, book[help_name]["B3"].value) == (q.id, q.version)
    ws = book[ANSWERS_SHEET[lang]]
    assert ws.freeze_panes == "B3"
    assert ws.row_dimensions[2].hidden
    ids = [c.value for c in ws[2]]
    assert ids[:2] == ["firm.name", "firm.credit_code"]
    assert ws["B3"].number_format == "@"
    rules = {str(r): v for v in ws.data_validations.dataValidation for r in v.sqref.ranges}
    for index, field in enumerate(ids, start=1):
        question = q.question_map.get(str(field))
        letter = openpyxl.utils.get_column_letter(index)
        rule = rules.get(f"{letter}3:{letter}12")
        if question is None or question.compute:
            continue
        if question.type == "single":
            assert rule is not None and rule.type == "list"
            labels = _list_labels(book["lists"], rule.formula1)
            assert labels[: len(q.choices_of(question))] == [
                c.label.get(lang)  # type: ignore[arg-type]
                for c in q.choices_of(question)
            ]
            assert (STATUS_LABELS["unknown"].get(lang) in labels) == question.allow_unknown  # type: ignore[arg-type]
        elif question.type in ("number", "percent"):
            assert rule is not None and rule.type in ("decimal", "custom")
            if question.type == "percent":
                assert "<=100" in rule.formula1 or rule.formula2 == "100"
        elif question.type == "ordinal":
            labels = _list_labels(book["lists"], rule.formula1)  # type: ignore[union-attr]
            assert labels[: question.max_level + 1] == [
                str(n) for n in range(question.max_level + 1)
            ]
    greyed = [c.sqref for c in ws.conditional_formatting]
    assert len(greyed) == sum(1 for x in q.questions() if x.when)


def _list_labels(lists: Worksheet, formula: str) -> list[str]:
    column = formula.split("!$")[1].split("$")[0]
    return [str(c.value) for c in lists[column] if c.value is not None]


def test_greying_formula_reads_the_row_cells() -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    from assessment.collect.when_excel import grey_formula
    from assessment.collect.xlsx_template import FIRST_ROW, columns, row_cells

    cells = row_cells(columns(q, "zh"), FIRST_ROW)
    formula = grey_formula(q, q.question_map["training_coverage"], cells, "zh")
    letter = cells.single["training_freq"]
    assert formula == f'AND(${letter}3<>"", NOT(${letter}3<>"没有"))'
    count = grey_formula(q, q.question_map["system_integration"], cells, "zh")
    assert count is not None and "COUNTIF(" in count and ">=2" in count


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("qid", list(SAMPLES))
def test_round_trip_gives_the_same_answers_and_scores(qid: str, lang: str, tmp_path: Path) -> None:
    q, sheets = samples(qid)
    report = import_table(fill(tmp_path / "park.xlsx", q, sheets, lang), q)
    assert report.problems == [] and report.imported.warnings == []
    same(q, [s for _, s in report.imported.sheets], sheets)


@pytest.mark.parametrize("qid", list(SAMPLES))
def test_csv_and_retyped_reordered_headers_read_the_same(qid: str, tmp_path: Path) -> None:
    q, sheets = samples(qid)
    rows = list(openpyxl.load_workbook(fill(tmp_path / "p.xlsx", q, sheets))["答卷"].values)
    # No id row; the headers re-typed with a number prefix and spaces; columns reversed.
    headers = [f"{i + 1}、 {h} " for i, h in enumerate(rows[0])]
    table = [list(reversed(r)) for r in [headers, *rows[2:]]]
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(["" if v is None else v for v in r] for r in table)
    report = import_table(path, q)
    assert report.problems == []
    same(q, [s for _, s in report.imported.sheets], sheets)


def test_version_mismatch_is_a_warning(tmp_path: Path) -> None:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "p.xlsx", q, sheets[:2])
    newer = q.model_copy(update={"version": "9.0.0"})
    report = import_table(path, newer)
    assert [w.code for w in report.imported.warnings] == ["ANS009"]
    assert "1.0.0" in report.imported.warnings[0].message


# --- mistakes -------------------------------------------------------------------------------


def _mistakes(tmp_path: Path) -> tuple[Path, list[str]]:
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "bad.xlsx", q, sheets[:24])
    book = openpyxl.load_workbook(path)
    ws = book["答卷"]
    col = {c.value: c.column_letter for c in ws[2]}
    ws[f"{col['leader_attention']}3"] = "天天开会"  # not a choice
    ws[f"{col['digital_staff']}4"] = "三个人"  # text in a number cell
    ws[f"{col['firm.credit_code']}5"] = None  # missing credit code
    ws[f"{col['firm.credit_code']}6"] = "91320594MA1A3K7R2B"  # bad checksum
    ws[f"{col['training_freq']}8"] = "没有"
    ws[f"{col['training_coverage']}8"] = 50  # answered though skipped
    ws.merge_cells(f"{col['month_end_days']}9:{col['month_end_days']}10")  # merged
    ws[f"{col['invest_share']}11"] = 250  # out of range
    ws[f"{col['digital_staff']}12"] = "１２"  # full-width digits: fine
    ws[f"{col['demo_willing']}13"] = "#N/A"  # Excel error
    ws[f"{col['firm.employees']}14"] = "很多"  # text for a whole number
    ws.insert_rows(15)  # an empty row: skipped without a word
    code = col["firm.credit_code"]
    ws[f"{code}17"] = ws[f"{code}12"].value  # the same firm twice
    ws[f"{col['period']}18"] = "2026-09"  # not a quarter
    ws[f"{col['assessed_on']}19"] = "2099-01-01"  # a date that does not fit the period
    ws[f"{col['demo_willing']}20"] = "也许"  # neither yes nor no
    ws[f"{col['firm.industry']}21"] = "造船"  # no such industry
    ws[f"{col['digital_staff']}22"] = 2.5  # a head-count in fractions
    ws[f"{col['production_devices']}23"] = -3  # a negative count
    ws[f"{col['paper_processes.procurement']}24"] = "也许"  # not a mark
    for field, letter in col.items():  # "none of these" ticked beside another choice
        if str(field).startswith("paper_processes."):
            ws[f"{letter}25"] = None
    ws[f"{col['paper_processes.none']}25"] = "Y"
    ws[f"{col['paper_processes.inventory']}25"] = "Y"
    ws[f"{col['leader_attention']}26"] = "不适用"  # n/a where the question has none
    book.save(path)
    return path, [
        f"{path}:答卷!{col['period']}18: FIRM002",
        f"{path}:答卷!{col['assessed_on']}19: FIRM003",
        f"{path}:答卷!{col['demo_willing']}20: ANS002",
        f"{path}:答卷!{col['firm.industry']}21: SCHEMA002",
        f"{path}:答卷!{col['digital_staff']}22: ANS002",
        f"{path}:答卷!{col['production_devices']}23: ANS003",
        f"{path}:答卷!{col['paper_processes.procurement']}24: IMP004",
        f"{path}:答卷!{col['paper_processes.inventory']}25: ANS008",
        f"{path}:答卷!{col['leader_attention']}26: ANS007",
        f"{path}:答卷!{col['leader_attention']}3: ANS",
        f"{path}:答卷!{col['digital_staff']}4: ANS",
        f"{path}:答卷!{col['firm.credit_code']}5: SCHEMA003",
        f"{path}:答卷!{col['firm.credit_code']}6: FIRM001",
        f"{path}:答卷!{col['firm.credit_code']}17: IMP003",
        f"{path}:答卷!{col['firm.credit_code']}12: IMP003",
        f"{path}:答卷!{col['training_coverage']}8: ANS005",
        f"{path}:答卷!{col['month_end_days']}9: IMP004",
        f"{path}:答卷!{col['month_end_days']}10: IMP004",
        f"{path}:答卷!{col['invest_share']}11: ANS",
        f"{path}:答卷!{col['demo_willing']}13: IMP004",
        f"{path}:答卷!{col['firm.employees']}14: SCHEMA002",
    ]


def test_every_mistake_is_located_at_its_cell_and_good_rows_go_on(tmp_path: Path) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    path, expected = _mistakes(tmp_path)
    report = import_table(path, q)
    found = [str(p) for p in report.problems]
    for prefix in expected:
        assert any(line.startswith(prefix) for line in found), (prefix, found)
    assert len(expected) == 21
    # Row 12 and row 17 are one firm: neither is imported in place of the other.
    assert [row.ref for row, _ in report.imported.sheets] == [
        "答卷!7",
        "答卷!16",
        "答卷!27",
    ]
    assert report.exit_code == 1


def test_dtm_import_exits_1_and_writes_only_good_rows(tmp_path: Path) -> None:
    path, _ = _mistakes(tmp_path)
    out = tmp_path / "answers"
    result = CliRunner().invoke(
        app, ["import", str(path), "--questionnaire", "park_quick_scan", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert len(list(out.rglob("*.yaml"))) == 3
    assert "Traceback" not in result.output


def test_dtm_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("keep me")
    result = CliRunner().invoke(app, ["template", "park_quick_scan", "--xlsx", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert path.read_text() == "keep me"


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.txt", "hello"), ("missing.xlsx", None), ("fake.xlsx", "just text, not a workbook")],
)
def test_dtm_import_of_a_non_workbook_is_one_line(
    name: str, content: str | None, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(app, ["import", str(path), "--questionnaire", "park_quick_scan"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output


def test_dtm_batch_takes_a_workbook_and_lists_bad_rows(tmp_path: Path) -> None:
    """Renders PDFs, so three firms only: two good, one with a wrong label."""
    q, sheets = samples("park_quick_scan")
    path = fill(tmp_path / "park.xlsx", q, sheets[:3])
    book = openpyxl.load_workbook(path)
    ws = book["答卷"]
    col = {c.value: c.column_letter for c in ws[2]}
    ws[f"{col['leader_attention']}5"] = "天天开会"
    book.save(path)
    out, db = tmp_path / "reports", f"sqlite:///{tmp_path / 'dtm.db'}"
    args = ["batch", str(path), "--period", "2026Q3", "--out", str(out), "--db", db]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert f"{path}:答卷!{col['leader_attention']}5: ANS004" in " ".join(result.output.split())
    assert len(list((out / "firms").glob("*.pdf"))) >= 2
    again = CliRunner().invoke(app, args)
    assert "2 unchanged" in again.output
