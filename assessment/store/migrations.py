"""The store's schema history: an ordered list of migrations and a table recording the last one.

Each migration takes the schema from version n-1 to n and never changes once released; a
new release appends one. Their DDL is written out here, apart from schema.py, so that
editing today's tables can never change what an old migration did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
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
from .jobs import ensure_queue_schema

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


def _queue_runs_and_renders(conn: Connection) -> None:
    """Quarters handed to workers (`dtm batch --queue`) and each firm's finished rendering."""
    meta = MetaData()
    Table(
        "queue_runs",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("period", String(6), nullable=False),
        Column("lang", String(8), nullable=False),
        Column("firms", Integer, nullable=False),
        Column("skipped", Integer, nullable=False),
        Column("options", Text, nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("park_at", DateTime),
        Column("park_problem", Text),
        Index("ix_queue_runs_period", "period"),
    )
    Table(
        "renders",
        meta,
        Column("credit_code", String(18), primary_key=True),
        Column("period", String(6), primary_key=True),
        Column("lang", String(8), primary_key=True),
        Column("run_id", Integer, nullable=False),
        Column("key", String(64), nullable=False),
        Column("files", Text, nullable=False),
        Column("outcome", String(10), nullable=False),
        Column("problem", Text),
        Column("renders", Integer, nullable=False),
        Column("finished_at", DateTime, nullable=False),
        Index("ix_renders_run", "run_id"),
    )
    meta.create_all(conn)


# Refuses any change to an audit row on either backend; the role that owns the tables can still
# drop the trigger, so on PostgreSQL the service should run as a role that does not own them.
_SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_log_no_{what} BEFORE {what} ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
"""
_PG_APPEND_ONLY = (
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)


def _accounts_and_audit_log(conn: Connection) -> None:
    """Accounts with roles, their log-in sessions, who made which assessment, the audit log,
    and the firm's confirmation of its data."""
    meta = MetaData()
    Table(
        "users",
        meta,
        Column("username", String(64), primary_key=True),
        Column("role", String(20), nullable=False),
        Column("park", String(200)),
        Column("password_hash", String(200), nullable=False),
        Column("disabled", Boolean, nullable=False),
        Column("created_at", DateTime, nullable=False),
    )
    Table(
        "login_sessions",
        meta,
        Column("token_hash", String(64), primary_key=True),
        Column("username", String(64), ForeignKey("users.username"), nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("expires_at", DateTime, nullable=False),
    )
    Table(
        "assessment_authors",
        meta,
        Column("credit_code", String(18), primary_key=True),
        Column("period", String(6), primary_key=True),
        Column("username", String(64), primary_key=True),
        Index("ix_assessment_authors_user", "username"),
    )
    Table(
        "audit_log",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime, nullable=False),
        Column("username", String(64)),
        Column("address", String(64)),
        Column("action", String(40), nullable=False),
        Column("draft_id", String(32)),
        Column("credit_code", String(18)),
        Column("period", String(6)),
        Column("question", String(64)),
        Column("old", Text),
        Column("new", Text),
        Index("ix_audit_log_action_at", "action", "at"),
    )
    Table(
        "attestations",
        meta,
        Column("credit_code", String(18), primary_key=True),
        Column("period", String(6), primary_key=True),
        Column("confirmed_by", String(200), nullable=False),
        Column("confirmed_on", Date, nullable=False),
        Column("recorded_by", String(64)),
        Column("recorded_at", DateTime, nullable=False),
    )
    meta.create_all(conn)
    if conn.dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            conn.execute(text(_SQLITE_APPEND_ONLY.format(what=what)))
    elif conn.dialect.name == "postgresql":
        for statement in _PG_APPEND_ONLY:
            conn.execute(text(statement))


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


def _firm_registers(conn: Connection) -> None:
    """The park's firm register per period, so that later summaries count against it."""
    meta = MetaData()
    Table(
        "firm_registers",
        meta,
        Column("period", String(6), primary_key=True),
        Column("source", Text, nullable=False),
        Column("firms", Text, nullable=False),
        Column("imported_at", DateTime, nullable=False),
    )
    meta.create_all(conn)


def _audit_chain_and_secrets(conn: Connection) -> None:
    """Each audit line chained to the one before by its hash, and the secrets that every web
    process of one store shares (the key that signs session cookies and CSRF tokens)."""
    from .chain import backfill

    conn.execute(text("ALTER TABLE audit_log ADD COLUMN chain VARCHAR(64)"))
    # The lines already written are chained once, here; the append-only triggers step aside
    # for it inside this transaction only.
    if conn.dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            conn.execute(text(f"DROP TRIGGER audit_log_no_{what}"))
        backfill(conn)
        for what in ("UPDATE", "DELETE"):
            conn.execute(text(_SQLITE_APPEND_ONLY.format(what=what)))
    else:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        backfill(conn)
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))
    meta = MetaData()
    Table(
        "secrets",
        meta,
        Column("name", String(64), primary_key=True),
        Column("value", String(200), nullable=False),
        Column("created_at", DateTime, nullable=False),
    )
    meta.create_all(conn)


def _parks_and_stored_reports(conn: Connection) -> None:
    """Each assessment's park as its own column (read from its stored result), the rendered
    reports kept in the store, and the quarters a park has closed with their frozen figures."""
    for table in ("assessments", "assessment_revisions"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN park VARCHAR(200)"))
        rows = conn.execute(
            text(f"SELECT credit_code, period, revision, result FROM {table}")  # noqa: S608
        )
        for code, period, revision, result in rows.all():
            try:
                park = json.loads(str(result))["firm"].get("park")
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a damaged row stays without a park: `check-store` names it
            conn.execute(
                text(
                    f"UPDATE {table} SET park = :park WHERE credit_code = :code "  # noqa: S608
                    "AND period = :period AND revision = :revision"
                ),
                {"park": park, "code": code, "period": period, "revision": revision},
            )
    conn.execute(text("CREATE INDEX ix_assessments_period_park ON assessments (period, park)"))
    meta = MetaData()
    Table(
        "reports",
        meta,
        Column("period", String(6), primary_key=True),
        Column("park", String(200), primary_key=True),
        Column("name", String(200), primary_key=True),
        Column("credit_code", String(18)),
        Column("lang", String(8), nullable=False),
        Column("key", String(64), nullable=False),
        Column("media_type", String(40), nullable=False),
        Column("size", Integer, nullable=False),
        Column("content", LargeBinary, nullable=False),
        Column("made_at", DateTime, nullable=False),
        Index("ix_reports_firm", "credit_code", "period"),
    )
    Table(
        "quarter_closings",
        meta,
        Column("period", String(6), primary_key=True),
        Column("park", String(200), primary_key=True),
        Column("peers", Text, nullable=False),
        Column("closed_by", String(64)),
        Column("closed_at", DateTime, nullable=False),
    )
    meta.create_all(conn)


def _report_hashes(conn: Connection) -> None:
    """The sha256 of each stored report's bytes beside them, so that check-store and restore
    find a report changed after it was rendered (evidence files are named by theirs already)."""
    import hashlib

    conn.execute(text("ALTER TABLE reports ADD COLUMN sha256 VARCHAR(64)"))
    keys = conn.execute(text("SELECT period, park, name FROM reports")).all()
    for period, park, name in keys:  # one report's bytes at a time
        where = {"p": period, "k": park, "n": name}
        content: bytes = conn.execute(
            text("SELECT content FROM reports WHERE period = :p AND park = :k AND name = :n"),
            where,
        ).scalar_one()
        conn.execute(
            text("UPDATE reports SET sha256 = :h WHERE period = :p AND park = :k AND name = :n"),
            {**where, "h": hashlib.sha256(bytes(content)).hexdigest()},
        )


MIGRATIONS: tuple[Migration, ...] = (
    _v1_firms_and_assessments,
    _v2_recommendations,
    _v3_drafts_and_evidence,
    _queue_runs_and_renders,
    _accounts_and_audit_log,
    _services_register,
    _firm_registers,
    _audit_chain_and_secrets,
    _parks_and_stored_reports,
    _report_hashes,
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
    from .._version import __version__

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
        ensure_queue_schema(conn)
    return found
