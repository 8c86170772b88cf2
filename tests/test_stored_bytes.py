"""Stored bytes checked against their hash: evidence files by the sha256 that names them, and
rendered reports by the sha256 kept beside them (schema 10), by check-store and by restore."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from assessment import assess
from assessment.cli import app
from assessment.serve.drafts import DraftBook
from assessment.store import Store, migrations
from assessment.store.migrations import MIGRATIONS, upgrade
from assessment.store.reports import StoredReport, firm_reports, save_reports
from tests.postgres import PostgresServer
from tests.test_backup import PHOTO, Q3

runner = CliRunner()
SHA = hashlib.sha256(PHOTO).hexdigest()
CODE = "91320594MA1A3K7R2A"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 20


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("bytes") / "dtm.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def engine_of(url: str) -> Engine:
    return create_engine(url if "://" in url else f"sqlite:///{url}")


def filled(url: str) -> None:
    with Store.open(url) as store:
        DraftBook(store).add_evidence(SHA, "image/png", PHOTO)
        save_reports(
            store, [StoredReport("2026Q3", "园区", f"{CODE}-诊断.pdf", "zh", "k", PDF, CODE)]
        )


def one_byte_changed(url: str, table: str) -> None:
    engine = engine_of(url)
    with engine.begin() as conn:
        content = conn.execute(text(f"SELECT content FROM {table}")).scalar_one()
        changed = bytes(content[:100]) + bytes([content[100] ^ 1]) + bytes(content[101:])
        conn.execute(text(f"UPDATE {table} SET content = :c"), {"c": changed})
    engine.dispose()


def test_sound_stored_bytes_pass(url: str) -> None:
    filled(url)
    checked = runner.invoke(app, ["check-store", "--db", url])
    assert checked.exit_code == 0, checked.output
    with Store.open(url, create=False) as store:
        assert firm_reports(store, CODE, "2026Q3")[f"{CODE}-诊断.pdf"].content == PDF


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ("evidence", f"evidence file {SHA}: its bytes no longer match their sha256"),
        ("reports", f"stored report 2026Q3 园区/{CODE}-诊断.pdf: its bytes no longer match"),
    ],
)
def test_changed_stored_bytes_are_named_by_check_store(url: str, table: str, named: str) -> None:
    filled(url)
    one_byte_changed(url, table)
    checked = runner.invoke(app, ["check-store", "--db", url])
    assert checked.exit_code == 1
    assert checked.output.splitlines()[0].startswith(named), checked.output
    assert checked.output.splitlines()[-1].endswith("; 1 other problems (above)")
    zh = runner.invoke(app, ["check-store", "--db", url], env={"DTM_LANG": "zh"})
    assert zh.exit_code == 1
    assert "与其 sha256 不符" in zh.output.splitlines()[0], zh.output


def test_a_backup_with_changed_evidence_bytes_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "park.db"
    filled(str(db))
    with Store.open(db) as store:
        store.save(assess(Q3[0]))
    backup = tmp_path / "b.db"
    assert runner.invoke(app, ["backup", str(backup), "--db", str(db)]).exit_code == 0
    one_byte_changed(str(backup), "evidence")
    target = tmp_path / "target.db"
    result = runner.invoke(app, ["restore", str(backup), "--db", str(target)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert f"the backup's rows do not match their hashes: evidence file {SHA}" in line
    assert not target.exists()


def test_stored_reports_get_their_hash_from_the_migration(url: str) -> None:
    engine = engine_of(url)
    before = MIGRATIONS.index(migrations._report_hashes)
    upgrade(engine, target=before)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reports (period, park, name, credit_code, lang, key, media_type, "
                "size, content, made_at) VALUES ('2026Q3', '', 'a.pdf', :code, 'zh', 'k', "
                "'application/pdf', :size, :content, :at)"
            ),
            {"code": CODE, "size": len(PDF), "content": PDF, "at": "2026-11-01 08:00:00"},
        )
    engine.dispose()
    with Store.open(url) as store:
        assert store.upgraded_from == before
        assert store.check_rows() == []
        with store.engine.connect() as conn:
            kept = conn.execute(text("SELECT sha256 FROM reports")).scalar_one()
        assert kept == hashlib.sha256(PDF).hexdigest()
    one_byte_changed(url, "reports")
    with Store.open(url) as store:
        assert [line.split(":")[0] for line in store.check_rows()] == ["stored report 2026Q3 a.pdf"]


def test_a_backup_from_before_the_report_hashes_is_checked_as_it_is(tmp_path: Path) -> None:
    """restore checks a backup at its own schema: its reports have no hash to check yet."""
    from assessment.store.integrity import damaged_rows

    db = tmp_path / "old.db"
    engine = engine_of(str(db))
    upgrade(engine, target=MIGRATIONS.index(migrations._report_hashes))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reports (period, park, name, credit_code, lang, key, media_type, "
                "size, content, made_at) VALUES ('2026Q3', '', 'a.pdf', NULL, 'zh', 'k', "
                "'application/pdf', 3, :content, '2026-11-01 08:00:00')"
            ),
            {"content": b"%PD"},
        )
        assert damaged_rows(conn) == []
    engine.dispose()
