"""The services register (服务台账): CSV or XLSX, checked by cell, stored with revisions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from assessment.collect.services import read_services
from assessment.engine.service_kinds import load_kinds
from assessment.errors import ValidationFailed
from assessment.store import Store
from assessment.store.services import save_services, service_periods, service_revisions, services
from tests.postgres import PostgresServer

DATA = Path(__file__).parent / "data"
MISTAKES = DATA / "services_mistakes.csv"
HEADER = "统一社会信用代码,日期,服务类型,服务商,金额（万元）,备注\n"


def test_every_deliberate_mistake_is_located_at_its_cell() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_services(MISTAKES, period="2026Q3")
    found = [(p.location.line, p.location.column, p.code) for p in caught.value.problems]
    assert found == [
        (3, 1, "SVC002"),  # check character B, should be A
        (4, 2, "SVC003"),  # 2026-13-40
        (5, 2, "SVC003"),  # a 2026Q2 date in the 2026Q3 register
        (6, 3, "SVC004"),  # 培训班
        (7, 5, "SVC005"),  # "about 3"
        (8, 5, "SVC005"),  # -2
        (9, 1, "SVC006"),  # row 2 again
    ]
    text = str(caught.value)
    assert (
        "services_mistakes.csv:3:1: SVC002 '91320594MA1A3K7R2B' is not a valid credit code" in text
    )
    assert "2026-05-02 is not in 2026Q3" in text
    assert "did you mean '培训'?" in text
    assert "repeats row 2" in text


def test_the_good_lines_read_in_either_language_and_date_style(tmp_path: Path) -> None:
    lines = MISTAKES.read_text(encoding="utf-8").splitlines()
    good = tmp_path / "services.csv"
    good.write_text("\n".join([lines[0], lines[1], lines[10], lines[11]]) + "\n", encoding="utf-8")
    read = read_services(good, period="2026Q3")
    assert [(s.credit_code, s.served_on, s.kind, s.amount) for s in read] == [
        ("91320594MA1A3K7R2A", date(2026, 7, 13), "free_diagnosis", 0.8),
        ("91320594MA1A7J2U64", date(2026, 8, 19), "training", None),
        ("91320594MA1A3K7R2A", date(2026, 9, 1), "software_package", 2.5),
    ]
    assert {s.period for s in read} == {"2026Q3"}


def test_a_gbk_register_without_a_kind_column_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes(
        "统一社会信用代码,日期,服务商\n91320594MA1A3K7R2A,2026-07-13,甲\n".encode("gbk")
    )
    with pytest.raises(ValidationFailed) as caught:
        read_services(path)
    assert [p.code for p in caught.value.problems] == ["SVC001"]
    assert "no 'kind' column (服务类型)" in str(caught.value)


def test_a_workbook_register_locates_its_problems_by_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "服务台账"
    sheet.append(["credit_code", "date", "kind", "provider", "amount", "note"])
    sheet.append(["91320594MA1A3K7R2A", date(2026, 7, 13), "上门服务", "甲", 0.5, ""])
    sheet.append(["91320594MA1A3K7R2A", date(2026, 7, 14), "consulting", "甲", 1, ""])
    path = tmp_path / "services.xlsx"
    book.save(path)
    with pytest.raises(ValidationFailed) as caught:
        read_services(path)
    assert [str(p.location) for p in caught.value.problems] == [f"{path}:服务台账!C3"]
    sheet.delete_rows(3)
    book.save(path)
    (line,) = read_services(path)
    assert (line.kind, line.served_on, line.amount) == ("onsite_service", date(2026, 7, 13), 0.5)


def test_the_kinds_are_data_a_park_can_extend(tmp_path: Path) -> None:
    kinds_file = tmp_path / "kinds.yaml"
    kinds_file.write_text(
        "kinds:\n  - {id: cloud_voucher, label: {zh: 上云券, en: Cloud voucher}}\n",
        encoding="utf-8",
    )
    path = tmp_path / "services.csv"
    path.write_text(HEADER + "91320594MA1A3K7R2A,2026-07-13,上云券,甲,3,\n", encoding="utf-8")
    (line,) = read_services(path, kinds=load_kinds(kinds_file))
    assert line.kind == "cloud_voucher"
    with pytest.raises(ValidationFailed, match="SVC004"):
        read_services(path)  # not a shipped kind
    assert [k.id for k in load_kinds() if k.visit] == ["free_diagnosis", "onsite_service"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database on each backend: a SQLite file, and one on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'park.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def test_the_store_keeps_each_register_as_a_revision(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "services.csv"
    path.write_text(HEADER + "91320594MA1A3K7R2A,2026-07-13,免费诊断,甲,0.8,\n", encoding="utf-8")
    first = read_services(path)
    path.write_text(
        HEADER
        + "91320594MA1A3K7R2A,2026-07-13,免费诊断,甲,0.8,\n"
        + "91320594MA1A7J2U64,2026-07-20,补贴,园区,10,\n",
        encoding="utf-8",
    )
    second = read_services(path)
    with Store.open(store_url) as store:
        assert save_services(store, "2026Q3", first).action == "added"
        assert save_services(store, "2026Q3", first).action == "unchanged"
        saved = save_services(store, "2026Q3", list(reversed(second)))
        assert (saved.action, saved.revision, saved.lines) == ("revised", 2, 2)
        assert save_services(store, "2026Q3", second).action == "unchanged"  # order is no change
        assert {s.credit_code for s in services(store, "2026Q3")} == {
            "91320594MA1A3K7R2A",
            "91320594MA1A7J2U64",
        }
        assert services(store, "2026Q3", revision=1) == first
        assert service_revisions(store, "2026Q3") == 2
        assert service_periods(store) == ["2026Q3"]
        assert services(store, "2026Q2") == []
