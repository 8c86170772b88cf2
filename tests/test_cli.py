"""The `dtm` command line: exact exit codes, located errors without tracebacks, output that
other tools can read, and files that cannot go stale (schemas, README)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from assessment.cli import app
from assessment.models.schema import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRES = ROOT / "questionnaires"
WriteYaml = Callable[..., Path]


def dtm(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def bad_answers(tmp_path: Path, mini_path: Path, mini_answers_path: Path) -> Path:
    """The mini answers with a choice that does not exist (line 11) and a level out of range
    (line 16), beside a copy of the questionnaire they name by path."""
    shutil.copy(mini_path, tmp_path / "mini.yaml")
    text = mini_answers_path.read_text("utf-8")
    text = text.replace("plan: some", "plan: sum").replace("mes_level: 2", "mes_level: 7")
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_score_prints_the_firm_the_level_and_a_dimension_table(mini_answers_path: Path) -> None:
    result = dtm("score", mini_answers_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["苏州示例精密机械有限公司", "91320500MA1X2Y3C40", "2026Q3"]
    assert lines[1].split()[:3] == ["Level:", "Level", "2"]
    assert "Overall: 55.8" in lines[1]
    table = "\n".join(lines)
    for row in ("Awareness", "Paper dependence", "Infrastructure"):
        assert row in table
    assert re.search(r"Awareness\s+│ 66\.7\s+│ 33\.3\s+│ 100%", table)
    assert "Next level: Level 3" in table
    assert "意识" not in table and "三级" not in table  # one language: the command's
    assert result.stderr == ""
    zh = CliRunner().invoke(app, ["score", str(mini_answers_path)], env={"DTM_LANG": "zh"})
    assert "等级：二级   总分：55.8   覆盖率：100%" in zh.stdout
    assert re.search(r"意识\s+│ 66\.7\s+│ 33\.3\s+│ 100%", zh.stdout)
    assert "下一等级：三级" in zh.stdout and "Awareness" not in zh.stdout


def test_score_json_is_the_full_result(mini_answers_path: Path) -> None:
    result = dtm("score", mini_answers_path, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"overall", "dimensions", "level", "recommendations"} <= set(document)
    assert document["overall"] == pytest.approx(55.8333, abs=1e-3)
    assert [d["id"] for d in document["dimensions"]] == [
        "awareness",
        "paper_ledger",
        "infrastructure",
    ]
    assert document["level"] == {"id": "l2", "name": {"zh": "二级", "en": "Level 2"}, "rank": 2}
    assert document["recommendations"] == []  # no catalogue is shipped for `mini`


def test_score_json_lists_the_recommendations_of_the_shipped_catalogue() -> None:
    sample = sorted((ROOT / "examples" / "sample_park" / "2026Q3").glob("*.yaml"))[0]
    document = json.loads(dtm("score", sample, "--json").stdout)
    recommendations = document["recommendations"]
    assert recommendations, "a sample firm gets scenarios"
    assert [r["rank"] for r in recommendations] == list(range(1, len(recommendations) + 1))
    assert {"scenario", "priority", "slot", "triggered_by"} <= set(recommendations[0])


def test_score_a_bad_file_lists_located_lines_and_exits_2(bad_answers: Path) -> None:
    result = dtm("score", bad_answers)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(" ")[:2] for line in lines] == [
        [f"{bad_answers}:11:3:", "ANS004"],
        [f"{bad_answers}:16:3:", "ANS003"],
        [f"{bad_answers}:17:3:", "ANS005"],  # mes_users is asked only when mes_level >= 2
    ]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an escaped error


def test_debug_lets_the_error_and_its_traceback_through(bad_answers: Path) -> None:
    quiet = dtm("score", bad_answers)
    assert isinstance(quiet.exception, SystemExit)
    loud = dtm("--debug", "score", bad_answers)
    assert loud.exit_code == 1
    assert type(loud.exception).__name__ == "ValidationFailed"
    assert loud.exc_info is not None and loud.exc_info[2] is not None


def test_debug_prints_a_traceback_from_the_real_command(bad_answers: Path) -> None:
    run = [sys.executable, "-m", "assessment"]
    quiet = subprocess.run([*run, "score", str(bad_answers)], capture_output=True, text=True)
    loud = subprocess.run(
        [*run, "--debug", "score", str(bad_answers)], capture_output=True, text=True
    )
    assert (quiet.returncode, "Traceback" in quiet.stderr) == (2, False)
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert "ValidationFailed" in loud.stderr


def test_score_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = dtm("score", tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "nowhere.yaml" in result.stderr


def _codes(stderr: str) -> set[str]:
    return {line.split(" ")[1] for line in stderr.splitlines()}


def test_a_blank_answer_file_is_yaml_missing_only_the_firm_and_the_answers(tmp_path: Path) -> None:
    result = dtm("blank", "park_quick_scan")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["questionnaire"] == {"id": "park_quick_scan", "version": "1.0.0"}
    assert set(data) == {"questionnaire", "firm", "period", "assessor", "assessed_on", "answers"}

    empty = tmp_path / "blank.yaml"
    empty.write_text(result.stdout, encoding="utf-8")
    checked = dtm("validate", empty)
    assert checked.exit_code == 2
    assert checked.exception is None or isinstance(checked.exception, SystemExit)
    # The header's problems and the unanswered questions, in one run.
    assert _codes(checked.stderr) <= {"FIRM001", "FIRM002", "SCHEMA002", "ANS006"}
    assert "ANS006" in _codes(checked.stderr)
    fields = re.findall(r"SCHEMA002 (\S+):", checked.stderr)
    assert set(fields) <= {"firm.name", "firm.industry", "assessor", "assessed_on"}

    filled = tmp_path / "filled.yaml"
    text = result.stdout
    for key, value in {
        "  name": "测试企业",
        "  credit_code": "91320594MA1ABCDE19",
        "  industry": "machinery",
        "period": "2026Q3",
        "assessor": "王工",
        "assessed_on": "2026-09-15",
    }.items():
        text = re.sub(rf'^{key}: ""', f"{key}: {value}", text, count=1, flags=re.M)
    filled.write_text(text, encoding="utf-8")
    checked = dtm("validate", filled)
    assert (checked.exit_code, _codes(checked.stderr)) == (2, {"ANS006"})


def test_blank_does_not_overwrite_a_file(tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    first = dtm("blank", "park_quick_scan", "--out", out)
    assert (first.exit_code, first.stdout) == (0, f"wrote {out}\n")
    out.write_text("keep me\n", encoding="utf-8")
    again = dtm("blank", "park_quick_scan", "--out", out)
    assert again.exit_code == 2
    assert again.stderr.startswith("Error: ") and len(again.stderr.splitlines()) == 1
    assert out.read_text("utf-8") == "keep me\n"


def test_schema_prints_json_of_the_three_formats_and_the_result() -> None:
    result = dtm("schema")
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) == {"questionnaire", "catalogue", "answers", "result"}
    unknown = dtm("schema", "everything")
    assert (unknown.exit_code, len(unknown.stderr.splitlines())) == (2, 1)


def test_the_committed_schemas_are_what_dtm_schema_prints() -> None:
    committed = sorted(p.name for p in (QUESTIONNAIRES / "schema").glob("*.schema.json"))
    assert committed == sorted(f"{kind}.schema.json" for kind in SCHEMAS)
    for kind in SCHEMAS:
        printed = dtm("schema", kind).stdout
        assert (QUESTIONNAIRES / "schema" / f"{kind}.schema.json").read_text("utf-8") == printed, (
            f"questionnaires/schema/{kind}.schema.json is stale: run `make schema`"
        )


@pytest.mark.parametrize("path", sorted(QUESTIONNAIRES.glob("*.yaml")), ids=lambda p: p.name)
def test_each_shipped_file_names_its_schema_for_editors(path: Path) -> None:
    first = path.read_text("utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path.name} starts with {first!r}"
    assert (path.parent / match.group(1)).is_file()


def test_python_m_assessment_is_dtm() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "assessment", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert "validate" in run.stdout and "score" in run.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"validate", "score", "report", "batch", "demo", "schema", "blank"} <= set(commands)
    undocumented = [c for c in commands if f"`dtm {c}" not in readme]
    assert undocumented == []


@pytest.mark.parametrize(
    "args",
    [["nosuch"], ["score"], ["blank"], ["score", "a.yaml", "--nosuch"]],
    ids=["unknown command", "missing argument", "missing questionnaire", "unknown option"],
)
def test_usage_mistakes_exit_2(args: list[str]) -> None:
    result = dtm(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_report_in_an_unknown_language_is_one_line(mini_answers_path: Path, tmp_path: Path) -> None:
    result = dtm("report", mini_answers_path, "--out", tmp_path / "out", "--lang", "fr")
    assert result.exit_code == 2
    assert result.stderr == "Error: --lang must be zh or en, not 'fr'\n"
    assert not (tmp_path / "out").exists()


def test_the_help_says_where_the_default_store_is() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "$DTM_DB, else dtm.db in the working folder" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["lsit"],
            "Error: dtm: no such command 'lsit' (did you mean 'list'? dtm --help lists them)",
        ),
        (["--debug", "scroe"], "Error: dtm: no such command 'scroe' (did you mean 'score'? "),
        (["user", "ad"], "Error: dtm user: no such command 'ad' (did you mean 'add'? "),
        (["xyzzy"], "Error: dtm: no such command 'xyzzy' (dtm --help lists them)"),
    ],
)
def test_a_mistyped_command_is_one_line_with_its_did_you_mean(args: list[str], line: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "assessment", *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith(line)


def test_dtm_score_prints_the_plan_that_fits_the_firm() -> None:
    from assessment.cli import app as dtm
    from assessment.resources import sample_park_dir

    path = sample_park_dir() / "2026Q3" / "91320594MA1A3K7R2A.yaml"
    result = CliRunner().invoke(dtm, ["score", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Budget: CNY 73,500 a year (from the answers); 1 project(s) at once" in result.output
    assert (
        "year 1: Digital roadmap and subsidy application service, Digital talent programme, "
        "Cloud ERP in place of hand-kept books; cost to the firm CNY 0–50,000"
    ) in result.output
    assert "year 2 (within the budget, others first)" in result.output


@pytest.mark.parametrize(
    ("lang", "period", "code", "says"),
    [
        (
            "en",
            "2026Q3",
            "91320594MA1B8N2P54",
            "not planned (needs Cloud ERP in place of hand-kept books, Workshop network coverage "
            "first)",
        ),
        (
            "zh",
            "2026Q3",
            "91320594MA1B8N2P54",
            "暂不安排（需先完成 云 ERP 替代手工账、车间网络覆盖改造）",
        ),
        (
            "en",
            "2026Q2",
            "91320594MA1G5J8Y2W",
            "year 3 (needs Cloud ERP in place of hand-kept books first)",
        ),
        ("zh", "2026Q2", "91320594MA1G5J8Y2W", "第 3 年（需先完成 云 ERP 替代手工账）"),
    ],
)
def test_dtm_score_names_the_scenarios_a_waiting_one_needs_first(
    lang: str, period: str, code: str, says: str
) -> None:
    """As the reports do (需先完成 X), not "needs another scenario first"."""
    from assessment.cli import app as dtm
    from assessment.resources import sample_park_dir

    path = sample_park_dir() / period / f"{code}.yaml"
    result = CliRunner().invoke(dtm, ["score", str(path)], env={"COLUMNS": "300", "DTM_LANG": lang})
    assert result.exit_code == 0, result.output
    assert says in result.output
    assert "another scenario" not in result.output
    assert "其他场景" not in result.output
