"""One firm's answers for one period, as read from an answer file."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .. import credit_code
from .common import Id, Model, Period

NOT_APPLICABLE = "n/a"
UNKNOWN = "unknown"

Industry = Literal[
    "metal_processing",
    "electronic_information",
    "nev_parts",
    "energy_storage",
    "optoelectronics",
    "machinery",
    "other",
]

RawValue = str | int | float | bool | list[str] | None


def _code_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Firm(Model):
    name: str = Field(min_length=1, max_length=200)
    credit_code: Annotated[str, BeforeValidator(_code_as_text)]
    industry: Industry
    employees: int = Field(ge=0, le=1_000_000)
    revenue: float | None = Field(None, ge=0, description="Annual revenue, 10k CNY (万元).")
    park: str | None = Field(None, max_length=200)

    @field_validator("credit_code")
    @classmethod
    def _valid_code(cls, value: str) -> str:
        reason = credit_code.problem(value)
        if reason is not None:
            raise ValueError(f"not a valid unified social credit code: {reason}")
        return value


class Answer(Model):
    value: RawValue = None
    note: str | None = Field(None, max_length=4000)
    evidence: list[str] = Field(default_factory=list)

    @field_validator("evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class QuestionnaireRef(Model):
    id: Id | None = None
    version: str | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _id_or_path(self) -> QuestionnaireRef:
        if self.id is None and self.path is None:
            raise ValueError("give the questionnaire's 'id' (and 'version'), or its 'path'")
        return self


def _answer_from_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    return {"value": value}


def _ref_from_string(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class AnswerSheet(Model):
    kind: Literal["answers"] = "answers"
    questionnaire: Annotated[
        QuestionnaireRef,
        BeforeValidator(_ref_from_string, json_schema_input_type=Id | QuestionnaireRef),
    ]
    firm: Firm
    period: Period
    assessor: str = Field(min_length=1, max_length=200)
    assessed_on: date
    answers: dict[
        str,
        Annotated[
            Answer, BeforeValidator(_answer_from_plain, json_schema_input_type=RawValue | Answer)
        ],
    ] = Field(default_factory=dict)
