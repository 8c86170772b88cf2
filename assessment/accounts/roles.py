"""The three roles and what each may see and change."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What an account may do (see docs/serve.md, "Accounts")."""

    # Starts assessments, and sees and edits only the drafts and assessments it made.
    CONSULTANT = "consultant"
    # Reads its own park's firms, their reports and the park report; changes nothing.
    PARK = "park"
    # Everything, including the audit log (which no one can change).
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """A signed-in account."""

    name: str
    role: Role
    park: str | None = None
    disabled: bool = False

    @property
    def fills_forms(self) -> bool:
        return self.role in (Role.CONSULTANT, Role.ADMIN)

    def may_edit(self, owner: str | None) -> bool:
        """Whether this account may see and change a draft started by `owner`."""
        return self.role == Role.ADMIN or (self.role == Role.CONSULTANT and owner == self.name)

    def may_read(self, park: str | None, authors: set[str]) -> bool:
        """Whether this account may read a firm's assessments: its park's, or its own."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.PARK:
            return park is not None and park == self.park
        return self.name in authors
