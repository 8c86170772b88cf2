"""Properties of the scoring engine over generated questionnaires and answers (Hypothesis)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assessment
from assessment import AnswerSheet, Questionnaire, compile_questionnaire, score
from assessment.models import credit_code
from assessment.models.answers import NOT_APPLICABLE, UNKNOWN

CODE = credit_code.make("91320594MA1ABCDE1")
FIRM = {"name": "测试企业", "credit_code": CODE, "industry": "machinery", "employees": 50}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def questions(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["single", "multi", "number", "percent", "yesno", "ordinal"]))
    base: dict[str, Any] = {
        "id": qid,
        "type": kind,
        "text": {"zh": qid, "en": qid},
        "weight": draw(st.sampled_from([0.5, 1, 2, 3.5])),
        "allow_na": True,
        "reverse": kind in ("single", "multi") and draw(st.booleans()),
    }
    if kind == "single":
        points = draw(st.lists(st.integers(0, 5), min_size=2, max_size=5))
        points[0], points[-1] = 0, max(points[-1], 1)
        base["choices"] = [
            {"id": f"c{i}", "label": f"c{i}", "points": p} for i, p in enumerate(points)
        ]
    elif kind == "multi":
        points = draw(st.lists(st.sampled_from([0.5, 1, 2]), min_size=1, max_size=4))
        base["choices"] = [{"id": "none", "label": "none", "points": 0, "exclusive": True}] + [
            {"id": f"c{i}", "label": f"c{i}", "points": p} for i, p in enumerate(points)
        ]
    elif kind == "number":
        base["bands"] = [
            {"min": 0, "max": 10, "points": 0},
            {"min": 10, "max": 50, "points": draw(st.sampled_from([1, 2]))},
            {"min": 50, "max": 1000, "points": 3},
        ]
    elif kind == "percent":
        base["map"] = [[0, 0], [50, draw(st.sampled_from([0.2, 0.5, 0.8]))], [100, 1]]
    return base


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    dims = []
    counter = 0
    for d in range(draw(st.integers(1, 3))):
        indicators = []
        for i in range(draw(st.integers(1, 3))):
            qs = []
            for _ in range(draw(st.integers(1, 4))):
                counter += 1
                qs.append(draw(questions(f"q{counter}")))
            indicators.append(
                {
                    "id": f"d{d}_i{i}",
                    "label": "i",
                    "weight": draw(st.sampled_from([1, 2, 5])),
                    "questions": qs,
                }
            )
        dims.append(
            {
                "id": f"d{d}",
                "label": "d",
                "weight": draw(st.sampled_from([1, 2, 3])),
                "indicators": indicators,
            }
        )
    levels = [
        {"id": "l1", "name": "L1", "rules": [{"rule": "overall_score", "min": 0}]},
        {
            "id": "l2",
            "name": "L2",
            "rules": [{"rule": "overall_score", "min": 40}, {"rule": "lower_levels"}],
        },
        {
            "id": "l3",
            "name": "L3",
            "rules": [{"rule": "overall_score", "min": 99.999}, {"rule": "lower_levels"}],
        },
    ]
    q = Questionnaire.model_validate(
        {"id": "gen", "version": "1", "title": "gen", "dimensions": dims, "levels": levels}
    )
    return compile_questionnaire(q)


def candidate_values(q: Questionnaire, qid: str) -> list[Any]:
    question = q.question_map[qid]
    kind = question.type
    if kind == "single":
        return [c.id for c in q.choices_of(question)]
    if kind == "multi":
        ids = [c.id for c in q.choices_of(question) if not c.exclusive]
        subsets = [["none"]] + [ids[: n + 1] for n in range(len(ids))] + [[i] for i in ids]
        return subsets
    if kind == "number":
        return [0, 5, 10, 25, 60, 999]
    if kind == "percent":
        return [0, 20, 50, 75, 100]
    if kind == "yesno":
        return ["yes", "no"]
    return [0, 1, 2, 3, 4]


def sheet(answers: dict[str, Any]) -> AnswerSheet:
    return AnswerSheet.model_validate(
        {
            "questionnaire": "gen",
            "firm": FIRM,
            "period": "2026Q3",
            "assessor": "t",
            "assessed_on": date(2026, 9, 1),
            "answers": answers,
        }
    )


@st.composite
def assessments(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any]]:
    q = draw(questionnaires())
    answers = {}
    for qid in q.question_map:
        options = [*candidate_values(q, qid), NOT_APPLICABLE, UNKNOWN]
        answers[qid] = draw(st.sampled_from(options))
    return q, answers


def all_scores(card: Any) -> list[float | None]:
    found = [card.overall]
    for d in card.dimensions:
        found.append(d.score)
        for i in d.indicators:
            found.append(i.score)
            found.extend(q.score for q in i.questions)
    return found


@SETTINGS
@given(assessments())
def test_every_score_is_in_range_and_the_trace_adds_up(case: tuple[Questionnaire, dict]) -> None:
    q, answers = case
    card = score(q, sheet(answers))
    for value in all_scores(card):
        assert value is None or 0 <= value <= 100
    assert 0 <= card.coverage <= 1
    if card.overall is not None:
        total = sum(r.contribution for r in card.questions())
        assert math.isclose(total, card.overall, abs_tol=1e-2)


def extreme(q: Questionnaire, best: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for qid in q.question_map:
        values = candidate_values(q, qid)
        one = sheet({qid: values[0]})
        ranked = sorted(
            values,
            key=lambda v: (
                score(q, one.model_copy(update={"answers": sheet({qid: v}).answers}), partial=True)
                .question(qid)
                .score
                or 0
            ),
        )
        answers[qid] = ranked[-1] if best else ranked[0]
    return answers


@SETTINGS
@given(questionnaires())
def test_best_answers_give_100_and_the_top_level_worst_give_0(q: Questionnaire) -> None:
    best = score(q, sheet(extreme(q, best=True)))
    worst = score(q, sheet(extreme(q, best=False)))
    assert best.overall is not None and math.isclose(best.overall, 100, abs_tol=1e-6)
    assert best.level is not None and best.level.id == "l3"
    assert worst.overall == 0
    assert worst.level is not None and worst.level.id == "l1"


@SETTINGS
@given(assessments(), st.data())
def test_a_better_answer_never_lowers_a_score(case: tuple[Questionnaire, dict], data: Any) -> None:
    q, answers = case
    qid = data.draw(st.sampled_from(sorted(q.question_map)))
    options = candidate_values(q, qid)
    first, second = data.draw(st.sampled_from(options)), data.draw(st.sampled_from(options))
    low = score(q, sheet({**answers, qid: first}))
    high = score(q, sheet({**answers, qid: second}))
    if (low.question(qid).score or 0) > (high.question(qid).score or 0):
        low, high = high, low
    pairs = [(low.overall, high.overall)] + [
        (a.score, b.score) for a, b in zip(low.dimensions, high.dimensions, strict=True)
    ]
    for before, after in pairs:
        if before is not None and after is not None:
            assert after >= before - 1e-9


@SETTINGS
@given(assessments(), st.data())
def test_not_applicable_keeps_the_others_relative_weights(
    case: tuple[Questionnaire, dict], data: Any
) -> None:
    q, answers = case
    answers = {k: (v if v != NOT_APPLICABLE else UNKNOWN) for k, v in answers.items()}
    qid = data.draw(st.sampled_from(sorted(q.question_map)))
    before = {r.id: r for r in score(q, sheet(answers)).questions()}
    after_card = score(q, sheet({**answers, qid: NOT_APPLICABLE}))
    after = {r.id: r for r in after_card.questions()}
    assert after[qid].share == 0
    indicator = before[qid].indicator
    siblings = [r for r in after.values() if r.indicator == indicator and r.id != qid]
    for a in siblings:
        for b in siblings:
            assert math.isclose(
                a.share * before[b.id].share,
                b.share * before[a.id].share,
                rel_tol=1e-3,
                abs_tol=1e-9,
            )


@SETTINGS
@given(assessments())
def test_the_same_input_gives_the_same_result(case: tuple[Questionnaire, dict]) -> None:
    q, answers = case
    reordered = dict(reversed(list(answers.items())))
    assert score(q, sheet(answers)).model_dump() == score(q, sheet(reordered)).model_dump()


@SETTINGS
@given(assessments())
def test_the_json_result_is_strict_json(case: tuple[Questionnaire, dict]) -> None:
    """No NaN or infinity ever reaches `dtm score --json` (strict JSON readers refuse them)."""
    import json

    q, answers = case
    text = score(q, sheet(answers)).model_dump_json()

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON result")

    json.loads(text, parse_constant=refuse)
    json.dumps(score(q, sheet(answers)).model_dump(mode="json"), allow_nan=False)


def _shipped_band_edges() -> list[tuple[str, str, float]]:
    from assessment.resources import questionnaires_dir

    found = []
    for path in sorted(questionnaires_dir().glob("*.yaml")):
        if path.stem.endswith("_scenarios"):
            continue
        q = assessment.load_questionnaire(path)
        for question in q.questions():
            for band in question.bands or []:
                found.append((q.id, question.id, band.max))
    return found


EDGES = _shipped_band_edges()


@SETTINGS
@given(
    edge=st.sampled_from(EDGES),
    denominator=st.decimals(min_value="0.1", max_value="99999.9", places=1),
)
def test_a_computed_share_exactly_on_a_band_edge_falls_in_that_band(
    edge: tuple[str, str, float], denominator: Decimal
) -> None:
    """a / b * 100 computed in floats, with a / b exactly edge / 100 in decimals (740.7 of 1234.5
    is 60%): the value scores as the band whose upper edge it is, as the official text says."""
    from assessment.engine.scoring import earned_points

    qid, question_id, top = edge
    q = assessment.load_questionnaire(qid)
    question = q.question_map[question_id]
    numerator = Decimal(str(top)) * denominator / 100
    computed = float(numerator) / float(denominator) * 100
    bands = question.bands or []
    expected = next(b.points for b in bands if b.max == top)
    assert earned_points(q, question, computed) == expected


def test_the_example_from_the_official_text_is_exactly_sixty_percent() -> None:
    assert 740.7 / 1234.5 * 100 != 60  # the float trap the edge snapping closes
    from assessment.engine.scoring import at_edge

    assert at_edge(740.7 / 1234.5 * 100) == 60
