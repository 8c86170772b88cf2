"""Where a result's notebook view comes from: handed in from above, so models know no HTML."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .lang import Lang, check_lang

_shown_with: list[Callable[[object, Lang], str]] = []
_language: list[Lang] = ["zh"]


def show_with(view: Callable[[object, Lang], str]) -> None:
    """Use `view` for every result a notebook shows (the package sets it when imported)."""
    _shown_with[:] = [view]


def set_display_language(lang: Lang) -> None:
    """Show score cards and recommendations in a notebook in `lang`: "zh" (the default) or
    "en". Reports, tables and frames take their own `lang`."""
    _language[0] = check_lang(lang)


def notebook_html(shown: object, lang: Lang | None = None) -> str:
    """`shown` as HTML in `lang` (by default the display language); its plain `repr` until a
    view is handed in."""
    chosen = _language[0] if lang is None else check_lang(lang)
    if not _shown_with:
        return f"<pre>{escape(repr(shown))}</pre>"
    return _shown_with[0](shown, chosen)
