"""The ODK / KoboToolbox route: the XLSForm made from a questionnaire, and submissions read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

import assessment
from assessment import Answer, AnswerSheet, Questionnaire
from assessment.collect import importer, odk
from assessment.collect.grid import read_grids
from assessment.collect.table import Imported, import_rows
from assessment.collect.xlsform import xlsform_bytes
from assessment.collect.xpath import Translator, Untranslatable

ROOT = Path(__file__).parent.parent
SAMPLES = {
    "park_quick_scan": ROOT / "examples" / "sample_park" / "2026Q3",
    "miit_2024_manufacturing": ROOT / "examples" / "miit_2024" / "2026Q3",
}
QUESTIONNAIRES = sorted(SAMPLES)


def _sheet_rows(data: bytes, name: str) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(data))[name]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [{h: v for h, v in zip(header, row, strict=True) if v is not None} for row in rows[1:]]


@pytest.fixture(scope="module", params=QUESTIONNAIRES)
def form(request: pytest.FixtureRequest) -> tuple[Questionnaire, bytes, str]:
    """A shipped questionnaire, its XLSForm and the XForm pyxform makes of it."""
    q = assessment.load_questionnaire(request.param)
    data, notes = xlsform_bytes(q)
    assert notes == []
    warnings: list[str] = []
    xform = convert(data, warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    return q, data, xform


# -- the form -------------------------------------------------------------------------------------


def test_the_form_has_both_languages_and_its_settings(
    form: tuple[Questionnaire, bytes, str],
) -> None:
    q, data, xform = form
    survey = _sheet_rows(data, "survey")
    questions = {r["name"]: r for r in survey}
    for question in q.questions():
        row = questions[question.id]
        assert row["label::Chinese (zh)"] == question.text.zh
        assert row["label::English (en)"] == question.text.en
    settings = _sheet_rows(data, "settings")[0]
    assert settings["form_id"] == f"dtm_{q.id}"
    assert settings["version"].startswith(q.version + "-")
    assert settings["default_language"] == "Chinese (zh)"
    assert 'lang="Chinese (zh)"' in xform and 'lang="English (en)"' in xform


def test_whole_number_questions_take_integers_and_say_so_in_both_languages(
    form: tuple[Questionnaire, bytes, str],
) -> None:
    q, data, xform = form
    rows = {r["name"]: r for r in _sheet_rows(data, "survey")}
    whole = [x for x in q.questions() if x.integer and not x.compute]
    assert whole, "the questionnaire has counts of whole items"
    for question in whole:
        assert rows[question.id]["type"] == "integer"
        assert 'type="int"' in _binding(xform, question.id)
    for question in q.questions():
        if question.type in ("number", "percent") and not question.integer and not question.compute:
            assert rows[question.id]["type"] == "decimal"
    for row in rows.values():
        if row.get("constraint"):
            assert row.get("constraint_message::Chinese (zh)"), row["name"]
            assert row.get("constraint_message::English (en)"), row["name"]


def _binding(xform: str, name: str) -> str:
    line = next(x for x in xform.splitlines() if "<bind " in x and f'/{name}"' in x)
    return line


def test_conditions_formulas_and_ranges_are_bound(form: tuple[Questionnaire, bytes, str]) -> None:
    q, _, xform = form
    for question in q.questions():
        bind = _binding(xform, question.id)
        if question.when:
            assert "relevant=" in bind, question.id
        if question.compute:
            assert "calculate=" in bind, question.id
        elif question.type == "percent" or question.min is not None:
            assert "constraint=" in bind, question.id
        if any(c.exclusive for c in q.choices_of(question)):
            assert "count-selected(.)" in bind, question.id
        if question.evidence is not None and not question.compute:
            assert 'type="binary"' in _binding(xform, f"{question.id}_evidence")
    for item in q.computed:
        assert "calculate=" in _binding(xform, item.id)
    assert "regex(.," in _binding(xform, "credit_code")


def test_numbers_say_not_applicable_through_a_companion_question(
    form: tuple[Questionnaire, bytes, str],
) -> None:
    q, data, _ = form
    questions = {r["name"]: r for r in _sheet_rows(data, "survey")}
    choices = _sheet_rows(data, "choices")
    for question in q.questions():
        expected = {"na"} if question.allow_na else set()
        expected |= {"unknown"} if question.allow_unknown else set()
        if question.type not in ("number", "percent") or question.compute or not expected:
            continue
        status = questions[f"{question.id}_status"]
        listed = {c["name"] for c in choices if f"select_one {c['list_name']}" == status["type"]}
        assert listed == expected
        assert f"${{{question.id}_status}}" in questions[question.id]["relevant"]


# -- translating conditions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "xpath"),
    [
        ("digital_plan == 'written'", "${digital_plan} = 'written'"),
        (
            "digital_plan in ['written', 'approved']",
            "(${digital_plan} = 'written' or ${digital_plan} = 'approved')",
        ),
        ("'finance' in paper_processes", "selected(${paper_processes}, 'finance')"),
        (
            "count(systems_in_use) >= 2",
            "if(selected(${systems_in_use}, 'unknown'), 0, count-selected(${systems_in_use})) >= 2",
        ),
        (
            "digital_staff > 2 and month_end_days <= 10",
            "(${digital_staff} > 2) and (${month_end_days} <= 10)",
        ),
        (
            "digital_staff > 2 or not (month_end_days < 10)",
            "(${digital_staff} > 2) or (not(${month_end_days} < 10))",
        ),
        (
            "production_devices - networked_devices >= 3 * 2",
            "${production_devices} - ${networked_devices} >= 3 * 2",
        ),
        (
            "networked_devices / production_devices > 0.5",
            "${networked_devices} div ${production_devices} > 0.5",
        ),
        ("-digital_staff < 0", "-${digital_staff} < 0"),
        (
            "industry == 'metal_processing' and employees >= 50",
            "(${industry} = 'metal_processing') and (${employees} >= 50)",
        ),
        ("revenue > 1000", "${revenue} > 1000"),
        ("paper_process_count >= 3", "${paper_process_count} >= 3"),
        ("demo_willing", "${demo_willing} = 'yes'"),
        ("demo_willing == false", "${demo_willing} = 'no'"),
        ("production_control >= 2", "${production_control} >= 2"),
        (
            "max(digital_staff, 1) >= round(month_end_days, 1)",
            "max(${digital_staff}, 1) >= round(${month_end_days}, 1)",
        ),
        (
            "any(demo_willing, abs(digital_staff) > 1)",
            "((${demo_willing} = 'yes') or (abs(${digital_staff}) > 1))",
        ),
        (
            "count(demo_willing, 'hr' in paper_processes) == 2",
            "if(${demo_willing} = 'yes', 1, 0) + if(selected(${paper_processes}, 'hr'), 1, 0) = 2",
        ),
        ("answered(main_pain_point)", "(string-length(${main_pain_point}) > 0)"),
        (
            "training_freq != 'none'",
            "((string-length(${training_freq}) > 0 and ${training_freq} != 'unknown')) "
            "and ${training_freq} != 'none'",
        ),
        (
            "'hr' not in paper_processes",
            "((count-selected(${paper_processes}) > 0"
            " and not(selected(${paper_processes}, 'unknown'))))"
            " and not(selected(${paper_processes}, 'hr'))",
        ),
    ],
)
def test_each_construct_translates(condition: str, xpath: str) -> None:
    translator = Translator(assessment.load_questionnaire("park_quick_scan"))
    assert translator.truth(condition) == xpath


@pytest.mark.parametrize(
    "condition",
    [
        "score(awareness) > 50",
        "level >= 2",
        "[1, 2] == [1, 2]",
        "count(paper_processes) + paper_processes",
    ],
)
def test_what_xpath_cannot_say_is_refused(condition: str) -> None:
    translator = Translator(assessment.load_questionnaire("park_quick_scan"))
    with pytest.raises(Untranslatable):
        translator.truth(condition)


def test_an_untranslatable_condition_is_reported_and_the_question_always_shown(
    tmp_path: Path,
) -> None:
    source = (ROOT / "questionnaires" / "park_quick_scan.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "park_quick_scan.yaml"
    changed.write_text(
        source.replace('when: "count(systems_in_use) >= 2"', "when: \"systems_in_use == ['erp']\""),
        encoding="utf-8",
    )
    data, notes = xlsform_bytes(assessment.load_questionnaire(changed))
    assert [n.code for n in notes] == ["XLSF001"]
    assert "'system_integration'" in notes[0].message
    assert "systems_in_use == ['erp']" in notes[0].message
    row = next(r for r in _sheet_rows(data, "survey") if r["name"] == "system_integration")
    assert "relevant" not in row and "required" not in row
    convert(data, file_type=".xlsx")


# -- round trip through a server export -----------------------------------------------------------


def _survey_fields(data: bytes) -> list[tuple[list[str], dict[str, Any]]]:
    """Each field of the form with the names of the groups around it."""
    groups: list[str] = []
    fields = []
    for row in _sheet_rows(data, "survey"):
        kind = row["type"]
        if kind == "begin_group":
            groups.append(row["name"])
        elif kind == "end_group":
            groups.pop()
        else:
            fields.append(([*groups, row["name"]], row))
    return fields


def _firm_value(sheet: AnswerSheet, name: str) -> Any:
    firm = sheet.firm
    values = {
        "firm_name": firm.name,
        "credit_code": firm.credit_code,
        "industry": firm.industry,
        "employees": firm.employees,
        "revenue": firm.revenue,
        "park": firm.park,
        "period": sheet.period,
        "assessor": sheet.assessor,
        "assessed_on": sheet.assessed_on.isoformat(),
    }
    return values.get(name)


def _submission(q: Questionnaire, sheet: AnswerSheet, name: str, kind: str) -> Any:
    """What ODK Collect would have sent for field `name` of the form."""
    if (value := _firm_value(sheet, name)) is not None or name in ("revenue", "park"):
        return value
    if kind == "calculate":
        return 999  # the engine works computed values out again
    base, _, suffix = name.rpartition("_")
    answer = sheet.answers.get(name) or sheet.answers.get(base)
    if answer is None:
        return None
    if name not in sheet.answers:
        if suffix == "note":
            return answer.note
        if suffix == "evidence":
            return f"media/{base}/{base}-1.jpg" if answer.evidence else None
        if suffix == "status":
            return {"n/a": "na", "unknown": "unknown"}.get(str(answer.value))
        return None
    value = answer.value
    if value in ("n/a", "unknown"):
        numeric = q.question_map[name].type in ("number", "percent")
        return None if numeric else {"n/a": "na", "unknown": "unknown"}[value]
    if isinstance(value, list):
        return " ".join(value)
    return value


Export = Callable[[Questionnaire, list[AnswerSheet], Path], Path]


def central_csv(q: Questionnaire, sheets: list[AnswerSheet], folder: Path) -> Path:
    """An ODK Central export: `group-field` names, every value as text, KEY at the end."""
    fields = _survey_fields(xlsform_bytes(q)[0])
    header = ["SubmissionDate", *("-".join(path) for path, _ in fields), "meta-instanceID", "KEY"]
    path = folder / f"{q.id}_central.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n, sheet in enumerate(sheets):
            values = [_submission(q, sheet, p[-1], row["type"]) for p, row in fields]
            text = ["" if v is None else str(v) for v in values]
            writer.writerow(["2026-09-30T08:00:00Z", *text, f"uuid:{n}", f"uuid:{n}"])
    return path


def kobo_xlsx(q: Questionnaire, sheets: list[AnswerSheet], folder: Path) -> Path:
    """A KoboToolbox export: `group/field` names, typed cells, a 0/1 column per choice."""
    fields = _survey_fields(xlsform_bytes(q)[0])
    columns: list[tuple[str, Callable[[AnswerSheet], Any]]] = []
    for path, row in fields:
        name = path[-1]
        columns.append(("/".join(path), lambda s, n=name, k=row["type"]: _submission(q, s, n, k)))
        if row["type"].startswith("select_multiple"):
            for choice in q.choices_of(q.question_map[name]):
                columns.append(("/".join([*path, choice.id]), _ticked(name, choice.id)))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = q.title.zh[:31]
    sheet.append(["start", "end", *(c for c, _ in columns), "_id", "_uuid", "_submission_time"])
    for n, answers in enumerate(sheets):
        meta = [n + 1, f"uuid-{n}", "2026-09-30T08:00:00"]
        sheet.append(
            ["2026-09-30T07:00:00", "2026-09-30T07:40:00", *(f(answers) for _, f in columns), *meta]
        )
    path = folder / f"{q.id}_kobo.xlsx"
    book.save(path)
    return path


def _ticked(qid: str, choice: str) -> Callable[[AnswerSheet], Any]:
    def value(sheet: AnswerSheet) -> Any:
        answer = sheet.answers.get(qid)
        if answer is None or not isinstance(answer.value, list):
            return None
        return 1 if choice in answer.value else 0

    return value


def _photos_by_file_name(sheet: AnswerSheet) -> dict[str, Answer]:
    """The answers as the form gives them back: each evidence a photo, kept by its file name."""
    return {
        qid: a.model_copy(update={"evidence": [f"{qid}-1.jpg"]}) if a.evidence else a
        for qid, a in sheet.answers.items()
    }


def _samples(qid: str) -> tuple[Questionnaire, list[AnswerSheet]]:
    q = assessment.load_questionnaire(qid)
    return q, [assessment.load_answers(p, q) for p in sorted(SAMPLES[qid].glob("*.yaml"))]


def _imported(path: Path, q: Questionnaire) -> Imported:
    grid = odk.sniff(read_grids(path), q)
    assert grid is not None
    read = odk.read(str(path), grid, q)
    assert read.problems == []
    return import_rows(read.rows, str(path), q)


@pytest.mark.parametrize("export", [central_csv, kobo_xlsx])
@pytest.mark.parametrize("qid", QUESTIONNAIRES)
def test_answers_come_back_the_same(qid: str, export: Export, tmp_path: Path) -> None:
    q, sheets = _samples(qid)
    imported = _imported(export(q, sheets, tmp_path), q)
    assert [str(p) for p in imported.problems] == []
    assert len(imported.sheets) == len(sheets)
    for original, (_, back) in zip(sheets, imported.sheets, strict=True):
        assert back.firm == original.firm
        assert (back.period, back.assessor, back.assessed_on) == (
            original.period,
            original.assessor,
            original.assessed_on,
        )
        photos = _photos_by_file_name(original)
        assert back.answers == photos
        same = original.model_copy(update={"answers": photos})
        assert assessment.score(q, back) == assessment.score(q, same)
        assert assessment.score(q, back).overall == assessment.score(q, original).overall


# -- what a person or a server gets wrong, and other ways of exporting ----------------------------


def _central(tmp_path: Path, qid: str = "park_quick_scan") -> tuple[Questionnaire, Path]:
    q, sheets = _samples(qid)
    return q, central_csv(q, sheets[:3], tmp_path)


def _edit_csv(path: Path, edit: Callable[[list[list[str]]], None]) -> None:
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def _letter(rows: list[list[str]], header: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(rows[0].index(header) + 1)


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("dim_awareness-digital_plan", "someday", "ANS004"),
        ("dim_talent-digital_staff", "a few", "ANS002"),
        ("dim_infrastructure-production_devices", "-3", "ANS003"),
        ("dim_systems-systems_in_use", "erp none", "ANS008"),
        ("firm-credit_code", "91320594MA1A3K7R2B", "FIRM001"),
    ],
)
def test_a_bad_value_is_located_at_its_cell(
    tmp_path: Path, column: str, value: str, code: str
) -> None:
    q, path = _central(tmp_path)
    spot: list[str] = []

    def spoil(rows: list[list[str]]) -> None:
        rows[2][rows[0].index(column)] = value
        spot.append(f"{_letter(rows, column)}3")

    _edit_csv(path, spoil)
    imported = _imported(path, q)
    assert (f"{path}:{spot[0]}", code) in [(str(p.location), p.code) for p in imported.problems]
    assert len(imported.sheets) == 2


def test_a_number_marked_not_applicable_through_its_status(tmp_path: Path) -> None:
    q, path = _central(tmp_path)

    def status(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("dim_paper_ledger-month_end_days")] = ""
        rows[1][rows[0].index("dim_paper_ledger-month_end_days_status")] = "不适用"

    _edit_csv(path, status)
    imported = _imported(path, q)
    assert imported.sheets[0][1].answers["month_end_days"].value == "n/a"


def test_an_export_without_the_firm_columns_is_refused(tmp_path: Path) -> None:
    q, path = _central(tmp_path)
    _edit_csv(path, lambda rows: rows[0].__setitem__(rows[0].index("firm-credit_code"), "code"))
    grid = odk.sniff(read_grids(path), q)
    assert grid is not None
    read = odk.read(str(path), grid, q)
    assert [p.code for p in read.problems] == ["IMP001"]
    assert read.rows == []


def test_a_workbook_without_server_columns_is_not_claimed(tmp_path: Path) -> None:
    q, path = _central(tmp_path)
    _edit_csv(path, lambda rows: [r.__delitem__(slice(-2, None)) or r.pop(0) for r in rows])
    assert odk.sniff(read_grids(path), q) is None


def test_an_export_with_labels_reads_the_same(tmp_path: Path) -> None:
    """KoboToolbox can export labels instead of names, for the headers and for the values."""
    q, sheets = _samples("park_quick_scan")
    path = kobo_xlsx(q, sheets[:4], tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for column, title in enumerate(header, start=1):
        question = q.question_map.get(str(title).split("/")[-1])
        if question is None or question.type not in ("single", "multi"):
            continue
        sheet.cell(1, column).value = question.text.zh
        labels = {c.id: c.label.zh for c in q.choices_of(question)}
        labels |= {"na": "不适用", "unknown": "不知道"}
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row, column)
            if isinstance(cell.value, str):
                cell.value = " ".join(labels[v] for v in cell.value.split())
    book.save(path)
    imported = _imported(path, q)
    assert [str(p) for p in imported.problems] == []
    assert [s.answers for _, s in imported.sheets] == [_photos_by_file_name(s) for s in sheets[:4]]


def kobo_labels_xlsx(q: Questionnaire, sheets: list[AnswerSheet], folder: Path) -> Path:
    """A KoboToolbox export "with labels": every header the labels of its groups and field,
    every choice its label, the 0/1 column of a choice headed by the question and choice labels."""
    data = xlsform_bytes(q)[0]
    rows = _sheet_rows(data, "survey")
    zh = "label::Chinese (zh)"
    by_name = {r["name"]: r for r in rows}
    groups = {r["name"]: r[zh] for r in rows if r["type"] == "begin_group" and zh in r}
    choices: dict[str, dict[str, str]] = {}
    for choice in _sheet_rows(data, "choices"):
        choices.setdefault(choice["list_name"], {})[str(choice["name"])] = choice[zh]
    path = kobo_xlsx(q, sheets, folder)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for column in range(1, sheet.max_column + 1):
        parts = str(sheet.cell(1, column).value).split("/")
        field = by_name.get(parts[-1]) if parts[-1] in by_name else None
        if field is None and len(parts) >= 2 and parts[-2] in by_name:  # a choice's 0/1 column
            question = by_name[parts[-2]]
            options = choices[question["type"].split()[1]]
            labels = [groups[g] for g in parts[:-2]] + [question[zh], options[parts[-1]]]
            sheet.cell(1, column).value = "/".join(labels)
            continue
        if field is None:
            continue
        sheet.cell(1, column).value = "/".join([*(groups[g] for g in parts[:-1]), field[zh]])
        kind, _, list_name = field["type"].partition(" ")
        if kind not in ("select_one", "select_multiple"):
            continue
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row, column)
            if cell.value is not None:
                cell.value = " ".join(choices[list_name][v] for v in str(cell.value).split())
    book.save(path)
    return path


@pytest.mark.parametrize("qid", ["park_quick_scan", "miit_2024_manufacturing"])
def test_a_kobo_labels_export_reads_as_its_names_export(qid: str, tmp_path: Path) -> None:
    q, sheets = _samples(qid)
    (tmp_path / "names").mkdir()
    (tmp_path / "labels").mkdir()
    names = _imported(kobo_xlsx(q, sheets[:6], tmp_path / "names"), q)
    labels = _imported(kobo_labels_xlsx(q, sheets[:6], tmp_path / "labels"), q)
    assert [str(p) for p in labels.problems] == []
    assert [s for _, s in labels.sheets] == [s for _, s in names.sheets]
    assert len(labels.sheets) == 6


def test_per_choice_columns_stand_for_a_missing_choices_column(tmp_path: Path) -> None:
    q, sheets = _samples("park_quick_scan")
    path = kobo_xlsx(q, sheets[:2], tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("dim_paper_ledger/paper_processes") + 1)
    book.save(path)
    imported = _imported(path, q)
    for original, (_, back) in zip(sheets[:2], imported.sheets, strict=True):
        assert back.answers["paper_processes"] == _photos_by_file_name(original)["paper_processes"]


@pytest.mark.parametrize(
    ("exported", "kept"),
    [
        ("1712345678901.jpg", "1712345678901.jpg"),
        ("media/uuid-1/photo.jpg", "photo.jpg"),
        ("..\\..\\etc\\photo.jpg", "photo.jpg"),
    ],
)
def test_only_the_file_name_of_a_photo_is_kept(exported: str, kept: str) -> None:
    assert odk.file_name(exported) == kept


def test_dtm_import_reads_an_odk_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assessment.cli import app

    monkeypatch.setattr(importer, "FORMAT_MODULES", ("odk",))
    q, sheets = _samples("miit_2024_manufacturing")
    path = central_csv(q, sheets[:5], tmp_path)
    out = tmp_path / "answers"
    result = CliRunner().invoke(app, ["import", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 firms read (ODK/Kobo download, miit_2024_manufacturing)" in result.output
    written = sorted(out.glob("2026Q3/*.yaml"))
    assert [p.stem for p in written] == sorted(s.firm.credit_code for s in sheets[:5])
    back = assessment.load_answers(written[0], q)
    assert back.answers == _photos_by_file_name(
        next(s for s in sheets if s.firm.credit_code == written[0].stem)
    )


def test_a_lower_case_credit_code_is_read_in_capitals_with_a_notice(tmp_path: Path) -> None:
    q, sheets = _samples("park_quick_scan")
    path = kobo_xlsx(q, sheets[:2], tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    column = next(c.column for c in sheet[1] if str(c.value).endswith("credit_code"))
    sheet.cell(2, column).value = str(sheet.cell(2, column).value).lower()
    book.save(path)
    imported = _imported(path, q)
    assert imported.problems == []
    assert imported.sheets[0][1].firm.credit_code == sheets[0].firm.credit_code
    assert [w.code for w in imported.warnings] == ["IMP007"]
