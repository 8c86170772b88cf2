"""The MIIT 2024 manufacturing profile reproduces the official points and levels.

The literal tables below are copied from the official indicator set (structure, weights, option
points, scenario types, level thresholds); the tests compare the shipped questionnaire and the
engine's results with them, and with an independent points calculator built only on them.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assessment
from assessment import AnswerSheet, Questionnaire, ScoreCard, ValidationFailed
from assessment.engine.scoring import max_points

ROOT = Path(__file__).parent.parent
PROFILE = ROOT / "questionnaires" / "miit_2024_manufacturing.yaml"
SAMPLES = sorted((ROOT / "examples" / "miit_2024" / "2026Q3").glob("*.yaml"))

# ---- The official tables ----------------------------------------------------------------------

DIMENSION_POINTS = {"digital_foundation": 50, "digital_management": 30, "digital_results": 20}
INDICATOR_POINTS = {
    "equipment_systems": 20,
    "data_collection": 10,
    "information_systems": 10,
    "information_security": 10,
    "planning_management": 15,
    "resources": 15,
    "green_low_carbon": 7,
    "product_quality": 7,
    "market_benefit": 6,
}
STEPS = [  # the 13 business steps worth 0.7 each; human resources is worth 0.9
    "product_design",
    "process_design",
    "marketing",
    "after_sales",
    "planning",
    "production_control",
    "quality",
    "equipment",
    "safety",
    "energy",
    "procurement",
    "warehousing",
    "finance",
]
CHOICE_POINTS: dict[str, dict[str, float]] = {
    "network_connectivity": {
        "none": 0,
        "workshop_control_network": 2,
        "application_network": 2,
        "industrial_5g": 2,
        "full_coverage": 2,
    },
    "auto_collection_steps": {"none": 0, **{s: 0.7 for s in STEPS}, "human_resources": 0.9},
    "system_coverage": {
        "none": 0,
        "one_step": 2.5,
        "several_steps": 5,
        "most_steps": 7.5,
        "all_steps": 10,
    },
    "network_security": {
        "none": 0,
        "rules": 1.25,
        "products": 1.25,
        "risk_assessment": 1.25,
        "boundary_control": 1.25,
    },
    "data_security": {
        "none": 0,
        "rules": 1.25,
        "products": 1.25,
        "risk_assessment": 1.25,
        "data_inventory": 1.25,
    },
    "transformation_stage": {
        "none": 0,
        "learning": 1.5,
        "planned": 3,
        "retrofits_started": 4.5,
        "results": 6,
        "peer_learning": 7.5,
    },
    "management_rules": {
        "none": 0,
        "transformation_workflow": 1.875,
        "system_operation_rules": 1.875,
        "data_management_rules": 1.875,
        "innovation_incentives": 1.875,
    },
    "talent_measures": {
        "none": 0,
        "digital_staff": 1.5,
        "dedicated_unit": 1.5,
        "regular_training": 1.5,
        "pay_scheme": 1.5,
        "tiered_development": 1.5,
    },
}
MULTI = {"network_connectivity", "auto_collection_steps", "network_security", "data_security"}
MULTI |= {"management_rules", "talent_measures"}
DEVICE_BANDS = [(10, 0), (20, 1.5), (40, 3), (60, 4.5), (100, 6)]  # (upper bound %, points)
BAND_POINTS = {
    "digital_device_share": DEVICE_BANDS,
    "networked_device_share": DEVICE_BANDS,
    "investment_share": [(10, 0), (20, 1.875), (40, 3.75), (60, 5.625), (100, 7.5)],
}
TREND_POINTS = {  # points for decreased, unchanged, increased
    "energy_intensity_change": (7, 3.5, 0),
    "pass_rate_change": (0, 3.5, 7),
    "revenue_per_employee_change": (0, 1.5, 3),
    "cost_per_revenue_change": (3, 1.5, 0),
}
QUESTION_POINTS = {
    **{q: max(c.values()) if q not in MULTI else sum(c.values()) for q, c in CHOICE_POINTS.items()},
    **{q: max(p for _, p in bands) for q, bands in BAND_POINTS.items()},
    **{q: max(p) for q, p in TREND_POINTS.items()},
}
SCENARIOS = {  # group -> scenario -> mandatory (type 1)
    "product_lifecycle": {"product_design": True, "process_design": False, "marketing": True}
    | {"after_sales": False},
    "production_execution": {"planning": False, "production_control": True, "quality": True}
    | {"equipment": True, "safety": True, "energy": True},
    "supply_chain": {"procurement": True, "warehousing": True},
    "management_decision": {"finance": True, "hr": False, "office": False, "decision": False},
}
MANDATORY = [f"scenario_{s}" for g in SCENARIOS.values() for s, m in g.items() if m]
GUIDING = [f"scenario_{s}" for g in SCENARIOS.values() for s, m in g.items() if not m]
LEVELS = [  # level id, min points, scenarios at >= L, of which mandatory
    ("level_4", 80, 10, 6),
    ("level_3", 60, 8, 5),
    ("level_2", 40, 6, 3),
    ("level_1", 20, 6, 3),
]

# Our modelling, not the official text: how wide "unchanged" is (percent change, or percentage
# points for the pass rate).
UNCHANGED = {"pass_rate_change": 0.05}
UNCHANGED_DEFAULT = 0.5


# ---- Helpers -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return assessment.load_questionnaire(PROFILE)


def sheet(questionnaire: Questionnaire, answers: dict[str, Any]) -> AnswerSheet:
    return AnswerSheet.model_validate(
        {
            "questionnaire": {"id": questionnaire.id, "version": questionnaire.version},
            "firm": {
                "name": "苏州恒锐精密金属制品有限公司",
                "credit_code": "91320594MA1A3K7R2A",
                "industry": "metal_processing",
                "employees": 40,
            },
            "period": "2026Q3",
            "assessor": "王建国",
            "assessed_on": date(2026, 9, 1),
            "answers": answers,
        }
    )


def card(questionnaire: Questionnaire, answers: dict[str, Any]) -> ScoreCard:
    return assessment.score(questionnaire, sheet(questionnaire, answers))


# Worst answers, and named parts that each add an exact number of official points.
WORST: dict[str, Any] = {
    **{qid: ["none"] for qid in MULTI},
    "system_coverage": "none",
    "transformation_stage": "none",
    "total_devices": 10,
    "digital_devices": 0,
    "networked_devices": 0,
    "digital_investment": 0,
    "energy_last_year": 110,  # energy per revenue up 22%
    "energy_year_before": 100,
    "pass_rate_now": 95,
    "pass_rate_before": 97,
    "revenue_last_year": 900,  # revenue per employee down 10%
    "revenue_year_before": 1000,
    "employees_last_year": 50,
    "employees_year_before": 50,
    "cost_last_year": 900,  # cost per revenue up 25%
    "cost_year_before": 800,
    **{s: 0 for s in MANDATORY + GUIDING},
}
PARTS: dict[str, tuple[float, dict[str, Any]]] = {
    "systems": (10, {"system_coverage": "all_steps"}),
    "collection": (10, {"auto_collection_steps": [*STEPS, "human_resources"]}),
    "network": (8, {"network_connectivity": list(CHOICE_POINTS["network_connectivity"])[1:]}),
    "devices": (12, {"digital_devices": 10, "networked_devices": 10}),
    "network_security": (5, {"network_security": list(CHOICE_POINTS["network_security"])[1:]}),
    "data_security": (5, {"data_security": list(CHOICE_POINTS["data_security"])[1:]}),
    "stage": (7.5, {"transformation_stage": "peer_learning"}),
    "rules": (7.5, {"management_rules": list(CHOICE_POINTS["management_rules"])[1:]}),
    "talent": (7.5, {"talent_measures": list(CHOICE_POINTS["talent_measures"])[1:]}),
    "investment": (7.5, {"digital_investment": 700}),  # 78% of revenue
    "energy": (7, {"energy_last_year": 80}),
    "pass_rate": (7, {"pass_rate_now": 99}),
    "revenue_per_employee": (3, {"employees_last_year": 40}),
    "cost": (3, {"cost_last_year": 600}),
}
TO_20 = ("systems", "collection")
TO_40 = (*TO_20, "network", "devices")
TO_60 = (*TO_40, "stage", "rules", "network_security")
TO_80 = (*TO_60, "data_security", "talent", "investment")


def answers_with(parts: tuple[str, ...], scenarios: dict[str, int], **more: Any) -> dict[str, Any]:
    answers = dict(WORST)
    for name in parts:
        answers.update(PARTS[name][1])
    return {**answers, **scenarios, **more}


def rated(level: int, mandatory: int, guiding: int, rest: int = 0) -> dict[str, int]:
    """`mandatory` mandatory and `guiding` guiding scenarios at `level`, the others at `rest`."""
    chosen = set(MANDATORY[:mandatory] + GUIDING[:guiding])
    return {s: level if s in chosen else rest for s in MANDATORY + GUIDING}


def level_id(result: ScoreCard) -> str | None:
    return result.level.id if result.level else None


# ---- The structure -----------------------------------------------------------------------------


def test_the_file_names_its_schema_and_passes_validation() -> None:
    first = PROFILE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/questionnaire.schema.json"
    assert assessment.check_file(PROFILE).problems.problems == []


def shares(q: Questionnaire) -> dict[str, float]:
    """Each scored node's and question's official points, from the weights alone."""
    points: dict[str, float] = {}
    scored = [d for d in q.dimensions if d.scored]
    total = sum(d.weight for d in scored)
    for dimension in scored:
        points[dimension.id] = 100 * dimension.weight / total
        i_total = sum(i.weight for i in dimension.indicators)
        for indicator in dimension.indicators:
            points[indicator.id] = points[dimension.id] * indicator.weight / i_total
            questions = [x for x in indicator.questions if x.scored]
            q_total = sum(x.weight for x in questions)
            for question in questions:
                points[question.id] = points[indicator.id] * question.weight / q_total
    return points


def test_dimensions_indicators_and_questions_carry_the_official_points(q: Questionnaire) -> None:
    points = shares(q)
    expected = {**DIMENSION_POINTS, **INDICATOR_POINTS, **QUESTION_POINTS}
    assert {k: round(v, 9) for k, v in points.items()} == expected
    for qid, top in QUESTION_POINTS.items():
        assert q.question_map[qid].weight == top
        assert max_points(q, q.question_map[qid]) == pytest.approx(top)


OPTIONS = [(qid, c, p) for qid, choices in CHOICE_POINTS.items() for c, p in choices.items()]


@pytest.mark.parametrize(("qid", "choice", "official"), OPTIONS)
def test_every_option_is_worth_its_share_of_the_tree(
    q: Questionnaire, qid: str, choice: str, official: float
) -> None:
    question = q.question_map[qid]
    points = {c.id: c.points for c in q.choices_of(question)}
    assert points[choice] == official
    share = shares(q)[qid] / max_points(q, question)
    assert share * points[choice] == pytest.approx(official)
    assert q.choices_of(question)[0].exclusive == (qid in MULTI)


@pytest.mark.parametrize("qid", sorted(BAND_POINTS))
def test_banded_questions_carry_the_official_bands(q: Questionnaire, qid: str) -> None:
    question = q.question_map[qid]
    assert question.bands is not None and question.bands[0].min == 0
    assert [(b.max, b.points) for b in question.bands] == BAND_POINTS[qid]
    assert question.compute is not None and question.allow_na


@pytest.mark.parametrize("qid", sorted(TREND_POINTS))
def test_trends_are_computed_with_a_narrow_unchanged_band(q: Questionnaire, qid: str) -> None:
    question = q.question_map[qid]
    width = UNCHANGED.get(qid, UNCHANGED_DEFAULT)
    assert question.bands is not None and question.compute is not None and question.allow_na
    assert [b.points for b in question.bands] == list(TREND_POINTS[qid])
    assert [b.max for b in question.bands][:2] == [-width, width]


def test_the_sixteen_scenarios_are_rated_only_grouped_and_typed(q: Questionnaire) -> None:
    operations = next(d for d in q.dimensions if d.id == "digital_operations")
    assert not operations.scored
    groups = {
        i.id: {x.id.removeprefix("scenario_"): x.mandatory for x in i.questions}
        for i in operations.indicators
    }
    assert groups == SCENARIOS
    assert sorted(x.id for x in q.tagged("scenario")) == sorted(MANDATORY + GUIDING)
    assert sorted(x.id for x in q.tagged("mandatory")) == sorted(MANDATORY)
    for question in q.tagged("scenario"):
        assert question.type == "ordinal" and question.max_level == 4
        assert [d.level for d in question.descriptors or []] == [0, 1, 2, 3, 4]


def test_the_levels_are_data(q: Questionnaire) -> None:
    found = []
    for level in reversed(q.levels):
        rules = {r.rule if r.rule != "count" else getattr(r, "tag", ""): r for r in level.rules}
        found.append(
            (
                level.id,
                getattr(rules["overall_score"], "min", None),
                getattr(rules["scenario"], "min_count", None),
                getattr(rules["mandatory"], "min_count", None),
            )
        )
        rank = int(level.id[-1])
        assert getattr(rules["scenario"], "level", None) == rank
        assert getattr(rules["mandatory"], "level", None) == rank
    assert found == LEVELS
    assert q.not_rated is not None and q.not_rated.zh == "未达到一级"


# ---- Worked examples, checked by hand ------------------------------------------------------------


def test_the_worst_answers_give_0_points_and_no_level(q: Questionnaire) -> None:
    result = card(q, WORST)
    assert result.overall == 0 and result.level is None
    assert result.level_name.zh == "未达到一级"
    assert [d.points for d in result.dimensions] == [0, 0, 0, 0]


def test_the_best_answers_give_100_points_and_level_4(q: Questionnaire) -> None:
    result = card(q, answers_with(tuple(PARTS), rated(4, 10, 6)))
    assert result.overall == 100 and level_id(result) == "level_4"
    assert result.next_level is None and result.next_level_gap is None
    points = {d.id: d.points for d in result.dimensions} | {
        i.id: i.points for d in result.dimensions for i in d.indicators
    }
    assert points == {
        **DIMENSION_POINTS,
        "digital_operations": 0,
        **INDICATOR_POINTS,
        **dict.fromkeys(SCENARIOS, 0),
    }
    for question in result.questions():
        if question.id in QUESTION_POINTS:
            assert question.points == pytest.approx(QUESTION_POINTS[question.id])
            assert question.contribution == pytest.approx(QUESTION_POINTS[question.id])


def test_parts_add_up_to_100() -> None:
    assert sum(p for p, _ in PARTS.values()) == 100


# A firm in the middle, worked out by hand from the official tables:
#   基础 17.55 = network 2 + digital 30% → 3 + networked 15% → 1.5 + collection 0.7+0.7+0.9
#                + systems (several) 5 + network security 2 × 1.25 + data security 1.25
#   管理 9.375 = stage (retrofits) 4.5 + one rule 1.875 + two talent measures 3 + investment 1% → 0
#   成效 17    = energy per revenue −10% → 7 + pass rate +0.7 → 7 + revenue per head +6% → 3
#                + cost per revenue +1.9% → 0
HAND: dict[str, Any] = {
    "network_connectivity": ["workshop_control_network"],
    "total_devices": 40,
    "digital_devices": 12,
    "networked_devices": 6,
    "auto_collection_steps": ["finance", "warehousing", "human_resources"],
    "system_coverage": "several_steps",
    "network_security": ["rules", "products"],
    "data_security": ["products"],
    "transformation_stage": "retrofits_started",
    "management_rules": ["system_operation_rules"],
    "talent_measures": ["digital_staff", "regular_training"],
    "digital_investment": 50,
    "energy_last_year": 800,
    "energy_year_before": 820,
    "pass_rate_now": 98.2,
    "pass_rate_before": 97.5,
    "revenue_last_year": 5000,
    "revenue_year_before": 4600,
    "employees_last_year": 80,
    "employees_year_before": 78,
    "cost_last_year": 4100,
    "cost_year_before": 3700,
    # 10 scenarios at level 2 or above (7 mandatory), one at level 3 (mandatory)
    **dict(
        scenario_product_design=2,
        scenario_process_design=1,
        scenario_marketing=2,
        scenario_after_sales=1,
        scenario_planning=2,
        scenario_production_control=2,
        scenario_quality=2,
        scenario_equipment=1,
        scenario_safety=1,
        scenario_energy=1,
        scenario_procurement=2,
        scenario_warehousing=2,
        scenario_finance=3,
        scenario_hr=2,
        scenario_office=2,
        scenario_decision=1,
    ),
}


def test_a_firm_in_the_middle_worked_out_by_hand(q: Questionnaire) -> None:
    result = card(q, HAND)
    assert [d.points for d in result.dimensions] == pytest.approx([17.55, 9.375, 17, 0])
    assert result.overall == pytest.approx(43.925)
    assert result.node("equipment_systems").points == pytest.approx(6.5)
    assert result.question("auto_collection_steps").points == pytest.approx(2.3)
    assert result.question("energy_intensity_change").value == pytest.approx(-10.24, abs=0.01)
    assert level_id(result) == "level_2"
    assert result.next_level_gap is not None
    assert result.next_level_gap.zh == (
        "数字化经营场景还需 7 项达到 3 级，其中至少 4 项属于约束性场景；总分还差 16.1 分"
    )


def test_what_is_missing_for_the_next_level(q: Questionnaire) -> None:
    # 40 + 7.5 (stage) + 3 (cost) + 3.5 (energy per revenue unchanged) = 54 points; six
    # scenarios at level 3, four of them mandatory, the others at level 2
    answers = answers_with((*TO_40, "stage", "cost"), rated(3, 4, 2, rest=2))
    result = card(q, {**answers, "energy_last_year": 90})
    assert result.overall == 54
    assert level_id(result) == "level_2" and result.next_level is not None
    assert result.next_level.id == "level_3"
    assert result.next_level_gap is not None
    assert result.next_level_gap.en == (
        "2 more of the 16 scenarios at level 3 or above, of which at least 1 among the 10 "
        "mandatory scenarios; 6 more points"
    )
    assert result.next_level_gap.zh == (
        "数字化经营场景还需 2 项达到 3 级，其中至少 1 项属于约束性场景；总分还差 6 分"
    )


@pytest.mark.parametrize(
    ("parts", "scenarios", "expected"),
    [
        pytest.param(TO_20, rated(1, 3, 3), "level_1", id="20-points-6-scenarios-3-mandatory"),
        pytest.param(TO_20, rated(1, 2, 4), None, id="20-points-too-few-mandatory"),
        pytest.param(TO_20, rated(1, 3, 2), None, id="20-points-5-scenarios"),
        pytest.param(TO_40, rated(2, 3, 3), "level_2", id="40-points-6-at-2"),
        pytest.param(TO_40, rated(2, 2, 4, rest=1), "level_1", id="40-points-2-mandatory-at-2"),
        pytest.param(TO_20, rated(2, 3, 3), "level_1", id="6-at-2-but-20-points"),
        pytest.param(TO_60, rated(3, 5, 3), "level_3", id="60-points-8-at-3-5-mandatory"),
        pytest.param(TO_60, rated(3, 4, 4), "level_2", id="60-points-only-4-mandatory-at-3"),
        pytest.param(TO_60, rated(3, 5, 2, rest=2), "level_2", id="60-points-7-at-3"),
        pytest.param(TO_80, rated(4, 6, 4), "level_4", id="80-points-10-at-4-6-mandatory"),
        pytest.param(TO_80, rated(4, 5, 5, rest=3), "level_3", id="80-points-5-mandatory-at-4"),
        pytest.param(TO_60, rated(4, 6, 4), "level_3", id="10-at-4-but-60-points"),
    ],
)
def test_a_firm_at_each_threshold(
    q: Questionnaire, parts: tuple[str, ...], scenarios: dict[str, int], expected: str | None
) -> None:
    result = card(q, answers_with(parts, scenarios))
    assert result.overall == sum(PARTS[p][0] for p in parts)
    assert level_id(result) == expected


@pytest.mark.parametrize(
    ("parts", "drop", "expected"),
    [
        pytest.param(TO_20, "finance", None, id="19.3-points"),
        pytest.param(TO_40, "finance", "level_1", id="39.3-points"),
        pytest.param(TO_60, "finance", "level_2", id="59.3-points"),
        pytest.param(TO_80, "finance", "level_3", id="79.3-points"),
    ],
)
def test_just_below_a_threshold_stays_a_level_lower(
    q: Questionnaire, parts: tuple[str, ...], drop: str, expected: str | None
) -> None:
    steps = [s for s in [*STEPS, "human_resources"] if s != drop]
    result = card(q, answers_with(parts, rated(4, 10, 6), auto_collection_steps=steps))
    assert result.overall == pytest.approx(sum(PARTS[p][0] for p in parts) - 0.7)
    assert level_id(result) == expected


# ---- Bands derived from raw figures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("digital", "points"),
    [
        (0, 0),
        (10, 0),
        (11, 1.5),
        (20, 1.5),
        (21, 3),
        (40, 3),
        (41, 4.5),
        (60, 4.5),
        (61, 6),
        (100, 6),
    ],
)
def test_device_shares_fall_in_the_official_bands(
    q: Questionnaire, digital: int, points: float
) -> None:
    result = card(q, {**WORST, "total_devices": 100, "digital_devices": digital})
    assert result.question("digital_device_share").points == points


@pytest.mark.parametrize(
    ("figures", "qid", "points"),
    [
        pytest.param({"energy_last_year": 80}, "energy_intensity_change", 7, id="energy-down"),
        pytest.param({"energy_last_year": 90}, "energy_intensity_change", 3.5, id="energy-same"),
        pytest.param({"energy_last_year": 91}, "energy_intensity_change", 0, id="energy-up"),
        pytest.param({"pass_rate_now": 97}, "pass_rate_change", 3.5, id="pass-unchanged"),
        pytest.param({"pass_rate_now": 97.1}, "pass_rate_change", 7, id="pass-up-0.1"),
        pytest.param({"pass_rate_now": 96.9}, "pass_rate_change", 0, id="pass-down-0.1"),
        pytest.param(
            {"employees_last_year": 45}, "revenue_per_employee_change", 1.5, id="per-head-same"
        ),
        pytest.param({"cost_last_year": 720}, "cost_per_revenue_change", 1.5, id="cost-same"),
        pytest.param({"cost_last_year": 719}, "cost_per_revenue_change", 1.5, id="cost-within"),
        pytest.param({"cost_last_year": 715}, "cost_per_revenue_change", 3, id="cost-down"),
    ],
)
def test_trends_follow_from_the_figures(
    q: Questionnaire, figures: dict[str, Any], qid: str, points: float
) -> None:
    assert card(q, {**WORST, **figures}).question(qid).points == points


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        pytest.param({"total_devices": 0}, "not_applicable", id="no-devices"),
        pytest.param({"energy_year_before": "n/a"}, "not_applicable", id="new-firm"),
        pytest.param({"energy_year_before": "unknown"}, "unknown", id="figure-unknown"),
    ],
)
def test_missing_figures(q: Questionnaire, figures: dict[str, Any], status: str) -> None:
    result = card(q, {**WORST, **figures})
    qid = "digital_device_share" if "total_devices" in figures else "energy_intensity_change"
    assert result.question(qid).status == status


def test_a_typed_band_that_contradicts_the_figures_is_reported(q: Questionnaire) -> None:
    with pytest.raises(ValidationFailed) as raised:
        card(q, {**WORST, "energy_intensity_change": -5, "digital_device_share": 80})
    found = sorted((p.code, p.message.split("'")[1]) for p in raised.value.problems)
    assert found == [("ANS010", "digital_device_share"), ("ANS010", "energy_intensity_change")]
    agreeing = card(q, {**WORST, "digital_device_share": 0})
    assert agreeing.question("digital_device_share").points == 0


def test_none_with_another_choice_is_rejected(q: Questionnaire) -> None:
    with pytest.raises(ValidationFailed) as raised:
        card(q, {**WORST, "network_security": ["none", "rules"]})
    assert [p.code for p in raised.value.problems] == ["ANS008"]


# ---- Properties ----------------------------------------------------------------------------------


def official_points(answers: dict[str, Any]) -> float:
    """The official total, worked out from the literal tables only."""
    total = 0.0
    for qid, choices in CHOICE_POINTS.items():
        picked = answers[qid] if qid in MULTI else [answers[qid]]
        total += sum(choices[c] for c in picked)

    def band(qid: str, value: float) -> float:
        return next(p for top, p in BAND_POINTS[qid] if value <= top)

    a = answers
    total += band("digital_device_share", min(a["digital_devices"] / a["total_devices"] * 100, 100))
    total += band(
        "networked_device_share", min(a["networked_devices"] / a["total_devices"] * 100, 100)
    )
    total += band(
        "investment_share", min(a["digital_investment"] / a["revenue_last_year"] * 100, 100)
    )
    changes = {
        "energy_intensity_change": (a["energy_last_year"] / a["revenue_last_year"])
        / (a["energy_year_before"] / a["revenue_year_before"])
        * 100
        - 100,
        "pass_rate_change": a["pass_rate_now"] - a["pass_rate_before"],
        "revenue_per_employee_change": (a["revenue_last_year"] / a["employees_last_year"])
        / (a["revenue_year_before"] / a["employees_year_before"])
        * 100
        - 100,
        "cost_per_revenue_change": (a["cost_last_year"] / a["revenue_last_year"])
        / (a["cost_year_before"] / a["revenue_year_before"])
        * 100
        - 100,
    }
    for qid, change in changes.items():
        width = UNCHANGED.get(qid, UNCHANGED_DEFAULT)
        down, same, up = TREND_POINTS[qid]
        total += down if change <= -width else same if change <= width else up
    return total


def official_level(points: float, answers: dict[str, Any]) -> str | None:
    for level, min_points, count, mandatory in LEVELS:
        rank = int(level[-1])
        at = [s for s in MANDATORY + GUIDING if answers[s] >= rank]
        if points >= min_points and len(at) >= count and len(set(at) & set(MANDATORY)) >= mandatory:
            return level
    return None


@st.composite
def firms(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for qid, choices in CHOICE_POINTS.items():
        ids = list(choices)
        if qid in MULTI:
            picked = draw(st.lists(st.sampled_from(ids[1:]), unique=True))
            answers[qid] = picked or ["none"]
        else:
            answers[qid] = draw(st.sampled_from(ids))
    total = draw(st.integers(1, 300))
    answers.update(
        total_devices=total,
        digital_devices=draw(st.integers(0, total)),
        networked_devices=draw(st.integers(0, total)),
        digital_investment=draw(st.integers(0, 3000)),
        pass_rate_now=draw(st.integers(800, 1000)) / 10,
        pass_rate_before=draw(st.integers(800, 1000)) / 10,
    )
    for name in ("energy", "revenue", "employees", "cost"):
        first = draw(st.integers(1, 5000))
        changes = [first, first + 1, max(1, first - 1), first * 2, max(1, first // 2)]
        answers[f"{name}_last_year"] = draw(st.sampled_from(changes))
        answers[f"{name}_year_before"] = first
    for scenario in MANDATORY + GUIDING:
        answers[scenario] = draw(st.integers(0, 4))
    return answers


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(firms())
def test_the_engine_gives_the_official_points_and_level(answers: dict[str, Any]) -> None:
    q = assessment.load_questionnaire(PROFILE)
    result = card(q, answers)
    expected = official_points(answers)
    assert result.overall == pytest.approx(expected, abs=1e-3)
    assert level_id(result) == official_level(round(expected, 4), answers)


@SETTINGS
@given(firms())
def test_points_add_up_down_the_tree(answers: dict[str, Any]) -> None:
    q = assessment.load_questionnaire(PROFILE)
    result = card(q, answers)
    scored = [d for d in result.dimensions if d.scored]
    assert math.isclose(sum(d.points for d in scored), result.overall or 0, abs_tol=1e-3)
    for dimension in result.dimensions:
        assert math.isclose(
            sum(i.points for i in dimension.indicators), dimension.points, abs_tol=1e-3
        )
        for indicator in dimension.indicators:
            contributions = sum(x.contribution for x in indicator.questions)
            assert math.isclose(contributions, indicator.points, abs_tol=1e-3)
            for question in indicator.questions:
                if dimension.scored and question.scored:  # own points are official points
                    assert math.isclose(question.contribution, question.points or 0, abs_tol=1e-3)
                else:
                    assert question.contribution == 0


# ---- The shipped sample answers ----------------------------------------------------------------


def test_the_sample_answers_are_valid_and_their_levels_spread(q: Questionnaire) -> None:
    assert len(SAMPLES) >= 10
    levels = Counter(level_id(assessment.score(q, assessment.load_answers(p))) for p in SAMPLES)
    assert {None, "level_1", "level_2", "level_3"} <= set(levels)


def test_the_samples_are_what_the_generator_writes_and_agree_with_the_quick_scan(
    tmp_path: Path,
) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_miit", ROOT / "examples/make_miit_samples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.generate("2026Q3", tmp_path)
    assert [p.name for p in written] == [p.name for p in SAMPLES]
    shared = 0
    for path in SAMPLES:
        assert (tmp_path / "2026Q3" / path.name).read_bytes() == path.read_bytes(), path.name
        ours = assessment.load_answers(path).answers
        scan = assessment.load_answers(ROOT / "examples/sample_park/2026Q3" / path.name).answers
        for scenario, question in module.SHARED_SCENARIOS.items():
            if isinstance(scan[question].value, int):
                assert ours[scenario].value == scan[question].value, (path.name, scenario)
                shared += 1
    assert shared > 7 * len(SAMPLES)
