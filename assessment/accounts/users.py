"""Accounts in the store: adding, listing, passwords, disabling, and signing in and out."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from ..errors import N_, DtmError
from ..store import Store
from ..store.engine import WRITE
from ..store.schema import AuthorRow, LoginSessionRow, UserRow
from . import audit
from .audit import AuditEntry, AuditLog
from .roles import Role, User

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
SESSION_HOURS = 12
# Log-in throttling: this many failures for one account, or (a higher number, since a whole
# office may sign in through one address) from one address, in the window, and further attempts
# are refused, right or wrong, until the window has passed.
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 20
# The advisory lock that makes log-ins on PostgreSQL count their failures one at a time.
LOG_IN_LOCK = 0x64746D_4C4F47
WINDOW = timedelta(minutes=15)


class AccountError(DtmError):
    """An account cannot be added or changed as asked (a taken name, a short password)."""


class LoginRefused(DtmError):
    """The name or password is wrong, or the account is disabled (which one is not said)."""


class Throttled(DtmError):
    """Too many failed log-ins for the account or from the address; wait and try again."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended costs


@cache
def _decoy() -> str:
    """A hash to check wrong names against, so they take as long as wrong passwords."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _lock_log_ins(session: Session) -> None:
    """SQLite's write transaction (BEGIN IMMEDIATE) is the lock; PostgreSQL takes an advisory."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_IN_LOCK})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _user(row: UserRow) -> User:
    return User(name=row.username, role=Role(row.role), park=row.park, disabled=row.disabled)


def check_new_account(name: str, role: Role | str, park: str | None) -> Role:
    """The role of a new account, once its name, role and park are known to fit together (so
    that a mistake is told before anyone types a password)."""
    if not NAME.match(name):
        raise AccountError(
            N_(
                "%(name)s cannot be an account name: use letters, digits and . _ @ -, at most 64, "
                "starting with a letter or digit"
            ),
            name=repr(name),
        )
    try:
        chosen = Role(role)
    except ValueError:
        raise AccountError(
            N_("--role must be consultant, park or admin, not %(value)s"), value=repr(role)
        ) from None
    if chosen == Role.PARK and not park:
        raise AccountError(
            N_("a park account needs its park: add --park 'park name' for %(name)s"), name=name
        )
    if chosen != Role.PARK and park:
        raise AccountError(
            N_("only a park account has a park; drop --park for %(name)s"), name=name
        )
    return chosen


class Accounts:
    """The accounts kept in a store (see docs/serve.md, "Accounts")."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.log = AuditLog(store)
        self._writer = store.engine.execution_options(**{WRITE: True})

    # Administration

    def add(
        self, name: str, role: Role | str, *, password: str, park: str | None = None, by: str
    ) -> User:
        """A new account; a park account names its park exactly as firms' records do."""
        chosen = check_new_account(name, role, park)
        _check_password(password)
        with Session(self._writer) as session, session.begin():
            if session.get(UserRow, name) is not None:
                raise AccountError(
                    N_("there is already an account %(name)s; choose another name"),
                    name=repr(name),
                )
            session.add(
                UserRow(
                    username=name,
                    role=chosen.value,
                    park=park,
                    password_hash=_hasher().hash(password),
                    disabled=False,
                    created_at=datetime.now(UTC),
                )
            )
            audit.record(session, [AuditEntry(audit.USER_ADD, by, new=f"{name} {chosen}")])
        return User(name, chosen, park)

    def list(self) -> list[User]:
        with Session(self.store.engine) as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.username))
            return [_user(row) for row in rows]

    def get(self, name: str) -> User | None:
        with Session(self.store.engine) as session:
            row = session.get(UserRow, name)
            return _user(row) if row is not None else None

    def any(self) -> bool:
        """Whether the store has accounts: then the form asks everyone to sign in."""
        with Session(self.store.engine) as session:
            return session.scalar(select(UserRow.username).limit(1)) is not None

    def set_password(self, name: str, password: str, *, by: str) -> None:
        """A new password (an administrator's reset); the account's sessions end."""
        _check_password(password)
        with Session(self._writer) as session, session.begin():
            row = self._existing(session, name)
            row.password_hash = _hasher().hash(password)
            session.execute(delete(LoginSessionRow).where(LoginSessionRow.username == name))
            audit.record(session, [AuditEntry(audit.USER_PASSWORD, by, new=name)])

    def set_disabled(self, name: str, disabled: bool, *, by: str) -> None:
        """Disable an account (its sessions end at once) or enable it again."""
        with Session(self._writer) as session, session.begin():
            row = self._existing(session, name)
            row.disabled = disabled
            if disabled:
                session.execute(delete(LoginSessionRow).where(LoginSessionRow.username == name))
            action = audit.USER_DISABLE if disabled else audit.USER_ENABLE
            audit.record(session, [AuditEntry(action, by, new=name)])

    def _existing(self, session: Session, name: str) -> UserRow:
        row = session.get(UserRow, name)
        if row is None:
            raise AccountError(
                N_("there is no account %(name)s; see `dtm user list`"), name=repr(name)
            )
        return row

    # Signing in

    def log_in(self, name: str, password: str, address: str | None = None) -> str:
        """A new session token for the account, or LoginRefused / Throttled.

        The failures are counted, the password checked and the outcome logged in one
        transaction that holds the store's log-in lock, so parallel attempts are counted one
        after another and the limits hold however many arrive at once.
        """
        name = name[:64]
        token = secrets.token_urlsafe(32)
        with Session(self._writer) as session, session.begin():
            _lock_log_ins(session)
            now = datetime.now(UTC)
            by_name, by_address = audit.failures(session, name, address, now - WINDOW)
            if by_name >= MAX_FAILURES or by_address >= MAX_FAILURES_PER_ADDRESS:
                raise Throttled(
                    N_("too many failed log-ins: wait %(minutes)s minutes and try again"),
                    minutes=int(WINDOW.total_seconds() // 60),
                )
            row = session.get(UserRow, name)
            stored = row.password_hash if row is not None else _decoy()
            try:
                _hasher().verify(stored, password)
                good = row is not None and not row.disabled
            except (VerificationError, InvalidHashError):
                good = False
            if not good:
                audit.record(session, [AuditEntry(audit.LOGIN_FAILED, name, now, address)])
            else:
                session.add(
                    LoginSessionRow(
                        token_hash=_digest(token),
                        username=name,
                        created_at=now,
                        expires_at=now + timedelta(hours=SESSION_HOURS),
                    )
                )
                session.execute(delete(LoginSessionRow).where(LoginSessionRow.expires_at < now))
                audit.record(session, [AuditEntry(audit.LOGIN, name, now, address)])
        if not good:
            raise LoginRefused(N_("the name or the password is wrong, or the account is disabled"))
        return token

    def user_of(self, token: str | None) -> User | None:
        """The enabled account a session token belongs to, while the session lasts."""
        if not token or len(token) > 100:
            return None
        query = (
            select(UserRow)
            .join(LoginSessionRow, LoginSessionRow.username == UserRow.username)
            .where(
                LoginSessionRow.token_hash == _digest(token),
                LoginSessionRow.expires_at > datetime.now(UTC),
                UserRow.disabled.is_(False),
            )
        )
        with Session(self.store.engine) as session:
            row = session.scalar(query)
            return _user(row) if row is not None else None

    def log_out(self, token: str, user: User, address: str | None = None) -> None:
        with Session(self._writer) as session, session.begin():
            session.execute(
                delete(LoginSessionRow).where(LoginSessionRow.token_hash == _digest(token))
            )
            audit.record(session, [AuditEntry(audit.LOGOUT, user.name, address=address)])

    # Who made which assessment

    def authors(self, credit_code: str) -> set[str]:
        """The accounts that stored an assessment of the firm, in any period."""
        query = select(AuthorRow.username).where(AuthorRow.credit_code == credit_code)
        with Session(self.store.engine) as session:
            return set(session.scalars(query))

    def authored(self, name: str) -> set[tuple[str, str]]:
        """(credit code, period) of every assessment the account stored."""
        query = select(AuthorRow.credit_code, AuthorRow.period).where(AuthorRow.username == name)
        with Session(self.store.engine) as session:
            return {(code, period) for code, period in session.execute(query)}

    def finished(self, user: User | None, credit_code: str, period: str, draft_id: str) -> None:
        """Note who stored an assessment (token mode has no account to note), and log it."""
        name = user.name if user is not None else None
        with Session(self._writer) as session, session.begin():
            if name is not None and session.get(AuthorRow, (credit_code, period, name)) is None:
                session.add(AuthorRow(credit_code=credit_code, period=period, username=name))
            entry = AuditEntry(
                audit.FINISH, name, draft_id=draft_id, credit_code=credit_code, period=period
            )
            audit.record(session, [entry])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            N_("the password needs at least %(count)s characters"), count=MIN_PASSWORD
        )
