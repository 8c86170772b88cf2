"""The whole pipeline in one place: load → validate → score → recommend."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import resources
from ..errors import (
    N_,
    DtmError,
    Location,
    Message,
    NoSuchFile,
    Problem,
    ValidationFailed,
    error_text,
)
from ..models.answers import AnswerSheet
from ..models.catalogue import Catalogue
from ..models.common import Lang, StrPath, clipped
from ..models.questionnaire import Questionnaire
from ..models.results import Plan, RecommendationList, ResultDocument, ScoreCard, SupportGiven
from . import loader
from .recommend import recommend_with_plan
from .scoring import score


@dataclass(frozen=True)
class Assessment:
    """One firm, one period: its answers, its score card and its recommended scenarios."""

    source: Path | None
    questionnaire: Questionnaire
    sheet: AnswerSheet
    card: ScoreCard
    recommendations: RecommendationList
    plan: Plan | None = None

    def __repr__(self) -> str:
        card = self.card
        overall = "not rated" if card.overall is None else f"overall {card.overall:.1f}"
        return (
            f"<Assessment {card.firm.credit_code} {clipped(card.firm.name, 40)} {card.period}: "
            f"{card.level_name.en}, {overall}, {len(self.recommendations)} scenarios>"
        )

    def to_html(self, lang: Lang | None = None) -> str:
        """The notebook view: the score card, then the recommendations, in `lang` (by default
        the language set by `assessment.set_display_language`, Chinese unless set)."""
        return self.card.to_html(lang) + self.recommendations.to_html(lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_document(self) -> ResultDocument:
        """The JSON result (docs/result-schema.md) as a model; `.model_dump(mode="json")`."""
        return ResultDocument(
            **dict(self.card), recommendations=self.recommendations, plan=self.plan
        )


@dataclass(frozen=True)
class FailedFile:
    """An answer file that could not be assessed, with every problem found in it."""

    source: Path
    problems: list[Problem]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


def catalogue_for(q: Questionnaire, source: StrPath | None = None) -> Catalogue | None:
    """The named catalogue, or the shipped `<questionnaire id>_scenarios` one if there is one."""
    if source is not None:
        return loader.load_catalogue(source, q)
    default = f"{q.id}_scenarios"
    if resources.shipped_file(default) is None:
        return None
    return loader.load_catalogue(default, q)


def assess(
    answers: StrPath | AnswerSheet,
    *,
    questionnaire: StrPath | Questionnaire | None = None,
    catalogue: StrPath | Catalogue | None = None,
    partial: bool = False,
    given: Sequence[SupportGiven] = (),
) -> Assessment:
    """Load, check, score and recommend for one answer file (or an `AnswerSheet` in memory).

    The questionnaire defaults to the one the answers name; the catalogue to the shipped one for
    that questionnaire. `given` is the park's services register for the period: the support it
    shows given to this firm lowers the firm's cost where the catalogue's routes name its kind.
    Raises `ValidationFailed` listing every problem in the answers.

    >>> result = assess("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml")
    >>> result.card.level_name.en
    'Starting'
    """
    q = (
        questionnaire
        if isinstance(questionnaire, Questionnaire) or questionnaire is None
        else loader.load_questionnaire(questionnaire)
    )
    if isinstance(answers, AnswerSheet):
        q = q or loader.questionnaire_for(answers)
        return assess_sheet(answers, q, catalogue=catalogue, partial=partial, given=given)
    path = Path(answers)
    sheet = loader.load_answers(path, q, partial=partial)
    q = q or loader.questionnaire_for(sheet, path)
    return assess_sheet(sheet, q, catalogue=catalogue, partial=partial, source=path, given=given)


def assess_sheet(
    sheet: AnswerSheet,
    questionnaire: Questionnaire,
    *,
    catalogue: StrPath | Catalogue | None = None,
    partial: bool = False,
    source: Path | None = None,
    given: Sequence[SupportGiven] = (),
) -> Assessment:
    """Score and recommend for an answer sheet already read and checked (a workbook row, a form)."""
    card = score(questionnaire, sheet, partial=partial)
    cat = catalogue if isinstance(catalogue, Catalogue) else catalogue_for(questionnaire, catalogue)
    recs, plan = (
        recommend_with_plan(card, cat, questionnaire, given=given)
        if cat is not None
        else ([], None)
    )
    return Assessment(source, questionnaire, sheet, card, RecommendationList(recs), plan)


def plan_for(q: Questionnaire, card: ScoreCard, given: Sequence[SupportGiven] = ()) -> Plan | None:
    """The plan of a stored assessment, worked out again from its score card and the period's
    services register (the engine is pure, so it is the plan the firm was given when its
    catalogue and the register are unchanged)."""
    cat = catalogue_for(q)
    return recommend_with_plan(card, cat, q, given=given)[1] if cat is not None else None


def answer_files(folder: StrPath) -> list[Path]:
    """Every answer file under `folder`, in a stable order; hidden files are passed over.

    Anything named like an answer file that is not a folder is listed, so a dangling link, a
    FIFO or an unreadable file is reported when it is read, never skipped without a word.
    """
    root = Path(folder)
    if not root.is_dir():
        raise NoSuchFile(N_("%(folder)s: no such folder of answer files"), str(root), folder=root)
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in ANSWER_SUFFIXES
        and not p.is_dir()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def assess_many(
    answers: StrPath | Iterable[StrPath],
    *,
    workers: int | None = None,
    questionnaire: StrPath | None = None,
    catalogue: StrPath | None = None,
    partial: bool = False,
) -> Iterator[Assessment | FailedFile]:
    """Assess a folder of answer files (or one file, or the files given), yielding each result
    in order.

    A file that cannot be assessed yields a `FailedFile` with its located problems, and the
    rest go on. `workers=None` assesses in this process, one file at a time as you iterate;
    `workers=N` (N > 1) spreads the files over N processes.
    """
    if isinstance(answers, str | os.PathLike):
        files = [Path(answers)] if Path(answers).is_file() else answer_files(answers)
    else:
        files = [Path(f) for f in answers]
    options = _Options(questionnaire, catalogue, partial)
    if workers is None or workers <= 1 or len(files) < 2:
        yield from (_assess_or_fail(f, options) for f in files)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = pool.map(_assess_in_worker, files, [options] * len(files), chunksize=8)
        yield from (_attach(job, options) for job in jobs)


@dataclass(frozen=True)
class _Options:
    questionnaire: StrPath | None
    catalogue: StrPath | None
    partial: bool


def _assess_or_fail(path: Path, options: _Options) -> Assessment | FailedFile:
    try:
        return assess(
            path,
            questionnaire=options.questionnaire,
            catalogue=options.catalogue,
            partial=options.partial,
        )
    except ValidationFailed as exc:
        return FailedFile(path, list(exc.problems))
    except DtmError as exc:
        message = error_text(exc)
        if isinstance(message, Message):
            problem = message.values.get("problem")
            if message.msgid == "%(path)s: %(problem)s" and isinstance(problem, str):
                message = problem  # the path is the problem's location already
        else:
            message = message.removeprefix(f"{path}: ")
        return FailedFile(path, [Problem(Location(str(path)), "FILE001", message)])


# What a worker process sends back: compiled questionnaires do not pickle, so the parent
# attaches its own (loaded once per process and cached).
_Sent = tuple[Path, AnswerSheet, ScoreCard, RecommendationList, Plan | None] | FailedFile


def _assess_in_worker(path: Path, options: _Options) -> _Sent:
    a = _assess_or_fail(path, options)
    if isinstance(a, FailedFile):
        return a
    return path, a.sheet, a.card, a.recommendations, a.plan


def _attach(sent: _Sent, options: _Options) -> Assessment | FailedFile:
    if isinstance(sent, FailedFile):
        return sent
    path, sheet, card, recs, plan = sent
    q = (
        loader.load_questionnaire(options.questionnaire)
        if options.questionnaire is not None
        else loader.questionnaire_for(sheet, path)
    )
    return Assessment(path, q, sheet, card, recs, plan)


def sample_park(period: str | None = None) -> list[Assessment]:
    """Every shipped sample firm for `period` (all periods when None), scored and recommended."""
    root = resources.sample_park_dir()
    folders = [root / period] if period else sorted(p for p in root.iterdir() if p.is_dir())
    files = sorted(f for folder in folders for f in folder.glob("*.yaml"))
    return [assess(f) for f in files]
