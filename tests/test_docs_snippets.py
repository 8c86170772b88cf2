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
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip().splitlines()
        if before and before[-1].strip() == SKIP:
            continue
        found.append((text.count("\n", 0, match.start()) + 2, match.group(1)))
    return found


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_collector_skips_marked_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 1\n```\n\n<!-- no-test -->\n```python\nboom(\n```\n", "utf-8"
    )
    assert snippets(page) == [(4, "x = 1\n")]


@pytest.mark.parametrize("page", [p for p in DOCS if snippets(p)], ids=lambda p: p.name)
def test_every_snippet_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("examples", "questionnaires"):
        os.symlink(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__snippet__"}
    for line, code in snippets(page):
        try:
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{page.relative_to(ROOT)}:{line}: the snippet fails: {exc!r}")
