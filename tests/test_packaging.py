"""The wheel carries what an installed dtm needs without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "name",
    [
        "assessment/cli/__init__.py",
        "assessment/engine/service_kinds.yaml",
        "assessment/py.typed",
        "assessment/_shipped/questionnaires/schema/result.schema.json",
        "assessment/_shipped/questionnaires/park_quick_scan.yaml",
        "assessment/_shipped/questionnaires/park_quick_scan_scenarios.yaml",
        "assessment/_shipped/questionnaires/miit_2024_manufacturing.yaml",
        "assessment/_shipped/questionnaires/schema/questionnaire.schema.json",
        "assessment/_shipped/report_templates/diagnosis.html",
        "assessment/_shipped/report_templates/report.css",
        "assessment/_shipped/report_templates/locale/zh/LC_MESSAGES/messages.po",
        "assessment/_shipped/sample_park/firms.csv",
        "assessment/serve/templates/_sheet.html",
        "assessment/serve/templates/_question.html",
        "assessment/serve/static/htmx.min.js",
        "assessment/serve/static/outbox.js",
        "assessment/serve/templates/_messages.html",
        "assessment/serve/static/htmx-LICENSE.txt",
        "assessment/serve/static/serve.css",
    ],
)
def test_the_wheel_carries_the_shipped_files(wheel_names: set[str], name: str) -> None:
    assert name in wheel_names


def test_every_sample_answer_file_is_in_the_wheel(wheel_names: set[str]) -> None:
    for path in (ROOT / "examples" / "sample_park").rglob("*.yaml"):
        relative = path.relative_to(ROOT / "examples" / "sample_park").as_posix()
        assert f"assessment/_shipped/sample_park/{relative}" in wheel_names


def test_the_console_script_is_declared(wheel_names: set[str]) -> None:
    assert any(n.endswith("entry_points.txt") for n in wheel_names)


USER_SCRIPT = """\
import assessment

result = assessment.assess("answers.yaml")
name: str = result.card.level_name.en
rows = [r.to_row(lang="en") for r in [result.card]]
frame = result.recommendations.to_dataframe(lang="en")
wrong: int = result.card.level_name.en
"""


def test_a_users_mypy_sees_the_types_of_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    """Installed from the wheel alone (py.typed), the API is typed: mypy finds the one error."""
    pytest.importorskip("mypy")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    # The dependencies (pydantic, …) come from this environment, after the wheel on the path.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "zz_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    user = tmp_path / "user"
    user.mkdir()
    (user / "script.py").write_text(USER_SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "script.py",
            "--python-executable",
            str(python),
        ],
        cwd=user,
        capture_output=True,
        text=True,
    )
    assert "script.py:7: error: Incompatible types in assignment" in out.stdout, out.stdout
    assert "Found 1 error" in out.stdout, out.stdout
