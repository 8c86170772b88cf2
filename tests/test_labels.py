"""Answers typed the way people type them: labels in either language, full-width input, --fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import assessment
from assessment.cli import app
from assessment.engine.labels import canonical_value, choice_index, number
from assessment.engine.pipeline import assess
from assessment.models.questionnaire import Questionnaire
from tests.conftest import DATA_DIR, WriteYaml

SHIPPED = ("park_quick_scan", "miit_2024_manufacturing")
MINI_ANSWERS = (DATA_DIR / "mini_answers.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _mini_beside_the_answers(tmp_path: Path) -> None:
    """Answer files name their questionnaire by a path beside them: put mini.yaml there."""
    (tmp_path / "mini.yaml").write_text(
        (DATA_DIR / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )


def answers_with(*edits: tuple[str, str]) -> str:
    text = MINI_ANSWERS
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("question", "typed", "canonical"),
    [
        pytest.param("plan", "部分", "some", id="zh-label"),
        pytest.param("plan", "Some", "some", id="en-label"),
        pytest.param("plan", " FULL ", "full", id="en-label-any-case-and-spaces"),
        pytest.param("plan", "some", "some", id="id-unchanged"),
        pytest.param("paper", "库存、财务", ["inventory", "finance"], id="multi-dunhao"),
        pytest.param("paper", ["库存，财务"], ["inventory", "finance"], id="multi-fullwidth-comma"),
        pytest.param("paper", "库存┋Finance", ["inventory", "finance"], id="multi-wjx-separator"),
        pytest.param("paper", ["inventory", "库存"], ["inventory"], id="multi-same-twice"),
        pytest.param("total_devices", "４０", 40, id="fullwidth-digits"),
        pytest.param("total_devices", "1,200", 1200, id="thousands-separator"),
        pytest.param("total_devices", "12.5", 12.5, id="decimal-text"),
        pytest.param("connected_share", "35%", 35, id="percent-sign"),
        pytest.param("connected_share", "３５％", 35, id="fullwidth-percent"),
        pytest.param("leader", "是", "yes", id="yes-zh"),
        pytest.param("leader", "否", "no", id="no-zh"),
        pytest.param("leader", "YES", "yes", id="yes-upper"),
        pytest.param("mes_level", "不适用", "n/a", id="not-applicable-zh"),
        pytest.param("mes_level", "不知道", "unknown", id="unknown-zh"),
        pytest.param("mes_level", "３", 3, id="ordinal-fullwidth"),
        pytest.param("plan", "部份", "部份", id="unknown-label-left-for-the-check"),
        pytest.param("total_devices", "四十", "四十", id="words-are-not-numbers"),
        pytest.param("total_devices", "0x10", "0x10", id="hex-is-not-a-count"),
    ],
)
def test_typed_values_read_as_canonical(
    mini_questionnaire: Questionnaire, question: str, typed: object, canonical: object
) -> None:
    q = mini_questionnaire
    assert canonical_value(q, q.question_map[question], typed) == canonical


def test_a_number_may_carry_its_unit() -> None:
    q = assessment.load_questionnaire("park_quick_scan")
    with_unit = next(x for x in q.questions() if x.unit is not None and x.type == "number")
    assert number(f"12 {with_unit.unit.zh}", with_unit) == 12  # type: ignore[union-attr]
    assert number("12 公斤", with_unit) is None


@pytest.mark.parametrize("qid", SHIPPED)
def test_every_shipped_label_names_exactly_one_choice(qid: str) -> None:
    q = assessment.load_questionnaire(qid)
    for question in q.questions():
        index = choice_index(q, question)
        for choice in q.choices_of(question):
            for label in (choice.label.zh, choice.label.en):
                assert index.match(label) == choice.id, (question.id, label)


_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_label_typed_with_a_chinese_input_method_reads_as_its_id(data: st.DataObject) -> None:
    q = assessment.load_questionnaire(data.draw(st.sampled_from(SHIPPED)))
    question = data.draw(st.sampled_from([x for x in q.questions() if x.type == "single"]))
    choice = data.draw(st.sampled_from(q.choices_of(question)))
    label = data.draw(st.sampled_from([choice.label.zh, choice.label.en]))
    if data.draw(st.booleans()):
        label = label.translate(_FULL_WIDTH)
    padding = data.draw(st.sampled_from(["", " ", "\u3000"]))
    assert canonical_value(q, question, f"{padding}{label}{padding}") == choice.id


def test_an_answer_file_in_labels_scores_as_the_one_in_ids(write_yaml: WriteYaml) -> None:
    labelled = write_yaml(
        answers_with(
            ("plan: some", "plan: 部分"),
            ("leader: yes", "leader: 是"),
            ("paper: [inventory]", "paper: [库存]"),
            ("total_devices: 40", "total_devices：４０"),
            ("industry: machinery", "industry: 通用机械"),
        ),
        "labelled.yaml",
    )
    canonical = write_yaml(answers_with(), "canonical.yaml")
    a, b = assess(labelled), assess(canonical)
    assert a.sheet == b.sheet
    assert a.card.model_dump() == b.card.model_dump()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ("plan: some", "plan: 全部的"),
            "ANS004 '全部的' is not a choice of 'plan' (did you mean '全部'?)",
            id="close-to-a-zh-label",
        ),
        pytest.param(
            ("plan: some", "plan: Som"),
            "ANS004 'Som' is not a choice of 'plan' (did you mean 'some'?)",
            id="close-to-an-id",
        ),
        pytest.param(
            ("paper: [inventory]", "paper: [库存，账本]"),
            "ANS004 '账本' is not a choice of 'paper'",
            id="one-part-of-a-list",
        ),
        pytest.param(
            ("paper: [inventory]", "paper: 无、库存"),
            "ANS008 'none' cannot be combined with other choices in 'paper'",
            id="exclusive-by-label",
        ),
    ],
)
def test_labels_that_name_no_choice_are_located(
    write_yaml: WriteYaml, edit: tuple[str, str], expected: str
) -> None:
    path = write_yaml(answers_with(edit))
    problems = [str(p) for p in assessment.check_file(path).problems.problems]
    line = 1 + [x.strip() for x in answers_with(edit).splitlines()].index(edit[1])
    assert any(p.startswith(f"{path}:{line}:") and expected in p for p in problems), problems


def test_a_label_shared_by_two_choices_asks_for_the_id(write_yaml: WriteYaml) -> None:
    mini = (DATA_DIR / "mini.yaml").read_text(encoding="utf-8")
    mini = mini.replace("{zh: 全部, en: Full}", "{zh: 部分, en: Full}")
    q_path = write_yaml(mini, "mini.yaml")
    answers = MINI_ANSWERS.replace("plan: some", "plan: 部分")
    path = write_yaml(answers, "answers.yaml")
    problems = [str(p) for p in assessment.check_file(path).problems.problems]
    assert q_path.exists()
    assert any(
        "ANS004 '部分' could mean any of some, full in 'plan' (write the choice id)" in p
        for p in problems
    ), problems


runner = CliRunner()


def test_validate_says_which_answers_fix_would_rewrite(write_yaml: WriteYaml) -> None:
    path = write_yaml(answers_with(("plan: some", "plan: 部分"), ("leader: yes", "leader: 是")))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{path}: ok (answers; 2 given as labels or typed loosely: --fix writes their ids)\n"
    )


def test_fix_writes_ids_in_place_and_keeps_comments(write_yaml: WriteYaml) -> None:
    labelled = answers_with(
        ("plan: some", "plan: 部分   # 负责人口述"),
        ("paper: [inventory]", "paper:\n    - 库存  # 仓库\n    - 财务"),
        ("total_devices: 40", "total_devices：４０"),
        ("industry: machinery", "industry: 通用机械"),
        ("mes_users: {value: 10,", "mes_users: {value: １０,"),
    )
    path = write_yaml(labelled)
    result = runner.invoke(app, ["validate", "--fix", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}: wrote ids for firm.industry, answers.plan, answers.paper, "
        "answers.total_devices, answers.mes_users",
        f"{path}: ok (answers)",
    ]
    expected = answers_with(
        ("plan: some", "plan: some   # 负责人口述"),
        ("paper: [inventory]", "paper:\n    - inventory  # 仓库\n    - finance"),
    )
    assert path.read_text(encoding="utf-8") == expected


def test_fix_turns_a_joined_list_into_a_flow_list(write_yaml: WriteYaml) -> None:
    path = write_yaml(answers_with(("paper: [inventory]", "paper: 库存、财务  # 两项")))
    assert runner.invoke(app, ["validate", "--fix", str(path)]).exit_code == 0
    assert "  paper: [inventory, finance]  # 两项\n" in path.read_text(encoding="utf-8")


def test_fix_leaves_a_canonical_file_untouched(write_yaml: WriteYaml) -> None:
    path = write_yaml(answers_with())
    os.utime(path, (1_000_000, 1_000_000))
    result = runner.invoke(app, ["validate", "--fix", str(path)])
    assert result.exit_code == 0
    assert result.output == f"{path}: ok (answers)\n"
    assert path.stat().st_mtime == 1_000_000


def test_fix_rewrites_labels_and_still_reports_other_problems(write_yaml: WriteYaml) -> None:
    path = write_yaml(answers_with(("plan: some", "plan: 部分"), ("leader: yes", "leader: maybe")))
    result = runner.invoke(app, ["validate", "--fix", str(path)])
    assert result.exit_code == 2
    text = path.read_text(encoding="utf-8")
    assert "plan: some\n" in text
    assert "leader: maybe\n" in text
    assert "ANS002 'leader' is answered yes or no, not 'maybe'" in result.output


@pytest.mark.parametrize("sample", sorted((Path("examples/sample_park/2026Q3")).glob("*.yaml"))[:6])
def test_fix_round_trips_sample_files_written_in_labels(sample: Path, tmp_path: Path) -> None:
    """Every answer of a sample firm written as its Chinese label comes back as its id."""
    sheet = assessment.load_answers(sample)
    q = assessment.load_questionnaire(sheet.questionnaire.id or "")
    text = sample.read_text(encoding="utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        qid, _, rest = stripped.partition(": ")
        question = q.question_map.get(qid)
        if question is None or question.type != "single" or not rest or " " in rest:
            continue
        choice = next(c for c in q.choices_of(question) if c.id == rest.strip("'"))
        lines[i] = line.replace(rest, choice.label.zh)
    path = tmp_path / sample.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", "--fix", str(path)]).exit_code == 0
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        pytest.param("10%-35%", "10%–30%", id="ascii-label-gets-a-label"),
        pytest.param("百分之十到三十", None, id="chinese-gets-chinese-or-nothing"),
        pytest.param("p10_31", "p10_30", id="id-gets-an-id"),
    ],
)
def test_did_you_mean_answers_in_the_words_typed(typed: str, meant: str | None) -> None:
    from assessment.engine.answercheck import _unknown_choice

    q = assessment.load_questionnaire("park_quick_scan")
    _, hint, code = _unknown_choice(q, q.question_map["operator_skills"], typed)
    assert code == "ANS004"
    if meant is None:
        assert "p10_30" not in hint
    else:
        assert hint == f"did you mean '{meant}'?"
