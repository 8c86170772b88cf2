"""JSON Schemas of the three file formats, generated from the models for editors."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .models.answers import AnswerSheet
from .models.catalogue import Catalogue
from .models.questionnaire import Questionnaire

SCHEMAS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "catalogue": Catalogue,
    "answers": AnswerSheet,
}


def schema_of(kind: str) -> dict[str, Any]:
    model = SCHEMAS[kind]
    schema: dict[str, Any] = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def all_schemas() -> dict[str, Any]:
    """One document holding the three schemas, keyed by file kind."""
    return {kind: schema_of(kind) for kind in SCHEMAS}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
