"""Checked types shared by every model: ids, bilingual text, periods."""

from __future__ import annotations

import os
import warnings
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
StrPath = str | os.PathLike[str]
"""What every function that reads or writes a file accepts: a string or a path."""

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
PERIOD_PATTERN = r"^(19|20)\d\dQ[1-4]$"
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]


class Model(BaseModel):
    """Base of every file model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _text_from_string(value: Any) -> Any:
    return {"zh": value, "en": value} if isinstance(value, str) else value


class _Text(Model):
    """Text in Chinese and English: read it as `text.zh`, `text.en` or `text[lang]`."""

    zh: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=4000)]

    def __getitem__(self, lang: Lang) -> str:
        if lang not in LANGS:
            raise KeyError(f"{lang!r} is not a language of dtm (zh or en)")
        return self.zh if lang == "zh" else self.en

    def get(self, lang: Lang) -> str:
        return self[lang]

    def __call__(self, lang: Lang = "zh") -> str:
        # `card.level_name("en")` was a method before level names became text like every other.
        warnings.warn(
            "calling bilingual text is deprecated; read text[lang], text.zh or text.en",
            DeprecationWarning,
            stacklevel=2,
        )
        return self[lang]

    def __str__(self) -> str:
        return self.zh


Text = Annotated[_Text, BeforeValidator(_text_from_string, json_schema_input_type=str | _Text)]
TextValue = _Text
BilingualText = _Text
