"""The park's firm register in the store: the one a batch last read for each period."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from .api import Store
from .schema import FirmRegisterRow


def save_register(
    store: Store,
    period: str,
    firms: Sequence[Mapping[str, Any]],
    *,
    source: str,
    imported_at: datetime | None = None,
) -> None:
    """Keep `firms` (plain rows) as the period's register, replacing one read before."""
    row = FirmRegisterRow(
        period=period,
        source=source,
        firms=json.dumps(list(map(dict, firms)), ensure_ascii=False),
        imported_at=imported_at or datetime.now(UTC),
    )
    with store._write() as session:
        session.merge(row)


def stored_register(store: Store, period: str) -> tuple[str, list[dict[str, Any]]] | None:
    """The register stored for `period`, else the latest one stored before it: its source and
    rows. None when no register was ever stored up to that period."""
    with store._read() as session:
        row = session.scalars(
            select(FirmRegisterRow)
            .where(FirmRegisterRow.period <= period)
            .order_by(FirmRegisterRow.period.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return row.source, list(json.loads(row.firms))
