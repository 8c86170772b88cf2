"""How results look in a notebook: HTML for a score card and a list of recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from .models.common import Lang
from .models.results import Recommendation, ScoreCard


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def card_html(card: ScoreCard, lang: Lang = "zh") -> str:
    """The level and overall score, the radar of dimension scores (our SVG) and the table."""
    from .report.content import radar_svg

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


def recommendation_rows(recs: Sequence[Recommendation], lang: Lang = "zh") -> list[dict[str, Any]]:
    """Plain rows for a table or a DataFrame, best first."""
    return [
        {
            "rank": r.rank,
            "scenario": r.scenario,
            "name": r.name[lang],
            "slot": r.slot,
            "priority": r.priority,
            "mandatory": r.mandatory,
            "cost_band": r.cost_band,
            "triggered_by": ", ".join(t.question for t in r.triggered_by),
        }
        for r in recs
    ]


def recommendations_html(recs: Sequence[Recommendation], lang: Lang = "zh") -> str:
    rows = recommendation_rows(recs, lang)
    if not rows:
        return "<p>No scenarios recommended.</p>"
    header = list(rows[0])
    shown = [{**row, "priority": f"{row['priority']:.2f}"} for row in rows]
    cells = [[escape(str(row[key])) for key in header] for row in shown]
    return _table(header, cells)
