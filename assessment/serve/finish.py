"""Finishing a draft: the answer file, its evidence, the two PDFs and the stored assessment."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..collect.answerfile import dump_answers
from ..engine.pipeline import assess
from ..files.atomic import safe_stem, write_atomic
from ..files.evidence import FOLDER, parse_entry
from ..models.answers import AnswerSheet
from ..models.common import Lang
from ..models.questionnaire import Questionnaire
from ..report.render import (
    Confirmed,
    Kind,
    paths_for,
    render_diagnosis,
    render_scenarios,
    write_reports,
)
from ..store import SaveOutcome, Store
from .drafts import DraftBook

WATERMARK = "草稿 / DRAFT"


@dataclass(frozen=True)
class Finished:
    answer_file: Path
    reports: dict[Kind, Path]
    outcome: SaveOutcome


def answer_file(out: Path, credit_code: str, period: str) -> Path:
    """Where a finished answer file goes: named from the credit code and period only."""
    return out / safe_stem(period) / f"{safe_stem(credit_code)}.yaml"


def write_answer_folder(path: Path, sheet: AnswerSheet, book: DraftBook) -> None:
    """The answer file and, beside it, every evidence file its answers name."""
    for answer in sheet.answers.values():
        for entry in answer.evidence:
            parsed = parse_entry(entry)
            stored = book.evidence(parsed[0]) if parsed else None
            if parsed is not None and stored is not None:
                target = path.parent / FOLDER / f"{parsed[0]}.{parsed[1]}"
                if not target.is_file():
                    write_atomic(target, stored[1])
    write_atomic(path, dump_answers(sheet).encode("utf-8"))


def finish(
    sheet: AnswerSheet,
    q: Questionnaire,
    *,
    book: DraftBook,
    store: Store,
    out: Path,
    lang: Lang,
    confirmed: Confirmed | None = None,
) -> Finished:
    """Write the answer file and reports, then store the assessment (a revision if one exists).

    The assessment is read back from the file written, so it is what `dtm report` would see.
    """
    path = answer_file(out, sheet.firm.credit_code, sheet.period)
    write_answer_folder(path, sheet, book)
    result = assess(path, questionnaire=q)
    reports = write_reports(result, path.parent, lang=lang, confirmed=confirmed)
    outcome = store.save(result)
    return Finished(path, reports, outcome)


def stored_reports(out: Path, credit_code: str, period: str, lang: Lang) -> dict[Kind, Path]:
    """Where the PDFs of a finished assessment were written."""
    return paths_for(credit_code, period, answer_file(out, credit_code, period).parent, lang)


def draft_pdf(
    sheet: AnswerSheet, q: Questionnaire, book: DraftBook, kind: Kind, lang: Lang
) -> bytes:
    """A report of the draft as it stands, marked 草稿 / DRAFT on every page."""
    with tempfile.TemporaryDirectory(prefix="dtm-draft-") as folder:
        path = Path(folder) / "draft.yaml"
        write_answer_folder(path, sheet, book)
        result = assess(path, questionnaire=q, partial=True)
        if kind == "diagnosis":
            return render_diagnosis(result, lang=lang, watermark=WATERMARK)
        return render_scenarios(result, lang=lang, watermark=WATERMARK)
