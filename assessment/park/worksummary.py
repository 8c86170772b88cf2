"""The park's work summary (工作简报): the figures a park reports upward, for a quarter or a year.

Every figure says what it counts and over how many firms. A year adds up its quarters with each
firm counted once: firms are counted by credit code across the quarters, support amounts are
summed, adoption is counted once per firm and scenario, and a firm's level migration runs from its
first assessment in view to its last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..collect.services import Service
from ..display import period as period_label
from ..engine.service_kinds import ServiceKind
from ..models.catalogue import Catalogue
from ..models.common import TextValue
from ..models.questionnaire import Questionnaire
from ..models.results import Recommendation, ScoreCard
from .adoption import FirmAdoption, ScenarioAdoption, by_scenario, firm_adoption
from .figures import Figure, TierRow, progress_figures, recognition_figures
from .recognition import Candidates, candidates, willing

T = TextValue


@dataclass(frozen=True)
class Quarter:
    """One stored period as the work summary reads it."""

    period: str
    cards: Sequence[ScoreCard]
    recommendations: Mapping[str, Sequence[Recommendation]]
    services: Sequence[Service] | None = None  # None: no services register was imported


@dataclass(frozen=True)
class KindRow:
    """Support of one kind: distinct firms, register lines and the amount in 万元."""

    kind: str
    label: TextValue
    firms: int
    lines: int
    amount: float


@dataclass
class WorkSummary:
    scope: str
    periods: list[str]
    compared_with: str | None
    park: str | None
    figures: list[Figure]
    support: list[KindRow]
    adoption: list[ScenarioAdoption]
    adopters: list[FirmAdoption] = field(default_factory=list)
    tiers: list[TierRow] = field(default_factory=list)
    recognition: list[Candidates] = field(default_factory=list)
    # Periods in view without a services register: support there is unknown, not zero.
    unregistered: list[str] = field(default_factory=list)
    # A district roll-up: the parks added up (each firm is in one park, so counted once).
    district: list[str | None] | None = None

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `dtm park-summary --json`; labels in both languages."""
        return {
            "scope": self.scope,
            "periods": self.periods,
            "compared_with": self.compared_with,
            "park": self.park,
            "services_not_imported": self.unregistered,
            "district": self.district,
            "figures": [
                {
                    "id": f.id,
                    "label": f.label.model_dump(),
                    "value": f.value,
                    "of": f.of,
                    "share": f.share,
                    "counts": f.counts.model_dump(),
                    "reason": None if f.reason is None else f.reason.model_dump(),
                }
                for f in self.figures
            ],
            "support": [
                {
                    "kind": k.kind,
                    "label": k.label.model_dump(),
                    "firms": k.firms,
                    "lines": k.lines,
                    "amount": k.amount,
                }
                for k in self.support
            ],
            "adoption": [
                {
                    "scenario": a.scenario,
                    "name": a.name.model_dump(),
                    "recommended": a.recommended,
                    "adopted": a.adopted,
                    "adopted_by": list(a.adopted_by),
                    "dropped": a.dropped,
                }
                for a in self.adoption
            ],
            "tiers": [
                {
                    "tier": t.tier,
                    "label": t.label.model_dump(),
                    "filled": t.filled,
                    "places": t.places,
                }
                for t in self.tiers
            ],
            "recognition": [
                {
                    "id": c.id,
                    "name": c.name.model_dump(),
                    "questionnaire": c.questionnaire,
                    "judged": c.judged,
                    "meets": [card.firm.credit_code for card in c.meets],
                    "within_reach": [
                        {
                            "credit_code": s.card.firm.credit_code,
                            "unmet": [u.model_dump() for u in s.unmet],
                        }
                        for s in c.within_reach
                    ],
                }
                for c in self.recognition
            ],
        }


def _latest(quarters: Sequence[Quarter]) -> dict[str, ScoreCard]:
    latest: dict[str, ScoreCard] = {}
    for quarter in sorted(quarters, key=lambda q: q.period):
        for card in quarter.cards:
            latest[card.firm.credit_code] = card
    return latest


def _support(services: Sequence[Service], kinds: Sequence[ServiceKind]) -> list[KindRow]:
    firms: dict[str, set[str]] = defaultdict(set)
    lines: dict[str, int] = defaultdict(int)
    amount: dict[str, float] = defaultdict(float)
    for s in services:
        firms[s.kind].add(s.credit_code)
        lines[s.kind] += 1
        amount[s.kind] += s.amount or 0.0
    return [
        KindRow(k.id, k.label, len(firms[k.id]), lines[k.id], round(amount[k.id], 4))
        for k in kinds
        if lines.get(k.id)
    ]


def _journeys(
    chain: Sequence[Quarter], scope: set[str]
) -> dict[str, list[tuple[str, ScoreCard, Sequence[Recommendation]]]]:
    """Each firm's assessments along the chain of periods, oldest first."""
    found: dict[str, list[tuple[str, ScoreCard, Sequence[Recommendation]]]] = defaultdict(list)
    for quarter in sorted(chain, key=lambda q: q.period):
        for card in quarter.cards:
            code = card.firm.credit_code
            found[code].append((quarter.period, card, quarter.recommendations.get(code, ())))
    return {k: v for k, v in found.items() if v[-1][0] in scope}


def work_summary(
    quarters: Sequence[Quarter],
    *,
    kinds: Sequence[ServiceKind],
    before: Quarter | None = None,
    register: int | None = None,
    tiers: Sequence[TierRow] = (),
    questionnaires: Mapping[str, Questionnaire] | None = None,
    catalogues: Mapping[str, Catalogue] | None = None,
    scope: str | None = None,
    park: str | None = None,
    district: list[str | None] | None = None,
) -> WorkSummary:
    """The work summary of `quarters` (one, or the quarters of a year); `before` is the period
    stored just before them, against which adoption and migrations of the first are measured."""
    quarters = sorted(quarters, key=lambda q: q.period)
    periods = [q.period for q in quarters]
    questionnaires = questionnaires or {}
    latest = _latest(quarters)
    services = [s for q in quarters for s in q.services or ()]
    unregistered = [q.period for q in quarters if q.services is None]
    steps = [*([before] if before else []), *quarters]
    adopters, moves = _outcomes(_journeys(steps, set(periods)), catalogues or {})
    adoption = by_scenario(adopters)
    honours = candidates(list(latest.values()), questionnaires)
    figures = [
        *_reach(latest, services, kinds, questionnaires, register, periods, unregistered),
        *progress_figures(adoption, adopters, moves, tiers, periods, compared=len(steps) > 1),
        *recognition_figures(honours),
    ]
    return WorkSummary(
        scope=scope or (periods[0] if len(periods) == 1 else periods[0][:4]),
        periods=periods,
        compared_with=before.period if before else None,
        park=park,
        figures=figures,
        support=_support(services, kinds),
        adoption=adoption,
        adopters=[a for a in adopters if a.adopted],
        tiers=list(tiers),
        recognition=honours,
        unregistered=unregistered,
        district=district,
    )


def _outcomes(
    journeys: Mapping[str, Sequence[tuple[str, ScoreCard, Sequence[Recommendation]]]],
    catalogues: Mapping[str, Catalogue],
) -> tuple[list[FirmAdoption], dict[str, int]]:
    """Each firm's adoption between consecutive stored periods, and how many firms rose a level,
    kept it or fell back between their earliest and latest assessment."""
    adopters: list[FirmAdoption] = []
    moves = {"rose": 0, "same": 0, "fell": 0}
    for _code, steps in sorted(journeys.items()):
        for (period, _, earlier), (_, card, later) in pairwise(steps):
            if earlier:
                catalogue = catalogues.get(card.questionnaire.id)
                adopters.append(
                    firm_adoption(earlier, card, later, before=period, catalogue=catalogue)
                )
        if len(steps) > 1:
            first, last = steps[0][1], steps[-1][1]
            a, b = first.level.rank if first.level else 0, last.level.rank if last.level else 0
            moves["rose" if b > a else "fell" if b < a else "same"] += 1
    return adopters, moves


def _reach(
    latest: Mapping[str, ScoreCard],
    services: Sequence[Service],
    kinds: Sequence[ServiceKind],
    questionnaires: Mapping[str, Questionnaire],
    register: int | None,
    periods: Sequence[str],
    unregistered: Sequence[str] = (),
) -> list[Figure]:
    """Whom the park reached: registered, visited, assessed, willing, supported, and the money.

    Support in a period without a services register is unknown: those figures carry what to
    import instead of a zero."""
    assessed = set(latest)
    visit_kinds = {k.id for k in kinds if k.visit}
    visited = assessed | {s.credit_code for s in services if s.kind in visit_kinds}
    supported = {s.credit_code for s in services}
    amounts = [s.amount for s in services if s.amount is not None]
    judged = [
        answer
        for card in latest.values()
        if (q := questionnaires.get(card.questionnaire.id)) is not None
        and (answer := willing(card, q)) is not None
    ]
    in_scope = T(
        zh="、".join(period_label(p, "zh") for p in periods),
        en=", ".join(period_label(p, "en") for p in periods),
    )
    missing = None
    if unregistered:
        missing = T(
            zh="、".join(period_label(p, "zh") for p in unregistered) + "的服务台账",
            en="the services register of " + ", ".join(period_label(p, "en") for p in unregistered),
        )
    visit_note = {"zh": "", "en": ""}
    if missing is not None:
        visit_note = {
            "zh": f"；{missing.zh}未导入，只计完成诊断的企业",
            "en": f"; {missing.en} is not imported, so only assessed firms count",
        }
    return [
        Figure(
            "registered",
            T(zh="园区登记企业", en="Firms on the park register"),
            register,
            T(zh="园区企业名录的行数", en="rows of the park's firm register"),
            missing=None
            if register is not None
            else T(zh="园区企业名录", en="the park's firm register"),
        ),
        Figure(
            "visited",
            T(zh="走访企业", en="Firms visited"),
            len(visited),
            T(
                zh=f"{in_scope.zh}完成诊断或接受免费诊断、上门服务的企业（按信用代码计一次）"
                + visit_note["zh"],
                en=f"firms assessed or given free diagnosis or an on-site service in "
                f"{in_scope.en}, each counted once" + visit_note["en"],
            ),
            register,
        ),
        Figure(
            "assessed",
            T(zh="完成诊断企业", en="Firms assessed"),
            len(assessed),
            T(
                zh=f"{in_scope.zh}有诊断结果的企业（按信用代码计一次）",
                en=f"firms with an assessment in {in_scope.en}, each counted once",
            ),
            register,
        ),
        Figure(
            "willing",
            T(zh="有转型意愿企业", en="Firms willing to transform"),
            sum(judged),
            T(
                zh="按最近一次诊断，问卷定义为有意愿的企业；占回答了意愿问题的企业",
                en="firms willing by the questionnaire's definition, in their latest "
                "assessment; a share of the firms that answered the question",
            ),
            len(judged),
        ),
        Figure(
            "supported",
            T(zh="获得服务支持企业", en="Firms given support"),
            None if missing else len(supported),
            T(
                zh="服务台账中至少有一条记录的企业（按信用代码计一次）",
                en="firms with at least one line in the services register, each counted once",
            ),
            None if missing else len(visited),
            missing=missing,
        ),
        Figure(
            "support_amount",
            T(zh="支持金额（万元）", en="Support given (10k CNY)"),
            None if missing else round(sum(amounts), 4),
            T(
                zh=f"服务台账中 {len(amounts)} 条有金额记录的合计"
                if missing is None
                else "服务台账中有金额记录的合计",
                en=f"the sum of the {len(amounts)} register lines that give an amount"
                if missing is None
                else "the sum of the register lines that give an amount",
            ),
            missing=missing,
        ),
    ]
