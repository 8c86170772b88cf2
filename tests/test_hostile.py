"""Careless and hostile files: every one gets located problems, never an exception or a hang."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import assessment
from assessment.cli import app
from assessment.errors import printable
from tests.conftest import DATA_DIR

MINI = (DATA_DIR / "mini.yaml").read_text(encoding="utf-8")
ANSWERS = (DATA_DIR / "mini_answers.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def write(folder: Path, text: str, name: str = "answers.yaml") -> Path:
    (folder / "mini.yaml").write_text(MINI, encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def answers_with(old: str, new: str) -> str:
    assert old in ANSWERS, old
    return ANSWERS.replace(old, new)


def codes(path: Path) -> list[str]:
    return [f"{p.location.line}:{p.code}" for p in assessment.check_file(path).problems.problems]


HOSTILE_FIGURES = [
    ".nan",
    ".inf",
    "-.inf",
    "1e999",
    "1" + "0" * 400,
    "0x28",
    "0o17",
    "true",
    "1e13",
    "'４０ 台 x'",
]


@pytest.mark.parametrize("figure", HOSTILE_FIGURES)
def test_a_figure_that_is_no_figure_is_refused_at_its_line(tmp_path: Path, figure: str) -> None:
    path = write(tmp_path, answers_with("total_devices: 40", f"total_devices: {figure}"))
    assert codes(path) == ["14:ANS002"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        pytest.param("weight: 2\n    interpretation", ".nan", "finite number", id="nan-weight"),
        pytest.param("weight: 2\n    interpretation", "1e999", "finite number", id="inf-weight"),
        pytest.param("weight: 2\n    interpretation", "true", "number is needed", id="bool-weight"),
        pytest.param("weight: 2\n    interpretation", "0x10", "number is needed", id="hex-weight"),
        pytest.param("weight: 2\n    interpretation", "1e13", "largest figure", id="huge-weight"),
        pytest.param("points: 1}", "points: .inf}", "finite number", id="inf-points"),
        pytest.param("max: 50, points: 3}", "max: 1e400, points: 3}", "finite", id="band-edge"),
        pytest.param("[50, 1]]", "[.nan, 1]]", "finite number", id="map-point"),
    ],
)
def test_numbers_in_a_questionnaire_must_be_plain_figures(
    tmp_path: Path, field: str, value: str, says: str
) -> None:
    replacement = value if not field.startswith("weight") else field.replace("2", value, 1)
    text = MINI.replace(field, replacement, 1)
    assert text != MINI
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    problems = assessment.check_file(path).problems.problems
    assert problems
    assert all(p.code == "SCHEMA002" and p.location.line > 0 for p in problems)
    assert any(says in str(p) for p in problems), problems


@pytest.mark.parametrize("literal", ["1e999", "1e13"])
def test_a_condition_may_not_hold_an_overflowing_number(tmp_path: Path, literal: str) -> None:
    text = MINI.replace('when: "mes_level >= 2"', f'when: "mes_level >= {literal}"')
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    assert [p.code for p in assessment.check_file(path).problems.problems] == ["EXPR002"]


def test_a_count_is_whole_where_the_questionnaire_says_so(tmp_path: Path) -> None:
    text = MINI.replace(
        "          - id: total_devices\n            type: number\n",
        "          - id: total_devices\n            type: number\n            integer: true\n",
    )
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text(answers_with("total_devices: 40", "total_devices: 40.5"), encoding="utf-8")
    problems = assessment.check_file(path).problems.problems
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "ANS002 'total_devices' counts whole items, not 40.5 (write a whole number)"
    ]
    path.write_text(answers_with("total_devices: 40", "total_devices: 40.0"), encoding="utf-8")
    assert not assessment.check_file(path).problems


def test_a_share_worked_out_above_100_percent_is_a_contradiction(tmp_path: Path) -> None:
    path = write(tmp_path, answers_with("connected_devices: 12", "connected_devices: 500"))
    problems = assessment.check_file(path).problems.problems
    assert [p.code for p in problems] == ["ANS010"]
    assert "works out at 1250%" in str(problems[0])


@pytest.mark.parametrize(
    ("assessed_on", "expected"),
    [
        pytest.param("0", "9:SCHEMA002", id="a-number"),
        pytest.param("2099-01-01", "9:FIRM003", id="far-future"),
        pytest.param("2019-06-30", "9:FIRM003", id="years-before"),
        pytest.param("2026-03-30", "9:FIRM003", id="just-over-a-quarter-early"),
        pytest.param("2027-10-02", "9:FIRM003", id="just-over-a-year-late"),
        pytest.param("2026-03-31", None, id="a-quarter-early-is-fine"),
        pytest.param("2027-10-01", None, id="a-year-late-is-fine"),
        pytest.param("2026-02-30", "9:SCHEMA002", id="no-such-day"),
    ],
)
def test_the_assessment_date_must_fit_the_period(
    tmp_path: Path, assessed_on: str, expected: str | None
) -> None:
    path = write(tmp_path, answers_with("assessed_on: 2026-09-15", f"assessed_on: {assessed_on}"))
    assert codes(path) == ([expected] if expected else [])


INVISIBLE = st.text(
    alphabet=st.sampled_from([" ", "\u3000", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00a0"]),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=INVISIBLE, field=st.sampled_from(["name: 苏州示例精密机械有限公司", "assessor: 王工"]))
def test_a_blank_or_invisible_name_is_refused(tmp_path: Path, name: str, field: str) -> None:
    key = field.split(":")[0]
    escaped = name.encode("unicode_escape").decode("ascii")
    path = write(tmp_path, answers_with(field, f'{key}: "{escaped}"'))
    problems = assessment.check_file(path).problems.problems
    assert [p.code for p in problems] == ["SCHEMA002"]
    assert "blank or holds only invisible characters" in str(problems[0])


@pytest.mark.parametrize("control", ["\\e]0;pwned\\a", "\\e[2J", "line\\nbreak", "\\0"])
def test_a_name_with_control_characters_is_refused(tmp_path: Path, control: str) -> None:
    path = write(tmp_path, answers_with("assessor: 王工", f'assessor: "王{control}工"'))
    problems = assessment.check_file(path).problems.problems
    assert [p.code for p in problems] == ["SCHEMA002"]
    assert "control character" in str(problems[0])


def test_limits_that_reports_enforce_are_checked_when_the_file_is_read(tmp_path: Path) -> None:
    """A 5,000-character answer or 20,000 evidence items fail at load, not in the report."""
    long_text = "长" * 5000
    mini = MINI.replace(
        "          - id: leader\n",
        "          - id: remark\n            type: text\n            required: false\n"
        "            text: 备注\n          - id: leader\n",
    )
    (tmp_path / "mini.yaml").write_text(mini, encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text(answers_with("  plan: some", f"  plan: some\n  remark: {long_text}"), "utf-8")
    problems = assessment.check_file(path).problems.problems
    assert [(p.location.line, p.code) for p in problems] == [(12, "ANS003")]
    many = "[" + ", ".join(["a.jpg"] * 20_000) + "]"
    path.write_text(answers_with("evidence: MES 截图", f"evidence: {many}"), "utf-8")
    problems = assessment.check_file(path).problems.problems
    assert [p.code for p in problems] == ["SCHEMA002"]
    assert "at most 50 items" in str(problems[0])


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        pytest.param("answers.yaml", "FILE002", id="itself"),
        pytest.param("other.yaml", "FILE002", id="a-file-that-points-back"),
        pytest.param("/etc/passwd.yaml", "REF001", id="absolute"),
        pytest.param("../../../dev/zero", "REF001", id="not-yaml"),
        pytest.param("folder.yaml", "REF001", id="a-folder"),
    ],
)
def test_the_questionnaire_path_cannot_loop_or_reach_anything(
    tmp_path: Path, reference: str, code: str
) -> None:
    (tmp_path / "folder.yaml").mkdir()
    other = answers_with("path: mini.yaml", "path: answers.yaml")
    (tmp_path / "other.yaml").write_text(other, encoding="utf-8")
    path = write(tmp_path, answers_with("path: mini.yaml", f"path: {reference}"))
    assert [p.code for p in assessment.check_file(path).problems.problems] == [code]


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    problems = assessment.check_file(fifo).problems.problems
    assert [(p.code, p.message) for p in problems] == [("FILE001", "not a regular file")]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x7f", "\x9b"])
def test_a_control_character_in_yaml_is_located(tmp_path: Path, char: str) -> None:
    path = write(tmp_path, answers_with("assessor: 王工", f"assessor: 王{char}工"))
    problems = assessment.check_file(path).problems.problems
    assert [(p.location.line, p.location.column, p.code) for p in problems] == [(8, 12, "YAML001")]
    assert f"U+{ord(char):04X}" in problems[0].message


def test_what_reaches_the_terminal_has_no_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "x\x1b]0;title\x07.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "x\\x1b]0;title\\x07.yaml" in result.output
    assert printable("a\u202eb\x9bc") == "a\\u202eb\\x9bc"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_any_bytes_give_problems_never_an_exception(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.yaml"
    path.write_bytes(data)
    checked = assessment.check_file(path)
    assert checked.problems or checked.model is not None or checked.kind is None
    for problem in checked.problems.problems:
        assert "\n" not in str(problem)


ANSWER_LINES = [line for line in ANSWERS.splitlines() if line.startswith("  ") and ":" in line]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line=st.sampled_from(ANSWER_LINES),
    value=st.one_of(
        st.sampled_from([*HOSTILE_FIGURES, "[]", "{}", "null", "~", "''", "[[1]]", "{a: 1}"]),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=30).map(lambda t: '"' + t.encode("unicode_escape").decode() + '"'),
    ),
)
def test_any_value_in_any_answer_is_checked_never_raises(
    tmp_path: Path, line: str, value: str
) -> None:
    key = line.split(":")[0]
    path = write(tmp_path, ANSWERS.replace(line, f"{key}: {value}", 1))
    checked = assessment.check_file(path)
    for problem in checked.problems.problems:
        assert problem.location.line > 0, problem


SAMPLES = Path(__file__).parent.parent / "examples" / "sample_park"
FIRM_Q3 = SAMPLES / "2026Q3" / "91320594MA1A3K7R2A.yaml"
FIRM_Q2 = SAMPLES / "2026Q2" / "91320594MA1A3K7R2A.yaml"


def other_firm() -> Path:
    return next(p for p in sorted((SAMPLES / "2026Q2").glob("*.yaml")) if p.name != FIRM_Q2.name)


@pytest.mark.parametrize(
    ("current", "previous", "says"),
    [
        pytest.param(FIRM_Q3, other_firm(), "give this firm's earlier file", id="another-firm"),
        pytest.param(FIRM_Q2, FIRM_Q3, "not a period before 2026Q2", id="a-later-quarter"),
        pytest.param(FIRM_Q3, FIRM_Q3, "not a period before 2026Q3", id="the-same-quarter"),
    ],
)
def test_progress_is_only_measured_against_the_firms_own_earlier_file(
    tmp_path: Path, current: Path, previous: Path, says: str
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["report", str(current), "--out", str(out), "--previous", str(previous)]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {previous}: is for ")
    assert says in result.output
    assert len(result.output.splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("command", ["batch", "demo"])
@pytest.mark.parametrize("target", ["a-file", "under-a-file"])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    tmp_path: Path, command: str, target: str
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("keep me", encoding="utf-8")
    out = blocker if target == "a-file" else blocker / "reports"
    args = [command, "--out", str(out)]
    if command == "batch":
        args = ["batch", str(SAMPLES / "2026Q3"), "--period", "2026Q3", "--out", str(out)]
        args += ["--db", f"sqlite:///{tmp_path / 'dtm.db'}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {out}: ")
    assert "choose another --out" in result.output
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "dtm.db").exists()


@pytest.mark.parametrize("workers", ["0", "-1", "100000"])
def test_workers_must_be_a_real_count(tmp_path: Path, workers: str) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--workers", workers])
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: --workers must be from 1 to 256, not {workers} (omit it: one per CPU)\n"
    )


def test_written_files_can_be_read_by_the_group(tmp_path: Path) -> None:
    from assessment.files.atomic import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.pdf", b"%PDF")
    finally:
        os.umask(old)
    assert (tmp_path / "report.pdf").stat().st_mode & 0o777 == 0o644


def test_a_damaged_store_row_is_named_and_the_others_still_read(tmp_path: Path) -> None:
    from sqlalchemy import update

    from assessment.engine.pipeline import sample_park
    from assessment.store import Store
    from assessment.store.schema import AssessmentRow

    db = tmp_path / "dtm.db"
    park = sample_park("2026Q3")[:3]
    with Store.open(db) as store:
        for a in park:
            store.save(a)
        broken = park[1].card.firm.credit_code
        with store.engine.begin() as conn:
            conn.execute(
                update(AssessmentRow)
                .where(AssessmentRow.credit_code == broken)
                .values(result='{"not": "a score card"')
            )
        assert [c.firm.credit_code for c in store.cards("2026Q3")] == sorted(
            a.card.firm.credit_code for a in park if a.card.firm.credit_code != broken
        )
        assert [r.credit_code for r in store.check()] == [broken]
    listed = runner.invoke(app, ["list", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "damaged" in listed.output
    assert "1 stored assessments do not read back: see dtm check-store\n" in listed.output
    as_json = runner.invoke(app, ["list", "--json", "--db", str(db)])
    assert as_json.exit_code == 0
    assert [row["damaged"] is None for row in json.loads(as_json.stdout)].count(True) == 2
    checked = runner.invoke(app, ["check-store", "--db", str(db)])
    assert checked.exit_code == 1
    lines = checked.output.splitlines()
    assert lines[0].startswith(f"{broken} 2026Q3 revision 1 (current): the stored result do")
    assert lines[-1] == "3 assessments stored, 1 damaged"


def test_check_store_on_a_sound_store(tmp_path: Path) -> None:
    from assessment.engine.pipeline import sample_park
    from assessment.store import Store

    db = tmp_path / "dtm.db"
    with Store.open(db) as store:
        store.save(sample_park("2026Q3")[0])
    checked = runner.invoke(app, ["check-store", "--db", str(db)])
    assert (checked.exit_code, checked.output) == (
        0,
        "audit log: 0 lines\n1 assessments stored, 0 damaged\n",
    )


@pytest.mark.parametrize("escaped", ["\\a", "\\e[31m", "\\x00", "\\u0085x"])
def test_a_control_character_written_as_an_escape_is_refused_too(
    tmp_path: Path, escaped: str
) -> None:
    """YAML's "\\e" escapes reach the value; no workbook or report could hold it."""
    mini = MINI.replace(
        "          - id: leader\n",
        "          - id: remark\n            type: text\n            required: false\n"
        "            text: 备注\n          - id: leader\n",
    )
    (tmp_path / "mini.yaml").write_text(mini, encoding="utf-8")
    path = tmp_path / "answers.yaml"
    note = answers_with("note: 仅车间主任使用", f'note: "仅{escaped}使用"')
    path.write_text(
        answers_with("  plan: some", f'  plan: some\n  remark: "备{escaped}注"'), "utf-8"
    )
    assert [(p.location.line, p.code) for p in assessment.check_file(path).problems.problems] == [
        (12, "ANS002")
    ]
    path.write_text(note, "utf-8")
    problems = assessment.check_file(path).problems.problems
    assert [p.code for p in problems] == ["SCHEMA002"]
    assert "control character" in problems[0].message


def test_a_dangling_link_or_fifo_in_a_batch_folder_is_reported(tmp_path: Path) -> None:
    from assessment.batch import load_all
    from assessment.engine.pipeline import answer_files

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / FIRM_Q3.name).write_bytes(FIRM_Q3.read_bytes())
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(folder / "pipe.yaml")
    good, failures = load_all(answer_files(folder), "2026Q3")
    assert [a.card.firm.credit_code for _, a in good] == [FIRM_Q3.stem]
    assert sorted((f.path.name, f.reasons) for f in failures) == [
        (
            "gone.yaml",
            [
                f"{folder / 'gone.yaml'}: FILE001 "
                "a link to a file that does not exist (remove the link)"
            ],
        ),
        ("pipe.yaml", [f"{folder / 'pipe.yaml'}: FILE001 not a regular file (name a YAML file)"]),
    ]


def test_a_batch_finishes_its_quarter_whatever_one_firm_or_optional_input_does(
    tmp_path: Path,
) -> None:
    """One firm's reports fail late, the register is GBK with a `²` head-count (refused, so the
    register is left out with a warning), another period's half-written file lies in --out: every
    other firm's PDFs, the park report and the exports are still written, each problem is one
    line, and exit is 1."""
    import shutil

    from assessment.resources import templates_dir

    files = sorted((SAMPLES / "2026Q3").glob("*.yaml"))[:3]
    folder = tmp_path / "in"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    doomed = files[1].stem
    # One broken firm of each kind that fails early, beside the one that fails late.
    broken = files[0].read_text(encoding="utf-8")
    (folder / "nan.yaml").write_text(
        broken.replace("digital_staff: 0", "digital_staff: .nan"), encoding="utf-8"
    )
    (folder / "long.yaml").write_text(
        broken.replace("main_pain_point: ", "main_pain_point: " + "长" * 5000 + " "),
        encoding="utf-8",
    )
    (folder / "escape.yaml").write_text(
        broken.replace("assessor: 王建国", 'assessor: "王\\e]0;x\\a"'), encoding="utf-8"
    )
    (folder / "2099.yaml").write_text(
        broken.replace("assessed_on: 2026-07-13", "assessed_on: 2099-07-13"), encoding="utf-8"
    )
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (folder / "not-yaml.yaml").write_bytes(b"\x00\xff\xfe garbage")
    templates = tmp_path / "templates"
    templates.mkdir()
    shipped = (templates_dir() / "diagnosis.html").read_text(encoding="utf-8")
    trap = f'{{% if card.firm.credit_code == "{doomed}" %}}{{{{ no_such_value }}}}{{% endif %}}\n'
    (templates / "diagnosis.html").write_text(trap + shipped, encoding="utf-8")
    register = tmp_path / "firms.csv"
    rows = (SAMPLES / "firms.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",38,", ",²,")
    rows.append(",没有代码的企业,machinery,12,苏州吴淞江科技产业园")
    register.write_bytes(("\n".join(rows) + "\n").encode("gb18030"))
    out = tmp_path / "out"
    (out / "firms").mkdir(parents=True)
    other = out / ".park-2026Q2.pdf.abc123.part"
    other.write_bytes(b"another run's file")
    mine = out / ".park-2026Q3.pdf.def456.part"
    mine.write_bytes(b"left by a killed run")
    args = ["batch", str(folder), "--period", "2026Q3", "--out", str(out)]
    args += ["--db", f"sqlite:///{tmp_path / 'dtm.db'}", "--templates", str(templates)]
    args += ["--register", str(register), "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "3 stored, 2 rendered, 0 unchanged, 7 failed" in result.output
    flat = " ".join(result.output.split())
    late = f"{folder / files[1].name}: its reports could not be written (diagnosis.html: "
    fix = "(fix the template, or remove it from --templates to use the shipped one)"
    assert late + f"template error: 'no_such_value' is undefined {fix})" in flat
    warning = f"warning: {register}:2: employees '²' is not a whole number"
    assert warning in flat and "(the register is left out of this run)" in flat
    pdfs = sorted(p.name for p in (out / "firms").glob("*.pdf"))
    assert len(pdfs) == 4 and not any(doomed in name for name in pdfs)
    assert (out / "park-2026Q3.pdf").is_file()
    assert (out / "results-2026Q3.xlsx").is_file() and (out / "results-2026Q3.csv").is_file()
    assert other.exists() and not mine.exists()


def test_missing_templates_are_refused_before_any_work(tmp_path: Path) -> None:
    args = ["batch", str(SAMPLES / "2026Q3"), "--period", "2026Q3", "--out", str(tmp_path / "o")]
    args += ["--db", f"sqlite:///{tmp_path / 'dtm.db'}", "--templates", str(tmp_path / "none")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert (
        result.output == f"Error: {tmp_path / 'none'}: no such folder of templates (--templates)\n"
    )
    assert not (tmp_path / "dtm.db").exists()


def test_a_register_in_gbk_reads_any_digits_and_names_a_figure_that_is_not_one(
    tmp_path: Path,
) -> None:
    from assessment.errors import UsageError
    from assessment.park.summary import read_register

    path = tmp_path / "firms.csv"
    header = "credit_code,name,industry,employees\n"
    path.write_bytes(
        (header + "X1,苏州甲,machinery,１２０\nX2,苏州乙,machinery,\n").encode("gb18030")
    )
    firms = read_register(path)
    assert [(f.credit_code, f.name, f.employees) for f in firms] == [
        ("X1", "苏州甲", 120),
        ("X2", "苏州乙", None),
    ]
    path.write_bytes(
        (header + "X1,苏州甲,machinery,12\nX2,苏州乙,machinery,3²\n").encode("gb18030")
    )
    with pytest.raises(UsageError) as caught:
        read_register(path)
    assert str(caught.value) == (
        f"{path}:3: employees '3²' is not a whole number "
        "(write the head-count in digits, e.g. 120, or leave it empty)"
    )


def test_a_register_cell_over_the_csv_limit_is_one_located_line(tmp_path: Path) -> None:
    from assessment.errors import UsageError
    from assessment.park.summary import read_register

    path = tmp_path / "firms.csv"
    long_name = "甲" * 140_000
    path.write_text(
        f"credit_code,name,industry,employees\nX1,苏州,machinery,1\nX2,{long_name},machinery,2\n",
        "utf-8",
    )
    with pytest.raises(UsageError, match=r"firms\.csv:3: the park register cannot be read"):
        read_register(path)


@pytest.mark.parametrize("tiers", ["²,3,6", "3,³,6", "3,3,6⁰"])
def test_tiers_in_superscript_digits_are_refused_in_one_line(tmp_path: Path, tiers: str) -> None:
    """`²` passes `str.isdigit` but is no digit `int` reads: one line, exit code 2."""
    args = ["park-summary", "--db", str(tmp_path / "park.db"), "--period", "2026Q3"]
    result = runner.invoke(app, [*args, "--tiers", tiers, "--lang", "en"])
    assert result.exit_code == 2
    assert result.output == (f"Error: --tiers must be three counts like 3,3,6, not {tiers!r}\n")


def test_tiers_in_full_width_digits_are_read_as_their_numbers() -> None:
    from assessment.cli.common import check_tiers

    assert check_tiers("３,３,６") == (3, 3, 6)
    assert check_tiers(" 2, 2 ,4") == (2, 2, 4)


@pytest.mark.parametrize("given", ["²", "-1", "two", "1.5"])
def test_render_slots_that_are_no_count_are_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("DTM_RENDER_SLOTS", given)
    from assessment.batch.processes import slot_count
    from assessment.errors import UsageError

    with pytest.raises(UsageError, match="DTM_RENDER_SLOTS"):
        slot_count()
    folder = Path("examples/sample_park/2026Q3")
    args = ["batch", str(folder), "--period", "2026Q3", "--out", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--db", str(tmp_path / "park.db"), "--lang", "en"])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: $DTM_RENDER_SLOTS must be a whole number of render slots (0: no limit), "
        f"not {given!r}\n"
    )
    from assessment.store import Store

    with Store.open(tmp_path / "park.db") as store:
        assert store.list() == []  # said before any firm was taken in


def test_render_slots_read_plain_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.batch.processes import slot_count

    monkeypatch.setenv("DTM_RENDER_SLOTS", " 3 ")
    assert slot_count() == 3
    monkeypatch.setenv("DTM_RENDER_SLOTS", "0")
    assert slot_count() == 0
    monkeypatch.setenv("DTM_RENDER_SLOTS", "")
    assert slot_count() >= 1
