"""Where the store lives and how every connection to it is set up."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import N_
from ..models.common import StrPath
from .errors import StoreError

DB_ENV = "DTM_DB"
DEFAULT_FILE = "dtm.db"
BUSY_TIMEOUT_MS = 30_000
# Execution option that marks a transaction as one that writes; SQLite then takes the write
# lock up front (BEGIN IMMEDIATE) instead of failing with "database is locked" half-way.
WRITE = "dtm_write"


def resolve_url(url: StrPath | None = None) -> str:
    """The database URL to use: `url`, else $DTM_DB, else `dtm.db` in the working folder.

    A value without `://` is a path to a SQLite file.
    """
    chosen = str(url) if url is not None else os.environ.get(DB_ENV) or DEFAULT_FILE
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser()}"


def missing_file(url: str | os.PathLike[str] | None = None) -> Path | None:
    """The SQLite file `url` names when it does not exist yet; None for anything else."""
    try:
        resolved = make_url(resolve_url(url))
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return None  # make_engine names the bad URL
    database = resolved.database
    if not resolved.drivername.startswith("sqlite") or not database or database == ":memory:":
        return None
    path = Path(database)
    return None if path.exists() else path


def describe(engine: Engine) -> str:
    """The engine's URL fit to show a person: never its password."""
    return engine.url.render_as_string(hide_password=True)


def make_engine(url: StrPath | None = None) -> Engine:
    """An engine for `url` (see `resolve_url`), prepared by `prepare`."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
        # A server database may restart under a running service: a pooled connection is
        # checked before use, so the first request after an outage does not fail on a dead one.
        engine = create_engine(parsed, pool_pre_ping=not parsed.drivername.startswith("sqlite"))
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise StoreError(
            N_(
                "%(store)s: not a database URL; give a file (park.db, sqlite:///park.db) or "
                "postgresql+psycopg://user@host/db"
            ),
            store=_shown(resolved),
        ) from exc
    except ImportError as exc:
        if resolved.startswith("postgres"):
            raise StoreError(
                N_("%(store)s: no driver for this database (install dtm-assessment[postgres])"),
                store=_shown(resolved),
            ) from exc
        raise StoreError(
            N_("%(store)s: no driver for this database"), store=_shown(resolved)
        ) from exc
    prepare(engine)
    return engine


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "the database URL" if "@" in url else url


def prepare(engine: Engine) -> None:
    """Make SQLite safe for several writing processes; other databases need nothing here."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _on_connect):
        return
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would otherwise open transactions lazily and commit before DDL; we emit BEGIN
    # ourselves in _on_begin so transactions mean what SQLAlchemy says they mean.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    # Switching a new file to WAL needs a lock that SQLite does not wait for, so several
    # processes opening the same new store at once would fail; they wait here instead.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _on_begin(connection: Connection) -> None:
    writes = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
