"""Scores one answer sheet: question → indicator → dimension → overall, with the full trace."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationFailed
from ..files.locator import Locator, Reporter
from ..models.answers import NOT_APPLICABLE, UNKNOWN, AnswerSheet
from ..models.common import TextValue
from ..models.questionnaire import Dimension, Indicator, Interpretation, Question, Questionnaire
from ..models.results import ScoreCard, Status
from . import levels as levels_mod
from .answercheck import check_answers, firm_facts
from .loader import checked_already, mark_checked, plan_of
from .plan import Values, work_out

_NOT_RATED = TextValue(zh="未评级", en="Not rated")


def max_points(q: Questionnaire, question: Question) -> float:
    """The most points a question can give on its own scale (worked out once per question)."""
    cache = plan_of(q).max_points
    if question.id not in cache:
        cache[question.id] = _max_points(q, question)
    return float(cache[question.id])


def _max_points(q: Questionnaire, question: Question) -> float:
    kind = question.type
    if kind == "single":
        return max(c.points for c in q.choices_of(question))
    if kind == "multi":
        total = sum(c.points for c in q.choices_of(question))
        return min(total, question.max) if question.max is not None else total
    if kind in ("number", "percent"):
        if question.bands:
            return max(b.points for b in question.bands)
        if question.map:
            return max(y for _, y in question.map)
        return 100.0
    if kind == "yesno":
        return max((question.points or {"yes": 1.0}).values())
    return float(question.max_level)


# Figures computed in binary floating point miss decimal band edges by a hair (740.7 / 1234.5 * 100
# gives 60.00000000000001, not 60): they are snapped to this many decimal places before they are
# compared with an edge, so a figure exactly on an edge falls in the band the text gives it.
EDGE_DIGITS = 9


def at_edge(value: float) -> float:
    """`value` as compared with band edges: rounded to EDGE_DIGITS decimal places."""
    return round(value, EDGE_DIGITS)


def earned_points(q: Questionnaire, question: Question, value: Any) -> float:
    """Points for a value (before reverse scoring); `value` is what `plan.raw_value` gives."""
    kind = question.type
    if kind in ("single", "multi"):
        picked = set(value) if isinstance(value, tuple) else {value}
        total = sum(c.points for c in q.choices_of(question) if c.id in picked)
        return min(total, max_points(q, question))
    if kind == "yesno":
        points = question.points or {"yes": 1.0, "no": 0.0}
        return points.get("yes" if value else "no", 0.0)
    if kind == "ordinal":
        return float(value)
    number = at_edge(float(value))
    if question.bands:
        bands = question.bands
        if number <= bands[0].min:
            return bands[0].points
        index = bisect_left([b.max for b in bands], number)
        return bands[min(index, len(bands) - 1)].points
    if question.map:
        return _interpolate(question.map, number)
    return max(0.0, min(number, 100.0))


def _interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


@dataclass
class _Leaf:
    question: Question
    status: Status
    fraction: float | None  # None: not part of the score
    covered: bool
    applicable: bool
    value: Any
    points: float | None
    max_points: float


def _leaf(
    q: Questionnaire,
    question: Question,
    sheet: AnswerSheet,
    values: Values,
    figures_unknown: bool = False,
) -> _Leaf:
    answer = sheet.answers.get(question.id)
    raw = answer.value if answer is not None else None
    value = values.values.get(question.id)
    top = max_points(q, question) if question.scored else 0.0
    status: Status
    if not values.shown.get(question.id, True):
        worst = question.if_skipped == "worst" and question.scored
        return _Leaf(
            question,
            "skipped",
            0.0 if worst else None,
            worst,
            worst,
            None,
            0.0 if worst else None,
            top,
        )
    if question.compute is not None:
        # Not applicable when the figures make it meaningless (no devices at all), but a figure
        # answered "don't know" keeps it unknown: it counts as 0, as that answer would.
        if value is None and question.allow_na and not figures_unknown:
            return _Leaf(question, "not_applicable", None, False, False, None, None, top)
        status = "computed" if value is not None else "unknown"
    elif raw == NOT_APPLICABLE:
        return _Leaf(question, "not_applicable", None, False, False, raw, None, top)
    elif raw == UNKNOWN:
        status = "unknown"
    elif value is None:
        return _Leaf(question, "unanswered", None, False, question.scored, None, None, top)
    else:
        status = "answered"
    if not question.scored:
        return _Leaf(question, status, None, status != "unknown", False, value, None, top)
    if value is None:  # unknown, or a computed value whose figures are missing
        return _Leaf(question, status, 0.0, False, True, raw, 0.0, top)
    earned = earned_points(q, question, value)
    fraction = earned / top if top > 0 else 0.0
    if question.reverse:
        fraction = 1.0 - fraction
    shown = value if status == "computed" or question.type != "multi" else list(value)
    return _Leaf(question, status, fraction, True, True, shown, fraction * top, top)


def _interpret(bands: Sequence[Interpretation], score: float | None) -> TextValue | None:
    if score is None:
        return None
    # The same convention as number bands: (min, max], the first band also taking its min.
    score = at_edge(score)
    for i, band in enumerate(bands):
        if band.min < score <= band.max or (i == 0 and score == band.min):
            return band.text
    return None


def _roll(parts: list[tuple[float, float | None, float, bool]]) -> tuple[float | None, float, bool]:
    """(weight, score or None, coverage, applicable) of children → score, coverage, applicable."""
    scored = [(w, s) for w, s, _, _ in parts if s is not None]
    total = sum(w for w, _ in scored)
    score = sum(w * s for w, s in scored) / total if total > 0 else None
    applicable = [(w, c) for w, _, c, a in parts if a]
    weight = sum(w for w, _ in applicable)
    coverage = sum(w * c for w, c in applicable) / weight if weight > 0 else 0.0
    return score, coverage, bool(applicable)


def score(
    questionnaire: Questionnaire, answers: AnswerSheet, *, partial: bool = False
) -> ScoreCard:
    """Score one firm's answers. Raises ValidationFailed when the answers do not fit.

    With `partial=True` missing answers are allowed (a draft on a site visit) and lower coverage.
    """
    plan = plan_of(questionnaire)
    if checked_already(answers, questionnaire, partial):
        values = work_out(questionnaire, plan, answers.answers, firm_facts(answers))
    else:
        report = Reporter(Locator(f"<answers {answers.firm.credit_code} {answers.period}>"))
        values = check_answers(questionnaire, plan, answers, report, partial=partial)
        if report.problems:
            raise ValidationFailed(report.problems.problems)
        mark_checked(answers, questionnaire, partial)
    unknown = {qid for qid, answer in answers.answers.items() if answer.value == UNKNOWN}
    leaves = {
        q.id: _leaf(
            questionnaire,
            q,
            answers,
            values,
            q.id in plan.compute and bool(plan.compute[q.id].names & unknown),
        )
        for q in questionnaire.questions()
    }
    tree = [_dimension(d, leaves) for d in questionnaire.dimensions]
    overall, coverage, _ = _roll(
        [
            (d.weight, s, c, a)
            for d, (s, c, a, _) in zip(questionnaire.dimensions, tree, strict=True)
            if d.scored
        ]
    )
    dimensions = _with_shares(questionnaire, tree, leaves, answers)
    flags = [
        dict(
            question=leaf.question.id,
            code="unknown",
            message=dict(
                zh=f"“{leaf.question.text.zh}”答为不知道，按 0 分计",
                en=f"'{leaf.question.text.en}' was answered 'unknown' and counts as 0",
            ),
        )
        for leaf in leaves.values()
        if leaf.status == "unknown" and leaf.question.scored
    ] + [
        dict(
            question=leaf.question.id,
            code="unanswered",
            message=dict(
                zh=f"“{leaf.question.text.zh}”尚未回答",
                en=f"'{leaf.question.text.en}' has no answer",
            ),
        )
        for leaf in leaves.values()
        if leaf.status == "unanswered" and leaf.question.required
    ]
    card: dict[str, Any] = {
        "questionnaire": {
            "id": questionnaire.id,
            "version": questionnaire.version,
            "content_hash": questionnaire.content_hash,
            "title": questionnaire.title,
        },
        "firm": answers.firm,
        "period": answers.period,
        "assessor": answers.assessor,
        "assessed_on": answers.assessed_on,
        "overall": _round(overall),
        "coverage": round(coverage, 4),
        "dimensions": dimensions,
        "not_rated": questionnaire.not_rated or _NOT_RATED,
        "computed": {c.id: values.values.get(c.id) for c in questionnaire.computed},
        "flags": flags,
    }
    card.update(levels_mod.rate(questionnaire, plan, card, values))
    # Built as plain data and validated once: much faster than a model per node.
    result = ScoreCard.model_validate(card)
    if not questionnaire.demonstration:
        return result
    from .eligibility import eligibility

    return result.model_copy(update={"demonstration": eligibility(questionnaire, plan, result)})


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


_Rolled = tuple[float | None, float, bool, list[tuple[float | None, float, bool]]]


def _dimension(dimension: Dimension, leaves: dict[str, _Leaf]) -> _Rolled:
    indicators = [_indicator(i, leaves) for i in dimension.indicators]
    score_, coverage, applicable = _roll(
        [(i.weight, s, c, a) for i, (s, c, a) in zip(dimension.indicators, indicators, strict=True)]
    )
    return score_, coverage, applicable, indicators


def _indicator(indicator: Indicator, leaves: dict[str, _Leaf]) -> tuple[float | None, float, bool]:
    parts = []
    for question in indicator.questions:
        leaf = leaves[question.id]
        if question.scored:
            fraction = None if leaf.fraction is None else leaf.fraction * 100
            parts.append((question.weight, fraction, 1.0 if leaf.covered else 0.0, leaf.applicable))
    return _roll(parts)


def _shares(siblings: list[tuple[float, float | None]], parent: float) -> list[float]:
    """Each sibling's share of the overall score: its weight among those with a score."""
    total = sum(w for w, s in siblings if s is not None)
    return [parent * w / total if total > 0 and s is not None else 0.0 for w, s in siblings]


def _with_shares(
    q: Questionnaire, tree: list[_Rolled], leaves: dict[str, _Leaf], sheet: AnswerSheet
) -> list[dict[str, Any]]:
    d_shares = _shares(
        [(d.weight, t[0] if d.scored else None) for d, t in zip(q.dimensions, tree, strict=True)],
        1.0,
    )
    result: list[dict[str, Any]] = []
    for d_i, (dimension, (d_score, d_cov, _, indicators)) in enumerate(
        zip(q.dimensions, tree, strict=True)
    ):
        d_share = d_shares[d_i]
        i_shares = _shares(
            [(i.weight, t[0]) for i, t in zip(dimension.indicators, indicators, strict=True)],
            d_share,
        )
        built = []
        for i_i, (indicator, (i_score, i_cov, _)) in enumerate(
            zip(dimension.indicators, indicators, strict=True)
        ):
            i_share = i_shares[i_i]
            q_shares = _shares(
                [
                    (qq.weight, leaves[qq.id].fraction if qq.scored else None)
                    for qq in indicator.questions
                ],
                i_share,
            )
            questions = [
                _question_result(leaves[qq.id], dimension.id, indicator.id, sheet, q_share)
                for qq, q_share in zip(indicator.questions, q_shares, strict=True)
            ]
            built.append(
                dict(
                    id=indicator.id,
                    label=indicator.score_label or indicator.label,
                    weight=indicator.weight,
                    score=_round(i_score),
                    coverage=round(i_cov, 4),
                    share=round(i_share, 6),
                    points=round(i_share * (i_score or 0.0), 4),
                    interpretation=_interpret(indicator.interpretation, i_score),
                    questions=questions,
                )
            )
        result.append(
            dict(
                id=dimension.id,
                label=dimension.score_label or dimension.label,
                weight=dimension.weight,
                score=_round(d_score),
                coverage=round(d_cov, 4),
                share=round(d_share, 6),
                points=round(d_share * (d_score or 0.0), 4),
                interpretation=_interpret(dimension.interpretation, d_score),
                scored=dimension.scored,
                indicators=built,
            )
        )
    return result


def _question_result(
    leaf: _Leaf, dimension: str, indicator: str, sheet: AnswerSheet, share: float
) -> dict[str, Any]:
    answer = sheet.answers.get(leaf.question.id)
    fraction = leaf.fraction
    return dict(
        id=leaf.question.id,
        dimension=dimension,
        indicator=indicator,
        type=leaf.question.type,
        status=leaf.status,
        value=leaf.value,
        note=answer.note if answer else None,
        evidence=list(answer.evidence) if answer else [],
        scored=leaf.question.scored,
        points=None if leaf.points is None else round(leaf.points, 4),
        max_points=leaf.max_points if leaf.question.scored else None,
        score=None if fraction is None else round(fraction * 100, 4),
        weight=leaf.question.weight,
        share=round(share, 6),
        contribution=round(share * (fraction or 0.0) * 100, 4),
    )
