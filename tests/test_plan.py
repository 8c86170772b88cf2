"""The plan: what a firm can afford and carry, read from its answers, and a roadmap that fits.

Three sample firms worked by hand (a small paper-ledger firm, a mid-sized one, an advanced one),
then properties over generated roadmaps and generated firms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.engine.afford import Means
from assessment.engine.fit import fit, in_order
from assessment.engine.pipeline import Assessment, assess, assess_sheet
from assessment.models.answers import Answer, AnswerSheet
from assessment.models.common import TextValue
from assessment.models.results import Recommendation, Support
from assessment.resources import sample_park_dir

Q3 = sample_park_dir() / "2026Q3"
SMALL = Q3 / "91320594MA1A3K7R2A.yaml"  # 苏州恒锐精密金属制品, 38 people, paper ledgers
MID = Q3 / "91320594MA1D6H3W8R.yaml"  # 苏州联拓铝业科技, 210 people
ADVANCED = Q3 / "91320594MA1D4M8Y23.yaml"  # 苏州德钧自动化装备, 150 people


def plan_of(a: Assessment) -> dict[str, Any]:
    assert a.plan is not None
    return {
        "budget": a.plan.budget,
        "capacity": a.plan.capacity,
        "years": [(y.year, y.scenarios, y.cost_min, y.cost_max) for y in a.plan.years],
    }


def why(a: Assessment) -> dict[str, tuple[str | None, list[str]]]:
    return {r.scenario: (r.deferred, r.waiting_on) for r in a.recommendations if r.year != 1}


def test_a_small_paper_ledger_firm_gets_three_things_within_its_means() -> None:
    a = assess(SMALL)
    assert a.card.firm.employees == 38 and len(a.recommendations) == 16
    # budget: digital_spend 4.9 (10k CNY) × 1.5 = 7.35, below the stated plan's cap of 10;
    # it_owner part_time: one project at a time
    # free first: the plan service (2 months) and the talent programme (6 months) are paid in
    # full by the park's training; then cloud ERP, low band 0–100k, half paid by the park's
    # software package: 0–50k, within 73.5k; OA (another 50k) would pass 73.5k, so year one
    # stops; year 2 takes OA (0–50k), scan-to-report (50k more) waits for year 3
    assert plan_of(a) == {
        "budget": 73_500,
        "capacity": 1,
        "years": [
            (1, ["digital_plan_service", "talent_programme", "cloud_erp"], 0, 50_000),
            (2, ["oa_paperless"], 0, 50_000),
            (3, ["scan_reporting"], 0, 50_000),
        ],
    }
    months = {r.scenario: (r.start_month, r.end_month) for r in a.recommendations if r.year}
    assert months["digital_plan_service"] == (1, 2)
    assert months["talent_programme"] == (3, 8)
    assert months["cloud_erp"] == (9, 11)
    reasons = why(a)
    assert reasons["oa_paperless"] == ("budget", [])
    # factory network: low band with no route that pays (0–100k) is above a year's 73.5k
    assert reasons["factory_network"] == ("over_budget", [])
    assert reasons["wms_barcode"] == ("prerequisite", ["factory_network"])
    assert a.plan is not None and a.plan.budget_known and a.plan.capacity_known
    assert a.plan.budget_basis[0].zh.startswith("按贵企业目前每年约 4.9 万元的数字化投入")


def test_a_mid_sized_firm_is_held_to_its_stated_plan() -> None:
    a = assess(MID)
    # digital_spend 20 × 1.5 = 30, but the firm plans to spend under 10 (10k CNY): 100k;
    # an IT department: three projects at once. Cloud ERP and OA, 0–50k each, fill year one;
    # scan-to-report and the dashboard (after cloud ERP) fill year two; e-procurement year three
    assert plan_of(a) == {
        "budget": 100_000,
        "capacity": 3,
        "years": [
            (1, ["cloud_erp", "oa_paperless"], 0, 100_000),
            (2, ["scan_reporting", "mgmt_dashboard"], 0, 100_000),
            (3, ["e_procurement"], 0, 50_000),
        ],
    }
    assert a.plan is not None
    assert [b.zh for b in a.plan.budget_basis][
        1
    ] == "贵企业计划投入 10 万元以下，预算以 10 万元为限"
    reasons = why(a)
    assert reasons["scan_reporting"] == ("budget", [])
    # medium band 100k–500k less a 20% subsidy: up to 400k, above a year's 100k
    assert reasons["equipment_connectivity"] == ("over_budget", [])
    assert reasons["mes_lite"] == ("over_budget", [])
    assert reasons["digital_workshop"] == ("open_cost", [])


def test_an_advanced_firm_starts_everything_priced_and_weighs_the_open_ended_apart() -> None:
    a = assess(ADVANCED)
    # digital_spend 96 × 1.5 = 144 (10k CNY); full-time IT staff: two projects at once
    assert plan_of(a) == {
        "budget": 1_440_000,
        "capacity": 2,
        "years": [
            (
                1,
                ["oa_paperless", "scan_reporting", "cloud_erp", "crm_sales", "e_procurement"],
                0,
                250_000,
            )
        ],
    }
    months = {r.scenario: (r.start_month, r.end_month) for r in a.recommendations if r.year}
    # two lanes: OA 1–1 and scan 1–2; cloud ERP takes the first free lane (month 2) for three
    # months; e-procurement waits for cloud ERP to end in month 4
    assert months["cloud_erp"] == (2, 4)
    assert months["e_procurement"] == (5, 7)
    assert why(a) == {
        "digital_workshop": ("open_cost", []),
        "smart_factory": ("prerequisite", ["digital_workshop"]),
    }


def test_unknown_answers_give_the_cautious_default_and_say_so() -> None:
    a = assess(SMALL)
    answers = {
        k: v
        for k, v in a.sheet.answers.items()
        if k not in {"digital_spend", "invest_share", "it_owner", "digital_staff"}
    }
    firm = a.sheet.firm.model_copy(update={"revenue": None})
    sheet = a.sheet.model_copy(update={"answers": answers, "firm": firm})
    b = assess_sheet(sheet, a.questionnaire, partial=True)
    assert b.plan is not None
    assert (b.plan.budget, b.plan.budget_known) == (50_000, False)  # 21–50 people: 5
    assert (b.plan.capacity, b.plan.capacity_known) == (1, False)
    assert "稳妥默认值约 5 万元" in b.plan.budget_basis[0].zh
    assert "未填写 IT 人员情况" in b.plan.capacity_basis.zh


# ---------------------------------------------------------------- properties over roadmaps


@st.composite
def roadmaps(draw: st.DrawFn) -> list[Recommendation]:
    n = draw(st.integers(1, 9))
    recs = []
    for i in range(n):
        ids = [f"s{j}" for j in range(i)]
        needs = draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else []
        low = draw(st.sampled_from([0, 10_000, 100_000]))
        high = draw(st.sampled_from([None, low, low + 50_000, low + 400_000]))
        covers = draw(st.sampled_from([0, 0.2, 0.5, 1]))
        text = TextValue(zh="场景", en="scenario")
        recs.append(
            Recommendation(
                scenario=f"s{i}",
                name=text,
                summary=text,
                rank=0,
                priority=0,
                gap=0,
                impact=1,
                effort=1,
                mandatory=False,
                mandatory_factor=1,
                slot="now",
                triggered_by=[],
                prerequisites=needs,
                waiting_for=needs,
                benefits=[text],
                cost_band="low",
                cost_min=low,
                cost_max=high,
                duration_months=draw(st.integers(1, 9)),
                support=[Support(id="r", kind="software", name=text, detail=text, covers=covers)],
            )
        )
    order = draw(st.permutations(range(n)))
    return [r.model_copy(update={"rank": order[i] + 1}) for i, r in enumerate(recs)]


def means(budget: float, capacity: int) -> Means:
    basis = TextValue(zh="依据", en="basis")
    return Means(budget, True, (basis,), capacity, True, basis)


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


HORIZON = st.integers(1, 5)  # the catalogue's `years`


@PROPS
@given(roadmaps(), st.integers(0, 1_000_000), st.integers(1, 3), HORIZON)
def test_every_year_fits_the_budget_and_the_capacity(
    recs: list[Recommendation], budget: int, capacity: int, years: int
) -> None:
    placed, plan = fit(recs, means(budget, capacity), years)
    for year in plan.years:
        assert 1 <= year.year <= years and year.cost_max <= budget
    planned = [r for r in placed if r.year is not None]
    last = max((r.end_month for r in planned), default=0)
    for month in range(1, last + 1):  # to the end of the last project, past the horizon too
        running = [r for r in planned if r.start_month <= month <= r.end_month]
        assert len(running) <= capacity
    for r in planned:
        assert r.firm_cost_max is not None  # nothing open-ended is planned
        assert (r.year - 1) * 12 < r.start_month <= r.year * 12  # it starts within its year


@PROPS
@given(roadmaps(), st.integers(0, 1_000_000), st.integers(1, 3), HORIZON)
def test_a_prerequisite_never_comes_after_what_needs_it(
    recs: list[Recommendation], budget: int, capacity: int, years: int
) -> None:
    placed, _ = fit(recs, means(budget, capacity), years)
    by_id = {r.scenario: r for r in placed}
    for r in placed:
        if r.year is None:
            continue
        for p in r.waiting_for:
            assert by_id[p].year is not None and by_id[p].end_month < r.start_month


@PROPS
@given(roadmaps(), st.integers(0, 600_000), st.integers(0, 600_000), st.integers(1, 3), HORIZON)
def test_a_larger_budget_never_removes_a_scenario_from_year_one(
    recs: list[Recommendation], budget: int, more: int, capacity: int, years: int
) -> None:
    small, _ = fit(recs, means(budget, capacity), years)
    large, _ = fit(recs, means(budget + more, capacity), years)
    first = {r.scenario for r in small if r.year == 1}
    assert first <= {r.scenario for r in large if r.year == 1}


@PROPS
@given(roadmaps(), st.integers(0, 600_000), st.integers(0, 600_000), st.integers(1, 3), HORIZON)
def test_a_larger_budget_moves_a_scenario_out_of_later_years_only_for_one_ahead_of_it(
    recs: list[Recommendation], budget: int, more: int, capacity: int, years: int
) -> None:
    """Years two on are not monotone in the budget (see the worked case below). What holds: a
    scenario the smaller budget plans and the larger does not gave way to one ahead of it in
    the plan's order that the larger budget lets in, into the plan or back into the queue (it
    was alone above the smaller yearly budget)."""
    small, _ = fit(recs, means(budget, capacity), years)
    large, _ = fit(recs, means(budget + more, capacity), years)
    ahead = {r.scenario: i for i, r in enumerate(in_order(recs))}
    planned_small = {r.scenario for r in small if r.year is not None}
    planned_large = {r.scenario for r in large if r.year is not None}
    let_in = (planned_large - planned_small) | (
        {r.scenario for r in small if r.deferred == "over_budget"}
        - {r.scenario for r in large if r.deferred == "over_budget"}
    )
    for lost in planned_small - planned_large:
        assert any(ahead[t] < ahead[lost] for t in let_in)


def scenario(name: str, rank: int, high: int) -> Recommendation:
    text = TextValue(zh=name, en=name)
    return Recommendation(
        scenario=name,
        name=text,
        summary=text,
        rank=rank,
        priority=0,
        gap=0,
        impact=1,
        effort=1,
        mandatory=False,
        mandatory_factor=1,
        slot="now",
        triggered_by=[],
        prerequisites=[],
        waiting_for=[],
        benefits=[text],
        cost_band="low",
        cost_min=0,
        cost_max=high,
        duration_months=1,
    )


def test_a_larger_budget_can_let_a_dearer_scenario_ahead_take_a_later_years_room() -> None:
    # p 40k, q 40k, x 60k, l 5k, in that order; two years, two projects at once.
    recs = [scenario("p", 1, 40_000), scenario("q", 2, 40_000)]
    recs += [scenario("x", 3, 60_000), scenario("l", 4, 5_000)]
    # 50k a year: year one p (q would make 80k); year two q, x alone is above 50k so it is left
    # out (over_budget), l fits: 45k
    small, _ = fit(recs, means(50_000, 2), 2)
    assert {r.scenario: (r.year, r.deferred) for r in small} == {
        "p": (1, None),
        "q": (2, "budget"),
        "x": (None, "over_budget"),
        "l": (2, "budget"),
    }
    # 60k a year: x fits a year on its own, so it stays in the queue; year two q, then x would
    # make 100k and the year stops there, l behind it: no room within two years
    large, _ = fit(recs, means(60_000, 2), 2)
    assert {r.scenario: (r.year, r.deferred) for r in large} == {
        "p": (1, None),
        "q": (2, "budget"),
        "x": (None, "horizon"),
        "l": (None, "horizon"),
    }
    # a third year takes x; l would make it 65k, so it waits still
    longer, _ = fit(recs, means(60_000, 2), 3)
    assert {r.scenario: r.year for r in longer} == {"p": 1, "q": 2, "x": 3, "l": None}


# ---------------------------------------------------------------- properties over firms


@st.composite
def firms(draw: st.DrawFn) -> AnswerSheet:
    base = assess(draw(st.sampled_from([SMALL, MID, ADVANCED]))).sheet
    answers = dict(base.answers)
    spend = draw(st.sampled_from([0, 0.5, 3, 4.9, 12, 40, 150]))
    plan = draw(st.sampled_from(["none", "under_10", "from_10_to_50", "over_50"]))
    owner = draw(st.sampled_from(["nobody", "part_time", "it_staff", "department"]))
    answers["digital_spend"] = Answer(value=spend)
    answers["invest_plan"] = Answer(value=plan)
    answers["it_owner"] = Answer(value=owner)
    answers["digital_staff"] = Answer(value=draw(st.integers(0, 5)))
    return base.model_copy(update={"answers": answers})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(firms())
def test_every_generated_firms_plan_fits_its_means(sheet: AnswerSheet) -> None:
    a = assess_sheet(sheet, assess(SMALL).questionnaire)
    assert a.plan is not None
    first = [r for r in a.recommendations if r.year == 1]
    assert sum(r.firm_cost_max or 0 for r in first) <= a.plan.budget
    for month in range(1, 13):
        running = [r for r in first if r.start_month <= month <= r.end_month]
        assert len(running) <= a.plan.capacity


def test_the_plan_is_in_the_json_result(tmp_path: Path) -> None:
    document = assess(SMALL).to_document().model_dump(mode="json")
    assert document["schema_version"] == "1.1"
    assert document["plan"]["budget"] == 73_500
    assert document["plan"]["years"][0]["scenarios"][-1] == "cloud_erp"
    deferred = {r["scenario"]: r["deferred"] for r in document["recommendations"]}
    assert deferred["cloud_erp"] is None and deferred["oa_paperless"] == "budget"


SAMPLE_FIRMS = sorted((Q3.parent / "2026Q2").glob("*.yaml")) + sorted(Q3.glob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLE_FIRMS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_sample_firms_plan_fits(path: Path) -> None:
    """Every year within the budget, never more projects at once than the firm can run (to the
    end of the last project), and every recommended prerequisite done before what needs it."""
    a = assess(path)
    assert a.plan is not None
    for year in a.plan.years:
        assert year.cost_max <= a.plan.budget
    planned = [r for r in a.recommendations if r.year is not None]
    last = max((r.end_month for r in planned), default=0)  # an advanced firm may plan none
    for month in range(1, last + 1):
        running = [r.scenario for r in planned if r.start_month <= month <= r.end_month]
        assert len(running) <= a.plan.capacity, (month, running)
    by_id = {r.scenario: r for r in a.recommendations}
    for r in planned:
        for p in r.waiting_for:
            assert by_id[p].year is not None, (r.scenario, p)
            assert by_id[p].end_month < r.start_month, (r.scenario, p)


def test_a_firm_whose_year_one_is_empty_is_told_so_not_that_nothing_is_called_for(
    tmp_path: Path,
) -> None:
    import json
    import re

    import yaml

    from assessment.report.render import render_html

    a = assess(SMALL)
    shipped = Path(__file__).parent.parent / "questionnaires" / "park_quick_scan_scenarios.yaml"
    data = yaml.safe_load(shipped.read_text("utf-8"))
    for route in data["support"]:
        route["covers"] = 0  # nothing free: every low band reaches 100k, above 73.5k
    path = tmp_path / "catalogue.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    b = assess_sheet(a.sheet, a.questionnaire, catalogue=path)
    assert b.plan is not None and b.plan.years == []
    page = re.sub(r"<[^>]+>", "", render_html("diagnosis", b, lang="zh").split('class="cover"')[0])
    assert "答卷触发的 16 个场景都超出第一年的预算或实施力量" in page
    assert "第一年预算：7.35 万元" in page
    assert "暂无需要推荐的场景" not in page
