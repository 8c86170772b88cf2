"""Checked types shared by every model: ids, bilingual text, periods."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Annotated, Any, NoReturn, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# Re-exported: every model and stage reads the languages from here.
from ..errors import N_
from ..errors import UnknownLanguage as UnknownLanguage
from .lang import LANGS as LANGS
from .lang import Lang as Lang
from .lang import check_lang as check_lang

StrPath = str | os.PathLike[str]
"""What every function that reads or writes a file accepts: a string or a path."""

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
PERIOD_PATTERN = r"^(19|20)\d\dQ[1-4]$"
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]

# The largest figure any file may hold: beyond it a value is a typo or an attack, never a fact.
MAX_FIGURE = 1e12


def _within_limits(value: float) -> float:
    if abs(value) > MAX_FIGURE:
        raise ValueError(
            N_(
                "%(value)s is beyond the largest figure allowed (%(limit)s)",
                value=f"{value:g}",
                limit=f"{MAX_FIGURE:g}",
            )
        )
    return value


# A number read from a file: finite, within ±MAX_FIGURE, and never `true`/`false`.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False), AfterValidator(_within_limits)]
# A whole number read from a file, never `true`/`false` (pydantic would read `true` as 1).
Whole = Annotated[int, Field(strict=True), AfterValidator(_within_limits)]


K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict that refuses every change. A loaded questionnaire or catalogue is shared by every
    later call, so a change made through one caller's reference would silently alter the rest."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be changed; build a new model instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return type(self), (dict(self),)


def _freeze(value: Mapping[K, V]) -> FrozenDict[K, V]:
    return value if isinstance(value, FrozenDict) else FrozenDict(value)


# A mapping field of a model: read as a dict (same JSON Schema), kept as a `FrozenDict`.
FrozenMap = Annotated[Mapping[K, V], AfterValidator(_freeze)]


def clipped(value: object, limit: int = 60) -> str:
    """`value` (its `str`, or `repr` when not text) on one line and at most `limit` characters,
    cut with `…`: for the one-line reprs of models, which would otherwise print a whole tree."""
    text = " ".join((value if isinstance(value, str) else repr(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Model(BaseModel):
    """Base of every file model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _text_from_string(value: Any) -> Any:
    return {"zh": value, "en": value} if isinstance(value, str) else value


class BilingualText(Model):
    """Text in Chinese and English: read it as `text.zh`, `text.en` or `text[lang]`."""

    zh: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=4000)]

    def __getitem__(self, lang: Lang) -> str:
        return self.zh if check_lang(lang) == "zh" else self.en

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

    def __repr__(self) -> str:
        return f"<BilingualText {clipped(self.zh, 40)} | {clipped(self.en, 80)}>"


Text = Annotated[
    BilingualText, BeforeValidator(_text_from_string, json_schema_input_type=str | BilingualText)
]
TextValue = BilingualText
