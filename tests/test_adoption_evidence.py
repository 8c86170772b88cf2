"""Adoption judged by evidence on the shipped catalogues: every scenario says what shows it in
place, and a scenario counts as adopted only when that holds on the later answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.engine import expr, loader
from assessment.engine.eligibility import card_context
from assessment.engine.pipeline import assess, assess_sheet
from assessment.models.answers import Answer
from assessment.park.adoption import firm_adoption
from assessment.resources import sample_park_dir

SMALL = sample_park_dir() / "2026Q3" / "91320594MA1A3K7R2A.yaml"  # paper ledgers, 16 scenarios


@pytest.mark.parametrize("name", ["park_quick_scan", "miit_2024_manufacturing"])
def test_every_shipped_scenario_says_what_shows_it_adopted(name: str) -> None:
    q = loader.load_questionnaire(name)
    catalogue = loader.load_catalogue(f"{name}_scenarios", q)
    assert catalogue.budget is not None
    missing = [s.id for s in catalogue.scenarios if not s.adopted_when]
    assert missing == []


def later(changes: dict[str, Any]) -> Any:
    a = assess(SMALL)
    answers = dict(a.sheet.answers) | {k: Answer(value=v) for k, v in changes.items()}
    sheet = a.sheet.model_copy(update={"answers": answers, "period": "2026Q4"})
    return a, assess_sheet(sheet, a.questionnaire, partial=True)


def test_an_erp_without_barcodes_is_not_a_wms() -> None:
    # the firm moves stock and books into an ERP (warehouse level 2, no paper stock cards):
    # the WMS trigger stops firing, but its evidence asks for scanning on stock moves (level 3)
    earlier, now = later(
        {
            "warehouse_mgmt": 2,
            "finance_mgmt": 2,
            "systems_in_use": ["erp"],
            "paper_processes": ["procurement", "production_report", "quality", "equipment", "hr"],
        }
    )
    catalogue = loader.load_catalogue("park_quick_scan_scenarios", earlier.questionnaire)
    found = firm_adoption(
        earlier.recommendations,
        now.card,
        now.recommendations,
        before="2026Q3",
        catalogue=catalogue,
    )
    assert "wms_barcode" not in {r.scenario for r in now.recommendations}
    assert "wms_barcode" in [r.scenario for r in found.dropped]
    assert "cloud_erp" in [r.scenario for r in found.adopted]
    earlier2, scanning = later({"warehouse_mgmt": 3, "paper_processes": ["hr"]})
    found = firm_adoption(
        earlier2.recommendations,
        scanning.card,
        scanning.recommendations,
        before="2026Q3",
        catalogue=catalogue,
    )
    assert "wms_barcode" in [r.scenario for r in found.adopted]


LEVELS = st.integers(0, 4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {
            "warehouse_mgmt": LEVELS,
            "finance_mgmt": LEVELS,
            "production_control": LEVELS,
            "quality_control": LEVELS,
            "production_data_capture": st.sampled_from(
                ["paper_forms", "spreadsheet", "terminal", "automatic"]
            ),
            "systems_in_use": st.lists(
                st.sampled_from(["finance_sw", "erp", "mes", "wms", "oa"]),
                unique=True,
                min_size=1,
            ),
            "paper_processes": st.lists(
                st.sampled_from(["inventory", "finance", "production_report", "hr", "sales"]),
                unique=True,
                min_size=1,
            ),
        }
    )
)
def test_adoption_never_counts_a_scenario_whose_evidence_is_missing(changes: dict) -> None:
    earlier, now = later(changes)
    catalogue = loader.load_catalogue("park_quick_scan_scenarios", earlier.questionnaire)
    found = firm_adoption(
        earlier.recommendations, now.card, now.recommendations, before="2026Q3", catalogue=catalogue
    )
    context = card_context(now.card)
    for rec in found.adopted:
        assert expr.parse(catalogue.scenario(rec.scenario).adopted_when or "false").truth(context)
    for rec in (*found.pending, *found.dropped):
        assert not expr.parse(catalogue.scenario(rec.scenario).adopted_when or "false").truth(
            context
        )
    recommended_now = {r.scenario for r in now.recommendations}
    assert all(r.scenario not in recommended_now for r in found.dropped)
    assert len(found.adopted) + len(found.pending) + len(found.dropped) == len(
        earlier.recommendations
    )
