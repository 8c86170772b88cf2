"""Trends over every stored period: the park report's trend page, each firm's scores over its
quarters in its diagnosis, and the workbook's trend sheet and sheet per period."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from assessment.batch import BatchResult, run_batch, write_park_outputs
from assessment.display import period as period_label
from assessment.engine.pipeline import Assessment, assess
from assessment.models.common import Lang
from assessment.models.credit_code import make
from assessment.park.compare import level_id
from assessment.park.summary import summarise
from assessment.park.trends import firm_trends, park_trend, stored_history
from assessment.report import i18n
from assessment.report.park_report import park_context, render_park_html
from assessment.report.render import render_diagnosis, render_html
from assessment.report.trend_charts import LINES_BOTTOM, LINES_TOP, levels_over_time, lines
from assessment.resources import sample_park_dir
from assessment.store import Store

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (make setup)"
)
PERIODS = ["2026Q2", "2026Q3", "2026Q4"]
NEWCOMER = make("91320594MA1K2K3K4")
FIRMS = 10
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Park:
    store: Store
    folder: Path  # 2026Q4: every other firm of 2026Q3 again, and a newcomer
    out: Path
    batch: BatchResult


def _q4_file(source: Path, target: Path, *, code: str | None = None) -> None:
    text = source.read_text(encoding="utf-8")
    text = text.replace("period: 2026Q3", "period: 2026Q4")
    text = re.sub(r"assessed_on: 2026-0\d-", "assessed_on: 2026-10-", text)
    if code is not None:
        text = text.replace(source.stem, code).replace("有限公司", "新材料有限公司", 1)
    target.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Park:
    """Three stored quarters; 2026Q4 rendered for two firms: one assessed in all three
    quarters, one assessed only now."""
    root = tmp_path_factory.mktemp("trends")
    store = Store.open(f"sqlite:///{root / 'park.db'}")
    for period in PERIODS[:2]:  # ten firms of the sample park are enough, and quick
        folder = root / period
        folder.mkdir()
        for source in sorted((sample_park_dir() / period).glob("*.yaml"))[:FIRMS]:
            shutil.copy(source, folder / source.name)
        run_batch(folder, period=period, out=root, store=store, render=False)
    q3 = sorted((root / "2026Q3").glob("*.yaml"))
    everyone, rendered = root / "q4-all", root / "q4"
    everyone.mkdir()
    rendered.mkdir()
    for source in q3[::2]:
        _q4_file(source, everyone / source.name)
    _q4_file(q3[1], everyone / f"{NEWCOMER}.yaml", code=NEWCOMER)
    run_batch(everyone, period="2026Q4", out=root, store=store, render=False)
    for name in (q3[0].name, f"{NEWCOMER}.yaml"):
        shutil.copy(everyone / name, rendered / name)
    out = root / "out"
    batch = run_batch(rendered, period="2026Q4", out=out, store=store, workers=1)
    return Park(store, rendered, out, batch)


@pytest.fixture(scope="module")
def english(park: Park, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The park report and workbook of 2026Q4 in English."""
    return write_park_outputs(park.store, "2026Q4", tmp_path_factory.mktemp("en"), lang="en")


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def plotted(svg: str) -> list[list[float]]:
    """The values each drawn line stands for, read back from its points, first series first."""
    found = []
    for line in ET.fromstring(svg).iter(f"{SVG}polyline"):
        points = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
        if max(y for _, y in points) <= LINES_BOTTOM:  # legend samples sit below the plot
            found.append([(LINES_BOTTOM - y) / (LINES_BOTTOM - LINES_TOP) * 100 for _, y in points])
    return found


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def q4_firm(park: Park) -> Assessment:
    return assess(sorted(park.folder.glob("*.yaml"))[0])


# The charts


def test_a_line_chart_draws_each_value_where_the_axis_says_and_breaks_at_a_gap() -> None:
    svg = lines(
        ["Q2 2026", "Q3 2026", "Q4 2026"],
        [
            ("Overall", [41.18, 45.86, 47.45]),
            ("Talent", [30.0, None, 62.5]),
            ("Paper", [0, 5, 100]),
        ],
        title="Means",
        axis_label="Average score (0–100, higher is better)",
        notes=["28 firms", "28 firms", "15 firms"],
    )
    overall, paper = plotted(svg)  # a line broken on both sides of its gap draws nothing
    assert overall == pytest.approx([41.18, 45.86, 47.45], abs=0.01)
    assert paper == pytest.approx([0, 5, 100], abs=0.01)
    shown = texts(svg)
    assert {"41.2", "45.9", "47.5", "28 firms", "15 firms", "Talent"} <= set(shown)
    assert "Average score (0–100, higher is better)" in shown
    assert svg == lines(
        ["Q2 2026", "Q3 2026", "Q4 2026"],
        [
            ("Overall", [41.18, 45.86, 47.45]),
            ("Talent", [30.0, None, 62.5]),
            ("Paper", [0, 5, 100]),
        ],
        title="Means",
        axis_label="Average score (0–100, higher is better)",
        notes=["28 firms", "28 firms", "15 firms"],
    )


def test_the_level_columns_print_their_counts_and_escape_names() -> None:
    svg = levels_over_time(
        ["Q2", "Q3"], ["<b>Starting</b>", "Basic"], [[10, 18], [4, 24]], title="t", axis_label="a"
    )
    assert "<b>" not in svg and "&lt;b&gt;Starting&lt;/b&gt;" in svg
    assert {"10", "18", "4", "24", "100%"} <= set(texts(svg))
    with pytest.raises(ValueError):
        levels_over_time(["Q2"], ["A"], [[1, 2]], title="t", axis_label="a")


# The park report


def test_the_park_trend_agrees_with_the_stored_cards(park: Park) -> None:
    trend = park_trend(stored_history(park.store, "2026Q4"))
    assert trend is not None and trend.periods == PERIODS
    for point in trend.points:
        cards = park.store.cards(point.period)
        assert point.firms == len(cards)
        overall = [c.overall for c in cards if c.overall is not None]
        assert point.means["overall"] == pytest.approx(sum(overall) / len(overall), abs=0.005)
        assert sum(point.levels.values()) == len(cards)
        assert point.levels == {lid: sum(level_id(c) == lid for c in cards) for lid in point.levels}
    assert park_trend(stored_history(park.store, "2026Q3")).periods == PERIODS[:2]  # type: ignore[union-attr]


def test_the_park_charts_plot_the_stored_means_and_name_each_periods_firms(park: Park) -> None:
    history = stored_history(park.store, "2026Q4")
    summary = summarise(history["2026Q4"], previous=history["2026Q3"], history=history)
    trend = park_context(summary, "en")["trend"]
    lines_drawn = plotted(str(trend["means_chart"]))
    for n, (key, _label) in enumerate(trend["series"]):
        stored = []
        for period in PERIODS:
            cards = park.store.cards(period)
            values = [c.overall if key == "overall" else c.node(key).score for c in cards]
            known = [v for v in values if v is not None]
            stored.append(sum(known) / len(known))
        assert lines_drawn[n] == pytest.approx(stored, abs=0.01)
    counts = [f"{len(park.store.cards(p))} firms" for p in PERIODS]
    assert all(c in texts(str(trend["levels_chart"])) for c in counts)
    assert all(c in texts(str(trend["means_chart"])) for c in counts)
    assert "Average score (0–100, higher is better)" in texts(str(trend["means_chart"]))


@pytest.mark.parametrize(
    ("lang", "heading", "firms"),
    [("zh", "历次评估趋势", "{n} 家企业"), ("en", "Trends over the stored periods", "{n} firms")],
)
def test_the_park_report_pdf_shows_every_periods_figures(
    park: Park, english: dict[str, Path], lang: Lang, heading: str, firms: str
) -> None:
    text = pdf_text(park.batch.files["park"] if lang == "zh" else english["park"])
    assert heading in text
    trend = park_trend(stored_history(park.store, "2026Q4"))
    assert trend is not None
    for point in trend.points:
        assert period_label(point.period, lang) in text
        assert firms.format(n=point.firms) in text
        assert i18n.number(point.means["overall"], lang) in text
    assert ("分数越高越好" if lang == "zh" else "higher is better") in text


def test_a_park_with_one_stored_period_has_no_trend_page(park: Park) -> None:
    history = {"2026Q2": park.store.cards("2026Q2")}
    summary = summarise(history["2026Q2"], history=history)
    assert park_context(summary, "zh")["trend"] is None
    assert "Trends over" not in render_park_html(summary, lang="en")


# The firm's diagnosis


def test_the_firm_chart_plots_its_stored_scores(park: Park) -> None:
    a = q4_firm(park)
    code = a.card.firm.credit_code
    trend = firm_trends(stored_history(park.store, "2026Q4"))[code]
    html = render_html("diagnosis", a, lang="en", trend=trend)
    section = html[html.index("<h2>Scores over time</h2>") :]
    svg = section[section.index("<svg") : section.index("</svg>") + 6]
    stored = [park.store.get(code, p) for p in PERIODS]
    drawn = plotted(svg)
    assert drawn[0] == pytest.approx([s.overall for s in stored], abs=0.01)  # type: ignore[union-attr]
    for n, d in enumerate(d for d in a.card.dimensions if d.scored):
        scores = [s.card.node(d.id).score for s in stored]  # type: ignore[union-attr]
        if None not in scores:
            assert drawn[n + 1] == pytest.approx(scores, abs=0.01)
    assert "higher is better" in section
    assert "Scores over time" not in render_html("diagnosis", a, lang="en")  # no store, no trend


def test_a_firm_with_one_stored_quarter_gets_no_trend_and_no_extra_page(
    park: Park, tmp_path: Path
) -> None:
    newcomer = assess(park.folder / f"{NEWCOMER}.yaml")
    trend = firm_trends(stored_history(park.store, "2026Q4"))[NEWCOMER]
    assert trend.periods == ["2026Q4"]
    with_trend = render_diagnosis(newcomer, trend=trend)
    assert pdf_pages(with_trend, tmp_path) == pdf_pages(render_diagnosis(newcomer), tmp_path)
    assert "历次得分" not in render_html("diagnosis", newcomer, trend=trend)


@pytest.mark.parametrize("who", ["all three quarters", "this quarter only"])
def test_the_batch_gives_each_firm_its_own_trend(park: Park, who: str) -> None:
    assert park.batch.failures == [] and len(park.batch.rendered) == 2
    code = q4_firm(park).card.firm.credit_code if who == "all three quarters" else NEWCOMER
    (path,) = (park.out / "firms").glob(f"{code}-*-diagnosis-zh.pdf")
    text = pdf_text(path)
    if who == "this quarter only":
        assert "历次得分" not in text and "2026年第2季度" not in text
        return
    assert "历次得分" in text
    for period in PERIODS:
        stored = park.store.get(code, period)
        assert stored is not None
        assert period_label(period, "zh") in text
        assert i18n.number(stored.overall, "zh") in text


# The workbook


def test_the_workbook_has_a_sheet_per_stored_period_and_a_trend_sheet(park: Park) -> None:
    book = openpyxl.load_workbook(park.batch.files["xlsx"])
    labels = [period_label(p, "zh") for p in PERIODS]
    assert book.sheetnames == [
        "评估结果",
        "分行业维度得分",
        "场景需求分组",
        "趋势",
        *labels,
        "工作简报",
    ]
    ids = {"not_rated"} | {c.id for card in park.store.cards("2026Q4") for c in card.levels}
    for period, label in zip(PERIODS, labels, strict=True):
        rows = list(book[label].iter_rows(values_only=True))
        header = list(rows[0])
        code, overall, level = (header.index(h) for h in ("统一社会信用代码", "综合得分", "等级"))
        cards = park.store.cards(period)
        assert [(r[code], r[overall], r[level]) for r in rows[1:]] == [
            (c.firm.credit_code, c.overall, c.level_name.zh) for c in cards
        ]
        assert not ids & {v for row in rows for v in row}
    trend = list(book["趋势"].iter_rows(values_only=True))
    assert list(trend[0]) == ["统一社会信用代码", "企业名称", "行业", *labels]
    firms = {row[0]: row for row in trend[1:] if row[0]}
    stored_codes = {r.credit_code for r in park.store.list()}
    assert set(firms) == stored_codes
    for code, row in firms.items():
        for n, period in enumerate(PERIODS):
            stored = park.store.get(code, period)
            assert row[3 + n] == (stored.overall if stored else None)
    park_rows = {row[1]: row[3:] for row in trend if not row[0] and row[1]}
    means = park_trend(stored_history(park.store, "2026Q4"))
    assert means is not None
    assert park_rows["评估企业数"] == tuple(p.firms for p in means.points)
    assert park_rows["园区综合得分均值"] == tuple(p.means["overall"] for p in means.points)
    for lid, name in means.levels:
        if any(p.levels.get(lid) for p in means.points):
            counts = tuple(p.levels.get(lid, 0) for p in means.points)
            assert park_rows[f"企业数：{name.zh}"] == counts
    assert book["趋势"].auto_filter.ref == f"A1:F{1 + len(firms)}"


def test_the_english_workbook_names_its_sheets_and_levels_in_english(
    park: Park, english: dict[str, Path]
) -> None:
    book = openpyxl.load_workbook(english["xlsx"])
    assert book.sheetnames[3:] == ["Trend", "Q2 2026", "Q3 2026", "Q4 2026", "Work summary"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    level = list(rows[0]).index("Level")
    assert [r[level] for r in rows[1:]] == [c.level_name.en for c in park.store.cards("2026Q4")]
    park_rows = [row[1] for row in book["Trend"].iter_rows(values_only=True) if not row[0]]
    assert "Park mean: overall score" in park_rows


def test_lines_that_end_close_together_are_named_apart_at_their_ends() -> None:
    from itertools import pairwise

    from assessment.report.trend_charts import LABEL_GAP, lines, spread

    # a block centred on the heights it names: the middle label stays level with its line
    assert spread([50.0, 51.0, 52.0], 12, 0, 300) == [39.0, 51.0, 63.0]
    assert spread([290.0, 295.0], 12, 0, 300) == [286.5, 298.5]  # centred, within the bounds
    assert spread([296.0, 299.0], 12, 0, 300) == [288.0, 300.0]  # packed up from the bottom
    assert spread([1.0, 2.0], 12, 0, 300) == [0.0, 12.0]  # and down from the top
    assert spread([10.0, 11.0, 100.0, 101.0], 12, 0, 300) == [4.5, 16.5, 94.5, 106.5]
    assert spread([60.0, 40.0], 12, 0, 300) == [60.0, 40.0]  # far enough apart: unmoved
    names = ["综合得分", "数字化意识", "数字化投入", "数字化人才"]
    series = [(n, [40.0 + i * 0.3, 41.0 + i * 0.2]) for i, n in enumerate(names)]
    chart = lines(["一期", "二期"], series, title="t", axis_label="a", direct=True)
    labelled = [
        float(t.get("y", "0"))
        for t in ET.fromstring(chart).iter(f"{SVG}text")
        if (t.text or "") in names
    ]
    assert len(labelled) == len(names)  # each line named once, beside its end, no legend
    labelled.sort()
    assert all(b - a >= LABEL_GAP - 0.01 for a, b in pairwise(labelled))


@pytest.mark.parametrize("direct", [False, True])
def test_the_first_lines_values_never_cover_another_lines_marker(direct: bool) -> None:
    # the overall score at 8.8 and 9.6 with a dimension's points 10 points above: the value's
    # white patch used to hide that dimension's markers; it is lifted above them, no further
    series = [
        ("综合得分", [8.8, 9.6]),
        ("数字化投入", [19.0, 19.4]),
        ("数字化人才", [0.0, 0.0]),
        ("无纸化程度", [60.0, 62.0]),
    ]
    chart = lines(["一期", "二期"], series, title="t", axis_label="a", direct=direct)
    root = ET.fromstring(chart)
    patches = [
        (float(r.get("x", "0")), float(r.get("y", "0")))
        for r in root.iter(f"{SVG}rect")
        if r.get("fill") == "#ffffff" and r.get("height") == "13"
    ]
    assert len(patches) == 2
    plot_h = LINES_BOTTOM - LINES_TOP
    for x, top in patches:
        for _, values in series:
            for v in values:  # every marker reaches at most 4.2 above and below its point
                y = LINES_BOTTOM - plot_h * v / 100
                assert y + 4.2 < top or y - 4.2 > top + 13
        own = LINES_BOTTOM - plot_h * (8.8 if x < 200 else 9.6) / 100
        assert own - (top + 13) < 25  # lifted past the 19.0 marker only, not to the 60 line
