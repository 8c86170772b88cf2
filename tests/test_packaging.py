"""The wheel carries what an installed dtm needs without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
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
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "name",
    [
        "assessment/cli.py",
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
