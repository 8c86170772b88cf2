"""Results as a table, one row per firm: CSV, an Excel workbook, or a pandas DataFrame."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import safe_stem, write_atomic
from .industries import INDUSTRIES
from .models.common import Lang, StrPath, TextValue
from .models.results import Recommendation, ScoreCard

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]
T = TextValue

# Size bands by head-count, the lower bound of each: a park's working convention, simpler than
# the statutory classification (which also weighs revenue and differs by sector).
SIZE_BANDS: tuple[tuple[str, int, TextValue], ...] = (
    ("micro", 0, T(zh="微型", en="Micro")),
    ("small", 20, T(zh="小型", en="Small")),
    ("medium", 100, T(zh="中型", en="Medium")),
    ("large", 300, T(zh="大型", en="Large")),
)
TOP_SCENARIOS = 3

# Every column that is not a dimension score, in order, with its header.
COLUMNS: dict[str, TextValue] = {
    "period": T(zh="期间", en="Period"),
    "credit_code": T(zh="统一社会信用代码", en="Credit code"),
    "name": T(zh="企业名称", en="Firm"),
    "industry": T(zh="行业代码", en="Industry id"),
    "industry_name": T(zh="行业", en="Industry"),
    "employees": T(zh="从业人数", en="Employees"),
    "size": T(zh="规模代码", en="Size id"),
    "size_name": T(zh="规模", en="Size"),
    "level": T(zh="等级代码", en="Level id"),
    "level_rank": T(zh="等级序号", en="Level rank"),
    "level_name": T(zh="等级", en="Level"),
    "overall": T(zh="综合得分", en="Overall score"),
    "coverage": T(zh="答题覆盖率", en="Coverage"),
    "previous_level": T(zh="上期等级代码", en="Previous level id"),
    "previous_level_name": T(zh="上期等级", en="Previous level"),
    "change": T(zh="较上期变化", en="Change since last period"),
    "scenario_1": T(zh="推荐场景1", en="Scenario 1"),
    "scenario_2": T(zh="推荐场景2", en="Scenario 2"),
    "scenario_3": T(zh="推荐场景3", en="Scenario 3"),
}
_ALL = T(zh="全部企业", en="All firms")


def size_band(employees: int) -> str:
    """The size band id ('micro', 'small', 'medium' or 'large') for a head-count."""
    return [band for band, lowest, _ in SIZE_BANDS if employees >= lowest][-1]


def size_name(band: str, lang: Lang = "zh") -> str:
    return next(label.get(lang) for band_id, _, label in SIZE_BANDS if band_id == band)


def industry_name(industry: str, lang: Lang = "zh") -> str:
    label = _ALL if industry == "all" else INDUSTRIES.get(industry)
    return label.get(lang) if label else industry


def dimension_key(dimension_id: str) -> str:
    """The column of a dimension's score: its id, unless that names another column."""
    return f"dimension_{dimension_id}" if dimension_id in COLUMNS else dimension_id


# The table


def results_table(
    cards: Sequence[ScoreCard],
    previous: Mapping[str, ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    lang: Lang = "zh",
) -> list[Row]:
    """One row per card, in the order given; `previous` and `recommendations` by credit code."""
    dimensions = list(dimension_labels(cards, lang))
    return [
        _row(c, previous.get(c.firm.credit_code), recommendations, dimensions, lang) for c in cards
    ]


def _row(
    card: ScoreCard,
    before: ScoreCard | None,
    recommendations: Mapping[str, Sequence[Recommendation]],
    dimensions: list[str],
    lang: Lang,
) -> Row:
    firm, band = card.firm, size_band(card.firm.employees)
    scores = {dimension_key(d.id): d.score for d in card.dimensions}
    change = None
    if before is not None and before.overall is not None and card.overall is not None:
        change = round(card.overall - before.overall, 4)
    ranked = sorted(recommendations.get(firm.credit_code, ()), key=lambda r: r.rank)
    top: list[str | None] = [r.name.get(lang) for r in ranked[:TOP_SCENARIOS]]
    top += [None] * (TOP_SCENARIOS - len(top))
    return {
        "period": card.period,
        "credit_code": firm.credit_code,
        "name": firm.name,
        "industry": firm.industry,
        "industry_name": industry_name(firm.industry, lang),
        "employees": firm.employees,
        "size": band,
        "size_name": size_name(band, lang),
        "level": card.level.id if card.level else None,
        "level_rank": card.level.rank if card.level else 0,
        "level_name": card.level_name[lang],
        "overall": card.overall,
        **{key: scores.get(key) for key in dimensions},
        "coverage": card.coverage,
        "previous_level": before.level.id if before and before.level else None,
        "previous_level_name": before.level_name[lang] if before else None,
        "change": change,
        **{f"scenario_{n}": name for n, name in enumerate(top, start=1)},
    }


def dimension_labels(cards: Sequence[ScoreCard], lang: Lang = "zh") -> dict[str, str]:
    """Each dimension column of these cards, in questionnaire order, with its label."""
    labels: dict[str, str] = {}
    for card in cards:
        for dimension in card.dimensions:
            labels.setdefault(dimension_key(dimension.id), dimension.label.get(lang))
    return labels


def column_labels(cards: Sequence[ScoreCard], lang: Lang = "zh") -> dict[str, str]:
    """The header of every column of `results_table(cards, …)`."""
    return {**{k: v.get(lang) for k, v in COLUMNS.items()}, **dimension_labels(cards, lang)}


def columns(rows: Sequence[Row]) -> list[str]:
    """The columns of `rows`: every key, in first-seen order (the fixed ones when no rows)."""
    return list(dict.fromkeys(key for row in rows for key in row)) or list(COLUMNS)


def dimension_columns(rows: Sequence[Row]) -> list[str]:
    return [key for key in columns(rows) if key not in COLUMNS]


def results_dataframe(rows: Sequence[Row]) -> pd.DataFrame:
    """The rows as a pandas DataFrame (needs the `pandas` extra), one column per key."""
    import pandas as pd

    return pd.DataFrame.from_records(list(rows), columns=columns(rows))


# Aggregates shared by the workbook and the park report


# A recommended scenario (as recommended to its first firm) and the firms it was recommended to.
Cohort = tuple[Recommendation, list[ScoreCard]]


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def industry_averages(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """Mean overall and dimension scores per industry (catalogue order), then of "all" firms."""
    dims = dimension_columns(rows)
    order = {industry: n for n, industry in enumerate(INDUSTRIES)}
    present = {r["industry"] for r in rows if r.get("industry") is not None}
    ordered = sorted(present, key=lambda i: (order.get(i, len(order)), i))
    groups = {i: [r for r in rows if r.get("industry") == i] for i in ordered}
    return {
        group: {key: _mean([r.get(key) for r in members]) for key in ["overall", *dims]}
        for group, members in {**groups, "all": list(rows)}.items()
    }


def scenario_cohorts(
    cards: Sequence[ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    slots: Collection[str] | None = None,
) -> list[Cohort]:
    """Each scenario recommended (in `slots`, default any) with its firms by credit code;
    the largest cohort first, then by scenario id."""
    cohorts: dict[str, Cohort] = {}
    for card in sorted(cards, key=lambda c: c.firm.credit_code):
        for rec in recommendations.get(card.firm.credit_code, ()):
            if slots is None or rec.slot in slots:
                cohorts.setdefault(rec.scenario, (rec, []))[1].append(card)
    return sorted(cohorts.values(), key=lambda c: (-len(c[1]), c[0].scenario))


# Files


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: Any) -> Any:
    # A spreadsheet runs text starting with '=' (or + - @) as a formula; a quote keeps it text.
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA) else value


def _header(rows: Sequence[Row], labels: Mapping[str, str] | None, lang: Lang) -> list[str]:
    chosen = {**{k: v.get(lang) for k, v in COLUMNS.items()}, **(labels or {})}
    return [chosen.get(key, key) for key in columns(rows)]


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
    out.writerow(_header(rows, labels, lang))
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
_SCORE = "0.0"
_FORMATS = {"overall": _SCORE, "change": "+0.0;-0.0;0.0", "coverage": "0%", "employees": "0"}
# Level rank → fill: grey for not rated, then warm to green as the level rises.
_LEVEL_FILLS = ("D9D9D9", "F8CBAD", "FCE4D6", "FFF2CC", "E2EFDA", "C6EFCE")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
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
    header = dict(zip(columns(rows), _header(rows, labels, lang), strict=True))
    _results_sheet(sheet, rows, header)
    groups = by_industry if by_industry is not None else industry_averages(rows)
    industries = book.create_sheet(_SHEETS["industries"].get(lang))
    _industry_sheet(industries, groups, rows, header, lang)
    _cohort_sheet(book.create_sheet(_SHEETS["cohorts"].get(lang)), cohorts, lang)
    if periods:
        from .export_periods import add_period_sheets

        add_period_sheets(book, periods, lang=lang, labels=labels)
    for add_sheet in extra_sheets:  # sheets other stages own, such as the work summary
        add_sheet(book, lang)
    stamp = (created or _EPOCH).astimezone(UTC).replace(tzinfo=None)
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(Path(path), _reproducible(buffer.getvalue(), stamp))


def _put(sheet: Worksheet, values: Sequence[Any]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


# Ids for programs, kept in the CSV and the DataFrame; the workbook shows the names beside them.
WORKBOOK_HIDDEN = frozenset({"industry", "size", "level", "previous_level"})


def _results_sheet(sheet: Worksheet, rows: Sequence[Row], header: Mapping[str, str]) -> None:
    keys = [k for k in header if k not in WORKBOOK_HIDDEN]
    _put(sheet, [header[k] for k in keys])
    for row in rows:
        _put(sheet, [row.get(k) for k in keys])
    formats = {**dict.fromkeys(dimension_columns(rows), _SCORE), **_FORMATS}
    for n, key in enumerate(keys, start=1):
        if key in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = formats[key]
    _finish(sheet, freeze="D2")
    if rows and "level_rank" in keys:
        rank = get_column_letter(keys.index("level_rank") + 1)
        first = get_column_letter(keys.index("level") + 1) if "level" in keys else rank
        last = get_column_letter(keys.index("overall") + 1) if "overall" in keys else rank
        cells = f"{first}2:{last}{len(rows) + 1}"
        for level, colour in enumerate(_LEVEL_FILLS):
            fill = PatternFill("solid", fgColor=colour, bgColor=colour)
            rule = Rule(
                type="expression", formula=[f"${rank}2={level}"], dxf=DifferentialStyle(fill=fill)
            )
            sheet.conditional_formatting.add(cells, rule)


def _industry_sheet(
    sheet: Worksheet,
    groups: Mapping[str, Mapping[str, float | None]],
    rows: Sequence[Row],
    header: Mapping[str, str],
    lang: Lang,
) -> None:
    dims = [k for k in dict.fromkeys(k for g in groups.values() for k in g) if k != "overall"]
    titles = [label.get(lang) for label in _GROUP_COLUMNS.values()]
    _put(sheet, [*titles, *(header.get(d, d) for d in dims)])
    for group, means in groups.items():
        firms = sum(1 for r in rows if group in ("all", r.get("industry")))
        scores = [means.get("overall"), *(means.get(d) for d in dims)]
        _put(sheet, [industry_name(group, lang), firms, *scores])
    for row in sheet.iter_rows(min_row=2, min_col=3):
        for cell in row:
            cell.number_format = _SCORE
    _finish(sheet, freeze="B2")


def _cohort_sheet(
    sheet: Worksheet, cohorts: Sequence[tuple[Recommendation, Sequence[ScoreCard]]], lang: Lang
) -> None:
    joiner = "、" if lang == "zh" else "; "
    _put(sheet, [label.get(lang) for label in _COHORT_COLUMNS.values()])
    for rec, cards in cohorts:
        names = joiner.join(c.firm.name for c in cards)
        codes = joiner.join(c.firm.credit_code for c in cards)
        _put(sheet, [rec.scenario, rec.name.get(lang), len(cards), names, codes])
    _finish(sheet, freeze="C2")


def _finish(sheet: Worksheet, *, freeze: str) -> None:
    sheet.freeze_panes = freeze
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for n, column in enumerate(sheet.iter_cols(), start=1):
        widest = max((_width(cell.value) for cell in column), default=8)
        sheet.column_dimensions[get_column_letter(n)].width = min(max(widest + 2, 8), 60)


def _width(value: Any) -> int:
    text = "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _reproducible(data: bytes, stamp: datetime) -> bytes:
    """The workbook with its save time and its zip entries' times set to `stamp`."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    when = (max(stamp.year, 1980), *stamp.timetuple()[1:6])  # zip times start in 1980
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return buffer.getvalue()


# Everything at once


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
