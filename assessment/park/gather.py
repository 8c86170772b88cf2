"""The work summary of a stored quarter or year: reads the store, then hands plain data on."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine.service_kinds import ServiceKind, load_kinds
from ..errors import N_, DtmError, UsageError
from ..models.catalogue import Catalogue
from ..models.questionnaire import Questionnaire
from ..store import EVERY_PARK, Scope, Store
from ..store.services import service_periods, services
from .figures import TierRow
from .recognition import questionnaires_of
from .summary import TIERS, Pick, Registered, register_park, summarise
from .worksummary import Quarter, WorkSummary, work_summary


def quarter(store: Store, period: str, park: Scope = EVERY_PARK) -> Quarter:
    """A stored quarter of one park (or of every park): its cards, recommendations and the
    support given (None if the period's services register was never imported), without that
    given to firms stored as another park's."""
    given = services(store, period) if period in service_periods(store) else None
    if given is not None and park is not EVERY_PARK:
        elsewhere = store.firms_elsewhere(park)
        given = [s for s in given if s.credit_code not in elsewhere]
    return Quarter(
        period, store.cards(period, park=park), store.recommendations(period, park=park), given
    )


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


def one_scope(store: Store, periods: Sequence[str], park: Scope) -> Scope:
    """The park the summary is of: the one named; else the stored one, when the periods' firms
    are all of one park; several parks without a name are a usage error (never mixed)."""
    if park is not EVERY_PARK:
        return park
    found = sorted({p for period in periods for p in store.parks(period)}, key=str)
    if len(found) > 1:
        raise UsageError(
            N_(
                "the store holds %(count)s parks for %(periods)s (%(names)s); name one with "
                "--park NAME, or add them up with --district"
            ),
            count=len(found),
            periods=", ".join(periods),
            names=", ".join(p or "—" for p in found),
        )
    return found[0] if found else None


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
    scope: Scope | None = None,
    district: bool = False,
) -> WorkSummary:
    """The work summary of one stored quarter of one park, compared with the period stored
    before it. The park is `scope`, else `park`, else the one the store holds; `district=True`
    adds every park up instead (each firm is in one park, so it is counted once)."""
    chosen = _chosen(store, [period], scope, park, district)
    return _summary(store, [period], period, register, park, tiers, shortlist, kinds, chosen)


def _chosen(
    store: Store, periods: Sequence[str], scope: Scope | None, park: str | None, district: bool
) -> Scope:
    if district:
        return EVERY_PARK
    if scope is not None:
        return scope
    return one_scope(store, periods, park if park is not None else EVERY_PARK)


def year_summary(
    store: Store,
    year: int,
    *,
    register: Sequence[Registered] | None = None,
    park: str | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    kinds: Sequence[ServiceKind] | None = None,
    district: bool = False,
) -> WorkSummary:
    """The work summary of a year's stored quarters of one park (or with `district=True` of
    every park), each firm counted once."""
    periods = [p for p in store.periods() if p.startswith(f"{year}Q")]
    if not periods:
        raise UsageError(
            N_("no assessments are stored for %(period)s (stored: %(stored)s)"),
            period=year,
            stored=_stored(store),
        )
    chosen = _chosen(store, periods, None, park, district)
    return _summary(store, periods, str(year), register, park, tiers, None, kinds, chosen)


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
    chosen: Scope = EVERY_PARK,
) -> WorkSummary:
    quarters = [quarter(store, p, chosen) for p in periods]
    if not quarters[-1].cards:
        raise UsageError(
            N_("no assessments are stored for %(period)s (stored: %(stored)s)"),
            period=periods[-1],
            stored=_stored(store),
        )
    earlier = store.previous_period(periods[0], park=chosen)
    before = quarter(store, earlier, chosen) if earlier else None
    if shortlist is None:
        last = quarters[-1]
        p = store.previous_period(last.period, park=chosen)
        previous = store.cards(p, park=chosen) if p else []
        shortlist = summarise(last.cards, previous=previous, tiers=tiers).shortlist
    stored = stored_firms(store, periods[-1]) if register is None else None
    # The stored register counts only for the park it names (or a store of one park).
    if stored is not None and (chosen is EVERY_PARK or stored[1] in (None, chosen)):
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
        park=park if chosen is EVERY_PARK or park is not None else chosen,
        district=_parks(store, periods) if chosen is EVERY_PARK else None,
    )


def _parks(store: Store, periods: Sequence[str]) -> list[str | None]:
    """The parks a district summary adds up, by name; None (last) for the firms naming none."""
    found = {p for period in periods for p in store.parks(period)}
    return sorted(found, key=lambda p: (p is None, p or ""))
