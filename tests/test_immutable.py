"""A questionnaire or catalogue handed out is shared by every later call: nobody can change it."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import assessment
from assessment import Questionnaire

ROOT = Path(__file__).resolve().parents[1]
FIRM = ROOT / "examples" / "sample_park" / "2026Q3" / "91320594MA1A3K7R2A.yaml"


def _outcome() -> tuple[Any, ...]:
    result = assessment.assess(FIRM)
    return (
        result.card,
        result.card.to_row(lang="en"),
        [r.scenario for r in result.recommendations],
    )


@pytest.fixture(scope="module")
def before() -> tuple[Any, ...]:
    return _outcome()


def _first_question(q: Questionnaire) -> Any:
    return q.dimensions[0].indicators[0].questions[0]


def _a_choice_question(q: Questionnaire) -> Any:
    return next(x for x in q.questions() if x.choices)


def _a_yes_no_question(q: Questionnaire) -> Any:
    return next(x for x in q.questions() if x.points)


QUESTIONNAIRE_CHANGES: dict[str, Callable[[Any], object]] = {
    "pop a dimension": lambda q: q.dimensions.pop(),
    "sort the dimensions": lambda q: q.dimensions.sort(key=lambda d: d.id),
    "append a dimension": lambda q: q.dimensions.append(q.dimensions[0]),
    "replace a dimension": lambda q: q.dimensions.__setitem__(0, q.dimensions[1]),
    "delete a dimension": lambda q: q.dimensions.__delitem__(0),
    "pop a question": lambda q: q.dimensions[0].indicators[0].questions.pop(),
    "clear an indicator": lambda q: q.dimensions[0].indicators.clear(),
    "reverse the levels": lambda q: q.levels.reverse(),
    "drop a level rule": lambda q: q.levels[-1].rules.pop(),
    "append a choice": lambda q: _a_choice_question(q).choices.append(
        _a_choice_question(q).choices[0]
    ),
    "drop the choices of a scale": lambda q: next(iter(q.scales.values())).choices.pop(),
    "delete a scale": lambda q: q.scales.pop(next(iter(q.scales))),
    "add a scale": lambda q: q.scales.__setitem__("extra", next(iter(q.scales.values()))),
    "clear the scales": lambda q: q.scales.clear(),
    "update the scales": lambda q: q.scales.update({}),
    "merge into the scales": lambda q: q.scales.__ior__({}),
    "change yes points": lambda q: _a_yes_no_question(q).points.__setitem__("yes", 0.0),
    "add a tag": lambda q: _first_question(q).tags.append("mandatory"),
    "clear the question map": lambda q: q.question_map.clear(),
    "replace a question in the map": lambda q: q.question_map.__setitem__(
        _first_question(q).id, _a_choice_question(q)
    ),
    "clear the node map": lambda q: q.node_map.clear(),
    "append to a tag's questions": lambda q: q.tagged("mandatory").append(_first_question(q)),
    "append to the choices of": lambda q: q.choices_of(_a_choice_question(q)).append(None),
    "set a field": lambda q: setattr(q, "dimensions", q.dimensions[:1]),
    "set a nested field": lambda q: setattr(q.dimensions[0], "weight", 100.0),
    "drop the interpretation": lambda q: q.dimensions[0].interpretation.clear(),
}


@pytest.mark.parametrize("change", QUESTIONNAIRE_CHANGES.values(), ids=QUESTIONNAIRE_CHANGES)
def test_a_handed_out_questionnaire_cannot_be_changed(
    change: Callable[[Any], object], before: tuple[Any, ...]
) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    assert q is assessment.assess(FIRM).questionnaire  # shared, hence it must not change
    with pytest.raises((AttributeError, TypeError, ValidationError)):
        change(q)
    assert _outcome() == before


CATALOGUE_CHANGES: dict[str, Callable[[Any], object]] = {
    "pop a scenario": lambda c: c.scenarios.pop(),
    "sort the scenarios": lambda c: c.scenarios.sort(key=lambda s: s.id),
    "append a scenario": lambda c: c.scenarios.append(c.scenarios[0]),
    "replace a scenario": lambda c: c.scenarios.__setitem__(0, c.scenarios[1]),
    "add a benefit": lambda c: c.scenarios[0].benefits.append(c.scenarios[0].benefits[0]),
    "drop an industry": lambda c: c.scenarios[0].industries.pop(),
    "drop a prerequisite list": lambda c: c.scenarios[0].addresses.clear(),
    "clear the cost ranges": lambda c: c.cost_ranges.clear(),
    "change a cost band": lambda c: c.cost_bands.__setitem__("low", c.title),
    "drop a support route": lambda c: c.support.pop(),
    "drop a budget source": lambda c: c.budget.sources.pop(),
    "set a scenario's impact": lambda c: setattr(c.scenarios[0], "impact", 5),
}


@pytest.mark.parametrize("change", CATALOGUE_CHANGES.values(), ids=CATALOGUE_CHANGES)
def test_a_handed_out_catalogue_cannot_be_changed(
    change: Callable[[Any], object], before: tuple[Any, ...]
) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios", q)
    assert catalogue is assessment.load_catalogue("park_quick_scan_scenarios", q)
    with pytest.raises((AttributeError, TypeError, ValidationError)):
        change(catalogue)
    assert _outcome() == before


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_frozen_models_still_copy(copier: Callable[[Any], Any]) -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios", q)
    assert copier(q) == q
    assert copier(catalogue) == catalogue
    assert copier(q).question_map.keys() == q.question_map.keys()


def test_a_catalogue_still_pickles() -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios", q)
    again = pickle.loads(pickle.dumps(catalogue))
    assert again == catalogue
    with pytest.raises(TypeError):
        again.cost_ranges.clear()


def test_a_questionnaire_built_in_memory_is_frozen_too() -> None:
    data = {
        "id": "tiny",
        "version": "1",
        "title": "Tiny",
        "scales": {"yn": {"choices": [{"id": "a", "label": "A", "points": 1}]}},
        "dimensions": [
            {
                "id": "d",
                "label": "D",
                "indicators": [
                    {
                        "id": "i",
                        "label": "I",
                        "questions": [{"id": "q1", "type": "yesno", "text": "Q"}],
                    }
                ],
            }
        ],
    }
    q = Questionnaire.model_validate(data)
    with pytest.raises(TypeError):
        q.scales["other"] = q.scales["yn"]
    with pytest.raises(AttributeError):
        q.dimensions.append(q.dimensions[0])  # type: ignore[attr-defined]
    assert Questionnaire.model_validate(q.model_dump(mode="json")) == q
