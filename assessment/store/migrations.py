"""The store's schema history: an ordered list of migrations and a table recording the last one.

Each migration takes the schema from version n-1 to n and never changes once released; a
new release appends one. Their DDL is written out here, apart from schema.py, so that
editing today's tables can never change what an old migration did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

from .engine import WRITE, describe
from .errors import NewerStoreError

Migration = Callable[[Connection], None]

_versions = MetaData()
VERSION_TABLE = Table(
    "schema_version",
    _versions,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
    Column("dtm_version", String(40), nullable=False),
)
# Any constant will do: it names the lock PostgreSQL holds while one process migrates.
_PG_LOCK_KEY = 0x64746D


def _assessment_columns() -> list[Column[object]]:
    return [
        Column("industry", String(40), nullable=False),
        Column("questionnaire_id", String(64), nullable=False),
        Column("questionnaire_version", String(40), nullable=False),
        Column("questionnaire_hash", String(64), nullable=False),
        Column("answers", Text, nullable=False),
        Column("result", Text, nullable=False),
        Column("level_id", String(64)),
        Column("level_rank", Integer, nullable=False),
        Column("overall", Float),
        Column("coverage", Float, nullable=False),
        Column("assessor", String(200), nullable=False),
        Column("assessed_on", Date, nullable=False),
        Column("imported_at", DateTime, nullable=False),
        Column("source_hash", String(64)),
        Column("content_hash", String(64), nullable=False),
    ]


def _key() -> list[Column[object]]:
    return [
        Column("credit_code", String(18), ForeignKey("firms.credit_code"), primary_key=True),
        Column("period", String(6), primary_key=True),
    ]


def _v1_firms_and_assessments(conn: Connection) -> None:
    """Firms, current assessments and the revisions they replaced."""
    meta = MetaData()
    Table(
        "firms",
        meta,
        Column("credit_code", String(18), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("industry", String(40), nullable=False),
        Column("employees", Integer, nullable=False),
        Column("revenue", Float),
        Column("park", String(200)),
        Column("as_of_period", String(6), nullable=False),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "assessments",
        meta,
        *_key(),
        Column("revision", Integer, nullable=False),
        *_assessment_columns(),
        Index("ix_assessments_period", "period"),
    )
    Table(
        "assessment_revisions",
        meta,
        *_key(),
        Column("revision", Integer, primary_key=True, autoincrement=False),
        Column("superseded_at", DateTime, nullable=False),
        *_assessment_columns(),
    )
    meta.create_all(conn)


def _v2_recommendations(conn: Connection) -> None:
    """The recommended scenarios beside each assessment, so park reports need not re-run them."""
    for table in ("assessments", "assessment_revisions"):
        conn.execute(
            text(f"ALTER TABLE {table} ADD COLUMN recommendations TEXT NOT NULL DEFAULT '[]'")
        )


def _v3_drafts_and_evidence(conn: Connection) -> None:
    """Unfinished assessments from the web form, and evidence files kept by their sha256."""
    meta = MetaData()
    Table(
        "drafts",
        meta,
        Column("id", String(32), primary_key=True),
        Column("credit_code", String(18), nullable=False),
        Column("period", String(6), nullable=False),
        Column("firm_name", String(200), nullable=False),
        Column("questionnaire_id", String(64), nullable=False),
        Column("data", Text, nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("updated_at", DateTime, nullable=False),
        Index("ix_drafts_firm", "credit_code", "period"),
    )
    Table(
        "evidence",
        meta,
        Column("sha256", String(64), primary_key=True),
        Column("media_type", String(40), nullable=False),
        Column("size", Integer, nullable=False),
        Column("content", LargeBinary, nullable=False),
        Column("added_at", DateTime, nullable=False),
    )
    meta.create_all(conn)


def _services_register(conn: Connection) -> None:
    """The park's services register: support given to firms, every import kept as a revision."""
    meta = MetaData()
    Table(
        "services",
        meta,
        Column("period", String(6), primary_key=True),
        Column("revision", Integer, primary_key=True, autoincrement=False),
        Column("line", Integer, primary_key=True, autoincrement=False),
        Column("credit_code", String(18), nullable=False),
        Column("served_on", Date, nullable=False),
        Column("kind", String(40), nullable=False),
        Column("provider", String(200), nullable=False),
        Column("amount", Float, nullable=True),
        Column("note", Text, nullable=False),
        Column("imported_at", DateTime, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Index("ix_services_firm", "credit_code"),
    )
    meta.create_all(conn)


MIGRATIONS: tuple[Migration, ...] = (
    _v1_firms_and_assessments,
    _v2_recommendations,
    _v3_drafts_and_evidence,
    _services_register,
)
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The schema version recorded in the store, 0 for an empty database."""
    if not inspect(conn).has_table(VERSION_TABLE.name):
        return 0
    return conn.scalar(select(func.max(VERSION_TABLE.c.version))) or 0


def upgrade(engine: Engine, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the store up to `target` in one transaction; returns the version it started at.

    Raises NewerStoreError, touching nothing, when the store is already past what we know.
    """
    from .. import __version__

    with engine.execution_options(**{WRITE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        found = current_version(conn)
        if found > SCHEMA_VERSION:
            raise NewerStoreError(where=describe(engine), found=found, known=SCHEMA_VERSION)
        if found < target:
            VERSION_TABLE.create(conn, checkfirst=True)
        for number in range(found + 1, target + 1):
            MIGRATIONS[number - 1](conn)
            conn.execute(
                VERSION_TABLE.insert().values(
                    version=number,
                    applied_at=datetime.now(UTC).replace(tzinfo=None),
                    dtm_version=__version__,
                )
            )
    return found
