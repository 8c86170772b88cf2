"""Where the shipped questionnaires, catalogues, templates and sample park live."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent


def shipped(name: str) -> Path:
    """A shipped folder: inside the installed wheel, or at the top of a source checkout."""
    mapping = {"sample_park": "examples/sample_park"}
    inside = _PACKAGE / "_shipped" / name
    if inside.is_dir():
        return inside
    return _SOURCE_TREE / mapping.get(name, name)


def questionnaires_dir() -> Path:
    return shipped("questionnaires")


def templates_dir() -> Path:
    return shipped("report_templates")


def sample_park_dir() -> Path:
    return shipped("sample_park")


def shipped_file(file_id: str) -> Path | None:
    """The shipped questionnaire or catalogue whose id is `file_id` (files are named by id)."""
    candidate = questionnaires_dir() / f"{file_id}.yaml"
    return candidate if candidate.is_file() else None


def shipped_ids() -> list[str]:
    folder = questionnaires_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
