"""Problems found in user files, and the errors that carry them to the caller."""

from __future__ import annotations

import difflib
import errno
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

# Every code a user can meet, with what it means. docs/errors.md is checked against this table.
CODES: dict[str, str] = {
    "YAML001": "the file is not valid YAML",
    "YAML002": "the file is larger than the size limit",
    "YAML003": "the file uses too many YAML aliases or nests too deeply (possible alias bomb)",
    "YAML004": "the file uses a YAML tag that is not allowed",
    "YAML005": "a mapping repeats a key",
    "FILE001": "the file cannot be read",
    "FILE002": "the kind of file cannot be told (questionnaire, catalogue or answers)",
    "SCHEMA001": "a key is not known here",
    "SCHEMA002": "a value has the wrong type or form",
    "SCHEMA003": "a required key is missing",
    "ID001": "an id is used twice",
    "ID002": "an id is a word reserved for conditions",
    "REF001": "a reference names something that does not exist",
    "REF002": "a reference names something of the wrong kind",
    "WEIGHT001": "a weight is zero or negative",
    "SCALE001": "a scale or its choices are inconsistent",
    "EXPR001": "a condition does not parse",
    "EXPR002": "a condition uses a construct that is not allowed",
    "EXPR003": "a condition is too long or nests too deeply",
    "EXPR004": "a condition calls a function wrongly",
    "ADOPT001": "a scenario has no adopted_when condition",
    "BUDGET001": "a budget basis names a figure its value does not read",
    "BUDGET002": "a budget limit's max is below its min",
    "BUDGET003": "the budget defaults by size are out of order",
    "SUPPORT001": "two support routes name the same kind of the services register",
    "SUPPORT002": "a support route names a kind the services register does not have",
    "CYCLE001": "computed values or conditions depend on each other in a cycle",
    "LEVEL001": "a level can never be reached",
    "LEVEL002": "two levels overlap: a higher level asks no more than a lower one",
    "BAND001": "score bands overlap or leave gaps",
    "ANS001": "an answer names a question that does not exist",
    "ANS002": "an answer has the wrong type",
    "ANS003": "an answer is out of range",
    "ANS004": "an answer names a choice that does not exist",
    "ANS005": "a question that is skipped was answered",
    "ANS006": "a required question has no answer",
    "ANS007": "'n/a' or 'unknown' is not allowed for this question",
    "ANS008": "an exclusive choice was combined with others",
    "ANS009": "the answer file is for another questionnaire or version",
    "ANS010": "a computed question was answered by hand and disagrees with its figures",
    "FIRM001": "the unified social credit code is not valid",
    "FIRM002": "the period is not of the form 2026Q3",
    "FIRM003": "the assessment date does not fit the period",
    "IMP001": "a table lacks a column it needs (a firm column, or a required question's)",
    "IMP002": "a table has two columns for the same question or field",
    "IMP003": "the same firm and period appear in two rows",
    "IMP004": "a cell cannot be read (merged, an error value, a formula without a value)",
    "IMP005": "the file is not a table dtm can read (workbook, CSV, survey export)",
    "IMP006": "a figure is written with a unit of another kind than its question's",
    "IMP007": "a value was read in another form than it was typed (a notice, not an error)",
    "SVC001": "a services register lacks a column it needs (credit code, date, kind)",
    "SVC002": "a services register line has an invalid credit code",
    "SVC003": "a services register line has no readable date, or one outside the period",
    "SVC004": "a services register line names a kind of support that is not known",
    "SVC005": "a services register line has an amount that is not a number of 万元",
    "SVC006": "a services register repeats a line (same firm, date, kind and provider)",
    "WJX001": "a part of the questionnaire 问卷星's text import cannot carry; set it by hand",
    "WJX002": "a column of a 问卷星 download names no question and is left out",
    "WJX003": "a column's title was edited in 问卷星 and is read as the closest question (warning)",
    "XLSF001": "a condition or formula cannot be written in XLSForm (reported, not an error)",
}


# Control characters and bidirectional overrides from user files must not reach a terminal as
# themselves: an ESC or OSC sequence can rewrite the screen or the window title.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` on one line with every control character shown as an escape like `\\x1b`."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column count from 1, 0 when unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user file, with where it is and how to fix it."""

    location: Location
    code: str
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        return printable(self.as_text())

    def as_text(self) -> Message:
        """`FILE:LINE:COL: CODE message (hint)` as one marked text, for the CLI to translate."""
        values = {"location": str(self.location), "code": self.code, "message": self.message}
        if self.hint:
            return N_("%(location)s: %(code)s %(message)s (%(hint)s)", hint=self.hint, **values)
        return N_("%(location)s: %(code)s %(message)s", **values)


class Message(str):
    """English text marked for translation (`N_`): the text itself, and the message id with the
    values that fill its `%(name)s` places, so that whoever shows it can translate it."""

    msgid: str
    values: dict[str, object]


def N_(message: str, /, **values: object) -> Message:
    """Mark `message` for the catalogues; the CLI shows it in its language.

    With values, the English text is filled in (`N_("no question '%(qid)s'", qid="x")`) and the
    id and values are kept; a value may itself be a marked text (a hint inside a hint)."""
    text = Message(message % values if values else message)
    text.msgid = message
    text.values = values
    return text


class DtmError(Exception):
    """Base class of every error the library raises for bad user input.

    Given a message marked with `N_` and the values of its places, the error keeps both, so
    that the CLI can show it in Chinese or English; `str()` is always the English text."""

    message_id: Message | None = None
    values: dict[str, object]

    def __init__(self, *args: object, **values: object) -> None:
        if args and isinstance(args[0], Message):
            self.message_id = args[0]
            carried = getattr(args[0], "values", None)
            if not values and carried:
                # Already filled in: `N_(text, x=1)`, or the error rebuilt from its args after
                # crossing a process boundary (pickle calls the class with the args alone).
                values = dict(carried)
            else:
                args = (N_(getattr(args[0], "msgid", args[0]), **values), *args[1:])
        self.values = values
        super().__init__(*args)


def error_text(exc: BaseException) -> str:
    """An error's message: the marked text it was raised with (`N_`), else its English."""
    if exc.args and isinstance(exc.args[0], Message) and not isinstance(exc, ValidationFailed):
        return exc.args[0]
    return str(exc)


class ValidationFailed(DtmError):
    """A file (or several) has problems; all of them are listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.location, p.code))
        super().__init__("\n".join(str(p) for p in self.problems))


class FileMissing(ValidationFailed, FileNotFoundError):
    """The file named is not there: a `ValidationFailed` with its one located problem (FILE001),
    and a `FileNotFoundError` for code that catches `OSError`."""

    def __init__(self, problems: Sequence[Problem], path: str) -> None:
        ValidationFailed.__init__(self, problems)
        self.errno, self.strerror, self.filename = errno.ENOENT, os.strerror(errno.ENOENT), path

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(DtmError):
    """The caller asked for something that cannot be done (a missing file, an unknown id)."""


class UnknownLanguage(DtmError, KeyError, ValueError):
    """A language dtm does not write in (zh or en are): a `DtmError`, a `ValueError`, and a
    `KeyError` for `text["fr"]`."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass
class ProblemList(Sequence[Problem]):
    """Every problem found in a file (what `Checked.problems` holds): a sequence of `Problem`,
    so `len()`, iteration and indexing work as on a list; empty and false when all is well.

    While a file is checked it collects the problems, so all of them are reported at once."""

    problems: list[Problem] = field(default_factory=list)
    missing: str | None = None  # the file named, when it is not there at all

    def add(self, location: Location, code: str, message: str, hint: str = "") -> None:
        """Add a problem at `location` (a path of keys and indexes into the file); `code` is one
        of docs/errors.md's."""
        assert code in CODES, code
        self.problems.append(Problem(location, code, message, hint))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere (another file's check, say)."""
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        """Raise the problems, if there are any: `FileMissing` (a `FileNotFoundError`) when the
        file is not there at all, else `ValidationFailed`; both are `DtmError`s."""
        if self.missing is not None and all(p.code == "FILE001" for p in self.problems):
            raise FileMissing(self.problems, self.missing)
        if self.problems:
            raise ValidationFailed(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    @overload
    def __getitem__(self, index: int) -> Problem: ...

    @overload
    def __getitem__(self, index: slice) -> list[Problem]: ...

    def __getitem__(self, index: int | slice) -> Problem | list[Problem]:
        return self.problems[index]

    def __repr__(self) -> str:
        return f"<ProblemList of {len(self.problems)}: {', '.join(p.code for p in self.problems)}>"


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A 'did you mean …?' hint naming the closest option, or '' when none is close."""
    folded: dict[str, str] = {}
    for option in options:  # letter case is no difference worth a miss: `Som` → `some`
        folded.setdefault(option.casefold(), option)
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return N_("did you mean '%(word)s'?", word=folded[close[0]]) if close else ""


class NoSuchFile(UsageError, FileNotFoundError):
    """A questionnaire, catalogue or folder named by path that is not there: a `UsageError`
    with one clear line, and a `FileNotFoundError` for code that catches `OSError`."""

    def __init__(self, message: str, path: str, **values: object) -> None:
        UsageError.__init__(self, message, **values)
        self.errno, self.strerror, self.filename = errno.ENOENT, os.strerror(errno.ENOENT), path

    def __str__(self) -> str:
        return str(self.args[0])
