"""Backing up a SQLite store to one file, and restoring it, with SQLite's online backup API.

The copy is taken while the store is in use (a consistent snapshot, as of one transaction), and
holds everything: firms, assessments, their revisions, drafts and evidence files. A PostgreSQL
store is backed up with pg_dump instead (docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from ..errors import N_, Message, UsageError
from ..models.common import StrPath
from .engine import resolve_url
from .integrity import damaged_rows
from .migrations import SCHEMA_VERSION

_COUNTED = (
    "assessments",
    "assessment_revisions",
    "evidence",
    "drafts",
    "users",
    "audit_log",
)


@dataclass(frozen=True)
class BackupSummary:
    """What a backup file holds."""

    path: Path
    schema: int
    assessments: int
    revisions: int
    evidence: int
    drafts: int
    accounts: int
    audit_lines: int
    size: int

    def __str__(self) -> str:
        return str(self.as_text())

    def as_text(self) -> Message:
        """What the file holds, marked for the CLI to show in its language."""
        return N_(
            "%(path)s: %(assessments)s assessments, %(revisions)s superseded revisions, "
            "%(evidence)s evidence files, %(drafts)s drafts, %(accounts)s accounts, "
            "%(audit_lines)s audit lines (schema %(schema)s, %(size)s bytes)",
            path=str(self.path),
            assessments=self.assessments,
            revisions=self.revisions,
            evidence=self.evidence,
            drafts=self.drafts,
            accounts=self.accounts,
            audit_lines=self.audit_lines,
            schema=self.schema,
            size=f"{self.size:,}",
        )


def sqlite_file(url: StrPath | None) -> Path:
    """The SQLite file of a store URL; a usage error naming pg_dump for any other database."""
    resolved = make_url(resolve_url(url))
    if not resolved.drivername.startswith("sqlite") or resolved.database in (None, "", ":memory:"):
        shown = resolved.render_as_string(hide_password=True)
        raise UsageError(
            N_(
                "%(store)s: dtm backup and restore copy SQLite stores; back up PostgreSQL with "
                "pg_dump -Fc and restore with pg_restore (docs/deploy.md, Backups)"
            ),
            store=shown,
        )
    return Path(str(resolved.database))


def backup(url: StrPath | None, dest: StrPath, *, force: bool = False) -> BackupSummary:
    """Copy the SQLite store at `url` into `dest`, whole or not at all, and check the copy."""
    source, target = sqlite_file(url), Path(dest)
    if not source.is_file():
        raise UsageError(N_("%(path)s: no store here to back up (--db names it)"), path=source)
    if target.exists() and not force:
        raise UsageError(
            N_("%(path)s already exists; choose another name, or --force to replace it"),
            path=target,
        )
    if target.resolve() == source.resolve():
        raise UsageError(
            N_("%(path)s: is the store itself; choose another file for the backup"), path=target
        )
    tmp = _copy(source, target.parent, f".{target.name}.")
    try:
        summary = inspect_backup(tmp, rows=False)  # a store with a damaged row is copied as it is
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupSummary(target, *_fields(summary))


def restore(
    backup_file: StrPath, url: StrPath | None, *, force: bool = False
) -> tuple[BackupSummary, Path | None]:
    """Replace the SQLite store at `url` with a backup; returns what it holds and where the
    store it replaced was kept (None when there was none or it was empty).

    A store holding anything (assessments, drafts, evidence, accounts or audit lines) is
    replaced only with `force`; it is first copied aside, and that copy is kept.
    """
    from .api import Store

    source, target = Path(backup_file), sqlite_file(url)
    if not source.is_file():
        raise UsageError(N_("%(path)s: no such backup file"), path=source)
    summary = inspect_backup(source)
    kept = None
    if target.exists():
        try:
            held = _counts(target)
        except sqlite3.DatabaseError as exc:
            raise UsageError(
                N_("%(path)s: is not a SQLite store; move it away, then restore"), path=target
            ) from exc
        if any(held.values()) and not force:
            raise UsageError(
                N_(
                    "%(path)s: the store holds %(assessments)s assessments, %(accounts)s "
                    "accounts and %(audit_lines)s audit lines; restoring would replace them: "
                    "add --force (the current store is kept beside it)"
                ),
                path=target,
                assessments=held["assessments"],
                accounts=held["users"],
                audit_lines=held["audit_log"],
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = _copy(target, target.parent, f"{target.stem}.before-restore-{stamp}.")
        kept = kept.rename(kept.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}"))
        if not any(held.values()):
            kept.unlink()
            kept = None
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)  # page by page under SQLite's own locks, in place of the old content
    Store.open(target).close()  # an older backup is brought up to this dtm's schema
    return summary, kept


def inspect_backup(path: Path, *, rows: bool = True) -> BackupSummary:
    """Check that `path` is a whole dtm store this release can open, and count what it holds.

    With `rows`, every row with a content hash must still match it, and the audit log's chain
    must hold: a backup edited after it was taken is refused.
    """
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise UsageError(
            N_("%(path)s: not a dtm store backup; name a file that dtm backup wrote"), path=path
        ) from exc
    if not ok or ok[0] != "ok":
        raise UsageError(
            N_("%(path)s: the backup is damaged (%(reason)s); restore an earlier backup"),
            path=path,
            reason=ok[0] if ok else "—",
        )
    if version is None or version > SCHEMA_VERSION:
        raise UsageError(
            N_("%(path)s: made by a newer dtm (schema %(schema)s); upgrade dtm to restore it"),
            path=path,
            schema=version,
        )
    damaged = _damaged_rows(path) if rows else []
    if damaged:
        values = {"path": path, "row": damaged[0], "more": len(damaged) - 1}
        if len(damaged) > 1:
            raise UsageError(
                N_(
                    "%(path)s: the backup's rows do not match their hashes: %(row)s (and "
                    "%(more)s more); nothing was restored: restore an earlier backup"
                ),
                **values,
            )
        raise UsageError(
            N_(
                "%(path)s: the backup's rows do not match their hashes: %(row)s; nothing was "
                "restored: restore an earlier backup"
            ),
            **values,
        )
    counts = _counts(path)
    return BackupSummary(
        path,
        int(version),
        counts["assessments"],
        counts["assessment_revisions"],
        counts["evidence"],
        counts["drafts"],
        counts["users"],
        counts["audit_log"],
        path.stat().st_size,
    )


def _damaged_rows(path: Path) -> list[str]:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            return damaged_rows(conn)
    finally:
        engine.dispose()


def _fields(s: BackupSummary) -> tuple[int, int, int, int, int, int, int, int]:
    return (
        s.schema,
        s.assessments,
        s.revisions,
        s.evidence,
        s.drafts,
        s.accounts,
        s.audit_lines,
        s.size,
    )


def _counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if table in names
            else 0
            for table in _COUNTED
        }


def _copy(source: Path, folder: Path, prefix: str) -> Path:
    """A consistent copy of a live SQLite file, flushed to disk, as a new file in `folder`."""
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=folder)
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot write here (%(reason)s)"), path=folder, reason=exc.strerror
        ) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
    except sqlite3.DatabaseError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(
            N_("%(path)s: cannot be copied (%(reason)s)"), path=source, reason=str(exc)
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
