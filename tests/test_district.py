"""One store for a district: parks never mix, render keys hold what is on the page, closed
quarters keep their figures, and the reports live in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update
from typer.testing import CliRunner

from assessment.cli import app
from assessment.models.credit_code import make
from assessment.resources import sample_park_dir
from assessment.store import Store
from assessment.store.reports import firm_reports, reports_of
from assessment.store.schema import ReportRow
from tests.postgres import PostgresServer

runner = CliRunner()
SAMPLE = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))
PARKS = {"甲园": 3, "乙园": 2}
# Small reports that print the peer figures: the test is about what goes in, not the layout.
TEMPLATES = {
    "diagnosis.html": "<html><body><p>{{ card.firm.credit_code }}</p>"
    "<p>peers {{ peers.park_count }} / {{ peers.park_overall }}</p>"
    "{% if peers.closed_on %}<p>closed {{ peers.closed_period }}</p>{% endif %}</body></html>",
    "scenarios.html": "<html><body><p>{{ recommendations|length }} scenarios</p></body></html>",
    "park.html": "<html><body><p>{{ s.cards|length }} firms</p></body></html>",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'district.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def park_folder(root: Path, park: str, count: int, start: int) -> dict[str, Path]:
    folder = root / park
    folder.mkdir(parents=True)
    files = {}
    for i in range(start, start + count):
        doc = yaml.safe_load(SAMPLE[i % len(SAMPLE)].read_text("utf-8"))
        code = make(f"91320594MA1D{i:05d}")
        doc["firm"].update(credit_code=code, name=f"园区企业{i:02d}有限公司", park=park)
        path = folder / f"{code}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        files[code] = path
    return files


@pytest.fixture
def district(tmp_path: Path, db: str) -> dict:
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, body in TEMPLATES.items():
        (templates / name).write_text(body, "utf-8")
    files, start = {}, 0
    for park, count in PARKS.items():
        files[park] = park_folder(tmp_path / "answers", park, count, start)
        start += count
    district = {"db": db, "root": tmp_path, "templates": templates, "files": files}
    for park in PARKS:
        result = batch(district, park)
        assert result.exit_code == 0, result.output
    return district


def batch(d: dict, park: str, *more: str) -> object:
    folder = d["root"] / "answers" / park
    out = d["root"] / "out" / park
    args = ["batch", str(folder), "--period", "2026Q3", "--out", str(out), "--db", d["db"],
            "--templates", str(d["templates"]), "--workers", "1", *more]  # fmt: skip
    return runner.invoke(app, args)


def words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def diagnosis(store: Store, code: str) -> bytes:
    found = firm_reports(store, code, "2026Q3")
    return next(r.content for name, r in found.items() if "-diagnosis-" in name)


def rendered_count(output: str) -> int:
    return int(output.split(" stored, ")[1].split(" rendered")[0])


def test_two_parks_in_one_store_never_mix(district: dict, tmp_path: Path) -> None:
    with Store.open(district["db"]) as store:
        assert store.parks("2026Q3") == ["乙园", "甲园"]
        for park, count in PARKS.items():
            for code in district["files"][park]:
                assert f"peers {count} / " in words(diagnosis(store, code), tmp_path)
            kept = [r for r in reports_of(store, "2026Q3", park) if r.credit_code is None]
            report = next(r for r in kept if r.name == "park-2026Q3.pdf")
            assert f"{count} firms" in words(report.content, tmp_path)
    args = ["park-summary", "--period", "2026Q3", "--db", district["db"], "--json"]
    mixed = runner.invoke(app, args)
    assert mixed.exit_code == 2
    assert mixed.output.count("\n") == 1 and "the store holds 2 parks" in mixed.output
    for extra, assessed in ((["--park", "甲园"], 3), (["--park", "乙园"], 2), (["--district"], 5)):
        result = runner.invoke(app, [*args[:-1], *extra])
        assert result.exit_code == 0, result.output
        assert f"完成诊断企业：{assessed} " in result.output
    rollup = runner.invoke(app, [*args[:-1], "--district"])
    assert "全区汇总：2 个园区相加（乙园、甲园），每家企业只计一次" in rollup.output


def test_a_batch_whose_answers_name_two_parks_stores_nothing(district: dict) -> None:
    both = district["root"] / "answers" / "甲园"
    other = next(iter(district["files"]["乙园"].values()))
    (both / other.name).write_text(other.read_text("utf-8"), "utf-8")
    result = batch(district, "甲园")
    assert result.exit_code == 2
    assert "the answers name 2 parks (乙园, 甲园)" in result.output
    refused = batch(district, "甲园", "--park", "甲园")
    assert refused.exit_code == 1
    assert "the firm's park is 乙园, but this run is for 甲园" in refused.output


def test_a_change_rerenders_exactly_the_firms_whose_pages_differ(
    district: dict, tmp_path: Path
) -> None:
    files = district["files"]["甲园"]
    path = next(iter(files.values()))
    doc = yaml.safe_load(path.read_text("utf-8"))
    doc["assessor"] = "另一位顾问"  # on the firm's pages only
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    again = batch(district, "甲园")
    assert again.exit_code == 0, again.output
    assert rendered_count(again.output) == 1
    assert "2 unchanged" in again.output
    with Store.open(district["db"]) as store:
        first = {c: diagnosis(store, c) for c in files}
    # The templates' content is in the key: an edited template renders every firm again.
    edited = TEMPLATES["diagnosis.html"].replace("peers ", "averages ")
    (district["templates"] / "diagnosis.html").write_text(edited, "utf-8")
    changed = batch(district, "甲园")
    assert rendered_count(changed.output) == 3
    with Store.open(district["db"]) as store:
        for c in files:
            assert "averages 3 / " in words(diagnosis(store, c), tmp_path)
        # Each firm's stored PDF back to the old template's bytes, its key left as it is:
        # only a real rendering can bring the edited template's text back.
        with store.engine.begin() as conn:
            for c, pdf in first.items():
                conn.execute(
                    update(ReportRow)
                    .where(ReportRow.credit_code == c, ReportRow.name.like("%-diagnosis-%"))
                    .values(content=pdf)
                )
        assert all("averages" not in words(diagnosis(store, c), tmp_path) for c in files)
    forced = batch(district, "甲园", "--force")
    assert rendered_count(forced.output) == 3
    out = district["root"] / "out" / "甲园"
    with Store.open(district["db"]) as store:
        for c in files:
            assert "averages 3 / " in words(diagnosis(store, c), tmp_path)
            (written,) = (out / "firms").glob(f"{c}-*-diagnosis-zh.pdf")
            assert written.read_bytes() == diagnosis(store, c)


def test_a_closed_quarter_rerenders_the_corrected_firm_only_with_frozen_figures(
    district: dict, tmp_path: Path
) -> None:
    close = ["close-quarter", "2026Q3", "--db", district["db"]]
    unnamed = runner.invoke(app, close)
    assert unnamed.exit_code == 2 and "name one with --park" in unnamed.output
    closed = runner.invoke(app, [*close, "--park", "甲园"])
    assert closed.exit_code == 0, closed.output
    again = runner.invoke(app, [*close, "--park", "甲园"])
    assert again.exit_code == 2 and "closed on" in again.output
    files = district["files"]["甲园"]
    with Store.open(district["db"]) as store:
        before = {c: diagnosis(store, c) for c in files}
        mean = words(before[next(iter(files))], tmp_path).split("peers 3 / ")[1].split()[0]
    code, path = next(iter(files.items()))
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert doc["answers"]["leader_attention"] != "personally_leads"
    doc["answers"]["leader_attention"] = "personally_leads"  # a higher score: a new mean
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    result = batch(district, "甲园")
    assert result.exit_code == 0, result.output
    assert rendered_count(result.output) == 1
    with Store.open(district["db"]) as store:
        page = words(diagnosis(store, code), tmp_path)
        assert f"peers 3 / {mean}" in page and "closed 2026Q3" in page
        assert all(diagnosis(store, c) == before[c] for c in files if c != code)


def test_export_reports_writes_the_stored_bytes(district: dict, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    args = ["export-reports", "--period", "2026Q3", "--out", str(out), "--db", district["db"]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with Store.open(district["db"]) as store:
        for code in district["files"]["乙园"]:
            for name, report in firm_reports(store, code, "2026Q3").items():
                assert (out / "firms" / name).read_bytes() == report.content
    assert (out / "甲园" / "park-2026Q3.pdf").is_file() and (
        out / "乙园" / "park-2026Q3.pdf"
    ).is_file()
    assert not list(out.rglob("*.part"))
    none = runner.invoke(app, [*args[:-2], "--period", "2025Q1", "--db", district["db"]])
    assert none.exit_code == 2 and "no reports are stored for 2025Q1" in none.output


def test_a_district_names_the_firms_naming_no_park_in_its_language(district: dict) -> None:
    import dataclasses

    from assessment.cli.output import work_summary_lines
    from assessment.park.gather import period_summary

    with Store.open(district["db"]) as store:
        real = period_summary(store, "2026Q3", district=True)
    assert real.district == ["乙园", "甲园"]
    summary = dataclasses.replace(real, district=["乙园", None])
    zh = "\n".join(work_summary_lines(summary, "zh"))
    en = "\n".join(work_summary_lines(summary, "en"))
    assert "全区汇总：2 个园区相加（乙园、未写园区的企业），每家企业只计一次" in zh
    assert "District: 2 parks added up (乙园, firms naming no park)" in en
    assert summary.to_dict()["district"] == ["乙园", None]
