"""The questionnaire as read from YAML: dimensions, indicators, questions, scales and levels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr

from .common import FrozenDict, FrozenMap, Id, Model, Number, Text, Whole, clipped

QuestionType = Literal["single", "multi", "number", "percent", "yesno", "ordinal", "text"]
CHOICE_TYPES = ("single", "multi")
NUMERIC_TYPES = ("number", "percent")


class Choice(Model):
    id: Id
    label: Text
    points: Number = 0.0
    exclusive: bool = Field(False, description="A 'none' choice that cannot be combined.")

    def __repr__(self) -> str:
        return f"<Choice {self.id}, {self.points:g} points: {clipped(self.label.en)}>"


class Scale(Model):
    """A reusable list of choices, shared by several questions."""

    type: Literal["single", "multi"] = "single"
    choices: tuple[Choice, ...]


class Band(Model):
    """Raw values in (min, max] score `points`; the first band also takes `min` itself."""

    min: Number
    max: Number
    points: Number
    label: Text | None = None


class Descriptor(Model):
    level: Whole = Field(ge=0, le=10)
    text: Text


class Interpretation(Model):
    """What a score in (min, max] means, as number bands read; the first band also takes its min."""

    min: Number = Field(ge=0, le=100)
    max: Number = Field(ge=0, le=100)
    text: Text


class Question(Model):
    id: Id
    type: QuestionType
    text: Text
    help: Text | None = None
    weight: Number = 1.0
    scale: Id | None = Field(None, description="Id of a scale under `scales:`.")
    choices: tuple[Choice, ...] | None = None
    bands: tuple[Band, ...] | None = None
    map: tuple[tuple[Number, Number], ...] | None = Field(
        None, description="Piecewise-linear [raw, points] pairs, raw ascending."
    )
    min: Number | None = None
    max: Number | None = None
    integer: bool = Field(False, description="A count: only whole numbers are answers.")
    unit: Text | None = None
    points: FrozenMap[Literal["yes", "no"], Number] | None = None
    max_level: Whole = Field(4, ge=1, le=10)
    descriptors: tuple[Descriptor, ...] | None = None
    compute: str | None = Field(None, description="Expression giving the value from others.")
    when: str | None = Field(None, description="Ask only when this condition holds.")
    if_skipped: Literal["na", "worst"] = "na"
    required: bool = True
    allow_na: bool = False
    allow_unknown: bool = True
    reverse: bool = False
    mandatory: bool = False
    tags: tuple[Id, ...] = Field(default_factory=tuple)
    evidence: Text | None = Field(None, description="What the firm can show to back the answer.")

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.type}, weight {self.weight:g}: {clipped(self.text.en)}>"

    @cached_property
    def scored(self) -> bool:
        if self.type == "text":
            return False
        if self.type == "number":
            return bool(self.bands or self.map)
        return True


class Indicator(Model):
    id: Id
    label: Text
    score_label: Text | None = Field(
        None,
        description="The score's name by its good end, for a node whose label names the bad "
        "end (e.g. label 纸质台账依赖, score_label 无纸化程度): reports show this.",
    )
    weight: Number = 1.0
    interpretation: tuple[Interpretation, ...] = Field(default_factory=tuple)
    questions: tuple[Question, ...]

    def __repr__(self) -> str:
        return (
            f"<Indicator {self.id} weight {self.weight:g}: {clipped(self.label.en)}, "
            f"{len(self.questions)} questions>"
        )


class Dimension(Model):
    id: Id
    label: Text
    score_label: Text | None = Field(
        None,
        description="The score's name by its good end, for a node whose label names the bad "
        "end (e.g. label 纸质台账依赖, score_label 无纸化程度): reports show this.",
    )
    weight: Number = 1.0
    scored: bool = Field(
        True,
        description="false: its questions are asked, checked and rated (level rules read them), "
        "but it carries no share of the overall score.",
    )
    description: Text | None = None
    interpretation: tuple[Interpretation, ...] = Field(default_factory=tuple)
    indicators: tuple[Indicator, ...]

    def __repr__(self) -> str:
        scored = "" if self.scored else " (not scored)"
        return (
            f"<Dimension {self.id} weight {self.weight:g}{scored}: {clipped(self.label.en)}, "
            f"{len(self.indicators)} indicators>"
        )


class Computed(Model):
    """A named value worked out from answers, usable in any condition."""

    id: Id
    label: Text
    expr: str
    unit: Text | None = None


class OverallScoreRule(Model):
    rule: Literal["overall_score"]
    min: Number


class NodeScoreRule(Model):
    rule: Literal["node_score"]
    node: Id
    min: Number


class CountRule(Model):
    """At least `min_count` of the chosen items reach `level` (ordinal) or `min_score` (0–100)."""

    rule: Literal["count"]
    items: tuple[Id, ...] | None = None
    tag: Id | None = None
    level: Whole | None = Field(None, ge=0, le=10)
    min_score: Number | None = None
    min_count: Whole = Field(ge=1)
    label: Text | None = None


class MandatoryRule(Model):
    """Each listed item reaches `level` (ordinal) or `min_score`, or is answered yes."""

    rule: Literal["mandatory"]
    items: tuple[Id, ...] | None = None
    tag: Id | None = None
    level: Whole | None = Field(None, ge=0, le=10)
    min_score: Number | None = None


class LowerLevelsRule(Model):
    rule: Literal["lower_levels"]


class ConditionRule(Model):
    rule: Literal["condition"]
    expr: str
    label: Text


LevelRule = Annotated[
    OverallScoreRule | NodeScoreRule | CountRule | MandatoryRule | LowerLevelsRule | ConditionRule,
    Field(discriminator="rule"),
]


class Level(Model):
    id: Id
    name: Text
    description: Text | None = None
    rules: tuple[LevelRule, ...] = Field(default_factory=tuple)

    def __repr__(self) -> str:
        return f"<Level {self.id} {clipped(self.name.en, 40)}: {len(self.rules)} rules>"


class EligibilityRule(Model):
    """One condition a firm must meet to be shortlisted in a demonstration tier."""

    when: str = Field(description="Expression over answers, computed values and `level` (rank).")
    label: Text = Field(description="The requirement as a reader sees it, e.g. 'willing to host'.")


class TierEligibility(Model):
    """Who may be shortlisted in one demonstration tier (leading, showcase, demonstration)."""

    tier: Literal["leading", "showcase", "demonstration"]
    rules: tuple[EligibilityRule, ...] = Field(min_length=1)


class Recognition(Model):
    """An honour a park nominates firms for (数字化车间, 智能工厂, an MIIT level): its criteria."""

    id: Id
    name: Text
    description: Text | None = None
    rules: tuple[EligibilityRule, ...] = Field(min_length=1)
    within_reach: Whole = Field(
        1,
        ge=0,
        le=10,
        description="A firm missing at most this many rules is listed as within reach.",
    )


class Willingness(Model):
    """When a firm counts as willing to transform, for the park's work summary."""

    when: str = Field(description="Expression over answers, computed values and `level` (rank).")
    label: Text = Field(description="What the figure counts, e.g. 'planned or under way'.")


class Questionnaire(Model):
    kind: Literal["questionnaire"] = "questionnaire"
    id: Id
    version: str = Field(min_length=1, max_length=40)
    title: Text
    description: Text | None = None
    scales: FrozenMap[Id, Scale] = Field(default_factory=FrozenDict)
    computed: tuple[Computed, ...] = Field(default_factory=tuple)
    dimensions: tuple[Dimension, ...]
    levels: tuple[Level, ...] = Field(default_factory=tuple)
    not_rated: Text | None = Field(None, description="What to call a firm below every level.")
    demonstration: tuple[TierEligibility, ...] = Field(
        default_factory=tuple,
        description="Who may be shortlisted as a demonstration firm, per tier; a tier not listed "
        "takes every firm.",
    )
    recognition: tuple[Recognition, ...] = Field(
        default_factory=tuple,
        description="Recognitions a park nominates firms for (数字化车间, 智能工厂, …), each with "
        "its criteria; the park report names the firms that meet them and those within reach.",
    )
    willing: Willingness | None = Field(
        None, description="When a firm counts as willing to transform (the work summary)."
    )
    presentation: Literal["score", "points"] = Field(
        "score",
        description="How reports show results: `score` (0–100 per node) or `points` (each node's "
        "points out of its maximum, for points-based profiles such as MIIT 2024).",
    )

    _content_hash: str = PrivateAttr(default="")
    _source: str = PrivateAttr(default="")

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical content, set by the loader."""
        return self._content_hash

    @property
    def source(self) -> str:
        return self._source

    def questions(self) -> Iterator[Question]:
        for dimension in self.dimensions:
            for indicator in dimension.indicators:
                yield from indicator.questions

    @cached_property
    def question_map(self) -> Mapping[str, Question]:
        return FrozenDict((q.id, q) for q in self.questions())

    @cached_property
    def node_map(self) -> Mapping[str, Dimension | Indicator]:
        nodes: dict[str, Dimension | Indicator] = {}
        for dimension in self.dimensions:
            nodes[dimension.id] = dimension
            for indicator in dimension.indicators:
                nodes[indicator.id] = indicator
        return FrozenDict(nodes)

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        if question.choices is not None:
            return question.choices
        if question.scale is not None and question.scale in self.scales:
            return self.scales[question.scale].choices
        return ()

    def tagged(self, tag: str) -> tuple[Question, ...]:
        """Questions with the tag; `mandatory: true` counts as the tag `mandatory`."""
        return self._tags.get(tag, ())

    @cached_property
    def _tags(self) -> Mapping[str, tuple[Question, ...]]:
        found: dict[str, list[Question]] = {}
        for q in self.questions():
            for tag in {*q.tags, *(["mandatory"] if q.mandatory else [])}:
                found.setdefault(tag, []).append(q)
        return FrozenDict((tag, tuple(questions)) for tag, questions in found.items())

    def __repr__(self) -> str:
        questions = len(self.question_map)
        return (
            f"<Questionnaire {self.id} {self.version}: {len(self.dimensions)} dimensions, "
            f"{questions} questions, {len(self.levels)} levels>"
        )
