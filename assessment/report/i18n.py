"""Interface strings (a gettext catalogue per language) and locale-aware numbers and dates."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from ..display import rounded
from ..models.common import Lang
from ..resources import translations as translations

LOCALES: dict[Lang, str] = {"zh": "zh_CN", "en": "en_GB"}
HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}
COLON: dict[Lang, str] = {"zh": "：", "en": ": "}


def number(value: float | None, lang: Lang, digits: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(rounded(value, digits), format=pattern, locale=LOCALES[lang]))


def percent(value: float | None, lang: Lang) -> str:
    if value is None:
        return "—"
    return str(format_percent(value, format="#,##0%", locale=LOCALES[lang]))


def long_date(value: date, lang: Lang) -> str:
    return str(format_date(value, format="long", locale=LOCALES[lang]))


def signed(value: float | None, lang: Lang) -> str:
    """A change with its sign: +3.2, −1.5, ±0.0."""
    if value is None:
        return "—"
    text = number(abs(value), lang)
    if round(value, 1) == 0:
        return f"±{text}"
    return f"+{text}" if value > 0 else f"−{text}"
