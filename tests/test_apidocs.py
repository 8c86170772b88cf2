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
