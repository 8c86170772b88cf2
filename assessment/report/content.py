"""What the reports say: plain bilingual data built from an assessment, for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.pipeline import Assessment
from ..models.common import Lang, TextValue
from ..models.questionnaire import CountRule, Question, Questionnaire
from ..models.results import QuestionResult, ScoreCard
from ..park.peers import PeerAverages
from . import charts, i18n

T = TextValue
_STATUS: dict[str, TextValue] = {
    "not_applicable": T(zh="不适用", en="Not applicable"),
    "unknown": T(zh="不知道", en="Don't know"),
    "skipped": T(zh="（未询问）", en="(not asked)"),
    "unanswered": T(zh="（未回答）", en="(no answer)"),
}
COST_BANDS: dict[str, TextValue] = {
    "low": T(zh="低（10 万元以下）", en="Low (under CNY 100k)"),
    "medium": T(zh="中（10–50 万元）", en="Medium (CNY 100k–500k)"),
    "high": T(zh="高（50 万元以上）", en="High (over CNY 500k)"),
}
HIGHER_IS_BETTER = T(
    zh="各维度均按分数越高越好计分（0–100）", en="Every dimension: higher is better (0–100)"
)
SLOTS: dict[str, TextValue] = {
    "now": T(zh="立即启动", en="Now"),
    "next": T(zh="下季度", en="Next quarter"),
    "later": T(zh="后续", en="Later"),
}


def _fmt(value: float, lang: Lang) -> str:
    return i18n.number(value, lang, 0 if float(value).is_integer() else 1)


def answer_text(q: Questionnaire, question: Question, result: QuestionResult) -> TextValue:
    """The answer as a person reads it: choice labels, yes/no, a level and its descriptor."""
    if result.status in _STATUS:
        return _STATUS[result.status]
    value = result.value
    if value is None:
        return T(zh="—", en="—")
    kind = question.type
    if kind in ("single", "multi"):
        picked = value if isinstance(value, list) else [value]
        labels = {c.id: c.label for c in q.choices_of(question)}
        chosen = [labels[p] for p in picked if p in labels]
        return T(
            zh="、".join(c.zh for c in chosen) or "—", en="; ".join(c.en for c in chosen) or "—"
        )
    if kind == "yesno":
        yes = value in ("yes", True)
        return T(zh="是" if yes else "否", en="Yes" if yes else "No")
    if kind == "ordinal":
        descriptor = next((d.text for d in question.descriptors or [] if d.level == value), None)
        level = int(float(str(value)))
        return T(
            zh=f"{level} 级" + (f"：{descriptor.zh}" if descriptor else ""),
            en=f"Level {level}" + (f": {descriptor.en}" if descriptor else ""),
        )
    if kind in ("number", "percent") and isinstance(value, int | float):
        unit = question.unit or (T(zh="%", en="%") if kind == "percent" else None)
        return T(
            zh=_fmt(value, "zh") + (f" {unit.zh}" if unit else ""),
            en=_fmt(value, "en") + (f" {unit.en}" if unit else ""),
        )
    return T(zh=str(value), en=str(value))


@dataclass(frozen=True)
class Row:
    """One question as the reports show it."""

    id: str
    text: TextValue
    answer: TextValue
    score: float | None
    scored: bool
    status: str
    note: str | None
    evidence: list[str]
    evidence_needed: TextValue | None
    contribution: float


def rows(a: Assessment) -> dict[str, Row]:
    q = a.questionnaire
    found = {}
    for result in a.card.questions():
        question = q.question_map[result.id]
        found[result.id] = Row(
            id=result.id,
            text=question.text,
            answer=answer_text(q, question, result),
            score=result.score if question.scored else None,
            scored=question.scored,
            status=result.status,
            note=result.note,
            evidence=result.evidence,
            evidence_needed=question.evidence,
            contribution=result.contribution,
        )
    return found


def _ranked_indicators(card: ScoreCard) -> list[tuple[Any, Any]]:
    pairs = [(d, i) for d in card.dimensions for i in d.indicators if i.score is not None]
    return sorted(pairs, key=lambda p: (-(p[1].score or 0), p[1].id))


def strengths_and_gaps(card: ScoreCard, n: int = 3) -> tuple[list[Any], list[Any]]:
    ranked = _ranked_indicators(card)
    strengths = ranked[:n]
    gaps = [p for p in reversed(ranked) if p not in strengths][:n]
    return strengths, gaps


def paper_processes(a: Assessment) -> list[dict[str, Any]]:
    """Each business process asked about in the paper-ledger dimension: on paper or not."""
    q, card = a.questionnaire, a.card
    found = []
    dimension = next((d for d in q.dimensions if d.id == "paper_ledger"), None)
    if dimension is None:
        return []
    for indicator in dimension.indicators:
        for question in indicator.questions:
            if question.type != "multi" or not question.reverse:
                continue
            result = card.question(question.id)
            picked = set(result.value) if isinstance(result.value, list) else set()
            known = result.status == "answered"
            for choice in q.choices_of(question):
                if choice.exclusive:
                    continue
                found.append(
                    {
                        "question": question.text,
                        "process": choice.label,
                        "on_paper": choice.id in picked,
                        "known": known,
                    }
                )
    return found


def radar_svg(card: ScoreCard, peers: PeerAverages | None, lang: Lang) -> str:
    dims = [d for d in card.dimensions if d.scored]
    labels = [d.label.get(lang) for d in dims]
    you = T(zh="本企业", en="This firm").get(lang)
    series = [charts.Series(you, [d.score for d in dims], "solid")]
    if peers and peers.industry_count > 1:
        name = T(
            zh=f"行业均值（{peers.industry_count} 家）",
            en=f"Industry average ({peers.industry_count} firms)",
        ).get(lang)
        series.append(charts.Series(name, [peers.industry.get(d.id) for d in dims], "dashed", 0))
    if peers and peers.park_count > 1:
        name = T(
            zh=f"园区均值（{peers.park_count} 家）", en=f"Park average ({peers.park_count} firms)"
        ).get(lang)
        series.append(charts.Series(name, [peers.park.get(d.id) for d in dims], "dotted", 0))
    title = T(zh="各维度得分", en="Dimension scores").get(lang)
    return charts.radar(labels, series, title=title, note=HIGHER_IS_BETTER.get(lang))


def indicator_bars_svg(dimension: Any, park_average: float | None, lang: Lang) -> str:
    return charts.bars(
        [i.label.get(lang) for i in dimension.indicators],
        [i.score for i in dimension.indicators],
        title=T(
            zh=f"{dimension.label.zh}：各指标得分", en=f"{dimension.label.en}: indicator scores"
        ).get(lang),
        value_axis_label=T(
            zh="得分（0–100，分数越高越好）", en="Score (0–100, higher is better)"
        ).get(lang),
        reference=park_average,
        reference_label=T(zh="园区维度均值", en="Park average").get(lang) if park_average else "",
    )


def change(card: ScoreCard, previous: ScoreCard | None) -> dict[str, Any] | None:
    """Scores and level now against the previous period, when it is known."""
    if previous is None:
        return None
    dims = []
    for d in card.dimensions:
        try:
            before = previous.node(d.id).score
        except KeyError:
            before = None
        delta = None if before is None or d.score is None else d.score - before
        dims.append({"label": d.label, "before": before, "now": d.score, "delta": delta})
    overall_delta = (
        None
        if previous.overall is None or card.overall is None
        else (card.overall - previous.overall)
    )
    return {
        "period": previous.period,
        "level_before": previous.level.name if previous.level else previous.not_rated,
        "overall_before": previous.overall,
        "overall_delta": overall_delta,
        "dimensions": dims,
    }


def scenario_levels(a: Assessment) -> dict[str, Any] | None:
    """The scenarios rated by level (ordinal questions tagged `scenario`), mandatory first, with
    the level the next level asks of them when a count rule says so."""
    q, card = a.questionnaire, a.card
    items = q.tagged("scenario")
    if not items:
        return None
    bar = None
    if card.next_level is not None:
        rules = q.levels[card.next_level.rank - 1].rules
        bar = next(
            (r.level for r in rules if isinstance(r, CountRule) and r.level is not None), None
        )
    found: dict[str, list[dict[str, Any]]] = {"mandatory": [], "guiding": []}
    for question in items:
        if question.type != "ordinal":
            continue
        result = card.question(question.id)
        value = result.value if isinstance(result.value, int | float) else None
        level = None if value is None or isinstance(value, bool) else int(value)
        descriptor = next((d.text for d in question.descriptors or [] if d.level == level), None)
        found["mandatory" if question.mandatory else "guiding"].append(
            {
                "group": card.node(result.indicator).label,
                "text": question.text,
                "level": level,
                "max_level": question.max_level,
                "descriptor": descriptor,
                "status": result.status,
                "meets": None if bar is None or level is None else level >= bar,
            }
        )
    return {"bar": bar, **found}
