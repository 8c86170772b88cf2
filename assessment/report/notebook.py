"""How results look in a notebook: HTML for a score card and a list of recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..display import period
from ..models.common import Lang, TextValue
from ..models.results import Recommendation, RecommendationList, ScoreCard

T = TextValue
_CARD_HEADER = (
    T(zh="编号", en="id"),
    T(zh="维度", en="dimension"),
    T(zh="得分", en="score"),
    T(zh="覆盖率", en="coverage"),
    T(zh="备注", en="note"),
)
_NOT_IN_OVERALL = T(zh="不计入总分", en="not in the overall score")
_RECOMMENDATION_HEADER = (
    T(zh="排名", en="rank"),
    T(zh="编号", en="id"),
    T(zh="场景", en="scenario"),
    T(zh="时段", en="when"),
    T(zh="优先级", en="priority"),
    T(zh="必选", en="mandatory"),
    T(zh="投入档次", en="cost band"),
    T(zh="企业承担", en="cost to the firm"),
    T(zh="周期（月）", en="months"),
    T(zh="计划年度", en="plan year"),
    T(zh="暂缓原因", en="why later"),
    T(zh="触发答案", en="triggered by"),
)
_NONE = T(zh="没有推荐的场景。", en="No scenarios recommended.")
_YES_NO = {True: T(zh="是", en="yes"), False: T(zh="否", en="no")}


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def card_html(card: ScoreCard, lang: Lang = "zh") -> str:
    """The level and overall score, the radar of dimension scores (our SVG) and the table."""
    from .content import radar_svg

    overall, coverage = _num(card.overall), f"{card.coverage:.0%}"
    score = T(
        zh=f"总分 {overall}（覆盖率 {coverage}）", en=f"overall {overall} (coverage {coverage})"
    )
    heading = (
        f"<h4>{escape(card.firm.name)} · {escape(period(card.period, lang))} · "
        f"{escape(card.level_name[lang])} · {escape(score[lang])}</h4>"
    )
    rows = [
        [
            escape(d.id),
            escape(d.label[lang]),
            _num(d.score),
            f"{d.coverage:.0%}",
            "" if d.scored else escape(_NOT_IN_OVERALL[lang]),
        ]
        for d in card.dimensions
    ]
    table = _table([h[lang] for h in _CARD_HEADER], rows)
    scored = [d for d in card.dimensions if d.scored]
    radar = radar_svg(card, None, lang) if 3 <= len(scored) <= 12 else ""
    return f'<div class="dtm-card">{heading}<div>{radar}</div>{table}</div>'


def _firm_cost(rec: Recommendation, lang: Lang) -> str:
    from .plan_view import money, range_text

    low, high = rec.firm_cost_min, rec.firm_cost_max
    if low is None:
        return "—"
    if high is None:
        return f"{money(low, lang)} 万元以上" if lang == "zh" else f"CNY {money(low, lang)}+"
    return range_text(low, high, lang)


def _recommendation_row(rec: Recommendation, names: dict[str, TextValue], lang: Lang) -> list[str]:
    from .content import COST_BANDS, SLOTS
    from .plan_view import reason_text

    band = COST_BANDS.get(rec.cost_band)
    cells = [
        str(rec.rank),
        rec.scenario,
        rec.name[lang],
        SLOTS[rec.slot][lang],
        f"{rec.priority:.2f}",
        _YES_NO[rec.mandatory][lang],
        band[lang] if band else rec.cost_band,
        _firm_cost(rec, lang),
        str(rec.duration_months),
        "—" if rec.year is None else str(rec.year),
        reason_text(rec, names, lang) if rec.deferred else "",
        ", ".join(t.question for t in rec.triggered_by),
    ]
    return [escape(c) for c in cells]


def recommendations_html(recs: RecommendationList, lang: Lang = "zh") -> str:
    """The ranked scenarios as a table: rank, name, slot, priority, cost, plan and the answers
    behind them."""
    if not recs:
        return f"<p>{escape(_NONE[lang])}</p>"
    names = {r.scenario: r.name for r in recs}
    rows = [_recommendation_row(r, names, lang) for r in recs]
    return _table([h[lang] for h in _RECOMMENDATION_HEADER], rows)


def notebook_html(shown: object, lang: Lang = "zh") -> str:
    """A score card or a list of recommendations as HTML in `lang`; anything else as its `repr`."""
    if isinstance(shown, ScoreCard):
        return card_html(shown, lang)
    if isinstance(shown, RecommendationList):
        return recommendations_html(shown, lang)
    return f"<pre>{escape(repr(shown))}</pre>"
