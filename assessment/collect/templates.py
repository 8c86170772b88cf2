"""Writes a questionnaire as a form to collect answers elsewhere: workbook, 问卷星 text, XLSForm."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import Problem
from ..files.atomic import write_new
from ..models.common import Lang
from ..models.questionnaire import Questionnaire

TemplateKind = Literal["xlsx", "wjx", "xlsform"]


def write_template(
    q: Questionnaire, kind: TemplateKind, path: Path, *, lang: Lang = "zh", firms: int = 50
) -> list[Problem]:
    """Write the template of `kind` to a new file; returns notes on what could not be carried."""
    notes: list[Problem]
    if kind == "xlsx":
        from .xlsx_template import workbook_bytes

        data, notes = workbook_bytes(q, lang=lang, firms=firms), []
    elif kind == "wjx":
        from .wjx_text import wjx_text

        text, notes = wjx_text(q, lang=lang)
        data = text.encode("utf-8")
    else:
        from .xlsform import xlsform_bytes

        data, notes = xlsform_bytes(q)
    write_new(path, data)
    return notes
