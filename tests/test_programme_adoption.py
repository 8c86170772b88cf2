"""Adoption, recognition and the work summary, worked out by hand on the mini questionnaire.

Adoption is judged by evidence, the catalogue's `adopted_when`. Firm A (machinery) keeps books on
paper and has 12 of 40 devices networked, then drops the paper ledger and networks 30 of 40:
cloud_erp ('inventory' in paper) stops firing and its evidence (no paper books) holds, so it is
adopted; connect_devices (under 50%) stops firing too, but its evidence asks for 80% networked,
so it is counted apart as dropped, not adopted; strategy_workshop (plan 'some'), mes_rollout
(MES level 1 below the next level 3) and level_review (level 2, awareness 66.7 < 70) still fire.
Firm B (metal processing) has nobody in charge, then has: leader_coaching is adopted;
metal_ledger (trigger `true`, adopted_when `false`) never can be. Firm C moves its plan from
'none' to 'some': strategy_workshop still fires, so it is adopted only under a catalogue whose
`adopted_when` says a plan of any kind will do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import assessment
from assessment.collect.services import Service
from assessment.engine.pipeline import Assessment
from assessment.engine.service_kinds import load_kinds
from assessment.errors import ValidationFailed
from assessment.models.catalogue import Catalogue
from assessment.models.questionnaire import Questionnaire
from assessment.park.adoption import by_scenario, firm_adoption, panel_adoption
from assessment.park.recognition import candidates, willing
from assessment.park.worksummary import Quarter, work_summary

A, B, C, D = (
    "91320500MA1X2Y3C40",
    "91320594MA1A3K7R2A",
    "91320594MA1A7J2U64",
    "91320594MA1B5K9W3X",
)
FULL = {"total_devices": 40, "connected_devices": 40, "mes_level": 4, "mes_users": 20}
A_PAPER = {"plan": "some", "leader": "yes", "paper": ["inventory"], "total_devices": 40}
A_PAPER |= {"connected_devices": 12, "mes_level": 1}
A_CLOUD = {**A_PAPER, "paper": ["none"], "connected_devices": 30}
B_ALONE = {"plan": "full", "leader": "no", "paper": ["none"], **FULL}
B_LED = {**B_ALONE, "leader": "yes"}
C_NONE = {"plan": "none", "leader": "yes", "paper": ["none"], **FULL}
C_SOME = {**C_NONE, "plan": "some"}
RECOGNITION = """
willing:
  when: leader
  label: {zh: 有负责人, en: Someone in charge}
recognition:
  - id: connected_workshop
    name: {zh: 联网车间, en: Connected workshop}
    within_reach: 1
    rules:
      - {when: connected_share >= 50, label: {zh: 联网率过半, en: Over half networked}}
      - {when: mes_level >= 3, label: {zh: MES 三级, en: MES level 3}}
"""


DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def mini() -> tuple[Questionnaire, Catalogue]:
    q = assessment.load_questionnaire(DATA / "mini.yaml")
    return q, assessment.load_catalogue(DATA / "mini_scenarios.yaml", q)


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory, mini: tuple[Questionnaire, Catalogue]) -> Any:
    folder = tmp_path_factory.mktemp("answers")

    def assess_firm(
        code: str, industry: str, period: str, answers: dict[str, Any], catalogue: Any = None
    ) -> Assessment:
        month = 3 * int(period[-1]) - 1
        firm = {"name": f"firm {code[-4:]}", "credit_code": code, "industry": industry}
        doc = {
            "questionnaire": {"id": "mini", "version": "1.0"},
            "firm": {**firm, "employees": 50},
            "period": period,
            "assessor": "王工",
            "assessed_on": f"{period[:4]}-{month:02d}-10",
            "answers": answers,
        }
        path = folder / f"{code}-{period}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        return assessment.assess(path, questionnaire=mini[0], catalogue=catalogue or mini[1])

    return assess_firm


def _ids(recs: Any) -> list[str]:
    return [r.scenario for r in recs]


def test_adoption_of_firm_a_and_b_by_hand(make: Any, mini: tuple[Questionnaire, Catalogue]) -> None:
    cat = mini[1]
    a2, a3 = make(A, "machinery", "2026Q2", A_PAPER), make(A, "machinery", "2026Q3", A_CLOUD)
    found = firm_adoption(
        a2.recommendations, a3.card, a3.recommendations, before="2026Q2", catalogue=cat
    )
    assert _ids(found.adopted) == ["cloud_erp"]
    assert _ids(found.dropped) == ["connect_devices"]  # trigger stopped, no evidence
    assert sorted(_ids(found.pending)) == ["level_review", "mes_rollout", "strategy_workshop"]
    # without the catalogue's evidence nothing counts as adopted
    bare = firm_adoption(a2.recommendations, a3.card, a3.recommendations, before="2026Q2")
    assert _ids(bare.adopted) == [] and _ids(bare.dropped) == ["cloud_erp", "connect_devices"]
    assert (found.before, found.period) == ("2026Q2", "2026Q3")
    b2, b3 = (
        make(B, "metal_processing", "2026Q2", B_ALONE),
        make(B, "metal_processing", "2026Q3", B_LED),
    )
    found = firm_adoption(
        b2.recommendations, b3.card, b3.recommendations, before="2026Q2", catalogue=cat
    )
    assert (_ids(found.adopted), _ids(found.pending)) == (["leader_coaching"], ["metal_ledger"])


def test_adoption_can_be_defined_per_scenario_in_the_catalogue(
    make: Any, data_dir: Path, tmp_path: Path, mini: tuple[Questionnaire, Catalogue]
) -> None:
    data = yaml.safe_load((data_dir / "mini_scenarios.yaml").read_text(encoding="utf-8"))
    workshop = next(s for s in data["scenarios"] if s["id"] == "strategy_workshop")
    workshop["adopted_when"] = "plan != 'none'"
    path = tmp_path / "mini_scenarios.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    custom = assessment.load_catalogue(path, mini[0])
    c2, c3 = make(C, "other", "2026Q2", C_NONE), make(C, "other", "2026Q3", C_SOME)
    assert _ids(c3.recommendations) == ["strategy_workshop"]  # the trigger still fires
    default = firm_adoption(c2.recommendations, c3.card, c3.recommendations, before="2026Q2")
    assert _ids(default.adopted) == []
    own = firm_adoption(
        c2.recommendations, c3.card, c3.recommendations, before="2026Q2", catalogue=custom
    )
    assert _ids(own.adopted) == ["strategy_workshop"]
    workshop["adopted_when"] = "plan_typo != 'none'"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="REF001"):
        assessment.load_catalogue(path, mini[0])


def test_per_scenario_counts_cover_only_firms_assessed_in_both(
    make: Any, mini: tuple[Questionnaire, Catalogue]
) -> None:
    before = {
        A: make(A, "machinery", "2026Q2", A_PAPER),
        B: make(B, "metal_processing", "2026Q2", B_ALONE),
    }
    now = {A: make(A, "machinery", "2026Q3", A_CLOUD), C: make(C, "other", "2026Q3", C_SOME)}
    firms = panel_adoption(
        [a.card for a in now.values()],
        {k: v.recommendations for k, v in now.items()},
        {k: v.card for k, v in before.items()},
        {k: v.recommendations for k, v in before.items()},
        catalogues={"mini": mini[1]},
    )
    assert [f.credit_code for f in firms] == [A]  # B not assessed now, C not before
    rows = {r.scenario: (r.recommended, r.adopted, r.dropped) for r in by_scenario(firms)}
    assert rows["cloud_erp"] == (1, 1, 0)
    assert rows["connect_devices"] == (1, 0, 1)  # no longer recommended, not adopted
    assert rows["strategy_workshop"] == (1, 0, 0)


def _with_recognition(data_dir: Path, tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text((data_dir / "mini.yaml").read_text(encoding="utf-8") + extra, "utf-8")
    return path


def test_recognition_candidates_and_willingness_by_hand(
    make: Any, data_dir: Path, tmp_path: Path
) -> None:
    q = assessment.load_questionnaire(_with_recognition(data_dir, tmp_path, RECOGNITION))
    cards = [
        make(A, "machinery", "2026Q2", A_PAPER).card,  # 30% networked, MES 1: misses both
        make(C, "other", "2026Q3", A_CLOUD).card,  # 75% networked, MES 1: misses one
        make(B, "metal_processing", "2026Q3", B_LED).card,  # 100%, MES 4: meets both
    ]
    (found,) = candidates(cards, {"mini": q})
    assert (found.id, found.judged) == ("connected_workshop", 3)
    assert [c.firm.credit_code for c in found.meets] == [B]
    assert [(s.card.firm.credit_code, [u.en for u in s.unmet]) for s in found.within_reach] == [
        (C, ["MES level 3"])
    ]
    assert [willing(c, q) for c in cards] == [True, True, True]
    assert willing(make(B, "metal_processing", "2026Q2", B_ALONE).card, q) is False


@pytest.mark.parametrize(
    ("extra", "code", "where"),
    [
        (RECOGNITION.replace("mes_level >= 3", "mes_levl >= 3"), "REF001", "recognition"),
        (RECOGNITION.replace("when: leader", "when: leader and"), "EXPR001", "willing"),
        (RECOGNITION + RECOGNITION.split("recognition:\n")[1], "ID001", "recognition"),
    ],
)
def test_recognition_criteria_are_checked_at_load_time(
    data_dir: Path, tmp_path: Path, extra: str, code: str, where: str
) -> None:
    path = _with_recognition(data_dir, tmp_path, extra)
    with pytest.raises(ValidationFailed) as caught:
        assessment.load_questionnaire(path)
    (problem,) = [p for p in caught.value.problems if p.code == code]
    line = path.read_text(encoding="utf-8").splitlines()[problem.location.line - 1]
    assert problem.location.path == str(path)
    assert where in line or line.lstrip().startswith(("- {when", "- id", "when"))


def _quarter(period: str, found: list[Assessment], services: list[Service]) -> Quarter:
    return Quarter(
        period,
        [a.card for a in found],
        {a.card.firm.credit_code: list(a.recommendations) for a in found},
        services,
    )


def test_a_year_counts_each_firm_once(make: Any, mini: tuple[Questionnaire, Catalogue]) -> None:
    from datetime import date

    def line(code: str, day: str, kind: str, amount: float | None) -> Service:
        return Service(code, date.fromisoformat(day), kind, "甲", amount)

    q1 = _quarter(
        "2026Q1",
        [make(A, "machinery", "2026Q1", A_PAPER), make(B, "metal_processing", "2026Q1", B_ALONE)],
        [line(A, "2026-02-10", "software_package", 2.0)],
    )
    q2 = _quarter(
        "2026Q2",
        [make(A, "machinery", "2026Q2", A_CLOUD), make(C, "other", "2026Q2", C_NONE)],
        [
            line(A, "2026-05-10", "software_package", 1.5),
            line(D, "2026-05-12", "onsite_service", None),
        ],
    )
    q3 = _quarter(
        "2026Q3",
        [
            make(A, "machinery", "2026Q3", A_CLOUD),
            make(B, "metal_processing", "2026Q3", B_LED),
            make(C, "other", "2026Q3", C_SOME),
        ],
        [line(A, "2026-08-19", "training", None), line(B, "2026-08-20", "subsidy", 10.0)],
    )
    kinds = load_kinds()
    cats = {"mini": mini[1]}
    year = work_summary([q1, q2, q3], kinds=kinds, register=5, scope="2026", catalogues=cats)
    value = {f.id: (f.value, f.of) for f in year.figures}
    assert value["assessed"] == (3, 5)  # seven assessments, three firms
    assert value["visited"] == (4, 5)  # D had an on-site visit only
    assert value["supported"] == (3, 4)
    assert value["support_amount"][0] == 13.5
    # A adopts cloud_erp Q1→Q2 (connect_devices stops firing at 75% networked, short of the 80%
    # its evidence asks: dropped, not adopted); B adopts leader_coaching Q1→Q3 (its next
    # assessment); C adopts nothing. Each firm and scenario once: two scenarios in two firms.
    assert value["adopted"] == (2, 2)
    assert year.figure("adopted").shown("zh") == "2 个场景，涉及 2 家企业"
    dropped = {a.scenario: a.dropped for a in year.adoption}
    assert dropped["connect_devices"] == 1 and dropped["cloud_erp"] == 0
    assert value["adopting_firms"] == (2, 3)
    # First against last assessment of the year: A level 2 → 2, B 3 → 3, C 2 → 3.
    assert (value["rose"], value["fell"]) == ((1, 3), (0, 3))
    support = {k.kind: (k.firms, k.lines, k.amount) for k in year.support}
    assert support["software_package"] == (1, 2, 3.5)
    assert support["onsite_service"] == (1, 1, 0.0)
    quarter = work_summary([q3], kinds=kinds, before=q2, register=5, catalogues=cats)
    value = {f.id: (f.value, f.of) for f in quarter.figures}
    assert value["assessed"] == (3, 5)
    assert value["adopted"] == (0, 0)  # A and C assessed in both quarters, nothing new
    assert value["adopting_firms"] == (0, 2)
    assert value["rose"] == (1, 2)  # C: level 2 → 3
    assert quarter.scope == "2026Q3"
    assert quarter.to_dict()["figures"][2]["value"] == 3


@pytest.mark.parametrize(
    ("lang", "adopted", "still_open"),
    [
        ("zh", "贵企业已落地：云 ERP。", "尚待落地："),
        ("en", "you adopted: Cloud ERP.", "Still open from"),
    ],
)
def test_the_diagnosis_report_says_what_the_firm_adopted(
    make: Any, mini: tuple[Questionnaire, Catalogue], lang: str, adopted: str, still_open: str
) -> None:
    from assessment.report.render import render_html

    a2, a3 = make(A, "machinery", "2026Q2", A_PAPER), make(A, "machinery", "2026Q3", A_CLOUD)
    found = firm_adoption(
        a2.recommendations, a3.card, a3.recommendations, before="2026Q2", catalogue=mini[1]
    )
    html = render_html("diagnosis", a3, lang=lang, previous=a2.card, adoption=found)  # type: ignore[arg-type]
    text = re.sub(r"<[^>]+>", "", html).replace("\u2060", "")  # the joiners inside terms
    text = re.sub(r"\s+", " ", text)
    assert adopted in text
    assert still_open in text
    dropped = (
        "不再推荐、但尚无落地证据：设备联网。" if lang == "zh" else "adoption: Connect devices."
    )
    assert dropped in text
    plain = render_html("diagnosis", a3, lang=lang, previous=a2.card)  # type: ignore[arg-type]
    assert still_open not in re.sub(r"<[^>]+>", "", plain)


def test_dtm_report_with_an_earlier_file_names_the_adopted_scenarios(make: Any) -> None:
    from assessment.park.from_files import adoption_since

    a2, a3 = make(A, "machinery", "2026Q2", A_PAPER), make(A, "machinery", "2026Q3", A_CLOUD)
    assert a2.source is not None
    found = adoption_since(a3, a2.source, DATA / "mini_scenarios.yaml")
    assert _ids(found.adopted) == ["cloud_erp"]
    assert _ids(found.dropped) == ["connect_devices"]
    with pytest.raises(assessment.DtmError, match="not a period before"):
        adoption_since(a2, a3.source or "")


def test_miit_levels_are_recognitions_with_the_firms_one_level_short_within_reach() -> None:
    from assessment.park.recognition import questionnaires_of

    folder = Path(__file__).parent.parent / "examples" / "miit_2024" / "2026Q3"
    cards = [r.card for r in assessment.assess_many(folder) if isinstance(r, Assessment)]
    found = {c.id: c for c in candidates(cards, questionnaires_of(cards))}
    assert set(found) == {"miit_level_2", "miit_level_3"}
    for honour, rank in (("miit_level_2", 2), ("miit_level_3", 3)):
        ranks = {c.firm.credit_code: c.level.rank if c.level else 0 for c in cards}
        assert {c.firm.credit_code for c in found[honour].meets} == {
            k for k, r in ranks.items() if r >= rank
        }
        assert {s.card.firm.credit_code for s in found[honour].within_reach} == {
            k for k, r in ranks.items() if r == rank - 1
        }
    assert found["miit_level_2"].judged == len(cards)
