"""Validation as a user meets it: every error code, at the right line, all at once, via the CLI.

Each case starts from tests/data/mini.yaml, tests/data/mini_answers.yaml or the small catalogue
below and changes a few snippets. A `# <-` comment in the changed text marks the line the problem
must be reported at; comments do not change what the YAML means.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import assessment
from assessment import CODES, Problem, Questionnaire, ValidationFailed
from assessment.cli import app
from assessment.engine.loader import check_file
from assessment.files.yamlio import MAX_FILE_BYTES

DATA_DIR = Path(__file__).parent / "data"
DOCS = Path(__file__).parent.parent / "docs" / "errors.md"
MARK = "# <-"

CATALOGUE = """\
id: mini_scenarios
version: "1.0"
title: {zh: 迷你场景, en: Mini scenarios}
questionnaire: mini
budget:
  sources:
    - id: spend
      value: "total_devices * 0.5"
      basis:
        zh: 按 {total_devices} 台设备估算
        en: From {total_devices} devices
  limits:
    - {when: "plan == 'none'", max: 5, basis: {zh: 暂无规划, en: No plan yet}}
  by_size:
    - {max_employees: 20, budget: 3}
    - {budget: 10}
  default_basis:
    zh: 默认 {value} 万元
    en: Default {value}
  capacity:
    - {when: "leader", projects: 2, basis: {zh: 有负责人, en: Someone in charge}}
  default_capacity_basis:
    zh: 默认 {projects} 个
    en: Default {projects}
support:
  - id: park_help
    kind: diagnosis
    name: {zh: 园区诊断, en: Park diagnosis}
    detail: {zh: 联系园区, en: Ask the park}
scenarios:
  - id: cloud_erp
    name: {zh: 云ERP, en: Cloud ERP}
    summary: {zh: 用云ERP代替手工账, en: Replace hand-kept books with cloud ERP}
    industries: [all]
    trigger: "'finance' in paper or plan == 'none'"
    adopted_when: "'finance' not in paper"
    addresses: [paper_processes, strategy]
    impact: 4
    effort: 2
    benefits: [{zh: 账实相符, en: Books match stock}]
    cost_band: low
  - id: scan_report
    name: {zh: 扫码报工, en: Scan-to-report production}
    summary: {zh: 工人扫码报工, en: Workers scan to report output}
    industries: [machinery, metal_processing]
    trigger: "mes_level < 2"
    adopted_when: "mes_level >= 2"
    addresses: [devices]
    impact: 3
    effort: 3
    prerequisites: [cloud_erp]
    benefits: [{zh: 实时进度, en: Live progress}]
    cost_band: medium
"""

BASES = {
    "questionnaire": (DATA_DIR / "mini.yaml").read_text(encoding="utf-8"),
    "answers": (DATA_DIR / "mini_answers.yaml").read_text(encoding="utf-8"),
    "catalogue": CATALOGUE,
    "catalogue-alone": CATALOGUE,  # checked without naming its questionnaire
    "other": "title: a shopping list\nitems: [rice, tea]\n",
}


@dataclass(frozen=True)
class Case:
    """A file made from a base by replacing snippets, and the problem it must show."""

    code: str
    base: str
    edits: tuple[tuple[str, str], ...]
    says: str  # part of the printed line: the message or the hint
    encoding: str = "utf-8"

    def text(self) -> str:
        text = BASES[self.base]
        for old, new in self.edits:
            assert old in text, f"{old!r} is not in the {self.base} base any more"
            text = text.replace(old, new, 1)
        return text

    def marked_line(self) -> int:
        """The line with the `# <-` marker; 0 when the problem names no line (the whole file)."""
        text = self.text()
        return text[: text.index(MARK)].count("\n") + 1 if MARK in text else 0


def case(code: str, base: str, *edits: tuple[str, str], says: str, **kw: str) -> Case:
    return Case(code, base, edits, says, **kw)


Q, A, C = "questionnaire", "answers", "catalogue"
MINI = BASES[Q]
COMPUTED = MINI[MINI.index("  - id: device_share") : MINI.index("dimensions:")]
WHEN = 'when: "mes_level >= 2"'
DIM_WEIGHT = "weight: 2\n    interpretation"
PLAN_SCALE = "            scale: yes3\n"
LEVEL3_COUNT = "{rule: count, tag: scenario, level: 3, min_count: 1}"
QREF = "path: mini.yaml}"  # the end of the answer file's `questionnaire:` line


def marked(text: str) -> str:
    """`text` with the marker comment: the problem is reported on this line."""
    return f"{text}  {MARK}"


def mark(snippet: str) -> tuple[str, str]:
    """An edit that only marks the line ending with `snippet`."""
    return snippet, marked(snippet)


def when(condition: str) -> tuple[str, str]:
    return WHEN, marked(f'when: "{condition}"')


ROOT = mark("id: mini")  # problems about the whole questionnaire are at its first key
YES3 = mark("  yes3:")
INTERPRETATION = mark("    interpretation:")

CASES = [
    # YAML and file problems
    pytest.param(
        case("YAML001", Q, ("id: mini", marked("id: mini: x")), says="quote values"),
        id="YAML001-syntax",
    ),
    pytest.param(
        case("YAML002", Q, ("id: mini", "#" * MAX_FILE_BYTES + "\nid: mini"), says="2 MiB"),
        id="YAML002-too-big",
    ),
    pytest.param(
        case("YAML003", Q, ("id: mini\n", "id: mini\nloop: &l [*l]\n"), ROOT, says="aliases"),
        id="YAML003-self-alias",
    ),
    pytest.param(
        case(
            "YAML004",
            Q,
            ('version: "1.0"', marked('version: !!python/object:os.system "1.0"')),
            says="remove the '!tag'",
        ),
        id="YAML004-python-tag",
    ),
    pytest.param(
        case(
            "YAML005",
            Q,
            ("id: plan\n", "id: plan\n" + marked("            id: plan2") + "\n"),
            says="the key 'id' appears twice",
        ),
        id="YAML005-duplicate-key",
    ),
    pytest.param(
        case("FILE001", Q, says="not UTF-8 text (save it as UTF-8)", encoding="gbk"),
        id="FILE001-not-utf8",
    ),
    pytest.param(
        case("FILE002", "other", mark("a shopping list"), says="a questionnaire has"),
        id="FILE002-unknown-kind",
    ),
    # schema
    pytest.param(
        case(
            "SCHEMA001",
            Q,
            (DIM_WEIGHT, marked("wieght: 2") + "\n    interpretation"),
            says="unknown key 'wieght' (did you mean 'weight'?)",
        ),
        id="SCHEMA001-misspelt-key",
    ),
    pytest.param(
        case(
            "SCHEMA001",
            Q,
            (PLAN_SCALE, PLAN_SCALE + marked("            unit: kg") + "\n"),
            says="'unit' is not used by a single question",
        ),
        id="SCHEMA001-key-of-another-type",
    ),
    pytest.param(
        case("SCHEMA001", C, ("impact: 4", marked("impakt: 4")), says="did you mean 'impact'?"),
        id="SCHEMA001-catalogue",
    ),
    pytest.param(
        case(
            "ADOPT001",
            C,
            ("""    adopted_when: "'finance' not in paper"\n""", ""),
            mark("  - id: cloud_erp"),
            says="the scenario 'cloud_erp' has no adopted_when",
        ),
        id="ADOPT001-missing",
    ),
    pytest.param(
        case(
            "BUDGET001",
            C,
            ("zh: 按 {total_devices} 台设备估算", "zh: 按 {devices} 台设备估算"),
            mark("      basis:"),
            says="'{devices}' in the basis is not read by the value",
        ),
        id="BUDGET001-basis-names-another-figure",
    ),
    pytest.param(
        case(
            "BUDGET002",
            C,
            ("{when: \"plan == 'none'\", max: 5,", "{when: \"plan == 'none'\", min: 8, max: 5,"),
            mark("min: 8, max: 5, basis: {zh: 暂无规划, en: No plan yet}}"),
            says="max is below min",
        ),
        id="BUDGET002-limit",
    ),
    pytest.param(
        case(
            "BUDGET003",
            C,
            ("    - {budget: 10}\n", ""),
            mark("  by_size:"),
            says="by_size must run from the smallest firms up",
        ),
        id="BUDGET003-by-size",
    ),
    pytest.param(
        case("SCHEMA002", C, ("kind: diagnosis", marked("kind: voucher")), says="diagnosis"),
        id="SCHEMA002-support-kind",
    ),
    pytest.param(
        case(
            "SUPPORT001",
            C,
            (
                "    detail: {zh: 联系园区, en: Ask the park}\n",
                "    detail: {zh: 联系园区, en: Ask the park}\n    service_kind: subsidy\n"
                "  - id: park_funds\n    kind: subsidy\n    name: {zh: 资金, en: Funds}\n"
                "    detail: {zh: 联系园区, en: Ask the park}\n"
                f"    {marked('service_kind: subsidy')}\n",
            ),
            says="the services register's kind 'subsidy' is named by 'park_help' already",
        ),
        id="SUPPORT001-one-register-kind-two-routes",
    ),
    pytest.param(
        case(
            "SUPPORT002",
            C,
            (
                "    detail: {zh: 联系园区, en: Ask the park}\n",
                "    detail: {zh: 联系园区, en: Ask the park}\n"
                f"    {marked('service_kind: software_pkg')}\n",
            ),
            says="the services register has no kind 'software_pkg'",
        ),
        id="SUPPORT002-unknown-register-kind",
    ),
    pytest.param(
        case(
            "SCHEMA002",
            Q,
            (DIM_WEIGHT, marked("weight: heavy") + "\n    interpretation"),
            says="dimensions.0.weight: a number is needed here",
        ),
        id="SCHEMA002-not-a-number",
    ),
    pytest.param(
        case(
            "SCHEMA002",
            Q,
            ("{rule: overall_score, min: 0}", marked("{rule: overal_score, min: 0}")),
            says="rule is one of overall_score",
        ),
        id="SCHEMA002-unknown-rule",
    ),
    pytest.param(
        case(
            "SCHEMA002",
            Q,
            ("id: leader", marked("id: Leader")),
            says="ids are lower-case letters, digits and '_'",
        ),
        id="SCHEMA002-malformed-id",
    ),
    pytest.param(
        case("SCHEMA002", A, ("industry: machinery", marked("industry: steel")), says="use one of"),
        id="SCHEMA002-unknown-industry",
    ),
    pytest.param(
        case("SCHEMA002", C, ("impact: 4", marked("impact: 9")), says="must be at most 5"),
        id="SCHEMA002-catalogue-impact",
    ),
    pytest.param(
        case("SCHEMA003", Q, ROOT, ('version: "1.0"\n', ""), says="add 'version:'"),
        id="SCHEMA003-missing-key",
    ),
    pytest.param(
        case(
            "SCHEMA003",
            Q,
            (PLAN_SCALE, ""),
            mark("- id: plan"),
            says="needs either 'scale' or 'choices'",
        ),
        id="SCHEMA003-no-choices",
    ),
    # ids
    pytest.param(
        case("ID001", Q, ("id: leader", marked("id: plan")), says="already used by a question"),
        id="ID001-question",
    ),
    pytest.param(
        case("ID001", Q, ("  - id: l2", marked("  - id: l1")), says="level id 'l1'"),
        id="ID001-level",
    ),
    pytest.param(
        case(
            "ID001", Q, YES3, ("{id: some,", "{id: none,"), says="the choice 'none' appears twice"
        ),
        id="ID001-choice",
    ),
    pytest.param(
        case(
            "ID001",
            C,
            ("id: scan_report", marked("id: cloud_erp")),
            says="scenario id 'cloud_erp' is used twice",
        ),
        id="ID001-scenario",
    ),
    pytest.param(
        case("ID002", Q, ("id: leader", marked("id: count")), says="reserved word"),
        id="ID002-reserved-word",
    ),
    # references
    pytest.param(
        case("REF001", Q, when("mes_levl >= 2"), says="did you mean 'mes_level'?"),
        id="REF001-condition",
    ),
    pytest.param(
        case("REF001", Q, ("scale: yes3", marked("scale: yes4")), says="did you mean 'yes3'?"),
        id="REF001-scale",
    ),
    pytest.param(
        case(
            "REF001",
            Q,
            when("plan == 'ful'"),
            says="'ful' is not a choice of question 'plan' (did you mean 'full'?)",
        ),
        id="REF001-choice-literal",
    ),
    pytest.param(
        case("REF001", Q, when("'financ' in paper"), says="did you mean 'finance'?"),
        id="REF001-choice-in-list",
    ),
    pytest.param(
        case(
            "REF001",
            Q,
            ("node: awareness, min: 60}", marked("node: awarenes, min: 60}")),
            says="did you mean 'awareness'?",
        ),
        id="REF001-level-node",
    ),
    pytest.param(
        case(
            "REF001",
            Q,
            (LEVEL3_COUNT, marked(LEVEL3_COUNT.replace("scenario", "scenarios"))),
            says="no question has the tag 'scenarios'",
        ),
        id="REF001-level-tag",
    ),
    pytest.param(
        case(
            "REF001",
            A,
            (QREF, marked(QREF.replace("mini", "nope"))),
            says="no such questionnaire file",
        ),
        id="REF001-answers-questionnaire",
    ),
    pytest.param(
        case(
            "REF001",
            C,
            ('"mes_level < 2"', marked('"mes_lvl < 2"')),
            says="did you mean 'mes_level'?",
        ),
        id="REF001-trigger",
    ),
    pytest.param(
        case("REF001", C, ("[devices]", marked("[devics]")), says="did you mean 'devices'?"),
        id="REF001-addresses",
    ),
    pytest.param(
        case("REF001", C, ("[cloud_erp]", marked("[cloud_erb]")), says="did you mean 'cloud_erp'?"),
        id="REF001-prerequisite",
    ),
    pytest.param(
        case(
            "REF001",
            "catalogue-alone",
            ("questionnaire: mini", marked("questionnaire: nosuch")),
            says="the catalogue's questionnaire cannot be loaded",
        ),
        id="REF001-catalogue-questionnaire",
    ),
    pytest.param(
        case(
            "REF002",
            Q,
            ("    type: single\n    choices", "    type: multi\n    choices"),
            mark("scale: yes3"),
            says="is for multi questions, not single",
        ),
        id="REF002-scale-type",
    ),
    pytest.param(
        case(
            "REF002",
            Q,
            (LEVEL3_COUNT, marked(LEVEL3_COUNT.replace("tag: scenario", "items: [plan]"))),
            says="'level' needs ordinal questions",
        ),
        id="REF002-level-of-non-ordinal",
    ),
    # weights and scales
    pytest.param(
        case(
            "WEIGHT001",
            Q,
            (DIM_WEIGHT, marked("weight: 0") + "\n    interpretation"),
            says="the weight is 0",
        ),
        id="WEIGHT001-zero",
    ),
    pytest.param(
        case(
            "WEIGHT001",
            Q,
            ("            weight: 2", marked("            weight: -1")),
            says="the weight is -1",
        ),
        id="WEIGHT001-negative",
    ),
    pytest.param(
        case(
            "SCALE001",
            Q,
            YES3,
            ("points: 1}", "points: 0}"),
            ("points: 2}", "points: 0}"),
            says="no choice scores any points",
        ),
        id="SCALE001-no-points",
    ),
    pytest.param(
        case("SCALE001", Q, YES3, ("points: 0}", "points: -1}"), says="negative points"),
        id="SCALE001-negative-points",
    ),
    pytest.param(
        case(
            "SCALE001",
            Q,
            ("Inventory}, points: 1}", "Inventory}, points: 1, exclusive: true}"),
            mark("            choices:"),
            says="only one choice can be exclusive",
        ),
        id="SCALE001-two-exclusive",
    ),
    pytest.param(
        case(
            "SCALE001",
            Q,
            ("type: number\n", "type: number\n" + marked("            mandatory: true") + "\n"),
            says="an unscored question cannot be mandatory",
        ),
        id="SCALE001-mandatory-unscored",
    ),
    # conditions
    pytest.param(
        case("EXPR001", Q, when("mes_level >= "), says="the condition ends too early at column 14"),
        id="EXPR001-when",
    ),
    pytest.param(
        case("EXPR002", Q, when("mes_level.real >= 2"), says="attribute access is not allowed"),
        id="EXPR002-when",
    ),
    pytest.param(
        case(
            "EXPR002",
            Q,
            (
                'expr: "connected_devices / total_devices * 100"',
                marked('expr: "__import__(1) + connected_devices"'),
            ),
            says="'__import__' is not allowed",
        ),
        id="EXPR002-computed",
    ),
    pytest.param(
        case(
            "EXPR002",
            C,
            ('"mes_level < 2"', marked('"mes_level ** 2 < 4"')),
            says="the power operator is not allowed",
        ),
        id="EXPR002-trigger",
    ),
    pytest.param(
        case(
            "EXPR003",
            Q,
            when("(" * 40 + "mes_level" + ")" * 40 + " >= 2"),
            says="nests deeper than 32",
        ),
        id="EXPR003-deep",
    ),
    pytest.param(
        case("EXPR003", Q, when("mes_level >= " + "1 + " * 600 + "1"), says="longer than 2000"),
        id="EXPR003-long",
    ),
    pytest.param(
        case("EXPR004", Q, when("foo(mes_level) >= 2"), says="there is no function 'foo'"),
        id="EXPR004-unknown-function",
    ),
    pytest.param(
        case("EXPR004", Q, when("abs(mes_level, 2) >= 2"), says="abs() takes 1 argument"),
        id="EXPR004-arity",
    ),
    pytest.param(
        case("EXPR004", Q, when("score(awareness) >= 50"), says="score() cannot be used"),
        id="EXPR004-score-before-scoring",
    ),
    # cycles
    pytest.param(
        case(
            "CYCLE001",
            Q,
            ('expr: "connected_devices / total_devices * 100"', marked('expr: "device_share + 1"')),
            says="device_share -> device_share",
        ),
        id="CYCLE001-computed-self",
    ),
    pytest.param(
        case(
            "CYCLE001",
            Q,
            (
                COMPUTED,
                "  - id: alpha\n    label: a\n" + marked('    expr: "beta + 1"') + "\n"
                '  - id: beta\n    label: b\n    expr: "alpha * 2"\n',
            ),
            says="alpha -> beta -> alpha",
        ),
        id="CYCLE001-computed-pair",
    ),
    pytest.param(
        case(
            "CYCLE001",
            Q,
            (
                "tags: [scenario]\n",
                "tags: [scenario]\n" + marked('            when: "mes_users > 0"') + "\n",
            ),
            says="mes_level -> mes_users -> mes_level",
        ),
        id="CYCLE001-when",
    ),
    pytest.param(
        case(
            "CYCLE001",
            C,
            mark("scenarios:"),
            ("strategy]\n", "strategy]\n    prerequisites: [scan_report]\n"),
            says="cloud_erp -> scan_report -> cloud_erp",
        ),
        id="CYCLE001-prerequisites",
    ),
    # levels and bands
    pytest.param(
        case(
            "LEVEL001",
            Q,
            ("{rule: overall_score, min: 70}", marked("{rule: overall_score, min: 170}")),
            says="an overall score of 170 cannot be reached",
        ),
        id="LEVEL001-threshold-over-100",
    ),
    pytest.param(
        case(
            "LEVEL001",
            Q,
            ("node: awareness, min: 60}", marked("node: awareness, min: 101}")),
            says="a score of 101 cannot be reached",
        ),
        id="LEVEL001-node-threshold",
    ),
    pytest.param(
        case(
            "LEVEL001",
            Q,
            ("min_count: 1}", marked("min_count: 3}")),
            says="3 items are needed but only 1",
        ),
        id="LEVEL001-min-count",
    ),
    pytest.param(
        case(
            "LEVEL001",
            Q,
            ("level: 3, min_count: 1}", marked("level: 5, min_count: 1}")),
            says="'mes_level' never reaches level 5",
        ),
        id="LEVEL001-ordinal-level",
    ),
    pytest.param(
        case(
            "LEVEL001",
            Q,
            (
                "{rule: overall_score, min: 0}\n",
                "{rule: overall_score, min: 0}\n" + marked("      - {rule: lower_levels}") + "\n",
            ),
            says="the lowest level has no lower levels",
        ),
        id="LEVEL001-lower-levels-on-first",
    ),
    pytest.param(
        case(
            "LEVEL002",
            Q,
            ("{rule: overall_score, min: 40}", "{rule: overall_score, min: 0}"),
            mark("  - id: l2"),
            says="level 'l2' asks no more than level 'l1'",
        ),
        id="LEVEL002-no-stricter",
    ),
    pytest.param(
        case(
            "BAND001",
            Q,
            ("{min: 50, max: 100, text", "{min: 60, max: 100, text"),
            INTERPRETATION,
            says="interpretation bands leave a gap at 50",
        ),
        id="BAND001-interpretation-gap",
    ),
    pytest.param(
        case(
            "BAND001",
            Q,
            ("{min: 50, max: 100, text", "{min: 40, max: 100, text"),
            INTERPRETATION,
            says="interpretation bands overlap at 50",
        ),
        id="BAND001-interpretation-overlap",
    ),
    pytest.param(
        case(
            "BAND001",
            Q,
            ("{min: 10, max: 50, points: 3}", "{min: 20, max: 50, points: 3}"),
            mark("            bands:"),
            says="bands must follow on without gaps",
        ),
        id="BAND001-score-bands",
    ),
    # answers
    pytest.param(
        case("ANS001", A, ("plan: some", marked("plam: some")), says="did you mean 'plan'?"),
        id="ANS001",
    ),
    pytest.param(
        case(
            "ANS002",
            A,
            ("total_devices: 40", marked("total_devices: forty")),
            says="'total_devices' needs a number, not 'forty'",
        ),
        id="ANS002-not-a-number",
    ),
    pytest.param(
        case("ANS002", A, ("total_devices: 40", marked("total_devices: N/A")), says="write 'n/a'"),
        id="ANS002-near-miss",
    ),
    pytest.param(
        case("ANS002", A, ("leader: yes", marked("leader: maybe")), says="(write yes or no)"),
        id="ANS002-yesno",
    ),
    pytest.param(
        case(
            "ANS003",
            A,
            ("total_devices: 40", marked("total_devices: -4")),
            says="-4 is out of range for 'total_devices'",
        ),
        id="ANS003-number",
    ),
    pytest.param(
        case("ANS003", A, ("mes_level: 2", marked("mes_level: 7")), says="levels run from 0 to 4"),
        id="ANS003-ordinal",
    ),
    pytest.param(
        case("ANS004", A, ("plan: some", marked("plan: sme")), says="did you mean 'some'?"),
        id="ANS004",
    ),
    pytest.param(
        case(
            "ANS005",
            A,
            ("mes_level: 2", "mes_level: 1"),
            mark("evidence: MES 截图}"),
            says="question 'mes_users' is skipped for this firm",
        ),
        id="ANS005",
    ),
    pytest.param(
        case("ANS006", A, ("  plan: some\n", ""), mark("answers:"), says="'plan' has no answer"),
        id="ANS006",
    ),
    pytest.param(
        case("ANS007", A, ("plan: some", marked("plan: n/a")), says="'n/a' is not allowed"),
        id="ANS007",
    ),
    pytest.param(
        case(
            "ANS008",
            A,
            ("paper: [inventory]", marked("paper: [none, inventory]")),
            says="'none' cannot be combined with other choices",
        ),
        id="ANS008",
    ),
    pytest.param(
        case(
            "ANS009",
            A,
            ("{id: mini,", "{id: maxi,"),
            mark(QREF),
            says="for questionnaire 'maxi', not 'mini'",
        ),
        id="ANS009-other-questionnaire",
    ),
    pytest.param(
        case(
            "ANS009",
            A,
            ('version: "1.0"', 'version: "0.9"'),
            mark(QREF),
            says="version 0.9 but the questionnaire is version 1.0",
        ),
        id="ANS009-other-version",
    ),
    pytest.param(
        case(
            "ANS010",
            A,
            (
                "  connected_devices: 12\n",
                "  connected_devices: 12\n" + marked("  connected_share: 90") + "\n",
            ),
            says="its figures give 30",
        ),
        id="ANS010",
    ),
    pytest.param(
        case(
            "FIRM001",
            A,
            ("91320500MA1X2Y3C40", marked("91320500MA1X2Y3C41")),
            says="its check character is '1' but should be '0'",
        ),
        id="FIRM001-check-character",
    ),
    pytest.param(
        case("FIRM001", A, ("91320500MA1X2Y3C40", marked("91320500MA1X2Y3S40")), says="'S'"),
        id="FIRM001-bad-character",
    ),
    pytest.param(
        case(
            "FIRM001",
            A,
            ("91320500MA1X2Y3C40", marked("913205000000000000")),
            says="should be 'R'",
        ),
        id="FIRM001-digits-only",
    ),
    pytest.param(
        case(
            "FIRM002", A, ("period: 2026Q3", marked("period: 2026Q5")), says="write it like 2026Q3"
        ),
        id="FIRM002-quarter-5",
    ),
    pytest.param(
        case(
            "FIRM002",
            A,
            ("period: 2026Q3", marked("period: 2026-09")),
            says="the period '2026-09' is not a quarter",
        ),
        id="FIRM002-month",
    ),
    pytest.param(
        case(
            "FIRM003",
            A,
            ("assessed_on: 2026-09-15", marked("assessed_on: 2099-01-01")),
            says="the assessment date 2099-01-01 does not fit the period 2026Q3",
        ),
        id="FIRM003-far-future",
    ),
    pytest.param(
        case(
            "FIRM003",
            A,
            ("assessed_on: 2026-09-15", marked("assessed_on: 2019-06-30")),
            says="from 2026-03-31 to 2027-10-01",
        ),
        id="FIRM003-years-before",
    ),
]

# Problems reported at the right code but not (yet) at the right line.


def write_case(item: Case, folder: Path) -> Path:
    shutil.copy(DATA_DIR / "mini.yaml", folder / "mini.yaml")  # answer files name it by path
    path = folder / f"{item.base}.yaml"
    path.write_bytes(item.text().encode(item.encoding))
    return path


def problems_of(item: Case, folder: Path, questionnaire: Questionnaire) -> list[Problem]:
    path = write_case(item, folder)
    q = questionnaire if item.base == "catalogue" else None
    return list(assessment.check_file(path, q).problems)


def matching(problems: list[Problem], item: Case) -> list[Problem]:
    return [p for p in problems if p.code == item.code and item.says in str(p)]


@pytest.mark.parametrize("item", CASES)
def test_each_mistake_is_reported_with_its_code(
    item: Case, tmp_path: Path, mini_questionnaire: Questionnaire
) -> None:
    problems = problems_of(item, tmp_path, mini_questionnaire)
    assert matching(problems, item), "\n".join(map(str, problems))


@pytest.mark.parametrize("item", CASES)
def test_each_mistake_is_reported_at_its_line(
    item: Case, tmp_path: Path, mini_questionnaire: Questionnaire
) -> None:
    problems = problems_of(item, tmp_path, mini_questionnaire)
    lines = [p.location.line for p in matching(problems, item)]
    assert lines, "\n".join(map(str, problems))
    assert item.marked_line() in lines, "\n".join(map(str, problems))


# Codes of the import routes and the services register are about tables, not YAML files: their
# own tests cover them.
TABLE_CODES = ("IMP", "WJX", "ODK", "XLS", "SVC")


def test_the_table_covers_every_code() -> None:
    covered = {param.values[0].code for param in CASES}
    assert covered == {code for code in CODES if not code.startswith(TABLE_CODES)}


def test_every_table_code_is_met_in_the_import_tests() -> None:
    tests = "".join(
        p.read_text(encoding="utf-8")
        for pattern in ("tests/test_collect*.py", "tests/test_programme_services.py")
        for p in DOCS.parent.parent.glob(pattern)
    )
    missing = [c for c in CODES if c.startswith(TABLE_CODES) and c not in tests]
    assert missing == [], "codes no import test expects"


@pytest.mark.parametrize("base", ["questionnaire", "answers", "catalogue"])
def test_the_unchanged_files_are_clean(
    base: str, tmp_path: Path, mini_questionnaire: Questionnaire
) -> None:
    assert problems_of(Case("", base, (), ""), tmp_path, mini_questionnaire) == []


@pytest.mark.parametrize(
    ("base", "edits"),
    [
        pytest.param(Q, (when("answered(plan) and industry == 'machinery'"),), id="answered"),
        pytest.param(Q, (when("'finance' in paper or plan in ['some', 'full']"),), id="choices"),
        pytest.param(A, (("plan: some", "plan: unknown"),), id="unknown-answer"),
        pytest.param(
            A,
            (("  connected_devices: 12\n", "  connected_devices: 12\n  connected_share: 30\n"),),
            id="computed-typed-correctly",
        ),
        pytest.param(
            Q,
            (
                (
                    "      - {rule: lower_levels}\n  - id: l3",
                    "      - {rule: lower_levels}\n"
                    '      - {rule: condition, expr: "score(awareness) >= 50", label: aware}\n'
                    "  - id: l3",
                ),
            ),
            id="score-in-level-rule",
        ),
        pytest.param(
            C,
            (('"mes_level < 2"', '"score(devices) < 50"'),),
            id="score-in-trigger",
        ),
    ],
)
def test_a_valid_variant_has_no_problems(
    base: str,
    edits: tuple[tuple[str, str], ...],
    tmp_path: Path,
    mini_questionnaire: Questionnaire,
) -> None:
    problems = problems_of(Case("", base, edits, ""), tmp_path, mini_questionnaire)
    assert problems == []


def test_a_draft_answer_file_may_leave_questions_out(tmp_path: Path) -> None:
    item = Case("", A, (("  plan: some\n", ""), ("  leader: yes\n", "")), "")
    path = write_case(item, tmp_path)
    assert list(assessment.check_file(path, partial=True).problems) == []
    codes = [p.code for p in assessment.check_file(path).problems.problems]
    assert codes == ["ANS006", "ANS006"]


@pytest.mark.parametrize(
    ("base", "edits", "codes"),
    [
        pytest.param(
            Q,
            (
                ("scale: yes3", "scale: yes4"),
                (DIM_WEIGHT, "weight: 0\n    interpretation"),
                when("mes_level >= "),
            ),
            ["EXPR001", "REF001", "WEIGHT001"],
            id="questionnaire-checks",
        ),
        pytest.param(
            Q,
            (
                (DIM_WEIGHT, "wieght: 2\n    interpretation"),
                ('version: "1.0"\n', ""),
                ("reverse: true", "reverse: maybe"),
            ),
            ["SCHEMA001", "SCHEMA002", "SCHEMA003"],
            id="questionnaire-schema",
        ),
        pytest.param(
            A,
            (
                ("plan: some", "plan: sme"),
                ("total_devices: 40", "total_devices: forty"),
                ("paper: [inventory]", "paper: [none, inventory]"),
            ),
            ["ANS002", "ANS004", "ANS008"],
            id="answers",
        ),
        pytest.param(
            A,
            (
                ("91320500MA1X2Y3C40", "91320500MA1X2Y3C41"),
                ("period: 2026Q3", "period: 2026Q9"),
                ("employees: 120", "employees: many"),
            ),
            ["FIRM001", "FIRM002", "SCHEMA002"],
            id="answers-firm",
        ),
        pytest.param(
            C,
            (
                ("[devices]", "[devics]"),
                ("[cloud_erp]", "[cloud_erb]"),
                ('"mes_level < 2"', '"mes_lvl < 2"'),
            ),
            ["REF001", "REF001", "REF001"],
            id="catalogue",
        ),
    ],
)
def test_all_problems_are_reported_at_once(
    base: str,
    edits: tuple[tuple[str, str], ...],
    codes: list[str],
    tmp_path: Path,
    mini_questionnaire: Questionnaire,
) -> None:
    problems = problems_of(Case("", base, edits, ""), tmp_path, mini_questionnaire)
    assert sorted(p.code for p in problems) == codes, "\n".join(map(str, problems))
    assert len({p.location.line for p in problems}) == 3


# The command line

runner = CliRunner()
PROBLEM_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) \S.*$"
)


def test_validate_a_clean_file() -> None:
    path = DATA_DIR / "mini.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{path}: ok (questionnaire)\n",
        "",
    )


def test_validate_tells_the_three_kinds_apart(tmp_path: Path) -> None:
    catalogue = write_case(Case("", C, (), ""), tmp_path)
    files = [DATA_DIR / "mini.yaml", DATA_DIR / "mini_answers.yaml", catalogue]
    result = runner.invoke(app, ["validate", "-q", str(files[0]), *map(str, files)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{files[0]}: ok (questionnaire)",
        f"{files[1]}: ok (answers)",
        f"{files[2]}: ok (catalogue)",
    ]


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_validate_a_bad_file_prints_one_line_per_problem(debug: list[str], tmp_path: Path) -> None:
    item = Case("", A, (("plan: some", "plan: sme"), ("total_devices: 40", "total_devices: x")), "")
    path = write_case(item, tmp_path)
    result = runner.invoke(app, [*debug, "validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}:11:3: ANS004 'sme' is not a choice of 'plan' (did you mean 'some'?)",
        f"{path}:14:3: ANS002 'total_devices' needs a number, not 'x' "
        "(write digits only, e.g. 120)",
    ]
    assert all(PROBLEM_LINE.match(line) for line in lines)


@pytest.mark.parametrize("item", CASES)
def test_validate_prints_every_mistake_as_a_located_line(item: Case, tmp_path: Path) -> None:
    path = write_case(item, tmp_path)
    args = ["validate", str(path)]
    if item.base == "catalogue":
        args[1:1] = ["-q", str(tmp_path / "mini.yaml")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    located = re.compile(rf"^{re.escape(str(path))}(:\d+:\d+)?: [A-Z]+\d{{3}} \S")
    lines = result.stderr.splitlines()
    assert lines, result.output
    assert all(located.match(line) for line in lines), result.stderr
    assert any(item.code in line and item.says in line for line in lines), result.stderr


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "SUPPORT002 the services register has no kind 'software_pkg': what the park gives "
            "under this route would never lower a firm's costs (did you mean 'software_package'? "
            "the register's kinds: free_diagnosis, software_package, subsidy, training, "
            "onsite_service)",
        ),
        (
            "zh",
            "SUPPORT002 服务台账没有 'software_pkg' 这一服务类别：园区经此渠道提供的支持永远"
            "不会降低企业的费用（是否想写 'software_package'？台账的服务类别：free_diagnosis, "
            "software_package, subsidy, training, onsite_service）",
        ),
    ],
)
def test_validate_names_a_route_kind_the_register_does_not_have_at_its_value(
    lang: str, expected: str, tmp_path: Path
) -> None:
    (item,) = (p.values[0] for p in CASES if p.values[0].code == "SUPPORT002")
    path = write_case(item, tmp_path)
    mini = tmp_path / "mini.yaml"
    result = runner.invoke(app, ["validate", "-q", str(mini), str(path)], env={"DTM_LANG": lang})
    assert result.exit_code == 2, result.output
    column = item.text().splitlines()[item.marked_line() - 1].index("service_kind") + 1
    assert result.stderr.splitlines() == [f"{path}:{item.marked_line()}:{column}: {expected}"]


def test_validate_of_a_route_kind_far_from_every_kind_lists_the_kinds(tmp_path: Path) -> None:
    item = case(
        "SUPPORT002",
        C,
        (
            "    detail: {zh: 联系园区, en: Ask the park}\n",
            "    detail: {zh: 联系园区, en: Ask the park}\n    service_kind: voucher\n",
        ),
        says="voucher",
    )
    path = write_case(item, tmp_path)
    result = runner.invoke(app, ["validate", "-q", str(tmp_path / "mini.yaml"), str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{path}:30:5: SUPPORT002 the services register has no kind 'voucher': what the park "
        "gives under this route would never lower a firm's costs (the register's kinds: "
        "free_diagnosis, software_package, subsidy, training, onsite_service)"
    ]


def test_validate_a_file_of_no_known_kind_is_file002(tmp_path: Path) -> None:
    path = write_case(Case("", "other", (), ""), tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:1:1: FILE002 this is not a questionnaire, scenario catalogue or answer file "
        "(a questionnaire has 'dimensions:', a catalogue 'scenarios:', an answer file 'answers:')\n"
    )


def test_validate_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    missing, good = tmp_path / "missing.yaml", DATA_DIR / "mini.yaml"
    result = runner.invoke(app, ["validate", str(missing), str(good)])
    assert result.exit_code == 2
    assert result.stderr == f"{missing}: FILE001 the file does not exist (check the path)\n"
    assert result.stdout == f"{good}: ok (questionnaire)\n"


def test_debug_validate_of_a_clean_file() -> None:
    path = DATA_DIR / "mini_answers.yaml"
    result = runner.invoke(app, ["--debug", "validate", str(path)])
    assert (result.exit_code, result.stdout) == (0, f"{path}: ok (answers)\n")


def test_validate_a_very_long_condition_is_not_a_crash(tmp_path: Path) -> None:
    path = write_case(case("EXPR003", Q, when("1+" * 990 + "1"), says=""), tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "EXPR003" in result.stderr


# The catalogue of codes in docs/errors.md


def test_every_code_is_documented() -> None:
    headings = set(re.findall(r"^## ([A-Z]+\d{3})\b", DOCS.read_text(encoding="utf-8"), re.M))
    assert sorted(set(CODES) - headings) == [], "codes missing from docs/errors.md"
    assert sorted(headings - set(CODES)) == [], "docs/errors.md documents codes that do not exist"


def test_demonstration_eligibility_rules_are_checked_at_load(tmp_path: Path) -> None:
    text = (DATA_DIR / "mini.yaml").read_text(encoding="utf-8")
    text += (
        "demonstration:\n"
        "  - tier: leading\n"
        "    rules:\n"
        "      - {when: leadr and level >= 1, label: {zh: 愿意, en: willing}}\n"
    )
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    problems = check_file(path).problems.problems
    assert any(
        p.code == "REF001" and "did you mean 'leader'" in str(p) and "'leadr'" in str(p)
        for p in problems
    ), [str(p) for p in problems]


def test_header_and_answer_problems_come_together_and_a_missing_answer_names_its_question(
    tmp_path: Path,
) -> None:
    shutil.copy(DATA_DIR / "mini.yaml", tmp_path / "mini.yaml")
    text = (DATA_DIR / "mini_answers.yaml").read_text(encoding="utf-8")
    text = text.replace("91320500MA1X2Y3C40", "91320500MA1X2Y3C41").replace("2026Q3", "2026-3")
    text = text.replace("  plan: some\n", "").replace("mes_level: 2", "mes_level: 9")
    answers = tmp_path / "answers.yaml"
    answers.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(answers)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    codes = [line for line in lines if "answers.yaml:" in line]
    assert any("credit code" in line for line in codes), lines
    assert any(":7:" in line and "period" in line.lower() for line in codes), lines
    assert any("mes_level" in line for line in codes), lines
    missing = next(line for line in codes if "'plan' has no answer" in line)
    asked = (DATA_DIR / "mini.yaml").read_text(encoding="utf-8").splitlines()
    line_no = next(i for i, t in enumerate(asked, 1) if "- id: plan" in t)
    assert f"(asked at {tmp_path / 'mini.yaml'}:{line_no}:" in missing


def test_a_value_no_question_takes_is_one_line_and_the_other_answers_are_still_checked(
    tmp_path: Path,
) -> None:
    sample = Path("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml").read_text("utf-8")
    data = yaml.safe_load(sample)
    data["answers"]["digital_staff"] = [1, 2]
    data["answers"]["invest_share"] = "lots"
    data["answers"]["month_end_days"] = {"value": [[3]], "note": "月底"}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ValidationFailed) as caught:
        assessment.load_answers(path)
    lines = [str(p) for p in caught.value.problems]
    about = {qid: [ln for ln in lines if f"'{qid}'" in ln] for qid in data["answers"]}
    assert len(about["digital_staff"]) == 1
    assert "ANS002 the answer to 'digital_staff' is a list of numbers" in about["digital_staff"][0]
    assert len(about["month_end_days"]) == 1
    assert len(about["invest_share"]) == 1
    assert "ANS002 'invest_share' needs a number, not 'lots'" in about["invest_share"][0]
    assert not any("SCHEMA002" in ln or "ANS006" in ln for ln in lines)
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("qid", "raw", "en", "zh"),
    [
        (
            "digital_staff",
            {"a": 1},
            "ANS002 the answer to 'digital_staff' is a mapping, which no question takes "
            "(write the value itself, or under 'value:' with its 'note:' or 'evidence:')",
            "ANS002 'digital_staff' 的答案是映射，没有题目接受这种答案",
        ),
        (
            "subsidies_used",
            {"a": "b"},
            "ANS002 the answer to 'subsidies_used' is a mapping, which no question takes",
            "ANS002 'subsidies_used' 的答案是映射，没有题目接受这种答案",
        ),
        (
            "main_pain_point",
            {"a": [1]},
            "ANS002 the answer to 'main_pain_point' is a mapping, which no question takes",
            "ANS002 'main_pain_point' 的答案是映射，没有题目接受这种答案",
        ),
        (
            "digital_plan",
            {"value": "none", "note": [1]},
            "ANS002 the note to 'digital_plan' is a list of numbers, not text "
            "(write the note as text, or remove it)",
            "ANS002 'digital_plan' 的备注是由数字组成的列表，而不是文字",
        ),
        (
            "digital_plan",
            {"value": "none", "evidence": {"a": 1}},
            "ANS002 the evidence of 'digital_plan' is a mapping, not text or a list of texts",
            "ANS002 'digital_plan' 的证据是映射，而不是文字或文字列表",
        ),
    ],
    ids=["mapping-for-a-number", "mapping-for-choices", "mapping-for-text", "note", "evidence"],
)
def test_a_mapping_or_note_of_the_wrong_kind_is_one_line_and_the_rest_is_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qid: str, raw: object, en: str, zh: str
) -> None:
    sample = Path("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml").read_text("utf-8")
    data = yaml.safe_load(sample)
    data["answers"][qid] = raw
    data["answers"]["month_end_days"] = "x"
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    written = path.read_text("utf-8").splitlines()
    line = next(i for i, t in enumerate(written, 1) if t.startswith(f"  {qid}:"))
    checked = [str(p) for p in check_file(path).problems.problems]
    assert [p.split(": ", 1)[1][:6] for p in checked] == ["ANS002", "ANS002"], checked
    with pytest.raises(ValidationFailed) as caught:
        assessment.assess(path)
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 2, found
    assert any(p.startswith(f"{path}:{line}:3: {en}") for p in found), found
    assert any("ANS002 'month_end_days' needs a number, not 'x'" in p for p in found), found
    for lang, expected in (("en", en), ("zh", zh)):
        monkeypatch.setenv("DTM_LANG", lang)
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 2
        shown = [ln for ln in result.output.splitlines() if ln.startswith(str(path))]
        assert len(shown) == 2, result.output
        assert any(ln.startswith(f"{path}:{line}:3: {expected}") for ln in shown), shown
        assert any(":month_end_days" in ln or "'month_end_days'" in ln for ln in shown), shown
        assert "SCHEMA" not in result.output


@pytest.mark.parametrize(
    ("sample", "total", "networked", "share"),
    [
        (
            "examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml",
            "production_devices",
            "networked_devices",
            "networked_share",
        ),
        (
            "examples/miit_2024/2026Q3/91320594MA1A3K7R2A.yaml",
            "total_devices",
            "networked_devices",
            "networked_device_share",
        ),
    ],
    ids=["quick scan", "MIIT 2024"],
)
def test_more_networked_machines_than_machines_is_a_contradiction(
    tmp_path: Path, sample: str, total: str, networked: str, share: str
) -> None:
    data = yaml.safe_load(Path(sample).read_text("utf-8"))
    data["answers"][total] = 10
    data["answers"][networked] = 500
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ValidationFailed) as caught:
        assessment.load_answers(path)
    lines = [str(p) for p in caught.value.problems]
    assert any(f"ANS010 '{share}' works out at 5000% from its figures" in ln for ln in lines)
    assert all("ANS010" in ln for ln in lines)
    # Located at the networked machines' own answer, where the mistake is to be fixed.
    written = path.read_text("utf-8").splitlines()
    line = next(i for i, t in enumerate(written, 1) if t == f"  {networked}: 500")
    assert [(p.location.line, p.location.column) for p in caught.value.problems] == [(line, 3)]
