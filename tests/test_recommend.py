"""Recommendations worked out by hand: priority, ranking, industries, roadmap slots with
prerequisites, the answers behind each trigger; and the shipped catalogue over the sample park.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from statistics import mean, median
from typing import Any

import pytest
import yaml

import assessment
from assessment import Catalogue, Questionnaire, Recommendation, ScoreCard, ValidationFailed
from assessment.engine.pipeline import sample_park

WriteYaml = Callable[..., Path]
Load = Callable[[dict[str, Any]], Catalogue]
SLOTS = ("now", "next", "later")


@pytest.fixture
def mini_card(mini_questionnaire: Questionnaire, mini_answers_path: Path) -> ScoreCard:
    """mini_answers.yaml scored: plan 50, awareness 66.67, paper_ledger 50, infrastructure 40,
    mes_level 50, devices 40; level l2 (rank 2), next l3 (rank 3)."""
    sheet = assessment.load_answers(mini_answers_path, mini_questionnaire)
    return assessment.score(mini_questionnaire, sheet)


@pytest.fixture
def catalogue_data(data_dir: Path) -> dict[str, Any]:
    """The mini scenario catalogue as plain data, to change before writing it out."""
    data: dict[str, Any] = yaml.safe_load((data_dir / "mini_scenarios.yaml").read_text("utf-8"))
    return data


@pytest.fixture
def load(write_yaml: WriteYaml, mini_questionnaire: Questionnaire) -> Load:
    """`load(data)` writes a catalogue and loads it against the mini questionnaire."""

    def load_(data: dict[str, Any]) -> Catalogue:
        path = write_yaml(json.dumps(data, ensure_ascii=False), "catalogue.yaml")
        return assessment.load_catalogue(path, mini_questionnaire)

    return load_


def test_priority_is_gap_times_impact_times_mandatory_over_effort(
    mini_card: ScoreCard, data_dir: Path, mini_questionnaire: Questionnaire
) -> None:
    catalogue = assessment.load_catalogue(data_dir / "mini_scenarios.yaml", mini_questionnaire)
    recs = assessment.recommend(mini_card, catalogue)
    table = [(r.rank, r.scenario, r.gap, r.priority, r.mandatory_factor) for r in recs]
    assert table == [
        (1, "cloud_erp", 0.5, pytest.approx(0.5 * 4 * 1.5 / 2), 1.5),
        (2, "strategy_workshop", 0.5, pytest.approx(0.5 * 2 / 1), 1),
        (3, "connect_devices", 0.6, pytest.approx(0.6 * 5 / 3), 1),
        (4, "mes_rollout", 0.55, pytest.approx((0.5 + 0.6) / 2 * 4 / 4), 1),
        (5, "level_review", 0.3333, pytest.approx((1 - 200 / 3 / 100) * 2 / 2, abs=1e-5), 1),
    ]


def test_the_mandatory_factor_comes_from_the_catalogue(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Load
) -> None:
    catalogue_data["priority"] = {"mandatory_factor": 2}
    cloud_erp = assessment.recommend(mini_card, load(catalogue_data))[0]
    assert (cloud_erp.scenario, cloud_erp.mandatory) == ("cloud_erp", True)
    assert (cloud_erp.mandatory_factor, cloud_erp.priority) == (2, pytest.approx(0.5 * 4 * 2 / 2))


def test_nothing_scored_to_address_gives_no_gap(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Load
) -> None:
    catalogue_data["scenarios"][0]["addresses"] = ["total_devices"]  # a raw figure, unscored
    recs = assessment.recommend(mini_card, load(catalogue_data))
    assert (recs[-1].scenario, recs[-1].gap, recs[-1].priority) == ("cloud_erp", 0, 0)


@pytest.mark.parametrize("first", ["strategy_workshop", "connect_devices"])
def test_equal_priorities_keep_the_catalogue_order(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Load, first: str
) -> None:
    tied = {"strategy_workshop", "connect_devices"}
    scenarios = catalogue_data["scenarios"]
    # the tied pair at the end of the catalogue, `first` ahead of the other
    catalogue_data["scenarios"] = sorted(
        scenarios, key=lambda s: (s["id"] in tied, s["id"] != first)
    )
    recs = assessment.recommend(mini_card, load(catalogue_data))
    assert recs[1].priority == recs[2].priority == 1
    assert recs[1].scenario == first


@pytest.mark.parametrize(
    ("industry", "expected"),
    [
        ("machinery", {"level_review"}),
        ("metal_processing", {"metal_ledger"}),
        ("optoelectronics", set()),
    ],
)
def test_a_scenario_is_offered_only_to_the_industries_it_suits(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Load, industry: str, expected: set
) -> None:
    firm = mini_card.firm.model_copy(update={"industry": industry})
    card = mini_card.model_copy(update={"firm": firm})
    offered = {r.scenario for r in assessment.recommend(card, load(catalogue_data))}
    for_all = {"cloud_erp", "strategy_workshop", "connect_devices", "mes_rollout"}
    assert offered == for_all | expected


@pytest.mark.parametrize(
    ("roadmap", "slots"),
    [
        (None, ["now", "now", "now", "next", "next"]),
        ({"now": 1, "next": 2}, ["now", "next", "next", "later", "later"]),
        ({"now": 2, "next": 0}, ["now", "now", "later", "later", "later"]),
    ],
)
def test_the_roadmap_fills_now_then_next_quarter_then_later(
    mini_card: ScoreCard,
    catalogue_data: dict[str, Any],
    load: Load,
    roadmap: dict[str, int] | None,
    slots: list[str],
) -> None:
    if roadmap is not None:
        catalogue_data["roadmap"] = roadmap
    recs = assessment.recommend(mini_card, load(catalogue_data))
    assert [r.slot for r in recs] == slots
    assert [r.rank for r in recs] == [1, 2, 3, 4, 5]


def test_triggered_by_lists_the_answers_the_trigger_read(
    mini_card: ScoreCard, data_dir: Path, mini_questionnaire: Questionnaire
) -> None:
    catalogue = assessment.load_catalogue(data_dir / "mini_scenarios.yaml", mini_questionnaire)
    recs = {r.scenario: r for r in assessment.recommend(mini_card, catalogue)}
    read = {k: [(t.question, t.value) for t in r.triggered_by] for k, r in recs.items()}
    assert read["cloud_erp"] == [("paper", ["inventory"])]
    assert read["strategy_workshop"] == [("plan", "some")]
    assert read["connect_devices"] == [("device_share", pytest.approx(30))]
    assert read["mes_rollout"] == [("mes_level", 2)]  # next_level is the firm's, not an answer


def scenario(sid: str, impact: int, *prerequisites: str, trigger: str = "true") -> dict[str, Any]:
    """A scenario addressing `awareness` (gap 1/3), so that its impact orders it."""
    return {
        "id": sid,
        "name": sid,
        "summary": sid,
        "industries": ["all"],
        "trigger": trigger,
        "adopted_when": "score(awareness) == 100",
        "addresses": ["awareness"],
        "impact": impact,
        "effort": 1,
        "prerequisites": list(prerequisites),
        "benefits": [sid],
        "cost_band": "low",
    }


def roadmap_of(mini_card: ScoreCard, load: Load, *scenarios: dict[str, Any], **road: int) -> dict:
    catalogue = {
        "id": "road",
        "version": "1",
        "title": "Road",
        "questionnaire": "mini",
        "roadmap": road or {"now": 3, "next": 3},
        "scenarios": list(scenarios),
    }
    return {r.scenario: r.slot for r in assessment.recommend(mini_card, load(catalogue))}


def in_order(recs: list[Recommendation]) -> bool:
    """Every recommended prerequisite sits in an earlier slot than its dependant (or both later)."""
    slot = {r.scenario: SLOTS.index(r.slot) for r in recs}
    return all(
        slot[p] < slot[r.scenario] or slot[p] == slot[r.scenario] == 2
        for r in recs
        for p in r.waiting_for
    )


# scenarios → the slots they end in, with roadmap {now: 3, next: 3} unless given
ROADS = {
    "prerequisite ranks higher, same slot": (
        [scenario("base", 5), scenario("top", 4, "base")],
        {},
        {"base": "now", "top": "next"},
    ),
    "prerequisite ranks lower, later slot": (
        [scenario("top", 5, "base"), scenario("x", 4), scenario("y", 3), scenario("base", 1)],
        {"now": 1, "next": 1},
        {"top": "next", "base": "now"},
    ),
    "prerequisite already earlier": (
        [scenario("base", 5), scenario("x", 4), scenario("top", 3, "base")],
        {"now": 1, "next": 2},
        {"base": "now", "top": "next"},
    ),
    "prerequisite not recommended": (
        [scenario("top", 5, "base"), scenario("base", 1, trigger="false")],
        {},
        {"top": "now"},
    ),
}


@pytest.mark.parametrize(("scenarios", "road", "expected"), ROADS.values(), ids=ROADS)
def test_a_recommended_prerequisite_comes_in_an_earlier_slot(
    mini_card: ScoreCard,
    load: Load,
    scenarios: list[dict[str, Any]],
    road: dict[str, int],
    expected: dict[str, str],
) -> None:
    slots = roadmap_of(mini_card, load, *scenarios, **road)
    assert {k: v for k, v in slots.items() if k in expected} == expected


CHAINS = {
    "chain ranked in order": [scenario("a", 5), scenario("b", 4, "a"), scenario("c", 3, "b")],
    "chain ranked backwards": [scenario("c", 5, "b"), scenario("b", 4, "a"), scenario("a", 3)],
}


@pytest.mark.parametrize("scenarios", CHAINS.values(), ids=CHAINS)
def test_a_chain_of_prerequisites_takes_one_slot_each(
    mini_card: ScoreCard, load: Load, scenarios: list[dict[str, Any]]
) -> None:
    assert roadmap_of(mini_card, load, *scenarios) == {"a": "now", "b": "next", "c": "later"}


def test_a_chain_longer_than_the_roadmap_ends_in_later(mini_card: ScoreCard, load: Load) -> None:
    chain = [scenario("a", 5), scenario("b", 4, "a"), scenario("c", 3, "b"), scenario("d", 2, "c")]
    slots = roadmap_of(mini_card, load, *chain, now=1, next=1)
    assert slots == {"a": "now", "b": "next", "c": "later", "d": "later"}


@pytest.mark.parametrize(
    ("trigger", "fires"),
    [
        ("level == 2", True),
        ("next_level == 3", True),
        ("level < next_level and score(awareness) < 70", True),
        ("level >= 3", False),
        ("mes_level >= next_level", False),
    ],
)
def test_a_trigger_reads_the_level_ranks_and_scores(
    mini_card: ScoreCard, load: Load, trigger: str, fires: bool
) -> None:
    assert ("s" in roadmap_of(mini_card, load, scenario("s", 3, trigger=trigger))) == fires


def test_a_firm_not_rated_has_level_0_and_next_level_1(mini_card: ScoreCard, load: Load) -> None:
    first = mini_card.levels[0]
    card = mini_card.model_copy(update={"level": None, "next_level": first})
    trigger = "level == 0 and next_level == 1"
    assert roadmap_of(card, load, scenario("s", 3, trigger=trigger)) == {"s": "now"}


def test_a_top_level_firm_has_no_next_level(mini_card: ScoreCard, load: Load) -> None:
    card = mini_card.model_copy(update={"level": mini_card.levels[-1], "next_level": None})
    triggers = ["level == 3", "next_level > 0", "not (next_level > 0)"]
    found = roadmap_of(
        card, load, *(scenario(f"s{i}", 3, trigger=t) for i, t in enumerate(triggers))
    )
    assert set(found) == {"s0", "s2"}


def test_a_questionnaire_condition_cannot_read_the_level(
    mini_path: Path, write_yaml: WriteYaml
) -> None:
    text = mini_path.read_text("utf-8").replace(
        "            type: yesno\n", '            type: yesno\n            when: "level >= 2"\n', 1
    )
    with pytest.raises(ValidationFailed) as caught:
        assessment.load_questionnaire(write_yaml(text, "mini.yaml"))
    assert [p.code for p in caught.value.problems] == ["REF001"]
    assert "'level'" in caught.value.problems[0].message


@pytest.fixture(scope="module")
def park() -> list[Any]:
    """Every sample park firm of 2026Q3, scored and recommended with the shipped catalogue."""
    return sample_park("2026Q3")


def planned_in_order(recs: list[Recommendation]) -> bool:
    """In a plan, every planned prerequisite ends before its dependant starts, and a dependant
    is never planned without its prerequisites."""
    by_id = {r.scenario: r for r in recs}
    return all(
        by_id[p].year is not None and by_id[p].end_month < r.start_month
        for r in recs
        if r.year is not None
        for p in r.waiting_for
    )


def test_every_sample_firm_gets_its_prerequisites_first(park: list[Any]) -> None:
    out_of_order = [a.card.firm.name for a in park if not planned_in_order(a.recommendations)]
    assert out_of_order == []


def test_every_sample_firm_gets_a_ranked_roadmap(park: list[Any]) -> None:
    for result in park:
        recs = result.recommendations
        assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
        assert [r.priority for r in recs] == sorted((r.priority for r in recs), reverse=True)
        picked = {r.scenario for r in recs}
        for r in recs:
            assert r.waiting_for == [p for p in r.prerequisites if p in picked]


def test_weaker_firms_get_at_least_as_many_scenarios(park: list[Any]) -> None:
    cut = median(a.card.overall for a in park)
    weaker = [len(a.recommendations) for a in park if a.card.overall < cut]
    stronger = [len(a.recommendations) for a in park if a.card.overall >= cut]
    assert weaker and stronger
    assert mean(weaker) >= mean(stronger)
