"""The demonstration-scenario catalogue as read from YAML."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..errors import N_
from .answers import Industry
from .common import FrozenDict, FrozenMap, Id, Model, Number, Text, Whole, clipped

CostBand = Literal["low", "medium", "high"]


class Scenario(Model):
    id: Id
    name: Text
    summary: Text
    industries: tuple[Industry | Literal["all"], ...] = Field(min_length=1)
    trigger: str = Field(description="Condition over the answers that calls for the scenario.")
    adopted_when: str | None = Field(
        None,
        description="Condition over a later period's answers that shows the scenario in place: a "
        "firm that was recommended the scenario counts as having adopted it only when this "
        "holds. Required (ADOPT001): without it nothing counts as adopted, and a trigger that "
        "no longer fires is no evidence of adoption.",
    )
    addresses: tuple[Id, ...] = Field(
        min_length=1, description="Dimensions, indicators or questions whose gap it closes."
    )
    impact: Whole = Field(ge=1, le=5)
    effort: Whole = Field(ge=1, le=5)
    mandatory: bool = False
    prerequisites: tuple[Id, ...] = Field(default_factory=tuple)
    benefits: tuple[Text, ...] = Field(min_length=1)
    cost_band: CostBand
    duration_months: Whole | None = Field(
        None,
        ge=1,
        le=60,
        description="Months from start to finish; the roadmap assumes 3 when it is not given.",
    )

    def __repr__(self) -> str:
        return (
            f"<Scenario {self.id}: {clipped(self.name.en)}, impact {self.impact}, "
            f"effort {self.effort}, {self.cost_band} cost>"
        )


class Priority(Model):
    mandatory_factor: Number = Field(1.5, ge=1, le=10)


class Roadmap(Model):
    now: Whole = Field(3, ge=1, le=50)
    next: Whole = Field(3, ge=0, le=50)


class CostRange(Model):
    """What a cost band means in money, so that a roadmap's costs can be added up."""

    min: Number = Field(ge=0, description="Lowest cost in CNY.")
    max: Number | None = Field(None, ge=0, description="Highest cost in CNY; none for open-ended.")

    @model_validator(mode="after")
    def _ordered(self) -> CostRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(N_("max is below min; make max at least min, or leave it out"))
        return self


SupportKind = Literal["diagnosis", "software", "subsidy", "service", "finance"]


class SupportRoute(Model):
    """Where a firm gets help: the park's free diagnosis, software packages, a subsidy route."""

    id: Id
    kind: SupportKind
    name: Text
    detail: Text = Field(description="Who gives it and how to ask for it, in one sentence.")
    scenarios: tuple[Id, ...] = Field(
        default_factory=tuple, description="Scenarios it helps with; empty for every scenario."
    )
    covers: Number = Field(
        0,
        ge=0,
        le=1,
        description="Share of a scenario's cost it pays (0–1); 0 when it advises but pays nothing.",
    )
    service_kind: Id | None = Field(
        None,
        description="The kind in the park's services register (e.g. software_package) whose "
        "lines record this route given to a firm; their amounts then pay for its scenarios.",
    )


class BudgetSource(Model):
    """One way to put a figure on what a firm can spend in a year, from its own answers."""

    id: Id
    value: str = Field(
        description="Expression over the answers giving the year-one budget in 10k CNY (万元); "
        "a source whose answers are unknown is passed over."
    )
    basis: Text = Field(
        description="How the report explains it; {value} and each answer the expression names, "
        "as {question_id}, are filled in."
    )


class PlanLimit(Model):
    """What the firm says it plans to spend keeps the budget within a range."""

    when: str = Field(description="Condition over the answers.")
    min: Number | None = Field(None, ge=0, description="Lowest budget in 10k CNY (万元).")
    max: Number | None = Field(None, ge=0, description="Highest budget in 10k CNY (万元).")
    basis: Text


class SizeDefault(Model):
    """The cautious budget of a firm of this size whose answers give no figure."""

    max_employees: Whole | None = Field(None, ge=0, description="Up to this head-count; none: any.")
    budget: Number = Field(ge=0, description="Year-one budget in 10k CNY (万元).")


class CapacityRule(Model):
    """How many projects a firm can run at once, from who looks after its IT."""

    when: str = Field(description="Condition over the answers; the first that holds applies.")
    projects: Whole = Field(ge=1, le=10)
    basis: Text


class BudgetRule(Model):
    """What a firm can afford and carry: its year-one budget and its capacity for projects."""

    sources: tuple[BudgetSource, ...] = Field(
        default_factory=tuple,
        description="Tried in order; the first whose answers are known gives it.",
    )
    limits: tuple[PlanLimit, ...] = Field(
        default_factory=tuple, description="Every limit whose condition holds narrows the budget."
    )
    by_size: tuple[SizeDefault, ...] = Field(
        min_length=1, description="Defaults by head-count, smallest first; the last has no bound."
    )
    default_basis: Text = Field(
        description="What the report says when no source is known; {value} and {employees}."
    )
    capacity: tuple[CapacityRule, ...] = Field(default_factory=tuple)
    default_capacity: Whole = Field(1, ge=1, le=10)
    default_capacity_basis: Text = Field(
        description="What the report says when no capacity rule holds; {projects}."
    )
    years: Whole = Field(3, ge=1, le=10, description="How many years the roadmap plans ahead.")


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
    cost_bands: FrozenMap[CostBand, Text] = Field(default_factory=FrozenDict)
    cost_ranges: FrozenMap[CostBand, CostRange] = Field(
        default_factory=FrozenDict, description="Each cost band in CNY, for first-year cost totals."
    )
    support: tuple[SupportRoute, ...] = Field(
        default_factory=tuple,
        description="Help a firm can ask for, shown beside its first actions.",
    )
    budget: BudgetRule | None = Field(
        None, description="How a firm's budget and capacity are read from its answers."
    )
    scenarios: tuple[Scenario, ...]

    def scenario(self, scenario_id: str) -> Scenario:
        return next(s for s in self.scenarios if s.id == scenario_id)

    def __repr__(self) -> str:
        return (
            f"<Catalogue {self.id} {self.version} for {self.questionnaire}: "
            f"{len(self.scenarios)} scenarios>"
        )
