"""Every Python snippet in README.md and docs/ runs, so the documentation cannot rot.

A ```python block runs unless the line just before it is `<!-- no-test -->` (for signatures
and for examples too slow for the test suite, such as rendering a whole park). The blocks of one
file run in order in one namespace, in a scratch folder that holds the shipped examples and
questionnaires, so a snippet may read them and write anything beside them. The snippets of
README.md and docs/api.md, and the sample user module examples/library_use.py, also pass
`mypy --strict` and pyright's strict mode as a user's code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
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


# The library as its users type-check it: the README's and docs/api.md's snippets (each page as
# one module, blocks in order) and the sample user module, with no error under `mypy --strict`
# and pyright's strict mode. `mistakes.py` proves that both checkers read the library's types.
TYPED_PAGES = [ROOT / "README.md", ROOT / "docs" / "api.md"]
USER_MODULE = ROOT / "examples" / "library_use.py"
MISTAKES = """\
import assessment

q = assessment.load_questionnaire("park_quick_scan")
q.dimensions.append(q.dimensions[0])  # a tuple: no append
q.scales["extra"] = q.scales["freq_year"]  # a read-only mapping
name: int = assessment.assess("answers.yaml").card.level_name.en  # a str
"""
MISTAKE_LINES = [4, 5, 6]


def _user_code(folder: Path) -> list[str]:
    """The modules a user would write, in `folder`; their file names."""
    names = []
    for page in TYPED_PAGES:
        found = snippets(page)
        assert found, f"{page.name} has no Python snippet"
        parts = [f"# {page.name}:{line}\n{code}" for line, code in found]
        name = f"snippets_{page.stem.lower()}.py"
        (folder / name).write_text("\n".join(parts), encoding="utf-8")
        names.append(name)
    shutil.copy(USER_MODULE, folder / USER_MODULE.name)
    (folder / "mistakes.py").write_text(MISTAKES, encoding="utf-8")
    return [*names, USER_MODULE.name, "mistakes.py"]


def _mypy(folder: Path, files: list[str]) -> tuple[str, list[tuple[str, int]]]:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    found = re.findall(r"^([\w.]+\.py):(\d+): error:", out.stdout, re.MULTILINE)
    return out.stdout + out.stderr, [(f, int(n)) for f, n in found]


def _pyright(folder: Path, files: list[str]) -> tuple[str, list[tuple[str, int]]]:
    (folder / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', "utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # On its first run the wrapper may print how it installed pyright before the report.
    report = json.loads(out.stdout[out.stdout.index("{") :])
    found = [
        (Path(d["file"]).name, d["range"]["start"]["line"] + 1)
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    return out.stdout + out.stderr, found


@pytest.mark.parametrize("checker", [_mypy, _pyright], ids=["mypy", "pyright"])
def test_the_snippets_and_a_user_module_type_check(
    checker: Callable[[Path, list[str]], tuple[str, list[tuple[str, int]]]], tmp_path: Path
) -> None:
    pytest.importorskip(checker.__name__.strip("_"))
    output, errors = checker(tmp_path, _user_code(tmp_path))
    assert [e for e in errors if e[0] != "mistakes.py"] == [], output
    assert sorted({n for f, n in errors if f == "mistakes.py"}) == MISTAKE_LINES, output


def test_the_user_module_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(USER_MODULE), "en"], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert re.search(r"^\d+ firms assessed, 0 failed$", out.stdout, re.MULTILINE), out.stdout
    for caught in ("FileNotFoundError: ", "ValidationFailed: 1 problem", "ValueError: 'fr'"):
        assert caught in out.stdout, out.stdout
