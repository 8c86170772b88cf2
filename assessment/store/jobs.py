"""The job queue's tables on PostgreSQL: procrastinate's schema, set up with the store's own."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

# procrastinate keeps its jobs, workers and events in tables of this prefix.
JOBS_TABLE = "procrastinate_jobs"


def ensure_queue_schema(conn: Connection) -> bool:
    """Create procrastinate's tables in a PostgreSQL store that lacks them; True if it did.

    A store without the `postgres` extra (no procrastinate installed) is left as it is: the
    queue commands say what to install. Runs inside the store's upgrade transaction, under its
    lock, so processes opening a new store at once create the tables once.
    """
    if conn.dialect.name != "postgresql" or inspect(conn).has_table(JOBS_TABLE):
        return False
    try:
        from procrastinate.schema import SchemaManager
    except ImportError:
        return False
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has its driver's
        return False
    # The schema is many statements with `%` in its messages: sent as one query, no parameters.
    raw.execute(SchemaManager.get_schema())
    return True
