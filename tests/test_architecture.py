"""The house's shape: the import contracts in pyproject.toml hold and bite; no import cycle.

docs/architecture.md describes the stages; these tests keep it true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = [
    "models",
    "files",
    "engine",
    "collect",
    "store",
    "park",
    "accounts",
    "report",
    "batch",
    "queue",
    "serve",
    "cli",
]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the package under `root`, with the contracts of `root/pyproject.toml`."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_contracts_hold() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 kept, 0 broken" in run.stdout


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("house")
    shutil.copytree(
        ROOT / "assessment", root / "assessment", ignore=shutil.ignore_patterns("*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


# An import that breaks the house, where it is added, and the contract that must catch it.
BREAKS = [
    ("models/results.py", "from ..report import notebook", "Models import nothing of dtm above"),
    ("models/results.py", "from ..report import notebook", "The stages import only downward"),
    ("engine/pipeline.py", "from ..park import peers", "The engine is pure"),
    ("engine/scoring.py", "from ..collect import table", "The engine is pure"),
    ("collect/importer.py", "from ..store import Store", "The stages import only downward"),
    ("store/api.py", "from ..cli import common", "The stages import only downward"),
    ("park/trends.py", "from ..accounts import audit", "The stages import only downward"),
    ("report/render.py", "import rich", "Only the command line draws on the terminal"),
    ("serve/app.py", "from ..queue import status", "The web form and the queue do not know"),
]


@pytest.mark.parametrize(("module", "line", "contract"), BREAKS)
def test_a_wrong_import_breaks_its_contract(
    package_copy: Path, module: str, line: str, contract: str
) -> None:
    path = package_copy / "assessment" / module
    original = path.read_text("utf-8")
    try:
        path.write_text(original + f"\n{line}  # noqa\n", "utf-8")
        run = lint_imports(package_copy)
    finally:
        path.write_text(original, "utf-8")
    assert run.returncode == 1, run.stdout + run.stderr
    broken = [ln for ln in run.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(ln.startswith(contract) for ln in broken), run.stdout


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"]}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}) == []


def test_no_module_takes_part_in_an_import_cycle() -> None:
    built = grimp.build_graph("assessment", cache_dir=None)
    graph = {
        m: sorted(built.find_modules_directly_imported_by(m) - {"assessment"})
        for m in built.modules
    }
    assert cycles(graph) == []


def test_the_tree_names_the_stages() -> None:
    package = ROOT / "assessment"
    for stage in STAGES:
        init = package / stage / "__init__.py"
        assert init.is_file(), stage
        assert init.read_text("utf-8").startswith('"""'), f"{stage} says what it is for"
    flat = sorted(p.name for p in package.glob("*.py"))
    assert flat == [
        "__init__.py",
        "__main__.py",
        "_version.py",
        "display.py",
        "errors.py",
        "export.py",
        "resources.py",
    ]


def test_architecture_doc_names_every_stage() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    for stage in STAGES:
        assert f"`{stage}`" in text or f"`assessment.{stage}`" in text, stage
