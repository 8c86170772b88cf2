"""Every Python snippet in README.md and docs/ runs, so the documentation cannot rot.

A ```python block runs unless the line just before it is `<!-- no-test -->` (for signatures
and for examples too slow for the test suite, such as rendering a whole park). The blocks of one
file run in order in one namespace, in a scratch folder that holds the shipped examples and
questionnaires, so a snippet may read them and write anything beside them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
SKIP = "<!-- no-test -->"


def snippets(path: Path) -> list[tuple[int, str]]:
    """(line, code) of every block of `path` that is to run."""
    return blocks(path.read_text(encoding="utf-8"))


def blocks(text: str) -> list[tuple[int, str]]:
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip().splitlines()
        if before and before[-1].strip() == SKIP:
            continue
        found.append((text.count("\n", 0, match.start()) + 2, match.group(1)))
    return found


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_package_docstring_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assessment

    assert assessment.__doc__ is not None
    found = blocks(assessment.__doc__)
    assert len(found) == 3
    _run_in(tmp_path, monkeypatch, "assessment/__init__.py", found)


def _run_in(
    folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, found: list[tuple[int, str]]
) -> None:
    for shipped in ("examples", "questionnaires"):
        os.symlink(ROOT / shipped, folder / shipped)
    monkeypatch.chdir(folder)
    namespace: dict[str, object] = {"__name__": "__snippet__"}
    for line, code in found:
        try:
            exec(compile(code, f"{name}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{name}:{line}: the snippet fails: {exc!r}")


def test_the_collector_skips_marked_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 1\n```\n\n<!-- no-test -->\n```python\nboom(\n```\n", "utf-8"
    )
    assert snippets(page) == [(4, "x = 1\n")]


@pytest.mark.parametrize("page", [p for p in DOCS if snippets(p)], ids=lambda p: p.name)
def test_every_snippet_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run_in(tmp_path, monkeypatch, str(page.relative_to(ROOT)), snippets(page))
