"""Every surface in one language: the PDFs, the results workbook, the web form's pages, the work
summary and the messages of wrong commands read in Chinese without stray English words, and in
English without Chinese ones (firm names, the park's name and typed answers are data, allowed).

Latin text in Chinese output is allowed only as an id or code (ANS004, a credit code, a question
or questionnaire id, an option such as --period, a command, a file name), a number with its unit,
or one of the reviewed abbreviations in ALLOWED."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient
from typer.testing import CliRunner

from assessment.batch import run_batch, write_park_outputs
from assessment.cli import app
from assessment.resources import sample_park_dir
from assessment.serve import Settings, create_app
from assessment.store import Store

SAMPLE = sample_park_dir()
FIRM = SAMPLE / "2026Q3" / "91320594MA1A3K7R2A.yaml"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

# Abbreviations people in the parks use as they are: reviewed, keep short.
ALLOWED = {
    "AGV",
    "AI",
    "AOI",
    "APS",
    "BMS",
    "CAD",
    "CAM",
    "CNC",
    "CRM",
    "EHS",
    "ERP",
    "IT",
    "MES",
    "MIIT",
    "OA",
    "PDF",
    "PLC",
    "PLM",
    "QMS",
    "SCADA",
    "SPC",
    "SRM",
    "WMS",
    "SaaS",
    "BOM",
    "PNG",
    "CSV",
    "Excel",
    "IoT",
    "KPI",
    "OEE",
    "QC",
    "RFID",
    "SOP",
    "SVG",
    "PostgreSQL",
    "SQLite",
    "dtm",
    "Wi-Fi",
    "English",  # the web form's switch to English, named in English
    "zh",  # the language codes, as --lang takes them
    "en",
}
# What is an id, a code or a place, not a word: removed before the words are read.
NOT_WORDS = [
    r"[\w./-]*[/\\][\w./-]*",  # a path
    r"\b[\w-]+\.(?:csv|xlsx|yaml|db|pdf)\b",  # a file name
    r"\$[A-Z_]+",  # an environment variable
    r"\b[0-9A-HJ-NPQRTUWXY]{18}\b",  # a unified social credit code
    r"\b[A-Z]+\d{3}\b",  # a problem code (ANS004, SVC003)
    r"--?[a-z][a-z-]*",  # an option
    r"\bdtm(?: [a-z-]+)*",  # a command
    r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+\b",  # an id: park_quick_scan, digitisation.erp
    r"'[^']*'",  # what the user typed, quoted back
    r"\b\d{4}Q[1-4]\b",  # a period as written in options and files
    r"[\d.]+\s*(?:px|mm|pt|MB|KB)\b",
    r"\bv?\d+(?:\.\d+)+\b",  # a version
]
LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")
HAN = re.compile(r"[\u3400-\u9fff]+")


def stray_english(text: str) -> list[str]:
    for pattern in NOT_WORDS:
        text = re.sub(pattern, " ", text)
    return sorted({w for w in LATIN.findall(text) if w not in ALLOWED})


def stray_chinese(text: str, data: Iterable[str]) -> list[str]:
    """Chinese text that is not (a piece of) a name in `data`: pdftotext may cut a name that a
    table cell wraps, or interleave it with the next column."""
    names = list(data)
    return sorted({run for run in HAN.findall(text) if not any(run in name for name in names)})


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def workbook_text(path: Path) -> str:
    book = load_workbook(path, read_only=True)
    cells = []
    for sheet in book.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(v) for v in row if isinstance(v, str))
    return "\n".join(cells)


def page_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z#0-9]+;", " ", text)


def dtm(*args: Any, lang: str) -> str:
    result = CliRunner().invoke(
        app, [str(a) for a in args], env={"DTM_LANG": lang}, prog_name="dtm"
    )
    assert "Traceback" not in result.output
    return result.output


def wrong_commands(db: str) -> list[list[Any]]:
    return [
        ["lsit"],
        ["park-summary", "--period", "2026q3", "--db", db],
        ["park-summary", "--perod", "2026Q3"],
        ["park-summary", "--db", db],
        ["park-summary", "--period", "2026Q1", "--db", db],
        ["park-summary", "--year", "1066", "--db", db],
        ["park-summary", "--period", "2026Q3", "--tiers", "3,3", "--db", db],
        ["list", "--db", "nothere.db"],
        ["list", "--json", "--csv", "--db", db],
        ["batch", SAMPLE / "2026Q3", "--out", "x"],
        ["batch", SAMPLE / "2026Q3", "--period", "2026Q3", "--out", "x", "--workers", "abc"],
        ["batch", SAMPLE / "2026Q3", "--period", "2026Q3", "--out", "x", "--workers", "0"],
        ["report", FIRM, "--out", "x", "--lang", "fr"],
        ["history", "不存在的企业", "--db", db],
        ["user", "ad"],
    ]


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample park's two quarters stored, 2026Q3's park outputs and one firm's reports in
    both languages."""
    out = tmp_path_factory.mktemp("one-language")
    db = f"sqlite:///{out / 'park.db'}"
    with Store.open(db) as store:
        for period in ("2026Q2", "2026Q3"):
            run_batch(
                SAMPLE / period,
                period=period,
                out=out,
                store=store,
                render=False,
                register=SAMPLE / "firms.csv",
                services=SAMPLE / f"services-{period}.csv",
            )
        files = {}
        for lang in ("zh", "en"):
            (out / lang).mkdir()
            files[lang] = write_park_outputs(store, "2026Q3", out / lang, lang=lang)
    for lang in ("zh", "en"):
        result = CliRunner().invoke(
            app, ["report", str(FIRM), "--out", str(out / lang), "--lang", lang]
        )
        assert result.exit_code == 0, result.output
    return {"db": db, "out": out, "files": files}


def firm_names() -> set[str]:
    """The names firms gave in their answers and the register, and the park's: data."""
    names = {"苏州吴淞江科技产业园"}
    for path in [*SAMPLE.glob("*/*.yaml"), SAMPLE / "firms.csv"]:
        text = path.read_text(encoding="utf-8-sig")
        names.update(re.findall(r"[\u3400-\u9fff（）()]+(?:有限公司|厂|园)", text))
    return names


@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_a_firms_reports_read_in_chinese(park: dict[str, Any], kind: str) -> None:
    (pdf,) = (park["out"] / "zh").glob(f"*{kind}*.pdf")
    assert stray_english(pdf_text(pdf)) == []


def test_the_park_report_and_workbook_read_in_chinese(park: dict[str, Any]) -> None:
    assert stray_english(pdf_text(park["files"]["zh"]["park"])) == []
    assert stray_english(workbook_text(park["files"]["zh"]["xlsx"])) == []


def test_the_park_report_reads_in_english(park: dict[str, Any]) -> None:
    assert stray_chinese(pdf_text(park["files"]["en"]["park"]), firm_names()) == []


def test_the_work_summary_reads_in_each_language(park: dict[str, Any]) -> None:
    zh = dtm("park-summary", "--period", "2026Q3", "--db", park["db"], lang="zh")
    assert "工作简报" in zh and stray_english(zh) == []
    en = dtm("park-summary", "--year", "2026", "--db", park["db"], "--lang", "en", lang="zh")
    assert "Work summary" in en and stray_chinese(en, firm_names()) == []


def test_wrong_commands_answer_in_the_users_language(park: dict[str, Any]) -> None:
    for args in wrong_commands(park["db"]):
        zh = dtm(*args, lang="zh")
        assert zh.startswith("错误：") and len(zh.splitlines()) == 1, (args, zh)
        assert stray_english(zh) == [], (args, zh)
        en = dtm(*args, lang="en")
        assert "Error: " in en and stray_chinese(en, ["不存在的企业"]) == [], (args, en)


def test_a_commands_lang_outranks_the_environment(park: dict[str, Any]) -> None:
    out = dtm("park-summary", "--period", "2026q3", "--lang", "en", lang="zh")
    assert out == "Error: --period must look like 2026Q3, not '2026q3'\n"
    out = dtm("park-summary", "--period", "2026q3", "--lang", "zh", lang="en")
    assert out == "错误：--period 须写成 2026Q3 这样的季度，而不是 '2026q3'\n"


def test_the_locale_decides_without_dtm_lang(park: dict[str, Any]) -> None:
    env = {"DTM_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
    result = CliRunner().invoke(app, ["park-summary", "--period", "2026q3"], env=env)
    assert result.output.startswith("错误：--period")
    env["LANG"] = "de_DE.UTF-8"
    result = CliRunner().invoke(app, ["park-summary", "--period", "2026q3"], env=env)
    assert result.output.startswith("Error: --period")


def test_the_web_forms_pages_read_in_chinese(park: dict[str, Any], tmp_path: Path) -> None:
    with Store.open(park["db"]) as store:
        client = TestClient(create_app(Settings(store=store, out=tmp_path, lang="zh")))
        home = client.get("/")
        assert home.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
        assert csrf is not None
        firm = {
            "questionnaire": "park_quick_scan",
            "name": "苏州恒锐精密金属制品有限公司",
            "credit_code": "91320594MA1A3K7R2A",
            "industry": "metal_processing",
            "employees": "38",
            "revenue": "2300",
            "park": "苏州吴淞江科技产业园",
            "period": "2026Q4",
            "assessor": "王建国",
            "assessed_on": "2026-10-13",
        }
        made = client.post("/drafts", data={**firm, "csrf": csrf[1]}, follow_redirects=False)
        assert made.status_code == 303
        pages = [home.text, client.get(made.headers["location"]).text]
    for html in pages:
        assert stray_english(page_text(html)) == []
