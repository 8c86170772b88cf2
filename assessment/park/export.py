"""Results as files: the CSV, the Excel workbook, and both at once for a period."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..files.atomic import safe_stem, write_atomic
from ..models.common import Lang, StrPath, TextValue
from ..models.results import Recommendation, ScoreCard
from .export_periods import add_period_sheets
from .sheets import SCORE, finish, put, reproducible, results_sheet
from .table import (
    COLUMNS,
    SIZE_BANDS,
    Cohort,
    Row,
    column_labels,
    columns,
    dimension_columns,
    dimension_key,
    dimension_labels,
    headers,
    industry_averages,
    industry_name,
    results_dataframe,
    results_table,
    scenario_cohorts,
    size_band,
    size_name,
)

__all__ = [
    "COLUMNS",
    "SIZE_BANDS",
    "Cohort",
    "Row",
    "column_labels",
    "columns",
    "dimension_columns",
    "dimension_key",
    "dimension_labels",
    "industry_averages",
    "industry_name",
    "results_dataframe",
    "results_table",
    "scenario_cohorts",
    "size_band",
    "size_name",
    "write_csv",
    "write_results",
    "write_xlsx",
]

T = TextValue


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: Any) -> Any:
    # A spreadsheet runs text starting with '=' (or + - @) as a formula; a quote keeps it text.
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA) else value


def write_csv(
    rows: Sequence[Row],
    path: StrPath,
    *,
    labels: Mapping[str, str] | None = None,
    lang: Lang = "zh",
) -> None:
    """The rows as CSV in UTF-8 with a BOM (so Excel reads Chinese), replacing `path` atomically.

    Headers come from `labels` (see `column_labels`), else the fixed ones in `lang`.
    """
    keys = columns(rows)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(headers(rows, labels, lang))
    for row in rows:
        out.writerow([_cell_text(row.get(k)) for k in keys])
    write_atomic(Path(path), buffer.getvalue().encode("utf-8-sig"))


_SHEETS: dict[str, TextValue] = {
    "results": T(zh="评估结果", en="Results"),
    "industries": T(zh="分行业维度得分", en="By industry"),
    "cohorts": T(zh="场景需求分组", en="Scenario cohorts"),
}
_GROUP_COLUMNS = {
    "group": T(zh="行业", en="Industry"),
    "firms": T(zh="企业数", en="Firms"),
    "overall": COLUMNS["overall"],
}
_COHORT_COLUMNS = {
    "scenario": T(zh="场景代码", en="Scenario id"),
    "name": T(zh="场景", en="Scenario"),
    "firms": T(zh="企业数", en="Firms"),
    "names": T(zh="企业", en="Firm names"),
    "codes": T(zh="统一社会信用代码", en="Credit codes"),
}
# Excel shows this as the file's creation time; fixed unless given, so re-runs give equal files.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def write_xlsx(
    rows: Sequence[Row],
    path: StrPath,
    *,
    labels: Mapping[str, str] | None = None,
    by_industry: Mapping[str, Mapping[str, float | None]] | None = None,
    cohorts: Sequence[tuple[Recommendation, Sequence[ScoreCard]]] = (),
    lang: Lang = "zh",
    created: datetime | None = None,
    periods: Mapping[str, Sequence[Row]] | None = None,
    extra_sheets: Sequence[Callable[[Workbook, Lang], None]] = (),
) -> None:
    """The rows as an Excel workbook, replacing `path` atomically.

    Sheets: the rows, with level, industry and size by name (their ids are in the CSV); mean
    scores by industry (`by_industry`: industry id → {"overall" or a dimension column: mean},
    default `industry_averages(rows)`); scenario cohorts (see `scenario_cohorts`); with
    `periods` (period → its rows, see `period_tables`), a sheet per period and the trend
    sheet. The same inputs give the same bytes.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _SHEETS["results"].get(lang)
    header = dict(zip(columns(rows), headers(rows, labels, lang), strict=True))
    results_sheet(sheet, rows, header)
    groups = by_industry if by_industry is not None else industry_averages(rows)
    industries = book.create_sheet(_SHEETS["industries"].get(lang))
    _industry_sheet(industries, groups, rows, header, lang)
    _cohort_sheet(book.create_sheet(_SHEETS["cohorts"].get(lang)), cohorts, lang)
    if periods:
        add_period_sheets(book, periods, lang=lang, labels=labels)
    for add_sheet in extra_sheets:  # sheets other stages own, such as the work summary
        add_sheet(book, lang)
    stamp = (created or _EPOCH).astimezone(UTC).replace(tzinfo=None)
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(Path(path), reproducible(buffer.getvalue(), stamp))


def _industry_sheet(
    sheet: Worksheet,
    groups: Mapping[str, Mapping[str, float | None]],
    rows: Sequence[Row],
    header: Mapping[str, str],
    lang: Lang,
) -> None:
    dims = [k for k in dict.fromkeys(k for g in groups.values() for k in g) if k != "overall"]
    titles = [label.get(lang) for label in _GROUP_COLUMNS.values()]
    put(sheet, [*titles, *(header.get(d, d) for d in dims)])
    for group, means in groups.items():
        firms = sum(1 for r in rows if group in ("all", r.get("industry")))
        scores = [means.get("overall"), *(means.get(d) for d in dims)]
        put(sheet, [industry_name(group, lang), firms, *scores])
    for row in sheet.iter_rows(min_row=2, min_col=3):
        for cell in row:
            cell.number_format = SCORE
    finish(sheet, freeze="B2")


def _cohort_sheet(
    sheet: Worksheet, cohorts: Sequence[tuple[Recommendation, Sequence[ScoreCard]]], lang: Lang
) -> None:
    joiner = "、" if lang == "zh" else "; "
    put(sheet, [label.get(lang) for label in _COHORT_COLUMNS.values()])
    for rec, cards in cohorts:
        names = joiner.join(c.firm.name for c in cards)
        codes = joiner.join(c.firm.credit_code for c in cards)
        put(sheet, [rec.scenario, rec.name.get(lang), len(cards), names, codes])
    finish(sheet, freeze="C2")


def write_results(
    folder: StrPath,
    period: str,
    cards: Sequence[ScoreCard],
    previous: Mapping[str, ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    lang: Lang = "zh",
    by_industry: Mapping[str, Mapping[str, float | None]] | None = None,
    cohorts: Sequence[tuple[Recommendation, Sequence[ScoreCard]]] | None = None,
    created: datetime | None = None,
    periods: Mapping[str, Sequence[Row]] | None = None,
    extra_sheets: Sequence[Callable[[Workbook, Lang], None]] = (),
) -> tuple[Path, Path]:
    """Write `results-<period>.csv` and `.xlsx` into `folder`, headed in `lang`; returns their
    paths. Averages and cohorts default to `industry_averages` and `scenario_cohorts`;
    `periods` adds the workbook's sheet per stored period and its trend sheet."""
    rows = results_table(cards, previous, recommendations, lang=lang)
    labels = column_labels(cards, lang)
    stem = safe_stem("results", period)
    csv_path, xlsx_path = Path(folder) / f"{stem}.csv", Path(folder) / f"{stem}.xlsx"
    write_csv(rows, csv_path, labels=labels, lang=lang)
    if cohorts is None:
        cohorts = scenario_cohorts(cards, recommendations)
    write_xlsx(
        rows,
        xlsx_path,
        labels=labels,
        by_industry=by_industry,
        cohorts=cohorts,
        lang=lang,
        created=created,
        periods=periods,
        extra_sheets=extra_sheets,
    )
    return csv_path, xlsx_path
