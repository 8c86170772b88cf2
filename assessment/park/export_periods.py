"""The results workbook over every stored period: the trend sheet and a sheet per period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..display import period as period_label
from ..models.common import Lang, TextValue
from ..models.results import Recommendation, ScoreCard
from .compare import mean
from .sheets import SCORE, finish, put, results_sheet
from .table import Row, columns, dimension_columns, headers, results_table

T = TextValue
TREND_SHEET = T(zh="趋势", en="Trend")
_FIRM_COLUMNS = (
    T(zh="统一社会信用代码", en="Credit code"),
    T(zh="企业名称", en="Firm"),
    T(zh="行业", en="Industry"),
)
_FIRMS = T(zh="评估企业数", en="Firms assessed")
_OVERALL = T(zh="园区综合得分均值", en="Park mean: overall score")
_MEAN = T(zh="园区均值：", en="Park mean: ")
_AT_LEVEL = T(zh="企业数：", en="Firms at level: ")
_NOTE = T(
    zh="上方每行为一家企业各期的综合得分；园区各期均值按当期评估的企业计算，各期企业可不相同。",
    en="Above, each firm's overall score per period. The park's means are over the firms "
    "assessed in each period, which can differ from period to period.",
)


def period_tables(
    history: Mapping[str, Sequence[ScoreCard]],
    recommendations: Mapping[str, Mapping[str, Sequence[Recommendation]]],
    *,
    lang: Lang = "zh",
) -> dict[str, list[Row]]:
    """Each period's results table, oldest first; changes are against the period stored before."""
    tables: dict[str, list[Row]] = {}
    before: dict[str, ScoreCard] = {}
    for period in sorted(history):
        cards = sorted(history[period], key=lambda c: c.firm.credit_code)
        tables[period] = results_table(cards, before, recommendations.get(period, {}), lang=lang)
        before = {c.firm.credit_code: c for c in cards}
    return tables


def add_period_sheets(
    book: Workbook,
    periods: Mapping[str, Sequence[Row]],
    *,
    lang: Lang = "zh",
    labels: Mapping[str, str] | None = None,
) -> None:
    """The trend sheet, then one sheet per period (named as the reports name the period)."""
    ordered = sorted(periods)
    _trend_sheet(book, {p: periods[p] for p in ordered}, lang, labels or {})
    for period in ordered:
        rows = periods[period]
        sheet = book.create_sheet(period_label(period, lang)[:31])
        header = dict(zip(columns(rows), headers(rows, labels, lang), strict=True))
        results_sheet(sheet, rows, header)


def _trend_sheet(
    book: Workbook, periods: Mapping[str, Sequence[Row]], lang: Lang, labels: Mapping[str, str]
) -> None:
    sheet = book.create_sheet(TREND_SHEET.get(lang))
    put(sheet, [c.get(lang) for c in _FIRM_COLUMNS] + [period_label(p, lang) for p in periods])
    firms: dict[str, Row] = {}
    for rows in periods.values():  # the latest period names the firm
        firms.update({r["credit_code"]: r for r in rows})
    scores = {p: {r["credit_code"]: r.get("overall") for r in rows} for p, rows in periods.items()}
    for code in sorted(firms):
        row = firms[code]
        found = [scores[p].get(code) for p in periods]
        put(sheet, [code, row.get("name"), row.get("industry_name"), *found])
    last_firm = sheet.max_row
    sheet.append([])
    tables = list(periods.values())
    put(sheet, ["", _FIRMS.get(lang), "", *(len(rows) for rows in tables)])
    put(sheet, ["", _OVERALL.get(lang), "", *(_mean(rows, "overall") for rows in tables)])
    for key in dimension_columns(tables[-1]):
        name = _MEAN.get(lang) + labels.get(key, key)
        put(sheet, ["", name, "", *(_mean(rows, key) for rows in tables)])
    for rank, level in _levels(periods):
        counts = [sum(r.get("level_rank") == rank for r in rows) for rows in tables]
        put(sheet, ["", _AT_LEVEL.get(lang) + level, "", *counts])
    for row in sheet.iter_rows(min_row=2, min_col=4):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = SCORE
    finish(sheet, freeze="C2")
    end = get_column_letter(len(_FIRM_COLUMNS) + len(periods))
    sheet.auto_filter.ref = f"A1:{end}{last_firm}"  # the firms only, not the park's rows
    sheet.append([])
    put(sheet, ["", _NOTE.get(lang)])  # after the widths are set: it may run across columns


def _mean(rows: Sequence[Row], key: str) -> float | None:
    return mean([r.get(key) for r in rows])


def _levels(periods: Mapping[str, Sequence[Row]]) -> list[tuple[int, str]]:
    """Each level rank seen, lowest first, with its name as the latest period gives it."""
    names: dict[int, str] = {}
    for rows in periods.values():
        names.update({int(r.get("level_rank") or 0): str(r.get("level_name")) for r in rows})
    return sorted(names.items())
