"""The SVG charts: well-formed, deterministic, readable, and inert whatever text they are given."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.report.charts import Series, TimelineItem, bars, distribution, radar, timeline

SVG = "{http://www.w3.org/2000/svg}"
CHART_TAGS = {"svg", "title", "text", "line", "rect", "polygon", "polyline", "circle"}
# Everything an attribute may hold: numbers, lists of numbers, colours and fixed keywords.
SAFE_ATTRIBUTE = re.compile(
    r"-?\d+(\.\d+)?([ ,]-?\d+(\.\d+)?)*|#[0-9a-f]{6}|none|round|start|middle|end|bold|img"
    r"|Noto Sans CJK SC, sans-serif|http://www\.w3\.org/2000/svg"
)
HOSTILE = [
    "<script>alert(1)</script>",
    '"><image href="file:///etc/passwd"/>',
    "{{ 7*7 }}",
    '"; x: url(file:///etc/passwd)',
    "]]> & &amp; <!-- -->",
]

Build = Callable[[Sequence[str]], str]


def radar_chart(labels: Sequence[str]) -> str:
    axes = [*labels, *(f"axis {i}" for i in range(max(0, 3 - len(labels))))]
    series = [
        Series(labels[0], [50 + i for i in range(len(axes))]),
        Series(labels[-1], [None, *[70] * (len(axes) - 1)], "dashed"),
    ]
    return radar(axes, series, title=labels[0], missing_label=labels[-1])


def bars_chart(labels: Sequence[str]) -> str:
    values = [10.0 * (i + 1) for i in range(len(labels))]
    return bars(
        labels,
        values,
        title=labels[0],
        value_axis_label=labels[-1],
        reference=55.5,
        reference_label=labels[0],
    )


def distribution_chart(labels: Sequence[str]) -> str:
    counts = list(range(3, 3 + len(labels)))
    return distribution(labels, counts, title=labels[0], axis_label=labels[-1])


def timeline_chart(labels: Sequence[str]) -> str:
    lanes = [*labels[:3], *(f"lane {i}" for i in range(max(0, 3 - len(labels))))]
    items = [
        TimelineItem(f"k{i}", label, i % 3, after=f"k{i - 1}" if i else ())
        for i, label in enumerate(labels)
    ]
    return timeline(lanes, items, title=labels[0])


BUILDERS: list[Build] = [radar_chart, bars_chart, distribution_chart, timeline_chart]
SHORT_LABELS = [
    ["Awareness", "Investment", "Talent", "Paper ledgers", "Systems"],
    ["数字化意识", "数字化投入", "人才", "纸质台账依赖", "基础设施", "业务系统应用"],
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def attrs(root: ET.Element, tag: str) -> list[dict[str, str]]:
    return [el.attrib for el in root.iter(f"{SVG}{tag}")]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("labels", SHORT_LABELS)
def test_chart_is_an_accessible_svg_with_a_fixed_viewbox(build: Build, labels: list[str]) -> None:
    root = parse(build(labels))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == labels[0]
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "Noto Sans CJK SC" in (root.get("font-family") or "")


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("labels", SHORT_LABELS)
def test_chart_is_byte_identical_across_calls(build: Build, labels: list[str]) -> None:
    assert build(labels) == build(list(labels))


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("labels", SHORT_LABELS)
def test_every_label_is_printed(build: Build, labels: list[str]) -> None:
    printed = "".join(texts(parse(build(labels))))
    for label in labels:
        assert label in printed


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("labels", SHORT_LABELS)
def test_text_is_readable_and_inside_the_chart(build: Build, labels: list[str]) -> None:
    root = parse(build(labels))
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    for el in root.iter(f"{SVG}text"):
        assert (
            float(el.get("font-size", root.get("font-size", 0))) >= 10
        )  # >= 9 px printed at 90% of the width
        assert 0 <= float(el.get("x", -1)) <= width
        assert 0 < float(el.get("y", -1)) <= height


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_inert_text(build: Build, hostile: str) -> None:
    svg = build([hostile, "二", hostile])
    root = parse(svg)
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= CHART_TAGS
    assert "<script" not in svg and "<image" not in svg
    assert root[0].text == hostile  # the title, never cut
    for el in root.iter():
        for name, value in el.attrib.items():
            assert SAFE_ATTRIBUTE.fullmatch(value), (el.tag, name, value)
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped.replace('"', "&quot;") in svg


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=3, max_size=6))
def test_any_text_gives_well_formed_charts(labels: list[str]) -> None:
    for build in BUILDERS:
        root = parse(build(labels))
        assert {el.tag.removeprefix(SVG) for el in root.iter()} <= CHART_TAGS


@pytest.mark.parametrize("n", [3, 5, 8, 12])
def test_radar_draws_one_spoke_and_label_per_axis(n: int) -> None:
    axes = [f"维度{i}" for i in range(n)]
    root = parse(radar(axes, [Series("本企业", [float(i * 8) for i in range(n)])], title="t"))
    assert len(attrs(root, "line")) == n
    assert all(axis in texts(root) for axis in axes)
    assert {"20", "40", "60", "80", "100"} <= set(texts(root))


@pytest.mark.parametrize(
    ("values", "hollow"),
    [
        ([10, 20, 30, 40], 0),
        ([None, 20, None, 40], 2),
        ([None, None, None, None], 4),
        ([float("nan"), 120, -5, 0], 1),
    ],
)
def test_radar_missing_values_sit_at_the_centre_with_hollow_markers(
    values: list[float | None], hollow: int
) -> None:
    root = parse(radar(list("ABCD"), [Series("firm", values)], title="t", missing_label="no data"))
    at_centre = [c for c in attrs(root, "circle") if c["cx"] == "180"]  # default size 360
    assert sum(c["fill"] == "#ffffff" for c in at_centre) == hollow
    assert ("no data" in texts(root)) == bool(hollow)  # the legend names hollow markers


def test_radar_legend_names_series_with_their_line_styles() -> None:
    series = [
        Series("本企业", [50, 60, 70]),
        Series("行业平均", [40, 50, 60], "dashed"),
        Series("园区平均", [45, 55, 65], "dotted"),
    ]
    root = parse(radar(["基础", "管理", "成效"], series, title="t"))
    assert {"本企业", "行业平均", "园区平均"} <= set(texts(root))
    dashes = {p.get("stroke-dasharray") for p in attrs(root, "polyline")}
    assert dashes == {None, "7 4", "0.1 4"}
    shaded = [p for p in attrs(root, "polygon") if "fill-opacity" in p]
    assert len(shaded) == 1


def test_radar_wraps_long_labels_onto_at_most_two_lines() -> None:
    long = "设备联网与数据采集以及生产过程的全面数字化管理和智能分析应用" * 2
    root = parse(radar([long, "b", "c", "d", "e", "f"], [], title="t"))
    pieces = [t for t in texts(root) if t and t[0] in long]
    assert 1 < len(pieces) <= 2
    assert pieces[-1].endswith("…")


@pytest.mark.parametrize(
    ("axes", "values", "message"),
    [
        (["a", "b"], [1, 2], "3 to 12 axes"),
        ([str(i) for i in range(13)], [1] * 13, "3 to 12 axes"),
        (["a", "b", "c"], [1, 2], "2 values for 3 axes"),
    ],
)
def test_radar_rejects_bad_shapes(axes: list[str], values: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        radar(axes, [Series("s", values)], title="t")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"style": "wavy"}, "style"), ({"fill_opacity": 2.0}, "fill_opacity")],
)
def test_series_rejects_bad_styles(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Series("s", [1, 2, 3], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "bar_width", "printed"),
    [
        (0, "0", "0.0"),
        (62.5, "187.5", "62.5"),
        (100, "300", "100.0"),
        (130, "300", "130.0"),
        (-4, "0", "-4.0"),
        (None, None, "—"),
        (float("nan"), None, "—"),
    ],
)
def test_bars_draw_and_print_each_value(
    value: float | None, bar_width: str | None, printed: str
) -> None:
    root = parse(bars(["人才"], [value], title="t", value_axis_label="得分"))
    widths = [r["width"] for r in attrs(root, "rect")]
    assert widths == ([] if bar_width is None else [bar_width])
    assert printed in texts(root)


def test_bars_axis_reference_line_and_truncated_labels() -> None:
    long = "一个非常非常长的维度名称需要被截断显示出来"
    root = parse(
        bars(
            [long, "人才"],
            [50, 70],
            title="t",
            value_axis_label="得分（0–100）",
            reference=58.3,
            reference_label="园区平均",
        )
    )
    printed = texts(root)
    assert {"0", "20", "40", "60", "80", "100", "得分（0–100）", "园区平均 58.3"} <= set(printed)
    cut = [t for t in printed if t.startswith("一个")]
    assert len(cut) == 1 and cut[0].endswith("…") and len(cut[0]) < len(long)
    dashed = [line for line in attrs(root, "line") if line.get("stroke-dasharray") == "5 3"]
    assert len(dashed) == 1 and dashed[0]["x1"] == dashed[0]["x2"] == "334.9"


def test_bars_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="2 labels for 1 values"):
        bars(["a", "b"], [1], title="t", value_axis_label="x")


@pytest.mark.parametrize(
    ("counts", "ticks"),
    [
        ([12, 37, 28, 9, 2], ["0", "10", "20", "30", "40"]),
        ([0, 0, 0], ["0", "1"]),
        ([1, 2], ["0", "1", "2"]),
        ([250, 1999], ["0", "500", "1000", "1500", "2000"]),
    ],
)
def test_distribution_prints_counts_and_a_round_scale(counts: list[int], ticks: list[str]) -> None:
    labels = [f"L{i} 级" for i in range(len(counts))]
    root = parse(distribution(labels, counts, title="t", axis_label="企业数（家）"))
    printed = texts(root)
    assert all(str(c) in printed for c in counts)
    assert all(label in printed for label in labels) and "企业数（家）" in printed
    scale = [el.text for el in root.iter(f"{SVG}text") if el.get("text-anchor") == "end"]
    assert scale == ticks
    heights = [float(r["height"]) for r in attrs(root, "rect")]
    top = max(heights)
    assert all(
        abs(h / (top or 1) - c / (max(counts) or 1)) < 1e-2
        for h, c in zip(heights, counts, strict=True)
    )


@pytest.mark.parametrize("counts", [[-1, 2], [1.5, 2], [True, 2], []])
def test_distribution_rejects_bad_counts(counts: list[int]) -> None:
    with pytest.raises(ValueError, match="whole count"):
        distribution([f"l{i}" for i in range(len(counts))], counts, title="t", axis_label="n")


def boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    return [
        (float(r["x"]), float(r["y"]), float(r["width"]), float(r["height"]))
        for r in attrs(root, "rect")
        if r["fill"] == "#ffffff"
    ]


ROADMAP = [
    TimelineItem("erp", "云ERP替代手工账", 0),
    TimelineItem("scan", "扫码报工：生产数据实时上报", 0),
    TimelineItem("iot", "设备联网与数据采集（数控机床、注塑机）", 1, after="scan"),
    TimelineItem("mes", "MES 生产执行系统", 1, after=("erp", "iot")),
    TimelineItem("ws", "数字化车间", 2, after="mes"),
    TimelineItem("sf", "智能工厂：计划、质量、能源一体化", 2, after=("ws", "erp", "done")),
    TimelineItem("train", "Digital skills training for shop-floor team leaders", 0),
]


@pytest.mark.parametrize("count", [1, 3, 7])
def test_timeline_stacks_boxes_without_overlap(count: int) -> None:
    root = parse(timeline(["现在", "下个季度", "以后"], ROADMAP[:count], title="路线图"))
    drawn = boxes(root)
    assert len(drawn) == count
    for i, (x1, y1, w1, h1) in enumerate(drawn):
        for x2, y2, w2, h2 in drawn[i + 1 :]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
        assert y1 + h1 <= float(root.get("height", 0))
    assert {"现在", "下个季度", "以后"} <= set(texts(root))


def test_timeline_grows_with_its_items_and_draws_one_arrow_per_known_prerequisite() -> None:
    lanes = ["Now", "Next quarter", "Later"]
    short = parse(timeline(lanes, ROADMAP[:2], title="t"))
    full = parse(timeline(lanes, ROADMAP, title="t"))
    assert float(full.get("height", 0)) > float(short.get("height", 0))
    assert len(attrs(full, "polyline")) == 6  # "done" is not on the roadmap
    assert len(attrs(full, "polygon")) == 6  # one arrowhead each


def test_timeline_arrows_never_cross_a_box() -> None:
    root = parse(timeline(["现在", "下个季度", "以后"], ROADMAP, title="t"))
    drawn = boxes(root)
    for line in attrs(root, "polyline"):
        pts = [tuple(map(float, p.split(","))) for p in line["points"].split()]
        for (ax, ay), (bx, by) in itertools.pairwise(pts):
            for x, y, w, h in drawn:
                inside_x = max(ax, bx) > x + 0.5 and min(ax, bx) < x + w - 0.5
                inside_y = max(ay, by) > y + 0.5 and min(ay, by) < y + h - 0.5
                assert not (inside_x and inside_y), (line["points"], (x, y, w, h))


@pytest.mark.parametrize(
    ("lanes", "items", "message"),
    [
        ([], [], "1 to 6 lanes"),
        (["a"], [TimelineItem("x", "t", 0), TimelineItem("x", "u", 0)], "distinct item keys"),
        (["a", "b"], [TimelineItem("x", "t", 2)], "not one of 0..1"),
    ],
)
def test_timeline_rejects_bad_input(
    lanes: list[str], items: list[TimelineItem], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        timeline(lanes, items, title="t")


def test_score_labels_name_the_good_end_and_charts_say_higher_is_better() -> None:
    from assessment.engine.pipeline import assess
    from assessment.report.content import indicator_bars_svg, radar_svg
    from assessment.resources import sample_park_dir

    a = assess(sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))[0])
    paper = a.card.node("paper_ledger")
    assert (paper.label.zh, paper.label.en) == ("无纸化程度", "Paperless operations")
    assert a.card.node("paper_scope").label.zh == "业务无纸化范围"
    question = a.questionnaire.question_map["paper_processes"]
    assert "纸" in question.text.zh  # the question about paper is asked as it always was
    for lang, words in (("zh", "分数越高越好"), ("en", "higher is better")):
        assert words in radar_svg(a.card, None, lang)
        assert words in indicator_bars_svg(paper, None, lang)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("4. 数字化转型规划与政策申报服务", ["4. 数字化转型规划与", "政策申报服务"]),
        ("6. 数字化人才培养计划", ["6. 数字化人才培养计划"]),
        ("云 ERP 替代手工账（进销存）", ["云 ERP 替代手工账", "（进销存）"]),
    ],
)
def test_roadmap_boxes_break_names_between_terms(text: str, lines: list[str]) -> None:
    from assessment.report import svg

    assert svg.wrap_terms(text, 120, 3) == lines
