"""The demonstration-scenario catalogue of the MIIT 2024 manufacturing profile.

Its triggers read the 16 scenario ratings and the firm's level: a mandatory scenario fires while
its rating is below the level the firm aims for, a guiding one while it lags behind the level the
firm holds. The tests check that against the sample firms of examples/miit_2024/.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

import pytest

import assessment
from assessment import Answer, AnswerSheet, Catalogue, Questionnaire, Recommendation, ScoreCard
from assessment.engine.pipeline import catalogue_for
from assessment.engine.recommend import SLOTS

ROOT = Path(__file__).parent.parent
PROFILE = ROOT / "questionnaires" / "miit_2024_manufacturing.yaml"
CATALOGUE = ROOT / "questionnaires" / "miit_2024_manufacturing_scenarios.yaml"
SAMPLES = sorted((ROOT / "examples" / "miit_2024" / "2026Q3").glob("*.yaml"))

Result = tuple[AnswerSheet, ScoreCard, list[Recommendation]]


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return assessment.load_questionnaire(PROFILE)


@pytest.fixture(scope="module")
def catalogue(questionnaire: Questionnaire) -> Catalogue:
    return assessment.load_catalogue(CATALOGUE, questionnaire)


@pytest.fixture(scope="module")
def scenario_ids(questionnaire: Questionnaire) -> set[str]:
    return {q.id for q in questionnaire.tagged("scenario")}


@pytest.fixture(scope="module")
def results(questionnaire: Questionnaire, catalogue: Catalogue) -> dict[str, Result]:
    """Every sample firm: its answers, score card and recommendations."""
    found: dict[str, Result] = {}
    for path in SAMPLES:
        sheet = assessment.load_answers(path, questionnaire)
        card = assessment.score(questionnaire, sheet)
        found[path.stem] = (sheet, card, assessment.recommend(card, catalogue, questionnaire))
    return found


def ratings(card: ScoreCard, scenario_ids: set[str]) -> dict[str, float]:
    return {q.id: q.value for q in card.questions() if q.id in scenario_ids}


def rated(catalogue: Catalogue, scenario_id: str, scenario_ids: set[str]) -> list[str]:
    """The scenario questions whose rating the catalogue scenario raises."""
    return [a for a in catalogue.scenario(scenario_id).addresses if a in scenario_ids]


def test_the_catalogue_validates_against_the_profile(questionnaire: Questionnaire) -> None:
    assert assessment.check_file(CATALOGUE, questionnaire).problems.problems == []
    assert assessment.check_file(CATALOGUE).problems.problems == []  # found by its id
    assert CATALOGUE.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=schema/catalogue.schema.json\n"
    )


def test_the_profile_picks_the_catalogue_up_by_its_id(questionnaire: Questionnaire) -> None:
    found = catalogue_for(questionnaire)
    assert found is not None
    assert found.id == "miit_2024_manufacturing_scenarios"
    assert found.questionnaire == questionnaire.id == "miit_2024_manufacturing"


def test_the_samples_are_there() -> None:
    assert len(SAMPLES) >= 10


def test_every_scenario_question_is_addressed(catalogue: Catalogue, scenario_ids: set[str]) -> None:
    assert len(scenario_ids) == 16
    addressed = {a for s in catalogue.scenarios for a in s.addresses}
    assert sorted(scenario_ids - addressed) == []


def test_scenarios_raising_mandatory_ratings_are_mandatory(
    questionnaire: Questionnaire, catalogue: Catalogue, scenario_ids: set[str]
) -> None:
    mandatory = {q.id for q in questionnaire.tagged("mandatory")}
    assert len(mandatory) == 10
    for scenario in catalogue.scenarios:
        raises = rated(catalogue, scenario.id, scenario_ids)
        if raises:
            assert scenario.mandatory == any(a in mandatory for a in raises), scenario.id
    assert {a for s in catalogue.scenarios if s.mandatory for a in s.addresses} >= mandatory


def test_text_is_bilingual(catalogue: Catalogue) -> None:
    for scenario in catalogue.scenarios:
        for text in [scenario.name, scenario.summary, *scenario.benefits]:
            assert text.zh and text.en, scenario.id


@pytest.mark.parametrize("stem", [p.stem for p in SAMPLES])
def test_recommended_rating_scenarios_are_below_the_bar(
    stem: str, results: dict[str, Result], catalogue: Catalogue, scenario_ids: set[str]
) -> None:
    _, card, recs = results[stem]
    rating = ratings(card, scenario_ids)
    level = card.level.rank if card.level else 0
    for rec in recs:
        raises = rated(catalogue, rec.scenario, scenario_ids)
        if not raises:
            continue
        if rec.mandatory:  # below the level the firm aims for
            assert card.next_level is not None, rec.scenario
            assert any(rating[a] < card.next_level.rank for a in raises), rec.scenario
        else:  # guiding: lagging behind the level the firm already holds
            assert any(rating[a] < level for a in raises), rec.scenario


@pytest.mark.parametrize("stem", [p.stem for p in SAMPLES])
def test_prerequisites_never_come_after_their_dependants(
    stem: str, results: dict[str, Result]
) -> None:
    _, _, recs = results[stem]
    slot = {r.scenario: SLOTS.index(r.slot) for r in recs}
    for rec in recs:
        for prereq in rec.prerequisites:
            if prereq in slot:
                assert prereq in rec.waiting_for
                assert slot[prereq] <= slot[rec.scenario], (prereq, rec.scenario)


def test_a_firm_with_every_scenario_at_4_gets_no_rating_scenario(
    questionnaire: Questionnaire,
    catalogue: Catalogue,
    scenario_ids: set[str],
    results: dict[str, Result],
) -> None:
    by_level: dict[int, str] = {}
    for stem, (_, card, _) in results.items():
        by_level.setdefault(card.level.rank if card.level else 0, stem)
    assert len(by_level) >= 3  # weak, middling and strong firms
    for stem in by_level.values():
        sheet = results[stem][0]
        answers = {**sheet.answers, **{s: Answer(value=4) for s in scenario_ids}}
        lifted = sheet.model_copy(update={"answers": answers})
        card = assessment.score(questionnaire, lifted)
        assert set(ratings(card, scenario_ids).values()) == {4}
        recs = assessment.recommend(card, catalogue, questionnaire)
        assert [r.scenario for r in recs if rated(catalogue, r.scenario, scenario_ids)] == []


def test_recommendations_spread_with_the_level(
    questionnaire: Questionnaire,
    catalogue: Catalogue,
    scenario_ids: set[str],
    results: dict[str, Result],
) -> None:
    mandatory = {q.id for q in questionnaire.tagged("mandatory")}
    counts: dict[int, list[int]] = {}
    for _, card, recs in results.values():
        counts.setdefault(card.level.rank if card.level else 0, []).append(len(recs))
        if card.level is None:  # not rated: every mandatory scenario still on paper, near the top
            on_paper = {
                a for a, v in ratings(card, scenario_ids).items() if a in mandatory and v == 0
            }
            raised = {
                a for r in recs if r.mandatory for a in rated(catalogue, r.scenario, scenario_ids)
            }
            assert raised == on_paper
            if on_paper:
                assert any(r.mandatory for r in recs[:3])
        if card.next_level is None:  # at the top: nothing mandatory is left to raise
            assert not any(r.mandatory for r in recs)
    assert min(counts) == 0 and max(counts) >= 3
    assert median(counts[3]) < median(counts[0])
    assert median(counts[3]) <= 7
