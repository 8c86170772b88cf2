"""Builds a model from loaded data, every schema error a located problem with its fix."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import N_, Message, ProblemList, did_you_mean
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
            N_("the file must hold a mapping of keys to values"),
            N_("start with 'id:' or see the examples"),
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
                    N_("unknown key '%(key)s'", key=last),
                    did_you_mean(str(last), known) or N_("remove it"),
                )
            elif kind == "missing":
                # The full path: a file locates it at the parent key, a table at its cell.
                problems.add(
                    locator(loc),
                    "SCHEMA003",
                    N_("the key '%(key)s' is missing", key=last),
                    N_("add '%(key)s:'", key=last),
                )
            elif loc[-2:] == ("firm", "credit_code") and kind == "value_error":
                problems.add(
                    locator(loc),
                    "FIRM001",
                    _schema_message(kind, error),
                    N_("copy the 18 characters from the business licence"),
                )
            elif loc == ("period",):
                problems.add(
                    locator(loc),
                    "FIRM002",
                    N_("the period %(value)s is not a quarter", value=repr(error.get("input"))),
                    N_("write it like 2026Q3"),
                )
            else:
                where = ".".join(str(p) for p in loc) or N_("the file")
                message = _schema_message(kind, error)
                problems.add(
                    locator(loc),
                    "SCHEMA002",
                    N_("%(where)s: %(problem)s", where=where, problem=message),
                    _hint_for(kind, error),
                )
        return None


def _hint_for(kind: str, error: Any) -> str:
    if kind.startswith("union_tag"):
        return N_(
            "rule is one of overall_score, node_score, count, mandatory, lower_levels, condition"
        )
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return N_("use one of %(expected)s", expected=expected) if expected else ""
    if kind == "string_pattern_mismatch":
        return N_("ids are lower-case letters, digits and '_', starting with a letter")
    if kind in ("bool_type", "bool_parsing"):
        return N_("write true or false")
    if kind in ("finite_number", "float_type", "int_type", "float_parsing", "int_parsing"):
        return N_("write a plain decimal number such as 2 or 0.5 (not true, 0x…, .nan or .inf)")
    return ""


# pydantic's own wording of what is wrong, said in ours so that it can be shown in Chinese too.
_SCHEMA_WORDS: dict[str, Message] = {
    "string_type": N_("text is needed here"),
    "int_type": N_("a whole number is needed here"),
    "int_parsing": N_("a whole number is needed here"),
    "int_from_float": N_("a whole number is needed here"),
    "float_type": N_("a number is needed here"),
    "float_parsing": N_("a number is needed here"),
    "finite_number": N_("a finite number is needed here"),
    "bool_type": N_("true or false is needed here"),
    "bool_parsing": N_("true or false is needed here"),
    "list_type": N_("a list is needed here"),
    "tuple_type": N_("a list is needed here"),
    "dict_type": N_("a mapping of keys to values is needed here"),
    "model_type": N_("a mapping of keys to values is needed here"),
    "model_attributes_type": N_("a mapping of keys to values is needed here"),
    "date_type": N_("a date written YYYY-MM-DD is needed here"),
    "date_parsing": N_("a date written YYYY-MM-DD is needed here"),
    "date_from_datetime_parsing": N_("a date written YYYY-MM-DD is needed here"),
    "date_from_datetime_inexact": N_("a date written YYYY-MM-DD is needed here"),
    "string_pattern_mismatch": N_("the text does not have the form needed here"),
    "literal_error": N_("the value is not one of those allowed here"),
    "enum": N_("the value is not one of those allowed here"),
    "union_tag_invalid": N_("the kind given is not one of those allowed here"),
    "union_tag_not_found": N_("the key that says which kind this is is missing"),
    "none_required": N_("no value is allowed here"),
}
_BOUND_WORDS: dict[str, Message] = {
    "greater_than": N_("the value must be greater than %(bound)s"),
    "greater_than_equal": N_("the value must be at least %(bound)s"),
    "less_than": N_("the value must be less than %(bound)s"),
    "less_than_equal": N_("the value must be at most %(bound)s"),
    "string_too_short": N_("the text must be at least %(bound)s characters long"),
    "string_too_long": N_("the text must be at most %(bound)s characters long"),
    "too_short": N_("at least %(bound)s items are needed here"),
    "too_long": N_("at most %(bound)s items are allowed here"),
}
_BOUND_KEYS = ("gt", "ge", "lt", "le", "min_length", "max_length")


def _schema_message(kind: str, error: Any) -> str:
    """What pydantic found wrong, as a text that can be shown in either language."""
    ctx = error.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        reason = ctx["error"].args[0] if ctx["error"].args else ""
        if isinstance(reason, Message):
            return reason
    if kind in _SCHEMA_WORDS:
        return _SCHEMA_WORDS[kind]
    bound = next((ctx[k] for k in _BOUND_KEYS if k in ctx), None)
    if kind in _BOUND_WORDS and bound is not None:
        return N_(_BOUND_WORDS[kind], bound=bound)
    return str(error["msg"]).replace("Value error, ", "")
