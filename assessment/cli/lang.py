"""The language of `dtm`'s own messages: `--lang` where the command has it and it was given,
else $DTM_LANG, else the locale (`LANG=zh_CN.UTF-8` → Chinese), else English.

Messages are written in English and translated through the same gettext catalogues as the
reports (`report_templates/locale`); ids, codes, paths and options stay as they are.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from ..errors import Problem, printable

if TYPE_CHECKING:
    from ..models.common import Lang

LANG_ENV = "DTM_LANG"
LANGS = ("zh", "en")
GIVEN: dict[str, Lang | None] = {"lang": None}  # --lang as given on this command line


def forget_lang() -> None:
    """Start a command line afresh (several run in one process under tests)."""
    GIVEN["lang"] = None


def remember_lang(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """The --lang option's callback: a language given on the command line is the CLI's too."""
    source = ctx.get_parameter_source(param.name or "lang")
    if value in LANGS and source is not None and source.name == "COMMANDLINE":
        GIVEN["lang"] = "zh" if value == "zh" else "en"
    return value


def env_lang_problem() -> str | None:
    """The one line to print when $DTM_LANG names no language we have."""
    value = os.environ.get(LANG_ENV, "")
    if value and value not in LANGS:
        return _(
            "Error: %(message)s",
            message=_(
                "$DTM_LANG must be zh or en, not %(value)s (unset it to follow the locale)",
                value=repr(value),
            ),
        )
    return None


def cli_lang() -> Lang:
    if GIVEN["lang"] is not None:
        return GIVEN["lang"]
    value = os.environ.get(LANG_ENV, "")
    if value in LANGS:
        return "zh" if value == "zh" else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = os.environ.get(name, "")
        if locale:
            return "zh" if locale.lower().startswith("zh") else "en"
    return "en"


def say(text: object) -> str:
    """A text from the library in the CLI's language: translated when it was marked with `N_`
    (a value that is marked text too is translated with it), else shown as it is."""
    from ..resources import translate

    return translate(text, cli_lang())


def problem_line(problem: Problem) -> str:
    """One problem as `FILE:LINE:COL: CODE message (hint)` in the CLI's language."""
    return printable(say(problem.as_text()))


def _(msgid: str, /, **values: object) -> str:
    """`msgid` in the CLI's language, with `%(name)s` filled from `values`."""
    from ..report.i18n import translations
    from ..resources import templates_dir

    text = translations(templates_dir() / "locale", cli_lang()).gettext(msgid)
    return text % values if values else text
