"""SVG building blocks for every chart: elements, text fitted and wrapped, markers, line styles.

Attribute values are numbers computed here or constants, never caller text; caller text only ever
becomes escaped character data, with characters XML cannot hold dropped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Literal
from xml.sax.saxutils import escape

Anchor = Literal["start", "middle", "end"]
Point = tuple[float, float]
Attrs = dict[str, float | str]

FONT = "Noto Sans CJK SC, sans-serif"
TEXT, SMALL, LINE = 11, 10, 14  # viewBox px; printed at >= 90% of the width, text stays >= 9 px
INK, GRID, FILL = "#000000", "#a0a0a0", "#c4c4c4"
DASH: dict[str, Attrs] = {
    "solid": {},
    "dashed": {"stroke_dasharray": "7 4"},
    "dotted": {"stroke_dasharray": "0.1 4", "stroke_linecap": "round"},
}
# Characters XML 1.0 forbids, and lone surrogates that cannot be encoded: dropped, not escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NO_LINE_START = frozenset("，。、；：！？）》」』】,.;:!?)%")
_NO_LINE_END = frozenset("（《「『【(")


def num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def tick(v: float) -> str:
    return str(round(v)) if abs(v - round(v)) < 1e-9 else f"{v:.1f}"


def finite(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


def frac(v: float | None, top: float) -> float:
    """Where ``v`` sits on a 0..top scale, clamped; missing or NaN values sit at 0."""
    if not (math.isfinite(top) and top > 0):
        raise ValueError(f"max_value must be a positive number, not {top!r}")
    v = finite(v)
    return 0.0 if v is None else min(max(v / top, 0.0), 1.0)


def clean(text: str) -> str:
    return " ".join(_NOT_XML.sub("", str(text)).split())


def em(ch: str) -> float:
    # Generous estimates of Noto Sans glyph widths, so that fitted text never overflows.
    if unicodedata.east_asian_width(ch) in "WFA":
        return 1.0
    if ch in " .,:;'!|()[]ijlrtf":
        return 0.34
    return 0.68 if ch.isupper() or ch.isdigit() or ch in "mw%@&#" else 0.56


def text_width(text: str) -> float:
    return sum(em(ch) for ch in text) * TEXT


def fit(text: str, width: float) -> str:
    """The text, cut and ended with … if it is wider than ``width``."""
    text = clean(text)
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def can_break(last: str, ch: str) -> bool:
    if ch == " " or ch in _NO_LINE_START or last in _NO_LINE_END:
        return False
    return last in " -/" or any(unicodedata.east_asian_width(c) in "WF" for c in (last, ch))


def greedy(text: str, width: float) -> list[str]:
    tokens: list[str] = []  # Latin words (split after - or /) and single CJK characters
    for ch in text:
        if tokens and not can_break(tokens[-1][-1], ch):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines = [""]
    for token in tokens:
        if lines[-1] and text_width((lines[-1] + token).rstrip()) > width:
            lines.append(token.lstrip())
        else:
            lines[-1] += token
    return [line.rstrip() for line in lines]


def wrap(text: str, width: float, max_lines: int) -> list[str]:
    """At most ``max_lines`` lines of even length; the last one ends with … if cut."""
    text = clean(text)
    lines = greedy(text, width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + "…"]
    while 1 < len(lines) <= max_lines:
        narrower = max(map(text_width, lines)) - 1
        tighter = greedy(text, narrower)
        if len(tighter) != len(lines) or max(map(text_width, tighter)) > narrower:
            break
        lines = tighter
    return [fit(line, width) for line in lines]


_TERM_END = set("与和及、，,/ ")  # a Chinese name may break after these without splitting a term


def term_parts(text: str) -> list[str]:
    """`text` cut where a Chinese name may break without splitting a term: after 与, 和, 及, 、,
    a comma, a slash or a space, and before an opening bracket; joined, the parts are `text`."""
    parts = [""]
    for ch in text:
        if ch in "（(" and parts[-1]:
            parts.append("")
        parts[-1] += ch
        if ch in _TERM_END:
            parts.append("")
    return [p for p in parts if p]


def wrap_terms(text: str, width: float, max_lines: int) -> list[str]:
    """Like `wrap`, but a line breaks only between terms (after 与, 和, 及, 、, a space, or
    before a bracket) when the text fits that way, so that no term is split across lines
    (`数字化转型规划` stays whole); otherwise as `wrap`."""
    text = clean(text)
    parts = term_parts(text)
    if any(text_width(p.rstrip()) > width for p in parts):
        return wrap(text, width, max_lines)
    lines = [""]
    for part in parts:
        if lines[-1] and text_width((lines[-1] + part).rstrip()) > width:
            lines.append(part.lstrip())
        else:
            lines[-1] += part
    if len(lines) > max_lines:
        return wrap(text, width, max_lines)
    return [line.rstrip() for line in lines]


def el(tag: str, content: str | None = None, /, **attrs: float | str) -> str:
    """One element. Attribute values are numbers computed here or constants, never caller text."""
    pairs = "".join(
        f' {k.replace("_", "-")}="{v if isinstance(v, str) else num(v)}"' for k, v in attrs.items()
    )
    if content is None:
        return f"<{tag}{pairs}/>"
    text = escape(_NOT_XML.sub("", content), {'"': "&quot;"})
    return f"<{tag}{pairs}>{text}</{tag}>"


def document(width: float, height: float, title: str, body: Iterable[str]) -> str:
    w, h = num(width), num(height)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        f' role="img" font-family="{FONT}" font-size="{TEXT}">'
    )
    return "\n".join([head, el("title", clean(title)), *body, "</svg>"]) + "\n"


def text(x: float, y: float, text: str, anchor: Anchor = "start", size: int = TEXT) -> str:
    return el("text", text, x=x, y=y, font_size=size, text_anchor=anchor)


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = INK, w: float = 1) -> str:
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=w)


def rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = INK) -> str:
    return el("rect", x=x, y=y, width=w, height=h, fill=fill, stroke=stroke, stroke_width=0.8)


def poly(tag: str, points: Iterable[Point], attrs: Attrs) -> str:
    return el(tag, points=" ".join(f"{num(x)},{num(y)}" for x, y in points), **attrs)


def marker(shape: int, x: float, y: float, *, hollow: bool) -> str:
    paint: Attrs = {"fill": "#ffffff" if hollow else INK, "stroke": INK, "stroke_width": 1.2}
    if shape % 3 == 0:
        return el("circle", cx=x, cy=y, r=3.2, **paint)
    if shape % 3 == 1:
        return el("rect", x=x - 3, y=y - 3, width=6, height=6, **paint)
    return poly("polygon", [(x, y - 4.2), (x + 4.2, y), (x, y + 4.2), (x - 4.2, y)], paint)
