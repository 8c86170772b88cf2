"""Scoring worked out by hand: each question type, the answers that are not answers, the roll-up
and its trace, interpretation bands, level rules and what the score card says about the next level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import assessment
from assessment import AnswerSheet, Questionnaire, ScoreCard, ValidationFailed
from assessment.models import credit_code

CODE = credit_code.make("91320594MA1ABCDE1")
YES3 = [{"id": c, "label": c, "points": p} for c, p in (("none", 0), ("some", 1), ("full", 2))]
ABC = [{"id": "none", "label": "无", "points": 0, "exclusive": True}]
ABC += [{"id": c, "label": c, "points": p} for c, p in (("a", 1), ("b", 2), ("c", 3))]
BANDS = [
    {"min": lo, "max": hi, "points": p} for lo, hi, p in ((0, 10, 0), (10, 20, 1.5), (20, 100, 3))
]
MAP = [[10, 0], [50, 2], [100, 4]]


def questionnaire(*dimensions: dict[str, Any], **extra: Any) -> Questionnaire:
    data = {"id": "t", "version": "1", "title": "T", "dimensions": list(dimensions), **extra}
    return assessment.compile_questionnaire(Questionnaire.model_validate(data))


def dimension(did: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A dimension with one indicator `<did>_i` holding the questions."""
    indicator = {"id": f"{did}_i", "label": did, "questions": list(questions)}
    return {"id": did, "label": did, "indicators": [indicator], **extra}


def question(qid: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": kind, "text": {"zh": f"问{qid}", "en": f"Q {qid}"}, **extra}


def one_question(**spec: Any) -> Questionnaire:
    return questionnaire(dimension("d", question("q", **spec)))


def sheet(answers: dict[str, Any], employees: int = 10, questionnaire: Any = "t") -> AnswerSheet:
    firm = dict(name="测试企业", credit_code=CODE, industry="machinery", employees=employees)
    head = {"period": "2026Q3", "assessor": "王工", "assessed_on": "2026-09-15"}
    data = {"questionnaire": questionnaire, "firm": firm, **head, "answers": answers}
    return AnswerSheet.model_validate(data)


def rule(kind: str, **keys: Any) -> dict[str, Any]:
    return {"rule": kind, **keys}


# (question spec, answer, points, max points, question score)
TYPES = {
    "single": (dict(kind="single", choices=YES3), "some", 1, 2, 50),
    "single best": (dict(kind="single", choices=YES3), "full", 2, 2, 100),
    "multi, all points": (dict(kind="multi", choices=ABC), ["a", "b"], 3, 6, 50),
    "multi capped by max": (dict(kind="multi", choices=ABC, max=4), ["b", "c"], 4, 4, 100),
    "multi under the cap": (dict(kind="multi", choices=ABC, max=4), ["a"], 1, 4, 25),
    "multi exclusive none": (dict(kind="multi", choices=ABC), ["none"], 0, 6, 0),
    "band: min of the first band": (dict(kind="number", bands=BANDS), 0, 0, 3, 0),
    "band: exactly a band's max": (dict(kind="number", bands=BANDS), 10, 0, 3, 0),
    "band: just above a max": (dict(kind="number", bands=BANDS), 10.01, 1.5, 3, 50),
    "band: the second band's max": (dict(kind="number", bands=BANDS), 20, 1.5, 3, 50),
    "band: the last band's max": (dict(kind="number", bands=BANDS), 100, 3, 3, 100),
    "map: below the first point": (dict(kind="number", map=MAP), 5, 0, 4, 0),
    "map: between points": (dict(kind="number", map=MAP), 30, 1, 4, 25),
    "map: second segment": (dict(kind="number", map=MAP), 75, 3, 4, 75),
    "map: beyond the last point": (dict(kind="number", map=MAP), 500, 4, 4, 100),
    "percent, linear by default": (dict(kind="percent"), 37, 37, 100, 37),
    "yesno default yes": (dict(kind="yesno"), "yes", 1, 1, 100),
    "yesno default no": (dict(kind="yesno"), "no", 0, 1, 0),
    "yesno custom points": (dict(kind="yesno", points={"yes": 3, "no": 1}), "no", 1, 3, 100 / 3),
    "ordinal 0-4": (dict(kind="ordinal"), 3, 3, 4, 75),
    "ordinal 0-5": (dict(kind="ordinal", max_level=5), 2, 2, 5, 40),
    # reverse: 100 − the score; the points earned are checked on their own below
    "reverse single": (dict(kind="single", choices=YES3, reverse=True), "full", None, 2, 0),
    "reverse single worst": (dict(kind="single", choices=YES3, reverse=True), "none", None, 2, 100),
    "reverse multi none": (dict(kind="multi", choices=ABC, reverse=True), ["none"], None, 6, 100),
    "reverse multi": (dict(kind="multi", choices=ABC, reverse=True), ["a", "b"], None, 6, 50),
}


@pytest.mark.parametrize(("spec", "answer", "points", "top", "expected"), TYPES.values(), ids=TYPES)
def test_each_question_type_scores_as_worked_out_by_hand(
    spec: dict[str, Any], answer: Any, points: float | None, top: float, expected: float
) -> None:
    card = assessment.score(one_question(**spec), sheet({"q": answer}))
    result = card.question("q")
    assert (result.status, result.scored) == ("answered", True)
    if points is not None:
        assert result.points == pytest.approx(points)
    assert result.max_points == pytest.approx(top)
    assert result.score == pytest.approx(expected, abs=1e-3)
    assert card.overall == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("answer", "earned"), [("full", 2), ("none", 0)])
def test_a_reverse_question_reports_its_points_after_reversing(answer: str, earned: float) -> None:
    card = assessment.score(
        one_question(kind="single", choices=YES3, reverse=True), sheet({"q": answer})
    )
    result = card.question("q")
    assert result.points == 2 - earned
    assert result.score == 100 * result.points / 2


@pytest.mark.parametrize(
    ("spec", "answer"),
    [(dict(kind="text"), "只用 Excel"), (dict(kind="number", unit="台"), 120)],
    ids=["text", "raw number"],
)
def test_text_and_raw_figures_are_kept_but_not_scored(spec: dict[str, Any], answer: Any) -> None:
    q = questionnaire(dimension("d", question("q", **spec), question("y", "yesno")))
    card = assessment.score(q, sheet({"q": answer, "y": "yes"}))
    kept = card.question("q")
    assert (kept.value, kept.scored, kept.score, kept.points) == (answer, False, None, None)
    assert (kept.share, kept.contribution) == (0, 0)
    assert card.question("y").share == 1
    assert (card.overall, card.coverage) == (100, 1)


# b's answer → its status and score, the overall, coverage, and the shares of a (weight 1,
# answered 80), b (weight 2) and c (weight 1, answered 20)
NOT_ANSWERS = {
    "n/a": ("not_applicable", None, (80 + 20) / 2, 1, [0.5, 0, 0.5]),
    "unknown": ("unknown", 0, (80 + 2 * 0 + 20) / 4, 0.5, [0.25, 0.5, 0.25]),
}


@pytest.mark.parametrize(("b", "expected"), NOT_ANSWERS.items(), ids=NOT_ANSWERS)
def test_not_applicable_is_left_out_and_unknown_counts_as_zero(b: str, expected: tuple) -> None:
    status, score, overall, coverage, shares = expected
    trio = [question("a", "percent"), question("b", "percent", weight=2, allow_na=True)]
    q = questionnaire(dimension("d", *trio, question("c", "percent")))
    card = assessment.score(q, sheet({"a": 80, "b": b, "c": 20}))
    assert (card.question("b").status, card.question("b").score) == (status, score)
    assert (card.overall, card.coverage) == (pytest.approx(overall), pytest.approx(coverage))
    assert [r.share for r in card.questions()] == pytest.approx(shares)
    flagged = [(f.question, f.code, "counts as 0" in f.message.en) for f in card.flags]
    assert flagged == ([("b", "unknown", True)] if b == "unknown" else [])


# if_skipped → overall, the skipped question's score and share
SKIPPED = {"na": (100, None, 0), "worst": (50, 0, 0.5)}


@pytest.mark.parametrize(("if_skipped", "expected"), SKIPPED.items(), ids=SKIPPED)
def test_a_skipped_question_is_left_out_or_scores_worst(if_skipped: str, expected: tuple) -> None:
    overall, follow_up_score, share = expected
    follow_up = question("f", "percent", when="employees >= 50", if_skipped=if_skipped)
    q = questionnaire(dimension("d", question("y", "yesno"), follow_up))
    card = assessment.score(q, sheet({"y": "yes"}, employees=10))
    assert card.question("f").status == "skipped"
    assert (card.overall, card.coverage) == (pytest.approx(overall), 1)
    assert card.question("f").score == follow_up_score
    assert card.question("f").share == pytest.approx(share)


@pytest.mark.parametrize("typed", [None, 30, 30.04, 80])
def test_a_computed_question_is_worked_out_and_a_typed_value_must_agree(
    mini_questionnaire: Questionnaire, typed: float | None
) -> None:
    answers = _mini_sheet(total_devices=40, connected_devices=12, connected_share=typed)
    if typed == 80:
        with pytest.raises(ValidationFailed) as caught:
            assessment.score(mini_questionnaire, answers)
        assert [p.code for p in caught.value.problems] == ["ANS010"]
        assert "'connected_share' was typed as 80" in caught.value.problems[0].message
        return
    card = assessment.score(mini_questionnaire, answers)
    share = card.question("connected_share")
    assert (share.status, share.value) == ("computed", pytest.approx(30))
    assert (share.points, share.max_points, share.score) == (3, 6, 50)  # band (10, 50]
    assert card.computed["device_share"] == pytest.approx(30)


MINI_ANSWERS = {"plan": "some", "leader": "yes", "paper": ["inventory"], "total_devices": 40}
MINI_ANSWERS |= {"connected_devices": 12, "mes_level": 2, "mes_users": 10}


def _mini_sheet(**changes: Any) -> AnswerSheet:
    answers = {k: v for k, v in {**MINI_ANSWERS, **changes}.items() if v is not None}
    return sheet(answers, questionnaire={"id": "mini", "version": "1.0"})


@pytest.fixture
def mini_card(mini_questionnaire: Questionnaire, mini_answers_path: Path) -> ScoreCard:
    """The mini answers scored: awareness 66.67, paper_ledger 50, infrastructure 40."""
    sheet_ = assessment.load_answers(mini_answers_path, mini_questionnaire)
    return assessment.score(mini_questionnaire, sheet_)


def test_the_mini_answers_score_as_worked_out_by_hand_and_the_trace_adds_up(
    mini_card: ScoreCard,
) -> None:
    # strategy: plan 50 (weight 2), leader 100 → 66.67; paper: 1 of 2 reversed → 50;
    # devices: share 30 → 3 of 6 → 50, mes_level 2 of 4 → 50, 10 users mapped → 20 → 40.
    scores = {d.id: d.score for d in mini_card.dimensions}
    assert scores == pytest.approx({"awareness": 200 / 3, "paper_ledger": 50, "infrastructure": 40})
    assert mini_card.overall == pytest.approx((2 * 200 / 3 + 50 + 40) / 4, abs=1e-3)
    assert mini_card.question("mes_users").score == pytest.approx(20)
    assert [d.share for d in mini_card.dimensions] == pytest.approx([0.5, 0.25, 0.25])
    # the trace: contributions add up to the overall, and points to the parent's points
    overall = mini_card.overall
    assert sum(q.contribution for q in mini_card.questions()) == pytest.approx(overall, abs=1e-3)
    assert sum(d.points for d in mini_card.dimensions) == pytest.approx(overall, abs=1e-3)
    for d in mini_card.dimensions:
        assert sum(i.points for i in d.indicators) == pytest.approx(d.points, abs=1e-3)
        for i in d.indicators:
            assert sum(q.contribution for q in i.questions) == pytest.approx(i.points, abs=1e-3)
    plan = mini_card.question("plan")
    assert plan.share == pytest.approx(0.5 * 2 / 3, abs=1e-5)
    assert plan.contribution == pytest.approx(plan.share * 50, abs=1e-3)


def test_a_draft_may_leave_answers_out_which_lowers_coverage(
    mini_questionnaire: Questionnaire,
) -> None:
    draft = _mini_sheet(leader=None, mes_level="unknown", mes_users=None)
    with pytest.raises(ValidationFailed) as caught:
        assessment.score(mini_questionnaire, draft)
    assert {p.code for p in caught.value.problems} == {"ANS006"}
    card = assessment.score(mini_questionnaire, draft, partial=True)
    assert card.question("leader").status == "unanswered"
    flags = sorted((f.question, f.code) for f in card.flags)
    assert flags == [("leader", "unanswered"), ("mes_level", "unknown")]
    # strategy: plan answered (weight 2), leader not (1); devices: the share answered, mes_level
    # unknown, mes_users skipped (mes_level has no value) with if_skipped: worst, which answers it.
    coverage = {n: card.node(n).coverage for n in ("strategy", "awareness", "devices")}
    thirds = {"strategy": 2 / 3, "awareness": 2 / 3, "devices": 2 / 3}
    assert coverage == pytest.approx(thirds, abs=1e-4)
    assert card.node("paper_ledger").coverage == 1
    assert card.coverage == pytest.approx((2 * 2 / 3 + 1 + 2 / 3) / 4, abs=1e-4)
    assert card.node("strategy").score == pytest.approx(50)  # the unanswered one is left out


INTERPRETATION = [
    {"min": 0, "max": 50, "text": {"zh": "较弱", "en": "Weak"}},
    {"min": 50, "max": 100, "text": {"zh": "较强", "en": "Strong"}},
]


@pytest.mark.parametrize(
    ("answer", "text"),
    [(0, "Weak"), (49.9, "Weak"), (50, "Weak"), (50.1, "Strong"), (100, "Strong")],
)
def test_interpretation_text_follows_the_score_band(answer: float, text: str) -> None:
    q = questionnaire(dimension("d", question("q", "percent"), interpretation=INTERPRETATION))
    card = assessment.score(q, sheet({"q": answer}))
    assert card.node("d").interpretation is not None
    assert card.node("d").interpretation.en == text


S123 = ["s1", "s2", "s3"]
# Scores of the gated questionnaire under ANSWERS: plan 50, leader 100 → base 75;
# s1 3 → 75, s2 2 → 50, s3 0 → 0 → ops 41.67; overall 58.33.
GATED = (
    dimension("base", question("plan", "single", choices=YES3), question("leader", "yesno")),
    dimension(
        "ops", *(question(s, "ordinal", tags=["scenario"], mandatory=s == "s1") for s in S123)
    ),
)
ANSWERS = {"plan": "some", "leader": "yes", "s1": 3, "s2": 2, "s3": 0}
KEY = {"zh": "关键场景", "en": "key scenarios"}

# rule → (met, actual, required)
RULES = {
    "overall met": (rule("overall_score", min=58), True, 58.33, 58),
    "overall short": (rule("overall_score", min=60), False, 58.33, 60),
    "node met": (rule("node_score", node="ops", min=40), True, 41.67, 40),
    "indicator short": (rule("node_score", node="base_i", min=80), False, 75, 80),
    "count level met": (rule("count", tag="scenario", level=2, min_count=2), True, 2, 2),
    "count level short": (rule("count", tag="scenario", level=3, min_count=2), False, 1, 2),
    "count min_score": (rule("count", items=S123, min_score=50, min_count=3), False, 2, 3),
    "mandatory items": (rule("mandatory", items=["s1", "s2"], level=2), True, 2, 2),
    "mandatory yes": (rule("mandatory", items=["leader"], min_score=100), True, 1, 1),
    "mandatory tag": (rule("mandatory", tag="scenario", level=1), False, 2, 3),
    "mandatory: true met": (rule("mandatory", tag="mandatory", level=3), True, 1, 1),
    "mandatory: true short": (rule("mandatory", tag="mandatory", level=4), False, 0, 1),
    "condition met": (rule("condition", expr="score(ops) > 40 and leader", label="o"), True, 1, 1),
    "condition short": (rule("condition", expr="score(base) > 80", label="base"), False, 0, 1),
}


def gated(*levels: dict[str, Any], **extra: Any) -> Questionnaire:
    return questionnaire(*GATED, levels=list(levels), **extra)


def level(lid: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"id": lid, "name": {"zh": f"{lid}级", "en": f"Level {lid}"}, "rules": list(rules)}


@pytest.mark.parametrize(("rule", "met", "actual", "required"), RULES.values(), ids=RULES)
def test_each_level_rule_kind(
    rule: dict[str, Any], met: bool, actual: float, required: float
) -> None:
    card = assessment.score(gated(level("only", rule)), sheet(ANSWERS))
    check = card.levels[0].rules[0]
    assert (check.rule, check.met) == (rule["rule"], met)
    assert (check.actual, check.required) == (pytest.approx(actual, abs=0.01), required)
    assert (card.level is not None) == met
    assert (check.unblock is None) == met


@pytest.mark.parametrize(("base_min", "met"), [(0, True), (60, False)])
def test_lower_levels_holds_only_when_every_lower_level_does(base_min: float, met: bool) -> None:
    q = gated(
        level("one", rule("overall_score", min=base_min)),
        level("two", rule("node_score", node="base", min=70), rule("lower_levels")),
    )
    card = assessment.score(q, sheet(ANSWERS))
    check = card.levels[1].rules[1]
    assert (check.rule, check.met, check.actual, check.required) == ("lower_levels", met, met, 1)
    assert (card.level.id if card.level else None) == ("two" if met else None)


LADDER = (
    level("starting", rule("overall_score", min=0)),
    level("basic", rule("overall_score", min=40), rule("lower_levels")),
    level(
        "advanced",
        rule("overall_score", min=60),
        rule("count", tag="scenario", level=3, min_count=2, label=KEY),
        rule("mandatory", tag="mandatory", level=3),
        rule("lower_levels"),
    ),
    level(
        "top",
        rule("overall_score", min=90),
        rule("condition", expr="score(ops) >= 90", label={"zh": "运营", "en": "ops"}),
        rule("lower_levels"),
    ),
)
BEST = {"plan": "full", "leader": "yes", "s1": 4, "s2": 4, "s3": 4}

# answers → (level, next level, the next level's unmet rules)
ADVANCED = {**ANSWERS, "plan": "full", "s2": 3}  # overall 75, s1 and s2 at level 3
POINTS_ONLY = {**BEST, "s1": 2, "s3": 0}  # overall 75, only s2 at level 3
LADDER_CASES = {
    "short of advanced": (ANSWERS, "basic", "advanced", ["overall_score", "count"]),
    "advanced": (ADVANCED, "advanced", "top", ["overall_score", "condition"]),
    "top": (BEST, "top", None, []),
    "score alone is not enough": (POINTS_ONLY, "basic", "advanced", ["count", "mandatory"]),
}


@pytest.mark.parametrize(
    ("answers", "at", "following", "blocking"), LADDER_CASES.values(), ids=LADDER_CASES
)
def test_the_level_is_the_highest_whose_rules_all_hold(
    answers: dict[str, Any], at: str, following: str | None, blocking: list[str]
) -> None:
    card = assessment.score(gated(*LADDER), sheet(answers))
    assert card.level is not None
    assert card.level.id == at
    assert card.level.rank == [lv["id"] for lv in LADDER].index(at) + 1
    assert (card.next_level.id if card.next_level else None) == following
    assert [b.rule for b in card.blockers] == blocking
    assert (card.next_level_gap is None) == (following is None)
    assert [c.met for c in card.levels] == [c.rank <= card.level.rank for c in card.levels]


def test_the_blockers_say_what_would_unblock_them() -> None:
    card = assessment.score(gated(*LADDER), sheet(ANSWERS))
    overall, count = card.blockers
    assert overall.unblock is not None and count.unblock is not None
    assert overall.unblock.en == "raise the overall score by 1.7 points (58.3 → 60)"
    assert overall.unblock.zh == "总分还需提高 1.7 分（58.3 → 60）"
    assert count.unblock.en == "1 more of key scenarios at level 3 or above, for example: Q s2"
    assert count.unblock.zh == "关键场景还需 1 项达到 3 级，例如：问s2"
    assert count.candidates == ["s2", "s3"]  # the closest first
    # the questions that would add most overall points: share × (100 − score)
    assert overall.candidates[:2] == ["s3", "plan"]
    assert card.next_level_gap is not None
    assert card.next_level_gap.en == "1.7 more points; 1 more of key scenarios at level 3 or above"
    assert card.next_level_gap.zh == "总分还差 1.7 分；关键场景还需 1 项达到 3 级"


def test_a_count_over_a_subset_is_folded_into_the_wider_count_in_the_gap_line() -> None:
    mandatory = {"zh": "必选场景", "en": "the mandatory scenarios"}
    q = gated(
        level("starting", rule("overall_score", min=0)),
        level(
            "advanced",
            rule("count", tag="scenario", level=3, min_count=3, label=KEY),
            rule("count", tag="mandatory", level=3, min_count=1, label=mandatory),
            rule("overall_score", min=80),
        ),
    )
    card = assessment.score(q, sheet({**ANSWERS, "s1": 2, "s2": 3}))  # overall 58.33
    assert [b.rule for b in card.blockers] == ["count", "count", "overall_score"]
    assert card.next_level_gap is not None
    assert card.next_level_gap.en == (
        "2 more of key scenarios at level 3 or above, of which at least 1 among "
        "the mandatory scenarios; 21.7 more points"
    )
    assert card.next_level_gap.zh == (
        "关键场景还需 2 项达到 3 级，其中至少 1 项属于必选场景；总分还差 21.7 分"
    )


def test_a_level_holds_without_the_one_below_unless_it_asks_for_it() -> None:
    q = gated(
        level("a", rule("overall_score", min=0)),
        level("b", rule("node_score", node="base", min=90)),
        level("c", rule("overall_score", min=50)),
    )
    card = assessment.score(q, sheet(ANSWERS))
    assert [c.met for c in card.levels] == [True, False, True]
    assert card.level is not None and card.level.id == "c"
    assert card.next_level is None and card.blockers == []


@pytest.mark.parametrize(("not_rated", "name"), [(None, "Not rated"), ("未达标", "未达标")])
def test_below_every_level_the_firm_is_not_rated(not_rated: str | None, name: str) -> None:
    extra = {"not_rated": not_rated} if not_rated else {}
    q = gated(level("starting", rule("overall_score", min=30)), **extra)
    worst = {"plan": "none", "leader": "no", "s1": 0, "s2": 0, "s3": 0}
    card = assessment.score(q, sheet(worst))
    assert (card.level, card.overall) == (None, 0)
    assert card.level_name.en == name
    assert card.next_level is not None and card.next_level.id == "starting"
    assert card.next_level.rank == 1
    assert card.to_row()["level"] is None and card.to_row()["level_rank"] == 0


def test_a_score_card_is_one_flat_row_and_a_dataframe(mini_card: ScoreCard) -> None:
    row = mini_card.to_row()
    expected = dict(credit_code="91320500MA1X2Y3C40", name="苏州示例精密机械有限公司")
    expected |= dict(industry="machinery", employees=120, period="2026Q3", questionnaire="mini")
    expected |= dict(questionnaire_version="1.0", level="l2", level_rank=2, level_name="二级")
    expected |= dict(overall=mini_card.overall, coverage=1)
    expected |= dict(awareness=pytest.approx(66.6667), awareness_coverage=1)
    expected |= dict(paper_ledger=50, paper_ledger_coverage=1)
    expected |= dict(infrastructure=40, infrastructure_coverage=1)
    assert row == expected and list(row) == list(expected)
    frame = mini_card.to_dataframe()
    assert frame.shape == (1, len(row))
    assert frame.iloc[0].to_dict() == row
    assert list(frame.columns) == list(row)


def test_a_score_card_round_trips_through_json(mini_card: ScoreCard) -> None:
    again = ScoreCard.model_validate_json(mini_card.model_dump_json())
    assert again == mini_card
    assert again.question("mes_users").note == "仅车间主任使用"
    assert again.question("mes_users").evidence == ["MES 截图"]


def test_every_sentence_gives_the_same_shortfall() -> None:
    import re

    from assessment.engine.pipeline import sample_park

    checked = 0
    for period in ("2026Q2", "2026Q3"):
        for a in sample_park(period):
            gap = a.card.next_level_gap.zh if a.card.next_level_gap else ""
            for blocker in a.card.blockers:
                if blocker.unblock and blocker.rule in ("overall_score", "node_score"):
                    found = re.search(r"提高 ([\d.]+) 分", blocker.unblock.zh)
                    assert found and f"还差 {found.group(1)} 分" in gap, (blocker.unblock.zh, gap)
                    checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(80.45, 1, "80.5"), (0.125, 2, "0.13"), (16.65, 1, "16.7"), (2.5, 0, "3"), (59.95, 1, "60.0")],
)
def test_display_rounds_half_up_once(value: float, digits: int, shown: str) -> None:
    from assessment.report.i18n import number

    assert number(value, "en", digits) == shown


@pytest.mark.parametrize(
    ("score", "band"), [(0, "low"), (40, "low"), (40.01, "mid"), (100, "high")]
)
def test_interpretation_bands_read_like_number_bands(score: float, band: str) -> None:
    from assessment.engine.scoring import _interpret
    from assessment.models.questionnaire import Interpretation

    bands = [
        Interpretation(min=0, max=40, text={"zh": "low", "en": "low"}),
        Interpretation(min=40, max=70, text={"zh": "mid", "en": "mid"}),
        Interpretation(min=70, max=100, text={"zh": "high", "en": "high"}),
    ]
    found = _interpret(bands, score)
    assert found is not None and found.en == band
