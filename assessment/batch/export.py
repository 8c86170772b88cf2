"""A quarter's stored reports written to a folder, and a park closing its quarter."""

from __future__ import annotations

from pathlib import Path

from ..errors import N_, UsageError
from ..files.atomic import short_name, write_atomic
from ..store import EVERY_PARK, Scope, Store
from ..store.reports import Closing, StoredReport, close, reports_of
from .inputs import park_peers, peers_to_json


def export_period(store: Store, period: str, out: Path, park: Scope = EVERY_PARK) -> list[Path]:
    """Write the stored reports of `period` (of one park, or of every park) into `out`: firms'
    into `out/firms`, a park's own files into `out` when there is one park, else into
    `out/<park>`. Each file is written atomically, and only when its bytes differ."""
    reports = reports_of(store, period, park)
    if not reports:
        values = {"store": store.url, "period": period}
        if park is EVERY_PARK:
            raise UsageError(
                N_(
                    "%(store)s: no reports are stored for %(period)s; make them with "
                    "`dtm batch … --period %(period)s` (or --queue and `dtm worker`)"
                ),
                **values,
            )
        raise UsageError(
            N_(
                "%(store)s: no reports are stored for %(period)s of %(park)s; make them with "
                "`dtm batch … --period %(period)s` (or --queue and `dtm worker`)"
            ),
            park=park or N_("the firms naming no park"),
            **values,
        )
    parks = {r.park for r in reports if r.credit_code is None}
    written = []
    for r in reports:
        path = _place(r, out, several=len(parks) > 1)
        if not (path.is_file() and path.read_bytes() == r.content):
            write_atomic(path, r.content)
        written.append(path)
    return written


def _place(r: StoredReport, out: Path, *, several: bool) -> Path:
    if r.credit_code is not None:
        return out / "firms" / r.name
    if several:
        return out / (short_name(r.park or "", 60) or "no-park") / r.name
    return out / r.name


def close_park_quarter(store: Store, period: str, park: str | None) -> tuple[Closing, int]:
    """Close `park`'s quarter (the store's one park when not named) with its averages as
    printed today; returns the closing and how many industries' averages it froze."""
    parks = store.parks(period)
    if not parks:
        raise UsageError(
            N_("%(store)s: no assessments are stored for %(period)s"),
            store=store.url,
            period=period,
        )
    if park is None:
        if len(parks) > 1:
            raise UsageError(
                N_("%(period)s has %(count)s parks (%(names)s); name one with --park"),
                period=period,
                count=len(parks),
                names=_names(parks),
            )
        park = parks[0]
    elif park not in parks:
        raise UsageError(
            N_("no firm of park %(park)s is stored for %(period)s (stored: %(names)s)"),
            park=park,
            period=period,
            names=_names(parks),
        )
    peers = park_peers(store.cards(period, park=park))
    frozen = {industry: peers_to_json(p) for industry, p in peers.items()}
    return close(store, period, park, frozen), len(frozen)


def _names(parks: list[str | None]) -> str:
    """The parks of a period; firms that name none are shown as —."""
    return ", ".join(p or "—" for p in parks)
