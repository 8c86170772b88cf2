"""What can go wrong when opening or writing the assessment store."""

from __future__ import annotations

from ..errors import DtmError


class StoreError(DtmError):
    """The store cannot be opened or used: a bad URL, a file that is not a database, a lock."""


class NewerStoreError(StoreError):
    """The store was made by a newer release of dtm, whose schema this one does not know."""

    def __init__(self, *, where: str, found: int, known: int) -> None:
        self.where = where
        self.found = found
        self.known = known
        super().__init__(
            f"{where}: this store was made by a newer dtm (schema {found}; this dtm knows up to "
            f"schema {known}); upgrade dtm to open it"
        )


class NoStoreError(StoreError):
    """A reading command was pointed at a store that does not exist; none is made for it."""
