"""Where a result's notebook view comes from: handed in from above, so models know no HTML."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

_shown_with: list[Callable[[object], str]] = []


def show_with(view: Callable[[object], str]) -> None:
    """Use `view` for every result a notebook shows (the package sets it when imported)."""
    _shown_with[:] = [view]


def notebook_html(shown: object) -> str:
    """`shown` as HTML for a notebook; its plain `repr` until a view is handed in."""
    if not _shown_with:
        return f"<pre>{escape(repr(shown))}</pre>"
    return _shown_with[0](shown)
