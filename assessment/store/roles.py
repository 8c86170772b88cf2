"""Least privilege on PostgreSQL: the role the services run as owns nothing and cannot rewrite
the audit log.

The tables belong to an owner role, which runs the migrations (any dtm command opening a store
that needs one). `grant_app_role` gives a second, ordinary role what `dtm serve`, `dtm worker`
and batches need: read and write the store's tables, but only read and append the audit log,
never alter a table, drop or disable a trigger, or truncate (docs/deploy.md, "Two roles").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..errors import N_, Message, UsageError
from .api import Store

# Tables the app role may read and append to, but not change: what was written stays written.
APPEND_ONLY = ("audit_log", "secrets")
# Read only: the migrations are the owner's.
READ_ONLY = ("schema_version",)
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Granted:
    """What `grant_app_role` gave: the role, the schema, and how many tables of each kind."""

    role: str
    owner: str
    schema: str
    tables: int

    def __str__(self) -> str:
        return str(self.as_text())

    def as_text(self) -> Message:
        """What was granted, marked for the CLI to show in its language."""
        return N_(
            "%(role)s may now read and write the %(tables)s tables of schema %(schema)s, only "
            "read and append %(append)s, and only read %(read)s; %(owner)s keeps ownership "
            "(migrations, ALTER TABLE)",
            role=self.role,
            tables=self.tables,
            schema=self.schema,
            append=", ".join(APPEND_ONLY),
            read=", ".join(READ_ONLY),
            owner=self.owner,
        )


def grant_app_role(store: Store, role: str) -> Granted:
    """Grant `role` the privileges of the services, as the owner of the store's tables."""
    if store.engine.dialect.name != "postgresql":
        raise UsageError(
            N_(
                "%(store)s: dtm db roles sets up PostgreSQL roles; a SQLite store is protected "
                "by its file's owner and mode (docs/deploy.md)"
            ),
            store=store.url,
        )
    if not _NAME.fullmatch(role):
        raise UsageError(
            N_("%(role)s: not a plain role name; use lower-case letters, digits and _ (dtm_app)"),
            role=repr(role),
        )
    with store._database_errors(), store.engine.begin() as conn:
        row = conn.execute(text("SELECT current_user, current_schema()")).one()
        me, schema = str(row[0]), str(row[1])
        _check(conn, role, me, schema)
        tables = _grant(conn, role, schema)
    return Granted(role, me, schema, tables)


def _check(conn: Connection, role: str, me: str, schema: str) -> None:
    found = conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise UsageError(
            N_(
                "there is no role %(role)s; create it first (as a superuser or a role with "
                "CREATEROLE): CREATE ROLE %(role)s LOGIN PASSWORD '…'"
            ),
            role=role,
        )
    if role == me:
        raise UsageError(
            N_(
                "%(role)s: is the role running this command; run dtm db roles as the owner of "
                "the tables and name the other role the services will use"
            ),
            role=role,
        )
    if found[0]:
        raise UsageError(
            N_("%(role)s: is a superuser, which no grant can restrict; use a plain role"),
            role=role,
        )
    owner = conn.scalar(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = 'audit_log'"),
        {"s": schema},
    )
    if owner != me:
        raise UsageError(
            N_("the store's tables belong to %(owner)s, not %(me)s; run dtm db roles as %(owner)s"),
            owner=owner,
            me=me,
        )
    owned = conn.scalar(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tableowner = :role"),
        {"s": schema, "role": role},
    )
    if owned:
        raise UsageError(
            N_(
                "%(role)s: owns %(count)s tables of the store and could alter them; as a "
                "superuser: REASSIGN OWNED BY %(role)s TO %(me)s"
            ),
            role=role,
            count=owned,
            me=me,
        )


def _grant(conn: Connection, role: str, schema: str) -> int:
    tables = [
        str(name)
        for name in conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        )
    ]
    s, r = f'"{schema}"', f'"{role}"'
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        *(f"REVOKE UPDATE, DELETE ON {s}.{t} FROM {r}" for t in APPEND_ONLY if t in tables),
        *(f"REVOKE INSERT, UPDATE, DELETE ON {s}.{t} FROM {r}" for t in READ_ONLY),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {r}",
        # Tables a later migration adds: the same read and write, until this is run again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE "
        f"ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    for statement in statements:
        conn.execute(text(statement))
    return len(tables)
