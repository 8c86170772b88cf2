"""Rewrites an answer file with canonical ids in place of labels, keeping every comment.

Only the values that were read from a label or typed loosely change: each is replaced where it
stands in the text, so comments, key order, quoting elsewhere and blank lines stay as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.build import kind_of
from ..engine.loader import CanonicalSheet, canonical_sheet
from ..errors import N_, ProblemList, UsageError
from ..files.atomic import write_atomic
from ..files.locator import Locator
from ..files.yamlio import LocatedDict, LocatedList, ime_keys, parse_yaml
from ..models.answers import AnswerSheet
from ..models.questionnaire import Questionnaire

_BARE = re.compile(r"^(?:[a-z][a-z0-9_]*|n/a)$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


@dataclass(frozen=True)
class Fixed:
    """What `fix_answer_file` changed: the rewritten keys, and whether the file was written."""

    path: Path
    changed: tuple[str, ...]
    written: bool


def scalar(value: Any) -> str:
    """One canonical value as YAML text that any YAML reader reads back the same."""
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _BARE.match(text) and text not in _YAML_WORDS:
        return text
    return "'" + text.replace("'", "''") + "'"


def fix_answer_file(path: Path, questionnaire: Questionnaire | None = None) -> Fixed:
    """Write canonical ids over labels in an answer file; nothing is written if nothing changes.

    Raises UsageError when the file cannot be read, or when the rewrite would not read back as
    the same answers (the file is then left as it was).
    """
    try:
        original = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot be read for --fix (%(reason)s)"), path=path, reason=exc.strerror
        ) from exc
    except UnicodeDecodeError as exc:
        raise UsageError(
            N_("%(path)s: cannot be read for --fix: it is not UTF-8 text; save it as UTF-8"),
            path=path,
        ) from exc
    text = ime_keys(original)
    read = _read(text, path, questionnaire)
    if read is None or read.sheet is None:
        return Fixed(path, (), False)
    data = parse_yaml(text, str(path), ProblemList())
    new = _apply(text, _edits(text, data, read.sheet, read.relabelled))
    if new == original:
        return Fixed(path, (), False)
    again = _read(new, path, read.questionnaire)
    if again is None or again.sheet != read.sheet or again.relabelled:
        raise UsageError(
            N_("%(path)s: --fix could not rewrite this file safely; edit it by hand"), path=path
        )
    write_atomic(path, new.encode("utf-8"))
    return Fixed(path, read.relabelled, True)


def _read(text: str, path: Path, questionnaire: Questionnaire | None) -> CanonicalSheet | None:
    problems = ProblemList()
    data = parse_yaml(text, str(path), problems)
    if problems or kind_of(data) != "answers":
        return None
    return canonical_sheet(data, Locator(str(path), data), problems, questionnaire, path)


def _edits(
    text: str, data: Any, sheet: AnswerSheet, changed: tuple[str, ...]
) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for dotted in changed:
        section, name = dotted.split(".", 1)
        holder = data[section]
        if section == "firm":
            edits.extend(_replace(text, holder, name, getattr(sheet.firm, name)))
            continue
        value = sheet.answers[name].value
        if isinstance(holder[name], dict):
            holder, name = holder[name], "value"
        edits.extend(_replace(text, holder, name, value))
    return edits


def _replace(text: str, holder: LocatedDict, name: str, value: Any) -> list[tuple[int, int, str]]:
    old = holder[name]
    start, end = holder.spans[name]
    if isinstance(old, LocatedList) and old and isinstance(value, list):
        if len(old) == len(value):  # each item in its place keeps lines and comments
            return [(s, e, scalar(v)) for (s, e), v in zip(old.spans, value, strict=True)]
        if text[start] != "[":  # a block list: its span runs on past trailing comments
            end = old.spans[-1][1]
    return [(start, end, scalar(value))]


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text
