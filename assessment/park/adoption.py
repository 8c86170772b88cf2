"""Which scenarios recommended to a firm in one period it had adopted by a later one.

Adoption is judged by evidence: a scenario recommended earlier counts as adopted only when the
scenario's `adopted_when` condition (catalogue data) holds on the later answers. A scenario the
later assessment no longer recommends without that evidence (its trigger stopped firing for
another reason: a changed answer, a level reached elsewhere) is counted apart, as dropped; one
still recommended and not adopted is pending. Without a catalogue, or a scenario without
`adopted_when`, nothing counts as adopted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..engine import expr
from ..engine.eligibility import card_context
from ..models.catalogue import Catalogue
from ..models.common import TextValue
from ..models.results import Recommendation, ScoreCard


@dataclass(frozen=True)
class FirmAdoption:
    """One firm's scenarios of the earlier period: those adopted since, and those still open."""

    credit_code: str
    name: str
    before: str
    period: str
    adopted: tuple[Recommendation, ...]
    pending: tuple[Recommendation, ...]
    dropped: tuple[Recommendation, ...] = ()  # no longer recommended, with no evidence of adoption


@dataclass(frozen=True)
class ScenarioAdoption:
    """One scenario: to how many firms of the panel it was recommended, and how many adopted it."""

    scenario: str
    name: TextValue
    recommended: int
    adopted: int
    adopted_by: tuple[str, ...]  # credit codes
    dropped: int = 0  # no longer recommended for another reason, not adopted


def _adopted(
    rec: Recommendation, catalogue: Catalogue | None, context: expr.Context | None
) -> bool:
    scenario = (
        next((s for s in catalogue.scenarios if s.id == rec.scenario), None) if catalogue else None
    )
    if scenario is None or not scenario.adopted_when or context is None:
        return False
    return expr.parse(scenario.adopted_when).truth(context)


def firm_adoption(
    earlier: Sequence[Recommendation],
    card: ScoreCard,
    later: Sequence[Recommendation],
    *,
    before: str,
    catalogue: Catalogue | None = None,
) -> FirmAdoption:
    """Split the `earlier` recommendations of a firm by whether `card` (later) shows them adopted;
    `later` are the later assessment's own recommendations."""
    now = {r.scenario for r in later}
    needs_context = catalogue is not None and any(s.adopted_when for s in catalogue.scenarios)
    context = card_context(card) if needs_context else None  # evidence is read only if written
    adopted: list[Recommendation] = []
    pending: list[Recommendation] = []
    dropped: list[Recommendation] = []
    for rec in sorted(earlier, key=lambda r: r.rank):
        if _adopted(rec, catalogue, context):
            adopted.append(rec)
        else:
            (pending if rec.scenario in now else dropped).append(rec)
    return FirmAdoption(
        card.firm.credit_code,
        card.firm.name,
        before,
        card.period,
        tuple(adopted),
        tuple(pending),
        tuple(dropped),
    )


def panel_adoption(
    cards: Sequence[ScoreCard],
    recommendations: Mapping[str, Sequence[Recommendation]],
    previous: Mapping[str, ScoreCard],
    previous_recommendations: Mapping[str, Sequence[Recommendation]],
    *,
    catalogues: Mapping[str, Catalogue] | None = None,
) -> list[FirmAdoption]:
    """Every firm assessed in both periods that was recommended something in the earlier one."""
    found = []
    for card in sorted(cards, key=lambda c: c.firm.credit_code):
        code = card.firm.credit_code
        earlier = previous_recommendations.get(code)
        if code not in previous or not earlier:
            continue
        catalogue = (catalogues or {}).get(card.questionnaire.id)
        found.append(
            firm_adoption(
                earlier,
                card,
                recommendations.get(code, []),
                before=previous[code].period,
                catalogue=catalogue,
            )
        )
    return found


def by_scenario(firms: Sequence[FirmAdoption]) -> list[ScenarioAdoption]:
    """Per scenario: recommended to how many firms of the panel, adopted by how many; the most
    recommended first. A firm counts once per scenario however many periods it spans."""
    names: dict[str, TextValue] = {}
    recommended: dict[str, set[str]] = {}
    adopted: dict[str, set[str]] = {}
    dropped: dict[str, set[str]] = {}
    for firm in firms:
        for rec in (*firm.adopted, *firm.pending, *firm.dropped):
            names.setdefault(rec.scenario, rec.name)
            recommended.setdefault(rec.scenario, set()).add(firm.credit_code)
        for rec in firm.adopted:
            adopted.setdefault(rec.scenario, set()).add(firm.credit_code)
        for rec in firm.dropped:
            dropped.setdefault(rec.scenario, set()).add(firm.credit_code)
    rows = [
        ScenarioAdoption(
            scenario,
            names[scenario],
            len(codes),
            len(adopted.get(scenario, ())),
            tuple(sorted(adopted.get(scenario, ()))),
            len(dropped.get(scenario, set()) - adopted.get(scenario, set())),
        )
        for scenario, codes in recommended.items()
    ]
    return sorted(rows, key=lambda r: (-r.recommended, -r.adopted, r.scenario))
