"""The API reference builds from the docstrings without a warning, and covers the public API."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import assessment

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_reference_builds_cleanly(tmp_path: Path) -> None:
    pytest.importorskip("pdoc")
    spec = importlib.util.spec_from_file_location("apidocs", ROOT / "docs" / "apidocs.py")
    assert spec is not None and spec.loader is not None
    apidocs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(apidocs)
    assert apidocs.build(tmp_path) == []
    page = (tmp_path / "assessment.html").read_text(encoding="utf-8")
    missing = [n for n in assessment.__all__ if n != "__version__" and f'id="{n}"' not in page]
    assert not missing, f"not in the API reference: {missing}"


def test_the_api_reference_is_the_same_bytes_twice_and_shows_no_internals(tmp_path: Path) -> None:
    pytest.importorskip("pdoc")
    spec = importlib.util.spec_from_file_location("apidocs", ROOT / "docs" / "apidocs.py")
    assert spec is not None and spec.loader is not None
    apidocs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(apidocs)
    first, second = tmp_path / "first", tmp_path / "second"
    assert apidocs.build(first) == [] and apidocs.build(second) == []
    pages = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert pages == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for page in pages:
        text = (first / page).read_bytes()
        assert text == (second / page).read_bytes(), page
        for internal in (b"PydanticUndefined", b" at 0x", b"_Text"):
            assert internal not in text, (page, internal)
