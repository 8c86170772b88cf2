"""Rows whose content no longer matches the hash written with them, and the audit chain.

Read with plain SQL on a connection, so the same checks run on a live store (`dtm
check-store`) and on a backup before it is restored, whatever schema version it has.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ..errors import N_
from .chain import verify_chain
from .records import CHANGED, hash_matches

BYTES_CHANGED = N_("its bytes no longer match their sha256 (changed outside dtm)")


def damaged_rows(conn: Connection, *, assessments: bool = True) -> list[str]:
    """One line per row that fails its content hash (evidence files and stored reports by the
    sha256 of their bytes), then the first broken audit line."""
    tables = set(inspect(conn).get_table_names())
    found: list[str] = []
    if assessments:
        for table in ("assessments", "assessment_revisions"):
            if table in tables:
                found.extend(_assessments(conn, table))
    if "services" in tables:
        found.extend(_registers(conn))
    if "evidence" in tables:
        found.extend(_evidence(conn))
    if "reports" in tables and "sha256" in {
        c["name"] for c in inspect(conn).get_columns("reports")
    }:
        found.extend(_reports(conn))
    broken = verify_chain(conn)
    if broken is not None:
        found.append(broken.message())
    return found


def _assessments(conn: Connection, table: str) -> Iterator[str]:
    columns = {c["name"] for c in inspect(conn).get_columns(table)}
    recommendations = "recommendations" if "recommendations" in columns else "'[]'"
    query = (
        f"SELECT credit_code, period, revision, answers, result, {recommendations} AS recs, "  # noqa: S608
        f"content_hash FROM {table} ORDER BY period, credit_code, revision"
    )
    state = N_("current") if table == "assessments" else N_("superseded")
    for row in conn.execute(text(query)):
        if not hash_matches(row.answers, row.result, row.recs, row.content_hash):
            yield N_(
                "%(code)s %(period)s revision %(revision)s (%(state)s): %(problem)s",
                code=row.credit_code,
                period=row.period,
                revision=row.revision,
                state=state,
                problem=CHANGED,
            )


def _registers(conn: Connection) -> Iterator[str]:
    query = (
        "SELECT period, revision, credit_code, served_on, kind, provider, amount, note, "
        "content_hash FROM services ORDER BY period, revision, line"
    )
    groups: dict[tuple[str, int], list[Any]] = {}
    for row in conn.execute(text(query)):
        groups.setdefault((row.period, row.revision), []).append(row)
    for (period, revision), rows in groups.items():
        lines = [
            (r.credit_code, str(r.served_on)[:10], r.kind, r.provider, r.amount, r.note)
            for r in rows
        ]
        stored = {r.content_hash for r in rows}
        # Whole amounts given as int by a library caller were hashed as such before the hash
        # took every amount as float.
        whole = [(*line[:4], _whole(line[4]), line[5]) for line in lines]
        if stored != {register_hash(lines)} and stored != {register_hash(whole)}:
            yield N_(
                "services register %(period)s revision %(revision)s: %(problem)s",
                period=period,
                revision=revision,
                problem=CHANGED,
            )


def _evidence(conn: Connection) -> Iterator[str]:
    """Evidence files whose bytes are no longer those their sha256 (their key) names."""
    query = text("SELECT sha256 FROM evidence ORDER BY sha256")
    for (key,) in conn.execute(query).all():
        # one file's bytes at a time: a store may hold many photos
        content: bytes = conn.execute(
            text("SELECT content FROM evidence WHERE sha256 = :key"), {"key": key}
        ).scalar_one()
        if hashlib.sha256(bytes(content)).hexdigest() != key:
            yield N_("evidence file %(sha256)s: %(problem)s", sha256=key, problem=BYTES_CHANGED)


def _reports(conn: Connection) -> Iterator[str]:
    """Rendered reports whose bytes no longer match the sha256 kept beside them."""
    query = text("SELECT period, park, name, sha256 FROM reports ORDER BY period, park, name")
    for period, park, name, kept in conn.execute(query).all():
        content: bytes = conn.execute(
            text("SELECT content FROM reports WHERE period = :p AND park = :k AND name = :n"),
            {"p": period, "k": park, "n": name},
        ).scalar_one()
        if hashlib.sha256(bytes(content)).hexdigest() != kept:
            yield N_(
                "stored report %(period)s %(name)s: %(problem)s",
                period=period,
                name=f"{park}/{name}" if park else name,
                problem=BYTES_CHANGED,
            )


def _whole(amount: float | None) -> float | int | None:
    return int(amount) if amount is not None and float(amount).is_integer() else amount


def register_hash(lines: Iterable[tuple[str, str, str, str, float | int | None, str]]) -> str:
    """The content hash of a register: its lines (code, ISO date, kind, provider, amount,
    note) in any order."""
    shown = sorted(json.dumps(list(line), ensure_ascii=False) for line in lines)
    return hashlib.sha256("\n".join(shown).encode()).hexdigest()
