"""Finishing a draft: the answer file, its evidence and the stored assessment; its PDFs are
rendered in the background into the store (see `serve.rendering`)."""

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
from ..report.render import Kind, render_diagnosis, render_scenarios
from ..store import SaveOutcome, Store
from .drafts import DraftBook

WATERMARK = "草稿 / DRAFT"


@dataclass(frozen=True)
class Finished:
    answer_file: Path
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
) -> Finished:
    """Write the answer file, then store the assessment (a revision if one exists).

    The assessment is read back from the file written, so it is what `dtm report` would see.
    Its reports are made from the store afterwards, as a worker makes them.
    """
    path = answer_file(out, sheet.firm.credit_code, sheet.period)
    write_answer_folder(path, sheet, book)
    result = assess(path, questionnaire=q)
    outcome = store.save(result)
    return Finished(path, outcome)


def draft_folder(sheet: AnswerSheet, book: DraftBook) -> Path:
    """A temporary folder holding the draft as an answer file with its evidence; the caller
    removes it (`shutil.rmtree`) once the report is made."""
    folder = Path(tempfile.mkdtemp(prefix="dtm-draft-"))
    write_answer_folder(folder / "draft.yaml", sheet, book)
    return folder


def draft_pdf(folder: Path, q: Questionnaire, kind: Kind, lang: Lang) -> bytes:
    """A report of the draft in `folder` (see `draft_folder`) as it stands, marked 草稿 / DRAFT
    on every page. Runs in a render process."""
    result = assess(folder / "draft.yaml", questionnaire=q, partial=True)
    if kind == "diagnosis":
        return render_diagnosis(result, lang=lang, watermark=WATERMARK)
    return render_scenarios(result, lang=lang, watermark=WATERMARK)
