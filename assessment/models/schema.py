"""JSON Schemas of the three file formats and of the JSON result, generated from the models."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from .answers import AnswerSheet
from .catalogue import Catalogue
from .questionnaire import Questionnaire
from .results import ResultDocument

SCHEMAS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "catalogue": Catalogue,
    "answers": AnswerSheet,
    "result": ResultDocument,
}


def schema_of(kind: str) -> dict[str, Any]:
    model = SCHEMAS[kind]
    # The file formats are read (validation); the result is written (serialization).
    mode: Literal["validation", "serialization"] = (
        "serialization" if kind == "result" else "validation"
    )
    schema: dict[str, Any] = model.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def all_schemas() -> dict[str, Any]:
    """One document holding every schema, keyed by kind."""
    return {kind: schema_of(kind) for kind in SCHEMAS}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
