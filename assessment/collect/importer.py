"""Imports a table of answers from any route: recognise the format, check every row, write.

The formats are tried in turn (问卷星's export, an ODK/KoboToolbox submissions export, then the
workbook of `dtm template --xlsx` or any table whose header names the questions); each reads its
file into `Row`s, and from there every route shares the same checks and the same outputs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import N_, Location, Problem, UsageError
from ..files.atomic import safe_stem, write_atomic
from ..models.answers import AnswerSheet
from ..models.common import Lang
from ..models.questionnaire import Questionnaire
from .answerfile import dump_answers
from .clerk_words import clerk_lang, in_language
from .grid import Grid, read_grids
from .table import ColumnMatcher, Imported, Row, import_rows

# Tried in this order: the first whose `sniff` claims a sheet reads it.
FORMAT_MODULES = ("wjx", "odk", "workbook")


@dataclass
class TableRead:
    """Rows read from one sheet of a file, and what was wrong with the sheet itself."""

    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class Format(Protocol):
    NAME: str

    def sniff(self, grids: Sequence[Grid], q: Questionnaire) -> Grid | None:
        """The sheet this format can read, or None."""

    def read(self, path: str, grid: Grid, q: Questionnaire) -> TableRead:
        """Every firm row of the sheet, each field with its cell."""


def formats() -> list[Format]:
    return [importlib.import_module(f".{name}", __package__) for name in FORMAT_MODULES]


def guess_questionnaire(path: Path) -> Questionnaire:
    """The shipped questionnaire whose questions the file's header rows name most often."""
    from ..engine.loader import load_questionnaire
    from ..resources import shipped_ids

    grids = read_grids(path)
    best: tuple[int, str] | None = None
    for qid in shipped_ids():
        if qid.endswith("_scenarios"):
            continue
        matcher = ColumnMatcher(load_questionnaire(qid))
        hits = max(
            (
                sum(1 for v in row if _names_question(matcher, v))
                for grid in grids
                for row in grid.rows[:5]
            ),
            default=0,
        )
        if hits and (best is None or hits > best[0]):
            best = (hits, qid)
    if best is None:
        raise UsageError(
            N_(
                "%(path)s: no header row names the questions of a shipped questionnaire; "
                "give it with --questionnaire"
            ),
            path=path,
        )
    return load_questionnaire(best[1])


def _names_question(matcher: ColumnMatcher, header: Any) -> bool:
    """Whether a header names a question, also as the last part of a survey export's
    group path (`dim_awareness/leader_attention`)."""
    last = re.split(r"[/-]", str(header).strip())[-1] if header is not None else None
    return any((matcher.field(h) or "").startswith("answers.") for h in (header, last))


def read_table(path: Path, q: Questionnaire) -> TableRead:
    """The rows of the first sheet of `path` that a known format recognises."""
    grids = read_grids(path)
    for fmt in formats():
        grid = fmt.sniff(grids, q)
        if grid is not None:
            return fmt.read(str(path), grid, q)
    problem = Problem(
        Location(str(path)),
        "IMP005",
        N_("no sheet has a header row naming the firm and the questions"),
        N_(
            "start from `dtm template %(qid)s --xlsx FILE`, or export 问卷星 answers 按选项文本",
            qid=q.id,
        ),
    )
    return TableRead("unknown", problems=[problem])


@dataclass
class ImportReport:
    """What an import found and did."""

    format: str
    imported: Imported
    sheet_problems: list[Problem]
    written: list[Path] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [*self.sheet_problems, *self.imported.problems]

    @property
    def exit_code(self) -> int:
        """0 all good; 1 some rows imported and some not; 2 nothing could be imported."""
        if not self.problems:
            return 0
        return 1 if self.imported.sheets else 2


def import_table(
    path: Path,
    q: Questionnaire,
    *,
    period: str | None = None,
    defaults: dict[str, Any] | None = None,
    lang: Lang | None = None,
) -> ImportReport:
    """Read and check every row of a table; nothing is written.

    Problems are worded in `lang`, by default the questionnaire's first language."""
    words: Lang = lang or clerk_lang(q)
    read = read_table(path, q)
    imported = import_rows(read.rows, str(path), q, period=period, defaults=defaults, lang=words)
    imported.warnings.extend(in_language(w, words, q) for w in read.warnings)
    problems = [in_language(p, words, q) for p in read.problems]
    return ImportReport(read.format, imported, problems)


def answer_file_path(out: Path, sheet: AnswerSheet) -> Path:
    """`OUT/<period>/<credit code>.yaml`: both parts checked, so never an unsafe path."""
    return out / safe_stem(sheet.period) / f"{safe_stem(sheet.firm.credit_code)}.yaml"


def write_answer_files(
    sheets: Sequence[AnswerSheet], out: Path, *, force: bool = False
) -> list[Path]:
    """Write each sheet as a canonical answer file; an existing different file is kept unless
    `force` (the same content again is left alone)."""
    planned = [(answer_file_path(out, s), dump_answers(s).encode("utf-8")) for s in sheets]
    clashes = [p for p, data in planned if p.exists() and p.read_bytes() != data]
    if clashes and not force:
        if len(clashes) > 1:
            raise UsageError(
                N_(
                    "%(path)s already exists with other answers (and %(more)s more); use "
                    "--force to replace, or another --out"
                ),
                path=clashes[0],
                more=len(clashes) - 1,
            )
        raise UsageError(
            N_(
                "%(path)s already exists with other answers; use --force to replace, or "
                "another --out"
            ),
            path=clashes[0],
        )
    written = []
    for path, data in planned:
        if not (path.exists() and path.read_bytes() == data):
            write_atomic(path, data)
            written.append(path)
    return written
