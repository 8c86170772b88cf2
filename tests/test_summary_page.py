"""The diagnosis report's first page: the one-page summary a manager reads in two minutes, and
the same page as a phone-sized PNG written by `dtm report --png` and `dtm batch --png`."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from assessment.cli import app
from assessment.engine.pipeline import Assessment, assess_sheet
from assessment.report.plan_view import planned_in_order
from assessment.report.render import render_html, render_summary_png
from assessment.resources import sample_park_dir
from assessment.store import Store

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (make setup)"
)
Q3 = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))


@pytest.fixture(scope="module")
def firm(sample_firm: Assessment) -> Assessment:
    assert sample_firm.source == Q3[0]
    return sample_firm


@pytest.fixture(scope="module")
def pages(
    sample_reports: dict[tuple[str, str], bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """Each language's diagnosis PDF (the sample firm's, see conftest) as text, page by page."""
    found = {}
    for lang in ("zh", "en"):
        path = tmp_path_factory.mktemp(lang) / "d.pdf"
        path.write_bytes(sample_reports["diagnosis", lang])
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        found[lang] = [squash(page) for page in text.split("\f")]
    return found


def squash(text: str) -> str:
    """Without white space: pdftotext breaks Chinese lines where the page did."""
    return "".join(text.split())


HEADINGS = {
    "zh": ["数字化诊断一页纸", "三项优势", "三项短板", "先做这三件事", "可获得的帮助"],
    "en": [
        "Digital diagnosis at a glance",
        "Three strengths",
        "Three weaknesses",
        "The first three actions",
        "Where help comes from",
    ],
}
MONTHS = {"zh": "{n} 个月", "en": "{n} month"}
# the sample firm's year one: two scenarios the park's free training pays for in full, and cloud
# ERP (low band, CNY 0–100k) half paid by the park's software package
COST = {"zh": ["0 万元", "0–5 万元"], "en": ["CNY 0", "CNY 0–50k"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_page_is_the_whole_summary(
    firm: Assessment, pages: dict[str, list[str]], lang: str
) -> None:
    first = pages[lang][0]
    card = firm.card
    assert firm.card.firm.name in first
    assert squash(card.level_name.get(lang)) in first  # type: ignore[arg-type]
    assert f"{card.overall:.1f}/100" in first
    for heading in HEADINGS[lang]:
        assert squash(heading) in first
    from assessment.report.content import strengths_and_gaps

    strengths, gaps = strengths_and_gaps(card)
    assert len(strengths) == len(gaps) == 3
    for _, indicator in [*strengths, *gaps]:
        assert squash(indicator.label.get(lang)) in first  # type: ignore[arg-type]
    actions = [r for r in planned_in_order(firm.recommendations) if r.year == 1][:3]
    assert [r.scenario for r in actions] == [
        "digital_plan_service",
        "talent_programme",
        "cloud_erp",
    ]
    for r in actions:
        for words in (r.name.get(lang), r.benefits[0].get(lang)):  # type: ignore[arg-type]
            assert squash(words) in first
        assert squash(MONTHS[lang].format(n=r.duration_months)) in first
        for route in r.support:
            assert squash(route.name.get(lang)) in first  # type: ignore[arg-type]
    for cost in COST[lang]:
        assert squash(cost) in first
    # the page ends with the pointer to the appendix: nothing spilled over onto page 2
    assert first.endswith(("全部16个触发场景。", "inanappendix."))
    cover_title = "数字化诊断报告" if lang == "zh" else "Digital diagnosis report"
    assert squash(cover_title) in pages[lang][1]


def test_the_summary_states_the_plans_first_year_not_every_triggered_scenario(
    firm: Assessment, pages: dict[str, list[str]]
) -> None:
    # worked by hand: 4.9 (10k CNY) spent a year × 1.5 = 7.35, under the stated plan's cap of 10;
    # no full-time IT staff, so one project at a time. Free first: the digital plan service and
    # the talent programme (paid in full by the park's training), then cloud ERP at 0–5 (half
    # its low band); OA (0–5 more) would pass 7.35, so year one stops there.
    plan = firm.plan
    assert plan is not None
    assert (plan.budget, plan.capacity) == (73_500, 1)
    assert (plan.years[0].cost_min, plan.years[0].cost_max) == (0, 50_000)
    assert "第一年投入：0–5万元" in pages["zh"][0]
    assert "第一年预算：7.35万元" in pages["zh"][0]
    assert "按贵企业目前每年约4.9万元的数字化投入" in pages["zh"][0]
    everything = sum(r.cost_min or 0 for r in firm.recommendations)  # every triggered band
    assert everything > plan.years[0].cost_max


def test_help_routes_come_from_the_catalogue(firm: Assessment, tmp_path: Path) -> None:
    shipped = Path(__file__).parent.parent / "questionnaires" / "park_quick_scan_scenarios.yaml"
    data = yaml.safe_load(shipped.read_text("utf-8"))
    data["support"] = [
        {
            "id": "district_voucher",
            "kind": "subsidy",
            "name": {"zh": "区数字化服务券", "en": "District digital service voucher"},
            "detail": {"zh": "向区工信局申领", "en": "Ask the district industry bureau"},
            "covers": 0.5,
        }
    ]
    path = tmp_path / "catalogue.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    a = assess_sheet(firm.sheet, firm.questionnaire, catalogue=path)
    html = render_html("diagnosis", a, lang="en")
    page = html.split('<section class="cover">')[0]
    assert "District digital service voucher" in page and "Ask the district industry" in page
    assert "free digital diagnosis" not in page


def png_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def test_the_png_is_the_summary_page_a_phone_screen_wide(firm: Assessment) -> None:
    data = render_summary_png(firm, lang="zh")
    width, height = png_size(data)
    assert width == 1080 and 1500 < height < 1560  # an A4 page at 1080 px
    image = Image.open(io.BytesIO(data)).convert("L")
    dark = sum(image.histogram()[:100])
    assert dark > width * 20  # text, not an empty page


def test_dtm_report_png_writes_it_beside_the_pdfs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", str(Q3[0]), "--out", str(out), "--png"])
    assert result.exit_code == 0, result.output
    pngs = list(out.glob("*.png"))
    assert len(pngs) == 1 and f"summary: {pngs[0]}" in result.output
    diagnosis = next(out.glob("*-diagnosis-zh.pdf"))
    assert pngs[0].name == diagnosis.name.replace("-diagnosis-zh.pdf", "-summary-zh.png")
    assert png_size(pngs[0].read_bytes())[0] == 1080
    assert not list(out.glob(".*"))  # written atomically: no temporary file left


def test_batch_png_renders_the_summaries_even_when_the_pdfs_are_already_there(
    tmp_path: Path,
) -> None:
    from assessment.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(Q3[0], folder / Q3[0].name)
    out = tmp_path / "out"
    with Store.open(f"sqlite:///{tmp_path / 'park.db'}") as store:
        run_batch(folder, period="2026Q3", out=out, store=store, workers=1)
        assert not list((out / "firms").glob("*.png"))
        again = run_batch(folder, period="2026Q3", out=out, store=store, workers=1, png=True)
    assert len(again.rendered) == 1
    (png,) = (out / "firms").glob("*.png")
    assert png.name.endswith("-2026Q3-summary-zh.png")
    assert png_size(png.read_bytes())[0] == 1080
