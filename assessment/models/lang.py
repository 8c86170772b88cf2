"""The languages dtm writes in; free of pydantic, so that `import assessment` stays quick."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def check_lang(lang: object) -> Lang:
    """`lang` when it is one of dtm's languages (zh, en); else `UnknownLanguage`."""
    if lang not in LANGS:
        # Imported only for a wrong language: `import assessment` reaches this module, and
        # the errors' module (with its dataclasses) would make it slower for every user.
        from ..errors import N_, UnknownLanguage

        raise UnknownLanguage(N_("%(lang)s is not a language of dtm (zh or en)", lang=repr(lang)))
    return lang
