"""The demonstration-scenario catalogue as read from YAML."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .answers import Industry
from .common import Id, Model, Number, Text, Whole

CostBand = Literal["low", "medium", "high"]


class Scenario(Model):
    id: Id
    name: Text
    summary: Text
    industries: list[Industry | Literal["all"]] = Field(min_length=1)
    trigger: str = Field(description="Condition over the answers that calls for the scenario.")
    adopted_when: str | None = Field(
        None,
        description="Condition over a later period's answers under which a firm that was "
        "recommended the scenario counts as having adopted it; by default, when the trigger no "
        "longer fires.",
    )
    addresses: list[Id] = Field(
        min_length=1, description="Dimensions, indicators or questions whose gap it closes."
    )
    impact: Whole = Field(ge=1, le=5)
    effort: Whole = Field(ge=1, le=5)
    mandatory: bool = False
    prerequisites: list[Id] = Field(default_factory=list)
    benefits: list[Text] = Field(min_length=1)
    cost_band: CostBand
    duration_months: Whole | None = Field(None, ge=1, le=60)


class Priority(Model):
    mandatory_factor: Number = Field(1.5, ge=1, le=10)


class Roadmap(Model):
    now: Whole = Field(3, ge=1, le=50)
    next: Whole = Field(3, ge=0, le=50)


class Catalogue(Model):
    kind: Literal["catalogue"] = "catalogue"
    id: Id
    version: str = Field(min_length=1, max_length=40)
    title: Text
    questionnaire: Id = Field(
        description="Id of the questionnaire whose answers the triggers read."
    )
    priority: Priority = Priority()
    roadmap: Roadmap = Roadmap()
    cost_bands: dict[CostBand, Text] = Field(default_factory=dict)
    scenarios: list[Scenario]

    def scenario(self, scenario_id: str) -> Scenario:
        return next(s for s in self.scenarios if s.id == scenario_id)
