"""The audit log as a hash chain: each line carries the hash of itself and the line before.

A line changed, removed or slipped in after it was written breaks the chain from there on, even
when the owner of the tables switched the append-only triggers off to do it; `verify_chain`
names the first line that no longer matches (docs/security.md, "The audit log").
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..errors import N_, Message
from .schema import AuditRow

# The actions the store itself writes: an assessment stored by an import, and its answers.
IMPORT = "assessment.import"
ANSWER = "answer"
# The hash the first line is chained to.
GENESIS = "0" * 64
# Any constant will do: it names the lock PostgreSQL holds while one transaction appends.
_PG_LOCK_KEY = 0x64746D_A0D17
_FIELDS = (
    "username",
    "address",
    "action",
    "draft_id",
    "credit_code",
    "period",
    "question",
    "old",
    "new",
)


@dataclass(frozen=True)
class ImportedBy:
    """Who stored an assessment outside the web form, and from what: written to the audit log
    beside the revision it makes (`Store.save(..., audit=...)`)."""

    username: str  # e.g. "cli:wang", see `local_user`
    source: str  # e.g. "dtm batch 91320594MA1A3K7R2A.yaml"


def local_user() -> str:
    """Who runs this command, as the audit log names someone working outside the web form."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@dataclass(frozen=True)
class BrokenLine:
    """The first audit line whose hash does not follow from it and the line before."""

    line: int  # the line's id
    checked: int  # lines that matched before it

    def message(self) -> Message:
        """What is wrong, as marked text that each command shows in its language."""
        return N_(
            "audit log line %(line)s: its hash does not match (the line, or one before it, "
            "was changed or removed after it was written; the %(checked)s lines before it are "
            "intact)",
            line=self.line,
            checked=self.checked,
        )

    def __str__(self) -> str:
        return str(self.message())


def _at(value: datetime | str) -> str:
    if isinstance(value, str):  # a raw SQLite value: "YYYY-MM-DD HH:MM:SS[.ffffff]"
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def line_hash(previous: str, at: datetime | str, fields: Mapping[str, Any]) -> str:
    """The chain hash of one line: of the previous line's hash, its time and its fields."""
    body = [previous, _at(at), *(fields.get(name) for name in _FIELDS)]
    text_ = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def _last_hash(session: Session) -> str:
    query = select(AuditRow.chain).order_by(AuditRow.id.desc()).limit(1)
    return session.scalar(query) or GENESIS


def append(session: Session, rows: Iterable[AuditRow]) -> None:
    """Add audit rows to the caller's transaction, each chained to the one before.

    Appenders take turns (PostgreSQL: an advisory lock held to the end of the transaction;
    SQLite: the write lock the caller's BEGIN IMMEDIATE took), so the chain never forks.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    previous = _last_hash(session)
    for row in rows:
        row.chain = previous = line_hash(previous, row.at, _values(row))
        session.add(row)
        session.flush()  # ids in chain order


def _values(row: AuditRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIELDS}


def verify_chain(conn: Connection) -> BrokenLine | None:
    """The first line of the log that breaks the chain, or None when every line follows."""
    if not inspect(conn).has_table("audit_log"):
        return None
    if "chain" not in {c["name"] for c in inspect(conn).get_columns("audit_log")}:
        return None  # a store from before the chain: nothing to verify
    columns = ", ".join(("id", "at", "chain", *_FIELDS))
    rows = conn.execute(text(f"SELECT {columns} FROM audit_log ORDER BY id"))  # noqa: S608
    previous, checked = GENESIS, 0
    for row in rows.mappings():
        if row["chain"] != line_hash(previous, row["at"], dict(row)):
            return BrokenLine(int(row["id"]), checked)
        previous, checked = row["chain"], checked + 1
    return None


@dataclass(frozen=True)
class AuditHead:
    """How long the log is and its last line: kept somewhere the tables' owner cannot write, it
    shows later whether lines were removed from the end or the chain recomputed."""

    lines: int
    last: int | None  # the last line's id, None when the log is empty
    chain: str | None  # the last line's chain hash

    def message(self) -> Message:
        """The line check-store prints, with the `ID:HASH` that `--audit-head` takes."""
        if self.last is None:
            return N_("audit log: %(lines)s lines", lines=self.lines)
        return N_(
            "audit log: %(lines)s lines, the last is line %(line)s with chain %(chain)s (keep it "
            "to check later: dtm check-store --audit-head %(line)s:%(chain)s)",
            lines=self.lines,
            line=self.last,
            chain=self.chain,
        )


def head(conn: Connection) -> AuditHead:
    """The log's number of lines and its last line's id and chain hash."""
    if not inspect(conn).has_table("audit_log"):
        return AuditHead(0, None, None)
    lines = int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
    columns = {c["name"] for c in inspect(conn).get_columns("audit_log")}
    chain = "chain" if "chain" in columns else "NULL"
    last = conn.execute(
        text(f"SELECT id, {chain} AS chain FROM audit_log ORDER BY id DESC LIMIT 1")  # noqa: S608
    ).first()
    if last is None:
        return AuditHead(lines, None, None)
    return AuditHead(lines, int(last.id), last.chain)


def check_head(conn: Connection, line: int, chain: str) -> Message | None:
    """What is wrong when the log no longer holds line `line` with the chain hash `chain` that
    an earlier check-store printed; None when it does."""
    found = None
    if inspect(conn).has_table("audit_log"):
        query = text("SELECT chain FROM audit_log WHERE id = :id")
        found = conn.execute(query, {"id": line}).first()
    if found is None:
        return N_(
            "audit log line %(line)s: the kept head is no longer in the log (lines were removed "
            "from its end)",
            line=line,
        )
    if found.chain != chain:
        return N_(
            "audit log line %(line)s: its chain is no longer the kept %(chain)s (the log was "
            "rewritten and its chain recomputed)",
            line=line,
            chain=chain,
        )
    return None


def backfill(conn: Connection) -> None:
    """Chain the lines written before the chain existed, oldest first (a migration step)."""
    columns = ", ".join(("id", "at", *_FIELDS))
    rows = conn.execute(text(f"SELECT {columns} FROM audit_log ORDER BY id")).mappings().all()  # noqa: S608
    previous = GENESIS
    for row in rows:
        previous = line_hash(previous, row["at"], dict(row))
        conn.execute(
            text("UPDATE audit_log SET chain = :chain WHERE id = :id"),
            {"chain": previous, "id": row["id"]},
        )


def shown(answer: BaseModel | None) -> str | None:
    """An answer as an audit line shows it: JSON of what was given, or None when none was."""
    if answer is None:
        return None
    return json.dumps(answer.model_dump(exclude_defaults=True), ensure_ascii=False, default=str)


def answer_changes(
    before: Mapping[str, BaseModel], after: Mapping[str, BaseModel]
) -> list[tuple[str, str | None, str | None]]:
    """(question, old, new) for every answer that differs, by question id."""
    changed = []
    for qid in sorted(set(before) | set(after)):
        old, new = before.get(qid), after.get(qid)
        if old != new:
            changed.append((qid, shown(old), shown(new)))
    return changed
