"""One firm's answers for one period, as read from an answer file."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from ..errors import N_
from . import credit_code
from .common import Id, Model, Number, Period, clipped

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
# Limits checked when a file is read, so no later stage (a report, a workbook) meets a bigger value.
MAX_TEXT = 4000
MAX_EVIDENCE = 50
MAX_ANSWERS = 2000
# An assessment date may fall up to a quarter before its period starts (a visit late in the
# previous quarter) and up to a year after it ends (a late entry), never elsewhere.
EARLIEST_BEFORE = timedelta(days=92)
LATEST_AFTER = timedelta(days=366)


def _visible_name(value: str) -> str:
    """A name as typed, but never blank, invisible-only, or with control characters."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(N_("contains a control character (a line break, tab or escape code)"))
    if all(c.isspace() or unicodedata.category(c) in ("Cf", "Zs", "Mn") for c in value):
        raise ValueError(N_("is blank or holds only invisible characters"))
    return value.strip()


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_visible_name)]


def _no_control(value: str) -> str:
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in value):
        raise ValueError(N_("contains a control character; retype it"))
    return value


def _date_as_text(value: Any) -> Any:
    """Dates are written YYYY-MM-DD; a number is never a date (pydantic would read 0 as 1970)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(N_("a date is written YYYY-MM-DD, not as a number"))
    return value


def quarter_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a quarter like 2026Q3."""
    year, quarter = int(period[:4]), int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(1)
    return start, end


def _code_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Firm(Model):
    name: Name
    credit_code: Annotated[str, BeforeValidator(_code_as_text)]
    industry: Industry
    employees: int = Field(ge=0, le=1_000_000, strict=True)
    revenue: Number | None = Field(None, ge=0, description="Annual revenue, 10k CNY (万元).")
    park: Name | None = None

    def __repr__(self) -> str:
        return (
            f"<Firm {self.credit_code} {clipped(self.name, 40)}: {self.industry}, "
            f"{self.employees} employees>"
        )

    @field_validator("credit_code")
    @classmethod
    def _valid_code(cls, value: str) -> str:
        reason = credit_code.problem(value)
        if reason is not None:
            raise ValueError(
                N_("not a valid unified social credit code: %(reason)s", reason=reason)
            )
        return value


class Answer(Model):
    value: RawValue = None
    note: Annotated[str, AfterValidator(_no_control)] | None = Field(None, max_length=MAX_TEXT)
    evidence: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=MAX_EVIDENCE
    )

    @field_validator("evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def __repr__(self) -> str:
        note = "" if self.note is None else f", note {clipped(self.note, 40)}"
        evidence = f", {len(self.evidence)} evidence files" if self.evidence else ""
        return f"<Answer {clipped(self.value, 100)}{note}{evidence}>"


class QuestionnaireRef(Model):
    id: Id | None = None
    version: str | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _id_or_path(self) -> QuestionnaireRef:
        if self.id is None and self.path is None:
            raise ValueError(N_("give the questionnaire's 'id' (and 'version'), or its 'path'"))
        return self


def _answer_from_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    return {"value": value}


# An answer as a file writes it: a plain value, or a mapping with `value:` and maybe `note:`.
AnswerInput = Annotated[
    Answer, BeforeValidator(_answer_from_plain, json_schema_input_type=RawValue | Answer)
]


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
    assessor: Name
    assessed_on: Annotated[date, BeforeValidator(_date_as_text)]
    answers: dict[str, AnswerInput] = Field(default_factory=dict, max_length=MAX_ANSWERS)

    def __repr__(self) -> str:
        return (
            f"<AnswerSheet {self.firm.credit_code} {clipped(self.firm.name, 40)} {self.period}: "
            f"{len(self.answers)} answers to {self.questionnaire.id}>"
        )
