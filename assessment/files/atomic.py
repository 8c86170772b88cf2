"""Writes files so that a reader never sees half of one, and names them safely."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..errors import N_, UsageError

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_stem(*parts: str) -> str:
    """A file name stem made only of letters, digits, '-' and '_' from trusted parts."""
    stem = "-".join(_UNSAFE.sub("_", p).strip("_.") for p in parts if p)
    if not stem:
        raise UsageError("cannot make a file name from empty parts")
    return stem[:120]


# Company-form endings a firm's short name leaves off, longest first.
_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "Co., Ltd.",
    "Co.,Ltd.",
    "Co. Ltd.",
    "Ltd.",
    "Ltd",
)
_NAME_UNSAFE = re.compile(r"[^\w-]+")


def short_name(name: str, limit: int = 16) -> str:
    """A firm's name fit for a file name: no company-form ending, letters (any script), digits,
    '-' and '_' only, at most `limit` characters; '' when nothing usable is left."""
    text = name.strip()
    for form in _FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    return _NAME_UNSAFE.sub("_", text).strip("_")[:limit].strip("_")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_parent(path: Path) -> None:
    """The folder `path` is to be written in, made if missing; a clear error if it cannot be,
    which callers can meet before the work of making what goes there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot write here (%(reason)s); choose another folder"),
            path=path,
            reason=exc.strerror,
        ) from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place.

    The file gets the usual permissions (0666 less the umask, so readable by the group and others
    under the common umask 022), not the owner-only mode of a temporary file."""
    make_parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot write here (%(reason)s); choose another folder"),
            path=path,
            reason=exc.strerror,
        ) from exc
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writable_folder(folder: Path) -> Path:
    """`folder`, created if needed; a clear error now if nothing can be written there."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(N_("%(path)s: is a file, not a folder; choose another --out"), path=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".dtm-write-check.", dir=folder)
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot write here (%(reason)s); choose another --out"),
            path=folder,
            reason=exc.strerror,
        ) from exc
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return folder


def write_new(path: Path, data: bytes) -> None:
    """Like write_atomic, but never replaces a file that is already there."""
    if path.exists():
        raise UsageError(
            N_("%(path)s already exists; choose another name or remove it first"), path=path
        )
    write_atomic(path, data)
