"""The roadmap in time: a Gantt-style SVG with one bar per scenario on a month axis.

Drawn like the charts in ``charts.py``: pure, byte-identical for the same input, black and white,
caller text only as escaped character data. Each bar spans its start month to its end month
inclusive, so month m occupies ``[x_of(m), x_of(m + 1))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import svg
from .svg import FILL, GRID, INK, SMALL, TEXT

__all__ = ["GanttBar", "gantt", "month_x"]

WIDTH, PAD, LABEL_W, TOP, ROW, BAR_H = 600, 8, 250, 40, 22, 13
PLOT_X = PAD + LABEL_W
PLOT_W = WIDTH - PLOT_X - PAD - 56  # room on the right for the last bar's month text
_BAR = {"class": "bar"}


@dataclass(frozen=True)
class GanttBar:
    """One scenario: its label, and its first and last month (1-based, inclusive)."""

    text: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 1 <= self.start <= self.end:
            raise ValueError(f"a bar runs from month 1 on and ends after it starts: {self!r}")


def horizon(bars: Sequence[GanttBar], year: int = 12) -> int:
    """Months on the axis: at least a year, rounded up to whole quarters."""
    last = max((b.end for b in bars), default=year)
    return max(year, -(-last // 3) * 3)


def month_x(month: float, months: int) -> float:
    """Where month ``month`` begins on an axis of ``months`` months."""
    return PLOT_X + PLOT_W * (month - 1) / months


def gantt(
    bars: Sequence[GanttBar],
    *,
    title: str,
    axis_label: str,
    span_label: str,
    single_label: str,
    year_label: str = "",
    years: Sequence[str] = (),
    quarters: Sequence[str] = (),
) -> str:
    """Bars on a month axis, quarter lines, and a dashed line after month 12 named ``year_label``.

    ``span_label`` formats a bar's months, e.g. ``"{start}–{end} 月"`` or ``"M{start}–{end}"``;
    ``single_label`` a one-month bar's, e.g. ``"{start} 月"``. Given ``years`` (one name per
    year) and ``quarters`` (four names), an axis longer than a year is labelled by year and
    quarter instead of by month, with a dashed line at each new year.
    """
    if horizon(bars) > 12 and years and len(quarters) == 4:
        return _by_quarter(bars, title, axis_label, span_label, single_label, years, quarters)
    months = horizon(bars)
    bottom = TOP + ROW * max(len(bars), 1)
    body: list[str] = []
    for m in range(1, months + 2):
        x = month_x(m, months)
        quarter = (m - 1) % 3 == 0
        body.append(svg.line(x, TOP - 4, x, bottom, stroke=GRID, w=0.8 if quarter else 0.3))
        if m <= months:
            body.append(svg.text(x + PLOT_W / months / 2, TOP - 8, str(m), "middle", SMALL))
    body.append(svg.text(PLOT_X + PLOT_W / 2, TOP - 24, svg.fit(axis_label, PLOT_W), "middle"))
    body.append(svg.line(PLOT_X, bottom, month_x(months + 1, months), bottom))
    if months > 12 and year_label:
        x = month_x(13, months)
        body.append(
            svg.el(
                "line",
                x1=x,
                y1=TOP - 4,
                x2=x,
                y2=bottom + 4,
                stroke=INK,
                stroke_width=1.2,
                stroke_dasharray="5 3",
            )
        )
        body.append(svg.text(x - 3, bottom + 14, svg.fit(year_label, 120), "end", SMALL))
    for i, bar in enumerate(bars):
        body += _bar_row(bar, TOP + ROW * i, months, span_label, single_label)
    height = bottom + (24 if months > 12 and year_label else 12)
    return svg.document(WIDTH, height, title, body)


def _by_quarter(
    bars: Sequence[GanttBar],
    title: str,
    axis_label: str,
    span_label: str,
    single_label: str,
    years: Sequence[str],
    quarters: Sequence[str],
) -> str:
    months = -(-horizon(bars) // 12) * 12
    bottom = TOP + 14 + ROW * max(len(bars), 1)
    top = TOP + 14
    body: list[str] = []
    for q in range(months // 3 + 1):
        x = month_x(q * 3 + 1, months)
        new_year = q % 4 == 0
        if new_year and 0 < q < months // 3:
            body.append(
                svg.el(
                    "line",
                    x1=x,
                    y1=TOP - 20,
                    x2=x,
                    y2=bottom + 4,
                    stroke=INK,
                    stroke_width=1.2,
                    stroke_dasharray="5 3",
                )
            )
        else:
            body.append(svg.line(x, top - 4, x, bottom, stroke=GRID, w=0.8))
        if q < months // 3:
            mid = x + PLOT_W * 3 / months / 2
            body.append(svg.text(mid, top - 6, quarters[q % 4], "middle", SMALL))
            if new_year and q // 4 < len(years):
                centre = x + PLOT_W * 12 / months / 2
                body.append(svg.text(centre, TOP - 4, svg.fit(years[q // 4], PLOT_W / 3), "middle"))
    body.append(svg.text(PLOT_X + PLOT_W / 2, TOP - 24, svg.fit(axis_label, PLOT_W), "middle"))
    body.append(svg.line(PLOT_X, bottom, month_x(months + 1, months), bottom))
    for i, bar in enumerate(bars):
        body += _bar_row(bar, top + ROW * i, months, span_label, single_label)
    return svg.document(WIDTH, bottom + 12, title, body)


def _bar_row(bar: GanttBar, y: float, months: int, span_label: str, single_label: str) -> list[str]:
    """One row: the scenario's name, its bar, and its months beside the bar (left if no room)."""
    x0, x1 = month_x(bar.start, months), month_x(bar.end + 1, months)
    label = single_label if bar.start == bar.end else span_label
    span = label.format(start=bar.start, end=bar.end)
    box = {"x": x0, "y": y + (ROW - BAR_H) / 2, "width": x1 - x0, "height": BAR_H}
    if svg.text_width(span) * SMALL / TEXT + 4 <= WIDTH - PAD - x1:
        months_text = svg.text(x1 + 4, y + ROW / 2 + 4, span, "start", SMALL)
    else:
        months_text = svg.text(x0 - 4, y + ROW / 2 + 4, span, "end", SMALL)
    return [
        svg.text(PAD, y + ROW / 2 + 4, svg.fit(bar.text, LABEL_W - 8)),
        svg.el("rect", **box, fill=FILL, stroke=INK, stroke_width=0.8, **_BAR),
        months_text,
    ]
