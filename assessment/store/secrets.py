"""Secrets made once per store and shared by every process that uses it.

Several `dtm serve` processes behind one proxy must sign session cookies and CSRF tokens with
the same key, or a browser signed in on one is a stranger to the next. The first process to ask
makes the key; any other, at the same moment or later, reads that one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .api import Store
from .schema import SecretRow

SESSION_KEY = "session_key"


def shared_secret(store: Store, name: str = SESSION_KEY) -> str:
    """The store's secret called `name`, made (256 random bits) the first time it is asked for."""
    with store._database_errors():
        found = _read(store, name)
        if found is not None:
            return found
        try:
            with store._write() as session:  # on SQLite BEGIN IMMEDIATE: one maker at a time
                found = _read_in(session, name)
                if found is not None:
                    return found
                made = secrets.token_urlsafe(32)
                session.add(SecretRow(name=name, value=made, created_at=datetime.now(UTC)))
            return made
        except IntegrityError:  # another process made it between our read and our insert
            found = _read(store, name)
            assert found is not None
            return found


def _read(store: Store, name: str) -> str | None:
    with Session(store.engine) as session:
        return _read_in(session, name)


def _read_in(session: Session, name: str) -> str | None:
    row = session.get(SecretRow, name)
    return row.value if row is not None else None
