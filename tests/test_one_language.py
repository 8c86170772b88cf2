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
from html import unescape
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
    "XLSForm",  # the form format of ODK and Kobo, as they name it
    "YAML",
    "dtm",
    "Wi-Fi",
    "English",  # the web form's switch to English, named in English
    "zh",  # the language codes, as --lang takes them
    "en",
    "Y",  # the mark the workbook template asks for in a chosen option's column
}
# What is an id, a code or a place, not a word: removed before the words are read.
NOT_WORDS = [
    r"\b(?:sqlite|postgresql(?:\+\w+)?):[^\s：]*",  # a store URL
    r"[\w./-]*[/\\][\w./-]*",  # a path
    r"\b[\w-]+\.(?:csv|xlsx|yaml|db|pdf)\b",  # a file name
    r"\$[A-Z_]+",  # an environment variable
    r"![A-Z]{1,3}\d+\b",  # a cell: 答卷!AJ3
    r"\b[0-9A-HJ-NPQRTUWXY]{18}\b",  # a unified social credit code
    r"\b[A-Z]+\d{3}\b",  # a problem code (ANS004, SVC003)
    r"\b[0-9a-f]{64}\b",  # a sha256 hash (the audit log's chain)
    r"--?[a-z][a-z-]*",  # an option
    r"\bdtm(?: [a-z-]+)*",  # a command
    r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+\b",  # an id: park_quick_scan, digitisation.erp
    r"'[^']*'",  # what the user typed, quoted back
    r"`[^`]*`",  # a command or statement to type, in backquotes
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
    return unescape(text)  # a quote is a quote: what was typed is quoted back


def dtm(*args: Any, lang: str) -> str:
    result = CliRunner().invoke(
        app, [str(a) for a in args], env={"DTM_LANG": lang}, prog_name="dtm"
    )
    assert "Traceback" not in result.output
    return result.output


def wrong_commands(db: str, out: Path) -> list[list[Any]]:
    """Commands with a mistake each; what they might write goes under `out`."""
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
        ["close-quarter", "2025Q1", "--db", db],
        ["close-quarter", "2026Q3", "--park", "不存在的企业", "--db", db],
        ["backup", FIRM, "--db", db],
        ["backup", "x.db", "--db", "nothere.db"],
        ["backup", "x.db", "--db", "postgresql+psycopg://dtm@db/park"],
        ["restore", "nothere.db", "--db", "x.db"],
        ["restore", FIRM, "--db", "x.db"],
        ["db", "roles", "dtm_app", "--db", db],
        ["export-reports", "--period", "2025Q1", "--park", "", "--out", out, "--db", db],
        ["serve", "--port", "0", "--db", db],
        ["template", "park_quik_scan", "--xlsx", "x.xlsx"],
        ["template", "nothere.yaml", "--xlsx", "x.xlsx"],
        ["template", "park_quick_scan", "--xlsx", FIRM],
        ["list", "--db", "postgresql+nodriver://dtm@db/park"],
        ["batch", SAMPLE / "2026Q3", "--period", "2026Q3", "--out", out, "--queue", "--db", db],
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
            # kept in the store as the park's, for `dtm export-reports`
            files[lang] = write_park_outputs(
                store, "2026Q3", out / lang, lang=lang, scope="苏州吴淞江科技产业园"
            )
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


def typed_answers() -> set[str]:
    """What firms typed in their own words (an 其他〖…〗 industry, a note, the assessor's name)."""
    import yaml

    typed: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and HAN.search(value):
            typed.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in SAMPLE.glob("*/*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return typed


@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_a_firms_reports_read_in_chinese(park: dict[str, Any], kind: str) -> None:
    (pdf,) = (park["out"] / "zh").glob(f"*{kind}*.pdf")
    assert stray_english(pdf_text(pdf)) == []


def test_the_park_report_and_workbook_read_in_chinese(park: dict[str, Any]) -> None:
    assert stray_english(pdf_text(park["files"]["zh"]["park"])) == []
    assert stray_english(workbook_text(park["files"]["zh"]["xlsx"])) == []


@pytest.mark.parametrize("kind", ["diagnosis", "scenarios"])
def test_a_firms_reports_read_in_english(park: dict[str, Any], kind: str) -> None:
    (pdf,) = (park["out"] / "en").glob(f"*{kind}*.pdf")
    assert stray_chinese(pdf_text(pdf), [*firm_names(), *typed_answers()]) == []


def test_the_results_workbook_reads_in_english(park: dict[str, Any]) -> None:
    data = [*firm_names(), *typed_answers()]
    assert stray_chinese(workbook_text(park["files"]["en"]["xlsx"]), data) == []


def test_the_park_report_reads_in_english(park: dict[str, Any]) -> None:
    assert stray_chinese(pdf_text(park["files"]["en"]["park"]), firm_names()) == []


def test_the_work_summary_reads_in_each_language(park: dict[str, Any]) -> None:
    zh = dtm("park-summary", "--period", "2026Q3", "--db", park["db"], lang="zh")
    assert "工作简报" in zh and stray_english(zh) == []
    en = dtm("park-summary", "--year", "2026", "--db", park["db"], "--lang", "en", lang="zh")
    assert "Work summary" in en and stray_chinese(en, firm_names()) == []


def test_wrong_commands_answer_in_the_users_language(park: dict[str, Any]) -> None:
    for args in wrong_commands(park["db"], park["out"] / "wrong"):
        zh = dtm(*args, lang="zh")
        assert zh.startswith("错误：") and len(zh.splitlines()) == 1, (args, zh)
        assert stray_english(zh) == [], (args, zh)
        en = dtm(*args, lang="en")
        typed = ["不存在的企业", "苏州吴淞江科技产业园"]  # what was typed, and the park's name
        assert "Error: " in en and stray_chinese(en, typed) == [], (args, en)


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
        # A typed answer that does not fit, and finishing with questions unanswered.
        base = made.headers["location"].rsplit("/", 1)[0]
        wrong = {"csrf": csrf[1], "shown": "digital_staff", "a.digital_staff": "-5"}
        empty_file = {"f.none": ("", b"", "application/octet-stream")}
        changed = client.post(
            f"{base}/3", data=wrong, files=empty_file, headers={"hx-request": "true"}
        )
        finished = client.post(f"{base}/finish", data={"csrf": csrf[1]})
        assert "ANS003" in changed.text and "ANS006" in finished.text
        pages += [changed.text, finished.text]
    for html in pages:
        assert stray_english(page_text(html)) == []


DATA = Path(__file__).parent / "data"


def problem_messages() -> set[str]:
    """Every problem message and hint the library marks for the catalogues (`N_`)."""
    from babel.messages.extract import extract

    import assessment

    found: set[str] = set()
    for path in sorted(Path(assessment.__file__).parent.rglob("*.py")):
        if "cli" in path.parts:
            continue
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract(
                "python", handle, keywords={"N_": None}
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_message_is_in_both_catalogues(lang: str) -> None:
    from babel.messages.pofile import read_po

    from assessment.resources import templates_dir

    path = templates_dir() / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle) if m.id}
    wanted = problem_messages()
    assert {"there is no question '%(qid)s'", "write yes or no"} <= wanted
    assert sorted(wanted - catalogue.keys()) == []
    if lang == "zh":
        assert sorted(m for m in wanted if not catalogue[m]) == []


def files_with_mistakes(folder: Path) -> list[Path]:
    """Questionnaires, catalogues and answer files with a dozen kinds of mistake between them
    (a file whose keys are wrong is not checked further, so each kind has its file)."""
    mini = (DATA / "mini.yaml").read_text(encoding="utf-8")
    scenarios = (DATA / "mini_scenarios.yaml").read_text(encoding="utf-8")
    answers = (DATA / "mini_answers.yaml").read_text(encoding="utf-8")
    answers = answers.replace(", path: mini.yaml", "")
    texts = {
        "keys.yaml": mini.replace("title: {zh", "titel: x\ntitle: {zh"),
        "checks.yaml": mini.replace(
            "weight: 2\n    interpretation", "weight: -1\n    interpretation"
        )
        .replace("scale: yes3", "scale: yes_3")
        .replace(
            "weight: 2\n          - id: leader",
            "weight: 2\n            when: paln == 1\n          - id: leader",
        ),
        "impact.yaml": scenarios.replace("impact: 4", "impact: 9"),
        "triggers.yaml": scenarios.replace(
            "trigger: \"plan != 'full'\"", 'trigger: "importx(plan)"'
        ),
        "firm.yaml": answers.replace("91320500MA1X2Y3C40", "91320500MA1X2Y3C41"),
        "date.yaml": answers.replace("assessed_on: 2026-09-15", "assessed_on: 2024-09-15"),
        "answers.yaml": answers.replace("plan: some", "plan: mostly\n  plna: some")
        .replace("leader: yes", "leader: maybe")
        .replace("paper: [inventory]", "paper: [none, inventory]")
        .replace("mes_level: 2", "mes_level: 9")
        .replace("total_devices: 40", "total_devices: 40 台左右"),
        "broken.yaml": "id: x\n  title: [a\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in texts]


def test_validate_names_every_mistake_in_the_users_language(tmp_path: Path) -> None:
    files = files_with_mistakes(tmp_path)
    questionnaire = DATA / "mini.yaml"
    runs = {}
    for lang in ("zh", "en"):
        lines = []
        for path in files:
            q = [] if path.name in ("keys.yaml", "checks.yaml") else ["-q", questionnaire]
            lines += dtm("validate", path, *q, lang=lang).splitlines()
        runs[lang] = lines
    codes = {line.split(": ")[1].split()[0] for line in runs["en"]}
    assert {
        "SCHEMA001",
        "SCHEMA002",
        "WEIGHT001",
        "REF001",
        "EXPR004",
        "FIRM001",
        "FIRM003",
    } <= codes
    assert {"ANS001", "ANS002", "ANS003", "ANS004", "ANS008", "YAML001"} <= codes
    assert len(runs["zh"]) == len(runs["en"]) >= 14
    for zh, en in zip(runs["zh"], runs["en"], strict=True):
        assert zh.split(" ")[:2] == en.split(" ")[:2]  # the place and the code stay as they are
    zh_text = "\n".join(runs["zh"])
    assert "没有题目 'plna'" in zh_text and "是否想写 'plan'？" in zh_text
    assert stray_english(zh_text) == [], zh_text
    typed = ["台左右", "苏州示例精密机械有限公司", "王工", "仅车间主任使用"]
    assert stray_chinese("\n".join(runs["en"]), typed) == [], runs["en"]


def good_commands(db: str, folder: Path) -> list[list[Any]]:
    """Commands that succeed: what they print is read like the reports (account names are ids,
    like the ones people sign in with)."""
    store = f"sqlite:///{folder / 'accounts.db'}"
    return [
        ["validate", FIRM],
        ["score", FIRM],
        ["report", FIRM, "--out", folder / "reports"],
        ["backup", folder / "backup.db", "--db", db],
        ["restore", folder / "backup.db", "--db", folder / "restored.db"],
        ["check-store", "--db", db],
        ["park-summary", "--period", "2026Q3", "--db", db],
        ["export-reports", "--period", "2026Q3", "--out", folder / "exported", "--db", db],
        [
            "user",
            "add",
            "wang.jg",
            "--role",
            "park",
            "--park",
            "苏州吴淞江科技产业园",
            "--db",
            store,
            "--password-stdin",
        ],
        ["user", "add", "li.ting", "--role", "consultant", "--db", store, "--password-stdin"],
        ["user", "disable", "li.ting", "--db", store],
        ["user", "list", "--db", store],
    ]


def test_successful_commands_answer_in_the_users_language(
    park: dict[str, Any], tmp_path: Path
) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'accounts.db'}"):
        pass
    for args in good_commands(park["db"], tmp_path):
        result = CliRunner().invoke(
            app,
            [str(a) for a in args],
            env={"DTM_LANG": "zh", "COLUMNS": "200"},  # wide enough that no name is cut
            input="a-long-enough-password\n",
            prog_name="dtm",
        )
        assert result.exit_code == 0, (args, result.output)
        assert result.output.strip(), args
        assert stray_english(result.output) == [], (args, result.output)
    names = [*firm_names(), "苏州恒锐精密金属制品"]
    for args in good_commands(park["db"], tmp_path / "en"):
        if args[0] in ("user", "backup", "restore", "park-summary"):
            continue  # done above; the work summary's language is its --lang (tested above)
        env = {"DTM_LANG": "en", "COLUMNS": "200"}
        result = CliRunner().invoke(app, [str(a) for a in args], env=env)
        assert result.exit_code == 0, (args, result.output)
        assert stray_chinese(result.output, names) == [], (args, result.output)


def a_register_with_mistakes(folder: Path) -> Path:
    path = folder / "services.csv"
    lines = [
        "credit_code,date,kind,provider,amount,note",
        "91320594MA1A3K7R2B,2026-07-15,免费诊断,苏州数智工业服务有限公司,1,",
        "91320594MA1A3K7R2A,2026-13-01,免费诊断,苏州数智工业服务有限公司,1,",
        "91320594MA1A3K7R2A,2026-01-15,免费诊断,苏州数智工业服务有限公司,1,",
        "91320594MA1A3K7R2A,2026-07-16,免费诊段,苏州数智工业服务有限公司,lots,",
        "91320594MA1A3K7R2A,2026-07-17,免费诊断,苏州数智工业服务有限公司,1,",
        "91320594MA1A3K7R2A,2026-07-17,免费诊断,苏州数智工业服务有限公司,1,",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def a_workbook_with_mistakes(folder: Path) -> tuple[Path, list[str]]:
    """A filled template with a question's column twice, a merged cell, an Excel error value and
    a stray mark; returns it and the headers, which are the sheet's own text (data)."""
    from openpyxl.utils import get_column_letter

    from tests.test_collect_workbook import fill, samples

    q, sheets = samples("park_quick_scan")
    path = fill(folder / "answers.xlsx", q, sheets[:4])
    book = load_workbook(path)
    ws = book["答卷"]
    ids = {str(c.value): c.column for c in ws[2] if c.value is not None}
    headers = [str(c.value) for c in ws[1] if c.value is not None]
    last = ws.max_column + 1
    ws.cell(1, last, ws.cell(1, ids["leader_attention"]).value)
    ws.cell(3, ids["production_devices"], "#DIV/0!")
    letter = get_column_letter(ids["firm.employees"])
    ws.merge_cells(f"{letter}4:{letter}5")
    marks = [c for name, c in ids.items() if name.startswith("paper_processes.")]
    ws.cell(3, marks[0], "可能")
    book.save(path)
    return path, headers


def test_import_names_every_mistake_in_the_users_language(tmp_path: Path) -> None:
    register = a_register_with_mistakes(tmp_path)
    workbook, headers = a_workbook_with_mistakes(tmp_path)
    runs = {}
    for lang in ("zh", "en"):
        lines = dtm("import", register, "--services", "--period", "2026Q3", lang=lang)
        lines += dtm("import", workbook, lang=lang)
        runs[lang] = lines.splitlines()
    codes = {line.split(": ")[1].split()[0] for line in runs["en"][:-1]}
    assert {"SVC002", "SVC003", "SVC004", "SVC005", "SVC006", "IMP002", "IMP004"} <= codes
    assert len(runs["zh"]) == len(runs["en"]) >= 10
    for zh, en in zip(runs["zh"][:-1], runs["en"][:-1], strict=True):
        assert zh.split(" ")[:2] == en.split(" ")[:2]  # the place and the code stay as they are
    zh_text = "\n".join(runs["zh"])
    assert "'lots' 不是金额" in zh_text and "合并单元格" in zh_text and "读取 1 家企业" in zh_text
    assert stray_english(zh_text) == [], zh_text
    typed = [*headers, *firm_names(), "苏州数智工业服务有限公司", "免费诊断", "免费诊段", "可能"]
    typed += ["万元", "答卷"]  # the registers' unit as clerks write it; the sheet's own name
    assert stray_chinese("\n".join(runs["en"]), typed) == [], runs["en"]


def test_services_register_and_kinds_mistakes_in_the_users_language(tmp_path: Path) -> None:
    """An empty register stops `dtm batch --services` and `dtm import --services` with one line;
    a kinds file that is not one says what each kind needs."""
    from assessment.engine.service_kinds import load_kinds
    from assessment.errors import UsageError, error_text
    from assessment.resources import translate

    empty = tmp_path / "services.csv"
    empty.write_text(",,\n\n", encoding="utf-8")
    batch = ["batch", SAMPLE / "2026Q3", "--period", "2026Q3", "--out", tmp_path / "out"]
    commands = [
        [*batch, "--db", tmp_path / "park.db", "--services", empty],
        ["import", empty, "--services", "--period", "2026Q3"],
    ]
    for args in commands:
        for lang in ("zh", "en"):
            result = CliRunner().invoke(
                app, [str(a) for a in args], env={"DTM_LANG": lang}, prog_name="dtm"
            )
            assert result.exit_code == 2 and "Traceback" not in result.output, result.output
            (line,) = result.output.splitlines()
            assert str(empty) in line, line
            if lang == "zh":
                assert line.startswith("错误：") and "服务台账是空的" in line, line
                assert stray_english(line) == [], line
            else:
                assert "the services register is empty" in line and not HAN.search(line), line
    texts = {
        "none.yaml": "kinds: []\n",
        "label.yaml": "kinds:\n  - {id: cloud_voucher, label: {zh: 上云券}}\n",
        "broken.yaml": "kinds:\n  - {id: cloud_voucher\n",
    }
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError) as caught:
            load_kinds(path)
        zh, en = (translate(error_text(caught.value), lang) for lang in ("zh", "en"))
        assert zh.startswith(str(path)) and en.startswith(str(path)), (zh, en)
        assert HAN.search(zh) and stray_english(zh) == [], zh
        assert stray_chinese(en, []) == [], en


def test_the_xlsform_notes_read_in_the_users_language(tmp_path: Path) -> None:
    """`dtm template --xlsform` names each condition it cannot carry (XLSF001) and why."""
    source = (DATA.parent.parent / "questionnaires" / "park_quick_scan.yaml").read_text("utf-8")
    changed = tmp_path / "park_quick_scan.yaml"
    edits = {  # a multiple choice used as one value; `in` with a single choice on its right
        'when: "count(systems_in_use) >= 2"': "when: \"systems_in_use == ['erp']\"",
        "when: \"digital_plan in ['written', 'approved']\"": "when: \"'written' in digital_plan\"",
    }
    for old, new in edits.items():
        source = source.replace(old, new)
    changed.write_text(source, encoding="utf-8")
    runs = {}
    for lang in ("zh", "en"):
        out = tmp_path / f"form-{lang}.xlsx"
        result = CliRunner().invoke(
            app, ["template", str(changed), "--xlsform", str(out)], env={"DTM_LANG": lang}
        )
        assert result.exit_code == 0 and out.exists(), result.output
        runs[lang] = [line for line in result.output.splitlines() if "XLSF001" in line]
    assert len(runs["zh"]) == len(runs["en"]) == 2
    for zh, en in zip(runs["zh"], runs["en"], strict=True):
        assert zh.split(" ")[:2] == en.split(" ")[:2]  # the place and the code stay as they are
    zh_text = "\n".join(runs["zh"])
    assert "多选题 'systems_in_use' 被当作单个值使用" in zh_text and "始终显示" in zh_text
    assert stray_english(zh_text) == [], zh_text
    en_text = "\n".join(runs["en"])
    assert "the multiple choice 'systems_in_use' used as one value" in en_text
    assert stray_chinese(en_text, []) == [], en_text


def test_a_failed_sign_in_reads_in_the_forms_language(tmp_path: Path) -> None:
    """A wrong password, and a post whose sign-in has ended (a page, or htmx's line above the
    questions), in the form's language; `dtm serve`'s short $DTM_SECRET in the command's."""
    from assessment.accounts import Accounts

    with Store.open(f"sqlite:///{tmp_path / 'accounts.db'}") as store:
        Accounts(store).add("wang.jg", "consultant", password="a-long-enough-password", by="test")
        for lang in ("zh", "en"):
            settings = Settings(store=store, out=tmp_path / lang, lang=lang, accounts=True)
            client = TestClient(create_app(settings), raise_server_exceptions=False)
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert csrf is not None
            wrong = {"username": "wang.jg", "password": "not-the-password", "csrf": csrf[1]}
            refused = client.post("/login", data=wrong)
            ended = client.post("/drafts", data={"csrf": csrf[1]})
            flash = client.post("/drafts", data={"csrf": csrf[1]}, headers={"hx-request": "true"})
            assert refused.status_code == ended.status_code == flash.status_code == 401
            assert flash.headers["hx-retarget"] == "#flash"
            pages = [page_text(r.text) for r in (refused, ended, flash)]
            if lang == "zh":
                assert "账号或密码错误" in pages[0]
                assert "登录已失效" in pages[1] and "登录已失效" in pages[2]
                assert [stray_english(text) for text in pages] == [[], [], []], pages
            else:
                assert "The name or the password is wrong" in pages[0], pages[0]
                assert "Your sign-in has ended" in pages[1] and "Your sign-in has ended" in pages[2]
                assert [stray_chinese(text, ["中文"]) for text in pages] == [[], [], []], pages
    for lang in ("zh", "en"):
        env = {"DTM_LANG": lang, "DTM_SECRET": "short"}
        result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "accounts.db")], env=env)
        assert result.exit_code == 2, result.output
        (line,) = result.output.splitlines()
        if lang == "zh":
            assert line.startswith("错误：$DTM_SECRET 只有 5 个字符") and stray_english(line) == []
        else:
            assert line.startswith("Error: $DTM_SECRET has 5 characters") and not HAN.search(line)


def test_park_register_mistakes_in_the_users_language(tmp_path: Path) -> None:
    """The park's firm register is read before the store: each mistake names its line."""
    texts = {
        "employees.csv": "credit_code,name,industry,employees\n91320594MA1A3K7R2A,甲,,3²\n",
        "code.csv": "credit_code,name\n,甲\n",
    }
    for name, text in texts.items():
        register = tmp_path / name
        register.write_text(text, encoding="utf-8")
        args = ["park-summary", "--period", "2026Q3", "--register", register]
        args += ["--db", tmp_path / "none.db"]
        zh, en = dtm(*args, lang="zh"), dtm(*args, lang="en")
        assert zh.startswith(f"错误：{register}:2：") and len(zh.splitlines()) == 1, zh
        assert stray_english(zh) == [], zh
        assert en.startswith(f"Error: {register}:2: ") and stray_chinese(en, []) == [], en
    assert not (tmp_path / "none.db").exists()


def test_a_marked_error_keeps_its_values_across_a_process_boundary() -> None:
    """A render process sends its errors back pickled: the message arrives filled in, and can
    still be shown in either language."""
    import pickle

    from assessment.errors import N_, UsageError, error_text
    from assessment.resources import translate

    raised = UsageError(
        N_("%(path)s: %(problem)s"),
        path="甲.yaml",
        problem=N_("this is a %(kind)s file, not %(wanted)s", kind=N_("questionnaire"),
                   wanted=N_("an answer file")),
    )  # fmt: skip
    for error in (raised, UsageError(N_("%(path)s: no such template folder", path="t"))):
        arrived = pickle.loads(pickle.dumps(error))
        assert str(arrived) == str(error) and "%(" not in str(arrived)
        assert arrived.values == error.values
        assert translate(error_text(arrived), "zh") == translate(error_text(error), "zh")
    zh = translate(error_text(pickle.loads(pickle.dumps(raised))), "zh")
    assert zh == "甲.yaml：这是问卷文件，不是答卷文件"
