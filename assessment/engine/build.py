"""Builds a model from loaded data, every schema error a located problem with its fix."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ProblemList, did_you_mean
from ..files.locator import Locator
from ..models.answers import AnswerSheet
from ..models.catalogue import Catalogue
from ..models.questionnaire import Questionnaire

Kind = Literal["questionnaire", "catalogue", "answers"]
M = TypeVar("M", bound=BaseModel)
MODELS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "catalogue": Catalogue,
    "answers": AnswerSheet,
}


def kind_of(data: Any) -> Kind | None:
    """Tell a questionnaire, a catalogue and an answer file apart by their keys."""
    if not isinstance(data, dict):
        return None
    declared = data.get("kind")
    if declared in MODELS:
        return declared  # type: ignore[no-any-return]
    if "dimensions" in data:
        return "questionnaire"
    if "scenarios" in data:
        return "catalogue"
    if "answers" in data or "firm" in data:
        return "answers"
    return None


def _all_keys(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set(model.model_fields)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            keys |= _all_keys(inner, seen)
    return keys


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_models_in(meta))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_models_in(origin))
    return found


def build_model(model: type[M], data: Any, locator: Locator, problems: ProblemList) -> M | None:
    """Validate data into a model; turn each pydantic error into a located problem."""
    if not isinstance(data, dict):
        problems.add(
            locator(()),
            "SCHEMA002",
            "the file must hold a mapping of keys to values",
            "start with 'id:' or see the examples",
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        known = _all_keys(model)
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            kind, last = error["type"], loc[-1] if loc else ""
            if kind == "extra_forbidden":
                problems.add(
                    locator(loc),
                    "SCHEMA001",
                    f"unknown key '{last}'",
                    did_you_mean(str(last), known) or "remove it",
                )
            elif kind == "missing":
                # The full path: a file locates it at the parent key, a table at its cell.
                problems.add(
                    locator(loc), "SCHEMA003", f"the key '{last}' is missing", f"add '{last}:'"
                )
            elif loc[-2:] == ("firm", "credit_code") and kind == "value_error":
                problems.add(
                    locator(loc),
                    "FIRM001",
                    str(error["msg"]).replace("Value error, ", ""),
                    "copy the 18 characters from the business licence",
                )
            elif loc == ("period",):
                problems.add(
                    locator(loc),
                    "FIRM002",
                    f"the period {error.get('input')!r} is not a quarter",
                    "write it like 2026Q3",
                )
            else:
                where = ".".join(str(p) for p in loc) or "the file"
                message = str(error["msg"]).replace("Value error, ", "")
                problems.add(
                    locator(loc), "SCHEMA002", f"{where}: {message}", _hint_for(kind, error)
                )
        return None


def _hint_for(kind: str, error: Any) -> str:
    if kind.startswith("union_tag"):
        return "rule is one of overall_score, node_score, count, mandatory, lower_levels, condition"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"use one of {expected}" if expected else ""
    if kind == "string_pattern_mismatch":
        return "ids are lower-case letters, digits and '_', starting with a letter"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false"
    if kind in ("finite_number", "float_type", "int_type", "float_parsing", "int_parsing"):
        return "write a plain decimal number such as 2 or 0.5 (not true, 0x…, .nan or .inf)"
    return ""
