"""The per-firm PDF reports as a reader and an attacker see them."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from assessment import UsageError
from assessment.engine.pipeline import Assessment, assess, sample_park
from assessment.files.atomic import short_name
from assessment.report.pdf import _fetcher_class, html_to_pdf
from assessment.report.render import render_diagnosis, render_html, render_scenarios, write_reports
from assessment.report.subset import lean_fonts
from assessment.resources import sample_park_dir, templates_dir
from tests.conftest import SampleReports

GOLDEN = Path(__file__).parent / "golden"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (make setup)"
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, *args, str(path)], check=True, capture_output=True, text=True
    ).stdout


def user_text(a: Assessment) -> list[str]:
    """Text that comes from the answer file, not from us: it may be Chinese in any report."""
    found = [a.card.firm.name, a.card.firm.park or "", a.card.assessor]
    for result in a.card.questions():
        found += [result.note or "", *result.evidence]
        if result.type == "text" and isinstance(result.value, str):
            found.append(result.value)
    return [t for t in found if t]


@needs_poppler
@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_the_chinese_report_names_the_firm_level_and_dimensions(
    kind: str, sample_reports: dict, sample_firm: Assessment, tmp_path: Path
) -> None:
    text = re.sub(r"\s+", "", pdf_text(sample_reports[kind, "zh"], tmp_path))
    assert sample_firm.card.firm.name in text
    assert sample_firm.card.level_name.zh in text
    if kind == "diagnosis":
        for dimension in sample_firm.card.dimensions:
            assert dimension.label.zh.replace(" ", "") in text
        assert "诊断报告" in text
    else:
        assert "示范场景" in text
        for rec in sample_firm.recommendations:
            assert rec.name.zh.replace(" ", "") in text


@needs_poppler
@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_the_english_report_has_no_chinese_but_the_firms_own_words(
    kind: str, sample_reports: dict, sample_firm: Assessment, tmp_path: Path
) -> None:
    html = render_html(kind, sample_firm, lang="en")  # type: ignore[arg-type]
    for words in sorted(user_text(sample_firm), key=len, reverse=True):
        html = html.replace(escape(words), "")
    assert CJK.findall(html) == []
    # In the PDF, wrapped table cells interleave; every Chinese character must still be the firm's.
    text = pdf_text(sample_reports[kind, "en"], tmp_path)
    theirs = set(CJK.findall("".join(user_text(sample_firm))))
    assert set(CJK.findall(text)) <= theirs
    assert sample_firm.card.level_name.en in text
    if kind == "diagnosis":
        for dimension in sample_firm.card.dimensions:
            assert dimension.label.en in text


@needs_poppler
def test_a_real_cjk_font_is_embedded_and_pages_are_sane(
    sample_reports: dict, tmp_path: Path
) -> None:
    for kind, lang in SampleReports.KEYS:
        pdf = sample_reports[kind, lang]
        fonts = pdf_tool("pdffonts", pdf, tmp_path)
        cjk = [line for line in fonts.splitlines() if "CJK" in line]
        assert cjk, fonts
        assert all(" yes yes " in line for line in cjk), fonts
        assert any("Bold" in line for line in cjk), "bold text needs the bold face"
        pages = int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", pdf, tmp_path)).group(1))
        assert (4 if kind == "diagnosis" else 2) <= pages <= 40


# Terms of the sample firm's scenario names, services and answers that a table cell once split
# across two lines (`政策申/报服务`, `数字化转型规/划`, `客/户关系管理`).
TERMS = ("政策申报服务", "数字化转型规划", "客户关系管理", "供应商协同", "数字化人才培养计划")


@needs_poppler
@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_table_cells_never_break_a_chinese_term(
    kind: str, sample_reports: dict, tmp_path: Path
) -> None:
    text = pdf_text(sample_reports[kind, "zh"], tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    joined = "".join(lines)
    found = [t for t in TERMS if t in joined]
    assert found, "the sample firm's reports name none of the terms"
    for term in found:
        assert text.count(term) == joined.count(term), f"{term} is split across lines"


def test_the_html_keeps_each_term_of_a_name_on_one_line() -> None:
    from assessment.report.html import keep_terms

    wj = "\u2060"  # WORD JOINER: no line break between the characters it joins
    assert keep_terms("数字化转型规划与政策申报服务") == (
        wj.join("数字化转型规划与") + wj.join("政策申报服务")
    )
    assert keep_terms("CRM 客户关系管理、<b>") == "CRM " + wj.join("客户关系管理、") + "&lt;b&gt;"
    assert keep_terms("质量&安全") == wj.join(["质", "量", "&amp;", "安", "全"])  # escaped after
    assert keep_terms("Cloud ERP & MES") == "Cloud ERP &amp; MES"
    sentence = "企业主要负责人对数字化转型的重视程度如何？"
    assert keep_terms(sentence) == sentence  # too long for a term: it wraps like any text


def test_the_same_inputs_give_identical_pdfs(sample_firm: Assessment, sample_reports: dict) -> None:
    assert render_scenarios(sample_firm, lang="zh") == sample_reports["scenarios", "zh"]
    assert render_diagnosis(sample_firm, lang="en") == sample_reports["diagnosis", "en"]


def _scenarios_pdf(path: Path) -> bytes:
    return render_scenarios(assess(path), lang="zh")


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_worker_process_renders_the_same_pdf_as_its_parent(
    method: str, sample_firm: Assessment, sample_reports: dict
) -> None:
    """Fonts and stylesheets are set up once per process: a worker forked after its parent has
    rendered builds its own, and a spawned one its own from nothing; each renders many firms."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    assert sample_firm.source is not None
    with multiprocessing.get_context(method).Pool(1) as pool:
        twice = pool.map(_scenarios_pdf, [sample_firm.source, sample_firm.source])
    assert twice == [sample_reports["scenarios", "zh"]] * 2


HOSTILE = (
    '<img src="file:///etc/hostname"> <link rel="attachment" href="file:///etc/passwd"> '
    "<script>alert(1)</script> {{ 7*7 }} ../../escape"
)


@pytest.fixture(scope="module")
def hostile_firm(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    source = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))[0]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["firm"]["name"] = HOSTILE
    data["firm"]["park"] = HOSTILE
    data["assessor"] = "<b>x</b>"
    first = next(iter(data["answers"]))
    value = data["answers"][first]
    value = value["value"] if isinstance(value, dict) else value
    data["answers"][first] = {"value": value, "note": HOSTILE, "evidence": [HOSTILE]}
    path = tmp_path_factory.mktemp("hostile") / "answers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return assess(path)


def test_hostile_text_is_escaped_in_the_html(hostile_firm: Assessment) -> None:
    html = render_html("diagnosis", hostile_firm, lang="en")
    assert "<script>" not in html
    assert '<link rel="attachment" href="file:///etc/passwd">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html


@pytest.fixture(scope="module")
def hostile_written(
    hostile_firm: Assessment, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Path]]:
    """The hostile firm's two English reports written once into `ROOT/out`: (ROOT, paths)."""
    root = tmp_path_factory.mktemp("hostile")
    return root, dict(write_reports(hostile_firm, root / "out", lang="en"))


@needs_poppler
def test_hostile_text_renders_as_literal_text_and_nothing_is_attached(
    hostile_written: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    pdf = hostile_written[1]["diagnosis"].read_bytes()
    text = pdf_text(pdf, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "file:///etc/passwd" in text
    assert pdf_tool("pdfdetach", pdf, tmp_path, "-list").startswith("0 embedded files")


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("苏州恒锐精密金属制品有限公司", "苏州恒锐精密金属制品"),
        ("江苏华芯股份有限公司", "江苏华芯"),
        ("../../etc/passwd", "etc_passwd"),
        ("a/b\\c:d*?", "a_b_c_d"),
        ("有限公司", "有限公司"),
        ("...", ""),
    ],
)
def test_a_short_name_is_safe_in_a_file_name(name: str, short: str) -> None:
    assert short_name(name) == short


def test_reports_are_readable_by_the_group(sample_firm: Assessment, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        paths = write_reports(sample_firm, tmp_path, lang="zh")
    finally:
        os.umask(old)
    for path in paths.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
        assert "恒锐" in path.name or sample_firm.card.firm.name[2:4] in path.name


def test_reports_are_named_from_the_credit_code_and_stay_in_the_folder(
    hostile_firm: Assessment, hostile_written: tuple[Path, dict[str, Path]]
) -> None:
    tmp_path, paths = hostile_written
    out = tmp_path / "out"
    code, period = hostile_firm.card.firm.credit_code, hostile_firm.card.period
    short = short_name(HOSTILE)
    assert short and all(c.isalnum() or c in "-_" for c in short)
    assert sorted(p.name for p in paths.values()) == [
        f"{code}-{short}-{period}-diagnosis-en.pdf",
        f"{code}-{short}-{period}-scenarios-en.pdf",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths.values())
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://127.0.0.1:9/x.css",
        "https://example.org/font.woff",
        "ftp://127.0.0.1/x",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_template_folders(url: str) -> None:
    fetcher = _fetcher_class()([templates_dir()])
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)


def test_the_fetcher_refuses_a_symlink_that_leads_outside(tmp_path: Path) -> None:
    (tmp_path / "escape.css").symlink_to("/etc/passwd")
    fetcher = _fetcher_class()([tmp_path])
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch((tmp_path / "escape.css").as_uri())


def test_the_fetcher_serves_template_assets_and_data_urls() -> None:
    fetcher = _fetcher_class()([templates_dir()])
    css = fetcher.fetch((templates_dir() / "report.css").as_uri())
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"


@needs_poppler
def test_raw_hostile_html_cannot_attach_or_read_files(tmp_path: Path) -> None:
    html = (
        '<html><head><link rel="attachment" href="file:///etc/hostname">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head>'
        '<body><p>x</p><img src="file:///etc/hostname"><img src="../../../../etc/passwd">'
        '<a rel="attachment" href="file:///etc/os-release">a</a></body></html>'
    )
    pdf = html_to_pdf(html, [templates_dir()])
    assert pdf_tool("pdfdetach", pdf, tmp_path, "-list").startswith("0 embedded files")


def test_a_users_template_folder_overrides_ours_file_by_file(
    sample_firm: Assessment, tmp_path: Path
) -> None:
    (tmp_path / "partials").mkdir()
    cover = (templates_dir() / "partials" / "cover.html").read_text(encoding="utf-8")
    (tmp_path / "partials" / "cover.html").write_text(
        cover.replace('<section class="cover">', '<section class="cover">OUR PARK LOGO'),
        encoding="utf-8",
    )
    html = render_html("diagnosis", sample_firm, lang="en", template_dir=tmp_path)
    assert "OUR PARK LOGO" in html
    assert "Why not the next level" in html


def test_a_broken_user_template_names_its_file_and_line(
    sample_firm: Assessment, tmp_path: Path
) -> None:
    (tmp_path / "scenarios.html").write_text("line one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"scenarios\.html:2: template error"):
        render_html("scenarios", sample_firm, lang="en", template_dir=tmp_path)
    from typer.testing import CliRunner

    from assessment.cli import app

    answers = next((sample_park_dir() / "2026Q3").glob("*.yaml"))
    args = ["report", str(answers), "--out", str(tmp_path / "out"), "--templates", str(tmp_path)]
    zh = CliRunner().invoke(app, [*args, "--lang", "zh"])
    assert zh.exit_code == 2 and len(zh.output.strip().splitlines()) == 1, zh.output
    assert zh.output.startswith(f"错误：{tmp_path / 'scenarios.html'}:2：模板错误：")
    assert "请改正该模板，或把它从 --templates 的文件夹中移走以使用自带模板" in zh.output


def test_templates_cannot_reach_python_internals(sample_firm: Assessment, tmp_path: Path) -> None:
    (tmp_path / "scenarios.html").write_text(
        "{{ card.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8"
    )
    with pytest.raises(UsageError, match="template error"):
        render_html("scenarios", sample_firm, lang="en", template_dir=tmp_path)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_html_matches_the_golden_file(kind: str, lang: str, sample_firm: Assessment) -> None:
    """Regenerate with UPDATE_GOLDEN=1 after a deliberate template change, then review the diff.

    The diagnosis is rendered with the firm's two sample quarters, so its trend page is covered."""
    cards = [a.card for a in sample_park("2026Q3")]
    from assessment.park.peers import peer_averages
    from assessment.park.trends import firm_trends

    peers = peer_averages(cards, sample_firm.card.firm.industry) if kind == "diagnosis" else None
    history = {"2026Q2": [a.card for a in sample_park("2026Q2")], "2026Q3": cards}
    trend = firm_trends(history)[sample_firm.card.firm.credit_code] if kind == "diagnosis" else None
    html = render_html(kind, sample_firm, lang=lang, peers=peers, trend=trend)  # type: ignore[arg-type]
    golden = GOLDEN / f"{kind}-{lang}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_an_output_folder_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from assessment.cli import app

    blocker = tmp_path / "out"
    blocker.write_text("keep me", encoding="utf-8")
    answers = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))[0]
    result = CliRunner().invoke(app, ["report", str(answers), "--out", str(blocker)])
    assert result.exit_code == 2
    assert "cannot write here" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_attached_photos_are_ticked_in_the_checklist_and_embedded_in_an_appendix(
    tmp_path: Path,
) -> None:
    import hashlib

    from assessment.collect.answerfile import dump_answers

    source = sample_park_dir() / "2026Q3" / "91320594MA1A3K7R2A.yaml"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    sha = hashlib.sha256(png).hexdigest()
    sheet = assess(source).sheet
    answers = dict(sheet.answers)
    answers["network_coverage"] = answers["network_coverage"].model_copy(
        update={"evidence": [f"evidence/{sha}.png", f"evidence/{'0' * 64}.png"]}
    )
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / f"{sha}.png").write_bytes(png)
    path = tmp_path / "answers.yaml"
    path.write_text(dump_answers(sheet.model_copy(update={"answers": answers})), encoding="utf-8")
    html = render_html("diagnosis", assess(path), lang="en")
    assert html.count("data:image/png;base64,") == 1  # the missing file is left out
    assert '<td class="center check">✓</td>' in html
    assert "Appendix: attached evidence" in html


def test_the_garbage_collector_is_paused_during_a_render_and_runs_again_after() -> None:
    import gc

    from assessment.report.pdf import collector_paused

    assert gc.isenabled()
    seen = []
    with collector_paused():
        seen.append(gc.isenabled())
        with collector_paused():  # a second render at the same time (another thread)
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # the first is still rendering
    assert seen == [False, False, False]
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a render that fails")
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off itself keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_render_leaves_the_garbage_collector_running() -> None:
    import gc

    root = templates_dir().resolve()
    pdf = html_to_pdf("<p>一页</p>", [root], [root / "report.css"])
    assert pdf.startswith(b"%PDF") and gc.isenabled()


def _collector_after_a_render_in_the_child(results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import gc

    from assessment.report.pdf import collector_paused

    before = gc.isenabled()
    with collector_paused():
        pass
    results.put((before, gc.isenabled()))


def test_a_child_forked_during_a_render_gets_the_collector_back_after_its_own() -> None:
    from assessment.report.pdf import collector_paused

    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    with collector_paused():  # the parent is rendering (in another thread) when it forks
        child = fork.Process(target=_collector_after_a_render_in_the_child, args=(results,))
        child.start()
        found = results.get(timeout=60)
        child.join(timeout=60)
    assert found == (False, True)  # paused as inherited, then running after its first render
    assert child.exitcode == 0


def test_without_weasyprints_footnote_rules_a_report_is_the_same(sample_firm: Assessment) -> None:
    import weasyprint

    from assessment.report import pdf

    ours = pdf._html_class()
    assert ours is not weasyprint.HTML, "this WeasyPrint renders every report the slower way"
    root = templates_dir().resolve()
    html = render_html("scenarios", sample_firm, preview=False)
    with lean_fonts():  # (fonts subset as html_to_pdf does: only the rules differ)
        plain = weasyprint.HTML(
            string=html, base_url=root.as_uri() + "/", url_fetcher=_fetcher_class()([root])
        ).write_pdf(
            stylesheets=pdf._stylesheets((root / "report.css",), (root,)),
            font_config=pdf._font_config(),
        )
    assert html_to_pdf(html, [root], [root / "report.css"]) == plain


def page_images(pdf: bytes, folder: Path) -> list[bytes]:
    """Every page as a PNG at 40 dpi, in page order."""
    folder.mkdir()
    (folder / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "r.pdf", "p"], cwd=folder, check=True)
    return [p.read_bytes() for p in sorted(folder.glob("p-*.png"))]


@needs_poppler
def test_lean_fonts_give_the_same_pages_as_weasyprints_own(
    sample_firm: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment.report import pdf, subset

    subset_in_one: list[str] = []
    one_pass = subset._one_pass

    def counted(font: Any, glyphs: dict[int, Any]) -> bytes | None:
        made = one_pass(font, glyphs)
        subset_in_one.append(font.family if made else "refused")
        return made

    monkeypatch.setattr(subset, "_one_pass", counted)
    root = templates_dir().resolve()
    html = render_html("diagnosis", sample_firm, preview=False)
    ours = html_to_pdf(html, [root], [root / "report.css"])
    assert "Noto Sans CJK SC" in subset_in_one and "refused" not in subset_in_one
    ours_subset = len(subset_in_one)
    theirs = pdf._html_class()(
        string=html, base_url=root.as_uri() + "/", url_fetcher=_fetcher_class()([root])
    ).write_pdf(
        stylesheets=pdf._stylesheets((root / "report.css",), (root,)),
        font_config=pdf._font_config(),
    )
    assert len(subset_in_one) == ours_subset, "outside html_to_pdf, WeasyPrint subsets its way"

    def fonts(pdf: bytes) -> list[str]:
        return [line.split()[0] for line in pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]]

    assert fonts(ours) == fonts(theirs) and len(fonts(ours)) == ours_subset
    assert pdf_text(ours, tmp_path) == pdf_text(theirs, tmp_path)
    assert page_images(ours, tmp_path / "ours") == page_images(theirs, tmp_path / "theirs")


def test_a_library_users_own_weasyprint_documents_are_subset_as_before(tmp_path: Path) -> None:
    """Once dtm has rendered in a process, WeasyPrint outside dtm's renders still subsets fonts
    its own way: the same bytes as in a process that never imported dtm."""
    script = (
        "import sys, weasyprint\n"
        "html = '<p>数字化转型诊断 Digital transformation <code>91320594MA1L2X5H8K</code></p>'\n"
        "sys.stdout.buffer.write(weasyprint.HTML(string=html).write_pdf())\n"
    )
    alone = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True).stdout
    after_ours = subprocess.run(
        [sys.executable, "-c", "from assessment.report.pdf import html_to_pdf\n"
         "from assessment.resources import templates_dir\n"
         "html_to_pdf('<p>封面 cover</p>', [templates_dir()])\n" + script],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    assert alone.startswith(b"%PDF") and after_ours == alone
