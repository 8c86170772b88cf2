"""Interface strings (a gettext catalogue per language) and locale-aware numbers and dates."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from ..display import rounded
from ..models.common import Lang

LOCALES: dict[Lang, str] = {"zh": "zh_CN", "en": "en_GB"}
HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}
COLON: dict[Lang, str] = {"zh": "：", "en": ": "}


@lru_cache(maxsize=8)
def translations(locale_dir: Path, lang: Lang) -> NullTranslations:
    """The catalogue `locale_dir/<lang>/LC_MESSAGES/messages.po`, compiled in memory once."""
    po = locale_dir / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang])
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


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
