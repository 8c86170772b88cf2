"""One page of the form: what it shows, and the draft after a change or an attached file.

A change from the page's outbox names its question and carries that question's sequence number
(`seq.<question>`); one the draft has already seen (a retry, or an older change arriving late) is
not applied again, so resending what is pending never changes an answer twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

from ..files.evidence import EvidenceError, accept
from ..models.answers import Answer
from ..models.questionnaire import Question, Questionnaire
from . import live
from .drafts import Draft, DraftBook
from .forms import Fields, FormError, answer_from
from .pages import questionnaire_of

MAX_SEQ = 2**62


def _on_page(q: Questionnaire, page: int) -> dict[str, Question]:
    if not 1 <= page <= len(q.dimensions):
        raise HTTPException(404, "no such page")
    return {x.id: x for i in q.dimensions[page - 1].indicators for x in i.questions}


def dimension(
    draft: Draft,
    page: int,
    raw: dict[str, str],
    errors: dict[str, list[str]],
    folder: Path | None = None,
) -> dict[str, Any]:
    q = questionnaire_of(draft, folder)
    _on_page(q, page)
    ev = live.evaluate(q, draft)
    shown_problems = {k: [*errors.get(k, []), *v] for k, v in ev.problems.items()}
    for k, v in errors.items():
        shown_problems.setdefault(k, v)
    return {
        "draft": draft,
        "q": q,
        "dim": q.dimensions[page - 1],
        "page": page,
        "ev": ev,
        "raw": raw,
        "problems": shown_problems,
        "level_name": ev.card.level_name if ev.card else None,
    }


def _shown_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _seq(fields: Fields, qid: str) -> int | None:
    """The change's sequence number; None when the post carries none. Anything but ASCII
    digits (`²` is a digit to `str.isdigit`, not to `int`) is a post the page never sends."""
    given = (fields.get(f"seq.{qid}") or [""])[-1]
    if not given:
        return None
    if not (given.isascii() and given.isdigit()):
        raise HTTPException(400, "bad-seq")
    return int(given) if int(given) < MAX_SEQ else None


def apply_change(
    draft: Draft, page: int, fields: Fields
) -> tuple[Draft, dict[str, str], dict[str, list[str]]]:
    """The draft after one post: values that do not fit are shown with their problem, not kept."""
    q = questionnaire_of(draft)
    on_page = _on_page(q, page)
    posted = [qid for qid in fields.get("shown", []) if qid in on_page]
    answers = dict(draft.answers)
    seqs = dict(draft.seqs)
    prefilled = set(draft.prefilled)
    errors: dict[str, list[str]] = {}
    dropped = {tuple(d.split(" ", 1)) for d in fields.get("drop", []) if " " in d}
    for qid in posted:
        seq = _seq(fields, qid)
        if seq is not None:
            if seq <= seqs.get(qid, 0):
                continue  # seen already: a retry, or overtaken by a later change
            seqs[qid] = seq
        if qid in fields.get("confirm", []):
            prefilled.discard(qid)
        before = answers.get(qid)
        try:
            new = answer_from(q, on_page[qid], fields, before)
        except FormError as exc:
            errors[qid] = [exc.args[0]]
            continue
        kept = [e for e in new.evidence if (qid, e) not in dropped]
        new = new.model_copy(update={"evidence": kept})
        if before is None or new.value != before.value:
            prefilled.discard(qid)
        if new.value is None and not new.note and not new.evidence:
            answers.pop(qid, None)
        else:
            answers[qid] = new
    changed = draft.model_copy(
        update={"answers": answers, "prefilled": sorted(prefilled), "seqs": seqs}
    )
    raw: dict[str, str] = {}
    for qid, found in live.rejected(q, changed).items():
        if qid not in on_page:
            continue
        raw[qid] = _shown_value(answers[qid].value)
        errors.setdefault(qid, []).extend(found)
        before = draft.answers.get(qid)
        answers[qid] = answers[qid].model_copy(update={"value": before.value if before else None})
        if answers[qid] == Answer():
            answers.pop(qid)
    return changed.model_copy(update={"answers": answers}), raw, errors


class Refused(ValueError):
    """A file that cannot be attached; `reason` names the template's message for it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def attach(draft: Draft, page: int, qid: str, upload: bytes, book: DraftBook) -> Draft:
    """The draft with one more evidence file on a question of this page; Refused says why not."""
    q = questionnaire_of(draft)
    if qid not in _on_page(q, page):
        raise HTTPException(404, "no such question")
    try:
        attached = accept(upload)
    except EvidenceError as exc:
        text = str(exc)
        raise Refused(
            "too-large" if "larger" in text else "empty" if "empty" in text else "kind"
        ) from exc
    book.add_evidence(attached.sha256, attached.media_type, attached.content)
    before = draft.answers.get(qid) or Answer()
    if attached.entry in before.evidence:
        return draft
    answer = before.model_copy(update={"evidence": [*before.evidence, attached.entry]})
    return draft.model_copy(update={"answers": {**draft.answers, qid: answer}})
