"""Where the shipped questionnaires, catalogues, templates and sample park live."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import NullTranslations

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent


def shipped(name: str) -> Path:
    """A shipped folder: inside the installed wheel, or at the top of a source checkout."""
    mapping = {"sample_park": "examples/sample_park"}
    inside = _PACKAGE / "_shipped" / name
    if inside.is_dir():
        return inside
    return _SOURCE_TREE / mapping.get(name, name)


def questionnaires_dir() -> Path:
    return shipped("questionnaires")


def templates_dir() -> Path:
    return shipped("report_templates")


def sample_park_dir() -> Path:
    return shipped("sample_park")


def shipped_file(file_id: str) -> Path | None:
    """The shipped questionnaire or catalogue whose id is `file_id` (files are named by id)."""
    candidate = questionnaires_dir() / f"{file_id}.yaml"
    return candidate if candidate.is_file() else None


def shipped_ids() -> list[str]:
    folder = questionnaires_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


_LOCALES = {"zh": "zh_CN", "en": "en_GB"}


@lru_cache(maxsize=8)
def translations(locale_dir: Path, lang: str) -> NullTranslations:
    """The catalogue `locale_dir/<lang>/LC_MESSAGES/messages.po`, compiled in memory once."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    po = locale_dir / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=_LOCALES[lang])
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def translate(text: object, lang: str) -> str:
    """A text marked with `N_` (errors.py) in `lang` through the shipped catalogues, its marked
    values translated with it; any other text as it is."""
    msgid = getattr(text, "msgid", None)
    if msgid is None:
        return str(text)
    values = {
        k: translate(v, lang) if hasattr(v, "msgid") else v
        for k, v in getattr(text, "values", {}).items()
    }
    found = translations(templates_dir() / "locale", lang).gettext(msgid)
    return found % values if values else found
