"""SVG charts over periods: score lines per period, and the share of firms at each level.

Same rules as `charts`: pure functions, byte-identical output, black and white print, caller
text only as escaped character data, attributes only numbers computed here and constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..display import one_decimal
from . import svg
from .charts import EDGE, Series, Style, series_legend
from .svg import GRID, INK, LINE, SMALL

__all__ = ["LINES_BOTTOM", "LINES_TOP", "levels_over_time", "lines", "spread"]

WIDTH, LEFT, RIGHT = 520, 48, 12
LINES_TOP, LINES_BOTTOM = 40, 200
_STYLES: tuple[Style, ...] = ("solid", "dashed", "dotted")
MAX_LEVELS = 12


def _shade(j: int, k: int) -> tuple[str, bool]:
    """Level j of k: white for the lowest to near black for the highest, so the higher levels
    read as the dark top of each column in black and white; True when its text must be white."""
    grey = round(255 - (255 - 26) * j / max(k - 1, 1))
    return f"#{grey:02x}{grey:02x}{grey:02x}", grey < 128


def _style(index: int) -> Style:
    """The index-th series' dash style; its marker shape cycles faster (see `charts._marker`)."""
    return _STYLES[(index // 3) % 3]


LABELS_W = 136  # the column right of the plot that names each line at its end (direct labels)
LABEL_GAP = 12  # at least this far apart, so lines that end close together stay readable


def _x_positions(n: int, right: float = RIGHT) -> list[float]:
    slot = (WIDTH - LEFT - right) / n
    return [LEFT + slot * (i + 0.5) for i in range(n)]


def spread(ys: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """The label heights `ys`, moved apart as little as needed so that neighbours are at least
    `gap` apart and all stay within [low, high]; their order is kept.

    Labels that would collide form a block centred on the heights they name (the block moves
    as a whole, so no label drifts far from its line while its neighbours stay put); blocks that
    then touch merge. The block is then kept within the bounds."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    blocks: list[tuple[float, list[float]]] = []  # (first height, the heights it names)
    for i in order:
        blocks.append((ys[i], [ys[i]]))
        while len(blocks) > 1:
            (top, above), (start, below) = blocks[-2], blocks[-1]
            if start >= top + gap * len(above):
                break
            named = above + below
            first = sum(y - gap * k for k, y in enumerate(named)) / len(named)
            blocks[-2:] = [(first, named)]
    placed = [top + gap * k for top, named in blocks for k in range(len(named))]
    for k in range(len(placed)):  # within the bounds, still apart
        placed[k] = max(placed[k], low if k == 0 else placed[k - 1] + gap)
    if placed and placed[-1] > high:  # pushed off the bottom: pack upwards from it
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


DASHES = [svg.DASH[_STYLES[(i // 3) % 3]] for i in range(9 * 3)]


def _direct_labels(
    series: Sequence[tuple[str, Sequence[float | None]]],
    xs: Sequence[float],
    y_of: Callable[[float], float],
) -> list[str]:
    """Each series named right of the plot, level with its last point, with a thin leader line;
    labels of lines that end close together are moved apart."""
    ends = []
    for idx, (name, values) in enumerate(series):
        last = max((i for i, v in enumerate(values) if v is not None), default=None)
        if last is not None:
            ends.append((idx, name, xs[last], y_of(values[last] or 0.0)))
    ys = spread([y for *_, y in ends], LABEL_GAP, LINES_TOP - 6, LINES_BOTTOM + 6)
    x0 = WIDTH - LABELS_W + 10
    body = []
    for (idx, name, x, y), ly in zip(ends, ys, strict=True):
        body.append(svg.line(x + 5, y, x0 - 3, ly, stroke=GRID, w=0.6))
        key = {"fill": "none", **EDGE, "stroke_width": 2.6 if idx == 0 else 1.4}
        body.append(svg.poly("polyline", [(x0 - 3, ly), (x0 + 15, ly)], {**key, **DASHES[idx]}))
        body.append(svg.marker(idx, x0 + 6, ly, hollow=False))
        # the name clear of the key's line and marker, and within the chart's width (measured
        # at the small size it is drawn in, so "Paperless operation" is not cut short)
        room = (LABELS_W - 30) * svg.TEXT / SMALL
        body.append(svg.text(x0 + 19, ly + 4, svg.fit(name, room), "start", SMALL))
    return body


def _period_labels(
    labels: Sequence[str],
    notes: Sequence[str],
    xs: Sequence[float],
    top: float,
    right: float = RIGHT,
) -> list[str]:
    """Each period under its column or point, and its note (e.g. how many firms) below that."""
    slot = (WIDTH - LEFT - right) / len(labels)
    body = []
    for x, label, note in zip(xs, labels, notes, strict=True):
        body.append(svg.text(x, top, svg.fit(label, slot - 4), "middle"))
        if note:
            body.append(svg.text(x, top + LINE, svg.fit(note, slot - 4), "middle", SMALL))
    return body


def _label_top(y: float, others: Sequence[float]) -> float:
    """The top of a value's 13-high patch above its point at height `y`, lifted above each
    marker it would cover, nearest first."""
    top = y - 19
    for other in sorted((o for o in others if o < y), reverse=True):
        if other + 5.5 > top:
            top = other - 5.5 - 13
    return top


def lines(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    axis_label: str,
    notes: Sequence[str] = (),
    max_value: float = 100,
    direct: bool = False,
) -> str:
    """One line per series over the periods, on a 0..max axis. The first series is drawn bold
    with its values printed at its points; a missing value breaks its line. `notes` go under
    the period labels (e.g. how many firms each period's means cover). `direct` names each line
    at its end instead of in a legend, so lines that lie close together can still be told apart."""
    n = len(periods)
    notes = list(notes) or [""] * n
    if not n or len(notes) != n or any(len(v) != n for _, v in series):
        raise ValueError(f"need one value per period for every series, and {n} >= 1 periods")
    if not series:
        raise ValueError("a line chart needs at least one series")
    plot_h = LINES_BOTTOM - LINES_TOP
    right = LABELS_W if direct else RIGHT
    xs = _x_positions(n, right)

    def y_of(v: float) -> float:
        return LINES_BOTTOM - plot_h * min(max(v / max_value, 0.0), 1.0)

    body = [svg.text(8, 16, svg.fit(axis_label, WIDTH - 16))]
    for k in range(6):
        y = LINES_BOTTOM - plot_h * k / 5
        body.append(svg.line(LEFT, y, WIDTH - right, y, stroke=GRID if k else INK, w=0.6))
        body.append(svg.text(LEFT - 6, y + 4, svg.tick(max_value * k / 5), "end", SMALL))
    body.append(svg.line(LEFT, LINES_TOP, LEFT, LINES_BOTTOM))
    styled = []
    marks: list[str] = []
    labels: list[str] = []
    # every point at each period, so the first series' values are lifted clear of the markers
    # they would cover (only those: a value never floats away from its own point)
    points = [[y_of(w) for _, v in series if (w := v[i]) is not None] for i in range(n)]
    for idx, (name, values) in enumerate(series):
        style = _style(idx)
        styled.append(Series(name, values, style))
        edge = {**EDGE, "stroke_width": 2.6 if idx == 0 else 1.4}
        run: list[tuple[float, float]] = []
        for i, (x, v) in enumerate([*zip(xs, values, strict=True), (0.0, None)]):
            if v is not None:
                run.append((x, y_of(v)))
                marks.append(svg.marker(idx, x, y_of(v), hollow=False))
                if idx == 0:  # on a white patch above every marker, readable over the lines
                    shown, top = one_decimal(v), _label_top(y_of(v), points[i])
                    w = svg.text_width(shown) + 4
                    patch = svg.el("rect", x=x - w / 2, y=top, width=w, height=13, fill="#ffffff")
                    labels.append(patch)
                    labels.append(svg.text(x, top + 10.5, shown, "middle"))
            elif run:
                if len(run) > 1:
                    body.append(
                        svg.poly("polyline", run, {"fill": "none", **edge, **svg.DASH[style]})
                    )
                run = []
    body += marks + labels
    body += _period_labels(periods, notes, xs, LINES_BOTTOM + 16, right)
    if direct:
        body += _direct_labels(series, xs, y_of)
        return svg.document(WIDTH, LINES_BOTTOM + 16 + 2 * LINE + 4, title, body)
    legend, height = series_legend(styled, "", WIDTH, LINES_BOTTOM + 16 + 2 * LINE + 12)
    return svg.document(WIDTH, height, title, body + legend)


def levels_over_time(
    periods: Sequence[str],
    levels: Sequence[str],
    counts: Sequence[Sequence[int]],
    *,
    title: str,
    axis_label: str,
    notes: Sequence[str] = (),
) -> str:
    """A column per period split by level (lowest at the bottom), as shares of that period's
    firms, with each level's count in its part; `counts[i][j]` is period i's firms at level j."""
    n, k = len(periods), len(levels)
    notes = list(notes) or [""] * n
    if not n or not 1 <= k <= MAX_LEVELS or len(counts) != n or len(notes) != n:
        raise ValueError(f"need 1..{MAX_LEVELS} levels and one row of counts per period")
    if any(len(row) != k or any(c < 0 or int(c) != c for c in row) for row in counts):
        raise ValueError("every period needs one whole count >= 0 per level")
    plot_h = LINES_BOTTOM - LINES_TOP
    xs = _x_positions(n)
    col = min(64.0, (WIDTH - LEFT - RIGHT) / n * 0.55)
    body = [svg.text(8, 16, svg.fit(axis_label, WIDTH - 16))]
    for step in range(6):
        y = LINES_BOTTOM - plot_h * step / 5
        body.append(svg.line(LEFT, y, WIDTH - RIGHT, y, stroke=GRID if step else INK, w=0.6))
        body.append(svg.text(LEFT - 6, y + 4, f"{step * 20}%", "end", SMALL))
    body.append(svg.line(LEFT, LINES_TOP, LEFT, LINES_BOTTOM))
    texts: list[str] = []
    for x, row in zip(xs, counts, strict=True):
        total, y = sum(row), float(LINES_BOTTOM)
        for j, count in enumerate(row):
            if not count:
                continue
            h = plot_h * count / total
            fill, dark = _shade(j, k)
            body.append(svg.rect(x - col / 2, y - h, col, h, fill))
            if h >= 11:
                ink = "#ffffff" if dark else INK
                texts.append(
                    svg.el("text", str(count), x=x, y=y - h / 2 + 3.5, font_size=SMALL,
                        text_anchor="middle", fill=ink)
                )  # fmt: skip
            y -= h
    body += texts
    body += _period_labels(periods, notes, xs, LINES_BOTTOM + 16)
    height = _swatches(levels, body, LINES_BOTTOM + 16 + 2 * LINE + 8)
    return svg.document(WIDTH, height, title, body)


def _swatches(levels: Sequence[str], body: list[str], top: float) -> float:
    """Legend rows of level swatches appended to `body`; returns the chart's height."""
    x, y = 8.0, top
    for j, name in enumerate(levels):
        label = svg.wrap(name, 140, 1)[0]
        w = 20 + svg.text_width(label) + 14
        if x > 8 and x + w > WIDTH - 8:
            x, y = 8.0, y + 18
        body.append(svg.rect(x, y - 5, 12, 12, _shade(j, len(levels))[0]))
        body.append(svg.text(x + 18, y + 5, label))
        x += w
    return y + 14
