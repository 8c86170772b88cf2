"""Evidence files (photos, PDFs) attached to answers: checked by their bytes, named by sha256.

An answer names an attached file as `evidence/<sha256>.<ext>`, a path relative to the answer
file; the reports find the file there and embed it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
FOLDER = "evidence"
_ENTRY = re.compile(r"^evidence/([0-9a-f]{64})\.(jpg|png|webp|pdf)$")
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


class EvidenceError(ValueError):
    """An uploaded file that cannot be kept as evidence."""


def sniff(content: bytes) -> str | None:
    """The extension the bytes really are (JPEG, PNG, WebP or PDF), or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    if content.startswith(b"%PDF-"):
        return "pdf"
    return None


@dataclass(frozen=True)
class EvidenceFile:
    sha256: str
    ext: str
    content: bytes

    @property
    def entry(self) -> str:
        """How an answer names the file."""
        return f"{FOLDER}/{self.sha256}.{self.ext}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.ext]

    @property
    def is_image(self) -> bool:
        return self.ext != "pdf"

    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode('ascii')}"


def accept(content: bytes) -> EvidenceFile:
    """Check an upload; raise EvidenceError saying why it is refused."""
    if len(content) > MAX_BYTES:
        raise EvidenceError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not content:
        raise EvidenceError("the file is empty")
    ext = sniff(content)
    if ext is None:
        raise EvidenceError("only JPEG, PNG or WebP photos and PDF files can be attached")
    return EvidenceFile(hashlib.sha256(content).hexdigest(), ext, content)


def parse_entry(entry: str) -> tuple[str, str] | None:
    """(sha256, ext) when `entry` names an attached file, None for any other evidence text."""
    match = _ENTRY.match(entry)
    return (match.group(1), match.group(2)) if match else None


def read_beside(answer_file: Path, entry: str) -> EvidenceFile | None:
    """The attached file an entry names, read from beside the answer file, if it is intact."""
    parsed = parse_entry(entry)
    if parsed is None:
        return None
    path = answer_file.parent / FOLDER / f"{parsed[0]}.{parsed[1]}"
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        return None
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != parsed[0] or sniff(content) != parsed[1]:
        return None
    return EvidenceFile(parsed[0], parsed[1], content)
