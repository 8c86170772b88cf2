"""Accounts of a shared `dtm serve`: users with roles, log-in sessions and the audit log.

from assessment.accounts import Accounts, Role
with Store.open("postgresql+psycopg://dtm@db/district") as store:
    Accounts(store).add("wang", Role.CONSULTANT, password="a long passphrase")
"""

from .audit import AuditEntry, AuditLog, answer_changes
from .roles import Role, User
from .users import AccountError, Accounts, LoginRefused, Throttled

__all__ = [
    "AccountError",
    "Accounts",
    "AuditEntry",
    "AuditLog",
    "LoginRefused",
    "Role",
    "Throttled",
    "User",
    "answer_changes",
]
