"""`dtm backup` and `dtm restore`: a SQLite store copied while in use, and put back whole."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assessment import assess
from assessment.accounts import Accounts
from assessment.cli import app
from assessment.resources import sample_park_dir
from assessment.serve.drafts import DraftBook
from assessment.store import Store

runner = CliRunner()
Q3 = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))
Q2 = sorted((sample_park_dir() / "2026Q2").glob("*.yaml"))
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def revised(path: Path, tmp_path: Path) -> Path:
    """The same firm's answers with another assessor: stored, it makes a revision."""
    doc = yaml.safe_load(path.read_text("utf-8"))
    doc["assessor"] = "复核顾问"
    changed = tmp_path / f"revised-{path.name}"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return changed


def contents(db: Path) -> dict[str, object]:
    """Everything a backup must keep, read back through the store."""
    with Store.open(db, create=False) as store:
        book = DraftBook(store)
        records = [r for p in store.periods() for r in store.list(period=p)]
        history = {r.credit_code: store.history(r.credit_code) for r in records}
        return {
            "current": sorted(
                (r.credit_code, r.period, r.revision, r.content_hash) for r in records
            ),
            "history": sorted(
                (r.credit_code, r.period, r.revision, r.content_hash)
                for h in history.values()
                for r in h
            ),
            "count": store.count(),
            "evidence": book.evidence(hashlib.sha256(PHOTO).hexdigest()),
            "evidence_count": book.evidence_count(),
        }


@pytest.fixture
def park(tmp_path: Path) -> Path:
    db = tmp_path / "park.db"
    with Store.open(db) as store:
        for path in [*Q2, *Q3]:
            store.save(assess(path))
        for path in Q3[:3]:
            store.save(assess(revised(path, tmp_path)))
        DraftBook(store).add_evidence(hashlib.sha256(PHOTO).hexdigest(), "image/png", PHOTO)
    return db


def test_a_restored_backup_has_every_assessment_revision_and_file(
    park: Path, tmp_path: Path
) -> None:
    before = contents(park)
    assert before["count"] == len(Q2) + len(Q3) + 3 and before["evidence"] is not None
    backup = tmp_path / "backups" / "park-2026-12-01.db"
    backup.parent.mkdir()
    made = runner.invoke(app, ["backup", str(backup), "--db", str(park)])
    assert made.exit_code == 0, made.output
    assert f"{len(Q2) + len(Q3)} assessments, 3 superseded revisions, 1 evidence files" in (
        made.output
    )
    assert not list(backup.parent.glob("*.part"))
    # The store is lost; the backup brings everything back into a new one.
    park.unlink()
    for side in park.parent.glob("park.db-*"):
        side.unlink()
    fresh = tmp_path / "new" / "park.db"
    fresh.parent.mkdir()
    put = runner.invoke(app, ["restore", str(backup), "--db", str(fresh)])
    assert put.exit_code == 0, put.output
    assert contents(fresh) == before
    assert contents(fresh)["evidence"] == ("image/png", PHOTO)


def test_a_backup_is_taken_while_the_store_is_written(park: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(park)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE firms SET name = 'uncommitted'")  # a transaction still open
    made = runner.invoke(app, ["backup", str(tmp_path / "b.db"), "--db", str(park)])
    writer.rollback()
    writer.close()
    assert made.exit_code == 0, made.output
    with sqlite3.connect(tmp_path / "b.db") as copy:
        names = {n for (n,) in copy.execute("SELECT name FROM firms")}
        mode = copy.execute("PRAGMA journal_mode").fetchone()[0]
    assert "uncommitted" not in names and mode == "delete"


def test_restore_keeps_a_store_with_data_unless_forced_and_keeps_it_aside(
    park: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with Store.open(other) as store:
        store.save(assess(Q3[0]))
    backup = tmp_path / "other-backup.db"
    assert runner.invoke(app, ["backup", str(backup), "--db", str(other)]).exit_code == 0
    before = contents(park)
    refused = runner.invoke(app, ["restore", str(backup), "--db", str(park)])
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        f"Error: {park}: the store holds {len(Q2) + len(Q3)} assessments, 0 accounts and 0 "
        "audit lines; restoring would replace them: add --force (the current store is kept "
        "beside it)"
    ]
    assert contents(park) == before
    forced = runner.invoke(app, ["restore", str(backup), "--db", str(park), "--force"])
    assert forced.exit_code == 0, forced.output
    assert contents(park)["count"] == 1
    kept = sorted(park.parent.glob("park.before-restore-*.db"))
    assert len(kept) == 1 and f"kept as {kept[0]}" in forced.output
    assert contents(kept[0]) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backup", "{tmp}/b.db", "--db", "postgresql+psycopg://dtm@db/park"], "pg_dump -Fc"),
        (["restore", "{tmp}/b.db", "--db", "postgresql+psycopg://dtm@db/park"], "pg_restore"),
        (["backup", "{tmp}/b.db", "--db", "{tmp}/none.db"], "no store here to back up"),
        (["restore", "{tmp}/none.db", "--db", "{tmp}/x.db"], "no such backup file"),
        (["restore", "{tmp}/junk.db", "--db", "{tmp}/x.db"], "not a dtm store backup"),
        (["backup", "{tmp}/junk.db", "--db", "{park}"], "already exists; choose another name"),
    ],
)
def test_backup_mistakes_are_one_line_and_exit_2(
    park: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    filled = [a.format(tmp=tmp_path, park=park) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert not (tmp_path / "x.db").exists()


def test_a_damaged_backup_is_refused_before_the_store_is_touched(
    park: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    assert runner.invoke(app, ["backup", str(backup), "--db", str(park)]).exit_code == 0
    data = bytearray(backup.read_bytes())
    data[4096 * 2 : 4096 * 2 + 64] = b"\xff" * 64  # a page in the middle overwritten
    backup.write_bytes(bytes(data))
    copy = tmp_path / "copy.db"
    shutil.copy(park, copy)
    result = runner.invoke(app, ["restore", str(backup), "--db", str(copy), "--force"])
    assert result.exit_code == 2, result.output
    assert contents(copy) == contents(park)


def one_digit_changed(db: Path, table: str = "assessments") -> str:
    """Change one digit inside a stored row's answers, as a hand edit would; its credit code."""
    with closing(sqlite3.connect(db)) as conn, conn:
        code, period, answers = conn.execute(
            f"SELECT credit_code, period, answers FROM {table} ORDER BY credit_code LIMIT 1"
        ).fetchone()
        at = next(i for i, c in enumerate(answers) if c.isdigit() and i > answers.index("answers"))
        edited = answers[:at] + str((int(answers[at]) + 1) % 10) + answers[at + 1 :]
        conn.execute(
            f"UPDATE {table} SET answers = ? WHERE credit_code = ? AND period = ?",
            (edited, code, period),
        )
    return str(code)


def test_restore_counts_accounts_and_audit_lines_as_data(tmp_path: Path) -> None:
    empty_backup, db = tmp_path / "empty.db", tmp_path / "accounts.db"
    Store.open(tmp_path / "nothing.db").close()
    assert runner.invoke(app, ["backup", str(empty_backup), "--db", str(tmp_path / "nothing.db")])
    with Store.open(db) as store:
        Accounts(store).add("admin", "admin", password="a long enough password", by="setup")
    refused = runner.invoke(app, ["restore", str(empty_backup), "--db", str(db)])
    assert refused.exit_code == 2
    assert "holds 0 assessments, 1 accounts and 1 audit lines" in refused.output
    with Store.open(db, create=False) as store:
        assert Accounts(store).any()
    forced = runner.invoke(app, ["restore", str(empty_backup), "--db", str(db), "--force"])
    assert forced.exit_code == 0, forced.output
    (kept,) = tmp_path.glob("accounts.before-restore-*.db")
    with Store.open(kept, create=False) as store:
        assert Accounts(store).any()
    with Store.open(db, create=False) as store:
        assert not Accounts(store).any()


def test_a_backup_with_one_changed_digit_is_refused_and_check_store_names_the_row(
    park: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    assert runner.invoke(app, ["backup", str(backup), "--db", str(park)]).exit_code == 0
    code = one_digit_changed(backup)
    target = tmp_path / "target.db"
    result = runner.invoke(app, ["restore", str(backup), "--db", str(target)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {backup}: the backup's rows do not match their hashes: {code}")
    assert "restore an earlier backup" in line
    assert not target.exists()
    code = one_digit_changed(park)
    checked = runner.invoke(app, ["check-store", "--db", str(park)])
    assert checked.exit_code == 1
    assert f"{code} 2026Q2 revision 1 (current): its content no longer matches" in checked.output
    assert checked.output.splitlines()[-1].endswith(", 1 damaged")
    zh = runner.invoke(app, ["check-store", "--db", str(park)], env={"DTM_LANG": "zh"})
    assert zh.exit_code == 1
    assert f"{code} 2026Q2 第 1 版（当前版本）：其内容与保存时的内容哈希不符" in zh.output


def test_an_edited_services_register_and_audit_line_are_named_by_check_store(
    tmp_path: Path,
) -> None:
    from assessment.collect.services import Service
    from assessment.store.services import save_services

    db = tmp_path / "park.db"
    with Store.open(db) as store:
        accounts = Accounts(store)
        accounts.add("admin", "admin", password="a long enough password", by="setup")
        accounts.add("li", "consultant", password="another long password", by="admin")
        line = Service("91320594MA1A3K7R2A", date(2026, 8, 1), "diagnosis", "某服务商", 2.5, "")
        whole = Service("91320594MA1A3K7R2A", date(2026, 8, 2), "training", "某服务商", 3, "")
        save_services(store, "2026Q3", [line, whole])  # an int amount reads back as a float
    sound = runner.invoke(app, ["check-store", "--db", str(db)])
    assert sound.exit_code == 0
    assert sound.output.splitlines()[0].startswith("audit log: 2 lines, the last is line 2 ")
    assert sound.output.splitlines()[1:] == ["0 assessments stored, 0 damaged"]
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE services SET amount = 25")
        conn.execute("DROP TRIGGER audit_log_no_UPDATE")  # what the file's owner can do
        conn.execute("UPDATE audit_log SET new = 'li admin' WHERE id = 2")
    checked = runner.invoke(app, ["check-store", "--db", str(db)])
    assert checked.exit_code == 1
    assert checked.output.splitlines() == [
        "services register 2026Q3 revision 1: its content no longer matches its content hash "
        "(changed outside dtm)",
        "audit log line 2: its hash does not match (the line, or one before it, was changed or "
        "removed after it was written; the 1 lines before it are intact)",
        sound.output.splitlines()[0],  # the audit log's head: its last line was not changed
        "0 assessments stored, 0 damaged; 2 other problems (above)",
    ]
    zh = runner.invoke(app, ["check-store", "--db", str(db)], env={"DTM_LANG": "zh"})
    assert zh.output.splitlines()[:2] == [
        "2026Q3 服务台账第 1 版：其内容与保存时的内容哈希不符（在 dtm 之外被改动过）",
        "审计日志第 2 行：哈希不符（该行或其前某行在写入后被改动或删除；其前 1 行完好）",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["check-store"],
        ["list"],
        ["list", "--services"],
        ["history", "91320594MA1A3K7R2A"],
        ["park-summary", "--period", "2026Q3"],
        ["user", "list"],
        ["restore", "{backup}"],
    ],
)
def test_reading_commands_never_make_a_store(
    park: Path, tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "typo.db"
    backup = tmp_path / "b.db"
    runner.invoke(app, ["backup", str(backup), "--db", str(park)])
    args = [a.format(backup=backup) for a in command]
    result = runner.invoke(app, [*args, "--db", str(typo)])
    if command[0] == "restore":  # restoring is how a new store is made from a backup
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: no store at {typo}")
    assert not typo.exists()
