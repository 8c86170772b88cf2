"""What scoring and recommending return: plain, typed data that converts to JSON and pandas."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ._views import notebook_html
from .answers import Firm, RawValue
from .common import Lang, Model, Text, TextValue, clipped

if TYPE_CHECKING:
    import pandas as pd
else:

    class _Pandas:
        """pandas, imported only when something asks for one of its names: the methods that
        make frames, and `typing.get_type_hints` reading their return type (`pd.DataFrame`).
        Without the `pandas` extra that raises ModuleNotFoundError naming pandas."""

        def __getattr__(self, name: str) -> Any:
            import pandas

            return getattr(pandas, name)

    pd = _Pandas()

Status = Literal["answered", "unknown", "not_applicable", "skipped", "unanswered", "computed"]
Slot = Literal["now", "next", "later"]
DeferReason = Literal["budget", "capacity", "prerequisite", "open_cost", "over_budget", "horizon"]


class QuestionResult(Model):
    id: str
    dimension: str
    indicator: str
    type: str
    status: Status
    value: RawValue | float = None
    note: str | None = None
    evidence: list[str] = Field(default_factory=list)
    scored: bool
    points: float | None = Field(None, description="Points earned on the question's own scale.")
    max_points: float | None = None
    score: float | None = Field(None, description="0–100 after reverse scoring.")
    weight: float
    share: float = Field(description="Share of the overall score this question carries (0–1).")
    contribution: float = Field(description="Points this answer adds to the overall score.")

    def __repr__(self) -> str:
        score = "" if self.score is None else f", score {self.score:.1f}"
        return f"<QuestionResult {self.id} {self.status}: {clipped(self.value, 80)}{score}>"


class NodeResult(Model):
    id: str
    label: Text
    weight: float
    score: float | None = Field(description="0–100, or None when nothing under it applies.")
    coverage: float = Field(description="Share of applicable weight that has a real answer (0–1).")
    share: float = Field(description="Share of the overall score this node carries (0–1).")
    points: float = Field(description="Points this node adds to the overall score.")
    interpretation: Text | None = None

    def _repr_with(self, parts: str) -> str:
        score = "not rated" if self.score is None else f"score {self.score:.1f}"
        return (
            f"<{type(self).__name__} {self.id} {clipped(self.label.en, 40)}: {score}, "
            f"weight {self.weight:g}, coverage {self.coverage:.0%}, {parts}>"
        )


class IndicatorResult(NodeResult):
    questions: list[QuestionResult]

    def __repr__(self) -> str:
        return self._repr_with(f"{len(self.questions)} questions")


class DimensionResult(NodeResult):
    scored: bool = Field(True, description="False: rated, but not part of the overall score.")
    indicators: list[IndicatorResult]

    def __repr__(self) -> str:
        return self._repr_with(f"{len(self.indicators)} indicators")


class RuleCheck(Model):
    rule: str
    met: bool
    description: Text = Field(description="What the rule asks.")
    actual: float
    required: float
    unblock: Text | None = Field(None, description="What would meet the rule, when it is not met.")
    candidates: list[str] = Field(
        default_factory=list, description="Items whose improvement would help meet it."
    )

    def __repr__(self) -> str:
        met = "met" if self.met else "not met"
        return (
            f"<RuleCheck {self.rule} {met} ({self.actual:g} of {self.required:g}): "
            f"{clipped(self.description.en)}>"
        )


class LevelRef(Model):
    id: str
    name: Text
    rank: int = Field(description="1 for the lowest level.")

    def __repr__(self) -> str:
        return f"<LevelRef {self.id} (rank {self.rank}): {clipped(self.name.en, 40)}>"


class LevelCheck(LevelRef):
    met: bool
    rules: list[RuleCheck]

    def __repr__(self) -> str:
        met = sum(rule.met for rule in self.rules)
        return (
            f"<LevelCheck {self.id} (rank {self.rank}): {'met' if self.met else 'not met'}, "
            f"{met} of {len(self.rules)} rules met>"
        )


class Flag(Model):
    question: str
    code: Literal["unknown", "unanswered"]
    message: Text


class QuestionnaireInfo(Model):
    id: str
    version: str
    content_hash: str
    title: Text


class Eligibility(Model):
    """Whether the firm may be shortlisted in a demonstration tier, and what it misses."""

    tier: str
    eligible: bool
    unmet: list[Text] = Field(default_factory=list)

    def __repr__(self) -> str:
        if self.eligible:
            return f"<Eligibility {self.tier}: eligible>"
        return f"<Eligibility {self.tier}: not eligible, {len(self.unmet)} unmet>"


class ScoreCard(Model):
    """The full result of scoring one firm's answers, with the trace behind every number."""

    questionnaire: QuestionnaireInfo
    firm: Firm
    period: str
    assessor: str
    assessed_on: date
    overall: float | None
    coverage: float
    dimensions: list[DimensionResult]
    level: LevelRef | None
    not_rated: Text
    next_level: LevelRef | None
    blockers: list[RuleCheck]
    next_level_gap: Text | None = Field(
        None, description="What the next level still needs, in one line."
    )
    levels: list[LevelCheck]
    computed: dict[str, float | str | bool | None]
    flags: list[Flag]
    demonstration: list[Eligibility] = Field(
        default_factory=list,
        description="The demonstration tiers the questionnaire restricts, and the firm's standing.",
    )

    def eligible(self, tier: str) -> Eligibility | None:
        """The firm's standing for `tier`, or None when the questionnaire sets no rule for it."""
        return next((e for e in self.demonstration if e.tier == tier), None)

    def node(self, node_id: str) -> DimensionResult | IndicatorResult:
        for dimension in self.dimensions:
            if dimension.id == node_id:
                return dimension
            for indicator in dimension.indicators:
                if indicator.id == node_id:
                    return indicator
        raise KeyError(node_id)

    def questions(self) -> list[QuestionResult]:
        return [q for d in self.dimensions for i in d.indicators for q in i.questions]

    def question(self, question_id: str) -> QuestionResult:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def level_name(self) -> TextValue:
        """The level's name, or what an unrated firm is called: `card.level_name.en`."""
        return self.level.name if self.level else self.not_rated

    def to_row(self, lang: Lang = "zh") -> dict[str, Any]:
        """One flat record: firm, period, level (id, rank and name in `lang`), overall score and
        coverage, then each dimension's score (`<id>`) and coverage (`<id>_coverage`)."""
        row: dict[str, Any] = {
            "credit_code": self.firm.credit_code,
            "name": self.firm.name,
            "industry": self.firm.industry,
            "employees": self.firm.employees,
            "period": self.period,
            "questionnaire": self.questionnaire.id,
            "questionnaire_version": self.questionnaire.version,
            "level": self.level.id if self.level else None,
            "level_rank": self.level.rank if self.level else 0,
            "level_name": self.level_name[lang],
            "overall": self.overall,
            "coverage": self.coverage,
        }
        for dimension in self.dimensions:
            row[dimension.id] = dimension.score
            row[f"{dimension.id}_coverage"] = dimension.coverage
        return row

    def to_dataframe(self, lang: Lang = "zh") -> pd.DataFrame:
        """`to_row(lang)` as a one-row pandas DataFrame (needs the `pandas` extra)."""
        import pandas as pd

        return pd.DataFrame([self.to_row(lang)])

    def to_html(self, lang: Lang | None = None) -> str:
        """The notebook view: level, overall score, radar and dimension table, in `lang` (by
        default the language set by `assessment.set_display_language`, Chinese unless set)."""
        return notebook_html(self, lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        overall = "not rated" if self.overall is None else f"overall {self.overall:.1f}"
        return (
            f"<ScoreCard {self.firm.credit_code} {clipped(self.firm.name, 40)} {self.period}: "
            f"{self.level_name.en}, {overall}, {len(self.dimensions)} dimensions>"
        )


class TriggerAnswer(Model):
    question: str
    value: RawValue | float

    def __repr__(self) -> str:
        return f"<TriggerAnswer {self.question}: {clipped(self.value, 100)}>"


class SupportGiven(Model):
    """Support the park's services register records as given to the firm: one register line."""

    credit_code: str
    kind: str = Field(description="The register's kind of support, e.g. software_package.")
    served_on: date
    provider: str = ""
    amount: float | None = Field(
        None, ge=0, description="What the support was worth, in 10k CNY (万元); none if unrecorded."
    )
    note: str = ""

    def __repr__(self) -> str:
        amount = "" if self.amount is None else f", {self.amount:g} 10k CNY"
        return f"<SupportGiven {self.credit_code} {self.kind} on {self.served_on}{amount}>"


class Support(Model):
    """One route to help with a recommended scenario, copied from the catalogue, and what the
    park's services register shows of it given to this firm."""

    id: str
    kind: str
    name: Text
    detail: Text
    covers: float = Field(0, description="Share of the scenario's cost it pays (0–1).")
    service_kind: str | None = Field(
        None, description="The services register's kind that records this route given."
    )
    given: list[SupportGiven] = Field(
        default_factory=list,
        description="The register's lines of that kind for this firm and period.",
    )
    paid: float | None = Field(
        None,
        description="CNY of the register's recorded amounts that pay for this scenario (counted "
        "once over the route's scenarios, best-ranked first); none when no amount is recorded.",
    )


class Recommendation(Model):
    scenario: str
    name: Text
    summary: Text
    rank: int
    priority: float = Field(description="gap × impact × mandatory factor ÷ effort.")
    gap: float = Field(description="Mean shortfall (0–1) of the nodes the scenario addresses.")
    impact: int
    effort: int
    mandatory: bool
    mandatory_factor: float
    slot: Slot
    triggered_by: list[TriggerAnswer]
    prerequisites: list[str]
    waiting_for: list[str] = Field(description="Prerequisites that are themselves recommended.")
    benefits: list[Text]
    cost_band: str
    cost_min: float | None = Field(None, description="Lowest cost of its band in CNY, if known.")
    cost_max: float | None = Field(
        None, description="Highest cost of its band in CNY; none if open-ended or unknown."
    )
    duration_months: int = Field(3, description="Months it takes (3 when the catalogue is silent).")
    start_month: int = Field(
        1, description="Roadmap month it starts in, counting from 1; 0 when the plan leaves it out."
    )
    end_month: int = Field(
        3, description="Roadmap month it ends in (inclusive); 0 when the plan leaves it out."
    )
    support: list[Support] = Field(default_factory=list)
    firm_cost_min: float | None = Field(
        None, description="Lowest cost to the firm in CNY, after the support that pays a share."
    )
    firm_cost_max: float | None = Field(
        None, description="Highest cost to the firm in CNY after support; none if open-ended."
    )
    support_applied: str | None = Field(
        None, description="The support route counted in the firm's cost; none if none lowers it."
    )
    year: int | None = Field(
        None,
        description="Plan year it starts in (1 = now); none when it is beyond the plan or the "
        "catalogue has no budget rule.",
    )
    deferred: DeferReason | None = Field(
        None, description="Why it does not start in year one; none when it does."
    )
    waiting_on: list[str] = Field(
        default_factory=list, description="Prerequisites that keep it out of year one."
    )

    def __repr__(self) -> str:
        return (
            f"<Recommendation {self.rank}. {self.scenario} ({self.slot}), "
            f"priority {self.priority:.2f}>"
        )


class PlanYear(Model):
    """One year of the plan: the scenarios that start in it and what they cost the firm."""

    year: int
    scenarios: list[str]
    cost_min: float = Field(description="Lowest cost to the firm in CNY, after support.")
    cost_max: float = Field(description="Highest cost to the firm in CNY, after support.")


class Plan(Model):
    """What the firm can afford and carry, and the roadmap that fits within it."""

    budget: float = Field(description="Year-one budget in CNY (and each later year's).")
    budget_known: bool = Field(description="False: no answer gave a figure; a default by size.")
    budget_basis: list[Text] = Field(description="How the budget was read from the answers.")
    capacity: int = Field(description="Projects the firm can run at once.")
    capacity_known: bool
    capacity_basis: Text
    years: list[PlanYear] = Field(description="Year by year, from year one; empty years left out.")
    unplanned: list[str] = Field(
        default_factory=list, description="Triggered scenarios no year of the plan takes up."
    )

    def __repr__(self) -> str:
        planned = sum(len(y.scenarios) for y in self.years)
        return (
            f"<Plan budget CNY {self.budget:,.0f} a year, {self.capacity} at once: "
            f"{planned} scenarios over {len(self.years)} years, {len(self.unplanned)} unplanned>"
        )


class RecommendationList(list[Recommendation]):
    """The ranked recommendations of one firm: a list that shows as a table in a notebook."""

    def to_dataframe(self, lang: Lang = "zh") -> pd.DataFrame:
        """One row per recommendation: rank, scenario, name in `lang`, slot, priority and why."""
        import pandas as pd

        return pd.DataFrame(self.rows(lang))

    def rows(self, lang: Lang = "zh") -> list[dict[str, Any]]:
        """Plain rows for a table or a DataFrame, best first."""
        return [
            {
                "rank": r.rank,
                "scenario": r.scenario,
                "name": r.name[lang],
                "slot": r.slot,
                "priority": r.priority,
                "mandatory": r.mandatory,
                "cost_band": r.cost_band,
                "cost_min": r.cost_min,
                "cost_max": r.cost_max,
                "firm_cost_min": r.firm_cost_min,
                "firm_cost_max": r.firm_cost_max,
                "duration_months": r.duration_months,
                "year": r.year,
                "start_month": r.start_month,
                "end_month": r.end_month,
                "deferred": r.deferred,
                "triggered_by": ", ".join(t.question for t in r.triggered_by),
            }
            for r in self
        ]

    def to_html(self, lang: Lang | None = None) -> str:
        """The notebook view: the ranked scenarios as a table in `lang` (by default the language
        set by `assessment.set_display_language`, Chinese unless set)."""
        return notebook_html(self, lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        shown = ", ".join(r.scenario for r in self[:5]) + (", …" if len(self) > 5 else "")
        return f"<RecommendationList of {len(self)}: {shown}>"


RESULT_SCHEMA_VERSION: Literal["1.1"] = "1.1"


class ResultDocument(ScoreCard):
    """The JSON result of one assessment (`dtm score --json`): the score card with its trace,
    the recommendations, and the version of this layout (docs/result-schema.md)."""

    schema_version: Literal["1.1"] = Field(
        RESULT_SCHEMA_VERSION, description="Version of this layout; see docs/api.md."
    )
    recommendations: list[Recommendation] = Field(
        description="Every triggered scenario, best first, each with its place in the plan."
    )
    plan: Plan | None = Field(
        None, description="Budget, capacity and the roadmap that fits; none without a budget rule."
    )

    def __repr__(self) -> str:
        overall = "not rated" if self.overall is None else f"overall {self.overall:.1f}"
        return (
            f"<ResultDocument {self.schema_version} {self.firm.credit_code} {self.period}: "
            f"{self.level_name.en}, {overall}, {len(self.recommendations)} recommendations>"
        )
