"""The work summary (工作简报) end to end on the sample park: one set of figures in the JSON of
`dtm park-summary`, on the park report's first page and in the results workbook."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from assessment.batch import run_batch, write_park_outputs
from assessment.cli import app
from assessment.resources import sample_park_dir
from assessment.store import Store

SAMPLE = sample_park_dir()
MISTAKES = Path(__file__).parent / "data" / "services_mistakes.csv"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def dtm(*args: Any) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both sample quarters and their services registers stored; 2026Q3's park outputs written."""
    out = tmp_path_factory.mktemp("park")
    db = f"sqlite:///{out / 'park.db'}"
    with Store.open(db) as store:
        for period in ("2026Q2", "2026Q3"):
            result = run_batch(
                SAMPLE / period,
                period=period,
                out=out,
                store=store,
                render=False,
                services=SAMPLE / f"services-{period}.csv",
            )
            assert result.services is not None and result.services.action == "added"
        files = write_park_outputs(store, "2026Q3", out, register=SAMPLE / "firms.csv")
    text = subprocess.run(
        ["pdftotext", "-layout", str(files["park"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summary = dtm(
        "park-summary",
        "--period",
        "2026Q3",
        "--json",
        "--db",
        db,
        "--register",
        SAMPLE / "firms.csv",
    )
    assert summary.exit_code == 0, summary.output
    return {"db": db, "files": files, "text": text, "json": json.loads(summary.output)}


def _shown(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def test_the_json_figures_are_the_pdfs(park: dict[str, Any]) -> None:
    first = park["text"].split("Work summary" if "Work summary" in park["text"] else "工作简报")[1]
    page = first.split("\f")[0]
    figures = park["json"]["figures"]
    assert {f["id"] for f in figures} >= {
        "registered",
        "visited",
        "assessed",
        "willing",
        "supported",
        "adopted",
        "rose",
        "tiers_filled",
        "recognition.digital_workshop",
        "recognition.smart_factory",
    }
    for f in figures:
        label, value = f["label"]["zh"], _shown(f["value"])
        of = "—" if f["of"] is None else str(f["of"])
        row = rf"{re.escape(label)}\s+{re.escape(value)}\s+{re.escape(of)}\s"
        assert re.search(row, page), (label, value, of)


def test_the_json_figures_are_the_workbooks(park: dict[str, Any]) -> None:
    book = load_workbook(park["files"]["xlsx"])
    sheet = book["工作简报"]
    blocks: list[list[tuple[Any, ...]]] = [[]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] is None:
            blocks.append([])
        else:
            blocks[-1].append(row)
    figures, support, adoption = blocks[0], blocks[1][1:], blocks[2][1:]  # header rows dropped
    assert [(r[0], *r[1:4]) for r in figures] == [
        (f["label"]["zh"], f["value"], f["of"], f["share"]) for f in park["json"]["figures"]
    ]
    assert [r[:4] for r in support] == [
        (k["label"]["zh"], k["firms"], k["lines"], k["amount"]) for k in park["json"]["support"]
    ]
    assert [r[:3] for r in adoption] == [
        (a["name"]["zh"], a["recommended"], a["adopted"]) for a in park["json"]["adoption"]
    ]


def test_the_sample_park_figures_are_plausible(park: dict[str, Any]) -> None:
    value = {f["id"]: f for f in park["json"]["figures"]}
    assert value["registered"]["value"] == 30
    assert value["assessed"]["value"] == 28
    assert value["visited"]["value"] == 30  # two registered firms had an on-site visit only
    assert 0 < value["willing"]["value"] < 28
    assert value["adopted"]["value"] > 0 and value["adopting_firms"]["value"] > 0
    kinds = {k["kind"] for k in park["json"]["support"]}
    assert kinds == {"free_diagnosis", "software_package", "subsidy", "training", "onsite_service"}
    adoption = park["json"]["adoption"]
    assert all(0 <= a["adopted"] <= a["recommended"] for a in adoption)
    assert sum(a["adopted"] for a in adoption) == value["adopted"]["value"]


def test_a_year_adds_up_its_quarters_without_counting_a_firm_twice(park: dict[str, Any]) -> None:
    result = dtm("park-summary", "--year", "2026", "--json", "--db", park["db"])
    assert result.exit_code == 0, result.output
    year = {f["id"]: f["value"] for f in json.loads(result.output)["figures"]}
    assert year["assessed"] == 28  # 28 firms assessed in each of two quarters: the same 28
    quarter_lines = [
        len((SAMPLE / f"services-{p}.csv").read_text(encoding="utf-8").splitlines()) - 1
        for p in ("2026Q2", "2026Q3")
    ]
    lines = sum(k["lines"] for k in json.loads(result.output)["support"])
    assert lines == sum(quarter_lines)


def test_services_are_listed_and_a_register_with_mistakes_stops_the_batch(
    park: dict[str, Any], tmp_path: Path
) -> None:
    listed = dtm("list", "--services", "--period", "2026Q3", "--json", "--db", park["db"])
    assert listed.exit_code == 0
    rows = json.loads(listed.output)
    assert len(rows) == len((SAMPLE / "services-2026Q3.csv").read_text("utf-8").splitlines()) - 1
    assert {r["period"] for r in rows} == {"2026Q3"}
    db = f"sqlite:///{tmp_path / 'new.db'}"
    result = dtm(
        "batch", SAMPLE / "2026Q3", "--period", "2026Q3", "--out", tmp_path / "out",
        "--no-render", "--services", MISTAKES, "--db", db,
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{MISTAKES}:6:3: SVC004 '培训班' is not a kind of support" in result.output
    with Store.open(db) as store:
        assert store.count() == 0  # nothing stored before the register was right


def test_import_stores_a_register_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'park.db'}"
    register = SAMPLE / "services-2026Q2.csv"
    first = dtm("import", register, "--services", "--db", db)
    assert first.exit_code == 0, first.output
    assert "for 2026Q2 added (revision 1)" in first.output
    again = dtm("import", register, "--services", "--db", db)
    assert "unchanged (revision 1)" in again.output
    wrong = dtm("import", register, "--services", "--period", "2026Q3")
    assert wrong.exit_code == 2 and "SVC003" in wrong.output
    neither = dtm("park-summary", "--db", db)
    assert neither.exit_code == 2 and "either --period" in neither.output


@pytest.fixture(scope="module")
def no_services(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """2026Q3 stored with the park's firm register but without a services register."""
    out = tmp_path_factory.mktemp("no-services")
    db = f"sqlite:///{out / 'park.db'}"
    with Store.open(db) as store:
        run_batch(
            SAMPLE / "2026Q3",
            period="2026Q3",
            out=out,
            store=store,
            render=False,
            register=SAMPLE / "firms.csv",
        )
        files = write_park_outputs(store, "2026Q3", out)  # the register is the stored one
    text = subprocess.run(
        ["pdftotext", "-layout", str(files["park"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    plain = subprocess.run(
        ["pdftotext", str(files["park"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {"db": db, "files": files, "text": text, "plain": re.sub(r"\s+", "", plain)}


def test_support_never_imported_is_unknown_not_zero(no_services: dict[str, Any]) -> None:
    result = dtm("park-summary", "--period", "2026Q3", "--json", "--db", no_services["db"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    figures = {f["id"]: f for f in document["figures"]}
    assert document["services_not_imported"] == ["2026Q3"]
    for fid in ("supported", "support_amount"):
        assert figures[fid]["value"] is None and figures[fid]["share"] is None
        assert figures[fid]["reason"] == {
            "zh": "未导入：2026年第3季度的服务台账",
            "en": "not imported: the services register of Q3 2026",
        }
    assert figures["assessed"]["reason"] is None
    text = dtm("park-summary", "--period", "2026Q3", "--db", no_services["db"]).output
    assert "获得服务支持企业：未导入：2026年第3季度的服务台账 —" in text
    assert "dtm import 台账.csv --services" in text
    english = dtm("park-summary", "-p", "2026Q3", "--db", no_services["db"], "--lang", "en")
    assert "Firms given support: not imported: the services register of Q3 2026 —" in english.output
    page = no_services["text"]
    assert re.search(r"获得服务支持企业\s+未导入\s+—\s+—", page)  # the table's row
    assert re.search(r"支持金额（万元）\s+未导入\s+—\s+—", page)
    # the tiles: labels, then values (the supported and adopted ones unknown), then their notes
    assert "获得服务支持企业已落地的推荐场景282817未导入未导入" in no_services["plain"]
    assert "导入2026年第3季" in no_services["plain"]
    assert re.search(r"已落地的推荐场景\s+未导入", page)  # no earlier quarter stored
    assert "未导入：2026年第3季度的服务台账尚未导入" in page
    sheet = load_workbook(no_services["files"]["xlsx"])["工作简报"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["获得服务支持企业"][1] == "未导入"
    assert "导入2026年第3季度的服务台账后即可统计" in rows["获得服务支持企业"][4]


def test_the_stored_register_counts_when_none_is_given(no_services: dict[str, Any]) -> None:
    result = dtm("park-summary", "--period", "2026Q3", "--db", no_services["db"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("园区登记企业：30 —")
    assert lines[2].startswith("走访企业：28 / 30（93.3%） —")
    assert re.search(r"园区登记企业\s+30\s", no_services["text"])


def test_the_text_reads_as_sentences_in_its_language(park: dict[str, Any]) -> None:
    zh = dtm("park-summary", "--period", "2026Q3", "--db", park["db"]).output.splitlines()
    assert zh[0] == "苏州吴淞江科技产业园 2026年第3季度 工作简报"  # the park's, named
    adopted = next(line for line in zh if line.startswith("已落地的推荐场景"))
    value = {f["id"]: f for f in park["json"]["figures"]}
    n, firms = value["adopted"]["value"], value["adopting_firms"]["value"]
    assert adopted.startswith(f"已落地的推荐场景：{n:g} 个场景，涉及 {firms} 家企业 —")
    assert "  免费诊断：28 家企业，28 条记录，22.4 万元" in zh
    year = dtm("park-summary", "--year", "2026", "--db", park["db"], "--lang", "en").output
    assert year.splitlines()[0] == "苏州吴淞江科技产业园 Work summary, 2026 (Q2 2026, Q3 2026)"
    assert "firms, " in year and "万元" not in year
