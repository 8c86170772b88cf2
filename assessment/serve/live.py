"""Works out what the form shows after each change, with the engine itself.

Conditions, computed values and answer checks come from `plan.work_out` and
`answercheck.check_answers`; the score from `scoring.score`. Nothing is evaluated twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..engine.answercheck import check_answers
from ..engine.loader import plan_of
from ..engine.pipeline import Assessment, catalogue_for
from ..engine.recommend import recommend
from ..engine.scoring import score
from ..errors import N_, Message, Problem, ValidationFailed
from ..files.locator import KeyPath, Locator, Reporter
from ..models.answers import Answer
from ..models.questionnaire import Dimension, Questionnaire
from ..models.results import Recommendation, RecommendationList, ScoreCard
from .drafts import Draft

_MISSING = re.compile(r"^question '([a-z][a-z0-9_]*)' has no answer")
# Problems with one value on its own: such a value is not kept in the draft.
VALUE_CODES = frozenset({"ANS002", "ANS003", "ANS004", "ANS007", "ANS008"})


class _Recorder(Reporter):
    """Keeps each problem with the question it is about."""

    def __init__(self) -> None:
        super().__init__(Locator("<form>"))
        self.by_question: dict[str, list[Problem]] = {}
        self.general: list[Problem] = []

    def __call__(self, loc: KeyPath, code: str, message: str, hint: str = "") -> None:
        problem = self.locator.problem(loc, code, message, hint)
        self.problems.problems.append(problem)
        missing = _MISSING.match(message) if code == "ANS006" else None
        if len(loc) >= 2 and loc[0] == "answers":
            self.by_question.setdefault(str(loc[1]), []).append(problem)
        elif missing is not None:
            # A missing answer is located at `answers:` itself; its message names the question.
            self.by_question.setdefault(missing.group(1), []).append(problem)
        else:
            self.general.append(problem)


def message(problem: Problem) -> str:
    """A problem as `dtm validate` words it, without the file location: marked text (`N_`),
    which the page shows in its language. A place in a file of the server (where the
    questionnaire asks a question) is shown by its file name alone."""
    values = {"code": problem.code, "message": _no_server_paths(problem.message)}
    if problem.hint:
        return N_("%(code)s %(message)s (%(hint)s)", hint=_no_server_paths(problem.hint), **values)
    return N_("%(code)s %(message)s", **values)


def _no_server_paths(text: str) -> str:
    """`text` with every absolute path among its values cut to its last part."""
    if not isinstance(text, Message) or not text.values:
        return text
    values = {
        name: (
            _no_server_paths(value)
            if isinstance(value, Message)
            else PurePath(value).name
            if isinstance(value, str) and PurePath(value).is_absolute()
            else value
        )
        for name, value in text.values.items()
    }
    return N_(text.msgid, **values)


@dataclass
class Progress:
    answered: int
    shown: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.shown) if self.shown else 100


@dataclass
class Evaluation:
    """The draft as the engine sees it: what is shown, worked out, wrong, and the score."""

    shown: dict[str, bool]
    values: dict[str, Any]
    problems: dict[str, list[str]]
    general: list[str]
    progress: dict[str, Progress]
    overall: Progress
    card: ScoreCard | None
    scorable: set[str] = field(default_factory=set)
    recommendations: list[Recommendation] = field(default_factory=list)
    assessment: Assessment | None = None


def _answered(answer: Answer | None) -> bool:
    return answer is not None and answer.value is not None


def rejected(q: Questionnaire, draft: Draft) -> dict[str, list[str]]:
    """Questions whose value does not fit the question, with the checks' messages."""
    recorder = _Recorder()
    check_answers(q, plan_of(q), draft.sheet(), recorder, partial=True)
    return {
        qid: [message(p) for p in found if p.code in VALUE_CODES]
        for qid, found in recorder.by_question.items()
        if any(p.code in VALUE_CODES for p in found)
    }


def evaluate(
    q: Questionnaire, draft: Draft, *, complete: bool = False, with_score: bool = True
) -> Evaluation:
    """Check the draft (all of it when `complete`) and score what can be scored."""
    plan = plan_of(q)
    recorder = _Recorder()
    values = check_answers(q, plan, draft.sheet(), recorder, partial=True)
    shown = values.shown
    keep = {qid for qid in draft.answers if shown.get(qid, True)}
    if complete:
        # Answers to questions no longer asked are left out of the finished sheet.
        recorder = _Recorder()
        check_answers(q, plan, draft.sheet(keep), recorder, partial=False)
    problems = {
        qid: [message(p) for p in found if p.code != "ANS005"]
        for qid, found in recorder.by_question.items()
    }
    problems = {qid: found for qid, found in problems.items() if found}
    progress = {d.id: _progress(d, shown, plan.compute, draft) for d in q.dimensions}
    overall = Progress(
        sum(p.answered for p in progress.values()), sum(p.shown for p in progress.values())
    )
    result = Evaluation(
        shown,
        values.values,
        problems,
        [message(p) for p in recorder.general],
        progress,
        overall,
        None,
    )
    result.scorable = keep - set(problems)
    if with_score:
        _score(q, draft, result.scorable, result)
    return result


def _progress(
    dimension: Dimension, shown: dict[str, bool], computed: Any, draft: Draft
) -> Progress:
    asked = [
        question.id
        for indicator in dimension.indicators
        for question in indicator.questions
        if shown.get(question.id, True) and question.id not in computed
    ]
    done = sum(1 for qid in asked if _answered(draft.answers.get(qid)))
    return Progress(done, len(asked))


def _score(q: Questionnaire, draft: Draft, keep: set[str], result: Evaluation) -> None:
    sheet = draft.sheet(keep)
    try:
        card = score(q, sheet, partial=True)
    except ValidationFailed:
        return
    catalogue = catalogue_for(q)
    recs = recommend(card, catalogue, q) if catalogue is not None else []
    result.card = card
    result.recommendations = recs
    result.assessment = Assessment(None, q, sheet, card, RecommendationList(recs))
