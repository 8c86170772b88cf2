"""Candidates for recognition (数字化车间, 智能工厂, an MIIT level) by the questionnaire's criteria.

The criteria are data: a questionnaire's `recognition:` section lists each recognition with rules
written in the condition language, like the demonstration shortlist's. A firm meeting every rule is
a candidate; one missing at most `within_reach` rules is listed as within reach, with the rules
it misses. Willingness to transform (`willing:`) is judged the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..engine.eligibility import card_context
from ..engine.plan import Plan
from ..errors import DtmError
from ..models.common import TextValue
from ..models.questionnaire import Questionnaire
from ..models.results import ScoreCard


@dataclass(frozen=True)
class Standing:
    """A firm against one recognition's rules: the labels of the rules it misses."""

    card: ScoreCard
    unmet: tuple[TextValue, ...]


@dataclass(frozen=True)
class Candidates:
    """One recognition: the firms that meet it, those within reach, and how many were judged."""

    id: str
    name: TextValue
    questionnaire: str
    judged: int
    meets: tuple[ScoreCard, ...]
    within_reach: tuple[Standing, ...]


def questionnaires_of(cards: Sequence[ScoreCard]) -> dict[str, Questionnaire]:
    """The questionnaires the cards were scored with, as far as they can be loaded (by id)."""
    from ..engine.loader import load_questionnaire

    found: dict[str, Questionnaire] = {}
    for qid in sorted({c.questionnaire.id for c in cards}):
        try:
            found[qid] = load_questionnaire(qid)
        except DtmError:
            continue  # a questionnaire not shipped: its firms are simply not judged
    return found


def _plan(q: Questionnaire) -> Plan:
    from ..engine.loader import plan_of

    return plan_of(q)


def candidates(
    cards: Sequence[ScoreCard], questionnaires: Mapping[str, Questionnaire]
) -> list[Candidates]:
    """Each recognition of each questionnaire, judged on the firms scored with it."""
    found = []
    for qid, q in sorted(questionnaires.items()):
        mine = sorted(
            (c for c in cards if c.questionnaire.id == qid), key=lambda c: c.firm.credit_code
        )
        if not q.recognition:
            continue
        plan = _plan(q)
        contexts = [(c, card_context(c)) for c in mine]
        for g_i, honour in enumerate(q.recognition):
            meets, reach = [], []
            for card, context in contexts:
                unmet = tuple(
                    rule.label
                    for r_i, rule in enumerate(honour.rules)
                    if not ((p := plan.recognition.get((g_i, r_i))) and p.truth(context))
                )
                if not unmet:
                    meets.append(card)
                elif len(unmet) <= honour.within_reach:
                    reach.append(Standing(card, unmet))
            found.append(
                Candidates(honour.id, honour.name, qid, len(mine), tuple(meets), tuple(reach))
            )
    return found


def willing(card: ScoreCard, questionnaire: Questionnaire) -> bool | None:
    """Whether the firm counts as willing to transform; None when the questionnaire does not
    say how to tell or the firm left the question unanswered."""
    parsed = _plan(questionnaire).willing
    if parsed is None:
        return None
    context = card_context(card)
    names = parsed.names & {q.id for q in card.questions()}
    if names and not names & context.answered:
        return None
    return parsed.truth(context)
