"""The sandboxed Jinja environment that turns report data into HTML."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .. import resources
from ..display import period as period_label
from ..errors import N_, UsageError
from ..models.common import Lang, StrPath, TextValue
from . import i18n
from .svg import term_parts

_HAN = re.compile(r"[\u3400-\u9fff]")
LONGEST_TERM = 12  # characters: a longer stretch without a break is a sentence, free to wrap
WORD_JOINER = "\u2060"


def search_path(user_dir: StrPath | None) -> tuple[Path, ...]:
    """The user's template folder first (it overrides ours file by file), then the shipped one."""
    shipped = resources.templates_dir().resolve()
    if user_dir is None:
        return (shipped,)
    user_dir = Path(user_dir)
    if not user_dir.is_dir():
        raise UsageError(N_("%(path)s: no such template folder"), path=user_dir)
    return (user_dir.resolve(), shipped)


def _pick(lang: Lang) -> Any:
    def pick(value: Any) -> str:
        if hasattr(value, "msgid"):  # a library message marked with `N_`: its translation
            return resources.translate(value, lang)
        if isinstance(value, TextValue):
            return value.get(lang)
        if isinstance(value, dict) and lang in value:
            return str(value[lang])
        return "" if value is None else str(value)

    return pick


def keep_terms(text: str) -> Markup:
    """Escaped `text` whose Chinese terms never break inside (`政策申报服务`, not `政策申/报服务`):
    the characters of each stretch between the places where a name may break are joined by
    WORD JOINER (U+2060), which forbids a line break there and prints nothing. (A `<span>`
    with `white-space: nowrap` around each term did the same, for about 6% of a report's
    rendering time: every element costs WeasyPrint a styled box.)"""
    if not _HAN.search(text):
        return escape(text)
    return Markup("").join(
        escape(WORD_JOINER.join(part))
        if len(part) <= LONGEST_TERM and _HAN.search(part)
        else escape(part)
        for part in term_parts(text)
    )


@lru_cache(maxsize=8)
def environment(roots: tuple[Path, ...], lang: Lang) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(r) for r in roots]),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(roots[-1] / "locale", lang), newstyle=True
    )
    env.filters.update(
        t=_pick(lang),
        # An English report's Chinese is the firm's own words, kept exactly as written.
        terms=(lambda v: keep_terms(str(v))) if lang == "zh" else (lambda v: escape(str(v))),
        num=lambda v, digits=1: i18n.number(v, lang, digits),
        pct=lambda v: i18n.percent(v, lang),
        longdate=lambda v: i18n.long_date(v, lang),
        quarter=lambda v: period_label(v, lang),
        signed=lambda v: i18n.signed(v, lang),
        qty=lambda v: i18n.number(v, lang, 0 if v is not None and float(v).is_integer() else 1),
        paren=lambda v: f"（{v}）" if lang == "zh" else f" ({v})",
    )
    env.globals.update(lang=lang, html_lang=i18n.HTML_LANG[lang], colon=i18n.COLON[lang])
    return env


def render(template: str, context: dict[str, Any], lang: Lang, roots: tuple[Path, ...]) -> str:
    """Render one template; a broken user template is reported with its file and line."""
    env = environment(roots, lang)
    try:
        return env.get_template(template).render(context)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise UsageError(
            N_(
                "%(place)s: template error: %(reason)s (fix the template, or remove it from "
                "--templates to use the shipped one)"
            ),
            place=f"{where}:{line}" if line else where,
            reason=str(exc),
        ) from exc


def trusted_svg(svg: str) -> Markup:
    """SVG made by our chart module, which escapes every text it places."""
    return Markup(svg)  # noqa: S704 - the chart module escapes all text it writes
