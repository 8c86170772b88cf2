"""Dimensions rated but not scored, computed figures, and the one-line gap to the next level."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import assessment
from assessment import AnswerSheet, Questionnaire, ScoreCard

WriteYaml = Callable[..., Path]

# One scored dimension whose score is simply the typed percentage, and one rated-only dimension of
# four scenarios (two mandatory); levels ask for points, scenarios and mandatory scenarios.
SMALL = """\
id: small
version: "1"
title: {zh: 小问卷, en: Small}
dimensions:
  - id: basics
    label: {zh: 基础, en: Basics}
    weight: 40
    indicators:
      - id: readiness
        label: {zh: 准备, en: Readiness}
        questions:
          - {id: readiness_pct, type: percent, text: {zh: 准备度, en: Readiness}}
          - {id: devices, type: number, text: {zh: 设备数, en: Devices}, min: 0}
          - {id: networked, type: number, text: {zh: 联网数, en: Networked}, min: 0}
          - id: networked_share
            type: percent
            text: {zh: 联网率, en: Networked share}
            compute: "networked / devices * 100"
            allow_na: true
DIMENSION_WEIGHT
  - id: operations
    label: {zh: 经营, en: Operations}
    scored: false
    indicators:
      - id: scenarios
        label: {zh: 场景, en: Scenarios}
        questions:
          - {id: s1, type: ordinal, text: {zh: 场景一, en: S1}, tags: [scenario], mandatory: true}
          - {id: s2, type: ordinal, text: {zh: 场景二, en: S2}, tags: [scenario], mandatory: true}
          - {id: s3, type: ordinal, text: {zh: 场景三, en: S3}, tags: [scenario]}
          - {id: s4, type: ordinal, text: {zh: 场景四, en: S4}, tags: [scenario]}
levels:
  - id: l1
    name: {zh: 一级, en: L1}
    rules:
      - rule: count
        tag: scenario
        level: 2
        min_count: 2
        label: &all {zh: 场景, en: the scenarios}
      - rule: count
        tag: mandatory
        level: 2
        min_count: 1
        label: &m {zh: 约束性场景, en: the mandatory scenarios}
      - {rule: overall_score, min: 20}
  - id: l2
    name: {zh: 二级, en: L2}
    rules:
      - {rule: count, tag: scenario, level: 3, min_count: 3, label: *all}
      - {rule: count, tag: mandatory, level: 3, min_count: 2, label: *m}
      - {rule: overall_score, min: 60}
"""


def small_text(weight: str = "") -> str:
    return SMALL.replace("DIMENSION_WEIGHT\n", weight)


@pytest.fixture
def small(write_yaml: WriteYaml) -> Questionnaire:
    """The small questionnaire with a rated-only scenario dimension."""
    return assessment.load_questionnaire(write_yaml(small_text(), "small.yaml"))


def card_for(q: Questionnaire, **answers: Any) -> ScoreCard:
    base: dict[str, Any] = {
        "readiness_pct": 50,
        "devices": 10,
        "networked": 5,
        "s1": 0,
        "s2": 0,
        "s3": 0,
        "s4": 0,
    }
    sheet = AnswerSheet.model_validate(
        {
            "questionnaire": {"id": q.id, "version": q.version},
            "firm": {
                "name": "测试企业",
                "credit_code": "91320594MA1A3K7R2A",
                "industry": "machinery",
                "employees": 20,
            },
            "period": "2026Q3",
            "assessor": "t",
            "assessed_on": date(2026, 9, 1),
            "answers": {**base, **answers},
        }
    )
    return assessment.score(q, sheet)


def test_a_rated_only_dimension_carries_no_points_but_keeps_its_own_score(
    small: Questionnaire,
) -> None:
    card = card_for(small, readiness_pct=80, networked=10, s1=4, s2=2, s3=2, s4=0)
    basics, operations = card.dimensions
    assert card.overall == pytest.approx(90)  # (80 + 100) / 2: the scenarios do not count
    assert (basics.scored, basics.share, basics.points) == (True, 1.0, 90)
    assert (operations.scored, operations.share, operations.points) == (False, 0.0, 0.0)
    assert operations.score == pytest.approx(50)  # mean level 2 of 4
    assert [q.points for q in operations.indicators[0].questions] == [4, 2, 2, 0]
    assert {q.contribution for q in operations.indicators[0].questions} == {0.0}
    assert card.coverage == 1.0


def test_level_rules_count_the_rated_only_items(small: Questionnaire) -> None:
    assert card_for(small, readiness_pct=80, s1=2, s3=2).level is not None
    assert card_for(small, readiness_pct=80, s3=2, s4=2).level is None  # no mandatory one
    assert card_for(small, readiness_pct=10, networked=0, s1=2, s3=2).level is None  # 5 points


@pytest.mark.parametrize(
    ("answers", "zh", "en"),
    [
        pytest.param(
            dict(readiness_pct=60, networked=1, s1=3, s2=2, s3=2),
            "场景还需 2 项达到 3 级，其中至少 1 项属于约束性场景；总分还差 25 分",
            "2 more of the scenarios at level 3 or above, of which at least 1 among the "
            "mandatory scenarios; 25 more points",
            id="scenarios-and-points",
        ),
        pytest.param(
            dict(readiness_pct=100, networked=10, s1=3, s3=3, s4=3),
            "约束性场景还需 1 项达到 3 级",
            "1 more of the mandatory scenarios at level 3 or above",
            id="only-mandatory",
        ),
        pytest.param(
            dict(readiness_pct=100, networked=10, s1=2, s3=3, s4=3),
            "场景还需 2 项达到 3 级，其中至少 2 项属于约束性场景",
            "2 more of the scenarios at level 3 or above, of which at least 2 among the "
            "mandatory scenarios",
            id="mandatory-short-more-than-all",
        ),
        pytest.param(
            dict(readiness_pct=59.7, networked=6, s1=3, s2=3, s3=3),
            "总分还差 0.2 分",
            "0.2 more points",
            id="points-rounded-up",
        ),
    ],
)
def test_the_gap_to_the_next_level_reads_as_one_line(
    small: Questionnaire, answers: dict[str, Any], zh: str, en: str
) -> None:
    card = card_for(small, **answers)
    assert card.level is not None and card.level.id == "l1"
    assert card.next_level_gap is not None
    assert (card.next_level_gap.zh, card.next_level_gap.en) == (zh, en)


def test_a_count_blocker_names_its_items(small: Questionnaire) -> None:
    card = card_for(small, readiness_pct=100, networked=10, s1=2, s3=3)
    texts = [b.unblock.en for b in card.blockers if b.unblock]
    assert texts[0].startswith("2 more of the scenarios at level 3 or above, for example: ")


def test_the_top_level_has_no_gap(small: Questionnaire) -> None:
    card = card_for(small, readiness_pct=100, networked=10, s1=3, s2=3, s3=3)
    assert card.level is not None and card.level.id == "l2"
    assert (card.next_level, card.next_level_gap) == (None, None)


@pytest.mark.parametrize(
    ("answers", "status", "score"),
    [
        pytest.param(dict(devices=0, networked=0), "not_applicable", None, id="no-devices"),
        pytest.param(dict(devices="n/a"), "not_applicable", None, id="figure-not-applicable"),
        pytest.param(dict(networked="unknown"), "unknown", 0.0, id="figure-unknown"),
        pytest.param(dict(devices=10, networked=4), "computed", 40.0, id="computed"),
    ],
)
def test_a_computed_share_is_left_out_only_when_its_figures_make_it_meaningless(
    write_yaml: WriteYaml, answers: dict[str, Any], status: str, score: float | None
) -> None:
    text = small_text().replace(
        "{id: devices, type: number,", "{id: devices, type: number, allow_na: true,"
    )
    q = assessment.load_questionnaire(write_yaml(text, "small.yaml"))
    card = card_for(q, **answers)
    result = card.question("networked_share")
    assert (result.status, result.score) == (status, score)
    assert any(f.question == "networked_share" for f in card.flags) == (status == "unknown")


@pytest.mark.parametrize(
    ("edit", "code", "says"),
    [
        pytest.param(
            ("    scored: false\n", "    scored: false\n    weight: 2\n"),
            "SCHEMA001",
            "'weight' is not used by a dimension with 'scored: false'",
            id="weight-on-rated-only",
        ),
        pytest.param(
            ("    weight: 40\n", "    scored: false\n"),
            "WEIGHT001",
            "every dimension has 'scored: false'",
            id="nothing-scored",
        ),
    ],
)
def test_rated_only_dimensions_are_checked(
    write_yaml: WriteYaml, edit: tuple[str, str], code: str, says: str
) -> None:
    path = write_yaml(small_text().replace(*edit), "small.yaml")
    problems = assessment.check_file(path).problems.problems
    assert [(p.code, says in p.message) for p in problems] == [(code, True)], problems


def test_levels_with_the_same_counts_but_more_points_do_not_overlap(write_yaml: WriteYaml) -> None:
    same_counts = small_text().replace("level: 3, min_count: 3", "level: 2, min_count: 2")
    same_counts = same_counts.replace("level: 3, min_count: 2", "level: 2, min_count: 1")
    assert assessment.check_file(write_yaml(same_counts, "small.yaml")).problems.problems == []
    same_all = same_counts.replace("min: 60", "min: 20")
    codes = [p.code for p in assessment.check_file(write_yaml(same_all)).problems.problems]
    assert codes == ["LEVEL002"]
