"""A quarter's stored reports written to a folder, and a park closing its quarter."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
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
        where = "" if park is EVERY_PARK else f" of {park or 'the firms naming no park'}"
        raise UsageError(
            f"{store.url}: no reports are stored for {period}{where}; make them with "
            f"`dtm batch … --period {period}` (or --queue and `dtm worker`)"
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
        raise UsageError(f"{store.url}: no assessments are stored for {period}")
    if park is None:
        if len(parks) > 1:
            names = ", ".join(p or "(none named)" for p in parks)
            raise UsageError(f"{period} has {len(parks)} parks ({names}); name one with --park")
        park = parks[0]
    elif park not in parks:
        names = ", ".join(p or "(none named)" for p in parks)
        raise UsageError(f"no firm of park {park} is stored for {period} (stored: {names})")
    peers = park_peers(store.cards(period, park=park))
    frozen = {industry: peers_to_json(p) for industry, p in peers.items()}
    return close(store, period, park, frozen), len(frozen)
