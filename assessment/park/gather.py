"""The work summary of a stored quarter or year: reads the store, then hands plain data on."""

from __future__ import annotations

from collections.abc import Sequence

from ..collect.services import ServiceKind, load_kinds
from ..errors import N_, DtmError, UsageError
from ..models.catalogue import Catalogue
from ..models.questionnaire import Questionnaire
from ..store import Store
from ..store.services import service_periods, services
from .figures import TierRow
from .recognition import questionnaires_of
from .summary import TIERS, Pick, Registered, register_park, summarise
from .worksummary import Quarter, WorkSummary, work_summary


def quarter(store: Store, period: str) -> Quarter:
    """The period's assessments, recommendations and services register (None if never imported)."""
    register = services(store, period) if period in service_periods(store) else None
    return Quarter(period, store.cards(period), store.recommendations(period), register)


def stored_firms(store: Store, period: str) -> tuple[list[Registered], str | None] | None:
    """The firm register stored for `period` (or the latest before it) by `dtm batch
    --register`, with the park it names; None when none was stored."""
    from pathlib import Path

    from ..store.registers import stored_register

    found = stored_register(store, period)
    if found is None:
        return None
    source, rows = found
    firms = [Registered(**row) for row in rows]
    return firms, register_park(Path(source), firms)


def catalogues_of(questionnaires: dict[str, Questionnaire]) -> dict[str, Catalogue]:
    """Each questionnaire's shipped scenario catalogue, where it has one that loads."""
    from ..engine.pipeline import catalogue_for

    found = {}
    for qid, q in questionnaires.items():
        try:
            catalogue = catalogue_for(q)
        except DtmError:
            continue
        if catalogue is not None:
            found[qid] = catalogue
    return found


def tier_rows(picks: Sequence[Pick], places: Sequence[int]) -> list[TierRow]:
    return [
        TierRow(tier, label, sum(1 for p in picks if p.tier == tier), size)
        for (tier, label), size in zip(TIERS, places, strict=True)
    ]


def period_summary(
    store: Store,
    period: str,
    *,
    register: Sequence[Registered] | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    shortlist: Sequence[Pick] | None = None,
    kinds: Sequence[ServiceKind] | None = None,
) -> WorkSummary:
    """The work summary of one stored quarter, compared with the period stored before it."""
    return _summary(store, [period], period, register, park, tiers, shortlist, kinds)


def year_summary(
    store: Store,
    year: int,
    *,
    register: Sequence[Registered] | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    kinds: Sequence[ServiceKind] | None = None,
) -> WorkSummary:
    """The work summary of a year's stored quarters, each firm counted once."""
    periods = [p for p in store.periods() if p.startswith(f"{year}Q")]
    if not periods:
        raise UsageError(
            N_("no assessments are stored for %(period)s (stored: %(stored)s)"),
            period=year,
            stored=_stored(store),
        )
    return _summary(store, periods, str(year), register, park, tiers, None, kinds)


def _stored(store: Store) -> str:
    return ", ".join(store.periods()) or "—"


def _summary(
    store: Store,
    periods: list[str],
    scope: str,
    register: Sequence[Registered] | None,
    park: str | None,
    tiers: Sequence[int],
    shortlist: Sequence[Pick] | None,
    kinds: Sequence[ServiceKind] | None,
) -> WorkSummary:
    quarters = [quarter(store, p) for p in periods]
    if not quarters[-1].cards:
        raise UsageError(
            N_("no assessments are stored for %(period)s (stored: %(stored)s)"),
            period=periods[-1],
            stored=_stored(store),
        )
    earlier = store.previous_period(periods[0])
    before = quarter(store, earlier) if earlier else None
    if shortlist is None:
        last = quarters[-1]
        previous = store.cards(p) if (p := store.previous_period(last.period)) else []
        shortlist = summarise(last.cards, previous=previous, tiers=tiers).shortlist
    if register is None and (stored := stored_firms(store, periods[-1])) is not None:
        register, park = stored[0], park or stored[1]
    cards = [c for q in quarters for c in q.cards]
    questionnaires = questionnaires_of(cards)
    return work_summary(
        [q for q in quarters if q.cards or q.services],
        kinds=kinds if kinds is not None else load_kinds(),
        before=before,
        register=len(register) if register is not None else None,
        tiers=tier_rows(shortlist, tiers),
        questionnaires=questionnaires,
        catalogues=catalogues_of(questionnaires),
        scope=scope,
        park=park,
    )
