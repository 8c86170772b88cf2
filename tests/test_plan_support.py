"""The park's own services lower a firm's cost: what the services register (服务台账) shows given
to a firm, set against its scenarios where a catalogue route names the register's kind.

Worked by hand on the small paper-ledger sample firm (budget 73.5k a year, one project at a time;
see tests/test_plan.py for its plan without the register)."""

from __future__ import annotations

import html
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assessment.batch import run_batch
from assessment.cli import app
from assessment.engine.fit import firm_cost
from assessment.engine.pipeline import assess
from assessment.models.results import Recommendation, SupportGiven
from assessment.resources import questionnaires_dir
from assessment.store import Store
from tests.test_plan import SMALL, roadmaps

CODE = "91320594MA1A3K7R2A"  # the small firm
PACKAGE = SupportGiven(
    credit_code=CODE,
    kind="software_package",
    served_on=date(2026, 9, 1),
    provider="江苏云启软件有限公司",
    amount=8,
    note="云 ERP 一年使用权",
)


def years(recs: list[Recommendation]) -> dict[str, int | None]:
    return {r.scenario: r.year for r in recs}


def test_a_software_package_given_lowers_cloud_erp_and_lets_oa_start_in_year_one() -> None:
    before = assess(SMALL)
    a = assess(SMALL, given=[PACKAGE])
    by_id = {r.scenario: r for r in a.recommendations}
    # Cloud ERP (rank 1), low band 0–100k. The package route pays half (0–50k) or the 80k the
    # register records, whichever is more: 100k − 80k = 20k at most. The 80k is spent there
    # (up to its highest cost, 100k), so nothing is left for OA and the rest of the route's
    # scenarios, which keep the route's half: 0–50k.
    erp = by_id["cloud_erp"]
    assert (erp.firm_cost_min, erp.firm_cost_max) == (0, 20_000)
    assert erp.support_applied == "park_software_packages"
    route = next(s for s in erp.support if s.id == "park_software_packages")
    assert route.paid == 80_000 and route.given == [PACKAGE]
    oa = by_id["oa_paperless"]
    oa_route = next(s for s in oa.support if s.id == "park_software_packages")
    assert (oa.firm_cost_max, oa_route.paid, oa_route.given) == (50_000, None, [PACKAGE])
    # Year one, one lane, 73.5k: the plan service and training (free), cloud ERP 20k (months
    # 9–11), then OA 50k: 70k in all, month 12. Without the package cloud ERP took 50k and OA
    # waited for year two.
    assert a.plan is not None and before.plan is not None
    first = a.plan.years[0]
    assert (first.year, first.scenarios, first.cost_max) == (
        1,
        ["digital_plan_service", "talent_programme", "cloud_erp", "oa_paperless"],
        70_000,
    )
    assert years(before.recommendations)["oa_paperless"] == 2
    assert (oa.start_month, oa.end_month) == (12, 12)


def test_lines_of_other_firms_and_of_kinds_no_route_names_change_nothing() -> None:
    before = assess(SMALL).to_document().model_dump(mode="json")
    other = PACKAGE.model_copy(update={"credit_code": "91320594MA1U9B6N22"})
    diagnosis = PACKAGE.model_copy(update={"kind": "free_diagnosis", "amount": 0.8})
    after = assess(SMALL, given=[other, diagnosis]).to_document().model_dump(mode="json")
    assert after == before


def test_a_line_without_an_amount_marks_the_route_given_and_its_share_stands() -> None:
    training = PACKAGE.model_copy(update={"kind": "training", "amount": None})
    a = assess(SMALL, given=[training])
    talent = next(r for r in a.recommendations if r.scenario == "talent_programme")
    route = next(s for s in talent.support if s.id == "park_talent_training")
    assert route.given == [training] and route.paid is None
    assert (talent.firm_cost_min, talent.firm_cost_max) == (0, 0)  # the route pays 100%
    assert years(a.recommendations) == years(assess(SMALL).recommendations)


def test_the_report_names_the_package_and_what_it_takes_off() -> None:
    from assessment.report.render import render_html

    a = assess(SMALL, given=[PACKAGE])
    # a term kept on one line has its characters joined by WORD JOINER, which prints nothing
    page = render_html("scenarios", a, lang="zh").replace("\u2060", "")
    zh = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert (
        "园区云软件服务包（园区服务台账记录2026年9月1日已获得，计 8 万元）：企业少付 0–8 万元，"
        "按其承担 50% 与已获得的 8 万元中较多者计" in zh
    )
    # the plan's table says it in short; OA's line names the package given, at the route's half
    assert "园区云软件服务包（已获得）：企业少付 0–5 万元" in zh
    en = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render_html("scenarios", a, lang="en")))
    en = html.unescape(en)
    assert (
        "The park's cloud software packages (the park's services register: given on "
        "1 September 2026, worth CNY 80k): CNY 0–80k less for the firm, as it pays 50% or the "
        "CNY 80k given, whichever is more" in en
    )


def test_the_json_result_carries_the_register_lines_and_the_route_counted() -> None:
    document = assess(SMALL, given=[PACKAGE]).to_document().model_dump(mode="json")
    erp = next(r for r in document["recommendations"] if r["scenario"] == "cloud_erp")
    assert erp["support_applied"] == "park_software_packages"
    route = next(s for s in erp["support"] if s["id"] == "park_software_packages")
    assert route["service_kind"] == "software_package" and route["paid"] == 80_000
    assert route["given"][0]["served_on"] == "2026-09-01" and route["given"][0]["amount"] == 8


def test_a_batch_counts_the_register_given_and_later_the_stored_one(tmp_path: Path) -> None:
    folder = tmp_path / "answers"
    folder.mkdir()
    shutil.copy(SMALL, folder / SMALL.name)
    register = tmp_path / "services.csv"
    register.write_text(
        "统一社会信用代码,日期,服务类型,服务商,金额（万元）,备注\n"
        f"{CODE},2026-09-01,软件包,江苏云启软件有限公司,8,云 ERP 一年使用权\n",
        encoding="utf-8",
    )
    with Store.open(f"sqlite:///{tmp_path / 'park.db'}") as store:
        options = {"period": "2026Q3", "out": tmp_path / "out", "store": store, "render": False}
        first = run_batch(folder, services=register, **options)
        assert [g.kind for g in first.given] == ["software_package"]
        stored = {r.scenario: r for r in store.recommendations("2026Q3")[CODE]}
        assert stored["cloud_erp"].firm_cost_max == 20_000
        again = run_batch(folder, **options)  # no --services: the stored register counts
        assert again.given == first.given
        stored = {r.scenario: r for r in store.recommendations("2026Q3")[CODE]}
        assert stored["cloud_erp"].firm_cost_max == 20_000


def test_a_catalogue_whose_route_names_a_kind_the_register_does_not_have_is_refused(
    tmp_path: Path,
) -> None:
    """Its lines could never match, so the park's support would silently stop lowering costs:
    the catalogue is refused where it is loaded, as `dtm validate` refuses it."""
    shipped = questionnaires_dir() / "park_quick_scan_scenarios.yaml"
    text = shipped.read_text(encoding="utf-8")
    assert "    service_kind: software_package\n" in text
    wrong = tmp_path / "park_quick_scan_scenarios.yaml"
    wrong.write_text(
        text.replace("service_kind: software_package", "service_kind: softwre_package"),
        encoding="utf-8",
    )
    line = text[: text.index("service_kind: software_package")].count("\n") + 1
    result = CliRunner().invoke(app, ["score", str(SMALL), "--catalogue", str(wrong)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0] == (
        f"{wrong}:{line}:5: SUPPORT002 the services register has no kind 'softwre_package': "
        "what the park gives under this route would never lower a firm's costs (did you mean "
        "'software_package'? the register's kinds: free_diagnosis, software_package, subsidy, "
        "training, onsite_service)"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roadmaps(), st.lists(st.sampled_from([0, 5_000, 40_000, 300_000]), min_size=9, max_size=9))
def test_support_given_never_raises_a_firms_cost(
    recs: list[Recommendation], paid: list[int]
) -> None:
    for rec, sum_paid in zip(recs, paid, strict=False):
        with_sum = rec.model_copy(
            update={"support": [rec.support[0].model_copy(update={"paid": sum_paid})]}
        )
        low, high = firm_cost(rec)
        low_given, high_given = firm_cost(with_sum)
        assert low is None or (low_given is not None and low_given <= low)
        assert high is None or (high_given is not None and high_given <= high)


@pytest.mark.parametrize("amount", [0.5, 8, 30])
def test_a_larger_sum_given_never_raises_a_cost(amount: float) -> None:
    base = {r.scenario: r.firm_cost_max for r in assess(SMALL).recommendations}
    given_sum = PACKAGE.model_copy(update={"amount": amount})
    after = {r.scenario: r.firm_cost_max for r in assess(SMALL, given=[given_sum]).recommendations}
    assert all(
        after[s] is None or base[s] is None or after[s] <= base[s]  # type: ignore[operator]
        for s in base
    )
