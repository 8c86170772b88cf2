"""Results exports: the table, CSV with a BOM, the Excel workbook and the DataFrame."""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.engine.pipeline import Assessment, sample_park
from assessment.models.common import Lang
from assessment.park import export, sheets
from assessment.park.export import Row

BOM = b"\xef\xbb\xbf"


@functools.cache
def sample(period: str) -> list[Assessment]:
    return sample_park(period)


@pytest.fixture
def park_q3() -> list[Assessment]:
    """The shipped sample park's 2026Q3 assessments."""
    return sample("2026Q3")


@pytest.fixture
def rows(park_q3: list[Assessment]) -> list[Row]:
    """The 2026Q3 results table, with changes since 2026Q2, in Chinese."""
    previous = {a.card.firm.credit_code: a.card for a in sample("2026Q2")}
    recommendations = {a.card.firm.credit_code: a.recommendations for a in park_q3}
    return export.results_table([a.card for a in park_q3], previous, recommendations)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


# The table


@pytest.mark.parametrize(
    ("employees", "band"),
    [(0, "micro"), (19, "micro"), (20, "small"), (99, "small"), (100, "medium"),
     (299, "medium"), (300, "large"), (5000, "large")],
)  # fmt: skip
def test_size_bands(employees: int, band: str) -> None:
    assert export.size_band(employees) == band


def test_one_row_per_firm_with_every_column(rows: list[Row], park_q3: list[Assessment]) -> None:
    assert [r["credit_code"] for r in rows] == [a.card.firm.credit_code for a in park_q3]
    dimensions = [d.id for d in park_q3[0].card.dimensions]
    fixed = list(export.COLUMNS)
    at = fixed.index("coverage")
    assert export.columns(rows) == [*fixed[:at], *dimensions, *fixed[at:]]
    first, card = rows[0], park_q3[0].card
    assert first["name"] == card.firm.name
    assert first["industry_name"] == "金属加工"
    assert first["size"] == export.size_band(card.firm.employees)
    assert first["level_name"] == card.level_name.zh
    assert [first[d] for d in dimensions] == [d.score for d in card.dimensions]


def test_change_is_against_the_previous_period(rows: list[Row], park_q3: list[Assessment]) -> None:
    previous = {a.card.firm.credit_code: a.card for a in sample("2026Q2")}
    for row, a in zip(rows, park_q3, strict=True):
        before = previous.get(a.card.firm.credit_code)
        if before is None or before.overall is None or a.card.overall is None:
            assert row["change"] is None
        else:
            assert row["change"] == pytest.approx(a.card.overall - before.overall, abs=1e-4)
            assert row["previous_level"] == (before.level.id if before.level else None)


def test_no_previous_period_means_no_change(park_q3: list[Assessment]) -> None:
    table = export.results_table([a.card for a in park_q3], {}, {})
    assert {r["change"] for r in table} == {None}
    assert {r["scenario_1"] for r in table} == {None}


def test_top_three_scenarios_by_rank_in_the_chosen_language(park_q3: list[Assessment]) -> None:
    recommendations = {a.card.firm.credit_code: a.recommendations for a in park_q3}
    table = export.results_table([a.card for a in park_q3], {}, recommendations, lang="en")
    for row, a in zip(table, park_q3, strict=True):
        ranked = sorted(a.recommendations, key=lambda r: r.rank)[:3]
        expected = [r.name.en for r in ranked] + [None] * (3 - len(ranked))
        assert [row["scenario_1"], row["scenario_2"], row["scenario_3"]] == expected
        assert row["level_name"] == a.card.level_name.en


def test_industry_averages_agree_with_the_cards(rows: list[Row], park_q3: list[Assessment]) -> None:
    averages = export.industry_averages(rows)
    assert list(averages)[-1] == "all"
    for industry, means in averages.items():
        cards = [a.card for a in park_q3 if industry in ("all", a.card.firm.industry)]
        overall = [c.overall for c in cards if c.overall is not None]
        assert means["overall"] == pytest.approx(sum(overall) / len(overall), abs=1e-4)


def test_cohorts_name_every_firm_recommended_each_scenario(park_q3: list[Assessment]) -> None:
    cards = [a.card for a in park_q3]
    recommendations = {a.card.firm.credit_code: a.recommendations for a in park_q3}
    cohorts = export.scenario_cohorts(cards, recommendations)
    sizes = [len(firms) for _, firms in cohorts]
    assert sizes == sorted(sizes, reverse=True)
    for rec, firms in cohorts:
        expected = sorted(
            code
            for code, recs in recommendations.items()
            if any(r.scenario == rec.scenario for r in recs)
        )
        assert [c.firm.credit_code for c in firms] == expected
    now = export.scenario_cohorts(cards, recommendations, slots={"now"})
    assert sum(len(firms) for _, firms in now) < sum(sizes)


def test_no_firms_still_gives_the_header(tmp_path: Path) -> None:
    export.write_results(tmp_path, "2026Q3", [], {}, {})
    header = next(csv.reader((tmp_path / "results-2026Q3.csv").open(encoding="utf-8-sig")))
    assert header[:3] == ["期间", "统一社会信用代码", "企业名称"]
    assert export.results_dataframe([]).shape == (0, len(export.COLUMNS))


def test_dataframe_has_one_row_per_firm_and_one_column_per_key(rows: list[Row]) -> None:
    frame = export.results_dataframe(rows)
    assert frame.shape == (len(rows), len(export.columns(rows)))
    assert list(frame.columns) == export.columns(rows)
    assert frame["overall"].tolist() == [r["overall"] for r in rows]


# CSV


def test_csv_has_a_bom_and_reads_back_in_chinese(rows: list[Row], tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    export.write_csv(rows, path)
    assert path.read_bytes().startswith(BOM)
    back = read_csv(path)
    assert [r["企业名称"] for r in back] == [r["name"] for r in rows]
    assert [r["行业"] for r in back] == [r["industry_name"] for r in rows]
    assert [r["综合得分"] for r in back] == [as_text(r["overall"]) for r in rows]
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_csv_headers_follow_labels_or_language(rows: list[Row], tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    export.write_csv(rows, path, lang="en", labels={"awareness": "Awareness"})
    header = next(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert header[:3] == ["Period", "Credit code", "Firm"]
    assert "Awareness" in header and "talent" in header


text_cells = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=50, deadline=None)
@given(names=st.lists(text_cells, min_size=1, max_size=5))
def test_any_text_survives_a_csv_round_trip(names: list[str], tmp_path_factory: Any) -> None:
    path = tmp_path_factory.mktemp("csv") / "names.csv"
    export.write_csv([{"name": n} for n in names], path)
    back = [r["企业名称"] for r in read_csv(path)]
    expected = ["'" + n if n.startswith(("=", "+", "-", "@", "\t", "\r")) else n for n in names]
    assert back == expected


def test_csv_text_never_becomes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    export.write_csv([{"name": '=HYPERLINK("http://x","y")'}, {"name": "-3"}], path)
    assert [r["企业名称"] for r in read_csv(path)] == ['\'=HYPERLINK("http://x","y")', "'-3"]


# XLSX


def test_xlsx_first_sheet_holds_the_rows(rows: list[Row], tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    export.write_xlsx(rows, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["评估结果", "分行业维度得分", "场景需求分组"]
    sheet = book.worksheets[0]
    keys = [k for k in export.columns(rows) if k not in sheets.WORKBOOK_HIDDEN]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:3]) == ["期间", "统一社会信用代码", "企业名称"]
    assert [list(v) for v in values[1:]] == [[r[k] for k in keys] for r in rows]
    assert sheet.freeze_panes == "D2"
    assert sheet.cell(2, keys.index("overall") + 1).number_format == "0.0"
    assert sheet.cell(2, keys.index("coverage") + 1).number_format == "0%"
    assert len(sheet.conditional_formatting) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]


def test_xlsx_industry_and_cohort_sheets(
    rows: list[Row], park_q3: list[Assessment], tmp_path: Path
) -> None:
    recommendations = {a.card.firm.credit_code: a.recommendations for a in park_q3}
    cohorts = export.scenario_cohorts([a.card for a in park_q3], recommendations)
    path = tmp_path / "results.xlsx"
    export.write_xlsx(rows, path, cohorts=cohorts)
    book = openpyxl.load_workbook(path)
    industries = list(book.worksheets[1].iter_rows(values_only=True))
    averages = export.industry_averages(rows)
    assert len(industries) == 1 + len(averages)
    assert industries[-1][:3] == ("全部企业", len(rows), averages["all"]["overall"])
    groups = list(book.worksheets[2].iter_rows(values_only=True))
    assert [g[:3] for g in groups[1:]] == [(r.scenario, r.name.zh, len(f)) for r, f in cohorts]
    assert groups[1][3] == "、".join(c.firm.name for c in cohorts[0][1])


def test_xlsx_text_never_becomes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    export.write_xlsx([{"name": "=1+1", "overall": 3.5}], path)
    cell = openpyxl.load_workbook(path).worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_the_same_rows_give_the_same_workbook_bytes(rows: list[Row], tmp_path: Path) -> None:
    export.write_xlsx(rows, tmp_path / "a.xlsx")
    export.write_xlsx(rows, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_write_results_names_both_files_for_the_period(
    park_q3: list[Assessment], tmp_path: Path
) -> None:
    cards = [a.card for a in park_q3]
    recommendations = {a.card.firm.credit_code: a.recommendations for a in park_q3}
    csv_path, xlsx_path = export.write_results(tmp_path, "2026Q3", cards, {}, recommendations)
    assert (csv_path.name, xlsx_path.name) == ("results-2026Q3.csv", "results-2026Q3.xlsx")
    header = list(read_csv(csv_path)[0])
    labels = [d.label.zh for d in cards[0].dimensions]
    assert all(label in header for label in labels)
    sheet = openpyxl.load_workbook(xlsx_path).worksheets[0]
    hidden = {export.COLUMNS[k].zh for k in sheets.WORKBOOK_HIDDEN}
    assert [c.value for c in sheet[1]] == [h for h in header if h not in hidden]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_names_levels_never_by_their_ids(
    rows: list[Row], park_q3: list[Assessment], lang: Lang, tmp_path: Path
) -> None:
    cards = [a.card for a in park_q3]
    previous = {a.card.firm.credit_code: a.card for a in sample("2026Q2")}
    _, xlsx_path = export.write_results(tmp_path, "2026Q3", cards, previous, {}, lang=lang)
    sheet = openpyxl.load_workbook(xlsx_path).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    ids = {check.id for c in cards for check in c.levels} | {"not_rated"}
    assert not ids & {v for row in values for v in row}
    level = header.index(export.COLUMNS["level_name"].get(lang))
    before = header.index(export.COLUMNS["previous_level_name"].get(lang))
    for row, card in zip(values[1:], cards, strict=True):
        assert row[level] == card.level_name.get(lang)
        was = previous.get(card.firm.credit_code)
        assert row[before] == (was.level_name.get(lang) if was else None)
    assert any(row[level] != row[before] for row in values[1:])
    back = read_csv(tmp_path / "results-2026Q3.csv")  # programs keep the ids in the CSV
    assert {r[export.COLUMNS["level"].get(lang)] for r in back} <= ids
