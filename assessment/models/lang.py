"""The languages dtm writes in; free of pydantic, so that `import assessment` stays quick."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class UnknownLanguage(KeyError, ValueError):
    """A language dtm does not write in: a `ValueError`, and a `KeyError` for `text["fr"]`."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_lang(lang: object) -> Lang:
    """`lang` when it is one of dtm's languages (zh, en); else `UnknownLanguage`."""
    if lang not in LANGS:
        raise UnknownLanguage(f"{lang!r} is not a language of dtm (zh or en)")
    return lang
