"""SVG charts for the PDF reports: radar, bars, level distribution and roadmap timeline.

Each function is pure and returns one ``<svg>`` string in px with a fixed viewBox, so a template
scales it with CSS ``width``. Output is byte-identical for the same input (no ids, fixed number
formatting) and prints in black and white: series differ by line style and marker shape, bars are
gray with black outlines. Caller text only ever becomes escaped character data: attributes hold
nothing but numbers computed here and constants.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..display import one_decimal
from . import svg
from .svg import FILL, GRID, INK, LINE, SMALL, Anchor, Attrs, Point

__all__ = ["Series", "Style", "TimelineItem", "bars", "distribution", "radar", "timeline"]

Style = Literal["solid", "dashed", "dotted"]
Box = tuple[float, float, float, float]

_RING: Attrs = {"fill": "none", "stroke": GRID, "stroke_width": 0.75}
EDGE: Attrs = {"stroke": INK, "stroke_width": 1.8, "stroke_linejoin": "round"}
_ARROW: Attrs = {"fill": "none", "stroke": INK, "stroke_width": 1.2, "stroke_linejoin": "round"}
_HEADER: Attrs = {"text_anchor": "middle", "font_weight": "bold"}
_REFERENCE: Attrs = {"stroke": INK, "stroke_width": 1.4, "stroke_dasharray": "5 3"}


@dataclass(frozen=True)
class Series:
    """One polygon on a radar; ``fill_opacity`` shades the first series only."""

    name: str
    values: Sequence[float | None]
    style: Style = "solid"
    fill_opacity: float = 0.25

    def __post_init__(self) -> None:
        if self.style not in svg.DASH:
            raise ValueError(f"series style must be solid, dashed or dotted, not {self.style!r}")
        if not 0 <= self.fill_opacity <= 1:
            raise ValueError(f"fill_opacity must be within 0..1, not {self.fill_opacity!r}")
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class TimelineItem:
    """One roadmap box in lane ``lane`` (0-based); ``after`` names the items that come first."""

    key: str
    text: str
    lane: int
    after: Sequence[str] = ()

    def __post_init__(self) -> None:
        after = (self.after,) if isinstance(self.after, str) else tuple(self.after)
        object.__setattr__(self, "after", after)


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    max_value: float = 100,
    size: int = 360,
    missing_label: str = "",
    note: str = "",
) -> str:
    """Radar of 3–12 axes; None sits at 0 with a hollow marker, named by ``missing_label``;
    ``note`` (e.g. "higher is better") is a line under the legend."""
    n = len(axes)
    if not 3 <= n <= 12 or size < 240:
        raise ValueError(f"a radar needs 3 to 12 axes and size >= 240, got {n} axes, size {size}")
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} axes")
    r = size * 0.28
    cx, cy = size / 2, r + 44

    def at(i: int, frac: float) -> Point:
        a = -math.pi / 2 + 2 * math.pi * i / n
        return cx + math.cos(a) * r * frac, cy + math.sin(a) * r * frac

    body = [svg.poly("polygon", [at(i, k / 5) for i in range(n)], _RING) for k in range(1, 6)]
    body += [svg.line(cx, cy, *at(i, 1), stroke=GRID, w=0.75) for i in range(n)]
    for k in range(1, 6):
        body.append(svg.text(cx + 5, cy - r * k / 5 - 2, svg.tick(max_value * k / 5), size=SMALL))
    bottom = cy + r
    for i, name in enumerate(axes):
        labels, low = _axis_label(name, i, n, (cx, cy), r + 12, size)
        body += labels
        bottom = max(bottom, low)
    for idx, s in enumerate(series):
        pts = [at(i, svg.frac(v, max_value)) for i, v in enumerate(s.values)]
        shade = s.fill_opacity if idx == 0 else 0
        paint: Attrs = {"fill": "#808080", "fill_opacity": shade} if shade else {"fill": "none"}
        body.append(svg.poly("polygon", pts, {**paint, **EDGE, **svg.DASH[s.style]}))
        for (x, y), v in zip(pts, s.values, strict=True):
            body.append(svg.marker(idx, x, y, hollow=svg.finite(v) is None))
    missing = any(svg.finite(v) is None for s in series for v in s.values)
    legend, height = series_legend(series, missing_label if missing else "", size, bottom + 18)
    if svg.clean(note):
        legend.append(svg.text(8, height + 10, svg.fit(note, size - 16), size=SMALL))
        height += LINE
    return svg.document(size, height, title, body + legend)


def _axis_label(
    name: str, i: int, n: int, centre: Point, dist: float, size: int
) -> tuple[list[str], float]:
    """The axis name beside its spoke's end, and where the text ends at the bottom."""
    a = -math.pi / 2 + 2 * math.pi * i / n
    dx, dy = math.cos(a), math.sin(a)
    x, y = centre[0] + dx * dist, centre[1] + dy * dist
    anchor: Anchor
    if abs(dx) < 0.25:  # clear of the neighbouring spokes' labels
        anchor, room = "middle", min(size - 8, 2 * dist * math.sin(2 * math.pi / n) - 28)
    elif dx > 0:
        anchor, room = "start", size - 4 - x
    else:
        anchor, room = "end", x - 4
    lines = svg.wrap(name, room, 2)
    top = y - len(lines) * LINE * (1 - dy) / 2  # above the top spoke, below the bottom one
    texts = [svg.text(x, top + j * LINE + 10.5, line, anchor) for j, line in enumerate(lines)]
    return texts, top + len(lines) * LINE


def series_legend(
    series: Sequence[Series], missing_label: str, width: float, top: float
) -> tuple[list[str], float]:
    """Legend rows from ``top``: line sample, marker and name; returns the chart's height."""
    body: list[str] = []
    x, y = 8.0, top
    entries = [(i, s.name) for i, s in enumerate(series)]
    if svg.clean(missing_label):
        entries.append((-1, missing_label))
    for idx, name in entries:
        label = svg.fit(name, width - 56)
        w = 40 + svg.text_width(label) + 16
        if x > 8 and x + w > width - 8:
            x, y = 8.0, y + 18
        if idx >= 0:
            body.append(
                svg.poly("polyline", [(x, y), (x + 30, y)], {**EDGE, **svg.DASH[series[idx].style]})
            )
        body += [svg.marker(max(idx, 0), x + 15, y, hollow=idx < 0), svg.text(x + 38, y + 4, label)]
        x += w
    return body, y + 14


BARS_WIDTH, PLOT_X, PLOT_W, ROW, BAR_H = 520, 160, 300, 24, 15


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    value_axis_label: str,
    max_value: float = 100,
    reference: float | None = None,
    reference_label: str = "",
) -> str:
    """Horizontal bars with their values, a 0..max axis and an optional reference line."""
    if len(labels) != len(values):
        raise ValueError(f"bars got {len(labels)} labels for {len(values)} values")
    top, bottom = 26, 26 + ROW * max(len(labels), 1)

    def x_of(v: float | None) -> float:
        return PLOT_X + PLOT_W * svg.frac(v, max_value)

    body: list[str] = []
    for k in range(6):
        x = PLOT_X + PLOT_W * k / 5
        body.append(svg.line(x, top, x, bottom + 4, stroke=GRID if k else INK, w=0.6 if k else 1))
        body.append(svg.text(x, bottom + 16, svg.tick(max_value * k / 5), "middle", SMALL))
    body.append(svg.line(PLOT_X, bottom, PLOT_X + PLOT_W, bottom))
    axis_label = svg.fit(value_axis_label, BARS_WIDTH - 16)
    body.append(svg.text(PLOT_X + PLOT_W / 2, bottom + 34, axis_label, "middle"))
    texts: list[str] = []
    for i, (label, raw) in enumerate(zip(labels, values, strict=True)):
        y = top + i * ROW + (ROW - BAR_H) / 2
        texts.append(svg.text(PLOT_X - 6, y + BAR_H / 2 + 4, svg.fit(label, PLOT_X - 14), "end"))
        v = svg.finite(raw)
        if v is not None:
            body.append(svg.rect(PLOT_X, y, x_of(v) - PLOT_X, BAR_H, FILL))
        shown = "—" if v is None else one_decimal(v)
        texts.append(svg.text(x_of(v) + 4, y + BAR_H / 2 + 4, shown, size=SMALL))
    ref = svg.finite(reference)
    if ref is not None:
        x = x_of(ref)
        body.append(svg.el("line", x1=x, y1=top - 6, x2=x, y2=bottom, **_REFERENCE))
        label = svg.fit(f"{svg.clean(reference_label)} {one_decimal(ref)}".strip(), BARS_WIDTH - 8)
        half = svg.text_width(label) / 2
        texts.append(
            svg.text(min(max(x, 4 + half), BARS_WIDTH - 4 - half), top - 10, label, "middle")
        )
    return svg.document(BARS_WIDTH, bottom + 44, title, body + texts)


DIST_WIDTH, DIST_X, DIST_TOP, DIST_BOTTOM = 520, 48, 40, 220


def distribution(
    labels: Sequence[str], counts: Sequence[int], *, title: str, axis_label: str
) -> str:
    """Columns of counts (e.g. firms per maturity level), each count printed above its column."""
    bad = any(isinstance(c, bool) or int(c) != c or c < 0 for c in counts)
    if bad or not labels or len(labels) != len(counts):
        raise ValueError(f"need one whole count >= 0 per label, got {labels!r}, {counts!r}")
    step = _nice_step(max(max(counts), 1))
    top_tick = step * max(1, math.ceil(max(counts) / step))
    plot_w, plot_h = DIST_WIDTH - DIST_X - 12, DIST_BOTTOM - DIST_TOP
    body = [svg.text(8, 16, svg.fit(axis_label, DIST_WIDTH - 16))]
    for tick in range(0, top_tick + 1, step):
        y = DIST_BOTTOM - plot_h * tick / top_tick
        body.append(svg.line(DIST_X, y, DIST_X + plot_w, y, stroke=GRID if tick else INK, w=0.6))
        body.append(svg.text(DIST_X - 6, y + 4, str(tick), "end", SMALL))
    body.append(svg.line(DIST_X, DIST_TOP, DIST_X, DIST_BOTTOM))
    body.append(svg.line(DIST_X, DIST_BOTTOM, DIST_X + plot_w, DIST_BOTTOM))
    slot = plot_w / len(labels)
    col = min(56.0, slot * 0.6)
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        mid = DIST_X + slot * (i + 0.5)
        h = plot_h * count / top_tick
        body.append(svg.rect(mid - col / 2, DIST_BOTTOM - h, col, h, FILL))
        body.append(svg.text(mid, DIST_BOTTOM - h - 4, str(int(count)), "middle"))
        for j, line in enumerate(svg.wrap(label, slot - 6, 2)):
            body.append(svg.text(mid, DIST_BOTTOM + 16 + j * LINE, line, "middle"))
    return svg.document(DIST_WIDTH, DIST_BOTTOM + 16 + 2 * LINE, title, body)


def _nice_step(top: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that reaches ``top`` in at most five steps."""
    return next(int(m * 10**e) for e in range(20) for m in (1, 2, 5) if top <= 5 * m * 10**e)


LANES_WIDTH, PAD, GUTTER, HEAD, GAP, LEFT, RIGHT = 600, 8, 16, 26, 12, 12, 18


@dataclass
class _Lanes:
    """Where the lanes are, and which gaps between boxes an arrow may cross a lane through."""

    x: list[float]
    width: float
    corridors: list[list[float]]
    used: dict[float, int]

    def channel(self, base: float, offsets: tuple[float, ...]) -> float:
        """A vertical track near ``base``, shifted for each arrow already there."""
        self.used[base] = self.used.get(base, -1) + 1
        return base + offsets[self.used[base] % len(offsets)]


def timeline(lanes: Sequence[str], items: Sequence[TimelineItem], *, title: str) -> str:
    """Roadmap: a column per lane, items stacked in their lane, arrows prerequisite → dependant."""
    k = len(lanes)
    lane_of = {item.key: item.lane for item in items}
    if not 1 <= k <= 6 or len(lane_of) != len(items):
        raise ValueError(f"a timeline needs 1 to 6 lanes and distinct item keys, got {k} lanes")
    for item in items:
        if not 0 <= item.lane < k:
            raise ValueError(f"item {item.key!r} is in lane {item.lane}, not one of 0..{k - 1}")
    width = (LANES_WIDTH - 2 * PAD - (k - 1) * GUTTER) / k
    geo = _Lanes([PAD + i * (width + GUTTER) for i in range(k)], width, [], {})
    geo.corridors = [[PAD + HEAD + GAP / 2] for _ in lanes]
    boxes: dict[str, Box] = {}
    texts: dict[str, list[str]] = {}
    ends = [PAD + HEAD + GAP] * k
    for item in items:
        texts[item.key] = svg.wrap_terms(item.text, width - LEFT - RIGHT - 12, 3)
        h = len(texts[item.key]) * LINE + 10
        boxes[item.key] = (geo.x[item.lane] + LEFT, ends[item.lane], width - LEFT - RIGHT, h)
        ends[item.lane] += h + GAP
        geo.corridors[item.lane].append(ends[item.lane] - GAP / 2)
    height = max(*ends, PAD + HEAD + 40) + PAD
    body: list[str] = []
    for x, lane in zip(geo.x, lanes, strict=True):
        body.append(svg.rect(x, PAD, width, height - 2 * PAD, "#f2f2f2", stroke=GRID))
        body.append(svg.rect(x, PAD, width, HEAD, "#dcdcdc", stroke=GRID))
        label = svg.fit(lane, width - 12)
        body.append(svg.el("text", label, x=x + width / 2, y=PAD + 17.5, **_HEADER))
    heads: list[str] = []
    for item in items:
        for before in dict.fromkeys(item.after):
            if before in boxes and before != item.key:
                lanes_ab = (lane_of[before], item.lane)
                pts = _route(boxes[before], boxes[item.key], lanes_ab, geo)
                body.append(svg.poly("polyline", pts, _ARROW))
                (px, _), (x2, y2) = pts[-2], pts[-1]
                d = 7.0 if x2 > px else -7.0
                barb = [(x2, y2), (x2 - d, y2 - 3.5), (x2 - d, y2 + 3.5)]
                heads.append(svg.poly("polygon", barb, {"fill": INK}))
    for item in items:
        bx, by, bw, bh = boxes[item.key]
        body.append(svg.rect(bx, by, bw, bh, "#ffffff"))
        body += [svg.text(bx + 6, by + 15.5 + j * LINE, t) for j, t in enumerate(texts[item.key])]
    return svg.document(LANES_WIDTH, height, title, body + heads)


def _route(src: Box, dst: Box, lanes_ab: tuple[int, int], geo: _Lanes) -> list[Point]:
    """An arrow's corners: through gutters and the free rows between boxes, never across a box."""
    (sx, sy, sw, sh), (dx, dy, dw, dh) = src, dst
    a, b = lanes_ab
    if a == b:  # same lane: down the lane's right margin, clear of the mid-height ends
        c = geo.channel(sx + sw + 5, (0, 4, 8))
        return [(sx + sw, sy + sh - 6), (c, sy + sh - 6), (c, dy + 6), (sx + sw, dy + 6)]
    step, y, y2 = (1 if b > a else -1), sy + sh / 2, dy + dh / 2
    pts = [(sx + sw if step > 0 else sx, y)]
    for lane in range(a + step, b + step, step):
        edge = geo.x[lane] - GUTTER / 2 if step > 0 else geo.x[lane] + geo.width + GUTTER / 2
        g = geo.channel(edge, (0, -4, 4))
        row = y2 if lane == b else min(geo.corridors[lane], key=lambda c: abs(c - y) + abs(c - y2))
        pts += [(g, y), (g, row)]
        y = row
    return [*pts, (dx if step > 0 else dx + dw, y2)]
