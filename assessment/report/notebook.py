"""How results look in a notebook: HTML for a score card and a list of recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..models.common import Lang
from ..models.results import RecommendationList, ScoreCard


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def card_html(card: ScoreCard, lang: Lang = "zh") -> str:
    """The level and overall score, the radar of dimension scores (our SVG) and the table."""
    from .content import radar_svg

    name = card.level_name
    heading = (
        f"<h4>{escape(card.firm.name)} · {escape(card.period)} · "
        f"{escape(name.zh)} {escape(name.en)} · overall {_num(card.overall)} "
        f"(coverage {card.coverage:.0%})</h4>"
    )
    rows = [
        [
            escape(d.id),
            escape(d.label[lang]),
            _num(d.score),
            f"{d.coverage:.0%}",
            "" if d.scored else "not in overall",
        ]
        for d in card.dimensions
    ]
    table = _table(["dimension", "label", "score", "coverage", ""], rows)
    scored = [d for d in card.dimensions if d.scored]
    radar = radar_svg(card, None, lang) if 3 <= len(scored) <= 12 else ""
    return f'<div class="dtm-card">{heading}<div>{radar}</div>{table}</div>'


def recommendations_html(recs: RecommendationList, lang: Lang = "zh") -> str:
    """The ranked scenarios as a table: rank, name, slot, priority and the answers behind them."""
    rows = recs.rows(lang)
    if not rows:
        return "<p>No scenarios recommended.</p>"
    header = list(rows[0])
    shown = [{**row, "priority": f"{row['priority']:.2f}"} for row in rows]
    cells = [[escape(str(row[key])) for key in header] for row in shown]
    return _table(header, cells)


def notebook_html(shown: object) -> str:
    """A score card or a list of recommendations as HTML; anything else as its `repr`."""
    if isinstance(shown, ScoreCard):
        return card_html(shown)
    if isinstance(shown, RecommendationList):
        return recommendations_html(shown)
    return f"<pre>{escape(repr(shown))}</pre>"
