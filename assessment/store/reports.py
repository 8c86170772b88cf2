"""Rendered reports kept in the store, and the quarters a park has closed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import N_, UsageError
from .api import EVERY_PARK, Scope, Store
from .schema import ClosingRow, ReportRow

PDF, PNG = "application/pdf", "image/png"


def park_key(park: str | None) -> str:
    """A park as the key of the reports and closings tables: "" for firms that name none."""
    return park or ""


@dataclass(frozen=True)
class StoredReport:
    """One rendered file: a firm's PDF or PNG (with its credit code), or a park's report."""

    period: str
    park: str | None
    name: str
    lang: str
    key: str
    content: bytes
    credit_code: str | None = None
    made_at: datetime | None = None  # (when it was stored; None for one not stored yet)

    @property
    def media_type(self) -> str:
        return PNG if self.name.endswith(".png") else PDF


def _report(row: ReportRow) -> StoredReport:
    return StoredReport(
        period=row.period,
        park=row.park or None,
        name=row.name,
        lang=row.lang,
        key=row.key,
        content=row.content,
        credit_code=row.credit_code,
        made_at=row.made_at,
    )


def save_reports(store: Store, reports: Sequence[StoredReport]) -> None:
    """Keep `reports` in one transaction (see `keep_reports`)."""
    with store._database_errors(), store._write() as session:
        keep_reports(session, reports)


def keep_reports(session: Session, reports: Sequence[StoredReport]) -> None:
    """Keep `reports` in the caller's transaction, each replacing the file of the same name; a
    firm's new reports replace all its earlier ones of the period and language (a PNG no longer
    made goes too). A caller that records something about the reports in the same transaction
    (a queued job's outcome) has both or neither, whatever stops it."""
    now = datetime.now(UTC)
    for code, period, lang in {(r.credit_code, r.period, r.lang) for r in reports}:
        if code is not None:
            session.execute(
                delete(ReportRow).where(
                    ReportRow.credit_code == code,
                    ReportRow.period == period,
                    ReportRow.lang == lang,
                )
            )
    for r in reports:
        row = session.get(ReportRow, (r.period, park_key(r.park), r.name), with_for_update=True)
        if row is None:
            row = ReportRow(period=r.period, park=park_key(r.park), name=r.name)
            session.add(row)
        row.credit_code, row.lang, row.key = r.credit_code, r.lang, r.key
        row.media_type, row.size, row.content = r.media_type, len(r.content), r.content
        row.sha256 = hashlib.sha256(r.content).hexdigest()
        row.made_at = now


def firm_reports(store: Store, credit_code: str, period: str) -> dict[str, StoredReport]:
    """A firm's stored reports of a period, by file name."""
    query = select(ReportRow).where(
        ReportRow.credit_code == credit_code, ReportRow.period == period
    )
    with store._read() as session:
        return {row.name: _report(row) for row in session.scalars(query)}


def park_report(store: Store, period: str, park: str | None, name: str) -> StoredReport | None:
    """A park's stored report (or export) of a period by its file name."""
    with store._read() as session:
        row = session.get(ReportRow, (period, park_key(park), name))
        return _report(row) if row is not None else None


def reports_of(store: Store, period: str, park: Scope = EVERY_PARK) -> list[StoredReport]:
    """Every stored report of a period, of one park or of all, by park then name."""
    query = select(ReportRow).where(ReportRow.period == period)
    if park is not EVERY_PARK:
        query = query.where(ReportRow.park == park_key(park))
    with store._read() as session:
        return [
            _report(row) for row in session.scalars(query.order_by(ReportRow.park, ReportRow.name))
        ]


def report_keys(store: Store, period: str, lang: str) -> dict[str, tuple[str, list[str]]]:
    """The render key and file names of each firm's stored reports of a period in `lang`."""
    query = select(ReportRow.credit_code, ReportRow.key, ReportRow.name).where(
        ReportRow.period == period, ReportRow.lang == lang, ReportRow.credit_code.is_not(None)
    )
    found: dict[str, tuple[str, list[str]]] = {}
    with store._read() as session:
        for code, key, name in session.execute(query.order_by(ReportRow.name)):
            if code is None:
                continue
            if code in found and found[code][0] != key:
                found[code] = ("", [])  # two renderings mixed: never taken as finished
            else:
                found.setdefault(code, (key, []))[1].append(name)
    return found


@dataclass(frozen=True)
class Closing:
    """A park's closed quarter: when, by whom, and its peer figures as printed then."""

    period: str
    park: str | None
    peers: dict[str, Any]
    closed_at: datetime
    closed_by: str | None


def closing(store: Store, period: str, park: str | None) -> Closing | None:
    """The closing of `park`'s quarter, or None while it is open."""
    with store._read() as session:
        row = session.get(ClosingRow, (period, park_key(park)))
        if row is None:
            return None
        return Closing(period, park, json.loads(row.peers), row.closed_at, row.closed_by)


def close(
    store: Store, period: str, park: str | None, peers: dict[str, Any], *, by: str | None = None
) -> Closing:
    """Close `park`'s quarter with its peer figures frozen; closing twice is a usage error."""
    now = datetime.now(UTC)
    with store._database_errors(), store._write() as session:
        row = session.get(ClosingRow, (period, park_key(park)), with_for_update=True)
        if row is not None:
            raise UsageError(
                N_(
                    "%(period)s of %(park)s was closed on %(when)s UTC already; its figures "
                    "stay as they were"
                ),
                period=period,
                park=park or N_("the firms naming no park"),
                when=f"{row.closed_at:%Y-%m-%d %H:%M}",
            )
        text = json.dumps(peers, ensure_ascii=False, sort_keys=True)
        session.add(ClosingRow(period=period, park=park_key(park), peers=text, closed_by=by,
                               closed_at=now))  # fmt: skip
    return Closing(period, park, peers, now, by)
