"""The roadmap in time: start and end months worked out by hand from slots, prerequisites and
durations; the first year's cost summed by hand; the Gantt chart's bars on those months."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import assessment
from assessment import Catalogue, Questionnaire, ScoreCard, ValidationFailed
from assessment.engine.pipeline import assess_sheet
from assessment.engine.schedule import first_year_cost
from assessment.report.gantt import GanttBar, gantt, horizon, month_x
from assessment.report.render import render_html, render_scenarios
from assessment.report.summary import cost_range

WriteYaml = Callable[..., Path]
SVG = "{http://www.w3.org/2000/svg}"
# The mini catalogue's bands priced: low 0–100k, medium 100k–500k, high 500k–2m CNY.
PRICES = {
    "low": {"min": 0, "max": 100000},
    "medium": {"min": 100000, "max": 500000},
    "high": {"min": 500000, "max": 2000000},
}


@pytest.fixture
def catalogue_data(data_dir: Path) -> dict[str, Any]:
    """The mini catalogue with durations: cloud_erp 2, strategy_workshop 1, connect_devices 5,
    mes_rollout 4 (after connect_devices), level_review none (so 3)."""
    data: dict[str, Any] = yaml.safe_load((data_dir / "mini_scenarios.yaml").read_text("utf-8"))
    months = {"cloud_erp": 2, "strategy_workshop": 1, "connect_devices": 5, "mes_rollout": 4}
    for s in data["scenarios"]:
        if s["id"] in months:
            s["duration_months"] = months[s["id"]]
    data["cost_ranges"] = PRICES
    return data


@pytest.fixture
def load(write_yaml: WriteYaml, mini_questionnaire: Questionnaire) -> Callable[..., Catalogue]:
    def load_(data: dict[str, Any]) -> Catalogue:
        path = write_yaml(json.dumps(data, ensure_ascii=False), "catalogue.yaml")
        return assessment.load_catalogue(path, mini_questionnaire)

    return load_


@pytest.fixture
def mini_card(mini_questionnaire: Questionnaire, mini_answers_path: Path) -> ScoreCard:
    sheet = assessment.load_answers(mini_answers_path, mini_questionnaire)
    return assessment.score(mini_questionnaire, sheet)


def months(recs: list[Any]) -> dict[str, tuple[str, int, int]]:
    return {r.scenario: (r.slot, r.start_month, r.end_month) for r in recs}


def test_a_scenario_starts_with_its_slot_or_after_its_prerequisite_and_runs_its_duration(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Callable[..., Catalogue]
) -> None:
    recs = assessment.recommend(mini_card, load(catalogue_data))
    assert months(recs) == {
        "cloud_erp": ("now", 1, 2),
        "strategy_workshop": ("now", 1, 1),
        "connect_devices": ("now", 1, 5),
        # next quarter begins in month 4, but connect_devices ends in month 5
        "mes_rollout": ("next", 6, 9),
        "level_review": ("next", 4, 6),  # no duration in the catalogue: 3 months
    }
    assert [r.duration_months for r in recs] == [2, 1, 5, 4, 3]


def test_a_chain_in_the_last_slot_runs_one_after_the_other(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Callable[..., Catalogue]
) -> None:
    catalogue_data["roadmap"] = {"now": 1, "next": 1}
    assert months(assessment.recommend(mini_card, load(catalogue_data))) == {
        "cloud_erp": ("now", 1, 2),
        "strategy_workshop": ("next", 4, 4),
        "connect_devices": ("later", 7, 11),
        "mes_rollout": ("later", 12, 15),
        "level_review": ("later", 7, 9),
    }


def test_the_first_year_sums_the_bands_of_the_scenarios_starting_in_months_1_to_12(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Callable[..., Catalogue]
) -> None:
    catalogue_data["roadmap"] = {"now": 1, "next": 1}
    recs = assessment.recommend(mini_card, load(catalogue_data))
    cost = first_year_cost(recs)
    assert cost is not None
    # all five start by month 12 (mes_rollout in month 12, though it runs to month 15):
    # low + low + medium + high + low
    assert [r.scenario for r in cost.scenarios] == [
        "cloud_erp",
        "strategy_workshop",
        "connect_devices",
        "level_review",
        "mes_rollout",
    ]
    assert (cost.low, cost.high) == (0 + 0 + 100_000 + 500_000 + 0, 3 * 100_000 + 500_000 + 2e6)
    # connect_devices taking a year pushes mes_rollout to month 19: out of the first year
    catalogue_data["scenarios"][2]["duration_months"] = 12
    cost = first_year_cost(assessment.recommend(mini_card, load(catalogue_data)))
    assert cost is not None
    assert "mes_rollout" not in {r.scenario for r in cost.scenarios}
    assert (cost.low, cost.high) == (100_000, 3 * 100_000 + 500_000)


def test_an_open_ended_band_leaves_the_total_without_a_top(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Callable[..., Catalogue]
) -> None:
    catalogue_data["cost_ranges"]["high"] = {"min": 500000}
    cost = first_year_cost(assessment.recommend(mini_card, load(catalogue_data)))
    assert cost is not None and (cost.low, cost.high) == (600_000, None)
    assert cost_range(cost.low, cost.high, "zh") == "60 万元以上"
    assert cost_range(cost.low, cost.high, "en") == "CNY 600k or more"
    assert cost_range(100_000, 3_200_000, "en") == "CNY 100k–3.2m"
    assert cost_range(0, 800_000, "zh") == "0–80 万元"


def test_without_prices_there_is_no_first_year_total(
    mini_card: ScoreCard, catalogue_data: dict[str, Any], load: Callable[..., Catalogue]
) -> None:
    del catalogue_data["cost_ranges"]
    assert first_year_cost(assessment.recommend(mini_card, load(catalogue_data))) is None


def bars_of(svg: str) -> list[tuple[str, int, int]]:
    """Each bar's label and the months its rectangle covers, read back from the geometry."""
    root = ET.fromstring(svg)
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    labels = [t for t in texts if re.match(r"\d+\. ", t)]
    width = float(root.get("width") or 0)
    assert width == 600
    found = []
    for label, rect in zip(labels, rects, strict=True):
        x, w = float(rect.get("x") or 0), float(rect.get("width") or 0)
        span = horizon_of(root)
        start = next(m for m in range(1, span + 1) if abs(month_x(m, span) - x) < 0.01)
        end = next(m for m in range(start, span + 1) if abs(month_x(m + 1, span) - x - w) < 0.02)
        found.append((label, start, end))
    return found


def horizon_of(root: ET.Element) -> int:
    """The number of month ticks along the top of the chart."""
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "10"]
    return max(int(t) for t in ticks if t and t.isdigit())


def test_the_gantt_bars_span_each_scenarios_months(
    mini_card: ScoreCard,
    catalogue_data: dict[str, Any],
    load: Callable[..., Catalogue],
    mini_questionnaire: Questionnaire,
    mini_answers_path: Path,
) -> None:
    catalogue_data["roadmap"] = {"now": 1, "next": 1}
    sheet = assessment.load_answers(mini_answers_path, mini_questionnaire)
    a = assess_sheet(sheet, mini_questionnaire, catalogue=load(catalogue_data))
    html = render_html("scenarios", a, lang="en")
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    chart = next(s for s in svgs if "<title>Roadmap by month</title>" in s)
    ranks = {r.scenario: r.rank for r in a.recommendations}
    names = {r.scenario: r.name.en for r in a.recommendations}
    # in the order they start; the axis runs to month 15, rounded up to whole quarters
    expected = [
        ("cloud_erp", 1, 2),
        ("strategy_workshop", 4, 4),
        ("connect_devices", 7, 11),
        ("level_review", 7, 9),
        ("mes_rollout", 12, 15),
    ]
    assert bars_of(chart) == [(f"{ranks[s]}. {names[s]}", a, b) for s, a, b in expected]
    assert horizon_of(ET.fromstring(chart)) == 15
    assert "Year 1 (months 1–12)" in chart and "Month (counted from the start)" in chart


def test_the_gantt_is_deterministic_and_refuses_a_bar_that_ends_before_it_starts() -> None:
    bars = [GanttBar("1. 云 ERP", 1, 3), GanttBar("2. <b>&", 4, 4)]
    args: dict[str, str] = {
        "title": "t",
        "axis_label": "月份",
        "span_label": "{start}–{end} 月",
        "single_label": "{start} 月",
        "year_label": "第一年",
    }
    svg = gantt(bars, **args)
    assert svg == gantt(bars, **args)
    assert "2. &lt;b&gt;&amp;" in svg and "4 月" in svg and "1–3 月" in svg
    assert "第一年" not in svg  # the axis is one year long: no line after month 12
    assert horizon(bars) == 12 and horizon([GanttBar("x", 10, 13)]) == 15
    with pytest.raises(ValueError, match="ends after it starts"):
        GanttBar("x", 3, 2)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", ["First year's cost: CNY 100k–800k", "of the 4 scenarios that start in months"]),
        ("zh", ["第一年投入：10–80 万元", "为第 1–12 月启动的 4 个场景投入区间之和"]),
    ],
)
def test_the_scenario_report_states_the_first_years_cost(
    catalogue_data: dict[str, Any],
    load: Callable[..., Catalogue],
    mini_questionnaire: Questionnaire,
    mini_answers_path: Path,
    tmp_path: Path,
    lang: str,
    says: list[str],
) -> None:
    """By hand: connect_devices takes 12 months (7–18), so mes_rollout starts in month 19; the
    first year holds cloud_erp, strategy_workshop and level_review (low: 0–100k each) and
    connect_devices (medium: 100k–500k), 100k–800k in all."""
    catalogue_data["roadmap"] = {"now": 1, "next": 1}
    catalogue_data["scenarios"][2]["duration_months"] = 12
    sheet = assessment.load_answers(mini_answers_path, mini_questionnaire)
    a = assess_sheet(sheet, mini_questionnaire, catalogue=load(catalogue_data))
    path = tmp_path / "s.pdf"
    path.write_bytes(render_scenarios(a, lang=lang))  # type: ignore[arg-type]
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = "".join(text.split())  # pdftotext breaks Chinese lines where the page did
    for phrase in says:
        assert "".join(phrase.split()) in flat


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (
            {
                "support": [
                    {
                        "id": "x",
                        "kind": "subsidy",
                        "name": "补",
                        "detail": "问",
                        "scenarios": ["cloud_erpp"],
                    }
                ]
            },
            "REF001",
            "did you mean 'cloud_erp'",
        ),
        ({"cost_ranges": {"low": {"min": 100, "max": 10}}}, "SCHEMA", "max is below min"),
        ({"support": [{"id": "x", "kind": "gift", "name": "a", "detail": "b"}]}, "SCHEMA", "kind"),
    ],
)
def test_bad_prices_and_help_routes_are_located(
    catalogue_data: dict[str, Any],
    load: Callable[..., Catalogue],
    change: dict[str, Any],
    code: str,
    where: str,
) -> None:
    catalogue_data.update(change)
    with pytest.raises(ValidationFailed) as caught:
        load(catalogue_data)
    assert code in str(caught.value) and where in str(caught.value)


def test_the_shipped_catalogues_price_every_band_and_time_every_scenario() -> None:
    for name in ("park_quick_scan", "miit_2024_manufacturing"):
        q = assessment.load_questionnaire(name)
        catalogue = assessment.engine.pipeline.catalogue_for(q)
        assert catalogue is not None
        assert set(catalogue.cost_ranges) == {"low", "medium", "high"}
        assert all(s.duration_months for s in catalogue.scenarios)
        assert {r.kind for r in catalogue.support} >= {"diagnosis", "software", "subsidy"}
